"""Twiddle multiplier part: twiddle ROM, exact rotation, complex multiplier,
rounding stage.  Twin of :func:`fftforge.pyref.twiddle.twiddle_stage`.

At stream phase ``j`` of its period ``L`` the part multiplies the sample by
``W_L**e(j)`` (pattern ``r2`` or ``r22``, see :mod:`fftforge.pyref.twiddle`).
``e = q*(L/4) + r``: the ROM (contents from
:func:`fftforge.pyref.twiddle.quarter_table`, L/4 words) gives ``T[r]``, which
is rotated exactly by ``(-j)**q`` before the multiplier.  When ``r == 0`` the
sample itself is rotated exactly and the product is not used.

With ``lanes`` > 1 the part serves lane ``lane`` of a P-wide stream: its
phase is ``(t*P + lane) mod L``.

Ports
-----
i : In(word(width))
o : Out(word(width))

Latency 5 slots: ROM read / operand capture, three multiplier stages
(:data:`~fftforge.hdl.cmul.CMUL_LATENCY`), the rounding register.
Bit growth: none (the product is shifted right by twiddle_width - 1, rounded
and resized to ``width``).
"""

from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import data, memory, wiring
from amaranth.lib.wiring import In, Out

from ..config import TWIDDLE_LATENCY
from ..pyref.twiddle import R22_MULT, quarter_table
from .cmul import CMUL_LATENCY, ComplexMultiplier, rotate
from .delay import DelayLine
from .fixed import resize, round_shift
from .phase import lane_phase
from .word import word_assign, word_layout

__all__ = ["TwiddleMultiplier"]


class TwiddleMultiplier(wiring.Component):
    def __init__(self, part, twiddle_width: int, rounding: str, overflow: str, cmul: int = 4, tags=("ovf",),
                 lanes: int = 1, lane: int = 0):
        if part.kind != "twiddle":
            raise ValueError(f"TwiddleMultiplier needs a twiddle part, got {part.kind}")
        assert part.latency == TWIDDLE_LATENCY == 2 + CMUL_LATENCY
        self.part = part
        self.twiddle_width = twiddle_width
        self.rounding = rounding
        self.overflow = overflow
        self.cmul = cmul
        self.tags = tuple(tags)
        self.lanes = lanes
        self.lane = lane
        super().__init__({
            "i": In(word_layout(part.width_in, tags)),
            "o": Out(word_layout(part.width_out, tags)),
        })

    @property
    def needs_multiplier(self) -> bool:
        """False when every phase this lane sees is an exact rotation (then
        the part has no multiplier and no ROM)."""
        import numpy as np
        from ..pyref.twiddle import phase_factors
        L, P = self.part.period, self.lanes
        _, _, triv = phase_factors(L, self.part.pattern, self.twiddle_width)
        phases = (np.arange(max(L // P, 1)) * P + self.lane) % L
        return bool((~triv[phases]).any())

    def _exponent(self, m, j):
        L = self.part.period
        e = Signal(range(L), name="exponent")
        if self.part.pattern == "r2":
            m.d.comb += e.eq(Mux(j < L // 2, 0, j - L // 2))
        else:
            qb = (L // 4).bit_length() - 1
            quarter = j >> qb
            n = j & (L // 4 - 1)
            with m.Switch(quarter):
                for qd, mult in enumerate(R22_MULT):
                    with m.Case(qd):
                        # constant multiples by shift-and-add, so that
                        # synthesis spends no DSP block on them
                        m.d.comb += e.eq(sum((n << b for b in range(mult.bit_length()) if mult >> b & 1), 0))
        return e

    def elaborate(self, platform):
        m = Module()
        p = self.part
        L = p.period
        nq = max(L // 4, 1)
        qb = nq.bit_length() - 1
        tw = self.twiddle_width
        j = Signal(range(L), name="j")
        m.d.comb += j.eq(lane_phase(m, L, p.offset, self.lanes, self.lane))
        e = self._exponent(m, j)
        rot = Signal(2, name="rot")
        addr = Signal(range(nq), name="addr")
        m.d.comb += [rot.eq(e >> qb), addr.eq(e & (nq - 1) if nq > 1 else 0)]

        # Stage A: capture the sample, rotation and triviality; ROM read.
        wl = word_layout(p.width_in, self.tags)
        xa = Signal(wl)
        rot_a = Signal(2)
        triv_a = Signal()
        m.d.sync += [xa.eq(self.i), rot_a.eq(rot), triv_a.eq(addr == 0)]

        need_mult = nq > 1 and self.needs_multiplier
        if need_mult:
            m.submodules.mult = mult = ComplexMultiplier(p.width_in, tw, self.cmul)
            c_tab, s_tab = quarter_table(L, tw)
            tl = data.StructLayout({"c": signed(tw), "s": signed(tw)})
            init = [{"c": int(c), "s": int(s)} for c, s in zip(c_tab, s_tab)]
            m.submodules.rom = rom = memory.Memory(shape=tl, depth=nq, init=init)
            rp = rom.read_port(transparent_for=())
            m.d.comb += [rp.addr.eq(addr), rp.en.eq(1)]
            w_re, w_im = rotate(m, rp.data.c, rp.data.s, rot_a, name="wrot")
            m.d.comb += [
                mult.a.re.eq(xa.re), mult.a.im.eq(xa.im),
                mult.w.re.eq(w_re), mult.w.im.eq(w_im),   # |T| < 2**(tw-1): fits tw bits
            ]

        # The exact path waits for the multiplier.
        bl = data.StructLayout({"x": wl, "rot": 2, "triv": 1})
        m.submodules.bypass = bypass = DelayLine(bl, CMUL_LATENCY)
        m.d.comb += [bypass.i.x.eq(xa), bypass.i.rot.eq(rot_a), bypass.i.triv.eq(triv_a)]
        xd = bypass.o.x

        t_re, t_im = rotate(m, xd.re, xd.im, bypass.o.rot, name="xrot")
        t_re, f1 = resize(t_re, p.width_out, self.overflow)
        t_im, f2 = resize(t_im, p.width_out, self.overflow)
        inv = {"inv": xd.inv} if "inv" in self.tags else {}
        if need_mult:
            shift = tw - 1
            p_re, f3 = resize(round_shift(mult.p.re, shift, self.rounding), p.width_out, self.overflow)
            p_im, f4 = resize(round_shift(mult.p.im, shift, self.rounding), p.width_out, self.overflow)
            with m.If(bypass.o.triv):
                m.d.sync += word_assign(self.o, t_re, t_im, ovf=xd.ovf | f1 | f2, **inv)
            with m.Else():
                m.d.sync += word_assign(self.o, p_re, p_im, ovf=xd.ovf | f3 | f4, **inv)
        else:
            m.d.sync += word_assign(self.o, t_re, t_im, ovf=xd.ovf | f1 | f2, **inv)
        return m
