#!/usr/bin/env bash
# The main job on the embedded default catalog: builds the Fluent Bit
# plugin (.wasm) and pipes a file of mixed device logs through it, called
# exactly as Fluent Bit calls it (wasmtime), printing one enriched JSON
# record per line.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip1 >/dev/null
cargo build --release -p logref-plugin --target wasm32-wasip1
cargo run --release --bin logref -- enrich "$@" < "${LOGREF_DEMO_INPUT:-examples/device-logs.log}"
