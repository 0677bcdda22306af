"""iCE40 UP5K benchmark (issue 15 item 1): what the FFT core needs on the
UP5K (5280 logic cells, 8 SB_MAC16, 30 EBR, 4 SPRAM) at N = 256 and 1024,
full rate against ``--cycles-per-sample 2`` (time-shared multipliers), 15-bit
data and 16-bit twiddles (and K = 3 with truncation, the form of
N = 1024 that fits) (16 x 16 products: one SB_MAC16 each; 16-bit data
is 17 bits inside, after the guard bit).

Runs ``fftforge synth --family ice40`` (Yosys ``synth_ice40 -dsp`` and
nextpnr-ice40, in the harness top nextpnr-ice40 needs: no out-of-context
mode) per configuration and placement seed and writes every row (LUT4, FF,
SB_MAC16, EBR, SPRAM, nextpnr logic cells, Fmax or why it does not fit) to
``benchmarks/bench_fpga_ice40_up5k.json``.

Usage::

    .venv/bin/python benchmarks/bench_up5k.py [--seeds 1,2,3] [--n 256,1024] [--only LABEL] [--json PATH]

Rows are added to (or replace the same label, N and seed in) the JSON.

A place and route of one core takes 1-5 min on a 2-core VM.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
#: (label, extra fftforge options)
CONFIGS = (
    ("full rate", []),
    ("cycles_per_sample 2", ["--cycles-per-sample", "2"]),
    ("cycles_per_sample 3, truncate", ["--cycles-per-sample", "3", "--rounding", "truncate"]),
)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="1")
    ap.add_argument("--only", help="run only the configuration with this label")
    ap.add_argument("--n", default="256,1024")
    ap.add_argument("--json", default=os.path.join(HERE, "bench_fpga_ice40_up5k.json"))
    args = ap.parse_args(argv)
    rows = []
    if os.path.exists(args.json):             # (runs add to the file: other seeds, other configurations)
        with open(args.json) as f:
            rows = json.load(f)
    exe = os.path.join(os.path.dirname(sys.executable), "fftforge")
    for n in args.n.split(","):
        for label, extra in CONFIGS:
            if args.only and label != args.only:
                continue
            for seed in args.seeds.split(","):
                with tempfile.TemporaryDirectory() as tmp:
                    cmd = [exe, "synth", "--family", "ice40", "--no-progress", "--n", n, "--width", "15",
                           "--twiddle-width", "16", "--target-mhz", "30", "--seed", seed, *extra,
                           "-o", tmp, "--json", os.path.join(tmp, "r.json")]
                    subprocess.run(cmd, check=False)
                    with open(os.path.join(tmp, "r.json")) as f:
                        r = json.load(f)["results"][0]
                r.pop("workdir", None)
                r["label"], r["command"] = label, "fftforge " + " ".join(cmd[1:-4])
                rows = [x for x in rows if (x["label"], x["core"]["n"], x["seed"]) != (label, r["core"]["n"], r["seed"])]
                rows.append(r)
                print(f"N={n} {label} seed {seed}: {r['status']}, LC {r.get('logic_cells')}, LUT4 {r['luts']}, "
                      f"FF {r['ffs']}, SB_MAC16 {r['dsps']}, EBR {r['bram']}, SPRAM {r['spram']}, "
                      f"Fmax {r['fmax_mhz']} MHz", flush=True)
                with open(args.json, "w") as f:
                    json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
