#!/usr/bin/env bash
# Builds keyform (release), installs moto + boto3 in a local virtual environment, and runs the
# moto-vs-keyform scenario. Extra arguments go to moto-compare.py (-n -m -s -k --json).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
venv=target/moto-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "moto[s3,kms]==5.2.5" "boto3==1.44.8"
fi
exec "$venv/bin/python" scripts/moto-compare.py --keyform target/release/keyform "$@"
