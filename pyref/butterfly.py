"""Radix-2 butterfly, bit-true twin of :mod:`fftforge.hdl.butterfly`.

``butterfly(a, b)`` returns the full-precision ``a + b`` and ``a - b`` (one
bit of growth).  With ``minus_j`` true the second operand is first multiplied
by -j exactly (``-j*(x + jy) = y - jx``), the trivial multiplication of the
radix-2^2 BF2II butterfly.
"""

from __future__ import annotations

import numpy as np

__all__ = ["butterfly"]


def butterfly(a_re, a_im, b_re, b_im, minus_j=False):
    """Return ``(s_re, s_im, d_re, d_im)`` = a + b', a - b' with b' = b or -j*b.

    ``minus_j`` may be a boolean array broadcastable to the operands."""
    if minus_j is False:
        br, bi = b_re, b_im
    else:
        mj = np.asarray(minus_j)
        br = np.where(mj, b_im, b_re)
        bi = np.where(mj, -b_re, b_im)
        if isinstance(b_re, np.ndarray):
            br = br.astype(b_re.dtype)
            bi = bi.astype(b_re.dtype)
    return a_re + br, a_im + bi, a_re - br, a_im - bi
