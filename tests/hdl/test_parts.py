"""Each RTL part against its pyref twin, in Amaranth's simulator."""

import dataclasses

import numpy as np
import pytest
from amaranth.hdl import Module, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out
from amaranth.sim import Simulator
from hypothesis import given, settings, strategies as st

from fftforge.config import FFTConfig, cmul_latency
from fftforge.hdl.butterfly import Butterfly
from fftforge.hdl.cmul import ComplexMultiplier
from fftforge.hdl.delay import MEMORY_MIN_DEPTH, DelayLine
from fftforge.hdl.fixed import resize, round_shift
from fftforge.hdl.reorder import BitReverseReorder
from fftforge.hdl.sdf import SDFButterfly
from fftforge.hdl.twiddle import TwiddleMultiplier
from fftforge.pyref import fixed as ref_fixed
from fftforge.pyref.butterfly import butterfly as ref_butterfly
from fftforge.pyref.reorder import reorder as ref_reorder
from fftforge.pyref.sdf import sdf_stage
from fftforge.pyref.twiddle import twiddle_stage


def simulate(dut, process, clock=True):
    sim = Simulator(dut)
    if clock:
        sim.add_clock(1e-8)
    sim.add_testbench(process)
    sim.run()


class _RoundSat(wiring.Component):
    def __init__(self, win, shift, wout, rounding, overflow):
        self.args = (shift, wout, rounding, overflow)
        super().__init__({"v": In(signed(win)), "o": Out(signed(wout)), "ovf": Out(1)})

    def elaborate(self, platform):
        m = Module()
        shift, wout, rounding, overflow = self.args
        out, ovf = resize(round_shift(self.v, shift, rounding), wout, overflow)
        m.d.comb += [self.o.eq(out), self.ovf.eq(ovf)]
        return m


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 3), st.integers(4, 10), st.sampled_from(["truncate", "convergent"]),
       st.sampled_from(["saturate", "wrap"]))
def test_round_and_resize_match_pyref(shift, wout, rounding, overflow):
    win = 12
    dut = _RoundSat(win, shift, wout, rounding, overflow)
    values = np.arange(-(1 << (win - 1)), 1 << (win - 1), 7)
    exp = ref_fixed.round_shift(values, shift, rounding)
    exp, eflag = ref_fixed.resize(exp, wout, overflow)

    async def tb(ctx):
        for v, e, f in zip(values, exp, eflag):
            ctx.set(dut.v, int(v))
            assert ctx.get(dut.o) == e and ctx.get(dut.ovf) == f, (v, e, f)

    simulate(dut, tb, clock=False)


def test_butterfly_matches_pyref():
    dut = Butterfly(6)
    rng = np.random.default_rng(0)
    vals = rng.integers(-32, 32, (200, 4))
    mj = rng.integers(0, 2, 200)

    async def tb(ctx):
        for (ar, ai, br, bi), m in zip(vals, mj):
            for sig, v in ((dut.a.re, ar), (dut.a.im, ai), (dut.b.re, br), (dut.b.im, bi), (dut.minus_j, m)):
                ctx.set(sig, int(v))
            e = ref_butterfly(np.int64(ar), np.int64(ai), np.int64(br), np.int64(bi), bool(m))
            got = (ctx.get(dut.sum.re), ctx.get(dut.sum.im), ctx.get(dut.diff.re), ctx.get(dut.diff.im))
            assert got == tuple(int(x) for x in e)

    simulate(dut, tb, clock=False)


@pytest.mark.parametrize("form,w_symmetric,product_register",
                         [(3, False, False), (3, True, False), (4, False, False), (4, False, True), (3, True, True)])
