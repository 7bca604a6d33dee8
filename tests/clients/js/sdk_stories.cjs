// The seed stories told over HTTP by the AWS SDK for JavaScript v3 (the packages pinned in
// package.json beside this file) against a running `keyform serve`, as an application would
// use it: KMS envelope calls, S3 with the SDK's default CRC32 checksums (a header for a buffer,
// an aws-chunked trailer for a stream), lib-storage's multipart Upload, an SSE-KMS bucket, a
// user without kms:Decrypt refused, a presigned URL, and CloudTrail's record of it all.
//
//     node sdk_stories.cjs
//
// Environment: KEYFORM_JS_MODULES (the directory holding node_modules), AWS_ENDPOINT_URL,
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (lab-admin's), AWS_DEFAULT_REGION, as `keyform serve`
// prints them. Prints one line per check, then "N passed, M failed"; exits 1 on any failure.
"use strict";

const path = require("node:path");
const zlib = require("node:zlib");
const crypto = require("node:crypto");
const { Readable } = require("node:stream");
const { createRequire } = require("node:module");

const sdk = createRequire(path.join(process.env.KEYFORM_JS_MODULES, "node_modules", "x.js"));
const kmsLib = sdk("@aws-sdk/client-kms");
const s3Lib = sdk("@aws-sdk/client-s3");
const iamLib = sdk("@aws-sdk/client-iam");
const stsLib = sdk("@aws-sdk/client-sts");
const ctLib = sdk("@aws-sdk/client-cloudtrail");
const { Upload } = sdk("@aws-sdk/lib-storage");
const { getSignedUrl } = sdk("@aws-sdk/s3-request-presigner");

const ENDPOINT = process.env.AWS_ENDPOINT_URL;
const REGION = process.env.AWS_DEFAULT_REGION || "us-east-1";
const ADMIN = { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY };

let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  if (ok) {
    passed += 1;
    console.log(`ok   ${name}`);
  } else {
    failed += 1;
    console.log(`FAIL ${name} ${detail === undefined ? "" : JSON.stringify(detail)}`);
  }
}

function config(credentials) {
  return { endpoint: ENDPOINT, region: REGION, credentials, maxAttempts: 1 };
}
const clients = (creds) => ({
  kms: new kmsLib.KMSClient(config(creds)),
  s3: new s3Lib.S3Client({ ...config(creds), forcePathStyle: true }),
  iam: new iamLib.IAMClient(config(creds)),
  sts: new stsLib.STSClient(config(creds)),
  ct: new ctLib.CloudTrailClient(config(creds)),
});

/** [HTTP status, error name] of a call expected to fail; [200, null] when it succeeded. */
async function errorOf(promise) {
  try {
    await promise;
    return [200, null];
  } catch (e) {
    return [e.$metadata ? e.$metadata.httpStatusCode : 0, e.name];
  }
}
const same = (a, b) => a[0] === b[0] && a[1] === b[1];

/** Base64 of the big-endian CRC32 of `bytes`, as S3 writes x-amz-checksum-crc32. */
function crc32(bytes) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(zlib.crc32(bytes) >>> 0);
  return b.toString("base64");
}

async function text(body) {
  return Buffer.from(await body.transformToByteArray());
}

