"""Block-floating-point spectral filter (and FFTNet layer) vs the scaled
(default) one: SQNR by input level, measured with the bit-true model the RTL matches, beside the
analytic noise model, at N = 256, 16-bit input, 16-bit weights, 18-bit
twiddles (r22sdf, convergent).

Two cores, ``FilterConfig(n=256, scaling=S)`` for S = ``scaled`` (the
forward FFT scaled, output in input units, 26 bits) and ``bfp`` (the FFT
kind's bfp forward FFT, multiply and unscaled inverse on the mantissas:
28-bit output plus a 3-bit block exponent), with the same weights, run
through :class:`fftforge.pyref.filter.FilterModel` (what ``fftforge model``
runs; for ``bfp`` it also returns the per-frame exponent).  Two weight sets:
``random`` (uniform over the unit disc, :func:`fftforge.sim.check_filter.random_weights`,
seed 1) and ``lowpass`` (the named design, cutoff 0.1 cycles/sample: 52 of
256 bins pass).

Stimuli: complex Gaussian frames, sigma per component = FS/4, FS/16, FS/64,
FS/256, FS/1024 (FS = 2**15; :func:`fftforge.pyref.bfp.gaussian_frames`,
rounded and clipped to 16 bits), ``--frames`` frames per level.

SQNR (dB) against the float filter of the quantised input
(:func:`fftforge.pyref.filter.filter_float`: ``ifft(fft(x) * W)``): the
scaled core's output as it is, the bfp core's ``output * 2**(exponent -
log2 n)``.  In brackets the noise model with no margin:
:func:`fftforge.pyref.filter.filter_noise_power` (scaled) and
:func:`fftforge.pyref.filter.bfp_filter_noise_power` (bfp, each frame's own
shifts).  Also the range of the block exponents per level.

Checks: the bfp filter within 3 dB of (and not below) its noise model, and
at least 15 dB above the scaled filter at every level, no overflow
anywhere; a missed check is printed as MISSED and the exit status is 1.

FFTNet layer (second table): ``FFTNetConfig(n=256, channels=4, scaling=S)``,
the same random weights per channel (seed 1), biases ``(0, -1, 1/2, 1)``
times the spectrum's rms at each level (``sigma sqrt(1/(2 n))``: zero,
negative, positive), real Gaussian frames of sigma FS/4 .. FS/1024, through
:class:`fftforge.pyref.fftnet.FFTNetModel`; SQNR against the float layer
(:func:`fftforge.pyref.fftnet.fftnet_float`), bfp: ``output * 2**(exponent
- log2 n)``; in brackets the noise model with no margin
(:func:`fftforge.pyref.fftnet.fftnet_noise_power`,
:func:`fftforge.pyref.fftnet.bfp_fftnet_noise_power`).  Checks: bfp not
below its model less 1 dB, at least 15 dB above scaled, no overflow.

Usage::

    nice -n 10 .venv/bin/python benchmarks/bench_filter_bfp.py [--frames 512] [--json out.json]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from fftforge.filter_config import FilterConfig  # noqa: E402
from fftforge.pyref.bfp import gaussian_frames  # noqa: E402
from fftforge.pyref.filter import (FilterModel, bfp_filter_noise_power, design_weights, filter_float,  # noqa: E402
                                   filter_noise_power, sqnr_db)
from fftforge.sim.check_filter import random_weights  # noqa: E402
from fftforge.filter_config import FFTNetConfig  # noqa: E402
from fftforge.pyref.fftnet import (FFTNetModel, bfp_fftnet_noise_power, fftnet_float,  # noqa: E402
                                   fftnet_noise_power)
from fftforge.pyref.filter import frame_weights  # noqa: E402

N, WIDTH = 256, 16
LEVELS = (4, 16, 64, 256, 1024)


def configs(weights: str) -> dict:
    base = FilterConfig(n=N, width=WIDTH)
    if weights == "random":
        wr, wi = random_weights(base, np.random.default_rng(1))
    else:
        (wr, wi), _ = design_weights("lowpass", N, base.coef_width, cutoff=0.1)
    base = base.replace(weights_re=np.ravel(wr), weights_im=np.ravel(wi))
    return {"scaled": base, "bfp": base.replace(scaling="bfp")}


def measure(cfg: FilterConfig, re, im) -> dict:
    out = FilterModel(cfg)(re, im)
    w = np.broadcast_to(cfg.weights_float()[0], re.shape)
    ref = filter_float(cfg, re + 1j * im, w)
    y = out[0] + 1j * out[1].astype(np.float64)
    p_sig = float(np.sum(np.abs(ref) ** 2))
    exp = None
    if cfg.bfp:                       # ifft(fft(x) W) ~= output * 2**(exponent - log2 n)
        exp = out[3]
        y = y * 2.0 ** (exp[:, None].astype(np.float64) - cfg.log2n)
        nz = float(np.sum(bfp_filter_noise_power(cfg, re, im, w))) * N
    else:
        nz = filter_noise_power(cfg, float(np.mean(np.abs(re + 1j * im) ** 2)), w) * re.size
    return {"measured_db": sqnr_db(ref, y), "model_db": float(10 * np.log10(p_sig / nz)),
            "overflow": bool(np.asarray(out[2]).any()),
            "exponent": None if exp is None else [int(exp.min()), int(exp.max())]}


FFTNET_BIAS = (0, -1, 0.5, 1)      # x the spectrum's rms at the level


def fftnet_configs(div: int) -> dict:
    """The two FFTNet layers at level FS/div (biases relative to it)."""
    base = FFTNetConfig(n=N, width=WIDTH, channels=len(FFTNET_BIAS))
    wr, wi = random_weights(base, np.random.default_rng(1))
    rms = 2.0 ** (WIDTH - 1) / div * np.sqrt(0.5 / N)
    bias = tuple(int(round(m * rms)) for m in FFTNET_BIAS)
    base = base.replace(weights_re=np.ravel(wr), weights_im=np.ravel(wi), bias=bias)
    return {"scaled": base, "bfp": base.replace(scaling="bfp")}


def measure_fftnet(cfg: FFTNetConfig, re) -> dict:
    out = FFTNetModel(cfg)(re, np.zeros_like(re))
    w_re, w_im, fb = frame_weights(cfg, re.shape[0])
    w = cfg.weights_float(w_re, w_im)
    ref = fftnet_float(re, w, fb)
    y = out[0].astype(np.float64)
    p_sig = float(np.sum(ref ** 2))
    exp = None
    if cfg.bfp:                       # layer ~= output * 2**(exponent - log2 n)
        exp = out[3]
        y = y * 2.0 ** (exp[:, None].astype(np.float64) - cfg.log2n)
        nz = float(np.sum(bfp_fftnet_noise_power(cfg, re, w, fb))) * N
    else:
        yf = np.fft.fft(re, axis=1, norm="forward") * w
        nz = fftnet_noise_power(cfg, float(np.mean(re.astype(float) ** 2)), yf, fb) * re.size
    return {"measured_db": sqnr_db(ref, y), "model_db": float(10 * np.log10(p_sig / nz)),
            "overflow": bool(np.asarray(out[2]).any()),
            "exponent": None if exp is None else [int(exp.min()), int(exp.max())]}


def git(*args) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--frames", type=int, default=512, help="frames per level (default 512)")
    ap.add_argument("--json", help="write the results, the command, machine, date and commit here")
    args = ap.parse_args(argv)
    t0 = time.time()
    res, missed = {}, []
    for weights in ("random", "lowpass"):
        cfgs = configs(weights)
        for div in LEVELS:
            re, im = gaussian_frames(N, WIDTH, 2.0 ** (WIDTH - 1) / div, args.frames, np.random.default_rng(div))
            row = {name: measure(cfg, re, im) for name, cfg in cfgs.items()}
            res[f"{weights} FS/{div}"] = row
            b, s = row["bfp"], row["scaled"]
            if not (b["model_db"] - 0.5 <= b["measured_db"] < b["model_db"] + 3):
                missed.append(f"{weights} FS/{div}: bfp {b['measured_db']:.1f} dB vs model {b['model_db']:.1f} dB")
            if not b["measured_db"] > s["measured_db"] + 15:
                missed.append(f"{weights} FS/{div}: bfp {b['measured_db']:.1f} dB not 15 dB above scaled")
            if b["overflow"] or s["overflow"]:
                missed.append(f"{weights} FS/{div}: overflow")
    net = {}
    for div in LEVELS:
        re, _ = gaussian_frames(N, WIDTH, 2.0 ** (WIDTH - 1) / div, args.frames, np.random.default_rng(div))
        row = {name: measure_fftnet(cfg, re) for name, cfg in fftnet_configs(div).items()}
        net[f"FS/{div}"] = row
        b, s = row["bfp"], row["scaled"]
        if not b["measured_db"] >= b["model_db"] - 1:
            missed.append(f"fftnet FS/{div}: bfp {b['measured_db']:.1f} dB below model {b['model_db']:.1f} dB")
        if not b["measured_db"] > s["measured_db"] + 15:
            missed.append(f"fftnet FS/{div}: bfp {b['measured_db']:.1f} dB not 15 dB above scaled")
        if b["overflow"] or s["overflow"]:
            missed.append(f"fftnet FS/{div}: overflow")
    cfgs = configs("random")
    print(f"spectral filter N={N}, width {WIDTH}, coef 16, twiddle 18, r22sdf convergent; "
          f"{args.frames} Gaussian frames per level")
    for name, cfg in cfgs.items():
        print(f"  {name}: output {cfg.output_width} bits"
              + (f" + {cfg.exponent_width}-bit exponent" if cfg.bfp else "")
              + f", spectrum {cfg.mul_width} bits, latency_cycles {cfg.latency_cycles}")
    print("\nSQNR dB measured (noise model), output vs ifft(fft(x) W); bfp: output * 2**(exponent - 8)")
    print("| weights | level | scaled | bfp | bfp exponents |")
    print("|---|---|---|---|---|")
    for key, row in res.items():
        weights, level = key.split(" ")
        s, b = row["scaled"], row["bfp"]
        print(f"| {weights} | {level} | {s['measured_db']:.1f} ({s['model_db']:.1f}) | "
              f"{b['measured_db']:.1f} ({b['model_db']:.1f}) | {b['exponent'][0]}..{b['exponent'][1]} |")
    ncfgs = fftnet_configs(LEVELS[0])
    print(f"\nFFTNet layer N={N}, {len(FFTNET_BIAS)} channels, biases {FFTNET_BIAS} x the spectrum rms; "
          + "; ".join(f"{k}: output {c.output_width} bits" + (f" + {c.exponent_width}-bit exponent" if c.bfp else "")
                      + f", latency_cycles {c.latency_cycles}" for k, c in ncfgs.items()))
    print("SQNR dB measured (noise model), output vs the float layer Re(ifft(modReLU(fft(x, norm='forward') W, b), "
          "norm='forward')); bfp: output * 2**(exponent - 8)")
    print("| level | scaled | bfp | bfp exponents |")
    print("|---|---|---|---|")
    for level, row in net.items():
        s, b = row["scaled"], row["bfp"]
        print(f"| {level} | {s['measured_db']:.1f} ({s['model_db']:.1f}) | "
              f"{b['measured_db']:.1f} ({b['model_db']:.1f}) | {b['exponent'][0]}..{b['exponent'][1]} |")
    for m in missed:
        print("MISSED:", m)
    print(f"({time.time() - t0:.0f} s)")
    if args.json:
        meta = {"command": "nice -n 10 .venv/bin/python benchmarks/bench_filter_bfp.py "
                           + " ".join(argv if argv is not None else sys.argv[1:]),
                "machine": f"{os.cpu_count()}-core {platform.machine()}, Python {platform.python_version()}, "
                           f"numpy {np.__version__}",
                "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                "commit": git("rev-parse", "--short", "HEAD") or "unknown",
                "latency_cycles": {k: c.latency_cycles for k, c in cfgs.items()},
                "output_width": {k: c.output_width for k, c in cfgs.items()},
                "fftnet_latency_cycles": {k: c.latency_cycles for k, c in ncfgs.items()}}
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "results": res, "fftnet": net, "missed": missed}, f, indent=1)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