def test_complex_multiplier_is_exact_with_its_latency(form, w_symmetric, product_register):
    """Exact products after ``latency`` (cmul_latency) slots, the extremes
    included: -2**(ww-1) in both twiddle parts unless ``w_symmetric`` (then
    +-(2**(ww-1) - 1), where form 3's |c + d| is largest); a product
    register adds one slot and changes no word."""
    wa, ww = 9, 7
    dut = ComplexMultiplier(wa, ww, form, w_symmetric=w_symmetric, product_register=product_register)
    assert dut.latency == cmul_latency(wa, ww, form, w_symmetric, product_register=product_register)
    assert dut.latency == cmul_latency(wa, ww, form, w_symmetric) + product_register
    lat = dut.latency
    rng = np.random.default_rng(form)
    lim = (1 << (ww - 1)) - (1 if w_symmetric else 0)
    a = rng.integers(-(1 << (wa - 1)), 1 << (wa - 1), (100, 2))
    w = rng.integers(-lim, lim, (100, 2))
    a[0] = (-(1 << (wa - 1)),) * 2          # extremes
    w[0] = (-lim,) * 2
    a[1] = (-(1 << (wa - 1)), (1 << (wa - 1)) - 1)
    w[1] = (lim - 1, lim - 1) if not w_symmetric else (-lim, lim)

    async def tb(ctx):
        got = []
        for k in range(len(a) + lat):
            if k < len(a):
                ctx.set(dut.a.re, int(a[k, 0]))
                ctx.set(dut.a.im, int(a[k, 1]))
                ctx.set(dut.w.re, int(w[k, 0]))
                ctx.set(dut.w.im, int(w[k, 1]))
            if k >= lat:
                got.append((ctx.get(dut.p.re), ctx.get(dut.p.im)))
            await ctx.tick()
        for (pr, pi), (ar, ai), (c, s) in zip(got, a, w):
            assert (pr, pi) == (int(ar * c - ai * s), int(ar * s + ai * c))

    simulate(dut, tb)


@pytest.mark.parametrize("depth", [0, 1, 5, MEMORY_MIN_DEPTH, 40])
def test_delay_line_delays_by_depth_enabled_cycles(depth):
    from amaranth.hdl import EnableInserter

    class Top(wiring.Component):
        en: In(1)
        i: In(8)
        o: Out(8)

        def elaborate(self, platform):
            m = Module()
            m.submodules.dl = dl = EnableInserter(self.en)(DelayLine(8, depth))
            m.d.comb += [dl.i.eq(self.i), self.o.eq(dl.o)]
            cycles = Signal(16)            # keeps a clock domain when depth == 0
            m.d.sync += cycles.eq(cycles + 1)
            return m

    dut = Top()
    rng = np.random.default_rng(depth)

    async def tb(ctx):
        history = []
        for k in range(4 * depth + 60):
            en = int(rng.random() < 0.7)
            x = int(rng.integers(0, 256))
            ctx.set(dut.en, en)
            ctx.set(dut.i, x)
            if en:
                history.append(x)
                if depth == 0:
                    assert ctx.get(dut.o) == x
                elif len(history) > depth:
                    assert ctx.get(dut.o) == history[-1 - depth]
            await ctx.tick()

    simulate(dut, tb)


def full_range(part):
    """``part`` with its saturation logic kept and its input bound the whole
    input range (inputs anywhere in range, -2**(w-1) included)."""
    return dataclasses.replace(part, offset=0, may_overflow=True, bound_in=2.0 ** (part.width_in - 1))


def _stream_part(part_rtl, part, cfg, frames, width_in, seed=0):
    """Feed whole frames continuously into a slot part; compare with its pyref twin.

    The inputs span the whole input width, beyond the range the plan's
    analysis assumes, so the part under test must keep its saturation logic:
    build it from ``full_range(part)``."""
    assert part.may_overflow or part.kind == "reorder", "build the part with full_range(part): the inputs exceed the plan's bound"
    n = cfg.n
    rng = np.random.default_rng(seed)
    lim = 1 << (width_in - 1)
    re = rng.integers(-lim, lim, (frames, n))
    im = rng.integers(-lim, lim, (frames, n))
    ovf = rng.random((frames, n)) < 0.05
    if part.kind in ("bf2", "bf2ii"):
        e = sdf_stage(re, im, ovf, part, cfg)
    elif part.kind == "twiddle":
        e = twiddle_stage(re, im, ovf, part, cfg)
    else:
        e = ref_reorder(re, im, ovf)
    flat = list(zip(re.ravel(), im.ravel(), ovf.ravel()))
    lat = part.latency
    got = []

    async def tb(ctx):
        for k in range(len(flat) + lat):
            if k < len(flat):
                r, i, o = flat[k]
                ctx.set(part_rtl.i.re, int(r))
                ctx.set(part_rtl.i.im, int(i))
                ctx.set(part_rtl.i.ovf, int(o))
            if k >= lat:
                got.append((ctx.get(part_rtl.o.re), ctx.get(part_rtl.o.im), ctx.get(part_rtl.o.ovf)))
            await ctx.tick()

    simulate(part_rtl, tb)
    g = np.array(got, dtype=np.int64).reshape(frames, n, 3)
    assert np.array_equal(g[..., 0], e[0]) and np.array_equal(g[..., 1], e[1])
    assert np.array_equal(g[..., 2].astype(bool), e[2])


