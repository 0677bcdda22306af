"""sim.vectors: golden vectors of a core (``fftforge vectors``) -- stimulus,
the model's answer and both as packed port words -- for every kind and lane
count, without a simulator."""

import numpy as np
import pytest

from fftforge.config import FFTConfig
from fftforge.filter_config import FFTNetConfig, FilterConfig
from fftforge.kinds import kind_of
from fftforge.pyref import lanes
from fftforge.pyref.fft import FFTModel
from fftforge.sim.payload import unpack
from fftforge.sim.vectors import golden_vectors, hex_text, write_vectors


def _desc(cfg):
    return kind_of(cfg).descriptor()(cfg)


@pytest.mark.parametrize("lanes_", [1, 2, 4])
def test_fft_words_are_the_model_output_lane_by_lane(lanes_):
    cfg = FFTConfig(n=16, width=10, lanes=lanes_, direction="runtime", name="f")
    desc = _desc(cfg)
    v = golden_vectors(cfg, desc, frames=3, stimulus="random", seed=5)
    assert v.re.shape == (3, 16) and v.inverse is not None and v.inverse.shape == (3,)
    y_re, y_im, ovf = FFTModel(cfg)(v.re, v.im, v.inverse)
    assert np.array_equal(v.y_re, y_re) and np.array_equal(v.y_im, y_im) and np.array_equal(v.overflow, ovf)
    assert len(v.input_words) == len(v.output_words) == 3 * 16 // lanes_
    out = unpack(desc["ports"]["output"]["fields"], v.output_words)
    back = lanes.from_words(cfg, {k: np.asarray(a).reshape(3, -1) for k, a in out.items()})
    assert np.array_equal(back["re"], y_re) and np.array_equal(back["im"], y_im)
    assert out["last"].reshape(3, -1)[:, -1].all() and out["last"].sum() == 3
    inp = unpack(desc["ports"]["input"]["fields"], v.input_words)
    back = lanes.from_words(cfg, {k: np.asarray(a).reshape(3, -1) for k, a in inp.items()})
    assert np.array_equal(back["re"], v.re) and np.array_equal(back["im"], v.im)


def test_same_seed_same_vectors_and_no_inverse_for_fixed_direction():
    cfg = FFTConfig(n=16, name="f")
    a = golden_vectors(cfg, _desc(cfg), 2, "tone", seed=9)
    b = golden_vectors(cfg, _desc(cfg), 2, "tone", seed=9)
    assert a.inverse is None and a.input_words == b.input_words and a.output_words == b.output_words


def test_overlap_save_is_one_stream_of_hops():
    cfg = FilterConfig(n=16, mode="overlap_save", taps=5, name="ols")
    v = golden_vectors(cfg, _desc(cfg), frames=4)
    assert v.re.shape == (4, cfg.hop) and v.y_re.shape == (4, cfg.hop)
    want = lanes.model_stream(cfg, v.re, v.im)
    assert all(np.array_equal(a, b) for a, b in zip((v.y_re, v.y_im, v.overflow), want))
    assert len(v.output_words) == 4 * cfg.hop


def test_fftnet_real_tokens():
    cfg = FFTNetConfig(n=16, channels=2, lanes=2, name="net")
    desc = _desc(cfg)
    v = golden_vectors(cfg, desc, frames=2)
    inp = unpack(desc["ports"]["input"]["fields"], v.input_words)
    assert "im0" not in inp and np.array_equal(inp["re1"].reshape(2, -1), v.re[:, 1::2])   # real tokens: re only
    out = unpack(desc["ports"]["output"]["fields"], v.output_words)
    assert set(out) >= {"re0", "re1", "last"} and "im0" not in out


def test_hex_text_pads_to_the_port_width():
    assert hex_text([0, 255, 4096], 13) == "0000\n00ff\n1000\n"
    assert hex_text([1], 1) == "1\n"


def test_write_vectors_files(tmp_path):
    cfg = FFTConfig(n=16, lanes=2, direction="runtime", name="f16")
    desc = _desc(cfg)
    base = write_vectors(cfg, desc, str(tmp_path / "v"), frames=2, stimulus="impulse", seed=1)
    assert base == str(tmp_path / "v" / "f16")
    v = golden_vectors(cfg, desc, 2, "impulse", 1)
    assert np.array_equal(np.load(base + "_input.npy"), v.re + 1j * v.im)
    assert np.array_equal(np.load(base + "_expected.npy"), v.y_re + 1j * v.y_im)
    assert np.array_equal(np.load(base + "_overflow.npy"), v.overflow)
    assert np.array_equal(np.load(base + "_inverse.npy"), v.inverse)
    for suffix, words, port in (("_input.hex", v.input_words, "input"), ("_expected.hex", v.output_words, "output")):
        lines = open(base + suffix).read().splitlines()
        assert [int(s, 16) for s in lines] == words
        assert {len(s) for s in lines} == {-(-desc["ports"][port]["width"] // 4)}
