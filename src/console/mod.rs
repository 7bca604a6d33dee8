//! `keyform console`: a local web console on the simulated cloud, so the seeds' labs (written
//! for the AWS Management Console) can be clicked. Served by `keyform serve` under
//! [`PREFIX`] and by `keyform console`.
//!
//! Every page action is one [`Cloud::call`] as the signed-in IAM user (the same operation table,
//! authorization and CloudTrail as `sim`, `serve` and `apply`), so AccessDenied appears exactly
//! where AWS would show it. Pages are server-rendered (minijinja templates embedded in the
//! binary, no JavaScript), one file per page group: [`signin`], [`kms`], [`s3`],
//! [`cloudtrail`].
//!
//! Who may drive it ([`guard`]): loopback peers only, naming a loopback `Host` (no DNS
//! rebinding); a session cookie (HttpOnly, SameSite=Strict) after sign-in; every POST must come
//! from the console's own origin (`Origin`, `Sec-Fetch-Site`) and carry the session's CSRF token;
//! every answer carries a CSP that allows no script, no frame and forms only to itself.

mod clock;
mod cloudtrail;
mod explain;
mod form;
mod guard;
mod iam;
mod iam_detail;
mod kms;
mod kms_create;
mod kms_policy;
mod lab;
mod render;
mod s3;
mod s3_versions;
mod session;
mod signin;
mod switch_role;
#[cfg(test)]
mod tests;

pub use guard::Refusal;
pub use session::{SESSION_COOKIE, SESSION_LIFETIME_MS};

use serde_json::{Value as Json, json};

use crate::serve::{Request, Response};
use crate::sim::{CallContext, Cloud, SimError};
use session::{Session, Sessions};

/// Where the console lives on a server.
pub const PREFIX: &str = "/_console";

/// Whether a path is the console's.
pub fn is_console(path: &str) -> bool {
    path == PREFIX || path.starts_with("/_console/")
}

/// The console's sessions (in memory: a restart signs everyone out).
#[derive(Default)]
pub struct Console {
    sessions: Sessions,
    /// The lab the console was opened on, for the lab panel.
    lab: Option<lab::Lab>,
}

/// What a page handler gets: the request, the signed-in session and the cloud.
pub(crate) struct Page<'a> {
    pub req: &'a Request,
    pub session: &'a Session,
    pub cloud: &'a mut Cloud,
    /// The form fields of a POST (urlencoded or multipart text fields).
    pub form: form::Form,
    /// Every authorization decision of the last failed call (what `sim explain` shows).
    pub explained: Vec<crate::sim::authz::Explanation>,
    /// Set by Switch role / Switch back: the session's new role (Some(None): back to the user).
    pub switch: Option<Option<session::RoleSession>>,
    /// The lab the console was opened on: its panel beside every page, its link in the header.
    pub lab: Option<&'a lab::Lab>,
}

