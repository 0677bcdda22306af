"""Timing closure benchmark (issue: ECP5 >= 150 MHz): out-of-context ECP5-85F
builds of the default 16-bit core over N, architecture, lanes and placement
seeds, min and median Fmax per configuration, area in the issue's terms
(Yosys LUT4 + CCU2C, MULT18X18D, DP16KD), latency, the critical path of the
median row, and the "before" figures of the same configuration from the
earlier recorded runs (``bench_fpga_results.json``,
``bench_fpga_lanes_ecp5.json``: generic Verilog, before the retimed
datapath).

Every build is written to the JSON as it finishes, so an interrupted sweep
keeps what it did; ``--from-json`` re-prints the table from such a file.

Usage::

    .venv/bin/python benchmarks/bench_timing.py [--n 1024] [--arch r22sdf]
        [--lanes 1] [--seeds 1,2,3] [--target ecp5] [--breakdown]
        [--json benchmarks/bench_timing_ecp5.json]
    .venv/bin/python benchmarks/bench_timing.py --from-json benchmarks/bench_timing_ecp5.json

Place and route of one 1024-point core takes ~5-15 min on a 2-core VM.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time

from fftforge.config import FFTConfig
from fftforge.fpga import floorplan
from fftforge.fpga import sweep as sw
from fftforge.kinds import KINDS, UNNAMED_KIND

HERE = os.path.dirname(os.path.abspath(__file__))
BEFORE_FILES = ("bench_fpga_results.json", "bench_fpga_lanes_ecp5.json")


def _ints(text):
    return [int(v) for v in text.split(",") if v.strip()]


def key_of(r) -> tuple:
    """A configuration: (N, arch, lanes, cmul, kind, family).  Filter and
    FFTNet rows have no arch or cmul (None), iCE40 rows their family."""
    c = r["core"]
    return (c["n"], c["arch"], c.get("lanes", 1), c.get("cmul", 4), c.get("kind", UNNAMED_KIND),
            r.get("family", "ecp5"))


def _sort_key(key: tuple) -> tuple:
    """Sort keys whose fields may be None (a filter's arch) beside values."""
    return tuple((v is None, v) for v in key)


def _label(key: tuple) -> str:
    """The table's arch column: the FFT's arch (or the core's kind), its
    multiplier form when not the default, its family when not ECP5."""
    n, arch, lanes, cmul, kind, family = key
    return ((arch if kind == UNNAMED_KIND else kind) + (f" cmul {cmul}" if cmul not in (None, 4) else "")
            + ("" if family == "ecp5" else f" ({family})"))


def area(r) -> int | None:
    cells = r.get("cells") or {}
    if "LUT4" not in cells:
        return None
    return cells.get("LUT4", 0) + cells.get("CCU2C", 0)


def load_before() -> dict:
    """``key -> row`` of the earlier ECP5-85F runs (the newest per key)."""
    out = {}
    for name in BEFORE_FILES:
        path = os.path.join(HERE, name)
        if not os.path.exists(path):
            continue
        with open(path) as f:
            for r in json.load(f)["results"]:
                if r.get("family") == "ecp5" and r.get("status") == "ok" and r.get("fmax_mhz"):
                    out[key_of(r)] = r
    return out


def latency(r) -> int | None:
    """The row's latency in cycles: as recorded at build time (the core
    summary's ``latency_cycles``), else for older rows from its kind's
    configuration class as the code computes it today (None for rows
    recorded without their configuration)."""
    if (r.get("core") or {}).get("latency_cycles") is not None:
        return r["core"]["latency_cycles"]
    job = r.get("job") or {}
    kind = KINDS.get((r.get("core") or {}).get("kind", UNNAMED_KIND))
    if "config" not in job or kind is None:
        return None
    return kind.config.from_dict(job["config"]).latency_cycles


def summarise(results: list) -> list:
    """One row per configuration: seeds, min/median Fmax, area, DSP, BRAM,
    latency, the median row's critical path, and the before figures."""
    before = load_before()
    groups = {}
    for r in results:
        if r.get("status") == "ok" and r.get("fmax_mhz"):
            groups.setdefault(key_of(r), []).append(r)
    rows = []
    for key in sorted(groups, key=_sort_key):
        rs = sorted(groups[key], key=lambda r: r["fmax_mhz"])
        med = rs[len(rs) // 2]
        fm = [r["fmax_mhz"] for r in rs]
        b = before.get(key)
        cp = med.get("critical_path") or {}
        rows.append({
            "n": key[0], "arch": _label(key),
            "lanes": key[2], "cmul": key[3],
            "kind": key[4], "family": key[5],
            "seeds": ",".join(str(r.get("seed") or (r.get("job") or {}).get("seed", "?")) for r in rs),
            "fmax_min": min(fm), "fmax_median": statistics.median(fm),
            "msps_median": round(statistics.median(fm) * key[2], 1),
            "lut4_ccu2c": area(med), "ffs": med.get("ffs"), "mult18x18d": med.get("dsps"), "dp16kd": med.get("bram"),
            "latency": latency(med),
            "critical_path": f"{cp.get('start')} -> {cp.get('end')} ({cp.get('delay_ns')} ns, "
                             f"{cp.get('logic_elements')} elements)" if cp else "-",
            "before_fmax": b and b["fmax_mhz"], "before_lut4_ccu2c": b and area(b),
            "before_mult18x18d": b and b.get("dsps"), "before_dp16kd": b and b.get("bram"),
            "commits": ",".join(str(r.get("commit") or "?") for r in rs),
        })
    return rows


def newest_per_seed(results: list) -> list:
    """The rows that stay when each (configuration, seed) keeps only its
    newest successful run, the last one in ``results``' order (the JSON
    files append in build order)."""
    keep = {}
    for r in results:
        if r.get("status") == "ok" and r.get("fmax_mhz"):
            keep[(key_of(r), r.get("seed") or (r.get("job") or {}).get("seed"))] = r
    return list(keep.values())


def format_rows(rows: list, commits: bool = False) -> str:
    head = ("N", "arch", "P", "seeds", "Fmax min", "Fmax med", "MS/s", "LUT4+CCU2C", "FF", "MULT", "DP16KD",
            "latency", "before: Fmax", "LUT4+CCU2C", "MULT", "DP16KD") + (("commits",) if commits else ())
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for r in rows:
        vals = (r["n"], r["arch"], r["lanes"], r["seeds"], f"{r['fmax_min']:.1f}", f"{r['fmax_median']:.1f}",
                r["msps_median"], r["lut4_ccu2c"], r["ffs"], r["mult18x18d"], r["dp16kd"], r["latency"],
                r["before_fmax"] or "-", r["before_lut4_ccu2c"] or "-", r["before_mult18x18d"] or "-",
                r["before_dp16kd"] or "-") + ((r["commits"],) if commits else ())
        lines.append(" | ".join(str(v) for v in vals))
    lines.append("")
    lines.append("critical path of each median row:")
    for r in rows:
        lines.append(f"  N={r['n']} {r['arch']} P={r['lanes']}: {r['critical_path']}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=_ints, default=[1024], help="transform sizes (default 1024)")
    ap.add_argument("--arch", default="r22sdf", help="architectures, comma separated (default r22sdf)")
    ap.add_argument("--lanes", type=_ints, default=[1], help="lanes P (default 1)")
    ap.add_argument("--cmul", type=_ints, default=[4], help="complex multiplier forms (default 4)")
    ap.add_argument("--seeds", type=_ints, default=[1, 2, 3], help="nextpnr seeds (default 1,2,3)")
    ap.add_argument("--target", default="ecp5", choices=("ecp5", "generic"))
    ap.add_argument("--target-mhz", type=float, default=150.0)
    ap.add_argument("--breakdown", action="store_true", help="also the per-part cell breakdown")
    ap.add_argument("--floorplan", default="auto", choices=floorplan.MODES,
                    help=f"fftforge synth --floorplan (default auto: the broadcast registers of P >= "
                         f"{floorplan.AUTO_MIN_LANES} cores pinned at the die's centre)")
    ap.add_argument("--keep", metavar="DIR",
                    help="keep each build's files (Verilog, netlist, nextpnr.log with the whole critical "
                         "path) under DIR/<configuration>-seed<S>")
    ap.add_argument("--json", default=os.path.join(HERE, "bench_timing_ecp5.json"))
    ap.add_argument("--from-json", nargs="+", default=None, metavar="JSON",
                    help="only print the table of finished (or partial) runs (one or more JSON files)")
    ap.add_argument("--newest", action="store_true",
                    help="with --from-json: per configuration and seed keep only the newest row (the last "
                         "in file order), so rows of superseded commits do not enter min and median; the "
                         "table then names each row's commits")
    args = ap.parse_args(argv)
    if args.from_json:
        results = []
        for path in args.from_json:
            with open(path) as f:
                d = json.load(f)
            print(f"# {d['meta'].get('command')}  ({d['meta'].get('date')}, {d['meta'].get('machine')})")
            results += d["results"]
        if args.newest:
            results = newest_per_seed(results)
        print(format_rows(summarise(results), commits=args.newest))
        return 0
    base = FFTConfig(target=args.target, name="fft")
    sweep = {"n": args.n, "arch": args.arch.split(","), "lanes": args.lanes, "cmul": args.cmul,
             "seed": args.seeds}
    jobs = sw.expand_jobs(base, sweep, "ecp5", "85k", target_mhz=args.target_mhz, breakdown=args.breakdown,
                           floorplan=args.floorplan)
    if args.keep:
        for job in jobs:
            c = job["config"]
            job["workdir"] = os.path.join(args.keep, f"n{c['n']}-{c['arch']}-p{c['lanes']}-cmul{c['cmul']}-"
                                                     f"seed{job['seed']}")
    meta = {"command": "python benchmarks/bench_timing.py " + " ".join(argv if argv is not None else sys.argv[1:]),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{os.cpu_count()}-core {platform.machine()}, Python {platform.python_version()}",
            "target": args.target}
    results = []
    t0 = time.perf_counter()
    for k, job in enumerate(jobs):
        c = job["config"]
        print(f"[{k + 1}/{len(jobs)}] N={c['n']} {c['arch']} P={c['lanes']} cmul={c['cmul']} seed={job['seed']} ...",
              flush=True)
        r = sw.run_job(job)
        results.append(r)
        print(f"    {r['status']}: Fmax {r.get('fmax_mhz')} MHz, LUT4+CCU2C {area(r)}, "
              f"{r.get('dsps')} MULT18X18D, {r.get('bram')} DP16KD ({r['seconds'].get('job')} s)", flush=True)
        meta["finished"] = f"{k + 1} of {len(jobs)} builds"
        meta["wall_s"] = round(time.perf_counter() - t0, 1)
        sw.write_json(results, args.json, meta)
    print(format_rows(summarise(results)))
    print(f"wrote {args.json}")
    return 0 if all(r["status"] == "ok" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
