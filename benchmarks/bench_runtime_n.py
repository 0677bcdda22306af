"""Run-time transform length (issue 14, ``--runtime-n``): SQNR per frame
size of an NMAX-point core that takes every size from NMIN up, beside the
ordinary fixed-size core of that size and the analytic noise model, and
(``--synth``) its ECP5 resources and Fmax beside the fixed NMAX core.

Cores: ``FFTConfig(n=NMAX, runtime_n=NMIN, arch=A)`` (16-bit input, 18-bit
twiddles, scaled, convergent, natural order) for A = r22sdf and r2sdf, run
through :class:`fftforge.pyref.fft.FFTModel` (what ``fftforge model
--log2n`` runs, bit-exact with the RTL: tests/sim/test_runtime_n_cores.py).
Stimulus: uniform full-range random frames
(:func:`fftforge.pyref.stimulus.make_stimulus` ``random``), every size the
same number of frames, sizes shuffled and back to back in one stream.

Per size N:

* ``runtime``: measured SQNR (dB) of the run-time core's frames of size N
  against NumPy (:func:`fftforge.pyref.fft.fft_float`, the size's own scale);
* ``fixed``: the same frames through the ordinary N-point core
  (``FFTConfig.at_size(N)``);
* ``bound``: :func:`fftforge.pyref.noise.sqnr_bound_db` for the parts the
  size's frames go through (``size=N``);
* ``same words``: whether the run-time core's words equal the fixed core's
  (r2sdf always; r22sdf when log2 N has the parity of log2 NMAX: the other
  sizes enter the radix-2^2 pipeline at a radix-2 stage, so their rounding
  differs).

A size below its bound is printed as MISSED and the exit status is 1.

``--synth``: ``fftforge synth --family ecp5`` of the run-time core and the
fixed NMAX core (place and route with ``--seed``, or ``--no-pnr``), LUT4 +
CCU2C, MULT18X18D, DP16KD, Fmax.

Usage::

    nice -n 10 .venv/bin/python benchmarks/bench_runtime_n.py [--nmax 1024]
        [--nmin 8] [--frames 8] [--synth [--no-pnr] [--seed 1]] [--json X]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys

import numpy as np

from fftforge.config import FFTConfig
from fftforge.fpga import sweep as sw
from fftforge.pyref.fft import FFTModel, fft_float, sqnr_db
from fftforge.pyref.noise import sqnr_bound_db
from fftforge.pyref.stimulus import make_stimulus



def sqnr_by_size(cfg: FFTConfig, frames_per_size: int, seed: int = 1) -> list:
    """One row per size N of ``cfg`` (a run-time-length config)."""
    lo, hi = cfg.log2n_range
    k = np.repeat(np.arange(lo, hi + 1), frames_per_size)
    rng = np.random.default_rng(seed)
    rng.shuffle(k)
    re, im = make_stimulus("random", k.size, cfg.n, cfg.width, rng)
    y_re, y_im, ovf = FFTModel(cfg)(re, im, None, k)
    ref = fft_float(cfg, re + 1j * im, None, k)
    rows = []
    for kk in range(lo, hi + 1):
        n = 1 << kk
        sel = k == kk
        x_re, x_im = re[sel, :n], im[sel, :n]
        power = float(np.mean(x_re.astype(float) ** 2 + x_im.astype(float) ** 2))
        got = y_re[sel, :n] + 1j * y_im[sel, :n]
        fixed = cfg.at_size(n)
        z_re, z_im, _ = FFTModel(fixed)(x_re, x_im)
        rows.append({
            "arch": cfg.arch, "nmax": cfg.n, "n": n,
            "runtime_db": round(sqnr_db(ref[sel, :n], got), 2),
            "fixed_db": round(sqnr_db(fft_float(fixed, x_re + 1j * x_im), z_re + 1j * z_im), 2),
            "bound_db": round(sqnr_bound_db(cfg, ref[sel, :n], power, size=n), 2),
            "same_words": bool(np.array_equal(z_re, y_re[sel, :n]) and np.array_equal(z_im, y_im[sel, :n])),
            "overflow": bool(ovf[sel].any()),
        })
    return rows


def synth(cfg: FFTConfig, seed: int, no_pnr: bool) -> dict:
    """ECP5-85F build of one core (:func:`fftforge.fpga.sweep.run_job`, what
    ``fftforge synth`` and ``bench_timing.py`` run); its figures."""
    job, = sw.expand_jobs(cfg, {}, "ecp5", "85k", seed=seed, pnr=not no_pnr)
    r = sw.run_job(job)
    if r["status"] != "ok":
        raise SystemExit(f"synthesis of {cfg.name} failed: {r.get('error')}")
    cells = r.get("cells") or {}
    return {"core": f"--n {cfg.n}" + (f" --runtime-n {cfg.runtime_n}" if cfg.runtime_n else ""),
            "lut4_ccu2c": cells.get("LUT4", 0) + cells.get("CCU2C", 0),
            "lut4": cells.get("LUT4"), "ccu2c": cells.get("CCU2C"), "mult18x18d": r.get("dsps"),
            "dp16kd": r.get("bram"), "fmax_mhz": r.get("fmax_mhz"), "critical_path": r.get("critical_path")}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nmax", type=int, default=1024)
    ap.add_argument("--nmin", type=int, default=8)
    ap.add_argument("--frames", type=int, default=8, help="frames per size (default 8)")
    ap.add_argument("--synth", action="store_true", help="also ECP5 synthesis of the run-time and fixed cores")
    ap.add_argument("--no-pnr", action="store_true", help="with --synth: Yosys only (no Fmax)")
    ap.add_argument("--seed", type=int, default=1, help="with --synth: nextpnr seed (default 1)")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    rows, missed = [], []
    for arch in ("r22sdf", "r2sdf"):
        cfg = FFTConfig(n=args.nmax, runtime_n=args.nmin, arch=arch)
        rows += sqnr_by_size(cfg, args.frames)
    print(f"SQNR (dB) per frame size, NMAX = {args.nmax}, NMIN = {args.nmin}, 16-bit input, 18-bit twiddles, "
          f"scaled, convergent; {args.frames} uniform random frames per size")
    print("arch | N | runtime | fixed N-point core | bound | same words | overflow")
    print("--- | --- | --- | --- | --- | --- | ---")
    for r in rows:
        ok = r["runtime_db"] >= r["bound_db"] and not r["overflow"]
        if not ok:
            missed.append(r)
        print(f"{r['arch']} | {r['n']} | {r['runtime_db']:.1f} | {r['fixed_db']:.1f} | {r['bound_db']:.1f} | "
              f"{'yes' if r['same_words'] else 'no'} | {'SET' if r['overflow'] else 'never'}"
              + ("" if ok else " | MISSED"))
    res = []
    if args.synth:
        for rt in (args.nmin, None):
            res.append(synth(FFTConfig(n=args.nmax, runtime_n=rt, target="ecp5", name="fft"), args.seed,
                             args.no_pnr))
        print()
        print(f"ECP5-85F, seed {args.seed}" + (" (Yosys only)" if args.no_pnr else ""))
        print("core | LUT4 + CCU2C | MULT18X18D | DP16KD | Fmax MHz")
        print("--- | --- | --- | --- | ---")
        for r in res:
            print(f"{r['core']} | {r['lut4']} + {r['ccu2c']} = {r['lut4_ccu2c']} | {r['mult18x18d']} | "
                  f"{r['dp16kd']} | {r['fmax_mhz'] or '-'}")
    if args.json:
        meta = {"command": "python benchmarks/bench_runtime_n.py " + " ".join(argv if argv is not None
                                                                              else sys.argv[1:]),
                "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                "machine": f"{os.cpu_count()}-core {platform.machine()}, Python {platform.python_version()}"}
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "sqnr": rows, "synth": res}, f, indent=1)
        print(f"wrote {args.json}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
