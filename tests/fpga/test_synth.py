"""Out-of-context synthesis + place-and-route on iCE40, parsed into the report
schema; clean 'does not fit' reports; parsers on tool output."""

import json
import time

import pytest

from fftforge.config import FFTConfig
from fftforge.fpga.core import CoreSource, core_from_config
from fftforge.fpga.synth import (DEVICES, SCHEMA, SynthReport, device_for, parse_nextpnr_log,
                                 parse_nextpnr_report, parse_yosys_stat, synth_core, synthesis_overflow)
from fftforge.fpga.toolchain import ToolError
from fftforge.errors import UserError


@pytest.fixture(scope="module")
def ice40_n8(tmp_path_factory):
    d = tmp_path_factory.mktemp("synth")
    cfg = FFTConfig(n=8, width=16, name="fft8")
    core = core_from_config(cfg, str(d / "core"))
    return cfg, synth_core(core, "ice40", workdir=str(d / "run"))


def test_ice40_ooc_synth_report_schema(ice40_n8):
    cfg, rep = ice40_n8
    assert rep.status == "ok", rep.error or rep.overflow
    d = json.loads(json.dumps(rep.to_dict()))            # JSON-clean
    assert d["schema"] == SCHEMA and d["family"] == "ice40" and d["device"] == "up5k"
    assert d["core"]["n"] == 8 and d["core"]["arch"] == "r22sdf" and d["core"]["width"] == 16
    assert d["architecture"] == cfg.resources()
    for k in ("luts", "ffs", "carry", "dsps", "bram", "logic_cells"):
        assert isinstance(d[k], int) and d[k] >= 0, k
    # the numbers are the tools' own: Yosys cell counts and nextpnr utilisation agree
    assert d["luts"] == d["cells"]["SB_LUT4"]
    assert d["ffs"] == sum(v for k, v in d["cells"].items() if k.startswith("SB_DFF"))
    assert d["dsps"] == d["utilization"]["ICESTORM_DSP"]["used"] == d["cells"].get("SB_MAC16", 0)
    assert d["logic_cells"] == d["utilization"]["ICESTORM_LC"]["used"] <= 5280
    assert d["logic_cells"] >= max(d["luts"], d["ffs"])
    # one twiddle part with 4 real 17x18 multipliers: SB_MAC16 is 16x16, so >= 1 each
    assert cfg.real_multipliers == 4 and 4 <= d["dsps"] <= 8
    # the delay lines (7 words) and the 8-word reorder buffer hold 17-bit data
    assert d["ffs"] > 2 * 17 * 7
    assert 1.0 < d["fmax_mhz"] < 500.0 and d["target_mhz"] == 50.0
    assert d["ooc"] is False and "harness" in d["harness"]
    assert d["seconds"]["yosys"] > 0 and d["seconds"]["nextpnr"] > 0
    assert SynthReport.from_dict(d).to_dict() == d


def test_core_too_big_for_part_is_reported_not_raised(tmp_path):
    cfg = FFTConfig(n=4096, arch="r2sdf", width=16)
    # no Verilog needed: the architectural check runs before any tool
    core = CoreSource(cfg, {"name": "fft", "n": 4096, "arch": "r2sdf", "resources": cfg.resources()},
                      str(tmp_path / "missing.v"))
    t0 = time.perf_counter()
    rep = synth_core(core, "ice40", "up5k")
    assert time.perf_counter() - t0 < 5
    assert rep.status == "does_not_fit" and rep.fmax_mhz is None and rep.luts is None
    (o,) = rep.overflow
    mem = sum(cfg.resources()[k] for k in ("feedback_bits", "twiddle_rom_bits", "reorder_bits"))
    assert o["used"] == mem and o["available"] == 30 * 4096 + 5280 and o["stage"] == "architecture"
    assert "memory bits" in rep.overflow_text()


def test_synthesis_overflow_counts():
    cap = DEVICES["ice40"]["up5k"]
    counts = dict(luts=3682, carry=900, ffs=2000, dsps=16, bram=5, spram=0, lutram_bits=0)
    (o,) = synthesis_overflow(counts, cap, "ice40")
    assert o == {"resource": "DSP blocks", "used": 16, "available": 8, "stage": "synthesis"}
    counts.update(luts=6000, dsps=8)
    (o,) = synthesis_overflow(counts, cap, "ice40")
    assert o["resource"].startswith("logic cells") and o["used"] == 6000
    e = dict(luts=100, carry=10, ffs=10, dsps=157, bram=209, spram=0, lutram_bits=64)
    got = {o["resource"] for o in synthesis_overflow(e, DEVICES["ecp5"]["85k"], "ecp5")}
    assert got == {"DSP blocks", "block RAMs"}


