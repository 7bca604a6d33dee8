//! Sign-in and sign-out. The sign-in form (an IAM user: account id, user name, password; or
//! the root user: the account's email address and password) carries its own
//! CSRF token, double-submitted in a SameSite=Strict cookie, so no other site can sign a
//! browser in as someone else; a good password starts a session.

use serde_json::json;

use super::session::{self, SESSION_COOKIE, SESSION_LIFETIME_MS, SIGNIN_COOKIE};
use super::{Console, form::Form, render};
use crate::serve::{Request, Response};
use crate::sim::Cloud;

/// The sign-in page (the IAM user form, or with `?as=root` the root user's), with a fresh
/// form token (and `error` when the last try failed).
pub(super) fn form(_console: &Console, req: &Request, error: Option<&str>) -> Response {
    let token = session::random_token();
    let root = super::form::query(&req.raw_query, "as").is_some_and(|a| a == "root")
        || (req.method == "POST" && Form::parse(req).text("kind") == "root");
    render::page(
        if error.is_some() { 401 } else { 200 },
        "signin.html",
        &json!({"csrf": token.as_str(), "error": error, "root": root}),
    )
    .header(
        "set-cookie",
        session::set_cookie(SIGNIN_COOKIE, &token, 3600),
    )
}

pub(super) fn submit(
    console: &mut Console,
    cloud: &mut Cloud,
    req: &Request,
    now_ms: i64,
) -> Response {
    let f = Form::parse(req);
    let expected = session::cookie(req, SIGNIN_COOKIE).unwrap_or("");
    if !session::token_eq(expected, f.get("csrf")) {
        return super::Refusal::BadCsrf.response();
    }
    let root = f.text("kind") == "root";
    let password = zeroize::Zeroizing::new(f.get("password").unwrap_or("").to_string());
    let ip = req.peer.to_canonical().to_string();
    let ua = req.header("user-agent").unwrap_or("");
    let (user, signed_in) = if root {
        let ok = cloud.root_sign_in(&f.text("email"), &password, &ip, ua);
        ("root".to_string(), ok)
    } else {
        let (account, user) = (f.text("account"), f.text("username"));
        let ok = cloud.console_sign_in(&account, &user, &password, &ip, ua);
        (user, ok)
    };
    if signed_in.is_err() {
        // AWS's sign-in page says the same whatever was wrong.
        return form(
            console,
            req,
            Some("Your authentication information is incorrect. Please try again."),
        );
    }
    let Some(s) = console.sessions.start(&user, root, now_ms) else {
        return render::plain(500, "the console could not draw a session id");
    };
    super::see_other("/_console/")
        .header(
            "set-cookie",
            session::set_cookie(SESSION_COOKIE, &s.id, SESSION_LIFETIME_MS / 1000),
        )
        .header("set-cookie", session::set_cookie(SIGNIN_COOKIE, "", 0))
}

pub(super) fn signed_out() -> Response {
    super::see_other("/_console/signin")
        .header("set-cookie", session::set_cookie(SESSION_COOKIE, "", 0))
}
