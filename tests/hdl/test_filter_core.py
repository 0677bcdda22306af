"""Filter parts and whole filter cores in Amaranth's simulator against the
bit-true model: every output word, random valid/ready stalls, channels
advancing per frame (the Verilator benches in tests/sim cover large N and the
weight port under stalls)."""

import numpy as np
import pytest
from amaranth.sim import Simulator

from fftforge.filter_config import FilterConfig
from fftforge.hdl.filter import BinMultiply, FilterCore, OverlapSaveFilter
from fftforge.pyref.filter import FilterModel, bin_multiply, design_weights
from fftforge.pyref.stimulus import make_stimulus
from fftforge.sim.check_filter import random_weights
from streamsim import run_stream


def test_bin_multiply_matches_twin():
    cfg = FilterConfig(n=16, width=10, coef_width=9, rounding="truncate")
    dut = BinMultiply(cfg.fft_forward.output_width, cfg.coef_width, cfg.mul_width, cfg.rounding)
    rng = np.random.default_rng(0)
    count = 200
    x = rng.integers(-512, 512, (2, count))
    w_re, w_im = random_weights(cfg, rng, count)
    exp_re, exp_im, _ = bin_multiply(x[0], x[1], w_re, w_im, cfg)
    got = []
    lat = dut.latency

    async def tb(ctx):
        for t in range(count + lat + 1):
            if t < count:
                ctx.set(dut.i.re, int(x[0, t]))
                ctx.set(dut.i.im, int(x[1, t]))
            if 1 <= t <= count:   # the coefficient follows its sample by one slot
                ctx.set(dut.coef.re, int(w_re[t - 1]))
                ctx.set(dut.coef.im, int(w_im[t - 1]))
            await ctx.tick()
            if t >= lat - 1:
                got.append((ctx.get(dut.o.re), ctx.get(dut.o.im)))

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(tb)
    sim.run()
    got = np.array(got[:count])
    assert np.array_equal(got[:, 0], exp_re) and np.array_equal(got[:, 1], exp_im)


def run_core(cfg, frames, kind="random", seed=0, p_valid=0.75, p_ready=0.75):
    rng = np.random.default_rng(seed)
    re, im = make_stimulus(kind, frames, cfg.n, cfg.width, rng)
    y_re, y_im, ovf = FilterModel(cfg)(re, im)
    samples = [{"re": a, "im": b} for a, b in zip(re.ravel(), im.ravel())]
    outs, first_in, first_out = run_stream(FilterCore(cfg), samples, p_valid=p_valid, p_ready=p_ready, seed=seed)
    got = {f: np.array([o[f] for o in outs]).reshape(frames, cfg.n) for f in outs[0]}
    assert np.array_equal(got["re"], y_re), "re mismatch"
    assert np.array_equal(got["im"], y_im), "im mismatch"
    assert np.array_equal(got["overflow"].astype(bool), ovf)
    assert (got["last"][:, -1] == 1).all() and (got["last"][:, :-1] == 0).all()
    return first_in, first_out


@pytest.mark.parametrize("d,arch,rounding", [(3, "r22sdf", "convergent"), (8, "r2sdf", "truncate"),
                                             (1, "r2sdf", "convergent")])
def test_filter_core_bit_exact_under_stalls(d, arch, rounding):
    cfg0 = FilterConfig(n=16, width=10, coef_width=12, channels=d, arch=arch, rounding=rounding)
    wr, wi = random_weights(cfg0, np.random.default_rng(d))
    run_core(cfg0.replace(weights_re=wr.ravel(), weights_im=wi.ravel()), frames=d + 2, seed=d)


def test_named_design_core_and_latency_without_stalls():
    (wr, wi), _ = design_weights("hilbert", 16, 12)
    cfg = FilterConfig(n=16, width=10, coef_width=12, weights_re=wr, weights_im=wi)
    frames = cfg.latency_cycles // 16 + 2     # the input never runs dry before the first output
    first_in, first_out = run_core(cfg, frames, kind="tone", p_valid=1.0, p_ready=1.0)
    assert first_out - first_in == cfg.latency_cycles


def test_runtime_core_without_writes_uses_initial_weights():
    cfg0 = FilterConfig(n=16, width=8, coef_width=8, channels=3, weights="runtime")
    wr, wi = random_weights(cfg0, np.random.default_rng(9))
    run_core(cfg0.replace(weights_re=wr.ravel(), weights_im=wi.ravel()), frames=4, seed=4)


@pytest.mark.parametrize("taps", [2, 8])
def test_overlap_save_core_bit_exact_under_stalls(taps):
    from fftforge.sim.check_filter import overlap_save_job
    (wr, wi), _ = design_weights("bandpass", 16, 12, cutoff=(0.1, 0.3), taps=taps)
    cfg = FilterConfig(n=16, width=10, coef_width=12, mode="overlap_save", taps=taps, weights_re=wr,
                       weights_im=wi)
    job = overlap_save_job(cfg, 20, seed=taps)
    re, im = job.inputs["re"], job.inputs["im"]
    samples = [{"re": a, "im": b} for a, b in zip(re.ravel(), im.ravel())]
    outs, _, _ = run_stream(OverlapSaveFilter(cfg), samples, p_valid=0.7, p_ready=0.7, seed=taps)
    got = {f: np.array([o[f] for o in outs]).reshape(re.shape) for f in outs[0]}
    for f in ("re", "im", "last", "overflow"):
        assert np.array_equal(got[f], job.expected[f]), f


