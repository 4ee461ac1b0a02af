#!/usr/bin/env bash
# The main job on the embedded default catalog: builds the Fluent Bit
# plugin (.wasm) and pipes a file of mixed device logs through it, called
# exactly as Fluent Bit calls it, printing one enriched JSON record per line.
#
# `logref` is built without its `full` feature (wasmtime, Vector's VRL), so
# a first run from a fresh clone takes minutes, not a quarter of an hour;
# the .wasm then runs under the wasmi interpreter, as Fluent Bit's packaged
# binary runs it under WAMR's interpreter. scripts/test.sh builds everything.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip1 >/dev/null
cargo build --release -p logref-plugin --target wasm32-wasip1
cargo run --release -p logref --bin logref --no-default-features -- enrich "$@" < "${LOGREF_DEMO_INPUT:-examples/device-logs.log}"
