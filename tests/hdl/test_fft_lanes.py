"""P-lane FFT cores (P = 2, 4, 8) in Amaranth's simulator: every output word
against the bit-true model (the same model as one lane: the words are
identical), under random valid/ready stalls; and the lane reorder's bank map."""

import numpy as np
import pytest

from fftforge.config import FFTConfig
from fftforge.hdl.fft import FFTCore
from fftforge.hdl.reorder import digit_xor
from fftforge.pyref.fft import FFTModel, from_lanes, to_lanes
from fftforge.pyref.stimulus import make_stimulus
from streamsim import run_stream


def check_lanes(cfg, frames=3, kind="random", p_valid=0.75, p_ready=0.75, seed=0):
    rng = np.random.default_rng(seed)
    re, im = make_stimulus(kind, frames, cfg.n, cfg.width, rng)
    inv = rng.random(frames) < 0.5 if cfg.direction == "runtime" else None
    y_re, y_im, y_ovf = FFTModel(cfg)(re, im, inv)
    words_in = to_lanes(cfg, re, im)
    groups = cfg.frame_cycles
    samples = [{f: int(words_in[f].reshape(-1)[k]) for f in words_in} for k in range(frames * groups)]
    dut = FFTCore(cfg)
    extra = [[(dut.inverse, inv[k // groups])] for k in range(len(samples))] if inv is not None else None
    fields = [f for pair in cfg.lane_fields for f in pair]
    outs, first_in, first_out = run_stream(dut, samples, p_valid=p_valid, p_ready=p_ready, seed=seed,
                                           fields=fields, out_fields=fields + ["last", "overflow"],
                                           extra_inputs=extra)
    got = {f: np.array([o[f] for o in outs]).reshape(frames, groups) for f in outs[0]}
    g_re, g_im = from_lanes(cfg, got)
    assert np.array_equal(g_re, y_re), "re mismatch"
    assert np.array_equal(g_im, y_im), "im mismatch"
    exp = to_lanes(cfg, y_re, y_im, overflow=y_ovf)
    assert np.array_equal(got["overflow"], exp["overflow"].astype(int)), "overflow flag mismatch"
    assert (got["last"][:, -1] == 1).all() and (got["last"][:, :-1] == 0).all(), "last misplaced"
    return first_in, first_out


CASES = [
    dict(n=16, lanes=2, arch="r22sdf"), dict(n=16, lanes=4, arch="r2sdf"), dict(n=16, lanes=8, arch="r22sdf"),
    dict(n=32, lanes=2, arch="r2sdf", order="bit_reversed"), dict(n=32, lanes=4, arch="r22sdf"),
    dict(n=32, lanes=8, arch="r2sdf", direction="runtime"), dict(n=64, lanes=4, arch="r22sdf", cmul=3),
    dict(n=64, lanes=8, arch="r22sdf", direction="inverse", rounding="truncate", scaling="unscaled"),
    dict(n=8, lanes=4, arch="r2sdf", order="bit_reversed"),
]


@pytest.mark.parametrize("kw", CASES, ids=lambda k: "-".join(str(v) for v in k.values()))
def test_lane_cores_bit_exact_under_stalls(kw):
    check_lanes(FFTConfig(width=10, **kw))


@pytest.mark.parametrize("lanes", [2, 4, 8])
def test_lane_latency_and_full_throughput(lanes):
    cfg = FFTConfig(n=32, width=8, arch="r22sdf", lanes=lanes)
    frames = cfg.latency_cycles // cfg.frame_cycles + 3
    first_in, first_out = check_lanes(cfg, frames=frames, p_valid=1.0, p_ready=1.0)
    assert first_out - first_in == cfg.latency_cycles


def test_overflow_flag_with_lanes():
    cfg = FFTConfig(n=16, width=8, lanes=4, schedule=(0, 0, 0, 1), overflow="saturate")
    check_lanes(cfg, kind="square")


@pytest.mark.parametrize("n", [8, 16, 32, 64, 128, 256, 512, 1024, 2048])
def test_lane_reorder_banks_are_conflict_free(n):
    k = n.bit_length() - 1
    for P in (2, 4, 8):
        if P > n // 2:
            continue
        p = P.bit_length() - 1
        for t in range(n // P):
            # input group t: positions t*P + l hold bins bitrev(t*P + l)
            bins = [int(format(t * P + l, f"0{k}b")[::-1], 2) for l in range(P)]
            assert len({digit_xor(b, P) for b in bins}) == P
            # output group t: bins t*P + l
            assert len({digit_xor(t * P + l, P) for l in range(P)}) == P
        assert p >= 1
