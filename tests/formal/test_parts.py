"""Arithmetic parts proven against their specs (fftforge.formal.parts)."""

import pytest

from fftforge.formal.registry import get, run_set


@pytest.mark.parametrize("name", ["fixed.round_saturate", "butterfly", "cmul.form4.w4", "cmul.form4.w16x18"])
def test_part_proofs(name, formal_dir, report):
    results = run_set(get(name), build_dir=formal_dir)
    report(results)
    assert all(r.status == "PASS" for r in results), [r.log for r in results if not r.passed]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["cmul.form3.w4", "cmul.form4.cores"])
def test_cmul_slow(name, formal_dir, report):
    results = run_set(get(name), build_dir=formal_dir)
    report(results)
    assert all(r.status == "PASS" for r in results)


def test_cmul_core_widths():
    """The many-width multiplier set covers the real 16x18 part and the
    widths of the 16-bit cores' twiddle stages."""
    from fftforge.config import FFTConfig
    from fftforge.formal.registry import cmul_core_widths
    widths = set(cmul_core_widths())
    assert (16, 18) in widths and (28, 18) in widths
    for arch in ("r2sdf", "r22sdf"):
        cfg = FFTConfig(n=1024, width=16, arch=arch, scaling="unscaled")
        assert {(p.width_in, cfg.twiddle_width) for p in cfg.plan() if p.kind == "twiddle"} <= widths


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
