"""Arithmetic part harnesses: each part against an Amaranth-level spec.

Inputs are ``AnyConst``/``AnySeq`` values, so a PASS covers every input at the
chosen widths.  The specs are written differently from the parts, in wide
integer arithmetic:

Rounding/saturation stage (``hdl/fixed.py``: ``resize(round_shift(v, s), w)``)
    ``r = round_shift(v, s)`` is characterised by its remainder
    ``e = v - r * 2**s``: truncate ``0 <= e < 2**s``; convergent
    ``|e| <= 2**(s-1)`` and a tie (``|e| == 2**(s-1)``) only with ``r`` even.
    ``saturate``: the output is ``r`` when ``r`` fits, else the nearest bound;
    it never wraps (its sign is ``r``'s sign).  ``wrap``: the output equals
    ``r`` modulo ``2**w``.  Both: ``overflow`` is high exactly when the output
    differs from ``r`` (the value was clipped or wrapped).
Butterfly (``hdl/butterfly.py``)
    with ``b' = b * (-j)**minus_j`` (``(b.im, -b.re)`` when ``minus_j``):
    ``sum + diff == 2 a`` and ``sum - diff == 2 b'`` in wide arithmetic, so
    ``sum = a + b'`` and ``diff = a - b'`` exactly (no width is lost).
Complex multiplier (``hdl/cmul.py``, forms 4 and 3)
    ``p`` equals ``(a.re*w.re - a.im*w.im, a.re*w.im + a.im*w.re)`` of the
    operands ``CMUL_LATENCY`` (4) cycles earlier, across resets.  Form 4 at
    the full widths (16x18 and every width the 16-bit cores use) with Yosys
    ``opt_merge`` sharing the part's products with the spec's; form 3 at
    4x4 only (its products differ from the spec's: bit-level SAT on the
    identity c(a+b) - b(c+d) = ac - bd does not scale).
"""

from __future__ import annotations

from amaranth.asserts import AnyConst, AnySeq
from amaranth.hdl import Assert, Assume, Cover
from amaranth.hdl import C, Elaboratable, Module, Mux, Signal, signed

from fftforge.hdl import fixed as hdl_fixed
from fftforge.hdl.butterfly import Butterfly
from fftforge.hdl.cmul import CMUL_LATENCY, ComplexMultiplier
from fftforge.formal.whitebox import open_module

__all__ = ["FixedStageHarness", "ButterflyHarness", "CmulHarness", "RangeHarness", "MERGE_SCRIPT",
           "CUT_PRODUCTS_SCRIPT", "fixed_cases"]


def fixed_cases(cfgs):
    """The distinct ``(value_width, shift, out_width)`` of every rounding
    stage in the given configurations' plans (butterfly sums and twiddle
    products)."""
    out = set()
    for cfg in cfgs:
        for p in cfg.plan():
            if p.kind in ("bf2", "bf2ii"):
                store = max(p.width_in, p.width_out)
                out.add((store + 2, p.shift, p.width_out))
            elif p.kind == "twiddle":
                # the product of the rotated sample (one bit wider) and a twiddle
                out.add((p.rotated_width + cfg.twiddle_width + 2, cfg.twiddle_width - 1, p.width_out))
    return sorted(out)


class FixedStageHarness(Elaboratable):
    """The rounding/saturation stage for each ``(vw, shift, w, rounding,
    overflow)`` case.  ``fixed`` provides ``round_shift`` and ``resize``
    (default: :mod:`fftforge.hdl.fixed`, the real stage; a mutation test
    passes a broken one)."""

    def __init__(self, cases, fixed=None):
        self.cases = list(cases)
        self.fixed = fixed or hdl_fixed

    def elaborate(self, platform):
        m = Module()
        for k, (vw, s, w, rnd, ovf) in enumerate(self.cases):
            v = Signal(signed(vw), name=f"v{k}")
            m.d.comb += v.eq(AnyConst(signed(vw)))
            # the stage's rounded value, before resizing
            r = Signal(signed(vw + 1), name=f"r{k}")
            out = Signal(signed(w), name=f"out{k}")
            flag = Signal(name=f"ovf{k}")
            rr = self.fixed.round_shift(v, s, rnd)
            m.d.comb += r.eq(rr)
            o_val, o_flag = self.fixed.resize(rr, w, ovf)
            m.d.comb += [out.eq(o_val), flag.eq(o_flag)]
            # rounding spec: remainder characterisation
            e = Signal(signed(vw + 2), name=f"rem{k}")
            m.d.comb += e.eq(v - r * C(1 << s, s + 2))
            if rnd == "truncate":
                m.d.comb += Assert((e >= 0) & (e < (1 << s)))
            else:
                half = (1 << (s - 1)) if s > 0 else 0
                if s == 0:
                    m.d.comb += Assert(e == 0)
                else:
                    m.d.comb += Assert((e >= -half) & (e <= half))
                    with m.If((e == half) | (e == -half)):
                        m.d.comb += Assert(~r[0])
            lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
            fits = (r >= lo) & (r <= hi)
            if ovf == "saturate":
                with m.If(fits):
                    m.d.comb += Assert(out == r)
                with m.Elif(r > hi):
                    m.d.comb += Assert(out == hi)
                with m.Else():
                    m.d.comb += Assert(out == lo)
                # never wraps: the sign survives
                m.d.comb += [Assert((r < 0) == (out < 0)), Assert((r > 0) == (out > 0))]
            else:
                diff = Signal(signed(vw + 2), name=f"wrapdiff{k}")
                m.d.comb += diff.eq(r - out)
                m.d.comb += Assert(diff[:w] == 0)
            m.d.comb += Assert(flag == (out != r))
            if (vw + 1) - s > w:   # overflow possible at these widths
                m.d.comb += Cover(flag)
            m.d.comb += Cover(~flag & (r != 0))
        return m


