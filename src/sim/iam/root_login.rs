//! The account root user's console sign-in. AWS signs the root user in with the account's
//! email address and its password (no IAM API sets either); keyform gives the simulated
//! account an email address of its own (`root@ACCOUNT.keyform.invalid`, a reserved domain
//! that reaches nobody) and a generated password the first time `keyform console` runs,
//! keeping only its Argon2id hash. A sign-in is recorded as AWS records it: a `ConsoleLogin`
//! event from `signin.amazonaws.com` whose identity is the root user, Success or Failure.

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use serde_json::{Value as Json, json};
use zeroize::Zeroizing;

use super::login_profiles::{SignInError, generate_password, hash_password};
use crate::sim::world::RootLogin;
use crate::sim::{CallContext, Cloud, Op, SimError};

impl Cloud {
    /// The simulated account's email address (the root user's sign-in name).
    pub fn root_email(&self) -> String {
        match &self.world.iam.root_login {
            Some(l) => l.email.clone(),
            None => format!("root@{}.keyform.invalid", self.world.account_id),
        }
    }

    /// Gives the root user a console password when it has none; returns the email address
    /// and the password, once (None: the root user already has one).
    pub fn ensure_root_login(&mut self) -> Result<Option<(String, Zeroizing<String>)>, SimError> {
        if self.world.iam.root_login.is_some() {
            return Ok(None);
        }
        let pw = generate_password(20).map_err(SimError::internal)?;
        let email = self.root_email();
        self.world.iam.root_login = Some(RootLogin {
            email: email.clone(),
            password_hash: hash_password(&pw)?,
            created: self.now(),
        });
        Ok(Some((email, pw)))
    }

    /// Checks the root user's email address (any case, as AWS's sign-in takes it) and
    /// password; records the attempt when the email is the account's.
    pub fn root_sign_in(
        &mut self,
        email: &str,
        password: &str,
        source_ip: &str,
        user_agent: &str,
    ) -> Result<(), SignInError> {
        let Some(login) = self.world.iam.root_login.clone() else {
            return Err(SignInError::FailedAuthentication);
        };
        if !login.email.eq_ignore_ascii_case(email.trim()) {
            return Err(SignInError::FailedAuthentication);
        }
        let ok = PasswordHash::new(&login.password_hash).is_ok_and(|h| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        });
        let ctx = CallContext {
            source_ip: source_ip.to_string(),
            user_agent: user_agent.to_string(),
            ..CallContext::root()
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
        if ok {
            Ok(())
        } else {
            Err(SignInError::FailedAuthentication)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::sim::Cloud;
    use crate::sim::ids::IdGen;

    #[test]
    fn the_root_user_signs_in_with_the_accounts_email_and_its_password_once_given() {
        let mut c = Cloud::in_memory("123456789012", "us-east-1", 0, IdGen::seeded(1)).unwrap();
        assert!(
            c.root_sign_in("root@123456789012.keyform.invalid", "x", "127.0.0.1", "t")
                .is_err()
        );
        let (email, pw) = c.ensure_root_login().unwrap().expect("a new password");
        assert_eq!(email, "root@123456789012.keyform.invalid");
        assert!(c.ensure_root_login().unwrap().is_none(), "shown once");
        assert!(
            c.root_sign_in(&email.to_uppercase(), &pw, "127.0.0.1", "t")
                .is_ok()
        );
        assert!(c.root_sign_in(&email, "wrong", "127.0.0.1", "t").is_err());
        assert!(
            c.root_sign_in("someone@else", &pw, "127.0.0.1", "t")
                .is_err()
        );
        // Only the hash is kept; the sign-ins are recorded as the root user's.
        let world = serde_json::to_string(&c.world).unwrap();
        assert!(!world.contains(pw.as_str()));
        let logins: Vec<_> = c
            .world
            .cloudtrail
            .events
            .iter()
            .map(crate::sim::world::TrailEvent::json)
            .filter(|e| e["eventName"] == "ConsoleLogin")
            .collect();
        assert_eq!(logins.len(), 2, "the right email's two tries");
        assert_eq!(logins[0]["userIdentity"]["type"], "Root");
        assert_eq!(logins[0]["responseElements"]["ConsoleLogin"], "Success");
        assert_eq!(logins[1]["responseElements"]["ConsoleLogin"], "Failure");
    }
}
