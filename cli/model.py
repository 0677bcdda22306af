"""``fftforge model``: the bit-true model of a core on a ``.npy`` of frames
(:mod:`fftforge.pyref.arrays`)."""

from __future__ import annotations

import argparse

import numpy as np

__all__ = ["add_parser", "cmd_model"]


def add_parser(sub):
    p = sub.add_parser("model", help="run the bit-true model of a core on an input array",
                       description="Run the bit-true fixed-point model of a core.  Input: .npy of shape "
                                   "(frames, N), complex (integer-valued) or integer (real input), or "
                                   "integer (frames, N, 2).  Output: the core's output words.",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="example:\n  fftforge model --core out/fft1024.json --input x.npy --output y.npy")
    p.add_argument("--core", required=True, help="core descriptor JSON")
    p.add_argument("--input", required=True, help="input .npy")
    p.add_argument("--output", required=True, help="output .npy")
    p.add_argument("--inverse", default=None, help="runtime cores: .npy of per-frame inverse flags")
    p.add_argument("--log2n", default=None,
                   help="run-time-length cores (generate --runtime-n): .npy of per-frame log2 sizes (integers, "
                        "shape (frames,), clamped to the core's range like its log2n port); frame f uses its "
                        "first 2**log2n[f] samples, its output is zero beyond them")
    p.add_argument("--format", choices=("complex", "int"), default="complex",
                   help="complex128 (frames, N) (exact to 53 bits) or int64 (frames, N, 2)")
    p.add_argument("--overflow-output", default=None, help="also save the sticky overflow flags (.npy)")
    p.add_argument("--exponent-output", default=None,
                   help="block-floating-point cores (scaling bfp): also save the per-frame block exponents "
                        "(.npy, int64, shape (frames,)); fft: DFT(x) ~= output * 2**exponent, filter: "
                        "ifft(fft(x) W) ~= output * 2**(exponent - log2 n), fftnet: the layer's output ~= "
                        "output * 2**(exponent - log2 n) (the descriptor's scale_relation)")
    p.set_defaults(func=cmd_model)


def cmd_model(args):
    from fftforge.hdl.export import load_core
    from fftforge.pyref.arrays import load_inverse_flags, load_model_input, model_output, run_model
    from fftforge.errors import UserError
    cfg, desc = load_core(args.core, require=("n",))
    if args.exponent_output and "exponent" not in desc.get("ports", {}).get("output", {}).get("fields", {}):
        raise UserError(f"--exponent-output: core {desc.get('name')} has no block exponent "
                        f"(only scaling bfp cores have one)")
    re, im = load_model_input(args.input, desc["n"])
    inverse = load_inverse_flags(args.inverse) if args.inverse else None
    if args.log2n and "size" not in desc.get("ports", {}):
        raise UserError(f"--log2n: core {desc.get('name')} has a fixed size (only cores generated with "
                        f"--runtime-n take per-frame sizes)")
    if args.log2n:
        from fftforge.pyref.arrays import load_log2n
        y_re, y_im, ovf, *exponent = run_model(cfg, re, im, inverse, load_log2n(args.log2n, re.shape[0]))
    else:
        y_re, y_im, ovf, *exponent = run_model(cfg, re, im, inverse)
    y = model_output(y_re, y_im, args.format)
    np.save(args.output, y)
    if args.overflow_output:
        np.save(args.overflow_output, ovf)
    if args.exponent_output:
        np.save(args.exponent_output, np.asarray(exponent[0], dtype=np.int64))
    print(f"wrote {args.output}: {y.shape[0]} frames x {desc['n']} ({args.format}); "
          f"frames with overflow: {int(ovf[:, -1].sum())}")
