#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for SECONDS each (default 600), starting from its seeds,
# and prints one line per target: executions, the corpus it grew, and whether it crashed.
# Needs cargo-fuzz (`cargo install cargo-fuzz`); the sanitizer build uses RUSTC_BOOTSTRAP=1.
# Usage: scripts/fuzz-all.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(hcl test_file state saved_plan policy ciphertext)
fi
export RUSTC_BOOTSTRAP=1
cargo fuzz build --release >/dev/null
status=0
printf '%-12s %14s %8s  %s\n' target executions corpus result
# The HCL and test-file targets also start from the bundled labs (read where they live, not copied).
lab_seeds() {
  local out
  out="$(mktemp -d)"
  case "$1" in
    hcl) for f in ../labs/*/main.tf ../labs/*/starter/main.tf; do
           [ -f "$f" ] && cp "$f" "$out/$(echo "$f" | tr / _)"; done ;;
    test_file) for f in ../labs/*/tests/*.hcl; do
           [ -f "$f" ] && cp "$f" "$out/$(echo "$f" | tr / _)"; done ;;
  esac
  echo "$out"
}
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  log="$(mktemp)"
  if cargo fuzz run --release "$t" "corpus/$t" "seeds/$t" "$(lab_seeds "$t")" -- \
      -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
    result="no crash"
  else
    result="CRASH (see fuzz/artifacts/$t and $log)"
    status=1
  fi
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)"
  corpus="$(find "corpus/$t" -type f | wc -l)"
  printf '%-12s %14s %8s  %s\n' "$t" "${execs:-?}" "$corpus" "$result"
done
exit "$status"
