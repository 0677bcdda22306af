"""CLI subcommands for cores: ``generate``, ``sim``, ``model``, ``vectors``,
``demo``.  Thin wrappers over :mod:`fftforge.hdl.export`,
:mod:`fftforge.sim.check` and :mod:`fftforge.pyref`."""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

from fftforge.config import (ARCHS, CMULS, DIRECTIONS, FFTConfig, ORDERS, OVERFLOWS, ROUNDINGS, TARGETS,
                     SCALINGS)
from fftforge.errors import UserError
from fftforge.kinds import KINDS

GENERATE_EPILOG = """\
examples:
  fftforge generate fft --n 1024 --width 16 --twiddle-width 18 --arch r22sdf \\
      --direction forward --scaling scaled --rounding convergent \\
      --overflow saturate --order natural --name fft1024 -o out/
  fftforge generate fft --n 4096 --scaling unscaled --order bit_reversed -o out/

Writes <name>.v (Verilog) and <name>.json (the core descriptor: ports,
payload field offsets, widths, scaling, latency_cycles, resources).
"""


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
    kw = dict(n=args.n, width=args.width, twiddle_width=args.twiddle_width, arch=args.arch,
              direction=args.direction, scaling=args.scaling, schedule=args.schedule,
              rounding=args.rounding, overflow=args.overflow, order=args.order, cmul=args.cmul,
              drain_after=args.drain_after, lanes=getattr(args, "lanes", 1), name=args.name,
              target=getattr(args, "target", None) or "generic")
    kw.update(overrides)
    return FFTConfig(**kw)


def cmd_generate_fft(args):
    from fftforge.hdl.export import generate
    cfg = fft_config_from_args(args)
    r = generate(cfg, args.output_dir)
    print(f"wrote {r['verilog']} and {r['json']} in {r['seconds']:.1f} s")
    print(f"  n={cfg.n} arch={cfg.arch} direction={cfg.direction} width={cfg.width}->{cfg.output_width} "
          f"scale_log2={cfg.scale_log2} latency_cycles={cfg.latency_cycles} "
          f"lanes={cfg.lanes} complex multipliers={cfg.complex_multipliers}")


def cmd_sim(args):
    from fftforge.hdl.export import load_core
    from fftforge.sim.check import check_core
    cfg, desc = load_core(args.core, require=("name", "n", "ports", "files", "latency_cycles"))
    for name in ("p_valid", "p_ready"):
        v = getattr(args, name)
        if not 0.05 <= v <= 1.0:
            raise UserError(f"--{name.replace('_', '-')} must be in [0.05, 1], got {v}")
    if args.frames < 1 or args.frames > 100000:
        raise UserError(f"--frames must be in [1, 100000], got {args.frames}")
    print(f"simulating {desc['name']} ({desc['kind']}, n={desc['n']}) on Verilator: "
          f"{args.frames} frames of '{args.input}' input ...", flush=True)
    rep = check_core(args.core, frames=args.frames, kind=args.input, seed=args.seed,
                     p_valid=args.p_valid, p_ready=args.p_ready, stalls=not args.no_stalls,
                     build_dir=args.build_dir)
    print(rep.summary())
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rep.to_dict(), f, indent=2)
    return 0 if rep.ok else 1


def _load_model_input(path, n):
    try:
        x = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise UserError(f"cannot read input array {path}: {e}") from None
    if x.ndim == 1 and x.shape[0] == n:
        x = x[None, :]
    if x.ndim == 3 and x.shape[2] == 2 and x.dtype.kind in "iu":
        re, im = x[..., 0], x[..., 1]
    elif x.ndim == 2 and np.iscomplexobj(x):
        re, im = x.real, x.imag
        if not (np.all(re == np.round(re)) and np.all(im == np.round(im))):
            raise UserError(f"{path}: complex input must hold integer values (the core's input words)")
        re, im = re.astype(np.int64), im.astype(np.int64)
    elif x.ndim == 2 and x.dtype.kind in "iu":
        re, im = x.astype(np.int64), np.zeros(x.shape, dtype=np.int64)
    elif x.ndim == 2 and x.dtype.kind == "f":
        if not np.all(x == np.round(x)):
            raise UserError(f"{path}: real input must hold integer values (the core's input words)")
        re, im = x.astype(np.int64), np.zeros(x.shape, dtype=np.int64)
    else:
        raise UserError(f"{path}: expected a complex or integer array of shape (frames, {n}) "
                        f"or (frames, {n}, 2), got {x.dtype} {x.shape}")
    if re.shape[1] != n:
        raise UserError(f"{path}: frames must have {n} samples, got shape {x.shape}")
    return re, im


