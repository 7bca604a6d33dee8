//! `aws_iam_user`, `aws_iam_policy`, `aws_iam_user_policy` and
//! `aws_iam_user_policy_attachment` on the simulated IAM.
//!
//! Writes go through the sim's IAM operations as lab-admin; reads look at the world directly and
//! record nothing. Managed policy updates keep IAM's five-version limit the way the Terraform
//! provider does (delete the oldest non-default version, then create the new default).

use serde_json::{Value as Json, json};

use super::AwsProvider;
use super::common::{
    carry, fail, keep_policy, name_prefix_from_name, nonempty_str, pick_name, state_tags, str_of,
    target, unique_name, val,
};
use crate::provider::ProviderError;
use crate::sim::World;
use crate::sim::iam::MAX_POLICY_VERSIONS;
use crate::value::{Map, Value};

const USER: &str = "IAM User";
const POLICY: &str = "IAM Policy";
const USER_POLICY: &str = "IAM User Policy";
const ATTACHMENT: &str = "IAM User Policy Attachment";

fn gone_after(doing: &str, what: &str) -> ProviderError {
    ProviderError::new(format!(
        "{doing} {what}: not found in the cloud right after the call"
    ))
}

/// Deletes and detaches treat "already gone" as done.
fn ignore_missing(r: Result<Json, crate::sim::SimError>) -> Result<(), crate::sim::SimError> {
    match r {
        Err(e) if e.code != "NoSuchEntity" => Err(e),
        _ => Ok(()),
    }
}

// ------------------------------------------------------------------ aws_iam_user

pub(super) fn read_user(w: &World, prior: &Map) -> Option<Map> {
    let name = str_of(prior, "id").or_else(|| str_of(prior, "name"))?;
    let u = w.iam.users.get(name)?;
    let mut m = Map::new();
    m.insert("id".into(), Value::string(&u.name));
    m.insert("name".into(), Value::string(&u.name));
    m.insert("path".into(), Value::string(&u.path));
    m.insert("arn".into(), Value::string(&u.arn));
    m.insert("unique_id".into(), Value::string(&u.user_id));
    m.insert(
        "force_destroy".into(),
        carry(prior, "force_destroy", Value::Bool(false)),
    );
    // The simulated IAM has no TagUser: tags live in state only.
    state_tags(&mut m, prior);
    Some(m)
}

impl AwsProvider<'_> {
    pub(super) fn create_user(&mut self, planned: &Map) -> Result<Map, ProviderError> {
        let name = str_of(planned, "name").unwrap_or_default().to_string();
        let what = target(USER, &name);
        let p = json!({"UserName": name, "Path": str_of(planned, "path").unwrap_or("/")});
        self.cloud
            .iam_create_user(&self.ctx, &p)
            .map_err(|e| fail("creating", &what, e))?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&name));
        read_user(&self.cloud.world, &seed).ok_or_else(|| gone_after("creating", &what))
    }

    /// Renames and moves go through UpdateUser; tags and force_destroy are state only.
    pub(super) fn update_user(&mut self, prior: &Map, planned: &Map) -> Result<Map, ProviderError> {
        let old = str_of(prior, "id").unwrap_or_default().to_string();
        let new = str_of(planned, "name").unwrap_or(&old).to_string();
        let mut p = json!({"UserName": old});
        if new != old {
            p["NewUserName"] = json!(new);
        }
        if let Some(path) = str_of(planned, "path").filter(|p| Some(*p) != str_of(prior, "path")) {
            p["NewPath"] = json!(path);
        }
        if p.as_object().is_some_and(|o| o.len() > 1) {
            self.cloud
                .iam_update_user(&self.ctx, &p)
                .map_err(|e| fail("updating", &target(USER, &old), e))?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&new));
        read_user(&self.cloud.world, &seed)
            .ok_or_else(|| gone_after("updating", &target(USER, &new)))
    }

    /// With force_destroy, access keys, inline policies and attachments go first.
    pub(super) fn delete_user(&mut self, prior: &Map) -> Result<(), ProviderError> {
        let name = str_of(prior, "id").unwrap_or_default().to_string();
        let what = target(USER, &name);
        if prior.get("force_destroy").and_then(Value::as_bool) == Some(true) {
            let (keys, inline, attached) = match self.cloud.world.iam.users.get(&name) {
                Some(u) => (
                    u.access_keys
                        .iter()
                        .map(|k| k.id.clone())
                        .collect::<Vec<_>>(),
                    u.inline_policies.keys().cloned().collect::<Vec<_>>(),
                    u.attached_policies.iter().cloned().collect::<Vec<_>>(),
                ),
                None => return Ok(()),
            };
            for k in keys {
                let p = json!({"UserName": name, "AccessKeyId": k});
                ignore_missing(self.cloud.iam_delete_access_key(&self.ctx, &p))
                    .map_err(|e| fail("deleting", &format!("{what} access key ({k})"), e))?;
            }
            for pol in inline {
                let p = json!({"UserName": name, "PolicyName": pol});
                ignore_missing(self.cloud.iam_delete_user_policy(&self.ctx, &p))
                    .map_err(|e| fail("deleting", &format!("{what} inline policy ({pol})"), e))?;
            }
            for arn in attached {
                let p = json!({"UserName": name, "PolicyArn": arn});
                ignore_missing(self.cloud.iam_detach_user_policy(&self.ctx, &p))
                    .map_err(|e| fail("detaching", &format!("{what} policy ({arn})"), e))?;
            }
        }
        ignore_missing(
            self.cloud
                .iam_delete_user(&self.ctx, &json!({"UserName": name})),
        )
        .map_err(|e| fail("deleting", &what, e))
    }
}

