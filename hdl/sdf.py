"""Single-path delay-feedback (SDF) butterfly stage, decimation in frequency.

Twin of :func:`fftforge.pyref.sdf.sdf_stage`.

A stage with delay D and block 2D: while the first half of a block arrives
it is stored in the feedback loop and the previous block's differences come
out; while the second half arrives the stage outputs ``a + b`` and stores
``a - b``.  Both results go through the rounding/overflow stage (shift = the
schedule entry, width = ``part.width_out``).

``kind == "bf2ii"`` (radix-2^2 second butterfly): period 4D, and the incoming
operand is multiplied by -j during the last quarter of the period.

Pipeline: the feedback loop holds D words in all: the difference register
(full precision), the rounding register, and a ``D - 2`` word
:class:`~fftforge.hdl.delay.DelayLine`; the output has the same two
registers.  So no cycle holds more than one wide add: the butterfly add
ends in a register, the rounding add (and the saturation, a LUT function of
the top bits) in the next.  With D = 1 the loop has room for one register
only: it holds the difference unrounded (two bits wider), which is rounded
on the output side like the sum.

Parameters, ports, latency and bit growth: :class:`SDFButterfly`.
"""

import dataclasses

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from fftforge.config import BF2II_ROTATE_LATENCY, BUTTERFLY_LATENCY_EXTRA
from fftforge.hdl.butterfly import Butterfly
from fftforge.hdl.delay import MEMORY_MIN_DEPTH, DelayLine
from fftforge.hdl.fixed import round_resize
from fftforge.hdl.phase import phase_counter, tag_phase
from fftforge.hdl.word import carried_tags, data_reg, word_assign, word_layout

__all__ = ["SDFButterfly", "round_word", "rotate_minus_j"]

assert BUTTERFLY_LATENCY_EXTRA == 2 and BF2II_ROTATE_LATENCY == 1


def rotate_minus_j(m, w, minus_j, tags, width=None):
    """A register holding word ``w`` times -j when ``minus_j`` (``(im,
    -re)``), else ``w``; ``width`` bits (default one bit wider than ``w``:
    pass the part's ``rotated_width``).  Latency 1."""
    lay = word_layout(width or len(w.re) + 1, tags)
    r = data_reg(lay, name="x_rot")
    t = {t: getattr(w, t) for t in tags}
    with m.If(minus_j):
        m.d.sync += word_assign(r, w.im, -w.re, **t)
    with m.Else():
        m.d.sync += word_assign(r, w.re, w.im, **t)
    return r


def round_word(part, rounding, overflow, w):
    """``(re, im, ovf)`` of word ``w`` (full-precision sum or difference)
    rounded by ``part.shift`` and fitted into ``part.width_out``; ``ovf``
    includes the word's own tag."""
    re, f1 = round_resize(w.re, part.shift, part.width_out, rounding, overflow, part.may_overflow)
    im, f2 = round_resize(w.im, part.shift, part.width_out, rounding, overflow, part.may_overflow)
    return re, im, w.ovf | f1 | f2


