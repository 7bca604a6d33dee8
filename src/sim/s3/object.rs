//! S3 objects: PutObject (encrypted as asked or by the bucket's default: SSE-S3, SSE-KMS with
//! a data key from KMS as the caller, DSSE-KMS), GetObject (with ranges) and HeadObject,
//! DeleteObject and DeleteObjects, and writing a file as S3 itself (CloudTrail delivery).
//!
//! Bucket keys are `bucket_key`'s; multipart uploads end in [`Cloud::store_object`] too.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value as Json, json};
use zeroize::Zeroizing;

use super::checksum;
use super::conditions::Conditions;
use super::{S3Error, object_arn, s3_op};
use crate::sim::authz::Access;
use crate::sim::clock::iso8601;
use crate::sim::crypto::{self, KeyMaterial};
use crate::sim::kms::KmsError;
use crate::sim::world::{ObjectEncryption, PutRequest, S3Object};
use crate::sim::{CallContext, Cloud, Principal, SimError, Touched, opt_bool, opt_str, req_str};

impl PutRequest {
    /// Reads the storage parameters of PutObject / CreateMultipartUpload.
    pub(crate) fn from_params(p: &Json) -> Result<PutRequest, SimError> {
        Ok(PutRequest {
            sse: opt_str(p, "ServerSideEncryption")?.map(str::to_string),
            kms_key: opt_str(p, "SSEKMSKeyId")?.map(str::to_string),
            extra_ctx: opt_str(p, "SSEKMSEncryptionContext")?.map(str::to_string),
            bucket_key: opt_bool(p, "BucketKeyEnabled")?,
            content_type: opt_str(p, "ContentType")?
                .unwrap_or("binary/octet-stream")
                .to_string(),
            metadata: crate::sim::opt_str_map(p, "Metadata")?,
            tags: match opt_str(p, "Tagging")? {
                Some(q) => super::tagging::query_tags(q)?,
                None => BTreeMap::new(),
            },
            checksum_algorithm: opt_str(p, "ChecksumAlgorithm")?.map(str::to_ascii_uppercase),
            checksum_type: opt_str(p, "ChecksumType")?.map(str::to_string),
        })
    }

    /// Adds the encryption headers to the CloudTrail request parameters, as S3 logs them.
    pub(crate) fn log_params(&self, params: &mut Json) {
        for (name, v) in [
            ("x-amz-server-side-encryption", &self.sse),
            ("x-amz-server-side-encryption-aws-kms-key-id", &self.kms_key),
        ] {
            if let Some(v) = v {
                params[name] = json!(v);
            }
        }
    }
}

/// One object's metadata as GetObject/HeadObject return it.
fn object_fields(o: &S3Object) -> Json {
    let mut m = json!({
        "ContentLength": o.size,
        "ETag": format!("\"{}\"", o.etag),
        "LastModified": iso8601(o.last_modified),
        "ContentType": o.content_type,
        "ServerSideEncryption": o.encryption.algorithm,
        "Metadata": o.metadata,
    });
    checksum_fields(&mut m, o);
    if !o.tags.is_empty() {
        m["TagCount"] = json!(o.tags.len());
    }
    if let Some(arn) = &o.encryption.kms_key_arn {
        m["SSEKMSKeyId"] = json!(arn);
    }
    if o.encryption.bucket_key_enabled {
        m["BucketKeyEnabled"] = json!(true);
    }
    if let Some(v) = &o.version_id {
        m["VersionId"] = json!(v);
    }
    m
}

/// The object's checksum as Get/Head/PutObject answer it: `Checksum<ALG>` and `ChecksumType`.
/// Objects stored before checksums were kept answer their SHA-256.
pub(super) fn checksum_fields(out: &mut Json, o: &S3Object) {
    match &o.checksum {
        Some((alg, v)) if !v.is_empty() => {
            out[checksum::member(alg)] = json!(v);
            out["ChecksumType"] = json!(checksum::kind(v));
        }
        _ => {
            out["ChecksumSHA256"] = json!(o.checksum_sha256);
            out["ChecksumType"] = json!("FULL_OBJECT");
        }
    }
}

