"""Options shared by several commands: the FFT core options (``generate
fft``, ``build``, ``synth``) and the configuration they describe."""

from __future__ import annotations

import argparse

from fftforge.config import (ARCHS, CMULS, DIRECTIONS, FFTConfig, ORDERS, OVERFLOWS, ROUNDINGS, TARGETS,
                             SCALINGS)
from fftforge.hdl.axis import WRAPPERS    # values of ``generate --wrapper`` (plain module, no Amaranth)

__all__ = ["add_fft_options", "fft_config_from_args", "add_core_options", "target_for", "add_wrapper_option",
           "wrapper_from_args", "WRAPPERS"]


def _int_list(text):
    try:
        return tuple(int(t) for t in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None


def add_fft_options(p: argparse.ArgumentParser, name_default: str = "fft"):
    """FFT numerics options, shared by every core kind built on the FFT."""
    g = p.add_argument_group("transform")
    g.add_argument("--n", type=int, default=1024, help="transform size, a power of two in [8, 65536] (default 1024)")
    g.add_argument("--arch", choices=ARCHS, default="r22sdf",
                   help="r22sdf: radix-2^2 SDF, fewest multipliers (default); r2sdf: radix-2 SDF")
    g.add_argument("--direction", choices=DIRECTIONS, default="forward",
                   help="forward, inverse (unnormalised, e^{+j..}) or runtime (an 'inverse' port "
                        "sampled with the first sample of each frame)")
    g.add_argument("--runtime-n", type=int, default=None, metavar="NMIN",
                   help="run-time transform length: --n is NMAX and a 'log2n' input port, sampled with the "
                        "first transfer of each frame, selects N = 2^log2n in [NMIN, NMAX] per frame "
                        "(a power of two >= 8; one lane; not with --scaling bfp)")
    g = p.add_argument_group("numerics")
    g.add_argument("--width", type=int, default=16, help="input width per component, 4..32 (default 16)")
    g.add_argument("--twiddle-width", type=int, default=18, help="twiddle width, 4..32 (default 18)")
    g.add_argument("--scaling", choices=SCALINGS, default="scaled",
                   help="scaled: shift per stage (output ~ DFT/2^scale_log2, width+1 bits); "
                        "unscaled: full growth (width+log2 N+1 bits)")
    g.add_argument("--schedule", type=_int_list, default=None, metavar="S0,S1,...",
                   help="scaled only: right shift (0..2) after each of the log2 N butterfly stages "
                        "(default 1 each: output ~ DFT/N)")
    g.add_argument("--rounding", choices=ROUNDINGS, default="convergent",
                   help="truncate (floor) or convergent (round half to even, default)")
    g.add_argument("--overflow", choices=OVERFLOWS, default="saturate",
                   help="saturate (default) or wrap; the sticky per-frame 'overflow' output flag reports either")
    g = p.add_argument_group("hardware")
    g.add_argument("--order", choices=ORDERS, default="natural",
                   help="output order: natural (adds an N-word reorder buffer, default) or bit_reversed")
    g.add_argument("--lanes", type=int, default=1, metavar="P",
                   help="samples per clock, 1, 2, 4 or 8 (<= n/2; default 1). P > 1 carries P samples "
                        "per transfer in fields re0,im0,re1,im1,... (lane 0 = lowest index); the "
                        "output words are identical to P = 1")
    g.add_argument("--cmul", type=int, choices=CMULS, default=4,
                   help="complex multiplier with 4 or 3 real multipliers (identical results)")
    g.add_argument("--cycles-per-sample", type=int, default=1, metavar="K",
                   help="accept at most one sample every K cycles, 1..16 (default 1: full rate). K >= 2 "
                        "time-shares each complex multiplier over two real multipliers (same output words), "
                        "for small parts such as the iCE40 UP5K; needs --lanes 1, --cmul 4")
    g.add_argument("--target", choices=TARGETS, default=None,
                   help="synthesis target of the Verilog: 'generic' (portable, the default for generate), "
                        "'ecp5' (MULT18X18D/DP16KD instantiated with their own registers, for Fmax; the "
                        "default of 'fftforge synth --family ecp5') or 'ice40' (products wider than 16 bits "
                        "as registered SB_MAC16-sized limb products; the default of 'synth --family ice40'); "
                        "same ports, latency and output words")
    g.add_argument("--drain-after", type=int, default=16,
                   help="idle input cycles at a frame boundary before frames in flight are drained (default 16)")
    p.add_argument("--name", default=name_default, help=f"module and file name (default {name_default})")
    p.add_argument("-o", "--output-dir", default="out", help="output folder (default ./out)")


def fft_config_from_args(args, **overrides) -> FFTConfig:
    """The :class:`FFTConfig` the options of :func:`add_fft_options` describe
    (``overrides``: fields set otherwise)."""
    kw = dict(n=args.n, width=args.width, twiddle_width=args.twiddle_width, arch=args.arch,
              direction=args.direction, scaling=args.scaling, schedule=args.schedule,
              rounding=args.rounding, overflow=args.overflow, order=args.order, cmul=args.cmul,
              drain_after=args.drain_after, lanes=getattr(args, "lanes", 1), name=args.name,
              cycles_per_sample=getattr(args, "cycles_per_sample", 1),
              target=getattr(args, "target", None) or "generic")
    if getattr(args, "runtime_n", None) is not None:
        kw["runtime_n"] = args.runtime_n
    kw.update(overrides)
    return FFTConfig(**kw)


def target_for(args) -> dict:
    """``fftforge synth --family ecp5`` (``ice40``) builds that family's
    target form unless ``--target`` says otherwise."""
    if getattr(args, "target", None) is None and getattr(args, "family", None) in ("ecp5", "ice40"):
        return {"target": args.family}
    return {}


def add_core_options(p):
    """``--core CORE.json`` or the FFT options (``build``, ``synth``)."""
    p.add_argument("--core", metavar="CORE.json",
                   help="core descriptor from 'fftforge generate' (else the core is generated from the "
                        "options below)")
    add_fft_options(p)


def add_wrapper_option(p):
    """``--wrapper axis`` (``fftforge generate``, every kind)."""
    p.add_argument("--wrapper", default=None, metavar="axis",
                   help="also write a wrapper module beside the core: 'axis' (AXI4-Stream: <name>_axis.v with "
                        "aclk/aresetn, s_axis_data_*, m_axis_data_* (flags in tuser); the descriptor gets a "
                        "'wrapper' entry with its ports and tdata/tuser layout)")


def wrapper_from_args(args):
    """The ``--wrapper`` value (None: no wrapper); an unknown one is a
    :class:`~fftforge.errors.UserError` (one line)."""
    w = getattr(args, "wrapper", None)
    if w is not None and w not in WRAPPERS:
        from fftforge.errors import UserError
        raise UserError(f"--wrapper must be one of: {', '.join(WRAPPERS)}; got {w!r}")
    return w
