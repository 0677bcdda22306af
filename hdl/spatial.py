"""Radix-2 butterfly across the lanes of a P-wide stream (D < P).

The same DIF butterfly as :class:`fftforge.hdl.sdf.SDFButterfly`, for a stage
whose partners ``n`` and ``n + D`` arrive in the same group of P samples:
lane ``l`` (``l mod 2D < D``) gets ``a + b``, lane ``l + D`` gets ``a - b``,
each rounded and resized exactly as the SDF stage does.  For ``bf2ii`` the
operand is multiplied by -j where its position ``n + D`` lies in the last
quarter of the 4D period.  Twin: :func:`fftforge.pyref.sdf.sdf_stage` (the
arithmetic is identical; only the schedule differs).

Parameters, ports, latency and bit growth: :class:`SpatialButterfly`.
"""

from amaranth.hdl import Module
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from fftforge.hdl.butterfly import Butterfly
from fftforge.hdl.sdf import rotate_minus_j, round_word
from fftforge.hdl.phase import lane_phase
from fftforge.hdl.word import data_reg, word_assign, word_layout

__all__ = ["SpatialButterfly"]


class SpatialButterfly(wiring.Component):
    """A butterfly stage across the lanes of a P-wide stream (D < P).

    Parameters
    ----------
    part : Part
        A ``bf2``/``bf2ii`` entry of a P-lane plan with ``part.spatial``.
    rounding, overflow : str
        As in :class:`~fftforge.config.FFTConfig`.
    tags : tuple of str
        Tag bits of the word (:mod:`fftforge.hdl.word`).

    Attributes
    ----------
    i : In(ArrayLayout(word(part.width_in), P))
        A group of P samples.
    o : Out(ArrayLayout(word(part.width_out), P))
        Lane ``l`` (``l mod 2D < D``): ``a + b``; lane ``l + D``: ``a - b``.

    Latency 2 (:data:`~fftforge.config.BUTTERFLY_LATENCY_EXTRA`): the
    full-precision result register, then the rounding register; BF2II 3 (the -j
    rotation's register first).  Bit growth as the SDF stage:
    ``part.width_out - part.width_in`` (1 unscaled, 0 scaled).
    """
    def __init__(self, part, rounding: str, overflow: str, tags=("ovf",)):
        if part.kind not in ("bf2", "bf2ii") or not part.spatial:
            raise ValueError("SpatialButterfly needs a bf2/bf2ii part with delay < lanes")
        self.part = part
        self.rounding = rounding
        self.overflow = overflow
        self.tags = tuple(tags)
        P = part.lanes
        super().__init__({
            "i": In(data.ArrayLayout(word_layout(part.width_in, tags), P)),
            "o": Out(data.ArrayLayout(word_layout(part.width_out, tags), P)),
        })

    def elaborate(self, platform):
        m = Module()
        p = self.part
        d, P = p.delay, p.lanes
        for lane in range(P):
            if lane % (2 * d) >= d:
                continue
            a, b = self.i[lane], self.i[lane + d]
            bw = p.width_in
            if p.kind == "bf2ii":
                # -j on b into its own register (as the SDF stage); a waits
                pos = lane_phase(m, 4 * d, p.offset, P, lane + d, name=f"pos{lane}")
                minus_j = pos >= 3 * d if not isinstance(pos, int) else int(pos >= 3 * d)
                b = rotate_minus_j(m, b, minus_j, self.tags, p.rotated_width)
                a_q = data_reg(a.shape(), name=f"a_q{lane}")
                m.d.sync += a_q.eq(a)
                a = a_q
                bw = p.rotated_width
            m.submodules[f"bfly{lane}"] = bfly = Butterfly(bw)
            m.d.comb += [
                bfly.a.re.eq(a.re), bfly.a.im.eq(a.im),
                bfly.b.re.eq(b.re), bfly.b.im.eq(b.im),
                bfly.minus_j.eq(0),
            ]
            tag_in = a.ovf | b.ovf
            inv = {"inv": b.inv} if "inv" in self.tags else {}
            raw = word_layout(p.width_in + 2, self.tags)
            for out_lane, v in ((lane, bfly.sum), (lane + d, bfly.diff)):
                # register 1: the full-precision result; register 2: rounded
                r1 = data_reg(raw, name=f"raw{out_lane}")
                m.d.sync += word_assign(r1, v.re, v.im, ovf=tag_in, **inv)
                re, im, ovf = round_word(p, self.rounding, self.overflow, r1)
                tags = {"inv": r1.inv} if "inv" in self.tags else {}
                r2 = data_reg(self.o[out_lane].shape(), name=f"out{out_lane}")
                m.d.sync += word_assign(r2, re, im, ovf=ovf, **tags)
                m.d.comb += self.o[out_lane].eq(r2)
        return m
