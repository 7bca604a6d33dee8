//! Who may drive the console: loopback peers naming a loopback `Host`, and for a POST, only the
//! console's own pages (same `Origin`, `Sec-Fetch-Site: same-origin` where sent). The CSRF
//! token and the session are checked by [`super::Console::handle`].

use serde_json::json;

use crate::serve::{Request, Response};

/// Why the console refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A peer off loopback: the console is for this machine only.
    OffLoopback,
    /// A `Host` that is not a loopback name or address (DNS rebinding).
    ForeignHost,
    /// A POST from another origin, or with no `Origin` at all.
    CrossOrigin,
    /// A POST without a live session.
    NoSession,
    /// A POST whose CSRF token is missing or wrong.
    BadCsrf,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::OffLoopback => "ConsoleLoopbackOnly",
            Refusal::ForeignHost => "ForeignHost",
            Refusal::CrossOrigin => "CrossSiteRequest",
            Refusal::NoSession => "NotSignedIn",
            Refusal::BadCsrf => "InvalidCsrfToken",
        }
    }

    fn message(self) -> &'static str {
        match self {
            Refusal::OffLoopback => "the console answers only this machine (loopback)",
            Refusal::ForeignHost => {
                "the Host header does not name this machine (127.0.0.1, ::1 or localhost)"
            }
            Refusal::CrossOrigin => "console forms are accepted only from the console's own pages",
            Refusal::NoSession => "sign in first: the session is missing or has expired",
            Refusal::BadCsrf => "the form's CSRF token is missing or does not match the session",
        }
    }

    /// 403 with a JSON body naming the refusal.
    pub fn response(self) -> Response {
        super::render::secure(Response::new(
            403,
            "application/json",
            json!({"code": self.code(), "error": self.message()}).to_string(),
        ))
    }
}

/// Whether `host` (a `Host` header) names this machine.
fn loopback_host(host: &str) -> bool {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

/// Refuses what must never reach a page (see the module documentation).
pub(super) fn admit(req: &Request) -> Result<(), Refusal> {
    if !req.peer.to_canonical().is_loopback() {
        return Err(Refusal::OffLoopback);
    }
    let Some(host) = req.header("host").filter(|h| loopback_host(h)) else {
        return Err(Refusal::ForeignHost);
    };
    if req.method != "GET" && req.method != "HEAD" {
        let own = format!("http://{}", host.trim());
        if req.header("origin") != Some(own.as_str()) {
            return Err(Refusal::CrossOrigin);
        }
        if req
            .header("sec-fetch-site")
            .is_some_and(|v| !v.eq_ignore_ascii_case("same-origin"))
        {
            return Err(Refusal::CrossOrigin);
        }
    }
    Ok(())
}
