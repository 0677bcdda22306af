"""Verilog export and the core descriptor (JSON) -- the contract that test
benches, the FPGA flow and users' integrations read.

:func:`descriptor` (the one writer of every kind's descriptor,
:mod:`fftforge.hdl.descriptor`) returns the dict; :func:`generate` writes ``<name>.v`` and
``<name>.json``; :func:`load_core` reads a descriptor back into its config.
"""

from __future__ import annotations

import json
import os
import shutil
import time

from fftforge.config import FFTConfig
from fftforge.errors import UserError
from fftforge.hdl.descriptor import CLOCK, RESET, descriptor, layout_fields  # the one writer, re-exported
from fftforge.kinds import config_from_descriptor

__all__ = ["descriptor", "generate", "write_core", "add_wrapper", "load_core", "layout_fields", "CLOCK", "RESET"]

#: behavioural models of the primitives a target instantiates, for simulating
#: its Verilog (copied beside the core by :func:`write_core`)
SIM_MODELS = {"ecp5": "ecp5_prims.v", "ice40": "ice40_prims.v"}


def model_path(name: str) -> str:
    """Path of a primitive model shipped in ``fftforge.sim`` (``models/``)."""
    from importlib import resources
    return str(resources.files("fftforge.sim").joinpath("models", name))


def sim_model_files(target: str, cycles_per_sample: int = 1) -> dict:
    """``{"sim_models": [file]}`` for a core that instantiates vendor
    primitives (simulate the core together with these files), else ``{}``:
    every ``ecp5``-target core; an ``ice40``-target core from
    ``cycles_per_sample`` 3 on (the SB_MAC16 accumulators of
    :class:`~fftforge.hdl.cmul.SharedComplexMultiplier`)."""
    if target == "ice40" and cycles_per_sample < 3:
        return {}
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


def add_wrapper(paths: dict, wrapper: str) -> dict:
    """Write the wrapper ``wrapper`` (``"axis"``: :mod:`fftforge.hdl.axis`)
    of the core a ``generate`` call just wrote (``paths``: its result),
    beside it, and add its entry to the descriptor (key ``wrapper``, last;
    the JSON keeps its indentation).  Returns ``paths`` with ``"wrapper"``:
    the wrapper's Verilog path."""
    from fftforge.hdl.axis import write_wrapper
    from fftforge.hdl.descriptor import with_wrapper
    with open(paths["json"]) as f:
        text = f.read()
    desc = json.loads(text)
    second = text.split("\n", 2)[1]
    indent = len(second) - len(second.lstrip(" "))
    vpath, entry = write_wrapper(desc, os.path.dirname(paths["json"]), wrapper)
    with open(paths["json"], "w") as f:
        json.dump(with_wrapper(desc, entry), f, indent=indent)
        f.write("\n")
    return {**paths, "wrapper": vpath}


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
