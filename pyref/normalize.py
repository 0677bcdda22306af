"""Block floating point part models: the input frame normaliser and the
read-out shifter.  Twin of :mod:`fftforge.hdl.normalize`.

Both work on whole frames (the RTL holds the frame in a memory: the input
frame buffer, the reorder buffer) and are vectorised over frames.  Values may
be int64 or Python-int object arrays.

* :func:`input_normalize` -- shift each frame left by its headroom ``h``
  (exact): ``h = width - 1 - L`` with ``L`` = :func:`headroom`.
* :func:`output_normalize` -- shift each frame right by ``r = max(L - (w_out
  - 1), h - K, 0)``, round (``rounding``), clip ``+2**(w_out-1)`` to
  ``2**(w_out-1) - 1``; the frame's exponent is ``e = K - h + r``.
"""

from __future__ import annotations

import numpy as np

from fftforge.pyref.fixed import round_shift

__all__ = ["headroom", "input_normalize", "output_normalize"]


def headroom(re, im) -> np.ndarray:
    """Per frame (the last axis is the frame): the bits ``L`` a component
    needs without its sign, ``L = bit_length(OR over the frame of (v XOR
    sign(v)))`` -- the RTL's OR register and priority encoder.  Every
    component of the frame lies in [-2**L, 2**L - 1].  int64 (frames,)."""
    re = np.asarray(re)
    im = np.asarray(im)
    if re.dtype != object and im.dtype != object:
        re, im = re.astype(np.int64), im.astype(np.int64)
        acc = np.bitwise_or.reduce(re ^ (re >> 63), axis=-1) | np.bitwise_or.reduce(im ^ (im >> 63), axis=-1)
        return np.array([int(a).bit_length() for a in np.atleast_1d(acc)], dtype=np.int64)
    out = np.zeros(re.shape[0], dtype=np.int64)          # Python ints (words wider than 63 bits)
    for f in range(re.shape[0]):
        acc = 0
        for v in (re[f], im[f]):
            acc |= int(np.bitwise_or.reduce(np.where(v < 0, -1 - v, v)))     # v XOR sign(v)
        out[f] = acc.bit_length()
    return out


def input_normalize(re, im, width: int):
    """The input frame buffer: ``(re << h, im << h, h)`` per frame, ``h =
    width - 1 - headroom`` (0 .. width - 1; an all-zero frame gets
    ``width - 1``)."""
    h = (width - 1) - headroom(re, im)
    sh = h[:, None]
    if np.asarray(re).dtype == object:
        sh = sh.astype(object)
    return np.asarray(re) << sh, np.asarray(im) << sh, h


def output_normalize(re, im, h, fixed_shift: int, width_out: int, rounding: str):
    """The read-out shifter: ``(re, im, exponent)``.  Per frame the right
    shift ``r = max(headroom - (width_out - 1), h - fixed_shift, 0)`` (the
    smallest that fits ``width_out`` bits, raised so that the exponent is
    not negative), ``rounding`` (``round_shift``), and the one value that
    rounding can push out of range, ``+2**(width_out-1)``, clipped to
    ``2**(width_out-1) - 1`` (error below one LSB).  ``exponent = fixed_shift
    - h + r`` (int64, (frames,))."""
    re = np.asarray(re)
    im = np.asarray(im)
    h = np.asarray(h, dtype=np.int64)
    r = np.maximum(np.maximum(headroom(re, im) - (width_out - 1), h - fixed_shift), 0)
    hi = (1 << (width_out - 1)) - 1
    o_re, o_im = np.empty_like(re), np.empty_like(im)
    for f in range(re.shape[0]):
        s = int(r[f])
        o_re[f] = np.minimum(round_shift(re[f], s, rounding), hi)
        o_im[f] = np.minimum(round_shift(im[f], s, rounding), hi)
    return o_re, o_im, fixed_shift - h + r
