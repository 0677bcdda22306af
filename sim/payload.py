"""Pack and unpack stream payload words from the fields named in a core
descriptor (``{name: {offset, width, signed}}``).  Pure Python/NumPy, no
simulator needed, so users can reuse it in their own benches."""

from __future__ import annotations

import numpy as np

__all__ = ["pack", "unpack"]


def pack(fields: dict, values: dict, count: int) -> list:
    """Pack ``values[name]`` (length ``count`` sequences) into payload ints."""
    words = [0] * count
    for name, spec in fields.items():
        if name not in values:
            continue
        off, width = spec["offset"], spec["width"]
        mask = (1 << width) - 1
        col = [int(v) for v in np.asarray(values[name]).reshape(-1)]
        if len(col) != count:
            raise ValueError(f"field {name}: {len(col)} values for {count} words")
        for k, v in enumerate(col):
            words[k] |= (v & mask) << off
    return words


def unpack(fields: dict, words) -> dict:
    """Split payload ints into ``{name: int64 array}`` (or object arrays for
    fields wider than 62 bits), sign-extending signed fields."""
    out = {}
    for name, spec in fields.items():
        off, width, signed = spec["offset"], spec["width"], spec["signed"]
        mask = (1 << width) - 1
        vals = [(w >> off) & mask for w in words]
        if signed:
            half = 1 << (width - 1)
            vals = [v - (1 << width) if v >= half else v for v in vals]
        out[name] = np.array(vals, dtype=np.int64 if width <= 62 else object)
    return out
