"""Arithmetic parts proven against their specs (fftforge.formal.parts)."""

import pytest

from fftforge.formal.registry import get, run_set


@pytest.mark.parametrize("name", ["fixed.round_saturate", "butterfly", "cmul.form4.w4"])
def test_part_proofs(name, formal_dir, report):
    results = run_set(get(name), build_dir=formal_dir)
    report(results)
    assert all(r.status == "PASS" for r in results), [r.log for r in results if not r.passed]


@pytest.mark.slow
def test_cmul_form3(formal_dir, report):
    results = run_set(get("cmul.form3.w4"), build_dir=formal_dir)
    report(results)
    assert all(r.status == "PASS" for r in results)


def test_fixed_cases_cover_the_plans():
    """The rounding stage is proven at every width the 16-point cores use."""
    from fftforge.config import FFTConfig
    from fftforge.formal.parts import fixed_cases
    from fftforge.formal.registry import _fixed_cases
    proven = {(vw, s, w) for vw, s, w, _, _ in _fixed_cases()}
    for arch in ("r2sdf", "r22sdf"):
        for scaling in ("scaled", "unscaled"):
            cfg = FFTConfig(n=16, width=16, arch=arch, scaling=scaling)
            assert set(fixed_cases([cfg])) <= proven
