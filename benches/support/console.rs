//! The web console's pages on a world of 1,000 keys (each with an alias) and 1,000 buckets:
//! each page rendered through `Console::handle` as a signed-in lab-admin, every call it makes
//! included (the keys list's DescribeKey per row). Target: under 50 ms a page.

use std::time::{Duration, Instant};

use keyform::console::{Console, SESSION_COOKIE};
use keyform::serve::{Request, Response};
use keyform::sim::ids::IdGen;
use keyform::sim::{CallContext, Cloud};
use serde_json::json;

const HOST: &str = "127.0.0.1:4566";
const PASSWORD: &str = "Bench-passw0rd!";

fn req(method: &str, path: &str, cookie: &str, body: &str) -> Request {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let mut headers = vec![("host".to_string(), HOST.to_string())];
    if !cookie.is_empty() {
        headers.push(("cookie".into(), cookie.into()));
    }
    if method == "POST" {
        headers.push(("origin".into(), format!("http://{HOST}")));
        headers.push((
            "content-type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
    }
    Request {
        method: method.into(),
        raw_path: path.into(),
        raw_query: query.into(),
        headers,
        body: body.as_bytes().to_vec(),
        peer: std::net::IpAddr::from([127, 0, 0, 1]),
    }
}

fn cookie_of(r: &Response, name: &str) -> String {
    r.headers
        .iter()
        .filter(|(n, _)| n == "set-cookie")
        .find_map(|(_, v)| v.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .to_string()
}

fn csrf_of(page: &[u8]) -> String {
    let page = String::from_utf8_lossy(page);
    let at = page.find("name=\"csrf\" value=\"").map_or(0, |i| i + 19);
    page.get(at..at + 64).unwrap_or_default().to_string()
}

/// A world of `n` keys with aliases and `n` buckets, and a signed-in console session.
fn setup(n: usize) -> (Cloud, Console, String, String) {
    let mut c =
        Cloud::in_memory("123456789012", "us-east-1", super::T0, IdGen::seeded(3)).expect("cloud");
    let admin = CallContext::lab_admin();
    for i in 0..n {
        let k = c
            .call_json(
                &admin,
                "kms:CreateKey",
                &json!({"Description": format!("key {i}")}),
            )
            .expect("key");
        let id = k["KeyMetadata"]["KeyId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        c.call_json(
            &admin,
            "kms:CreateAlias",
            &json!({"AliasName": format!("alias/key-{i:04}"), "TargetKeyId": id}),
        )
        .expect("alias");
        c.call_json(
            &admin,
            "s3:CreateBucket",
            &json!({"Bucket": format!("bucket-{i:04}")}),
        )
        .expect("bucket");
    }
    let first_key = c.world.kms.keys.keys().next().cloned().unwrap_or_default();
    c.call_json(
        &admin,
        "iam:CreateLoginProfile",
        &json!({"UserName": "lab-admin", "Password": PASSWORD}),
    )
    .expect("password");
    let mut con = Console::new();
    let now = super::T0;
    let form = con.handle(&mut c, &req("GET", "/_console/signin", "", ""), now);
    let pre = format!(
        "keyform_console_signin={}",
        cookie_of(&form, "keyform_console_signin")
    );
    let body = format!(
        "csrf={}&account=123456789012&username=lab-admin&password={}",
        csrf_of(&form.body),
        PASSWORD.replace('!', "%21")
    );
    let r = con.handle(&mut c, &req("POST", "/_console/signin", &pre, &body), now);
    let cookie = format!("{SESSION_COOKIE}={}", cookie_of(&r, SESSION_COOKIE));
    (c, con, cookie, first_key)
}

pub(crate) fn bench(r: &mut super::Report, filter: &Option<String>) {
    if !filter
        .as_ref()
        .is_none_or(|f| "console pages".contains(f.as_str()))
    {
        return;
    }
    let (mut c, mut con, cookie, key) = setup(1000);
    let pages = [
        (
            "console: keys list (1,000 keys, 100 a page)",
            "/_console/kms".to_string(),
        ),
        ("console: key page", format!("/_console/kms/key?id={key}")),
        (
            "console: buckets list (1,000, 100 a page)",
            "/_console/s3".to_string(),
        ),
        (
            "console: a bucket",
            "/_console/s3/bucket?name=bucket-0500".to_string(),
        ),
        (
            "console: CloudTrail event history",
            "/_console/cloudtrail".to_string(),
        ),
    ];
    for (name, path) in pages {
        let mut times = Vec::new();
        for _ in 0..15 {
            let t = Instant::now();
            let resp = con.handle(&mut c, &req("GET", &path, &cookie, ""), super::T0);
            times.push(t.elapsed());
            assert_eq!(resp.status, 200, "{path}");
        }
        let t = super::median(times);
        r.row(
            name,
            super::ms(t),
            "< 50 ms",
            super::verdict(t < Duration::from_millis(50)),
        );
    }
}
