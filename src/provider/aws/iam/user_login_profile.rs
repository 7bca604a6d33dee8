//! `aws_iam_user_login_profile`: a user's console password, generated at creation (the
//! provider's `password_length`, default 20, with every character kind of AWS's policy). The
//! generated `password` is the one secret state keeps, as Terraform's does (sensitive); the
//! simulated cloud keeps only its hash. Every argument forces replacement: the way to reset a
//! password is to replace the resource, as the provider documents.

use serde_json::json;

use super::ignore_missing;
use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::string;
use crate::provider::aws::common::{carry, fail, str_of, target, val};
use crate::provider::{ProviderError, Resource};
use crate::schema::{AttrSchema as A, AttrType as T, BodySchema, ResourceSchema, check};
use crate::sim::World;
use crate::value::{Map, Value};

const LOGIN_PROFILE: &str = "IAM User Login Profile";
const DEFAULT_LENGTH: i64 = 20;

/// `aws_iam_user_login_profile`.
pub(crate) struct UserLoginProfile;

impl Resource<AwsProvider<'_>> for UserLoginProfile {
    /// A login profile is imported by its user's name.
    fn import_seed(&self, id: &str) -> Option<Map> {
        let mut m = Map::new();
        m.insert("id".into(), Value::string(id));
        m.insert("user".into(), Value::string(id));
        Some(m)
    }
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_iam_user_login_profile",
            summary: "A user's console password, generated at creation",
            body: BodySchema::new(vec![
                A::required("user", string()).force_new(),
                A::optional("password_length", T::Number)
                    .default(DEFAULT_LENGTH)
                    .force_new()
                    .validate(|v| check::int_between(v, 5, 128)),
                A::optional_computed("password_reset_required", T::Bool).force_new(),
                A::computed("id", string()),
                A::computed("password", string()).sensitive(),
                A::computed("encrypted_password", string()),
                A::computed("key_fingerprint", string()),
            ])
            // PGP (or Keybase) encryption of the generated password: not simulated.
            .unsupported(&["pgp_key"]),
        }
    }

    fn noun(&self) -> &'static str {
        LOGIN_PROFILE
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        read_profile(&aws.cloud.world, prior)
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let user = str_of(planned, "user").unwrap_or_default().to_string();
        let what = target(LOGIN_PROFILE, &user);
        let len = val(planned, "password_length")
            .as_i64()
            .unwrap_or(DEFAULT_LENGTH);
        let password = crate::sim::iam::generate_password(len as usize)
            .map_err(|e| ProviderError::new(format!("creating {what}: {e}")))?;
        let mut p = json!({"UserName": user, "Password": password.as_str()});
        if let Some(r) = val(planned, "password_reset_required").as_bool() {
            p["PasswordResetRequired"] = json!(r);
        }
        aws.cloud
            .call_json(&aws.ctx, "iam:CreateLoginProfile", &p)
            .map_err(|e| fail("creating", &what, e))?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&user));
        seed.insert("password".into(), Value::string(password.as_str()));
        read_profile(&aws.cloud.world, &seed)
            .ok_or_else(|| ProviderError::gone_after("creating", &what))
    }

    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        let user = str_of(prior, "user").unwrap_or_default();
        let p = json!({"UserName": user});
        ignore_missing(aws.cloud.call_json(&aws.ctx, "iam:DeleteLoginProfile", &p))
            .map_err(|e| fail("deleting", &target(LOGIN_PROFILE, user), e))
    }
}

/// The password is known only at creation: state keeps it; reads carry it. Arguments that
/// "only apply on resource creation" (the provider's words) are carried from the prior state.
fn read_profile(w: &World, prior: &Map) -> Option<Map> {
    let user = str_of(prior, "user")?;
    let lp = w.iam.users.get(user)?.login_profile.as_ref()?;
    let mut m = Map::new();
    m.insert("id".into(), Value::string(user));
    m.insert("user".into(), Value::string(user));
    m.insert(
        "password_length".into(),
        carry(prior, "password_length", Value::from(DEFAULT_LENGTH)),
    );
    m.insert(
        "password_reset_required".into(),
        Value::Bool(lp.password_reset_required),
    );
    m.insert("password".into(), carry(prior, "password", Value::Null));
    m.insert("encrypted_password".into(), Value::Null);
    m.insert("key_fingerprint".into(), Value::Null);
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::provider::aws::common::testing::*;

    #[test]
    fn generated_passwords_meet_awss_policy_at_the_asked_length() {
        for len in [8, 20, 128] {
            let pw = crate::sim::iam::generate_password(len).unwrap();
            assert_eq!(pw.chars().count(), len);
            assert!(crate::sim::iam::password_meets_policy(&pw, "123456789012"));
        }
        assert_ne!(
            *crate::sim::iam::generate_password(20).unwrap(),
            *crate::sim::iam::generate_password(20).unwrap()
        );
    }

    #[test]
    fn login_profile_lifecycle_keeps_the_password_in_state_only() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        user(&mut p, "dana");
        let kind = "aws_iam_user_login_profile";
        let planned = plan_create(&p, kind, vec![("user", s("dana"))]);
        let lp = p.create(kind, &planned).unwrap();
        assert_complete(Mode::Managed, kind, &lp);
        let pw = lp["password"].as_str().unwrap().to_string();
        assert_eq!(pw.chars().count(), 20);
        assert_eq!(lp["id"].as_str(), Some("dana"));
        assert_eq!(lp["password_reset_required"], Value::Bool(false));
        let world = serde_json::to_string(&p.cloud.world).unwrap();
        assert!(!world.contains(&pw), "the world keeps the password");
        assert_eq!(
            p.cloud
                .console_sign_in("123456789012", "dana", &pw, "127.0.0.1", "t"),
            Ok(())
        );
        assert_eq!(p.read(kind, &lp).unwrap().as_ref(), Some(&lp));
        let mark = events(&p);
        let same = plan_update(&p, kind, &lp, vec![]);
        assert_eq!(p.update(kind, &lp, &same).unwrap(), lp);
        assert_eq!(events(&p), mark, "nothing to update in place");
        p.delete(kind, &lp).unwrap();
        assert_eq!(p.read(kind, &lp).unwrap(), None);
        p.delete(kind, &lp).expect("deleting twice succeeds");
    }

    #[test]
    fn pgp_keys_are_refused_and_short_passwords_fail_awss_policy() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        user(&mut p, "erin");
        assert!(
            UserLoginProfile
                .schema()
                .body
                .unsupported
                .contains(&"pgp_key")
        );
        let planned = plan_create(
            &p,
            "aws_iam_user_login_profile",
            vec![("user", s("erin")), ("password_length", Value::from(6))],
        );
        let e = p
            .create("aws_iam_user_login_profile", &planned)
            .unwrap_err();
        assert!(
            e.message.contains("PasswordPolicyViolation"),
            "{}",
            e.message
        );
    }
}
