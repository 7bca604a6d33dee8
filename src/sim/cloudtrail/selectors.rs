//! CloudTrail event selectors: Put/GetEventSelectors (basic EventSelectors or
//! AdvancedEventSelectors), and which recorded events a trail's selectors deliver (management
//! events always by default, data events only when asked for).
//!
//! It does not write log files (see `delivery`).

use serde_json::{Value as Json, json};

use super::{CloudTrailError, ct_op};
use crate::sim::world::{
    AdvancedEventSelector, AdvancedFieldSelector, DataResource, EventSelector, Trail,
};
use crate::sim::{CallContext, Cloud, SimError, opt_bool, opt_str, req_str};

/// The fields an advanced field selector may test, as AWS names them.
const FIELDS: &[&str] = &[
    "eventCategory",
    "eventSource",
    "eventName",
    "eventType",
    "readOnly",
    "errorCode",
    "userIdentity.arn",
    "resources.type",
    "resources.ARN",
];
const OPERATORS: &[&str] = &[
    "Equals",
    "StartsWith",
    "EndsWith",
    "NotEquals",
    "NotStartsWith",
    "NotEndsWith",
];

fn strings(v: &Json, what: &str) -> Result<Vec<String>, SimError> {
    let bad = || CloudTrailError::InvalidAdvancedSelector {
        why: format!("{what} must be a list of strings."),
    };
    v.as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|x| x.as_str().map(str::to_string).ok_or_else(bad))
        .collect::<Result<_, _>>()
        .map_err(SimError::from)
}

fn parse_advanced(arr: &[Json]) -> Result<Vec<AdvancedEventSelector>, SimError> {
    let invalid = |why: String| SimError::from(CloudTrailError::InvalidAdvancedSelector { why });
    if arr.is_empty() || arr.len() > 500 {
        return Err(invalid(
            "AdvancedEventSelectors must hold 1 to 500 selectors.".into(),
        ));
    }
    arr.iter()
        .map(|sel| {
            let name = opt_str(sel, "Name")?.map(str::to_string);
            let fields = sel
                .get("FieldSelectors")
                .and_then(Json::as_array)
                .filter(|f| !f.is_empty())
                .ok_or_else(|| invalid("Each advanced event selector needs FieldSelectors.".into()))?;
            let mut out = Vec::new();
            for f in fields {
                let field = req_str(f, "Field")?.to_string();
                if !FIELDS.contains(&field.as_str()) {
                    return Err(invalid(format!(
                        "Invalid field {field}: use one of {}.",
                        FIELDS.join(", ")
                    )));
                }
                let mut fs = AdvancedFieldSelector {
                    field: field.clone(),
                    ..Default::default()
                };
                if let Json::Object(m) = f {
                    for (k, v) in m {
                        if k == "Field" {
                            continue;
                        }
                        if !OPERATORS.contains(&k.as_str()) {
                            return Err(SimError::param(format!(
                                "Unknown parameter in FieldSelectors: \"{k}\", must be one of: Field, {}",
                                OPERATORS.join(", ")
                            )));
                        }
                        let values = strings(v, k)?;
                        if values.is_empty() {
                            return Err(invalid(format!("{k} of field {field} is empty.")));
                        }
                        fs.operators.insert(k.clone(), values);
                    }
                }
                if fs.operators.is_empty() {
                    return Err(invalid(format!("Field {field} has no operator.")));
                }
                out.push(fs);
            }
            let category = out.iter().find(|f| f.field == "eventCategory");
            if category.is_none_or(|c| c.operators.get("Equals").is_none_or(Vec::is_empty)) {
                return Err(invalid(
                    "Each advanced event selector must have an eventCategory field with Equals."
                        .into(),
                ));
            }
            Ok(AdvancedEventSelector {
                name,
                field_selectors: out,
            })
        })
        .collect()
}

fn advanced_json(s: &[AdvancedEventSelector]) -> Vec<Json> {
    s.iter()
        .map(|x| {
            let fields: Vec<Json> = x
                .field_selectors
                .iter()
                .map(|f| {
                    let mut m = json!({"Field": f.field});
                    for (op, v) in &f.operators {
                        m[op] = json!(v);
                    }
                    m
                })
                .collect();
            let mut m = json!({"FieldSelectors": fields});
            if let Some(n) = &x.name {
                m["Name"] = json!(n);
            }
            m
        })
        .collect()
}