async function main() {
  const admin = clients(ADMIN);
  const me = await admin.sts.send(new stsLib.GetCallerIdentityCommand({}));
  check("sts: lab-admin is the caller", me.Arn.endsWith(":user/lab-admin"), me);
  const account = me.Account;

  // KMS: a customer managed key, an alias, envelope calls.
  const key = (await admin.kms.send(new kmsLib.CreateKeyCommand({ Description: "js sdk key" }))).KeyMetadata;
  check("kms: CreateKey is enabled and symmetric", key.KeyState === "Enabled" && key.KeySpec === "SYMMETRIC_DEFAULT", key);
  await admin.kms.send(new kmsLib.CreateAliasCommand({ AliasName: "alias/js-sdk", TargetKeyId: key.KeyId }));
  const plaintext = new TextEncoder().encode("the JS SDK's secret");
  const enc = await admin.kms.send(new kmsLib.EncryptCommand({
    KeyId: "alias/js-sdk", Plaintext: plaintext, EncryptionContext: { purpose: "js" },
  }));
  check("kms: Encrypt by alias names the key", enc.KeyId === key.Arn && enc.CiphertextBlob.length > plaintext.length, enc.KeyId);
  const dec = await admin.kms.send(new kmsLib.DecryptCommand({
    CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { purpose: "js" },
  }));
  check("kms: Decrypt gives the exact bytes back", Buffer.from(dec.Plaintext).equals(Buffer.from(plaintext)) && dec.KeyId === key.Arn);
  check("kms: a different encryption context is InvalidCiphertextException", same(
    await errorOf(admin.kms.send(new kmsLib.DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { purpose: "other" } }))),
    [400, "InvalidCiphertextException"]));
  const dk = await admin.kms.send(new kmsLib.GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: "AES_256" }));
  const back = await admin.kms.send(new kmsLib.DecryptCommand({ CiphertextBlob: dk.CiphertextBlob }));
  check("kms: a data key decrypts to its plaintext", dk.Plaintext.length === 32 && Buffer.from(back.Plaintext).equals(Buffer.from(dk.Plaintext)));
  const aliases = (await admin.kms.send(new kmsLib.ListAliasesCommand({ KeyId: key.KeyId }))).Aliases.map((a) => a.AliasName);
  check("kms: ListAliases by key", aliases.length === 1 && aliases[0] === "alias/js-sdk", aliases);

  // S3: an SSE-KMS bucket with a Bucket Key; the SDK's default CRC32 checksums.
  const bucket = "js-sdk-files";
  await admin.s3.send(new s3Lib.CreateBucketCommand({ Bucket: bucket }));
  await admin.s3.send(new s3Lib.PutBucketEncryptionCommand({
    Bucket: bucket,
    ServerSideEncryptionConfiguration: { Rules: [{
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: key.Arn }, BucketKeyEnabled: true,
    }] },
  }));
  const body = Buffer.from("kms encryption test file\n");
  const put = await admin.s3.send(new s3Lib.PutObjectCommand({ Bucket: bucket, Key: "test-file.txt", Body: body }));
  check("s3: PutObject is SSE-KMS under the bucket's key with a Bucket Key",
    put.ServerSideEncryption === "aws:kms" && put.SSEKMSKeyId === key.Arn && put.BucketKeyEnabled === true, put);
  check("s3: PutObject echoes the SDK's default CRC32", put.ChecksumCRC32 === crc32(body), [put.ChecksumCRC32, crc32(body)]);
  const got = await admin.s3.send(new s3Lib.GetObjectCommand({ Bucket: bucket, Key: "test-file.txt", ChecksumMode: "ENABLED" }));
  check("s3: GetObject returns the exact bytes with their CRC32 (the SDK validated it)",
    (await text(got.Body)).equals(body) && got.ChecksumCRC32 === crc32(body) && got.ChecksumType === "FULL_OBJECT",
    [got.ChecksumCRC32, got.ChecksumType]);
  const head = await admin.s3.send(new s3Lib.HeadObjectCommand({ Bucket: bucket, Key: "test-file.txt" }));
  check("s3: HeadObject shows the key and the length", head.SSEKMSKeyId === key.Arn && head.ContentLength === body.length, head);

  // A stream of unknown length: the SDK sends it aws-chunked with the CRC32 as a trailer.
  const streamed = crypto.randomBytes(200 * 1024);
  const sput = await admin.s3.send(new s3Lib.PutObjectCommand({
    Bucket: bucket, Key: "streamed.bin", Body: Readable.from([streamed.subarray(0, 70000), streamed.subarray(70000)]),
    ContentLength: streamed.length,
  }));
  check("s3: a streamed PutObject (aws-chunked, CRC32 trailer) is stored whole", sput.ChecksumCRC32 === crc32(streamed), sput.ChecksumCRC32);
  const sgot = await admin.s3.send(new s3Lib.GetObjectCommand({ Bucket: bucket, Key: "streamed.bin" }));
  check("s3: the streamed object reads back byte for byte", (await text(sgot.Body)).equals(streamed));

  // Explicit SSE-KMS headers take the bucket default's Bucket Key setting.
  const eput = await admin.s3.send(new s3Lib.PutObjectCommand({
    Bucket: bucket, Key: "explicit.txt", Body: "x", ServerSideEncryption: "aws:kms", SSEKMSKeyId: "alias/js-sdk",
  }));
  check("s3: explicit SSE-KMS by alias names the key's ARN, Bucket Key on",
    eput.SSEKMSKeyId === key.Arn && eput.BucketKeyEnabled === true, eput);

  // Conditional writes: If-None-Match: * on an existing key.
  check("s3: PutObject If-None-Match * on an existing key is 412 PreconditionFailed", same(
    await errorOf(admin.s3.send(new s3Lib.PutObjectCommand({ Bucket: bucket, Key: "test-file.txt", Body: "y", IfNoneMatch: "*" }))),
    [412, "PreconditionFailed"]));

  // lib-storage's Upload: 12 MiB in 5 MiB parts, CRC32 per part, a composite checksum.
  const big = crypto.randomBytes(12 * 1024 * 1024);
  const upload = new Upload({ client: admin.s3, params: { Bucket: bucket, Key: "big.bin", Body: big }, partSize: 5 * 1024 * 1024, queueSize: 2 });
  const parts = [];
  upload.on("httpUploadProgress", (p) => parts.push(p.part));
  const done = await upload.done();
  const partCrcs = [0, 1, 2].map((i) => Buffer.from(crc32(big.subarray(i * 5 * 1024 * 1024, (i + 1) * 5 * 1024 * 1024)), "base64"));
  const composite = `${crc32(Buffer.concat(partCrcs))}-3`;
  check("lib-storage: Upload is a 3-part multipart upload with a -3 ETag",
    /-3"$/.test(done.ETag) && new Set(parts).size === 3, [done.ETag, parts]);
  check("lib-storage: CompleteMultipartUpload's Location is the object's URL",
    done.Location === `${ENDPOINT}/${bucket}/big.bin`, done.Location);
  check("lib-storage: the composite CRC32 of the parts' CRC32s",
    done.ChecksumCRC32 === composite && done.ChecksumType === "COMPOSITE", [done.ChecksumCRC32, composite, done.ChecksumType]);
  const bhead = await admin.s3.send(new s3Lib.HeadObjectCommand({ Bucket: bucket, Key: "big.bin", ChecksumMode: "ENABLED" }));
  check("s3: the multipart object is SSE-KMS, whole, with its composite checksum",
    bhead.ServerSideEncryption === "aws:kms" && bhead.ContentLength === big.length && bhead.ChecksumCRC32 === composite, bhead);
  const bgot = await admin.s3.send(new s3Lib.GetObjectCommand({ Bucket: bucket, Key: "big.bin" }));
  check("s3: the multipart object reads back byte for byte", (await text(bgot.Body)).equals(big));
  const ranged = await admin.s3.send(new s3Lib.GetObjectCommand({ Bucket: bucket, Key: "big.bin", Range: "bytes=100-199", ChecksumMode: "ENABLED" }));
  check("s3: a ranged read is 100 bytes, 206, without a checksum",
    ranged.$metadata.httpStatusCode === 206 && (await text(ranged.Body)).equals(big.subarray(100, 200)) && ranged.ChecksumCRC32 === undefined);
  const list = await admin.s3.send(new s3Lib.ListObjectsV2Command({ Bucket: bucket }));
  check("s3: ListObjectsV2 lists the four objects", list.KeyCount === 4 && list.Contents.map((o) => o.Key).join() === "big.bin,explicit.txt,streamed.bin,test-file.txt",
    list.Contents && list.Contents.map((o) => o.Key));

  // A presigned GET, fetched with no SDK at all.
  const url = await getSignedUrl(admin.s3, new s3Lib.GetObjectCommand({ Bucket: bucket, Key: "test-file.txt" }), { expiresIn: 300 });
  const fetched = await fetch(url);
  check("s3: a presigned URL reads the object", fetched.status === 200 && Buffer.from(await fetched.arrayBuffer()).equals(body), fetched.status);
  const tampered = await fetch(url.replace("test-file.txt", "explicit.txt"));
  check("s3: a presigned URL for another key is 403 SignatureDoesNotMatch",
    tampered.status === 403 && (await tampered.text()).includes("<Code>SignatureDoesNotMatch</Code>"), tampered.status);

  // A user with S3 full access but no kms:Decrypt lists the bucket and is refused the object.
  await admin.iam.send(new iamLib.CreateUserCommand({ UserName: "js-s3-user" }));
  await admin.iam.send(new iamLib.AttachUserPolicyCommand({ UserName: "js-s3-user", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" }));
  const ak = (await admin.iam.send(new iamLib.CreateAccessKeyCommand({ UserName: "js-s3-user" }))).AccessKey;
  const user = clients({ accessKeyId: ak.AccessKeyId, secretAccessKey: ak.SecretAccessKey });
  const seen = await user.s3.send(new s3Lib.ListObjectsV2Command({ Bucket: bucket }));
  check("iam: the S3 user lists the bucket", seen.KeyCount === 4);
  check("s3: the S3 user's GetObject is 403 AccessDenied (no kms:Decrypt)", same(
    await errorOf(user.s3.send(new s3Lib.GetObjectCommand({ Bucket: bucket, Key: "test-file.txt" }))), [403, "AccessDenied"]));
  check("s3: the S3 user's PutObject is 403 AccessDenied (no kms:GenerateDataKey)", same(
    await errorOf(user.s3.send(new s3Lib.PutObjectCommand({ Bucket: bucket, Key: "new.txt", Body: "n" }))), [403, "AccessDenied"]));
  check("kms: the S3 user's own Decrypt is AccessDeniedException", same(
    await errorOf(user.kms.send(new kmsLib.DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { purpose: "js" } }))),
    [400, "AccessDeniedException"]));
  const wrong = clients({ accessKeyId: ak.AccessKeyId, secretAccessKey: "x".repeat(40) });
  check("s3: a wrong secret is SignatureDoesNotMatch", same(await errorOf(wrong.s3.send(new s3Lib.ListBucketsCommand({}))), [403, "SignatureDoesNotMatch"]));
  check("kms: an unknown access key is UnrecognizedClientException", (await errorOf(
    clients({ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x".repeat(40) }).kms.send(new kmsLib.ListKeysCommand({}))))[1] === "UnrecognizedClientException");

  // CloudTrail (the SDK's CloudTrail_20131101.<Op> target): a trail, its status, the lookups.
  const logs = "js-sdk-trail-logs";
  await admin.s3.send(new s3Lib.CreateBucketCommand({ Bucket: logs }));
  await admin.s3.send(new s3Lib.PutBucketPolicyCommand({ Bucket: logs, Policy: JSON.stringify({ Version: "2012-10-17", Statement: [
    { Sid: "AWSCloudTrailAclCheck", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:GetBucketAcl", Resource: `arn:aws:s3:::${logs}` },
    { Sid: "AWSCloudTrailWrite", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:PutObject",
      Resource: `arn:aws:s3:::${logs}/AWSLogs/${account}/*`, Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control" } } },
  ] }) }));
  await admin.ct.send(new ctLib.CreateTrailCommand({ Name: "js-trail", S3BucketName: logs, EnableLogFileValidation: true }));
  await admin.ct.send(new ctLib.StartLoggingCommand({ Name: "js-trail" }));
  const status = await admin.ct.send(new ctLib.GetTrailStatusCommand({ Name: "js-trail" }));
  check("cloudtrail: the trail is logging since a moment ago", status.IsLogging === true && status.StartLoggingTime instanceof Date, status);
  const trails = (await admin.ct.send(new ctLib.DescribeTrailsCommand({ trailNameList: ["js-trail"], includeShadowTrails: false }))).trailList;
  check("cloudtrail: DescribeTrails by name", trails.length === 1 && trails[0].S3BucketName === logs && trails[0].LogFileValidationEnabled === true, trails);
  const listed = (await admin.ct.send(new ctLib.ListTrailsCommand({}))).Trails;
  check("cloudtrail: ListTrails", listed.some((t) => t.Name === "js-trail"), listed);
  await admin.kms.send(new kmsLib.EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext }));
  const delivered = (await admin.s3.send(new s3Lib.ListObjectsV2Command({ Bucket: logs }))).Contents || [];
  check("cloudtrail: log files delivered to the bucket", delivered.some((o) => o.Key.endsWith(".json.gz")), delivered.map((o) => o.Key));

  const byUser = (await admin.ct.send(new ctLib.LookupEventsCommand({
    LookupAttributes: [{ AttributeKey: "Username", AttributeValue: "js-s3-user" }],
  }))).Events;
  const denied = byUser.filter((e) => e.EventName === "Decrypt");
  const s3Decrypt = denied.map((e) => JSON.parse(e.CloudTrailEvent)).find((r) => r.userIdentity.invokedBy === "s3.amazonaws.com");
  check("cloudtrail: S3's Decrypt on the user's behalf is recorded, denied, with the user's key",
    s3Decrypt !== undefined && s3Decrypt.errorCode === "AccessDenied" && s3Decrypt.userIdentity.accessKeyId === ak.AccessKeyId, denied.length);
  const direct = denied.map((e) => JSON.parse(e.CloudTrailEvent)).find((r) => r.userIdentity.invokedBy === undefined);
  check("cloudtrail: the user's own Decrypt carries the JS SDK's user agent",
    direct !== undefined && direct.errorCode === "AccessDenied" && /aws-sdk-js\/3\./.test(direct.userAgent) && direct.sourceIPAddress === "127.0.0.1",
    direct && [direct.userAgent, direct.errorCode]);
  const byName = (await admin.ct.send(new ctLib.LookupEventsCommand({
    LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "CreateKey" }], MaxResults: 5,
  }))).Events;
  check("cloudtrail: LookupEvents by event name finds CreateKey with its resource",
    byName.length === 1 && byName[0].Username === "lab-admin" && byName[0].EventTime instanceof Date
      && byName[0].Resources.some((r) => r.ResourceName === key.Arn), byName);
  const bySource = (await admin.ct.send(new ctLib.LookupEventsCommand({
    LookupAttributes: [{ AttributeKey: "EventSource", AttributeValue: "kms.amazonaws.com" }],
    StartTime: new Date(Date.now() - 3600 * 1000), EndTime: new Date(Date.now() + 3600 * 1000),
  }))).Events;
  check("cloudtrail: LookupEvents by source and time window", bySource.length >= 6 && bySource.every((e) => e.EventSource === "kms.amazonaws.com"), bySource.length);

  // Scheduled deletion makes the data unreadable.
  await admin.kms.send(new kmsLib.ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
  check("s3: reading while the key is pending deletion is KMS.KMSInvalidStateException", same(
    await errorOf(admin.s3.send(new s3Lib.GetObjectCommand({ Bucket: bucket, Key: "test-file.txt" }))), [400, "KMS.KMSInvalidStateException"]));
  await admin.kms.send(new kmsLib.CancelKeyDeletionCommand({ KeyId: key.KeyId }));

  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  console.log(`FAIL the story stopped: ${e.name}: ${e.message}`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
