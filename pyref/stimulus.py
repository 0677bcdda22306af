"""Test stimuli for FFT cores, as integer (re, im) arrays of shape (frames, N).

Kinds: ``impulse`` (full-scale impulse, position moves per frame), ``dc``,
``tone`` (complex exponential, bin moves per frame), ``square`` (full-scale
two's complement square waves on re and im -- the overflow stress),
``random`` (uniform over the whole input range).
"""

from __future__ import annotations

import numpy as np

__all__ = ["make_stimulus", "KINDS"]

KINDS = ("impulse", "dc", "tone", "square", "random")


def make_stimulus(kind: str, frames: int, n: int, width: int, rng=None):
    rng = rng if rng is not None else np.random.default_rng(0)
    hi = (1 << (width - 1)) - 1
    lo = -(1 << (width - 1))
    f = np.arange(frames)[:, None]
    t = np.arange(n)[None, :]
    if kind == "impulse":
        re = np.where(t == (f * 7) % n, hi, 0) + 0 * f
        im = np.where(t == (f * 3 + 1) % n, lo, 0) + 0 * f
    elif kind == "dc":
        re = np.full((frames, n), hi)
        im = np.full((frames, n), lo // 2)
    elif kind == "tone":
        k = (f * 5 + 1) % n
        ph = 2 * np.pi * k * t / n
        re = np.round(0.9 * hi * np.cos(ph))
        im = np.round(0.9 * hi * np.sin(ph))
    elif kind == "square":
        period = np.maximum(n // (1 + f % 4), 2)
        re = np.where((t % period) < period // 2, hi, lo)
        im = np.where(((t + period // 4) % period) < period // 2, lo, hi)
    elif kind == "random":
        re = rng.integers(lo, hi + 1, (frames, n))
        im = rng.integers(lo, hi + 1, (frames, n))
    else:
        raise ValueError(f"stimulus kind must be one of {', '.join(KINDS)}, got {kind!r}")
    shape = (frames, n)
    return (np.broadcast_to(re, shape).astype(np.int64).copy(),
            np.broadcast_to(im, shape).astype(np.int64).copy())
