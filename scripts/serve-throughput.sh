#!/usr/bin/env bash
# Requests per second of KMS Encrypt/Decrypt and S3 PutObject/GetObject through boto3 against
# `keyform serve` (release build, strict auth: every request's signature is verified, every
# request journaled and recorded in CloudTrail) and against moto's server, in the same run.
# Extra arguments go to scripts/serve-throughput.py (-n round trips, -s object size, -t threads).
# Uses the venv of scripts/moto-suite.sh (moto[server] + boto3, pinned). Both servers listen on
# 127.0.0.1 only and stop when the script ends.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="$(bash scripts/moto-suite.sh --setup | tail -n 1)"
VENV="$(dirname "$(dirname "$PY")")"
cargo build --release --quiet
BIN="$PWD/target/release/keyform"
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

(cd "$WORK" && exec "$BIN" serve -port=0 -ready-file=addr >serve.out 2>serve.err) &
PIDS+=($!)
for _ in $(seq 300); do [ -s "$WORK/addr" ] && break; sleep 0.1; done
[ -s "$WORK/addr" ] || { echo "keyform serve did not start:" >&2; cat "$WORK/serve.err" >&2; exit 1; }
export_line="$(grep '^export ' "$WORK/serve.out")"
var() { tr ' ' '\n' <<<"$export_line" | sed -n "s/^$1=//p"; }
KEYFORM="http://$(cat "$WORK/addr"),$(var AWS_ACCESS_KEY_ID),$(var AWS_SECRET_ACCESS_KEY)"

PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 300); do
  "$PY" -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=1)" \
    "http://127.0.0.1:$PORT/moto-api/data.json" 2>/dev/null && break
  sleep 0.1
done

env -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy \
  AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true \
  NO_PROXY=127.0.0.1,localhost \
  "$PY" scripts/serve-throughput.py --keyform "$KEYFORM" --moto "http://127.0.0.1:$PORT" "$@"