// ------------------------------------------------------------------ aws_iam_policy

/// `attachments` tells how many users a policy ARN is attached to.
pub(super) fn read_policy(
    w: &World,
    prior: &Map,
    attachments: impl Fn(&str) -> usize,
) -> Option<Map> {
    let arn = str_of(prior, "id").or_else(|| str_of(prior, "arn"))?;
    let p = w.iam.policies.get(arn)?;
    let doc = p.default_version().map_or("", |v| v.document.as_str());
    let attachments = attachments(arn);
    // An unset description is "" in IAM; keep it unset so it plans no (replacing) change.
    let description = match (p.description.as_str(), val(prior, "description")) {
        ("", Value::Null | Value::Unknown) => Value::Null,
        (d, _) => Value::string(d),
    };
    let mut m = Map::new();
    m.insert("id".into(), Value::string(&p.arn));
    m.insert("arn".into(), Value::string(&p.arn));
    m.insert("name".into(), Value::string(&p.name));
    m.insert("name_prefix".into(), name_prefix_from_name(&p.name));
    m.insert("path".into(), Value::string(&p.path));
    m.insert("description".into(), description);
    m.insert("policy".into(), keep_policy(prior, "policy", doc));
    m.insert("policy_id".into(), Value::string(&p.policy_id));
    m.insert("attachment_count".into(), Value::from(attachments as i64));
    // The simulated IAM has no TagPolicy: tags live in state only.
    state_tags(&mut m, prior);
    Some(m)
}

