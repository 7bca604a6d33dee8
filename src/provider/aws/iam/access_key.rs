//! `aws_iam_access_key`: an access key of a user, for signing requests to `keyform serve`. The
//! secret is known only at creation: state keeps it (as Terraform's does) and reads carry it.

use serde_json::{Value as Json, json};

use super::ignore_missing;
use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::string;
use crate::provider::aws::common::{carry, fail, str_of, target, val};
use crate::provider::{ProviderError, Resource};
use crate::schema::{AttrSchema as A, BodySchema, ResourceSchema};
use crate::sim::World;
use crate::value::{Map, Value};

const ACCESS_KEY: &str = "IAM Access Key";

/// `aws_iam_access_key`.
pub(crate) struct AccessKey;

impl Resource<AwsProvider<'_>> for AccessKey {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_iam_access_key",
            summary: "An access key of a user, for signing requests to `keyform serve`",
            body: BodySchema::new(vec![
                A::required("user", string()).force_new(),
                A::optional("status", string())
                    .default("Active")
                    .validate(|v| match v {
                        Value::String(x) if x == "Active" || x == "Inactive" => Ok(()),
                        _ => Err(format!(
                            "expected status to be one of [\"Active\" \"Inactive\"], got {}",
                            v.to_json()
                        )),
                    }),
                A::computed("id", string()),
                A::computed("secret", string()).sensitive(),
                A::computed("create_date", string()),
            ]),
        }
    }

    fn noun(&self) -> &'static str {
        ACCESS_KEY
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        read_access_key(&aws.cloud.world, prior)
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let user = str_of(planned, "user").unwrap_or_default().to_string();
        let what = target(ACCESS_KEY, &user);
        let r = aws
            .cloud
            .call_json(&aws.ctx, "iam:CreateAccessKey", &json!({"UserName": user}))
            .map_err(|e| fail("creating", &what, e))?;
        let field = |n: &str| {
            r.pointer(&format!("/AccessKey/{n}"))
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let id = field("AccessKeyId");
        if str_of(planned, "status") == Some("Inactive") {
            let p = json!({"UserName": user, "AccessKeyId": id, "Status": "Inactive"});
            aws.cloud
                .call_json(&aws.ctx, "iam:UpdateAccessKey", &p)
                .map_err(|e| fail("creating", &target(ACCESS_KEY, &id), e))?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&id));
        seed.insert("secret".into(), Value::string(field("SecretAccessKey")));
        read_access_key(&aws.cloud.world, &seed)
            .ok_or_else(|| ProviderError::gone_after("creating", &what))
    }

    /// Only the status changes in place (UpdateAccessKey).
    fn update(
        &self,
        aws: &mut AwsProvider<'_>,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let id = str_of(prior, "id").unwrap_or_default().to_string();
        let user = str_of(prior, "user").unwrap_or_default().to_string();
        let what = target(ACCESS_KEY, &id);
        if let Some(st) = str_of(planned, "status").filter(|s| Some(*s) != str_of(prior, "status"))
        {
            let p = json!({"UserName": user, "AccessKeyId": id, "Status": st});
            aws.cloud
                .call_json(&aws.ctx, "iam:UpdateAccessKey", &p)
                .map_err(|e| fail("updating", &what, e))?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&id));
        seed.insert("secret".into(), val(prior, "secret").clone());
        read_access_key(&aws.cloud.world, &seed)
            .ok_or_else(|| ProviderError::gone_after("updating", &what))
    }

    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        let id = str_of(prior, "id").unwrap_or_default();
        let user = str_of(prior, "user").unwrap_or_default();
        let p = json!({"UserName": user, "AccessKeyId": id});
        ignore_missing(aws.cloud.call_json(&aws.ctx, "iam:DeleteAccessKey", &p))
            .map_err(|e| fail("deleting", &target(ACCESS_KEY, id), e))
    }
}

/// The secret is known only at creation: state keeps it (as Terraform's does); reads carry it.
fn read_access_key(w: &World, prior: &Map) -> Option<Map> {
    let id = str_of(prior, "id")?;
    let user = str_of(prior, "user")?;
    let k = w
        .iam
        .users
        .get(user)?
        .access_keys
        .iter()
        .find(|k| k.id == id)?;
    let mut m = Map::new();
    m.insert("id".into(), Value::string(&k.id));
    m.insert("user".into(), Value::string(user));
    m.insert("status".into(), Value::string(&k.status));
    m.insert("secret".into(), carry(prior, "secret", Value::Null));
    m.insert(
        "create_date".into(),
        Value::string(crate::sim::clock::iso8601(k.created)),
    );
    Some(m)
}
