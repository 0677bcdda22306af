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

Ports: :class:`ModReLU`.

Latency :func:`fftforge.filter_config.modrelu_latency` = ``2 * iterations + 7
+ 2 * L`` slots, ``L`` the gain multiplier's
(:class:`~fftforge.hdl.prims.PipelinedMultiplier`, :func:`~fftforge.config.mult_latency`):
input register, vectoring, gain product, its rounding, bias add and clamp,
gain product, its rounding, rotation, sign restore, output rounding, output
saturation.  No slot holds more than one carry chain.  Internal width ``width_in + guard + 3``
(:func:`fftforge.pyref.modrelu.internal_width`); output ``width_out`` bits
(``width_in + 1`` holds ``|Y| + |b|`` for the bias range of
:class:`fftforge.filter_config.FFTNetConfig`).
"""

from amaranth.hdl import Module, Mux, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from fftforge.filter_config import modrelu_latency
from fftforge.pyref.modrelu import internal_width, kinv, kinv_bits
from fftforge.hdl.prims import PipelinedMultiplier
from fftforge.hdl.fixed import resize, round_shift
from fftforge.hdl.word import data_reg, word_assign, word_layout

__all__ = ["ModReLU"]


class ModReLU(wiring.Component):
    """modReLU of a complex word with a per-sample bias, CORDIC in and out.

    Parameters
    ----------
    width_in, width_out : int
        Widths of Y and Z (signed parts).
    bias_width : int
        Width of the bias.
    iterations : int
        CORDIC iterations.
    guard : int
        Guard bits of the internal width.
    rounding : str
        Rounding of the output (the FFT's ``rounding`` options).
    target, ce :
        See :class:`~fftforge.hdl.prims.PipelinedMultiplier`.

    Attributes
    ----------
    i : In(word(width_in))
        Y, with its ``ovf`` tag.
    bias : In(signed(bias_width))
        b, sampled with ``i``.
    o : Out(word(width_out))
        Z = Y * max(0, |Y| + b) / |Y|.
    latency : int
        :func:`~fftforge.filter_config.modrelu_latency` slots (module
        docstring: ``2 * iterations + 7 + 2 * L``).

    Bit growth: ``width_out`` bits out (``width_in + 1`` holds ``|Y| + |b|``
    for the bias range of :class:`~fftforge.filter_config.FFTNetConfig`);
    internal width ``width_in + guard + 3``.
    """
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

        # Side band carried along every stage, in one register per stage:
        # flip (the input was in the left half plane), zero, the ovf tag,
        # the bias and the direction bits recorded so far.
        side_l = data.StructLayout({"flip": 1, "zero": 1, "ovf": 1, "bias": signed(self.bias_width),
                                    "dirs": I})
        side = reg(side_l, "side0")
        x, y = reg(signed(wc), "x0"), reg(signed(wc), "y0")
        neg = self.i.re < 0
        m.d.sync += [
            side.flip.eq(neg), side.zero.eq((self.i.re == 0) & (self.i.im == 0)), side.ovf.eq(self.i.ovf),
            side.bias.eq(self.bias), side.dirs.eq(0),
            x.eq(Mux(neg, -self.i.re, self.i.re) << G),
            y.eq(Mux(neg, -self.i.im, self.i.im) << G),
        ]

        def carry(tag, dir_bit=None):
            """The side band's next register (``dir_bit``: record direction
            ``dir_bit = (i, d)``)."""
            nonlocal side
            s2 = reg(side_l, f"side_{tag}")
            m.d.sync += s2.eq(side)
            if dir_bit is not None:
                i, d = dir_bit
                m.d.sync += s2.dirs[i].eq(d)
            side = s2

        # Vectoring: drive y to 0, record the directions.
        for i in range(I):
            d = ~y[-1]                      # y >= 0
            x2, y2 = reg(signed(wc), f"xv{i}"), reg(signed(wc), f"yv{i}")
            m.d.sync += [x2.eq(Mux(d, x + (y >> i), x - (y >> i))),
                         y2.eq(Mux(d, y - (x >> i), y + (x >> i)))]
            carry(f"v{i}", (i, d))
            x, y = x2, y2

        def gain(name, v):
            """``v * k``, through a pipelined multiplier, side band carried."""
            mul = PipelinedMultiplier(wc, kb + 1, target=self.target, ce=self.ce)
            m.submodules[name] = mul
            m.d.comb += [mul.a.eq(v), mul.b.eq(k)]
            for j in range(mul.latency):
                carry(f"{name}{j}")
            return mul.p

        # Gain compensation of the measured magnitude, rounded.
        p = gain("mag_mul", x)
        mr = reg(signed(wc + 1), "mag_r")
        m.d.sync += mr.eq(round_shift(p, kb, self.rounding))
        carry("mag")
        # Bias, clamp at 0 (and 0 for a zero input).
        mp = reg(signed(wc), "mag_b")
        t = mr + (side.bias << G)
        m.d.sync += mp.eq(Mux(side.zero | (t < 0), 0, t))
        carry("add")
        # Pre-compensate the rotation's gain.
        q = gain("pre_mul", mp)
        xr, yr = reg(signed(wc), "xr"), reg(signed(wc), "yr")
        m.d.sync += [xr.eq(round_shift(q, kb, self.rounding)), yr.eq(0)]
        carry("pre")
        x, y = xr, yr
        # Rotation: replay the directions on (|Z|, 0).
        for i in range(I):
            d = side.dirs[i]
            x2, y2 = reg(signed(wc), f"xw{i}"), reg(signed(wc), f"yw{i}")
            m.d.sync += [x2.eq(Mux(d, x - (y >> i), x + (y >> i))),
                         y2.eq(Mux(d, y + (x >> i), y - (x >> i)))]
            carry(f"w{i}")
            x, y = x2, y2
        # Undo the flip (its own register), then drop the guard bits and
        # fit the output width.
        xo, yo = reg(signed(wc + 1), "xo"), reg(signed(wc + 1), "yo")
        m.d.sync += [xo.eq(Mux(side.flip, -x, x)), yo.eq(Mux(side.flip, -y, y))]
        carry("flip")
        # Drop the guard bits (rounded: a carry chain), then, a slot later,
        # fit the output width (the saturation's compare and select).
        rx, ry = round_shift(xo, G, self.rounding), round_shift(yo, G, self.rounding)
        xq, yq = reg(rx.shape(), "xo_round"), reg(ry.shape(), "yo_round")
        m.d.sync += [xq.eq(rx), yq.eq(ry)]
        carry("round")
        ovf = side.ovf
        o_re, f1 = resize(xq, self.width_out, "saturate")
        o_im, f2 = resize(yq, self.width_out, "saturate")
        o = reg(self.o.shape(), "o_reg")
        m.d.sync += word_assign(o, o_re, o_im, ovf=ovf | f1 | f2)
        m.d.comb += self.o.eq(o)
        return m