impl AwsProvider<'_> {
    pub(super) fn create_policy(&mut self, planned: &Map) -> Result<Map, ProviderError> {
        let name = pick_name(
            &self.cloud.world,
            planned,
            "name",
            "name_prefix",
            "terraform-",
        );
        let what = target(POLICY, &name);
        let mut p = json!({
            "PolicyName": name,
            "Path": str_of(planned, "path").unwrap_or("/"),
            "PolicyDocument": str_of(planned, "policy").unwrap_or_default(),
        });
        if let Some(d) = nonempty_str(planned, "description") {
            p["Description"] = json!(d);
        }
        let r = self
            .cloud
            .iam_create_policy(&self.ctx, &p)
            .map_err(|e| fail("creating", &what, e))?;
        let arn = r
            .pointer("/Policy/Arn")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&arn));
        // Nothing can be attached to a policy that did not exist a moment ago.
        read_policy(&self.cloud.world, &seed, |_| 0).ok_or_else(|| gone_after("creating", &what))
    }

    /// A new document becomes a new default version; at IAM's limit the oldest non-default
    /// version is deleted first.
    pub(super) fn update_policy(
        &mut self,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let arn = str_of(prior, "id").unwrap_or_default().to_string();
        let what = target(POLICY, &arn);
        if val(prior, "policy") != val(planned, "policy") {
            self.prune_policy_versions(&arn)?;
            let p = json!({
                "PolicyArn": arn,
                "PolicyDocument": str_of(planned, "policy").unwrap_or_default(),
                "SetAsDefault": true,
            });
            self.cloud
                .iam_create_policy_version(&self.ctx, &p)
                .map_err(|e| fail("updating", &what, e))?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&arn));
        read_policy(&self.cloud.world, &seed, |arn| {
            self.cloud.world.iam.attachment_count(arn)
        })
        .ok_or_else(|| gone_after("updating", &what))
    }

    fn prune_policy_versions(&mut self, arn: &str) -> Result<(), ProviderError> {
        let oldest = match self.cloud.world.iam.policies.get(arn) {
            Some(p) if p.versions.len() >= MAX_POLICY_VERSIONS => p
                .versions
                .iter()
                .filter(|v| !v.is_default)
                .min_by_key(|v| {
                    (
                        v.created,
                        v.id.trim_start_matches('v').parse::<u64>().unwrap_or(0),
                    )
                })
                .map(|v| v.id.clone()),
            _ => None,
        };
        if let Some(v) = oldest {
            let p = json!({"PolicyArn": arn, "VersionId": v});
            self.cloud
                .iam_delete_policy_version(&self.ctx, &p)
                .map_err(|e| {
                    fail(
                        "deleting",
                        &format!("{} version ({v})", target(POLICY, arn)),
                        e,
                    )
                })?;
        }
        Ok(())
    }

    /// Non-default versions first (IAM refuses to delete a policy that has them).
    pub(super) fn delete_policy(&mut self, prior: &Map) -> Result<(), ProviderError> {
        let arn = str_of(prior, "id").unwrap_or_default().to_string();
        let what = target(POLICY, &arn);
        let versions: Vec<String> = self
            .cloud
            .world
            .iam
            .policies
            .get(&arn)
            .map(|p| {
                p.versions
                    .iter()
                    .filter(|v| !v.is_default)
                    .map(|v| v.id.clone())
                    .collect()
            })
            .unwrap_or_default();
        for v in versions {
            let p = json!({"PolicyArn": arn, "VersionId": v});
            ignore_missing(self.cloud.iam_delete_policy_version(&self.ctx, &p))
                .map_err(|e| fail("deleting", &format!("{what} version ({v})"), e))?;
        }
        ignore_missing(
            self.cloud
                .iam_delete_policy(&self.ctx, &json!({"PolicyArn": arn})),
        )
        .map_err(|e| fail("deleting", &what, e))
    }
}

// ------------------------------------------------------------------ aws_iam_user_policy

fn user_policy_parts(m: &Map) -> Option<(&str, &str)> {
    if let (Some(u), Some(n)) = (str_of(m, "user"), str_of(m, "name")) {
        return Some((u, n));
    }
    str_of(m, "id")?.split_once(':')
}

pub(super) fn read_user_policy(w: &World, prior: &Map) -> Option<Map> {
    let (user, name) = user_policy_parts(prior)?;
    let doc = w.iam.users.get(user)?.inline_policies.get(name)?;
    let mut m = Map::new();
    m.insert("id".into(), Value::string(format!("{user}:{name}")));
    m.insert("user".into(), Value::string(user));
    m.insert("name".into(), Value::string(name));
    m.insert("name_prefix".into(), name_prefix_from_name(name));
    m.insert("policy".into(), keep_policy(prior, "policy", doc));
    Some(m)
}

