//! IAM on the simulated cloud: `aws_iam_user`, `aws_iam_policy`, `aws_iam_user_policy`,
//! `aws_iam_user_policy_attachment`, `aws_iam_access_key` and `aws_iam_user_login_profile`, one
//! file each; `aws_iam_role`;
//! `aws_iam_group` with its memberships (`group`); the inline policies and attachments of roles
//! and groups (`holder_policy`, `holder_policy_attachment`), plus what they share (name and
//! path rules, "already gone" on delete).
//!
//! Writes go through the sim's IAM operations as lab-admin; reads look at the world directly and
//! record nothing.

pub(super) mod access_key;
pub(super) mod group;
pub(super) mod holder_policy;
pub(super) mod holder_policy_attachment;
pub(super) mod policy;
pub(super) mod role;
pub(super) mod user;
pub(super) mod user_login_profile;
pub(super) mod user_policy;
pub(super) mod user_policy_attachment;

use serde_json::{Value as Json, json};

use crate::provider::ProviderError;
use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::string;
use crate::provider::aws::common::fail;
use crate::schema::AttrSchema as A;
use crate::sim::SimError;
use crate::value::{Map, Value};

/// Deletes and detaches treat "already gone" as done.
fn ignore_missing(r: Result<Json, SimError>) -> Result<(), SimError> {
    match r {
        Err(e) if e.code != "NoSuchEntity" => Err(e),
        _ => Ok(()),
    }
}

fn iam_name(v: &Value, max: usize) -> Result<(), String> {
    let n = v.as_str().unwrap_or("");
    if n.is_empty()
        || n.len() > max
        || !n
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
    {
        return Err(format!(
            "{v} must be 1-{max} characters of letters, digits and +=,.@_-"
        ));
    }
    Ok(())
}

fn iam_path(v: &Value) -> Result<(), String> {
    let p = v.as_str().unwrap_or("");
    if p.starts_with('/') && p.ends_with('/') && p.len() <= 512 {
        Ok(())
    } else {
        Err(format!("{v} must begin and end with /"))
    }
}

/// `name` (or a generated one from `name_prefix`) and `path`, both replacing the resource when
/// changed: the naming attributes of `aws_iam_role` and `aws_iam_policy`.
/// `name_rule` checks the name (IAM's lengths differ by kind).
fn name_and_path_attrs(name_rule: fn(&Value) -> Result<(), String>) -> Vec<A> {
    vec![
        A::optional_computed("name", string())
            .force_new()
            .validate(name_rule)
            .conflicts_with(&["name_prefix"]),
        A::optional_computed("name_prefix", string())
            .force_new()
            .conflicts_with(&["name"]),
        A::optional("path", string())
            .default("/")
            .force_new()
            .validate(iam_path),
    ]
}

/// The attributes every IAM identity reads back: `id` and `name` (its name), `path`, `arn`
/// and `unique_id`.
fn identity_attrs(name: &str, path: &str, arn: &str, unique_id: &str) -> Map {
    let mut m = Map::new();
    m.insert("id".into(), Value::string(name));
    m.insert("name".into(), Value::string(name));
    m.insert("path".into(), Value::string(path));
    m.insert("arn".into(), Value::string(arn));
    m.insert("unique_id".into(), Value::string(unique_id));
    m
}

/// What `force_destroy` / `force_detach_policies` remove before a user or role is deleted: its
/// inline policies (`iam:Delete{kind}Policy`) and its attachments (`iam:Detach{kind}Policy`),
/// `kind` being `User` or `Role`.
fn strip_policies(
    aws: &mut AwsProvider<'_>,
    kind: &str,
    name: &str,
    what: &str,
    inline: Vec<String>,
    attached: Vec<String>,
) -> Result<(), ProviderError> {
    let holder = format!("{kind}Name");
    let (delete, detach) = (
        format!("iam:Delete{kind}Policy"),
        format!("iam:Detach{kind}Policy"),
    );
    for pol in inline {
        let p = json!({holder.as_str(): name, "PolicyName": pol});
        ignore_missing(aws.cloud.call_json(&aws.ctx, &delete, &p))
            .map_err(|e| fail("deleting", &format!("{what} inline policy ({pol})"), e))?;
    }
    for arn in attached {
        let p = json!({holder.as_str(): name, "PolicyArn": arn});
        ignore_missing(aws.cloud.call_json(&aws.ctx, &detach, &p))
            .map_err(|e| fail("detaching", &format!("{what} policy ({arn})"), e))?;
    }
    Ok(())
}

/// Test support shared by the IAM files.
#[cfg(test)]
pub(super) mod testing {
    use crate::provider::Provider;
    use crate::provider::aws::AwsProvider;
    use crate::provider::aws::common::testing::*;
    use crate::value::Map;

    pub(crate) const DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#;

    pub(crate) fn doc(action: &str) -> String {
        DOC.replace("s3:ListAllMyBuckets", action)
    }

    pub(crate) const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;

    pub(crate) fn role(p: &mut AwsProvider<'_>, name: &str) -> Map {
        let planned = plan_create(
            p,
            "aws_iam_role",
            vec![("name", s(name)), ("assume_role_policy", s(TRUST))],
        );
        p.create("aws_iam_role", &planned).expect("creates role")
    }

    pub(crate) fn group(p: &mut AwsProvider<'_>, name: &str) -> Map {
        let planned = plan_create(p, "aws_iam_group", vec![("name", s(name))]);
        p.create("aws_iam_group", &planned).expect("creates group")
    }

    pub(crate) fn user(p: &mut AwsProvider<'_>, name: &str) -> Map {
        let planned = plan_create(p, "aws_iam_user", vec![("name", s(name))]);
        p.create("aws_iam_user", &planned).expect("creates user")
    }
}
