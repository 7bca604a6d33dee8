//! The seed stories told by the AWS SDK for Rust against a running `keyform serve`, as an
//! application tells them: KMS envelope calls, an SSE-KMS bucket with the SDK's default CRC32
//! checksums (checked again by the SDK on the way back), a multipart upload with a composite
//! CRC32, a user without kms:Decrypt refused, and CloudTrail's record of it.
//!
//! Environment: AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (lab-admin's),
//! AWS_DEFAULT_REGION, as `keyform serve` prints them, and KEYFORM_S3_USER_ID /
//! KEYFORM_S3_USER_SECRET: the keys of a user with AmazonS3FullAccess and nothing else.
//! Prints one line per check, then "N passed, M failed"; exits 1 on any failure.

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    ChecksumAlgorithm, ChecksumMode, ChecksumType, CompletedMultipartUpload, CompletedPart,
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule,
};
use aws_sdk_s3::{Client as S3, config::Credentials};

struct Checks {
    passed: u32,
    failed: u32,
}

impl Checks {
    fn check(&mut self, name: &str, ok: bool, detail: impl std::fmt::Debug) {
        if ok {
            self.passed += 1;
            println!("ok   {name}");
        } else {
            self.failed += 1;
            println!("FAIL {name} {detail:?}");
        }
    }
}

struct Env {
    endpoint: String,
    region: String,
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_default()
}

/// What every client is built from (each service crate has its own config type).
struct Parts {
    creds: Credentials,
    http: aws_sdk_s3::config::SharedHttpClient,
    endpoint: String,
    region: String,
}

fn sdk_config(e: &Env, id: &str, secret: &str) -> Parts {
    Parts {
        creds: Credentials::new(id, secret, None, None, "keyform"),
        http: aws_smithy_http_client::Builder::new().build_http(),
        endpoint: e.endpoint.clone(),
        region: e.region.clone(),
    }
}

macro_rules! client {
    ($krate:ident, $p:expr) => {{
        let p = &$p;
        let conf = $krate::Config::builder()
            .behavior_version($krate::config::BehaviorVersion::latest())
            .credentials_provider(p.creds.clone())
            .http_client(p.http.clone())
            .endpoint_url(p.endpoint.clone())
            .region($krate::config::Region::new(p.region.clone()))
            .retry_config($krate::config::retry::RetryConfig::disabled());
        conf
    }};
}

fn s3_client(p: &Parts) -> S3 {
    S3::from_conf(client!(aws_sdk_s3, p).force_path_style(true).build())
}

/// Base64 of the big-endian CRC32 of `bytes`, as S3 writes x-amz-checksum-crc32.
fn crc32(bytes: &[u8]) -> String {
    b64(&crc32fast::hash(bytes).to_be_bytes())
}

fn b64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// (HTTP status, error code) of a failed call.
fn error_of<E: ProvideErrorMetadata, R>(
    r: Result<R, aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>>,
) -> (u16, String) {
    match r {
        Ok(_) => (200, String::new()),
        Err(e) => (
            e.raw_response().map_or(0, |r| r.status().as_u16()),
            e.code().unwrap_or_default().to_string(),
        ),
    }
}

/// Some noise that is not all one byte.
fn noise(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let e = Env {
        endpoint: env("AWS_ENDPOINT_URL"),
        region: env("AWS_DEFAULT_REGION"),
    };
    let admin = sdk_config(&e, &env("AWS_ACCESS_KEY_ID"), &env("AWS_SECRET_ACCESS_KEY"));
    let user = sdk_config(
        &e,
        &env("KEYFORM_S3_USER_ID"),
        &env("KEYFORM_S3_USER_SECRET"),
    );
    let mut c = Checks {
        passed: 0,
        failed: 0,
    };
    if let Err(err) = story(&mut c, &admin, &user).await {
        c.check("the story ran to its end", false, err);
    }
    println!("{} passed, {} failed", c.passed, c.failed);
    std::process::exit(if c.failed == 0 { 0 } else { 1 });
}

