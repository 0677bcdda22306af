"""CLI subcommands for the FPGA flow: ``build`` (a bitstream for a board) and
``synth`` (out-of-context synthesis + place-and-route, sweeps, calibration).
Thin wrappers over :mod:`fftforge.fpga`."""

from __future__ import annotations

import argparse
import json
import os

from fftforge.errors import UserError

BUILD_EPILOG = """\
examples:
  fftforge build --board icebreaker --n 16 -o out/ice
  fftforge build --board ulx3s-85f --core out/fft1024.json -o out/ulx3s
  fftforge build --list-boards

The core runs in a self-checking top: an LFSR feeds it (with valid/ready
stalls), a checksum of its output is compared with the bit-true model's after
--check-frames frames.  LEDs: iCEBreaker green blinks while checking and stays
on when the checksum matched, red = mismatch or overflow; ULX3S led0 alive,
led1 pass, led2 fail, led3 overflow.  Program the board with the command the
report prints (iceprog / openFPGALoader).  Tools: yowasp-* from PyPI unless
YOSYS, NEXTPNR_ICE40, ICEPACK, NEXTPNR_ECP5, ECPPACK point elsewhere.
"""

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


def _core_source(args, workdir):
    from fftforge.fpga.core import core_from_config, core_from_descriptor
    if args.core:
        return core_from_descriptor(args.core, os.path.join(workdir, "core"))
    from fftforge.cli.core import fft_config_from_args
    return core_from_config(fft_config_from_args(args, **_target_for(args)), os.path.join(workdir, "core"))


def _target_for(args) -> dict:
    """``fftforge synth --family ecp5`` (``ice40``) builds that family's
    target form unless ``--target`` says otherwise."""
    if getattr(args, "target", None) is None and getattr(args, "family", None) in ("ecp5", "ice40"):
        return {"target": args.family}
    return {}


def _add_core_options(p):
    from fftforge.cli.core import add_fft_options
    p.add_argument("--core", metavar="CORE.json",
                   help="core descriptor from 'fftforge generate' (else the core is generated from the "
                        "options below)")
    add_fft_options(p)


