"""pyref.weights: filter/FFTNet weights, FIR taps and biases from files or a
named design, checked with one-line errors (``fftforge generate filter``,
``generate fftnet``)."""

import numpy as np
import pytest

from fftforge.errors import UserError
from fftforge.filter_config import FFTNetConfig, FilterConfig
from fftforge.pyref.filter import design_weights, quantise_weights
from fftforge.pyref.weights import (design_filter_weights, fftnet_weights, filter_weights, fir_weights, load_bias,
                                    load_npy, load_weights)


def _save(tmp_path, name, a):
    np.save(tmp_path / name, a)
    return str(tmp_path / name)


def _one_line(e, *needles):
    msg = str(e.value)
    assert "\n" not in msg and all(n in msg for n in needles), msg


def test_load_weights_quantises_complex_and_keeps_integer_words(tmp_path):
    rng = np.random.default_rng(0)
    w = 0.7 * np.exp(2j * np.pi * rng.random((2, 8)))
    re, im = load_weights(_save(tmp_path, "w.npy", w), 8, 2, 12)
    qre, qim = quantise_weights(w, 12)
    assert np.array_equal(re, qre) and np.array_equal(im, qim) and re.shape == (2, 8)
    re, im = load_weights(_save(tmp_path, "w1.npy", w[0]), 8, 1, 12)    # (n,): one channel
    assert re.shape == (1, 8) and np.array_equal(re[0], qre[0])
    words = rng.integers(-2000, 2000, (2, 8, 2))
    re, im = load_weights(_save(tmp_path, "wi.npy", words), 8, 2, 12)
    assert re.dtype == np.int64 and np.array_equal(re, words[..., 0]) and np.array_equal(im, words[..., 1])
    re, im = load_weights(_save(tmp_path, "wi1.npy", words[0]), 8, 1, 12)    # (n, 2): one channel
    assert np.array_equal(im[0], words[0, :, 1])


@pytest.mark.parametrize("array, needles", [
    (np.zeros((3, 8, 2), dtype=np.int64), ("integer weights must have shape (2, 8, 2)",)),
    (np.zeros((2, 4)), ("weights must have shape (2, 8) (or (8,) for one channel)", "got (2, 4)")),
    (np.array([["x"] * 8] * 2), ("weights must be complex or real numbers",)),
    (np.full((2, 8), np.nan), ("weights must be finite",)),
    (np.full((2, 8), 1.5 + 0j), ("|W| <= 1, max |W| = 1.5000",)),
])
def test_load_weights_errors(tmp_path, array, needles):
    path = _save(tmp_path, "w.npy", array)
    with pytest.raises(UserError) as e:
        load_weights(path, 8, 2, 12)
    _one_line(e, path, *needles)


def test_load_npy_names_what_it_reads(tmp_path):
    with pytest.raises(UserError) as e:
        load_npy(str(tmp_path / "nope.npy"), "bias")
    _one_line(e, "cannot read bias file", "nope.npy")
    (tmp_path / "text.npy").write_text("hello")
    with pytest.raises(UserError) as e:
        load_npy(str(tmp_path / "text.npy"), "weights")
    _one_line(e, "cannot read weights file")


def test_load_bias(tmp_path):
    assert load_bias(_save(tmp_path, "b.npy", np.array([1.4, -2.6, 3])), 3, 8) == (1, -3, 3)
    assert load_bias(_save(tmp_path, "b2.npy", np.array([[5, 6, 7]])), 3, 8) == (5, 6, 7)    # (1, D)
    for name, array, needle in (("c.npy", np.array([1j, 0, 0]), "bias must be real numbers"),
                                ("s.npy", np.zeros(4), "bias must have shape (3,), got (4,)"),
                                ("r.npy", np.array([0, 0, 256]), "bias must be within +-255"),
                                ("n.npy", np.array([0, np.inf, 0]), "bias must be within +-255")):
        with pytest.raises(UserError) as e:
            load_bias(_save(tmp_path, name, array), 3, 8)
        _one_line(e, name, needle)


