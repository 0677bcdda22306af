"""Whole FFT cores in Amaranth's simulator: every output word against the
bit-true model, with random valid/ready stalls, for small N across the
option matrix (the Verilator benches in tests/sim cover large N)."""

import itertools
import os

import numpy as np
import pytest

from fftforge.config import FFTConfig
from fftforge.hdl.fft import FFTCore
from fftforge.pyref.fft import FFTModel
from fftforge.pyref.stimulus import make_stimulus
from streamsim import run_stream

FULL = bool(os.environ.get("FFTFORGE_FULL"))


def check_core(cfg, frames=3, kind="random", p_valid=0.75, p_ready=0.75, seed=0):
    rng = np.random.default_rng(seed)
    re, im = make_stimulus(kind, frames, cfg.n, cfg.width, rng)
    inv = rng.random(frames) < 0.5 if cfg.direction == "runtime" else None
    y_re, y_im, y_ovf = FFTModel(cfg)(re, im, inv)
    dut = FFTCore(cfg)
    samples = [{"re": a, "im": b} for a, b in zip(re.ravel(), im.ravel())]
    extra = [[(dut.inverse, inv[k // cfg.n])] for k in range(len(samples))] if inv is not None else None
    outs, first_in, first_out = run_stream(dut, samples, p_valid=p_valid, p_ready=p_ready,
                                           extra_inputs=extra, seed=seed)
    got = {f: np.array([o[f] for o in outs]).reshape(frames, cfg.n) for f in outs[0]}
    assert np.array_equal(got["re"], y_re), "re mismatch"
    assert np.array_equal(got["im"], y_im), "im mismatch"
    assert np.array_equal(got["overflow"].astype(bool), y_ovf), "overflow flag mismatch"
    assert (got["last"][:, -1] == 1).all() and (got["last"][:, :-1] == 0).all(), "last misplaced"
    return first_in, first_out, y_ovf


SMALL_MATRIX = [
    dict(n=n, arch=a, direction=d, scaling=sc, rounding=rd, order=o, width=w, twiddle_width=tw)
    for (n, a, d, sc, rd, o, (w, tw)) in itertools.product(
        (8, 16, 32), ("r2sdf", "r22sdf"), ("forward", "runtime"), ("scaled", "unscaled"),
        ("convergent", "truncate"), ("natural", "bit_reversed"), ((8, 8),))
    # a deterministic third of the product keeps the suite fast; make test-full runs all of it
    if FULL or (n + len(a) + len(d) + len(sc) + len(rd) + len(o)) % 3 == 0
]


@pytest.mark.parametrize("kw", SMALL_MATRIX, ids=lambda k: "-".join(str(v) for v in k.values()))
def test_small_cores_bit_exact_under_stalls(kw):
    check_core(FFTConfig(**kw))


@pytest.mark.parametrize("kind", ["impulse", "dc", "tone", "square"])
def test_deterministic_stimuli(kind):
    check_core(FFTConfig(n=16, arch="r22sdf", width=10, direction="inverse", cmul=3), kind=kind)


@pytest.mark.parametrize("arch", ["r2sdf", "r22sdf"])
def test_latency_and_full_throughput_without_stalls(arch):
    cfg = FFTConfig(n=16, arch=arch, width=8)
    frames = cfg.latency_cycles // cfg.n + 3
    first_in, first_out, _ = check_core(cfg, frames=frames, p_valid=1.0, p_ready=1.0)
    assert first_out - first_in == cfg.latency_cycles


@pytest.mark.parametrize("overflow", ["saturate", "wrap"])
def test_overflow_is_flagged_per_frame(overflow):
    cfg = FFTConfig(n=16, width=8, schedule=(0, 0, 0, 1), overflow=overflow)
    *_, ovf = check_core(cfg, frames=3, kind="square")
    assert ovf[:, -1].all()


def test_drain_immediately_and_back_pressure_only():
    check_core(FFTConfig(n=32, arch="r22sdf", width=8, drain_after=0), frames=4, p_valid=0.6, p_ready=0.4)
    check_core(FFTConfig(n=16, arch="r2sdf", width=8, drain_after=3), frames=3, p_valid=1.0, p_ready=0.3)
