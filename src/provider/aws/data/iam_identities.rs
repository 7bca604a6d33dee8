//! `data.aws_iam_role`, `data.aws_iam_user` and `data.aws_iam_policy` (by name or ARN, AWS
//! managed policies included): IAM lookups, read from the world.

use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::string;
use crate::provider::aws::common::nonempty_str;
use crate::provider::{DataSource, ProviderError};
use crate::schema::{AttrSchema as A, AttrType as T, BodySchema, ResourceSchema};
use crate::sim::clock::iso8601;
use crate::value::{Map, Value};

fn not_found(what: &str, name: &str, message: String) -> ProviderError {
    ProviderError {
        code: Some("NoSuchEntity".into()),
        message: format!("reading {what} ({name}): NoSuchEntity: {message}"),
        partial: None,
    }
}

/// `data.aws_iam_role`.
pub(crate) struct RoleData;

impl DataSource<AwsProvider<'_>> for RoleData {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_iam_role",
            summary: "Looks up an IAM role by name",
            body: BodySchema::new(vec![
                A::required("name", string()),
                A::computed("arn", string()),
                A::computed("unique_id", string()),
                A::computed("path", string()),
                A::computed("assume_role_policy", string()),
                A::computed("description", string()),
                A::computed("max_session_duration", T::Number),
                A::computed("create_date", string()),
                A::computed("tags", T::Map(Box::new(T::String))),
                A::computed("id", string()),
            ]),
        }
    }

    fn read(&self, aws: &AwsProvider<'_>, config: &Map) -> Result<Map, ProviderError> {
        let name = nonempty_str(config, "name").unwrap_or_default();
        let Some(r) = aws.cloud.world.iam.roles.get(name) else {
            return Err(not_found(
                "IAM Role",
                name,
                format!("The role with name {name} cannot be found."),
            ));
        };
        let mut m = Map::new();
        m.insert("id".into(), Value::string(&r.name));
        m.insert("name".into(), Value::string(&r.name));
        m.insert("arn".into(), Value::string(&r.arn));
        m.insert("unique_id".into(), Value::string(&r.role_id));
        m.insert("path".into(), Value::string(&r.path));
        m.insert(
            "assume_role_policy".into(),
            Value::string(&r.assume_role_policy),
        );
        m.insert("description".into(), Value::string(&r.description));
        m.insert(
            "max_session_duration".into(),
            Value::from(r.max_session_duration),
        );
        m.insert("create_date".into(), Value::string(iso8601(r.created)));
        m.insert(
            "tags".into(),
            Value::Object(
                r.tags
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::string(v)))
                    .collect(),
            ),
        );
        Ok(m)
    }
}

/// `data.aws_iam_user`.
pub(crate) struct UserData;

impl DataSource<AwsProvider<'_>> for UserData {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_iam_user",
            summary: "Looks up an IAM user by name",
            body: BodySchema::new(vec![
                A::required("user_name", string()),
                A::computed("arn", string()),
                A::computed("user_id", string()),
                A::computed("path", string()),
                A::computed("permissions_boundary", string()),
                A::computed("tags", T::Map(Box::new(T::String))),
                A::computed("id", string()),
            ]),
        }
    }

    fn read(&self, aws: &AwsProvider<'_>, config: &Map) -> Result<Map, ProviderError> {
        let name = nonempty_str(config, "user_name").unwrap_or_default();
        let Some(u) = aws.cloud.world.iam.users.get(name) else {
            return Err(not_found(
                "IAM User",
                name,
                format!("The user with name {name} cannot be found."),
            ));
        };
        let mut m = Map::new();
        m.insert("id".into(), Value::string(&u.user_id));
        m.insert("user_name".into(), Value::string(&u.name));
        m.insert("arn".into(), Value::string(&u.arn));
        m.insert("user_id".into(), Value::string(&u.user_id));
        m.insert("path".into(), Value::string(&u.path));
        m.insert(
            "permissions_boundary".into(),
            Value::string(u.permissions_boundary.clone().unwrap_or_default()),
        );
        m.insert("tags".into(), Value::Object(Map::new()));
        Ok(m)
    }
}

/// `data.aws_iam_policy`.
pub(crate) struct PolicyData;

