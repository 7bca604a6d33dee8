//! `keyform serve` lets in only those it should: control endpoints refuse every cross-site
//! form a web page can produce, SigV4 covers every `x-amz-*` header and exactly the query the
//! service reads, bodies are not buffered before their sender is known, and only loopback
//! peers count as secure transport.

use crate::support::Test;
use crate::support::wire::{Reply, Served};

/// Every control endpoint: method, path, query.
const CONTROL: &[(&str, &str, &str)] = &[
    ("POST", "/_keyform/reset", ""),
    ("POST", "/moto-api/reset", ""),
    ("POST", "/_keyform/clock/advance", "by=8d"),
    ("GET", "/_keyform/clock", ""),
];

/// A request a web page can make the trainer's browser send, and the refusal it must get.
struct CrossSite {
    name: &'static str,
    /// Extra headers; `HOST` is replaced by the server's address.
    headers: &'static [(&'static str, &'static str)],
    body: &'static [u8],
    /// Whether the form exists for GET too (a GET is otherwise harmless: it changes nothing).
    applies_to_get: bool,
    code: &'static str,
}

const HOST: &str = "HOST";

const CROSS_SITE: &[CrossSite] = &[
    CrossSite {
        name: "cross-site HTML form POST",
        headers: &[
            ("host", HOST),
            ("origin", "https://evil.example"),
            ("content-type", "application/x-www-form-urlencoded"),
            ("sec-fetch-site", "cross-site"),
        ],
        body: b"by=8d",
        applies_to_get: false,
        code: "CrossSiteRequest",
    },
    CrossSite {
        name: "no-cors fetch without a body",
        headers: &[("host", HOST), ("origin", "https://evil.example")],
        body: b"",
        applies_to_get: true,
        code: "CrossSiteRequest",
    },
    CrossSite {
        name: "text/plain form from a sandboxed frame",
        headers: &[
            ("host", HOST),
            ("origin", "null"),
            ("content-type", "text/plain"),
        ],
        body: b"x",
        applies_to_get: false,
        code: "CrossSiteRequest",
    },
    CrossSite {
        name: "image or navigation",
        headers: &[("host", HOST), ("sec-fetch-site", "cross-site")],
        body: b"",
        applies_to_get: true,
        code: "CrossSiteRequest",
    },
    CrossSite {
        name: "same-site page on another port",
        headers: &[("host", HOST), ("sec-fetch-site", "same-site")],
        body: b"",
        applies_to_get: true,
        code: "CrossSiteRequest",
    },
    CrossSite {
        name: "DNS rebinding (the page's own host name)",
        headers: &[("host", "evil.example:4566")],
        body: b"",
        applies_to_get: true,
        code: "ForeignHost",
    },
    CrossSite {
        name: "form POST from a browser that sends no Origin",
        headers: &[
            ("host", HOST),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        body: b"by=8d",
        applies_to_get: false,
        code: "SimpleRequestRefused",
    },
    CrossSite {
        name: "a guessed token",
        headers: &[("host", HOST), ("x-keyform-token", "guess")],
        body: b"",
        applies_to_get: true,
        code: "InvalidControlToken",
    },
];

fn headers(s: &Served, hs: &[(&str, &str)]) -> Vec<(String, String)> {
    hs.iter()
        .map(|(n, v)| {
            let v = if *v == HOST { s.addr.as_str() } else { v };
            (n.to_string(), v.to_string())
        })
        .collect()
}

/// A raw request without the client's own `host` header.
fn send(
    s: &Served,
    method: &str,
    path: &str,
    query: &str,
    hs: &[(String, String)],
    body: &[u8],
) -> Reply {
    s.client(None).raw(method, path, query, hs, body)
}

fn now(s: &Served) -> String {
    let r = send(
        s,
        "GET",
        "/_keyform/clock",
        "",
        &headers(s, &[("host", HOST)]),
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["now"].as_str().expect("now").to_string()
}

#[test]
fn every_control_endpoint_refuses_every_cross_site_form() {
    let t = Test::new();
    let s = Served::start(&t, &[]);
    assert_eq!(
        s.control_token.len(),
        32,
        "serve prints its control token: {}",
        s.banner
    );
    let admin = s.client(Some(&s.admin));
    assert_eq!(admin.s3("PUT", "/survivor", "", &[], b"").status, 200);
    let before = now(&s);
    let mut refused = 0;
    for (method, path, query) in CONTROL {
        for form in CROSS_SITE {
            if *method == "GET" && !form.applies_to_get {
                continue;
            }
            let r = send(
                &s,
                method,
                path,
                query,
                &headers(&s, form.headers),
                form.body,
            );
            assert_eq!(
                (r.status, r.json()["code"].as_str().unwrap_or("")),
                (403, form.code),
                "{method} {path} as a {}: {}",
                form.name,
                r.text()
            );
            assert!(
                !r.text().contains(&s.control_token),
                "a refusal never shows the token"
            );
            refused += 1;
        }
    }
    assert_eq!(refused, 3 * CROSS_SITE.len() + 5);
    // Nothing happened: the clock did not move and the bucket is still there.
    assert_eq!(now(&s), before);
    let r = admin.s3("GET", "/", "", &[], b"");
    assert!(r.text().contains("survivor"), "{}", r.text());
}

#[test]
fn scripts_moto_and_the_token_still_reach_the_control_endpoints() {
    let t = Test::new();
    let s = Served::start(&t, &[]);
    let admin = s.client(Some(&s.admin));
    let before = now(&s);
    // curl -X POST: no Content-Type, no body.
    let r = send(
        &s,
        "POST",
        "/_keyform/clock/advance",
        "by=1d",
        &headers(&s, &[("host", HOST), ("user-agent", "curl/8.5.0")]),
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    // A body or a Content-Type is fine with the non-simple header.
    let r = send(
        &s,
        "POST",
        "/_keyform/clock/advance",
        "by=1d",
        &headers(
            &s,
            &[
                ("host", HOST),
                ("content-type", "application/json"),
                ("x-keyform-control", "1"),
            ],
        ),
        b"{}",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    // localhost names this machine too.
    let port = s.addr.rsplit(':').next().unwrap_or_default();
    let r = send(
        &s,
        "GET",
        "/_keyform/clock",
        "",
        &[("host".into(), format!("localhost:{port}"))],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_ne!(now(&s), before);
    // With the token, any Host (serve bound to another interface is reached by its address).
    assert_eq!(
        admin.s3("PUT", "/gone-after-reset", "", &[], b"").status,
        200
    );
    let r = send(
        &s,
        "POST",
        "/_keyform/reset",
        "",
        &headers(
            &s,
            &[
                ("host", "lab-server.internal:4566"),
                ("x-keyform-token", &s.control_token),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
        ),
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        !admin
            .s3("GET", "/", "", &[], b"")
            .text()
            .contains("gone-after-reset")
    );
    // moto's reset, exactly as `requests.post(f"{endpoint}/moto-api/reset")` sends it.
    assert_eq!(
        admin.s3("PUT", "/gone-after-moto", "", &[], b"").status,
        200
    );
    let r = send(
        &s,
        "POST",
        "/moto-api/reset",
        "",
        &headers(
            &s,
            &[
                ("host", HOST),
                ("user-agent", "python-requests/2.32.3"),
                ("accept-encoding", "gzip, deflate"),
                ("accept", "*/*"),
            ],
        ),
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        !admin
            .s3("GET", "/", "", &[], b"")
            .text()
            .contains("gone-after-moto")
    );
}

#[test]
fn a_lenient_server_lets_no_web_page_act_as_lab_admin() {
    let t = Test::new();
    let s = Served::start(&t, &["-auth=lenient"]);
    let form = |extra: &[(&str, &str)]| {
        let mut h = headers(
            &s,
            &[(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )],
        );
        h.extend(headers(&s, extra));
        h.insert(0, ("host".into(), s.addr.clone()));
        send(
            &s,
            "POST",
            "/",
            "",
            &h,
            b"Action=CreateUser&Version=2010-05-08&UserName=planted",
        )
    };
    // A cross-site form POST: a simple request, no preflight.
    let r = form(&[("origin", "https://evil.example")]);
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(
        r.text().contains("MissingAuthenticationToken"),
        "{}",
        r.text()
    );
    let r = form(&[("sec-fetch-site", "same-origin")]);
    assert_eq!(r.status, 403, "{}", r.text());
    let get = || {
        s.client(None)
            .query("iam", "GetUser", &[("UserName", "planted")])
    };
    assert_eq!(get().status, 404, "{}", get().text());
    // A script sending the same request unsigned acts as lab-admin, as -auth=lenient says.
    let r = form(&[]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(get().status, 200, "{}", get().text());
}