def _open(component, mutate, platform):
    if mutate is None:
        return component
    opened = open_module(component, platform)
    mutate(opened)
    return opened.module


def _cplx(m, name, width, any_cls):
    re = Signal(signed(width), name=f"{name}_re")
    im = Signal(signed(width), name=f"{name}_im")
    m.d.comb += [re.eq(any_cls(signed(width))), im.eq(any_cls(signed(width)))]
    return re, im


class ButterflyHarness(Elaboratable):
    """Butterfly(width) against its spec; ``mutate(opened)`` may change the
    opened part (mutation tests)."""

    def __init__(self, width: int, mutate=None):
        self.width = width
        self.mutate = mutate

    def elaborate(self, platform):
        m = Module()
        w = self.width
        dut = Butterfly(w)
        m.submodules.dut = _open(dut, self.mutate, platform)
        a_re, a_im = _cplx(m, "a", w, AnyConst)
        b_re, b_im = _cplx(m, "b", w, AnyConst)
        mj = Signal(name="minus_j")
        m.d.comb += mj.eq(AnyConst(1))
        m.d.comb += [dut.a.re.eq(a_re), dut.a.im.eq(a_im), dut.b.re.eq(b_re), dut.b.im.eq(b_im),
                     dut.minus_j.eq(mj)]
        # b' = b * (-j)**minus_j, then the butterfly's defining identities
        # sum + diff = 2a and sum - diff = 2b' in wide arithmetic
        bp_re = Signal(signed(w + 2), name="bp_re")
        bp_im = Signal(signed(w + 2), name="bp_im")
        with m.If(mj):
            m.d.comb += [bp_re.eq(b_im), bp_im.eq(C(0, 1) - b_re)]
        with m.Else():
            m.d.comb += [bp_re.eq(b_re), bp_im.eq(b_im)]
        m.d.comb += [
            Assert(dut.sum.re + dut.diff.re == 2 * a_re), Assert(dut.sum.im + dut.diff.im == 2 * a_im),
            Assert(dut.sum.re - dut.diff.re == 2 * bp_re), Assert(dut.sum.im - dut.diff.im == 2 * bp_im),
        ]
        m.d.comb += Cover(mj & (b_re != 0) & (dut.sum.im == a_im - b_re))
        return m


class CmulHarness(Elaboratable):
    """ComplexMultiplier(width, twiddle_width, form) against the exact
    complex product delayed by its latency; ``mutate(opened)`` may change the
    opened part (mutation tests).  Prove with k-induction depth >= latency + 1.

    The spec registers the operands first (``*_d1``, reset-less like the
    part's data registers), computes the exact product of the registered operands
    (``a_re_d1 * w_re_d1 - a_im_d1 * w_im_d1``, ...) and delays it
    ``CMUL_LATENCY - 1`` more cycles: the exact product of the operands
    ``CMUL_LATENCY`` cycles earlier, as before, written so that it *can*
    share logic with the part.  With :data:`MERGE_SCRIPT` (Yosys ``flatten``
    + ``opt_merge``: replaces cells that have identical inputs and parameters
    by one -- an equivalence-preserving rewrite) the form-4 part's operand
    registers merge with the spec's, then its four products with the spec's,
    and what is left for the solver is the adders and the pipeline: the proof
    goes through at the full 16x18 width in seconds.  A part whose products
    differ from the spec's (form 3, or a bug: a narrower product register, a
    wrong sign) keeps its own cells and the solver must reason about them
    (form 3 only at small widths, see the README)."""

    def __init__(self, width: int, twiddle_width: int, form: int = 4, mutate=None, multiplier=ComplexMultiplier):
        self.width, self.twiddle_width, self.form = width, twiddle_width, form
        self.mutate = mutate
        self.multiplier = multiplier

    def elaborate(self, platform):
        m = Module()
        wa, ww = self.width, self.twiddle_width
        dut = self.multiplier(wa, ww, self.form)
        m.submodules.dut = _open(dut, self.mutate, platform)
        a_re, a_im = _cplx(m, "a", wa, AnySeq)
        w_re, w_im = _cplx(m, "w", ww, AnySeq)
        m.d.comb += [dut.a.re.eq(a_re), dut.a.im.eq(a_im), dut.w.re.eq(w_re), dut.w.im.eq(w_im)]
        ops = []
        for x in (a_re, a_im, w_re, w_im):
            r = Signal.like(x, name=f"{x.name}_d1", reset_less=True)
            m.d.sync += r.eq(x)
            ops.append(r)
        ra, rb, rc, rd = ops
        pw = wa + ww + 1
        spec_re = Signal(signed(pw), name="spec_re_d1")
        spec_im = Signal(signed(pw), name="spec_im_d1")
        m.d.comb += [spec_re.eq(ra * rc - rb * rd), spec_im.eq(ra * rd + rb * rc)]
        prev_re, prev_im = spec_re, spec_im
        for k in range(1, getattr(dut, "latency", CMUL_LATENCY)):
            d_re = Signal(signed(pw), name=f"spec_re_d{k + 1}", reset_less=True)
            d_im = Signal(signed(pw), name=f"spec_im_d{k + 1}", reset_less=True)
            m.d.sync += [d_re.eq(prev_re), d_im.eq(prev_im)]
            prev_re, prev_im = d_re, d_im
        m.d.comb += [Assert(dut.p.re == prev_re), Assert(dut.p.im == prev_im)]
        # the most negative operands: the product's extreme corner is reachable
        lo_a, lo_w = -(1 << (wa - 1)), -(1 << (ww - 1))
        m.d.comb += Cover(prev_im == 2 * lo_a * lo_w)
        return m


