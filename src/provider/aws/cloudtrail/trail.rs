//! `aws_cloudtrail`: a CloudTrail trail, its logging switch and its event selectors, delivering
//! log files into a bucket.
//!
//! Writes are made in the Terraform provider's order: CreateTrail, then StartLogging, then
//! PutEventSelectors. Tags live in state only (the simulated CloudTrail has no AddTags).

use serde_json::{Value as Json, json};

use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::{set_of_strings, string, with_tags};
use crate::provider::aws::common::{
    blocks, bool_of, carry, fail, keep_key_ref, nonempty_str, state_tags, str_of, string_set,
    strings, target, val,
};
use crate::provider::{PlanAdjustments, ProviderError, Resource};
use crate::schema::{
    AttrSchema as A, AttrType as T, BlockSchema as B, BodySchema, ResourceSchema, check,
};
use crate::sim::World;
use crate::sim::world::EventSelector;
use crate::value::{Map, Value};

const TRAIL: &str = "CloudTrail Trail";

fn valid_trail_name(v: &Value) -> Result<(), String> {
    crate::sim::cloudtrail::validate_trail_name(v.as_str().unwrap_or(""))
}

/// `aws_cloudtrail`.
pub(crate) struct Trail;

impl Resource<AwsProvider<'_>> for Trail {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_cloudtrail",
            summary: "A CloudTrail trail delivering log files into a bucket",
            body: BodySchema::new(with_tags(vec![
                A::required("name", string())
                    .force_new()
                    .validate(valid_trail_name),
                A::required("s3_bucket_name", string()),
                A::optional("s3_key_prefix", string()).validate(|v| check::len_between(v, 0, 2000)),
                A::optional("enable_logging", T::Bool).default(true),
                A::optional("include_global_service_events", T::Bool).default(true),
                A::optional("is_multi_region_trail", T::Bool).default(false),
                A::optional("enable_log_file_validation", T::Bool).default(false),
                A::optional("kms_key_id", string()),
                A::computed("arn", string()),
                A::computed("id", string()),
                A::computed("home_region", string()),
            ]))
            .blocks(vec![B::list(
                "event_selector",
                0,
                5,
                BodySchema::new(vec![
                    A::optional("read_write_type", string())
                        .default("All")
                        .validate(|v| check::one_of(v, &["All", "ReadOnly", "WriteOnly"])),
                    A::optional("include_management_events", T::Bool).default(true),
                    A::optional("exclude_management_event_sources", set_of_strings()),
                ])
                .blocks(vec![B::list(
                    "data_resource",
                    0,
                    usize::MAX,
                    BodySchema::new(vec![
                        A::required("type", string()).validate(|v| {
                            check::one_of(
                                v,
                                &[
                                    "AWS::S3::Object",
                                    "AWS::Lambda::Function",
                                    "AWS::DynamoDB::Table",
                                ],
                            )
                        }),
                        A::required("values", T::List(Box::new(T::String))),
                    ]),
                )]),
            )])
            .unsupported(&[
                "is_organization_trail",
                "cloud_watch_logs_group_arn",
                "cloud_watch_logs_role_arn",
                "sns_topic_name",
                "advanced_event_selector",
                "insight_selector",
                "region",
            ]),
        }
    }

    fn noun(&self) -> &'static str {
        TRAIL
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        read_trail(&aws.cloud.world, prior)
    }

    fn plan(
        &self,
        aws: &AwsProvider<'_>,
        _prior: Option<&Map>,
        planned: &mut Map,
    ) -> Result<PlanAdjustments, ProviderError> {
        plan_trail(&aws.cloud.world, planned);
        Ok(PlanAdjustments::default())
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
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
        aws.cloud
            .call_json(&aws.ctx, "cloudtrail:CreateTrail", &p)
            .map_err(|e| fail("creating", &what, e))?;
        // The trail exists from here on: if a later step fails, it is kept as a partial state.
        aws.created = Some(planned.clone());
        // CloudTrail creates trails with logging off.
        if bool_of(planned, "enable_logging") != Some(false) {
            set_logging(aws, &name, true)?;
        }
        if !blocks(planned, "event_selector").is_empty() {
            put_selectors(aws, &name, planned)?;
        }
        read_trail(&aws.cloud.world, planned)
            .ok_or_else(|| ProviderError::gone_after("creating", &what))
    }

    fn update(
        &self,
        aws: &mut AwsProvider<'_>,
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
            aws.cloud
                .call_json(&aws.ctx, "cloudtrail:UpdateTrail", &p)
                .map_err(|e| fail("updating", &what, e))?;
        }
        if changed("enable_logging") {
            set_logging(
                aws,
                &name,
                bool_of(planned, "enable_logging").unwrap_or(true),
            )?;
        }
        if changed("event_selector") {
            put_selectors(aws, &name, planned)?;
        }
        let mut seed = planned.clone();
        seed.insert("name".into(), Value::string(&name));
        read_trail(&aws.cloud.world, &seed)
            .ok_or_else(|| ProviderError::gone_after("updating", &what))
    }

    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        let name = trail_name(prior).unwrap_or_default();
        match aws
            .cloud
            .call_json(&aws.ctx, "cloudtrail:DeleteTrail", &json!({"Name": name}))
        {
            Err(e) if e.code != "TrailNotFoundException" => {
                Err(fail("deleting", &target(TRAIL, name), e))
            }
            _ => Ok(()),
        }
    }
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

fn read_trail(w: &World, prior: &Map) -> Option<Map> {
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
fn plan_trail(w: &World, planned: &mut Map) {
    if val(planned, "home_region").is_unknown() {
        planned.insert("home_region".into(), Value::string(&w.region));
    }
}

fn set_logging(aws: &mut AwsProvider<'_>, name: &str, on: bool) -> Result<(), ProviderError> {
    let p = json!({"Name": name});
    let r = if on {
        aws.cloud.call_json(&aws.ctx, "cloudtrail:StartLogging", &p)
    } else {
        aws.cloud.call_json(&aws.ctx, "cloudtrail:StopLogging", &p)
    };
    let doing = if on { "starting" } else { "stopping" };
    r.map(|_| ())
        .map_err(|e| fail(doing, &format!("{} logging", target(TRAIL, name)), e))
}

fn put_selectors(
    aws: &mut AwsProvider<'_>,
    name: &str,
    planned: &Map,
) -> Result<(), ProviderError> {
    let p = json!({"TrailName": name, "EventSelectors": selectors_json(planned)});
    aws.cloud
        .call_json(&aws.ctx, "cloudtrail:PutEventSelectors", &p)
        .map(|_| ())
        .map_err(|e| {
            fail(
                "setting",
                &format!("{} event selectors", target(TRAIL, name)),
                e,
            )
        })
}

#[cfg(test)]
mod tests {
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::provider::aws::AwsProvider;
    use crate::provider::aws::common::testing::*;
    use crate::value::Value;

    fn trail_bucket(p: &mut AwsProvider<'_>) {
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
