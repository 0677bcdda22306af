"""Filter configuration, bit-true model parts and whole-model SQNR against
the float reference (bound derived in fftforge.pyref.filter), named designs,
runtime-weight state and overlap-save against numpy.convolve."""

import numpy as np
import pytest

from fftforge.config import ConfigError
from fftforge.config import CE_REGISTER_LATENCY, OUTPUT_LATENCY, RAM_LATENCY, cmul_latency
from fftforge.filter_config import FFTNetConfig, FilterConfig, modrelu_latency, mul_latency
from fftforge.pyref.filter import (FilterModel, bin_multiply, design_weights, filter_float,
                                   filter_sqnr_bound_db, frame_weights, overlap_save_collect,
                                   overlap_save_frames, quantise_weights, sqnr_db, weights_after)
from fftforge.pyref.stimulus import make_stimulus
from fftforge.sim.check_filter import random_weights


@pytest.mark.parametrize("kw, words", [
    (dict(n=12), "n must be a power of two"),
    (dict(width=30), "width must be in [4, 24]"),
    (dict(channels=0), "channels must be in [1, 4096]"),
    (dict(channels=5000), "channels must be in [1, 4096]"),
    (dict(coef_width=2), "coef_width must be in [4, 27]"),
    (dict(weights="ram"), "weights must be one of"),
    (dict(mode="overlap_save", taps=200, n=256), "taps must be in [2, 128]"),
    (dict(mode="overlap_save", taps=10, channels=2), "channels must be 1 in overlap_save"),
    (dict(taps=5), "taps is only allowed"),
    (dict(n=16, weights_re=[0] * 15, weights_im=[0] * 15), "weights_re must have 16 entries"),
    (dict(n=16, coef_width=8, weights_re=[128] * 16, weights_im=[1] * 16), "weights_re must be in [-127, 127]"),
    (dict(n=16, coef_width=8, weights_re=[127] * 16, weights_im=[20] * 16), "|W| <= 1"),
])
def test_config_errors_name_parameter_and_range(kw, words):
    with pytest.raises(ConfigError) as e:
        FilterConfig(**kw)
    assert words in str(e.value)


def test_fftnet_config_errors():
    with pytest.raises(ConfigError, match="bias must have 3 entries"):
        FFTNetConfig(n=16, channels=3, bias=(1, 2))
    with pytest.raises(ConfigError, match=r"bias must be in \[-65535, 65535\]"):
        FFTNetConfig(n=16, bias=(70000,))
    with pytest.raises(ConfigError, match="iterations must be in"):
        FFTNetConfig(n=16, iterations=2)


def test_latency_is_sum_of_parts_and_dict_roundtrip():
    cfg = FilterConfig(n=64, channels=3, weights="runtime")
    assert cfg.mul_slots == mul_latency(17, 16) == RAM_LATENCY + cmul_latency(17, 16) + 2 == 8
    assert cfg.latency_cycles == (cfg.fft_forward.pipeline_latency + cfg.mul_slots
                                  + cfg.fft_inverse.pipeline_latency + CE_REGISTER_LATENCY + OUTPUT_LATENCY)
    assert FilterConfig.from_dict(cfg.to_dict()) == cfg
    net = FFTNetConfig(n=16, channels=2, bias=(3, -4))
    assert FFTNetConfig.from_dict(net.to_dict()) == net
    assert net.modrelu_slots == modrelu_latency(net.iterations, net.mul_width, net.guard)
    assert net.latency_cycles == cfg.replace(n=16).latency_cycles + net.modrelu_slots


def test_bin_multiply_is_rounded_exact_product():
    cfg = FilterConfig(n=16, width=12, coef_width=10)
    rng = np.random.default_rng(1)
    x = rng.integers(-2048, 2048, (2, 1000))    # |X| <= sqrt(2) * 2**(width-1), the forward bound
    w_re, w_im = random_weights(cfg, rng, 1000)
    y_re, y_im, ovf = bin_multiply(x[0], x[1], w_re, w_im, cfg)
    exact = (x[0] + 1j * x[1]) * (w_re + 1j * w_im) / 2 ** 9
    assert not ovf.any()
    assert np.max(np.abs(y_re - exact.real)) <= 0.5 and np.max(np.abs(y_im - exact.imag)) <= 0.5


CASES = [(n, d) for n in (16, 64, 256, 1024) for d in (1, 3, 8)]


@pytest.mark.parametrize("n,d", CASES)
def test_model_sqnr_meets_derived_bound(n, d):
    rng = np.random.default_rng(n + d)
    cfg0 = FilterConfig(n=n, channels=d)
    wr, wi = random_weights(cfg0, rng)
    cfg = cfg0.replace(weights_re=wr.ravel(), weights_im=wi.ravel())
    frames = 2 * d + 4
    re, im = make_stimulus("random", frames, n, cfg.width, rng)
    y_re, y_im, ovf = FilterModel(cfg)(re, im)
    assert not ovf.any()
    f_re, f_im, _ = frame_weights(cfg, frames)
    w = cfg.weights_float(f_re, f_im)
    ref = filter_float(cfg, re + 1j * im, w)
    s = sqnr_db(ref, y_re + 1j * y_im)
    bound = filter_sqnr_bound_db(cfg, ref, float(np.mean(re ** 2 + im ** 2)), w)
    assert s >= bound, (s, bound)
    # and the bound is a prediction, not a floor far below the measurement
    assert s - bound < 6, (s, bound)


