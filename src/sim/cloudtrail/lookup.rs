//! CloudTrail LookupEvents: recorded management events, newest first, filtered by at most one
//! lookup attribute and a time range, 50 to a page.
//!
//! It does not record events ([`Cloud::run`] does) nor deliver them (see `delivery`).

use serde_json::{Value as Json, json};

use super::{CloudTrailError, ct_op};
use crate::sim::authz::Access;
use crate::sim::clock::parse_iso8601;
use crate::sim::{CallContext, Cloud, SimError, opt_int, opt_str, req_str};

impl Cloud {
    /// LookupEvents: management events, newest first, filtered by one lookup attribute.
    pub fn cloudtrail_lookup_events(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let attrs = p
            .get("LookupAttributes")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        if attrs.len() > 1 {
            return Err(CloudTrailError::OneLookupAttribute.into());
        }
        let filter = match attrs.first() {
            Some(a) => {
                let key = req_str(a, "AttributeKey")?.to_string();
                let value = req_str(a, "AttributeValue")?.to_string();
                if !matches!(
                    key.as_str(),
                    "EventId"
                        | "EventName"
                        | "ReadOnly"
                        | "Username"
                        | "ResourceType"
                        | "ResourceName"
                        | "EventSource"
                        | "AccessKeyId"
                ) {
                    return Err(CloudTrailError::InvalidLookupAttribute { key: key.clone() }.into());
                }
                Some((key, value))
            }
            None => None,
        };
        let start = opt_str(p, "StartTime")?
            .map(|s| {
                parse_iso8601(s)
                    .ok_or_else(|| SimError::param(format!("Invalid timestamp for StartTime: {s}")))
            })
            .transpose()?;
        let end = opt_str(p, "EndTime")?
            .map(|s| {
                parse_iso8601(s)
                    .ok_or_else(|| SimError::param(format!("Invalid timestamp for EndTime: {s}")))
            })
            .transpose()?;
        // EventCategory=insight asks for Insights events only; keyform has no Insights.
        let insights = match opt_str(p, "EventCategory")? {
            None => false,
            Some("insight") => true,
            Some(other) => {
                return Err(SimError::param(format!(
                    "Invalid EventCategory {other:?}: the only category is insight"
                )));
            }
        };
        let max = opt_int(p, "MaxResults")?.unwrap_or(50).clamp(1, 50) as usize;
        let skip: usize = opt_str(p, "NextToken")?
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        self.run(ctx, ct_op("LookupEvents", p, true), |c, _| {
            c.authorize(ctx, &Access::iam_only("cloudtrail:LookupEvents", "*"))?;
            // Newest first; only the page's events (and whether one more exists) are read,
            // so a long history costs no more than the events asked for.
            let mut matching = c
                .world
                .cloudtrail
                .events
                .iter()
                .rev()
                .filter(|_| !insights)
                .map(crate::sim::world::TrailEvent::json)
                // Each account sees the events of its own calls.
                .filter(|e| in_account(e, &c.world.account_id))
                .filter(|e| {
                    e.get("managementEvent")
                        .and_then(Json::as_bool)
                        .unwrap_or(true)
                })
                .filter(|e| {
                    let t = e
                        .get("eventTime")
                        .and_then(Json::as_str)
                        .and_then(parse_iso8601)
                        .unwrap_or(0);
                    start.is_none_or(|s| t >= s) && end.is_none_or(|x| t <= x)
                })
                .filter(|e| filter.as_ref().is_none_or(|(k, v)| event_matches(e, k, v)))
                .skip(skip);
            let page: Vec<Json> = matching
                .by_ref()
                .take(max)
                .map(|e| lookup_event(&e))
                .collect();
            let more = matching.next().is_some();
            let mut out = json!({"Events": page});
            if more {
                out["NextToken"] = json!((skip + max).to_string());
            }
            Ok(out)
        })
    }
}

fn event_matches(e: &Json, key: &str, value: &str) -> bool {
    let s = |k: &str| e.get(k).and_then(Json::as_str).unwrap_or("").to_string();
    match key {
        "EventId" => s("eventID") == value,
        "EventName" => s("eventName") == value,
        "EventSource" => s("eventSource") == value,
        "ReadOnly" => {
            e.get("readOnly")
                .and_then(Json::as_bool)
                .map(|b| b.to_string())
                .as_deref()
                == Some(value)
        }
        "Username" => e.pointer("/userIdentity/userName").and_then(Json::as_str) == Some(value),
        "AccessKeyId" => {
            e.pointer("/userIdentity/accessKeyId")
                .and_then(Json::as_str)
                == Some(value)
        }
        "ResourceType" | "ResourceName" => {
            e.get("resources")
                .and_then(Json::as_array)
                .is_some_and(|r| {
                    r.iter().any(|x| {
                        x.get(if key == "ResourceType" { "type" } else { "ARN" })
                            .and_then(Json::as_str)
                            == Some(value)
                    })
                })
        }
        _ => false,
    }
}

fn lookup_event(e: &Json) -> Json {
    let s = |k: &str| e.get(k).cloned().unwrap_or(Json::Null);
    json!({
        "EventId": s("eventID"),
        "EventName": s("eventName"),
        "ReadOnly": e.get("readOnly").and_then(Json::as_bool).unwrap_or(false).to_string(),
        "AccessKeyId": e.pointer("/userIdentity/accessKeyId").cloned().unwrap_or(Json::Null),
        "EventTime": s("eventTime"),
        "EventSource": s("eventSource"),
        "Username": e.pointer("/userIdentity/userName").cloned().unwrap_or(Json::Null),
        "Resources": e.get("resources").and_then(Json::as_array).map(|r| r.iter().map(|x| json!({
            "ResourceType": x.get("type").cloned().unwrap_or(Json::Null),
            "ResourceName": x.get("ARN").cloned().unwrap_or(Json::Null),
        })).collect::<Vec<_>>()).unwrap_or_default(),
        "CloudTrailEvent": e.to_string(),
    })
}

/// Whether an event was recorded for `account` (its `recipientAccountId`).
pub(super) fn in_account(e: &Json, account: &str) -> bool {
    e.get("recipientAccountId").and_then(Json::as_str) == Some(account)
}
