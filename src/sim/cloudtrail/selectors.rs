//! CloudTrail event selectors: Put/GetEventSelectors, and which recorded events a trail's
//! selectors deliver (management events always by default, data events only when asked for).
//!
//! It does not write log files (see `delivery`).

use serde_json::{Value as Json, json};

use super::{CloudTrailError, ct_op};
use crate::sim::world::{DataResource, EventSelector, Trail};
use crate::sim::{CallContext, Cloud, SimError, opt_bool, opt_str, req_str};

fn parse_selectors(p: &Json) -> Result<Vec<EventSelector>, SimError> {
    let Some(arr) = p.get("EventSelectors").and_then(Json::as_array) else {
        return Err(SimError::param(
            "Missing required parameter in input: \"EventSelectors\"",
        ));
    };
    if arr.len() > 5 {
        return Err(CloudTrailError::TooManyEventSelectors.into());
    }
    arr.iter()
        .map(|s| {
            let rw = opt_str(s, "ReadWriteType")?.unwrap_or("All").to_string();
            if !matches!(rw.as_str(), "All" | "ReadOnly" | "WriteOnly") {
                return Err(CloudTrailError::InvalidReadWriteType { value: rw }.into());
            }
            let data = s
                .get("DataResources")
                .and_then(Json::as_array)
                .map(|d| {
                    d.iter()
                        .map(|r| DataResource {
                            kind: r
                                .get("Type")
                                .and_then(Json::as_str)
                                .unwrap_or_default()
                                .to_string(),
                            values: r
                                .get("Values")
                                .and_then(Json::as_array)
                                .map(|v| {
                                    v.iter()
                                        .filter_map(|x| x.as_str().map(str::to_string))
                                        .collect()
                                })
                                .unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            Ok(EventSelector {
                read_write_type: rw,
                include_management_events: opt_bool(s, "IncludeManagementEvents")?.unwrap_or(true),
                exclude_management_event_sources: s
                    .get("ExcludeManagementEventSources")
                    .and_then(Json::as_array)
                    .map(|v| {
                        v.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
                data_resources: data,
            })
        })
        .collect()
}

/// Whether a trail's selectors ask for this event.
pub(super) fn selected(trail: &Trail, ev: &Json) -> bool {
    let read_only = ev.get("readOnly").and_then(Json::as_bool).unwrap_or(false);
    let management = ev
        .get("managementEvent")
        .and_then(Json::as_bool)
        .unwrap_or(true);
    let source = ev.get("eventSource").and_then(Json::as_str).unwrap_or("");
    let default = [EventSelector::default()];
    let selectors: &[EventSelector] = if trail.event_selectors.is_empty() {
        &default
    } else {
        &trail.event_selectors
    };
    selectors.iter().any(|s| {
        let rw_ok = match s.read_write_type.as_str() {
            "ReadOnly" => read_only,
            "WriteOnly" => !read_only,
            _ => true,
        };
        if !rw_ok {
            return false;
        }
        if management {
            return s.include_management_events
                && !s
                    .exclude_management_event_sources
                    .iter()
                    .any(|x| x == source);
        }
        let arns: Vec<&str> = ev
            .get("resources")
            .and_then(Json::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(|x| x.get("ARN").and_then(Json::as_str))
                    .collect()
            })
            .unwrap_or_default();
        s.data_resources.iter().any(|d| {
            d.kind == "AWS::S3::Object"
                && d.values.iter().any(|v| {
                    v == "arn:aws:s3"
                        || v == "arn:aws:s3:::"
                        || arns.iter().any(|a| a.starts_with(v.as_str()))
                })
        })
    })
}

impl Cloud {
    pub fn cloudtrail_put_event_selectors(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "TrailName")?.to_string();
        let selectors = parse_selectors(p)?;
        self.run(ctx, ct_op("PutEventSelectors", p, false), |c, t| {
            let name = c.with_trail(ctx, t, &given, "cloudtrail:PutEventSelectors")?;
            let arn = c.trail_arn(&name);
            if let Some(tr) = c.world.cloudtrail.trails.get_mut(&name) {
                tr.event_selectors = selectors.clone();
            }
            Ok(json!({"TrailARN": arn, "EventSelectors": selectors_json(&selectors)}))
        })
    }

    pub fn cloudtrail_get_event_selectors(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "TrailName")?.to_string();
        self.run(ctx, ct_op("GetEventSelectors", p, true), |c, t| {
            let name = c.with_trail(ctx, t, &given, "cloudtrail:GetEventSelectors")?;
            let tr = c.world.cloudtrail.trails.get(&name).ok_or_else(|| {
                CloudTrailError::TrailNotFound {
                    name: name.to_string(),
                }
            })?;
            let sel = if tr.event_selectors.is_empty() {
                vec![EventSelector::default()]
            } else {
                tr.event_selectors.clone()
            };
            Ok(json!({"TrailARN": tr.arn, "EventSelectors": selectors_json(&sel)}))
        })
    }
}

fn selectors_json(s: &[EventSelector]) -> Vec<Json> {
    s.iter()
        .map(|x| {
            json!({
                "ReadWriteType": x.read_write_type, "IncludeManagementEvents": x.include_management_events,
                "ExcludeManagementEventSources": x.exclude_management_event_sources,
                "DataResources": x.data_resources.iter().map(|d| json!({"Type": d.kind, "Values": d.values})).collect::<Vec<_>>(),
            })
        })
        .collect()
}
