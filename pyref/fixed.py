"""Rounding and overflow handling, bit-true twin of :mod:`fftforge.hdl.fixed`.

All functions work element-wise on integer NumPy arrays (``int64``, or
``object`` arrays of Python ints where values may exceed 62 bits).
"""

from __future__ import annotations

import numpy as np

__all__ = ["round_shift", "resize", "int_dtype"]


def int_dtype(bits: int):
    """The NumPy dtype that holds intermediate values of ``bits`` bits
    exactly: ``int64`` up to 62 bits, Python ints (``object``) beyond."""
    return np.int64 if bits <= 62 else object


def round_shift(v, shift: int, rounding: str):
    """Divide by ``2**shift`` with the given rounding.

    ``truncate``: floor (arithmetic shift right).
    ``convergent``: round to nearest, ties to even:
    ``(v + 2**(shift-1) - 1 + bit[shift](v)) >> shift``.
    """
    if shift == 0:
        return v
    if rounding == "truncate":
        return v >> shift
    if rounding == "convergent":
        return (v + ((1 << (shift - 1)) - 1) + ((v >> shift) & 1)) >> shift
    raise ValueError(f"rounding must be 'truncate' or 'convergent', got {rounding!r}")


def resize(v, width: int, overflow: str):
    """Fit ``v`` into a signed ``width``-bit range.

    Returns ``(value, overflowed)``.  ``saturate`` clips to
    [-2**(width-1), 2**(width-1) - 1]; ``wrap`` keeps the low ``width`` bits
    (two's complement).  ``overflowed`` is True where the value did not fit.
    """
    lo = -(1 << (width - 1))
    hi = (1 << (width - 1)) - 1
    over = v > hi
    under = v < lo
    ovf = np.asarray(over | under, dtype=bool)
    if not ovf.any():
        return v, ovf
    if overflow == "saturate":
        out = np.where(over, hi, np.where(under, lo, v))
    elif overflow == "wrap":
        out = ((v - lo) & ((1 << width) - 1)) + lo
    else:
        raise ValueError(f"overflow must be 'saturate' or 'wrap', got {overflow!r}")
    if isinstance(v, np.ndarray):
        out = np.asarray(out, dtype=v.dtype)
    return out, ovf
