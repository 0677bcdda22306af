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

__all__ = ["round_shift", "resize", "round_resize", "fit"]


def round_shift(v, shift: int, rounding: str):
    """``v / 2**shift`` rounded as ``rounding`` says (an expression).

    Convergent rounding, ``(v + 2**(shift-1) - 1 + v[shift]) >> shift`` (the
    pyref twin's formula), is built as one carry chain either way:

    * ``shift <= 2``: ``(v >> shift) + up``, ``up = v[shift-1] & (v[shift] |
      any(v[:shift-1]))`` (the discarded part is over one half, or exactly
      one half with an odd quotient): an increment of the kept bits;
    * wider shifts (twiddle products): one add of the constant with
      ``v[shift]`` as its carry-in -- no OR tree over the discarded bits in
      front of the chain.

    ``fftforge prove`` checks both against the remainder spec."""
    if shift == 0:
        return v
    if rounding == "truncate":
        return v >> shift
    if rounding == "convergent":
        if shift <= 2:
            below = v[:shift - 1].any() if shift > 1 else C(0, 1)
            up = v[shift - 1] & (v[shift] | below)
            return (v >> shift) + up
        from fftforge.hdl.butterfly import add_carry_in
        return add_carry_in(v, C((1 << (shift - 1)) - 1, shift), v[shift]) >> shift
    raise ValueError(f"rounding must be 'truncate' or 'convergent', got {rounding!r}")


def resize(v, width: int, overflow: str):
    """Return ``(value, overflowed)``: ``v`` fitted into ``signed(width)``.

    ``value`` is an expression of shape ``signed(width)`` (or narrower, for
    the caller to sign-extend); ``overflowed`` is a 1-bit expression."""
    if v.shape().width <= width or (not v.shape().signed and v.shape().width < width):
        return v, C(0, 1)
    lo = -(1 << (width - 1))
    hi = (1 << (width - 1)) - 1
    # v fits iff its bits from width-1 up are all equal (all sign): a LUT
    # function of a few bits, where a comparison would be a carry chain
    top = v[width - 1:]
    sign = v[-1] if v.shape().signed else C(0, 1)
    over = ~sign & top.any()
    under = sign & ~top.all()
    low = v[:width].as_signed()
    if overflow == "saturate":
        out = Mux(over, C(hi, signed(width)), Mux(under, C(lo, signed(width)), low))
    elif overflow == "wrap":
        out = low
    else:
        raise ValueError(f"overflow must be 'saturate' or 'wrap', got {overflow!r}")
    return out, over | under


def round_resize(v, shift: int, width: int, rounding: str, overflow: str, may_overflow: bool = True):
    """``resize(round_shift(v, shift, rounding), width, overflow)``: the
    rounding stage of every part, as ``(value, overflowed)``.

    ``may_overflow=False`` (the range analysis of
    :meth:`fftforge.config.FFTConfig.plan` proved that the value always
    fits): no saturation logic, the flag is the constant 0; the value is the
    same as with it."""
    return fit(round_shift(v, shift, rounding), width, overflow, may_overflow)


def fit(v, width: int, overflow: str, may_overflow: bool = True):
    """:func:`resize`, or for a value proven to fit (``may_overflow=False``)
    its low ``width`` bits and a constant-0 flag."""
    if may_overflow or v.shape().width <= width:
        return resize(v, width, overflow)
    return v[:width].as_signed(), C(0, 1)
