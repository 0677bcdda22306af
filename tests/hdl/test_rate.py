"""cycles_per_sample K > 1: the controller's rate limit and the time-shared
complex multiplier, in Amaranth's simulator (the whole core's words, latency
and stalls: tests/sim/test_rate_cocotb.py)."""

import numpy as np
import pytest
from amaranth.hdl import Fragment, Module, Signal, signed
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


class _SlotsOut(_Slots):
    """:class:`_Slots` with the product as ports (for Verilog)."""

    def __init__(self, w, tw, k, **kw):
        super().__init__(w, tw, k)
        self.mult = SharedComplexMultiplier(w, tw, k, **kw)
        self.p_re, self.p_im = Signal(signed(w + tw + 2), name="p_re"), Signal(signed(w + tw + 2), name="p_im")

    def elaborate(self, platform):
        m = super().elaborate(platform)
        m.d.comb += [self.p_re.eq(self.mult.p.re), self.p_im.eq(self.mult.p.im)]
        return m


@pytest.mark.parametrize("k", [3, 4, 5])
def test_shared_cmul_sb_mac16_exact_on_yosys_models(tmp_path, k):
    """The iCE40 form (each real multiplier and its accumulator one SB_MAC16,
    ``depth`` as its input/product registers), simulated in Verilator with
    Yosys's SB_MAC16 model: at every advance ``p`` is the exact product of
    the previous operands, extremes (the data's most negative parts, the
    largest symmetric twiddles: the sums' extremes) and random operands,
    random gaps >= K cycles, a reset in the middle."""
    import os
    import subprocess

    from amaranth.back import verilog

    from fftforge.hdl.export import model_path
    from fftforge.sim.runner import verilator_env
    w, tw = 16, 16
    dut = _SlotsOut(w, tw, k, target="ice40", w_symmetric=True)
    assert dut.mult.uses_block and dut.mult.latency == 0
    for kw in (dict(cycles_per_sample=k), dict(cycles_per_sample=2, w_symmetric=True)):
        other = SharedComplexMultiplier(w, tw, target="ice40", **kw)   # (a -2**15 twiddle: 33-bit sums; K = 2)
        assert not other.uses_block
        Fragment.get(other, None)
    text = verilog.convert(dut, name="cmul_dut", ports=[dut.adv, dut.a_re, dut.a_im, dut.c, dut.d,
                                                        dut.p_re, dut.p_im])
    assert text.count("SB_MAC16") == 2
    rng = np.random.default_rng(100 + k)
    n = 400
    lo, hi, th = -(1 << (w - 1)), (1 << (w - 1)) - 1, (1 << (tw - 1)) - 1
    ops = rng.integers(lo, hi + 1, (n, 2))
    tws = rng.integers(-th, th + 1, (n, 2))
    ext = [((lo, lo), (-th, th)), ((lo, lo), (-th, -th)), ((lo, lo), (th, th)), ((hi, hi), (th, -th)),
           ((lo, hi), (th, th)), ((hi, lo), (-th, -th)), ((0, -1), (1, 0)), ((lo, lo), (th, -th))]
    for i, (a, c) in enumerate(ext):
        ops[i], tws[i] = a, c
    gaps = rng.integers(k, 3 * k + 4, n)
    pw = w + tw + 2
    lines = ["module tb; reg clk = 0; reg rst = 1; reg adv = 0; integer errs = 0;",
             f"reg signed [{w - 1}:0] a_re, a_im; reg signed [{tw - 1}:0] c, d; wire signed [{pw - 1}:0] p_re, p_im;",
             "cmul_dut dut(.clk(clk), .rst(rst), .adv(adv), .a_re(a_re), .a_im(a_im), .c(c), .d(d), "
             ".p_re(p_re), .p_im(p_im));", "initial begin",
             " a_re = 0; a_im = 0; c = 0; d = 0; #1; clk = 1; #1; clk = 0; rst = 0;"]
    m = (1 << pw) - 1
    for s in range(n):
        if s == n // 2:                # a reset between two advances: the next product starts afresh
            lines.append(" rst = 1; #1; clk = 1; #1; clk = 0; rst = 0;")
        lines.append(f" a_re = {w}'h{int(ops[s, 0]) & 0xFFFF:x}; a_im = {w}'h{int(ops[s, 1]) & 0xFFFF:x}; "
                     f"c = {tw}'h{int(tws[s, 0]) & 0xFFFF:x}; d = {tw}'h{int(tws[s, 1]) & 0xFFFF:x}; adv = 1; #1;")
        if s >= 1 and s != n // 2:
            p = complex(int(ops[s - 1, 0]), int(ops[s - 1, 1])) * complex(int(tws[s - 1, 0]), int(tws[s - 1, 1]))
            lines.append(f" if (p_re !== {pw}'h{int(p.real) & m:x} || p_im !== {pw}'h{int(p.imag) & m:x}) "
                         f"begin errs = errs + 1; $display(\"slot {s}: %0d %0d\", p_re, p_im); end")
        lines.append(" clk = 1; #1; clk = 0; adv = 0;")
        lines.append(" repeat (%d) begin #1; clk = 1; #1; clk = 0; end" % (int(gaps[s]) - 1))
    lines.append(' $display("ERRORS %0d", errs); $finish; end endmodule')
    (tmp_path / "dut.v").write_text(text)
    (tmp_path / "tb.v").write_text("\n".join(lines))
    env = {**os.environ, **verilator_env()}
    env["MAKEFLAGS"] = env["MAKEFLAGS"].replace("CFG_CXXFLAGS_PCH_I=-include", "").strip()
    env["CXXFLAGS"] = (env.get("CXXFLAGS", "") + " --std=c++20").strip()
    # (--output-split 0: one C++ file, so no precompiled header is needed)
    subprocess.run(["verilator", "--binary", "-Wno-fatal", "-Wno-lint", "-Wno-style", "--output-split", "0",
                    "--top-module", "tb", "tb.v", "dut.v", model_path("ice40_prims.v"), "-o", "tb", "-Mdir", "obj"],
                   cwd=tmp_path, env=env, check=True, capture_output=True)
    out = subprocess.run([str(tmp_path / "obj" / "tb")], capture_output=True, text=True, check=True).stdout
    assert "ERRORS 0" in out, out
