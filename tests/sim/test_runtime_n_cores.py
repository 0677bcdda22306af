"""Run-time-length FFT cores (``runtime_n``) on Verilator against the
bit-true model, in one multibench model (:mod:`fftforge.sim.multibench`):
frames of random sizes back to back (the ``log2n`` port driven with each
frame's first transfer, out-of-range values included: clamped), every word
of every output field compared (samples, ``last``, ``overflow``), transfers
counted (nothing lost, duplicated or reordered), under random valid/ready
stalls and idle gaps that make the core drain; one streaming segment per
size, starting with a frame of that size into an empty pipeline: its
latency is ``latency_by_n`` and the core takes and emits one sample every
cycle across every size change (no bubbles); per-size SQNR of the received
words against NumPy meets the noise model's bound."""

import numpy as np
import pytest

from fftforge.config import FFTConfig
from fftforge.pyref.fft import fft_float, frame_sizes, sqnr_db
from fftforge.pyref.noise import sqnr_bound_db
from fftforge.sim.multibench import CoreSpec, MultiBench, Segment, stream_problems


def runtime_n_segments(cfg, seed: int, stalled_frames: int = 40) -> list:
    """One streaming segment per size (first frame that size, then random
    sizes until the input outlasts the first output), then a stalled one of
    ``stalled_frames`` random sizes whose port values include 0 and the
    port's largest value (clamped to NMIN and NMAX)."""
    rng = np.random.default_rng(seed)
    lo, hi = cfg.log2n_range
    runtime = cfg.direction == "runtime"

    def frames(k):
        re = rng.integers(-(1 << (cfg.width - 1)), 1 << (cfg.width - 1), (len(k), cfg.n))
        im = rng.integers(-(1 << (cfg.width - 1)), 1 << (cfg.width - 1), (len(k), cfg.n))
        return re, im, (rng.random(len(k)) < 0.5 if runtime else None)

    segs = []
    for first in range(lo, hi + 1):
        k = [first]
        while sum(1 << int(x) for x in k) < 2 * cfg.latency_cycles:
            k.append(int(rng.integers(lo, hi + 1)))
        re, im, inv = frames(k)
        segs.append(Segment(re, im, inv, log2n=np.array(k), streaming=True))
    k = rng.integers(lo, hi + 1, stalled_frames)
    k[3], k[7] = 0, (1 << cfg.size_port_width) - 1
    re, im, inv = frames(k)
    segs.append(Segment(re, im, inv, log2n=k, p_valid=0.7, p_ready=0.6, idle_every=3,
                        idle_cycles=cfg.drain_after + 5))
    return segs


def runtime_n_problems(core, spec, name) -> list:
    """:func:`stream_problems`, the latency of each streaming segment (its
    first frame's size into an empty pipeline) against ``latency_by_n``, and
    per-size SQNR of the received words against the noise model's bound."""
    cfg = core.cfg
    bad = stream_problems(core, spec, name)
    lo, hi = cfg.log2n_range
    seen = {int(seg.log2n[0]): res.latency for seg, res in zip(spec.segments, core.segments) if seg.streaming}
    if seen != {k: cfg.latency_by_n[1 << k] for k in range(lo, hi + 1)}:
        bad.append(f"{name}: latency by size {seen}, descriptor says {cfg.latency_by_n}")
    seg, res = spec.segments[-1], core.segments[-1]
    if not res.received:
        return bad + [f"{name}: nothing received in the stalled segment"]
    k = frame_sizes(cfg, len(seg.re), seg.log2n)
    ref = fft_float(cfg, seg.re + 1j * seg.im, seg.inverse, seg.log2n)
    got = (res.received["re"] + 1j * res.received["im"]).reshape(-1)
    ends = np.cumsum(1 << k)
    for kk in np.unique(k):
        n = 1 << int(kk)
        fr = np.flatnonzero(k == kk)
        y = np.concatenate([got[ends[f] - n:ends[f]] for f in fr])
        r = np.concatenate([ref[f, :n] for f in fr])
        x = np.concatenate([(seg.re[f, :n] + 1j * seg.im[f, :n]) for f in fr])
        bound = sqnr_bound_db(cfg, r, float(np.mean(np.abs(x) ** 2)), size=n)
        if sqnr_db(r, y) < bound:
            bad.append(f"{name}: N={n} SQNR {sqnr_db(r, y):.1f} dB below its bound {bound:.1f} dB")
    return bad


def _run(cfgs, tmp_path, seed):
    specs = [CoreSpec(c, runtime_n_segments(c, seed + i)) for i, c in enumerate(cfgs)]
    run = MultiBench(specs, str(tmp_path), seed=seed).run()
    bad = []
    for core, spec in zip(run.cores, specs):
        bad += runtime_n_problems(core, spec, core.cfg.name)
        assert any(s.drain_gaps for s in core.segments)
    assert not bad, "\n".join(bad)


def test_runtime_n_cores_nmax64(tmp_path):
    """Both archs at NMAX = 64, NMIN = 8: r22sdf natural order with run-time
    direction (generic), r2sdf bit-reversed unscaled (ECP5 primitives)."""
    _run([FFTConfig(n=64, runtime_n=8, direction="runtime", name="rtn_r22_64"),
          FFTConfig(n=64, runtime_n=8, arch="r2sdf", order="bit_reversed", scaling="unscaled", target="ecp5",
                    name="rtn_r2_64")], tmp_path, seed=11)


@pytest.mark.slow
def test_runtime_n_cores_larger(tmp_path):
    """Larger NMAX: r22sdf 512 (odd log2: the other parity is the even
    sizes) natural ECP5 with NMIN = 8, r2sdf 256 natural truncate with NMIN = 32,
    r22sdf 128 bit-reversed, NMIN = NMAX / 2."""
    _run([FFTConfig(n=512, runtime_n=8, target="ecp5", name="rtn_r22_512"),
          FFTConfig(n=256, runtime_n=32, arch="r2sdf", rounding="truncate", name="rtn_r2_256"),
          FFTConfig(n=128, runtime_n=64, order="bit_reversed", direction="inverse", name="rtn_r22_128")],
         tmp_path, seed=21)
