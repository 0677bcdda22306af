"""The ECP5 floorplan: which builds pin the shell's broadcast registers, which
cells get which BEL, and nextpnr keeping them there."""

import json
import os
import re

import pytest

from fftforge.config import FFTConfig
from fftforge.errors import UserError
from fftforge.fpga.core import core_from_config
from fftforge.fpga.floorplan import AUTO_MIN_LANES, CENTRE_TILE, pin_broadcast, resolve
from fftforge.fpga.synth import synth_core
from fftforge.hdl.shell import BROADCAST_REGISTERS


def test_resolve_auto_pins_wide_cores_on_known_devices_only():
    assert resolve("auto", "ecp5", "85k", AUTO_MIN_LANES) == "centre"
    assert resolve("auto", "ecp5", "85k", AUTO_MIN_LANES // 2) == "none"
    assert resolve("auto", "ecp5", "45k", 16) == "none"          # no known centre tile
    assert resolve("auto", "ice40", "up5k", 16) == "none"
    assert resolve("centre", "ecp5", "85k", 1) == "centre"
    assert resolve("none", "ecp5", "85k", 8) == "none"


@pytest.mark.parametrize("mode,family,device", [("centre", "ice40", "up5k"), ("centre", "ecp5", "25k"),
                                                ("middle", "ecp5", "85k")])
def test_resolve_refuses_what_cannot_apply(mode, family, device):
    with pytest.raises(UserError, match="--floorplan"):
        resolve(mode, family, device, 8)


def _cell(ctype, **conns):
    outs = {"Q", "Z"}
    return {"type": ctype, "attributes": {}, "connections": {p: [b] for p, b in conns.items()},
            "port_directions": {p: "output" if p in outs else "input" for p in conns}}


def test_pin_broadcast_puts_each_register_and_its_lut_in_a_tile_of_its_own():
    cells = {
        "a_ff": _cell("TRELLIS_FF", DI=10, Q=11), "a_lut": _cell("LUT4", A=1, Z=10),
        "b_ff": _cell("TRELLIS_FF", DI=20, Q=21), "b_mux": _cell("PFUMX", ALUT=2, BLUT=3, C0=4, Z=20),
        "c_lut": _cell("LUT4", A=5, Z=31),                                  # "c" is no register
        "d_ff": _cell("TRELLIS_FF", DI=40, Q=41), "d_lut": _cell("LUT4", A=6, Z=40),
    }
    netnames = {"a": {"bits": [11]}, "b": {"bits": [21]}, "c": {"bits": [31]}, "d": {"bits": [41]}}
    netlist = {"modules": {"sub": {"cells": {}, "netnames": {}},
                           "core": {"attributes": {"top": "1"}, "cells": cells, "netnames": netnames}}}
    pins = pin_broadcast(netlist, "85k", names=["a", "b", "c", "missing", "d"])
    x, y = CENTRE_TILE["85k"]
    assert [p["net"] for p in pins] == ["a", "b", "d"]
    assert cells["a_ff"]["attributes"]["BEL"] == f"X{x}/Y{y}/SLICEA.FF0"
    assert cells["a_lut"]["attributes"]["BEL"] == f"X{x}/Y{y}/SLICEA.K0"       # the cluster's root beside it
    assert cells["b_ff"]["attributes"]["BEL"] == f"X{x + 2}/Y{y}/SLICEA.FF0"   # fed by a LUT5: alone
    assert "BEL" not in cells["b_mux"]["attributes"] and pins[1]["lut"] is None
    assert "BEL" not in cells["c_lut"]["attributes"]
    assert cells["d_ff"]["attributes"]["BEL"] == f"X{x + 4}/Y{y}/SLICEA.FF0"
    assert pins[2] == {"net": "d", "cell": "d_ff", "bel": f"X{x + 4}/Y{y}/SLICEA.FF0", "lut": "d_lut"}


@pytest.fixture(scope="module")
def ecp5_pinned(tmp_path_factory):
    d = tmp_path_factory.mktemp("floorplan")
    core = core_from_config(FFTConfig(n=8, width=8, twiddle_width=8, target="ecp5", name="fft8"), str(d / "core"))
    return synth_core(core, "ecp5", workdir=str(d / "run"), floorplan="centre")


def test_every_broadcast_register_of_the_shell_is_pinned_and_nextpnr_keeps_it(ecp5_pinned):
    rep = ecp5_pinned
    assert rep.status == "ok", rep.error
    assert rep.floorplan["mode"] == "centre"
    # the shell's names are the netlist's: a renamed register would be missed here
    assert [p["net"] for p in rep.floorplan["pins"]] == list(BROADCAST_REGISTERS)
    with open(os.path.join(rep.workdir, "nextpnr.log")) as f:
        log = f.read()
    n_cells = sum(1 + (p["lut"] is not None) for p in rep.floorplan["pins"])
    assert re.search(rf"Placed {n_cells} cells based on constraints", log)
    with open(os.path.join(rep.workdir, "synth.json")) as f:      # Yosys's own netlist stays as it was
        assert '"BEL"' not in f.read()
    assert json.loads(json.dumps(rep.to_dict()))["floorplan"]["pins"][0]["bel"].endswith("SLICEA.FF0")


def test_cli_refuses_a_floorplan_that_cannot_apply_in_one_line(capsys):
    from fftforge.cli import main
    assert main(["synth", "--family", "ice40", "--n", "16", "--floorplan", "centre"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("fftforge: error: --floorplan centre needs an ECP5 device")
