//! Console sessions: a random id in an HttpOnly, SameSite=Strict cookie, the signed-in user, a
//! per-session CSRF token every form carries, and a lifetime of 12 hours (the AWS console's
//! default for IAM users). Sessions live in memory only.

use std::collections::HashMap;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::serve::Request;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "keyform_console";
/// The sign-in form's own CSRF cookie (before there is a session).
pub(super) const SIGNIN_COOKIE: &str = "keyform_console_signin";
/// How long a session lasts after sign-in.
pub const SESSION_LIFETIME_MS: i64 = 12 * 3600 * 1000;
/// Sessions kept at once (the oldest go first).
const MAX_SESSIONS: usize = 256;

#[derive(Clone)]
pub(crate) struct Session {
    pub id: Zeroizing<String>,
    pub user: String,
    /// Signed in as the account root user (`user` is then "root").
    pub root: bool,
    pub csrf: Zeroizing<String>,
    pub expires_ms: i64,
    /// The role switched to (Switch role), if any: pages then act as its session.
    pub role: Option<RoleSession>,
}

/// A role the signed-in user switched to: the role session AssumeRole answered.
#[derive(Clone)]
pub(crate) struct RoleSession {
    pub role_arn: String,
    /// What the console shows (the role's name unless a display name was given).
    pub display: String,
    /// The session's access key id (`ASIA...`); its secret and token are never kept.
    pub access_key_id: String,
}

#[derive(Default)]
pub(super) struct Sessions {
    by_id: HashMap<String, Session>,
}

/// 256 random bits, hex.
pub(super) fn random_token() -> Zeroizing<String> {
    let mut b = [0u8; 32];
    // The OS RNG failing leaves an all-zero token only in a broken system; refuse it instead.
    if getrandom::fill(&mut b).is_err() {
        return Zeroizing::new(String::new());
    }
    Zeroizing::new(hex::encode(b))
}

/// Constant-time comparison of a presented token with the expected one (empty never matches).
pub(super) fn token_eq(expected: &str, given: Option<&str>) -> bool {
    match given {
        Some(g) if !expected.is_empty() && g.len() == expected.len() => {
            bool::from(g.as_bytes().ct_eq(expected.as_bytes()))
        }
        _ => false,
    }
}

pub(super) fn csrf_ok(s: &Session, given: Option<&str>) -> bool {
    token_eq(&s.csrf, given)
}

/// The value of cookie `name` in a request.
pub(super) fn cookie<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .filter(|(n, _)| n == "cookie")
        .flat_map(|(_, v)| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, the console's path.
pub(super) fn set_cookie(name: &str, value: &str, max_age_s: i64) -> String {
    format!("{name}={value}; Path=/_console; HttpOnly; SameSite=Strict; Max-Age={max_age_s}")
}

impl Sessions {
    /// Starts a session for `user` (the root user when `root`); returns it (its id goes in
    /// the cookie).
    pub(super) fn start(&mut self, user: &str, root: bool, now_ms: i64) -> Option<Session> {
        self.by_id.retain(|_, s| s.expires_ms > now_ms);
        if self.by_id.len() >= MAX_SESSIONS
            && let Some(oldest) = self
                .by_id
                .values()
                .min_by_key(|s| s.expires_ms)
                .map(|s| s.id.to_string())
        {
            self.by_id.remove(&oldest);
        }
        let (id, csrf) = (random_token(), random_token());
        if id.is_empty() || csrf.is_empty() {
            return None;
        }
        let s = Session {
            id: id.clone(),
            user: user.to_string(),
            root,
            csrf,
            expires_ms: now_ms + SESSION_LIFETIME_MS,
            role: None,
        };
        self.by_id.insert(id.to_string(), s.clone());
        Some(s)
    }

    /// The live session a request's cookie names.
    pub(super) fn of_request(&self, req: &Request, now_ms: i64) -> Option<&Session> {
        let id = cookie(req, SESSION_COOKIE)?;
        self.by_id
            .get(id)
            .filter(|s| s.expires_ms > now_ms && token_eq(&s.id, Some(id)))
    }

    /// Switches a session to a role session, or back to its user (None).
    pub(super) fn set_role(&mut self, id: &str, role: Option<RoleSession>) {
        if let Some(s) = self.by_id.get_mut(id) {
            s.role = role;
        }
    }

    pub(super) fn remove(&mut self, id: &str) {
        self.by_id.remove(id);
    }

    /// How many sessions are live or not yet swept.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.by_id.len()
    }
}
