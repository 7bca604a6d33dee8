//! `keyform sim cloudtrail lookup-events`: CloudTrail's LookupEvents as a readable table (or
//! the AWS CLI's JSON with `--json`).

use serde_json::{Value as Json, json};

use super::output::print_json;
use super::params::Caller;
use super::{SimResult, open_world, save, usage};
use crate::cli::Ctx;

pub(super) fn lookup_events(ctx: &Ctx, args: &[String]) -> SimResult {
    let mut attrs = Vec::new();
    let mut as_json = false;
    let mut max = 50;
    let mut i = 0;
    while i < args.len() {
        let key = match args[i].as_str() {
            "--json" => {
                as_json = true;
                i += 1;
                continue;
            }
            "--event-name" => "EventName",
            "--user" | "--username" => "Username",
            "--resource" | "--resource-name" => "ResourceName",
            "--event-source" => "EventSource",
            "--max-results" => {
                max = args
                    .get(i + 1)
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| usage("--max-results needs a number"))?;
                i += 2;
                continue;
            }
            other => {
                return Err(usage(format!(
                    "unknown lookup-events option {other:?}: use --event-name, --user, --resource, --event-source, --max-results, --json"
                )));
            }
        };
        let v = args
            .get(i + 1)
            .ok_or_else(|| usage(format!("{} needs a value", args[i])))?;
        attrs.push(json!({"AttributeKey": key, "AttributeValue": v}));
        i += 2;
    }
    if attrs.len() > 1 {
        return Err(usage(
            "CloudTrail looks up events by one attribute at a time: give only one of --event-name, --user, --resource, --event-source",
        ));
    }
    let (mut ws, mut cloud) = open_world(ctx)?;
    let mut caller = Caller::from_env();
    caller.check(&mut cloud)?;
    let r = cloud.call(
        &caller.ctx,
        "cloudtrail:LookupEvents",
        &json!({"LookupAttributes": attrs, "MaxResults": max}),
        None,
    );
    save(&mut ws, &mut cloud)?;
    let r = r.map_err(|e| (e, "LookupEvents".to_string()))?;
    if as_json {
        print_json(&r.fields);
        return Ok(0);
    }
    let events = r
        .fields
        .get("Events")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    if events.is_empty() {
        println!("No events found.");
        return Ok(0);
    }
    println!(
        "{:<24}  {:<40}  {:<18}  {:<22}  RESOURCES",
        "TIME", "EVENT", "USER", "ERROR"
    );
    for e in events {
        let record: Json = e
            .get("CloudTrailEvent")
            .and_then(Json::as_str)
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or(Json::Null);
        let user = record
            .pointer("/userIdentity/userName")
            .and_then(Json::as_str)
            .or_else(|| {
                record
                    .pointer("/userIdentity/invokedBy")
                    .and_then(Json::as_str)
            })
            .unwrap_or("-");
        let via = record
            .pointer("/userIdentity/invokedBy")
            .and_then(Json::as_str)
            .filter(|_| record.pointer("/userIdentity/userName").is_some())
            .map(|s| format!(" via {s}"))
            .unwrap_or_default();
        let resources: Vec<&str> = e
            .get("Resources")
            .and_then(Json::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(|x| x.get("ResourceName").and_then(Json::as_str))
                    .collect()
            })
            .unwrap_or_default();
        println!(
            "{:<24}  {:<40}  {:<18}  {:<22}  {}",
            e.get("EventTime").and_then(Json::as_str).unwrap_or(""),
            format!(
                "{}{via}",
                e.get("EventName").and_then(Json::as_str).unwrap_or("")
            ),
            user,
            record
                .get("errorCode")
                .and_then(Json::as_str)
                .unwrap_or("-"),
            resources.join(" ")
        );
    }
    Ok(0)
}
