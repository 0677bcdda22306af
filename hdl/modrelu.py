"""modReLU in hardware: CORDIC vectoring, bias add, CORDIC rotation.
Twin of :class:`fftforge.pyref.modrelu.ModReLUModel` (see there for the
algorithm, step by step, and its error bound).

``Z = Y * max(0, |Y| + b) / |Y|`` (0 at Y = 0): the vectoring iterations
measure ``|Y|`` and record the angle as one direction bit per iteration, the
magnitude is gain-compensated, biased and clamped at 0, and the rotation
iterations replay the recorded directions on ``(|Z|, 0)``.  No angle
accumulator and no arctangent table are needed; the two gain compensations
are constant multiplications (``KINV`` of
:func:`~fftforge.pyref.modrelu.kinv_bits` + 1 bits).

Ports
-----
i : In(word(width_in))         Y, with its ``ovf`` tag
bias : In(signed(bias_width))  b, sampled with ``i``
o : Out(word(width_out))       Z

Latency :func:`fftforge.filter_config.modrelu_latency` = ``2 * iterations + 6
+ 2 * L`` slots, ``L`` the gain multiplier's
(:class:`~fftforge.hdl.prims.WideMultiplier`, :func:`~fftforge.config.wide_mult_latency`):
input register, vectoring, gain product, its rounding, bias add and clamp,
gain product, its rounding, rotation, sign restore, output rounding.  No
slot holds more than one carry chain.  Internal width ``width_in + guard + 3``
(:func:`fftforge.pyref.modrelu.internal_width`); output ``width_out`` bits
(``width_in + 1`` holds ``|Y| + |b|`` for the bias range of
:class:`fftforge.filter_config.FFTNetConfig`).
"""

from amaranth.hdl import Module, Mux, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from ..filter_config import modrelu_latency
from ..pyref.modrelu import internal_width, kinv, kinv_bits
from .prims import WideMultiplier
from .fixed import resize, round_shift
from .word import data_reg, word_assign, word_layout

__all__ = ["ModReLU"]


class ModReLU(wiring.Component):
    def __init__(self, width_in: int, width_out: int, bias_width: int, iterations: int, guard: int,
                 rounding: str, *, target: str = "generic", ce=None):
        self.target, self.ce = target, ce
        self.width_in = width_in
        self.width_out = width_out
        self.bias_width = bias_width
        self.iterations = iterations
        self.guard = guard
        self.rounding = rounding
        self.latency = modrelu_latency(iterations, width_in, guard)
        super().__init__({
            "i": In(word_layout(width_in)),
            "bias": In(signed(bias_width)),
            "o": Out(word_layout(width_out)),
        })

    def elaborate(self, platform):
        m = Module()
        G, I = self.guard, self.iterations
        wc = internal_width(self.width_in, G)
        kb = kinv_bits(self.width_in)
        k = kinv(I, kb)

        def reg(shape, name):
            return data_reg(shape, name)

        # Side band carried along every stage: flip, zero, bias, ovf, directions.
        flip, zero, ovf = reg(1, "flip0"), reg(1, "zero0"), reg(1, "ovf0")
        bias = reg(signed(self.bias_width), "bias0")
        x, y = reg(signed(wc), "x0"), reg(signed(wc), "y0")
        neg = self.i.re < 0
        m.d.sync += [
            flip.eq(neg), zero.eq((self.i.re == 0) & (self.i.im == 0)), ovf.eq(self.i.ovf),
            bias.eq(self.bias),
            x.eq(Mux(neg, -self.i.re, self.i.re) << G),
            y.eq(Mux(neg, -self.i.im, self.i.im) << G),
        ]

        def carry(tag):
            nonlocal flip, zero, ovf, bias
            f2, z2, o2, b2 = (reg(1, f"flip_{tag}"), reg(1, f"zero_{tag}"), reg(1, f"ovf_{tag}"),
                              reg(signed(self.bias_width), f"bias_{tag}"))
            m.d.sync += [f2.eq(flip), z2.eq(zero), o2.eq(ovf), b2.eq(bias)]
            flip, zero, ovf, bias = f2, z2, o2, b2

        # Vectoring: drive y to 0, record the directions.
        cur_dirs = None   # the directions known so far, registered with the stage
        for i in range(I):
            d = ~y[-1]                      # y >= 0
            x2, y2 = reg(signed(wc), f"xv{i}"), reg(signed(wc), f"yv{i}")
            m.d.sync += [x2.eq(Mux(d, x + (y >> i), x - (y >> i))),
                         y2.eq(Mux(d, y - (x >> i), y + (x >> i)))]
            dv = reg(i + 1, f"dv{i}")
            m.d.sync += dv.eq(d if cur_dirs is None else (cur_dirs | (d << i)))
            cur_dirs = dv
            carry(f"v{i}")
            x, y = x2, y2

        def carry_dirs(tag):
            nonlocal cur_dirs
            d2 = reg(I, f"d_{tag}")
            m.d.sync += d2.eq(cur_dirs)
            cur_dirs = d2

        def gain(name, v):
            """``v * k``, through a pipelined multiplier, side band carried."""
            mul = WideMultiplier(wc, kb + 1, target=self.target, ce=self.ce)
            m.submodules[name] = mul
            m.d.comb += [mul.a.eq(v), mul.b.eq(k)]
            for j in range(mul.latency):
                carry(f"{name}{j}")
                carry_dirs(f"{name}{j}")
            return mul.p

        # Gain compensation of the measured magnitude, rounded.
        p = gain("mag_mul", x)
        mr = reg(signed(wc + 1), "mag_r")
        m.d.sync += mr.eq(round_shift(p, kb, self.rounding))
        carry("mag")
        carry_dirs("mag")
        # Bias, clamp at 0 (and 0 for a zero input).
        mp = reg(signed(wc), "mag_b")
        t = mr + (bias << G)
        m.d.sync += mp.eq(Mux(zero | (t < 0), 0, t))
        carry("add")
        carry_dirs("add")
        # Pre-compensate the rotation's gain.
        q = gain("pre_mul", mp)
        xr, yr = reg(signed(wc), "xr"), reg(signed(wc), "yr")
        m.d.sync += [xr.eq(round_shift(q, kb, self.rounding)), yr.eq(0)]
        carry("pre")
        carry_dirs("pre")
        x, y = xr, yr
        # Rotation: replay the directions on (|Z|, 0).
        for i in range(I):
            d = cur_dirs[i]
            x2, y2 = reg(signed(wc), f"xw{i}"), reg(signed(wc), f"yw{i}")
            m.d.sync += [x2.eq(Mux(d, x - (y >> i), x + (y >> i))),
                         y2.eq(Mux(d, y + (x >> i), y - (x >> i)))]
            carry(f"w{i}")
            carry_dirs(f"w{i}")
            x, y = x2, y2
        # Undo the flip (its own register), then drop the guard bits and
        # fit the output width.
        xo, yo = reg(signed(wc + 1), "xo"), reg(signed(wc + 1), "yo")
        m.d.sync += [xo.eq(Mux(flip, -x, x)), yo.eq(Mux(flip, -y, y))]
        carry("flip")
        o_re, f1 = resize(round_shift(xo, G, self.rounding), self.width_out, "saturate")
        o_im, f2 = resize(round_shift(yo, G, self.rounding), self.width_out, "saturate")
        o = reg(self.o.shape(), "o_reg")
        m.d.sync += word_assign(o, o_re, o_im, ovf=ovf | f1 | f2)
        m.d.comb += self.o.eq(o)
        return m
