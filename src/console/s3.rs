//! S3 pages: buckets (create), a bucket (objects, upload, Default encryption: SSE-S3, SSE-KMS
//! or DSSE-KMS with a key and the bucket key), an object's properties (server-side encryption
//! and the KMS key ARN, as seed 001 checks) and its download. One S3 call per action, as the
//! signed-in user.

use serde_json::{Value as Json, json};

use super::kms::urlencode;
use super::{Page, render, s3_versions, see_other};
use crate::serve::Response;
use crate::sim::SimError;

const PAGE_SIZE: i64 = 100;

pub(super) fn route(p: &mut Page<'_>, post: bool, route: &str) -> Option<Response> {
    Some(match (post, route) {
        (false, "/s3") => buckets(p),
        (true, "/s3/create") => create(p),
        (false, "/s3/bucket") => bucket(p),
        (true, "/s3/bucket/encryption") => encryption(p),
        (true, "/s3/bucket/upload") => upload(p),
        (false, "/s3/object") => object(p),
        (false, "/s3/download") => download(p),
        (false, "/s3/open") => open(p),
        (false, "/s3/bucket/permissions") => permissions(p),
        (true, "/s3/bucket/policy") => put_policy(p),
        (true, "/s3/bucket/policy-delete") => delete_policy(p),
        (true, "/s3/bucket/public-access") => public_access(p),
        (true, "/s3/bucket/versioning") => s3_versions::set_versioning(p),
        (true, "/s3/object/delete") => s3_versions::delete(p),
        _ => return None,
    })
}

fn bucket_url(b: &str) -> String {
    s3_versions::bucket_url(b, false)
}

fn object_url(b: &str, k: &str) -> String {
    format!(
        "/_console/s3/object?bucket={}&key={}",
        urlencode(b),
        urlencode(k)
    )
}

/// One version's page.
pub(super) fn object_url_version(b: &str, k: &str, version: &str) -> String {
    format!("{}&version={}", object_url(b, k), urlencode(version))
}

/// Bucket, key and the version asked for (None: the current one) of an object's page.
fn object_query(p: &Page<'_>) -> (String, String, Option<String>) {
    (
        p.query("bucket").unwrap_or_default(),
        p.query("key").unwrap_or_default(),
        p.query("version").filter(|v| !v.is_empty()),
    )
}

/// An object call's parameters: bucket, key and the version when one is asked for.
fn object_params(b: &str, k: &str, v: &Option<String>) -> Json {
    let mut params = json!({"Bucket": b, "Key": k});
    if let Some(v) = v {
        params["VersionId"] = json!(v);
    }
    params
}

/// The buckets, 100 a page after `?after=NAME` (one ListBuckets, paged in the page: the
/// simulated ListBuckets answers every bucket at once).
fn buckets(p: &mut Page<'_>) -> Response {
    let after = p.query("after").unwrap_or_default();
    match p.call("s3:ListBuckets", json!({})) {
        Ok(r) => {
            let all = r["Buckets"].as_array().cloned().unwrap_or_default();
            let mut rest = all
                .iter()
                .filter(|b| b["Name"].as_str().unwrap_or_default() > after.as_str());
            let rows: Vec<Json> = rest
                .by_ref()
                .take(PAGE_SIZE as usize)
                .map(|b| {
                    let name = b["Name"].as_str().unwrap_or_default().to_string();
                    json!({"name": name, "url": bucket_url(&name), "created": b["CreationDate"]})
                })
                .collect();
            let next = match (rest.next(), rows.last()) {
                (Some(_), Some(last)) => Some(format!(
                    "/_console/s3?after={}",
                    urlencode(last["name"].as_str().unwrap_or_default())
                )),
                _ => None,
            };
            p.render(
                "s3_list.html",
                json!({"buckets": rows, "next": next, "count": all.len()}),
            )
        }
        Err(e) => p.error("listing buckets", &e),
    }
}

fn create(p: &mut Page<'_>) -> Response {
    let name = p.form.text("name");
    match p.call("s3:CreateBucket", json!({"Bucket": name})) {
        Ok(_) => see_other(&bucket_url(&name)),
        Err(e) => p.error("creating the bucket", &e),
    }
}

