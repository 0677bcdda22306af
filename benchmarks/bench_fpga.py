"""FPGA synthesis benchmark: out-of-context Yosys + nextpnr builds of 16-bit
FFT cores, both architectures, on ECP5-85F (N = 64 ... 4096) and iCE40 UP5K
(N = 64 ... 512).  Prints a table, writes CSV/JSON (updated after every
build, so an interrupted run keeps what finished) and a plot, and compares
DSP blocks and delay memory with each architecture's theoretical minimum.

Usage::

    .venv/bin/python benchmarks/bench_fpga.py [--workers 2] [--families ice40,ecp5]
        [--n-ecp5 64,256,1024,4096] [--n-ice40 64,128,256,512] [--out benchmarks/]

Outputs: bench_fpga_results.json / .csv / _plot.png in --out.
Regenerate the cost model's calibration from them with::

    fftforge synth --from-json benchmarks/bench_fpga_results.json --calibrate
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import sys
import time

from fftforge.config import FFTConfig
from fftforge.fpga import sweep as sw
from fftforge.fpga.toolchain import tool_env, tool_versions


def theory(n: int, arch: str) -> dict:
    """Theoretical minimum of an SDF pipeline (He & Torkelson, IPPS 1996):
    R2SDF log2 N - 2 non-trivial complex multipliers, R2^2SDF log4 N - 1;
    both N - 1 words of feedback memory."""
    k = int(math.log2(n))
    cm = (k - 2) if arch == "r2sdf" else (math.ceil(k / 2) - 1)
    return {"complex_multipliers": max(cm, 0), "feedback_words": n - 1}


def comparison(results: list) -> str:
    lines = ["family  N     arch    cmul(min) cmul(gen) DSPs  DSP/cmul  fb words(min) fb bits(gen) "
             "reorder bits  BRAM bits  LUTRAM bits"]
    for r in results:
        c, a = r["core"], r.get("architecture", {})
        if not a:
            continue
        th = theory(c["n"], c["arch"])
        d = r.get("dsps")
        per = f"{d / a['complex_multipliers']:.1f}" if d is not None and a.get("complex_multipliers") else "-"
        lines.append(f"{r['family']:6s} {c['n']:5d} {c['arch']:7s} {th['complex_multipliers']:9d} "
                     f"{a.get('complex_multipliers', '-'):9} {d if d is not None else '-':>5} {per:>8}  "
                     f"{th['feedback_words']:13d} {a.get('feedback_bits', '-'):12} "
                     f"{a.get('reorder_bits', '-'):12} {r.get('bram_bits') if r.get('bram_bits') is not None else '-':>10} "
                     f"{r.get('lutram_bits') if r.get('lutram_bits') is not None else '-':>11}")
    return "\n".join(lines)


def markdown(results: list) -> str:
    """Markdown tables for BENCHMARKS.md: measured figures, then the
    comparison with each architecture's theoretical minimum."""
    out = ["| part | arch | N | status | LUT4 | FF | DSP | BRAM (18k/4k) | LUTRAM bits | Fmax MHz | "
           "critical path | yosys s | nextpnr s |",
           "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|"]
    dev = {"ecp5": "ECP5-85F", "ice40": "iCE40 UP5K"}
    for r in results:
        c, s = r["core"], r.get("seconds", {})
        cp = r.get("critical_path") or {}
        path = f"{cp.get('start')} -> {cp.get('end')} ({cp.get('logic_elements')} elements)" if cp else "-"
        st = r["status"] if r["status"] == "ok" else (
            "does not fit: " + "; ".join(f"{o['resource']} {o['used']}/{o['available']}"
                                         for o in r.get("overflow") or []) if r["overflow"] else r["status"])

        def v(x, fmt="{}"):
            return "-" if x is None else fmt.format(x)
        out.append(f"| {dev.get(r['family'], r['family'])} | {c['arch']} | {c['n']} | {st} | {v(r.get('luts'))} | "
                   f"{v(r.get('ffs'))} | {v(r.get('dsps'))} | {v(r.get('bram'))} | {v(r.get('lutram_bits'))} | "
                   f"{v(r.get('fmax_mhz'), '{:.1f}')} | {path} | {v(s.get('yosys'), '{:.0f}')} | "
                   f"{v(s.get('nextpnr'), '{:.0f}')} |")
    out += ["", "| part | arch | N | cmul min | cmul gen | real mult | DSP | DSP - min | feedback words min/gen | "
            "memory bits gen (fb+ROM+reorder) | BRAM bits | LUTRAM bits |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        c, a = r["core"], r.get("architecture") or {}
        if not a:
            continue
        th = theory(c["n"], c["arch"])
        mem = a["feedback_bits"] + a["twiddle_rom_bits"] + a["reorder_bits"]
        cfg_mults = a["real_multipliers"]
        d = r.get("dsps")
        # minimum DSPs: one block per real multiplier when a 17x18 product fits
        # one (ECP5 MULT18X18D); iCE40's SB_MAC16 is 16x16 (two needed)
        per = 1 if r["family"] == "ecp5" else 2
        mind = 4 * th["complex_multipliers"] * per
        out.append(f"| {dev.get(r['family'], r['family'])} | {c['arch']} | {c['n']} | {th['complex_multipliers']} | "
                   f"{a['complex_multipliers']} | {cfg_mults} | {'-' if d is None else d} | "
                   f"{'-' if d is None else d - mind} | {th['feedback_words']}/{a['feedback_words']} | "
                   f"{a['feedback_bits']}+{a['twiddle_rom_bits']}+{a['reorder_bits']}={mem} | "
                   f"{'-' if r.get('bram_bits') is None else r['bram_bits']} | "
                   f"{'-' if r.get('lutram_bits') is None else r['lutram_bits']} |")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--families", default="ice40,ecp5")
    ap.add_argument("--n-ecp5", default="64,256,1024,4096")
    ap.add_argument("--n-ice40", default="64,128,256,512")
    ap.add_argument("--archs", default="r22sdf,r2sdf")
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--scheduler", default=None, help="tcp://host:port of a Dask scheduler")
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--report-only", nargs="+", metavar="RESULTS.json",
                    help="print the tables (text and markdown) and redraw the plot of saved results; "
                         "run no tool")
    args = ap.parse_args(argv)
    if args.report_only:
        results = sorted(sw.load_results(args.report_only),
                         key=lambda x: (x["family"], x["core"]["arch"], x["core"]["n"]))
        print(sw.format_table(results))
        print()
        print(comparison(results))
        print()
        print(markdown(results))
        sw.plot_sweep(results, os.path.join(args.out, "bench_fpga_plot.png"))
        return

    base = FFTConfig(n=64, width=args.width, name="fft")
    archs = args.archs.split(",")
    jobs = []
    for fam in args.families.split(","):
        ns = [int(x) for x in (args.n_ice40 if fam == "ice40" else args.n_ecp5).split(",")]
        jobs += sw.expand_jobs(base, {"n": ns, "arch": archs}, fam)
    # small builds first so that partial results cover the range early
    jobs.sort(key=lambda j: (j["config"]["n"], j["family"] != "ice40"))
    env = tool_env("ecp5", "synth")
    meta = {
        "command": "python benchmarks/bench_fpga.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": f"{os.cpu_count()}-core {platform.machine()} VM, Python {platform.python_version()}",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "workers": args.workers, "scheduler": args.scheduler,
        "tools": tool_versions(env, ("YOSYS", "NEXTPNR_ECP5")),
        "note": "iCE40 figures include the SynthTop harness (nextpnr-ice40 has no out-of-context mode)",
    }
    jpath = os.path.join(args.out, "bench_fpga_results.json")
    cpath = os.path.join(args.out, "bench_fpga_results.csv")
    done = []

    def save(r):
        done.append(r)
        order = {id(j): i for i, j in enumerate(jobs)}
        part = sorted(done, key=lambda x: (x["family"], x["core"]["arch"], x["core"]["n"]))
        meta["finished"] = f"{len(done)} of {len(jobs)} builds"
        sw.write_json(part, jpath, meta)
        sw.write_csv(part, cpath)
        print(f"[{time.strftime('%H:%M:%S')}] {r['family']} {r['core']['arch']} n={r['core']['n']}: "
              f"{r['status']} luts={r.get('luts')} dsps={r.get('dsps')} fmax={r.get('fmax_mhz')} "
              f"({r['seconds'].get('job')} s)", flush=True)

    t0 = time.perf_counter()
    results = sw.run_sweep(jobs, workers=args.workers, scheduler=args.scheduler, progress=False,
                           on_result=save)
    meta["wall_s"] = round(time.perf_counter() - t0, 1)
    results = sorted(results, key=lambda x: (x["family"], x["core"]["arch"], x["core"]["n"]))
    sw.write_json(results, jpath, meta)
    sw.write_csv(results, cpath)
    sw.plot_sweep(results, os.path.join(args.out, "bench_fpga_plot.png"))
    print(f"# {meta['command']}\n# {meta['machine']}, {meta['date']}, wall {meta['wall_s']} s\n")
    print(sw.format_table(results))
    print()
    print(comparison(results))
    print()
    print(markdown(results))


if __name__ == "__main__":
    main()
