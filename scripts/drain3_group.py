#!/usr/bin/env python3
"""Group log lines with drain3, the Drain implementation users already have.

`logref grouping` runs this on the same lines it groups itself, to compare
grouping accuracy; the benchmarks run it on a large file to compare speed
and memory (BENCHMARKS.md, "Coverage").

    python3 scripts/drain3_group.py FILE            # one cluster id per input line
    python3 scripts/drain3_group.py --count FILE    # only the number of clusters

drain3 runs with its defaults (depth 4, sim_th 0.4, max_children 100) and
the masking of its own example configuration (examples/drain3.ini in
github.com/logpai/Drain3): MAC-like ids, IPv4 addresses, hex sequences,
0x numbers and integers are masked before mining. Install it with
`pip install drain3`.
"""

import argparse
import sys

from drain3 import TemplateMiner
from drain3.masking import MaskingInstruction
from drain3.template_miner_config import TemplateMinerConfig

# drain3's examples/drain3.ini, without its one pattern for a particular
# log ("executed cmd").
MASKING = [
    (r"((?<=[^A-Za-z0-9])|^)(([0-9a-f]{2,}:){3,}([0-9a-f]{2,}))((?=[^A-Za-z0-9])|$)", "ID"),
    (r"((?<=[^A-Za-z0-9])|^)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})((?=[^A-Za-z0-9])|$)", "IP"),
    (r"((?<=[^A-Za-z0-9])|^)([0-9a-f]{6,} ?){3,}((?=[^A-Za-z0-9])|$)", "SEQ"),
    (r"((?<=[^A-Za-z0-9])|^)([0-9A-F]{4} ?){4,}((?=[^A-Za-z0-9])|$)", "SEQ"),
    (r"((?<=[^A-Za-z0-9])|^)(0x[a-f0-9A-F]+)((?=[^A-Za-z0-9])|$)", "HEX"),
    (r"((?<=[^A-Za-z0-9])|^)([\-\+]?\d+)((?=[^A-Za-z0-9])|$)", "NUM"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file")
    ap.add_argument("--count", action="store_true", help="print only the number of clusters")
    ap.add_argument("--no-mask", action="store_true", help="mine without masking")
    args = ap.parse_args()

    config = TemplateMinerConfig()
    if not args.no_mask:
        config.masking_instructions = [MaskingInstruction(p, m) for p, m in MASKING]
    config.profiling_enabled = False
    miner = TemplateMiner(config=config)

    out = sys.stdout
    with open(args.file, encoding="utf-8", errors="replace") as f:
        for line in f:
            result = miner.add_log_message(line.rstrip("\r\n"))
            if not args.count:
                out.write(f"{result['cluster_id']}\n")
    if args.count:
        out.write(f"{len(miner.drain.clusters)}\n")


if __name__ == "__main__":
    main()
