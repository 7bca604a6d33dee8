//! `data.aws_kms_key`: a KMS key's metadata by key id, key ARN, alias name or alias ARN, as
//! DescribeKey gives it (the resource is `kms/key.rs`).

use serde_json::Value as Json;

use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::string;
use crate::provider::aws::common::{nonempty_str, resolve_key};
use crate::provider::{DataSource, ProviderError};
use crate::schema::{AttrSchema as A, AttrType as T, BodySchema, ResourceSchema};
use crate::value::{Map, Value};

/// String attributes and the KeyMetadata member each is read from.
const STRINGS: &[(&str, &str)] = &[
    ("arn", "Arn"),
    ("aws_account_id", "AWSAccountId"),
    ("cloud_hsm_cluster_id", "CloudHsmClusterId"),
    ("creation_date", "CreationDate"),
    ("custom_key_store_id", "CustomKeyStoreId"),
    ("customer_master_key_spec", "CustomerMasterKeySpec"),
    ("deletion_date", "DeletionDate"),
    ("description", "Description"),
    ("expiration_model", "ExpirationModel"),
    ("key_manager", "KeyManager"),
    ("key_spec", "KeySpec"),
    ("key_state", "KeyState"),
    ("key_usage", "KeyUsage"),
    ("origin", "Origin"),
    ("valid_to", "ValidTo"),
];

/// List-of-strings attributes and their members.
const LISTS: &[(&str, &str)] = &[
    ("encryption_algorithms", "EncryptionAlgorithms"),
    ("key_agreement_algorithms", "KeyAgreementAlgorithms"),
    ("mac_algorithms", "MacAlgorithms"),
    ("signing_algorithms", "SigningAlgorithms"),
];

/// `data.aws_kms_key`.
pub(crate) struct KmsKey;

