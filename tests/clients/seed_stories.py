"""The seed stories told over HTTP by real clients (boto3 and, when installed, the AWS CLI v1)
against a running `keyform serve`. Each user signs with its own access keys.

Environment: AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (lab-admin's),
AWS_DEFAULT_REGION, as `keyform serve` prints them. Exits 0 when every check passed.
"""

import json
import os
import subprocess
import sys
import tempfile

import boto3
import botocore
from botocore.config import Config

ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
REGION = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
ADMIN = (os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"])
CFG = Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"})

passed = 0
failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def client(service, creds=ADMIN):
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=creds[0],
        aws_secret_access_key=creds[1],
        config=CFG,
    )


def error_of(fn, *args, **kwargs):
    """(HTTP status, error code) of a call expected to fail; (200, None) if it succeeded."""
    try:
        fn(*args, **kwargs)
        return (200, None)
    except botocore.exceptions.ClientError as e:
        return (e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"])


def user_with_keys(iam, name, managed=()):
    iam.create_user(UserName=name)
    for arn in managed:
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return (k["AccessKeyId"], k["SecretAccessKey"])


def main():
    kms, s3, iam, sts, ct = (client(s) for s in ("kms", "s3", "iam", "sts", "cloudtrail"))
    account = sts.get_caller_identity()["Account"]
    check("sts: lab-admin is the caller", sts.get_caller_identity()["Arn"].endswith(":user/lab-admin"))

    # 000: a customer managed key as a bucket's default encryption, then scheduled deletion.
    key = kms.create_key(Description="AeroSecure key")["KeyMetadata"]
    kid, karn = key["KeyId"], key["Arn"]
    kms.create_alias(AliasName="alias/aerosecure", TargetKeyId=kid)
    s3.create_bucket(Bucket="aerosecure-files")
    s3.put_bucket_encryption(
        Bucket="aerosecure-files",
        ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": kid},
            "BucketKeyEnabled": True}]},
    )
    enc = s3.get_bucket_encryption(Bucket="aerosecure-files")["ServerSideEncryptionConfiguration"]["Rules"][0]
    check("000 default encryption is SSE-KMS", enc["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms")
    body = b"kms encryption test file\n"
    put = s3.put_object(Bucket="aerosecure-files", Key="encryption-test-file.txt", Body=body)
    check("000 upload encrypted with the key", put["ServerSideEncryption"] == "aws:kms" and put["SSEKMSKeyId"] == karn, put)
    head = s3.head_object(Bucket="aerosecure-files", Key="encryption-test-file.txt")
    check("000 head shows the key", head["SSEKMSKeyId"] == karn and head["ContentLength"] == len(body))

    # 001: S3-Admin-User is denied; S3-KMS-Admin-User, a key user, reads the exact bytes.
    admin_user = user_with_keys(iam, "S3-Admin-User", ["arn:aws:iam::aws:policy/AmazonS3FullAccess"])
    kms_user = user_with_keys(iam, "S3-KMS-Admin-User", ["arn:aws:iam::aws:policy/AmazonS3FullAccess"])
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "Allow use of the key", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{account}:user/S3-KMS-Admin-User"},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
         "Resource": "*"}]}
    kms.put_key_policy(KeyId=kid, PolicyName="default", Policy=json.dumps(policy))
    s3_admin = client("s3", admin_user)
    check("001 S3-Admin-User lists the bucket", any(
        o["Key"] == "encryption-test-file.txt" for o in s3_admin.list_objects_v2(Bucket="aerosecure-files")["Contents"]))
    check("001 S3-Admin-User gets 403 AccessDenied",
          error_of(s3_admin.get_object, Bucket="aerosecure-files", Key="encryption-test-file.txt") == (403, "AccessDenied"))
    got = client("s3", kms_user).get_object(Bucket="aerosecure-files", Key="encryption-test-file.txt")["Body"].read()
    check("001 the key user reads the exact bytes", got == body)

    # 002: alias lab-key with rotation; the bucket encrypts with the alias.
    lab = kms.create_key(Description="lab-key")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/lab-key", TargetKeyId=lab)
    kms.enable_key_rotation(KeyId=lab)
    check("002 rotation enabled", kms.get_key_rotation_status(KeyId=lab)["KeyRotationEnabled"] is True)
    s3.create_bucket(Bucket="photo-sharing-lab")
    s3.put_bucket_encryption(Bucket="photo-sharing-lab", ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/lab-key"}}]})
    p = s3.put_object(Bucket="photo-sharing-lab", Key="photo.jpg", Body=b"\xff\xd8jpeg")
    check("002 object encrypted under lab-key", p["SSEKMSKeyId"].endswith(lab))
    aliases = [a["AliasName"] for a in kms.list_aliases()["Aliases"]]
    check("002 aliases listed", "alias/lab-key" in aliases and "alias/aerosecure" in aliases, aliases)

    # 003: a trail into a bucket, and its lookups.
    s3.create_bucket(Bucket="trail-logs-lab")
    s3.put_bucket_policy(Bucket="trail-logs-lab", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::trail-logs-lab"},
        {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::trail-logs-lab/AWSLogs/{account}/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]}))
    ct.create_trail(Name="lab-trail", S3BucketName="trail-logs-lab")
    ct.start_logging(Name="lab-trail")
    check("003 trail logging", ct.get_trail_status(Name="lab-trail")["IsLogging"] is True)
    kms.encrypt(KeyId=lab, Plaintext=b"audited")
    logs = s3.list_objects_v2(Bucket="trail-logs-lab").get("Contents", [])
    check("003 log files delivered", len(logs) > 0, logs)
    ev = ct.lookup_events(LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "S3-Admin-User"}])["Events"]
    denied = [e for e in ev if e["EventName"] == "Decrypt"]
    check("003 the denied decrypt is in CloudTrail with the user's key",
          bool(denied) and denied[0]["AccessKeyId"] == admin_user[0], ev)
    record = json.loads(denied[0]["CloudTrailEvent"]) if denied else {}
    check("003 S3 decrypts on the user's behalf", record.get("userIdentity", {}).get("invokedBy") == "s3.amazonaws.com", record)
    listed = [json.loads(e["CloudTrailEvent"]) for e in ev if e["EventName"] == "ListObjects"]
    check("003 direct calls carry the client's user agent and address",
          bool(listed) and "Boto3" in listed[0]["userAgent"] and listed[0]["sourceIPAddress"] == "127.0.0.1", listed[:1])

    # 004: public link refused, disabled key, bad credentials.
    s3.delete_public_access_block(Bucket="aerosecure-files")
    s3.put_bucket_policy(Bucket="aerosecure-files", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::aerosecure-files/*"}]}))
    anon = boto3.client("s3", endpoint_url=ENDPOINT, region_name=REGION, config=Config(
        signature_version=botocore.UNSIGNED, retries={"max_attempts": 1}))
    check("004 anonymous GET of SSE-KMS is 400 InvalidArgument",
          error_of(anon.get_object, Bucket="aerosecure-files", Key="encryption-test-file.txt") == (400, "InvalidArgument"))
    kms.disable_key(KeyId=kid)
    check("004 disabled key: 400 KMS.DisabledException",
          error_of(s3.get_object, Bucket="aerosecure-files", Key="encryption-test-file.txt") == (400, "KMS.DisabledException"))
    kms.enable_key(KeyId=kid)
    wrong = client("s3", (admin_user[0], "x" * 40))
    check("004 wrong secret: SignatureDoesNotMatch", error_of(wrong.list_buckets) == (403, "SignatureDoesNotMatch"))
    unknown = client("s3", ("AKIAIOSFODNN7EXAMPLE", "x" * 40))
    check("004 unknown key: InvalidAccessKeyId", error_of(unknown.list_buckets) == (403, "InvalidAccessKeyId"))
    check("004 unknown key to KMS: UnrecognizedClientException",
          error_of(client("kms", ("AKIAIOSFODNN7EXAMPLE", "x" * 40)).list_keys)[1] == "UnrecognizedClientException")

    # 000 again: scheduled deletion makes the data unreadable.
    kms.schedule_key_deletion(KeyId=kid, PendingWindowInDays=7)
    check("000 pending deletion", kms.describe_key(KeyId=kid)["KeyMetadata"]["KeyState"] == "PendingDeletion")
    check("000 read while pending: KMS.KMSInvalidStateException",
          error_of(s3.get_object, Bucket="aerosecure-files", Key="encryption-test-file.txt") == (400, "KMS.KMSInvalidStateException"))
    kms.cancel_key_deletion(KeyId=kid)
    kms.enable_key(KeyId=kid)

    aws_cli(admin_user)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def aws_cli(admin_user):
    """The AWS CLI v1 (same botocore): a 9 MiB multipart upload and its exit codes."""
    try:
        import awscli  # noqa: F401
    except ImportError:
        print("skip aws cli checks: awscli is not installed in this Python")
        return
    env = dict(os.environ, AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
               AWS_EC2_METADATA_DISABLED="true", AWS_MAX_ATTEMPTS="1", AWS_PAGER="")

    def aws(args, creds=ADMIN):
        e = dict(env, AWS_ACCESS_KEY_ID=creds[0], AWS_SECRET_ACCESS_KEY=creds[1])
        return subprocess.run([sys.executable, "-m", "awscli", *args], env=e, capture_output=True, text=True)

    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "big.bin"), os.path.join(d, "back.bin")
        with open(src, "wb") as f:
            f.write(os.urandom(9 * 1024 * 1024))
        up = aws(["s3", "cp", src, "s3://aerosecure-files/big.bin", "--sse", "aws:kms", "--only-show-errors"])
        check("cli: 9 MiB multipart upload with SSE-KMS", up.returncode == 0, up.stderr)
        down = aws(["s3", "cp", "s3://aerosecure-files/big.bin", dst, "--only-show-errors"])
        same = down.returncode == 0 and open(src, "rb").read() == open(dst, "rb").read()
        check("cli: downloads the exact bytes", same, down.stderr)
        head = aws(["s3api", "head-object", "--bucket", "aerosecure-files", "--key", "big.bin"])
        meta = json.loads(head.stdout or "{}")
        check("cli: multipart object is SSE-KMS with a -2 ETag",
              meta.get("ServerSideEncryption") == "aws:kms" and meta.get("ETag", "").endswith('-2"'), head.stdout + head.stderr)
        denied = aws(["s3api", "get-object", "--bucket", "aerosecure-files", "--key", "encryption-test-file.txt",
                      os.path.join(d, "x")], admin_user)
        check("cli: S3-Admin-User exits 255 with AccessDenied",
              denied.returncode == 255 and "AccessDenied" in denied.stderr, (denied.returncode, denied.stderr))
        ls = aws(["kms", "list-aliases"])
        check("cli: kms list-aliases", ls.returncode == 0 and "alias/lab-key" in ls.stdout, ls.stderr)


if __name__ == "__main__":
    sys.exit(main())