fn bucket(p: &mut Page<'_>) -> Response {
    let name = p.query("name").unwrap_or_default();
    let show_versions = p.query("versions").is_some_and(|v| v == "1");
    let versions = if show_versions {
        match s3_versions::list(p, &name) {
            Ok(v) => v,
            Err(e) => return p.error("listing the bucket's versions", &e),
        }
    } else {
        Json::Null
    };
    let prefix = p.query("prefix").unwrap_or_default();
    let mut params = json!({"Bucket": name, "MaxKeys": PAGE_SIZE});
    if !prefix.is_empty() {
        params["Prefix"] = json!(prefix);
    }
    if let Some(t) = p.query("token") {
        params["ContinuationToken"] = json!(t);
    }
    let list = if show_versions {
        json!({})
    } else {
        match p.call("s3:ListObjectsV2", params) {
            Ok(r) => r,
            Err(e) => return p.error("listing the bucket's objects", &e),
        }
    };
    let objects: Vec<Json> = list["Contents"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|o| {
            let key = o["Key"].as_str().unwrap_or_default().to_string();
            json!({"key": key, "url": object_url(&name, &key), "size": o["Size"], "modified": o["LastModified"]})
        })
        .collect();
    let next = list["NextContinuationToken"].as_str().map(|t| {
        format!(
            "{}&prefix={}&token={}",
            bucket_url(&name),
            urlencode(&prefix),
            urlencode(t)
        )
    });
    let enc = match p.call("s3:GetBucketEncryption", json!({"Bucket": name})) {
        Ok(r) => {
            let rule = &r["ServerSideEncryptionConfiguration"]["Rules"][0];
            let d = &rule["ApplyServerSideEncryptionByDefault"];
            json!({"ok": {"algorithm": d["SSEAlgorithm"], "key": d["KMSMasterKeyID"],
                          "bucket_key": rule["BucketKeyEnabled"].as_bool().unwrap_or(false)}})
        }
        Err(e) => json!({"error": {"code": e.code, "message": e.message}}),
    };
    let versioning = s3_versions::status(p, &name);
    p.render(
        "s3_bucket.html",
        json!({"bucket": name, "objects": objects, "next": next, "encryption": enc,
               "permissions_url": permissions_url(&name), "versions": versions,
               "show_versions": show_versions, "versioning": versioning, "prefix": prefix,
               "versions_url": s3_versions::bucket_url(&name, !show_versions),
               "all_objects_url": bucket_url(&name)}),
    )
}

fn encryption(p: &mut Page<'_>) -> Response {
    let name = p.form.text("bucket");
    let algorithm = p.form.text("algorithm");
    let mut default = json!({"SSEAlgorithm": algorithm});
    let key = p.form.text("key");
    if algorithm != "AES256" && !key.is_empty() {
        default["KMSMasterKeyID"] = json!(key);
    }
    let rule = json!({"ApplyServerSideEncryptionByDefault": default,
                      "BucketKeyEnabled": p.form.text("bucket_key") == "on"});
    let params = json!({"Bucket": name, "ServerSideEncryptionConfiguration": {"Rules": [rule]}});
    match p.call("s3:PutBucketEncryption", params) {
        Ok(_) => see_other(&bucket_url(&name)),
        Err(e) => p.error("editing default encryption", &e),
    }
}

fn upload(p: &mut Page<'_>) -> Response {
    let name = p.form.text("bucket");
    let Some(file) = p.form.file.take() else {
        let e = SimError::param("Choose a file to upload.");
        return p.error("uploading", &e);
    };
    let key = match p.form.text("key") {
        k if k.is_empty() => file.filename.clone(),
        k => k,
    };
    let mut params = json!({"Bucket": name, "Key": key});
    if let Some(ct) = &file.content_type {
        params["ContentType"] = json!(ct);
    }
    match p.call_body("s3:PutObject", params, Some(&file.bytes)) {
        Ok(_) => see_other(&object_url(&name, &key)),
        Err(e) => p.error("uploading", &e),
    }
}

fn object(p: &mut Page<'_>) -> Response {
    let (b, k, v) = object_query(p);
    match p.call("s3:HeadObject", object_params(&b, &k, &v)) {
        Ok(h) => {
            let mut q = format!("bucket={}&key={}", urlencode(&b), urlencode(&k));
            if let Some(v) = &v {
                q.push_str(&format!("&version={}", urlencode(v)));
            }
            p.render(
                "s3_object.html",
                json!({"bucket": b, "bucket_url": bucket_url(&b), "key": k, "head": h,
                       "version": v,
                       "download": format!("/_console/s3/download?{q}"),
                       "open": format!("/_console/s3/open?{q}")}),
            )
        }
        Err(e) => p.error("opening the object", &e),
    }
}

