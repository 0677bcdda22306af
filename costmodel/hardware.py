"""Hardware targets as data.

A target is a TOML file (``presets/*.toml`` or a user file) with a ``kind``:

``systolic``
    TPU-style R x C matmul arrays: ``rows``, ``cols``, ``arrays`` (count per
    chip), ``clock_hz``, ``precision``, ``sram_bytes``, ``dram_bandwidth``
    (bytes/s), ``dram_kind``, ``vector_ops_per_cycle``, ``node_nm``,
    ``static_power_w``.
``fpga``
    ``family`` (selects the calibration table), ``luts``, ``dsps``,
    ``dsp_a_bits``/``dsp_b_bits`` (native multiplier width), ``bram_bits``,
    ``node_nm``, ``static_power_w``, ``io_bandwidth`` (bytes/s), ``dram_kind``.
``gpu``
    roofline: ``peak_flops`` (table by precision), ``precision``,
    ``fft_precision``, ``dram_bandwidth``, ``dram_kind``, ``sram_bytes``,
    ``fft_single_pass``, ``node_nm``, ``static_power_w``.

Every preset value carries its source in a comment in the TOML file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from fftforge.errors import UserError

__all__ = ["Target", "load_target", "preset_names", "preset_path", "KINDS"]

KINDS = ("systolic", "fpga", "gpu")
PRECISIONS = ("int8", "bf16", "fp16", "fp32")
BYTES_PER = {"int8": 1, "bf16": 2, "fp16": 2, "fp32": 4, "tf32": 4}

_REQUIRED = {
    "systolic": {"rows": int, "cols": int, "arrays": int, "clock_hz": float, "precision": str,
                 "sram_bytes": int, "dram_bandwidth": float, "dram_kind": str,
                 "vector_ops_per_cycle": int, "node_nm": float, "static_power_w": float},
    "fpga": {"family": str, "luts": int, "dsps": int, "dsp_a_bits": int, "dsp_b_bits": int,
             "bram_bits": int, "node_nm": float, "static_power_w": float,
             "io_bandwidth": float, "dram_kind": str},
    "gpu": {"peak_flops": dict, "precision": str, "fft_precision": str, "dram_bandwidth": float,
            "dram_kind": str, "sram_bytes": int, "fft_single_pass": int, "node_nm": float,
            "static_power_w": float},
}


@dataclass(frozen=True)
class Target:
    """One hardware target, loaded from TOML.

    Attributes
    ----------
    name : str
        Preset name or the user file's ``name``.
    kind : str
        ``"systolic"``, ``"fpga"`` or ``"gpu"``.
    params : dict
        The validated key/value pairs of the file.
    source : str
        Path of the TOML file it was read from.
    """
    name: str
    kind: str
    params: dict = field(default_factory=dict)
    source: str = ""

    def __getattr__(self, key: str) -> Any:
        try:
            return self.__dict__["params"][key]
        except KeyError:
            raise AttributeError(key) from None

    def with_params(self, **changes) -> "Target":
        """A copy with some parameters replaced (for example ``rows``)."""
        p = dict(self.params)
        p.update(changes)
        return Target(self.name, self.kind, p, self.source)

    @property
    def bytes_per_element(self) -> int:
        """Bytes of one matmul operand element in the target's precision."""
        return BYTES_PER.get(self.params.get("precision", "fp32"), 4)

    @property
    def peak_macs_per_s(self) -> float:
        """Systolic targets: rows * cols * arrays * clock (MACs per second)."""
        return self.rows * self.cols * self.arrays * self.clock_hz


def _presets_dir():
    return resources.files("fftforge.costmodel").joinpath("presets")


def preset_names() -> list:
    """Names of the shipped presets (file names without ``.toml``)."""
    return sorted(p.name[:-5] for p in _presets_dir().iterdir() if p.name.endswith(".toml"))


def preset_path(name: str) -> str:
    """Path of the shipped preset ``name``."""
    return str(_presets_dir().joinpath(name + ".toml"))


def _validate(d: dict, where: str) -> Target:
    kind = d.get("kind")
    if kind not in KINDS:
        raise UserError(f"{where}: 'kind' must be one of {', '.join(KINDS)}, got {kind!r}")
    params = {}
    for key, typ in _REQUIRED[kind].items():
        if key not in d:
            raise UserError(f"{where}: missing key '{key}' (a {kind} target needs "
                            f"{', '.join(_REQUIRED[kind])})")
        v = d[key]
        if typ is float and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        if typ is int and isinstance(v, float) and v.is_integer():
            v = int(v)
        if not isinstance(v, typ) or isinstance(v, bool):
            raise UserError(f"{where}: '{key}' must be a {typ.__name__}, got {v!r}")
        if typ in (int, float) and v < 0:
            raise UserError(f"{where}: '{key}' must be >= 0, got {v}")
        params[key] = v
    for key in ("rows", "cols", "arrays", "clock_hz", "dsps", "luts", "dram_bandwidth", "io_bandwidth"):
        if key in params and params[key] <= 0:
            raise UserError(f"{where}: '{key}' must be > 0, got {params[key]}")
    for key in ("precision", "fft_precision"):
        if key in params and params[key] not in PRECISIONS:
            raise UserError(f"{where}: '{key}' must be one of {', '.join(PRECISIONS)}, got {params[key]!r}")
    if kind == "gpu":
        for p in (params["precision"], params["fft_precision"]):
            if p not in params["peak_flops"]:
                raise UserError(f"{where}: peak_flops has no entry for precision {p!r}")
    for k, v in d.items():
        if k not in params and k not in ("name", "kind"):
            params[k] = v
    name = d.get("name") or os.path.splitext(os.path.basename(where))[0]
    return Target(str(name), kind, params, where)


def load_target(spec: str) -> Target:
    """Load a target by preset name or TOML path.

    Parameters
    ----------
    spec : str
        A preset name (see :func:`preset_names`) or a path to a TOML file
        with the same keys.

    Raises
    ------
    fftforge.errors.UserError
        Unknown preset, unreadable or malformed TOML, or a missing/invalid key.
    """
    if spec.endswith(".toml") or os.sep in spec or os.path.exists(spec):
        path = spec
        if not os.path.isfile(path):
            raise UserError(f"target file {spec!r} not found")
    else:
        if spec not in preset_names():
            raise UserError(f"unknown target {spec!r}; presets: {', '.join(preset_names())} "
                            "(or a path to a .toml file)")
        path = preset_path(spec)
    try:
        with open(path, "rb") as f:
            d = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise UserError(f"malformed TOML in {path}: {e}") from None
    except OSError as e:
        raise UserError(f"cannot read {path}: {e.strerror}") from None
    return _validate(d, path)
