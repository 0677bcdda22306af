"""``fftforge generate filter`` and ``fftforge generate fftnet`` (hooked into
``generate`` by their entries in :data:`fftforge.kinds.KINDS`), and the
FFTNet part of ``fftforge demo``.  Thin: parse, load the .npy files, build a
:class:`~fftforge.filter_config.FilterConfig` / ``FFTNetConfig``, call
:func:`fftforge.hdl.filter.generate`, print."""

from __future__ import annotations

import argparse

import numpy as np

from fftforge.config import ARCHS, CMULS, ROUNDINGS, TARGETS
from fftforge.errors import UserError

EPILOG = """\
examples:
  fftforge generate filter --n 256 --design lowpass --cutoff 0.1 -o out/
  fftforge generate filter --n 1024 --channels 8 --weights w.npy --runtime-weights -o out/
  fftforge generate filter --n 256 --mode overlap_save --taps 65 --design bandpass --cutoff 0.05,0.2 -o out/
  fftforge generate fftnet --n 256 --channels 64 --width 16 --weights w.npy --bias b.npy -o out/
  fftforge generate fftnet --n 256 --channels 64 --real-pairs --runtime-weights -o out/
  fftforge generate fftnet --n 256 --channels 64 --lanes 4 --runtime-weights -o out/

weights .npy: complex (channels, n) or (n,) with |W| <= 1, or integer
(channels, n, 2) words of coef_width bits.  bias .npy: (channels,) numbers in
input-LSB units (rounded).  fir .npy (overlap-save): 1-D taps, length <= n/2.
"""


