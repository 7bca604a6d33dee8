#!/usr/bin/env python3
"""Same scenario against moto (in-process) and keyform; prints both times and the ratio.

Scenario (defaults N=200, M=200, S=64 KiB, K=2000):
  provision N KMS keys with aliases and N buckets with SSE-KMS default encryption,
  M PutObject + GetObject round trips of S bytes with a byte comparison,
  K KMS Encrypt + Decrypt round trips with a comparison.

keyform runs the same work as one `keyform test` file (one process, in-memory world).
Run through scripts/moto-compare.sh, which prepares a virtual environment with moto + boto3.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


def moto_run(n, m, s, k):
    t_start = time.perf_counter()
    import boto3  # noqa: E402  (import time is part of moto's start-up)
    from moto import mock_aws
    t_imported = time.perf_counter()
    body = (b"keyform-vs-moto " * (s // 16 + 1))[:s]
    small = b"a secret of thirty-two bytes...."
    phases = {}
    with mock_aws():
        kms = boto3.client("kms", region_name="us-east-1")
        s3 = boto3.client("s3", region_name="us-east-1")
        t0 = time.perf_counter()
        for i in range(n):
            key = kms.create_key(Description=f"key {i}")["KeyMetadata"]
            kms.create_alias(AliasName=f"alias/bench-{i}", TargetKeyId=key["KeyId"])
            s3.create_bucket(Bucket=f"bench-bucket-{i}")
            s3.put_bucket_encryption(
                Bucket=f"bench-bucket-{i}",
                ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}}]},
            )
        t1 = time.perf_counter()
        for j in range(m):
            b = f"bench-bucket-{j % n}"
            s3.put_object(Bucket=b, Key=f"obj-{j}", Body=body)
            got = s3.get_object(Bucket=b, Key=f"obj-{j}")["Body"].read()
            assert got == body
        t2 = time.perf_counter()
        for i in range(k):
            ct = kms.encrypt(KeyId=f"alias/bench-{i % n}", Plaintext=small)["CiphertextBlob"]
            assert kms.decrypt(CiphertextBlob=ct)["Plaintext"] == small
        t3 = time.perf_counter()
    phases["startup"] = t_imported - t_start
    phases["provision"] = t1 - t0
    phases["objects"] = t2 - t1
    phases["kms"] = t3 - t2
    return phases


def keyform_files(n, m, s, k):
    body = ("keyform-vs-moto " * (s // 16 + 1))[:s]
    tf = ['provider "aws" {\n  region = "us-east-1"\n}\n']
    for i in range(n):
        tf.append(f'''
resource "aws_kms_key" "k{i}" {{
  description = "key {i}"
}}

resource "aws_kms_alias" "a{i}" {{
  name          = "alias/bench-{i}"
  target_key_id = aws_kms_key.k{i}.key_id
}}

resource "aws_s3_bucket" "b{i}" {{
  bucket = "bench-bucket-{i}"
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "b{i}" {{
  bucket = aws_s3_bucket.b{i}.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.k{i}.arn
    }}
  }}
}}
''')
    tests = {}
    tests["provision"] = 'run "provision" {\n  command = apply\n}\n'
    objects = ['run "objects" {\n  command = none\n']
    for j in range(m):
        objects.append(f'''  action "put{j}" {{
    call   = "s3:PutObject"
    params = {{ Bucket = "bench-bucket-{j % n}", Key = "obj-{j}", Body = local.body }}
  }}
  action "get{j}" {{
    call   = "s3:GetObject"
    params = {{ Bucket = "bench-bucket-{j % n}", Key = "obj-{j}" }}
  }}
  assert {{
    condition     = action.get{j}.Body == local.body
    error_message = "object {j} came back different"
  }}
''')
    objects.append("}\n")
    kms = ['run "kms" {\n  command = none\n']
    for i in range(k):
        kms.append(f'''  action "enc{i}" {{
    call   = "kms:Encrypt"
    params = {{ KeyId = "alias/bench-{i % n}", Plaintext = "a secret of thirty-two bytes...." }}
  }}
  action "dec{i}" {{
    call   = "kms:Decrypt"
    params = {{ CiphertextBlob = action.enc{i}.CiphertextBlob }}
  }}
  assert {{
    condition     = action.dec{i}.Plaintext == "a secret of thirty-two bytes...."
    error_message = "round trip {i} failed"
  }}
''')
    kms.append("}\n")
    tests["objects"] = "".join(objects)
    tests["kms"] = "".join(kms)
    locals_tf = f'locals {{\n  body = {json.dumps(body)}\n}}\n'
    return "".join(tf) + locals_tf, tests


def keyform_run(keyform, n, m, s, k):
    tf, tests = keyform_files(n, m, s, k)
    times = {}
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write(tf)
        os.makedirs(os.path.join(d, "tests"))
        # Cumulative test files: provision; provision+objects; provision+objects+kms.
        stages = [("provision", ["provision"]), ("objects", ["provision", "objects"]), ("kms", ["provision", "objects", "kms"])]
        total = {}
        for name, parts in stages:
            path = os.path.join(d, "tests", "bench.tftest.hcl")
            with open(path, "w") as f:
                f.write("\n".join(tests[p] for p in parts))
            t = time.perf_counter()
            r = subprocess.run([keyform, "test"], cwd=d, capture_output=True, text=True)
            total[name] = time.perf_counter() - t
            if r.returncode != 0:
                sys.exit(f"keyform test failed at stage {name}:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
        t = time.perf_counter()
        subprocess.run([keyform, "version"], capture_output=True)
        times["startup"] = time.perf_counter() - t
        times["provision"] = total["provision"] - times["startup"]
        times["objects"] = total["objects"] - total["provision"]
        times["kms"] = total["kms"] - total["objects"]
    return times


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--keyform", required=True, help="path to the keyform binary (release build)")
    p.add_argument("-n", type=int, default=200, help="keys+aliases and SSE-KMS buckets")
    p.add_argument("-m", type=int, default=200, help="PutObject+GetObject round trips")
    p.add_argument("-s", type=int, default=64 * 1024, help="object size in bytes")
    p.add_argument("-k", type=int, default=2000, help="Encrypt+Decrypt round trips")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    a.keyform = os.path.abspath(a.keyform)
    kf = keyform_run(a.keyform, a.n, a.m, a.s, a.k)
    mo = moto_run(a.n, a.m, a.s, a.k)
    rows = []
    for phase in ["startup", "provision", "objects", "kms"]:
        rows.append((phase, mo[phase], kf[phase]))
    work_m = sum(mo[x] for x in ["provision", "objects", "kms"])
    work_k = sum(kf[x] for x in ["provision", "objects", "kms"])
    rows.append(("total, start-up excluded", work_m, work_k))
    rows.append(("total, start-up included", work_m + mo["startup"], work_k + kf["startup"]))
    if a.json:
        print(json.dumps({r[0]: {"moto_s": r[1], "keyform_s": r[2]} for r in rows}, indent=2))
        return
    print(f"scenario: N={a.n} keys+buckets, M={a.m} put/get of {a.s} bytes, K={a.k} encrypt/decrypt")
    print("note: moto's S3 stores bodies in plaintext and never calls KMS; keyform encrypts every object")
    print(f"{'phase':<28}{'moto':>12}{'keyform':>12}{'ratio':>10}")
    for name, m_s, k_s in rows:
        ratio = m_s / k_s if k_s > 0 else float("inf")
        print(f"{name:<28}{m_s:>11.3f}s{k_s:>11.3f}s{ratio:>9.0f}x")


if __name__ == "__main__":
    main()
