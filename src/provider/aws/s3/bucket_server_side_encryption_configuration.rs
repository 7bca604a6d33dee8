//! `aws_s3_bucket_server_side_encryption_configuration`: the default encryption of a bucket
//! (SSE-S3, SSE-KMS, DSSE-KMS, bucket keys). Destroying it puts the bucket back to SSE-S3, as
//! DeleteBucketEncryption does, not to "unencrypted".

use serde_json::{Value as Json, json};

use super::{DSSE_BUCKET_KEY_WARNING, already_gone, dsse_with_bucket_key, sse_algorithm};
use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::string;
use crate::provider::aws::common::{
    blocks, bool_of, fail, keep_key_ref, nonempty_str, object_set, str_of, target, val,
};
use crate::provider::{PlanAdjustments, ProviderError, Resource};
use crate::schema::{AttrSchema as A, AttrType as T, BlockSchema as B, BodySchema, ResourceSchema};
use crate::sim::World;
use crate::sim::world::EncryptionRule;
use crate::value::{Map, Value};

const SSE: &str = "S3 Bucket Server-side Encryption Configuration";

/// `aws_s3_bucket_server_side_encryption_configuration`.
pub(crate) struct BucketServerSideEncryptionConfiguration;

impl Resource<AwsProvider<'_>> for BucketServerSideEncryptionConfiguration {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_s3_bucket_server_side_encryption_configuration",
            summary: "Default encryption of a bucket (SSE-S3, SSE-KMS, DSSE-KMS, bucket keys)",
            body: BodySchema::new(vec![
                A::required("bucket", string()).force_new(),
                A::computed("id", string()),
            ])
            .blocks(vec![B::set(
                "rule",
                1,
                usize::MAX,
                BodySchema::new(vec![A::optional("bucket_key_enabled", T::Bool)])
                    .blocks(vec![B::list(
                        "apply_server_side_encryption_by_default",
                        0,
                        1,
                        BodySchema::new(vec![
                            A::required("sse_algorithm", string()).validate(sse_algorithm),
                            A::optional("kms_master_key_id", string()),
                        ]),
                    )])
                    .unsupported(&["blocked_encryption_types"]),
            )])
            .unsupported(&["expected_bucket_owner", "region"]),
        }
    }

    fn noun(&self) -> &'static str {
        SSE
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        read_sse(&aws.cloud.world, prior)
    }

    fn plan(
        &self,
        _aws: &AwsProvider<'_>,
        _prior: Option<&Map>,
        planned: &mut Map,
    ) -> Result<PlanAdjustments, ProviderError> {
        Ok(PlanAdjustments {
            warnings: sse_warnings(planned),
            ..PlanAdjustments::default()
        })
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let bucket = put_sse(aws, "creating", planned)?;
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
        if val(prior, "rule") != val(planned, "rule") {
            put_sse(aws, "updating", planned)?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), val(prior, "id").clone());
        self.read_back(
            aws,
            "updating",
            str_of(prior, "id").unwrap_or_default(),
            &seed,
        )
    }

    /// DeleteBucketEncryption: the bucket goes back to SSE-S3, not to "unencrypted".
    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        let bucket = str_of(prior, "id").unwrap_or_default();
        match aws.cloud.call_json(
            &aws.ctx,
            "s3:DeleteBucketEncryption",
            &json!({"Bucket": bucket}),
        ) {
            Err(e) if !already_gone(&e.code) => Err(fail("deleting", &target(SSE, bucket), e)),
            _ => Ok(()),
        }
    }
}

fn rule_json(rule: &Map) -> Json {
    let mut r = json!({});
    if let Some(d) = blocks(rule, "apply_server_side_encryption_by_default").first() {
        let mut def = json!({"SSEAlgorithm": str_of(d, "sse_algorithm")});
        if let Some(k) = nonempty_str(d, "kms_master_key_id") {
            def["KMSMasterKeyID"] = json!(k);
        }
        r["ApplyServerSideEncryptionByDefault"] = def;
    }
    if let Some(b) = bool_of(rule, "bucket_key_enabled") {
        r["BucketKeyEnabled"] = json!(b);
    }
    r
}

