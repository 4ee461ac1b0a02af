#!/usr/bin/env bash
# Runs every test: installs the wasm target if missing, builds the plugin's
# .wasm (the harness tests call it under wasmtime), then the workspace tests,
# and prints one closing line with the totals.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip1 >/dev/null
# syslog-ng and pdbtool (Debian's syslog-ng-core) for the tests of the
# syslog-ng export, which run the real thing.
if ! command -v pdbtool >/dev/null || ! command -v syslog-ng >/dev/null; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq syslog-ng-core >/dev/null; } ||
    echo "syslog-ng-core could not be installed: the syslog-ng tests will fail"
fi
cargo build --release -p logref-plugin --target wasm32-wasip1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --release "$@" 2>&1 | tee "$log" || status=$?
passed=$(grep -Eo '^test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | awk '{s += $4} END {print s + 0}')
failed=$(grep -Eo '[0-9]+ failed;' "$log" | awk '{s += $1} END {print s + 0}')
echo
echo "tests: $passed passed, $failed failed"
exit "$status"
