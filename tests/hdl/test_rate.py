"""cycles_per_sample K > 1: the controller's rate limit and the time-shared
complex multiplier, in Amaranth's simulator (the whole core's words, latency
and stalls: tests/sim/test_rate_cocotb.py)."""

import numpy as np
import pytest
from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.sim import Simulator

from fftforge.config import SHARED_CMUL_LATENCY, ConfigError, FFTConfig, shared_cmul_latency
from fftforge.hdl.cmul import SharedComplexMultiplier
from fftforge.hdl.control import PipelineControl


def _run(dut, tb):
    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(tb)
    sim.run()


class _Slots(wiring.Component):
    """Operand registers that move with ``adv`` (as the twiddle part's
    are) in front of a :class:`SharedComplexMultiplier`."""

    def __init__(self, w, tw, k):
        self.mult = SharedComplexMultiplier(w, tw, k)
        super().__init__({"adv": wiring.In(1), "a_re": wiring.In(w), "a_im": wiring.In(w),
                          "c": wiring.In(tw), "d": wiring.In(tw)})

    def elaborate(self, platform):
        m = Module()
        m.submodules.mult = mult = self.mult
        regs = [Signal.like(mult.a.re), Signal.like(mult.a.im), Signal.like(mult.w.re), Signal.like(mult.w.im)]
        with m.If(self.adv):
            m.d.sync += [r.eq(v) for r, v in zip(regs, (self.a_re, self.a_im, self.c, self.d))]
        m.d.comb += [mult.a.re.eq(regs[0]), mult.a.im.eq(regs[1]), mult.w.re.eq(regs[2]),
                     mult.w.im.eq(regs[3]), mult.adv.eq(self.adv)]
        return m


@pytest.mark.parametrize("k", [2, 3, 4, 5, 7])
def test_shared_cmul_is_the_exact_product(k):
    """Random operands (extremes included) and random gaps >= K cycles
    between advances: ``p`` is the exact product of the operands the
    previous advance loaded into the (slot) operand registers, in the next
    slot (K = 2: a sum register, SHARED_CMUL_LATENCY = 1) or when the next
    advance comes (K >= 3: the accumulators, latency 0), whatever the gap."""
    w, tw = 16, 16
    dut = _Slots(w, tw, k)
    lat = shared_cmul_latency(k)
    assert dut.mult.latency == lat == (SHARED_CMUL_LATENCY if k == 2 else 0)
    rng = np.random.default_rng(k)
    n = 60
    ops = rng.integers(-(1 << (w - 1)), 1 << (w - 1), (n, 2))
    tws = rng.integers(-(1 << (tw - 1)) + 1, 1 << (tw - 1), (n, 2))
    ops[:4] = [[-(1 << (w - 1))] * 2, [(1 << (w - 1)) - 1] * 2, [-(1 << (w - 1)), (1 << (w - 1)) - 1], [0, -1]]
    gaps = rng.integers(k, 3 * k + 4, n)

    def product(s):
        prod = complex(int(ops[s, 0]), int(ops[s, 1])) * complex(int(tws[s, 0]), int(tws[s, 1]))
        return int(prod.real), int(prod.imag)

    async def tb(ctx):
        for s in range(n):
            ctx.set(dut.a_re, int(ops[s, 0]))
            ctx.set(dut.a_im, int(ops[s, 1]))
            ctx.set(dut.c, int(tws[s, 0]))
            ctx.set(dut.d, int(tws[s, 1]))
            ctx.set(dut.adv, 1)
            if lat == 0 and s >= 1:    # what this advance reads: the previous operands' product
                assert (ctx.get(dut.mult.p.re), ctx.get(dut.mult.p.im)) == product(s - 1), s
            await ctx.tick()
            ctx.set(dut.adv, 0)
            if lat == 1 and s >= 1:    # in the operand registers since advance s - 1, in p since advance s
                assert (ctx.get(dut.mult.p.re), ctx.get(dut.mult.p.im)) == product(s - 1), s
            await ctx.tick().repeat(int(gaps[s]) - 1)

    _run(dut, tb)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_control_advances_at_most_once_every_k_cycles(k):
    """Input always valid and space always free: accepts exactly every K
    cycles (and ``in_ready`` is low in between)."""
    dut = PipelineControl(latency=7, frame=8, drain_after=4, cycles_per_sample=k)
    seen = []

    async def tb(ctx):
        ctx.set(dut.in_valid, 1)
        ctx.set(dut.space, 1)
        for cyc in range(12 * k):
            seen.append((cyc, ctx.get(dut.accept), ctx.get(dut.adv), ctx.get(dut.in_ready)))
            await ctx.tick()

    _run(dut, tb)
    acc = [c for c, a, _, _ in seen if a]
    assert acc == list(range(0, 12 * k, k))
    assert all(adv == a and r == a for _, a, adv, r in seen)


def test_config_rate_latency_and_errors():
    base = FFTConfig(n=64, width=15, twiddle_width=16)
    for k in (2, 3):
        cfg = base.replace(cycles_per_sample=k)
        # the twiddle parts take shared_cmul_latency(K) instead of the 4-slot multiplier
        assert cfg.pipeline_latency == base.pipeline_latency - cfg.twiddle_parts * (4 - shared_cmul_latency(k))
        assert cfg.latency_cycles == k * cfg.pipeline_latency + 2
        assert cfg.to_dict()["cycles_per_sample"] == k
        assert FFTConfig.from_dict(cfg.to_dict()).to_dict() == cfg.to_dict()
    assert base.to_dict()["cycles_per_sample"] == 1
    for kw, needle in ((dict(cycles_per_sample=17), "cycles_per_sample must be in [1, 16], got 17"),
                       (dict(cycles_per_sample=2, lanes=2), "lanes must be 1, got 2"),
                       (dict(cycles_per_sample=2, scaling="bfp"), "scaling must be 'scaled' or 'unscaled'")):
        with pytest.raises(ConfigError, match=needle.replace("[", r"\[").replace("]", r"\]")):
            FFTConfig(n=64, **kw)
