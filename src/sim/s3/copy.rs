//! Server-side copies: CopyObject (metadata and tagging directives, `x-amz-copy-source-if-*`
//! conditions, the destination encrypted as the request or the destination bucket's default
//! says, so copying an object onto itself with a new SSE-KMS key re-encrypts it) and
//! UploadPartCopy (a range of an object as a part).
//!
//! Permissions are AWS's: s3:GetObject (or s3:GetObjectVersion) on the source and kms:Decrypt
//! on its key through S3; s3:PutObject on the destination and kms:GenerateDataKey on its key
//! through S3; copying tags needs s3:GetObjectTagging on the source and s3:PutObjectTagging on
//! the destination.

use serde_json::{Value as Json, json};

use super::conditions::Conditions;
use super::object::{checksum_fields, versioned_action};
use super::{S3Error, checksum, object_arn, s3_op};
use crate::sim::authz::Access;
use crate::sim::clock::iso8601;
use crate::sim::world::PutRequest;
use crate::sim::{CallContext, Cloud, SimError, opt_int, opt_str, req_str};

/// A copy's source: bucket, key and version (`bucket/key?versionId=...`, URL-encoded, with or
/// without a leading slash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CopySource {
    pub bucket: String,
    pub key: String,
    pub version: Option<String>,
}

pub(crate) fn parse_copy_source(s: &str) -> Result<CopySource, S3Error> {
    let (path, query) = s.split_once('?').unwrap_or((s, ""));
    let path = crate::serve::sigv4::percent_decode(path.strip_prefix('/').unwrap_or(path));
    let (bucket, key) = path.split_once('/').ok_or(S3Error::InvalidCopySource)?;
    if bucket.is_empty() || key.is_empty() {
        return Err(S3Error::InvalidCopySource);
    }
    let mut version = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("versionId", v)) => version = Some(crate::serve::sigv4::percent_decode(v)),
            _ => return Err(S3Error::InvalidCopySource),
        }
    }
    Ok(CopySource {
        bucket: bucket.into(),
        key: key.into(),
        version,
    })
}

/// A directive (`COPY`, the default, or `REPLACE`).
fn directive(p: &Json, name: &str) -> Result<bool, SimError> {
    match opt_str(p, name)? {
        None | Some("COPY") => Ok(false),
        Some("REPLACE") => Ok(true),
        Some(other) => Err(SimError::service(
            "InvalidArgument",
            400,
            format!("Unknown {name}: {other}: use COPY or REPLACE"),
        )),
    }
}

/// A copy-source range `bytes=first-last` within a source of `len` bytes.
fn copy_range(r: &str, len: usize) -> Result<(usize, usize), S3Error> {
    let spec = r.strip_prefix("bytes=").ok_or(S3Error::InvalidCopyRange)?;
    let (a, b) = spec.split_once('-').ok_or(S3Error::InvalidCopyRange)?;
    let (a, b) = (
        a.parse::<usize>().map_err(|_| S3Error::InvalidCopyRange)?,
        b.parse::<usize>().map_err(|_| S3Error::InvalidCopyRange)?,
    );
    if a > b || b >= len {
        return Err(S3Error::InvalidCopyRange);
    }
    Ok((a, b))
}

impl Cloud {
    /// Authorizes reading a copy's source and checks its conditions; returns the object.
    fn copy_source_object(
        &mut self,
        ctx: &CallContext,
        t: &mut crate::sim::Touched,
        src: &CopySource,
        copy_if: &Conditions,
    ) -> Result<crate::sim::world::S3Object, SimError> {
        let action = versioned_action("s3:GetObject", src.version.as_deref());
        self.object_prelude(ctx, t, &src.bucket, &src.key, action, &[])?;
        let obj = self.find_version(&src.bucket, &src.key, src.version.as_deref())?;
        copy_if.check_copy(&obj)?;
        Ok(obj)
    }