/// The object's bytes as an attachment (never rendered by the browser as a page).
fn download(p: &mut Page<'_>) -> Response {
    let (b, k, v) = object_query(p);
    match p.call_body("s3:GetObject", object_params(&b, &k, &v), None) {
        Ok(r) => {
            let file = k.rsplit('/').next().unwrap_or("download");
            let body = r.body.map(|b| b.to_vec()).unwrap_or_default();
            render::secure(Response::new(200, "application/octet-stream", body).header(
                "content-disposition",
                format!("attachment; filename*=UTF-8''{}", urlencode(file)),
            ))
        }
        Err(e) => p.error("downloading the object", &e),
    }
}

/// Bytes of an opened object shown on its page (the rest is a download away).
const OPEN_LIMIT: usize = 64 * 1024;

/// "Open": GetObject as the signed-in user, the text shown (escaped) in a page; what is not
/// UTF-8 text is counted, not shown.
fn open(p: &mut Page<'_>) -> Response {
    let (b, k, v) = object_query(p);
    match p.call_body("s3:GetObject", object_params(&b, &k, &v), None) {
        Ok(r) => {
            let body = r.body.map(|b| b.to_vec()).unwrap_or_default();
            let shown = &body[..body.len().min(OPEN_LIMIT)];
            let text = std::str::from_utf8(shown).ok();
            p.render(
                "s3_open.html",
                json!({"bucket": b, "bucket_url": bucket_url(&b), "key": k,
                       "object_url": object_url(&b, &k), "text": text, "size": body.len(),
                       "cut": body.len() > OPEN_LIMIT}),
            )
        }
        Err(e) => p.error("opening the object", &e),
    }
}

fn permissions_url(b: &str) -> String {
    format!("/_console/s3/bucket/permissions?name={}", urlencode(b))
}

/// A bucket's Permissions tab: Block Public Access and the bucket policy (editable).
fn permissions(p: &mut Page<'_>) -> Response {
    let name = p.query("name").unwrap_or_default();
    let policy = match p.call("s3:GetBucketPolicy", json!({"Bucket": name})) {
        Ok(r) => json!({"ok": super::iam::pretty(r["Policy"].as_str().unwrap_or_default())}),
        Err(e) if e.code == "NoSuchBucketPolicy" => json!({"none": true}),
        Err(e) => {
            if e.code == "NoSuchBucket" {
                return p.error("opening the bucket", &e);
            }
            json!({"error": {"code": e.code, "message": e.message}})
        }
    };
    let pab = match p.call_quiet("s3:GetPublicAccessBlock", json!({"Bucket": name})) {
        Ok(r) => json!({"ok": r["PublicAccessBlockConfiguration"]}),
        Err(e) if e.code == "NoSuchPublicAccessBlockConfiguration" => json!({"none": true}),
        Err(e) => json!({"error": {"code": e.code, "message": e.message}}),
    };
    let example = json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [format!("arn:aws:s3:::{name}"), format!("arn:aws:s3:::{name}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]});
    p.render(
        "s3_policy.html",
        json!({"bucket": name, "bucket_url": bucket_url(&name), "policy": policy,
               "public_access": pab,
               "example": serde_json::to_string_pretty(&example).unwrap_or_default()}),
    )
}

fn put_policy(p: &mut Page<'_>) -> Response {
    let name = p.form.text("bucket");
    let params = json!({"Bucket": name, "Policy": p.form.text("policy")});
    match p.call("s3:PutBucketPolicy", params) {
        Ok(_) => see_other(&permissions_url(&name)),
        Err(e) => p.error("saving the bucket policy", &e),
    }
}

fn delete_policy(p: &mut Page<'_>) -> Response {
    let name = p.form.text("bucket");
    match p.call("s3:DeleteBucketPolicy", json!({"Bucket": name})) {
        Ok(_) => see_other(&permissions_url(&name)),
        Err(e) => p.error("deleting the bucket policy", &e),
    }
}

fn public_access(p: &mut Page<'_>) -> Response {
    let name = p.form.text("bucket");
    let on = |f: &str| p.form.text(f) == "on";
    let cfg = json!({"BlockPublicAcls": on("BlockPublicAcls"), "IgnorePublicAcls": on("IgnorePublicAcls"),
                     "BlockPublicPolicy": on("BlockPublicPolicy"),
                     "RestrictPublicBuckets": on("RestrictPublicBuckets")});
    let params = json!({"Bucket": name, "PublicAccessBlockConfiguration": cfg});
    match p.call("s3:PutPublicAccessBlock", params) {
        Ok(_) => see_other(&permissions_url(&name)),
        Err(e) => p.error("editing Block Public Access", &e),
    }
}
