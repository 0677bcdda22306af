"""``fftforge vectors``: golden input/expected-output vectors of a core
(:func:`fftforge.sim.vectors.write_vectors`)."""

from __future__ import annotations

import argparse

from fftforge.errors import UserError
from fftforge.pyref.stimulus import KINDS as STIMULI

__all__ = ["add_parser", "cmd_vectors"]


def add_parser(sub):
    p = sub.add_parser("vectors", help="write golden input/expected-output vectors for a core",
                       description="Write golden vectors: <name>_input/_expected as .npy and as "
                                   "$readmemh .hex files of packed payload words (per the descriptor). "
                                   "Overlap-save filters: one continuous stream of frames x hop samples, "
                                   "expected = the kept outputs (hop per frame).",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="example:\n  fftforge vectors --core out/fft1024.json --frames 4 -o vectors/")
    p.add_argument("--core", required=True, help="core descriptor JSON")
    p.add_argument("--frames", type=int, default=4)
    p.add_argument("--input", default="random", choices=STIMULI)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("-o", "--output-dir", default="vectors")
    p.set_defaults(func=cmd_vectors)


def cmd_vectors(args):
    from fftforge.hdl.export import load_core
    from fftforge.sim.vectors import write_vectors
    cfg, desc = load_core(args.core, require=("name", "n", "input_width", "ports"))
    if args.frames < 1 or args.frames > 10000:
        raise UserError(f"--frames must be in [1, 10000], got {args.frames}")
    base = write_vectors(cfg, desc, args.output_dir, args.frames, args.input, args.seed)
    sizes = f", {base}_log2n.npy (per-frame sizes)" if "size" in desc["ports"] else ""
    print(f"wrote {base}_input.npy/.hex, {base}_expected.npy/.hex, {base}_overflow.npy{sizes} "
          f"({args.frames} frames of '{args.input}'; hex words are $readmemh payloads)")
