"""Pipelined complex multiplier and exact rotation by powers of -j.

Twin of :mod:`fftforge.pyref.cmul`.

:class:`ComplexMultiplier`
    Parameters and ports: the class.

    Latency :func:`~fftforge.config.cmul_latency` (the attribute
    ``latency``; :data:`~fftforge.config.CMUL_LATENCY` = 4 when every
    operand fits 18 bits): the real products are
    :class:`~fftforge.hdl.prims.PipelinedMultiplier` (input, pipeline and
    output registers: 3 cycles, on ECP5 inside the MULT18X18D; wider
    operands add a registered adder-tree level per halving of the limb
    products; ``product_register``: one register in logic after each, so
    that a block far from its partner's adder is not on the adder's path),
    then the sum register.  ``form=4``: re = ac - bd, im = ad + bc.
    ``form=3``: k1 = c(a+b), k2 = a(d-c), k3 = b(c+d); re = k1 - k3,
    im = k1 + k2.  The pre-adds are registered first
    (:data:`~fftforge.config.CMUL3_PREADD_LATENCY` = 2: the sums, then the
    twiddle sums as magnitude and sign): ``|d - c|`` and ``|c + d|`` are below
    ``2**twiddle_width`` (``w_symmetric``; else one bit wider), so each
    product takes one block's unsigned port
    (ECP5: 3 MULT18X18D per complex product at 18-bit twiddles), and the sign
    picks add or subtract in the sum register.  Both forms are exact, so
    both give the same words.  Bit growth: the full product.

:func:`rotate_swap`, :func:`rotate_negate`
    (re, im) times (-j)**q in two halves that a pipeline may split at a
    register: the swap (a select), then the negations (one bit wider).
"""

from amaranth.hdl import Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from fftforge.config import CMUL3_PREADD_LATENCY, CMUL_LATENCY, MULT_LATENCY, cmul_latency
from fftforge.hdl.butterfly import complex_layout
from fftforge.hdl.delay import DelayLine
from fftforge.hdl.prims import ICE40_MAC_BITS, PipelinedMultiplier, sb_mac16_accumulator
from fftforge.hdl.word import data_reg

__all__ = ["ComplexMultiplier", "SharedComplexMultiplier", "rotate_swap", "rotate_negate", "CMUL_LATENCY"]

assert CMUL_LATENCY == MULT_LATENCY + 1


def rotate_swap(m, re, im, q, name="swp"):
    """First half of the rotation by ``(-j)**q`` (q: 2-bit value or int):
    ``(im, re)`` when ``q`` is odd, else ``(re, im)`` (a 2:1 select, no
    arithmetic)."""
    w = max(re.shape().width, im.shape().width)
    o_re, o_im = Signal(signed(w), name=f"{name}_re"), Signal(signed(w), name=f"{name}_im")
    q0 = q & 1 if isinstance(q, int) else q[0]
    m.d.comb += [o_re.eq(Mux(q0, im, re)), o_im.eq(Mux(q0, re, im))]
    return o_re, o_im


def rotate_negate(m, u, v, q, name="neg"):
    """Second half of the rotation by ``(-j)**q``: of the swapped pair
    ``(u, v)`` (:func:`rotate_swap`), ``u`` negated when ``q`` is 2 or 3,
    ``v`` when ``q`` is 1 or 2; returns (re, im), one bit wider."""
    w = max(u.shape().width, v.shape().width) + 1
    o_re, o_im = Signal(signed(w), name=f"{name}_re"), Signal(signed(w), name=f"{name}_im")
    q1, q0 = (q >> 1 & 1, q & 1) if isinstance(q, int) else (q[1], q[0])
    m.d.comb += [o_re.eq(Mux(q1, -u, u)), o_im.eq(Mux(q1 ^ q0, -v, v))]
    return o_re, o_im


