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

Parameters, ports, latency and bit growth: :class:`TwiddleMultiplier`.
"""

from amaranth.hdl import Module, Mux, Signal
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from fftforge.config import RAM_LATENCY, cmul_latency, twiddle_latency
from fftforge.pyref.twiddle import R22_MULT, exponents, quarter_table
from fftforge.hdl.cmul import ComplexMultiplier, SharedComplexMultiplier, rotate_negate, rotate_swap
from fftforge.hdl.delay import DelayLine
from fftforge.hdl.fixed import fit, round_resize
from fftforge.hdl.prims import PipelinedROM
from fftforge.hdl.phase import lane_phase, lane_phase_at_reset, tag_phase
from fftforge.hdl.word import carried_tags, data_reg, word_assign, word_layout

__all__ = ["TwiddleMultiplier", "DENSE_ROM_MIN_DEPTH"]

#: iCE40 with cycles_per_sample > 1: ROMs from this many words on are block
#: RAM (measured: the 64-word ROM of N = 1024 took 326 LUT4 as logic)
DENSE_ROM_MIN_DEPTH = 32


class TwiddleMultiplier(wiring.Component):
    """One lane of a twiddle part: the sample times ``W_L**e`` (exact
    rotations bypass the multiplier), rounded.

    Parameters
    ----------
    part : Part
        A ``twiddle`` entry of :meth:`fftforge.config.FFTConfig.plan`.
    twiddle_width, rounding, overflow, cmul :
        As in :class:`~fftforge.config.FFTConfig`.
    tags : tuple of str
        Tag bits of the word.
    lanes, lane : int
        Stream width P and the lane this part serves.
    target, ce :
        Synthesis target and clock enable (:mod:`fftforge.hdl.prims`).
    cycles_per_sample : int
        K > 1: the complex multiplier is a
        :class:`~fftforge.hdl.cmul.SharedComplexMultiplier` (two real
        multipliers, latency 1 slot), listed in :attr:`free_running` for the
        caller to add outside the pipeline's enable (``ce`` required).

    Attributes
    ----------
    i : In(word(part.width_in))
        Sample (lane ``lane``).
    o : Out(word(part.width_out))
        The sample times ``W_L**e(j)``, rounded, ``part.latency`` slots later.

    Latency :func:`~fftforge.config.twiddle_latency` slots (``part.latency``;
    :data:`~fftforge.config.TWIDDLE_LATENCY` = 7 when the operands fit 18
    bits): the ROM's registered read (:data:`~fftforge.config.RAM_LATENCY`;
    meanwhile the sample is captured, then rotated exactly by (-j)**q into its
    own register), the complex multiplier (:func:`~fftforge.config.cmul_latency`)
    of the rotated sample and the ROM word (one slot more with
    ``part.product_register``), the rounding register.
    Bit growth: none (the product is shifted right by twiddle_width - 1, rounded
    and resized to ``part.width_out``).
    """
    def __init__(self, part, twiddle_width: int, rounding: str, overflow: str, cmul: int = 4, tags=("ovf",),
                 lanes: int = 1, lane: int = 0, *, target: str = "generic", ce=None, cycles_per_sample: int = 1):
        if part.kind != "twiddle":
            raise ValueError(f"TwiddleMultiplier needs a twiddle part, got {part.kind}")
        self.cycles_per_sample = cycles_per_sample
        #: iCE40 at a reduced rate (the small-part form): ROMs of
        #: DENSE_ROM_MIN_DEPTH words or more in block RAM, not logic
        self.dense = cycles_per_sample > 1 and target == "ice40"
        assert part.latency == twiddle_latency(part.rotated_width, twiddle_width, cmul, cycles_per_sample,
                                               product_register=part.product_register) \
            == RAM_LATENCY + self._cmul_latency(part, twiddle_width, cmul) + 1
        assert RAM_LATENCY == 2      # the sample's two registers (capture, rotation) meet the ROM word
        self.part = part
        self.twiddle_width = twiddle_width
        self.rounding = rounding
        self.overflow = overflow
        self.cmul = cmul
        self.tags = tuple(tags)
        self.lanes = lanes
        self.lane = lane
        self.target, self.ce = target, ce
        super().__init__({
            "i": In(word_layout(part.width_in, tags)),
            "o": Out(word_layout(part.width_out, tags)),
        })
        #: ``[(name, component)]`` the caller adds beside this part, outside
        #: its enable (the time-shared multiplier)
        self.free_running = []
        if cycles_per_sample > 1 and max(part.period // 4, 1) > 1 and self.needs_multiplier:
            if ce is None:
                raise ValueError("cycles_per_sample > 1 needs the pipeline's clock enable (ce)")
            # (the ROM's words are symmetric: quarter_table clips them)
            self.free_running.append(("mult", SharedComplexMultiplier(part.rotated_width, twiddle_width,
                                                                      cycles_per_sample, target=target,
                                                                      w_symmetric=True)))

    def _cmul_latency(self, part, twiddle_width, cmul):
        return cmul_latency(part.rotated_width, twiddle_width, cmul, w_symmetric=True,
                            cycles_per_sample=self.cycles_per_sample, product_register=part.product_register)

    @property
    def needs_multiplier(self) -> bool:
        """False when every phase this lane sees is an exact rotation (then
        the part has no multiplier and no ROM)."""
        import numpy as np
        from fftforge.pyref.twiddle import phase_factors
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
        # The exponent is registered from the next slot's phase (a counter
        # one slot ahead), so that its shift-and-add is not in front of the
        # ROM address; its reset value is the exponent of the first slot.
        j = Signal(range(L), name="j_next")
        if "end" in self.tags:
            # run-time length: the phase restarts after each word tagged
            # "end" (a frame of n < L sees phases 0 .. n-1 only: exponent 0,
            # an exact pass, where n <= L/2)
            m.d.comb += j.eq(tag_phase(m, L, p.offset, self.i.end)[1])
        else:
            m.d.comb += j.eq(lane_phase(m, L, p.offset - 1, self.lanes, self.lane))
        first = lane_phase_at_reset(L, p.offset, self.lanes, self.lane)
        e = Signal(range(L), name="exponent_q", init=int(exponents(L, p.pattern)[first]))
        m.d.sync += e.eq(self._exponent(m, j))
        rot = Signal(2, name="rot")
        addr = Signal(range(nq), name="addr")
        m.d.comb += [rot.eq(e >> qb), addr.eq(e & (nq - 1) if nq > 1 else 0)]

        # Slot 0: capture the sample (its parts swapped when q is odd: the
        # first half of the rotation), rotation and triviality; ROM address.
        wl = word_layout(p.width_in, self.tags)
        xa = data_reg(wl, name="xa")
        rot_a = data_reg(2, name="rot_a")
        triv_a = data_reg(1, name="triv_a")
        s_re, s_im = rotate_swap(m, self.i.re, self.i.im, rot, name="xswap")
        m.d.sync += [xa.eq(self.i), xa.re.eq(s_re), xa.im.eq(s_im), rot_a.eq(rot), triv_a.eq(addr == 0)]

        # Slot 1: the sample rotated exactly by (-j)**q (one bit wider: the
        # second half, negations), in its own register while the ROM's
        # pipelined read (RAM_LATENCY) completes.  x W_L**e = ((-j)**q x)
        # T[r]: rotating the sample, not the twiddle, serves the product and
        # the exact path (r = 0) alike.
        r_re, r_im = rotate_negate(m, xa.re, xa.im, rot_a, name="xrot")
        xl = word_layout(p.rotated_width, self.tags)   # one bit wider only if -2**(w-1) can arrive
        cl = data.StructLayout({"x": xl, "triv": 1})
        xc = data_reg(cl, name="xc")
        m.d.sync += word_assign(xc.x, r_re, r_im, ovf=xa.ovf, **carried_tags(xa, self.tags))
        m.d.sync += xc.triv.eq(triv_a)

        need_mult = nq > 1 and self.needs_multiplier
        if need_mult:
            c_tab, s_tab = quarter_table(L, tw)
            m.submodules.rom = rom = PipelinedROM(c_tab, s_tab, tw, target=self.target, ce=self.ce,
                                                  block=self.dense and nq >= DENSE_ROM_MIN_DEPTH)
            m.d.comb += rom.addr.eq(addr)
            # the ROM's words are symmetric (quarter_table clips to +-(2**(tw-1) - 1))
            if self.free_running:
                mult = self.free_running[0][1]        # (the caller adds it, outside the enable)
                m.d.comb += mult.adv.eq(self.ce)
            else:
                m.submodules.mult = mult = ComplexMultiplier(p.rotated_width, tw, self.cmul, w_symmetric=True,
                                                             product_register=p.product_register,
                                                             target=self.target, ce=self.ce)
            m.d.comb += [
                mult.a.re.eq(xc.x.re), mult.a.im.eq(xc.x.im),
                mult.w.re.eq(rom.c), mult.w.im.eq(rom.s),
            ]

        # The exact path waits for the multiplier.
        m.submodules.bypass = bypass = DelayLine(cl, self._cmul_latency(p, tw, self.cmul),
                                                 target=self.target, ce=self.ce)
        m.d.comb += bypass.i.eq(xc)
        xd = bypass.o.x

        t_re, f1 = fit(xd.re, p.width_out, self.overflow, p.may_overflow)
        t_im, f2 = fit(xd.im, p.width_out, self.overflow, p.may_overflow)
        inv = carried_tags(xd, self.tags)
        o = data_reg(self.o.shape(), name="o_reg")
        m.d.comb += self.o.eq(o)
        if need_mult:
            shift = tw - 1
            p_re, f3 = round_resize(mult.p.re, shift, p.width_out, self.rounding, self.overflow, p.may_overflow)
            p_im, f4 = round_resize(mult.p.im, shift, p.width_out, self.rounding, self.overflow, p.may_overflow)
            with m.If(bypass.o.triv):
                m.d.sync += word_assign(o, t_re, t_im, ovf=xd.ovf | f1 | f2, **inv)
            with m.Else():
                m.d.sync += word_assign(o, p_re, p_im, ovf=xd.ovf | f3 | f4, **inv)
        else:
            m.d.sync += word_assign(o, t_re, t_im, ovf=xd.ovf | f1 | f2, **inv)
        return m
