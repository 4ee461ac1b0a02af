#!/usr/bin/env bash
# Runs the cargo-fuzz targets (fuzz/, FUZZING.md) for SECONDS each, from the
# committed seeds into a scratch corpus; exits non-zero on the first finding
# (the input is left in fuzz/artifacts/<target>/).
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# Needs a nightly toolchain and cargo-fuzz (cargo install cargo-fuzz).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(record_path artifact_loader line_matcher catalog_readers)
fi
export CARGO_TARGET_DIR="${CARGO_FUZZ_TARGET_DIR:-$HOME/.cache/logref-fuzz-target}"
cargo +nightly fuzz build -O
for t in "${targets[@]}"; do
  corpus=$(mktemp -d)
  mkdir -p "artifacts/$t"
  echo "fuzz: $t for ${seconds}s"
  log="$corpus.log"
  status=0
  cargo +nightly fuzz run -O "$t" "$corpus" "seeds/$t" -- \
    -max_total_time="$seconds" -max_len=8192 -print_final_stats=1 \
    -artifact_prefix="artifacts/$t/" >"$log" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    tail -40 "$log"
  else
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)' "$log" || true
  fi
  rm -f "$log"
  rm -rf "$corpus"
  if [ "$status" -ne 0 ]; then
    echo "fuzz: $t found a failing input: fuzz/artifacts/$t/"
    exit "$status"
  fi
done
