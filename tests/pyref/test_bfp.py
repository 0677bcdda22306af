"""The block-floating-point model of the chosen design (docs/bfp_study.md)
against NumPy, its analytic noise model and its invariants, and the BFP
model's composition against the fixed cores' model."""

import numpy as np
import pytest

from fftforge.config import FFTConfig
from fftforge.pyref import noise
from fftforge.pyref.bfp import (BFPDesign, BFPModel, FULL_SCALE_KINDS, bfp_plan, chosen_design,
                                full_scale_frames, gaussian_frames, headroom, mult18x18d,
                                predicted_noise_power, predicted_sqnr_db)
from fftforge.pyref.fft import FFTModel, sqnr_db
from fftforge.pyref.stimulus import make_stimulus

N, WIDTH, TW = 1024, 16, 18
FS = 2 ** (WIDTH - 1)
FRAMES = 4

# SQNR floors (dB) of output * 2**exponent against NumPy: the issue's
# targets at FS/4 (70) and FS/64 (65); elsewhere the study's measurement
# (benchmarks/bench_bfp_study.py) less about 1.5 dB
BOUNDS = {1: 80.0, 4: 70.0, 16: 70.0, 64: 65.0, 256: 69.5, 1024: 66.0}


@pytest.fixture(scope="module")
def design():
    return chosen_design(N, WIDTH, TW)


def _run(d, re, im, inverse=None):
    model = BFPModel(d)
    words, e = model(re, im, inverse)
    y = (words["re"] + 1j * words["im"]) * 2.0 ** e[:, None].astype(float)
    return words, e, y, model.last


def _dft(re, im):
    return np.fft.fft(re + 1j * im, axis=1)


def test_chosen_design_cost_and_widths(design):
    assert design.schedule == (0, 1, 0, 2, 0, 2, 0, 0, 0, 0)
    assert design.twiddle_widths == (18, 18, 18, 20)        # the last multiplier takes two blocks a product
    assert mult18x18d(design, 4) == 20 <= 24
    assert mult18x18d(design, 3) == 18
    assert design.out_width == 18 and design.exponent_width == 4
    assert not any(p.may_overflow for p in bfp_plan(design))
    kinds = [p.kind for p in bfp_plan(design)]
    assert kinds[:2] == ["input", "normalize"] and kinds[-2:] == ["reorder", "bfp_out"]
    assert design.added_latency == N + 3 + 2


@pytest.mark.parametrize("level", sorted(BOUNDS))
def test_sqnr_and_analytic_model_gaussian(design, level):
    re, im = gaussian_frames(N, WIDTH, FS / level, FRAMES, np.random.default_rng(level))
    words, e, y, last = _run(design, re, im)
    ref = _dft(re, im)
    measured = sqnr_db(ref, y)
    predicted = predicted_sqnr_db(design, ref, last)
    assert measured >= BOUNDS[level], f"FS/{level}: {measured:.2f} dB < {BOUNDS[level]} dB"
    assert abs(measured - predicted) <= 1.0, f"FS/{level}: measured {measured:.2f}, predicted {predicted:.2f}"
    assert not words["overflow"].any()


def test_sqnr_uniform_full_scale(design):
    re, im = make_stimulus("random", FRAMES, N, WIDTH, np.random.default_rng(7))
    words, e, y, last = _run(design, re, im)
    ref = _dft(re, im)
    measured = sqnr_db(ref, y)
    assert measured >= 78.0
    assert abs(measured - predicted_sqnr_db(design, ref, last)) <= 1.0


@pytest.mark.parametrize("kind", FULL_SCALE_KINDS)
def test_no_overflow_on_full_scale_inputs(design, kind):
    re, im = full_scale_frames(kind, N, WIDTH)
    words, e, y, last = _run(design, re, im)
    assert not words["overflow"].any()
    assert not last["clipped"].any()
    ref = _dft(re, im)
    # an impulse does not grow, so the fixed schedule's 5 shifts cost it
    # bits that no normaliser gives back (69.5 dB, docs/bfp_study.md)
    assert sqnr_db(ref, y) > (69.0 if kind == "impulse" else 75.0)
    # the same with wrapping arithmetic: the words would differ if any part overflowed
    wrap = BFPDesign(design.base.replace(overflow="wrap"), design.schedule, input_norm=True, output_width=18)
    w2, e2 = BFPModel(wrap)(re, im)
    assert np.array_equal(w2["re"], words["re"]) and np.array_equal(e2, e)


def test_output_width_and_exponent_per_frame(design):
    rng = np.random.default_rng(3)
    frames = [gaussian_frames(N, WIDTH, FS / lev, 1, rng) for lev in (1, 4, 64, 1024, 4096)]
    frames.append(full_scale_frames("dc", N, WIDTH))
    frames.append((np.zeros((1, N), dtype=np.int64), np.zeros((1, N), dtype=np.int64)))
    re = np.concatenate([f[0] for f in frames])
    im = np.concatenate([f[1] for f in frames])
    words, e, y, last = _run(design, re, im)
    lo, hi = -(1 << 17), (1 << 17) - 1
    for k in ("re", "im"):
        assert words[k].min() >= lo and words[k].max() <= hi
    assert e.shape == (re.shape[0],) and e.dtype.kind == "u"
    assert int(e.max()) <= design.max_exponent < 2 ** design.exponent_width
    # one exponent per frame, and each frame's own: the same frame alone gives the same words
    for f in range(re.shape[0]):
        w1, e1 = BFPModel(design)(re[f:f + 1], im[f:f + 1])
        assert e1[0] == e[f] and np.array_equal(w1["re"][0], words["re"][f])
    # the read-out shifter shifts only as far as the 18 bits need, or to e = 0
    used = headroom(words["re"], words["im"])
    assert np.all((used == 17) | (last["r"] == 0) | (e == 0))
    assert e[-1] == 0 and not np.any(words["re"][-1])        # an all-zero frame


