//! CloudTrail: trails, event lookup, and delivery of gzipped JSON log files into a trail's bucket.
//!
//! Events themselves are recorded by [`Cloud::run`] for every call; this module reads them back
//! and delivers them (at the end of each command or clock step, never triggered by a delivery).

use std::io::Write;

use serde_json::{Value as Json, json};

use crate::sim::authz::Access;
use crate::sim::clock::{parse_iso8601, trail_path_parts};
use crate::sim::world::{DataResource, EntityRef, EventSelector, Trail};
use crate::sim::{
    CallContext, Cloud, Op, Principal, SimError, opt_bool, opt_int, opt_str, req_str,
};

const SERVICE: &str = "cloudtrail.amazonaws.com";

fn ct_op(name: &'static str, params: &Json, read_only: bool) -> Op {
    Op {
        service: "cloudtrail",
        name,
        params: params.clone(),
        read_only,
        data_event: false,
    }
}

fn trail_not_found(name: &str) -> SimError {
    SimError::service(
        "TrailNotFoundException",
        400,
        format!("Unknown trail: {name} for the user"),
    )
}

/// CloudTrail trail names: 3-128, letters/digits/`._-`, start and end alphanumeric.
pub fn validate_trail_name(n: &str) -> Result<(), String> {
    let ok_chars = n
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    let ends = n.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && n.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
    let adjacent = ["._", "_.", "-.", ".-", "-_", "_-", "..", "--", "__"]
        .iter()
        .any(|p| n.contains(p));
    if !(3..=128).contains(&n.len()) || !ok_chars || !ends || adjacent {
        return Err("Trail name must be 3-128 characters of letters, digits, periods, underscores or dashes, start and end with a letter or digit, and have no adjacent punctuation".into());
    }
    if n.split('.').count() == 4 && n.split('.').all(|p| p.parse::<u8>().is_ok()) {
        return Err("Trail name must not be formatted as an IP address".into());
    }
    Ok(())
}

