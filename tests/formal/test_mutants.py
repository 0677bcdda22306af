"""Every proof family FAILS on a deliberately broken design, with a
counterexample VCD (the proofs have teeth)."""

import pytest

from fftforge.formal.mutants import MUTANTS
from fftforge.formal.runner import run_sby


def test_every_family_has_a_mutant():
    families = {fam for fam, _ in MUTANTS.values()}
    assert {"core", "control", "fixed", "butterfly", "cmul"} <= families


@pytest.mark.parametrize("name", list(MUTANTS))
def test_mutant_fails(name, formal_dir):
    family, chk = MUTANTS[name]
    r = run_sby(f"mutant.{name}", chk.build(), mode=chk.mode, depth=chk.depth, cut=chk.cut,
                build_dir=formal_dir, timeout=300)
    print(f"{name} ({family}): {r.status} in {r.seconds:.1f}s, counterexample VCD: {r.vcd}")
    assert r.status == "FAIL", r.log
    assert r.vcd is not None and r.vcd.exists()