/// The action a read or delete is authorized as: naming a version makes it the `...Version`
/// action, as in S3.
pub(super) fn versioned_action(plain: &'static str, version: Option<&str>) -> &'static str {
    match (plain, version) {
        ("s3:GetObject", Some(_)) => "s3:GetObjectVersion",
        ("s3:DeleteObject", Some(_)) => "s3:DeleteObjectVersion",
        (a, _) => a,
    }
}

impl Cloud {
    pub(super) fn object_prelude(
        &mut self,
        ctx: &CallContext,
        t: &mut Touched,
        b: &str,
        k: &str,
        action: &str,
        conds: &[(String, String)],
    ) -> Result<(), S3Error> {
        let arn = object_arn(b, k);
        t.resources.push(("AWS::S3::Object".into(), arn.clone()));
        t.resources
            .push(("AWS::S3::Bucket".into(), format!("arn:aws:s3:::{b}")));
        self.bucket(b)?;
        self.check_public_restriction(ctx, b)?;
        Ok(self.authorize(ctx, &Access::s3(action, &arn, b, conds))?)
    }

    /// PutObject with the body given as bytes.
    pub fn s3_put_object(
        &mut self,
        ctx: &CallContext,
        p: &Json,
        body: &[u8],
    ) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let k = req_str(p, "Key")?.to_string();
        validate_key(&k)?;
        params["key"] = json!(k);
        let req = PutRequest::from_params(p)?;
        req.log_params(&mut params);
        let write_if = Conditions::from_params(p, "")?;
        let mut req = req;
        self.run(ctx, s3_op("PutObject", params, false, true), |c, t| {
            c.authorize_store(ctx, t, &b, &k, &req, &write_if, &[])?;
            // A checksum sent without its algorithm names it, as the SDKs' headers do.
            if let Some(alg) = checksum::verify(p, body)?
                && req.checksum_algorithm.is_none()
            {
                req.checksum_algorithm = Some(alg.to_string());
            }
            c.write_object(ctx, &b, &k, &req, body)
        })
    }

    /// Encrypts and stores an object as PutObject does (authorization, then the write
    /// conditions, checked against the key's object under the same lock as the write); also
    /// the last step of CompleteMultipartUpload.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn store_object(
        &mut self,
        ctx: &CallContext,
        t: &mut Touched,
        b: &str,
        k: &str,
        req: &PutRequest,
        write_if: &Conditions,
        body: &[u8],
    ) -> Result<Json, SimError> {
        self.authorize_store(ctx, t, b, k, req, write_if, &[])?;
        self.write_object(ctx, b, k, req, body)
    }

    /// The authorization of a write (s3:PutObject with its condition keys, s3:PutObjectTagging
    /// when the object gets tags) and its write conditions. `extra` are the operation's own
    /// condition keys (a copy's `s3:x-amz-copy-source`).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn authorize_store(
        &mut self,
        ctx: &CallContext,
        t: &mut Touched,
        b: &str,
        k: &str,
        req: &PutRequest,
        write_if: &Conditions,
        extra: &[(String, String)],
    ) -> Result<(), SimError> {
        let mut conds = extra.to_vec();
        if let Some(s) = &req.sse {
            conds.push(("s3:x-amz-server-side-encryption".to_string(), s.clone()));
        }
        if let Some(kk) = &req.kms_key {
            conds.push((
                "s3:x-amz-server-side-encryption-aws-kms-key-id".to_string(),
                kk.clone(),
            ));
        }
        if let Some(m) = &write_if.if_match {
            conds.push(("s3:if-match".to_string(), m.clone()));
        }
        if let Some(m) = &write_if.if_none_match {
            conds.push(("s3:if-none-match".to_string(), m.clone()));
        }
        self.object_prelude(ctx, t, b, k, "s3:PutObject", &conds)?;
        if !req.tags.is_empty() {
            let tag_conds: Vec<(String, String)> = req
                .tags
                .iter()
                .map(|(k, v)| (format!("s3:RequestObjectTag/{k}"), v.clone()))
                .collect();
            let arn = object_arn(b, k);
            self.authorize(ctx, &Access::s3("s3:PutObjectTagging", &arn, b, &tag_conds))
                .map_err(S3Error::from)?;
        }
        write_if.check_write(self.object(b, k).ok())?;
        Ok(())
    }

    /// Encrypts and stores an already authorized object.
    pub(super) fn write_object(
        &mut self,
        ctx: &CallContext,
        b: &str,
        k: &str,
        req: &PutRequest,
        body: &[u8],
    ) -> Result<Json, SimError> {
        let (b, k) = (b.to_string(), k.to_string());
        let PutRequest {
            sse,
            kms_key,
            extra_ctx,
            bucket_key,
            content_type,
            metadata,
            tags,
            checksum_algorithm,
            ..
        } = req.clone();
        let c = self;
        {
            let default = c
                .bucket(&b)?
                .encryption
                .as_ref()
                .and_then(|r| r.first().cloned());
            let (algorithm, rule_key, rule_bucket_key) = match (&sse, &default) {
                // Explicit SSE-KMS headers without the bucket-key header take the bucket's
                // Bucket Key setting, as S3 does.
                (Some(s), d) => (
                    s.clone(),
                    None,
                    d.as_ref().is_some_and(|r| r.bucket_key_enabled),
                ),
                (None, Some(r)) => (
                    r.sse_algorithm.clone(),
                    r.kms_master_key_id.clone(),
                    r.bucket_key_enabled,
                ),
                (None, None) => ("AES256".to_string(), None, false),
            };
            if !matches!(algorithm.as_str(), "AES256" | "aws:kms" | "aws:kms:dsse") {
                return Err(S3Error::UnsupportedEncryption {
                    algorithm: algorithm.clone(),
                }
                .into());
            }
            let kms_mode = algorithm != "AES256";
            if !kms_mode && kms_key.is_some() {
                return Err(S3Error::KmsKeyWithoutKms.into());
            }
            let object = object_arn(&b, &k);
            let blob_id = c.world.ids.uuid();
            let aad = format!("{object}\n{blob_id}");
            let mut enc = ObjectEncryption {
                algorithm: algorithm.clone(),
                kms_key_arn: None,
                bucket_key_enabled: false,
                wrapped_data_key: None,
                bucket_sealed_key: None,
                context: BTreeMap::new(),
                s3_wrapped_key: None,
            };
            let sealed = if kms_mode {
                let key_ref = match kms_key.clone().or(rule_key) {
                    Some(r) => r,
                    None => c.aws_managed_s3_key()?,
                };
                let key_arn = c.kms_key_arn_for(&key_ref).map_err(KmsError::through_s3)?;
                // DSSE-KMS never uses a bucket key, as in AWS.
                let use_bucket_key =
                    algorithm == "aws:kms" && bucket_key.unwrap_or(rule_bucket_key);
                let mut enc_ctx = decode_context(extra_ctx.as_deref())?;
                let data_key: Zeroizing<Vec<u8>>;
                if use_bucket_key {
                    let bucket_arn = format!("arn:aws:s3:::{b}");
                    enc_ctx.insert("aws:s3:arn".into(), bucket_arn);
                    let (bk, blob) = c.bucket_key_for_put(ctx, &b, &key_arn, &enc_ctx)?;
                    let dk =
                        crypto::random_bytes(32).map_err(|e| SimError::internal(e.to_string()))?;
                    crate::sim::reveal_secret("s3-object-key", &dk);
                    let sealed_dk = crypto::encrypt_body(bk.expose(), &dk, object.as_bytes())
                        .map_err(|e| SimError::internal(e.to_string()))?;
                    enc.bucket_sealed_key = Some(B64.encode(sealed_dk));
                    enc.wrapped_data_key = Some(blob);
                    enc.bucket_key_enabled = true;
                    data_key = dk;
                } else {
                    enc_ctx.insert("aws:s3:arn".into(), object.clone());
                    let req = json!({"KeyId": key_ref, "KeySpec": "AES_256", "EncryptionContext": enc_ctx});
                    let r = c
                        .kms_generate_data_key_typed(&ctx.via("s3.amazonaws.com"), &req)
                        .map_err(KmsError::through_s3)?;
                    data_key = Zeroizing::new(b64_field(&r, "Plaintext")?);
                    enc.wrapped_data_key = r
                        .get("CiphertextBlob")
                        .and_then(Json::as_str)
                        .map(str::to_string);
                }
                enc.kms_key_arn = Some(key_arn);
                enc.context = enc_ctx;
                let layer1 = crypto::encrypt_body(&data_key, body, aad.as_bytes())
                    .map_err(|e| SimError::internal(e.to_string()))?;
                if algorithm == "aws:kms:dsse" {
                    let (s3_key, wrapped) = c.s3_managed_key(&blob_id)?;
                    enc.s3_wrapped_key = Some(wrapped);
                    crypto::encrypt_body(s3_key.expose(), &layer1, aad.as_bytes())
                        .map_err(|e| SimError::internal(e.to_string()))?
                } else {
                    layer1
                }
            } else {
                let (s3_key, wrapped) = c.s3_managed_key(&blob_id)?;
                enc.s3_wrapped_key = Some(wrapped);
                crypto::encrypt_body(s3_key.expose(), body, aad.as_bytes())
                    .map_err(|e| SimError::internal(e.to_string()))?
            };
            // As S3 does: an SSE-S3 object's ETag is the MD5 of its body; a KMS-encrypted
            // object's is opaque (random per upload), never a digest of the plaintext.
            let etag = if kms_mode {
                c.world.ids.hex(32)
            } else {
                crypto::md5_hex(body)
            };
            c.blobs
                .put(&blob_id, sealed)
                .map_err(|e| SimError::internal(format!("could not store object body: {e}")))?;
            let digest = crypto::sha256(body);
            let alg = match &checksum_algorithm {
                Some(a) => checksum::algorithm(a)?,
                None => checksum::DEFAULT,
            };
            let sum = checksum::checksum(alg, body).unwrap_or_default();
            let obj = S3Object {
                key: k.clone(),
                size: body.len() as u64,
                etag: etag.clone(),
                checksum_sha256: B64.encode(digest),
                last_modified: c.world.now,
                content_type,
                metadata,
                encryption: enc,
                blob: blob_id,
                version_id: None,
                tags,
                checksum: Some((alg.to_string(), sum)),
            };
            let mut out = json!({"ETag": format!("\"{etag}\""), "ServerSideEncryption": obj.encryption.algorithm});
            checksum_fields(&mut out, &obj);
            if let Some(arn) = &obj.encryption.kms_key_arn {
                out["SSEKMSKeyId"] = json!(arn);
            }
            if obj.encryption.bucket_key_enabled {
                out["BucketKeyEnabled"] = json!(true);
            }
            if let Some(v) = c.install_current(&b, obj) {
                out["VersionId"] = json!(v);
            }
            Ok(out)
        }
    }

    /// A fresh S3-managed data key and its root-wrapped form.
    fn s3_managed_key(&mut self, blob_id: &str) -> Result<(KeyMaterial, String), SimError> {
        let m = KeyMaterial::generate().map_err(|e| SimError::internal(e.to_string()))?;
        crate::sim::reveal_secret("s3-managed-key", m.expose());
        let wrapped = self
            .root
            .wrap(&format!("s3/{blob_id}"), 1, &m)
            .map_err(|e| SimError::internal(e.to_string()))?;
        Ok((m, wrapped))
    }

    /// GetObject: returns the response fields and the plaintext body.
    pub fn s3_get_object(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<(Json, Zeroizing<Vec<u8>>), SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let k = req_str(p, "Key")?.to_string();
        params["key"] = json!(k);
        let range = opt_str(p, "Range")?.map(str::to_string);
        let read_if = Conditions::from_params(p, "")?;
        let version = opt_str(p, "VersionId")?.map(str::to_string);
        if let Some(v) = &version {
            params["versionId"] = json!(v);
        }
        self.run(ctx, s3_op("GetObject", params, true, true), |c, t| {
            let action = versioned_action("s3:GetObject", version.as_deref());
            c.object_prelude(ctx, t, &b, &k, action, &[])?;
            let obj = c.find_version(&b, &k, version.as_deref())?;
            read_if.check_read(&obj)?;
            let body = c.open_object(ctx, &b, &obj)?;
            let mut fields = object_fields(&obj);
            let body = match range {
                Some(r) => {
                    let (start, end) = parse_range(&r, body.len())?;
                    fields["ContentRange"] = json!(format!("bytes {start}-{end}/{}", body.len()));
                    fields["ContentLength"] = json!(end + 1 - start);
                    strip_checksums(&mut fields);
                    Zeroizing::new(body[start..=end].to_vec())
                }
                None => body,
            };
            Ok((fields, body))
        })
    }

    pub(super) fn object(&self, b: &str, k: &str) -> Result<&S3Object, S3Error> {
        self.world
            .s3
            .objects
            .get(b)
            .and_then(|m| m.get(k))
            .ok_or(S3Error::NoSuchKey)
    }

    /// Decrypts an object body as the caller (KMS Decrypt through S3 for KMS modes). The
    /// AES-GCM tags authenticate the stored bytes, so a tampered body never decrypts.
    pub(super) fn open_object(
        &mut self,
        ctx: &CallContext,
        b: &str,
        obj: &S3Object,
    ) -> Result<Zeroizing<Vec<u8>>, SimError> {
        let enc = &obj.encryption;
        let aad = format!("{}\n{}", object_arn(b, &obj.key), obj.blob);
        let corrupt = |_| {
            SimError::internal(format!(
                "stored object {}/{} failed authentication: the object store was tampered with",
                b, obj.key
            ))
        };
        let missing = |e: std::io::Error| {
            SimError::internal(format!("object body missing from the store: {e}"))
        };
        if enc.algorithm == "AES256" {
            let wrapped = enc.s3_wrapped_key.clone().unwrap_or_default();
            let m = self
                .root
                .unwrap(&format!("s3/{}", obj.blob), 1, &wrapped)
                .map_err(|e| SimError::internal(e.to_string()))?;
            let sealed = self.blobs.get(&obj.blob).map_err(missing)?;
            return crypto::decrypt_body(m.expose(), &sealed, aad.as_bytes()).map_err(corrupt);
        }
        if matches!(ctx.principal, Principal::Anonymous) || !ctx.secure_transport {
            return Err(S3Error::SigV4Required.into());
        }
        let blob = enc.wrapped_data_key.clone().unwrap_or_default();
        let data_key: Zeroizing<Vec<u8>> = match &enc.bucket_sealed_key {
            Some(sealed_dk) => {
                let bk = self.bucket_key_for_get(ctx, b, enc, &blob)?;
                let sealed_dk = B64
                    .decode(sealed_dk)
                    .map_err(|_| SimError::internal("stored data key damaged"))?;
                crypto::decrypt_body(bk.expose(), &sealed_dk, object_arn(b, &obj.key).as_bytes())
                    .map_err(corrupt)?
            }
            None => {
                let req = json!({"CiphertextBlob": blob, "EncryptionContext": enc.context});
                let r = self
                    .kms_decrypt_typed(&ctx.via("s3.amazonaws.com"), &req)
                    .map_err(KmsError::through_s3)?;
                Zeroizing::new(b64_field(&r, "Plaintext")?)
            }
        };
        let sealed = self.blobs.get(&obj.blob).map_err(missing)?;
        if enc.algorithm == "aws:kms:dsse" {
            let wrapped = enc.s3_wrapped_key.clone().unwrap_or_default();
            let m = self
                .root
                .unwrap(&format!("s3/{}", obj.blob), 1, &wrapped)
                .map_err(|e| SimError::internal(e.to_string()))?;
            let layer1 =
                crypto::decrypt_body(m.expose(), &sealed, aad.as_bytes()).map_err(corrupt)?;
            return crypto::decrypt_body(&data_key, &layer1, aad.as_bytes()).map_err(corrupt);
        }
        crypto::decrypt_body(&data_key, &sealed, aad.as_bytes()).map_err(corrupt)
    }

    pub fn s3_head_object(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let k = req_str(p, "Key")?.to_string();
        params["key"] = json!(k);
        let read_if = Conditions::from_params(p, "")?;
        let version = opt_str(p, "VersionId")?.map(str::to_string);
        if let Some(v) = &version {
            params["versionId"] = json!(v);
        }
        self.run(ctx, s3_op("HeadObject", params, true, true), |c, t| {
            let action = versioned_action("s3:GetObject", version.as_deref());
            c.object_prelude(ctx, t, &b, &k, action, &[])?;
            let obj = c.find_version(&b, &k, version.as_deref())?;
            read_if.check_read(&obj)?;
            Ok(object_fields(&obj))
        })
    }

    pub fn s3_delete_object(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let k = req_str(p, "Key")?.to_string();
        params["key"] = json!(k);
        let delete_if = Conditions::from_params(p, "")?;
        let version = opt_str(p, "VersionId")?.map(str::to_string);
        if let Some(v) = &version {
            params["versionId"] = json!(v);
        }
        self.run(ctx, s3_op("DeleteObject", params, false, true), |c, t| {
            let action = versioned_action("s3:DeleteObject", version.as_deref());
            c.object_prelude(ctx, t, &b, &k, action, &[])?;
            delete_if.check_delete(c.object(&b, &k).ok())?;
            Ok(c.delete_version(&b, &k, version.as_deref())?)
        })
    }

    /// DeleteObjects: each key is authorized as s3:DeleteObject on its own; failures are
    /// reported per key, as S3 does, and never fail the whole request.
    pub fn s3_delete_objects(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let keys: Vec<(String, Option<String>)> = p
            .pointer("/Delete/Objects")
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .map(|o| {
                        Ok((
                            req_str(o, "Key")?.to_string(),
                            opt_str(o, "VersionId")?.map(str::to_string),
                        ))
                    })
                    .collect::<Result<Vec<_>, SimError>>()
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
                return Err(S3Error::MalformedXml.into());
            }
            let mut deleted = Vec::new();
            let mut errors = Vec::new();
            for (k, version) in &keys {
                let arn = object_arn(&b, k);
                t.resources.push(("AWS::S3::Object".into(), arn.clone()));
                let action = versioned_action("s3:DeleteObject", version.as_deref());
                let done = c
                    .check_public_restriction(ctx, &b)
                    .and_then(|()| Ok(c.authorize(ctx, &Access::s3(action, &arn, &b, &[]))?))
                    .and_then(|()| c.delete_version(&b, k, version.as_deref()));
                match done {
                    Err(e) => {
                        let mut j = json!({"Key": k, "Code": e.code(), "Message": e.message()});
                        if let Some(v) = version {
                            j["VersionId"] = json!(v);
                        }
                        errors.push(j)
                    }
                    Ok(r) => {
                        if !quiet {
                            let mut j = json!({"Key": k});
                            if let Some(v) = version {
                                j["VersionId"] = json!(v);
                            }
                            if r.get("DeleteMarker") == Some(&json!(true)) {
                                j["DeleteMarker"] = json!(true);
                                if let Some(id) = r.get("VersionId") {
                                    j["DeleteMarkerVersionId"] = id.clone();
                                }
                            }
                            deleted.push(j);
                        }
                    }
                }
            }
            Ok(json!({"Deleted": deleted, "Errors": errors}))
        })
    }

    /// Writes a file into a bucket as S3 itself (CloudTrail delivery), encrypted by the
    /// bucket's default encryption.
    pub(crate) fn s3_put_as_service(
        &mut self,
        service: &str,
        b: &str,
        k: &str,
        body: &[u8],
        conditions: &[(String, String)],
    ) -> Result<(), SimError> {
        let ctx = CallContext {
            conditions: conditions.to_vec(),
            ..CallContext::service(service)
        };
        let p = json!({"Bucket": b, "Key": k, "ContentType": "application/x-gzip"});
        self.s3_put_object(&ctx, &p, body).map(|_| ())
    }

    /// The same, with object metadata (a CloudTrail digest's signature).
    pub(crate) fn s3_put_as_service_with(
        &mut self,
        service: &str,
        b: &str,
        k: &str,
        body: &[u8],
        conditions: &[(String, String)],
        metadata: Json,
    ) -> Result<(), SimError> {
        let ctx = CallContext {
            conditions: conditions.to_vec(),
            ..CallContext::service(service)
        };
        let p = json!({"Bucket": b, "Key": k, "ContentType": "application/x-gzip",
                       "Metadata": metadata});
        self.s3_put_object(&ctx, &p, body).map(|_| ())
    }
}

