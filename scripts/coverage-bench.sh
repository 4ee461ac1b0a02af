#!/usr/bin/env bash
# Throughput and peak memory of `logref coverage` against the two miners a
# user already has, on the same lines in one run (BENCHMARKS.md, "Coverage"):
#   - drain3 (pip install drain3), through scripts/drain3_group.py --count;
#   - syslog-ng's pdbtool patternize (Debian syslog-ng-core), at its defaults.
#
#   scripts/coverage-bench.sh [LINES] [ROUNDS]     # default 1000000 lines, 2 rounds
#   PEERS=0 scripts/coverage-bench.sh 10000000 1   # logref only (memory at 10M lines)
#
# The input is half lines the built-in catalog knows (fixtures/generated/corpus.jsonl)
# and half lines it does not (a synthetic catalog of 2,000 templates from
# `logref fixtures large --seed 7`, so several thousand shapes), every digit
# redrawn on each repetition so that values vary as on a real device. Each
# tool runs ROUNDS times, interleaved; wall time and peak RSS come from
# /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-1000000}
ROUNDS=${2:-2}
PEERS=${PEERS:-1}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/logref-target}"
cargo build --release -q -p logref
LOGREF="$CARGO_TARGET_DIR/release/logref"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

"$LOGREF" fixtures large --templates 2000 --seed 7 --out "$WORK" >/dev/null
python3 - "$LINES" fixtures/generated/corpus.jsonl "$WORK/large-2000.jsonl" >"$WORK/input.log" <<'EOF'
import json, random, re, sys
n = int(sys.argv[1])
known = [json.loads(l)["line"] for l in open(sys.argv[2]) if l.strip()]
unknown = [json.loads(l)["line"] for l in open(sys.argv[3]) if l.strip()]
rng = random.Random(7)
digit = re.compile(r"[0-9]")
out = sys.stdout
for i in range(n):
    pool = known if i % 2 == 0 else unknown
    line = pool[(i // 2) % len(pool)]
    out.write(digit.sub(lambda _: str(rng.randrange(10)), line) + "\n")
EOF
echo "input: $(wc -l <"$WORK/input.log") lines, $(du -m "$WORK/input.log" | cut -f1) MB"

run() { # name, command...
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >"$WORK/out" 2>/dev/null || { echo "$name failed"; return; }
  read -r secs kb <"$WORK/time"
  printf "%-20s %8.1f s %10.0f lines/s %8.0f MB peak RSS\n" "$name" "$secs" "$(echo "$LINES / $secs" | bc -l)" "$(echo "$kb / 1024" | bc -l)"
}
for round in $(seq "$ROUNDS"); do
  echo "round $round"
  run "logref coverage" "$LOGREF" coverage "$WORK/input.log"
  if [ "$PEERS" = 1 ]; then
    run "drain3" python3 scripts/drain3_group.py --count "$WORK/input.log"
    run "pdbtool patternize" pdbtool patternize -f "$WORK/input.log"
  fi
done
