"""Core sources for the FPGA flow: a descriptor plus its Verilog file.

The FPGA flow measures the exported artifact (the ``<name>.v`` that users
integrate), driven through the port names of its descriptor, so it serves
every core kind that writes a descriptor (``fftforge generate ...``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from fftforge.errors import UserError
from fftforge.kinds import UNNAMED_KIND, kind_of

__all__ = ["CoreSource", "core_from_descriptor", "core_from_config"]


@dataclass
class CoreSource:
    """A generated core: ``config`` (FFTConfig or another kind's config),
    ``desc`` (descriptor dict), ``verilog`` (path of the Verilog file)."""
    config: object
    desc: dict
    verilog: str

    @property
    def name(self) -> str:
        return self.desc["name"]

    def summary(self) -> dict:
        """Parameters that identify the core in reports and sweeps."""
        d = self.desc
        out = {"name": d["name"], "kind": d.get("kind", UNNAMED_KIND), "n": d.get("n"),
               "arch": d.get("arch"), "width": d.get("input_width"),
               "twiddle_width": d.get("twiddle_width"), "order": d.get("output_order"),
               "cmul": d.get("cmul"), "lanes": d.get("lanes", 1),
               "latency_cycles": d.get("latency_cycles")}
        return out

    def resources(self) -> dict:
        return dict(self.desc.get("resources", {}))


def core_from_config(cfg, outdir: str) -> CoreSource:
    """Generate ``cfg``'s Verilog and descriptor into ``outdir`` (kinds the
    FPGA flow builds from a configuration: ``fpga_from_config`` in
    :data:`fftforge.kinds.KINDS`)."""
    kind = kind_of(cfg, None)
    if kind is None or not kind.fpga_from_config:
        raise UserError(f"cannot generate a {type(cfg).__name__} here; generate it with "
                        f"'fftforge generate' and pass --core <descriptor.json>")
    r = kind.generate()(cfg, outdir)
    with open(r["json"]) as f:
        desc = json.load(f)
    return CoreSource(cfg, desc, r["verilog"])


def core_from_descriptor(path: str, outdir: str | None = None) -> CoreSource:
    """Load a descriptor; its Verilog (``files.verilog``, beside the JSON) must
    exist, else a core of a kind built from its configuration (FFT) is
    regenerated into ``outdir``."""
    from fftforge.hdl.export import load_core
    cfg, desc = load_core(path)
    for key in ("ports", "name", "n"):
        if key not in desc:
            raise UserError(f"{path}: descriptor has no '{key}'")
    vname = desc.get("files", {}).get("verilog", f"{desc['name']}.v")
    vpath = os.path.join(os.path.dirname(os.path.abspath(path)), vname)
    if os.path.exists(vpath):
        return CoreSource(cfg, desc, vpath)
    if outdir is not None and kind_of(cfg).fpga_from_config:
        return core_from_config(cfg, outdir)
    raise UserError(f"{path}: Verilog file {vpath} not found (regenerate the core with 'fftforge generate')")
