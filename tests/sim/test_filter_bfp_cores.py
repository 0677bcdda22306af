"""Block-floating-point spectral filters (``FilterConfig(scaling="bfp")``) on
Verilator against the bit-true model, in one multibench model
(:mod:`fftforge.sim.multibench`): every word of every output field (samples,
``last``, ``overflow`` and the block ``exponent``) under random valid/ready
stalls and idle gaps that make the core drain, latency and throughput as the
descriptor says, the ``overflow`` flag never set, the exponent constant over
each frame and changing from frame to frame (Gaussian levels FS/1 ..
FS/1024, full-scale stress frames and an all-zero frame interleaved), and
the SQNR of ``output * 2**(exponent - log2 n)`` against the float filter at
least the noise model's bound
(:func:`fftforge.pyref.filter.bfp_filter_sqnr_bound_db`) at each level.
"""

import numpy as np

from fftforge.filter_config import FilterConfig
from fftforge.pyref.bfp import full_scale_frames, gaussian_frames
from fftforge.pyref.filter import bfp_filter_sqnr_bound_db, filter_float, frame_weights, sqnr_db
from fftforge.sim.check_filter import random_weights
from fftforge.sim.multibench import CoreSpec, MultiBench, Segment, bfp_word_problems, stream_problems

LEVELS = (1, 4, 64, 1024)


def bfp_filter_segments(cfg, seed: int, per_level: int = 2) -> list:
    """Two segments (each after a reset): streaming Gaussian frames at FS/4
    (enough that the input never runs dry before the first output), then
    under random stalls and drains ``per_level`` Gaussian frames at each of
    FS/1, FS/4, FS/64 and FS/1024, one frame of each full-scale stress kind
    and an all-zero frame, shuffled.  Per-frame labels name the level or
    kind."""
    rng = np.random.default_rng(seed)
    n, w = cfg.n, cfg.width
    fs = 2.0 ** (w - 1)
    f0 = cfg.latency_cycles // cfg.frame_cycles + 3
    re0, im0 = gaussian_frames(n, w, fs / 4, f0, rng)
    frames = []
    for div in LEVELS:
        a, b = gaussian_frames(n, w, fs / div, per_level, rng)
        frames += [(f"fs/{div}", a[f], b[f]) for f in range(per_level)]
    for kind in ("tone", "random", "impulse", "dc"):
        a, b = full_scale_frames(kind, n, w, rng)
        f = int(rng.integers(len(a)))
        frames.append((kind, a[f], b[f]))
    frames.append(("zero", np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)))
    order = rng.permutation(len(frames))
    re1 = np.stack([frames[k][1] for k in order])
    im1 = np.stack([frames[k][2] for k in order])
    return [Segment(re0, im0, streaming=True, labels=["fs/4"] * f0),
            Segment(re1, im1, p_valid=0.7, p_ready=0.6, idle_every=2, idle_cycles=cfg.drain_after + 3,
                    labels=[frames[k][0] for k in order])]


def level_sqnr(cfg, seg, received) -> dict:
    """``{label: (SQNR dB of output * 2**(exponent - log2 n), bound dB)}``
    for the Gaussian levels of a segment (frame f uses channel f mod D)."""
    y = np.asarray(received["re"]) + 1j * np.asarray(received["im"], dtype=float)
    y = y * 2.0 ** (np.asarray(received["exponent"], dtype=float) - cfg.log2n)
    frames = len(seg.re)
    w = cfg.weights_float(*frame_weights(cfg, frames)[:2])
    ref = filter_float(cfg, seg.re + 1j * seg.im.astype(float), w)
    out = {}
    for lab in sorted(set(seg.labels)):
        if not lab.startswith("fs/"):
            continue
        sel = np.array([lb == lab for lb in seg.labels])
        out[lab] = (sqnr_db(ref[sel], y[sel]),
                    bfp_filter_sqnr_bound_db(cfg, ref[sel], seg.re[sel], seg.im[sel], w[sel]))
    return out


def bfp_filter_problems(core, spec) -> list:
    """What is wrong with one bfp filter's run (empty: it passes)."""
    cfg = core.cfg
    name = f"{cfg.name} (bfp filter {cfg.arch} {cfg.rounding} cmul{cfg.cmul} N={cfg.n} D={cfg.channels} {cfg.target})"
    bad = stream_problems(core, spec, name)
    for s, (seg, res) in enumerate(zip(spec.segments, core.segments)):
        if not res.bit_exact:
            continue
        bad += bfp_word_problems(res.received, cfg.max_exponent, f"{name} segment {s}")
        e = np.asarray(res.received["exponent"])
        if not s:
            continue
        if len(set(e[:, 0].tolist())) < 3:
            bad.append(f"{name} segment {s}: exponents {sorted(set(e[:, 0].tolist()))}: the levels should vary it")
        for lab, (db, bound) in level_sqnr(cfg, seg, res.received).items():
            if not db >= bound:
                bad.append(f"{name} segment {s}: SQNR {db:.1f} dB at {lab}, bound {bound:.1f} dB")
    return bad


def _cfg(seed, **kw):
    cfg0 = FilterConfig(scaling="bfp", **kw)
    wr, wi = random_weights(cfg0, np.random.default_rng(seed))
    return cfg0.replace(weights_re=wr.ravel(), weights_im=wi.ravel())


def test_bfp_filters_on_verilator(tmp_path):
    """Two bfp filters in one Verilator model: N = 256, 16-bit, two channels
    of random weights (the benchmark's size), and N = 64 r2sdf, cmul 3,
    truncating, for ECP5 (the primitives' models): every word bit-exact under
    stalls and drains, latency, no overflow, exponent per frame, SQNR per
    level at least its bound."""
    cfgs = [_cfg(1, n=256, channels=2, name="fbfp256"),
            _cfg(2, n=64, arch="r2sdf", cmul=3, rounding="truncate", target="ecp5", name="fbfp64e")]
    specs = [CoreSpec(cfg, bfp_filter_segments(cfg, seed=300 + k)) for k, cfg in enumerate(cfgs)]
    run = MultiBench(specs, str(tmp_path), seed=13).run()
    problems = []
    for core, spec in zip(run.cores, specs):
        problems += bfp_filter_problems(core, spec)
    assert not problems, "\n".join(problems)
    db = level_sqnr(cfgs[0], specs[0].segments[1], run.cores[0].segments[1].received)
    print("N=256 bfp filter SQNR dB (RTL words, bound):", {k: (round(a, 1), round(b, 1)) for k, (a, b) in db.items()})
