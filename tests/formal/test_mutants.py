"""Every proof family FAILS on a deliberately broken design, with a
counterexample VCD (the proofs have teeth)."""

import pytest

from fftforge.formal.mutants import MUTANTS, SLOW_MUTANTS
from fftforge.formal.runner import run_sby


def test_every_family_has_a_mutant():
    families = {fam for fam, _ in MUTANTS.values()}
    assert {"core", "control", "fixed", "butterfly", "cmul", "filter"} <= families


def test_overlap_save_has_mutants():
    """The overlap-save wrapper proof has teeth on its framer (ready, history)
    and on its discarder."""
    assert {"filter.os_discard_one_more", "filter.os_framer_no_ready", "filter.os_history_reversed"} <= set(MUTANTS)


def test_lane_filter_has_mutant():
    """The P-lane overlap-save proof has teeth (history lanes rotated)."""
    from fftforge.formal.registry import get
    assert "filter.os_p2_history_lanes_rotated" in MUTANTS and "filter.os_p2_history_lanes_rotated" not in SLOW_MUTANTS
    assert get("filter.overlap_save.n8.p2")


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_MUTANTS else n
                                  for n in MUTANTS])
def test_mutant_fails(name, formal_dir):
    family, chk = MUTANTS[name]
    r = run_sby(f"mutant.{name}", chk.build(), mode=chk.mode, depth=chk.depth, cut=chk.cut,
                script=chk.script, build_dir=formal_dir, timeout=300)
    print(f"{name} ({family}): {r.status} in {r.seconds:.1f}s, counterexample VCD: {r.vcd}")
    assert r.status == "FAIL", r.log
    assert r.vcd is not None and r.vcd.exists()
