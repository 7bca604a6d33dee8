"""S3 copies, tags, ListParts, checksums and the bucket sub-resources the Terraform provider
reads, told by boto3 and the AWS CLI v1 against a running `keyform serve`.

Environment as seed_stories.py. Exits 0 when every check passed.
"""

import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zlib

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
    return boto3.client(service, endpoint_url=ENDPOINT, region_name=REGION,
                        aws_access_key_id=creds[0], aws_secret_access_key=creds[1], config=CFG)


def error_of(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
        return (200, None)
    except botocore.exceptions.ClientError as e:
        return (e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"])


def main():
    kms, s3, iam = (client(s) for s in ("kms", "s3", "iam"))
    old = kms.create_key(Description="old")["KeyMetadata"]["Arn"]
    new = kms.create_key(Description="new")["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket="copies")
    s3.put_bucket_encryption(Bucket="copies", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": old}}]})
    s3.put_object(Bucket="copies", Key="doc.txt", Body=b"hello copies", ContentType="text/plain",
                  Metadata={"team": "blue"}, Tagging="env=lab&owner=ops")

    # Re-encrypt in place after changing the default: copy the object onto itself.
    s3.put_bucket_encryption(Bucket="copies", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": new}}]})
    check("copy onto itself without changes is InvalidRequest",
          error_of(s3.copy_object, Bucket="copies", Key="doc.txt",
                   CopySource={"Bucket": "copies", "Key": "doc.txt"}) == (400, "InvalidRequest"))
    r = s3.copy_object(Bucket="copies", Key="doc.txt", CopySource={"Bucket": "copies", "Key": "doc.txt"},
                       ServerSideEncryption="aws:kms", SSEKMSKeyId=new)
    check("copy onto itself with a new key answers the new key",
          r["SSEKMSKeyId"] == new and r["CopyObjectResult"]["ETag"].startswith('"'), r)
    h = s3.head_object(Bucket="copies", Key="doc.txt")
    check("the re-encrypted object keeps its metadata and type",
          h["SSEKMSKeyId"] == new and h["Metadata"] == {"team": "blue"} and h["ContentType"] == "text/plain", h)
    check("and its tags", s3.get_object_tagging(Bucket="copies", Key="doc.txt")["TagSet"]
          == [{"Key": "env", "Value": "lab"}, {"Key": "owner", "Value": "ops"}])
    check("GetObject counts the tags", s3.get_object(Bucket="copies", Key="doc.txt").get("TagCount") == 2)

    # Directives and conditions.
    r = s3.copy_object(Bucket="copies", Key="copy.txt", CopySource="copies/doc.txt",
                       MetadataDirective="REPLACE", ContentType="application/json", Metadata={"x": "y"},
                       TaggingDirective="REPLACE", Tagging="only=this")
    h = s3.head_object(Bucket="copies", Key="copy.txt")
    check("REPLACE directives replace metadata and tags",
          h["Metadata"] == {"x": "y"} and h["ContentType"] == "application/json"
          and s3.get_object_tagging(Bucket="copies", Key="copy.txt")["TagSet"] == [{"Key": "only", "Value": "this"}], h)
    etag = h["ETag"]
    check("copy-source-if-match with another ETag is 412",
          error_of(s3.copy_object, Bucket="copies", Key="c2", CopySource="copies/copy.txt",
                   CopySourceIfMatch='"0123"') == (412, "PreconditionFailed"))
    check("copy-source-if-none-match with its ETag is 412",
          error_of(s3.copy_object, Bucket="copies", Key="c2", CopySource="copies/copy.txt",
                   CopySourceIfNoneMatch=etag) == (412, "PreconditionFailed"))
    check("copy from a missing key is NoSuchKey",
          error_of(s3.copy_object, Bucket="copies", Key="c2", CopySource="copies/nothing") == (404, "NoSuchKey"))
    check("the refused copies wrote nothing", error_of(s3.head_object, Bucket="copies", Key="c2")[0] == 404)

    # A user with S3 rights but no kms:Decrypt on the source key cannot copy it.
    iam.create_user(UserName="copier")
    iam.put_user_policy(UserName="copier", PolicyName="s3", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                                               {"Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": "*"}]}))
    k = iam.create_access_key(UserName="copier")["AccessKey"]
    copier = client("s3", (k["AccessKeyId"], k["SecretAccessKey"]))
    check("copy without kms:Decrypt on the source key is AccessDenied",
          error_of(copier.copy_object, Bucket="copies", Key="c3", CopySource="copies/doc.txt") == (403, "AccessDenied"))

    # Checksums, every algorithm: the check values of "123456789" sent as the SDK sends them
    # (botocore computes CRC32C and CRC64NVME only with awscrt, so the value is given).
    known = {"CRC32": "cbf43926", "CRC32C": "e3069283", "CRC64NVME": "ae8b14860a799888",
             "SHA1": hashlib.sha1(b"123456789").hexdigest(), "SHA256": hashlib.sha256(b"123456789").hexdigest()}
    for alg, hexval in known.items():
        value = base64.b64encode(bytes.fromhex(hexval)).decode()
        put = s3.put_object(Bucket="copies", Key=f"sum-{alg}", Body=b"123456789", **{f"Checksum{alg}": value})
        head = s3.head_object(Bucket="copies", Key=f"sum-{alg}", ChecksumMode="ENABLED")
        others = [k for k in head if k.startswith("Checksum") and k not in (f"Checksum{alg}", "ChecksumType")]
        check(f"checksum {alg} stored and answered",
              head.get(f"Checksum{alg}") == value and put.get(f"Checksum{alg}") == value and not others
              and head.get("ChecksumType") == "FULL_OBJECT", (put, head))
        bad = base64.b64encode(bytes(len(bytes.fromhex(hexval)))).decode()
        check(f"a wrong {alg} is BadDigest",
              error_of(s3.put_object, Bucket="copies", Key="bad", Body=b"123456789",
                       **{f"Checksum{alg}": bad}) == (400, "BadDigest"))
    check("BadDigest stored nothing", error_of(s3.head_object, Bucket="copies", Key="bad")[0] == 404)
    s3.put_object(Bucket="copies", Key="sum-default", Body=b"123456789", ChecksumAlgorithm="CRC32")
    crc = base64.b64encode(zlib.crc32(b"123456789").to_bytes(4, "big")).decode()
    check("CRC32 is the standard one", s3.head_object(Bucket="copies", Key="sum-CRC32",
                                                      ChecksumMode="ENABLED").get("ChecksumCRC32") == crc)
    ranged = s3.get_object(Bucket="copies", Key="sum-CRC32", Range="bytes=0-3", ChecksumMode="ENABLED")
    check("a ranged read carries no checksum",
          ranged["Body"].read() == b"1234" and not any(k.startswith("ChecksumCRC") for k in ranged), ranged)

    # Multipart: composite CRC32, echoed; UploadPartCopy; ListParts.
    big = os.urandom(5 * 1024 * 1024)
    s3.put_object(Bucket="copies", Key="big.bin", Body=big)
    up = s3.create_multipart_upload(Bucket="copies", Key="mp.bin", ChecksumAlgorithm="CRC32")
    check("CreateMultipartUpload echoes the algorithm", up.get("ChecksumAlgorithm") == "CRC32", up)
    uid = up["UploadId"]
    p1 = s3.upload_part_copy(Bucket="copies", Key="mp.bin", UploadId=uid, PartNumber=1,
                             CopySource="copies/big.bin", CopySourceRange=f"bytes=0-{len(big) - 1}")
    p2 = s3.upload_part(Bucket="copies", Key="mp.bin", UploadId=uid, PartNumber=2, Body=b"tail",
                        ChecksumAlgorithm="CRC32")
    parts = s3.list_parts(Bucket="copies", Key="mp.bin", UploadId=uid)
    check("ListParts lists both parts with sizes",
          [(p["PartNumber"], p["Size"]) for p in parts["Parts"]] == [(1, len(big)), (2, 4)], parts)
    done = s3.complete_multipart_upload(Bucket="copies", Key="mp.bin", UploadId=uid, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": p1["CopyPartResult"]["ETag"], "ChecksumCRC32": parts["Parts"][0].get("ChecksumCRC32")},
        {"PartNumber": 2, "ETag": p2["ETag"], "ChecksumCRC32": p2["ChecksumCRC32"]}]})
    check("CompleteMultipartUpload answers the composite checksum",
          done.get("ChecksumCRC32", "").endswith("-2") and done.get("ChecksumType") == "COMPOSITE", done)
    body = s3.get_object(Bucket="copies", Key="mp.bin")["Body"].read()
    check("the part-copied object reads back", body == big + b"tail")

    # Bucket tags, and the sub-resources the Terraform provider reads for aws_s3_bucket.
    check("no bucket tags is NoSuchTagSet", error_of(s3.get_bucket_tagging, Bucket="copies") == (404, "NoSuchTagSet"))
    s3.put_bucket_tagging(Bucket="copies", Tagging={"TagSet": [{"Key": "env", "Value": "lab"}]})
    check("bucket tags round-trip", s3.get_bucket_tagging(Bucket="copies")["TagSet"] == [{"Key": "env", "Value": "lab"}])
    s3.delete_bucket_tagging(Bucket="copies")
    check("bucket tags deleted", error_of(s3.get_bucket_tagging, Bucket="copies")[1] == "NoSuchTagSet")
    acl = s3.get_bucket_acl(Bucket="copies")
    check("acl: the owner has FULL_CONTROL", [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"], acl)
    for fn, code in [(s3.get_bucket_cors, "NoSuchCORSConfiguration"),
                     (s3.get_bucket_website, "NoSuchWebsiteConfiguration"),
                     (s3.get_bucket_lifecycle_configuration, "NoSuchLifecycleConfiguration"),
                     (s3.get_bucket_replication, "ReplicationConfigurationNotFoundError"),
                     (s3.get_object_lock_configuration, "ObjectLockConfigurationNotFoundError")]:
        check(f"{fn.__name__}: {code}", error_of(fn, Bucket="copies") == (404, code), error_of(fn, Bucket="copies"))
    check("logging: none", "LoggingEnabled" not in s3.get_bucket_logging(Bucket="copies"))
    check("request payment: BucketOwner", s3.get_bucket_request_payment(Bucket="copies")["Payer"] == "BucketOwner")
    check("accelerate: none", "Status" not in s3.get_bucket_accelerate_configuration(Bucket="copies"))
    own = s3.get_bucket_ownership_controls(Bucket="copies")["OwnershipControls"]["Rules"]
    check("ownership: BucketOwnerEnforced", own == [{"ObjectOwnership": "BucketOwnerEnforced"}], own)
    check("sub-resources of a missing bucket are NoSuchBucket",
          error_of(s3.get_bucket_cors, Bucket="no-such-bucket") == (404, "NoSuchBucket"))

    aws_cli()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def aws_cli():
    """The AWS CLI v1: `s3 cp` between S3 URLs is CopyObject; s3api object tagging."""
    try:
        import awscli  # noqa: F401
    except ImportError:
        print("skip aws cli checks: awscli is not installed in this Python")
        return
    env = dict(os.environ, AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
               AWS_EC2_METADATA_DISABLED="true", AWS_MAX_ATTEMPTS="1", AWS_PAGER="")

    def aws(args):
        return subprocess.run([sys.executable, "-m", "awscli", *args], env=env, capture_output=True, text=True)

    cp = aws(["s3", "cp", "s3://copies/doc.txt", "s3://copies/cli-copy.txt", "--only-show-errors"])
    check("cli: s3 cp between S3 URLs", cp.returncode == 0, cp.stderr)
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "x")
        get = aws(["s3", "cp", "s3://copies/cli-copy.txt", out, "--only-show-errors"])
        check("cli: the copy reads back", get.returncode == 0 and open(out, "rb").read() == b"hello copies", get.stderr)
    tag = aws(["s3api", "put-object-tagging", "--bucket", "copies", "--key", "cli-copy.txt",
               "--tagging", "TagSet=[{Key=k,Value=v}]"])
    got = aws(["s3api", "get-object-tagging", "--bucket", "copies", "--key", "cli-copy.txt"])
    check("cli: object tagging", tag.returncode == 0 and json.loads(got.stdout or "{}").get("TagSet")
          == [{"Key": "k", "Value": "v"}], tag.stderr + got.stderr)


if __name__ == "__main__":
    sys.exit(main())
