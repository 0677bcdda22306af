"""Spectral filters: SQNR of the filter and FFTNet pipelines against their
float references (16-bit data, random weights |W| <= 1, FFTNet biases
spanning the modReLU dead zone), per configuration, with the bound the tests
enforce; the CORDIC modReLU's error against float modReLU.  The bit-true
model is what is measured here: the RTL equals it word for word (tests/hdl,
tests/sim).  Writes a Markdown table to stdout.

    .venv/bin/python benchmarks/bench_filter.py
"""

import platform
import sys
import time

import numpy as np

from fftforge.filter_config import FFTNetConfig, FilterConfig
from fftforge.pyref.fftnet import FFTNetModel, fftnet_float, fftnet_sqnr_bound_db
from fftforge.pyref.filter import FilterModel, filter_float, filter_sqnr_bound_db, frame_weights, sqnr_db
from fftforge.pyref.modrelu import ModReLUModel, modrelu_error_bound, modrelu_float
from fftforge.pyref.stimulus import make_stimulus
from fftforge.sim.check_filter import random_bias, random_weights


def run_filter(n, d, rng):
    cfg0 = FilterConfig(n=n, channels=d)
    wr, wi = random_weights(cfg0, rng)
    cfg = cfg0.replace(weights_re=wr.ravel(), weights_im=wi.ravel())
    frames = max(4 * d, 16)
    re, im = make_stimulus("random", frames, n, 16, rng)
    y_re, y_im, _ = FilterModel(cfg)(re, im)
    w = cfg.weights_float(*frame_weights(cfg, frames)[:2])
    ref = filter_float(cfg, re + 1j * im, w)
    return (sqnr_db(ref, y_re + 1j * y_im),
            filter_sqnr_bound_db(cfg, ref, float(np.mean(re ** 2 + im ** 2)), w), cfg.latency_cycles, None)


def run_fftnet(n, d, rng):
    cfg0 = FFTNetConfig(n=n, channels=d)
    wr, wi = random_weights(cfg0, rng)
    cfg = cfg0.replace(weights_re=wr.ravel(), weights_im=wi.ravel(), bias=tuple(random_bias(cfg0, rng)))
    frames = max(4 * d, 16)
    re, _ = make_stimulus("random", frames, n, 16, rng)
    y_re, _, _ = FFTNetModel(cfg)(re, np.zeros_like(re))
    f_re, f_im, f_b = frame_weights(cfg, frames)
    w = cfg.weights_float(f_re, f_im)
    ref = fftnet_float(re, w, f_b)
    y = np.fft.fft(re, axis=1, norm="forward") * w
    dead = float(np.mean(np.abs(y) + f_b[:, None] <= 0))
    return (sqnr_db(ref, y_re), fftnet_sqnr_bound_db(cfg, ref, float(np.mean(re.astype(float) ** 2)), y, f_b),
            cfg.latency_cycles, dead)


def run_pairs(kind, n, d, rng):
    from fftforge.sim.check_filter import filter_job, reference
    cls = FFTNetConfig if kind == "fftnet" else FilterConfig
    cfg0 = cls(n=n, channels=d, real_pairs=True)
    wr, wi = random_weights(cfg0, rng)
    extra = {"bias": tuple(random_bias(cfg0, rng))} if kind == "fftnet" else {}
    cfg = cfg0.replace(weights_re=wr.ravel(), weights_im=wi.ravel(), **extra)
    job = filter_job(cfg, max(4 * d, 16), seed=int(rng.integers(1 << 30)))
    ref, bound = reference(cfg, job)
    return sqnr_db(ref, job.expected["re"] + 1j * job.expected["im"]), bound, cfg.latency_cycles, None


def modrelu_stats(rng):
    cfg = FFTNetConfig(n=16, width=16)
    m = ModReLUModel(cfg.mul_width, cfg.spectrum_width, cfg.iterations, cfg.guard, cfg.rounding)
    count = 200000
    lim = 1 << 15
    z = np.sqrt(rng.random(count)) * lim * np.exp(2j * np.pi * rng.random(count))
    re, im = np.round(z.real).astype(np.int64), np.round(z.imag).astype(np.int64)
    b = rng.integers(-lim, lim // 2, count)
    o_re, o_im, _ = m(re, im, b)
    ref = modrelu_float(re + 1j * im, b)
    err = np.concatenate([o_re - ref.real, o_im - ref.imag])
    bound = modrelu_error_bound(cfg.iterations, cfg.guard, re + 1j * im, b, cfg.mul_width)
    big = np.abs(re + 1j * im) >= 64
    eb = np.maximum(np.abs(o_re - ref.real), np.abs(o_im - ref.imag))
    return {"iterations": cfg.iterations, "guard": cfg.guard, "rms": float(np.sqrt(np.mean(err ** 2))),
            "max": float(np.max(np.abs(err))), "max_big": float(np.max(eb[big])),
            "within_bound": bool(np.all(eb <= bound)),
            "sqnr": sqnr_db(ref, o_re + 1j * o_im)}


def main():
    rng = np.random.default_rng(2026)
    t0 = time.time()
    print(f"machine: {platform.machine()}, Python {sys.version.split()[0]}; date {time.strftime('%Y-%m-%d')}")
    print()
    print("| pipeline | N | D | SQNR (dB) | bound (dB) | latency (cycles) | FFTNet bins in dead zone |")
    print("|---|---|---|---|---|---|---|")
    for kind, fn in (("filter", run_filter), ("fftnet", run_fftnet)):
        for n in (16, 64, 256, 1024):
            for d in (1, 3, 8):
                s, b, lat, dead = fn(n, d, rng)
                print(f"| {kind} | {n} | {d} | {s:.1f} | {b:.1f} | {lat} | "
                      f"{'' if dead is None else f'{100 * dead:.0f} %'} |")
    for kind in ("filter", "fftnet"):
        for n in (16, 64, 256, 1024):
            for d in (1, 3, 8):
                s, b, lat, _ = run_pairs(kind, n, d, rng)
                print(f"| {kind}, real pairs | {n} | {d} | {s:.1f} | {b:.1f} | {lat} | |")
    st = modrelu_stats(rng)
    print()
    print(f"CORDIC modReLU (16-bit layer: 17-bit Y, {st['iterations']} iterations, {st['guard']} guard bits), "
          f"200k random |Y| <= 2^15, b in [-2^15, 2^14): error vs float modReLU RMS {st['rms']:.3f} LSB, "
          f"max {st['max']:.2f} LSB (max {st['max_big']:.2f} LSB where |Y| >= 64), SQNR {st['sqnr']:.1f} dB, "
          f"every sample within the derived per-sample bound: {st['within_bound']}")
    print(f"({time.time() - t0:.1f} s)")


if __name__ == "__main__":
    main()