impl Page<'_> {
    /// The signed-in identity's call context: the role session switched to, else the user
    /// (from this peer, with the browser's user agent).
    fn ctx(&self) -> CallContext {
        match &self.session.role {
            Some(r) => self.browser_ctx(CallContext::session(&r.access_key_id)),
            None => self.user_ctx(),
        }
    }

    /// The signed-in user's own call context, the root user's or an IAM user's (Switch role
    /// calls AssumeRole as it).
    fn user_ctx(&self) -> CallContext {
        self.browser_ctx(if self.session.root {
            CallContext::root()
        } else {
            CallContext::user(&self.session.user)
        })
    }

    /// `base` from this peer, with the browser's user agent.
    fn browser_ctx(&self, base: CallContext) -> CallContext {
        CallContext {
            source_ip: self.req.peer.to_canonical().to_string(),
            user_agent: self.req.header("user-agent").unwrap_or("").to_string(),
            ..base
        }
    }

    /// One call of the simulated cloud as the signed-in identity.
    pub(crate) fn call(&mut self, op: &str, params: Json) -> Result<Json, SimError> {
        self.call_body(op, params, None).map(|r| r.fields)
    }

    /// One call with a body; a failure keeps its authorization decisions for the error page.
    pub(crate) fn call_body(
        &mut self,
        op: &str,
        params: Json,
        body: Option<&[u8]>,
    ) -> Result<crate::sim::ops::Response, SimError> {
        let ctx = self.ctx();
        self.call_as(&ctx, op, params, body)
    }

    /// One call as `ctx`; a failure keeps its authorization decisions for the error page.
    fn call_as(
        &mut self,
        ctx: &CallContext,
        op: &str,
        params: Json,
        body: Option<&[u8]>,
    ) -> Result<crate::sim::ops::Response, SimError> {
        self.cloud.explain_log = Some(Vec::new());
        let r = self.cloud.call(ctx, op, &params, body);
        let log = self.cloud.explain_log.take().unwrap_or_default();
        if r.is_err() {
            self.explained = log;
        }
        r
    }

    /// One call whose failure is shown in place (a list row), without its reasoning.
    pub(crate) fn call_quiet(&mut self, op: &str, params: Json) -> Result<Json, SimError> {
        let ctx = self.ctx();
        self.cloud.call_json(&ctx, op, &params)
    }

    /// This page's path and query, for the forms that come back to it (a POST's answer goes
    /// back home: its path is no page).
    fn here(&self) -> String {
        if self.req.method != "GET" {
            return "/_console/".into();
        }
        match self.req.raw_query.as_str() {
            "" => self.req.raw_path.clone(),
            q => format!("{}?{q}", self.req.raw_path),
        }
    }

    /// Who the pages act as: the role's display name and the user, or the user.
    fn identity(&self) -> Json {
        match &self.session.role {
            Some(r) => {
                json!({"user": self.session.user, "role": r.display, "role_arn": r.role_arn})
            }
            None if self.session.root => json!({"user": "Root user", "root": true}),
            None => json!({"user": self.session.user}),
        }
    }

    /// How the header names the signed-in user.
    fn me(&self) -> &str {
        if self.session.root {
            "Root user"
        } else {
            &self.session.user
        }
    }

    /// A query parameter of the page's URL.
    pub(crate) fn query(&self, name: &str) -> Option<String> {
        form::query(&self.req.raw_query, name)
    }

    /// What every page's layout shows: who, the clock, the CSRF token, the lab panel.
    fn common(&self, template: &str) -> serde_json::Map<String, Json> {
        let mut m = serde_json::Map::new();
        m.insert("me".into(), json!(self.me()));
        m.insert("identity".into(), self.identity());
        m.insert("here".into(), json!(self.here()));
        m.insert("clock_steps".into(), json!(clock::STEPS));
        m.insert("has_lab".into(), json!(self.lab.is_some()));
        m.insert("account".into(), json!(self.cloud.world.account_id));
        m.insert("region".into(), json!(self.cloud.world.region));
        m.insert("csrf".into(), json!(self.session.csrf.as_str()));
        m.insert(
            "now".into(),
            json!(crate::sim::clock::iso8601(self.cloud.now())),
        );
        // The lab's README beside every page but the lab's own (which shows it whole).
        if let Some(lab) = self.lab.filter(|_| template != "lab.html") {
            m.insert("lab_side".into(), lab.side());
        }
        m
    }

    /// A page rendered in the console's layout.
    pub(crate) fn render(&self, template: &str, mut data: Json) -> Response {
        if let Json::Object(m) = &mut data {
            for (k, v) in self.common(template) {
                m.entry(k).or_insert(v);
            }
        }
        render::page(200, template, &data)
    }

    /// The error page for a failed call: AWS's code and message, the HTTP status AWS gives.
    pub(crate) fn error(&self, doing: &str, e: &SimError) -> Response {
        let mut m = self.common("error.html");
        let denied = e.code == "AccessDenied" || e.code == "AccessDeniedException";
        m.insert("doing".into(), json!(doing));
        m.insert("code".into(), json!(e.code));
        m.insert("message".into(), json!(e.message));
        m.insert("denied".into(), json!(denied));
        m.insert("explained".into(), explain::to_json(&self.explained));
        // KMS answers AccessDeniedException with 400 on its wire; a page says 403 for any denial.
        let status = match (denied, e.status) {
            (true, _) => 403,
            (_, s) if s >= 400 => s,
            _ => 400,
        };
        render::page(status, "error.html", &Json::Object(m))
    }
}

/// A redirect after a POST (303, so the browser GETs the page).
pub(crate) fn see_other(location: &str) -> Response {
    render::secure(Response::new(303, "text/plain; charset=utf-8", "").header("location", location))
}

