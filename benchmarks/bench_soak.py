"""Soak: at least 10**6 samples through a set of generated cores under random
valid/ready stalls, every output word compared with the bit-true model.

The cores cover the FFT generator's options pairwise: the factors are
:func:`fftforge.sim.pairwise.fft_factors` (the same definition the fast
Verilator set of tests/sim/test_fft_cocotb.py covers; here with N 16 and
1024 and the generic target), the covering array is
:func:`fftforge.sim.pairwise.pairwise_rows` (every pair of values of any two
of arch, direction, scaling, rounding, overflow, order, cmul, lanes and N
appears in some core; checked by :func:`~fftforge.sim.pairwise.uncovered_pairs`),
plus a spectral filter and an FFTNet layer.  ``scaling`` has three values:
``scaled`` (the default schedule), ``scaled-clip`` (schedule 0, 0, 1, ...:
full-scale frames clip, so the ``overflow`` option and flag matter) and
``unscaled``.

All cores are built side by side into ONE Verilator model by
:mod:`fftforge.sim.multibench`, each streamed and checked by its own
self-checking Verilog driver: per core, one long *stalled* segment (after a
reset) with at least the core's share of the samples, in which a xorshift64
generator draws ``valid`` and ``ready`` every cycle, with bursts of
``valid`` low anywhere, idle gaps at frame boundaries (shorter and longer
than ``drain_after``: the core drains) and bursts of ``ready`` low (the
output FIFO full, the pipeline frozen).  The driver compares every output
word (all fields: samples, ``last``, ``overflow``) with the expected word of
the same index, counts the words in and out, and after the last expected
word keeps ``ready`` high for twice the latency to catch any extra word;
Python compares every received word again.  A core passes when every input
word was accepted and exactly the expected words came out, in order.

    .venv/bin/python benchmarks/bench_soak.py [--samples 1000000] [--json soak.json]
    .venv/bin/python benchmarks/bench_soak.py --only fft16_00 --samples 4000 --min-frames 2   # one core, quick

Prints a table (core, options, samples, frames, cycles, stalls %, drain
gaps, errors) and the build and run times of the one model.  Exit status 1
if any core has an error.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shutil
import sys
import tempfile
import time

import numpy as np

from fftforge.config import FFTConfig
from fftforge.filter_config import FFTNetConfig, FilterConfig
from fftforge.pyref import lanes
from fftforge.pyref.stimulus import make_stimulus
from fftforge.sim.multibench import CoreSpec, MultiBench, Segment
from fftforge.sim.pairwise import fft_factors, pairwise_rows, scaling_config, uncovered_pairs

__all__ = ["SOAK_FACTORS", "soak_rows", "soak_cores", "Core", "soak_specs", "core_row", "run_soak", "table",
           "main"]

#: the FFT options the soak covers pairwise: the shared factor definition,
#: with N 16 and 1024, every core generic
SOAK_FACTORS = fft_factors(n=[16, 1024], target=False)

#: seed of the greedy covering array: 14 rows (the lower bound is 4 lanes x
#: 3 directions = 12), the fewest found among seeds 0-99 with N=16 preferred,
#: and of those the cheapest build (lanes x 3 for N=1024)
PAIRWISE_SEED = 70
PREFER = [("n", 16)]


def soak_rows() -> list:
    """The FFT rows of the soak: a strength-2 covering array of :data:`SOAK_FACTORS`."""
    return pairwise_rows(SOAK_FACTORS, seed=PAIRWISE_SEED, prefer=PREFER)


@dataclasses.dataclass
class Core:
    name: str
    cfg: object           # FFTConfig, FilterConfig or FFTNetConfig
    options: str          # a short description for the table
    p_valid: float        # probability of valid high (outside bursts)
    p_ready: float


def fft_config(row: dict, name: str) -> FFTConfig:
    n = row["n"]
    small = n <= 64
    kw = {f: v for f, v in row.items() if f not in ("n", "scaling")}
    return FFTConfig(n=n, width=10 if small else 16, twiddle_width=10 if small else 18,
                     drain_after=4 if small else 16, name=name, **kw, **scaling_config(row["scaling"], n))


def _short(row: dict) -> str:
    ab = {"convergent": "conv", "truncate": "trunc", "saturate": "sat", "bit_reversed": "bitrev",
          "natural": "nat", "forward": "fwd", "inverse": "inv", "runtime": "rt"}
    return " ".join([row["arch"], ab[row["direction"]], row["scaling"], ab[row["rounding"]],
                     ab.get(row["overflow"], row["overflow"]), ab[row["order"]], f"cmul{row['cmul']}",
                     f"P{row['lanes']}"])


def _weights(cfg, seed):
    from fftforge.sim.check_filter import random_bias, random_weights
    rng = np.random.default_rng(seed)
    wr, wi = random_weights(cfg, rng)
    extra = {"bias": tuple(random_bias(cfg, rng))} if isinstance(cfg, FFTNetConfig) else {}
    return cfg.replace(weights_re=wr.ravel(), weights_im=wi.ravel(), **extra)


def soak_cores() -> list:
    """The soak set: the pairwise FFT rows, a filter and an FFTNet core."""
    cores = []
    for k, row in enumerate(soak_rows()):
        name = f"fft{row['n']}_{k:02d}"
        pv, pr = (0.55, 0.8, 0.95, 0.7)[k % 4], (0.75, 0.5, 0.9, 0.65)[k % 4]
        cores.append(Core(name, fft_config(row, name), _short(row), pv, pr))
    flt = _weights(FilterConfig(n=64, width=12, coef_width=12, channels=3, arch="r2sdf", rounding="truncate",
                                lanes=2, drain_after=8, name="filter64"), 11)
    cores.append(Core("filter64", flt, "filter D=3 r2sdf trunc cmul4 P2 rom", 0.7, 0.7))
    net = _weights(FFTNetConfig(n=32, width=12, coef_width=12, channels=2, cmul=3, lanes=1, drain_after=4,
                                name="fftnet32"), 12)
    cores.append(Core("fftnet32", net, "fftnet D=2 r22sdf conv cmul3 P1 rom", 0.8, 0.6))
    return cores


def stimulus(cfg, frames: int, rng):
    """(re, im, inverse, kinds) of ``frames`` frames: mostly full-scale
    random, with frames at 1/16 amplitude, tones, square waves (the overflow
    stress), impulses and DC mixed in; per-frame random direction for
    runtime cores."""
    m = lanes.frame_samples(cfg)
    re, im = make_stimulus("random", frames, m, cfg.width, rng)
    kinds = rng.choice(["random", "small", "tone", "square", "impulse", "dc"], frames,
                       p=[0.55, 0.15, 0.1, 0.1, 0.05, 0.05])
    for kind in ("tone", "square", "impulse", "dc"):
        sel = np.nonzero(kinds == kind)[0]
        if len(sel):
            a, b = make_stimulus(kind, len(sel), m, cfg.width, rng)
            re[sel], im[sel] = a, b
    small = kinds == "small"
    re[small] >>= 4
    im[small] >>= 4
    inv = rng.random(frames) < 0.5 if getattr(cfg, "direction", "forward") == "runtime" else None
    return re, im, inv, list(kinds)


def frames_for(cfg, samples: int, min_frames: int = 2) -> int:
    """Whole frames for at least ``samples`` samples (and ``min_frames``, at least 2)."""
    return max(-(-samples // lanes.frame_samples(cfg)), min_frames, 2)


def soak_specs(cores, samples: int, seed: int = 1, min_frames: int = 2) -> list:
    """One :class:`~fftforge.sim.multibench.CoreSpec` per core: a single
    stalled segment of :func:`frames_for` frames under the core's valid and
    ready probabilities; idle gaps only where the driver draws them (at 1/8
    of the frame boundaries, 1 to 2 drain_after + 8 cycles)."""
    specs = []
    for k, c in enumerate(cores):
        rng = np.random.default_rng([seed, k])
        re, im, inv, kinds = stimulus(c.cfg, frames_for(c.cfg, samples, min_frames), rng)
        specs.append(CoreSpec(c.cfg, [Segment(re, im, inv, streaming=False, p_valid=c.p_valid, p_ready=c.p_ready,
                                              idle_every=0, idle_cycles=0, labels=kinds)]))
    return specs


def core_row(core: Core, res) -> dict:
    """The result row of one core from its :class:`~fftforge.sim.multibench.CoreResult`:
    ``errors`` counts mismatching (in Verilog, or in Python's second
    comparison), missing and extra words, inputs not accepted and timeouts."""
    cfg = core.cfg
    (s,) = res.segments
    lost = s.words_out - min(s.emitted, s.words_out)
    py_mismatch = 0
    if s.received:
        diff = np.zeros(s.words_out, dtype=bool)
        for f, a in s.expected.items():      # every field of every word, in order
            exp, got = (np.asarray(x).reshape(s.words_out, -1) for x in (a, s.received[f]))
            diff |= (exp != got).any(axis=1)
        py_mismatch = int(diff.sum())
    problems = (max(s.mismatches, py_mismatch) + s.extra + lost + (s.words_in - s.accepted) + int(s.timeout))
    frames = len(s.model[0])
    return {
        "core": core.name, "kind": getattr(cfg, "kind", type(cfg).__name__), "options": core.options,
        "n": cfg.n, "lanes": cfg.lanes, "samples": s.words_in * cfg.lanes, "frames": frames,
        "words_in": s.words_in, "words_out": s.words_out, "cycles": s.cycles, "stall_pct": s.stall_pct,
        "gaps": s.gaps, "drain_gaps": s.drain_gaps, "valid_bursts": s.valid_bursts, "ready_bursts": s.ready_bursts,
        "overflow_frames": int(np.asarray(s.model[2]).reshape(frames, -1).any(axis=1).sum()),
        "mismatches": s.mismatches, "python_mismatches": py_mismatch, "extra": s.extra, "lost": lost,
        "not_accepted": s.words_in - s.accepted, "timeout": bool(s.timeout), "errors": problems,
        "latency_cycles": res.descriptor["latency_cycles"],
        "bit_exact": bool(s.bit_exact) and problems == 0,
    }


def run_soak(cores, samples_per_core: int, workdir: str, seed: int = 1, opt: str = "-O1", min_frames: int = 2,
             build_jobs: int = 1):
    """Soak ``cores`` in one multibench model; return (rows, the MultiRun)."""
    specs = soak_specs(cores, samples_per_core, seed=seed, min_frames=min_frames)
    run = MultiBench(specs, workdir, seed=seed, opt=opt, build_jobs=build_jobs).run()
    return [core_row(c, r) for c, r in zip(cores, run.cores)], run


def table(rows) -> str:
    head = ("| core | options | samples | frames | cycles | stalls % | drain gaps | errors |\n"
            "|---|---|---:|---:|---:|---:|---:|---:|")
    lines = [head]
    for r in rows:
        lines.append(f"| {r['core']} | {r['options']} | {r['samples']:,} | {r['frames']:,} | {r['cycles']:,} "
                     f"| {r['stall_pct']:.1f} | {r['drain_gaps']:,} | {r['errors']} |")
    lines.append(f"| **total** | {len(rows)} cores | {sum(r['samples'] for r in rows):,} | "
                 f"{sum(r['frames'] for r in rows):,} | {sum(r['cycles'] for r in rows):,} | "
                 f"{np.mean([r['stall_pct'] for r in rows]):.1f} | {sum(r['drain_gaps'] for r in rows):,} | "
                 f"{sum(r['errors'] for r in rows)} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=1_000_000,
                    help="samples in total (at least), split evenly over the cores (whole frames; default 10**6)")
    ap.add_argument("--only", nargs="*", help="run only the cores whose name starts with one of these")
    ap.add_argument("--min-frames", type=int, default=200,
                    help="at least this many frames per core (more samples for large N; default 200)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--opt", default="-O1", help="C++ optimisation of the Verilator model (default -O1)")
    ap.add_argument("--build-jobs", type=int, default=1, help="parallel C++ compile jobs of the build (default 1)")
    ap.add_argument("--workdir", help="keep the generated cores, vectors and build here")
    ap.add_argument("--json", help="write the results (and the machine, the command) to this file")
    ap.add_argument("--list", action="store_true", help="list the cores and exit")
    args = ap.parse_args(argv)
    cores = soak_cores()
    if args.only:
        cores = [c for c in cores if c.name.startswith(tuple(args.only))]
        if not cores:
            ap.error(f"no core matches {args.only}")
    if args.list:
        for c in cores:
            print(f"{c.name:12s} {c.options}  (latency {c.cfg.latency_cycles})")
        return 0
    per_core = -(-args.samples // len(cores))
    workdir = args.workdir or tempfile.mkdtemp(prefix="fftforge-soak-")
    print(f"# soak: {len(cores)} cores in one Verilator model, >= {per_core:,} samples and {args.min_frames} "
          f"frames each, seed {args.seed}, C++ {args.opt}, work in {workdir}", flush=True)
    t0 = time.perf_counter()
    try:
        rows, run = run_soak(cores, per_core, workdir, seed=args.seed, opt=args.opt, min_frames=args.min_frames,
                             build_jobs=args.build_jobs)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    wall = time.perf_counter() - t0
    tot_s = sum(r["samples"] for r in rows)
    print()
    print(table(rows))
    print(f"\n{tot_s:,} samples, {sum(r['errors'] for r in rows)} errors; generate + vectors "
          f"{run.generate_seconds:.0f} s, Verilator build {run.build_seconds:.0f} s, simulation "
          f"{run.run_seconds:.1f} s ({tot_s / max(run.run_seconds, 1e-9):,.0f} samples/s), wall {wall:.0f} s")
    for ln in run.log.splitlines():
        if ln.startswith(("MISMATCH", "TIMEOUT")):
            print("  " + ln)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"schema": "fftforge.soak/2", "command": " ".join([sys.executable, *sys.argv]),
                       "machine": f"{platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}",
                       "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "wall_seconds": wall,
                       "generate_seconds": run.generate_seconds, "build_seconds": run.build_seconds,
                       "run_seconds": run.run_seconds, "cores": rows}, f, indent=1)
            f.write("\n")
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
