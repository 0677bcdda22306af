"""Bit-reversed to natural order, twin of :class:`fftforge.hdl.reorder.BitReverseReorder`."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["bitrev_indices", "reorder"]


@lru_cache(maxsize=None)
def bitrev_indices(n: int):
    """``idx[k]`` = k with its log2(n) bits reversed."""
    bits = n.bit_length() - 1
    k = np.arange(n)
    r = np.zeros(n, dtype=np.int64)
    for b in range(bits):
        r |= ((k >> b) & 1) << (bits - 1 - b)
    r.flags.writeable = False
    return r


def reorder(re, im, ovf):
    """Stream position i holds bin bitrev(i); return the bins in natural order."""
    idx = bitrev_indices(re.shape[-1])
    return re[..., idx], im[..., idx], ovf[..., idx]