impl Console {
    pub fn new() -> Console {
        Console::default()
    }

    /// The console of working directory `dir`: with its lab panel when `dir` is a lab.
    pub fn for_dir(dir: &std::path::Path) -> Console {
        Console {
            lab: lab::Lab::at(dir),
            ..Console::default()
        }
    }

    /// Whether a request's head carries a live session cookie (so its body may be an
    /// upload; an unauthenticated peer gets a small form's worth).
    pub fn signed_in(&self, head: &Request, now_ms: i64) -> bool {
        self.sessions.of_request(head, now_ms).is_some()
    }

    /// Answers one console request at wall-clock time `now_ms`.
    pub fn handle(&mut self, cloud: &mut Cloud, req: &Request, now_ms: i64) -> Response {
        if let Err(r) = guard::admit(req) {
            return r.response();
        }
        let path = req.raw_path.as_str();
        let post = req.method == "POST";
        match (req.method.as_str(), path) {
            ("GET", "/_console/style.css") => return render::stylesheet(),
            ("GET", "/_console/signin") => return signin::form(self, req, None),
            ("POST", "/_console/signin") => return signin::submit(self, cloud, req, now_ms),
            _ => {}
        }
        if !matches!(req.method.as_str(), "GET" | "HEAD" | "POST") {
            return render::plain(405, "method not allowed");
        }
        let Some(session) = self.sessions.of_request(req, now_ms).cloned() else {
            if post {
                return Refusal::NoSession.response();
            }
            return see_other("/_console/signin");
        };
        let form = if post {
            let f = form::Form::parse(req);
            if !session::csrf_ok(&session, f.get("csrf")) {
                return Refusal::BadCsrf.response();
            }
            f
        } else {
            form::Form::default()
        };
        if (req.method.as_str(), path) == ("POST", "/_console/signout") {
            self.sessions.remove(&session.id);
            return signin::signed_out();
        }
        let mut page = Page {
            req,
            session: &session,
            cloud,
            form,
            explained: Vec::new(),
            switch: None,
            lab: self.lab.as_ref(),
        };
        let route = path.trim_start_matches(PREFIX);
        let answer = match (post, route) {
            (false, "" | "/") => Some(page.render("home.html", json!({}))),
            (_, r) if r.starts_with("/kms") => kms::route(&mut page, post, r),
            (_, r) if r.starts_with("/s3") => s3::route(&mut page, post, r),
            (_, r) if r.starts_with("/iam") => iam::route(&mut page, post, r),
            (_, r) if r.starts_with("/switchrole") => switch_role::route(&mut page, post, r),
            (_, r) if r.starts_with("/cloudtrail") => cloudtrail::route(&mut page, post, r),
            (_, r) if r.starts_with("/lab") => lab::route(&mut page, post, r),
            (true, "/clock/advance") => Some(clock::advance(&mut page)),
            _ => None,
        };
        if let Some(role) = page.switch.take() {
            self.sessions.set_role(&session.id, role);
        }
        answer.unwrap_or_else(|| render::plain(404, "no such console page"))
    }

    #[cfg(test)]
    fn sessions_mut(&mut self) -> &mut Sessions {
        &mut self.sessions
    }
}

/// Gives lab-admin a console password when it has none: a generated one, returned once (to be
/// printed by `keyform console` / `serve`); None when it already has one.
pub fn ensure_admin_password(
    cloud: &mut Cloud,
) -> Result<Option<zeroize::Zeroizing<String>>, SimError> {
    let has = cloud
        .world
        .iam
        .users
        .get(crate::sim::LAB_ADMIN)
        .is_some_and(|u| u.login_profile.is_some());
    if has {
        return Ok(None);
    }
    let pw = crate::sim::iam::generate_password(20).map_err(SimError::internal)?;
    cloud.call_json(
        &CallContext::lab_admin(),
        "iam:CreateLoginProfile",
        &json!({"UserName": crate::sim::LAB_ADMIN, "Password": pw.as_str()}),
    )?;
    Ok(Some(pw))
}

/// Gives the account root user a console password when it has none: its email address and a
/// generated password, returned once (None when it already has one).
pub fn ensure_root_password(
    cloud: &mut Cloud,
) -> Result<Option<(String, zeroize::Zeroizing<String>)>, SimError> {
    cloud.ensure_root_login()
}
