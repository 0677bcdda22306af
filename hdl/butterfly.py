"""Radix-2 butterfly (combinational), twin of :mod:`fftforge.pyref.butterfly`.

Ports, latency and bit growth: :class:`Butterfly`.

Latency 0 (the SDF stage registers it).  Bit growth: one bit (the ports are
two bits wider so that ``-b.re`` needs no special case).  Each output is one
adder (the -j rotation folds into the operand select and the carry-in), so
the stage's add is one carry chain.
"""

from amaranth.hdl import Module, Mux, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

__all__ = ["Butterfly", "complex_layout", "add_carry_in"]


def complex_layout(width: int) -> data.StructLayout:
    return data.StructLayout({"re": signed(width), "im": signed(width)})


class Butterfly(wiring.Component):
    """Combinational radix-2 butterfly.

    Parameters
    ----------
    width : int
        Operand width (signed parts).

    Attributes
    ----------
    a, b : In(complex_layout(width))
        Operands.
    minus_j : In(1)
        Multiply ``b`` by -j first (radix-2^2 BF2II).
    sum, diff : Out(complex_layout(width + 2))
        ``a + b'`` and ``a - b'`` at full precision (``b' = b`` or ``-j*b``).

    Latency 0 (the SDF stage registers it).  Bit growth: one bit (the ports
    are two bits wider so that ``-b.re`` needs no special case).
    """
    def __init__(self, width: int):
        self.width = width
        super().__init__({
            "a": In(complex_layout(width)),
            "b": In(complex_layout(width)),
            "minus_j": In(1),
            "sum": Out(complex_layout(width + 2)),
            "diff": Out(complex_layout(width + 2)),
        })

    def elaborate(self, platform):
        m = Module()
        a, b, mj = self.a, self.b, self.minus_j
        br = Mux(mj, b.im, b.re)
        m.d.comb += [
            self.sum.re.eq(a.re + br),
            self.diff.re.eq(a.re - br),
            # a.im + (mj ? -b.re : b.im) and a.im - (mj ? -b.re : b.im), each
            # one add with a carry-in (-x = ~x + 1), not a negation chain
            # followed by an add
            self.sum.im.eq(add_carry_in(a.im, Mux(mj, ~b.re, b.im), mj)),
            self.diff.im.eq(add_carry_in(a.im, Mux(mj, b.re, ~b.im), ~mj)),
        ]
        return m


def add_carry_in(x, y, c):
    """``x + y + c`` (``c`` one bit) as a single adder: the carry-in rides in
    an extra low bit of both operands."""
    return (((x << 1) | c) + ((y << 1) | c)) >> 1
