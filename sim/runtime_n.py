"""Simulation checks of run-time-length FFT cores (``runtime_n``) on the
multibench (:mod:`fftforge.sim.multibench`: one Verilator model, a
self-checking Verilog driver, no Python per cycle).

:func:`runtime_n_segments` builds the stimulus: one streaming segment per
size (its first frame that size, into an empty pipeline: the latency of
that size; random sizes after it, back to back, until the input outlasts
the first output) and a stalled segment of random sizes whose ``log2n``
values include 0 and the port's largest value (clamped).
:func:`runtime_n_problems` is the contract (bit-exact words and counted
transfers, :func:`~fftforge.sim.multibench.stream_problems`; latency by
size; per-size SQNR against the noise model's bound) and
:func:`check_runtime_n_core` the ``fftforge sim`` check of such a core.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np

from fftforge.pyref.fft import fft_float, frame_sizes, sqnr_db
from fftforge.pyref.noise import sqnr_bound_db
from fftforge.pyref.stimulus import make_stimulus
from fftforge.sim.multibench import CoreSpec, MultiBench, Segment, stream_problems

__all__ = ["runtime_n_segments", "runtime_n_problems", "size_sqnr", "check_runtime_n_core"]


def runtime_n_segments(cfg, seed: int, stalled_frames: int = 40, kind: str = "random",
                       p_valid: float = 0.7, p_ready: float = 0.6, stalls: bool = True) -> list:
    """The segments of a run-time-length core's check (module doc); frames
    of stimulus ``kind`` (:func:`fftforge.pyref.stimulus.make_stimulus`,
    NMAX samples each, a frame uses its first 2**log2n)."""
    rng = np.random.default_rng(seed)
    lo, hi = cfg.log2n_range
    runtime = cfg.direction == "runtime"

    def frames(k):
        re, im = make_stimulus(kind, len(k), cfg.n, cfg.width, rng)
        return re, im, (rng.random(len(k)) < 0.5 if runtime else None)

    segs = []
    for first in range(lo, hi + 1):
        k = [first]
        while sum(1 << int(x) for x in k) < 2 * cfg.latency_cycles:
            k.append(int(rng.integers(lo, hi + 1)))
        re, im, inv = frames(k)
        segs.append(Segment(re, im, inv, log2n=np.array(k), streaming=True))
    if stalls:
        k = rng.integers(lo, hi + 1, max(stalled_frames, 8))
        k[3], k[7] = 0, (1 << cfg.size_port_width) - 1
        re, im, inv = frames(k)
        segs.append(Segment(re, im, inv, log2n=k, p_valid=p_valid, p_ready=p_ready, idle_every=3,
                            idle_cycles=cfg.drain_after + 5))
    return segs


def size_sqnr(cfg, seg, res) -> dict:
    """``{N: (measured SQNR, bound)}`` of a segment's received words against
    NumPy, per frame size (dB; the bound from the noise model for that
    size's parts, :func:`fftforge.pyref.noise.sqnr_bound_db`)."""
    k = frame_sizes(cfg, len(seg.re), seg.log2n)
    ref = fft_float(cfg, seg.re + 1j * seg.im, seg.inverse, seg.log2n)
    got = (res.received["re"] + 1j * res.received["im"]).reshape(-1)
    ends = np.cumsum(1 << k)
    out = {}
    for kk in np.unique(k):
        n = 1 << int(kk)
        fr = np.flatnonzero(k == kk)
        y = np.concatenate([got[ends[f] - n:ends[f]] for f in fr])
        r = np.concatenate([ref[f, :n] for f in fr])
        x = np.concatenate([(seg.re[f, :n] + 1j * seg.im[f, :n]) for f in fr])
        out[n] = (sqnr_db(r, y), sqnr_bound_db(cfg, r, float(np.mean(np.abs(x) ** 2)), size=n))
    return out


def runtime_n_problems(core, spec, name: str) -> list:
    """:func:`~fftforge.sim.multibench.stream_problems`, the latency of each
    streaming segment (its first frame's size into an empty pipeline)
    against ``latency_by_n``, and each size's SQNR in the stalled segment
    (random stimulus) against its bound; messages naming ``name``."""
    cfg = core.cfg
    bad = stream_problems(core, spec, name)
    seen = {int(seg.log2n[0]): res.latency for seg, res in zip(spec.segments, core.segments) if seg.streaming}
    want = {N.bit_length() - 1: v for N, v in cfg.latency_by_n.items()}
    if seen != {k: want[k] for k in seen} or len(seen) != len(want):
        bad.append(f"{name}: latency by size {seen}, descriptor says {want}")
    for seg, res in zip(spec.segments, core.segments):
        if seg.streaming or not res.received:
            continue
        for n, (got, bound) in size_sqnr(cfg, seg, res).items():
            if got < bound:
                bad.append(f"{name}: N={n} SQNR {got:.1f} dB below its bound {bound:.1f} dB")
    return bad


def check_runtime_n_core(cfg, frames: int = 20, kind: str = "random", seed: int = 1, p_valid: float = 0.7,
                         p_ready: float = 0.6, stalls: bool = True, build_dir=None):
    """``fftforge sim`` of a run-time-length core: :func:`runtime_n_segments`
    on the multibench, as a :class:`~fftforge.sim.check.CheckReport` (SQNR:
    the stalled segment's (else the first streaming one's) size with the
    least margin over its own bound, and that bound; latency: the first size whose measured latency
    differs from ``latency_by_n``, else NMAX's)."""
    from fftforge.sim.check import CheckReport
    segs = runtime_n_segments(cfg, seed, frames, kind, p_valid, p_ready, stalls)
    spec = CoreSpec(cfg, segs)
    work = build_dir or tempfile.mkdtemp(prefix=f"fftforge_rtn_{cfg.name}_")
    core = MultiBench([spec], os.path.join(work, "multibench"), seed=seed).run().cores[0]
    stream = [(s, r) for s, r in zip(segs, core.segments) if s.streaming]
    stalled = [(s, r) for s, r in zip(segs, core.segments) if not s.streaming]
    latency = cfg.latency_cycles
    for s, r in stream:
        if r.latency != cfg.latency_by_n[1 << int(s.log2n[0])]:
            latency = r.latency
            break
    seg, res = (stalled or stream)[0]
    sq = size_sqnr(cfg, seg, res) if res.received else {}
    # the size with the least margin over its bound stands for all
    got, bound = min(sq.values(), key=lambda v: v[0] - v[1]) if sq else (float("-inf"), None)
    return CheckReport(
        name=cfg.name, frames=sum(len(s.re) for s in segs),
        bit_exact=all(r.bit_exact for _, r in stream), mismatches={"words": sum(r.mismatches for _, r in stream)},
        first_mismatch=None, sqnr_db=got, sqnr_bound_db=bound if kind in ("random", "tone") else None,
        latency_cycles=latency, latency_expected=cfg.latency_cycles,
        input_samples_per_cycle=min(r.accepted / r.in_span for _, r in stream),
        output_gaps=sum(r.out_gaps for _, r in stream),
        stalled_bit_exact=all(r.bit_exact for _, r in stalled) if stalls else None,
        stall_mismatches={"words": sum(r.mismatches for _, r in stalled)} if stalls else None)
