"""FPGA model against the generator's FFTConfig (single source of truth).

The cocotb bench in sim/ checks ``FFTConfig.latency_cycles`` against the RTL
simulation; here the cost model must report exactly that number and exactly
one frame per N cycles per lane.
"""

import pytest

from fftforge.config import FFTConfig
from fftforge.costmodel import fpga
from fftforge.costmodel.evaluate import Options, evaluate
from fftforge.costmodel.hardware import load_target
from fftforge.costmodel.workloads import Shape

CASES = [(n, arch, order) for n in (8, 16, 64, 256, 1024, 4096, 65536)
         for arch in ("r2sdf", "r22sdf") for order in ("natural", "bit_reversed")]


@pytest.mark.parametrize("n,arch,order", CASES)
def test_latency_and_frame_cycles_equal_fftconfig(n, arch, order):
    c = fpga.core_model(n, "ecp5", 18, 18, 16, arch, order)
    cfg = FFTConfig(n=n, width=16, arch=arch, order=order)
    assert c.latency_cycles == cfg.latency_cycles
    assert c.cycles_per_frame == n
    assert c.memory_bits == (cfg.resources()["feedback_bits"] + cfg.resources()["twiddle_rom_bits"]
                             + cfg.resources()["reorder_bits"])
    assert c.dsps == cfg.real_multipliers        # 17x18 products fit one MULT18X18D


def test_dsp_tiling():
    assert fpga.dsps_per_multiplier(17, 18, 18, 18) == 1
    assert fpga.dsps_per_multiplier(17, 18, 16, 16) == 4
    assert fpga.dsps_per_multiplier(25, 18, 27, 18) == 1


def test_lanes_come_from_the_generator():
    c1 = fpga.core_model(1024, "ecp5", 18, 18, lanes=1)
    c4 = fpga.core_model(1024, "ecp5", 18, 18, lanes=4)
    cfg4 = FFTConfig(n=1024, width=16, lanes=4)
    assert not c4.lanes_modelled and not c1.lanes_modelled
    assert c4.cycles_per_frame == 256 and c4.dsps == cfg4.real_multipliers
    assert c4.latency_cycles == cfg4.latency_cycles < c1.latency_cycles
    assert c4.mults_per_frame == cfg4.complex_multipliers * 256 * cfg4.cmul


def test_lanes_beyond_generator_are_marked_modelled():
    c1 = fpga.core_model(1024, "ecp5", 18, 18, lanes=1)
    c16 = fpga.core_model(1024, "ecp5", 18, 18, lanes=16)
    assert c16.lanes_modelled
    assert c16.cycles_per_frame == 64 and c16.dsps == 16 * c1.dsps
    assert c16.latency_cycles == c1.latency_cycles


def test_calibration_schema_and_status():
    cal = fpga.load_calibration()
    assert set(cal) == {"ice40", "ecp5", "ultrascale"}
    for fam, t in cal.items():
        assert t["status"] == "estimate" and "not yet measured" in t["source"]
        assert set(t["fmax_mhz"]) == {"r2sdf", "r22sdf"}


def test_fftnet_chain_latency_uses_core_latency():
    t = load_target("ecp5-85f")
    ev = evaluate("fftnet", t, Shape(B=1, n=1024, d=1), options=Options(arch="r22sdf"))
    lat = FFTConfig(n=1024, width=16, arch="r22sdf").latency_cycles
    (label, d), = [k for k in ev.kernels if "inverse FFT" in k[0]]
    assert int(d["pipeline_latency_cycles"][0]) == 2 * lat + fpga.POINTWISE_LATENCY
    assert int(d["compute_cycles"][0]) == 1024      # one frame, one unit
