"""cocotb benches on Verilator for filter / FFTNet cores: every output word
against the bit-true model, with and without random valid/ready stalls and
idle gaps (draining); runtime-weight cores also get random weight (and bias)
rewrites through the weight port, with its own random stalls, before,
between and during frames -- each frame must match the model with the
memory state after exactly the ``wseq`` writes it reports (no torn frame).
Latency, throughput and SQNR (against the float reference, derived bound)
are checked on the no-stall run.

Fast set: an overlap-save filter (N=64, M=17, 24 frames of a continuous
stream against numpy.convolve) and an FFTNet layer (N=16, D=8, runtime
weights and biases rewritten under stalls); the rest (N=64/256/1024,
D=1/3/8, runtime filters, ROM designs) is marked slow.
"""

import numpy as np
import pytest

from fftforge.filter_config import FFTNetConfig, FilterConfig
from fftforge.hdl.filter import generate
from fftforge.pyref.filter import design_weights
from fftforge.sim.check import check_core
from fftforge.sim.check_filter import random_bias, random_weights


def _core(tmp_path_factory, cfg):
    out = tmp_path_factory.mktemp("core")
    paths = generate(cfg, str(out))
    return paths["json"], str(out / "build")


def _random_cfg(cls, seed, **kw):
    cfg0 = cls(name="dut", **kw)
    rng = np.random.default_rng(seed)
    wr, wi = random_weights(cfg0, rng)
    extra = {"bias": tuple(random_bias(cfg0, rng))} if cls is FFTNetConfig else {}
    return cfg0.replace(weights_re=wr.ravel(), weights_im=wi.ravel(), **extra)


def _check(path, build, frames, **kw):
    rep = check_core(path, frames=frames, seed=3, build_dir=build, **kw)
    assert rep.bit_exact, (rep.mismatches, rep.first_mismatch)
    assert rep.stalled_bit_exact, (rep.stall_mismatches, rep.first_mismatch)
    assert rep.latency_cycles == rep.latency_expected
    assert rep.input_samples_per_cycle == 1.0 and rep.output_gaps == 0
    assert rep.sqnr_db >= rep.sqnr_bound_db, (rep.sqnr_db, rep.sqnr_bound_db)
    assert rep.ok
    if rep.stall_wseq is not None:
        # the writes went in, before and during the run, and frames saw several memory states
        assert rep.writes_accepted == rep.writes_offered > 0
        assert len(set(rep.stall_wseq.tolist())) >= 3, rep.stall_wseq
        assert rep.stall_wseq[0] > 0, rep.stall_wseq
    return rep


@pytest.mark.slow
def test_filter_runtime_weights_n64_d3(tmp_path_factory):
    cfg = _random_cfg(FilterConfig, 1, n=64, channels=3, weights="runtime")
    path, build = _core(tmp_path_factory, cfg)
    _check(path, build, frames=9, writes=60)


def test_fftnet_runtime_n16_d8(tmp_path_factory):
    cfg = _random_cfg(FFTNetConfig, 2, n=16, channels=8, weights="runtime")
    path, build = _core(tmp_path_factory, cfg)
    _check(path, build, frames=20, writes=80)


@pytest.mark.slow
@pytest.mark.parametrize("n,d,cls", [(256, 1, FilterConfig), (1024, 3, FilterConfig), (256, 3, FFTNetConfig),
                                     (1024, 1, FFTNetConfig), (64, 8, FFTNetConfig)])
def test_runtime_cores_large(tmp_path_factory, n, d, cls):
    cfg = _random_cfg(cls, n + d, n=n, channels=d, weights="runtime")
    path, build = _core(tmp_path_factory, cfg)
    _check(path, build, frames=max(6, 2 * d), writes=8 * d + 20)


@pytest.mark.slow
@pytest.mark.parametrize("design,cutoff", [("lowpass", 0.1), ("bandpass", (0.05, 0.25)), ("hilbert", None)])
def test_rom_designs_n256(tmp_path_factory, design, cutoff):
    (wr, wi), _ = design_weights(design, 256, 16, cutoff=cutoff)
    cfg = FilterConfig(n=256, name="dut", weights_re=wr, weights_im=wi)
    path, build = _core(tmp_path_factory, cfg)
    rep = check_core(path, frames=6, seed=4, build_dir=build)
    assert rep.bit_exact and rep.stalled_bit_exact and rep.latency_cycles == rep.latency_expected


def test_overlap_save_vs_numpy_convolve(tmp_path_factory):
    """A continuous random stream of 24 hops through the overlap-save core:
    every kept output word equals the bit-true model (with and without
    stalls), and the SQNR against numpy.convolve with the FIR meets the
    derived bound (check_core computes both)."""
    (wr, wi), _ = design_weights("lowpass", 64, 16, cutoff=0.15, taps=17)
    cfg = FilterConfig(n=64, mode="overlap_save", taps=17, weights_re=wr, weights_im=wi, name="dut")
    path, build = _core(tmp_path_factory, cfg)
    rep = _check(path, build, frames=24)
    assert rep.frames >= 20


@pytest.mark.slow
@pytest.mark.parametrize("n,d,cls", [(16, 3, FFTNetConfig), (64, 8, FilterConfig), (256, 1, FFTNetConfig),
                                     (1024, 3, FFTNetConfig)])
def test_real_pairs_runtime(tmp_path_factory, n, d, cls):
    """Real-input pairing (two real channels per complex frame) with weight
    and bias rewrites under stalls."""
    cfg = _random_cfg(cls, 3 * n + d, n=n, channels=d, weights="runtime", real_pairs=True)
    path, build = _core(tmp_path_factory, cfg)
    _check(path, build, frames=max(6, 2 * d), writes=8 * d + 20)
