//! The control endpoints (`/_keyform/reset`, `/_keyform/clock[/advance]`, `/moto-api/reset`)
//! and who may call them.
//!
//! They need no AWS credentials (moto's clients reset with a bare `POST`), so the danger is a
//! web page the trainer visits: a cross-site `<form>` or `fetch` to `127.0.0.1:4566` could
//! reset the world or move the clock past a pending deletion, and a DNS-rebinding page could
//! do it from what the browser believes is its own origin. [`admit`] refuses all of those:
//!
//! - any `Origin` header, and any `Sec-Fetch-Site` other than `none` (a URL typed into the
//!   address bar): browsers add them, scripts and SDKs do not;
//! - without the token, a peer off loopback (keep control on this machine), and a `Host` that
//!   is not a loopback name or address (DNS rebinding);
//! - a state-changing `POST` that a browser could send cross-site without a CORS preflight:
//!   it must carry the token, the non-simple header `X-Keyform-Control`, or neither a
//!   `Content-Type` nor a body (every HTML form sends a `Content-Type`, and every browser
//!   `fetch` that omits one sends `Origin`), which is moto's and `curl -X POST`'s form.
//!
//! The token is random per `keyform serve` and printed at start; with it (`X-Keyform-Token`)
//! control works from any peer, as `-bind` needs.

use std::net::IpAddr;

use serde_json::{Value as Json, json};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::{Request, Response, ServeError, Service};
use crate::sim::clock::{self, Millis};
use crate::sim::{LAB_ADMIN, World};

/// The header carrying the control token.
pub const TOKEN_HEADER: &str = "x-keyform-token";
/// A header no browser sends cross-site without a CORS preflight (which keyform never grants).
pub const CONTROL_HEADER: &str = "x-keyform-control";

/// Whether a path is a control endpoint.
pub fn is_control(path: &str) -> bool {
    path.starts_with("/_keyform/") || path.starts_with("/moto-api/")
}

/// A fresh random control token (128 bits, hex).
pub fn new_token() -> Result<Zeroizing<String>, ServeError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b)
        .map_err(|e| ServeError::Other(format!("could not draw a control token: {e}")))?;
    Ok(Zeroizing::new(hex::encode(b)))
}

/// Why a control request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A browser marked the request as coming from a web page (`Origin`, `Sec-Fetch-Site`).
    CrossSite(&'static str),
    /// `X-Keyform-Token` is present but not this server's token.
    WrongToken,
    /// A peer off loopback without the token.
    OffLoopback,
    /// The `Host` is not a loopback name (a DNS-rebinding page names its own host).
    ForeignHost,
    /// A `POST` in a form a browser can send cross-site without a preflight.
    SimpleRequest,
}

impl Refusal {
    /// The error code of the refusal's JSON body.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::CrossSite(_) => "CrossSiteRequest",
            Refusal::WrongToken => "InvalidControlToken",
            Refusal::OffLoopback => "ControlTokenRequired",
            Refusal::ForeignHost => "ForeignHost",
            Refusal::SimpleRequest => "SimpleRequestRefused",
        }
    }

    fn message(&self) -> String {
        let hint = format!(
            "send the token keyform serve printed at start as {TOKEN_HEADER}, or call from this machine"
        );
        match self {
            Refusal::CrossSite(h) => format!(
                "control endpoints refuse requests from web pages (the request carries {h}); call them from a script or a shell"
            ),
            Refusal::WrongToken => format!(
                "the {TOKEN_HEADER} header does not match the token keyform serve printed at start"
            ),
            Refusal::OffLoopback => {
                format!("control endpoints answer only loopback peers without a token: {hint}")
            }
            Refusal::ForeignHost => format!(
                "the Host header does not name this machine (127.0.0.1, ::1 or localhost): {hint}"
            ),
            Refusal::SimpleRequest => format!(
                "a POST with a Content-Type or a body must carry the {CONTROL_HEADER} header (or {TOKEN_HEADER}), so no web page can send it"
            ),
        }
    }

    /// The refusal as the control endpoints answer it (403, JSON).
    pub fn response(&self) -> Response {
        Response::new(
            403,
            "application/json",
            json!({"error": self.message(), "code": self.code()}).to_string(),
        )
    }
}