def cmd_model(args):
    from fftforge.hdl.export import load_core
    from fftforge.pyref.registry import model_for
    cfg, desc = load_core(args.core, require=("n",))
    re, im = _load_model_input(args.input, desc["n"])
    inverse = None
    if args.inverse:
        try:
            inverse = np.load(args.inverse, allow_pickle=False).astype(bool)
        except (OSError, ValueError, TypeError) as e:
            raise UserError(f"cannot read inverse flags {args.inverse}: {e}") from None
    try:
        y_re, y_im, ovf = model_for(cfg)(re, im, inverse)
    except ValueError as e:
        raise UserError(str(e)) from None
    if args.format == "complex":
        y = np.asarray(y_re, dtype=np.float64) + 1j * np.asarray(y_im, dtype=np.float64)
    else:
        y = np.stack([np.asarray(y_re, dtype=np.int64), np.asarray(y_im, dtype=np.int64)], axis=-1)
    np.save(args.output, y)
    if args.overflow_output:
        np.save(args.overflow_output, ovf)
    print(f"wrote {args.output}: {y.shape[0]} frames x {desc['n']} ({args.format}); "
          f"frames with overflow: {int(ovf[:, -1].sum())}")


def cmd_vectors(args):
    from fftforge.hdl.export import load_core
    from fftforge.pyref import lanes
    from fftforge.pyref.stimulus import make_stimulus
    from fftforge.sim.payload import pack
    cfg, desc = load_core(args.core, require=("name", "n", "input_width", "ports"))
    if args.frames < 1 or args.frames > 10000:
        raise UserError(f"--frames must be in [1, 10000], got {args.frames}")
    rng = np.random.default_rng(args.seed)
    # overlap-save filters take a continuous stream: hop new samples per frame
    # in, the kept outputs out (lanes.frame_samples and lanes.model_stream)
    re, im = make_stimulus(args.input, args.frames, lanes.frame_samples(cfg), desc["input_width"], rng)
    inverse = rng.random(args.frames) < 0.5 if desc.get("direction") == "runtime" else None
    y_re, y_im, ovf = lanes.model_stream(cfg, re, im, inverse)
    os.makedirs(args.output_dir, exist_ok=True)
    base = os.path.join(args.output_dir, desc["name"])
    np.save(base + "_input.npy", re + 1j * im)
    np.save(base + "_expected.npy", np.asarray(y_re, dtype=np.float64) + 1j * np.asarray(y_im, dtype=np.float64))
    np.save(base + "_overflow.npy", ovf)
    if inverse is not None:
        np.save(base + "_inverse.npy", inverse)
    ports = desc["ports"]
    # one stream word per transfer of P samples (lane 0 = lowest index)
    in_vals = lanes.input_words(cfg, re, im)
    out_vals = lanes.output_words(cfg, y_re, y_im, ovf)
    total = out_vals["last"].size
    in_words = pack(ports["input"]["fields"], in_vals, total)
    out_words = pack(ports["output"]["fields"], out_vals, total)
    for suffix, words, width in (("_input.hex", in_words, ports["input"]["width"]),
                                 ("_expected.hex", out_words, ports["output"]["width"])):
        digits = -(-width // 4)
        with open(base + suffix, "w") as f:
            f.write("".join(f"{w:0{digits}x}\n" for w in words))
    print(f"wrote {base}_input.npy/.hex, {base}_expected.npy/.hex, {base}_overflow.npy "
          f"({args.frames} frames of '{args.input}'; hex words are $readmemh payloads)")


def cmd_demo(args):
    from fftforge.hdl.export import generate
    from fftforge.sim.check import check_core
    out = args.output_dir
    cfg = FFTConfig(n=1024, width=16, twiddle_width=18, arch="r22sdf", name="fft1024")
    print("== fftforge demo: a 1024-point radix-2^2 SDF FFT, 16-bit in, 18-bit twiddles")
    r = generate(cfg, out)
    print(f"generated {r['verilog']} + {r['json']} in {r['seconds']:.1f} s "
          f"({cfg.complex_multipliers} complex multipliers, {cfg.feedback_words} feedback words)")
    print("simulating on Verilator against the bit-true model (random input, then random stalls) ...",
          flush=True)
    rep = check_core(r["json"], frames=args.frames, kind="random", seed=1)
    print(rep.summary())
    ok = rep.ok
    for kind in KINDS.values():          # the other kinds' demo parts (fftforge.kinds)
        demo = kind.demo()
        if demo is not None:
            ok = demo(out) and ok
    return 0 if ok else 1


def add_generate_fft(gsub, kind):
    """Add ``fftforge generate fft`` (``kind``: its :class:`fftforge.kinds.CoreKind`)."""
    pf = gsub.add_parser(kind.name, help=kind.description,
                         description="Streaming fixed-point FFT/iFFT core, 1 (or --lanes P) samples per clock.",
                         formatter_class=argparse.RawDescriptionHelpFormatter, epilog=GENERATE_EPILOG)
    add_fft_options(pf)
    pf.set_defaults(func=cmd_generate_fft)


def add_parser(sub):
    p = sub.add_parser("generate", help="generate a core (Verilog + descriptor JSON)",
                       description="Generate a core: Verilog plus its descriptor JSON.",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=GENERATE_EPILOG)
    gsub = p.add_subparsers(dest="kind", metavar="KIND")
    for kind in KINDS.values():          # one 'generate <kind>' per core kind (fftforge.kinds)
        kind.cli()(gsub, kind)
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])

    p = sub.add_parser("sim", help="simulate a generated core on Verilator with cocotb",
                       description="Build the core with Verilator and run the cocotb bench: every output "
                                   "word against the bit-true model, with and without random valid/ready "
                                   "stalls; prints bit-exactness, SQNR vs NumPy, latency and throughput. "
                                   "Exit status 1 if any check fails.",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="example:\n  fftforge sim --core out/fft1024.json --frames 20")
    p.add_argument("--core", required=True, help="core descriptor JSON written by 'fftforge generate'")
    p.add_argument("--frames", type=int, default=20, help="frames per run (default 20)")
    p.add_argument("--input", default="random", choices=("impulse", "dc", "tone", "square", "random"),
                   help="stimulus (default random)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--p-valid", type=float, default=0.7, help="P(valid high) in the stall run (default 0.7)")
    p.add_argument("--p-ready", type=float, default=0.7, help="P(ready high) in the stall run (default 0.7)")
    p.add_argument("--no-stalls", action="store_true", help="skip the random-stall run")
    p.add_argument("--build-dir", default=None, help="Verilator build folder (default build/sim/<name>)")
    p.add_argument("--json", default=None, help="also write the report as JSON")
    p.set_defaults(func=cmd_sim)

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
    p.add_argument("--format", choices=("complex", "int"), default="complex",
                   help="complex128 (frames, N) (exact to 53 bits) or int64 (frames, N, 2)")
    p.add_argument("--overflow-output", default=None, help="also save the sticky overflow flags (.npy)")
    p.set_defaults(func=cmd_model)

    p = sub.add_parser("vectors", help="write golden input/expected-output vectors for a core",
                       description="Write golden vectors: <name>_input/_expected as .npy and as "
                                   "$readmemh .hex files of packed payload words (per the descriptor). "
                                   "Overlap-save filters: one continuous stream of frames x hop samples, "
                                   "expected = the kept outputs (hop per frame).",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="example:\n  fftforge vectors --core out/fft1024.json --frames 4 -o vectors/")
    p.add_argument("--core", required=True, help="core descriptor JSON")
    p.add_argument("--frames", type=int, default=4)
    p.add_argument("--input", default="random", choices=("impulse", "dc", "tone", "square", "random"))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("-o", "--output-dir", default="vectors")
    p.set_defaults(func=cmd_vectors)

    p = sub.add_parser("demo", help="generate a 1024-point FFT core and verify it in simulation",
                       description="The quick start: generate a core, simulate it on Verilator against the "
                                   "bit-true model, print SQNR and latency.")
    p.add_argument("-o", "--output-dir", default=os.path.join("out", "demo"))
    p.add_argument("--frames", type=int, default=8)
    p.set_defaults(func=cmd_demo)
