//! `data.aws_kms_alias`: looks up a KMS alias by name (the resource of the same name is in
//! `kms/alias.rs`).

use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::string;
use crate::provider::aws::common::nonempty_str;
use crate::provider::{DataSource, ProviderError};
use crate::schema::{AttrSchema as A, BodySchema, ResourceSchema};
use crate::sim::World;
use crate::value::{Map, Value};

/// `data.aws_kms_alias`.
pub(crate) struct KmsAlias;

impl DataSource<AwsProvider<'_>> for KmsAlias {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_kms_alias",
            summary: "Looks up a KMS alias",
            body: BodySchema::new(vec![
                A::required("name", string()).validate(|v| {
                    if v.as_str().is_some_and(|n| n.starts_with("alias/")) {
                        Ok(())
                    } else {
                        Err(format!("{v} must begin with 'alias/'"))
                    }
                }),
                A::computed("arn", string()),
                A::computed("target_key_id", string()),
                A::computed("target_key_arn", string()),
                A::computed("id", string()),
            ]),
        }
    }

    fn read(&self, aws: &AwsProvider<'_>, config: &Map) -> Result<Map, ProviderError> {
        read_alias_data(&aws.cloud.world, config)
    }
}

/// The aliases data source: `data.aws_kms_alias`.
fn read_alias_data(w: &World, config: &Map) -> Result<Map, ProviderError> {
    let name = nonempty_str(config, "name").unwrap_or_default();
    let Some(a) = w.kms.aliases.get(name) else {
        let arn = format!("arn:aws:kms:{}:{}:{name}", w.region, w.account_id);
        return Err(ProviderError {
            code: Some("NotFoundException".into()),
            message: format!(
                "reading KMS Alias ({name}): NotFoundException: Alias {arn} is not found."
            ),
            partial: None,
        });
    };
    let key_arn = format!(
        "arn:aws:kms:{}:{}:key/{}",
        w.region, w.account_id, a.target_key_id
    );
    let mut m = Map::new();
    m.insert("name".into(), Value::string(&a.name));
    m.insert("id".into(), Value::string(&a.arn));
    m.insert("arn".into(), Value::string(&a.arn));
    m.insert("target_key_id".into(), Value::string(&a.target_key_id));
    m.insert("target_key_arn".into(), Value::string(key_arn));
    Ok(m)
}

#[cfg(test)]
mod tests {
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::provider::aws::common::testing::*;
    use crate::provider::aws::kms::testing::new_key;

    #[test]
    fn alias_data_source_reads_the_world() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let key = new_key(&mut p, vec![]);
        let planned = plan_create(
            &p,
            "aws_kms_alias",
            vec![
                ("name", s("alias/lab")),
                ("target_key_id", key["id"].clone()),
            ],
        );
        p.create("aws_kms_alias", &planned).unwrap();
        let cfg = map(vec![("name", s("alias/lab"))]);
        let d = p.read_data("aws_kms_alias", &cfg).unwrap();
        assert_complete(Mode::Data, "aws_kms_alias", &d);
        assert_eq!(d["target_key_id"], key["id"]);
        assert_eq!(d["target_key_arn"], key["arn"]);
        assert_eq!(d["id"], s("arn:aws:kms:us-east-1:123456789012:alias/lab"));
        let e = p
            .read_data("aws_kms_alias", &map(vec![("name", s("alias/missing"))]))
            .unwrap_err();
        assert_eq!(e.code.as_deref(), Some("NotFoundException"));
    }
}
