//! IAM login profiles (console passwords): Create/Get/Update/DeleteLoginProfile, AWS's default
//! password policy, and checking a password at console sign-in.
//!
//! A password is never stored, recorded or shown: the world keeps only its Argon2id hash (a PHC
//! string with a random salt), CloudTrail records `HIDDEN_DUE_TO_SECURITY_REASONS` in its place,
//! and no error names it.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde_json::{Value as Json, json};

use super::{Entity, IamError, iam_op};
use crate::sim::clock::iso8601;
use crate::sim::world::{EntityRef, LoginProfile};
use crate::sim::{CallContext, Cloud, Op, Principal, SimError, opt_bool, opt_str, req_str};

/// Why a login-profile call failed (beyond the errors every IAM call shares).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginProfileError {
    /// NoSuchEntity: the user has no console password.
    NoSuchLoginProfile { user: String },
    /// EntityAlreadyExists: CreateLoginProfile for a user who has one.
    LoginProfileExists { user: String },
    /// PasswordPolicyViolation: the password fails the account's password policy.
    PasswordPolicyViolation,
    /// DeleteConflict: DeleteUser of a user with a console password.
    UserHasLoginProfile,
}

impl From<LoginProfileError> for SimError {
    fn from(e: LoginProfileError) -> SimError {
        use LoginProfileError::*;
        match e {
            NoSuchLoginProfile { user } => SimError::service(
                "NoSuchEntity",
                404,
                format!("Login Profile for User {user} cannot be found."),
            ),
            LoginProfileExists { user } => SimError::service(
                "EntityAlreadyExists",
                409,
                format!("Login Profile for user {user} already exists."),
            ),
            PasswordPolicyViolation => SimError::service(
                "PasswordPolicyViolation",
                400,
                "Password does not conform to the account password policy.",
            ),
            UserHasLoginProfile => SimError::service(
                "DeleteConflict",
                409,
                "Cannot delete entity, must delete login profile first.",
            ),
        }
    }
}

/// The symbols AWS's password policy counts as non-alphanumeric.
pub const PASSWORD_SYMBOLS: &str = "!@#$%^&*()_+-=[]{}|'";

/// AWS's default password policy (the world sets no custom one): 8 to 128 characters, at
/// least three of uppercase, lowercase, digits and symbols, not the account's name.
pub fn password_meets_policy(password: &str, account_id: &str) -> bool {
    let n = password.chars().count();
    if !(8..=128).contains(&n) || password == account_id {
        return false;
    }
    let kinds = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| PASSWORD_SYMBOLS.contains(c)),
    ];
    kinds.iter().filter(|k| **k).count() >= 3
}

/// A password of `len` characters from the provider's alphabet (letters, digits and AWS's
/// symbols), drawn from the OS RNG until it holds every kind, as the provider's generator does.
pub fn generate_password(len: usize) -> Result<zeroize::Zeroizing<String>, String> {
    const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
    const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const DIGITS: &str = "0123456789";
    let alphabet: Vec<char> = [LOWER, UPPER, DIGITS, PASSWORD_SYMBOLS]
        .concat()
        .chars()
        .collect();
    for _ in 0..1000 {
        let bytes = crate::sim::crypto::random_bytes(len * 2).map_err(|e| e.to_string())?;
        let pw: zeroize::Zeroizing<String> = zeroize::Zeroizing::new(
            bytes
                .chunks(2)
                .map(|b| {
                    let n = u16::from_le_bytes([b[0], b[1]]) as usize;
                    alphabet[n % alphabet.len()]
                })
                .collect(),
        );
        let has = |set: &str| pw.chars().any(|c| set.contains(c));
        if has(LOWER) && has(UPPER) && has(DIGITS) && has(PASSWORD_SYMBOLS) {
            return Ok(pw);
        }
    }
    Err("could not generate a password with every kind of character".into())
}

pub(super) fn hash_password(password: &str) -> Result<String, SimError> {
    let salt =
        crate::sim::crypto::random_bytes(16).map_err(|e| SimError::internal(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| SimError::internal(e.to_string()))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| SimError::internal(e.to_string()))
}

