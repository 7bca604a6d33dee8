//! Principals in resource-based policies (key, bucket and trust policies) as IAM treats them:
//! a policy may name only principals that exist (an account, its root, a user, a role, a role
//! session, a service), never a group; and once a named user or role is deleted, the policies
//! that named it name its unique id instead (`AIDA...`, `AROA...`), so a user recreated under
//! the same name is not let in by them.

use serde_json::Value as Json;

use super::IamError;
use crate::sim::policy::PolicyDocument;
use crate::sim::world::EntityRef;
use crate::sim::{Cloud, SimError};

/// Each `"AWS"` principal value of a policy document (Principal and NotPrincipal).
fn aws_principals(doc: &Json) -> Vec<String> {
    let statements: Vec<&Json> = match doc.get("Statement") {
        Some(Json::Array(a)) => a.iter().collect(),
        Some(s) => vec![s],
        None => Vec::new(),
    };
    let mut out = Vec::new();
    for st in statements {
        for field in ["Principal", "NotPrincipal"] {
            let Some(Json::Object(m)) = st.get(field) else {
                continue;
            };
            match m.get("AWS") {
                Some(Json::String(s)) => out.push(s.clone()),
                Some(Json::Array(a)) => {
                    out.extend(a.iter().filter_map(|v| v.as_str().map(str::to_string)))
                }
                _ => {}
            }
        }
    }
    out
}

impl Cloud {
    /// Whether `value` names a principal IAM would accept in a policy of this account.
    fn principal_exists(&self, value: &str) -> bool {
        if value == "*" || (value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit())) {
            return true;
        }
        // A unique id is valid while its user or role (of any account) exists: a policy AWS
        // shows with a deleted principal's id is refused when it is set again.
        if value.starts_with("AIDA") || value.starts_with("AROA") {
            return self.world.account_ids().iter().any(|a| {
                self.world.iam_of(a).is_some_and(|iam| {
                    iam.users.values().any(|u| u.user_id == value)
                        || iam.roles.values().any(|r| r.role_id == value)
                })
            });
        }
        let parts: Vec<&str> = value.splitn(6, ':').collect();
        let [arn, partition, service, region, account, resource] = parts[..] else {
            return false;
        };
        if arn != "arn" || partition != "aws" || !region.is_empty() {
            return false;
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        // An account of this world is checked as IAM checks its own; an account outside the
        // world is taken on trust (it could exist).
        let (ours, iam) = match self.world.iam_of(account) {
            Some(iam) => (true, iam),
            None => (false, &self.world.iam),
        };
        match service {
            "iam" if resource == "root" => true,
            "iam" if resource.starts_with("user/") => {
                !ours || iam.users.values().any(|u| u.arn == value)
            }
            "iam" if resource.starts_with("role/") => {
                !ours || iam.roles.values().any(|r| r.arn == value)
            }
            "sts" => match resource.strip_prefix("assumed-role/") {
                Some(rest) => {
                    let mut it = rest.split('/');
                    match (it.next(), it.next(), it.next()) {
                        (Some(role), Some(s), None) if !s.is_empty() => {
                            !ours || iam.roles.contains_key(role)
                        }
                        _ => false,
                    }
                }
                None => false,
            },
            _ => false,
        }
    }

    /// Refuses a policy naming a principal that does not exist or cannot be one (a group), as
    /// IAM does when a key, bucket or trust policy is set.
    pub(crate) fn check_principals(&self, doc: &Json) -> Result<(), SimError> {
        for p in aws_principals(doc) {
            if !self.principal_exists(&p) {
                return Err(IamError::InvalidPrincipal {
                    principal: format!("\"AWS\":\"{p}\""),
                }
                .into());
            }
        }
        Ok(())
    }

    /// [`Cloud::check_principals`] for a policy document's text (what KMS and S3 hold); `None`
    /// when every principal is valid, else the principal refused.
    pub fn invalid_principal(&self, doc: &str) -> Option<String> {
        let d = PolicyDocument::parse(doc).ok()?;
        aws_principals(d.json())
            .into_iter()
            .find(|p| !self.principal_exists(p))
    }

    /// A user or role was deleted: every key, bucket and trust policy naming its ARN names its
    /// unique id instead, as AWS shows such policies.
    pub(crate) fn principal_deleted(&mut self, arn: &str, unique_id: &str) {
        let rewrite = |text: &str| -> Option<String> {
            if !text.contains(arn) {
                return None;
            }
            let mut v: Json = serde_json::from_str(text).ok()?;
            let mut changed = false;
            let statements: Vec<&mut Json> = match v.get_mut("Statement") {
                Some(Json::Array(a)) => a.iter_mut().collect(),
                Some(s) => vec![s],
                None => Vec::new(),
            };
            for st in statements {
                for field in ["Principal", "NotPrincipal"] {
                    let Some(Json::Object(m)) = st.get_mut(field) else {
                        continue;
                    };
                    match m.get_mut("AWS") {
                        Some(s @ Json::String(_)) if s.as_str() == Some(arn) => {
                            *s = Json::String(unique_id.to_string());
                            changed = true;
                        }
                        Some(Json::Array(a)) => {
                            for s in a.iter_mut().filter(|s| s.as_str() == Some(arn)) {
                                *s = Json::String(unique_id.to_string());
                                changed = true;
                            }
                        }
                        _ => {}
                    }
                }
            }
            changed.then(|| v.to_string())
        };
        let mut touched = Vec::new();
        for (id, k) in self.world.kms.keys.iter_mut() {
            if let Some(new) = rewrite(&k.policy) {
                k.policy = new;
                touched.push(EntityRef::KmsKey(id.clone()));
            }
        }
        for (name, b) in self.world.s3.buckets.iter_mut() {
            if let Some(new) = b.policy.as_deref().and_then(rewrite) {
                b.policy = Some(new);
                touched.push(EntityRef::Bucket(name.clone()));
            }
        }
        for (name, r) in self.world.iam.roles.iter_mut() {
            if let Some(new) = rewrite(&r.assume_role_policy) {
                r.assume_role_policy = new;
                touched.push(EntityRef::Role(name.clone()));
            }
        }
        for t in touched {
            self.touch(t);
        }
    }
}
