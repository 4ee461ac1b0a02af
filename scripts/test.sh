#!/usr/bin/env bash
# Runs every test: installs the wasm target if missing, builds the plugin's
# .wasm (the harness tests call it under wasmtime), then the workspace tests.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip1 >/dev/null
cargo build --release -p logref-plugin --target wasm32-wasip1
cargo test --workspace --release "$@"
