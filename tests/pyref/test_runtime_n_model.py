"""The bit-true model of run-time-length cores (``runtime_n``): each frame
is its size's ordinary model, bit for bit where the pipelines are the same
(:func:`fftforge.pyref.fft.tail_parts`), and within the derived SQNR bound
of that size everywhere.  The RTL-vs-model comparison is in
tests/sim/test_runtime_n_cores.py."""

import numpy as np
import pytest

from fftforge.config import FFTConfig
from fftforge.pyref.fft import FFTModel, fft_float, sqnr_db, tail_parts
from fftforge.pyref.noise import sqnr_bound_db
from fftforge.pyref.stimulus import make_stimulus

CASES = [dict(arch=a, n=nmax, runtime_n=8, scaling=sc, order=o, rounding=rd)
         for a in ("r2sdf", "r22sdf") for nmax in (64, 128) for sc in ("scaled", "unscaled")
         for o, rd in (("natural", "convergent"), ("bit_reversed", "truncate"))]


def _frames(cfg, frames, seed, kind="random"):
    rng = np.random.default_rng(seed)
    re, im = make_stimulus(kind, frames, cfg.n, cfg.width, rng)
    lo, hi = cfg.log2n_range
    k = np.resize(np.arange(lo, hi + 1), frames)       # every size, several times
    rng.shuffle(k)
    return re, im, k


def _same_pipeline(cfg, n):
    return cfg.arch == "r2sdf" or (cfg.log2n - (n.bit_length() - 1)) % 2 == 0


@pytest.mark.parametrize("kw", CASES, ids=lambda k: "-".join(str(v) for v in k.values()))
def test_frames_are_their_sizes_models(kw):
    cfg = FFTConfig(direction="runtime", **kw)
    re, im, k = _frames(cfg, 16, 1)
    inv = np.arange(16) % 3 == 0
    y_re, y_im, ovf = FFTModel(cfg)(re, im, inv, k)
    compared = 0
    for f in range(16):
        n = 1 << int(k[f])
        assert not y_re[f, n:].any() and not y_im[f, n:].any()      # zero beyond the frame
        if _same_pipeline(cfg, n):
            z_re, z_im, z_ovf = FFTModel(cfg.at_size(n))(re[f:f + 1, :n], im[f:f + 1, :n], inv[f:f + 1])
            assert np.array_equal(z_re[0], y_re[f, :n]) and np.array_equal(z_im[0], y_im[f, :n]), (f, n)
            assert np.array_equal(z_ovf[0], ovf[f, :n])
            compared += 1
    assert compared >= 16 // 2


@pytest.mark.parametrize("kw", CASES, ids=lambda k: "-".join(str(v) for v in k.values()))
@pytest.mark.parametrize("kind", ["random", "tone"])
def test_sqnr_per_size_meets_its_bound(kw, kind):
    """Per size, against NumPy: the noise model's bound for the parts that
    size's frames go through (tail_parts; the other-parity r22sdf frames
    start with a radix-2 stage and a twiddle part on half its period)."""
    cfg = FFTConfig(**kw)
    re, im, k = _frames(cfg, 24, 2, kind)
    y_re, y_im, ovf = FFTModel(cfg)(re, im, None, k)
    ref = fft_float(cfg, re + 1j * im, None, k)
    assert not ovf.any()
    for kk in np.unique(k):
        n = 1 << int(kk)
        sel = k == kk
        x_re, x_im = re[sel, :n].astype(float), im[sel, :n].astype(float)
        measured = sqnr_db(ref[sel, :n], y_re[sel, :n] + 1j * y_im[sel, :n])
        bound = sqnr_bound_db(cfg, ref[sel, :n], float(np.mean(x_re ** 2 + x_im ** 2)), size=n)
        if _same_pipeline(cfg, n):      # the same parts as the ordinary core of that size: the same bound
            assert bound == sqnr_bound_db(cfg.at_size(n), ref[sel, :n], float(np.mean(x_re ** 2 + x_im ** 2)))
        assert measured >= bound, f"N={n}: SQNR {measured:.2f} dB below the bound {bound:.2f} dB"


def test_tail_of_the_other_parity_starts_with_a_radix2_stage():
    cfg = FFTConfig(n=64, runtime_n=8)                  # log2 NMAX even
    kinds = [p.kind for p in tail_parts(cfg, 32)]        # log2 n odd
    assert kinds[:3] == ["input", "bf2", "twiddle"] and kinds.count("bf2ii") == 2
    assert [p.kind for p in tail_parts(cfg, 16)] == [p.kind for p in cfg.at_size(16).plan()]


def test_sizes_are_clamped_and_checked():
    cfg = FFTConfig(n=64, runtime_n=16)
    re, im, _ = _frames(cfg, 3, 3)
    a = FFTModel(cfg)(re, im, None, np.array([0, 7, 5]))
    b = FFTModel(cfg)(re, im, None, np.array([4, 6, 5]))
    for u, v in zip(a, b):
        assert np.array_equal(u, v)
    with pytest.raises(ValueError, match="one integer per frame"):
        FFTModel(cfg)(re, im, None, np.array([4, 5]))
    with pytest.raises(ValueError, match="runtime_n"):
        FFTModel(FFTConfig(n=64))(re, im, None, np.array([4, 6, 5]))
