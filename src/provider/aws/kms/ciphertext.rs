//! `aws_kms_ciphertext`: a plaintext encrypted under a KMS key at apply time (kms:Encrypt), the
//! ciphertext kept in state as `ciphertext_blob` (base64).
//!
//! As in the Terraform provider, every argument forces replacement, the resource has nothing
//! to read back in the cloud (a refresh keeps what state has, even when the key has gone), and
//! destroying it only forgets it. The id is the creation time, as Terraform's is.
//!
//! `plaintext` is sensitive: state keeps it, as Terraform's does; plans show
//! `(sensitive value)`, and no message of this file quotes it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::json;

use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::string;
use crate::provider::aws::common::{carry, fail, str_of, string_map, target, val};
use crate::provider::{ProviderError, Resource};
use crate::schema::{AttrSchema as A, AttrType as T, BodySchema, ResourceSchema};
use crate::value::{Map, Value};

const CIPHERTEXT: &str = "KMS Ciphertext";

/// `aws_kms_ciphertext`.
pub(crate) struct Ciphertext;

impl Resource<AwsProvider<'_>> for Ciphertext {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_kms_ciphertext",
            summary: "A plaintext encrypted under a KMS key at apply time",
            body: BodySchema::new(vec![
                A::required("plaintext", string()).force_new().sensitive(),
                A::required("key_id", string()).force_new(),
                A::optional("context", T::Map(Box::new(T::String))).force_new(),
                A::computed("ciphertext_blob", string()),
                A::computed("id", string()),
            ])
            .unsupported(&["region"]),
        }
    }

    fn noun(&self) -> &'static str {
        CIPHERTEXT
    }

    fn read(&self, _aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        read_ciphertext(prior)
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let key = str_of(planned, "key_id").unwrap_or_default();
        let mut p = json!({
            "KeyId": key,
            "Plaintext": B64.encode(str_of(planned, "plaintext").unwrap_or_default()),
        });
        let context = string_map(val(planned, "context"));
        if !context.is_empty() {
            p["EncryptionContext"] = json!(context);
        }
        let r = aws
            .cloud
            .call_json(&aws.ctx, "kms:Encrypt", &p)
            .map_err(|e| fail("encrypting with", &target("KMS Key", key), e))?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(go_time(aws.cloud.world.now)));
        seed.insert(
            "ciphertext_blob".into(),
            Value::string(r["CiphertextBlob"].as_str().unwrap_or_default()),
        );
        read_ciphertext(&seed).ok_or_else(|| ProviderError::gone_after("creating", CIPHERTEXT))
    }

    fn delete(&self, _aws: &mut AwsProvider<'_>, _prior: &Map) -> Result<(), ProviderError> {
        Ok(())
    }
}

/// The ciphertext as state has it (the Terraform provider's read changes nothing).
fn read_ciphertext(prior: &Map) -> Option<Map> {
    str_of(prior, "id")?;
    let mut m = Map::new();
    for k in ["id", "plaintext", "key_id", "context", "ciphertext_blob"] {
        m.insert(k.into(), carry(prior, k, Value::Null));
    }
    Some(m)
}

/// The Go `time.Time` string the Terraform provider uses as the id:
/// `2026-12-03 15:12:00.123 +0000 UTC`.
fn go_time(t: crate::sim::clock::Millis) -> String {
    let iso = crate::sim::clock::iso8601(t);
    let body = iso.trim_end_matches('Z').replacen('T', " ", 1);
    format!("{body} +0000 UTC")
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD as B64;
    use serde_json::json;

    use super::super::testing::new_key;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::provider::aws::common::testing::*;
    use crate::sim::CallContext;
    use crate::value::Value;

    #[test]
    fn ciphertext_encrypts_at_apply_decrypts_with_its_context_and_refreshes_as_is() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let key = new_key(&mut p, vec![]);
        let planned = plan_create(
            &p,
            "aws_kms_ciphertext",
            vec![
                ("plaintext", s("db-password")),
                ("key_id", key["arn"].clone()),
                ("context", obj(vec![("app", s("lab"))])),
            ],
        );
        let mark = events(&p);
        let ct = p.create("aws_kms_ciphertext", &planned).unwrap();
        assert_eq!(event_names(&p, mark), ["Encrypt"]);
        assert_complete(Mode::Managed, "aws_kms_ciphertext", &ct);
        assert!(ct["id"].as_str().unwrap().ends_with(" +0000 UTC"));
        assert_eq!(ct["key_id"], key["arn"]);
        let blob = ct["ciphertext_blob"].as_str().unwrap().to_string();
        assert!(!blob.contains("db-password"));
        let out = p
            .cloud
            .call_json(
                &CallContext::lab_admin(),
                "kms:Decrypt",
                &json!({"CiphertextBlob": blob, "EncryptionContext": {"app": "lab"}}),
            )
            .unwrap();
        assert_eq!(out["Plaintext"], json!(B64.encode("db-password")));
        let before = events(&p);
        assert_eq!(
            p.read("aws_kms_ciphertext", &ct).unwrap().as_ref(),
            Some(&ct)
        );
        assert_eq!(events(&p), before, "a refresh records nothing");

        // A disabled key cannot encrypt: KMS's error, without the plaintext.
        p.update(
            "aws_kms_key",
            &key,
            &plan_update(
                &p,
                "aws_kms_key",
                &key,
                vec![("is_enabled", Value::Bool(false))],
            ),
        )
        .unwrap();
        let e = p.create("aws_kms_ciphertext", &planned).unwrap_err();
        assert_eq!(e.code.as_deref(), Some("DisabledException"));
        assert!(!e.message.contains("db-password"));

        p.delete("aws_kms_key", &key).unwrap();
        assert_eq!(
            p.read("aws_kms_ciphertext", &ct).unwrap().as_ref(),
            Some(&ct),
            "the refresh keeps state as it is, as Terraform's does"
        );
        p.delete("aws_kms_ciphertext", &ct).unwrap();
    }
}
