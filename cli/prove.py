"""``fftforge prove``: run the formal property sets (SymbiYosys + Yices, from PyPI).

Prints one line per property set: ``PASS``/``FAIL``/``UNKNOWN``/``ERROR``,
the wall time, and for a failure the counterexample VCD.  Exit status 1 if
any set does not pass.
"""

from __future__ import annotations

import argparse
import sys

from fftforge.errors import UserError

__all__ = ["add_parser", "cmd_prove"]

EPILOG = """examples:
  fftforge prove --list
  fftforge prove                      # every property set (several minutes)
  fftforge prove --fast               # skip the slow sets
  fftforge prove --only core.r22sdf.n8
  fftforge prove --only control --depth 5
"""


def add_parser(sub):
    p = sub.add_parser("prove", help="prove the stream contract and arithmetic invariants (SymbiYosys)",
                       description="Run the formal property sets with SymbiYosys (yowasp-sby) and Yices: "
                                   "k-induction proofs and cover runs.  One line per set with PASS/FAIL "
                                   "and time; a failure names its counterexample VCD.",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    p.add_argument("--list", action="store_true", help="list the property sets and exit")
    p.add_argument("--only", action="append", metavar="NAME",
                   help="run the sets named NAME or NAME.* (e.g. 'core', 'core.r2sdf'); repeatable")
    p.add_argument("--fast", action="store_true", help="skip the sets marked slow")
    p.add_argument("--depth", type=int, default=None,
                   help="k-induction depth for the prove checks (default: each set's own)")
    p.add_argument("--build-dir", default=None, help="work directory (default build/formal)")
    p.add_argument("--timeout", type=int, default=None, help="per-check timeout in seconds")
    p.set_defaults(func=cmd_prove)


def _select(names, only, fast, registry):
    chosen = []
    for n in names:
        ps = registry[n]
        if fast and ps.slow:
            continue
        if only and not any(n == o or n.startswith(o.rstrip(".") + ".") for o in only):
            continue
        chosen.append(ps)
    return chosen


def cmd_prove(args):
    from fftforge.formal.registry import registry, run_set
    reg = registry()
    if args.depth is not None and not (1 <= args.depth <= 200):
        raise UserError(f"--depth must be between 1 and 200, got {args.depth}")
    if args.timeout is not None and args.timeout < 1:
        raise UserError(f"--timeout must be >= 1 second, got {args.timeout}")
    if args.list:
        for name, ps in reg.items():
            modes = "+".join(c.mode for c in ps.checks)
            print(f"{name:24s} {modes:14s} {'slow ' if ps.slow else ''}{ps.description}")
        return 0
    chosen = _select(list(reg), args.only, args.fast, reg)
    if not chosen:
        raise UserError(f"--only {' '.join(args.only or [])} matches no property set "
                        f"(see 'fftforge prove --list')")
    failed = 0
    for ps in chosen:
        results = run_set(ps, depth=args.depth, build_dir=args.build_dir, timeout=args.timeout)
        ok = all(r.passed for r in results)
        status = "PASS" if ok else next(r.status for r in results if not r.passed)
        secs = sum(r.seconds for r in results)
        detail = ", ".join(f"{r.mode} {r.status} {r.seconds:.1f}s" for r in results)
        print(f"{status:7s} {ps.name:24s} {secs:7.1f}s  ({detail})")
        for r in results:
            if not r.passed:
                where = r.vcd if r.vcd else r.workdir
                print(f"        {r.mode}: counterexample/trace: {where}")
        sys.stdout.flush()
        failed += not ok
    return 1 if failed else 0
