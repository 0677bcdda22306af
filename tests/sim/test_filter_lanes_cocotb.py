"""cocotb benches on Verilator for P-lane filter / FFTNet cores: every output
word of every lane against the bit-true model, with and without random
valid/ready stalls and idle gaps, and with random weight (and bias) rewrites
through the banked weight port (its own random stalls) before, between and
during frames -- each frame must match the memory state after exactly the
``wseq`` writes it reports.  Latency, full rate (one transfer of P samples
per cycle) and SQNR (derived bound) on the no-stall run.

Real pairs (banked pairing buffer) and overlap-save (framer and discarder
moving whole transfers) with lanes too.

Fast set: a runtime-weight filter, N=16, P=2, D=3; a runtime-weight
real-pair FFTNet, N=16, P=2, D=3, 10-bit data (8 modReLU units; the P=4,
16-bit one, 16 units and a 130 k-line Verilog file, is in the slow set);
an overlap-save filter, N=16, P=4.  The rest is slow.
"""

import pytest

from fftforge.filter_config import FFTNetConfig, FilterConfig
from filterbench import check, make_core, random_cfg


def test_lane_filter_runtime_n16_p2_d3(tmp_path_factory):
    cfg = random_cfg(FilterConfig, 5, n=16, lanes=2, channels=3, weights="runtime")
    path, build = make_core(tmp_path_factory, cfg)
    rep = check(path, build, frames=12, writes=48)
    assert rep.writes_accepted == rep.writes_offered


@pytest.mark.slow
@pytest.mark.parametrize("cls,n,lanes,d", [(FFTNetConfig, 16, 8, 3), (FFTNetConfig, 64, 4, 3),
                                           (FilterConfig, 64, 4, 1), (FilterConfig, 256, 8, 3),
                                           (FFTNetConfig, 256, 2, 1)])
def test_lane_runtime_cores(tmp_path_factory, cls, n, lanes, d):
    cfg = random_cfg(cls, n + lanes + d, n=n, lanes=lanes, channels=d, weights="runtime")
    path, build = make_core(tmp_path_factory, cfg)
    check(path, build, frames=max(8, 3 * d), writes=8 * d + 16, all_writes=False)


@pytest.mark.slow
@pytest.mark.parametrize("cls,n,lanes,d", [(FilterConfig, 64, 8, 3), (FFTNetConfig, 64, 2, 1)])
def test_lane_rom_cores(tmp_path_factory, cls, n, lanes, d):
    cfg = random_cfg(cls, 2 * n + lanes + d, n=n, lanes=lanes, channels=d)
    path, build = make_core(tmp_path_factory, cfg)
    check(path, build, frames=8)


@pytest.mark.parametrize("lanes,width", [(2, 10), pytest.param(4, 16, marks=pytest.mark.slow)])
def test_lane_real_pairs_fftnet_runtime_n16_d3(tmp_path_factory, lanes, width):
    cfg = random_cfg(FFTNetConfig, 11, n=16, lanes=lanes, channels=3, real_pairs=True, weights="runtime",
                     width=width, coef_width=min(16, width + 2))
    path, build = make_core(tmp_path_factory, cfg)
    # (each frame holds two of the three channels: writes may still queue at the end)
    check(path, build, frames=12, writes=48, all_writes=False)


def _overlap_save_cfg(n, lanes, taps):
    from fftforge.pyref.filter import design_weights
    (wr, wi), _ = design_weights("bandpass", n, 16, cutoff=(0.05, 0.2), taps=taps)
    return FilterConfig(name="dut", n=n, lanes=lanes, mode="overlap_save", taps=taps, weights_re=wr,
                        weights_im=wi)


def test_lane_overlap_save_n16_p4(tmp_path_factory):
    cfg = _overlap_save_cfg(16, 4, 5)
    path, build = make_core(tmp_path_factory, cfg)
    rep = check(path, build, frames=24)
    assert rep.frames >= 24


@pytest.mark.slow
@pytest.mark.parametrize("cls,n,lanes,d,weights", [(FilterConfig, 64, 8, 3, "runtime"),
                                                   (FFTNetConfig, 64, 2, 1, "rom"),
                                                   (FilterConfig, 256, 4, 2, "rom")])
def test_lane_real_pairs_cores(tmp_path_factory, cls, n, lanes, d, weights):
    cfg = random_cfg(cls, n + 3 * lanes + d, n=n, lanes=lanes, channels=d, real_pairs=True, weights=weights)
    path, build = make_core(tmp_path_factory, cfg)
    check(path, build, frames=max(8, 3 * d), all_writes=False,
          **({"writes": 8 * d + 16} if weights == "runtime" else {}))


@pytest.mark.slow
@pytest.mark.parametrize("n,lanes,taps", [(64, 8, 17), (256, 2, 65), (1024, 4, 129)])
def test_lane_overlap_save_cores(tmp_path_factory, n, lanes, taps):
    cfg = _overlap_save_cfg(n, lanes, taps)
    path, build = make_core(tmp_path_factory, cfg)
    check(path, build, frames=max(8, -(-2 * cfg.latency_cycles // cfg.frame_cycles)))