def test_parsers_on_tool_output():
    stat = {"design": {"num_cells_by_type": {"$scopeinfo": 3, "SB_LUT4": 10, "SB_CARRY": 4,
                                             "SB_DFFE": 5, "SB_DFFESR": 6, "SB_MAC16": 2,
                                             "SB_RAM40_4K": 1}}}
    c = parse_yosys_stat(stat, "ice40")
    assert (c["luts"], c["carry"], c["ffs"], c["dsps"], c["bram"]) == (10, 4, 11, 2, 1)
    e = parse_yosys_stat({"modules": {"\\fft": {"num_cells_by_type": {
        "LUT4": 7, "CCU2C": 3, "TRELLIS_FF": 9, "MULT18X18D": 2, "DP16KD": 1, "TRELLIS_DPR16X4": 2}}}},
        "ecp5", "fft")
    assert (e["luts"], e["carry"], e["ffs"], e["dsps"], e["bram"], e["lutram_bits"]) == (7, 3, 9, 2, 1, 128)
    rep = {"fmax": {"clk": {"achieved": 74.5, "constraint": 150}, "clk2": {"achieved": 99.0}},
           "utilization": {"TRELLIS_COMB": {"used": 3768, "available": 83640},
                           "MULT18X18D": {"used": 10, "available": 156}}}
    p = parse_nextpnr_report(rep, "ecp5")
    assert p["fmax_mhz"] == 74.5 and p["luts"] == 3768 and p["dsps"] == 10
    log = ("Info: Max frequency for clock 'clk': 30.00 MHz (FAIL at 50.00 MHz)\n"
           "Info: Max frequency for clock 'clk': 24.01 MHz (FAIL at 50.00 MHz)\n"
           "Info:     ICESTORM_DSP:    16/    8   200%\n"
           "ERROR: Unable to place cell 'x', no BELs remaining to implement cell type 'ICESTORM_DSP'\n")
    q = parse_nextpnr_log(log)
    assert q["fmax_mhz"] == 24.01
    assert q["overflow"] == [{"resource": "ICESTORM_DSP", "used": 16, "available": 8, "stage": "nextpnr"}]


def test_unknown_family_device_and_missing_tool(tmp_path):
    with pytest.raises(UserError, match="--family"):
        device_for("virtex")
    with pytest.raises(UserError, match="up5k"):
        device_for("ice40", "up9k")
    assert device_for("ecp5", "LFE5U-85F")[0] == "85k"
    cfg = FFTConfig(n=8)
    core = CoreSource(cfg, {"name": "fft", "n": 8, "resources": cfg.resources()}, "x.v")
    with pytest.raises(ToolError, match="YOSYS"):
        synth_core(core, "ice40", env={"YOSYS": "/no/such/yosys", "PATH": ""})


def test_breakdown_rolls_module_cells_into_parts():
    from fftforge.fpga.synth import format_breakdown, parse_breakdown
    stat = {"modules": {
        "\\top": {"num_cells_by_type": {"LUT4": 2, "TRELLIS_FF": 1}},
        "\\top.datapath.p2_twiddle": {"num_cells_by_type": {"LUT4": 10, "CCU2C": 4, "MULT18X18D": 1}},
        "\\top.datapath.p2_twiddle.mult": {"num_cells_by_type": {"MULT18X18D": 3, "TRELLIS_FF": 7}},
        "\\other": {"num_cells_by_type": {"LUT4": 99}},
    }}
    rows = parse_breakdown(stat, "ecp5", "top")
    tw = next(r for r in rows if r["part"] == "top.datapath.p2_twiddle")
    assert (tw["lut4"], tw["ccu2c"], tw["dsp"], tw["ff"], tw["modules"], tw["lut4_ccu2c"]) == (10, 4, 4, 7, 2, 14)
    assert [r["part"] for r in rows] == ["top.datapath.p2_twiddle", "top"]      # largest first, 'other' dropped
    table = format_breakdown(rows)
    assert table.splitlines()[-1].split()[:2] == ["total", "12"]
