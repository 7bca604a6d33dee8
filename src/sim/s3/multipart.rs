//! S3 multipart uploads (what the AWS CLI switches to at 8 MiB), DeleteObjects and
//! GetBucketLocation: the S3 operations real clients send that a single PutObject does not
//! cover.
//!
//! Parts are sealed as they arrive, each under a fresh S3-managed key wrapped by the root key,
//! so no plaintext part ever rests in the blob store. CompleteMultipartUpload decrypts them,
//! joins them and stores the object exactly as PutObject would with the encryption requested
//! at CreateMultipartUpload, so SSE-KMS applies to the completed object (its data key is
//! generated, as the caller, when the upload completes).

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use super::{PutRequest, kms_error_through_s3, object_arn, s3_op, validate_key};
use crate::sim::crypto::{self, KeyMaterial};
use crate::sim::world::{EntityRef, MultipartUpload, UploadPart};
use crate::sim::{CallContext, Cloud, SimError, opt_bool, opt_int, req_str};

/// S3's smallest part, except for the last one.
pub(crate) const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
/// S3's largest part number.
pub(crate) const MAX_PART_NUMBER: i64 = 10_000;

fn no_such_upload() -> SimError {
    SimError::service(
        "NoSuchUpload",
        404,
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
    )
}

fn part_wrap_id(blob: &str) -> String {
    format!("s3-part/{blob}")
}

impl Cloud {
    fn upload(&self, id: &str, b: &str, k: &str) -> Result<&MultipartUpload, SimError> {
        self.world
            .s3
            .uploads
            .get(id)
            .filter(|u| u.bucket == b && u.key == k)
            .ok_or_else(no_such_upload)
    }

    /// CreateMultipartUpload: authorized as s3:PutObject (with the same encryption condition
    /// keys); the KMS key named, if any, must exist and be usable.
    pub fn s3_create_multipart_upload(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let k = req_str(p, "Key")?.to_string();
        validate_key(&k)?;
        params["key"] = json!(k);
        let req = PutRequest::from_params(p)?;
        req.log_params(&mut params);
        self.run(
            ctx,
            s3_op("CreateMultipartUpload", params, false, true),
            |c, t| {
                let mut conds = Vec::new();
                if let Some(s) = &req.sse {
                    conds.push(("s3:x-amz-server-side-encryption".to_string(), s.clone()));
                }
                if let Some(kk) = &req.kms_key {
                    conds.push((
                        "s3:x-amz-server-side-encryption-aws-kms-key-id".to_string(),
                        kk.clone(),
                    ));
                }
                c.object_prelude(ctx, t, &b, &k, "s3:PutObject", &conds)?;
                let mut out = json!({"Bucket": b, "Key": k});
                if let Some(s) = &req.sse {
                    if !matches!(s.as_str(), "AES256" | "aws:kms" | "aws:kms:dsse") {
                        return Err(SimError::service(
                            "InvalidArgument",
                            400,
                            format!("The encryption method specified is not supported: {s}"),
                        ));
                    }
                    out["ServerSideEncryption"] = json!(s);
                }
                if let Some(key) = &req.kms_key {
                    let arn = c.kms_key_arn_for(key).map_err(kms_error_through_s3)?;
                    out["SSEKMSKeyId"] = json!(arn);
                }
                let id = c.world.ids.chars(
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._",
                    64,
                );
                let upload = MultipartUpload {
                    upload_id: id.clone(),
                    bucket: b.clone(),
                    key: k.clone(),
                    initiated: c.world.now,
                    initiator: c.principal_arn(&ctx.principal),
                    request: req.clone(),
                    parts: BTreeMap::new(),
                };
                c.world.s3.uploads.insert(id.clone(), upload);
                c.touch(EntityRef::Upload(id.clone()));
                out["UploadId"] = json!(id);
                Ok(out)
            },
        )
    }

