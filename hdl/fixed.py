"""Rounding and overflow handling: the one place where widths shrink.

Twin of :mod:`fftforge.pyref.fixed`.  Both helpers build combinational
Amaranth expressions; the parts that use them register the result.

* :func:`round_shift` -- divide by 2**shift, ``truncate`` (floor) or
  ``convergent`` (round half to even).  Adds no latency; the result is at most
  one bit wider than ``v >> shift``.
* :func:`resize` -- fit a value into ``width`` signed bits, ``saturate`` or
  ``wrap``, and say whether it overflowed.
"""

from amaranth.hdl import C, Mux, signed

__all__ = ["round_shift", "resize"]


def round_shift(v, shift: int, rounding: str):
    """``v / 2**shift`` rounded as ``rounding`` says (an expression)."""
    if shift == 0:
        return v
    if rounding == "truncate":
        return v >> shift
    if rounding == "convergent":
        return (v + ((1 << (shift - 1)) - 1) + v[shift]) >> shift
    raise ValueError(f"rounding must be 'truncate' or 'convergent', got {rounding!r}")


def resize(v, width: int, overflow: str):
    """Return ``(value, overflowed)``: ``v`` fitted into ``signed(width)``.

    ``value`` is an expression of shape ``signed(width)`` (or narrower, for
    the caller to sign-extend); ``overflowed`` is a 1-bit expression."""
    if v.shape().width <= width or (not v.shape().signed and v.shape().width < width):
        return v, C(0, 1)
    lo = -(1 << (width - 1))
    hi = (1 << (width - 1)) - 1
    over = v > hi
    under = v < lo
    low = v[:width].as_signed()
    if overflow == "saturate":
        out = Mux(over, C(hi, signed(width)), Mux(under, C(lo, signed(width)), low))
    elif overflow == "wrap":
        out = low
    else:
        raise ValueError(f"overflow must be 'saturate' or 'wrap', got {overflow!r}")
    return out, over | under