impl AwsProvider<'_> {
    fn put_user_policy(
        &mut self,
        doing: &str,
        user: &str,
        name: &str,
        doc: &str,
    ) -> Result<(), ProviderError> {
        let p = json!({"UserName": user, "PolicyName": name, "PolicyDocument": doc});
        self.cloud
            .iam_put_user_policy(&self.ctx, &p)
            .map(|_| ())
            .map_err(|e| fail(doing, &target(USER_POLICY, &format!("{user}:{name}")), e))
    }

    pub(super) fn create_user_policy(&mut self, planned: &Map) -> Result<Map, ProviderError> {
        let user = str_of(planned, "user").unwrap_or_default().to_string();
        let name = pick_name(
            &self.cloud.world,
            planned,
            "name",
            "name_prefix",
            "terraform-",
        );
        self.put_user_policy(
            "creating",
            &user,
            &name,
            str_of(planned, "policy").unwrap_or_default(),
        )?;
        let mut seed = planned.clone();
        seed.insert("name".into(), Value::string(&name));
        read_user_policy(&self.cloud.world, &seed)
            .ok_or_else(|| gone_after("creating", &target(USER_POLICY, &format!("{user}:{name}"))))
    }

    pub(super) fn update_user_policy(
        &mut self,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let (user, name) = user_policy_parts(prior).unwrap_or_default();
        let (user, name) = (user.to_string(), name.to_string());
        if val(prior, "policy") != val(planned, "policy") {
            let doc = str_of(planned, "policy").unwrap_or_default().to_string();
            self.put_user_policy("updating", &user, &name, &doc)?;
        }
        let mut seed = planned.clone();
        seed.insert("user".into(), Value::string(&user));
        seed.insert("name".into(), Value::string(&name));
        read_user_policy(&self.cloud.world, &seed)
            .ok_or_else(|| gone_after("updating", &target(USER_POLICY, &format!("{user}:{name}"))))
    }

    pub(super) fn delete_user_policy(&mut self, prior: &Map) -> Result<(), ProviderError> {
        let (user, name) = user_policy_parts(prior).unwrap_or_default();
        let p = json!({"UserName": user, "PolicyName": name});
        ignore_missing(self.cloud.iam_delete_user_policy(&self.ctx, &p)).map_err(|e| {
            fail(
                "deleting",
                &target(USER_POLICY, &format!("{user}:{name}")),
                e,
            )
        })
    }
}

// ------------------------------------------------------------------ attachment

pub(super) fn read_attachment(w: &World, prior: &Map) -> Option<Map> {
    let (user, arn) = (str_of(prior, "user")?, str_of(prior, "policy_arn")?);
    if !w.iam.users.get(user)?.attached_policies.contains(arn) {
        return None;
    }
    let mut m = Map::new();
    m.insert("id".into(), carry(prior, "id", Value::Null));
    m.insert("user".into(), Value::string(user));
    m.insert("policy_arn".into(), Value::string(arn));
    Some(m)
}

impl AwsProvider<'_> {
    pub(super) fn create_attachment(&mut self, planned: &Map) -> Result<Map, ProviderError> {
        let user = str_of(planned, "user").unwrap_or_default().to_string();
        let arn = str_of(planned, "policy_arn")
            .unwrap_or_default()
            .to_string();
        let what = target(ATTACHMENT, &format!("{user}/{arn}"));
        // Terraform's id for an attachment: the user name, a dash, and a generated suffix.
        let id = unique_name(&self.cloud.world, &format!("{user}-"));
        let p = json!({"UserName": user, "PolicyArn": arn});
        self.cloud
            .iam_attach_user_policy(&self.ctx, &p)
            .map_err(|e| fail("creating", &what, e))?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(id));
        read_attachment(&self.cloud.world, &seed).ok_or_else(|| gone_after("creating", &what))
    }

    /// Every argument forces replacement: nothing to call.
    pub(super) fn update_attachment(
        &mut self,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let mut seed = planned.clone();
        seed.insert("id".into(), val(prior, "id").clone());
        let what = target(ATTACHMENT, str_of(prior, "id").unwrap_or_default());
        read_attachment(&self.cloud.world, &seed).ok_or_else(|| gone_after("updating", &what))
    }

    pub(super) fn delete_attachment(&mut self, prior: &Map) -> Result<(), ProviderError> {
        let user = str_of(prior, "user").unwrap_or_default();
        let arn = str_of(prior, "policy_arn").unwrap_or_default();
        let p = json!({"UserName": user, "PolicyArn": arn});
        ignore_missing(self.cloud.iam_detach_user_policy(&self.ctx, &p))
            .map_err(|e| fail("deleting", &target(ATTACHMENT, &format!("{user}/{arn}")), e))
    }
}