    /// UploadPart: seals the part under a fresh S3-managed key.
    pub fn s3_upload_part(
        &mut self,
        ctx: &CallContext,
        p: &Json,
        body: &[u8],
    ) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let k = req_str(p, "Key")?.to_string();
        let id = req_str(p, "UploadId")?.to_string();
        let n = opt_int(p, "PartNumber")?.ok_or_else(|| {
            SimError::param("Missing required parameter in input: \"PartNumber\"")
        })?;
        params["key"] = json!(k);
        params["uploadId"] = json!(id);
        params["partNumber"] = json!(n);
        self.run(ctx, s3_op("UploadPart", params, false, true), |c, t| {
            c.object_prelude(ctx, t, &b, &k, "s3:PutObject", &[])?;
            c.upload(&id, &b, &k)?;
            if !(1..=MAX_PART_NUMBER).contains(&n) {
                return Err(SimError::service(
                    "InvalidArgument",
                    400,
                    format!(
                        "Part number must be an integer between 1 and {MAX_PART_NUMBER}, inclusive"
                    ),
                ));
            }
            let blob = c.world.ids.uuid();
            let m = KeyMaterial::generate().map_err(|e| SimError::internal(e.to_string()))?;
            let wrapped = c
                .root
                .wrap(&part_wrap_id(&blob), 1, &m)
                .map_err(|e| SimError::internal(e.to_string()))?;
            let sealed = crypto::encrypt_body(m.expose(), body, blob.as_bytes())
                .map_err(|e| SimError::internal(e.to_string()))?;
            c.blobs
                .put(&blob, sealed)
                .map_err(|e| SimError::internal(format!("could not store the part: {e}")))?;
            let etag = crypto::md5_hex(body);
            let part = UploadPart {
                etag: etag.clone(),
                size: body.len() as u64,
                blob,
                wrapped_key: wrapped,
                last_modified: c.world.now,
            };
            let old = c
                .world
                .s3
                .uploads
                .get_mut(&id)
                .and_then(|u| u.parts.insert(n as u32, part));
            if let Some(old) = old {
                let _ = c.blobs.delete(&old.blob);
            }
            c.touch(EntityRef::Upload(id.clone()));
            Ok(json!({"ETag": format!("\"{etag}\"")}))
        })
    }

    fn open_part(&self, part: &UploadPart) -> Result<zeroize::Zeroizing<Vec<u8>>, SimError> {
        let m = self
            .root
            .unwrap(&part_wrap_id(&part.blob), 1, &part.wrapped_key)
            .map_err(|e| SimError::internal(e.to_string()))?;
        let sealed = self
            .blobs
            .get(&part.blob)
            .map_err(|e| SimError::internal(format!("upload part missing from the store: {e}")))?;
        crypto::decrypt_body(m.expose(), &sealed, part.blob.as_bytes()).map_err(|_| {
            SimError::internal(
                "a stored upload part failed authentication: the object store was tampered with",
            )
        })
    }

    fn drop_upload(&mut self, id: &str) {
        if let Some(u) = self.world.s3.uploads.remove(id) {
            for p in u.parts.values() {
                let _ = self.blobs.delete(&p.blob);
            }
        }
        self.touch(EntityRef::Upload(id.to_string()));
    }

    /// CompleteMultipartUpload: joins the listed parts and stores the object as PutObject
    /// would, with the encryption asked for when the upload was created.
    pub fn s3_complete_multipart_upload(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let k = req_str(p, "Key")?.to_string();
        let id = req_str(p, "UploadId")?.to_string();
        params["key"] = json!(k);
        params["uploadId"] = json!(id);
        let listed: Vec<(i64, String)> = p
            .pointer("/MultipartUpload/Parts")
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .map(|x| {
                        let n = opt_int(x, "PartNumber")?.unwrap_or(0);
                        let e = x.get("ETag").and_then(Json::as_str).unwrap_or("");
                        Ok((n, e.trim_matches('"').to_string()))
                    })
                    .collect::<Result<Vec<_>, SimError>>()
            })
            .transpose()?
            .unwrap_or_default();
        self.run(
            ctx,
            s3_op("CompleteMultipartUpload", params, false, true),
            |c, t| {
                let upload = c.upload(&id, &b, &k)?.clone();
                if listed.is_empty() {
                    return Err(SimError::service(
                        "MalformedXML",
                        400,
                        "The XML you provided was not well-formed or did not validate against our published schema",
                    ));
                }
                if listed.windows(2).any(|w| w[0].0 >= w[1].0) {
                    return Err(SimError::service(
                        "InvalidPartOrder",
                        400,
                        "The list of parts was not in ascending order. Parts must be ordered by part number.",
                    ));
                }
                let invalid_part = || {
                    SimError::service(
                        "InvalidPart",
                        400,
                        "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
                    )
                };
                let mut parts = Vec::new();
                for (i, (n, etag)) in listed.iter().enumerate() {
                    let part = u32::try_from(*n)
                        .ok()
                        .and_then(|n| upload.parts.get(&n))
                        .filter(|p| &p.etag == etag)
                        .ok_or_else(invalid_part)?;
                    if i + 1 < listed.len() && part.size < MIN_PART_SIZE {
                        return Err(SimError::service(
                            "EntityTooSmall",
                            400,
                            "Your proposed upload is smaller than the minimum allowed object size.",
                        ));
                    }
                    parts.push(part.clone());
                }
                let mut body = zeroize::Zeroizing::new(Vec::new());
                let mut digests = Vec::new();
                for part in &parts {
                    body.extend_from_slice(&c.open_part(part)?);
                    digests.extend(hex::decode(&part.etag).unwrap_or_default());
                }
                let mut out = c.store_object(ctx, t, &b, &k, &upload.request, &body)?;
                // A multipart object's ETag is the MD5 of its parts' MD5s, then "-N".
                let etag = format!("{}-{}", crypto::md5_hex(&digests), parts.len());
                if let Some(o) = c.world.s3.objects.get_mut(&b).and_then(|m| m.get_mut(&k)) {
                    o.etag = etag.clone();
                }
                out["ETag"] = json!(format!("\"{etag}\""));
                out["Bucket"] = json!(b);
                out["Key"] = json!(k);
                out["Location"] = json!(format!("/{b}/{k}"));
                c.drop_upload(&id);
                Ok(out)
            },
        )
    }

    /// AbortMultipartUpload: forgets the upload and its parts.
    pub fn s3_abort_multipart_upload(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let k = req_str(p, "Key")?.to_string();
        let id = req_str(p, "UploadId")?.to_string();
        params["key"] = json!(k);
        params["uploadId"] = json!(id);
        self.run(
            ctx,
            s3_op("AbortMultipartUpload", params, false, true),
            |c, t| {
                c.object_prelude(ctx, t, &b, &k, "s3:AbortMultipartUpload", &[])?;
                c.upload(&id, &b, &k)?;
                c.drop_upload(&id);
                Ok(json!({}))
            },
        )
    }

    /// DeleteObjects: each key is authorized as s3:DeleteObject on its own; failures are
    /// reported per key, as S3 does, and never fail the whole request.
    pub fn s3_delete_objects(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let keys: Vec<String> = p
            .pointer("/Delete/Objects")
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .map(|o| req_str(o, "Key").map(str::to_string))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        let quiet = p
            .get("Delete")
            .map(|d| opt_bool(d, "Quiet"))
            .transpose()?
            .flatten()
            .unwrap_or(false);
        params["delete"] = json!({"objects": keys.len(), "quiet": quiet});
        self.run(ctx, s3_op("DeleteObjects", params, false, true), |c, t| {
            c.bucket(&b)?;
            if keys.is_empty() || keys.len() > 1000 {
                return Err(SimError::service(
                    "MalformedXML",
                    400,
                    "The XML you provided was not well-formed or did not validate against our published schema",
                ));
            }
            let mut deleted = Vec::new();
            let mut errors = Vec::new();
            for k in &keys {
                let arn = object_arn(&b, k);
                t.resources.push(("AWS::S3::Object".into(), arn.clone()));
                let allowed = c.check_public_restriction(ctx, &b).and_then(|_| {
                    c.authorize(
                        ctx,
                        &crate::sim::authz::Access::s3("s3:DeleteObject", &arn, &b, &[]),
                    )
                });
                match allowed {
                    Err(e) => errors.push(json!({"Key": k, "Code": e.code, "Message": e.message})),
                    Ok(()) => {
                        if let Some(obj) = c.world.s3.objects.get_mut(&b).and_then(|m| m.remove(k))
                        {
                            let _ = c.blobs.delete(&obj.blob);
                            c.touch(EntityRef::Object(b.clone(), k.clone()));
                        }
                        if !quiet {
                            deleted.push(json!({"Key": k}));
                        }
                    }
                }
            }
            if c.world.s3.objects.get(&b).is_some_and(BTreeMap::is_empty) {
                c.world.s3.objects.remove(&b);
            }
            Ok(json!({"Deleted": deleted, "Errors": errors}))
        })
    }

    /// GetBucketLocation: us-east-1 answers an empty constraint, as S3 does.
    pub fn s3_get_bucket_location(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let (b, params) = Cloud::bucket_params(p)?;
        self.run(
            ctx,
            s3_op("GetBucketLocation", params, true, false),
            |c, t| {
                c.s3_bucket_prelude(ctx, t, &b, "s3:GetBucketLocation")?;
                let region = c.bucket(&b)?.region.clone();
                Ok(json!({"LocationConstraint": if region == "us-east-1" { Json::Null } else { json!(region) }}))
            },
        )
    }
}
