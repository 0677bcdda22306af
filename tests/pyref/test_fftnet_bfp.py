"""Block-floating-point FFTNet layers (``FFTNetConfig(scaling="bfp")``): the
configuration (widths, exponent range, latency, refusals) and the bit-true
model (the bfp filter's forward FFT and multiply on the mantissas, the block
scaler's ``e2``, ``d``, ``b'`` and shift, modReLU, the unscaled inverse),
with the SQNR of ``output * 2**(exponent - log2 n)`` against the float
layer (:func:`fftforge.pyref.fftnet.fftnet_float`) bounded by the noise
model of :func:`fftforge.pyref.fftnet.bfp_fftnet_noise_power`."""

import numpy as np
import pytest

from fftforge.config import ConfigError, FFTConfig
from fftforge.filter_config import BFP_SHIFT_LATENCY, FFTNetConfig
from fftforge.pyref.bfp import gaussian_frames
from fftforge.pyref.fftnet import (FFTNetModel, bfp_bias, bfp_fftnet_sqnr_bound_db, block_shift, fftnet_float,
                                   sqnr_db)
from fftforge.pyref.filter import frame_weights
from fftforge.pyref.modrelu import ModReLUModel
from fftforge.sim.check_filter import random_weights

LEVELS = (4, 16, 64, 256, 1024)       # Gaussian sigma = FS / level
# measured SQNR - bound of the moderate-bias cases below (n 64 .. 1024, both
# roundings, every level): +1.3 .. +9.6 dB (the CORDIC term of the bound is a
# worst case, as for the scaled layer); the upper check
UPPER_GAP_DB = 13.0
# bias-dominated frames (|b| 4 .. 64 x the spectrum's rms; the ones where e2
# rises above e): the linearised modReLU noise (M/A)**2 is dominated by the few
# bins of smallest |Y|, so the realised noise scatters far more than the
# margin's chi-square allows; measured shortfall below the bound at most 3.0 dB
BIAS_DOMINATED_DB = 4.0


@pytest.mark.parametrize("kw, words", [
    (dict(lanes=2), "lanes must be 1 with scaling='bfp', got 2"),
    (dict(real_pairs=True), "real_pairs is not available with scaling='bfp'"),
    (dict(target="ice40"), "target must be 'generic' or 'ecp5' with scaling='bfp', got 'ice40'"),
])
def test_refusals_name_the_option(kw, words):
    with pytest.raises(ConfigError) as e:
        FFTNetConfig(n=64, scaling="bfp", **kw)
    assert words in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("n, width", [(8, 8), (16, 10), (256, 16), (1024, 16)])
def test_widths_exponent_and_latency_come_from_the_parts(n, width):
    cfg = FFTNetConfig(n=n, width=width, scaling="bfp", target="ecp5")
    scaled = cfg.replace(scaling="scaled")
    fwd = FFTConfig(n=n, width=width, scaling="bfp", target="ecp5", name="fftnet_fwd")
    assert cfg.fft_forward == fwd and fwd.max_exponent <= cfg.log2n
    assert cfg.mul_width == width + 3 and cfg.spectrum_width == cfg.inverse_width == width + 4
    assert cfg.bfp_bias_log2 == width + 2 and cfg.modrelu_bias_width == width + 4
    assert cfg.max_exponent == max(fwd.max_exponent, cfg.log2n - 2)
    assert cfg.exponent_width == cfg.max_exponent.bit_length() and cfg.scale_log2 == -cfg.log2n
    parts = cfg.latency_parts
    assert parts["block_shift"] == BFP_SHIFT_LATENCY and "block_shift" not in scaled.latency_parts
    assert sum(parts.values()) == cfg.latency_cycles
    assert parts["forward_fft"] == fwd.pipeline_latency and parts["inverse_fft"] == cfg.fft_inverse.pipeline_latency
    assert cfg.to_dict()["scaling"] == "bfp" and FFTNetConfig.from_dict(cfg.to_dict()) == cfg


