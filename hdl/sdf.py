"""Single-path delay-feedback (SDF) butterfly stage, decimation in frequency.

Twin of :func:`fftforge.pyref.sdf.sdf_stage`.

A stage with delay D and block 2D: while the first half of a block arrives
it is stored in the feedback delay line and the previous block's differences
come out; while the second half arrives the stage outputs ``a + b`` and
stores ``a - b``.  Both results go through the rounding/overflow stage
(shift = the schedule entry, width = ``part.width_out``).

``kind == "bf2ii"`` (radix-2^2 second butterfly): period 4D, and the incoming
operand is multiplied by -j during the last quarter of the period.

Ports
-----
i : In(word(width_in))
o : Out(word(width_out))

Latency ``D + 1`` slots (feedback delay, then the output register).
Bit growth: ``width_out - width_in`` (1 unscaled, 0 scaled).
Memory: D words of ``max(width_in, width_out)``-bit components plus tags.
"""

from amaranth.hdl import Module, Mux
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .butterfly import Butterfly
from .delay import DelayLine
from .fixed import resize, round_shift
from .phase import phase_counter
from .word import word_assign, word_layout

__all__ = ["SDFButterfly"]


class SDFButterfly(wiring.Component):
    def __init__(self, part, rounding: str, overflow: str, tags=("ovf",)):
        if part.kind not in ("bf2", "bf2ii"):
            raise ValueError(f"SDFButterfly needs a bf2/bf2ii part, got {part.kind}")
        self.part = part
        self.rounding = rounding
        self.overflow = overflow
        self.tags = tuple(tags)
        super().__init__({
            "i": In(word_layout(part.width_in, tags)),
            "o": Out(word_layout(part.width_out, tags)),
        })

    def elaborate(self, platform):
        m = Module()
        p = self.part
        d = p.delay
        store_w = max(p.width_in, p.width_out)
        phase = phase_counter(m, p.period, p.offset)
        if p.kind == "bf2":
            first = phase < d
            minus_j = 0
        else:
            first = ~phase[d.bit_length() - 1] if d > 0 else 1
            minus_j = phase >= 3 * d

        m.submodules.fb = fb_line = DelayLine(word_layout(store_w, self.tags), d)
        m.submodules.bfly = bfly = Butterfly(store_w)
        fb, x = fb_line.o, self.i
        m.d.comb += [
            bfly.a.re.eq(fb.re), bfly.a.im.eq(fb.im),
            bfly.b.re.eq(x.re), bfly.b.im.eq(x.im),
            bfly.minus_j.eq(minus_j),
        ]
        tag_in = x.ovf | fb.ovf

        def rounded(v):
            re, f1 = resize(round_shift(v.re, p.shift, self.rounding), p.width_out, self.overflow)
            im, f2 = resize(round_shift(v.im, p.shift, self.rounding), p.width_out, self.overflow)
            return re, im, tag_in | f1 | f2

        s_re, s_im, s_ovf = rounded(bfly.sum)
        d_re, d_im, d_ovf = rounded(bfly.diff)
        inv = {"inv": x.inv} if "inv" in self.tags else {}
        fb_inv = {"inv": fb.inv} if "inv" in self.tags else {}
        with m.If(first):
            m.d.comb += word_assign(fb_line.i, x.re, x.im, ovf=x.ovf, **inv)
            m.d.sync += word_assign(self.o, fb.re, fb.im, ovf=fb.ovf, **fb_inv)
        with m.Else():
            m.d.comb += word_assign(fb_line.i, d_re, d_im, ovf=d_ovf, **inv)
            m.d.sync += word_assign(self.o, s_re, s_im, ovf=s_ovf, **inv)
        return m
