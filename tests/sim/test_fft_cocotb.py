"""cocotb benches on Verilator: generated Verilog against the bit-true model,
every word of every output field, with and without random valid/ready stalls
and idle gaps (which make the core drain).  Latency and throughput are
measured and compared with the descriptor.

``make test`` runs a representative set (each Verilator build takes ~15 s):
both architectures, both scalings, both roundings, both output orders, all
three directions, widths 8/16/24, and the largest N (4096).  ``make test-full``
(FFTFORGE_FULL=1) runs the whole matrix.
"""

import itertools
import os

import numpy as np
import pytest

from fftforge.config import FFTConfig
from fftforge.hdl.export import generate
from fftforge.pyref.noise import sqnr_bound_db
from fftforge.pyref.fft import from_lanes, sqnr_db
from fftforge.sim.check import fft_job
from fftforge.sim.runner import VerilatorSim

FULL = bool(os.environ.get("FFTFORGE_FULL"))

REPRESENTATIVE = [
    # the headline core: r22sdf, N=1024, 16-bit, scaled, convergent, saturate,
    # natural, in its ECP5 form (MULT18X18D and DP16KD instantiated: the
    # behavioural models of sim/models are compiled in)
    dict(n=1024, arch="r22sdf", width=16, twiddle_width=18, target="ecp5"),
    # largest N, runtime direction, truncation, in its iCE40 form (the 17/18 x
    # 18-bit twiddle products as registered 16-bit limb products)
    dict(n=4096, arch="r22sdf", width=16, twiddle_width=18, direction="runtime", rounding="truncate",
         target="ice40"),
    # r2sdf, unscaled, wrap, bit-reversed, inverse, 3-multiplier form, 8-bit
    dict(n=256, arch="r2sdf", width=8, twiddle_width=8, scaling="unscaled", overflow="wrap",
         order="bit_reversed", direction="inverse", cmul=3),
    # 24-bit, a schedule that overflows on full-scale input (saturation + flag)
    dict(n=64, arch="r2sdf", width=24, twiddle_width=24, schedule=(0, 0, 1, 1, 1, 1), rounding="truncate"),
    # small odd-log2 r22sdf, unscaled convergent, bit-reversed, drain at once
    dict(n=32, arch="r22sdf", width=16, twiddle_width=12, scaling="unscaled", order="bit_reversed",
         direction="runtime", drain_after=0),
]

# P samples per clock: four cores in the fast set (every P, both archs, all
# three directions, both orders, odd log2 N); the whole N x P x direction
# matrix (N = 16 ... 1024) in the full run.
LANES_REPRESENTATIVE = [
    dict(n=16, lanes=8, arch="r22sdf", width=16, direction="inverse"),
    dict(n=64, lanes=4, arch="r2sdf", width=12, direction="runtime", order="bit_reversed"),
    dict(n=256, lanes=2, arch="r22sdf", width=16, rounding="truncate", cmul=3, target="ecp5"),
    dict(n=128, lanes=4, arch="r22sdf", width=16, scaling="unscaled"),
]

LANES_MATRIX = [
    dict(n=n, lanes=p, arch="r22sdf", width=16, direction=d)
    for n, p, d in itertools.product((16, 64, 256, 1024), (2, 4, 8), ("forward", "inverse"))
]

FULL_MATRIX = [
    dict(n=n, arch=a, scaling=sc, rounding=rd, order=o, width=w, twiddle_width=min(w + 2, 32),
         direction="runtime")
    for n, a, sc, rd, o, w in itertools.product(
        (8, 16, 64, 256, 1024, 4096), ("r2sdf", "r22sdf"), ("scaled", "unscaled"),
        ("convergent", "truncate"), ("natural", "bit_reversed"), (8, 16, 24))
]


def _ident(kw):
    return "-".join(f"{v}" for v in kw.values()).replace(" ", "").replace(",", "_")


def _run_core(kw, tmp_path_factory):
    cfg = FFTConfig(name="dut", **kw)
    out = tmp_path_factory.mktemp("core")
    paths = generate(cfg, str(out))
    sim = VerilatorSim(paths["json"], build_dir=str(out / "build"))
    nostall_frames = cfg.latency_cycles // cfg.frame_cycles + 3
    kinds = ["random", "impulse", "tone", "square", "dc"]
    jobs, refs = [], []
    job, ref, _ = fft_job(cfg, "random", nostall_frames, seed=11)
    job.stimulus = "random"
    jobs.append(job)
    refs.append(ref)
    stall_frames = 3 if cfg.n >= 1024 else 6
    for k, kind in enumerate(kinds):
        job, ref, _ = fft_job(cfg, kind, stall_frames, seed=20 + k, p_valid=0.7, p_ready=0.6,
                              idle_every=2, idle_cycles=cfg.drain_after + 3)
        job.stimulus = kind
        jobs.append(job)
        refs.append(ref)
    return cfg, jobs, refs, sim.run(jobs)


def _assert_core(cfg, jobs, refs, results):
    for job, res in zip(jobs, results):
        assert res.bit_exact, f"mismatches {res.mismatches}, first {res.first_mismatch}"
        assert res.accepted * cfg.lanes == cfg.n * len(job.inputs[cfg.lane_fields[0][0]])
    r0 = results[0]
    assert r0.latency == cfg.latency_cycles
    assert r0.in_span == r0.accepted          # one transfer (P samples) accepted every cycle
    assert r0.out_gaps == 0                   # one transfer out every cycle while streaming
    # SQNR against NumPy for the random and tone runs (with and without
    # stalls), against the derived bound; impulse, square and dc have none
    checked = set()
    for job, ref, res in zip(jobs, refs, results):
        if job.stimulus not in ("random", "tone"):
            continue
        if cfg.overflow == "saturate" and res.outputs["overflow"].any():
            continue
        x_re, x_im = from_lanes(cfg, job.inputs)
        y_re, y_im = from_lanes(cfg, res.outputs)
        p_in = float(np.mean(x_re.astype(float) ** 2 + x_im.astype(float) ** 2))
        measured = sqnr_db(ref, y_re + 1j * y_im.astype(float))
        assert measured >= sqnr_bound_db(cfg, ref, p_in), f"{job.stimulus} run: SQNR {measured:.1f} dB"
        checked.add(job.stimulus)
    if not any(r.outputs["overflow"].any() for r in results):
        assert checked == {"random", "tone"}


@pytest.mark.parametrize("kw", REPRESENTATIVE, ids=_ident)
def test_representative_cores_on_verilator(kw, tmp_path_factory):
    _assert_core(*_run_core(kw, tmp_path_factory))


@pytest.mark.slow
@pytest.mark.skipif(not FULL, reason="full matrix: make test-full")
@pytest.mark.parametrize("kw", FULL_MATRIX, ids=_ident)
def test_full_matrix_on_verilator(kw, tmp_path_factory):
    _assert_core(*_run_core(kw, tmp_path_factory))


@pytest.mark.parametrize("kw", LANES_REPRESENTATIVE, ids=_ident)
def test_lane_cores_on_verilator(kw, tmp_path_factory):
    _assert_core(*_run_core(kw, tmp_path_factory))


@pytest.mark.slow
@pytest.mark.skipif(not FULL, reason="full matrix: make test-full")
@pytest.mark.parametrize("kw", LANES_MATRIX, ids=_ident)
def test_lanes_matrix_on_verilator(kw, tmp_path_factory):
    _assert_core(*_run_core(kw, tmp_path_factory))