    /// CopyObject.
    pub fn s3_copy_object(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let k = req_str(p, "Key")?.to_string();
        super::object::validate_key(&k)?;
        let source_text = req_str(p, "CopySource")?.to_string();
        params["key"] = json!(k);
        params["x-amz-copy-source"] = json!(source_text);
        let src = parse_copy_source(&source_text)?;
        let mut req = PutRequest::from_params(p)?;
        req.log_params(&mut params);
        let replace_meta = directive(p, "MetadataDirective")?;
        let replace_tags = directive(p, "TaggingDirective")?;
        let copy_if = Conditions::from_params(p, "CopySource")?;
        let write_if = Conditions::from_params(p, "")?;
        self.run(ctx, s3_op("CopyObject", params, false, true), |c, t| {
            let obj = c.copy_source_object(ctx, t, &src, &copy_if)?;
            let onto_itself = src.bucket == b
                && src.key == k
                && src
                    .version
                    .as_deref()
                    .is_none_or(|v| c.object(&b, &k).is_ok_and(|o| o.version_str() == v));
            let changes = replace_meta
                || req.sse.is_some()
                || req.kms_key.is_some()
                || req.bucket_key.is_some();
            if onto_itself && !changes {
                return Err(S3Error::CopyToItself.into());
            }
            if !replace_meta {
                req.content_type = obj.content_type.clone();
                req.metadata = obj.metadata.clone();
            }
            if req.checksum_algorithm.is_none() {
                req.checksum_algorithm = obj.checksum.as_ref().map(|(a, _)| a.clone());
            }
            if !replace_tags {
                req.tags = obj.tags.clone();
                if !obj.tags.is_empty() {
                    let action = match src.version {
                        Some(_) => "s3:GetObjectVersionTagging",
                        None => "s3:GetObjectTagging",
                    };
                    let arn = object_arn(&src.bucket, &src.key);
                    c.authorize(ctx, &Access::s3(action, &arn, &src.bucket, &[]))
                        .map_err(S3Error::from)?;
                }
            }
            let mut conds = vec![("s3:x-amz-copy-source".to_string(), source_text.clone())];
            if let Some(d) = opt_str(p, "MetadataDirective")? {
                conds.push(("s3:x-amz-metadata-directive".to_string(), d.to_string()));
            }
            c.authorize_store(ctx, t, &b, &k, &req, &write_if, &conds)?;
            let body = c.open_object(ctx, &src.bucket, &obj)?;
            let stored = c.write_object(ctx, &b, &k, &req, &body)?;
            let new = c.object(&b, &k)?;
            let mut result = json!({
                "ETag": stored["ETag"],
                "LastModified": iso8601(new.last_modified),
            });
            checksum_fields(&mut result, new);
            let mut out = json!({"CopyObjectResult": result});
            for f in [
                "ServerSideEncryption",
                "SSEKMSKeyId",
                "BucketKeyEnabled",
                "VersionId",
            ] {
                if let Some(v) = stored.get(f) {
                    out[f] = v.clone();
                }
            }
            if let Some(v) = &obj.version_id {
                out["CopySourceVersionId"] = json!(v);
            }
            Ok(out)
        })
    }

    /// UploadPartCopy: a range (or all) of an object becomes a part of an upload.
    pub fn s3_upload_part_copy(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let k = req_str(p, "Key")?.to_string();
        let id = req_str(p, "UploadId")?.to_string();
        let n = opt_int(p, "PartNumber")?.ok_or_else(|| {
            SimError::param("Missing required parameter in input: \"PartNumber\"")
        })?;
        let source_text = req_str(p, "CopySource")?.to_string();
        params["key"] = json!(k);
        params["uploadId"] = json!(id);
        params["partNumber"] = json!(n);
        params["x-amz-copy-source"] = json!(source_text);
        let src = parse_copy_source(&source_text)?;
        let range = opt_str(p, "CopySourceRange")?.map(str::to_string);
        let copy_if = Conditions::from_params(p, "CopySource")?;
        self.run(ctx, s3_op("UploadPartCopy", params, false, true), |c, t| {
            let obj = c.copy_source_object(ctx, t, &src, &copy_if)?;
            let conds = [("s3:x-amz-copy-source".to_string(), source_text.clone())];
            c.object_prelude(ctx, t, &b, &k, "s3:PutObject", &conds)?;
            let alg = c.upload(&id, &b, &k)?.request.checksum_algorithm.clone();
            if !(1..=super::multipart::MAX_PART_NUMBER).contains(&n) {
                return Err(S3Error::InvalidPartNumber {
                    max: super::multipart::MAX_PART_NUMBER,
                }
                .into());
            }
            let body = c.open_object(ctx, &src.bucket, &obj)?;
            let part = match &range {
                Some(r) => {
                    let (a, z) = copy_range(r, body.len())?;
                    &body[a..=z]
                }
                None => &body[..],
            };
            let sum = alg.as_deref().and_then(|a| checksum::checksum(a, part));
            let etag = c.store_part(&id, n, part, sum.clone())?;
            let mut result = json!({
                "ETag": format!("\"{etag}\""),
                "LastModified": iso8601(c.world.now),
            });
            if let (Some(a), Some(s)) = (&alg, &sum) {
                result[checksum::member(a)] = json!(s);
            }
            let mut out = json!({"CopyPartResult": result});
            if let Some(v) = &obj.version_id {
                out["CopySourceVersionId"] = json!(v);
            }
            if let Some(u) = c.world.s3.uploads.get(&id)
                && let Some(s) = &u.request.sse
            {
                out["ServerSideEncryption"] = json!(s);
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_sources_parse_as_s3_reads_them() {
        let s = parse_copy_source("/bkt/a%20b/c.txt?versionId=abc").unwrap();
        assert_eq!((s.bucket.as_str(), s.key.as_str()), ("bkt", "a b/c.txt"));
        assert_eq!(s.version.as_deref(), Some("abc"));
        assert!(parse_copy_source("bkt").is_err());
        assert!(parse_copy_source("bkt/").is_err());
        assert!(parse_copy_source("bkt/k?x=1").is_err());
        assert_eq!(copy_range("bytes=0-4", 10).unwrap(), (0, 4));
        assert!(copy_range("bytes=5-10", 10).is_err());
        assert!(copy_range("bytes=-3", 10).is_err());
    }
}