/// The request parameters CloudTrail records: the password hidden, as AWS hides it.
fn recorded(p: &Json) -> Json {
    let mut r = p.clone();
    if let Some(o) = r.as_object_mut()
        && o.contains_key("Password")
    {
        o.insert("Password".into(), json!("HIDDEN_DUE_TO_SECURITY_REASONS"));
    }
    r
}

fn profile_json(user: &str, lp: &LoginProfile) -> Json {
    json!({"LoginProfile": {"UserName": user, "CreateDate": iso8601(lp.created), "PasswordResetRequired": lp.password_reset_required}})
}

/// Why a console sign-in failed. AWS's sign-in page says only that the details are wrong,
/// whichever it is; the variants are for tests and CloudTrail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInError {
    /// The account id is not this world's.
    WrongAccount,
    /// No such user, no console password, or the wrong password.
    FailedAuthentication,
}

impl Cloud {
    fn caller_or(given: Option<&str>, ctx: &CallContext) -> Result<String, SimError> {
        match (given, &ctx.principal) {
            (Some(u), _) => Ok(u.to_string()),
            (None, Principal::User(u)) => Ok(u.clone()),
            _ => Err(IamError::UserNameRequired.into()),
        }
    }

    pub fn iam_create_login_profile(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = opt_str(p, "UserName")?.map(str::to_string);
        let password = zeroize::Zeroizing::new(req_str(p, "Password")?.to_string());
        let reset = opt_bool(p, "PasswordResetRequired")?.unwrap_or(false);
        self.run(
            ctx,
            iam_op("CreateLoginProfile", &recorded(p), false),
            |c, t| {
                let user = Self::caller_or(given.as_deref(), ctx)?;
                c.entity_prelude(Entity::User, ctx, t, &user, "iam:CreateLoginProfile", &[])?;
                if c.world
                    .iam
                    .users
                    .get(&user)
                    .is_some_and(|u| u.login_profile.is_some())
                {
                    return Err(LoginProfileError::LoginProfileExists { user }.into());
                }
                if !password_meets_policy(&password, &c.world.account_id) {
                    return Err(LoginProfileError::PasswordPolicyViolation.into());
                }
                let lp = LoginProfile {
                    password_hash: hash_password(&password)?,
                    created: c.world.now,
                    password_reset_required: reset,
                };
                let out = profile_json(&user, &lp);
                if let Some(u) = c.world.iam.users.get_mut(&user) {
                    u.login_profile = Some(lp);
                }
                c.touch(EntityRef::User(user));
                Ok(out)
            },
        )
    }

    pub fn iam_get_login_profile(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let given = opt_str(p, "UserName")?.map(str::to_string);
        self.run(ctx, iam_op("GetLoginProfile", p, true), |c, t| {
            let user = Self::caller_or(given.as_deref(), ctx)?;
            c.entity_prelude(Entity::User, ctx, t, &user, "iam:GetLoginProfile", &[])?;
            let lp = c
                .world
                .iam
                .users
                .get(&user)
                .and_then(|u| u.login_profile.as_ref());
            match lp {
                Some(lp) => Ok(profile_json(&user, lp)),
                None => Err(LoginProfileError::NoSuchLoginProfile { user }.into()),
            }
        })
    }

    /// UpdateLoginProfile: a new password, or a change of PasswordResetRequired.
    pub fn iam_update_login_profile(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let user = req_str(p, "UserName")?.to_string();
        let password = opt_str(p, "Password")?.map(|s| zeroize::Zeroizing::new(s.to_string()));
        let reset = opt_bool(p, "PasswordResetRequired")?;
        self.run(
            ctx,
            iam_op("UpdateLoginProfile", &recorded(p), false),
            |c, t| {
                c.entity_prelude(Entity::User, ctx, t, &user, "iam:UpdateLoginProfile", &[])?;
                if c.world
                    .iam
                    .users
                    .get(&user)
                    .is_none_or(|u| u.login_profile.is_none())
                {
                    return Err(LoginProfileError::NoSuchLoginProfile { user }.into());
                }
                let hash = match &password {
                    Some(pw) if !password_meets_policy(pw, &c.world.account_id) => {
                        return Err(LoginProfileError::PasswordPolicyViolation.into());
                    }
                    Some(pw) => Some(hash_password(pw)?),
                    None => None,
                };
                if let Some(lp) = c
                    .world
                    .iam
                    .users
                    .get_mut(&user)
                    .and_then(|u| u.login_profile.as_mut())
                {
                    if let Some(h) = hash {
                        lp.password_hash = h;
                    }
                    if let Some(r) = reset {
                        lp.password_reset_required = r;
                    }
                }
                c.touch(EntityRef::User(user));
                Ok(json!({}))
            },
        )
    }

