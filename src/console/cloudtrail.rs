//! CloudTrail: the event history (LookupEvents as the signed-in identity, with the console's
//! filters: one lookup attribute such as event name, user name, resource name or event source,
//! and a time range; newest first, each event's record JSON one click away) and the trails
//! (DescribeTrails with each trail's logging status; create with a log bucket, start and stop
//! logging, delete; the delivered log files are a link to the bucket's AWSLogs/ prefix).

use serde_json::{Value as Json, json};

use super::kms::urlencode;
use super::{Page, see_other};
use crate::serve::Response;

/// The lookup attributes, as the console's "Lookup attributes" menu names them.
const FILTERS: &[(&str, &str)] = &[
    ("EventName", "Event name"),
    ("Username", "User name"),
    ("ResourceName", "Resource name"),
    ("ResourceType", "Resource type"),
    ("EventSource", "Event source"),
    ("AccessKeyId", "AWS access key"),
    ("EventId", "Event ID"),
    ("ReadOnly", "Read-only"),
];

const TRAILS: &str = "/_console/cloudtrail/trails";

pub(super) fn route(p: &mut Page<'_>, post: bool, route: &str) -> Option<Response> {
    Some(match (post, route) {
        (false, "/cloudtrail") => history(p),
        (false, "/cloudtrail/trails") => trails(p),
        (true, "/cloudtrail/trails/create") => create_trail(p),
        (true, "/cloudtrail/trails/logging") => logging(p),
        (true, "/cloudtrail/trails/delete") => delete_trail(p),
        _ => return None,
    })
}

/// A time of the form's `datetime-local` inputs (`YYYY-MM-DDTHH:MM`, the simulated clock's
/// UTC) or a full ISO 8601 time, as LookupEvents takes it.
fn to_iso(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    Some(match s.len() {
        16 => format!("{s}:00Z"),
        19 => format!("{s}Z"),
        _ => s.to_string(),
    })
}

fn history(p: &mut Page<'_>) -> Response {
    let attr = p
        .query("attribute")
        .filter(|a| FILTERS.iter().any(|(k, _)| k == a));
    let value = p.query("value").unwrap_or_default();
    let (start, end) = (
        p.query("start").unwrap_or_default(),
        p.query("end").unwrap_or_default(),
    );
    let mut params = json!({"MaxResults": 50});
    if let (Some(a), false) = (&attr, value.is_empty()) {
        params["LookupAttributes"] = json!([{"AttributeKey": a, "AttributeValue": value}]);
    }
    if let Some(t) = to_iso(&start) {
        params["StartTime"] = json!(t);
    }
    if let Some(t) = to_iso(&end) {
        params["EndTime"] = json!(t);
    }
    if let Some(t) = p.query("token") {
        params["NextToken"] = json!(t);
    }
    let r = match p.call("cloudtrail:LookupEvents", params) {
        Ok(r) => r,
        Err(e) => return p.error("looking up events", &e),
    };
    let events: Vec<Json> = r["Events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|e| {
            let record = e["CloudTrailEvent"]
                .as_str()
                .and_then(|s| serde_json::from_str::<Json>(s).ok())
                .unwrap_or(Json::Null);
            let pretty = serde_json::to_string_pretty(&record).unwrap_or_default();
            let resources: Vec<&str> = e["Resources"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["ResourceName"].as_str())
                .collect();
            json!({"name": e["EventName"], "time": e["EventTime"], "user": e["Username"],
                   "source": e["EventSource"], "error": record["errorCode"],
                   "resources": resources.join(", "), "record": pretty})
        })
        .collect();
    let next = r["NextToken"].as_str().map(|t| {
        format!(
            "/_console/cloudtrail?attribute={}&value={}&start={}&end={}&token={}",
            urlencode(attr.as_deref().unwrap_or("")),
            urlencode(&value),
            urlencode(&start),
            urlencode(&end),
            urlencode(t)
        )
    });
    let filters: Vec<Json> = FILTERS
        .iter()
        .map(|(k, label)| json!({"key": k, "label": label}))
        .collect();
    p.render(
        "cloudtrail.html",
        json!({"events": events, "filters": filters, "attribute": attr, "value": value,
               "start": start, "end": end, "next": next}),
    )
}

