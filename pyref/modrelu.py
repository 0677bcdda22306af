"""modReLU: float definition and the bit-true model of the CORDIC hardware
(:class:`fftforge.hdl.modrelu.ModReLU`).

``modReLU(z, b) = z * max(0, |z| + b) / |z|``, and 0 at ``z = 0``.

Hardware algorithm (fixed point, integers throughout; every step below is a
register stage of the RTL, in the same order):

1. input: ``flip = re < 0``; ``(x, y) = (+-re, +-im) * 2**G`` (G guard
   bits) -- the angle is now within [-90, 90] degrees; ``zero = (re, im) == 0``.
2. ``I`` vectoring iterations, ``i = 0..I-1``: ``d_i = (y >= 0)``;
   ``d_i``: ``x += y >> i; y -= x >> i`` else ``x -= y >> i; y += x >> i``
   (simultaneous, arithmetic shifts).  Afterwards ``x ~= K_I |z| 2**G`` with
   the CORDIC gain ``K_I = prod sqrt(1 + 4**-i)``; the ``d_i`` record the angle.
3. ``p = x * KINV`` with ``KINV = round(2**KB / K_I)``, ``KB = kinv_bits(width_in)``.
4. ``m = max(0, round(p / 2**KB) + b * 2**G)``, forced to 0 where ``zero``.
5. ``x = round(m * KINV / 2**KB)``, ``y = 0`` (pre-compensates the gain of
   the rotation).
6. ``I`` rotation iterations with the recorded directions: ``d_i``:
   ``x -= y >> i; y += x >> i`` else ``x += y >> i; y -= x >> i``.
7. output: negate if ``flip``; ``round(. / 2**G)``; resize to the output width.

"round" is the configured rounding (:func:`fftforge.pyref.fixed.round_shift`).

Error bound (per real component, output LSB), used by the tests:
:func:`modrelu_error_bound`.
"""

from __future__ import annotations

import math

import numpy as np

from fftforge.pyref.fixed import resize, round_shift

__all__ = ["modrelu_float", "ModReLUModel", "cordic_gain", "kinv_bits", "kinv", "modrelu_error_bound",
           "internal_width"]


def kinv_bits(width_in: int) -> int:
    """Fraction bits KB of the gain-compensation constant: ``width_in + 2``,
    so that its relative error (< K 2**-(KB+1)) costs well under one LSB at
    full scale (at least 18)."""
    return max(18, width_in + 2)


def modrelu_float(z, b):
    """Float modReLU: ``z * max(0, |z| + b) / |z|`` (0 where ``z == 0``).
    ``b`` broadcasts against ``z``."""
    z = np.asarray(z, dtype=np.complex128)
    mag = np.abs(z)
    scale = np.maximum(0.0, mag + b)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(mag > 0, z * scale / np.where(mag > 0, mag, 1.0), 0.0)
    return out


def cordic_gain(iterations: int) -> float:
    return float(np.prod(np.sqrt(1.0 + 4.0 ** -np.arange(iterations))))


def kinv(iterations: int, bits: int) -> int:
    """The gain-compensation constant ``round(2**bits / K_I)``."""
    return int(round((1 << bits) / cordic_gain(iterations)))


def internal_width(width_in: int, guard: int) -> int:
    """CORDIC register width: |(x, y)| grows by K_I < 1.65 (vectoring) from
    at most sqrt(2) * 2**(width_in-1) * 2**guard, and the rotation starts from
    at most (|z| + |b|) * 2**guard < 2**(width_in + 1 + guard): 3 bits above
    ``width_in + guard`` hold both."""
    return width_in + guard + 3


