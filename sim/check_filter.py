"""Simulation check of filter / FFTNet cores (descriptor kinds ``filter`` and
``fftnet``), the counterpart of :func:`fftforge.sim.check.check_fft_core`.

Two jobs on one Verilator build: no stalls (latency, throughput,
bit-exactness, SQNR against the float reference with the derived bound) and
random valid/ready stalls with idle gaps, where runtime-weight cores also get
random weight (and bias) rewrites through the weight port, with its own
random stalls, before, between and during frames.  Frames of a runtime core
are checked against the bit-true model with the memory state after the
``wseq`` writes the core reports for that frame (``wseq`` must be constant
over a frame and never decrease).

Block-floating-point filters (``scaling="bfp"``): the ``exponent`` field of
every word is compared with the model's per-frame exponent, and the SQNR is
measured on ``output * 2**(exponent - log2 n)`` against the bound of
:func:`fftforge.pyref.filter.bfp_filter_sqnr_bound_db` (FFTNet:
:func:`fftforge.pyref.fftnet.bfp_fftnet_sqnr_bound_db`).

Overlap-save cores take a continuous stream: the check feeds ``frames *
hop`` samples and compares the kept outputs with the bit-true model and
(SQNR) with ``numpy.convolve``; throughput is reported relative to the
mode's full rate ``hop/n``.

:data:`fftforge.kinds.KINDS` names :func:`check_filter_core` as the check of
both kinds (``fftforge sim`` finds it there).
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from fftforge.filter_config import FilterConfig
from fftforge.pyref import lanes
from fftforge.pyref.fft import sqnr_db
from fftforge.pyref.filter import (FilterModel, bfp_filter_sqnr_bound_db, filter_float, filter_sqnr_bound_db,
                                   frame_weights, quantise_weights)
from fftforge.pyref.stimulus import make_stimulus
from fftforge.sim.check import CheckReport
from fftforge.sim.runner import SimJob, VerilatorSim

__all__ = ["check_filter_core", "filter_job", "compare_job", "random_weights", "random_bias",
           "random_writes", "lane_words", "sample_words"]


def lane_words(cfg: FilterConfig, arrays: dict) -> dict:
    """Sample arrays ``{"re": (frames, n)[, "im": ...]}`` -> stream words of
    a P-lane core (:func:`fftforge.pyref.lanes.to_words`)."""
    return lanes.to_words(cfg, arrays)


def sample_words(cfg: FilterConfig, words: dict) -> dict:
    """Inverse of :func:`lane_words` for the sample fields
    (:func:`fftforge.pyref.lanes.from_words`)."""
    return lanes.from_words(cfg, words)


group_flags = lanes.group_flags


def _model(cfg):
    """The bit-true model of ``cfg``'s kind (:func:`fftforge.kinds.model_for`)."""
    from fftforge.kinds import model_for
    return model_for(cfg)


def random_weights(cfg: FilterConfig, rng, count: Optional[int] = None):
    """Random integer weights with |W| <= 1 (uniform over the unit disc):
    ``(re, im)`` of shape (channels, n), or (count,) when ``count`` given."""
    shape = (cfg.channels, cfg.n) if count is None else (count,)
    w = np.sqrt(rng.random(shape)) * np.exp(2j * np.pi * rng.random(shape))
    return quantise_weights(w, cfg.coef_width)


def typical_spectrum_rms(cfg: FilterConfig) -> float:
    """RMS of |Y| for full-range uniform input and |W| uniform on the disc:
    E|x|^2 = 2**(2 width - 2) / 3 per real component; E|W|^2 = 1/2."""
    comps = 1 if (cfg.real_output or cfg.real_pairs) else 2
    p_in = comps * (1 << (2 * cfg.width - 2)) / 3.0
    return float(np.sqrt(p_in / cfg.n * 0.5))


def random_bias(cfg: FilterConfig, rng, count: Optional[int] = None):
    """Biases spanning the modReLU dead zone: uniform in [-1.5, 0.5] x the
    typical |Y| (so some bins are zeroed, some shrunk, some grown)."""
    shape = (cfg.channels,) if count is None else (count,)
    rms = typical_spectrum_rms(cfg)
    lim = (1 << cfg.width) - 1
    return np.clip(np.round(rng.uniform(-1.5, 0.5, shape) * rms), -lim, lim).astype(np.int64)


