"""``fftforge build``: a bitstream of a core for an FPGA board, in a
self-checking top (:func:`fftforge.fpga.boards.build_board`)."""

from __future__ import annotations

import argparse
import json
import os

from fftforge.cli.options import add_core_options, fft_config_from_args, target_for
from fftforge.errors import UserError

__all__ = ["add_parser", "cmd_build", "core_source"]

BUILD_EPILOG = """\
examples:
  fftforge build --board icebreaker --n 16 -o out/ice
  fftforge build --board ulx3s-85f --core out/fft1024.json -o out/ulx3s
  fftforge build --list-boards
  fftforge build --board icebreaker --n 16 --io uart -o out/ice-uart
  fftforge run --build out/ice-uart --port /dev/ttyUSB1 --input x.npy --output y.npy
  fftforge build --board icebreaker --n 1024 --io uart -o out/ice1024-uart

On the iCEBreaker (iCE40 UP5K), --width, --twiddle-width, --cycles-per-sample
and --rounding that are not given come from the board's profile for --n (for
N = 1024: 15, 16, 3, truncate; N = 32..256: 15, 16, 2), which fits the part;
the build prints which it chose, and any of them given explicitly wins.

The core runs in a self-checking top: an LFSR feeds it (with valid/ready
stalls), a checksum of its output is compared with the bit-true model's after
--check-frames frames.  LEDs: iCEBreaker green blinks while checking and stays
on when the checksum matched, red = mismatch or overflow; ULX3S led0 alive,
led1 pass, led2 fail, led3 overflow.  Program the board with the command the
report prints (iceprog / openFPGALoader).  With --io uart the core sits
between the board's USB-UART and the host instead: 'fftforge run' streams
frames to it and checks every word (see README "On a board").  Tools: yowasp-* from PyPI unless
YOSYS, NEXTPNR_ICE40, ICEPACK, NEXTPNR_ECP5, ECPPACK point elsewhere.
"""


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
    p.add_argument("--io", choices=("selfcheck", "uart"), default="selfcheck",
                   help="selfcheck (default): LFSR stimulus and checksum on the LEDs; uart: frames to and from "
                        "a host over the board's USB-UART ('fftforge run')")
    p.add_argument("--baud", type=int, default=None,
                   help="--io uart: line rate (default 1000000; within 2 %% of clock/divisor)")
    p.add_argument("--slots", type=int, default=None,
                   help="--io uart: input frame buffers on the board (default 2, 1..4)")
    add_core_options(p)
    # (None: not given -- the board's profile or the usual default; see apply_profile)
    p.set_defaults(func=cmd_build, **{k: None for k in PROFILE_DEFAULTS})


#: the usual defaults of the options a board profile may set (add_fft_options)
PROFILE_DEFAULTS = {"width": 16, "twiddle_width": 18, "cycles_per_sample": 1, "rounding": "convergent"}


def apply_profile(args) -> str | None:
    """Fill the core options of :data:`PROFILE_DEFAULTS` that the user did
    not give: from the board's profile (:func:`fftforge.fpga.boards.board_profile`)
    for ``--n``, else the usual defaults.  Options given explicitly always
    win.  Returns the one line to print when the profile chose any, else
    None."""
    from fftforge.fpga.boards import board_profile
    given = {k for k in PROFILE_DEFAULTS if getattr(args, k) is not None}
    prof = {} if args.core else board_profile(args.board, args.n)
    chosen = {k: v for k, v in prof.items() if k not in given}
    for k, default in PROFILE_DEFAULTS.items():
        if getattr(args, k) is None:
            setattr(args, k, chosen.get(k, default))
    if not chosen:
        return None
    flags = " ".join(f"--{k.replace('_', '-')} {v}" for k, v in chosen.items())
    return (f"{args.board}, n={args.n}: using {flags} (the options measured to fit this board; "
            f"give any of them to override)")


def core_source(args, workdir):
    """The core of ``build``/``synth``: ``--core``'s descriptor and Verilog,
    or a core generated from the FFT options into ``workdir/core``."""
    from fftforge.fpga.core import core_from_config, core_from_descriptor
    if args.core:
        return core_from_descriptor(args.core, os.path.join(workdir, "core"))
    return core_from_config(fft_config_from_args(args, **target_for(args)), os.path.join(workdir, "core"))


def cmd_build(args):
    from fftforge.fpga.boards import build_board, list_boards
    if args.list_boards:
        print("\n".join(list_boards()))
        return 0
    if not args.board:
        raise UserError("--board is required (e.g. icebreaker, ulx3s-85f; see --list-boards)")
    from fftforge.fpga.boards import platform_family, resolve_board
    if platform_family(resolve_board(args.board)) == "ice40":   # (fails fast on a bad board name)
        args.family = "ice40"             # the iCE40 form of the core unless --target says otherwise
    if not 1 <= args.check_frames <= 1024:
        raise UserError(f"--check-frames must be in [1, 1024], got {args.check_frames}")
    if args.io != "uart" and (args.baud is not None or args.slots is not None):
        raise UserError("--baud and --slots apply to --io uart only")
    if args.slots is not None and not 1 <= args.slots <= 4:
        raise UserError(f"--slots must be in [1, 4], got {args.slots}")
    if args.io == "uart" and args.baud is not None:     # fail fast on a baud the clock cannot make
        from fftforge.fpga.uart_top import uart_divisor
        uart_divisor(resolve_board(args.board)().default_clk_frequency, args.baud)
    line = apply_profile(args)
    if line:
        print(line, flush=True)
    out = args.output_dir
    if not args.core:                                     # fit check before generating anything
        from fftforge.fpga.boards import check_fits
        cfg = fft_config_from_args(args)
        check_fits({"name": cfg.name, "n": cfg.n, "arch": cfg.arch, "resources": cfg.resources()}, args.board)
    core = core_source(args, out)
    bdir = os.path.join(out, f"build-{args.board.lower()}")
    print(f"building {core.name} (n={core.desc['n']}, {core.desc.get('arch')}) for {args.board} "
          f"in {bdir} ...", flush=True)
    rep = build_board(core, args.board, bdir, check_frames=args.check_frames, seed=args.seed, io=args.io,
                      baud=args.baud, slots=args.slots)
    d = rep.to_dict()
    print(f"bitstream: {rep.bitstream}")
    spram = (rep.utilization or {}).get("ICESTORM_SPRAM", {}).get("used")
    print(f"  {rep.device} {rep.package}: " + (f"logic cells {rep.logic_cells}" if rep.family == "ice40" else f"LUTs {rep.luts}, FFs {rep.ffs}") + ", "
          f"DSPs {rep.dsps}, BRAMs {rep.bram}" + (f", SPRAM {spram}" if spram is not None else "") + f"; Fmax {rep.fmax_mhz} MHz at a {rep.clock_mhz:g} MHz clock "
          f"({'met' if rep.timing_met else 'NOT met'})")
    if rep.io == "uart":
        u = rep.uart
        print(f"  uart: {u['baud']} baud (divisor {u['divisor']}, {u['baud_error'] * 100:+.2f} %), "
              f"{u['slots']} frame buffers of {u['frame_words']} words")
        port = "/dev/ttyUSB1" if rep.family == "ice40" else "/dev/ttyUSB0"     # FT2232H: 2nd port; FT231X: one
        print(f"  stream: fftforge run --build {bdir} --port {port} --input x.npy --output y.npy")
    else:
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
