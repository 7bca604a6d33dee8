//! CloudTrail: trails, event lookup, and delivery of gzipped JSON log files into a trail's bucket.
//!
//! Events themselves are recorded by [`Cloud::run`] for every call; this module reads them back
//! and delivers them (at the end of each command or clock step, never triggered by a delivery).
//!
//! This file holds the trails themselves (Create/Update/Delete/GetTrail, Start/StopLogging)
//! and the checks of a trail's destinations. DescribeTrails, ListTrails and GetTrailStatus are
//! in `listing`, event selectors in `selectors`, LookupEvents in `lookup`, log file delivery in
//! `delivery`; errors are [`CloudTrailError`].

mod delivery;
mod digest;
mod error;
mod listing;
mod lookup;
mod selectors;
#[cfg(test)]
mod tests;

pub use error::CloudTrailError;

use serde_json::{Value as Json, json};

use crate::sim::authz::Access;
use crate::sim::world::{EntityRef, Trail};
use crate::sim::{CallContext, Cloud, Op, Principal, SimError, opt_bool, opt_str, req_str};

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

/// The destinations and scopes keyform has no service for: SNS topics, CloudWatch Logs log
/// groups and organizations. None exists in a keyform world, so each is answered as AWS
/// answers for a topic, log group or organization that does not exist; an empty string (how
/// UpdateTrail clears them) is accepted.
fn check_unsimulated_destinations(p: &Json) -> Result<(), SimError> {
    let given = |n: &str| -> Result<Option<String>, SimError> {
        Ok(opt_str(p, n)?.filter(|v| !v.is_empty()).map(str::to_string))
    };
    if let Some(topic) = given("SnsTopicName")? {
        return Err(CloudTrailError::SnsTopic { topic }.into());
    }
    match (
        given("CloudWatchLogsLogGroupArn")?,
        given("CloudWatchLogsRoleArn")?,
    ) {
        (Some(arn), _) => return Err(CloudTrailError::LogGroup { arn }.into()),
        (None, Some(_)) => return Err(CloudTrailError::LogsRoleWithoutGroup.into()),
        (None, None) => {}
    }
    if opt_bool(p, "IsOrganizationTrail")? == Some(true) {
        return Err(CloudTrailError::NoOrganization.into());
    }
    Ok(())
}