/// The trails, each with its logging status and its log files' place.
fn trails(p: &mut Page<'_>) -> Response {
    let list = match p.call("cloudtrail:DescribeTrails", json!({})) {
        Ok(r) => r["trailList"].as_array().cloned().unwrap_or_default(),
        Err(e) => return p.error("listing trails", &e),
    };
    let account = p.cloud.world.account_id.clone();
    let rows: Vec<Json> = list
        .iter()
        .map(|t| {
            let name = t["Name"].as_str().unwrap_or_default().to_string();
            let status = p
                .call_quiet("cloudtrail:GetTrailStatus", json!({"Name": name}))
                .map(|s| json!({"ok": s}))
                .unwrap_or_else(|e| json!({"error": {"code": e.code, "message": e.message}}));
            let bucket = t["S3BucketName"].as_str().unwrap_or_default();
            let prefix = match t["S3KeyPrefix"].as_str() {
                Some(p) if !p.is_empty() => format!("{p}/AWSLogs/{account}/CloudTrail/"),
                _ => format!("AWSLogs/{account}/CloudTrail/"),
            };
            let logs = format!(
                "{}&prefix={}",
                super::s3_versions::bucket_url(bucket, false),
                urlencode(&prefix)
            );
            json!({"trail": t, "status": status, "logs": logs, "prefix": prefix})
        })
        .collect();
    p.render("cloudtrail_trails.html", json!({"trails": rows}))
}

fn create_trail(p: &mut Page<'_>) -> Response {
    let mut params = json!({"Name": p.form.text("name"), "S3BucketName": p.form.text("bucket"),
                            "IsMultiRegionTrail": true, "IncludeGlobalServiceEvents": true,
                            "EnableLogFileValidation": p.form.text("validation") == "on"});
    for (field, param) in [("prefix", "S3KeyPrefix"), ("kms_key", "KmsKeyId")] {
        let v = p.form.text(field);
        if !v.is_empty() {
            params[param] = json!(v);
        }
    }
    let name = p.form.text("name");
    if let Err(e) = p.call("cloudtrail:CreateTrail", params) {
        return p.error("creating the trail", &e);
    }
    // The AWS console starts logging a trail it creates.
    match p.call("cloudtrail:StartLogging", json!({"Name": name})) {
        Ok(_) => see_other(TRAILS),
        Err(e) => p.error("starting logging (the trail was created)", &e),
    }
}

fn logging(p: &mut Page<'_>) -> Response {
    let name = p.form.text("name");
    let op = if p.form.text("start") == "true" {
        "cloudtrail:StartLogging"
    } else {
        "cloudtrail:StopLogging"
    };
    match p.call(op, json!({"Name": name})) {
        Ok(_) => see_other(TRAILS),
        Err(e) => p.error("changing the trail's logging", &e),
    }
}

fn delete_trail(p: &mut Page<'_>) -> Response {
    let name = p.form.text("name");
    match p.call("cloudtrail:DeleteTrail", json!({"Name": name})) {
        Ok(_) => see_other(TRAILS),
        Err(e) => p.error("deleting the trail", &e),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_forms_times_become_iso_8601_utc() {
        assert_eq!(
            super::to_iso("2026-01-01T10:30").as_deref(),
            Some("2026-01-01T10:30:00Z")
        );
        assert_eq!(
            super::to_iso("2026-01-01T10:30:15").as_deref(),
            Some("2026-01-01T10:30:15Z")
        );
        assert_eq!(super::to_iso(" "), None);
    }
}
