#!/usr/bin/env bash
# keyform against Terraform side by side: plan from empty and no-op plan (after apply) of the same
# graph shape at each size, runs alternating, medians and peak memory. Terraform plans
# `terraform_data` resources (built in, no provider download or RPC: a floor for Terraform),
# keyform the scale configuration of benches/support/scale.rs (AWS resources, simulated).
# Extra arguments go to scripts/terraform-compare.py (--sizes 1000,10000 -r 3 --no-noop).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v terraform >/dev/null || { echo "skipped: terraform is not installed"; exit 0; }
cargo build --release --quiet --bin keyform --example gen_scale
exec python3 scripts/terraform-compare.py --keyform target/release/keyform \
  --gen target/release/examples/gen_scale "$@"
