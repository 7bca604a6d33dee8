//! `data.aws_caller_identity`: keyform always acts as lab-admin.

use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::string;
use crate::provider::{DataSource, ProviderError};
use crate::schema::{AttrSchema as A, BodySchema, ResourceSchema};
use crate::sim::{LAB_ADMIN, World};
use crate::value::{Map, Value};

/// `data.aws_caller_identity`.
pub(crate) struct CallerIdentity;

impl DataSource<AwsProvider<'_>> for CallerIdentity {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_caller_identity",
            summary: "The identity running the lab (lab-admin)",
            body: BodySchema::new(vec![
                A::computed("account_id", string()),
                A::computed("arn", string()),
                A::computed("user_id", string()),
                A::computed("id", string()),
            ]),
        }
    }

    fn read(&self, aws: &AwsProvider<'_>, _config: &Map) -> Result<Map, ProviderError> {
        Ok(caller_identity(&aws.cloud.world))
    }
}

/// `data.aws_caller_identity`: keyform always acts as lab-admin.
fn caller_identity(w: &World) -> Map {
    let (arn, user_id) = w.iam.users.get(LAB_ADMIN).map_or_else(
        || {
            (
                format!("arn:aws:iam::{}:user/{LAB_ADMIN}", w.account_id),
                String::new(),
            )
        },
        |u| (u.arn.clone(), u.user_id.clone()),
    );
    let mut m = Map::new();
    m.insert("id".into(), Value::string(&w.account_id));
    m.insert("account_id".into(), Value::string(&w.account_id));
    m.insert("arn".into(), Value::string(arn));
    m.insert("user_id".into(), Value::string(user_id));
    m
}
