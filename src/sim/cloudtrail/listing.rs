//! Reading trails back: DescribeTrails (all, or those named), ListTrails and GetTrailStatus
//! (logging, and when logging started or stopped and files were last delivered).
//!
//! It changes no trail (the trails' own operations are in the parent module).

use serde_json::{Value as Json, json};

use super::{CloudTrailError, ct_op};
use crate::sim::authz::Access;
use crate::sim::clock::{Millis, iso8601};
use crate::sim::{CallContext, Cloud, SimError};

/// GetTrailStatus' string times (`TimeLoggingStarted`, ...): whole seconds, `""` when never.
fn attempt_time(t: Option<Millis>) -> Json {
    json!(t.map_or_else(String::new, |t| iso8601(t - t.rem_euclid(1000))))
}

impl Cloud {
    pub fn cloudtrail_describe_trails(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let wanted: Option<Vec<String>> = match p.get("trailNameList") {
            None | Some(Json::Null) => None,
            Some(Json::Array(a)) => Some(
                a.iter()
                    .map(|v| {
                        v.as_str().map(str::to_string).ok_or_else(|| {
                            SimError::param(format!(
                                "Invalid type for parameter trailNameList, value: {v}, valid types: <class 'str'>"
                            ))
                        })
                    })
                    .collect::<Result<_, _>>()?,
            ),
            Some(other) => {
                return Err(SimError::param(format!(
                    "Invalid type for parameter trailNameList, value: {other}, valid types: <class 'list'>, <class 'tuple'>"
                )));
            }
        };
        // includeShadowTrails: a world has one region and no organization, so there are no
        // shadow trails to include or leave out.
        crate::sim::opt_bool(p, "includeShadowTrails")?;
        self.run(ctx, ct_op("DescribeTrails", p, true), |c, _| {
            c.authorize(ctx, &Access::iam_only("cloudtrail:DescribeTrails", "*"))?;
            // Names or ARNs; names of no trail here are left out, as AWS does.
            let names: Option<Vec<String>> = wanted
                .as_ref()
                .map(|w| w.iter().map(|n| c.trail_name(n)).collect());
            let list: Vec<Json> = c
                .world
                .cloudtrail
                .trails
                .values()
                .filter(|t| names.as_ref().is_none_or(|n| n.contains(&t.name)))
                .map(Cloud::trail_json)
                .collect();
            Ok(json!({"trailList": list}))
        })
    }

    /// ListTrails: every trail's ARN, name and home region, in one page (a NextToken is never
    /// handed out, so one given back changes nothing).
    pub fn cloudtrail_list_trails(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        crate::sim::opt_str(p, "NextToken")?;
        self.run(ctx, ct_op("ListTrails", p, true), |c, _| {
            c.authorize(ctx, &Access::iam_only("cloudtrail:ListTrails", "*"))?;
            let region = c.world.region.clone();
            let list: Vec<Json> = c
                .world
                .cloudtrail
                .trails
                .values()
                .map(|t| json!({"TrailARN": t.arn, "Name": t.name, "HomeRegion": region}))
                .collect();
            Ok(json!({"Trails": list}))
        })
    }

    pub fn cloudtrail_get_trail_status(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = crate::sim::req_str(p, "Name")?.to_string();
        self.run(ctx, ct_op("GetTrailStatus", p, true), |c, t| {
            let name = c.with_trail(ctx, t, &given, "cloudtrail:GetTrailStatus")?;
            let tr = c.world.cloudtrail.trails.get(&name).ok_or_else(|| {
                CloudTrailError::TrailNotFound {
                    name: name.to_string(),
                }
            })?;
            let mut m = json!({
                "IsLogging": tr.is_logging,
                "TimeLoggingStarted": attempt_time(tr.logging_started),
                "TimeLoggingStopped": attempt_time(tr.logging_stopped),
                "LatestDeliveryAttemptTime": attempt_time(tr.latest_delivery),
                "LatestDeliveryAttemptSucceeded": attempt_time(tr.latest_delivery),
                "LatestNotificationAttemptTime": "",
                "LatestNotificationAttemptSucceeded": "",
            });
            for (member, at) in [
                ("StartLoggingTime", tr.logging_started),
                ("StopLoggingTime", tr.logging_stopped),
                ("LatestDeliveryTime", tr.latest_delivery),
                ("LatestDigestDeliveryTime", tr.latest_digest_delivery),
            ] {
                if let Some(at) = at {
                    m[member] = json!(iso8601(at));
                }
            }
            Ok(m)
        })
    }
}