/// Whether a browser marked the request as sent by a web page. Scripts and SDKs send neither
/// header; a URL typed into the address bar is `Sec-Fetch-Site: none`.
pub fn from_web_page(req: &Request) -> Option<&'static str> {
    if req.header("origin").is_some() {
        return Some("Origin");
    }
    match req.header("sec-fetch-site") {
        Some(v) if !v.trim().eq_ignore_ascii_case("none") => Some("Sec-Fetch-Site"),
        _ => None,
    }
}

/// Whether `host` (a `Host` header: name or address, optional port) names this machine.
fn loopback_host(host: &str) -> bool {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

/// Decides whether a control request may run (see the module documentation).
pub fn admit(req: &Request, token: &str) -> Result<(), Refusal> {
    if let Some(h) = from_web_page(req) {
        return Err(Refusal::CrossSite(h));
    }
    if let Some(t) = req.header(TOKEN_HEADER) {
        let ok = t.len() == token.len() && bool::from(t.as_bytes().ct_eq(token.as_bytes()));
        return if ok { Ok(()) } else { Err(Refusal::WrongToken) };
    }
    if !req.peer.to_canonical().is_loopback() {
        return Err(Refusal::OffLoopback);
    }
    if !req.header("host").is_some_and(loopback_host) {
        return Err(Refusal::ForeignHost);
    }
    let read_only = matches!(req.method.as_str(), "GET" | "HEAD");
    let bare = req.header("content-type").is_none() && req.body.is_empty();
    if read_only || bare || req.header(CONTROL_HEADER).is_some() {
        Ok(())
    } else {
        Err(Refusal::SimpleRequest)
    }
}

impl Service {
    /// Answers a control request, once [`admit`] lets it in.
    pub(super) fn control(&mut self, req: &Request) -> Response {
        if let Err(r) = admit(req, &self.control_token) {
            return r.response();
        }
        let json_ok = |v: Json| Response::new(200, "application/json", v.to_string());
        let bad = |status: u16, msg: String| {
            Response::new(
                status,
                "application/json",
                json!({"error": msg}).to_string(),
            )
        };
        match (req.method.as_str(), req.raw_path.as_str()) {
            ("POST", "/_keyform/reset" | "/moto-api/reset") => match self.reset() {
                Ok(()) => json_ok(json!({"status": "ok", "now": clock::iso8601(self.cloud.now())})),
                Err(e) => bad(500, e.to_string()),
            },
            ("GET", "/_keyform/clock") => json_ok(json!({"now": clock::iso8601(self.cloud.now())})),
            ("POST", "/_keyform/clock/advance") => {
                let by = req
                    .query()
                    .into_iter()
                    .find(|(k, _)| k == "by")
                    .map(|(_, v)| v);
                let Some(by) = by else {
                    return bad(
                        400,
                        "clock/advance needs ?by=DURATION, like ?by=8d, 36h, 90m or 45s".into(),
                    );
                };
                let ms: Millis = match clock::parse_duration(&by) {
                    Ok(ms) => ms,
                    Err(e) => return bad(400, e),
                };
                let happened = self.cloud.advance_clock(ms);
                if let Err(e) = self.persist() {
                    return bad(500, e.message);
                }
                json_ok(json!({"now": clock::iso8601(self.cloud.now()), "happened": happened}))
            }
            (m, p) => bad(
                404,
                format!(
                    "no control endpoint {m} {p}: use POST /_keyform/reset, POST /_keyform/clock/advance?by=8d or GET /_keyform/clock"
                ),
            ),
        }
    }

    /// A fresh world in the same account and region; lab-admin keeps its access keys so the
    /// printed credentials stay valid. The state file is left as it is (the next plan shows
    /// what the reset removed).
    fn reset(&mut self) -> Result<(), ServeError> {
        let keys = self
            .cloud
            .world
            .iam
            .users
            .get(LAB_ADMIN)
            .map(|u| u.access_keys.clone())
            .unwrap_or_default();
        let w = &self.cloud.world;
        let world = World::new(
            &w.account_id,
            &w.region,
            clock::wall_clock_now(),
            crate::sim::ids::IdGen::random(),
        );
        self.cloud.replace_world(world);
        if let Some(u) = self.cloud.world.iam.users.get_mut(LAB_ADMIN) {
            u.access_keys = keys;
        }
        self.snapshot()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, peer: &str, headers: &[(&str, &str)], body: &[u8]) -> Request {
        Request {
            method: method.into(),
            raw_path: "/_keyform/reset".into(),
            raw_query: String::new(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.to_vec(),
            peer: peer.parse().unwrap(),
        }
    }

    const T: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn scripts_on_this_machine_get_in_and_web_pages_do_not() {
        let host = ("host", "127.0.0.1:4566");
        // moto's `requests.post(.../moto-api/reset)` and `curl -X POST`.
        assert_eq!(admit(&req("POST", "127.0.0.1", &[host], b""), T), Ok(()));
        assert_eq!(
            admit(&req("POST", "::1", &[("host", "[::1]:4566")], b""), T),
            Ok(())
        );
        assert_eq!(
            admit(&req("POST", "127.0.0.1", &[("host", "localhost")], b""), T),
            Ok(())
        );
        // A cross-site form, fetch or beacon.
        let form = [
            host,
            ("origin", "https://evil.example"),
            ("content-type", "application/x-www-form-urlencoded"),
        ];
        assert_eq!(
            admit(&req("POST", "127.0.0.1", &form, b"a=b"), T),
            Err(Refusal::CrossSite("Origin"))
        );
        assert_eq!(
            admit(
                &req("POST", "127.0.0.1", &[host, ("origin", "null")], b""),
                T
            ),
            Err(Refusal::CrossSite("Origin"))
        );
        let nav = [host, ("sec-fetch-site", "cross-site")];
        assert_eq!(
            admit(&req("GET", "127.0.0.1", &nav, b""), T),
            Err(Refusal::CrossSite("Sec-Fetch-Site"))
        );
        // Typed into the address bar: fine.
        let typed = [host, ("sec-fetch-site", "none")];
        assert_eq!(admit(&req("GET", "127.0.0.1", &typed, b""), T), Ok(()));
        // DNS rebinding: the page's own host name.
        assert_eq!(
            admit(
                &req("POST", "127.0.0.1", &[("host", "evil.example:4566")], b""),
                T
            ),
            Err(Refusal::ForeignHost)
        );
        assert_eq!(
            admit(&req("POST", "127.0.0.1", &[], b""), T),
            Err(Refusal::ForeignHost)
        );
        // A form without Origin (an old browser) still has a Content-Type.
        let old = [host, ("content-type", "text/plain")];
        assert_eq!(
            admit(&req("POST", "127.0.0.1", &old, b""), T),
            Err(Refusal::SimpleRequest)
        );
        let marked = [
            host,
            ("content-type", "text/plain"),
            ("x-keyform-control", "1"),
        ];
        assert_eq!(admit(&req("POST", "127.0.0.1", &marked, b"x"), T), Ok(()));
    }

    #[test]
    fn off_loopback_only_the_token_gets_in() {
        let host = ("host", "10.0.0.5:4566");
        assert_eq!(
            admit(&req("POST", "10.0.0.9", &[host], b""), T),
            Err(Refusal::OffLoopback)
        );
        assert_eq!(
            admit(
                &req("POST", "10.0.0.9", &[host, ("x-keyform-token", T)], b""),
                T
            ),
            Ok(())
        );
        let wrong = "0123456789abcdef0123456789abcdee";
        assert_eq!(
            admit(
                &req(
                    "POST",
                    "127.0.0.1",
                    &[host, ("x-keyform-token", wrong)],
                    b""
                ),
                T
            ),
            Err(Refusal::WrongToken)
        );
        // The token does not make a web page's request acceptable.
        assert_eq!(
            admit(
                &req(
                    "POST",
                    "10.0.0.9",
                    &[host, ("x-keyform-token", T), ("origin", "http://x")],
                    b""
                ),
                T
            ),
            Err(Refusal::CrossSite("Origin"))
        );
        // An IPv4-mapped loopback peer is loopback.
        assert_eq!(
            admit(
                &req("POST", "::ffff:127.0.0.1", &[("host", "127.0.0.1")], b""),
                T
            ),
            Ok(())
        );
        assert!(!loopback_host("127.0.0.1.evil.example"));
        assert!(loopback_host("127.1.2.3:80"));
    }
}
