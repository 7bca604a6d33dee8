//! `aws_s3_bucket_versioning`: a bucket's versioning state. `Disabled` is only for a bucket
//! never versioned (as S3 has no way back to unversioned); destroying the resource suspends
//! versioning, as the AWS provider does, and keeps every version already written.

use serde_json::json;

use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::string;
use crate::provider::aws::common::{blocks, fail, str_of, target, val};
use crate::provider::{ProviderError, Resource};
use crate::schema::{AttrSchema as A, BlockSchema as B, BodySchema, ResourceSchema, check};
use crate::sim::World;
use crate::value::{Map, Value};

const VERSIONING: &str = "S3 Bucket Versioning";

/// `aws_s3_bucket_versioning`.
pub(crate) struct BucketVersioning;

fn status_of(m: &Map) -> Option<&str> {
    blocks(m, "versioning_configuration")
        .first()
        .and_then(|c| str_of(c, "status"))
}

impl Resource<AwsProvider<'_>> for BucketVersioning {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_s3_bucket_versioning",
            summary: "The versioning state of a bucket (Enabled, Suspended)",
            body: BodySchema::new(vec![
                A::required("bucket", string()).force_new(),
                A::computed("id", string()),
            ])
            .blocks(vec![B::list(
                "versioning_configuration",
                1,
                1,
                BodySchema::new(vec![
                    A::required("status", string())
                        .validate(|v| check::one_of(v, &["Enabled", "Suspended", "Disabled"])),
                    A::optional("mfa_delete", string())
                        .validate(|v| check::one_of(v, &["Disabled"])),
                ]),
            )])
            .unsupported(&["expected_bucket_owner", "mfa", "region"]),
        }
    }

    fn noun(&self) -> &'static str {
        VERSIONING
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        read_versioning(&aws.cloud.world, prior)
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let bucket = str_of(planned, "bucket").unwrap_or_default().to_string();
        put_versioning(aws, "creating", &bucket, status_of(planned))?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&bucket));
        self.read_back(aws, "creating", &bucket, &seed)
    }

    fn update(
        &self,
        aws: &mut AwsProvider<'_>,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let bucket = str_of(prior, "id").unwrap_or_default().to_string();
        if val(prior, "versioning_configuration") != val(planned, "versioning_configuration") {
            // S3 cannot turn versioning off once on: Disabled means Suspended, as in the AWS
            // provider.
            let status = match status_of(planned) {
                Some("Disabled") => Some("Suspended"),
                s => s,
            };
            put_versioning(aws, "updating", &bucket, status)?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), val(prior, "id").clone());
        self.read_back(aws, "updating", &bucket, &seed)
    }

    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        let bucket = str_of(prior, "id").unwrap_or_default().to_string();
        let versioned = aws
            .cloud
            .world
            .s3
            .buckets
            .get(&bucket)
            .is_some_and(|b| b.versioning.as_deref() == Some("Enabled"));
        if versioned {
            put_versioning(aws, "deleting", &bucket, Some("Suspended"))?;
        }
        Ok(())
    }
}

fn read_versioning(w: &World, prior: &Map) -> Option<Map> {
    let name = str_of(prior, "id").or_else(|| str_of(prior, "bucket"))?;
    let b = w.s3.buckets.get(name)?;
    let status = b.versioning.clone().unwrap_or_else(|| "Disabled".into());
    let mfa = blocks(prior, "versioning_configuration")
        .first()
        .map(|c| val(c, "mfa_delete").clone())
        .unwrap_or(Value::Null);
    let mut cfg = Map::new();
    cfg.insert("status".into(), Value::string(&status));
    cfg.insert("mfa_delete".into(), mfa);
    let mut m = Map::new();
    m.insert("id".into(), Value::string(&b.name));
    m.insert("bucket".into(), Value::string(&b.name));
    m.insert(
        "versioning_configuration".into(),
        Value::List(vec![Value::Object(cfg)]),
    );
    Some(m)
}

fn put_versioning(
    aws: &mut AwsProvider<'_>,
    doing: &str,
    bucket: &str,
    status: Option<&str>,
) -> Result<(), ProviderError> {
    let Some(status) = status.filter(|s| *s != "Disabled") else {
        return Ok(());
    };
    let p = json!({"Bucket": bucket, "VersioningConfiguration": {"Status": status}});
    aws.cloud
        .call_json(&aws.ctx, "s3:PutBucketVersioning", &p)
        .map_err(|e| fail(doing, &target(VERSIONING, bucket), e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::provider::aws::common::testing::*;
    use crate::value::Value;

    #[test]
    fn versioning_lifecycle_enables_suspends_and_round_trips() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        bucket(&mut p, "ver-bucket");
        let cfg = |s_: &str| Value::List(vec![obj(vec![("status", s(s_))])]);
        let planned = plan_create(
            &p,
            "aws_s3_bucket_versioning",
            vec![
                ("bucket", s("ver-bucket")),
                ("versioning_configuration", cfg("Enabled")),
            ],
        );
        let v = p.create("aws_s3_bucket_versioning", &planned).unwrap();
        assert_complete(Mode::Managed, "aws_s3_bucket_versioning", &v);
        assert_eq!(v["id"], s("ver-bucket"));
        assert_eq!(
            p.cloud.world.s3.buckets["ver-bucket"].versioning.as_deref(),
            Some("Enabled")
        );
        assert_eq!(
            p.read("aws_s3_bucket_versioning", &v).unwrap().as_ref(),
            Some(&v)
        );
        let planned = plan_update(
            &p,
            "aws_s3_bucket_versioning",
            &v,
            vec![("versioning_configuration", cfg("Suspended"))],
        );
        let v2 = p.update("aws_s3_bucket_versioning", &v, &planned).unwrap();
        assert_eq!(
            p.cloud.world.s3.buckets["ver-bucket"].versioning.as_deref(),
            Some("Suspended")
        );
        let planned = plan_update(
            &p,
            "aws_s3_bucket_versioning",
            &v2,
            vec![("versioning_configuration", cfg("Enabled"))],
        );
        let v3 = p.update("aws_s3_bucket_versioning", &v2, &planned).unwrap();
        p.delete("aws_s3_bucket_versioning", &v3).unwrap();
        assert_eq!(
            p.cloud.world.s3.buckets["ver-bucket"].versioning.as_deref(),
            Some("Suspended"),
            "destroying suspends versioning"
        );
    }
}
