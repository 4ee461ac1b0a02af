#!/usr/bin/env python3
"""A hostile soak of the plugin inside a real Fluent Bit (issue "Reliability").

Runs a Fluent Bit you built yourself (this script does not build it; see
BENCHMARKS.md) twice over the same generated file of N lines: tail -> file,
and tail -> logref's wasm filter -> file, both with `event_format json`.
The lines mix every wire form of the fixture corpus and the real lines with
hostile ones: non-UTF-8 bytes, NUL, control characters, 1 MiB lines, empty
lines, lines that look like JSON, very long tokens. Then it checks, record
by record:

  * as many records come out of the logref run as out of the plain run;
  * every output record is valid JSON (an object);
  * every record is the plain run's record, plus at most the `catalog` key;

and reports Fluent Bit's resident memory over the logref run (sampled from
/proc). Usage:

  scripts/fluent-bit-soak.py --fluent-bit /path/to/fluent-bit [--records N]
"""

import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def corpus_lines():
    lines = []
    with open(os.path.join(ROOT, "fixtures/generated/corpus.jsonl")) as f:
        for l in f:
            line = json.loads(l)["line"]
            if line:
                lines.append(line.encode())
    real = os.path.join(ROOT, "fixtures/real")
    for name in sorted(os.listdir(real)):
        if name.endswith(".jsonl"):
            with open(os.path.join(real, name)) as f:
                for l in f:
                    lines.append(json.loads(l)["line"].encode())
    return [l for l in lines if b"\n" not in l]


HOSTILE = [
    b"Nov 22 10:15:02 r1 pppd[1]: Exit. \xff\xfe\xc3(",  # invalid UTF-8
    b"pppd[1]: E\x00xit.",  # NUL
    b"pppd[1]: Exit.\x01\x1b[31m\x7f",  # control characters
    b"",  # empty line
    b'{"log":"pppd[1]: Exit.","n":[1}}',  # looks like a broken record
    b'{"a":1}',  # looks like a record
    b'"pppd[1]: Exit."',
    b"\\u0000\\ud800 pppd[1]: Exit. \\",  # escapes that are not
    b"pppd[1]: " + b"x" * (16 << 10),  # a very long token
    b"\t \t",
    b"Nov 22 10:15:02 r1 pluto[22]: \xe3\x81\x82\xe3\x81\x84 \"tunnel1\" #3: ISAKMP SA established",
]
HUGE = b"Nov 22 10:15:02 r1 pppd[1]: " + b"A " * (1 << 19)  # 1 MiB