def test_named_designs():
    n, cw = 64, 16
    (lr, li), _ = design_weights("lowpass", n, cw, cutoff=0.1)
    f = np.fft.fftfreq(n)
    assert np.all((lr > 0) == (np.abs(f) <= 0.1)) and not li.any()
    (hr, hi), _ = design_weights("hilbert", n, cw)
    assert not hr.any() and np.all(np.sign(hi) == -np.sign(f) * (np.arange(n) != n // 2))
    (br, bi), _ = design_weights("bandpass", n, cw, cutoff=(0.1, 0.2))
    assert np.all((br > 0) == ((np.abs(f) >= 0.1) & (np.abs(f) <= 0.2)))
    (wr, wi), h = design_weights("lowpass", n, cw, cutoff=0.2, taps=15)
    assert len(h) == 15 and np.max(wr.astype(float) ** 2 + wi.astype(float) ** 2) <= 2.0 ** 30
    with pytest.raises(ValueError, match="design must be one of"):
        design_weights("notch", n, cw)


def test_quantise_weights_keeps_unit_disc():
    w = np.exp(2j * np.pi * np.arange(1000) / 1000)
    re, im = quantise_weights(w, 8)
    assert np.max(re * re + im * im) <= 128 * 128


def test_weights_after_applies_prefix_of_writes():
    cfg = FFTNetConfig(n=16, channels=2, bias=(5, 6))
    writes = {"addr": np.array([3, 16 + 1, 32 + 1, 40]), "re": np.array([7, 8, -9, 1]),
              "im": np.array([1, 2, 0, 0])}
    w_re, w_im, b = weights_after(cfg, writes, 3)
    assert w_re[0, 3] == 7 and w_im[0, 3] == 1 and w_re[1, 1] == 8 and b[1] == -9 and b[0] == 5
    w_re, _, b = weights_after(cfg, writes, 1)
    assert w_re[1, 1] == w_re[1, 2] and b[1] == 6


@pytest.mark.parametrize("design,cutoff", [("lowpass", 0.15), ("bandpass", (0.05, 0.2)), ("hilbert", None)])
def test_overlap_save_equals_linear_convolution(design, cutoff):
    """A continuous random stream of >= 20 frames through the bit-true model
    in overlap-save framing equals numpy.convolve with the FIR (no seams), to
    the derived SQNR bound."""
    n, taps = 64, 17
    (wr, wi), h = design_weights(design, n, 16, cutoff=cutoff, taps=taps)
    cfg = FilterConfig(n=n, mode="overlap_save", taps=taps, weights_re=wr, weights_im=wi)
    rng = np.random.default_rng(5)
    length = 22 * cfg.hop
    x = rng.integers(-2 ** 15, 2 ** 15, length) + 1j * rng.integers(-2 ** 15, 2 ** 15, length)
    frames = overlap_save_frames(cfg, x)
    assert frames.shape[0] >= 20
    y_re, y_im, _ = FilterModel(cfg)(frames.real.astype(np.int64), frames.imag.astype(np.int64))
    y = overlap_save_collect(cfg, y_re + 1j * y_im)[:length]
    hq = np.fft.ifft(cfg.weights_float()[0])[:taps]         # the FIR the quantised weights realise
    assert np.max(np.abs(np.fft.ifft(cfg.weights_float()[0])[taps:])) < 1e-3
    ref = np.convolve(x, hq)[:length]
    w = cfg.weights_float(*frame_weights(cfg, frames.shape[0])[:2])
    bound = filter_sqnr_bound_db(cfg, ref, float(np.mean(np.abs(x) ** 2)), w)
    s = sqnr_db(ref, y)
    assert s >= bound, (s, bound)
    # the quantised FIR is the designed one up to coefficient rounding
    assert np.max(np.abs(hq.real - h)) < 1e-3


@pytest.mark.parametrize("n,d", CASES)
def test_real_pairs_model_sqnr_meets_derived_bound(n, d):
    """Two real channels per complex frame: the output's re/im are the two
    channels' Re(ifft(fft(x) W)) -- against the float reference, per-channel
    weights 2f and 2f+1 mod D."""
    from fftforge.sim.check_filter import reference, filter_job
    rng = np.random.default_rng(7 * n + d)
    cfg0 = FilterConfig(n=n, channels=d, real_pairs=True)
    wr, wi = random_weights(cfg0, rng)
    cfg = cfg0.replace(weights_re=wr.ravel(), weights_im=wi.ravel())
    job = filter_job(cfg, 2 * d + 4, seed=n + d)
    ref, bound = reference(cfg, job)
    s = sqnr_db(ref, job.expected["re"] + 1j * job.expected["im"])
    assert bound <= s < bound + 6, (s, bound)


def test_real_pairs_separation_is_exact():
    """Separating the spectra of x_a + j x_b by conjugate symmetry: the
    doubled spectra are Hermitian, recombine exactly to 2 Z, and equal twice
    each real channel's DFT (exactly, for an exact integer spectrum)."""
    from fftforge.pyref.filter import mirror, pair_separate
    rng = np.random.default_rng(2)
    z_re, z_im = rng.integers(-1000, 1000, (2, 3, 16))
    (a_re, a_im), (b_re, b_im) = pair_separate(z_re, z_im)
    for v in ((a_re, a_im), (b_re, b_im)):
        m_re, m_im = mirror(*v)
        assert np.array_equal(m_re, v[0]) and np.array_equal(m_im, v[1])      # Hermitian
    assert np.array_equal(a_re - b_im, 2 * z_re) and np.array_equal(a_im + b_re, 2 * z_im)
    # the same identity on a float spectrum: twice each channel's DFT
    a, b = rng.integers(-100, 100, (2, 3, 16))
    x = np.fft.fft(a + 1j * b, axis=1)
    xa, xb = np.fft.fft(a, axis=1), np.fft.fft(b, axis=1)
    q = np.conj(np.roll(x[:, ::-1], 1, axis=1))
    assert np.allclose(x + q, 2 * xa) and np.allclose(-1j * (x - q), 2 * xb)
