"""Verilog export and the core descriptor (JSON) -- the contract that test
benches, the FPGA flow and users' integrations read.

:func:`descriptor` returns the dict; :func:`generate` writes ``<name>.v`` and
``<name>.json``; :func:`load_core` reads a descriptor back into its config.
"""

from __future__ import annotations

import json
import os
import shutil
import time

from fftforge.config import FFTConfig
from fftforge.errors import UserError
from fftforge.kinds import config_from_descriptor

__all__ = ["descriptor", "generate", "write_core", "load_core", "stream_ports", "layout_fields",
           "CLOCK", "RESET"]

CLOCK = "clk"
RESET = "rst"


def layout_fields(layout) -> dict:
    """``{field: {offset, width, signed}}`` of an Amaranth StructLayout."""
    from amaranth.hdl import Shape
    out = {}
    for name, f in layout:
        shape = Shape.cast(f.shape)
        out[name] = {"offset": f.offset, "width": shape.width, "signed": bool(shape.signed)}
    return out


def stream_ports(prefix: str, layout) -> dict:
    """Flattened Verilog port names of an Amaranth stream member ``prefix``."""
    return {
        "valid": f"{prefix}__valid",
        "ready": f"{prefix}__ready",
        "payload": f"{prefix}__payload",
        "width": layout.size,
        "fields": layout_fields(layout),
    }


def lane_map(cfg: FFTConfig, layout) -> list:
    """Per-lane payload fields of a stream: ``[{lane, re, im, re_offset,
    im_offset, width}]``, lane 0 carrying the lowest sample index of a group."""
    fields = layout_fields(layout)
    return [{"lane": l, "re": re, "im": im, "re_offset": fields[re]["offset"],
             "im_offset": fields[im]["offset"], "width": fields[re]["width"]}
            for l, (re, im) in enumerate(cfg.lane_fields)]


def descriptor(cfg: FFTConfig) -> dict:
    """The core descriptor of an FFT core (see README, "Core descriptor")."""
    from fftforge.hdl.fft import input_layout, output_layout
    ports = {
        "clock": CLOCK,
        "reset": RESET,
        "reset_active_high": True,
        "reset_synchronous": True,
        "input": {**stream_ports("i", input_layout(cfg)), "lanes": lane_map(cfg, input_layout(cfg))},
        "output": {**stream_ports("o", output_layout(cfg)), "lanes": lane_map(cfg, output_layout(cfg))},
    }
    if cfg.direction == "runtime":
        ports["direction"] = {"name": "inverse", "width": 1, "inverse_when": 1,
                              "sampled": "with the first transfer of each frame"}
    return {
        "kind": "fft",
        "name": cfg.name,
        "n": cfg.n,
        "direction": cfg.direction,
        "arch": cfg.arch,
        "input_width": cfg.width,
        "output_width": cfg.output_width,
        "twiddle_width": cfg.twiddle_width,
        "widths": {"input": cfg.width, "output": cfg.output_width, "twiddle": cfg.twiddle_width,
                   "internal": cfg.internal_width,
                   "stages": [cfg.stage_width(s) for s in range(cfg.stages)]},
        "scaling": cfg.scaling,
        "schedule": list(cfg.shifts),
        "scale_log2": cfg.scale_log2,
        "scale_relation": ("output ~= DFT(x) / 2**scale_log2, DFT(x)[k] = sum_n x[n] e^{-j2pi kn/N}; "
                           "inverse: output ~= sum_n x[n] e^{+j2pi kn/N} / 2**scale_log2"),
        "rounding": cfg.rounding,
        "overflow": cfg.overflow,
        "output_order": cfg.order,
        "cmul": cfg.cmul,
        "lanes": cfg.lanes,
        "samples_per_cycle": cfg.lanes,
        "latency_cycles": cfg.latency_cycles,
        "frame_cycles": cfg.n // cfg.lanes,
        "drain_after": cfg.drain_after,
        "frames": "consecutive groups of n accepted input samples (n/lanes transfers) after reset",
        "ports": ports,
        "resources": cfg.resources(),
        "files": {"verilog": f"{cfg.name}.v", **sim_model_files(cfg.target)},
        "target": cfg.target,
        "config": cfg.to_dict(),
    }