/// CreateTrail's TagsList: at most 50 tags, keys of 1-128 characters, values up to 256.
fn parse_tags(p: &Json) -> Result<std::collections::BTreeMap<String, String>, SimError> {
    let mut out = std::collections::BTreeMap::new();
    let Some(list) = p.get("TagsList").and_then(Json::as_array) else {
        return Ok(out);
    };
    if list.len() > 50 {
        return Err(CloudTrailError::TooManyTags.into());
    }
    for t in list {
        let key = opt_str(t, "Key")?.unwrap_or_default();
        let value = opt_str(t, "Value")?.unwrap_or_default();
        if key.is_empty() || key.chars().count() > 128 || value.chars().count() > 256 {
            return Err(CloudTrailError::InvalidTag {
                why: format!(
                    "Tag key must be 1-128 characters and its value at most 256; got key {key:?}"
                ),
            }
            .into());
        }
        out.insert(key.to_string(), value.to_string());
    }
    Ok(out)
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
            "HasCustomEventSelectors": !t.event_selectors.is_empty() || !t.advanced_event_selectors.is_empty(), "IsOrganizationTrail": false,
        });
        if let Some(p) = &t.s3_key_prefix {
            m["S3KeyPrefix"] = json!(p);
        }
        if let Some(k) = &t.kms_key_id {
            m["KmsKeyId"] = json!(k);
        }
        if let Some(r) = t.recursive_logging {
            m["RecursiveLogging"] = json!(r);
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
            return Err(CloudTrailError::BucketDoesNotExist {
                bucket: bucket.into(),
            }
            .into());
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
        if !self.allows(&svc, &acl) || !self.allows(&svc, &put) {
            return Err(CloudTrailError::InsufficientBucketPolicy {
                bucket: bucket.into(),
                account: self.world.account_id.clone(),
            }
            .into());
        }
        Ok(())
    }

    /// The trail's KMS key: it must exist, and its key policy must let CloudTrail (as itself,
    /// for this trail) generate data keys, or AWS refuses the trail.
    fn check_trail_key(&mut self, name: &str, given: &str) -> Result<(), SimError> {
        let arn = self
            .kms_key_arn_for(given)
            .map_err(|_| CloudTrailError::KmsKeyNotFound { key: given.into() })?;
        let id = arn.rsplit('/').next().unwrap_or_default().to_string();
        let trail = self.trail_arn(name);
        let svc = CallContext {
            principal: Principal::Service(SERVICE.into()),
            ..CallContext::lab_admin()
        };
        let mut conds = self.kms_key_conditions(&id, Some(given));
        conds.push(("aws:SourceArn".into(), trail.clone()));
        conds.push(("kms:EncryptionContext:aws:cloudtrail:arn".into(), trail));
        if !self.allows(&svc, &Access::kms("kms:GenerateDataKey", &arn, &id, &conds)) {
            return Err(CloudTrailError::InsufficientEncryptionPolicy { key: arn }.into());
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
        let tags = parse_tags(p)?;
        self.run(ctx, ct_op("CreateTrail", p, false), |c, t| {
            let arn = c.trail_arn(&name);
            t.resources
                .push(("AWS::CloudTrail::Trail".into(), arn.clone()));
            c.authorize(ctx, &Access::iam_only("cloudtrail:CreateTrail", &arn))?;
            validate_trail_name(&name).map_err(|m| CloudTrailError::InvalidTrailName { why: m })?;
            if c.world.cloudtrail.trails.contains_key(&name) {
                return Err(CloudTrailError::TrailExists {
                    name: name.clone(),
                    account: c.world.account_id.clone(),
                }
                .into());
            }
            if prefix.as_ref().is_some_and(|p| p.len() > 2000) {
                return Err(CloudTrailError::PrefixTooLong.into());
            }
            check_unsimulated_destinations(p)?;
            c.check_trail_bucket(&name, &bucket, prefix.as_deref())?;
            if let Some(k) = &kms {
                c.check_trail_key(&name, k)?;
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
                tags,
                advanced_event_selectors: Vec::new(),
                logging_started: None,
                logging_stopped: None,
                latest_delivery: None,
                latest_digest_delivery: None,
                recursive_logging: opt_bool(p, "RecursiveLogging")?,
                digest: None,
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
            return Err(CloudTrailError::TrailNotFound {
                name: name.to_string(),
            }
            .into());
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
            check_unsimulated_destinations(p)?;
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
            if let Some(k) = kms.as_deref().filter(|k| !k.is_empty()) {
                c.check_trail_key(&name, k)?;
            }
            let Some(tr) = c.world.cloudtrail.trails.get_mut(&name) else {
                return Err(CloudTrailError::TrailNotFound {
                    name: name.to_string(),
                }
                .into());
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
            if let Some(v) = opt_bool(p, "RecursiveLogging")? {
                tr.recursive_logging = Some(v);
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
            let tr = c.world.cloudtrail.trails.get(&name).ok_or_else(|| {
                CloudTrailError::TrailNotFound {
                    name: name.to_string(),
                }
            })?;
            Ok(json!({"Trail": Cloud::trail_json(tr)}))
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
            let now = c.world.now;
            if let Some(tr) = c.world.cloudtrail.trails.get_mut(&name) {
                if on && !tr.is_logging {
                    // Logging starts with this very call (it is recorded right after).
                    tr.delivered_upto = n;
                    tr.logging_started = Some(now);
                }
                if !on && tr.is_logging {
                    tr.logging_stopped = Some(now);
                }
                tr.is_logging = on;
            }
            Ok(json!({}))
        })
    }
}
