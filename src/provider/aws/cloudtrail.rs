//! `aws_cloudtrail` on the simulated CloudTrail: the trail, its logging switch and its event
//! selectors.
//!
//! Writes go through the sim's CloudTrail operations as lab-admin (CreateTrail, then
//! StartLogging, then PutEventSelectors, as the Terraform provider does); reads look at the
//! world directly and record nothing.

use serde_json::{Value as Json, json};

use super::AwsProvider;
use super::common::{
    blocks, bool_of, carry, fail, keep_key_ref, nonempty_str, state_tags, str_of, string_set,
    strings, target, val,
};
use crate::provider::ProviderError;
use crate::sim::World;
use crate::sim::world::EventSelector;
use crate::value::{Map, Value};

const TRAIL: &str = "CloudTrail Trail";

fn gone_after(doing: &str, what: &str) -> ProviderError {
    ProviderError::new(format!(
        "{doing} {what}: not found in the cloud right after the call"
    ))
}

fn trail_name(m: &Map) -> Option<&str> {
    str_of(m, "name")
        .or_else(|| str_of(m, "id").map(|id| id.rsplit_once(":trail/").map_or(id, |(_, n)| n)))
}

fn selector_state(s: &EventSelector, prior: Option<&Map>) -> Value {
    let mut m = Map::new();
    m.insert("read_write_type".into(), Value::string(&s.read_write_type));
    m.insert(
        "include_management_events".into(),
        Value::Bool(s.include_management_events),
    );
    let excl = if s.exclude_management_event_sources.is_empty() {
        // An empty set and an unset one are the same to CloudTrail: keep what the config said.
        prior.map_or(Value::Null, |p| {
            carry(p, "exclude_management_event_sources", Value::Null)
        })
    } else {
        string_set(s.exclude_management_event_sources.iter().cloned())
    };
    m.insert("exclude_management_event_sources".into(), excl);
    let data = s
        .data_resources
        .iter()
        .map(|d| {
            let mut r = Map::new();
            r.insert("type".into(), Value::string(&d.kind));
            r.insert(
                "values".into(),
                Value::List(d.values.iter().map(Value::string).collect()),
            );
            Value::Object(r)
        })
        .collect();
    m.insert("data_resource".into(), Value::List(data));
    Value::Object(m)
}

/// True if the selectors are CloudTrail's default (one selector: All, management events, no
/// data resources, no exclusions), which the Terraform provider shows as no selector at all.
fn is_default(sel: &[EventSelector]) -> bool {
    sel.is_empty()
        || (sel.len() == 1
            && sel[0].data_resources.is_empty()
            && sel[0].read_write_type == "All"
            && sel[0].exclude_management_event_sources.is_empty())
}

fn selectors_json(planned: &Map) -> Json {
    let mut out: Vec<Json> = blocks(planned, "event_selector")
        .into_iter()
        .map(|s| {
            let excluded = strings(val(s, "exclude_management_event_sources"));
            let data: Vec<Json> = blocks(s, "data_resource")
                .into_iter()
                .map(|d| json!({"Type": str_of(d, "type"), "Values": strings(val(d, "values"))}))
                .collect();
            json!({
                "ReadWriteType": str_of(s, "read_write_type").unwrap_or("All"),
                "IncludeManagementEvents": bool_of(s, "include_management_events").unwrap_or(true),
                "ExcludeManagementEventSources": excluded,
                "DataResources": data,
            })
        })
        .collect();
    // No selector at all means CloudTrail's default one, as the Terraform provider sends it.
    if out.is_empty() {
        out.push(
            json!({"ReadWriteType": "All", "IncludeManagementEvents": true, "DataResources": []}),
        );
    }
    Json::Array(out)
}