class ComplexMultiplier(wiring.Component):
    """Exact complex product ``p = a * w`` through pipelined real multipliers
    (4, or 3 with pre-adders; the module docstring gives the forms).

    Parameters
    ----------
    width, twiddle_width : int
        Widths of ``a`` and ``w`` (signed parts).
    form : int
        4 or 3 real multiplies.
    w_symmetric : bool
        The twiddle's parts are never ``-2**(twiddle_width-1)`` (as in every
        twiddle ROM): the 3-multiply pre-adds stay within ``twiddle_width``
        bits of magnitude.
    product_register : bool
        Each real product registered once more, in logic, before the sum
        (+1 slot; :data:`~fftforge.config.PRODUCT_REGISTER_MIN_LANES`).
    target, ce :
        See :class:`~fftforge.hdl.prims.PipelinedMultiplier`.

    Attributes
    ----------
    a : In(complex_layout(width))
        Sample.
    w : In(complex_layout(twiddle_width))
        Twiddle (or weight), with ``a``.
    p : Out(complex_layout(width + twiddle_width + 2))
        ``a * w``, exact, :attr:`latency` enabled cycles later.
    latency : int
        :func:`~fftforge.config.cmul_latency`:
        :data:`~fftforge.config.CMUL_LATENCY` (4) when every operand fits
        18 bits, + :data:`~fftforge.config.CMUL3_PREADD_LATENCY` for form 3,
        + 1 with ``product_register``.

    Bit growth: the full product, ``width + twiddle_width + 2`` bits.
    """
    def __init__(self, width: int, twiddle_width: int, form: int = 4, *, w_symmetric: bool = False,
                 product_register: bool = False, target: str = "generic", ce=None):
        if form not in (3, 4):
            raise ValueError(f"form must be 3 or 4, got {form}")
        self.width = width
        self.twiddle_width = twiddle_width
        self.form = form
        self.w_symmetric = w_symmetric
        self.target, self.ce = target, ce
        self.product_width = width + twiddle_width + 2
        self.product_register = product_register
        self.latency = cmul_latency(width, twiddle_width, form, w_symmetric, product_register=product_register)
        super().__init__({
            "a": In(complex_layout(width)),
            "w": In(complex_layout(twiddle_width)),
            "p": Out(complex_layout(self.product_width)),
        })

    def _mult(self, m, name, x, y, pre=0):
        """``x * y`` (``y`` may be unsigned) through a pipelined multiplier,
        delayed to arrive ``latency - 1`` slots after the operands entered
        the part (``pre`` slots of them spent before ``x``, ``y``)."""
        mul = PipelinedMultiplier(x.shape().width, y.shape().width, b_signed=y.shape().signed,
                                  target=self.target, ce=self.ce)
        m.submodules[name] = mul
        m.d.comb += [mul.a.eq(x), mul.b.eq(y)]
        p = mul.p
        for k in range(self.latency - 1 - pre - mul.latency):   # (form 3: a shorter product waits)
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
            # pre-add registers (CMUL3_PREADD_LATENCY = 2): first a + b,
            # d - c and c + d; then the twiddle sums as magnitude and sign
            # (|d - c|, |c + d| < 2**tw when w_symmetric: one block's
            # unsigned port at tw <= 18), each step one carry chain
            tw, w = self.twiddle_width, self.width
            assert CMUL3_PREADD_LATENCY == 2
            ra, rb, rc = data_reg(signed(w), "pa"), data_reg(signed(w), "pb"), data_reg(signed(tw), "pc")
            s_ab = data_reg(signed(w + 1), "pa_plus_b")
            dc, cd = data_reg(signed(tw + 1), "d_minus_c"), data_reg(signed(tw + 1), "c_plus_d")
            m.d.sync += [ra.eq(a), rb.eq(b), rc.eq(c), s_ab.eq(a + b), dc.eq(d - c), cd.eq(c + d)]
            ra2, rb2 = data_reg(signed(w), "pa2"), data_reg(signed(w), "pb2")
            mw = tw if self.w_symmetric else tw + 1
            m_dc, m_cd = data_reg(unsigned(mw), "mag_d_minus_c"), data_reg(unsigned(mw), "mag_c_plus_d")
            n_dc, n_cd = data_reg(1, "neg_d_minus_c"), data_reg(1, "neg_c_plus_d")
            m.d.sync += [ra2.eq(ra), rb2.eq(rb),
                         m_dc.eq(Mux(dc[-1], -dc, dc)), n_dc.eq(dc[-1]),
                         m_cd.eq(Mux(cd[-1], -cd, cd)), n_cd.eq(cd[-1])]
            k1 = self._mult(m, "k1", rc, s_ab, 1)         # from the first pre-add register
            k2 = self._mult(m, "k2", ra2, m_dc, 2)        # |a (d - c)|: times (-1)**n_dc
            k3 = self._mult(m, "k3", rb2, m_cd, 2)
            # the signs wait for the products (DelayLine: registers or RAM)
            m.submodules.neg_k2 = neg_k2 = DelayLine(1, self.latency - 1 - 2, target=self.target, ce=self.ce)
            m.submodules.neg_k3 = neg_k3 = DelayLine(1, self.latency - 1 - 2, target=self.target, ce=self.ce)
            m.d.comb += [neg_k2.i.eq(n_dc), neg_k3.i.eq(n_cd)]
            n2, n3 = neg_k2.o, neg_k3.o
            # re = k1 - (c + d) b, im = k1 + (d - c) a
            m.d.sync += [p.re.eq(Mux(n3, k1 + k3, k1 - k3)), p.im.eq(Mux(n2, k1 - k2, k1 + k2))]
        return m