def test_bias_scaler_bounds():
    """Every forward exponent and every bias of the range: ``e2 >= e``,
    ``e2 <= min(L, max_exponent)``, ``b' = b 2**(L - e2)`` exactly, ``|b'|
    <= 2**(width+2)``, and ``e2`` is the smallest exponent >= e with that
    bound (one less would not fit); ``b = 0`` leaves ``e2 = e``."""
    cfg = FFTNetConfig(n=256, width=10, scaling="bfp")
    L, c, lim = cfg.log2n, cfg.bfp_bias_log2, (1 << cfg.width) - 1
    b = np.arange(-lim, lim + 1)
    for e in range(cfg.fft_forward.max_exponent + 1):
        d, b2, e2 = bfp_bias(cfg, np.full(b.shape, e), b)
        assert (e2 >= e).all() and (e2 <= min(L, cfg.max_exponent)).all() and (d == e2 - e).all()
        assert np.array_equal(b2, b * 2 ** (L - e2)) and np.abs(b2).max() <= 2 ** c
        lower = e2 > e
        assert (np.abs(b[lower]) * 2 ** (L - e2[lower] + 1) > 2 ** c - 2 ** (L - e2[lower])).all()
        assert (e2[b == 0] == e).all()
    # the worst case fits the modReLU: |Y'| + |b'| within its output width, no clipping
    mr = ModReLUModel(cfg.mul_width, cfg.spectrum_width, cfg.iterations, cfg.guard, cfg.rounding)
    ymax = (1 << (cfg.mul_width - 1)) - 1
    z_re, z_im, ovf = mr(np.array([ymax, ymax, -ymax]), np.array([0, ymax // 2, -1]), 1 << c)
    assert not ovf.any()


def _cfg(n, rounding="convergent", seed=1):
    cfg0 = FFTNetConfig(n=n, channels=4, scaling="bfp", rounding=rounding)
    wr, wi = random_weights(cfg0, np.random.default_rng(seed))
    return cfg0.replace(weights_re=wr.ravel(), weights_im=wi.ravel())


def _level(cfg, div, frames=24, mult=(0, -1, 0.5, 1)):
    """Gaussian frames of sigma FS/div; biases ``mult`` x the spectrum's rms
    at that level (default zero, negative, positive)."""
    sig = 2.0 ** (cfg.width - 1) / div
    rms = sig * np.sqrt(0.5 / cfg.n)
    lim = (1 << cfg.width) - 1
    b = np.clip(np.round(np.array(mult) * rms), -lim, lim).astype(np.int64)
    cfg = cfg.replace(bias=tuple(int(v) for v in b))
    re, _ = gaussian_frames(cfg.n, cfg.width, sig, frames, np.random.default_rng(div))
    w_re, w_im, fb = frame_weights(cfg, frames)
    w = cfg.weights_float(w_re, w_im)
    return cfg, re, w, fb, fftnet_float(re, w, fb)


def test_model_is_the_composition_of_the_parts():
    cfg, re, w, fb, _ = _level(_cfg(64), 4, frames=8, mult=(64, 0, -4, 1))
    model = FFTNetModel(cfg)
    zero = np.zeros_like(re)
    o_re, o_im, ovf, e2 = model(re, zero)
    y_re, y_im, _, e = model.weighted(re, zero)
    d, b2, e2b = bfp_bias(cfg, e, fb)
    assert np.array_equal(e2, e2b) and e2.dtype == np.int64 and (d > 0).any() and (d == 0).any()
    s_re, s_im = block_shift(y_re, y_im, d, cfg.rounding)
    z_re, z_im, _ = model.modrelu(s_re, s_im, b2[:, None])
    assert np.array_equal(o_re, model.inv(z_re, z_im)[0]) and not o_im.any() and not ovf.any()


@pytest.mark.parametrize("n, rounding", [(256, "convergent"), (64, "truncate"), (1024, "convergent")])
def test_sqnr_meets_the_noise_model_at_every_level(n, rounding):
    """SQNR of output * 2**(exponent - log2 n) against the float layer, by
    Gaussian level: at least the noise model's prediction less its margin,
    at most UPPER_GAP_DB above it; at least 15 dB above the scaled layer's
    at every level."""
    base = _cfg(n, rounding)
    for div in LEVELS:
        cfg, re, w, fb, ref = _level(base, div)
        o = FFTNetModel(cfg)(re, np.zeros_like(re))
        assert not o[2].any()
        s = sqnr_db(ref, o[0] * 2.0 ** (o[3][:, None] - cfg.log2n))
        bound = bfp_fftnet_sqnr_bound_db(cfg, ref, re, w, fb)
        assert bound <= s < bound + UPPER_GAP_DB, (div, s, bound)
        s0 = sqnr_db(ref, FFTNetModel(cfg.replace(scaling="scaled"))(re, np.zeros_like(re))[0])
        assert s > s0 + 15, (div, s, s0)


@pytest.mark.parametrize("n, rounding", [(64, "truncate"), (256, "convergent"), (1024, "convergent")])
def test_bias_dominated_frames(n, rounding):
    """Biases 4, 16, 64 and -4 times the spectrum's rms, where e2 rises above
    e on the loud frames (Y shifted right to make room for b'): the SQNR is
    at most BIAS_DOMINATED_DB below the noise model's bound, and at least
    10 dB above the scaled layer's, at every level."""
    base = _cfg(n, rounding)
    lifted = 0
    for div in LEVELS:
        cfg, re, w, fb, ref = _level(base, div, mult=(4, 16, 64, -4))
        model = FFTNetModel(cfg)
        o = model(re, np.zeros_like(re))
        lifted += int(np.sum(o[3] > model.forward(re, np.zeros_like(re))[2]))
        s = sqnr_db(ref, o[0] * 2.0 ** (o[3][:, None] - cfg.log2n))
        bound = bfp_fftnet_sqnr_bound_db(cfg, ref, re, w, fb)
        assert bound - BIAS_DOMINATED_DB <= s < bound + UPPER_GAP_DB, (div, s, bound)
        s0 = sqnr_db(ref, FFTNetModel(cfg.replace(scaling="scaled"))(re, np.zeros_like(re))[0])
        assert s > s0 + 10, (div, s, s0)
    assert lifted > 0