pub(super) fn read_trail(w: &World, prior: &Map) -> Option<Map> {
    let name = trail_name(prior)?;
    let t = w.cloudtrail.trails.get(name)?;
    let home = t.arn.split(':').nth(3).unwrap_or_default();
    let prior_selectors = blocks(prior, "event_selector");
    let selectors = if is_default(&t.event_selectors) {
        // Keep a configured default-equivalent selector rather than plan it forever.
        let same = prior_selectors.len() == 1
            && t.event_selectors.len() == 1
            && selector_state(&t.event_selectors[0], prior_selectors.first().copied())
                == Value::Object(prior_selectors[0].clone());
        if same {
            val(prior, "event_selector").clone()
        } else {
            Value::List(Vec::new())
        }
    } else {
        Value::List(
            t.event_selectors
                .iter()
                .enumerate()
                .map(|(i, s)| selector_state(s, prior_selectors.get(i).copied()))
                .collect(),
        )
    };
    let mut m = Map::new();
    m.insert("id".into(), Value::string(&t.arn));
    m.insert("arn".into(), Value::string(&t.arn));
    m.insert("name".into(), Value::string(&t.name));
    m.insert("home_region".into(), Value::string(home));
    m.insert("s3_bucket_name".into(), Value::string(&t.s3_bucket_name));
    m.insert(
        "s3_key_prefix".into(),
        t.s3_key_prefix
            .as_deref()
            .map_or(Value::Null, Value::string),
    );
    m.insert("enable_logging".into(), Value::Bool(t.is_logging));
    m.insert(
        "include_global_service_events".into(),
        Value::Bool(t.include_global_service_events),
    );
    m.insert(
        "is_multi_region_trail".into(),
        Value::Bool(t.is_multi_region),
    );
    m.insert(
        "enable_log_file_validation".into(),
        Value::Bool(t.log_file_validation),
    );
    m.insert(
        "kms_key_id".into(),
        t.kms_key_id
            .as_deref()
            .map_or(Value::Null, |k| keep_key_ref(w, prior, "kms_key_id", k)),
    );
    m.insert("event_selector".into(), selectors);
    // The simulated CloudTrail has no AddTags: tags live in state only.
    state_tags(&mut m, prior);
    Some(m)
}

/// Plan rules of `aws_cloudtrail`: the home region is the world's, known at plan time.
pub(super) fn plan_trail(w: &World, planned: &mut Map) {
    if val(planned, "home_region").is_unknown() {
        planned.insert("home_region".into(), Value::string(&w.region));
    }
}