type Failure = Box<dyn std::error::Error>;

async fn story(c: &mut Checks, admin: &Parts, user: &Parts) -> Result<(), Failure> {
    let sts = aws_sdk_sts::Client::from_conf(client!(aws_sdk_sts, admin).build());
    let kms = aws_sdk_kms::Client::from_conf(client!(aws_sdk_kms, admin).build());
    let ct = aws_sdk_cloudtrail::Client::from_conf(client!(aws_sdk_cloudtrail, admin).build());
    let s3 = s3_client(admin);
    let me = sts.get_caller_identity().send().await?;
    let arn = me.arn().unwrap_or_default().to_string();
    c.check(
        "sts: lab-admin is the caller",
        arn.ends_with(":user/lab-admin"),
        &arn,
    );

    // KMS: a key, an alias, envelope calls.
    let key = kms
        .create_key()
        .description("rust sdk key")
        .send()
        .await?
        .key_metadata
        .ok_or("no KeyMetadata")?;
    let key_arn = key.arn().unwrap_or_default().to_string();
    kms.create_alias()
        .alias_name("alias/rust-sdk")
        .target_key_id(key.key_id())
        .send()
        .await?;
    let secret = b"the Rust SDK's secret".to_vec();
    let enc = kms
        .encrypt()
        .key_id("alias/rust-sdk")
        .plaintext(secret.clone().into())
        .encryption_context("purpose", "rust")
        .send()
        .await?;
    c.check(
        "kms: Encrypt by alias names the key",
        enc.key_id() == Some(key_arn.as_str()),
        enc.key_id(),
    );
    let blob = enc.ciphertext_blob.ok_or("no CiphertextBlob")?;
    let dec = kms
        .decrypt()
        .ciphertext_blob(blob.clone())
        .encryption_context("purpose", "rust")
        .send()
        .await?;
    c.check(
        "kms: Decrypt gives the exact bytes back",
        dec.plaintext().map(|b| b.as_ref()) == Some(&secret[..]),
        (),
    );
    let wrong = kms
        .decrypt()
        .ciphertext_blob(blob.clone())
        .encryption_context("purpose", "other")
        .send()
        .await;
    let wrong = error_of(wrong);
    c.check(
        "kms: another encryption context is InvalidCiphertextException",
        wrong == (400, "InvalidCiphertextException".into()),
        wrong,
    );

    // S3: an SSE-KMS bucket with a Bucket Key, the SDK's default CRC32 on every upload.
    let bucket = "rust-sdk-files";
    s3.create_bucket().bucket(bucket).send().await?;
    let rule = ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(
            ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::AwsKms)
                .kms_master_key_id(&key_arn)
                .build()?,
        )
        .bucket_key_enabled(true)
        .build();
    s3.put_bucket_encryption()
        .bucket(bucket)
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(rule)
                .build()?,
        )
        .send()
        .await?;
    let body = b"kms encryption test file\n".to_vec();
    let put = s3
        .put_object()
        .bucket(bucket)
        .key("test-file.txt")
        .body(ByteStream::from(body.clone()))
        .send()
        .await?;
    c.check(
        "s3: PutObject is SSE-KMS under the bucket's key with a Bucket Key",
        put.server_side_encryption() == Some(&ServerSideEncryption::AwsKms)
            && put.ssekms_key_id() == Some(key_arn.as_str())
            && put.bucket_key_enabled() == Some(true),
        &put,
    );
    c.check(
        "s3: PutObject echoes the SDK's default CRC32",
        put.checksum_crc32() == Some(crc32(&body).as_str()),
        (put.checksum_crc32(), crc32(&body)),
    );
    let got = s3
        .get_object()
        .bucket(bucket)
        .key("test-file.txt")
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await?;
    let crc = got.checksum_crc32().map(str::to_string);
    let bytes = got.body.collect().await?.into_bytes();
    c.check(
        "s3: GetObject returns the exact bytes with their CRC32 (the SDK validated it)",
        bytes.as_ref() == &body[..] && crc.as_deref() == Some(crc32(&body).as_str()),
        crc,
    );

    // A multipart upload with CRC32: two parts, a composite checksum.
    let big = noise(6 * 1024 * 1024, 7);
    let (a, b) = big.split_at(5 * 1024 * 1024);
    let mpu = s3
        .create_multipart_upload()
        .bucket(bucket)
        .key("big.bin")
        .checksum_algorithm(ChecksumAlgorithm::Crc32)
        .send()
        .await?;
    let upload_id = mpu.upload_id().ok_or("no UploadId")?.to_string();
    let mut parts = Vec::new();
    for (n, part) in [(1, a), (2, b)] {
        let up = s3
            .upload_part()
            .bucket(bucket)
            .key("big.bin")
            .upload_id(&upload_id)
            .part_number(n)
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .body(ByteStream::from(part.to_vec()))
            .send()
            .await?;
        parts.push(
            CompletedPart::builder()
                .part_number(n)
                .e_tag(up.e_tag().unwrap_or_default())
                .checksum_crc32(up.checksum_crc32().unwrap_or_default())
                .build(),
        );
    }
    let done = s3
        .complete_multipart_upload()
        .bucket(bucket)
        .key("big.bin")
        .upload_id(&upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await?;
    let mut raw = crc32fast::hash(a).to_be_bytes().to_vec();
    raw.extend(crc32fast::hash(b).to_be_bytes());
    let composite = format!("{}-2", crc32(&raw));
    c.check(
        "s3: a CRC32 multipart upload ends in the composite checksum, a -2 ETag",
        done.checksum_crc32() == Some(composite.as_str())
            && done.checksum_type() == Some(&ChecksumType::Composite)
            && done.e_tag().is_some_and(|t| t.ends_with("-2\"")),
        (&done, composite),
    );
    let whole = s3
        .get_object()
        .bucket(bucket)
        .key("big.bin")
        .send()
        .await?
        .body
        .collect()
        .await?
        .into_bytes();
    c.check(
        "s3: the multipart object reads back byte for byte",
        whole.as_ref() == &big[..],
        whole.len(),
    );

    // A user with S3 full access and no kms:Decrypt: lists, is refused the object.
    let s3u = s3_client(user);
    let listed = s3u.list_objects_v2().bucket(bucket).send().await?;
    c.check(
        "iam: the S3 user lists the bucket",
        listed.key_count() == Some(2),
        listed.key_count(),
    );
    let denied = error_of(
        s3u.get_object()
            .bucket(bucket)
            .key("test-file.txt")
            .send()
            .await,
    );
    c.check(
        "s3: the S3 user's GetObject is 403 AccessDenied (no kms:Decrypt)",
        denied == (403, "AccessDenied".into()),
        denied,
    );

    // CloudTrail (the SDK's CloudTrail_20131101.<Op> target): S3's Decrypt for the user.
    let events = ct
        .lookup_events()
        .lookup_attributes(
            aws_sdk_cloudtrail::types::LookupAttribute::builder()
                .attribute_key(aws_sdk_cloudtrail::types::LookupAttributeKey::EventName)
                .attribute_value("Decrypt")
                .build()?,
        )
        .send()
        .await?;
    let records: Vec<String> = events
        .events()
        .iter()
        .filter_map(|e| e.cloud_trail_event().map(str::to_string))
        .collect();
    c.check(
        "cloudtrail: the refused Decrypt is recorded for the user, invoked by S3",
        records.iter().any(|r| {
            r.contains("\"invokedBy\":\"s3.amazonaws.com\"")
                && r.contains("\"errorCode\":\"AccessDenied\"")
                && r.contains(&env("KEYFORM_S3_USER_ID"))
        }),
        records.len(),
    );
    c.check(
        "cloudtrail: lab-admin's Decrypt carries the Rust SDK's user agent",
        records
            .iter()
            .any(|r| r.contains("\"userAgent\":\"aws-sdk-rust/")),
        records.first(),
    );
    Ok(())
}