#: behavioural models of the primitives a target instantiates, for simulating
#: its Verilog (copied beside the core by :func:`write_core`)
SIM_MODELS = {"ecp5": "ecp5_prims.v"}


def model_path(name: str) -> str:
    """Path of a primitive model shipped in ``fftforge.sim`` (``models/``)."""
    from importlib import resources
    return str(resources.files("fftforge.sim").joinpath("models", name))


def sim_model_files(target: str) -> dict:
    """``{"sim_models": [file]}`` for a target that instantiates vendor
    primitives (simulate the core together with these files), else ``{}``."""
    return {"sim_models": [SIM_MODELS[target]]} if target in SIM_MODELS else {}


def generate(cfg: FFTConfig, outdir: str) -> dict:
    """Write ``<outdir>/<name>.v`` and ``<outdir>/<name>.json``.

    Returns ``{"verilog": path, "json": path, "seconds": elapsed}``."""
    from fftforge.hdl.fft import FFTCore
    return write_core(FFTCore(cfg), cfg.name, descriptor(cfg), outdir)


def write_core(top, name: str, desc: dict, outdir: str, indent: int = 2) -> dict:
    """Convert component ``top`` to Verilog module ``name`` and write
    ``<outdir>/<name>.v`` and its descriptor ``<outdir>/<name>.json``.

    Every core kind's ``generate`` ends here.  Returns ``{"verilog": path,
    "json": path, "seconds": elapsed}`` (conversion and writing)."""
    from amaranth.back import verilog
    t0 = time.perf_counter()
    os.makedirs(outdir, exist_ok=True)
    text = verilog.convert(top, name=name, emit_src=False)
    vpath = os.path.join(outdir, f"{name}.v")
    jpath = os.path.join(outdir, f"{name}.json")
    with open(vpath, "w") as f:
        f.write(text)
    with open(jpath, "w") as f:
        json.dump(desc, f, indent=indent)
        f.write("\n")
    for model in desc.get("files", {}).get("sim_models", []):
        shutil.copyfile(model_path(model), os.path.join(outdir, model))
    return {"verilog": vpath, "json": jpath, "seconds": time.perf_counter() - t0}


def load_core(path: str, require: tuple = ()):
    """Read a core descriptor; return ``(config, descriptor)``.  The one
    descriptor loader: every command reads ``--core`` through it.

    Raises :class:`~fftforge.errors.UserError` (one line naming ``path``) for
    a file that cannot be read, is not JSON text (e.g. a ``.npy`` given by
    mistake), is not an fftforge descriptor, lacks one of the top-level keys
    named in ``require``, or holds an invalid ``config``."""
    try:
        with open(path, encoding="utf-8") as f:
            desc = json.load(f)
    except OSError as e:
        raise UserError(f"cannot read core descriptor {path}: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise UserError(f"{path} is not a core descriptor: not UTF-8 JSON text (byte {e.start} is "
                        f"0x{e.object[e.start]:02x}; a binary file?)") from None
    except json.JSONDecodeError as e:
        raise UserError(f"{path} is not valid JSON (line {e.lineno}: {e.msg})") from None
    except (ValueError, RecursionError) as e:
        raise UserError(f"{path} is not valid JSON ({e})") from None
    if not isinstance(desc, dict) or "kind" not in desc or "config" not in desc:
        raise UserError(f"{path} is not an fftforge core descriptor (no 'kind'/'config')")
    if not isinstance(desc["config"], dict):
        raise UserError(f"{path}: descriptor 'config' must be an object, got {type(desc['config']).__name__}")
    try:
        cfg = config_from_descriptor(desc)     # the class of desc["kind"] (fftforge.kinds)
    except UserError as e:
        raise UserError(f"{path}: {e}") from None
    except (TypeError, ValueError) as e:        # ConfigError is a ValueError
        raise UserError(f"{path}: invalid descriptor 'config': {e}") from None
    missing = [k for k in require if k not in desc]
    if missing:
        raise UserError(f"{path}: descriptor has no {', '.join(repr(k) for k in missing)}")
    return cfg, desc