    pub fn iam_delete_login_profile(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = opt_str(p, "UserName")?.map(str::to_string);
        self.run(ctx, iam_op("DeleteLoginProfile", p, false), |c, t| {
            let user = Self::caller_or(given.as_deref(), ctx)?;
            c.entity_prelude(Entity::User, ctx, t, &user, "iam:DeleteLoginProfile", &[])?;
            let removed = c
                .world
                .iam
                .users
                .get_mut(&user)
                .and_then(|u| u.login_profile.take());
            if removed.is_none() {
                return Err(LoginProfileError::NoSuchLoginProfile { user }.into());
            }
            c.touch(EntityRef::User(user));
            Ok(json!({}))
        })
    }

    /// Console sign-in as an IAM user: the account, the user and the password must all match.
    /// Recorded in CloudTrail as AWS records it (`signin.amazonaws.com` `ConsoleLogin`, with
    /// `responseElements.ConsoleLogin` Success or Failure); the password is never recorded.
    pub fn console_sign_in(
        &mut self,
        account_id: &str,
        user: &str,
        password: &str,
        source_ip: &str,
        user_agent: &str,
    ) -> Result<(), SignInError> {
        if account_id != self.world.account_id {
            return Err(SignInError::WrongAccount);
        }
        let ok = self
            .world
            .iam
            .users
            .get(user)
            .and_then(|u| u.login_profile.as_ref())
            .is_some_and(|lp| {
                PasswordHash::new(&lp.password_hash).is_ok_and(|h| {
                    argon2::Argon2::default()
                        .verify_password(password.as_bytes(), &h)
                        .is_ok()
                })
            });
        if self.world.iam.users.contains_key(user) {
            let ctx = CallContext {
                source_ip: source_ip.to_string(),
                user_agent: user_agent.to_string(),
                ..CallContext::user(user)
            };
            let op = Op {
                service: "signin",
                name: "ConsoleLogin",
                params: Json::Null,
                read_only: false,
                data_event: false,
            };
            let outcome = if ok { "Success" } else { "Failure" };
            let _ = self.run(&ctx, op, |_, t| {
                t.response = Some(json!({ "ConsoleLogin": outcome }));
                Ok::<_, SimError>(())
            });
        }
        if !ok {
            return Err(SignInError::FailedAuthentication);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_password_policy_wants_eight_characters_of_three_kinds() {
        let acct = "123456789012";
        assert!(password_meets_policy("Passw0rd", acct));
        assert!(password_meets_policy("pass word!1", acct));
        assert!(!password_meets_policy("Pa55!", acct), "too short");
        assert!(!password_meets_policy("password1", acct), "two kinds");
        assert!(!password_meets_policy("PASSWORDS", acct));
        assert!(!password_meets_policy(&"Aa1".repeat(43), acct), "over 128");
    }

    fn world() -> Cloud {
        let mut c = Cloud::in_memory(
            "123456789012",
            "us-east-1",
            0,
            crate::sim::ids::IdGen::seeded(3),
        )
        .unwrap();
        c.call_json(
            &CallContext::lab_admin(),
            "iam:CreateUser",
            &json!({"UserName": "alice"}),
        )
        .unwrap();
        c
    }

    #[test]
    fn a_console_password_is_kept_only_as_a_hash_and_never_recorded() {
        let mut c = world();
        let admin = CallContext::lab_admin();
        let pw = "Corr3ct-Horse-Battery";
        let r = c
            .call_json(
                &admin,
                "iam:CreateLoginProfile",
                &json!({"UserName": "alice", "Password": pw}),
            )
            .unwrap();
        assert_eq!(r["LoginProfile"]["UserName"], "alice");
        assert_eq!(r["LoginProfile"]["PasswordResetRequired"], false);
        let world = serde_json::to_string(&c.world).unwrap();
        assert!(!world.contains(pw), "the password is stored");
        assert!(world.contains("$argon2id$"), "the hash is Argon2id");
        let ev = c.world.cloudtrail.events.last().unwrap().json();
        assert_eq!(
            ev["requestParameters"]["password"],
            "HIDDEN_DUE_TO_SECURITY_REASONS"
        );
        assert!(!ev.to_string().contains(pw));

        let e = c
            .call_json(
                &admin,
                "iam:CreateLoginProfile",
                &json!({"UserName": "alice", "Password": pw}),
            )
            .unwrap_err();
        assert_eq!((e.code.as_str(), e.status), ("EntityAlreadyExists", 409));
        let e = c
            .call_json(&admin, "iam:DeleteUser", &json!({"UserName": "alice"}))
            .unwrap_err();
        assert_eq!(
            e.message,
            "Cannot delete entity, must delete login profile first."
        );
        let g = c
            .call_json(&admin, "iam:GetLoginProfile", &json!({"UserName": "alice"}))
            .unwrap();
        assert_eq!(g["LoginProfile"]["UserName"], "alice");
    }

    #[test]
    fn sign_in_needs_the_account_the_user_and_the_password() {
        let mut c = world();
        let admin = CallContext::lab_admin();
        let e = c
            .call_json(
                &admin,
                "iam:CreateLoginProfile",
                &json!({"UserName": "alice", "Password": "short"}),
            )
            .unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.status),
            ("PasswordPolicyViolation", 400)
        );
        assert!(!e.message.contains("short"));
        assert_eq!(
            c.console_sign_in("123456789012", "alice", "Corr3ct-Horse", "127.0.0.1", "t"),
            Err(SignInError::FailedAuthentication),
            "no login profile yet"
        );
        c.call_json(
            &admin,
            "iam:CreateLoginProfile",
            &json!({"UserName": "alice", "Password": "Corr3ct-Horse"}),
        )
        .unwrap();
        let sign_in =
            |c: &mut Cloud, a: &str, u: &str, p: &str| c.console_sign_in(a, u, p, "127.0.0.1", "t");
        assert_eq!(
            sign_in(&mut c, "123456789012", "alice", "Corr3ct-Horse"),
            Ok(())
        );
        let ev = c.world.cloudtrail.events.last().unwrap().json();
        assert_eq!(
            (ev["eventSource"].as_str(), ev["eventName"].as_str()),
            (Some("signin.amazonaws.com"), Some("ConsoleLogin"))
        );
        assert_eq!(ev["responseElements"]["ConsoleLogin"], "Success");
        assert_eq!(
            sign_in(&mut c, "123456789012", "alice", "corr3ct-horse"),
            Err(SignInError::FailedAuthentication)
        );
        assert_eq!(
            c.world.cloudtrail.events.last().unwrap().json()["responseElements"]["ConsoleLogin"],
            "Failure"
        );
        assert_eq!(
            sign_in(&mut c, "999999999999", "alice", "Corr3ct-Horse"),
            Err(SignInError::WrongAccount)
        );
        assert_eq!(
            sign_in(&mut c, "123456789012", "bob", "Corr3ct-Horse"),
            Err(SignInError::FailedAuthentication)
        );

        c.call_json(
            &admin,
            "iam:UpdateLoginProfile",
            &json!({"UserName": "alice", "Password": "N3w-password"}),
        )
        .unwrap();
        assert_eq!(
            sign_in(&mut c, "123456789012", "alice", "Corr3ct-Horse"),
            Err(SignInError::FailedAuthentication)
        );
        assert_eq!(
            sign_in(&mut c, "123456789012", "alice", "N3w-password"),
            Ok(())
        );
        c.call_json(
            &admin,
            "iam:DeleteLoginProfile",
            &json!({"UserName": "alice"}),
        )
        .unwrap();
        assert_eq!(
            sign_in(&mut c, "123456789012", "alice", "N3w-password"),
            Err(SignInError::FailedAuthentication)
        );
        let e = c
            .call_json(&admin, "iam:GetLoginProfile", &json!({"UserName": "alice"}))
            .unwrap_err();
        assert_eq!(e.message, "Login Profile for User alice cannot be found.");
    }
}
