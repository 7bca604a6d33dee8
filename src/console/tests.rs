//! The console without a browser: who gets in (CSRF, origin, host, peer, session expiry,
//! sign-out) and what a signed-in user sees (their own rights, AWS's denials).

use serde_json::json;

use super::*;
use crate::sim::ids::IdGen;

const HOST: &str = "127.0.0.1:4566";
const ORIGIN: &str = "http://127.0.0.1:4566";
const T0: i64 = 1_800_000_000_000;

fn world() -> Cloud {
    let mut c = Cloud::in_memory("123456789012", "us-east-1", 0, IdGen::seeded(5)).unwrap();
    let admin = CallContext::lab_admin();
    for (u, pw) in [("alice", "Alice-passw0rd"), ("nobody", "Nobody-passw0rd")] {
        c.call_json(&admin, "iam:CreateUser", &json!({"UserName": u}))
            .unwrap();
        c.call_json(
            &admin,
            "iam:CreateLoginProfile",
            &json!({"UserName": u, "Password": pw}),
        )
        .unwrap();
    }
    c.call_json(
        &admin,
        "iam:AttachUserPolicy",
        &json!({"UserName": "alice", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
    )
    .unwrap();
    c
}

fn req(method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Request {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let mut h: Vec<(String, String)> = vec![("host".into(), HOST.into())];
    h.extend(headers.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    if method == "POST"
        && !headers
            .iter()
            .any(|(k, _)| *k == "origin" || *k == "no-origin")
    {
        h.push(("origin".into(), ORIGIN.into()));
        h.push((
            "content-type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
    }
    h.retain(|(k, _)| k != "no-origin");
    Request {
        method: method.into(),
        raw_path: path.into(),
        raw_query: query.into(),
        headers: h,
        body: body.as_bytes().to_vec(),
        peer: "127.0.0.1".parse().unwrap(),
    }
}

fn header<'a>(r: &'a Response, name: &str) -> Vec<&'a str> {
    r.headers
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

fn body(r: &Response) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

/// The value of `name="csrf" value="..."` in a page.
fn csrf_of(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    page[at..at + 64].to_string()
}

fn cookie_of(r: &Response, name: &str) -> String {
    header(r, "set-cookie")
        .into_iter()
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .and_then(|c| c.split(';').next())
        .unwrap_or_default()
        .to_string()
}

/// Signs `user` in; returns (cookie header, csrf token).
fn sign_in(con: &mut Console, c: &mut Cloud, user: &str, pw: &str, now: i64) -> (String, String) {
    let form = con.handle(c, &req("GET", "/_console/signin", &[], ""), now);
    assert_eq!(form.status, 200);
    let pre = cookie_of(&form, session::SIGNIN_COOKIE);
    let token = csrf_of(&body(&form));
    let cookie = format!("{}={pre}", session::SIGNIN_COOKIE);
    let b = format!("csrf={token}&account=123456789012&username={user}&password={pw}");
    let r = con.handle(
        c,
        &req("POST", "/_console/signin", &[("cookie", &cookie)], &b),
        now,
    );
    assert_eq!(r.status, 303, "{}", body(&r));
    let set = header(&r, "set-cookie").join("\n");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    let sid = cookie_of(&r, SESSION_COOKIE);
    let cookie = format!("{SESSION_COOKIE}={sid}");
    let home = con.handle(
        c,
        &req("GET", "/_console/", &[("cookie", &cookie)], ""),
        now,
    );
    assert_eq!(home.status, 200);
    (cookie, csrf_of(&body(&home)))
}

#[test]
fn unauthenticated_pages_redirect_to_sign_in_and_posts_are_refused() {
    let (mut con, mut c) = (Console::new(), world());
    for p in [
        "/_console/",
        "/_console/kms",
        "/_console/s3/bucket?name=x",
        "/_console/cloudtrail",
    ] {
        let r = con.handle(&mut c, &req("GET", p, &[], ""), T0);
        assert_eq!(
            (r.status, header(&r, "location")),
            (303, vec!["/_console/signin"]),
            "{p}"
        );
    }
    let r = con.handle(
        &mut c,
        &req("POST", "/_console/kms/create", &[], "csrf=x"),
        T0,
    );
    assert_eq!(r.status, 403);
    assert!(body(&r).contains("NotSignedIn"));
    let r = con.handle(
        &mut c,
        &req(
            "GET",
            "/_console/kms",
            &[("cookie", "keyform_console=00ff")],
            "",
        ),
        T0,
    );
    assert_eq!(r.status, 303, "a made-up session id is no session");
}

#[test]
fn a_wrong_password_or_account_signs_nobody_in() {
    let (mut con, mut c) = (Console::new(), world());
    let form = con.handle(&mut c, &req("GET", "/_console/signin", &[], ""), T0);
    let cookie = format!(
        "{}={}",
        session::SIGNIN_COOKIE,
        cookie_of(&form, session::SIGNIN_COOKIE)
    );
    let token = csrf_of(&body(&form));
    for (acct, pw) in [
        ("123456789012", "Wrong-passw0rd"),
        ("999999999999", "Alice-passw0rd"),
    ] {
        let b = format!("csrf={token}&account={acct}&username=alice&password={pw}");
        let r = con.handle(
            &mut c,
            &req("POST", "/_console/signin", &[("cookie", &cookie)], &b),
            T0,
        );
        assert_eq!(r.status, 401);
        assert!(body(&r).contains("Your authentication information is incorrect"));
        assert!(!body(&r).contains(pw), "the page repeats the password");
        assert!(cookie_of(&r, SESSION_COOKIE).is_empty());
    }
    // The sign-in form's own token: a cross-site form cannot sign a browser in.
    let b = "csrf=forged&account=123456789012&username=alice&password=Alice-passw0rd";
    let r = con.handle(
        &mut c,
        &req("POST", "/_console/signin", &[("cookie", &cookie)], b),
        T0,
    );
    assert_eq!(r.status, 403);
    assert!(body(&r).contains("InvalidCsrfToken"));
}

#[test]
fn a_post_without_the_sessions_csrf_token_changes_nothing() {
    let (mut con, mut c) = (Console::new(), world());
    let (cookie, csrf) = sign_in(&mut con, &mut c, "alice", "Alice-passw0rd", T0);
    let keys = c.world.kms.keys.len();
    for b in [
        "description=x".to_string(),
        "csrf=&description=x".into(),
        format!("csrf={}&description=x", "0".repeat(64)),
    ] {
        let r = con.handle(
            &mut c,
            &req("POST", "/_console/kms/create", &[("cookie", &cookie)], &b),
            T0,
        );
        assert_eq!(r.status, 403, "{b}");
        assert!(body(&r).contains("InvalidCsrfToken"));
    }
    // Another session's token is not this one's.
    let (_, other) = sign_in(&mut con, &mut c, "alice", "Alice-passw0rd", T0);
    let b = format!("csrf={other}&description=x");
    let r = con.handle(
        &mut c,
        &req("POST", "/_console/kms/create", &[("cookie", &cookie)], &b),
        T0,
    );
    assert_eq!(r.status, 403);
    assert_eq!(c.world.kms.keys.len(), keys, "a refused form created a key");
    let b = format!("csrf={csrf}&description=x&alias=ok");
    let r = con.handle(
        &mut c,
        &req("POST", "/_console/kms/create", &[("cookie", &cookie)], &b),
        T0,
    );
    assert_eq!(r.status, 303, "{}", body(&r));
    assert_eq!(c.world.kms.keys.len(), keys + 1);
}

#[test]
fn cross_origin_and_foreign_host_requests_are_refused() {
    let (mut con, mut c) = (Console::new(), world());
    let (cookie, csrf) = sign_in(&mut con, &mut c, "alice", "Alice-passw0rd", T0);
    let b = format!("csrf={csrf}&name=evil-bucket");
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![("origin", "http://evil.example"), ("cookie", &cookie)],
            "CrossSiteRequest",
        ),
        (
            vec![("origin", "null"), ("cookie", &cookie)],
            "CrossSiteRequest",
        ),
        (
            vec![("no-origin", ""), ("cookie", &cookie)],
            "CrossSiteRequest",
        ),
        (
            vec![
                ("origin", ORIGIN),
                ("sec-fetch-site", "cross-site"),
                ("cookie", &cookie),
            ],
            "CrossSiteRequest",
        ),
        (
            vec![("origin", "http://localhost:4566"), ("cookie", &cookie)],
            "CrossSiteRequest",
        ),
    ];
    for (h, code) in cases {
        let r = con.handle(&mut c, &req("POST", "/_console/s3/create", &h, &b), T0);
        assert_eq!(r.status, 403, "{h:?}");
        assert!(body(&r).contains(code), "{h:?}: {}", body(&r));
    }
    // DNS rebinding: the page's own origin, but a Host that is not this machine.
    let mut r = req("POST", "/_console/s3/create", &[("cookie", &cookie)], &b);
    r.headers.retain(|(k, _)| k != "host" && k != "origin");
    r.headers
        .push(("host".into(), "rebind.example:4566".into()));
    r.headers
        .push(("origin".into(), "http://rebind.example:4566".into()));
    let resp = con.handle(&mut c, &r, T0);
    assert!(resp.status == 403 && body(&resp).contains("ForeignHost"));
    // A peer off loopback (serve -bind=0.0.0.0): the console is not for it.
    let mut r = req("GET", "/_console/signin", &[], "");
    r.peer = "192.0.2.7".parse().unwrap();
    let resp = con.handle(&mut c, &r, T0);
    assert!(resp.status == 403 && body(&resp).contains("ConsoleLoopbackOnly"));
    assert!(
        c.world.s3.buckets.is_empty(),
        "a refused form created a bucket"
    );
}

#[test]
fn sessions_expire_after_twelve_hours() {
    let (mut con, mut c) = (Console::new(), world());
    let (cookie, _) = sign_in(&mut con, &mut c, "alice", "Alice-passw0rd", T0);
    let get = |con: &mut Console, c: &mut Cloud, now| {
        con.handle(
            c,
            &req("GET", "/_console/kms", &[("cookie", &cookie)], ""),
            now,
        )
        .status
    };
    assert_eq!(get(&mut con, &mut c, T0 + SESSION_LIFETIME_MS - 1), 200);
    assert_eq!(get(&mut con, &mut c, T0 + SESSION_LIFETIME_MS), 303);
}

#[test]
fn signing_out_ends_the_session() {
    let (mut con, mut c) = (Console::new(), world());
    let (cookie, csrf) = sign_in(&mut con, &mut c, "alice", "Alice-passw0rd", T0);
    let r = con.handle(
        &mut c,
        &req(
            "POST",
            "/_console/signout",
            &[("cookie", &cookie)],
            &format!("csrf={csrf}"),
        ),
        T0,
    );
    assert_eq!(
        (r.status, header(&r, "location")),
        (303, vec!["/_console/signin"])
    );
    assert!(
        header(&r, "set-cookie")
            .iter()
            .any(|c| c.contains("Max-Age=0"))
    );
    let r = con.handle(
        &mut c,
        &req("GET", "/_console/kms", &[("cookie", &cookie)], ""),
        T0,
    );
    assert_eq!(r.status, 303, "the old cookie still works");
    assert_eq!(con.sessions_mut().len(), 0);
}

#[test]
fn pages_act_as_the_signed_in_user_and_show_awss_denials() {
    let (mut con, mut c) = (Console::new(), world());
    let (alice, csrf) = sign_in(&mut con, &mut c, "alice", "Alice-passw0rd", T0);
    let post = |con: &mut Console, c: &mut Cloud, path: &str, b: String| {
        con.handle(c, &req("POST", path, &[("cookie", &alice)], &b), T0)
    };
    let r = post(
        &mut con,
        &mut c,
        "/_console/kms/create",
        format!("csrf={csrf}&alias=lab-key&key_users=alice"),
    );
    assert_eq!(r.status, 303, "{}", body(&r));
    let key_id = c.world.kms.keys.keys().next().unwrap().clone();
    let page = body(&con.handle(
        &mut c,
        &req(
            "GET",
            &format!("/_console/kms/key?id={key_id}"),
            &[("cookie", &alice)],
            "",
        ),
        T0,
    ));
    assert!(
        page.contains("alias&#x2f;lab-key") && page.contains("Allow use of the key"),
        "{page}"
    );
    let r = post(
        &mut con,
        &mut c,
        "/_console/s3/create",
        format!("csrf={csrf}&name=lab-bucket"),
    );
    assert_eq!(r.status, 303);
    let r = post(
        &mut con,
        &mut c,
        "/_console/s3/bucket/encryption",
        format!("csrf={csrf}&bucket=lab-bucket&algorithm=aws%3Akms&key=alias%2Flab-key"),
    );
    assert_eq!(r.status, 303, "{}", body(&r));
    // An upload (multipart), then its properties.
    let mp = format!(
        "--B\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--B\r\nContent-Disposition: form-data; name=\"bucket\"\r\n\r\nlab-bucket\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"test.txt\"\r\nContent-Type: text/plain\r\n\r\nkms encryption test file\r\n--B--\r\n"
    );
    let mut up = req(
        "POST",
        "/_console/s3/bucket/upload",
        &[("cookie", &alice)],
        "",
    );
    up.headers.retain(|(k, _)| k != "content-type");
    up.headers.push((
        "content-type".into(),
        "multipart/form-data; boundary=B".into(),
    ));
    up.body = mp.into_bytes();
    let r = con.handle(&mut c, &up, T0);
    assert_eq!(r.status, 303, "{}", body(&r));
    let props = body(&con.handle(
        &mut c,
        &req(
            "GET",
            "/_console/s3/object?bucket=lab-bucket&key=test.txt",
            &[("cookie", &alice)],
            "",
        ),
        T0,
    ));
    let arn = c.world.kms.keys[&key_id].arn.clone();
    assert!(
        props.contains("(SSE-KMS)") && props.contains(&arn.replace('/', "&#x2f;")),
        "{props}"
    );
    let dl = con.handle(
        &mut c,
        &req(
            "GET",
            "/_console/s3/download?bucket=lab-bucket&key=test.txt",
            &[("cookie", &alice)],
            "",
        ),
        T0,
    );
    assert_eq!(body(&dl), "kms encryption test file");
    assert!(header(&dl, "content-disposition")[0].starts_with("attachment;"));

    // A user without rights sees AWS's AccessDenied where AWS shows it.
    let (nobody, _) = sign_in(&mut con, &mut c, "nobody", "Nobody-passw0rd", T0);
    for p in [
        "/_console/kms",
        "/_console/s3",
        "/_console/s3/object?bucket=lab-bucket&key=test.txt",
        "/_console/cloudtrail",
    ] {
        let r = con.handle(&mut c, &req("GET", p, &[("cookie", &nobody)], ""), T0);
        let page = body(&r);
        assert_eq!(r.status, 403, "{p}: {page}");
        assert!(
            page.contains("Access denied") && page.contains("nobody"),
            "{p}: {page}"
        );
    }
    // CloudTrail shows the console's calls under the user's name, sign-ins included.
    let trail = body(&con.handle(
        &mut c,
        &req(
            "GET",
            "/_console/cloudtrail?attribute=Username&value=alice",
            &[("cookie", &alice)],
            "",
        ),
        T0,
    ));
    assert!(
        trail.contains("CreateKey")
            && trail.contains("ConsoleLogin")
            && !trail.contains("PutObject"),
        "{trail}"
    );
}

#[test]
fn every_answer_carries_the_security_headers_and_no_secret() {
    let (mut con, mut c) = (Console::new(), world());
    let (cookie, _) = sign_in(&mut con, &mut c, "alice", "Alice-passw0rd", T0);
    let hash = c.world.iam.users["alice"]
        .login_profile
        .as_ref()
        .unwrap()
        .password_hash
        .clone();
    for p in [
        "/_console/signin",
        "/_console/",
        "/_console/kms",
        "/_console/s3",
        "/_console/cloudtrail",
        "/_console/style.css",
        "/_console/nope",
    ] {
        let r = con.handle(&mut c, &req("GET", p, &[("cookie", &cookie)], ""), T0);
        assert_eq!(
            header(&r, "content-security-policy"),
            vec![render::CSP],
            "{p}"
        );
        assert_eq!(header(&r, "x-frame-options"), vec!["DENY"], "{p}");
        let page = body(&r);
        for secret in [
            "Alice-passw0rd",
            hash.as_str(),
            cookie.split('=').nth(1).unwrap(),
        ] {
            assert!(!page.contains(secret), "{p} shows a secret");
        }
    }
}

/// A signed-in browser: GETs and POSTs with its cookie and CSRF token.
struct Tab {
    cookie: String,
    csrf: String,
}

impl Tab {
    fn get(&self, con: &mut Console, c: &mut Cloud, path: &str) -> Response {
        con.handle(c, &req("GET", path, &[("cookie", &self.cookie)], ""), T0)
    }

    fn post(
        &self,
        con: &mut Console,
        c: &mut Cloud,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        let b = serde_urlencoded::to_string(&all).unwrap();
        con.handle(c, &req("POST", path, &[("cookie", &self.cookie)], &b), T0)
    }
}

fn tab(con: &mut Console, c: &mut Cloud, user: &str, pw: &str) -> Tab {
    let (cookie, csrf) = sign_in(con, c, user, pw, T0);
    Tab { cookie, csrf }
}

#[test]
fn iam_pages_create_a_user_with_a_password_and_a_policy_as_the_signed_in_user() {
    let (mut con, mut c) = (Console::new(), world());
    let alice = tab(&mut con, &mut c, "alice", "Alice-passw0rd");
    let r = alice.post(
        &mut con,
        &mut c,
        "/_console/iam/users/create",
        &[
            ("name", "S3-Admin-User"),
            ("password", "S3-admin-passw0rd!"),
            ("policy", "arn:aws:iam::aws:policy/AmazonS3FullAccess"),
        ],
    );
    assert_eq!(r.status, 303, "{}", body(&r));
    let page = body(&alice.get(&mut con, &mut c, "/_console/iam/user?name=S3-Admin-User"));
    assert!(
        page.contains("AmazonS3FullAccess") && page.contains("Console access: enabled"),
        "{page}"
    );
    // The new user signs in with that password.
    tab(&mut con, &mut c, "S3-Admin-User", "S3-admin-passw0rd!");
    // An access key's secret is on its one page, never on the user's page.
    let r = alice.post(
        &mut con,
        &mut c,
        "/_console/iam/user/access-key",
        &[("name", "S3-Admin-User")],
    );
    let shown = body(&r);
    let key = c.world.iam.users["S3-Admin-User"]
        .access_keys
        .first()
        .map(|k| k.id.clone());
    assert!(shown.contains("only time"), "{shown}");
    let page = body(&alice.get(&mut con, &mut c, "/_console/iam/user?name=S3-Admin-User"));
    let at = shown.find("id=\"new-key-secret\">").unwrap() + 19;
    let secret = &shown[at..at + 40];
    assert!(!page.contains(secret), "the secret is shown again");
    assert!(key.is_some_and(|k| page.contains(&k)), "{page}");
    // Without IAM rights: AWS's denial, with the reasoning one click away.
    let nobody = tab(&mut con, &mut c, "nobody", "Nobody-passw0rd");
    let r = nobody.post(
        &mut con,
        &mut c,
        "/_console/iam/users/create",
        &[("name", "x")],
    );
    let page = body(&r);
    assert_eq!(r.status, 403);
    assert!(
        page.contains("iam:CreateUser") && page.contains("id=\"why\"") && page.contains("DENY"),
        "{page}"
    );
    assert!(!c.world.iam.users.contains_key("x"));
}

#[test]
fn switch_role_acts_as_the_role_session_until_switch_back() {
    let (mut con, mut c) = (Console::new(), world());
    let alice = tab(&mut con, &mut c, "alice", "Alice-passw0rd");
    let r = alice.post(
        &mut con,
        &mut c,
        "/_console/iam/roles/create",
        &[
            ("name", "auditor"),
            ("trusted", "123456789012"),
            ("policy", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"),
        ],
    );
    assert_eq!(r.status, 303, "{}", body(&r));
    let r = alice.post(
        &mut con,
        &mut c,
        "/_console/switchrole",
        &[("account", "123456789012"), ("role", "auditor")],
    );
    assert_eq!(r.status, 303, "{}", body(&r));
    let home = body(&alice.get(&mut con, &mut c, "/_console/"));
    assert!(home.contains("auditor (role, as alice)"), "{home}");
    // The role may read S3 but not create a bucket: the denial names the assumed role.
    assert_eq!(alice.get(&mut con, &mut c, "/_console/s3").status, 200);
    let r = alice.post(
        &mut con,
        &mut c,
        "/_console/s3/create",
        &[("name", "role-bucket")],
    );
    let page = body(&r);
    assert_eq!(r.status, 403, "{page}");
    assert!(
        page.contains("assumed-role&#x2f;auditor&#x2f;alice"),
        "{page}"
    );
    alice.post(&mut con, &mut c, "/_console/switchrole/back", &[]);
    let r = alice.post(
        &mut con,
        &mut c,
        "/_console/s3/create",
        &[("name", "role-bucket")],
    );
    assert_eq!(r.status, 303, "back as alice: {}", body(&r));
    // Someone the role's trust does not let in (no sts:AssumeRole of their own) stays themselves.
    let nobody = tab(&mut con, &mut c, "nobody", "Nobody-passw0rd");
    let r = nobody.post(
        &mut con,
        &mut c,
        "/_console/switchrole",
        &[("account", "123456789012"), ("role", "auditor")],
    );
    assert_eq!(r.status, 403, "{}", body(&r));
    assert!(body(&nobody.get(&mut con, &mut c, "/_console/")).contains("nobody @ 123456789012"));
}

#[test]
fn key_users_are_added_and_removed_and_the_bucket_policy_is_edited_with_one_call_each() {
    let (mut con, mut c) = (Console::new(), world());
    let alice = tab(&mut con, &mut c, "alice", "Alice-passw0rd");
    alice.post(&mut con, &mut c, "/_console/kms/create", &[("alias", "k")]);
    let id = c.world.kms.keys.keys().next().unwrap().clone();
    let change = |con: &mut Console, c: &mut Cloud, how: &str| {
        let r = alice.post(
            con,
            c,
            "/_console/kms/key/principals",
            &[
                ("id", &id),
                ("role", "users"),
                ("change", how),
                ("principal", "nobody"),
            ],
        );
        assert_eq!(r.status, 303, "{}", body(&r));
        c.world.kms.keys[&id].policy.clone()
    };
    let added = change(&mut con, &mut c, "add");
    assert!(
        added.contains("Allow use of the key") && added.contains("user/nobody"),
        "{added}"
    );
    let page = body(&alice.get(&mut con, &mut c, &format!("/_console/kms/key?id={id}")));
    assert!(
        page.contains("id=\"key-users\"") && page.contains("nobody"),
        "{page}"
    );
    let removed = change(&mut con, &mut c, "remove");
    assert!(!removed.contains("user/nobody"), "{removed}");
    // The JSON editor: KMS's own validation answers a bad document.
    let r = alice.post(
        &mut con,
        &mut c,
        "/_console/kms/key/policy",
        &[("id", &id), ("policy", "{not json")],
    );
    assert!(
        body(&r).contains("MalformedPolicyDocumentException"),
        "{}",
        body(&r)
    );

    alice.post(
        &mut con,
        &mut c,
        "/_console/s3/create",
        &[("name", "pol-bucket")],
    );
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pol-bucket/*"}]}"#;
    let r = alice.post(
        &mut con,
        &mut c,
        "/_console/s3/bucket/policy",
        &[("bucket", "pol-bucket"), ("policy", deny)],
    );
    assert_eq!(r.status, 303, "{}", body(&r));
    assert!(
        c.world.s3.buckets["pol-bucket"]
            .policy
            .as_deref()
            .is_some_and(|p| p.contains("Deny"))
    );
    let page = body(&alice.get(
        &mut con,
        &mut c,
        "/_console/s3/bucket/permissions?name=pol-bucket",
    ));
    assert!(
        page.contains("&quot;Deny&quot;") || page.contains("\"Deny\""),
        "{page}"
    );
    let r = alice.post(
        &mut con,
        &mut c,
        "/_console/s3/bucket/policy-delete",
        &[("bucket", "pol-bucket")],
    );
    assert_eq!(r.status, 303);
    assert!(c.world.s3.buckets["pol-bucket"].policy.is_none());
}

#[test]
fn advance_time_moves_the_worlds_clock_and_returns_to_the_page() {
    let (mut con, mut c) = (Console::new(), world());
    let alice = tab(&mut con, &mut c, "alice", "Alice-passw0rd");
    let before = c.now();
    let r = alice.post(
        &mut con,
        &mut c,
        "/_console/clock/advance",
        &[("by", "7d"), ("back", "/_console/kms")],
    );
    assert_eq!(header(&r, "location"), vec!["/_console/kms"]);
    assert_eq!(c.now() - before, 7 * 86_400_000);
    // Elsewhere is no place to return to; an odd step is refused.
    let r = alice.post(
        &mut con,
        &mut c,
        "/_console/clock/advance",
        &[("by", "1h"), ("back", "//evil.example/")],
    );
    assert_eq!(header(&r, "location"), vec!["/_console/"]);
    let r = alice.post(
        &mut con,
        &mut c,
        "/_console/clock/advance",
        &[("by", "-5d")],
    );
    assert_eq!(r.status, 400);
}

#[path = "tests_pages.rs"]
mod pages;
