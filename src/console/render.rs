//! Rendering: the minijinja templates embedded in the binary (auto-escaped HTML), the
//! stylesheet, and the security headers every console answer carries.

use std::sync::OnceLock;

use serde_json::Value as Json;

use crate::serve::Response;

/// No script, no plugin, no frame, no foreign request; forms post only to the console.
pub(super) const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                       frame-ancestors 'none'; base-uri 'none'";

const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("templates/layout.html")),
    ("signin.html", include_str!("templates/signin.html")),
    ("home.html", include_str!("templates/home.html")),
    ("error.html", include_str!("templates/error.html")),
    ("kms_list.html", include_str!("templates/kms_list.html")),
    ("kms_key.html", include_str!("templates/kms_key.html")),
    ("kms_review.html", include_str!("templates/kms_review.html")),
    ("s3_list.html", include_str!("templates/s3_list.html")),
    ("s3_bucket.html", include_str!("templates/s3_bucket.html")),
    ("s3_object.html", include_str!("templates/s3_object.html")),
    ("s3_open.html", include_str!("templates/s3_open.html")),
    ("cloudtrail.html", include_str!("templates/cloudtrail.html")),
    (
        "cloudtrail_trails.html",
        include_str!("templates/cloudtrail_trails.html"),
    ),
    ("iam_list.html", include_str!("templates/iam_list.html")),
    ("iam_entity.html", include_str!("templates/iam_entity.html")),
    (
        "iam_access_key.html",
        include_str!("templates/iam_access_key.html"),
    ),
    ("iam_policy.html", include_str!("templates/iam_policy.html")),
    (
        "switch_role.html",
        include_str!("templates/switch_role.html"),
    ),
    ("s3_policy.html", include_str!("templates/s3_policy.html")),
    ("lab.html", include_str!("templates/lab.html")),
];

const STYLE: &str = include_str!("templates/style.css");

fn env() -> &'static minijinja::Environment<'static> {
    static ENV: OnceLock<minijinja::Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut e = minijinja::Environment::new();
        for (name, text) in TEMPLATES {
            // The templates are the binary's own, checked by the tests: a broken one would
            // fail every test of its page.
            let _ = e.add_template(name, text);
        }
        e
    })
}

/// Adds the headers every console answer carries.
pub(super) fn secure(r: Response) -> Response {
    r.header("content-security-policy", CSP)
        .header("x-frame-options", "DENY")
        .header("x-content-type-options", "nosniff")
        // Not `no-referrer`: with it Chromium sends `Origin: null` on the console's own form
        // posts, which the origin check must refuse. Other sites still get no referrer.
        .header("referrer-policy", "same-origin")
        .header("cache-control", "no-store")
        .header("cross-origin-opener-policy", "same-origin")
        .header("cross-origin-resource-policy", "same-origin")
}

/// A page from template `name` with `data`.
pub(super) fn page(status: u16, name: &str, data: &Json) -> Response {
    let html = env()
        .get_template(name)
        .and_then(|t| t.render(minijinja::value::Serde(data)));
    match html {
        Ok(h) => secure(Response::new(status, "text/html; charset=utf-8", h)),
        Err(e) => plain(500, &format!("the console could not render {name}: {e}")),
    }
}

pub(super) fn plain(status: u16, text: &str) -> Response {
    secure(Response::new(
        status,
        "text/plain; charset=utf-8",
        text.to_string(),
    ))
}

pub(super) fn stylesheet() -> Response {
    secure(Response::new(200, "text/css; charset=utf-8", STYLE))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_parses() {
        for (name, text) in super::TEMPLATES {
            let mut e = minijinja::Environment::new();
            for (n, t) in super::TEMPLATES {
                e.add_template(n, t).unwrap();
            }
            e.get_template(name)
                .unwrap_or_else(|err| panic!("{name}: {err} ({} bytes)", text.len()));
        }
    }
}