def _cutoff(text):
    try:
        vals = tuple(float(t) for t in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or LO,HI, got {text!r}") from None
    if len(vals) not in (1, 2):
        raise argparse.ArgumentTypeError(f"expected a number or LO,HI, got {text!r}")
    return vals[0] if len(vals) == 1 else vals


def _common(p, name_default):
    g = p.add_argument_group("pipeline")
    g.add_argument("--n", type=int, default=256, help="frame size, a power of two in [8, 65536] (default 256)")
    g.add_argument("--channels", type=int, default=1, help="D in [1, 4096]: frame f uses channel f mod D (default 1)")
    g.add_argument("--width", type=int, default=16, help="input width per component, 4..24 (default 16)")
    g.add_argument("--coef-width", type=int, default=16, help="weight width per component, 4..27 (default 16)")
    g.add_argument("--twiddle-width", type=int, default=18, help="FFT twiddle width, 4..32 (default 18)")
    g.add_argument("--arch", choices=ARCHS, default="r22sdf", help="FFT architecture (default r22sdf)")
    g.add_argument("--rounding", choices=ROUNDINGS, default="convergent", help="rounding everywhere (default convergent)")
    g.add_argument("--cmul", type=int, choices=CMULS, default=4, help="complex multiplier form (same results)")
    g.add_argument("--drain-after", type=int, default=16, help="idle cycles before frames in flight drain (default 16)")
    g.add_argument("--target", choices=TARGETS, default="generic",
                   help="synthesis target of the Verilog: 'generic' (portable, default), 'ecp5' "
                        "(MULT18X18D/DP16KD instantiated with their own registers, for Fmax; simulate with the "
                        "primitive models the descriptor lists) or 'ice40' (SB_MAC16-sized limb products); "
                        "same ports, latency and output words")
    g.add_argument("--lanes", type=int, default=1, metavar="P",
                   help="samples per clock, P in {1, 2, 4, 8}, P <= n/2 (default 1; overlap_save: taps - 1 "
                        "must be a multiple of P)")
    g = p.add_argument_group("weights")
    g.add_argument("--weights", default=None, metavar="FILE.npy", help="initial weights (see below)")
    g.add_argument("--runtime-weights", action="store_true",
                   help="weight memory with a write port 'w' (addr, re, im) instead of a ROM")
    g.add_argument("--real-pairs", action="store_true",
                   help="real-input pairing: re and im of each input sample are two real channels "
                        "(2f and 2f+1 mod D), filtered from one complex FFT/iFFT; output re/im = their real outputs")
    p.add_argument("--name", default=name_default, help=f"module and file name (default {name_default})")
    p.add_argument("-o", "--output-dir", default="out", help="output folder (default ./out)")


def add_generate_filter(gsub, kind):
    """Add ``fftforge generate filter`` (``kind``: its :class:`fftforge.kinds.CoreKind`)."""
    p = gsub.add_parser(kind.name, help=kind.description,
                        description="Streaming spectral filter (fast convolution), 1 (or --lanes P) samples per clock.",
                        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    _common(p, "filt")
    g = p.add_argument_group("filter")
    g.add_argument("--design", choices=("lowpass", "bandpass", "hilbert"), default=None,
                   help="named design instead of --weights")
    g.add_argument("--cutoff", type=_cutoff, default=None, metavar="F|LO,HI",
                   help="cutoff in cycles/sample (0..0.5); bandpass: LO,HI")
    g.add_argument("--mode", choices=("circular", "overlap_save"), default="circular",
                   help="circular per frame (default) or overlap-save framing of a continuous stream")
    g.add_argument("--taps", type=int, default=0, help="overlap-save FIR length M, 2..n/2")
    g.add_argument("--fir", default=None, metavar="FILE.npy", help="overlap-save: FIR taps (length <= n/2)")
    p.set_defaults(func=cmd_generate_filter)


def add_generate_fftnet(gsub, kind):
    """Add ``fftforge generate fftnet`` (``kind``: its :class:`fftforge.kinds.CoreKind`)."""
    p = gsub.add_parser(kind.name, help=kind.description,
                        description="FFTNet layer (arXiv 2502.18394) per channel: "
                                    "y = Re(iFFT(modReLU(FFT(x) * W_c, b_c))), 1 real token per clock.",
                        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    _common(p, "fftnet")
    g = p.add_argument_group("fftnet")
    g.add_argument("--bias", default=None, metavar="FILE.npy", help="per-channel modReLU bias, (channels,)")
    g.add_argument("--iterations", type=int, default=None, help="CORDIC iterations (default width + 3)")
    p.set_defaults(func=cmd_generate_fftnet)


def _load(path, what):
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise UserError(f"cannot read {what} file {path}: {e}") from None


def load_weights(path, n, channels, coef_width):
    """Weights .npy -> integer (re, im) arrays (channels, n)."""
    from fftforge.pyref.filter import quantise_weights
    w = _load(path, "weights")
    if w.dtype.kind in "iu" and w.ndim in (2, 3) and w.shape[-1] == 2:
        if w.ndim == 2:
            w = w[None]
        if w.shape != (channels, n, 2):
            raise UserError(f"{path}: integer weights must have shape ({channels}, {n}, 2), got {w.shape}")
        return w[..., 0].astype(np.int64), w[..., 1].astype(np.int64)
    if w.dtype.kind not in "fc" and w.dtype.kind not in "iu":
        raise UserError(f"{path}: weights must be complex or real numbers, got dtype {w.dtype}")
    if w.ndim == 1:
        w = w[None]
    if w.shape != (channels, n):
        raise UserError(f"{path}: weights must have shape ({channels}, {n}) (or ({n},) for one channel), "
                        f"got {w.shape}")
    w = w.astype(np.complex128)
    if not np.all(np.isfinite(w)):
        raise UserError(f"{path}: weights must be finite")
    mag = float(np.max(np.abs(w)))
    if mag > 1 + 1e-9:
        raise UserError(f"{path}: weights must have |W| <= 1, max |W| = {mag:.4f}")
    return quantise_weights(w, coef_width)


def load_bias(path, channels, width):
    b = _load(path, "bias")
    if b.dtype.kind not in "fiu":
        raise UserError(f"{path}: bias must be real numbers, got dtype {b.dtype}")
    b = b.reshape(-1) if b.ndim == 2 and 1 in b.shape else b
    if b.shape != (channels,):
        raise UserError(f"{path}: bias must have shape ({channels},), got {b.shape}")
    lim = (1 << width) - 1
    if not np.all(np.isfinite(b)) or np.max(np.abs(b)) > lim:
        raise UserError(f"{path}: bias must be within +-{lim} (input LSB units)")
    return tuple(int(v) for v in np.round(b))


def _kw(args):
    return dict(n=args.n, width=args.width, twiddle_width=args.twiddle_width, coef_width=args.coef_width,
                arch=args.arch, rounding=args.rounding, cmul=args.cmul, channels=args.channels,
                weights="runtime" if args.runtime_weights else "rom", real_pairs=args.real_pairs,
                drain_after=args.drain_after, lanes=args.lanes, target=args.target,
                name=args.name)


def _weights_kw(args, cfg):
    if args.weights is None:
        return {}
    re, im = load_weights(args.weights, cfg.n, cfg.channels, cfg.coef_width)
    return {"weights_re": re.reshape(-1), "weights_im": im.reshape(-1)}


def cmd_generate_filter(args):
    from fftforge.filter_config import FilterConfig
    from fftforge.hdl.filter import generate
    from fftforge.pyref.filter import design_weights, quantise_weights
    kw = _kw(args)
    kw.update(mode=args.mode, taps=args.taps)
    cfg = FilterConfig(**kw)           # validates n, channels, taps, ...
    sources = [s for s in (args.weights, args.design, args.fir) if s is not None]
    if len(sources) > 1:
        raise UserError("give at most one of --weights, --design, --fir")
    if args.fir is not None:
        if cfg.mode != "overlap_save":
            raise UserError("--fir needs --mode overlap_save (use --weights for a circular filter)")
        h = _load(args.fir, "fir")
        if h.ndim != 1 or h.dtype.kind not in "fciu":
            raise UserError(f"{args.fir}: the FIR must be a 1-D array of numbers, got {h.dtype} {h.shape}")
        if len(h) > cfg.taps:
            raise UserError(f"{args.fir}: FIR has {len(h)} taps, more than --taps {cfg.taps} "
                            f"(overlap-save limit: n/2 = {cfg.n // 2})")
        w = np.fft.fft(h.astype(np.complex128), cfg.n)
        if np.max(np.abs(w)) > 1 + 1e-9:
            raise UserError(f"{args.fir}: the FIR's gain max|H| = {np.max(np.abs(w)):.4f} exceeds 1; scale it down")
        re, im = quantise_weights(w, cfg.coef_width)
        cfg = cfg.replace(weights_re=re, weights_im=im)
    elif args.design is not None:
        if args.design in ("lowpass", "bandpass"):
            want = 2 if args.design == "bandpass" else 1
            got = 0 if args.cutoff is None else (2 if isinstance(args.cutoff, tuple) else 1)
            if got != want:
                raise UserError(f"--design {args.design} needs --cutoff "
                                f"{'LO,HI' if want == 2 else 'F'} (cycles/sample, 0 < f < 0.5)")
            vals = args.cutoff if isinstance(args.cutoff, tuple) else (args.cutoff,)
            if not all(0 < v < 0.5 for v in vals) or (want == 2 and vals[0] >= vals[1]):
                raise UserError(f"--cutoff must be in (0, 0.5) (LO < HI for bandpass), got {args.cutoff}")
        taps = cfg.taps if cfg.mode == "overlap_save" else 0
        (re, im), _ = design_weights(args.design, cfg.n, cfg.coef_width, cutoff=args.cutoff, taps=taps)
        cfg = cfg.replace(weights_re=np.tile(re, cfg.channels), weights_im=np.tile(im, cfg.channels))
    else:
        if cfg.mode == "overlap_save":
            raise UserError("overlap_save needs --fir or --design (a FIR of at most --taps taps)")
        cfg = cfg.replace(**_weights_kw(args, cfg))
    _finish(cfg, generate, args.output_dir)


def cmd_generate_fftnet(args):
    from fftforge.filter_config import FFTNetConfig
    from fftforge.hdl.filter import generate
    kw = _kw(args)
    kw["iterations"] = args.iterations
    cfg = FFTNetConfig(**kw)
    extra = _weights_kw(args, cfg)
    if args.bias is not None:
        extra["bias"] = load_bias(args.bias, cfg.channels, cfg.width)
    _finish(cfg.replace(**extra), generate, args.output_dir)


def _finish(cfg, generate, outdir):
    r = generate(cfg, outdir)
    print(f"wrote {r['verilog']} and {r['json']} in {r['seconds']:.1f} s")
    print(f"  kind={cfg.kind} n={cfg.n} channels={cfg.channels} weights={cfg.weights} mode={cfg.mode} "
          f"real_pairs={cfg.real_pairs} lanes={cfg.lanes} width={cfg.width}->{cfg.output_width} latency_cycles={cfg.latency_cycles}")



def demo(outdir) -> bool:
    """``fftforge demo`` part: an FFTNet layer (N=64, D=3, runtime weights,
    random weights and biases spanning the modReLU dead zone), simulated on
    Verilator against the bit-true model with weight rewrites under stalls."""
    from fftforge.filter_config import FFTNetConfig
    from fftforge.hdl.filter import generate
    from fftforge.sim.check import check_core
    from fftforge.sim.check_filter import random_bias, random_weights
    rng = np.random.default_rng(7)
    cfg = FFTNetConfig(n=64, channels=3, width=16, weights="runtime", name="fftnet64")
    re, im = random_weights(cfg, rng)
    cfg = cfg.replace(weights_re=re.reshape(-1), weights_im=im.reshape(-1), bias=tuple(random_bias(cfg, rng)))
    print("== FFTNet layer: y = Re(iFFT(modReLU(FFT(x) * W_c, b_c))), n=64, 3 channels, runtime weights")
    r = generate(cfg, outdir)
    print(f"generated {r['verilog']} + {r['json']} in {r['seconds']:.1f} s (latency {cfg.latency_cycles} cycles)")
    print("simulating on Verilator: bit-true model, random stalls, weight/bias rewrites during frames ...",
          flush=True)
    rep = check_core(r["json"], frames=8, kind="random", seed=1, writes=40)
    print(rep.summary())
    return rep.ok