/// A ranged read answers no checksum of the whole object, as S3 does.
fn strip_checksums(fields: &mut Json) {
    if let Some(m) = fields.as_object_mut() {
        m.retain(|k, _| !k.starts_with("Checksum"));
    }
}

pub(super) fn validate_key(k: &str) -> Result<(), S3Error> {
    if k.is_empty() || k.len() > 1024 {
        return Err(S3Error::KeyTooLong);
    }
    Ok(())
}

pub(super) fn b64_field(r: &Json, name: &str) -> Result<Vec<u8>, SimError> {
    let s = r.get(name).and_then(Json::as_str).unwrap_or_default();
    B64.decode(s)
        .map_err(|_| SimError::internal(format!("{name} was not base64")))
}

pub(super) fn decode_context(extra: Option<&str>) -> Result<BTreeMap<String, String>, S3Error> {
    let Some(e) = extra else {
        return Ok(BTreeMap::new());
    };
    let raw = B64.decode(e).map_err(|_| S3Error::BadEncryptionContext)?;
    serde_json::from_slice::<BTreeMap<String, String>>(&raw)
        .map_err(|_| S3Error::BadEncryptionContext)
}

fn parse_range(r: &str, len: usize) -> Result<(usize, usize), S3Error> {
    let bad = || S3Error::InvalidRange;
    let spec = r.strip_prefix("bytes=").ok_or_else(bad)?;
    let (a, b) = spec.split_once('-').ok_or_else(bad)?;
    if len == 0 {
        return Err(bad());
    }
    let (start, end) = match (a.parse::<usize>().ok(), b.parse::<usize>().ok()) {
        (Some(s), Some(e)) => (s, e.min(len - 1)),
        (Some(s), None) if b.is_empty() => (s, len - 1),
        (None, Some(n)) if a.is_empty() => (len.saturating_sub(n), len - 1),
        _ => return Err(bad()),
    };
    if start > end || start >= len {
        return Err(bad());
    }
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_like_http() {
        assert_eq!(parse_range("bytes=0-4", 10).unwrap(), (0, 4));
        assert_eq!(parse_range("bytes=5-", 10).unwrap(), (5, 9));
        assert_eq!(parse_range("bytes=-3", 10).unwrap(), (7, 9));
        assert!(parse_range("bytes=10-12", 10).is_err());
    }
}
