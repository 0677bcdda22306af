"""``fftforge synth``: out-of-context synthesis and place-and-route of a core
or a sweep (:func:`fftforge.fpga.flow.synth_results`), results as a table,
CSV, JSON and plots, and the cost model's FPGA calibration from them."""

from __future__ import annotations

import argparse
import os

from fftforge.cli.options import add_core_options, fft_config_from_args, target_for
from fftforge.errors import UserError
from fftforge.fpga import floorplan

__all__ = ["add_parser", "cmd_synth"]

SYNTH_EPILOG = """\
examples:
  fftforge synth --family ice40 --n 16
  fftforge synth --family ecp5 --core out/fft1024.json --json
  fftforge synth --family ecp5 --sweep n=64,256,1024,4096 --sweep arch=r2sdf,r22sdf --csv --plot
  fftforge synth --family ecp5 --sweep n=64,256 --scheduler tcp://buildfarm:8786
  fftforge synth --from-json out/synth.json --calibrate

Sweep keys: any core parameter (n, arch, width, twiddle_width, order, cmul,
...) and family, device.  Exit status 1 when a build does not fit the part or
fails (the table says which and why).
"""



def add_parser(sub):
    p = sub.add_parser("synth", help="out-of-context synthesis + place-and-route: resources, Fmax; sweeps",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=SYNTH_EPILOG)
    p.add_argument("--family", choices=("ecp5", "ice40"), help="FPGA family")
    p.add_argument("--device", help="part: ecp5 85k (default), 45k, 25k, 12k; ice40 up5k (default), hx8k, hx1k")
    p.add_argument("--sweep", action="append", metavar="KEY=V1,V2",
                   help="sweep a parameter (repeatable: the sweep is the cartesian product)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run the builds on a Dask distributed cluster")
    p.add_argument("--workers", type=int, default=2, help="local parallel builds (default 2)")
    p.add_argument("--target-mhz", type=float, default=None,
                   help="nextpnr timing target (default 50 iCE40, 150 ECP5)")
    p.add_argument("--seed", type=int, default=1, help="nextpnr placement seed (default 1)")
    p.add_argument("--no-pnr", action="store_true", help="synthesis only (no place and route, no Fmax)")
    p.add_argument("--breakdown", action="store_true",
                   help="also report where the cells go: a second Yosys run with the hierarchy kept, cells "
                        "(LUT4, CCU2C, FF, DSP, block RAM) per part of the core, in the table and the JSON")
    p.add_argument("--floorplan", choices=floorplan.MODES, default="auto",
                   help="ECP5: pin the stream shell's broadcast registers (the controller's flags that "
                        "every part's enable and clear copy reads) at the die's centre before nextpnr, so "
                        f"that no copy is more than half the die away. auto (default): cores of "
                        f"{floorplan.AUTO_MIN_LANES} lanes or more on the {', '.join(floorplan.CENTRE_TILE)}; "
                        f"centre: any core on the {', '.join(floorplan.CENTRE_TILE)}; none: never. The JSON "
                        "row's 'floorplan' lists the pins")
    p.add_argument("--keep", action="store_true", help="keep tool run folders under -o")
    p.add_argument("--csv", nargs="?", const="", metavar="PATH", help="write CSV (default <out>/synth.csv)")
    p.add_argument("--json", nargs="?", const="", metavar="PATH", help="write JSON (default <out>/synth.json)")
    p.add_argument("--plot", nargs="?", const="", metavar="PATH",
                   help="plot resources and Fmax vs N (default <out>/synth.png)")
    p.add_argument("--from-json", nargs="+", metavar="RESULTS.json",
                   help="use saved results instead of running tools")
    p.add_argument("--newest", action="store_true",
                   help="with --from-json: each build (configuration and seed) keeps only its newest row "
                        "(the last in file order; later files count as newer), so rows of superseded "
                        "commits do not enter the table or the calibration")
    p.add_argument("--calibrate", nargs="?", const="", metavar="PATH",
                   help="regenerate the cost model's FPGA calibration table from the results")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_core_options(p)
    p.set_defaults(func=cmd_synth)


def _default_path(value, outdir, name):
    return os.path.join(outdir, name) if value == "" else value


def cmd_synth(args):
    from fftforge.fpga import flow
    from fftforge.fpga import sweep as sw
    from fftforge.fpga.synth import device_for, format_breakdown
    out = args.output_dir
    if args.newest and not args.from_json:
        raise UserError("--newest works on saved results: give --from-json RESULTS.json ...")
    if args.from_json:
        results = sw.load_results(args.from_json)
        if args.newest:
            results = sw.newest_per_build(results)
        meta = flow.saved_meta(args.from_json)
    else:
        if not args.family:
            raise UserError("--family is required (ecp5 or ice40)")
        # "centre" where it cannot apply fails here, before any tool (lanes matter to "auto" only)
        floorplan.resolve(args.floorplan, args.family, device_for(args.family, args.device)[0], 1)
        if not args.scheduler:                 # workers of a cluster have their own tools
            from fftforge.fpga.toolchain import tool_env
            tool_env(args.family, "synth")
        if args.workers < 1 or args.workers > 64:
            raise UserError(f"--workers must be in [1, 64], got {args.workers}")
        sweep = sw.parse_sweep(args.sweep)
        if args.core:
            from fftforge.hdl.export import load_core
            base, _ = load_core(args.core)
        else:
            base = fft_config_from_args(args, **target_for(args))
        results = flow.synth_results(
            base, args.family, args.device, core=args.core, sweep=sweep, workers=args.workers,
            scheduler=args.scheduler, target_mhz=args.target_mhz, seed=args.seed, pnr=not args.no_pnr,
            breakdown=args.breakdown, floorplan=args.floorplan, keep=args.keep, output_dir=out,
            progress=not args.no_progress,
            log=lambda line: print(line, flush=True))
        meta = flow.run_meta(flow.synth_command(args.family, args.device, core=args.core, n=args.n,
                                                arch=args.arch, width=args.width, sweeps=args.sweep,
                                                floorplan=args.floorplan))
    print(sw.format_table(results))
    for r in results:
        if r.get("breakdown"):
            print(f"\nwhere the cells go: {r['core'].get('name')} ({r['family']}, Yosys, hierarchy kept)")
            print(format_breakdown(r["breakdown"]))
    if args.csv is not None:
        p = _default_path(args.csv, out, "synth.csv")
        sw.write_csv(results, p)
        print(f"wrote {p}")
    if args.json is not None:
        p = _default_path(args.json, out, "synth.json")
        sw.write_json(results, p, meta)
        print(f"wrote {p}")
    if args.plot is not None:
        p = _default_path(args.plot, out, "synth.png")
        sw.plot_sweep(results, p)
        print(f"wrote {p}")
    if args.calibrate is not None:
        from fftforge.fpga.calibrate import calibrate, calibration_path
        p = args.calibrate or calibration_path()
        new = calibrate(results, p, meta=flow.calibration_meta(meta))
        fams = [f for f, t in new.items() if t.get("status") == "measured"]
        print(f"wrote {p} (measured: {', '.join(fams) or 'none'})")
    if args.from_json:
        return 0
    return 0 if all(r["status"] == "ok" for r in results) else 1
