"""``fftforge generate filter`` and ``fftforge generate fftnet`` (added to
``generate`` by their entries in :data:`fftforge.kinds.KINDS`).  Thin: parse,
build a :class:`~fftforge.filter_config.FilterConfig` / ``FFTNetConfig``,
take its weights from :mod:`fftforge.pyref.weights`, call the kind's RTL
builder, print."""

from __future__ import annotations

import argparse

from fftforge.cli.options import add_wrapper_option, wrapper_from_args
from fftforge.config import ARCHS, CMULS, ROUNDINGS, TARGETS
from fftforge.filter_config import FILTER_SCALINGS

__all__ = ["add_generate_filter", "add_generate_fftnet", "cmd_generate_filter", "cmd_generate_fftnet"]

EPILOG = """\
examples:
  fftforge generate filter --n 256 --design lowpass --cutoff 0.1 -o out/
  fftforge generate filter --n 1024 --channels 8 --weights w.npy --runtime-weights -o out/
  fftforge generate filter --n 256 --mode overlap_save --taps 65 --design bandpass --cutoff 0.05,0.2 -o out/
  fftforge generate filter --n 256 --scaling bfp --design lowpass --cutoff 0.1 -o out/
  fftforge generate fftnet --n 256 --channels 64 --width 16 --weights w.npy --bias b.npy -o out/
  fftforge generate fftnet --n 256 --channels 64 --real-pairs --runtime-weights -o out/
  fftforge generate fftnet --n 256 --channels 64 --lanes 4 --runtime-weights -o out/
  fftforge generate fftnet --n 256 --channels 64 --scaling bfp --bias b.npy -o out/

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
    add_wrapper_option(p)


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
    _scaling_option(g, "ifft(fft(x) * W)")
    p.set_defaults(func=cmd_generate_filter)


def _scaling_option(g, layer: str):
    """``--scaling`` of the filter and FFTNet kinds (``layer``: what the
    scale relation approximates)."""
    g.add_argument("--scaling", choices=FILTER_SCALINGS, default="scaled",
                   help="forward FFT 'scaled' (default: output in input units) or 'bfp' (block floating point: "
                        "the FFT kind's bfp forward FFT, each output word carries its frame's block exponent in "
                        f"the field 'exponent', {layer} ~= output * 2**(exponent - log2 n); one lane, "
                        "no real pairs, targets generic/ecp5)")


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
    _scaling_option(g, "the layer's output (input units)")
    p.set_defaults(func=cmd_generate_fftnet)


def _kw(args):
    return dict(n=args.n, width=args.width, twiddle_width=args.twiddle_width, coef_width=args.coef_width,
                arch=args.arch, rounding=args.rounding, cmul=args.cmul, channels=args.channels,
                weights="runtime" if args.runtime_weights else "rom", real_pairs=args.real_pairs,
                drain_after=args.drain_after, lanes=args.lanes, target=args.target,
                name=args.name)


def cmd_generate_filter(args):
    from fftforge.filter_config import FilterConfig
    from fftforge.hdl.filter import generate
    from fftforge.pyref.weights import filter_weights
    wrapper_from_args(args)
    kw = _kw(args)
    kw.update(mode=args.mode, taps=args.taps, scaling=args.scaling)
    cfg = FilterConfig(**kw)           # validates n, channels, taps, ...
    cfg = filter_weights(cfg, weights=args.weights, design=args.design, cutoff=args.cutoff, fir=args.fir)
    _finish(cfg, generate, args.output_dir, args.wrapper)


def cmd_generate_fftnet(args):
    from fftforge.filter_config import FFTNetConfig
    from fftforge.hdl.filter import generate
    from fftforge.pyref.weights import fftnet_weights
    wrapper_from_args(args)
    kw = _kw(args)
    kw.update(iterations=args.iterations, scaling=args.scaling)
    cfg = fftnet_weights(FFTNetConfig(**kw), weights=args.weights, bias=args.bias)
    _finish(cfg, generate, args.output_dir, args.wrapper)


def _finish(cfg, generate, outdir, wrapper=None):
    from fftforge.hdl.export import add_wrapper
    r = generate(cfg, outdir)
    print(f"wrote {r['verilog']} and {r['json']} in {r['seconds']:.1f} s")
    if wrapper:
        print(f"wrote {add_wrapper(r, wrapper)['wrapper']} ({wrapper} wrapper, descriptor key 'wrapper')")
    print(f"  kind={cfg.kind} n={cfg.n} channels={cfg.channels} weights={cfg.weights} mode={cfg.mode} "
          f"real_pairs={cfg.real_pairs} lanes={cfg.lanes} width={cfg.width}->{cfg.output_width} latency_cycles={cfg.latency_cycles}"
          + (f" scaling=bfp exponent_width={cfg.exponent_width}" if cfg.bfp else ""))
