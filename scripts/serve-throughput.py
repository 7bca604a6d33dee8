#!/usr/bin/env python3
"""Requests per second of KMS Encrypt/Decrypt and S3 PutObject/GetObject through boto3,
against `keyform serve` and moto's server, same clients, same run; prints both and the ratio.

    python serve-throughput.py --keyform URL,KEY_ID,SECRET --moto URL [-n 1000] [-s 1024] [-t 1]

Each server gets one KMS key and one bucket, then (after a short warm-up) n Encrypt + Decrypt
round trips of 32 bytes and n PutObject + GetObject round trips of s bytes, each compared with
what was sent. One client per service and thread, reused; -t runs that many threads at once
(each with its own clients). Run through scripts/serve-throughput.sh.
"""

import argparse
import threading
import time

import boto3
from botocore.config import Config

CFG = Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}, max_pool_connections=32)


def clients(url, key, secret, region):
    mk = lambda s: boto3.client(s, endpoint_url=url, region_name=region, aws_access_key_id=key,  # noqa: E731
                                aws_secret_access_key=secret, config=CFG)
    return mk("kms"), mk("s3")


def measure(threads, work):
    """Runs work(thread_index) on `threads` threads; returns the elapsed seconds."""
    errors = []

    def run(i):
        try:
            work(i)
        except Exception as e:  # a failed request ends the measurement with its error
            errors.append(e)

    ts = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    start = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return elapsed


def bench(name, url, key, secret, region, n, size, threads):
    kms, s3 = clients(url, key, secret, region)
    kid = kms.create_key(Description=f"throughput {name}")["KeyMetadata"]["KeyId"]
    bucket = f"throughput-{name.replace('_', '-')}"
    s3.create_bucket(Bucket=bucket)
    small = b"a secret of thirty-two bytes...."
    body = (b"keyform throughput " * (size // 19 + 1))[:size]
    per = [clients(url, key, secret, region) for _ in range(threads)]
    for k, s in per:  # warm-up: connections, credential and model loading
        for _ in range(5):
            assert k.decrypt(CiphertextBlob=k.encrypt(KeyId=kid, Plaintext=small)["CiphertextBlob"])["Plaintext"] == small
            s.put_object(Bucket=bucket, Key="warm", Body=body)
            assert s.get_object(Bucket=bucket, Key="warm")["Body"].read() == body
    share = n // threads

    def kms_work(i):
        k, _ = per[i]
        for _ in range(share):
            ct = k.encrypt(KeyId=kid, Plaintext=small)["CiphertextBlob"]
            assert k.decrypt(CiphertextBlob=ct)["Plaintext"] == small

    def s3_work(i):
        _, s = per[i]
        for j in range(share):
            key_name = f"t{i}/obj-{j % 50}"
            s.put_object(Bucket=bucket, Key=key_name, Body=body)
            assert s.get_object(Bucket=bucket, Key=key_name)["Body"].read() == body

    reqs = 2 * share * threads
    return {"kms": reqs / measure(threads, kms_work), "s3": reqs / measure(threads, s3_work)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keyform", required=True, help="URL,ACCESS_KEY_ID,SECRET of keyform serve")
    ap.add_argument("--moto", required=True, help="URL of moto_server")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("-n", type=int, default=1000, help="round trips per phase (default 1000)")
    ap.add_argument("-s", type=int, default=1024, help="object size in bytes (default 1024)")
    ap.add_argument("-t", type=int, default=1, help="client threads (default 1)")
    a = ap.parse_args()
    kurl, kid, ksecret = a.keyform.split(",", 2)
    k = bench("keyform", kurl, kid, ksecret, a.region, a.n, a.s, a.t)
    m = bench("moto_server", a.moto, "FOOBARKEY", "FOOBARSECRET", a.region, a.n, a.s, a.t)
    print(f"boto3, {a.t} thread(s), {a.n} round trips per phase, {a.s}-byte objects (requests/second):")
    print(f"{'':28}{'keyform':>10}{'moto':>10}{'ratio':>8}")
    for label, key in (("KMS Encrypt + Decrypt", "kms"), ("S3 PutObject + GetObject", "s3")):
        print(f"{label:28}{k[key]:>10.0f}{m[key]:>10.0f}{k[key] / m[key]:>7.2f}x")


if __name__ == "__main__":
    main()