// ------------------------------------------------------------------ aws_iam_access_key

const ACCESS_KEY: &str = "IAM Access Key";

/// The secret is known only at creation: state keeps it (as Terraform's does); reads carry it.
pub(super) fn read_access_key(w: &World, prior: &Map) -> Option<Map> {
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

impl AwsProvider<'_> {
    pub(super) fn create_access_key(&mut self, planned: &Map) -> Result<Map, ProviderError> {
        let user = str_of(planned, "user").unwrap_or_default().to_string();
        let what = target(ACCESS_KEY, &user);
        let r = self
            .cloud
            .iam_create_access_key(&self.ctx, &json!({"UserName": user}))
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
            self.cloud
                .iam_update_access_key(&self.ctx, &p)
                .map_err(|e| fail("creating", &target(ACCESS_KEY, &id), e))?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&id));
        seed.insert("secret".into(), Value::string(field("SecretAccessKey")));
        read_access_key(&self.cloud.world, &seed).ok_or_else(|| gone_after("creating", &what))
    }

    /// Only the status changes in place (UpdateAccessKey).
    pub(super) fn update_access_key(
        &mut self,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let id = str_of(prior, "id").unwrap_or_default().to_string();
        let user = str_of(prior, "user").unwrap_or_default().to_string();
        let what = target(ACCESS_KEY, &id);
        if let Some(st) = str_of(planned, "status").filter(|s| Some(*s) != str_of(prior, "status"))
        {
            let p = json!({"UserName": user, "AccessKeyId": id, "Status": st});
            self.cloud
                .iam_update_access_key(&self.ctx, &p)
                .map_err(|e| fail("updating", &what, e))?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&id));
        seed.insert("secret".into(), val(prior, "secret").clone());
        read_access_key(&self.cloud.world, &seed).ok_or_else(|| gone_after("updating", &what))
    }

    pub(super) fn delete_access_key(&mut self, prior: &Map) -> Result<(), ProviderError> {
        let id = str_of(prior, "id").unwrap_or_default();
        let user = str_of(prior, "user").unwrap_or_default();
        let p = json!({"UserName": user, "AccessKeyId": id});
        ignore_missing(self.cloud.iam_delete_access_key(&self.ctx, &p))
            .map_err(|e| fail("deleting", &target(ACCESS_KEY, id), e))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::common::testing::*;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::value::{Map, Value};

    const DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#;

    fn doc(action: &str) -> String {
        DOC.replace("s3:ListAllMyBuckets", action)
    }

    fn user(p: &mut super::AwsProvider<'_>, name: &str) -> Map {
        let planned = plan_create(p, "aws_iam_user", vec![("name", s(name))]);
        p.create("aws_iam_user", &planned).expect("creates user")
    }

    #[test]
    fn user_create_rename_and_force_destroy() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let planned = plan_create(
            &p,
            "aws_iam_user",
            vec![("name", s("alice")), ("path", s("/lab/"))],
        );
        let u = p.create("aws_iam_user", &planned).unwrap();
        assert_complete(Mode::Managed, "aws_iam_user", &u);
        assert_eq!(u["id"], s("alice"));
        assert_eq!(u["arn"], s("arn:aws:iam::123456789012:user/lab/alice"));
        assert!(u["unique_id"].as_str().unwrap().starts_with("AIDA"));
        assert_eq!(p.read("aws_iam_user", &u).unwrap().as_ref(), Some(&u));

        let planned = plan_update(&p, "aws_iam_user", &u, vec![("name", s("alice2"))]);
        let mark = events(&p);
        let u2 = p.update("aws_iam_user", &u, &planned).unwrap();
        assert_eq!(event_names(&p, mark), ["UpdateUser"]);
        assert_eq!(u2["id"], s("alice2"));
        assert_eq!(u2["unique_id"], u["unique_id"], "a rename keeps the user");
        assert!(!p.cloud.world.iam.users.contains_key("alice"));

        let ctx = p.ctx.clone();
        p.cloud
            .iam_create_access_key(&ctx, &json!({"UserName": "alice2"}))
            .unwrap();
        p.cloud
            .iam_put_user_policy(
                &ctx,
                &json!({"UserName": "alice2", "PolicyName": "inline", "PolicyDocument": DOC}),
            )
            .unwrap();
        p.cloud
            .iam_attach_user_policy(
                &ctx,
                &json!({"UserName": "alice2", "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}),
            )
            .unwrap();
        let e = p.delete("aws_iam_user", &u2).unwrap_err();
        assert_eq!(e.code.as_deref(), Some("DeleteConflict"));
        assert!(
            e.message
                .starts_with("deleting IAM User (alice2): DeleteConflict:")
        );

        let mut forced = u2.clone();
        forced.insert("force_destroy".into(), Value::Bool(true));
        p.delete("aws_iam_user", &forced).unwrap();
        assert!(!p.cloud.world.iam.users.contains_key("alice2"));
        assert_eq!(p.read("aws_iam_user", &u2).unwrap(), None);
        p.delete("aws_iam_user", &u2)
            .expect("deleting a missing user succeeds");
    }

    #[test]
    fn managed_policy_versions_stay_within_the_limit() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let planned = plan_create(
            &p,
            "aws_iam_policy",
            vec![("name", s("lab-read")), ("policy", s(DOC))],
        );
        let mut pol = p.create("aws_iam_policy", &planned).unwrap();
        assert_complete(Mode::Managed, "aws_iam_policy", &pol);
        let arn = "arn:aws:iam::123456789012:policy/lab-read";
        assert_eq!(pol["id"], s(arn));
        assert_eq!(pol["arn"], s(arn));
        assert_eq!(
            pol["description"],
            Value::Null,
            "unset description stays unset"
        );
        assert_eq!(pol["attachment_count"], Value::from(0));
        assert!(pol["policy_id"].as_str().unwrap().starts_with("ANPA"));
        assert_eq!(p.read("aws_iam_policy", &pol).unwrap().as_ref(), Some(&pol));

        for (i, action) in [
            "s3:GetObject",
            "s3:PutObject",
            "s3:ListBucket",
            "s3:DeleteObject",
            "s3:GetBucketPolicy",
            "kms:Decrypt",
        ]
        .iter()
        .enumerate()
        {
            let planned = plan_update(
                &p,
                "aws_iam_policy",
                &pol,
                vec![("policy", s(&doc(action)))],
            );
            pol = p.update("aws_iam_policy", &pol, &planned).unwrap();
            let m = &p.cloud.world.iam.policies[arn];
            assert!(m.versions.len() <= 5);
            assert_eq!(m.default_version().unwrap().id, format!("v{}", i + 2));
            assert_eq!(pol["policy"], s(&doc(action)));
        }
        let ids: Vec<&str> = p.cloud.world.iam.policies[arn]
            .versions
            .iter()
            .map(|v| v.id.as_str())
            .collect();
        assert_eq!(
            ids,
            ["v3", "v4", "v5", "v6", "v7"],
            "the oldest versions were pruned"
        );

        let alice = user(&mut p, "alice");
        let planned = plan_create(
            &p,
            "aws_iam_user_policy_attachment",
            vec![("user", s("alice")), ("policy_arn", s(arn))],
        );
        let att = p
            .create("aws_iam_user_policy_attachment", &planned)
            .unwrap();
        assert_eq!(
            p.read("aws_iam_policy", &pol).unwrap().unwrap()["attachment_count"],
            Value::from(1)
        );
        p.delete("aws_iam_user_policy_attachment", &att).unwrap();
        // The count read above is not reused once the attachment is gone.
        assert_eq!(
            p.read("aws_iam_policy", &pol).unwrap().unwrap()["attachment_count"],
            Value::from(0)
        );

        p.delete("aws_iam_policy", &pol).unwrap();
        assert!(p.cloud.world.iam.policies.is_empty());
        assert_eq!(p.read("aws_iam_policy", &pol).unwrap(), None);
        let _ = alice;
    }

    #[test]
    fn generated_policy_names_and_conflicts() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let planned = plan_create(
            &p,
            "aws_iam_policy",
            vec![("name_prefix", s("lab-")), ("policy", s(DOC))],
        );
        let pol = p.create("aws_iam_policy", &planned).unwrap();
        assert_eq!(pol["name_prefix"], s("lab-"));
        assert!(pol["name"].as_str().unwrap().starts_with("lab-1970"));
        let planned = plan_create(
            &p,
            "aws_iam_policy",
            vec![("name", pol["name"].clone()), ("policy", s(DOC))],
        );
        let e = p.create("aws_iam_policy", &planned).unwrap_err();
        assert_eq!(e.code.as_deref(), Some("EntityAlreadyExists"));
    }

    #[test]
    fn inline_user_policy_lifecycle() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        user(&mut p, "bob");
        let planned = plan_create(
            &p,
            "aws_iam_user_policy",
            vec![("user", s("bob")), ("name", s("read")), ("policy", s(DOC))],
        );
        let up = p.create("aws_iam_user_policy", &planned).unwrap();
        assert_complete(Mode::Managed, "aws_iam_user_policy", &up);
        assert_eq!(up["id"], s("bob:read"));
        assert_eq!(
            p.read("aws_iam_user_policy", &up).unwrap().as_ref(),
            Some(&up)
        );

        let planned = plan_update(
            &p,
            "aws_iam_user_policy",
            &up,
            vec![("policy", s(&doc("s3:GetObject")))],
        );
        let up2 = p.update("aws_iam_user_policy", &up, &planned).unwrap();
        assert_eq!(
            p.cloud.world.iam.users["bob"].inline_policies["read"],
            doc("s3:GetObject")
        );
        assert_eq!(up2["policy"], s(&doc("s3:GetObject")));

        let ctx = p.ctx.clone();
        p.cloud
            .iam_delete_user_policy(&ctx, &json!({"UserName": "bob", "PolicyName": "read"}))
            .unwrap();
        assert_eq!(
            p.read("aws_iam_user_policy", &up2).unwrap(),
            None,
            "deleted out of band"
        );
        p.delete("aws_iam_user_policy", &up2)
            .expect("deleting a missing inline policy succeeds");

        let planned = plan_create(
            &p,
            "aws_iam_user_policy",
            vec![("user", s("bob")), ("policy", s(DOC))],
        );
        let generated = p.create("aws_iam_user_policy", &planned).unwrap();
        assert_eq!(generated["name_prefix"], s("terraform-"));
        p.delete("aws_iam_user_policy", &generated).unwrap();
        assert!(p.cloud.world.iam.users["bob"].inline_policies.is_empty());
    }

    #[test]
    fn policy_attachment_lifecycle() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        user(&mut p, "carol");
        let arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
        let planned = plan_create(
            &p,
            "aws_iam_user_policy_attachment",
            vec![("user", s("carol")), ("policy_arn", s(arn))],
        );
        let att = p
            .create("aws_iam_user_policy_attachment", &planned)
            .unwrap();
        assert_complete(Mode::Managed, "aws_iam_user_policy_attachment", &att);
        let id = att["id"].as_str().unwrap();
        assert!(
            id.starts_with("carol-") && id.len() == "carol-".len() + 26,
            "{id}"
        );
        assert!(
            p.cloud.world.iam.users["carol"]
                .attached_policies
                .contains(arn)
        );
        assert_eq!(
            p.read("aws_iam_user_policy_attachment", &att)
                .unwrap()
                .as_ref(),
            Some(&att)
        );
        let mark = events(&p);
        let same = plan_update(&p, "aws_iam_user_policy_attachment", &att, vec![]);
        assert_eq!(
            p.update("aws_iam_user_policy_attachment", &att, &same)
                .unwrap(),
            att
        );
        assert_eq!(events(&p), mark, "an attachment has nothing to update");
        p.delete("aws_iam_user_policy_attachment", &att).unwrap();
        assert!(
            p.cloud.world.iam.users["carol"]
                .attached_policies
                .is_empty()
        );
        assert_eq!(
            p.read("aws_iam_user_policy_attachment", &att).unwrap(),
            None
        );
        p.delete("aws_iam_user_policy_attachment", &att)
            .expect("detaching twice succeeds");
    }
}
