"""The sby runner: a true property passes, a false one fails with a VCD."""

import pytest
from amaranth.asserts import AnySeq
from amaranth.hdl import Assert
from amaranth.hdl import Elaboratable, Module, Signal

from fftforge.formal.runner import run_sby


class Counter(Elaboratable):
    """A counter 0..4; the claim ``c < claim_below`` holds for 5, not for 4."""

    def __init__(self, claim_below):
        self.claim_below = claim_below

    def elaborate(self, platform):
        m = Module()
        c = Signal(range(8))
        en = Signal()
        m.d.comb += en.eq(AnySeq(1))
        with m.If(en):
            m.d.sync += c.eq((c + 1) % 5)
        m.d.comb += Assert(c < self.claim_below)
        return m


def test_true_property_passes(formal_dir):
    r = run_sby("runner_pass", Counter(5), mode="prove", depth=2, build_dir=formal_dir)
    assert r.status == "PASS", r.log
    assert r.vcd is None


def test_false_property_fails_with_vcd(formal_dir):
    r = run_sby("runner_fail", Counter(4), mode="bmc", depth=8, build_dir=formal_dir)
    print(f"counterexample: {r.vcd}")
    assert r.status == "FAIL", r.log
    assert r.vcd is not None and r.vcd.exists()


def test_bad_mode():
    with pytest.raises(ValueError, match="mode"):
        run_sby("x", object(), mode="sim")