@pytest.mark.parametrize("d", [1, 3])
def test_real_pairs_filter_core_bit_exact_under_stalls(d):
    cfg0 = FilterConfig(n=16, width=10, coef_width=12, channels=d, real_pairs=True)
    wr, wi = random_weights(cfg0, np.random.default_rng(20 + d))
    run_core(cfg0.replace(weights_re=wr.ravel(), weights_im=wi.ravel()), frames=d + 3, seed=d)


def _level_frames(cfg, divisors, seed, samples=None):
    """One Gaussian frame (of ``samples``, default n) per divisor (sigma =
    FS / divisor per component): levels changing frame to frame, so the
    block exponent does."""
    from fftforge.pyref.bfp import gaussian_frames
    rng = np.random.default_rng(seed)
    fr = [gaussian_frames(samples or cfg.n, cfg.width, 2.0 ** (cfg.width - 1) / d, 1, rng) for d in divisors]
    return np.concatenate([f[0] for f in fr]), np.concatenate([f[1] for f in fr])


@pytest.mark.parametrize("n,arch,rounding,d,p", [(32, "r22sdf", "convergent", 2, 0.7),
                                                 (16, "r2sdf", "truncate", 1, 0.6),
                                                 (32, "r2sdf", "convergent", 3, 1.0)])
def test_bfp_filter_core_bit_exact_under_stalls(n, arch, rounding, d, p):
    """Block floating point: every word and the ``exponent`` field of every
    word equal the bit-true model's (the exponent constant over each frame,
    the model's exponent of that frame), frames of changing levels back to
    back, under random valid/ready stalls; without stalls (``p`` = 1) the
    first output comes exactly ``latency_cycles`` after the first input."""
    cfg0 = FilterConfig(n=n, width=10, coef_width=12, channels=d, arch=arch, rounding=rounding, scaling="bfp")
    wr, wi = random_weights(cfg0, np.random.default_rng(n + d))
    cfg = cfg0.replace(weights_re=wr.ravel(), weights_im=wi.ravel())
    divs = (1, 512, 8, 64, 2, 256, 1, 16, 4, 128, 1, 1024)
    divs = divs * (1 + cfg.latency_cycles // (n * len(divs)))    # streaming: never dry before the first output
    re, im = _level_frames(cfg, divs, seed=n)
    y_re, y_im, ovf, e = FilterModel(cfg)(re, im)
    assert len(set(e.tolist())) >= 3, e
    samples = [{"re": a, "im": b} for a, b in zip(re.ravel(), im.ravel())]
    outs, first_in, first_out = run_stream(FilterCore(cfg), samples, p_valid=p, p_ready=p, seed=n + d,
                                           out_fields=("re", "im", "last", "overflow", "exponent"))
    got = {f: np.array([o[f] for o in outs]).reshape(len(divs), n) for f in outs[0]}
    assert np.array_equal(got["re"], y_re) and np.array_equal(got["im"], y_im)
    assert np.array_equal(got["exponent"], np.repeat(e[:, None], n, axis=1))
    assert not got["overflow"].any() and not ovf.any()
    assert (got["last"][:, -1] == 1).all() and (got["last"][:, :-1] == 0).all()
    if p == 1.0:
        assert first_out - first_in == cfg.latency_cycles


@pytest.mark.parametrize("taps", [5, 9])
def test_bfp_overlap_save_core_bit_exact_under_stalls(taps):
    """Overlap-save with block floating point: a continuous stream whose
    level changes from hop to hop; every kept output word and its frame's
    ``exponent`` equal the bit-true model's (``lanes.model_stream``), under
    random stalls."""
    from fftforge.pyref import lanes
    (wr, wi), _ = design_weights("bandpass", 32, 12, cutoff=(0.1, 0.3), taps=taps)
    cfg = FilterConfig(n=32, width=10, coef_width=12, mode="overlap_save", taps=taps, weights_re=wr,
                       weights_im=wi, scaling="bfp")
    divs = (1, 256, 4, 64, 2, 16, 512, 1, 8, 128, 1, 32)
    re, im = _level_frames(cfg, divs, seed=taps, samples=cfg.hop)
    y = lanes.model_stream(cfg, re, im)
    exp = lanes.output_words(cfg, *y)
    assert len(set(y[3].tolist())) >= 3, y[3]
    samples = [{"re": a, "im": b} for a, b in zip(re.ravel(), im.ravel())]
    outs, _, _ = run_stream(OverlapSaveFilter(cfg), samples, p_valid=0.7, p_ready=0.7, seed=taps,
                            out_fields=("re", "im", "last", "overflow", "exponent"))
    got = {f: np.array([o[f] for o in outs]).reshape(re.shape) for f in outs[0]}
    for f in ("re", "im", "last", "overflow", "exponent"):
        assert np.array_equal(got[f], exp[f]), f