# Yosys passes run after `prep` for the multiplier proofs (see CmulHarness).
MERGE_SCRIPT = ("flatten", "opt_merge", "opt_clean")
# ... and then every (merged, so shared by part and spec) product replaced by
# a free value: the proof then holds for *any* product values, a fortiori
# for the real ones (a cut point only adds behaviours).  A product that did
# not merge would be cut loose from the spec's and the proof would FAIL,
# never pass wrongly.  3x faster on the many-width set.
CUT_PRODUCTS_SCRIPT = MERGE_SCRIPT + ("cutpoint t:$mul",)


class RangeHarness(Elaboratable):
    """The range analysis's claim for the butterfly stages of ``cfgs``
    (:meth:`fftforge.config.FFTConfig.plan`): with every input component
    within the bound of the part before (``Part.bound``), the butterfly and
    its rounding stage -- built *with* saturation -- never clip when the
    plan says ``may_overflow=False``, and every output component stays
    within the part's own bound.  (Twiddle parts need the magnitude bound,
    a quadratic constraint; their claim is checked on the bit-true models by
    ``tests/fftforge/test_range.py``.)"""

    def __init__(self, cfgs):
        self.cases = []
        seen = set()
        for cfg in cfgs:
            plan = cfg.plan()
            for prev, p in zip(plan, plan[1:]):
                if p.kind not in ("bf2", "bf2ii") or p.may_overflow:
                    continue
                key = (p.kind, p.width_in, p.width_out, p.shift, int(prev.bound), int(p.bound), cfg.rounding)
                if key not in seen:
                    seen.add(key)
                    self.cases.append((p, int(prev.bound), cfg.rounding, cfg.overflow))

    def elaborate(self, platform):
        import dataclasses
        from fftforge.hdl.sdf import round_word
        from fftforge.hdl.word import word_layout
        m = Module()
        for k, (p, b_in, rounding, overflow) in enumerate(self.cases):
            store = max(p.width_in, p.width_out)
            dut = Butterfly(store)
            m.submodules[f"bfly{k}"] = dut
            vals = []
            for name in ("a_re", "a_im", "b_re", "b_im"):
                v = Signal(signed(store), name=f"{name}{k}")
                m.d.comb += [v.eq(AnyConst(signed(store))), Assume((v >= -b_in) & (v <= b_in))]
                vals.append(v)
            mj = Signal(name=f"mj{k}")
            m.d.comb += [mj.eq(AnyConst(1) if p.kind == "bf2ii" else 0),
                         dut.a.re.eq(vals[0]), dut.a.im.eq(vals[1]), dut.b.re.eq(vals[2]), dut.b.im.eq(vals[3]),
                         dut.minus_j.eq(mj)]
            checked = dataclasses.replace(p, may_overflow=True)     # the saturating stage, with its flag
            raw = word_layout(store + 2)
            for which, v in (("sum", dut.sum), ("diff", dut.diff)):
                w = Signal(raw, name=f"{which}{k}")
                m.d.comb += [w.re.eq(v.re), w.im.eq(v.im), w.ovf.eq(0)]
                re, im, ovf = round_word(checked, rounding, overflow, w)
                bound = int(p.bound)
                m.d.comb += [Assert(~ovf),
                             Assert((re >= -bound) & (re <= bound)), Assert((im >= -bound) & (im <= bound))]
        return m
