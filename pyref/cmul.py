"""Complex multiplier and exact rotations, bit-true twins of
:mod:`fftforge.hdl.cmul` and the rotation in :mod:`fftforge.hdl.twiddle`.

The 4-multiplier and 3-multiplier forms compute the same exact integer
product, so they share this model."""

from __future__ import annotations

import numpy as np

__all__ = ["cmul", "rotate"]


def cmul(a_re, a_im, c, s):
    """Exact ``(a_re + j a_im) * (c + j s)`` -> ``(re, im)``."""
    return a_re * c - a_im * s, a_re * s + a_im * c


def rotate(re, im, q):
    """Exact rotation by ``(-j)**q``, ``q`` in 0..3 (array or int)."""
    q = np.asarray(q) & 3
    out_re = np.select([q == 0, q == 1, q == 2], [re, im, -re], -im)
    out_im = np.select([q == 0, q == 1, q == 2], [im, -re, -im], re)
    if isinstance(re, np.ndarray):
        out_re = out_re.astype(re.dtype)
        out_im = out_im.astype(re.dtype)
    return out_re, out_im
