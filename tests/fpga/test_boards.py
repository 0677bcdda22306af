"""Board builds: board lookup, clear errors, and a full iCEBreaker bitstream
of a small core in its self-checking top."""

import json
import os

import pytest

from fftforge.config import FFTConfig
from fftforge.errors import UserError
from fftforge.filter_config import FFTNetConfig, FilterConfig
from fftforge.fpga.boards import build_board, check_fits, list_boards, platform_family, resolve_board
from fftforge.fpga.core import core_from_config
from fftforge.fpga.harness import expected_checksum


def test_board_names():
    from amaranth_boards.icebreaker import ICEBreakerPlatform
    from amaranth_boards.ulx3s import ULX3S_85F_Platform
    assert resolve_board("icebreaker") is ICEBreakerPlatform
    assert resolve_board("ICEBreakerPlatform") is ICEBreakerPlatform
    assert resolve_board("ulx3s-85f") is ULX3S_85F_Platform
    assert resolve_board("ulx3s.ULX3S_85F_Platform") is ULX3S_85F_Platform
    assert platform_family(ICEBreakerPlatform) == "ice40"
    assert platform_family(ULX3S_85F_Platform) == "ecp5"
    names = list_boards()
    assert "icebreaker" in names and "ulx3s.ULX3S_85F_Platform" in names


def test_unknown_and_unsupported_boards():
    with pytest.raises(UserError, match="unknown board 'nosuchboard'"):
        resolve_board("nosuchboard")
    from amaranth_boards.arty_a7 import ArtyA7_35Platform
    with pytest.raises(UserError, match="not an iCE40 or ECP5"):
        platform_family(ArtyA7_35Platform)


def test_core_too_big_for_the_board():
    cfg = FFTConfig(n=4096, arch="r2sdf")
    desc = {"name": "fft", "n": 4096, "arch": "r2sdf", "resources": cfg.resources()}
    with pytest.raises(UserError) as e:
        check_fits(desc, "icebreaker")
    msg = str(e.value)
    assert "does not fit iCE40UP5K on icebreaker" in msg and "memory bits" in msg and "\n" not in msg
    check_fits(desc, "ulx3s-85f")          # the 85F has the block RAM


def test_icebreaker_bitstream(tmp_path):
    cfg = FFTConfig(n=8, width=16, name="fft8")
    core = core_from_config(cfg, str(tmp_path / "core"))
    rep = build_board(core, "icebreaker", str(tmp_path / "build"), check_frames=3)
    assert os.path.exists(rep.bitstream) and rep.bitstream.endswith("top.bin")
    # an iCE40 UP5K configuration image is 104090 bytes (icepack output for the part)
    assert os.path.getsize(rep.bitstream) == 104090
    assert rep.device == "iCE40UP5K" and rep.family == "ice40" and rep.clock_mhz == 12.0
    assert rep.fmax_mhz > 0 and rep.timing_met == (rep.fmax_mhz >= 12.0)
    assert rep.dsps >= cfg.real_multipliers and 0 < rep.logic_cells <= 5280
    assert rep.self_check["expected_checksum"] == f"0x{expected_checksum(cfg, core.desc, 3):08x}"
    assert set(rep.leds) == {"led_g", "led_r"} and rep.program.startswith("iceprog ")
    d = json.loads((tmp_path / "build" / "report.json").read_text())
    assert d["schema"] == "fftforge.build/1" and d["bitstream"] == rep.bitstream


def test_ulx3s_top_elaborates_with_eight_leds(tmp_path):
    # platform preparation only (no tools): the reset-less ECP5 clock domain,
    # the LED row and the core's Verilog file in the build plan
    from fftforge.fpga.boards import BoardTop
    cfg = FFTConfig(n=8, name="fft8")
    core = core_from_config(cfg, str(tmp_path))
    top = BoardTop(core, 0x1234)
    plan = resolve_board("ulx3s-85f")().prepare(top, name="top")
    assert "fft8.v" in plan.files and "top.il" in plan.files
    assert [top.legend[f"led{i}"] for i in range(4)] == ["alive (blinks)", "pass", "fail", "overflow seen"]


@pytest.mark.slow
def test_ulx3s_85f_bitstream(tmp_path):
    cfg = FFTConfig(n=16, width=16, name="fft16")
    core = core_from_config(cfg, str(tmp_path / "core"))
    rep = build_board(core, "ulx3s-85f", str(tmp_path / "build"))
    assert rep.bitstream.endswith("top.bit") and os.path.getsize(rep.bitstream) > 100_000
    assert rep.device == "LFE5U-85F" and rep.clock_mhz == 25.0 and rep.fmax_mhz > 25.0
    assert rep.dsps >= cfg.real_multipliers and rep.program.startswith("openFPGALoader -b ulx3s")


