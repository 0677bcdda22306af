"""The cost model's FPGA resources of a streaming chain (FFT -> per-bin
multiply [-> modReLU] -> inverse FFT) are its generator configuration's
(FilterConfig / FFTNetConfig), not formulas of its own: the real
multipliers the elaborated core instantiates, the memories between its two
FFTs, both FFTs' FFTConfig resources; and ``evaluate`` sizes the parallel
units from exactly those figures."""

import sys

import numpy as np
import pytest
from amaranth.hdl import Fragment
from amaranth.lib import memory

from fftforge.costmodel import fpga
from fftforge.costmodel.evaluate import Options, evaluate
from fftforge.costmodel.hardware import load_target
from fftforge.costmodel.workloads import Shape
from fftforge.filter_config import FFTNetConfig, FilterConfig

CHAINS = [
    FilterConfig(n=64),
    FilterConfig(n=64, cmul=3),
    FilterConfig(n=64, lanes=4, real_pairs=True),
    FFTNetConfig(n=64),
    FFTNetConfig(n=64, real_pairs=True),
    FFTNetConfig(n=64, lanes=2, channels=3),
]


def _elaborated(cfg):
    """``(multipliers, pointwise memory bits)`` of the elaborated core: every
    PipelinedMultiplier's operand widths, and the bits of the memories that
    FilterCore and PairBuffer make themselves (weights, biases, pairs)."""
    from fftforge.hdl import prims
    from fftforge.hdl.fftnet import FFTNetCore
    from fftforge.hdl.filter import FilterCore, PairBuffer
    mults, mem_bits = [], [0]
    orig_mul, orig_mem = prims.PipelinedMultiplier.__init__, memory.Memory.__init__

    def mul(self, a_width, b_width, *a, **kw):
        orig_mul(self, a_width, b_width, *a, **kw)
        mults.append((a_width, b_width))

    def mem(self, *, shape, depth, init, **kw):
        orig_mem(self, shape=shape, depth=depth, init=init, **kw)
        caller = sys._getframe(1).f_locals.get("self")
        if type(caller) in (FilterCore, FFTNetCore, PairBuffer):
            from amaranth.hdl import Shape
            mem_bits[0] += depth * Shape.cast(shape).width
    prims.PipelinedMultiplier.__init__, memory.Memory.__init__ = mul, mem
    try:
        Fragment.get((FFTNetCore if isinstance(cfg, FFTNetConfig) else FilterCore)(cfg), None)
    finally:
        prims.PipelinedMultiplier.__init__, memory.Memory.__init__ = orig_mul, orig_mem
    return mults, mem_bits[0]


def _fft_memory_bits(fft):
    r = fft.resources()
    return r["feedback_bits"] + r["twiddle_rom_bits"] + r["reorder_bits"]


@pytest.mark.parametrize("cfg", CHAINS, ids=lambda c: f"{c.kind}-p{c.lanes}-cmul{c.cmul}"
                         f"{'-pairs' if c.real_pairs else ''}-ch{c.channels}")
def test_chain_model_is_the_configurations_core(cfg):
    mults, pointwise_bits = _elaborated(cfg)
    # a DSP block wider than every operand: one block per real multiplier
    wide = fpga.chain_model(cfg, "ecp5", 64, 64)
    assert wide.dsps == len(mults)
    assert wide.dsps == (cfg.fft_forward.real_multipliers + cfg.fft_inverse.real_multipliers
                         + sum(k for k, _, _ in cfg.pointwise_multipliers()))
    if cfg.cmul == 4:       # the pointwise multipliers' operand widths, as instantiated
        for k, a, b in cfg.pointwise_multipliers():
            assert mults.count((a, b)) >= k
    # memories: both FFTs' (FFTConfig.resources) and the pointwise ones the core makes
    assert pointwise_bits == cfg.pointwise_memory_bits
    assert cfg.resources()["weight_bits"] == cfg.weight_bits
    assert wide.memory_bits == (_fft_memory_bits(cfg.fft_forward) + _fft_memory_bits(cfg.fft_inverse)
                                + cfg.pointwise_memory_bits)
    # LUTs: each FFT's calibrated model, plus the estimate per pointwise multiplier
    assert wide.luts == (wide.forward.luts + wide.inverse.luts
                         + fpga.POINTWISE_LUTS_PER_MULTIPLIER * sum(k for k, _, _ in cfg.pointwise_multipliers()))
    assert wide.forward.config == cfg.fft_forward and wide.inverse.config == cfg.fft_inverse
    assert wide.latency_cycles == cfg.latency_cycles
    # 18 x 18 blocks: the wide operands take several
    narrow = fpga.chain_model(cfg, "ecp5", 18, 18)
    assert narrow.dsps == (fpga.fft_model(cfg.fft_forward, "ecp5", 18, 18).dsps
                           + fpga.fft_model(cfg.fft_inverse, "ecp5", 18, 18).dsps
                           + sum(k * fpga.dsps_per_multiplier(a, b, 18, 18) for k, a, b in cfg.pointwise_multipliers()))
    assert narrow.dsps > wide.dsps      # the inverse FFT's and modReLU's operands exceed 18 bits


@pytest.mark.parametrize("workload, target, pairs", [
    ("fftnet", "ecp5-85f", True), ("fftnet", "ecp5-85f", False), ("fftnet", "ultrascale-vu9p", True),
    ("fftconv", "ecp5-85f", False), ("fftconv", "ultrascale-vu9p", True)])
def test_evaluate_sizes_the_chain_units_from_the_configuration(workload, target, pairs):
    t = load_target(target)
    n = np.array([256, 1024, 4096, 16384])
    ev = evaluate(workload, t, Shape(B=8, n=n, d=64), options=Options(real_pairs=pairs))
    (_, d), = [k for k in ev.kernels if "inverse FFT" in k[0]]
    for i, nv in enumerate(n):
        size = int(nv) * (2 if workload == "fftconv" else 1)
        cfg = fpga.chain_config(workload, size, 16, "r22sdf", 4, 1, pairs)
        r = fpga.chain_model(cfg, t.family, t.dsp_a_bits, t.dsp_b_bits, 1)
        fit = int(min(t.dsps // r.dsps, t.bram_bits // r.memory_bits, t.luts // r.luts))
        assert int(d["units"][i]) == fit, (nv, r)
        if fit:
            assert int(d["pipeline_latency_cycles"][i]) == cfg.latency_cycles


def test_a_chain_that_needs_more_block_ram_than_the_part_does_not_fit():
    # FFTNet n = 16384 with real pairs on the ECP5-85F: the weight memory,
    # the pairing buffer and the unscaled inverse FFT's wider words take
    # more than its 3.8 Mbit of block RAM
    t = load_target("ecp5-85f")
    cfg = fpga.chain_config("fftnet", 16384, 16, "r22sdf", 4, 1, True)
    r = fpga.chain_model(cfg, t.family, t.dsp_a_bits, t.dsp_b_bits, 1)
    assert r.memory_bits > t.bram_bits
    ev = evaluate("fftnet", t, Shape(B=32, n=16384, d=768))
    assert np.isnan(ev.latency_s[0])
