"""Energy tables: per-operation, per-access and per-bit energies.

Tables live in ``tables/<name>.toml``; ``horowitz45`` (Horowitz, ISSCC 2014,
45 nm) is the default and ``aladdin40`` (Accelergy's Aladdin plug-in tables,
40 nm) the alternative.  Logic and SRAM energies are scaled from the table's
node to the target's node with ``E * (node / table_node) ** exponent``; DRAM
energy per bit belongs to the interface and is not scaled.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from importlib import resources

import numpy as np

from fftforge.errors import UserError

__all__ = ["EnergyTable", "load_energy_table", "energy_table_names", "DEFAULT_TABLE"]

DEFAULT_TABLE = "horowitz45"
_ENERGY_TABLES = ("horowitz45", "aladdin40")


def energy_table_names() -> list:
    """Names of the shipped energy tables."""
    return list(_ENERGY_TABLES)


@dataclass(frozen=True)
class EnergyTable:
    """An energy table.  All energies in picojoules.

    Attributes
    ----------
    name : str
    node_nm : float
        Technology node the table was measured at.
    ops : dict
        ``"<precision>_<add|mult>"`` -> pJ.
    sram_size_bytes, sram_pj_per_64b : tuple
        SRAM read energy per 64 bits by array size (interpolated log-log).
    dram_pj_per_bit : dict
        Interface name -> pJ/bit.
    exponent : float
        Node scaling exponent.
    fpga_overhead : float
        FPGA / ASIC dynamic energy ratio.
    """
    name: str
    node_nm: float
    ops: dict
    sram_size_bytes: tuple
    sram_pj_per_64b: tuple
    dram_pj_per_bit: dict
    exponent: float
    fpga_overhead: float

    def scale(self, node_nm: float) -> float:
        """Factor from the table's node to ``node_nm``."""
        return (float(node_nm) / self.node_nm) ** self.exponent

    def op(self, precision: str, kind: str, node_nm: float) -> float:
        """pJ for one ``kind`` (``"add"`` or ``"mult"``) at ``precision``.

        bf16 uses the fp16 entries (same multiplier/adder class; Horowitz
        2014 lists no bf16); accumulation of int8 products is int32.
        """
        p = {"bf16": "fp16", "tf32": "fp32"}.get(precision, precision)
        key = f"{p}_{kind}"
        if key not in self.ops:
            raise UserError(f"energy table {self.name!r} has no entry {key!r}")
        return self.ops[key] * self.scale(node_nm)

    def mac(self, precision: str, node_nm: float) -> float:
        """pJ for one multiply-accumulate: a multiply at ``precision`` and an
        add at the accumulator precision (int32 for int8, fp32 otherwise)."""
        acc = "int32" if precision == "int8" else "fp32"
        return self.op(precision, "mult", node_nm) + self.op(acc, "add", node_nm)

    def sram_pj_per_bit(self, size_bytes, node_nm: float):
        """pJ per bit read from an SRAM of ``size_bytes`` (log-log interpolation,
        clamped to the table's range), scaled to ``node_nm``."""
        xs = np.log(np.asarray(self.sram_size_bytes, dtype=float))
        ys = np.log(np.asarray(self.sram_pj_per_64b, dtype=float))
        s = np.log(np.clip(np.asarray(size_bytes, dtype=float), 1.0, None))
        e64 = np.exp(np.interp(s, xs, ys))
        return e64 / 64.0 * self.scale(node_nm)

    def dram(self, kind: str) -> float:
        """pJ per bit for DRAM interface ``kind``."""
        if kind not in self.dram_pj_per_bit:
            raise UserError(f"energy table {self.name!r} has no DRAM entry {kind!r} "
                            f"(has {', '.join(self.dram_pj_per_bit)})")
        return self.dram_pj_per_bit[kind]


def load_energy_table(spec: str = DEFAULT_TABLE) -> EnergyTable:
    """Load an energy table by name (``horowitz45``, ``aladdin40``) or TOML path."""
    if spec in _ENERGY_TABLES:
        path = str(resources.files("fftforge.costmodel").joinpath("tables", spec + ".toml"))
    elif spec.endswith(".toml") and os.path.isfile(spec):
        path = spec
    else:
        raise UserError(f"unknown energy table {spec!r}; choose {', '.join(_ENERGY_TABLES)} "
                        "or a path to a .toml file")
    try:
        with open(path, "rb") as f:
            d = tomllib.load(f)
        t = EnergyTable(
            name=d["name"], node_nm=float(d["node_nm"]), ops=dict(d["ops"]),
            sram_size_bytes=tuple(d["sram"]["size_bytes"]),
            sram_pj_per_64b=tuple(d["sram"]["pj_per_64b"]),
            dram_pj_per_bit=dict(d["dram"]), exponent=float(d["scaling"]["exponent"]),
            fpga_overhead=float(d["fpga"]["dynamic_overhead"]))
    except tomllib.TOMLDecodeError as e:
        raise UserError(f"malformed TOML in {path}: {e}") from None
    except KeyError as e:
        raise UserError(f"energy table {path}: missing key {e}") from None
    return t