fn parse_selectors(p: &Json) -> Result<Vec<EventSelector>, SimError> {
    let Some(arr) = p.get("EventSelectors").and_then(Json::as_array) else {
        return Err(SimError::param(
            "Missing required parameter in input: \"EventSelectors\"",
        ));
    };
    if arr.len() > 5 {
        return Err(SimError::service(
            "InvalidEventSelectorsException",
            400,
            "A trail can have at most 5 event selectors.",
        ));
    }
    arr.iter()
        .map(|s| {
            let rw = opt_str(s, "ReadWriteType")?.unwrap_or("All").to_string();
            if !matches!(rw.as_str(), "All" | "ReadOnly" | "WriteOnly") {
                return Err(SimError::service(
                    "InvalidEventSelectorsException",
                    400,
                    format!("Invalid ReadWriteType {rw}"),
                ));
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
fn selected(trail: &Trail, ev: &Json) -> bool {
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
    fn trail_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:cloudtrail:{}:{}:trail/{name}",
            self.world.region, self.world.account_id
        )
    }

    /// Accepts a trail name or ARN.
    fn trail_name(&self, given: &str) -> String {
        given
            .rsplit_once(":trail/")
            .map_or(given, |(_, n)| n)
            .to_string()
    }

    fn trail_json(t: &Trail) -> Json {
        let mut m = json!({
            "Name": t.name, "TrailARN": t.arn, "S3BucketName": t.s3_bucket_name,
            "IncludeGlobalServiceEvents": t.include_global_service_events, "IsMultiRegionTrail": t.is_multi_region,
            "HomeRegion": t.arn.split(':').nth(3).unwrap_or_default(), "LogFileValidationEnabled": t.log_file_validation,
            "HasCustomEventSelectors": !t.event_selectors.is_empty(), "IsOrganizationTrail": false,
        });
        if let Some(p) = &t.s3_key_prefix {
            m["S3KeyPrefix"] = json!(p);
        }
        if let Some(k) = &t.kms_key_id {
            m["KmsKeyId"] = json!(k);
        }
        m
    }

    /// What CreateTrail and UpdateTrail answer: the trail without HomeRegion and
    /// HasCustomEventSelectors, which only GetTrail and DescribeTrails carry.
    fn trail_write_json(t: &Trail) -> Json {
        let mut m = Cloud::trail_json(t);
        if let Json::Object(o) = &mut m {
            o.remove("HomeRegion");
            o.remove("HasCustomEventSelectors");
        }
        m
    }

    /// CloudTrail must be allowed to write into the bucket by its bucket policy.
    fn check_trail_bucket(
        &mut self,
        name: &str,
        bucket: &str,
        prefix: Option<&str>,
    ) -> Result<(), SimError> {
        if !self.world.s3.buckets.contains_key(bucket) {
            return Err(SimError::service(
                "S3BucketDoesNotExistException",
                400,
                format!("S3 bucket {bucket} does not exist."),
            ));
        }
        let svc = CallContext {
            principal: Principal::Service(SERVICE.into()),
            ..CallContext::lab_admin()
        };
        let source_arn = self.trail_arn(name);
        let conds = vec![
            ("aws:SourceArn".to_string(), source_arn),
            (
                "aws:SourceAccount".to_string(),
                self.world.account_id.clone(),
            ),
            (
                "s3:x-amz-acl".to_string(),
                "bucket-owner-full-control".to_string(),
            ),
        ];
        let acl = Access::s3(
            "s3:GetBucketAcl",
            &format!("arn:aws:s3:::{bucket}"),
            bucket,
            &conds,
        );
        let key = match prefix {
            Some(p) if !p.is_empty() => format!(
                "arn:aws:s3:::{bucket}/{p}/AWSLogs/{}/x",
                self.world.account_id
            ),
            _ => format!("arn:aws:s3:::{bucket}/AWSLogs/{}/x", self.world.account_id),
        };
        let put = Access::s3("s3:PutObject", &key, bucket, &conds);
        if !self.explain_access(&svc, &acl).decision.is_allowed()
            || !self.explain_access(&svc, &put).decision.is_allowed()
        {
            return Err(SimError::service(
                "InsufficientS3BucketPolicyException",
                400,
                format!(
                    "Incorrect S3 bucket policy is detected for bucket: {bucket}. The policy must allow cloudtrail.amazonaws.com s3:GetBucketAcl on the bucket and s3:PutObject on its AWSLogs/{}/* prefix.",
                    self.world.account_id
                ),
            ));
        }
        Ok(())
    }

    pub fn cloudtrail_create_trail(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let name = req_str(p, "Name")?.to_string();
        let bucket = req_str(p, "S3BucketName")?.to_string();
        let prefix = opt_str(p, "S3KeyPrefix")?.map(str::to_string);
        let kms = opt_str(p, "KmsKeyId")?.map(str::to_string);
        let global = opt_bool(p, "IncludeGlobalServiceEvents")?.unwrap_or(true);
        let multi = opt_bool(p, "IsMultiRegionTrail")?.unwrap_or(false);
        let validation = opt_bool(p, "EnableLogFileValidation")?.unwrap_or(false);
        self.run(ctx, ct_op("CreateTrail", p, false), |c, t| {
            let arn = c.trail_arn(&name);
            t.resources
                .push(("AWS::CloudTrail::Trail".into(), arn.clone()));
            c.authorize(ctx, &Access::iam_only("cloudtrail:CreateTrail", &arn))?;
            validate_trail_name(&name)
                .map_err(|m| SimError::service("InvalidTrailNameException", 400, m))?;
            if c.world.cloudtrail.trails.contains_key(&name) {
                return Err(SimError::service(
                    "TrailAlreadyExistsException",
                    400,
                    format!(
                        "Trail {name} already exists for customer: {}",
                        c.world.account_id
                    ),
                ));
            }
            if prefix.as_ref().is_some_and(|p| p.len() > 2000) {
                return Err(SimError::service(
                    "InvalidS3PrefixException",
                    400,
                    "S3 key prefix must be at most 2000 characters.",
                ));
            }
            c.check_trail_bucket(&name, &bucket, prefix.as_deref())?;
            if let Some(k) = &kms {
                c.kms_key_arn_for(k).map_err(|_| {
                    SimError::service(
                        "KmsKeyNotFoundException",
                        400,
                        format!("KMS key {k} does not exist."),
                    )
                })?;
            }
            let trail = Trail {
                name: name.clone(),
                arn,
                s3_bucket_name: bucket,
                s3_key_prefix: prefix,
                is_logging: false,
                include_global_service_events: global,
                is_multi_region: multi,
                log_file_validation: validation,
                kms_key_id: kms,
                event_selectors: Vec::new(),
                created: c.world.now,
                delivered_upto: c.world.cloudtrail.events.len() + 1,
                tags: Default::default(),
            };
            let out = Cloud::trail_write_json(&trail);
            c.world.cloudtrail.trails.insert(name.clone(), trail);
            c.touch(EntityRef::Trail(name));
            Ok(out)
        })
    }

    fn with_trail(
        &mut self,
        ctx: &CallContext,
        t: &mut crate::sim::Touched,
        given: &str,
        action: &str,
    ) -> Result<String, SimError> {
        let name = self.trail_name(given);
        let arn = self.trail_arn(&name);
        t.resources
            .push(("AWS::CloudTrail::Trail".into(), arn.clone()));
        self.authorize(ctx, &Access::iam_only(action, &arn))?;
        if !self.world.cloudtrail.trails.contains_key(&name) {
            return Err(trail_not_found(&name));
        }
        self.touch(EntityRef::Trail(name.clone()));
        Ok(name)
    }

    pub fn cloudtrail_update_trail(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "Name")?.to_string();
        self.run(ctx, ct_op("UpdateTrail", p, false), |c, t| {
            let name = c.with_trail(ctx, t, &given, "cloudtrail:UpdateTrail")?;
            let bucket = opt_str(p, "S3BucketName")?.map(str::to_string);
            let prefix = opt_str(p, "S3KeyPrefix")?.map(str::to_string);
            if let Some(b) = &bucket {
                let pre = prefix.clone().or_else(|| {
                    c.world
                        .cloudtrail
                        .trails
                        .get(&name)
                        .and_then(|x| x.s3_key_prefix.clone())
                });
                c.check_trail_bucket(&name, b, pre.as_deref())?;
            }
            let kms = opt_str(p, "KmsKeyId")?.map(str::to_string);
            let Some(tr) = c.world.cloudtrail.trails.get_mut(&name) else {
                return Err(trail_not_found(&name));
            };
            if let Some(b) = bucket {
                tr.s3_bucket_name = b;
            }
            if p.get("S3KeyPrefix").is_some() {
                tr.s3_key_prefix = prefix.filter(|x| !x.is_empty());
            }
            if let Some(v) = opt_bool(p, "IncludeGlobalServiceEvents")? {
                tr.include_global_service_events = v;
            }
            if let Some(v) = opt_bool(p, "IsMultiRegionTrail")? {
                tr.is_multi_region = v;
            }
            if let Some(v) = opt_bool(p, "EnableLogFileValidation")? {
                tr.log_file_validation = v;
            }
            if p.get("KmsKeyId").is_some() {
                tr.kms_key_id = kms.filter(|x| !x.is_empty());
            }
            Ok(Cloud::trail_write_json(tr))
        })
    }

    pub fn cloudtrail_delete_trail(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "Name")?.to_string();
        self.run(ctx, ct_op("DeleteTrail", p, false), |c, t| {
            let name = c.with_trail(ctx, t, &given, "cloudtrail:DeleteTrail")?;
            c.world.cloudtrail.trails.remove(&name);
            Ok(json!({}))
        })
    }

    pub fn cloudtrail_get_trail(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let given = req_str(p, "Name")?.to_string();
        self.run(ctx, ct_op("GetTrail", p, true), |c, t| {
            let name = c.with_trail(ctx, t, &given, "cloudtrail:GetTrail")?;
            let tr = c
                .world
                .cloudtrail
                .trails
                .get(&name)
                .ok_or_else(|| trail_not_found(&name))?;
            Ok(json!({"Trail": Cloud::trail_json(tr)}))
        })
    }

    pub fn cloudtrail_describe_trails(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        self.run(ctx, ct_op("DescribeTrails", p, true), |c, _| {
            c.authorize(ctx, &Access::iam_only("cloudtrail:DescribeTrails", "*"))?;
            let list: Vec<Json> = c
                .world
                .cloudtrail
                .trails
                .values()
                .map(Cloud::trail_json)
                .collect();
            Ok(json!({"trailList": list}))
        })
    }

    pub fn cloudtrail_get_trail_status(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "Name")?.to_string();
        self.run(ctx, ct_op("GetTrailStatus", p, true), |c, t| {
            let name = c.with_trail(ctx, t, &given, "cloudtrail:GetTrailStatus")?;
            let tr = c
                .world
                .cloudtrail
                .trails
                .get(&name)
                .ok_or_else(|| trail_not_found(&name))?;
            Ok(json!({"IsLogging": tr.is_logging}))
        })
    }

    pub fn cloudtrail_start_logging(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        self.set_logging(ctx, p, true)
    }

    pub fn cloudtrail_stop_logging(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        self.set_logging(ctx, p, false)
    }

    fn set_logging(&mut self, ctx: &CallContext, p: &Json, on: bool) -> Result<Json, SimError> {
        let given = req_str(p, "Name")?.to_string();
        let (op, action) = if on {
            ("StartLogging", "cloudtrail:StartLogging")
        } else {
            ("StopLogging", "cloudtrail:StopLogging")
        };
        self.run(ctx, ct_op(op, p, false), |c, t| {
            let name = c.with_trail(ctx, t, &given, action)?;
            let n = c.world.cloudtrail.events.len();
            if let Some(tr) = c.world.cloudtrail.trails.get_mut(&name) {
                if on && !tr.is_logging {
                    // Logging starts with this very call (it is recorded right after).
                    tr.delivered_upto = n;
                }
                tr.is_logging = on;
            }
            Ok(json!({}))
        })
    }

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
            let tr = c
                .world
                .cloudtrail
                .trails
                .get(&name)
                .ok_or_else(|| trail_not_found(&name))?;
            let sel = if tr.event_selectors.is_empty() {
                vec![EventSelector::default()]
            } else {
                tr.event_selectors.clone()
            };
            Ok(json!({"TrailARN": tr.arn, "EventSelectors": selectors_json(&sel)}))
        })
    }

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
            return Err(SimError::service(
                "InvalidLookupAttributesException",
                400,
                "You can specify only one lookup attribute.",
            ));
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
                    return Err(SimError::service(
                        "InvalidLookupAttributesException",
                        400,
                        format!("Invalid attribute key {key}."),
                    ));
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
        let max = opt_int(p, "MaxResults")?.unwrap_or(50).clamp(1, 50) as usize;
        let skip: usize = opt_str(p, "NextToken")?
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        self.run(ctx, ct_op("LookupEvents", p, true), |c, _| {
            c.authorize(ctx, &Access::iam_only("cloudtrail:LookupEvents", "*"))?;
            let matching: Vec<Json> = c
                .world
                .cloudtrail
                .events
                .iter()
                .rev()
                .map(crate::sim::world::TrailEvent::json)
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
                .map(|e| lookup_event(&e))
                .collect();
            let page: Vec<Json> = matching.iter().skip(skip).take(max).cloned().collect();
            let mut out = json!({"Events": page});
            if skip + max < matching.len() {
                out["NextToken"] = json!((skip + max).to_string());
            }
            Ok(out)
        })
    }

    /// Delivers every logging trail's pending events as one gzipped log file each.
    /// Events caused by the deliveries themselves are never delivered.
    pub fn deliver_trails(&mut self) -> Vec<String> {
        let names: Vec<String> = self
            .world
            .cloudtrail
            .trails
            .iter()
            .filter(|(_, t)| t.is_logging)
            .map(|(n, _)| n.clone())
            .collect();
        let mut delivered = Vec::new();
        let upto = self.world.cloudtrail.events.len();
        for name in names {
            let Some(trail) = self.world.cloudtrail.trails.get(&name).cloned() else {
                continue;
            };
            let from = trail.delivered_upto.min(upto);
            let records: Vec<Json> = self.world.cloudtrail.events[from..upto]
                .iter()
                .map(crate::sim::world::TrailEvent::json)
                .filter(|e| selected(&trail, e))
                .collect();
            if let Some(t) = self.world.cloudtrail.trails.get_mut(&name) {
                t.delivered_upto = upto;
            }
            self.touch(EntityRef::Trail(name.clone()));
            if records.is_empty() {
                continue;
            }
            let (day, stamp) = trail_path_parts(self.world.now);
            let suffix = self.world.ids.chars(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                16,
            );
            let acct = self.world.account_id.clone();
            let region = self.world.region.clone();
            let prefix = trail
                .s3_key_prefix
                .as_deref()
                .map(|p| format!("{p}/"))
                .unwrap_or_default();
            let key = format!(
                "{prefix}AWSLogs/{acct}/CloudTrail/{region}/{day}/{acct}_CloudTrail_{region}_{stamp}_{suffix}.json.gz"
            );
            let body = json!({"Records": records}).to_string();
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            if gz.write_all(body.as_bytes()).is_err() {
                continue;
            }
            let Ok(bytes) = gz.finish() else { continue };
            let conds = vec![
                ("aws:SourceArn".to_string(), trail.arn.clone()),
                ("aws:SourceAccount".to_string(), acct.clone()),
                (
                    "s3:x-amz-acl".to_string(),
                    "bucket-owner-full-control".to_string(),
                ),
            ];
            if self
                .s3_put_as_service(SERVICE, &trail.s3_bucket_name, &key, &bytes, &conds)
                .is_ok()
            {
                delivered.push(format!("s3://{}/{key}", trail.s3_bucket_name));
            }
        }
        // Deliveries record events of their own; they are not delivered.
        let after = self.world.cloudtrail.events.len();
        for t in self.world.cloudtrail.trails.values_mut() {
            if t.is_logging {
                t.delivered_upto = after;
            }
        }
        delivered
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trail_names_follow_cloudtrail_rules() {
        assert!(validate_trail_name("lab-trail").is_ok());
        for bad in ["ab", "-x-trail", "a..b", "a_-b", "trail!", "10.0.0.1"] {
            assert!(validate_trail_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn timestamps_use_the_world_clock() {
        assert_eq!(crate::sim::clock::iso8601(0), "1970-01-01T00:00:00Z");
    }
}