/// Whether one field selector holds for one value of its field: every operator given holds
/// (Equals, StartsWith, EndsWith: one of the values matches; the Not forms: none does).
fn field_holds(f: &AdvancedFieldSelector, value: &str) -> bool {
    f.operators.iter().all(|(op, vals)| {
        let hit = |test: fn(&str, &str) -> bool| vals.iter().any(|v| test(value, v));
        match op.as_str() {
            "Equals" => hit(|a, b| a == b),
            "StartsWith" => hit(|a, b| a.starts_with(b)),
            "EndsWith" => hit(|a, b| a.ends_with(b)),
            "NotEquals" => !hit(|a, b| a == b),
            "NotStartsWith" => !hit(|a, b| a.starts_with(b)),
            "NotEndsWith" => !hit(|a, b| a.ends_with(b)),
            _ => false,
        }
    })
}

/// The values of an event's field (several for `resources.*`).
fn field_values(ev: &Json, field: &str) -> Vec<String> {
    let s = |v: Option<&Json>| match v {
        Some(Json::String(x)) => Some(x.clone()),
        Some(Json::Bool(b)) => Some(b.to_string()),
        _ => None,
    };
    match field {
        "resources.type" | "resources.ARN" => {
            let member = if field == "resources.type" {
                "type"
            } else {
                "ARN"
            };
            ev.get("resources")
                .and_then(Json::as_array)
                .map(|r| r.iter().filter_map(|x| s(x.get(member))).collect())
                .unwrap_or_default()
        }
        "userIdentity.arn" => s(ev.get("userIdentity").and_then(|u| u.get("arn")))
            .into_iter()
            .collect(),
        "readOnly" => vec![
            ev.get("readOnly")
                .and_then(Json::as_bool)
                .unwrap_or(false)
                .to_string(),
        ],
        "eventCategory" => vec![s(ev.get("eventCategory")).unwrap_or_else(|| "Management".into())],
        other => s(ev.get(other)).into_iter().collect(),
    }
}

fn advanced_selected(sel: &[AdvancedEventSelector], ev: &Json) -> bool {
    sel.iter().any(|s| {
        s.field_selectors.iter().all(|f| {
            let values = field_values(ev, &f.field);
            values.iter().any(|v| field_holds(f, v))
        })
    })
}

fn parse_selectors(p: &Json) -> Result<Vec<EventSelector>, SimError> {
    let Some(arr) = p.get("EventSelectors").and_then(Json::as_array) else {
        return Err(CloudTrailError::SelectorKinds.into());
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
    if !trail.advanced_event_selectors.is_empty() {
        return advanced_selected(&trail.advanced_event_selectors, ev);
    }
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
        let present = |n: &str| p.get(n).is_some_and(|v| !v.is_null());
        let (basic, advanced) = match (present("EventSelectors"), present("AdvancedEventSelectors"))
        {
            (true, false) => (parse_selectors(p)?, Vec::new()),
            (false, true) => {
                let arr = p
                    .get("AdvancedEventSelectors")
                    .and_then(Json::as_array)
                    .ok_or_else(|| CloudTrailError::InvalidAdvancedSelector {
                        why: "AdvancedEventSelectors must be a list.".into(),
                    })?;
                (Vec::new(), parse_advanced(arr)?)
            }
            _ => return Err(CloudTrailError::SelectorKinds.into()),
        };
        self.run(ctx, ct_op("PutEventSelectors", p, false), |c, t| {
            let name = c.with_trail(ctx, t, &given, "cloudtrail:PutEventSelectors")?;
            let arn = c.trail_arn(&name);
            if let Some(tr) = c.world.cloudtrail.trails.get_mut(&name) {
                tr.event_selectors = basic.clone();
                tr.advanced_event_selectors = advanced.clone();
            }
            Ok(if advanced.is_empty() {
                json!({"TrailARN": arn, "EventSelectors": selectors_json(&basic)})
            } else {
                json!({"TrailARN": arn, "AdvancedEventSelectors": advanced_json(&advanced)})
            })
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
            if !tr.advanced_event_selectors.is_empty() {
                return Ok(json!({"TrailARN": tr.arn, "AdvancedEventSelectors": advanced_json(&tr.advanced_event_selectors)}));
            }
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