impl AwsProvider<'_> {
    fn set_logging(&mut self, name: &str, on: bool) -> Result<(), ProviderError> {
        let p = json!({"Name": name});
        let r = if on {
            self.cloud.cloudtrail_start_logging(&self.ctx, &p)
        } else {
            self.cloud.cloudtrail_stop_logging(&self.ctx, &p)
        };
        let doing = if on { "starting" } else { "stopping" };
        r.map(|_| ())
            .map_err(|e| fail(doing, &format!("{} logging", target(TRAIL, name)), e))
    }

    fn put_selectors(&mut self, name: &str, planned: &Map) -> Result<(), ProviderError> {
        let p = json!({"TrailName": name, "EventSelectors": selectors_json(planned)});
        self.cloud
            .cloudtrail_put_event_selectors(&self.ctx, &p)
            .map(|_| ())
            .map_err(|e| {
                fail(
                    "setting",
                    &format!("{} event selectors", target(TRAIL, name)),
                    e,
                )
            })
    }

    pub(super) fn create_trail(&mut self, planned: &Map) -> Result<Map, ProviderError> {
        let name = str_of(planned, "name").unwrap_or_default().to_string();
        let what = target(TRAIL, &name);
        let flag = |k: &str, default: bool| bool_of(planned, k).unwrap_or(default);
        let mut p = json!({
            "Name": name,
            "S3BucketName": str_of(planned, "s3_bucket_name"),
            "IncludeGlobalServiceEvents": flag("include_global_service_events", true),
            "IsMultiRegionTrail": flag("is_multi_region_trail", false),
            "EnableLogFileValidation": flag("enable_log_file_validation", false),
        });
        if let Some(prefix) = nonempty_str(planned, "s3_key_prefix") {
            p["S3KeyPrefix"] = json!(prefix);
        }
        if let Some(k) = nonempty_str(planned, "kms_key_id") {
            p["KmsKeyId"] = json!(k);
        }
        self.cloud
            .cloudtrail_create_trail(&self.ctx, &p)
            .map_err(|e| fail("creating", &what, e))?;
        // The trail exists from here on: if a later step fails, it is kept as a partial state.
        self.created = Some(planned.clone());
        // CloudTrail creates trails with logging off.
        if bool_of(planned, "enable_logging") != Some(false) {
            self.set_logging(&name, true)?;
        }
        if !blocks(planned, "event_selector").is_empty() {
            self.put_selectors(&name, planned)?;
        }
        read_trail(&self.cloud.world, planned).ok_or_else(|| gone_after("creating", &what))
    }

    pub(super) fn update_trail(
        &mut self,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let name = trail_name(prior).unwrap_or_default().to_string();
        let what = target(TRAIL, &name);
        let changed = |k: &str| val(prior, k) != val(planned, k) && !val(planned, k).is_unknown();
        let mut p = json!({"Name": name});
        if changed("s3_bucket_name") {
            p["S3BucketName"] = json!(str_of(planned, "s3_bucket_name"));
        }
        if changed("s3_key_prefix") {
            p["S3KeyPrefix"] = json!(str_of(planned, "s3_key_prefix").unwrap_or(""));
        }
        if changed("kms_key_id") {
            p["KmsKeyId"] = json!(str_of(planned, "kms_key_id").unwrap_or(""));
        }
        for (attr, param) in [
            (
                "include_global_service_events",
                "IncludeGlobalServiceEvents",
            ),
            ("is_multi_region_trail", "IsMultiRegionTrail"),
            ("enable_log_file_validation", "EnableLogFileValidation"),
        ] {
            if changed(attr) {
                p[param] = json!(bool_of(planned, attr).unwrap_or(false));
            }
        }
        if p.as_object().is_some_and(|o| o.len() > 1) {
            self.cloud
                .cloudtrail_update_trail(&self.ctx, &p)
                .map_err(|e| fail("updating", &what, e))?;
        }
        if changed("enable_logging") {
            self.set_logging(&name, bool_of(planned, "enable_logging").unwrap_or(true))?;
        }
        if changed("event_selector") {
            self.put_selectors(&name, planned)?;
        }
        let mut seed = planned.clone();
        seed.insert("name".into(), Value::string(&name));
        read_trail(&self.cloud.world, &seed).ok_or_else(|| gone_after("updating", &what))
    }

    pub(super) fn delete_trail(&mut self, prior: &Map) -> Result<(), ProviderError> {
        let name = trail_name(prior).unwrap_or_default();
        match self
            .cloud
            .cloudtrail_delete_trail(&self.ctx, &json!({"Name": name}))
        {
            Err(e) if e.code != "TrailNotFoundException" => {
                Err(fail("deleting", &target(TRAIL, name), e))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::*;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::value::Value;

    fn trail_bucket(p: &mut super::AwsProvider<'_>) {
        let planned = plan_create(p, "aws_s3_bucket", vec![("bucket", s("trail-logs"))]);
        p.create("aws_s3_bucket", &planned).unwrap();
        let policy = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::trail-logs"},
            {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::trail-logs/*"}]}"#;
        let planned = plan_create(
            p,
            "aws_s3_bucket_policy",
            vec![("bucket", s("trail-logs")), ("policy", s(policy))],
        );
        p.create("aws_s3_bucket_policy", &planned).unwrap();
    }

    fn selector(rw: &str) -> Value {
        Value::List(vec![obj(vec![
            ("read_write_type", s(rw)),
            ("include_management_events", Value::Bool(true)),
            ("exclude_management_event_sources", Value::Null),
            (
                "data_resource",
                Value::List(vec![obj(vec![
                    ("type", s("AWS::S3::Object")),
                    ("values", Value::List(vec![s("arn:aws:s3:::trail-logs/")])),
                ])]),
            ),
        ])])
    }

    #[test]
    fn trail_create_read_update_delete() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        trail_bucket(&mut p);
        let planned = plan_create(
            &p,
            "aws_cloudtrail",
            vec![
                ("name", s("lab-trail")),
                ("s3_bucket_name", s("trail-logs")),
            ],
        );
        assert_eq!(planned["home_region"], s("us-east-1"), "known at plan time");
        assert_eq!(planned["arn"], Value::Unknown);
        let mark = events(&p);
        let t = p.create("aws_cloudtrail", &planned).unwrap();
        assert_eq!(event_names(&p, mark), ["CreateTrail", "StartLogging"]);
        assert_complete(Mode::Managed, "aws_cloudtrail", &t);
        let arn = "arn:aws:cloudtrail:us-east-1:123456789012:trail/lab-trail";
        assert_eq!(t["id"], s(arn));
        assert_eq!(t["arn"], s(arn));
        assert_eq!(t["enable_logging"], Value::Bool(true));
        assert_eq!(t["include_global_service_events"], Value::Bool(true));
        assert_eq!(t["event_selector"], Value::List(vec![]));
        assert!(p.cloud.world.cloudtrail.trails["lab-trail"].is_logging);
        assert_eq!(p.read("aws_cloudtrail", &t).unwrap().as_ref(), Some(&t));

        let planned = plan_update(
            &p,
            "aws_cloudtrail",
            &t,
            vec![
                ("enable_logging", Value::Bool(false)),
                ("s3_key_prefix", s("audit")),
                ("event_selector", selector("WriteOnly")),
            ],
        );
        let mark = events(&p);
        let t2 = p.update("aws_cloudtrail", &t, &planned).unwrap();
        assert_eq!(
            event_names(&p, mark),
            ["UpdateTrail", "StopLogging", "PutEventSelectors"]
        );
        let w = &p.cloud.world.cloudtrail.trails["lab-trail"];
        assert!(!w.is_logging);
        assert_eq!(w.s3_key_prefix.as_deref(), Some("audit"));
        assert_eq!(w.event_selectors[0].read_write_type, "WriteOnly");
        assert_eq!(t2["event_selector"], planned["event_selector"]);
        assert_eq!(p.read("aws_cloudtrail", &t2).unwrap().as_ref(), Some(&t2));

        let planned = plan_update(
            &p,
            "aws_cloudtrail",
            &t2,
            vec![("event_selector", Value::List(vec![]))],
        );
        let t3 = p.update("aws_cloudtrail", &t2, &planned).unwrap();
        assert_eq!(
            t3["event_selector"],
            Value::List(vec![]),
            "the default selector shows as none"
        );

        p.delete("aws_cloudtrail", &t3).unwrap();
        assert!(p.cloud.world.cloudtrail.trails.is_empty());
        assert_eq!(p.read("aws_cloudtrail", &t3).unwrap(), None);
        p.delete("aws_cloudtrail", &t3)
            .expect("deleting a missing trail succeeds");
    }

    #[test]
    fn trail_errors_name_the_trail() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let planned = plan_create(
            &p,
            "aws_cloudtrail",
            vec![("name", s("lab-trail")), ("s3_bucket_name", s("nowhere"))],
        );
        let e = p.create("aws_cloudtrail", &planned).unwrap_err();
        assert_eq!(e.code.as_deref(), Some("S3BucketDoesNotExistException"));
        assert!(
            e.message.starts_with(
                "creating CloudTrail Trail (lab-trail): S3BucketDoesNotExistException:"
            )
        );
    }
}