impl DataSource<AwsProvider<'_>> for PolicyData {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_iam_policy",
            summary: "Looks up a managed policy (AWS or customer) by name or ARN",
            body: BodySchema::new(vec![
                A::optional_computed("name", string()).conflicts_with(&["arn"]),
                A::optional_computed("arn", string()).conflicts_with(&["name"]),
                A::optional_computed("path_prefix", string()),
                A::computed("path", string()),
                A::computed("description", string()),
                A::computed("policy", string()),
                A::computed("policy_id", string()),
                A::computed("attachment_count", T::Number),
                A::computed("tags", T::Map(Box::new(T::String))),
                A::computed("id", string()),
            ]),
        }
    }

    fn read(&self, aws: &AwsProvider<'_>, config: &Map) -> Result<Map, ProviderError> {
        let w = &aws.cloud.world;
        let by_arn = nonempty_str(config, "arn");
        let by_name = nonempty_str(config, "name");
        let wanted = by_arn.or(by_name).unwrap_or_default();
        let mut m = Map::new();
        let found =
            if let Some(info) = crate::sim::policy::managed_policy_info(&by_name.map_or_else(
                || wanted.to_string(),
                |n| format!("arn:aws:iam::aws:policy/{n}"),
            ))
            .filter(|i| by_arn.is_none_or(|a| a == i.arn))
            {
                let doc = crate::sim::policy::managed_policy(info.arn)
                    .map(|d| d.json().to_string())
                    .unwrap_or_default();
                m.insert("arn".into(), Value::string(info.arn));
                m.insert("name".into(), Value::string(info.name));
                m.insert("path".into(), Value::string("/"));
                m.insert("description".into(), Value::string(""));
                m.insert("policy".into(), Value::string(doc));
                m.insert("policy_id".into(), Value::string(""));
                m.insert(
                    "attachment_count".into(),
                    Value::from(w.iam.attachment_count(info.arn) as i64),
                );
                true
            } else if let Some(p) =
                w.iam.policies.values().find(|p| {
                    by_arn.map_or_else(|| by_name == Some(p.name.as_str()), |a| a == p.arn)
                })
            {
                m.insert("arn".into(), Value::string(&p.arn));
                m.insert("name".into(), Value::string(&p.name));
                m.insert("path".into(), Value::string(&p.path));
                m.insert("description".into(), Value::string(&p.description));
                m.insert(
                    "policy".into(),
                    Value::string(p.default_version().map_or("", |v| v.document.as_str())),
                );
                m.insert("policy_id".into(), Value::string(&p.policy_id));
                m.insert(
                    "attachment_count".into(),
                    Value::from(w.iam.attachment_count(&p.arn) as i64),
                );
                true
            } else {
                false
            };
        if !found {
            return Err(ProviderError {
                code: None,
                message: format!(
                    "no IAM Policy matches {wanted:?}: give the name or ARN of an AWS managed policy keyform has, or of a customer managed policy"
                ),
                partial: None,
            });
        }
        let arn = m.get("arn").cloned().unwrap_or(Value::Null);
        m.insert("id".into(), arn);
        m.insert("path_prefix".into(), Value::Null);
        m.insert("tags".into(), Value::Object(Map::new()));
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::provider::aws::common::testing::*;
    use crate::provider::aws::iam::testing::role;

    #[test]
    fn iam_lookups_read_the_world() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        role(&mut p, "app");
        let r = p
            .read_data("aws_iam_role", &map(vec![("name", s("app"))]))
            .unwrap();
        assert_complete(Mode::Data, "aws_iam_role", &r);
        assert_eq!(r["arn"], s("arn:aws:iam::123456789012:role/app"));
        let e = p
            .read_data("aws_iam_role", &map(vec![("name", s("nope"))]))
            .unwrap_err();
        assert_eq!(e.code.as_deref(), Some("NoSuchEntity"));

        let u = p
            .read_data("aws_iam_user", &map(vec![("user_name", s("lab-admin"))]))
            .unwrap();
        assert_complete(Mode::Data, "aws_iam_user", &u);
        assert_eq!(u["arn"], s("arn:aws:iam::123456789012:user/lab-admin"));

        for cfg in [
            vec![("name", s("AmazonS3ReadOnlyAccess"))],
            vec![("arn", s("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"))],
        ] {
            let d = p.read_data("aws_iam_policy", &map(cfg)).unwrap();
            assert_complete(Mode::Data, "aws_iam_policy", &d);
            assert_eq!(d["name"], s("AmazonS3ReadOnlyAccess"));
            assert!(d["policy"].as_str().unwrap().contains("s3:Get*"));
        }
        assert!(
            p.read_data("aws_iam_policy", &map(vec![("name", s("Nope"))]))
                .is_err()
        );
    }
}
