"""modReLU part and whole FFTNet cores in Amaranth's simulator against the
bit-true models, every word, random stalls."""

import numpy as np
import pytest
from amaranth.sim import Simulator

from fftforge.filter_config import FFTNetConfig, modrelu_latency
from fftforge.hdl.filter import FilterCore
from fftforge.hdl.fftnet import FFTNetCore
from fftforge.hdl.modrelu import ModReLU
from fftforge.pyref.fftnet import FFTNetModel
from fftforge.pyref.modrelu import ModReLUModel
from fftforge.pyref.stimulus import make_stimulus
from fftforge.sim.check_filter import random_bias, random_weights
from streamsim import run_stream


@pytest.mark.parametrize("rounding", ["convergent", "truncate"])
def test_modrelu_matches_twin(rounding):
    wi, wo, bw, it, g = 11, 12, 11, 9, 5
    dut = ModReLU(wi, wo, bw, it, g, rounding)
    model = ModReLUModel(wi, wo, it, g, rounding)
    rng = np.random.default_rng(1)
    count = 300
    re = rng.integers(-700, 700, count)
    im = rng.integers(-700, 700, count)
    re[:20] = rng.integers(-2, 3, 20)
    im[:20] = rng.integers(-2, 3, 20)
    re[20], im[20] = 0, 0
    b = rng.integers(-900, 900, count)
    exp_re, exp_im, _ = model(re, im, b)
    lat = modrelu_latency(it, wi, g)
    assert dut.latency == lat
    got = []

    async def tb(ctx):
        for t in range(count + lat):
            if t < count:
                ctx.set(dut.i.re, int(re[t]))
                ctx.set(dut.i.im, int(im[t]))
                ctx.set(dut.bias, int(b[t]))
            await ctx.tick()
            if t >= lat - 1:
                got.append((ctx.get(dut.o.re), ctx.get(dut.o.im)))

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(tb)
    sim.run()
    got = np.array(got[:count])
    assert np.array_equal(got[:, 0], exp_re) and np.array_equal(got[:, 1], exp_im)


@pytest.mark.parametrize("d,weights", [(3, "rom"), (1, "runtime")])
def test_fftnet_core_bit_exact_under_stalls(d, weights):
    cfg0 = FFTNetConfig(n=16, width=10, coef_width=12, channels=d, weights=weights)
    rng = np.random.default_rng(d)
    wr, wi = random_weights(cfg0, rng)
    cfg = cfg0.replace(weights_re=wr.ravel(), weights_im=wi.ravel(), bias=tuple(random_bias(cfg0, rng)))
    frames = d + 3
    re, _ = make_stimulus("random", frames, cfg.n, cfg.width, rng)
    y_re, _, ovf = FFTNetModel(cfg)(re, np.zeros_like(re))
    samples = [{"re": a} for a in re.ravel()]
    outs, _, _ = run_stream(FFTNetCore(cfg), samples, p_valid=0.7, p_ready=0.7, seed=d, fields=("re",),
                            out_fields=("re", "last", "overflow"))
    got = {f: np.array([o[f] for o in outs]).reshape(frames, cfg.n) for f in outs[0]}
    assert np.array_equal(got["re"], y_re)
    assert np.array_equal(got["overflow"].astype(bool), ovf)


def test_fftnet_core_needs_fftnet_config():
    from fftforge.filter_config import FilterConfig
    with pytest.raises(TypeError, match="FFTNetConfig"):
        FFTNetCore(FilterConfig(n=16))
    assert isinstance(FFTNetCore(FFTNetConfig(n=16)), FilterCore)


@pytest.mark.parametrize("d", [2, 3])
def test_fftnet_real_pairs_core_bit_exact_under_stalls(d):
    from fftforge.hdl.filter import PairBuffer  # noqa: F401  (the part under test)
    cfg0 = FFTNetConfig(n=16, width=10, coef_width=12, channels=d, real_pairs=True)
    rng = np.random.default_rng(30 + d)
    wr, wi = random_weights(cfg0, rng)
    cfg = cfg0.replace(weights_re=wr.ravel(), weights_im=wi.ravel(), bias=tuple(random_bias(cfg0, rng)))
    frames = d + 3
    re, im = make_stimulus("random", frames, cfg.n, cfg.width, rng)
    y_re, y_im, ovf = FFTNetModel(cfg)(re, im)
    samples = [{"re": a, "im": b} for a, b in zip(re.ravel(), im.ravel())]
    outs, _, _ = run_stream(FFTNetCore(cfg), samples, p_valid=0.7, p_ready=0.7, seed=d)
    got = {f: np.array([o[f] for o in outs]).reshape(frames, cfg.n) for f in outs[0]}
    assert np.array_equal(got["re"], y_re) and np.array_equal(got["im"], y_im)
    assert np.array_equal(got["overflow"].astype(bool), ovf)


@pytest.mark.parametrize("weights, rounding, p", [("rom", "convergent", 0.7), ("runtime", "truncate", 0.6),
                                                  ("rom", "truncate", 1.0)])
def test_bfp_fftnet_core_bit_exact_under_stalls(weights, rounding, p):
    """Block floating point FFTNet: every word and the ``exponent`` field
    (the block scaler's ``e2``, constant over a frame) equal the bit-true
    model's, frames of levels FS .. FS/1024 back to back, biases positive,
    negative and zero (channels 0, 1, 2; the large one lifts ``e2`` above
    the forward exponent on the small frames), under random valid/ready
    stalls; without stalls (``p`` = 1) the first output comes exactly
    ``latency_cycles`` after the first input."""
    from fftforge.pyref.bfp import gaussian_frames
    cfg0 = FFTNetConfig(n=16, width=10, coef_width=12, channels=3, weights=weights, rounding=rounding,
                        scaling="bfp")
    rng = np.random.default_rng(7)
    wr, wi = random_weights(cfg0, rng)
    cfg = cfg0.replace(weights_re=wr.ravel(), weights_im=wi.ravel(), bias=(1000, -37, 0))
    divs = (1, 1024, 8, 64, 2, 256, 1, 16, 4, 128, 1, 512)
    divs = divs * (1 + cfg.latency_cycles // (cfg.n * len(divs)))   # streaming: never dry before the first output
    re = np.concatenate([gaussian_frames(cfg.n, cfg.width, 2.0 ** (cfg.width - 1) / d, 1, rng)[0] for d in divs])
    y_re, _, ovf, e = FFTNetModel(cfg)(re, np.zeros_like(re))
    e_fwd = FFTNetModel(cfg).forward(re, np.zeros_like(re))[2]
    assert len(set(e.tolist())) >= 3 and (e > e_fwd).any() and (e == e_fwd).any(), (e, e_fwd)
    samples = [{"re": a} for a in re.ravel()]
    outs, first_in, first_out = run_stream(FFTNetCore(cfg), samples, p_valid=p, p_ready=p, seed=len(weights),
                                           fields=("re",), out_fields=("re", "last", "overflow", "exponent"))
    got = {f: np.array([o[f] for o in outs]).reshape(len(divs), cfg.n) for f in outs[0]}
    assert np.array_equal(got["re"], y_re)
    assert np.array_equal(got["exponent"], np.repeat(e[:, None], cfg.n, axis=1))
    assert not got["overflow"].any() and not ovf.any()
    if p == 1.0:
        assert first_out - first_in == cfg.latency_cycles