@pytest.mark.parametrize("arch, scaling, rounding", [
    ("r2sdf", "scaled", "convergent"), ("r22sdf", "unscaled", "truncate"), ("r22sdf", "scaled", "truncate")])
def test_sdf_butterflies_match_pyref(arch, scaling, rounding):
    cfg = FFTConfig(n=32, arch=arch, scaling=scaling, rounding=rounding, width=6,
                    schedule=(0, 1, 2, 1, 2) if scaling == "scaled" else None)
    for part in cfg.plan():
        if part.kind in ("bf2", "bf2ii"):
            part = full_range(part)
            _stream_part(SDFButterfly(part, cfg.rounding, cfg.overflow), part, cfg, 3, part.width_in)


@pytest.mark.parametrize("arch, rounding, cmul, tw", [
    ("r2sdf", "convergent", 4, 8), ("r22sdf", "truncate", 3, 6), ("r22sdf", "convergent", 4, 18)])
def test_twiddle_multipliers_match_pyref(arch, rounding, cmul, tw):
    cfg = FFTConfig(n=64, arch=arch, rounding=rounding, width=8, twiddle_width=tw, cmul=cmul)
    for part in cfg.plan():
        if part.kind == "twiddle":
            part = full_range(part)
            dut = TwiddleMultiplier(part, tw, cfg.rounding, cfg.overflow, cmul)
            _stream_part(dut, part, cfg, 2, part.width_in, seed=tw)


def test_twiddle_saturates_and_wraps_like_pyref():
    # full-scale inputs: rotation of -2**(w-1) by -j overflows w bits
    for overflow in ("saturate", "wrap"):
        cfg = FFTConfig(n=16, arch="r2sdf", width=5, twiddle_width=6, overflow=overflow)
        part = full_range(next(p for p in cfg.plan() if p.kind == "twiddle"))
        _stream_part(TwiddleMultiplier(part, 6, cfg.rounding, overflow), part, cfg, 4, part.width_in, seed=3)


def test_reorder_matches_pyref():
    cfg = FFTConfig(n=32, width=6)
    part = dataclasses.replace(next(p for p in cfg.plan() if p.kind == "reorder"), offset=0)
    _stream_part(BitReverseReorder(part), part, cfg, 4, part.width_in)


@pytest.mark.parametrize("frame,push,pop", [(8, 3, 5), (8, 0, 30), (4, 10, 12), (16, 17, 60), (8, 5, 13)])
def test_frame_fifo_pairs_each_frame_push_with_its_pop(frame, push, pop):
    """:class:`~fftforge.hdl.normalize.FrameFIFO` under a random clock enable
    and soft clears: the value offered in frame f's push slot (push + f
    frame, random values in every other slot) is on ``o`` for the ``frame``
    slots from frame f's pop slot (pop + f frame); after a clear the slots
    count from 0 again."""
    from amaranth.hdl import EnableInserter, ResetInserter
    from fftforge.hdl.normalize import FrameFIFO
    width = 6
    ce, clr = Signal(), Signal()
    fifo = FrameFIFO(width, frame, push, pop)
    dut = ResetInserter(clr)(EnableInserter(ce)(fifo))
    rng = np.random.default_rng(frame + push + pop)
    checked = []

    async def tb(ctx):
        slot = 0
        for cycle in range(12 * frame + pop + 40):
            c = rng.random() < 0.7
            x = rng.random() < 0.01 and slot > pop
            ctx.set(ce, int(c))
            ctx.set(clr, int(x))
            in_push = slot >= push and (slot - push) % frame == 0
            f_in = (slot - push) // frame
            ctx.set(fifo.i, (f_in * 7 + 1) % (1 << width) if in_push else int(rng.integers(1 << width)))
            if slot >= pop:
                f_out = (slot - pop) // frame
                got = ctx.get(fifo.o)
                assert got == (f_out * 7 + 1) % (1 << width), (cycle, slot, f_out, got)
                checked.append(slot)
            await ctx.tick()
            slot = 0 if x else slot + int(c)

    simulate(dut, tb)
    assert len(checked) > 4 * frame
