"""Pipelined complex multiplier and exact rotation by powers of -j.

Twin of :mod:`fftforge.pyref.cmul`.

:class:`ComplexMultiplier`
    Parameters: ``width``, ``twiddle_width``, ``form`` (4 or 3), ``target``
    and ``ce`` (see :mod:`fftforge.hdl.prims`).

    Attributes (ports): ``a`` In(complex, width), ``w`` In(complex,
    twiddle_width), ``p`` Out(complex, width + twiddle_width + 2) = a * w,
    exact.

    Latency :func:`~fftforge.config.cmul_latency` (the attribute
    ``latency``; :data:`~fftforge.config.CMUL_LATENCY` = 4 when every
    operand fits 18 bits): the real products are
    :class:`~fftforge.hdl.prims.PipelinedMultiplier` (input, pipeline and
    output registers: 3 cycles, on ECP5 inside the MULT18X18D; wider
    operands add a registered adder-tree level per halving of the limb
    products), then the sum register.  ``form=4``: re = ac - bd, im = ad + bc.
    ``form=3``: k1 = c(a+b), k2 = a(d-c), k3 = b(c+d) (pre-adders before
    the multipliers' input registers); re = k1 - k3, im = k1 + k2.  Both are
    exact, so both give the same words.  Bit growth: the full product.

:func:`rotate`
    (re, im) times (-j)**q as an expression (swap/negate, one bit wider).
"""

from amaranth.hdl import Module, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..config import CMUL_LATENCY, MULT_LATENCY, cmul_latency
from .butterfly import complex_layout
from .prims import PipelinedMultiplier
from .word import data_reg

__all__ = ["ComplexMultiplier", "rotate", "CMUL_LATENCY"]

assert CMUL_LATENCY == MULT_LATENCY + 1


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
    """Exact complex product ``p = a * w`` through pipelined real
    multipliers (4, or 3 with pre-adders); ports ``a``, ``w`` in, ``p``
    out (``width + twiddle_width + 2`` bits); latency :attr:`latency`
    (module docstring)."""
    def __init__(self, width: int, twiddle_width: int, form: int = 4, *, target: str = "generic", ce=None):
        if form not in (3, 4):
            raise ValueError(f"form must be 3 or 4, got {form}")
        self.width = width
        self.twiddle_width = twiddle_width
        self.form = form
        self.target, self.ce = target, ce
        self.product_width = width + twiddle_width + 2
        self.latency = cmul_latency(width, twiddle_width, form)
        super().__init__({
            "a": In(complex_layout(width)),
            "w": In(complex_layout(twiddle_width)),
            "p": Out(complex_layout(self.product_width)),
        })

    def _mult(self, m, name, x, y):
        mul = PipelinedMultiplier(x.shape().width, y.shape().width, target=self.target, ce=self.ce)
        m.submodules[name] = mul
        m.d.comb += [mul.a.eq(x), mul.b.eq(y)]
        p = mul.p
        for k in range(self.latency - 1 - mul.latency):   # (form 3: a shorter product waits)
            r = data_reg(p.shape(), name=f"{name}_d{k}")
            m.d.sync += r.eq(p)
            p = r
        return p

    def elaborate(self, platform):
        m = Module()
        a, b = self.a.re, self.a.im
        c, d = self.w.re, self.w.im
        p = data_reg(self.p.shape(), name="p_reg")
        m.d.comb += self.p.eq(p)
        if self.form == 4:
            ac = self._mult(m, "ac", a, c)
            bd = self._mult(m, "bd", b, d)
            ad = self._mult(m, "ad", a, d)
            bc = self._mult(m, "bc", b, c)
            m.d.sync += [p.re.eq(ac - bd), p.im.eq(ad + bc)]
        else:
            k1 = self._mult(m, "k1", c, a + b)
            k2 = self._mult(m, "k2", a, d - c)
            k3 = self._mult(m, "k3", b, c + d)
            m.d.sync += [p.re.eq(k1 - k3), p.im.eq(k1 + k2)]
        return m
