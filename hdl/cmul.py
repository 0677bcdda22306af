"""Pipelined complex multiplier and exact rotation by powers of -j.

Twin of :mod:`fftforge.pyref.cmul`.

:class:`ComplexMultiplier`
    Ports: ``a`` In(complex, width), ``w`` In(complex, twiddle_width),
    ``p`` Out(complex, width + twiddle_width + 2) = a * w, exact.
    Latency 3: operand registers (and pre-adders), product registers, sum
    registers -- the register placement that lets Yosys pack each real
    product into a DSP block.  ``form=4``: re = ac - bd, im = ad + bc.
    ``form=3``: k1 = c(a+b), k2 = a(d-c), k3 = b(c+d); re = k1 - k3,
    im = k1 + k2.  Both are exact, so both give the same words.

:func:`rotate`
    (re, im) times (-j)**q as an expression (swap/negate, one bit wider).
"""

from amaranth.hdl import Module, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .butterfly import complex_layout

__all__ = ["ComplexMultiplier", "rotate", "CMUL_LATENCY"]

CMUL_LATENCY = 3


def rotate(m, re, im, q, name="rot"):
    """Add to ``m`` the rotation of ``re + j im`` by ``(-j)**q`` (q: 2-bit
    value or int); return the (re, im) signals, one bit wider than the input."""
    w = max(re.shape().width, im.shape().width) + 1
    o_re = Signal(signed(w), name=f"{name}_re")
    o_im = Signal(signed(w), name=f"{name}_im")
    with m.Switch(q):
        with m.Case(0):
            m.d.comb += [o_re.eq(re), o_im.eq(im)]
        with m.Case(1):
            m.d.comb += [o_re.eq(im), o_im.eq(-re)]
        with m.Case(2):
            m.d.comb += [o_re.eq(-re), o_im.eq(-im)]
        with m.Case(3):
            m.d.comb += [o_re.eq(-im), o_im.eq(re)]
    return o_re, o_im


class ComplexMultiplier(wiring.Component):
    def __init__(self, width: int, twiddle_width: int, form: int = 4):
        if form not in (3, 4):
            raise ValueError(f"form must be 3 or 4, got {form}")
        self.width = width
        self.twiddle_width = twiddle_width
        self.form = form
        self.product_width = width + twiddle_width + 2
        super().__init__({
            "a": In(complex_layout(width)),
            "w": In(complex_layout(twiddle_width)),
            "p": Out(complex_layout(self.product_width)),
        })

    def elaborate(self, platform):
        m = Module()
        wa, ww = self.width, self.twiddle_width
        a, b = self.a.re, self.a.im
        c, d = self.w.re, self.w.im
        if self.form == 4:
            ra, rb = Signal(signed(wa)), Signal(signed(wa))
            rc, rd = Signal(signed(ww)), Signal(signed(ww))
            m.d.sync += [ra.eq(a), rb.eq(b), rc.eq(c), rd.eq(d)]
            ac, bd = Signal(signed(wa + ww)), Signal(signed(wa + ww))
            ad, bc = Signal(signed(wa + ww)), Signal(signed(wa + ww))
            m.d.sync += [ac.eq(ra * rc), bd.eq(rb * rd), ad.eq(ra * rd), bc.eq(rb * rc)]
            m.d.sync += [self.p.re.eq(ac - bd), self.p.im.eq(ad + bc)]
        else:
            ra, rb = Signal(signed(wa)), Signal(signed(wa))
            rab = Signal(signed(wa + 1))
            rc = Signal(signed(ww))
            rdc, rcd = Signal(signed(ww + 1)), Signal(signed(ww + 1))
            m.d.sync += [ra.eq(a), rb.eq(b), rab.eq(a + b), rc.eq(c), rdc.eq(d - c), rcd.eq(c + d)]
            k1, k2, k3 = (Signal(signed(wa + ww + 1), name=f"k{i}") for i in (1, 2, 3))
            m.d.sync += [k1.eq(rc * rab), k2.eq(ra * rdc), k3.eq(rb * rcd)]
            m.d.sync += [self.p.re.eq(k1 - k3), self.p.im.eq(k1 + k2)]
        return m
