"""Radix-2 butterfly (combinational), twin of :mod:`fftforge.pyref.butterfly`.

Ports
-----
a, b : In(complex, width)       operands
minus_j : In(1)                 multiply ``b`` by -j first (radix-2^2 BF2II)
sum, diff : Out(complex, width + 2)
    ``a + b'`` and ``a - b'`` at full precision (``b' = b`` or ``-j*b``).

Latency 0 (the SDF stage registers it).  Bit growth: one bit (the ports are
two bits wider so that ``-b.re`` needs no special case).
"""

from amaranth.hdl import Module, Mux, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

__all__ = ["Butterfly", "complex_layout"]


def complex_layout(width: int) -> data.StructLayout:
    return data.StructLayout({"re": signed(width), "im": signed(width)})


class Butterfly(wiring.Component):
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
        br = Mux(self.minus_j, self.b.im, self.b.re)
        bi = Mux(self.minus_j, -self.b.re, self.b.im)
        m.d.comb += [
            self.sum.re.eq(self.a.re + br),
            self.sum.im.eq(self.a.im + bi),
            self.diff.re.eq(self.a.re - br),
            self.diff.im.eq(self.a.im - bi),
        ]
        return m
