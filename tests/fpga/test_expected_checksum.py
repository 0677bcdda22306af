"""The self-check constant of every board top, checked without place and
route: :func:`fftforge.fpga.harness.expected_checksum` (which goes through
the one lane packer, :mod:`fftforge.pyref.lanes`) equals a checksum computed
here independently, straight from the bit-true model classes of
:mod:`fftforge.pyref` and the descriptor's field offsets: the harness
stimulus unpacked bit by bit, lane ``l`` of transfer ``t`` = sample
``t*P + l``, the model's outputs packed back the same way with the overflow
OR'ed over a transfer's lanes and ``last`` on a frame's last transfer.  The
cases it cannot serve fail with one line (UserError)."""

import numpy as np
import pytest

from fftforge.config import FFTConfig
from fftforge.errors import UserError
from fftforge.filter_config import FFTNetConfig, FilterConfig
from fftforge.fpga.harness import expected_checksum, stimulus_words
from fftforge.hdl.descriptor import descriptor
from fftforge.pyref.fft import FFTModel
from fftforge.pyref.fftnet import FFTNetModel
from fftforge.pyref.filter import FilterModel

_OS_W = tuple(range(100, 1700, 100))
CASES = [
    FFTConfig(n=16, width=8, name="fft_p1"),
    FFTConfig(n=8, width=6, arch="r2sdf", order="bit_reversed", name="fft_p1_r2"),
    FFTConfig(n=16, width=8, lanes=2, name="fft_p2"),
    FFTConfig(n=16, width=8, lanes=4, direction="runtime", order="bit_reversed", name="fft_p4"),
    FFTConfig(n=64, width=12, lanes=4, scaling="unscaled", name="fft_p4_n64"),
    FFTConfig(n=16, width=8, lanes=8, name="fft_p8"),                 # 128-bit input: two LFSRs
    FilterConfig(n=16, width=8, coef_width=8, name="filter_p1"),
    FilterConfig(n=16, width=8, coef_width=8, lanes=2, weights="runtime", name="filter_p2"),
    FilterConfig(n=16, width=8, coef_width=8, lanes=4, real_pairs=True, name="filter_p4_pairs"),
    FilterConfig(n=16, width=8, coef_width=12, lanes=2, mode="overlap_save", taps=5, name="filter_os_p2",
                 weights_re=_OS_W, weights_im=tuple(-v // 2 for v in _OS_W)),
    FFTNetConfig(n=16, width=8, coef_width=8, name="fftnet_p1"),
    FFTNetConfig(n=16, width=8, coef_width=8, lanes=2, bias=(3,), name="fftnet_p2"),
]

MODELS = {FFTConfig: FFTModel, FilterConfig: FilterModel, FFTNetConfig: FFTNetModel}


def _field(word: int, spec: dict) -> int:
    v = (word >> spec["offset"]) & ((1 << spec["width"]) - 1)
    if spec["signed"] and v >> (spec["width"] - 1):
        v -= 1 << spec["width"]
    return v


def _name(base: str, lane: int, lanes: int) -> str:
    return f"{base}{lane}" if lanes > 1 else base


def independent_checksum(cfg, desc: dict, frames: int) -> int:
    P = cfg.lanes
    overlap = getattr(cfg, "mode", None) == "overlap_save"
    hop = cfg.n - cfg.taps + 1 if overlap else cfg.n        # new samples per frame
    T = hop // P                                            # transfers per frame
    pin, pout = desc["ports"]["input"], desc["ports"]["output"]
    words = stimulus_words(frames * T, pin["width"])
    has_im = _name("im", 0, P) in pin["fields"]
    x = np.zeros((2, frames, hop), dtype=np.int64)
    for f in range(frames):
        for s in range(hop):
            w = words[f * T + s // P]
            x[0, f, s] = _field(w, pin["fields"][_name("re", s % P, P)])
            if has_im:
                x[1, f, s] = _field(w, pin["fields"][_name("im", s % P, P)])
    model = MODELS[type(cfg)](cfg)
    if overlap:                 # frames of n: taps-1 samples of history (zeros at the start), then a hop
        stream = np.concatenate([np.zeros((2, cfg.taps - 1), dtype=np.int64), x.reshape(2, -1)], axis=1)
        fr = np.stack([stream[:, f * hop:f * hop + cfg.n] for f in range(frames)], axis=1)
        y_re, y_im, ovf = (np.asarray(a)[:, cfg.taps - 1:] for a in model(fr[0], fr[1]))
    else:
        inverse = np.zeros(frames, dtype=bool) if getattr(cfg, "direction", None) == "runtime" else None
        y_re, y_im, ovf = (np.asarray(a) for a in model(x[0], x[1], inverse))
    ovf = np.broadcast_to(ovf, y_re.shape)
    cs = 0
    for f in range(frames):
        for t in range(T):
            word = 0
            for lane in range(P):
                s = t * P + lane
                for base, y in (("re", y_re), ("im", y_im)):
                    spec = pout["fields"].get(_name(base, lane, P))
                    if spec is not None:
                        word |= (int(y[f, s]) & ((1 << spec["width"]) - 1)) << spec["offset"]
            word |= int(ovf[f, t * P:(t + 1) * P].any()) << pout["fields"]["overflow"]["offset"]
            word |= int(t == T - 1) << pout["fields"]["last"]["offset"]
            # runtime weights: 'wseq' = 0 (the harness ties the weight port idle), adds no bits
            folded = 0
            while word:
                folded ^= word & 0xFFFFFFFF
                word >>= 32
            cs = (((cs << 1) | (cs >> 31)) & 0xFFFFFFFF) ^ folded
    return cs


@pytest.mark.parametrize("cfg", CASES, ids=lambda c: c.name)
def test_expected_checksum_is_the_models_words_packed_as_the_core_outputs_them(cfg):
    desc = descriptor(cfg)
    for frames in (1, 3):
        got = expected_checksum(cfg, desc, frames)
        assert got == independent_checksum(cfg, desc, frames)
    assert expected_checksum(cfg, desc, 1) != expected_checksum(cfg, desc, 3)


def test_the_checksum_sees_every_output_field():
    # a one-bit change in the model's output changes the constant: the fields
    # are really packed (an empty or misplaced field would not show here)
    cfg = FFTConfig(n=16, width=8, lanes=2)
    desc = descriptor(cfg)
    moved = {**desc, "ports": {**desc["ports"], "output": {
        **desc["ports"]["output"], "fields": {
            **desc["ports"]["output"]["fields"],
            "im1": {**desc["ports"]["output"]["fields"]["im1"],
                    "offset": desc["ports"]["output"]["fields"]["im1"]["offset"] + 1}}}}}
    assert expected_checksum(cfg, moved, 2) != expected_checksum(cfg, desc, 2)


def _without(desc, port, field):
    fields = {k: v for k, v in desc["ports"][port]["fields"].items() if k != field}
    return {**desc, "ports": {**desc["ports"], port: {**desc["ports"][port], "fields": fields}}}


@pytest.mark.parametrize("port, field", [("input", "im1"), ("output", "overflow"), ("output", "re0")])
def test_a_descriptor_that_is_not_its_configurations_core_fails_in_one_line(port, field):
    cfg = FFTConfig(n=16, width=8, lanes=2, name="fft16p2")
    with pytest.raises(UserError, match=f"fft16p2: {port} payload fields .* no self-check") as e:
        expected_checksum(cfg, _without(descriptor(cfg), port, field), 2)
    assert "\n" not in str(e.value)


def test_a_descriptor_of_another_lane_count_fails_in_one_line():
    cfg = FFTConfig(n=16, width=8, lanes=4)
    with pytest.raises(UserError, match="input payload fields re0, im0, re1, im1 are not") as e:
        expected_checksum(cfg, descriptor(cfg.replace(lanes=2)), 2)
    assert "\n" not in str(e.value)


def test_no_frames_and_no_model_fail_in_one_line():
    cfg = FilterConfig(n=16, width=8, coef_width=8)
    with pytest.raises(UserError, match="at least 1 frame, got 0"):
        expected_checksum(cfg, descriptor(cfg), 0)

    class Unknown:
        n, lanes = 16, 1
    with pytest.raises(UserError, match="no bit-true model") as e:
        expected_checksum(Unknown(), descriptor(cfg), 2)
    assert "\n" not in str(e.value)