def cmd_build(args):
    from fftforge.fpga.boards import build_board, list_boards
    if args.list_boards:
        print("\n".join(list_boards()))
        return 0
    if not args.board:
        raise UserError("--board is required (e.g. icebreaker, ulx3s-85f; see --list-boards)")
    from fftforge.fpga.boards import platform_family, resolve_board
    platform_family(resolve_board(args.board))          # fail fast on a bad board name
    if not 1 <= args.check_frames <= 1024:
        raise UserError(f"--check-frames must be in [1, 1024], got {args.check_frames}")
    out = args.output_dir
    if not args.core:                                     # fit check before generating anything
        from fftforge.cli.core import fft_config_from_args
        from fftforge.fpga.boards import check_fits
        cfg = fft_config_from_args(args)
        check_fits({"name": cfg.name, "n": cfg.n, "arch": cfg.arch, "resources": cfg.resources()}, args.board)
    core = _core_source(args, out)
    bdir = os.path.join(out, f"build-{args.board.lower()}")
    print(f"building {core.name} (n={core.desc['n']}, {core.desc.get('arch')}) for {args.board} "
          f"in {bdir} ...", flush=True)
    rep = build_board(core, args.board, bdir, check_frames=args.check_frames, seed=args.seed)
    d = rep.to_dict()
    print(f"bitstream: {rep.bitstream}")
    print(f"  {rep.device} {rep.package}: " + (f"logic cells {rep.logic_cells}" if rep.family == "ice40" else f"LUTs {rep.luts}, FFs {rep.ffs}") + ", "
          f"DSPs {rep.dsps}, BRAMs {rep.bram}; Fmax {rep.fmax_mhz} MHz at a {rep.clock_mhz:g} MHz clock "
          f"({'met' if rep.timing_met else 'NOT met'})")
    print(f"  self-check: {rep.self_check['frames']} frames, expected checksum "
          f"{rep.self_check['expected_checksum']}")
    for led, what in rep.leds.items():
        print(f"  {led}: {what}")
    print(f"  program: {rep.program}")
    print(f"  report: {os.path.join(rep.build_dir, 'report.json')} (build {rep.seconds['build']:.0f} s)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(d, f, indent=1)
    return 0


def _default_path(value, outdir, name):
    return os.path.join(outdir, name) if value == "" else value


def cmd_synth(args):
    from fftforge.fpga import sweep as sw
    from fftforge.fpga.synth import device_for
    out = args.output_dir
    if args.from_json:
        results = sw.load_results(args.from_json)
        metas = []
        for p in args.from_json:
            try:
                with open(p) as f:
                    m = json.load(f).get("meta") or {}
            except (OSError, ValueError, AttributeError):
                m = {}
            if m:
                metas.append(m)
        # several result files: every command, the latest date, the tools named
        meta = {"command": "; ".join(m["command"] for m in metas if m.get("command")),
                "date": max((str(m["date"]) for m in metas if m.get("date")), default=None)}
        tools = {k: v for m in metas for k, v in (m.get("tools") or {}).items() if v}
        if tools:
            meta["tools"] = sorted(set(tools.values()))
    else:
        if not args.family:
            raise UserError("--family is required (ecp5 or ice40)")
        device_for(args.family, args.device)
        if not args.scheduler:                 # workers of a cluster have their own tools
            from fftforge.fpga.toolchain import tool_env
            tool_env(args.family, "synth")
        if args.workers < 1 or args.workers > 64:
            raise UserError(f"--workers must be in [1, 64], got {args.workers}")
        sweep = sw.parse_sweep(args.sweep)
        if args.core:
            from fftforge.hdl.export import load_core
            from fftforge.kinds import kind_of
            base, _ = load_core(args.core)
            if sweep and not kind_of(base).fpga_from_config:
                raise UserError("--sweep works on FFT cores; pass the generate options instead of --core")
        else:
            from fftforge.cli.core import fft_config_from_args
            base = fft_config_from_args(args, **_target_for(args))
        if sweep or args.scheduler or not args.core:
            jobs = sw.expand_jobs(base, sweep, args.family, args.device, target_mhz=args.target_mhz,
                                  seed=args.seed, pnr=not args.no_pnr, breakdown=args.breakdown,
                                  keep_dir=os.path.join(out, "synth-runs") if args.keep else None)
            if len(jobs) > 1 or args.scheduler:
                where = args.scheduler or f"{min(args.workers, len(jobs))} local processes"
                print(f"sweep: {len(jobs)} builds on {where}", flush=True)
            else:
                print(f"synthesising {jobs[0]['config']['name']} (n={base.n}, {base.arch}) for "
                      f"{args.family} ...", flush=True)
            results = sw.run_sweep(jobs, workers=args.workers, scheduler=args.scheduler,
                                   progress=not args.no_progress and len(jobs) > 1)
        else:
            from fftforge.fpga.synth import synth_core
            core = _core_source(args, out)
            print(f"synthesising {core.name} (n={core.desc['n']}, {core.desc.get('arch')}) for "
                  f"{args.family} ...", flush=True)
            rep = synth_core(core, args.family, args.device, target_mhz=args.target_mhz, seed=args.seed,
                             pnr=not args.no_pnr, breakdown=args.breakdown,
                             workdir=os.path.join(out, f"synth-{args.family}") if args.keep else None)
            results = [rep.to_dict()]
        import datetime
        import platform as _pf
        cmdline = [f"--family {args.family}"] + ([f"--device {args.device}"] if args.device else [])
        swept = set(sw.parse_sweep(args.sweep))
        cmdline += [f"--core {args.core}"] if args.core else (
            [f"--n {args.n}"] * ("n" not in swept) + [f"--arch {args.arch}"] * ("arch" not in swept)
            + [f"--width {args.width}"] * ("width" not in swept))
        cmdline += [f"--sweep {s}" for s in args.sweep or ()]
        meta = {"command": "fftforge synth " + " ".join(cmdline),
                "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                "machine": f"{os.cpu_count()}-core {_pf.machine()}, Python {_pf.python_version()}"}
    print(sw.format_table(results))
    from fftforge.fpga.synth import format_breakdown
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
        cal_meta = {"command": meta.get("command", ""), "date": str(meta.get("date") or "")[:10] or None}
        if meta.get("tools"):
            cal_meta["tools"] = meta["tools"]
        new = calibrate(results, p, meta={k: v for k, v in cal_meta.items() if v})
        fams = [f for f, t in new.items() if t.get("status") == "measured"]
        print(f"wrote {p} (measured: {', '.join(fams) or 'none'})")
    if args.from_json:
        return 0
    return 0 if all(r["status"] == "ok" for r in results) else 1


def add_parser(sub):
    p = sub.add_parser("build", help="build a bitstream of a core for an FPGA board (open toolchain)",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=BUILD_EPILOG)
    p.add_argument("--board", help="icebreaker, ulx3s-85f (ulx3s-12f/25f/45f) or an amaranth-boards "
                                   "platform name (iCE40 or ECP5)")
    p.add_argument("--list-boards", action="store_true", help="list board names and exit")
    p.add_argument("--check-frames", type=int, default=4,
                   help="output frames in the self-check checksum (default 4)")
    p.add_argument("--seed", type=int, default=1, help="nextpnr placement seed (default 1)")
    p.add_argument("--json", metavar="PATH", help="also write the build report here")
    _add_core_options(p)
    p.set_defaults(func=cmd_build)

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
    p.add_argument("--keep", action="store_true", help="keep tool run folders under -o")
    p.add_argument("--csv", nargs="?", const="", metavar="PATH", help="write CSV (default <out>/synth.csv)")
    p.add_argument("--json", nargs="?", const="", metavar="PATH", help="write JSON (default <out>/synth.json)")
    p.add_argument("--plot", nargs="?", const="", metavar="PATH",
                   help="plot resources and Fmax vs N (default <out>/synth.png)")
    p.add_argument("--from-json", nargs="+", metavar="RESULTS.json",
                   help="use saved results instead of running tools")
    p.add_argument("--calibrate", nargs="?", const="", metavar="PATH",
                   help="regenerate the cost model's FPGA calibration table from the results")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_core_options(p)
    p.set_defaults(func=cmd_synth)
