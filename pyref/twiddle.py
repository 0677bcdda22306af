"""Twiddle factors: the ROM contents and the per-phase exponent patterns.

Single source of truth for the twiddle values: :mod:`fftforge.hdl.twiddle`
initialises its ROM from :func:`quarter_table` and computes the same
exponent pattern as :func:`exponents` in logic.

A twiddle part of period ``L`` multiplies the sample at stream phase ``j``
(0 <= j < L) by ``W_L**e(j)`` with ``W_L = exp(-2j*pi/L)``:

* pattern ``r2`` (after a radix-2 SDF stage with delay L/2):
  ``e = 0`` for ``j < L/2``, else ``e = j - L/2``.
* pattern ``r22`` (after a radix-2^2 pair): quarter ``Q = j // (L/4)``,
  ``n = j % (L/4)``, ``e = n * (0, 2, 1, 3)[Q]``.

``W_L**e`` is taken from a quarter-wave table: ``e = q*(L/4) + r`` gives
``(-j)**q * T[r]``, ``T[r] = round(2**(tw-1) * W_L**r)`` clipped to
+-(2**(tw-1) - 1).  Where ``r == 0`` the factor is an exact rotation by
``(-j)**q`` and no multiplier is used.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["quarter_table", "exponents", "phase_factors", "R22_MULT"]

R22_MULT = (0, 2, 1, 3)


@lru_cache(maxsize=None)
def quarter_table(period: int, twiddle_width: int):
    """ROM contents ``(cos, sin)`` as int64 arrays of length ``max(L/4, 1)``:
    ``T[r] = round(S*cos(2 pi r/L)) + j round(-S*sin(2 pi r/L))``, S = 2**(tw-1),
    clipped symmetrically to +-(S-1)."""
    q = max(period // 4, 1)
    r = np.arange(q)
    theta = 2.0 * np.pi * r / period
    s_full = float(1 << (twiddle_width - 1))
    lim = (1 << (twiddle_width - 1)) - 1
    c = np.clip(np.round(np.cos(theta) * s_full), -lim, lim).astype(np.int64)
    s = np.clip(np.round(-np.sin(theta) * s_full), -lim, lim).astype(np.int64)
    c.flags.writeable = False
    s.flags.writeable = False
    return c, s


@lru_cache(maxsize=None)
def exponents(period: int, pattern: str):
    """Twiddle exponent ``e(j)`` for each stream phase ``j`` of a twiddle part."""
    j = np.arange(period)
    if pattern == "r2":
        e = np.where(j < period // 2, 0, j - period // 2)
    elif pattern == "r22":
        quarter = period // 4
        e = (j % quarter) * np.array(R22_MULT)[j // quarter]
    else:
        raise ValueError(f"unknown twiddle pattern {pattern!r}")
    e = e.astype(np.int64)
    e.flags.writeable = False
    return e


@lru_cache(maxsize=None)
def phase_factors(period: int, pattern: str, twiddle_width: int):
    """Per phase ``j``: ``(rot, addr, trivial)`` where ``rot = e // (L/4)`` is
    the exact rotation by (-j)**rot, ``addr = e % (L/4)`` the ROM address and
    ``trivial = addr == 0`` (no multiplication)."""
    q = max(period // 4, 1)
    e = exponents(period, pattern)
    rot, addr = e // q, e % q
    return rot, addr, addr == 0


def twiddle_stage(re, im, ovf, part, cfg):
    """Bit-true model of :class:`fftforge.hdl.twiddle.TwiddleMultiplier`.

    ``re``, ``im``, ``ovf``: arrays of shape (frames, N) in stream order.
    Non-trivial phases: exact complex product with the rotated ROM value,
    rounded by ``twiddle_width - 1`` bits, resized to ``part.width_out``.
    Trivial phases: exact rotation by (-j)**rot, resized."""
    from fftforge.pyref.cmul import cmul, rotate
    from fftforge.pyref.fixed import resize, round_shift

    period = part.period
    frames, n = re.shape
    rot, addr, triv = phase_factors(period, part.pattern, cfg.twiddle_width)
    c_tab, s_tab = quarter_table(period, cfg.twiddle_width)
    c, s = rotate(c_tab[addr], s_tab[addr], rot)
    shape = (frames, n // period, period)
    r3, i3, o3 = re.reshape(shape), im.reshape(shape), ovf.reshape(shape)
    if r3.dtype == object:
        c, s = c.astype(object), s.astype(object)
    p_re, p_im = cmul(r3, i3, c, s)
    p_re = round_shift(p_re, cfg.twiddle_width - 1, cfg.rounding)
    p_im = round_shift(p_im, cfg.twiddle_width - 1, cfg.rounding)
    p_re, ov1 = resize(p_re, part.width_out, cfg.overflow)
    p_im, ov2 = resize(p_im, part.width_out, cfg.overflow)
    t_re, t_im = rotate(r3, i3, rot)
    t_re, ov3 = resize(t_re, part.width_out, cfg.overflow)
    t_im, ov4 = resize(t_im, part.width_out, cfg.overflow)
    out_re = np.where(triv, t_re, p_re).astype(re.dtype)
    out_im = np.where(triv, t_im, p_im).astype(re.dtype)
    out_ovf = o3 | np.where(triv, ov3 | ov4, ov1 | ov2)
    return out_re.reshape(frames, n), out_im.reshape(frames, n), out_ovf.reshape(frames, n)
