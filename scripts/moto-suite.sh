#!/usr/bin/env bash
# moto's own KMS and S3-encryption test modules in server mode, against `keyform serve
# -auth=lenient` and against moto's own server (`moto_server`), same tests, same run.
#
#   scripts/moto-suite.sh             set up (once), run both, print both pass counts
#   scripts/moto-suite.sh --keyform   keyform only (checked against scripts/moto-allowlist.txt)
#   scripts/moto-suite.sh --setup     only prepare the venv and the tests; prints the venv python
#
# The tests come from moto's source distribution at run time (`pip download --no-binary`), are
# extracted under target/moto-suite and never committed. The venv (target/moto-venv) holds
# moto[server] (for moto_server), pytest and freezegun, pinned. keyform's run exits non-zero if a
# failure is not on the allow-list or an allow-list line matches no failure.
# KEYFORM_BIN picks the keyform binary (default: a release build made here).
set -euo pipefail
cd "$(dirname "$0")/.."
MOTO=5.2.5
BOTO3=1.44.8
PYTEST=9.2.0
FREEZEGUN=1.5.5
VENV=target/moto-venv
PY="$VENV/bin/python"
SUITE=target/moto-suite
TESTS="$SUITE/moto-$MOTO"

setup() {
  mkdir -p target
  if ! "$PY" -c "import moto, boto3, pytest, freezegun, flask, flask_cors, sys; sys.exit(0 if moto.__version__ == '$MOTO' and boto3.__version__ == '$BOTO3' else 1)" 2>/dev/null; then
    [ -x "$PY" ] || python3 -m venv "$VENV" >&2
    "$PY" -m pip install --quiet --disable-pip-version-check \
      "moto[server]==$MOTO" "boto3==$BOTO3" "pytest==$PYTEST" "freezegun==$FREEZEGUN" >&2
  fi
  if [ ! -f "$TESTS/tests/test_s3/test_s3_encryption.py" ]; then
    mkdir -p "$SUITE/dl"
    "$PY" -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
      "moto==$MOTO" -d "$SUITE/dl" >&2
    # The root files the modules import (tests/__init__.py, conftest.py, markers.py), the KMS
    # tests and the S3 encryption tests with their package's __init__.py.
    tar -xzf "$SUITE/dl/moto-$MOTO.tar.gz" -C "$SUITE" \
      "moto-$MOTO/tests/__init__.py" "moto-$MOTO/tests/conftest.py" "moto-$MOTO/tests/markers.py" \
      "moto-$MOTO/tests/test_kms" "moto-$MOTO/tests/test_s3/__init__.py" \
      "moto-$MOTO/tests/test_s3/test_s3_encryption.py"
  fi
}

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for() { # URL PID: until the server answers (30 s)
  for _ in $(seq 300); do
    kill -0 "$2" 2>/dev/null || { echo "moto-suite: the server exited before it was ready" >&2; return 1; }
    "$PY" -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "moto-suite: $1 did not answer within 30 s" >&2
  return 1
}

PIDS=()
WORK=""
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if [ -n "$WORK" ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

run_keyform() {
  local bin="${KEYFORM_BIN:-}"
  if [ -z "$bin" ]; then
    cargo build --release --quiet
    bin=target/release/keyform
  fi
  bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
  WORK="$(mktemp -d)"
  local port
  port="$(free_port)"
  (cd "$WORK" && exec "$bin" serve -port="$port" -auth=lenient >serve.log 2>&1) &
  PIDS+=($!)
  wait_for "http://127.0.0.1:$port/_keyform/clock" "$!"
  "$PY" tests/clients/moto_suite.py --suite "$TESTS" --endpoint "http://127.0.0.1:$port" \
    --label keyform --allowlist scripts/moto-allowlist.txt
}

run_moto() {
  local port
  port="$(free_port)"
  "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$SUITE/moto_server.log" 2>&1 &
  PIDS+=($!)
  wait_for "http://127.0.0.1:$port/moto-api/data.json" "$!"
  "$PY" tests/clients/moto_suite.py --suite "$TESTS" --endpoint "http://127.0.0.1:$port" --label moto_server
}

case "${1:-}" in
  --setup) setup; echo "$PY" ;;
  --keyform) setup; run_keyform ;;
  "")
    setup
    status=0
    # Not in a pipeline: the functions must run in this shell so the EXIT trap stops the servers.
    run_keyform >"$SUITE/keyform.txt" || status=$?
    cat "$SUITE/keyform.txt"
    run_moto >"$SUITE/moto.txt" || true
    cat "$SUITE/moto.txt"
    echo
    echo "moto $MOTO tests (test_kms/* without in-process modules, test_s3/test_s3_encryption.py), server mode:"
    echo "  $(tail -n 1 "$SUITE/keyform.txt")"
    echo "  $(tail -n 1 "$SUITE/moto.txt")"
    exit "$status"
    ;;
  *) echo "usage: scripts/moto-suite.sh [--setup | --keyform]" >&2; exit 2 ;;
esac