def test_fir_weights(tmp_path):
    cfg = FilterConfig(n=16, mode="overlap_save", taps=5, coef_width=14)
    h = np.array([0.1, 0.2, 0.3, 0.2, 0.1])
    re, im = fir_weights(_save(tmp_path, "h.npy", h), cfg)
    qre, qim = quantise_weights(np.fft.fft(h, 16), 14)
    assert np.array_equal(re, qre) and np.array_equal(im, qim)
    for name, array, needles in (
            ("long.npy", np.full(6, 0.1), ("FIR has 6 taps, more than --taps 5", "n/2 = 8")),
            ("loud.npy", np.array([0.9, 0.9]), ("max|H| = 1.8000 exceeds 1",)),
            ("flat.npy", np.zeros((2, 2)), ("the FIR must be a 1-D array of numbers",))):
        with pytest.raises(UserError) as e:
            fir_weights(_save(tmp_path, name, array), cfg)
        _one_line(e, name, *needles)


def test_design_weights_checks_the_cutoff_and_fills_every_channel():
    cfg = FilterConfig(n=16, channels=3, coef_width=12)
    re, im = design_filter_weights(cfg, "lowpass", 0.2)
    (dre, dim), _ = design_weights("lowpass", 16, 12, cutoff=0.2)
    assert np.array_equal(re, np.tile(dre, 3)) and np.array_equal(im, np.tile(dim, 3))
    design_filter_weights(cfg, "hilbert")                                  # no cutoff needed
    for design, cutoff, needle in (("lowpass", None, "--design lowpass needs --cutoff F"),
                                   ("lowpass", (0.1, 0.2), "--design lowpass needs --cutoff F"),
                                   ("bandpass", 0.1, "--design bandpass needs --cutoff LO,HI"),
                                   ("bandpass", (0.3, 0.2), "--cutoff must be in (0, 0.5)"),
                                   ("lowpass", 0.5, "--cutoff must be in (0, 0.5)")):
        with pytest.raises(UserError) as e:
            design_filter_weights(cfg, design, cutoff)
        _one_line(e, needle)


def test_filter_weights_takes_one_source(tmp_path):
    circ = FilterConfig(n=16)
    ols = FilterConfig(n=16, mode="overlap_save", taps=5)
    fir = _save(tmp_path, "h.npy", np.array([0.25, 0.25]))
    w = _save(tmp_path, "w.npy", np.full(16, 0.5 + 0j))
    assert filter_weights(circ) == circ                                   # the default weights
    got = filter_weights(circ, weights=w)
    assert np.array_equal(got.weights_re, quantise_weights(np.full(16, 0.5 + 0j), circ.coef_width)[0])
    assert np.array_equal(filter_weights(ols, fir=fir).weights_re, fir_weights(fir, ols)[0])
    assert np.array_equal(filter_weights(ols, design="lowpass", cutoff=0.1).weights_re,
                          design_filter_weights(ols, "lowpass", 0.1)[0])
    for cfg, kw, needle in ((circ, dict(weights=w, design="hilbert"), "give at most one of --weights, --design, --fir"),
                            (circ, dict(fir=fir), "--fir needs --mode overlap_save"),
                            (ols, {}, "overlap_save needs --fir or --design"),
                            (ols, dict(weights=w), "overlap_save needs --fir or --design")):
        with pytest.raises(UserError) as e:
            filter_weights(cfg, **kw)
        _one_line(e, needle)


def test_fftnet_weights_and_bias(tmp_path):
    cfg = FFTNetConfig(n=16, channels=2, width=8)
    assert fftnet_weights(cfg) == cfg
    w = _save(tmp_path, "w.npy", np.full((2, 16), 0.25j))
    b = _save(tmp_path, "b.npy", np.array([3.0, -4.0]))
    got = fftnet_weights(cfg, weights=w, bias=b)
    assert tuple(got.bias) == (3, -4)
    assert np.array_equal(got.weights_im, quantise_weights(np.full((2, 16), 0.25j), cfg.coef_width)[1].reshape(-1))
    assert fftnet_weights(cfg, bias=b).weights_re == cfg.weights_re