class SDFButterfly(wiring.Component):
    """One SDF butterfly stage (``bf2`` or ``bf2ii`` part).

    Parameters
    ----------
    part : Part
        A ``bf2``/``bf2ii`` entry of :meth:`fftforge.config.FFTConfig.plan`.
    rounding, overflow : str
        As in :class:`~fftforge.config.FFTConfig`.
    tags : tuple of str
        Tag bits of the word (:mod:`fftforge.hdl.word`).
    target, ce :
        Synthesis target and clock enable, for the delay line's memory.
    memory_from, lean :
        :class:`~fftforge.hdl.delay.DelayLine`'s: the loop's line is a
        (block) memory from this depth on, with ``no_rw_check``.
    ovf_zero : bool
        No part up to this one can overflow (the plan's range analysis), so
        the ``ovf`` tag is 0 here: the loop's line leaves it out.

    Attributes
    ----------
    i : In(word(part.width_in))
        Samples in stream order.
    o : Out(word(part.width_out))
        ``a + b`` and ``a - b`` of the stage's pairs, rounded by the
        schedule's shift, in DIF stream order.

    Latency ``D + 2`` slots (:data:`~fftforge.config.BUTTERFLY_LATENCY_EXTRA`);
    BF2II ``D + 3``: its -j rotation has its own input register
    (:data:`~fftforge.config.BF2II_ROTATE_LATENCY`).
    Bit growth: ``width_out - width_in`` (1 unscaled, 0 scaled).
    Memory: D words of ``max(width_in, width_out)``-bit components plus tags
    (two of them in registers).
    """
    def __init__(self, part, rounding: str, overflow: str, tags=("ovf",), *, target: str = "generic", ce=None,
                 memory_from: int = MEMORY_MIN_DEPTH, lean: bool = False, ovf_zero: bool = False):
        if part.kind not in ("bf2", "bf2ii"):
            raise ValueError(f"SDFButterfly needs a bf2/bf2ii part, got {part.kind}")
        if part.delay < 1:
            raise ValueError(f"SDFButterfly needs delay >= 1, got {part.delay}")
        self.part = part
        self.rounding = rounding
        self.overflow = overflow
        self.tags = tuple(tags)
        self.target, self.ce = target, ce
        self.memory_from, self.lean = memory_from, lean
        self.ovf_zero = ovf_zero
        super().__init__({
            "i": In(word_layout(part.width_in, tags)),
            "o": Out(word_layout(part.width_out, tags)),
        })

    def _tags_of(self, w):
        return {t: getattr(w, t) for t in self.tags}

    def elaborate(self, platform):
        m = Module()
        p = self.part
        d = p.delay
        store_w = max(p.width_in, p.width_out)
        # first half / last quarter of the period, as bit tests (the period
        # is a power of two): no comparator in front of the muxes
        k = d.bit_length() - 1
        x = self.i
        bw = store_w
        # run-time length (the "end" tag): phases restart with each frame,
        # so a frame with n <= D only ever sees the first half (the stage is
        # a delay of D for it) and a bf2ii with n <= 2D never rotates
        runtime = "end" in self.tags

        def counter(word, offset, name="phase"):
            if runtime:
                return tag_phase(m, p.period, offset, word.end, name=name)[0]
            return phase_counter(m, p.period, offset, name=name)

        if p.kind == "bf2ii":
            # BF2II: the incoming sample times -j in the last quarter of the
            # period, done exactly into its own register (a negation chain),
            # so the butterfly add has no operand select in front of it.
            phase_in = counter(self.i, p.offset, name="phase_in")
            x = rotate_minus_j(m, self.i, phase_in[k] & phase_in[k + 1], self.tags, p.rotated_width)
            bw = store_w + (p.rotated_width - p.width_in)  # -(-2**(w-1)) needs one more bit
            phase = counter(x, p.offset + BF2II_ROTATE_LATENCY)
        else:
            phase = counter(x, p.offset)
        first = ~phase[k]

        store = word_layout(store_w, self.tags)
        raw = word_layout(store_w + 2, self.tags)     # full-precision sum/difference
        fb = Signal(store, name="fb")                 # the loop's output: the word stored D slots ago
        m.submodules.bfly = bfly = Butterfly(bw)
        m.d.comb += [
            bfly.a.re.eq(fb.re), bfly.a.im.eq(fb.im),
            bfly.b.re.eq(x.re), bfly.b.im.eq(x.im),
            bfly.minus_j.eq(0),
        ]
        tag_in = x.ovf | fb.ovf
        inv = {"inv": x.inv} if "inv" in self.tags else {}
        # the words keep their stream positions: a difference enters the
        # loop with x's position tags, a sum leaves with fb's (its operand
        # from D slots earlier), so "end" marks position n - 1 throughout
        xt = {**inv, **({"end": x.end} if runtime else {})}
        fbt = {**inv, **({"end": fb.end} if runtime else {})}

        # The feedback word at full precision: with D >= 2 the loop stores
        # rounded words (x, or the rounded difference) and fb leaves as it
        # is; with D = 1 the loop is one register and stores the difference
        # unrounded (two bits wider, so the loop is one add), and fb is
        # rounded on its way out like the sum.
        fb_raw = data_reg(raw, name="fb_raw")
        if d == 1:
            fb_tags = {t: getattr(fb_raw, t) for t in self.tags}
            m.d.comb += word_assign(fb, fb_raw.re, fb_raw.im, **fb_tags)
        else:
            m.d.comb += word_assign(fb_raw, fb.re, fb.im, **self._tags_of(fb))

        # The two words of this slot before rounding: what enters the loop
        # (x, or the difference) and what leaves the stage (fb, or the sum).
        # x and a stored fb pass the rounding stage unchanged: they enter it
        # shifted left by the stage's shift (exact: rounding drops zeros),
        # so one rounding stage serves all four words with no mux after it.
        # (D = 1: the loop register holds x itself, an operand, and the raw
        # difference; only the output side rounds.)
        s = p.shift if d >= 2 else 0
        to_loop, to_out = Signal(raw, name="to_loop"), Signal(raw, name="to_out")
        with m.If(first):
            m.d.comb += word_assign(to_loop, x.re << s, x.im << s, ovf=x.ovf, **xt)
            if d >= 2:                     # fb is already rounded: shift it up
                m.d.comb += word_assign(to_out, fb_raw.re << s, fb_raw.im << s, **self._tags_of(fb_raw))
            else:
                m.d.comb += to_out.eq(fb_raw)
        with m.Else():
            m.d.comb += word_assign(to_loop, bfly.diff.re, bfly.diff.im, ovf=tag_in, **xt)
            m.d.comb += word_assign(to_out, bfly.sum.re, bfly.sum.im, ovf=tag_in, **fbt)

        def finish(w, part=p):
            """The word rounded and fitted into ``part.width_out``."""
            re, im, ovf = round_word(part, self.rounding, self.overflow, w)
            out = Signal(store)
            m.d.comb += word_assign(out, re, im, ovf=ovf, **carried_tags(w, self.tags))
            return out

        # output: register 1 unrounded, register 2 rounded
        out1 = data_reg(raw, name="out1")
        m.d.sync += out1.eq(to_out)
        out2 = data_reg(store, name="out2")
        m.d.sync += out2.eq(finish(out1))
        m.d.comb += word_assign(self.o, out2.re, out2.im, **self._tags_of(out2))
        if d == 1:
            m.d.sync += fb_raw.eq(to_loop)
        else:
            # loop: register 1 unrounded, register 2 rounded, then D - 2 words
            loop1 = data_reg(raw, name="loop1")
            m.d.sync += loop1.eq(to_loop)
            loop2 = data_reg(store, name="loop2")
            # the loop holds x itself in the first half: fitted into the
            # store width, which is wider than the output where the stage
            # shrinks (block floating point: width_out < width_in); the
            # rounded difference fits width_out (the plan's range analysis)
            loop_part = p if store_w == p.width_out else dataclasses.replace(p, width_out=store_w)
            m.d.sync += loop2.eq(finish(loop1, loop_part))
            # (ovf_zero: the line leaves out the overflow tag, a constant 0
            # here: 32 bits, not 33, fit 2 iCE40 block RAMs instead of 3)
            kept = tuple(t for t in self.tags if not (self.ovf_zero and t == "ovf"))
            m.submodules.fb = line = DelayLine(word_layout(store_w, kept), d - 2, target=self.target, ce=self.ce,
                                               memory_from=self.memory_from, lean=self.lean)
            if kept == self.tags:
                m.d.comb += [line.i.eq(loop2), fb.eq(line.o)]
            else:
                m.d.comb += word_assign(line.i, loop2.re, loop2.im, **{t: getattr(loop2, t) for t in kept})
                m.d.comb += word_assign(fb, line.o.re, line.o.im, **{t: getattr(line.o, t) for t in kept})
        return m
