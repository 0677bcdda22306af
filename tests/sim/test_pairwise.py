"""fftforge.sim.pairwise: the greedy strength-2 covering array covers every
pair (checked against a brute-force enumeration), keeps fixed rows and
constraints, is deterministic, and its preferences keep the coverage."""

import itertools

import pytest

from fftforge.sim.pairwise import all_pairs, pairwise_rows, row_pairs, uncovered_pairs

FACTORS = {"a": [0, 1, 2], "b": ["x", "y"], "c": [True, False], "d": [1, 2, 4, 8], "e": ["p", "q", "r"]}


def _brute_uncovered(rows, factors, allowed=None):
    missing = []
    for f, g in itertools.combinations(sorted(factors), 2):
        for vf, vg in itertools.product(factors[f], factors[g]):
            possible = allowed is None or any(
                allowed(dict(zip(sorted(factors), vals)))
                for vals in itertools.product(*(factors[n] for n in sorted(factors)))
                if dict(zip(sorted(factors), vals))[f] == vf and dict(zip(sorted(factors), vals))[g] == vg)
            if possible and not any(r[f] == vf and r[g] == vg for r in rows):
                missing.append((f, vf, g, vg))
    return missing


@pytest.mark.parametrize("seed", range(5))
def test_every_pair_is_covered(seed):
    rows = pairwise_rows(FACTORS, seed=seed)
    assert not _brute_uncovered(rows, FACTORS)
    assert not uncovered_pairs(rows, FACTORS)
    assert all(set(r) == set(FACTORS) and all(r[f] in FACTORS[f] for f in r) for r in rows)
    # far fewer rows than the full product (3*2*2*4*3 = 144); at least 4*3
    assert 12 <= len(rows) <= 20
    assert pairwise_rows(FACTORS, seed=seed) == rows          # deterministic


def test_uncovered_pairs_sees_a_missing_pair():
    rows = pairwise_rows(FACTORS, seed=1)
    assert len(all_pairs(FACTORS)) == sum(len(FACTORS[f]) * len(FACTORS[g])
                                          for f, g in itertools.combinations(FACTORS, 2))
    for k in range(len(rows)):
        dropped = rows[:k] + rows[k + 1:]
        assert uncovered_pairs(dropped, FACTORS) == set(_brute_uncovered(dropped, FACTORS))


def test_fixed_rows_constraints_and_preferences():
    fixed = [dict(a=2, b="y", c=False, d=8, e="r"), dict(a=0, b="x", c=True, d=1, e="p")]

    def allowed(r):
        return not (r["d"] == 8 and r["e"] == "q")          # e.g. lanes <= n/2

    rows = pairwise_rows(FACTORS, fixed=fixed, allowed=allowed, seed=3,
                         prefer=[("e", "p"), ("d", 1)])
    assert rows[:2] == fixed
    assert all(allowed(r) for r in rows)
    assert not _brute_uncovered(rows, FACTORS, allowed)
    assert ("d", 8, "e", "q") not in all_pairs(FACTORS, allowed)
    assert not uncovered_pairs(rows, FACTORS, allowed)
    # a preference is taken only where it keeps every pair covered
    plain = pairwise_rows(FACTORS, fixed=fixed, allowed=allowed, seed=3)
    assert len(rows) == len(plain)
    assert sum(r["e"] == "p" for r in rows) >= sum(r["e"] == "p" for r in plain)
    with pytest.raises(ValueError, match="not allowed"):
        pairwise_rows(FACTORS, fixed=[dict(a=0, b="x", c=True, d=8, e="q")], allowed=allowed)


def test_row_pairs():
    assert row_pairs({"b": 1, "a": 2, "c": 3}) == {("a", 2, "b", 1), ("a", 2, "c", 3), ("b", 1, "c", 3)}


def test_fft_factors_span_the_option_table():
    from fftforge.config import LANES, TARGETS, FFTConfig
    from fftforge.sim.pairwise import CONSTRAINED_SCALINGS, fft_factors, scaling_config
    f = fft_factors()
    for name, allowed in FFTConfig.OPTIONS:
        want = set(allowed) | ({"scaled-clip"} if name == "scaling" else set())
        if name == "scaling":
            want -= set(CONSTRAINED_SCALINGS)
        assert set(f[name]) == want and len(f[name]) == len(want), name
    assert f["lanes"] == list(LANES) and f["target"] == list(TARGETS) and f["n"] == ["small", "large"]
    # the soak's form: its own N values, no target factor
    g = fft_factors(n=[16, 1024], target=False)
    assert g["n"] == [16, 1024] and "target" not in g
    assert fft_factors(target=["generic", "ecp5"])["target"] == ["generic", "ecp5"]
    assert scaling_config("scaled-clip", 16) == {"scaling": "scaled", "schedule": (0, 0, 1, 1)}
    assert scaling_config("unscaled", 16) == {"scaling": "unscaled"}
    # what is left out is refused with the options the arrays vary
    with pytest.raises(Exception, match="order"):
        FFTConfig(n=16, scaling="bfp", order="bit_reversed")
