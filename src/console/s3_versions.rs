//! S3 objects' lifecycle on the console: Bucket Versioning (enable, suspend), the "Show
//! versions" view of a bucket (ListObjectVersions, versions and delete markers, paged), and
//! deleting an object (a delete marker when versioning is on) or one version of it
//! (permanently). One S3 call per action, as the signed-in identity.

use serde_json::{Value as Json, json};

use super::kms::urlencode;
use super::{Page, see_other};
use crate::serve::Response;

/// Versions on one page of the versions view.
const PAGE_SIZE: i64 = 100;

pub(super) fn bucket_url(b: &str, versions: bool) -> String {
    let mut u = format!("/_console/s3/bucket?name={}", urlencode(b));
    if versions {
        u.push_str("&versions=1");
    }
    u
}

/// The bucket's versioning status as GetBucketVersioning answers it ("" when never set),
/// or the denial shown in place.
pub(super) fn status(p: &mut Page<'_>, bucket: &str) -> Json {
    match p.call_quiet("s3:GetBucketVersioning", json!({"Bucket": bucket})) {
        Ok(r) => json!({"ok": r["Status"].as_str().unwrap_or("")}),
        Err(e) => json!({"error": {"code": e.code, "message": e.message}}),
    }
}

/// The versions view: every version and delete marker, newest first within a key.
pub(super) fn list(p: &mut Page<'_>, bucket: &str) -> Result<Json, crate::sim::SimError> {
    let mut params = json!({"Bucket": bucket, "MaxKeys": PAGE_SIZE});
    if let (Some(k), Some(v)) = (p.query("key_marker"), p.query("version_marker")) {
        params["KeyMarker"] = json!(k);
        params["VersionIdMarker"] = json!(v);
    }
    let r = p.call("s3:ListObjectVersions", params)?;
    let mut rows: Vec<Json> = Vec::new();
    for (list, marker) in [("Versions", false), ("DeleteMarkers", true)] {
        for v in r[list].as_array().into_iter().flatten() {
            let key = v["Key"].as_str().unwrap_or_default();
            let vid = v["VersionId"].as_str().unwrap_or_default();
            rows.push(json!({
                "key": key, "version": vid, "latest": v["IsLatest"], "size": v["Size"],
                "modified": v["LastModified"], "marker": marker,
                "url": (!marker).then(|| super::s3::object_url_version(bucket, key, vid)),
            }));
        }
    }
    // Key order, newest first within a key (ISO 8601 times sort as text).
    rows.sort_by(|a, b| {
        let k = |x: &Json, f: &str| x[f].as_str().unwrap_or_default().to_string();
        k(a, "key")
            .cmp(&k(b, "key"))
            .then_with(|| k(b, "modified").cmp(&k(a, "modified")))
    });
    let next = match (
        r["NextKeyMarker"].as_str(),
        r["NextVersionIdMarker"].as_str(),
    ) {
        (Some(k), Some(v)) => Some(format!(
            "{}&key_marker={}&version_marker={}",
            bucket_url(bucket, true),
            urlencode(k),
            urlencode(v)
        )),
        _ => None,
    };
    Ok(json!({"rows": rows, "next": next}))
}

/// Enable or suspend Bucket Versioning (one PutBucketVersioning).
pub(super) fn set_versioning(p: &mut Page<'_>) -> Response {
    let name = p.form.text("bucket");
    let status = if p.form.text("status") == "Enabled" {
        "Enabled"
    } else {
        "Suspended"
    };
    let params = json!({"Bucket": name, "VersioningConfiguration": {"Status": status}});
    match p.call("s3:PutBucketVersioning", params) {
        Ok(_) => see_other(&bucket_url(&name, false)),
        Err(e) => p.error("editing Bucket Versioning", &e),
    }
}

/// Delete: the object (a delete marker in a versioned bucket), or with a version id that
/// version, permanently (one DeleteObject, which S3 authorizes as s3:DeleteObjectVersion).
pub(super) fn delete(p: &mut Page<'_>) -> Response {
    let (name, key, version) = (
        p.form.text("bucket"),
        p.form.text("key"),
        p.form.text("version"),
    );
    // The AWS console asks for the word before it deletes.
    let confirm = if version.is_empty() {
        "delete"
    } else {
        "permanently delete"
    };
    if p.form.text("confirm") != confirm {
        let e = crate::sim::SimError::param(format!(
            "To confirm, type \"{confirm}\" in the text input field."
        ));
        return p.error("deleting the object", &e);
    }
    let mut params = json!({"Bucket": name, "Key": key});
    if !version.is_empty() {
        params["VersionId"] = json!(version);
    }
    match p.call("s3:DeleteObject", params) {
        Ok(_) => see_other(&bucket_url(&name, !version.is_empty())),
        Err(e) => p.error("deleting the object", &e),
    }
}