def modrelu_error_bound(iterations: int, guard: int, z, b, width_in: int):
    """Worst-case |error| per real component (output LSB) of the CORDIC
    modReLU against :func:`modrelu_float`, per sample (arrays broadcast).

    With ``A = |z|``, ``M = max(0, A + b)``, ``K = K_I``, ``E = I sqrt(2) K 2**-G``
    (the floor errors of I iterations, one guard LSB each on x and y, grown
    by at most K):

    * vectoring floors: magnitude error <= E, angle error <= E / (K A);
    * residual angle of the vectoring (the rotation repeats the same
      micro-rotations, so the output angle is off by it): <= 2**-(I-1);
    * rotation floors: <= E; gain constants (``|KINV K / 2**KB - 1| <=
      K 2**-(KB+1)``): on the measured magnitude ``A`` and on the output
      magnitude ``M``, ``K 2**-KB (A + M)`` together (generous: twice);
      the two gain roundings: 2 * 2**-G; output rounding: 1/2.

    ``bound = 1/2 + 2E + 2**(1-G) + K 2**-KB A + M (E/(K A) + 2**(1-I) + K 2**-KB)``;
    0 where z == 0 (the output is exactly 0 there).
    """
    k = cordic_gain(iterations)
    e = iterations * math.sqrt(2) * k * 2.0 ** -guard
    a = np.abs(np.asarray(z, dtype=np.complex128))
    mo = np.maximum(0.0, a + np.asarray(b, dtype=np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        ang = np.where(a > 0, e / (k * np.where(a > 0, a, 1.0)), 0.0)
    gk = 2.0 ** -kinv_bits(width_in) * k
    bound = 0.5 + 2 * e + 2.0 ** (1 - guard) + gk * a + mo * (ang + 2.0 ** (1 - iterations) + gk)
    return np.where(a > 0, bound, 0.0)


class ModReLUModel:
    """Bit-true model of :class:`fftforge.hdl.modrelu.ModReLU`.

    ``model(re, im, bias)`` -> ``(re, im, ovf)``; ``bias`` broadcasts
    against ``re``.  Integer int64 arrays in, int64 arrays out."""

    def __init__(self, width_in: int, width_out: int, iterations: int, guard: int, rounding: str):
        self.width_in = width_in
        self.width_out = width_out
        self.iterations = iterations
        self.guard = guard
        self.rounding = rounding
        self.kb = kinv_bits(width_in)
        self.kinv = kinv(iterations, self.kb)
        # int64 where every intermediate fits, Python ints beyond
        self.dtype = np.int64 if internal_width(width_in, guard) + self.kb + 3 <= 62 else object

    def __call__(self, re, im, bias):
        G, I = self.guard, self.iterations
        re = np.asarray(re, dtype=np.int64).astype(self.dtype)
        im = np.asarray(im, dtype=np.int64).astype(self.dtype)
        b = np.broadcast_to(np.asarray(bias, dtype=np.int64), re.shape).astype(self.dtype)
        flip = re < 0
        zero = (re == 0) & (im == 0)
        x = np.where(flip, -re, re) << G
        y = np.where(flip, -im, im) << G
        ds = []
        for i in range(I):
            d = y >= 0
            xs, ys = x >> i, y >> i
            x, y = np.where(d, x + ys, x - ys), np.where(d, y - xs, y + xs)
            ds.append(d)
        p = x * self.kinv
        m = round_shift(p, self.kb, self.rounding) + (b << G)
        m = np.where(zero | (m < 0), 0, m)
        x = round_shift(m * self.kinv, self.kb, self.rounding)
        y = np.zeros_like(x)
        for i, d in enumerate(ds):
            xs, ys = x >> i, y >> i
            x, y = np.where(d, x - ys, x + ys), np.where(d, y + xs, y - xs)
        x = np.where(flip, -x, x)
        y = np.where(flip, -y, y)
        o_re, f1 = resize(round_shift(x, G, self.rounding), self.width_out, "saturate")
        o_im, f2 = resize(round_shift(y, G, self.rounding), self.width_out, "saturate")
        return (np.asarray(o_re).astype(np.int64), np.asarray(o_im).astype(np.int64),
                np.asarray(f1 | f2, dtype=bool))