def test_inverse_direction(design):
    inv = BFPDesign(design.base.replace(direction="inverse"), design.schedule, input_norm=True, output_width=18)
    re, im = gaussian_frames(N, WIDTH, FS / 4, 2, np.random.default_rng(11))
    words, e, y, _ = _run(inv, re, im)
    ref = N * np.fft.ifft(re + 1j * im, axis=1)
    assert sqnr_db(ref, y) >= 70.0


@pytest.mark.parametrize("schedule,scaling", [((1,) * 10, "scaled"), ((0,) * 10, "unscaled")])
def test_composition_equals_the_fixed_core_model(schedule, scaling):
    """Without normalisers the BFP model is today's core, word for word, and
    its noise prediction is noise.predicted_noise_power in DFT units."""
    cfg = FFTConfig(n=N, width=WIDTH, twiddle_width=TW, scaling=scaling)
    d = BFPDesign(FFTConfig(n=N, width=WIDTH, twiddle_width=TW), schedule, input_norm=False, output_width=None)
    re, im = make_stimulus("random", 2, N, WIDTH, np.random.default_rng(1))
    words, e = BFPModel(d)(re, im)
    f_re, f_im, f_ovf = FFTModel(cfg)(re, im)
    assert np.array_equal(words["re"], f_re) and np.array_equal(words["im"], f_im)
    assert np.all(e == cfg.scale_log2)
    assert d.out_width == cfg.output_width
    m = BFPModel(d)
    m(re, im)
    got = predicted_noise_power(d, m.last)
    want = [noise.predicted_noise_power(cfg, p) * 4.0 ** cfg.scale_log2 for p in m.last["power"]]
    assert np.allclose(got, want, rtol=1e-9)


@pytest.mark.parametrize("n,arch", [(64, "r2sdf"), (256, "r22sdf"), (512, "r22sdf")])
def test_other_sizes_never_overflow(n, arch):
    d = chosen_design(n, WIDTH, TW, arch=arch)
    for kind in FULL_SCALE_KINDS:
        re, im = full_scale_frames(kind, n, WIDTH)
        words, e, y, _ = _run(d, re, im)
        assert not words["overflow"].any()
        assert sqnr_db(_dft(re, im), y) > 65.0
    re, im = gaussian_frames(n, WIDTH, FS / 16, 4, np.random.default_rng(n))
    words, e, y, last = _run(d, re, im)
    ref = _dft(re, im)
    assert abs(sqnr_db(ref, y) - predicted_sqnr_db(d, ref, last)) <= 1.5


@pytest.mark.parametrize("kw", [dict(n=1024), dict(n=64, direction="runtime"), dict(n=256, arch="r2sdf", cmul=3),
                                dict(n=128, rounding="truncate", direction="inverse"), dict(n=8)])
def test_generator_model_is_the_chosen_design(kw):
    """``FFTConfig(scaling="bfp")`` (the generator's plan) is the study's
    design: same schedule, and ``FFTModel`` gives ``BFPModel``'s words and
    exponents (the 4th output) on Gaussian, full-scale and zero frames."""
    cfg = FFTConfig(scaling="bfp", **kw)
    n = cfg.n
    d = chosen_design(n, WIDTH, TW, **{k: v for k, v in kw.items() if k != "n"})
    assert d.schedule == cfg.shifts and d.plan == cfg.plan()
    assert cfg.max_exponent == d.max_exponent and cfg.exponent_width == d.exponent_width
    rng = np.random.default_rng(5)
    frames = [gaussian_frames(n, WIDTH, FS / div, 2, rng) for div in (4, 64, 1024)]
    frames += [full_scale_frames(kind, n, WIDTH, rng) for kind in FULL_SCALE_KINDS]
    re = np.concatenate([f[0] for f in frames] + [np.zeros((1, n), dtype=np.int64)])
    im = np.concatenate([f[1] for f in frames] + [np.zeros((1, n), dtype=np.int64)])
    inv = rng.random(len(re)) < 0.5 if cfg.direction == "runtime" else None
    y_re, y_im, ovf, e = FFTModel(cfg)(re, im, inv)
    words, e2 = BFPModel(d)(re, im, inv)
    assert np.array_equal(y_re, words["re"]) and np.array_equal(y_im, words["im"])
    assert np.array_equal(e, e2) and not ovf.any()
    assert e.shape == (len(re),) and e.min() >= 0 and e.max() <= cfg.max_exponent
    lim = 2 ** (cfg.output_width - 1)
    assert y_re.min() >= -lim and y_re.max() < lim
