"""Block-floating-point spectral filters (``FilterConfig(scaling="bfp")``):
the configuration (widths, latency, refusals) and the bit-true model (the
FFT kind's bfp forward model, the multiply on the mantissas, the unscaled
inverse; the exponent per frame), with the SQNR of ``output *
2**(exponent - log2 n)`` against the float filter bounded by the noise
model of :func:`fftforge.pyref.filter.bfp_filter_noise_power`."""

import numpy as np
import pytest

from fftforge.config import ConfigError, FFTConfig
from fftforge.filter_config import FFTNetConfig, FilterConfig
from fftforge.pyref.bfp import full_scale_frames, gaussian_frames
from fftforge.pyref.fft import FFTModel
from fftforge.pyref.filter import (FilterModel, bfp_filter_sqnr_bound_db, design_weights, filter_float,
                                   filter_sqnr_bound_db, frame_weights, overlap_save_frames, sqnr_db)
from fftforge.sim.check_filter import random_weights

LEVELS = (4, 16, 64, 256, 1024)       # Gaussian sigma = FS / level per component


def _cfg(n=256, channels=1, seed=1, **kw):
    cfg0 = FilterConfig(n=n, channels=channels, scaling="bfp", **kw)
    wr, wi = random_weights(cfg0, np.random.default_rng(seed))
    return cfg0.replace(weights_re=wr.ravel(), weights_im=wi.ravel())


@pytest.mark.parametrize("kw, words", [
    (dict(lanes=2), "lanes must be 1 with scaling='bfp', got 2"),
    (dict(real_pairs=True), "real_pairs is not available with scaling='bfp'"),
    (dict(target="ice40"), "target must be 'generic' or 'ecp5' with scaling='bfp', got 'ice40'"),
    (dict(width=24, twiddle_width=32), "width + twiddle_width too large for scaling='bfp'"),
])
def test_refusals_name_the_option(kw, words):
    with pytest.raises(ConfigError) as e:
        FilterConfig(n=64, scaling="bfp", **kw)
    assert words in str(e.value) and "\n" not in str(e.value)


def test_scaling_values_and_fftnet_refusals():
    with pytest.raises(ConfigError, match="scaling must be one of 'scaled', 'bfp', got 'unscaled'"):
        FilterConfig(n=64, scaling="unscaled")
    # an FFTNet layer takes bfp, with the filter's refusals (tests/pyref/test_fftnet_bfp.py)
    assert FFTNetConfig(n=64, scaling="bfp").bfp
    for kw in (dict(lanes=2), dict(real_pairs=True), dict(target="ice40")):
        with pytest.raises(ConfigError, match="with scaling='bfp'"):
            FFTNetConfig(n=64, scaling="bfp", **kw)
    # "scaled" is the default: the same configuration, and to_dict is unchanged
    assert FilterConfig(n=64, scaling="scaled") == FilterConfig(n=64)
    assert "scaling" not in FilterConfig(n=64).to_dict()
    cfg = FilterConfig(n=64, channels=2, scaling="bfp")
    assert cfg.to_dict()["scaling"] == "bfp" and FilterConfig.from_dict(cfg.to_dict()) == cfg


@pytest.mark.parametrize("n, width", [(16, 10), (256, 16), (1024, 16)])
def test_widths_and_latency_come_from_the_parts(n, width):
    cfg = FilterConfig(n=n, width=width, scaling="bfp")
    fwd = FFTConfig(n=n, width=width, scaling="bfp", name="filt_fwd")
    assert cfg.fft_forward == fwd
    # mantissas width + 2; Y one bit more (|M| up to sqrt(2) times a component's range)
    assert cfg.mul_in_width == fwd.output_width == width + 2
    assert cfg.mul_width == cfg.inverse_width == width + 3 == cfg.fft_inverse.width
    assert cfg.fft_inverse.scaling == "unscaled" and cfg.output_width == cfg.fft_inverse.output_width
    assert cfg.exponent_width == fwd.exponent_width and cfg.max_exponent == fwd.max_exponent
    assert cfg.scale_log2 == -cfg.log2n
    parts = cfg.latency_parts
    assert parts["forward_fft"] == fwd.pipeline_latency
    assert sum(parts.values()) == cfg.latency_cycles


def test_model_is_the_composition_of_the_parts():
    cfg = _cfg(n=64, channels=3)
    rng = np.random.default_rng(2)
    frames = []
    for div in (1, 512, 4, 64, 2, 1024):
        frames.append(gaussian_frames(64, 16, 2 ** 15 / div, 1, rng))
    re = np.concatenate([f[0] for f in frames])
    im = np.concatenate([f[1] for f in frames])
    y_re, y_im, ovf, e = FilterModel(cfg)(re, im)
    x_re, x_im, _, e_fwd = FFTModel(cfg.fft_forward)(re, im)
    assert np.array_equal(e, e_fwd) and e.dtype == np.int64 and e.shape == (6,)
    assert len(set(e.tolist())) >= 3, e                 # the levels give different exponents
    assert not ovf.any()
    # each frame alone gives the same words and exponent (nothing shared between frames)
    for f in (1, 4):
        one = FilterModel(cfg.replace(channels=3))(re[f:f + 1], im[f:f + 1],
                                                   weights=tuple(w[f:f + 1] for w in frame_weights(cfg, 6)[:2]))
        assert np.array_equal(one[0][0], y_re[f]) and one[3][0] == e[f]


