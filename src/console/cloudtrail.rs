//! CloudTrail event history: LookupEvents as the signed-in user, with the console's filters
//! (one lookup attribute: event name, user name, resource name, event source), newest first,
//! each event's record JSON one click away.

use serde_json::{Value as Json, json};

use super::Page;
use crate::serve::Response;

const FILTERS: &[&str] = &[
    "EventName",
    "Username",
    "ResourceName",
    "EventSource",
    "ReadOnly",
];

pub(super) fn history(p: &mut Page<'_>) -> Option<Response> {
    let attr = p
        .query("attribute")
        .filter(|a| FILTERS.contains(&a.as_str()));
    let value = p.query("value").unwrap_or_default();
    let mut params = json!({"MaxResults": 50});
    if let (Some(a), false) = (&attr, value.is_empty()) {
        params["LookupAttributes"] = json!([{"AttributeKey": a, "AttributeValue": value}]);
    }
    if let Some(t) = p.query("token") {
        params["NextToken"] = json!(t);
    }
    let r = match p.call("cloudtrail:LookupEvents", params) {
        Ok(r) => r,
        Err(e) => return Some(p.error("looking up events", &e)),
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
            json!({"name": e["EventName"], "time": e["EventTime"], "user": e["Username"],
                   "source": e["EventSource"], "error": record["errorCode"], "record": pretty})
        })
        .collect();
    let next = r["NextToken"].as_str().map(|t| {
        format!(
            "/_console/cloudtrail?attribute={}&value={}&token={}",
            super::kms::urlencode(attr.as_deref().unwrap_or("")),
            super::kms::urlencode(&value),
            super::kms::urlencode(t)
        )
    });
    Some(p.render(
        "cloudtrail.html",
        json!({"events": events, "filters": FILTERS, "attribute": attr, "value": value, "next": next}),
    ))
}
