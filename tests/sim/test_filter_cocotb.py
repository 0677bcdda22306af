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
weights and biases rewritten under stalls) in its ``target="ecp5"`` form
(MULT18X18D instantiated: the complex and the modReLU's wide multipliers,
simulated with the primitive models); the rest (N=64/256/1024,
D=1/3/8, runtime filters, ROM designs) is marked slow.
"""

import numpy as np
import pytest

from fftforge.filter_config import FFTNetConfig, FilterConfig
from fftforge.pyref.filter import design_weights
from fftforge.sim.check import check_core
from filterbench import check, make_core, random_cfg


@pytest.mark.slow
def test_filter_runtime_weights_n64_d3(tmp_path_factory):
    cfg = random_cfg(FilterConfig, 1, n=64, channels=3, weights="runtime")
    path, build = make_core(tmp_path_factory, cfg)
    check(path, build, frames=9, writes=60)


def test_fftnet_runtime_n16_d8(tmp_path_factory):
    cfg = random_cfg(FFTNetConfig, 2, n=16, channels=8, weights="runtime", target="ecp5")
    path, build = make_core(tmp_path_factory, cfg)
    check(path, build, frames=20, writes=80)


@pytest.mark.slow
@pytest.mark.parametrize("n,d,cls", [(256, 1, FilterConfig), (1024, 3, FilterConfig), (256, 3, FFTNetConfig),
                                     (1024, 1, FFTNetConfig), (64, 8, FFTNetConfig)])
def test_runtime_cores_large(tmp_path_factory, n, d, cls):
    cfg = random_cfg(cls, n + d, n=n, channels=d, weights="runtime")
    path, build = make_core(tmp_path_factory, cfg)
    check(path, build, frames=max(6, 2 * d), writes=8 * d + 20)


@pytest.mark.slow
@pytest.mark.parametrize("design,cutoff", [("lowpass", 0.1), ("bandpass", (0.05, 0.25)), ("hilbert", None)])
def test_rom_designs_n256(tmp_path_factory, design, cutoff):
    (wr, wi), _ = design_weights(design, 256, 16, cutoff=cutoff)
    cfg = FilterConfig(n=256, name="dut", weights_re=wr, weights_im=wi)
    path, build = make_core(tmp_path_factory, cfg)
    rep = check_core(path, frames=6, seed=4, build_dir=build)
    assert rep.bit_exact and rep.stalled_bit_exact and rep.latency_cycles == rep.latency_expected


def test_overlap_save_vs_numpy_convolve(tmp_path_factory):
    """A continuous random stream of 24 hops through the overlap-save core:
    every kept output word equals the bit-true model (with and without
    stalls), and the SQNR against numpy.convolve with the FIR meets the
    derived bound (check_core computes both)."""
    (wr, wi), _ = design_weights("lowpass", 64, 16, cutoff=0.15, taps=17)
    cfg = FilterConfig(n=64, mode="overlap_save", taps=17, weights_re=wr, weights_im=wi, name="dut")
    path, build = make_core(tmp_path_factory, cfg)
    rep = check(path, build, frames=24)
    assert rep.frames >= 20


@pytest.mark.slow
@pytest.mark.parametrize("n,d,cls", [(16, 3, FFTNetConfig), (64, 8, FilterConfig), (256, 1, FFTNetConfig),
                                     (1024, 3, FFTNetConfig)])
def test_real_pairs_runtime(tmp_path_factory, n, d, cls):
    """Real-input pairing (two real channels per complex frame) with weight
    and bias rewrites under stalls."""
    cfg = random_cfg(cls, 3 * n + d, n=n, channels=d, weights="runtime", real_pairs=True)
    path, build = make_core(tmp_path_factory, cfg)
    check(path, build, frames=max(6, 2 * d), writes=8 * d + 20)