def write_input(path, n):
    lines = corpus_lines()
    kinds = {"corpus": 0, "hostile": 0, "1MiB": 0}
    with open(path, "wb") as f:
        for i in range(n):
            if i % 50_000 == 49_999:
                f.write(HUGE + b"\n")
                kinds["1MiB"] += 1
            elif i % 7 == 3:
                f.write(HOSTILE[(i // 7) % len(HOSTILE)] + b"\n")
                kinds["hostile"] += 1
            else:
                f.write(lines[i % len(lines)] + b"\n")
                kinds["corpus"] += 1
    return kinds


CONF = """
[SERVICE]
    flush        1
    log_level    warn
    grace        2

[INPUT]
    name              tail
    path              {input}
    read_from_head    true
    buffer_chunk_size 64k
    buffer_max_size   4M
    skip_long_lines   off
    db                {work}/{name}.db
    tag               soak
{filter}
[OUTPUT]
    name   file
    match  *
    path   {work}
    file   {name}.out
    format plain
"""

FILTER = """
[FILTER]
    name               wasm
    match              soak
    wasm_path          {wasm}
    function_name      logref_filter
    event_format       json
    accessible_paths   {work}
    wasm_heap_size     8M
    wasm_stack_size    256K
"""


def count_lines(path):
    try:
        with open(path, "rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    except FileNotFoundError:
        return 0


def run(fluent_bit, work, name, input_path, wasm, expect, timeout):
    out = os.path.join(work, name + ".out")
    for p in (out, os.path.join(work, name + ".db")):
        if os.path.exists(p):
            os.remove(p)
    conf = os.path.join(work, name + ".conf")
    flt = FILTER.format(wasm=wasm, work=work) if wasm else ""
    with open(conf, "w") as f:
        f.write(CONF.format(input=input_path, work=work, name=name, filter=flt))
    log = open(os.path.join(work, name + ".log"), "wb")
    started = time.time()
    proc = subprocess.Popen([fluent_bit, "-c", conf], stdout=log, stderr=subprocess.STDOUT)
    rss = []
    last, last_change = -1, time.time()
    while True:
        time.sleep(0.5)
        try:
            with open(f"/proc/{proc.pid}/status") as f:
                for l in f:
                    if l.startswith("VmRSS:"):
                        rss.append((time.time() - started, int(l.split()[1]) // 1024))
        except FileNotFoundError:
            pass
        if proc.poll() is not None:
            break
        n = count_lines(out)
        if n != last:
            last, last_change = n, time.time()
        elif n >= expect or time.time() - last_change > timeout:
            break
    elapsed = time.time() - started
    proc.terminate()
    proc.wait()
    return out, elapsed, rss


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fluent-bit", required=True, help="the fluent-bit binary")
    ap.add_argument("--wasm", default=None, help="the plugin (default: target/wasm32-wasip1/release/logref_plugin.wasm)")
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--work", default="/tmp/logref-fluent-bit-soak")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds without new output that end a run")
    a = ap.parse_args()
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    wasm = a.wasm or os.path.join(target, "wasm32-wasip1/release/logref_plugin.wasm")
    if not os.path.exists(wasm):
        sys.exit(f"{wasm} not found: cargo build --release -p logref-plugin --target wasm32-wasip1 (or --wasm)")
    os.makedirs(a.work, exist_ok=True)
    input_path = os.path.join(a.work, "input.log")
    kinds = write_input(input_path, a.records)
    print(f"input: {a.records} lines {kinds}, {os.path.getsize(input_path) >> 20} MiB")

    plain, t_plain, _ = run(a.fluent_bit, a.work, "plain", input_path, None, a.records, a.timeout)
    n_plain = count_lines(plain)
    print(f"plain run (tail -> file): {n_plain} records in {t_plain:.1f} s")
    out, t_logref, rss = run(a.fluent_bit, a.work, "logref", input_path, wasm, n_plain, a.timeout)
    if not os.path.exists(out):
        with open(os.path.join(a.work, "logref.log"), "rb") as f:
            sys.exit("the logref run wrote nothing; Fluent Bit said:\n" + f.read()[-2000:].decode(errors="replace"))

    n, invalid, changed, enriched, missing = 0, 0, 0, 0, 0
    with open(plain, "rb") as fp, open(out, "rb") as fo:
        for lp, lo in zip(fp, fo):
            n += 1
            try:
                o = json.loads(lo)
            except ValueError:
                invalid += 1
                continue
            if not isinstance(o, dict):
                invalid += 1
                continue
            p = json.loads(lp)
            if "catalog" in o and "catalog" not in p:
                enriched += 1
                del o["catalog"]
            if o != p:
                changed += 1
    n_out = count_lines(out)
    missing = n_plain - n_out
    print(f"logref run (tail -> wasm filter -> file): {n_out} records in {t_logref:.1f} s")
    print(f"records: in {a.records}, out plain {n_plain}, out logref {n_out}, lost {missing}")
    print(f"checked {n}: invalid JSON {invalid}, changed beyond the catalog key {changed}, enriched {enriched}")
    if rss:
        k = max(1, len(rss) // 3)
        thirds = [max(r for _, r in rss[i * k : (i + 1) * k] or [(0, 0)]) for i in range(3)]
        print(
            "fluent-bit RSS (MiB): first sample {}, peak in each third of the run {} / {} / {}, last {} ({} samples, every 0.5 s)".format(
                rss[0][1], *thirds, rss[-1][1], len(rss)
            )
        )
    ok = missing == 0 and invalid == 0 and changed == 0
    print("OK" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