impl DataSource<AwsProvider<'_>> for KmsKey {
    fn schema(&self) -> ResourceSchema {
        let strings = || T::List(Box::new(T::String));
        let mut attrs = vec![
            A::required("key_id", string()),
            A::optional("grant_tokens", strings()),
            A::computed("enabled", T::Bool),
            A::computed("multi_region", T::Bool),
            A::computed("multi_region_configuration", T::List(Box::new(T::Dynamic))),
            A::computed("pending_deletion_window_in_days", T::Number),
            A::computed("xks_key_configuration", T::List(Box::new(T::Dynamic))),
            A::computed("id", string()),
        ];
        attrs.extend(STRINGS.iter().map(|(a, _)| A::computed(a, string())));
        attrs.extend(LISTS.iter().map(|(a, _)| A::computed(a, strings())));
        ResourceSchema {
            kind: "aws_kms_key",
            summary: "Looks up a KMS key's metadata",
            body: BodySchema::new(attrs).unsupported(&["region"]),
        }
    }

    fn read(&self, aws: &AwsProvider<'_>, config: &Map) -> Result<Map, ProviderError> {
        let w = &aws.cloud.world;
        let given = nonempty_str(config, "key_id").unwrap_or_default();
        let Some(k) = resolve_key(w, given).and_then(|id| w.kms.keys.get(id)) else {
            let what = if given.starts_with("alias/") || given.contains(":alias/") {
                "Alias"
            } else {
                "Key"
            };
            let arn = if given.starts_with("arn:") {
                given.to_string()
            } else if given.starts_with("alias/") {
                format!("arn:aws:kms:{}:{}:{given}", w.region, w.account_id)
            } else {
                format!("arn:aws:kms:{}:{}:key/{given}", w.region, w.account_id)
            };
            return Err(ProviderError {
                code: Some("NotFoundException".into()),
                message: format!(
                    "reading KMS Key ({given}): NotFoundException: {what} '{arn}' does not exist"
                ),
                partial: None,
            });
        };
        let md = aws.cloud.key_metadata(k);
        let mut m = Map::new();
        m.insert("key_id".into(), Value::string(given));
        m.insert(
            "grant_tokens".into(),
            config.get("grant_tokens").cloned().unwrap_or(Value::Null),
        );
        m.insert("id".into(), Value::string(&k.key_id));
        for (attr, member) in STRINGS {
            let v = md.get(*member).and_then(Json::as_str).unwrap_or_default();
            m.insert((*attr).into(), Value::string(v));
        }
        for (attr, member) in LISTS {
            let items = md
                .get(*member)
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(Value::string))
                        .collect()
                })
                .unwrap_or_default();
            m.insert((*attr).into(), Value::List(items));
        }
        m.insert("enabled".into(), Value::Bool(md["Enabled"] == true));
        m.insert("multi_region".into(), Value::Bool(k.multi_region));
        let region_config = if k.multi_region {
            let primary = Value::Object(
                [
                    ("arn".to_string(), Value::string(&k.arn)),
                    ("region".to_string(), Value::string(&w.region)),
                ]
                .into_iter()
                .collect(),
            );
            vec![Value::Object(
                [
                    (
                        "multi_region_key_type".to_string(),
                        Value::string("PRIMARY"),
                    ),
                    ("primary_key".to_string(), Value::List(vec![primary])),
                    ("replica_keys".to_string(), Value::List(Vec::new())),
                ]
                .into_iter()
                .collect(),
            )]
        } else {
            Vec::new()
        };
        m.insert(
            "multi_region_configuration".into(),
            Value::List(region_config),
        );
        m.insert(
            "pending_deletion_window_in_days".into(),
            md.get("PendingDeletionWindowInDays")
                .and_then(Json::as_i64)
                .map_or(Value::from(0), Value::from),
        );
        m.insert("xks_key_configuration".into(), Value::List(Vec::new()));
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::provider::aws::common::testing::*;
    use crate::provider::aws::kms::testing::new_key;
    use crate::value::Value;

    #[test]
    fn key_data_source_reads_metadata_by_id_arn_or_alias_and_records_nothing() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let key = new_key(
            &mut p,
            vec![
                ("customer_master_key_spec", s("ECC_NIST_P256")),
                ("key_usage", s("SIGN_VERIFY")),
            ],
        );
        let planned = plan_create(
            &p,
            "aws_kms_alias",
            vec![
                ("name", s("alias/signer")),
                ("target_key_id", key["id"].clone()),
            ],
        );
        p.create("aws_kms_alias", &planned).unwrap();
        let before = events(&p);
        for given in [
            key["id"].clone(),
            key["arn"].clone(),
            s("alias/signer"),
            s("arn:aws:kms:us-east-1:123456789012:alias/signer"),
        ] {
            let d = p
                .read_data("aws_kms_key", &map(vec![("key_id", given.clone())]))
                .unwrap();
            assert_complete(Mode::Data, "aws_kms_key", &d);
            assert_eq!(d["key_id"], given, "the given spelling is kept");
            assert_eq!(d["id"], key["id"]);
            assert_eq!(d["arn"], key["arn"]);
            assert_eq!(d["key_spec"], s("ECC_NIST_P256"));
            assert_eq!(d["key_usage"], s("SIGN_VERIFY"));
            assert_eq!(d["key_state"], s("Enabled"));
            assert_eq!(d["enabled"], Value::Bool(true));
            assert_eq!(d["origin"], s("AWS_KMS"));
            assert_eq!(d["key_manager"], s("CUSTOMER"));
            assert_eq!(d["aws_account_id"], s("123456789012"));
            assert_eq!(
                d["signing_algorithms"],
                Value::List(vec![s("ECDSA_SHA_256")])
            );
            assert_eq!(d["encryption_algorithms"], Value::List(vec![]));
            assert_eq!(d["multi_region_configuration"], Value::List(vec![]));
        }
        assert_eq!(events(&p), before, "a data source records nothing");

        p.delete("aws_kms_key", &key).unwrap();
        let d = p
            .read_data("aws_kms_key", &map(vec![("key_id", key["id"].clone())]))
            .unwrap();
        assert_eq!(d["key_state"], s("PendingDeletion"));
        assert_eq!(d["pending_deletion_window_in_days"], Value::from(30));
        assert!(!d["deletion_date"].as_str().unwrap().is_empty());

        let e = p
            .read_data("aws_kms_key", &map(vec![("key_id", s("alias/missing"))]))
            .unwrap_err();
        assert_eq!(e.code.as_deref(), Some("NotFoundException"));
    }
}
