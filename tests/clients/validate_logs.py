"""CloudTrail log file integrity, checked by the AWS CLI v1's own `aws cloudtrail validate-logs`
against a running `keyform serve`: a validating trail delivers log files and, an hour later,
a signed digest; validate-logs verifies the chain, then reports a changed and a deleted log.

Environment as seed_stories.py. Exits 0 when every check passed.
"""

import gzip
import json
import os
import subprocess
import sys
import urllib.request

import boto3
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


def client(service):
    return boto3.client(service, endpoint_url=ENDPOINT, region_name=REGION,
                        aws_access_key_id=ADMIN[0], aws_secret_access_key=ADMIN[1], config=CFG)


def control(method, path):
    req = urllib.request.Request(ENDPOINT + path, method=method)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


def validate(arn, start, end):
    env = dict(os.environ, AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
               AWS_EC2_METADATA_DISABLED="true", AWS_MAX_ATTEMPTS="1", AWS_PAGER="")
    r = subprocess.run([sys.executable, "-m", "awscli", "cloudtrail", "validate-logs", "--trail-arn", arn,
                        "--start-time", start, "--end-time", end, "--verbose"],
                       env=env, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def main():
    s3, ct, kms, sts = (client(s) for s in ("s3", "cloudtrail", "kms", "sts"))
    account = sts.get_caller_identity()["Account"]
    start = control("GET", "/_keyform/clock")["now"]
    s3.create_bucket(Bucket="audit-logs")
    s3.put_bucket_policy(Bucket="audit-logs", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": "arn:aws:s3:::audit-logs"},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::audit-logs/AWSLogs/{account}/*"}]}))
    arn = ct.create_trail(Name="audit", S3BucketName="audit-logs", EnableLogFileValidation=True)["TrailARN"]
    ct.start_logging(Name="audit")
    kms.create_key(Description="evidence")
    kms.list_keys()
    control("POST", "/_keyform/clock/advance?by=61m")
    kms.list_aliases()
    status = ct.get_trail_status(Name="audit")
    check("GetTrailStatus reports the digest delivery", "LatestDigestDeliveryTime" in status, status)
    keys = ct.list_public_keys()["PublicKeyList"]
    check("ListPublicKeys answers the signing key", len(keys) == 1 and len(keys[0]["Fingerprint"]) == 32, keys)
    listed = s3.list_objects_v2(Bucket="audit-logs", Prefix=f"AWSLogs/{account}/")
    objects = [o["Key"] for o in listed.get("Contents", [])]
    digests = [k for k in objects if "/CloudTrail-Digest/" in k]
    logs = [k for k in objects if "/CloudTrail/" in k]
    check("a digest file and log files were delivered", len(digests) == 1 and logs, objects)
    if not digests or not logs:
        return finish()
    head = s3.head_object(Bucket="audit-logs", Key=digests[0])
    check("the digest carries its signature as metadata",
          head["Metadata"].get("signature-algorithm") == "SHA256withRSA" and len(head["Metadata"].get("signature", "")) == 512,
          head["Metadata"])

    # A second hour: the next digest chains to the first.
    kms.list_keys()
    control("POST", "/_keyform/clock/advance?by=61m")
    kms.list_aliases()
    end = control("GET", "/_keyform/clock")["now"]
    # validate-logs reads up to an hour past --end-time.
    code, out = validate(arn, start, end)
    check("validate-logs verifies the chain", code == 0 and "2/2 digest files valid" in out
          and "INVALID" not in out, out)
    log_lines = [line for line in out.splitlines() if line.startswith("Log file") and line.endswith("valid")]
    check("and every log file", len(log_lines) >= 2, out)

    # Tamper with a log file the first digest lists, delete one the last lists.
    listed = s3.list_objects_v2(Bucket="audit-logs", Prefix=f"AWSLogs/{account}/CloudTrail-Digest/")
    chain = [json.loads(gzip.decompress(s3.get_object(Bucket="audit-logs", Key=o["Key"])["Body"].read()))
             for o in sorted(listed["Contents"], key=lambda o: o["Key"])]
    check("the second digest chains to the first",
          chain[-1]["previousDigestS3Object"] == chain[0]["digestS3Object"], chain)
    logs = [chain[0]["logFiles"][0]["s3Object"], chain[-1]["logFiles"][-1]["s3Object"]]
    original = s3.get_object(Bucket="audit-logs", Key=logs[0])["Body"].read()
    forged = json.loads(gzip.decompress(original))
    forged["Records"] = forged["Records"][1:]
    s3.put_object(Bucket="audit-logs", Key=logs[0], Body=gzip.compress(json.dumps(forged).encode()))
    code, out = validate(arn, start, end)
    check("validate-logs reports the changed log file",
          code == 1 and f"s3://audit-logs/{logs[0]}\tINVALID: hash value doesn't match" in out, out)
    s3.put_object(Bucket="audit-logs", Key=logs[0], Body=original)
    s3.delete_object(Bucket="audit-logs", Key=logs[-1])
    code, out = validate(arn, start, end)
    check("validate-logs reports the deleted log file",
          code == 1 and f"s3://audit-logs/{logs[-1]}\tINVALID: not found" in out, out)
    return finish()


def finish():
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
