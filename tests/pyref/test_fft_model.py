"""The bit-true model against NumPy (SQNR with the derived bound) and
against its own invariants.  The RTL-vs-model comparison is in tests/hdl and
tests/sim."""

import numpy as np
import pytest

from fftforge.config import FFTConfig
from fftforge.pyref.fft import FFTModel, fft_float, sqnr_db
from fftforge.pyref.noise import predicted_sqnr_db, sqnr_bound_db
from fftforge.pyref.stimulus import make_stimulus


def _run(cfg, kind="random", frames=8, seed=0, inverse=None):
    re, im = make_stimulus(kind, frames, cfg.n, cfg.width, np.random.default_rng(seed))
    y_re, y_im, ovf = FFTModel(cfg)(re, im, inverse)
    ref = fft_float(cfg, re + 1j * im, inverse)
    return re, im, y_re, y_im, ovf, ref


MATRIX = [
    dict(arch=a, n=n, scaling=sc, rounding=rd, width=w, twiddle_width=tw, order=o)
    for a in ("r2sdf", "r22sdf")
    for n in (8, 64, 1024, 4096)
    for sc in ("scaled", "unscaled")
    for rd in ("convergent", "truncate")
    for (w, tw) in ((8, 8), (16, 18), (24, 24))
    for o in ("natural",)
]


@pytest.mark.parametrize("kw", MATRIX, ids=lambda k: "-".join(str(v) for v in k.values()))
@pytest.mark.parametrize("kind", ["random", "tone"])
def test_sqnr_meets_the_derived_bound(kw, kind):
    cfg = FFTConfig(**kw)
    re, im, y_re, y_im, ovf, ref = _run(cfg, kind)
    measured = sqnr_db(ref, y_re + 1j * y_im)
    bound = sqnr_bound_db(cfg, ref, float(np.mean(re ** 2.0 + im ** 2.0)))
    assert measured >= bound, f"SQNR {measured:.2f} dB below the bound {bound:.2f} dB"
    assert not ovf.any()


def test_headline_configuration_sqnr():
    # 16-bit in, 18-bit twiddles, N = 1024, scaled, convergent (BENCHMARKS.md)
    cfg = FFTConfig(n=1024, width=16, twiddle_width=18, scaling="scaled", rounding="convergent")
    re, im, y_re, y_im, _, ref = _run(cfg, frames=16)
    measured = sqnr_db(ref, y_re + 1j * y_im)
    predicted = predicted_sqnr_db(cfg, ref, float(np.mean(re ** 2.0 + im ** 2.0)))
    assert abs(measured - predicted) < 1.0
    assert 60.0 < measured < 64.0


@pytest.mark.parametrize("arch", ["r2sdf", "r22sdf"])
def test_inverse_is_swap_of_forward_and_runtime_matches_fixed(arch):
    fwd = FFTConfig(n=64, arch=arch, direction="forward")
    inv = fwd.replace(direction="inverse")
    run = fwd.replace(direction="runtime")
    rng = np.random.default_rng(5)
    re, im = make_stimulus("random", 6, 64, 16, rng)
    flags = np.array([0, 1, 1, 0, 1, 0], dtype=bool)
    f = FFTModel(fwd)(re, im)
    i = FFTModel(inv)(re, im)
    r = FFTModel(run)(re, im, flags)
    for k in range(6):
        src = i if flags[k] else f
        assert np.array_equal(r[0][k], src[0][k]) and np.array_equal(r[1][k], src[1][k])
    # inverse(x) == swap(forward(swap(x)))
    s = FFTModel(fwd)(im, re)
    assert np.array_equal(i[0], s[1]) and np.array_equal(i[1], s[0])


def test_round_trip_forward_then_inverse():
    n = 256
    fwd = FFTConfig(n=n, width=16, scaling="unscaled", twiddle_width=24)
    re, im = make_stimulus("random", 4, n, 12, np.random.default_rng(2))
    y_re, y_im, _ = FFTModel(fwd)(re, im)
    inv = FFTConfig(n=n, width=fwd.output_width, direction="inverse", schedule=(1,) * 8, twiddle_width=24)
    z_re, z_im, _ = FFTModel(inv)(y_re, y_im)
    assert sqnr_db(re + 1j * im, z_re + 1j * z_im) > 60


def test_default_schedule_never_overflows_full_scale_square_waves():
    for arch in ("r2sdf", "r22sdf"):
        cfg = FFTConfig(n=256, arch=arch, width=16)
        *_, ovf, _ = _run(cfg, "square")
        assert not ovf.any()


def test_reduced_schedule_saturates_and_flags():
    cfg = FFTConfig(n=64, width=12, schedule=(0, 0, 1, 1, 1, 1), overflow="saturate")
    re, im, y_re, y_im, ovf, ref = _run(cfg, "square", frames=4)
    hi = (1 << (cfg.output_width - 1)) - 1
    assert ovf[:, -1].all()                        # every frame flagged at its last sample
    assert (np.abs(y_re) <= hi + 1).all()
    assert np.diff(ovf.astype(int), axis=1).min() >= 0   # sticky within a frame
    wrap = FFTModel(cfg.replace(overflow="wrap"))(re, im)
    assert wrap[2][:, -1].all()
    assert not np.array_equal(wrap[0], y_re)


def test_bit_reversed_order_is_a_permutation_of_natural():
    from fftforge.pyref.reorder import bitrev_indices
    nat = FFTConfig(n=128)
    br = nat.replace(order="bit_reversed")
    re, im = make_stimulus("random", 3, 128, 16, np.random.default_rng(1))
    a = FFTModel(nat)(re, im)
    b = FFTModel(br)(re, im)
    assert np.array_equal(a[0][:, bitrev_indices(128)], b[0])


def test_wide_configurations_use_exact_python_ints():
    cfg = FFTConfig(n=1024, width=32, twiddle_width=32, scaling="unscaled")
    model = FFTModel(cfg)
    assert model.dtype is object
    re, im, y_re, y_im, _, ref = _run(cfg, frames=1)
    assert sqnr_db(ref, np.asarray(y_re, dtype=float) + 1j * np.asarray(y_im, dtype=float)) > 170


def test_model_rejects_out_of_range_input():
    cfg = FFTConfig(n=8, width=8)
    with pytest.raises(ValueError, match="8-bit signed range"):
        FFTModel(cfg)(np.full((1, 8), 200), np.zeros((1, 8), dtype=int))
    with pytest.raises(ValueError, match=r"shape \(frames, 8\)"):
        FFTModel(cfg)(np.zeros((1, 9), dtype=int), np.zeros((1, 9), dtype=int))