fn same_algorithm_rule<'a>(prior_rules: &[&'a Map], r: &EncryptionRule) -> Option<&'a Map> {
    prior_rules.iter().copied().find(|p| {
        blocks(p, "apply_server_side_encryption_by_default")
            .first()
            .is_some_and(|d| str_of(d, "sse_algorithm") == Some(r.sse_algorithm.as_str()))
    })
}

/// The cloud's rules as state, keeping the prior spelling of key references and an unset
/// `bucket_key_enabled` where the cloud reports the zero value.
fn rules_state(w: &World, rules: &[EncryptionRule], prior: &Map) -> Value {
    let prior_rules = blocks(prior, "rule");
    let items = rules
        .iter()
        .map(|r| {
            let before = same_algorithm_rule(&prior_rules, r);
            let prior_default = before.and_then(|p| {
                blocks(p, "apply_server_side_encryption_by_default")
                    .first()
                    .copied()
            });
            let mut d = Map::new();
            d.insert("sse_algorithm".into(), Value::string(&r.sse_algorithm));
            let key = match (&r.kms_master_key_id, prior_default) {
                (Some(k), Some(p)) => keep_key_ref(w, p, "kms_master_key_id", k),
                (Some(k), None) => Value::string(k),
                (None, _) => Value::Null,
            };
            d.insert("kms_master_key_id".into(), key);
            let bke = match before.map(|p| val(p, "bucket_key_enabled")) {
                Some(Value::Null | Value::Unknown) if !r.bucket_key_enabled => Value::Null,
                _ => Value::Bool(r.bucket_key_enabled),
            };
            let mut rule = Map::new();
            rule.insert("bucket_key_enabled".into(), bke);
            rule.insert(
                "apply_server_side_encryption_by_default".into(),
                Value::List(vec![Value::Object(d)]),
            );
            rule
        })
        .collect();
    object_set(items)
}

/// Reads a bucket's default encryption. A bucket without configuration reports SSE-S3 (as S3
/// has since January 2023), so an out-of-band delete shows up as a change back to AES256.
fn read_sse(w: &World, prior: &Map) -> Option<Map> {
    let name = str_of(prior, "id").or_else(|| str_of(prior, "bucket"))?;
    let b = w.s3.buckets.get(name)?;
    let rules = b.encryption.clone().unwrap_or_else(|| {
        vec![EncryptionRule {
            sse_algorithm: "AES256".into(),
            kms_master_key_id: None,
            bucket_key_enabled: false,
        }]
    });
    let mut m = Map::new();
    m.insert("id".into(), Value::string(&b.name));
    m.insert("bucket".into(), Value::string(&b.name));
    m.insert("rule".into(), rules_state(w, &rules, prior));
    Some(m)
}

/// The DSSE-KMS warning for an encryption configuration plan, if it applies.
fn sse_warnings(planned: &Map) -> Vec<String> {
    let hit = blocks(planned, "rule").iter().any(|r| {
        blocks(r, "apply_server_side_encryption_by_default")
            .iter()
            .any(|d| {
                dsse_with_bucket_key(str_of(d, "sse_algorithm"), bool_of(r, "bucket_key_enabled"))
            })
    });
    if hit {
        vec![DSSE_BUCKET_KEY_WARNING.to_string()]
    } else {
        Vec::new()
    }
}