# Every bitstream 'fftforge build' makes carries its self-check: FFT, filter,
# FFTNet, any number of lanes.  (Before, expected_checksum raised for lane and
# filter cores and build_board caught it with 'except Exception' and went on
# without a self-check.)  The tools are replaced by a failing build script:
# the board top is elaborated, the tools never run.  (That expected_checksum
# is the bit-true model's words packed as the core outputs them, computed
# independently: tests/fpga/test_expected_checksum.py, same configurations.)
SELF_CHECKED = [
    FFTConfig(n=16, width=8, name="f16p1"),
    FFTConfig(n=16, width=8, lanes=2, name="f16p2"),
    FFTConfig(n=16, width=8, lanes=4, direction="runtime", order="bit_reversed", name="f16p4"),
    FFTConfig(n=16, width=8, lanes=8, name="f16p8"),
    FilterConfig(n=16, width=8, coef_width=8, lanes=2, weights="runtime", name="flt16p2"),
    FFTNetConfig(n=16, width=8, coef_width=8, lanes=2, name="net16p2"),
]


def _core(cfg, tmp_path):
    if isinstance(cfg, FFTConfig):
        return core_from_config(cfg, str(tmp_path / "core"))
    from fftforge.fpga.core import core_from_descriptor
    from fftforge.hdl.filter import generate
    return core_from_descriptor(generate(cfg, str(tmp_path / "core"))["json"])


@pytest.mark.parametrize("cfg", SELF_CHECKED, ids=lambda c: c.name)
def test_every_board_top_carries_its_self_check(cfg, tmp_path, monkeypatch):
    import subprocess

    from amaranth.build.run import BuildPlan

    from fftforge.fpga import boards
    from fftforge.pyref.lanes import frame_transfers
    core = _core(cfg, tmp_path)
    seen = {}

    class Recording(boards.StimulusHarness):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            seen["harness"] = self

    def failing_tools(self, *a, **kw):
        raise subprocess.CalledProcessError(1, ["sh", "build_top.sh"])
    monkeypatch.setattr(boards, "StimulusHarness", Recording)
    monkeypatch.setattr(BuildPlan, "execute_local", failing_tools)
    with pytest.raises(UserError, match="build for ulx3s-85f failed"):
        build_board(core, "ulx3s-85f", str(tmp_path / "build"), check_frames=3)
    h = seen["harness"]
    assert h.expected is not None and h.expected == expected_checksum(cfg, core.desc, 3)
    assert h.check_frames == 3 and h.n == frame_transfers(cfg) == cfg.n // cfg.lanes


def test_a_core_without_a_model_stops_the_build_in_one_line(tmp_path, monkeypatch):
    from amaranth.build.run import BuildPlan

    from fftforge.fpga.core import CoreSource

    def no_tools(self, *a, **kw):
        raise AssertionError("the tools must not run")
    monkeypatch.setattr(BuildPlan, "execute_local", no_tools)
    real = core_from_config(FFTConfig(n=8, lanes=2, name="fft8"), str(tmp_path))

    class Unknown:
        n, lanes = 8, 1
    with pytest.raises(UserError, match="no bit-true model") as e:
        build_board(CoreSource(Unknown(), real.desc, real.verilog), "icebreaker", str(tmp_path / "b"))
    assert "\n" not in str(e.value)
    # a descriptor that is not its configuration's core (here: 2 lanes, the
    # configuration says 4): no checksum could be right, the build stops
    with pytest.raises(UserError, match="input payload fields .* no self-check") as e:
        build_board(CoreSource(FFTConfig(n=8, lanes=4, name="fft8"), real.desc, real.verilog), "icebreaker",
                    str(tmp_path / "c"))
    assert "\n" not in str(e.value)


@pytest.mark.slow
def test_icebreaker_lane_core_bitstream_has_its_self_check(tmp_path):
    cfg = FFTConfig(n=8, width=8, lanes=2, name="fft8p2")
    core = core_from_config(cfg, str(tmp_path / "core"))
    rep = build_board(core, "icebreaker", str(tmp_path / "build"), check_frames=3)
    assert os.path.exists(rep.bitstream)
    assert rep.self_check["expected_checksum"] == f"0x{expected_checksum(cfg, core.desc, 3):08x}"
    assert rep.self_check["note"] == ""
