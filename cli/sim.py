"""``fftforge sim``: build a generated core with Verilator and check it with
its kind's cocotb bench (:func:`fftforge.sim.check.check_core`)."""

from __future__ import annotations

import argparse
import json

from fftforge.errors import UserError
from fftforge.pyref.stimulus import KINDS as STIMULI

__all__ = ["add_parser", "cmd_sim"]


def add_parser(sub):
    p = sub.add_parser("sim", help="simulate a generated core on Verilator with cocotb",
                       description="Build the core with Verilator and run the cocotb bench: every output "
                                   "word against the bit-true model, with and without random valid/ready "
                                   "stalls; prints bit-exactness, SQNR vs NumPy, latency and throughput. "
                                   "Exit status 1 if any check fails.",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="example:\n  fftforge sim --core out/fft1024.json --frames 20")
    p.add_argument("--core", required=True, help="core descriptor JSON written by 'fftforge generate'")
    p.add_argument("--frames", type=int, default=20, help="frames per run (default 20)")
    p.add_argument("--input", default="random", choices=STIMULI,
                   help="stimulus (default random)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--p-valid", type=float, default=0.7, help="P(valid high) in the stall run (default 0.7)")
    p.add_argument("--p-ready", type=float, default=0.7, help="P(ready high) in the stall run (default 0.7)")
    p.add_argument("--no-stalls", action="store_true", help="skip the random-stall run")
    p.add_argument("--build-dir", default=None, help="Verilator build folder (default build/sim/<name>)")
    p.add_argument("--json", default=None, help="also write the report as JSON")
    p.set_defaults(func=cmd_sim)


def cmd_sim(args):
    from fftforge.hdl.export import load_core
    from fftforge.sim.check import check_core
    cfg, desc = load_core(args.core, require=("name", "n", "ports", "files", "latency_cycles"))
    for name in ("p_valid", "p_ready"):
        v = getattr(args, name)
        if not 0.05 <= v <= 1.0:
            raise UserError(f"--{name.replace('_', '-')} must be in [0.05, 1], got {v}")
    if args.frames < 1 or args.frames > 100000:
        raise UserError(f"--frames must be in [1, 100000], got {args.frames}")
    print(f"simulating {desc['name']} ({desc['kind']}, n={desc['n']}) on Verilator: "
          f"{args.frames} frames of '{args.input}' input ...", flush=True)
    rep = check_core(args.core, frames=args.frames, kind=args.input, seed=args.seed,
                     p_valid=args.p_valid, p_ready=args.p_ready, stalls=not args.no_stalls,
                     build_dir=args.build_dir)
    print(rep.summary())
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rep.to_dict(), f, indent=2)
    return 0 if rep.ok else 1
