//! S3 multipart uploads (what the AWS CLI switches to at 8 MiB): Create, UploadPart,
//! Complete and AbortMultipartUpload.
//!
//! Parts are sealed as they arrive, each under a fresh S3-managed key wrapped by the root key,
//! so no plaintext part ever rests in the blob store. CompleteMultipartUpload decrypts them,
//! joins them and stores the object exactly as PutObject would with the encryption requested
//! at CreateMultipartUpload, so SSE-KMS applies to the completed object (its data key is
//! generated, as the caller, when the upload completes).

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use super::checksum;
use super::object::validate_key;
use super::{S3Error, s3_op};
use crate::sim::crypto::{self, KeyMaterial};
use crate::sim::kms::KmsError;
use crate::sim::world::{EntityRef, MultipartUpload, PutRequest, UploadPart};
use crate::sim::{CallContext, Cloud, SimError, opt_int, req_str};

/// S3's smallest part, except for the last one.
pub(crate) const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
/// S3's largest part number.
pub(crate) const MAX_PART_NUMBER: i64 = 10_000;

fn part_wrap_id(blob: &str) -> String {
    format!("s3-part/{blob}")
}

impl Cloud {
    pub(super) fn upload(&self, id: &str, b: &str, k: &str) -> Result<&MultipartUpload, S3Error> {
        self.world
            .s3
            .uploads
            .get(id)
            .filter(|u| u.bucket == b && u.key == k)
            .ok_or(S3Error::NoSuchUpload)
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
                        return Err(S3Error::UnsupportedEncryption {
                            algorithm: s.clone(),
                        }
                        .into());
                    }
                    out["ServerSideEncryption"] = json!(s);
                }
                let mut req = req.clone();
                if let Some(a) = &req.checksum_algorithm {
                    let alg = checksum::algorithm(a)?;
                    let kind = match req.checksum_type.clone() {
                        None if checksum::composite_allowed(alg) => "COMPOSITE".to_string(),
                        None => "FULL_OBJECT".to_string(),
                        Some(k) => k,
                    };
                    let allowed = match kind.as_str() {
                        "COMPOSITE" => checksum::composite_allowed(alg),
                        "FULL_OBJECT" => checksum::full_object_allowed(alg),
                        _ => false,
                    };
                    if !allowed {
                        return Err(S3Error::InvalidChecksum {
                            why: format!(
                                "The {kind} checksum type cannot be used with the {} checksum algorithm.",
                                alg.to_ascii_lowercase()
                            ),
                        }
                        .into());
                    }
                    req.checksum_algorithm = Some(alg.to_string());
                    req.checksum_type = Some(kind.clone());
                    out["ChecksumAlgorithm"] = json!(alg);
                    out["ChecksumType"] = json!(kind);
                }
                if let Some(key) = &req.kms_key {
                    let arn = c.kms_key_arn_for(key).map_err(KmsError::through_s3)?;
                    // AWS asks KMS for the upload's data key now, as the caller through S3:
                    // naming a key one may not use fails here, not at completion. The check
                    // is the one a cached bucket key gets (no KMS call, no KMS event).
                    let mut enc_ctx = super::object::decode_context(req.extra_ctx.as_deref())?;
                    enc_ctx.insert("aws:s3:arn".into(), super::object_arn(&b, &k));
                    c.check_cached_key_use(ctx, &arn, "kms:GenerateDataKey", &enc_ctx)?;
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
                    request: req,
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
                return Err(S3Error::InvalidPartNumber {
                    max: MAX_PART_NUMBER,
                }
                .into());
            }
            let sum = c.upload(&id, &b, &k)?.request.checksum_algorithm.clone();
            let sum = sum.as_deref().and_then(|a| checksum::checksum(a, body));
            // A part's checksum is checked against its body; an upload created without an
            // algorithm keeps none (the SDKs send CRC32 for every part by default, and S3
            // takes it).
            checksum::verify(p, body)?;
            let etag = c.store_part(&id, n, body, sum.clone())?;
            let mut out = json!({"ETag": format!("\"{etag}\"")});
            if let (Some(s), Some(a)) = (
                &sum,
                c.upload(&id, &b, &k)?.request.checksum_algorithm.clone(),
            ) {
                out[checksum::member(&a)] = json!(s);
            }
            Ok(out)
        })
    }

    /// Seals a part under a fresh S3-managed key and records it (replacing a part of the same
    /// number). Returns its ETag.
    pub(super) fn store_part(
        &mut self,
        id: &str,
        n: i64,
        body: &[u8],
        sum: Option<String>,
    ) -> Result<String, SimError> {
        let c = self;
        {
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
                checksum: sum,
            };
            let old = c
                .world
                .s3
                .uploads
                .get_mut(id)
                .and_then(|u| u.parts.insert(n as u32, part));
            if let Some(old) = old {
                let _ = c.blobs.delete(&old.blob);
            }
            c.touch(EntityRef::Upload(id.to_string()));
            Ok(etag)
        }
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
        let write_if = super::conditions::Conditions::from_params(p, "")?;
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
                    return Err(S3Error::MalformedXml.into());
                }
                if listed.windows(2).any(|w| w[0].0 >= w[1].0) {
                    return Err(S3Error::InvalidPartOrder.into());
                }
                let mut parts = Vec::new();
                for (i, (n, etag)) in listed.iter().enumerate() {
                    let part = u32::try_from(*n)
                        .ok()
                        .and_then(|n| upload.parts.get(&n))
                        .filter(|p| &p.etag == etag)
                        .ok_or(S3Error::InvalidPart)?;
                    if i + 1 < listed.len() && part.size < MIN_PART_SIZE {
                        return Err(S3Error::EntityTooSmall.into());
                    }
                    parts.push(part.clone());
                }
                let mut body = zeroize::Zeroizing::new(Vec::new());
                let mut digests = Vec::new();
                for part in &parts {
                    body.extend_from_slice(&c.open_part(part)?);
                    digests.extend(hex::decode(&part.etag).unwrap_or_default());
                }
                let mut out = c.store_object(ctx, t, &b, &k, &upload.request, &write_if, &body)?;
                // A multipart object's ETag is the MD5 of its parts' MD5s, then "-N".
                let etag = format!("{}-{}", crypto::md5_hex(&digests), parts.len());
                // A composite checksum is the checksum of the parts' checksums, then "-N".
                let composite = match (
                    &upload.request.checksum_algorithm,
                    upload.request.checksum_type.as_deref(),
                ) {
                    (Some(a), Some("COMPOSITE")) => {
                        let sums: Option<Vec<String>> =
                            parts.iter().map(|p| p.checksum.clone()).collect();
                        sums.and_then(|s| checksum::composite(a, &s))
                            .map(|v| (a.clone(), v))
                    }
                    _ => None,
                };
                if let Some(o) = c.world.s3.objects.get_mut(&b).and_then(|m| m.get_mut(&k)) {
                    o.etag = etag.clone();
                    if let Some(cs) = &composite {
                        o.checksum = Some(cs.clone());
                    }
                    if let Some(m) = out.as_object_mut() {
                        m.retain(|n, _| !n.starts_with("Checksum"));
                    }
                    super::object::checksum_fields(&mut out, o);
                }
                out["ETag"] = json!(format!("\"{etag}\""));
                out["Bucket"] = json!(b);
                out["Key"] = json!(k);
                out["Location"] = json!(format!(
                    "https://{b}.s3.amazonaws.com/{}",
                    crate::serve::sigv4::uri_encode(&k, true)
                ));
                c.drop_upload(&id);
                Ok(out)
            },
        )
    }

    /// ListParts: the parts uploaded so far, in part-number order, `MaxParts` (default 1,000)
    /// at a time after `PartNumberMarker`.
    pub fn s3_list_parts(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let k = req_str(p, "Key")?.to_string();
        let id = req_str(p, "UploadId")?.to_string();
        params["key"] = json!(k);
        params["uploadId"] = json!(id);
        let max = opt_int(p, "MaxParts")?.unwrap_or(1000).clamp(0, 1000) as usize;
        let marker = opt_int(p, "PartNumberMarker")?.unwrap_or(0);
        self.run(ctx, s3_op("ListParts", params, true, true), |c, t| {
            c.object_prelude(ctx, t, &b, &k, "s3:ListMultipartUploadParts", &[])?;
            let u = c.upload(&id, &b, &k)?;
            let alg = u.request.checksum_algorithm.clone();
            let after: Vec<(&u32, &UploadPart)> = u
                .parts
                .iter()
                .filter(|(n, _)| i64::from(**n) > marker)
                .collect();
            let truncated = after.len() > max;
            let shown = &after[..after.len().min(max)];
            let parts: Vec<Json> = shown
                .iter()
                .map(|(n, part)| {
                    let mut j = json!({
                        "PartNumber": n,
                        "LastModified": crate::sim::clock::iso8601(part.last_modified),
                        "ETag": format!("\"{}\"", part.etag),
                        "Size": part.size,
                    });
                    if let (Some(a), Some(s)) = (&alg, &part.checksum) {
                        j[checksum::member(a)] = json!(s);
                    }
                    j
                })
                .collect();
            let owner = json!({"ID": c.world.account_id});
            let mut out = json!({
                "Bucket": b,
                "Key": k,
                "UploadId": id,
                "PartNumberMarker": marker,
                "MaxParts": max,
                "IsTruncated": truncated,
                "Parts": parts,
                "Initiator": {"ID": u.initiator, "DisplayName": u.initiator},
                "Owner": owner,
                "StorageClass": "STANDARD",
            });
            if let Some(last) = shown.last() {
                out["NextPartNumberMarker"] = json!(last.0);
            }
            if let Some(a) = &alg {
                out["ChecksumAlgorithm"] = json!(a);
                out["ChecksumType"] = json!(u.request.checksum_type.clone().unwrap_or_default());
            }
            Ok(out)
        })
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
}
