#!/usr/bin/env bash
# serve's own capacity: the Rust load generator of benches/support/serve_load.rs (SigV4-signed,
# 1/4/16 keep-alive connections on loopback, bounded in time) against `keyform serve` and
# moto_server side by side, KMS Encrypt and S3 PutObject/GetObject of 4 KiB and 1 MiB.
# KEYFORM_LOAD_SECONDS sets the seconds per figure (default 2). Uses the venv of
# scripts/moto-suite.sh (moto[server], pinned). Both servers listen on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="$(bash scripts/moto-suite.sh --setup | tail -n 1)"
VENV="$(dirname "$(dirname "$PY")")"
export KEYFORM_MOTO_SERVER="$VENV/bin/moto_server"
env -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy NO_PROXY=127.0.0.1,localhost \
  cargo bench --bench keyform -- serve
