"""The self-checking stimulus harness in Amaranth's simulator: its checksum of
the core's output equals the one computed from the bit-true model (so a board
lights 'pass' only when the hardware is bit-exact), and a wrong expectation
lights 'fail'."""

import pytest
from amaranth.sim import Simulator

from fftforge.config import FFTConfig
from fftforge.fpga.harness import (LFSR_MASK, LFSR_SEED, StimulusHarness, checksum, component_core,
                                   expected_checksum, fold32, stimulus_words)
from fftforge.hdl.export import descriptor
from fftforge.hdl.fft import FFTCore


def test_stimulus_is_the_galois_lfsr():
    w = stimulus_words(3, 64)
    assert w[0] == LFSR_SEED
    s = LFSR_SEED
    s = (s >> 1) ^ (LFSR_MASK if s & 1 else 0)
    assert w[1] == s
    assert stimulus_words(3, 8) == [x & 0xFF for x in w]
    with pytest.raises(ValueError, match="64"):
        stimulus_words(1, 65)


def test_checksum_definition():
    assert fold32(0x1_0000_0002_0000_0003) == 1 ^ 2 ^ 3
    # rotl-1 then xor: two words
    assert checksum([0x80000000, 5]) == (1 ^ 5)
    assert checksum([]) == 0


def _run(cfg, expected, frames=2, cycles=3000):
    desc = descriptor(cfg)
    h = StimulusHarness(component_core(FFTCore(cfg), desc), cfg.n, check_frames=frames, expected=expected)
    sim = Simulator(h)
    sim.add_clock(1e-8)
    res = {}

    async def tb(ctx):
        for _ in range(cycles):
            await ctx.tick()
            if ctx.get(h.done):
                break
        res.update(done=ctx.get(h.done), p=ctx.get(h.pass_), f=ctx.get(h.fail), cs=ctx.get(h.latched),
                   ovf=ctx.get(h.overflow))
    sim.add_testbench(tb)
    sim.run()
    return res


@pytest.mark.parametrize("cfg", [FFTConfig(n=16, width=8), FFTConfig(n=8, width=6, arch="r2sdf",
                                                                      order="bit_reversed")])
def test_harness_checksum_matches_model(cfg):
    exp = expected_checksum(cfg, descriptor(cfg), 2)
    r = _run(cfg, exp)
    assert r["done"] and r["cs"] == exp and r["p"] == 1 and r["f"] == 0 and r["ovf"] == 0


def test_harness_flags_a_mismatch():
    cfg = FFTConfig(n=8, width=6)
    exp = expected_checksum(cfg, descriptor(cfg), 2)
    r = _run(cfg, exp ^ 1)
    assert r["done"] and r["p"] == 0 and r["f"] == 1