def random_writes(cfg: FilterConfig, rng, count: int, span: int):
    """``count`` random weight (and, for FFTNet, bias) writes offered at
    random cycles in [0, span): ``(fields, at)``."""
    addr = rng.integers(0, cfg.channels * cfg.n, count)
    re, im = random_weights(cfg, rng, count)
    if cfg.real_output:
        is_b = rng.random(count) < 0.2
        addr = np.where(is_b, cfg.channels * cfg.n + rng.integers(0, cfg.channels, count), addr)
        b = random_bias(cfg, rng, count)
        re = np.where(is_b, b, re)
        im = np.where(is_b, 0, im)
    at = np.sort(rng.integers(0, max(span, 1), count))
    # a burst at the start (before the first frame) as well
    at[: max(count // 4, 1)] = 0
    return {"addr": addr.astype(np.int64), "re": re.astype(np.int64), "im": im.astype(np.int64)}, at


def overlap_save_job(cfg: FilterConfig, frames: int, seed: int, kind: str = "random", **job_kw):
    """A bench job for an overlap-save core: a continuous stream of
    ``frames * hop`` samples (shaped (frames, hop)); expected = the bit-true
    model on the overlap-save frames, first ``taps - 1`` outputs dropped."""
    from fftforge.pyref.filter import overlap_save_frames
    rng = np.random.default_rng(seed)
    re, im = make_stimulus(kind, frames, cfg.hop, cfg.width, rng)
    x = (re + 1j * im).reshape(-1)
    fr = overlap_save_frames(cfg, x)
    y_re, y_im, ovf, *exponent = FilterModel(cfg)(fr.real.astype(np.int64), fr.imag.astype(np.int64))
    k = cfg.taps - 1
    samples = {"re": re, "im": im}
    expected = lanes.output_words(cfg, y_re[:, k:], y_im[:, k:], ovf[:, k:], *exponent)
    job = SimJob(inputs=lane_words(cfg, samples), expected=expected, seed=seed, **job_kw)
    job.writes = None
    job.samples = samples        # the input as samples (frames, hop), whatever the lanes
    return job


def overlap_save_reference(cfg: FilterConfig, job: SimJob):
    """``numpy.convolve`` of the job's stream with the FIR the quantised
    weights realise, and the SQNR bound."""
    samples = getattr(job, "samples", job.inputs)
    re, im = samples["re"], samples["im"]
    x = (re + 1j * im).reshape(-1)
    w = cfg.weights_float()[0]
    h = np.fft.ifft(w)[:cfg.taps]
    ref = np.convolve(x, h)[:len(x)].reshape(re.shape)
    p_in = float(np.mean(np.abs(x) ** 2))
    ws = np.broadcast_to(w, (re.shape[0], cfg.n))
    if cfg.bfp:                  # the noise of each frame the core filtered, on its kept outputs
        from fftforge.pyref.filter import overlap_save_frames
        fr = overlap_save_frames(cfg, x)
        return ref, bfp_filter_sqnr_bound_db(cfg, ref, fr.real.astype(np.int64), fr.imag.astype(np.int64), ws)
    return ref, filter_sqnr_bound_db(cfg, ref, p_in, ws)


def filter_job(cfg: FilterConfig, frames: int, seed: int, kind: str = "random", writes=None,
               write_at=None, p_w: float = 0.7, **job_kw):
    """A bench job: stimulus, expected fields (for runtime cores only
    ``last``: the rest is compared after the run, see :func:`compare_job`)."""
    if cfg.mode == "overlap_save":
        return overlap_save_job(cfg, frames, seed, kind, **job_kw)
    rng = np.random.default_rng(seed)
    re, im = make_stimulus(kind, frames, cfg.n, cfg.width, rng)
    complex_in = "im" in cfg.sample_fields
    if not complex_in:
        im = np.zeros_like(re)
    samples = {"re": re, "im": im} if complex_in else {"re": re}
    inputs = lane_words(cfg, samples)
    expected = {"last": lanes.last_flags(frames, cfg.frame_cycles)}
    if cfg.weights != "runtime":
        y_re, y_im, ovf, *exponent = _model(cfg)(re, im)
        expected.update(lanes.output_words(cfg, y_re, y_im, ovf, *exponent))
    streams = {}
    if writes is not None:
        streams["weights"] = {"fields": writes, "at": write_at, "p_valid": p_w}
    job = SimJob(inputs=inputs, expected=expected, seed=seed, streams=streams, **job_kw)
    job.writes = writes
    job.samples = samples        # the input as samples (frames, n), whatever the lanes
    return job


def compare_job(cfg: FilterConfig, job: SimJob, res) -> dict:
    """Compare a run with the bit-true model.  Returns ``{"mismatches",
    "first_mismatch", "expected": (re, im), "wseq"}``; for runtime cores the
    model uses the memory state after ``wseq[f]`` writes for frame ``f``."""
    samples = getattr(job, "samples", job.inputs)
    re = samples["re"]
    im = samples.get("im", np.zeros_like(re))
    frames = re.shape[0]
    mism = dict(res.mismatches)
    first = res.first_mismatch
    wseq = None
    if cfg.weights == "runtime":
        ws = np.asarray(res.outputs["wseq"])
        wseq = ws[:, 0]
        torn = int(np.sum(ws != wseq[:, None]))
        back = int(np.sum(np.diff(wseq.astype(np.int64)) < 0))
        writes = getattr(job, "writes", None)
        accepted = res.aux_accepted.get("weights", 0)
        over = int(np.sum(wseq > accepted))
        mism["wseq"] = torn + back + over
        ws = wseq if writes is not None else None
        f_re, f_im, f_b = frame_weights(cfg, frames, writes, ws)
        weights, bias = (f_re, f_im), f_b
        if cfg.real_pairs:
            g_re, g_im, g_b = frame_weights(cfg, frames, writes, ws, second=True)
            weights, bias = ((f_re, f_im), (g_re, g_im)), (f_b, g_b)
        model = _model(cfg)
        if cfg.real_output:
            y_re, y_im, ovf, *exponent = model(re, im, weights=weights, bias=bias)
        else:
            y_re, y_im, ovf, *exponent = model(re, im, weights=weights)
        exp = lanes.to_words(cfg, {"re": y_re, "im": y_im}, overflow=ovf)
        if cfg.bfp:
            exp["exponent"] = lanes.output_words(cfg, y_re, y_im, ovf, *exponent)["exponent"]
        fc = cfg.frame_cycles
        for name, e in exp.items():
            bad = np.nonzero(np.asarray(e).reshape(-1) != np.asarray(res.outputs[name]).reshape(-1))[0]
            mism[name] = int(len(bad))
            if len(bad) and first is None:
                i = int(bad[0])
                first = {"field": name, "index": i, "frame": i // fc, "transfer": i % fc,
                         "expected": int(np.asarray(e).reshape(-1)[i]),
                         "got": int(np.asarray(res.outputs[name]).reshape(-1)[i])}
        if mism["wseq"] and first is None:
            first = {"field": "wseq", "torn_words": torn, "decreases": back, "beyond_accepted": over}
    else:
        ex = sample_words(cfg, job.expected)
        y_re = ex["re"]
        y_im = ex.get("im")
    return {"mismatches": mism, "first_mismatch": first, "expected": (y_re, y_im), "wseq": wseq}


def reference(cfg: FilterConfig, job: SimJob, wseq=None):
    """Float reference and SQNR bound for a job (configured weights, or the
    per-frame state after ``wseq`` writes)."""
    samples = getattr(job, "samples", job.inputs)
    re = samples["re"]
    im = samples.get("im", np.zeros_like(re))
    frames = re.shape[0]
    writes = getattr(job, "writes", None)
    f_re, f_im, f_b = frame_weights(cfg, frames, writes, wseq)
    w = cfg.weights_float(f_re, f_im)
    x = re + 1j * im
    p_in = float(np.mean(np.abs(x) ** 2))
    if cfg.real_pairs:
        g_re, g_im, g_b = frame_weights(cfg, frames, writes, wseq, second=True)
        wb = cfg.weights_float(g_re, g_im)
        if not cfg.real_output:
            ref = filter_float(cfg, x, (w, wb))
            return ref, filter_sqnr_bound_db(cfg, ref, p_in, (w, wb))
        from fftforge.pyref.fftnet import fftnet_float, fftnet_sqnr_bound_db
        ref = fftnet_float(re, w, f_b) + 1j * fftnet_float(im, wb, g_b)
        ys = (np.fft.fft(re, axis=1, norm="forward") * w, np.fft.fft(im, axis=1, norm="forward") * wb)
        pins = (float(np.mean(re.astype(float) ** 2)), float(np.mean(im.astype(float) ** 2)))
        return ref, fftnet_sqnr_bound_db(cfg, ref, pins, ys, (f_b, g_b))
    if cfg.real_output:
        from fftforge.pyref.fftnet import bfp_fftnet_sqnr_bound_db, fftnet_float, fftnet_sqnr_bound_db
        ref = fftnet_float(re, w, f_b)
        if cfg.bfp:
            return ref, bfp_fftnet_sqnr_bound_db(cfg, ref, re, w, f_b)
        y = np.fft.fft(re, axis=1, norm="forward") * w
        return ref, fftnet_sqnr_bound_db(cfg, ref, p_in, y, f_b)
    ref = filter_float(cfg, x, w)
    if cfg.bfp:
        return ref, bfp_filter_sqnr_bound_db(cfg, ref, re, im, w)
    return ref, filter_sqnr_bound_db(cfg, ref, p_in, w)


def check_filter_core(descriptor_path: str, frames: int = 20, kind: str = "random", seed: int = 1,
                      p_valid: float = 0.7, p_ready: float = 0.7, stalls: bool = True,
                      build_dir: Optional[str] = None, writes: int = 0) -> CheckReport:
    """Check a filter / FFTNet core: no-stall job (latency, throughput,
    bit-exact, SQNR >= bound) and a stall job (bit-exact; runtime cores: with
    ``writes`` random weight-port writes, default 4 per frame)."""
    from fftforge.hdl.export import load_core
    cfg, desc = load_core(descriptor_path)
    sim = VerilatorSim(descriptor_path, build_dir=build_dir)
    fc = cfg.frame_cycles
    frames0 = max(frames, -(-desc["latency_cycles"] // fc) + 2)
    jobs = [filter_job(cfg, frames0, seed, kind)]
    if stalls:
        wr, at = None, None
        if cfg.weights == "runtime":
            rng = np.random.default_rng(seed + 100)
            count = writes or 4 * frames
            span = frames * fc + desc["latency_cycles"] // 2   # well inside the run
            wr, at = random_writes(cfg, rng, count, span)
        jobs.append(filter_job(cfg, frames, seed + 1, kind, writes=wr, write_at=at, p_valid=p_valid,
                               p_ready=p_ready, idle_every=3, idle_cycles=cfg.drain_after + 5))
    res = sim.run(jobs)
    c0 = compare_job(cfg, jobs[0], res[0])
    r0 = res[0]
    if cfg.mode == "overlap_save":
        ref, bound = overlap_save_reference(cfg, jobs[0])
    else:
        ref, bound = reference(cfg, jobs[0], c0["wseq"])
    if kind not in ("random", "tone"):
        bound = None
    out = sample_words(cfg, r0.outputs)
    if "im" not in cfg.sample_fields:
        measured = np.asarray(out["re"], dtype=np.float64)
    else:
        measured = out["re"] + 1j * out["im"].astype(np.float64)
    if cfg.bfp:                 # ifft(fft(x) W) ~= output * 2**(exponent - log2 n)
        measured = measured * 2.0 ** (np.asarray(r0.outputs["exponent"], dtype=np.float64) - cfg.log2n)
    c1 = compare_job(cfg, jobs[1], res[1]) if stalls else None
    rep = CheckReport(
        name=cfg.name, frames=frames0, bit_exact=not any(c0["mismatches"].values()),
        mismatches=c0["mismatches"], first_mismatch=c0["first_mismatch"] or (c1 or {}).get("first_mismatch"),
        sqnr_db=sqnr_db(ref, measured), sqnr_bound_db=bound,
        latency_cycles=r0.latency, latency_expected=cfg.latency_cycles,
        # relative to the mode's full rate: F frames take (F-1)*n + hop cycles
        # (overlap-save: hop new samples per n-cycle frame; circular: hop = n);
        # with P lanes (P samples per transfer) full rate is P samples/cycle
        # (counted in transfers of P samples: hop/P per frame of n/P cycles)
        input_samples_per_cycle=cfg.lanes * ((r0.accepted // (cfg.hop // cfg.lanes) - 1) * fc
                                             + cfg.hop // cfg.lanes) / r0.in_span,
        output_gaps=max(r0.out_gaps - _expected_gaps(cfg, r0), 0),
        stalled_bit_exact=(not any(c1["mismatches"].values())) if stalls else None,
        stall_mismatches=c1["mismatches"] if stalls else None,
        lanes=cfg.lanes,
    )
    # runtime cores: what the stall run saw of the weight port (for tests/reports)
    rep.stall_wseq = c1["wseq"] if stalls else None
    rep.writes_offered = len(jobs[1].writes["addr"]) if stalls and jobs[1].writes is not None else 0
    rep.writes_accepted = res[1].aux_accepted.get("weights", 0) if stalls else 0
    return rep


def _expected_gaps(cfg: FilterConfig, r) -> int:
    """Output gaps a full-rate core shows anyway: overlap-save drops taps-1
    outputs ((taps-1)/P transfers) of each frame, at most that many per frame
    in the measured window."""
    if cfg.mode != "overlap_save":
        return 0
    return (cfg.taps - 1) // cfg.lanes * (r.emitted // (cfg.hop // cfg.lanes))
