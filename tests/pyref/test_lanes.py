"""The one lane packer (fftforge.pyref.lanes): lane l of transfer t is sample
t*P + l for every core kind, flags OR over a transfer, ``last`` marks each
frame's last transfer, and the wrappers the other tools keep
(pyref.fft.to_lanes/from_lanes, sim.check_filter.lane_words/sample_words/
group_flags) are this packer."""

import numpy as np
import pytest

from fftforge.config import FFTConfig
from fftforge.filter_config import FFTNetConfig, FilterConfig
from fftforge.pyref import lanes
from fftforge.pyref.fft import from_lanes, to_lanes
from fftforge.pyref.filter import FilterModel, overlap_save_frames

CFGS = [FFTConfig(n=16, lanes=1), FFTConfig(n=16, lanes=2), FFTConfig(n=32, lanes=8),
        FilterConfig(n=16, lanes=4), FFTNetConfig(n=16, lanes=2), FFTNetConfig(n=16, lanes=1),
        FFTNetConfig(n=16, lanes=4, real_pairs=True)]


def _ids(cfg):
    return f"{type(cfg).__name__}-p{cfg.lanes}{'-pairs' if getattr(cfg, 'real_pairs', False) else ''}"


@pytest.mark.parametrize("cfg", CFGS, ids=_ids)
def test_lane_l_of_transfer_t_is_sample_tP_plus_l(cfg):
    P, frames = cfg.lanes, 3
    rng = np.random.default_rng(0)
    re = rng.integers(-100, 100, (frames, cfg.n))
    im = rng.integers(-100, 100, (frames, cfg.n))
    w = lanes.input_words(cfg, re, im)
    carried = lanes.sample_fields(cfg)
    assert set(w) == {name for lane in cfg.lane_fields for name in lane}
    for t in range(cfg.n // P):
        for lane, names in enumerate(cfg.lane_fields):
            for base, name in zip(carried, names):
                assert w[name][1, t] == {"re": re, "im": im}[base][1, t * P + lane]
    back = lanes.from_words(cfg, w)
    assert np.array_equal(back["re"], re)
    assert ("im" in back) == ("im" in carried)
    if "im" in carried:
        assert np.array_equal(back["im"], im)


@pytest.mark.parametrize("cfg", CFGS, ids=_ids)
def test_output_words_flags_and_last(cfg):
    P, frames = cfg.lanes, 2
    re = np.zeros((frames, cfg.n), dtype=np.int64)
    ovf = np.zeros((frames, cfg.n), dtype=bool)
    ovf[0, 5:] = True                     # sticky from sample 5 of frame 0
    out = lanes.output_words(cfg, re, re, ovf)
    t = cfg.n // P
    assert out["overflow"].dtype == np.int64 and out["overflow"].shape == (frames, t)
    assert out["overflow"][0].tolist() == [int((k + 1) * P > 5) for k in range(t)]
    assert not out["overflow"][1].any()
    assert out["last"].tolist() == [[0] * (t - 1) + [1]] * frames
    assert lanes.frame_transfers(cfg) == t == cfg.frame_cycles


def test_fft_wrappers_are_the_packer():
    cfg = FFTConfig(n=16, lanes=4)
    rng = np.random.default_rng(1)
    re, im = rng.integers(-9, 9, (2, 16)), rng.integers(-9, 9, (2, 16))
    ovf = rng.random((2, 16)) < 0.2
    w = to_lanes(cfg, re, im, overflow=ovf)
    assert w.keys() == lanes.to_words(cfg, {"re": re, "im": im}, overflow=ovf).keys()
    assert np.array_equal(w["overflow"], lanes.group_flags(cfg, ovf))
    r2, i2 = from_lanes(cfg, w)
    assert np.array_equal(r2, re) and np.array_equal(i2, im)


def test_filter_wrappers_are_the_packer():
    from fftforge.sim.check_filter import group_flags, lane_words, sample_words
    cfg = FFTNetConfig(n=16, lanes=2)
    re = np.arange(32).reshape(2, 16)
    w = lane_words(cfg, {"re": re, "im": -re})     # FFTNet carries no im: left out
    assert sorted(w) == ["re0", "re1"] and w["re1"][0, :3].tolist() == [1, 3, 5]
    assert np.array_equal(sample_words(cfg, w)["re"], re)
    assert group_flags is lanes.group_flags


def test_shape_errors_name_the_lanes():
    with pytest.raises(ValueError, match="4 lanes"):
        lanes.to_words(FFTConfig(n=16, lanes=4), {"re": np.zeros((1, 6))})


def test_overlap_save_stream_model():
    rng = np.random.default_rng(3)
    cfg = FilterConfig(n=16, lanes=2, mode="overlap_save", taps=5,
                       weights_re=tuple(int(v) for v in rng.integers(-2000, 2000, 16)),
                       weights_im=tuple(int(v) for v in rng.integers(-2000, 2000, 16)))
    assert lanes.frame_samples(cfg) == cfg.hop == 12 and lanes.frame_transfers(cfg) == 6
    re, im = rng.integers(-500, 500, (3, 12)), rng.integers(-500, 500, (3, 12))
    y_re, y_im, ovf = lanes.model_stream(cfg, re, im)
    fr = overlap_save_frames(cfg, (re + 1j * im).reshape(-1))
    e_re, e_im, e_ovf = FilterModel(cfg)(fr.real.astype(np.int64), fr.imag.astype(np.int64))
    assert np.array_equal(y_re, e_re[:, 4:]) and np.array_equal(y_im, e_im[:, 4:])
    assert y_re.shape == (3, 12)