def test_multiply_needs_and_has_its_extra_bit():
    """A tone at 45 degrees whose bin has both components just below a power
    of two (amplitude 2**20 sqrt(2) / 64: 64 A / sqrt(2) = 2**20 - 10) gives
    a mantissa with both components near 2**(width+1); a unit weight
    rotating it onto the real axis gives |Re Y| ~ sqrt(2) * 2**(width+1),
    beyond width + 2 bits: the multiply's width + 3 bits hold it, and
    nothing overflows."""
    cfg0 = FilterConfig(n=64, scaling="bfp")
    w = np.full(64, np.exp(-1j * np.pi / 4) * (1 - 2 ** -14))
    lim = 1 << (cfg0.coef_width - 1)
    cfg = cfg0.replace(weights_re=np.round(w.real * lim).astype(int), weights_im=np.round(w.imag * lim).astype(int))
    t = np.arange(64)
    x = 23170 * np.exp(1j * (2 * np.pi * 5 * t / 64 + np.pi / 4))
    re, im = np.round(x.real).astype(np.int64)[None], np.round(x.imag).astype(np.int64)[None]
    y_re, y_im, ovf, e = FilterModel(cfg).weighted(re, im)
    assert not ovf.any()
    assert np.max(np.abs(y_re)) >= 2 ** (cfg.width + 1)          # would clip in width + 2 bits
    assert np.max(np.abs(y_re)) < 2 ** (cfg.mul_width - 1)
    # the full-scale stress frames: no overflow anywhere
    for kind in ("tone", "random", "impulse", "dc"):
        a, b = full_scale_frames(kind, 64, 16)
        assert not FilterModel(_cfg(n=64))(a, b)[2].any(), kind


def _sqnr(cfg, div, frames=24):
    re, im = gaussian_frames(cfg.n, cfg.width, 2.0 ** (cfg.width - 1) / div, frames, np.random.default_rng(div))
    out = FilterModel(cfg)(re, im)
    w = cfg.weights_float(*frame_weights(cfg, frames)[:2])
    ref = filter_float(cfg, re + 1j * im, w)
    y = out[0] + 1j * out[1].astype(float)
    if cfg.bfp:
        y = y * 2.0 ** (out[3][:, None] - cfg.log2n)
        return sqnr_db(ref, y), bfp_filter_sqnr_bound_db(cfg, ref, re, im, w)
    return sqnr_db(ref, y), filter_sqnr_bound_db(cfg, ref, float(np.mean(np.abs(re + 1j * im) ** 2)), w)


@pytest.mark.parametrize("n, rounding", [(256, "convergent"), (64, "truncate"), (1024, "convergent")])
def test_sqnr_meets_the_noise_model_at_every_level(n, rounding):
    """SQNR of output * 2**(exponent - log2 n) against the float filter, by
    Gaussian level: at least the noise model's prediction less its margin,
    and within 3 dB of it (a prediction, not a loose floor); above the
    scaled filter's at every level."""
    cfg = _cfg(n=n, rounding=rounding)
    scaled = cfg.replace(scaling="scaled")
    for div in LEVELS:
        s, bound = _sqnr(cfg, div)
        assert bound <= s < bound + 3, (div, s, bound)
        s0, _ = _sqnr(scaled, div)
        assert s > s0 + 15, (div, s, s0)


def test_overlap_save_matches_convolution_per_frame_exponent():
    """Overlap-save: each frame's kept outputs carry that frame's exponent;
    output * 2**(exponent - log2 n) against numpy.convolve meets the noise
    model on a stream whose level changes from hop to hop."""
    from fftforge.pyref import lanes
    (wr, wi), h = design_weights("lowpass", 256, 16, cutoff=0.1, taps=33)
    cfg = FilterConfig(n=256, mode="overlap_save", taps=33, weights_re=wr, weights_im=wi, scaling="bfp")
    rng = np.random.default_rng(7)
    hops = [gaussian_frames(cfg.hop, 16, 2.0 ** 15 / d, 1, rng) for d in (4, 4, 64, 64, 1024, 1024, 16, 16)]
    re = np.concatenate([a for a, _ in hops])
    im = np.concatenate([b for _, b in hops])
    y_re, y_im, ovf, e = lanes.model_stream(cfg, re, im)
    assert e.shape == (8,) and len(set(e.tolist())) >= 3 and not ovf.any()
    x = (re + 1j * im).reshape(-1)
    w = cfg.weights_float()[0]
    ref = np.convolve(x, np.fft.ifft(w)[:cfg.taps])[:len(x)].reshape(re.shape)
    y = (y_re + 1j * y_im) * 2.0 ** (e[:, None] - cfg.log2n)
    fr = overlap_save_frames(cfg, x)
    for sel in (slice(0, 2), slice(2, 4), slice(4, 6)):      # per level
        bound = bfp_filter_sqnr_bound_db(cfg, ref[sel], fr.real[sel].astype(np.int64),
                                         fr.imag[sel].astype(np.int64), np.broadcast_to(w, (2, 256)))
        assert sqnr_db(ref[sel], y[sel]) >= bound, sel
