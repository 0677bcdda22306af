"""``fftforge demo``: the quick start -- generate a 1024-point FFT core,
simulate it on Verilator against the bit-true model, print SQNR and latency;
then each other kind's demo part (``demo_ref`` in :data:`fftforge.kinds.KINDS`:
:func:`fftnet_demo`)."""

from __future__ import annotations

import os

import numpy as np

from fftforge.config import FFTConfig
from fftforge.kinds import KINDS

__all__ = ["add_parser", "cmd_demo", "fftnet_demo"]


def add_parser(sub):
    p = sub.add_parser("demo", help="generate a 1024-point FFT core and verify it in simulation",
                       description="The quick start: generate a core, simulate it on Verilator against the "
                                   "bit-true model, print SQNR and latency.")
    p.add_argument("-o", "--output-dir", default=os.path.join("out", "demo"))
    p.add_argument("--frames", type=int, default=8)
    p.set_defaults(func=cmd_demo)


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


def fftnet_demo(outdir) -> bool:
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