class SharedComplexMultiplier(wiring.Component):
    """Exact complex product ``p = a * w`` on two real multipliers, each
    time-shared by two products, for a slot pipeline that moves at most once
    every ``cycles_per_sample`` (K >= 2) cycles.

    Add it **outside** the pipeline's ``EnableInserter`` (its sequencer and
    registers run every cycle); ``adv`` is the pipeline's clock enable.
    ``a`` and ``w`` must come from registers of the pipeline (stable between
    two advances).  In the K cycles after an advance, multiplier 0 forms
    ``a.re c`` then ``a.im d``, multiplier 1 ``a.re d`` then ``a.im c``
    (``depth`` register levels in the multipliers: on iCE40 inside the
    SB_MAC16).

    * K = 2, ``depth`` 0: the first products wait in ``acc``;
      ``re = acc0 - a.im d``, ``im = acc1 + a.im c`` settle in the second
      cycle and the next advance loads them into the register ``p``
      (latency 1 slot).
    * K >= 3, ``depth`` = min(K - 3, 2): ``acc`` takes the first products,
      then adds (subtracts) the second ones: ``p`` is ``acc`` itself, final
      ``depth + 2`` cycles after the advance, held until the cycle after the
      next one (latency 0 slots: the next advance reads it) -- one adder and
      one register per part, no sum register.

    ``target="ice40"`` at K >= 3, operands of at most 16 bits and sums that
    fit 32 signed bits (``w_symmetric``, or ``width + twiddle_width <= 31``):
    each real multiplier and its accumulator are one SB_MAC16
    (:func:`~fftforge.hdl.prims.sb_mac16_accumulator`; ``depth`` as its input
    and product registers): the advance clears the accumulator, the first
    product is added to 0, the second added (im) or subtracted (re), and the
    block holds it otherwise.  No accumulator, adder or load mux is left in
    the fabric; same timing, latency and words as the generic form.

    The same words as :class:`ComplexMultiplier` (exact).

    Parameters
    ----------
    width, twiddle_width : int
        Widths of ``a`` and ``w`` (signed parts).
    cycles_per_sample : int
        K >= 2: cycles between two advances at least.
    target : str
        ``"generic"`` (default) or ``"ice40"`` (the SB_MAC16 accumulators,
        where they apply: :attr:`uses_block`); ``"ecp5"`` is the generic form.
    w_symmetric : bool
        ``w``'s parts are never ``-2**(twiddle_width-1)`` (every twiddle ROM):
        then the sums fit ``width + twiddle_width - 1`` signed bits.

    Attributes
    ----------
    a : In(complex_layout(width))
    w : In(complex_layout(twiddle_width))
    adv : In(1)
        The pipeline's clock enable.
    p : Out(complex_layout(width + twiddle_width + 2))
        ``a * w``: latency :func:`~fftforge.config.shared_cmul_latency`
        slots (1 at K = 2, else 0).

    Bit growth: the full product, ``width + twiddle_width + 2`` bits.
    """
    def __init__(self, width: int, twiddle_width: int, cycles_per_sample: int, *, target: str = "generic",
                 w_symmetric: bool = False):
        if cycles_per_sample < 2:
            raise ValueError(f"cycles_per_sample must be >= 2, got {cycles_per_sample}")
        self.width, self.twiddle_width, self.cycles_per_sample = width, twiddle_width, cycles_per_sample
        self.accumulate = cycles_per_sample >= 3
        self.depth = min(cycles_per_sample - 3, 2) if self.accumulate else 0
        self.target, self.w_symmetric = target, w_symmetric
        #: each real multiplier with its accumulator is one SB_MAC16: iCE40,
        #: K >= 3, 16-bit operands at most, and the sums fit 32 signed bits
        #: (|a.re c -/+ a.im d| < 2**(width + twiddle_width - 1) unless every
        #: part is the most negative value, which a symmetric w never is)
        self.uses_block = (target == "ice40" and self.accumulate and width <= ICE40_MAC_BITS
                           and twiddle_width <= ICE40_MAC_BITS and (w_symmetric or width + twiddle_width <= 31))
        self.product_width = width + twiddle_width + 2
        self.latency = cmul_latency(width, twiddle_width, 4, cycles_per_sample=cycles_per_sample)
        super().__init__({
            "a": In(complex_layout(width)),
            "w": In(complex_layout(twiddle_width)),
            "adv": In(1),
            "p": Out(complex_layout(self.product_width)),
        })

    def elaborate(self, platform):
        m = Module()
        d = self.depth
        w, tw = self.width, self.twiddle_width
        top = d + 1 + self.accumulate
        # ph: cycles since the last advance, saturating at `top` (the
        # second products stay selected: the sums settle and hold)
        ph = Signal(range(top + 1), init=top, name="ph")
        with m.If(self.adv):
            m.d.sync += ph.eq(0)
        with m.Elif(ph != top):
            m.d.sync += ph.eq(ph + 1)
        first = ph == 0
        x = Signal(signed(w), name="x")
        y0, y1 = Signal(signed(tw), name="y0"), Signal(signed(tw), name="y1")
        m.d.comb += [x.eq(Mux(first, self.a.re, self.a.im)),
                     y0.eq(Mux(first, self.w.re, self.w.im)), y1.eq(Mux(first, self.w.im, self.w.re))]
        if self.uses_block:
            # the accumulators in the blocks: cleared by the advance, the
            # first products added to 0 at ph == d, the second ones
            # subtracted (re) or added (im) at ph == d + 1, held otherwise
            # (an advance comes only at ph == top, after both)
            step = (ph == d) | (ph == d + 1)
            o0, o1 = Signal(32, name="acc0"), Signal(32, name="acc1")
            for name, y, o, sub in (("mac0", y0, o0, ph == d + 1), ("mac1", y1, o1, Const(0, 1))):
                sb_mac16_accumulator(m, name, x, y, o, load=self.adv, sub=sub, hold=~(self.adv | step),
                                     input_regs=d >= 2, product_reg=d >= 1)
            m.d.comb += [self.p.re.eq(o0.as_signed()), self.p.im.eq(o1.as_signed())]
            return m
        if d >= 2:                       # operand registers
            xr, y0r, y1r = Signal(signed(w), name="xr"), Signal(signed(tw), name="y0r"), Signal(signed(tw), name="y1r")
            m.d.sync += [xr.eq(x), y0r.eq(y0), y1r.eq(y1)]
            x, y0, y1 = xr, y0r, y1r
        pr0, pr1 = x * y0, x * y1
        if d >= 1:                       # product registers
            q0, q1 = Signal(signed(w + tw), name="prod0"), Signal(signed(w + tw), name="prod1")
            m.d.sync += [q0.eq(pr0), q1.eq(pr1)]
            pr0, pr1 = q0, q1
        if self.accumulate:
            acc0, acc1 = Signal(signed(w + tw + 1), name="acc0"), Signal(signed(w + tw + 1), name="acc1")
            with m.If(ph == d):          # the first products leave the multipliers
                m.d.sync += [acc0.eq(pr0), acc1.eq(pr1)]
            with m.Elif(ph == d + 1):    # then the second ones
                m.d.sync += [acc0.eq(acc0 - pr0), acc1.eq(acc1 + pr1)]
            m.d.comb += [self.p.re.eq(acc0), self.p.im.eq(acc1)]
            return m
        acc0, acc1 = Signal(signed(w + tw), name="acc0"), Signal(signed(w + tw), name="acc1")
        with m.If(ph == d):              # the first products leave the multipliers
            m.d.sync += [acc0.eq(pr0), acc1.eq(pr1)]
        p = Signal(self.p.shape(), name="p_reg")
        with m.If(self.adv):
            m.d.sync += [p.re.eq(acc0 - pr0), p.im.eq(acc1 + pr1)]
        m.d.comb += self.p.eq(p)
        return m