fn put_sse(aws: &mut AwsProvider<'_>, doing: &str, planned: &Map) -> Result<String, ProviderError> {
    let bucket = str_of(planned, "bucket").unwrap_or_default().to_string();
    let rules: Vec<Json> = blocks(planned, "rule").into_iter().map(rule_json).collect();
    let p = json!({"Bucket": bucket, "ServerSideEncryptionConfiguration": {"Rules": rules}});
    aws.cloud
        .call_json(&aws.ctx, "s3:PutBucketEncryption", &p)
        .map_err(|e| fail(doing, &target(SSE, &bucket), e))?;
    Ok(bucket)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::*;
    use crate::addr::Mode;
    use crate::provider::Provider;

    use crate::provider::aws::common::testing::*;
    use crate::provider::aws::s3::DSSE_BUCKET_KEY_WARNING;
    use crate::value::Value;

    #[test]
    fn encryption_configuration_lifecycle() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        bucket(&mut p, "enc-bucket");
        let k = key(&mut p);
        let rule = |alg: &str, key: Value, bke: Value| {
            Value::List(vec![obj(vec![
                ("bucket_key_enabled", bke),
                (
                    "apply_server_side_encryption_by_default",
                    Value::List(vec![obj(vec![
                        ("sse_algorithm", s(alg)),
                        ("kms_master_key_id", key),
                    ])]),
                ),
            ])])
        };
        let planned = plan_create(
            &p,
            "aws_s3_bucket_server_side_encryption_configuration",
            vec![
                ("bucket", s("enc-bucket")),
                ("rule", rule("aws:kms", k["id"].clone(), Value::Bool(true))),
            ],
        );
        let sse = p
            .create(
                "aws_s3_bucket_server_side_encryption_configuration",
                &planned,
            )
            .unwrap();
        assert_complete(
            Mode::Managed,
            "aws_s3_bucket_server_side_encryption_configuration",
            &sse,
        );
        assert_eq!(sse["id"], s("enc-bucket"));
        assert_eq!(
            sse["rule"],
            rule("aws:kms", k["id"].clone(), Value::Bool(true))
        );
        let ctx = p.ctx.clone();
        let got = p
            .cloud
            .call_json(
                &ctx,
                "s3:GetBucketEncryption",
                &json!({"Bucket": "enc-bucket"}),
            )
            .unwrap();
        assert_eq!(
            got["ServerSideEncryptionConfiguration"]["Rules"][0],
            json!({"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": k["id"].as_str()}, "BucketKeyEnabled": true})
        );
        assert_eq!(
            p.read("aws_s3_bucket_server_side_encryption_configuration", &sse)
                .unwrap()
                .as_ref(),
            Some(&sse)
        );

        let planned = plan_update(
            &p,
            "aws_s3_bucket_server_side_encryption_configuration",
            &sse,
            vec![("rule", rule("AES256", Value::Null, Value::Null))],
        );
        let sse2 = p
            .update(
                "aws_s3_bucket_server_side_encryption_configuration",
                &sse,
                &planned,
            )
            .unwrap();
        assert_eq!(
            sse2["rule"],
            rule("AES256", Value::Null, Value::Null),
            "unset bucket_key_enabled stays unset"
        );

        let mut dsse = plan_update(
            &p,
            "aws_s3_bucket_server_side_encryption_configuration",
            &sse2,
            vec![(
                "rule",
                rule("aws:kms:dsse", k["arn"].clone(), Value::Bool(true)),
            )],
        );
        let adj = p
            .plan(
                "aws_s3_bucket_server_side_encryption_configuration",
                Some(&sse2),
                &mut dsse,
            )
            .unwrap();
        assert_eq!(adj.warnings, [DSSE_BUCKET_KEY_WARNING]);

        p.delete("aws_s3_bucket_server_side_encryption_configuration", &sse2)
            .unwrap();
        assert_eq!(p.cloud.world.s3.buckets["enc-bucket"].encryption, None);
        let got = p
            .cloud
            .call_json(
                &ctx,
                "s3:GetBucketEncryption",
                &json!({"Bucket": "enc-bucket"}),
            )
            .unwrap();
        assert_eq!(
            got["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
                ["SSEAlgorithm"],
            "AES256"
        );
    }
}
