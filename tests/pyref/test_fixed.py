from fractions import Fraction

import numpy as np
from hypothesis import given, strategies as st

from fftforge.pyref.fixed import resize, round_shift


def _exact_round(v, shift, mode):
    q = Fraction(v, 1 << shift)
    fl = q.numerator // q.denominator
    if mode == "truncate":
        return fl
    frac = q - fl
    if frac > Fraction(1, 2) or (frac == Fraction(1, 2) and fl % 2 == 1):
        return fl + 1
    return fl


@given(st.integers(-(1 << 40), 1 << 40), st.integers(0, 20), st.sampled_from(["truncate", "convergent"]))
def test_round_shift_matches_exact_rational_rounding(v, shift, mode):
    got = int(round_shift(np.array([v], dtype=np.int64), shift, mode)[0])
    assert got == _exact_round(v, shift, mode)
    # object arrays (Python ints) give the same
    assert int(round_shift(np.array([v], dtype=object), shift, mode)[0]) == got


@given(st.integers(-(1 << 20), 1 << 20), st.integers(2, 16))
def test_resize_saturate_and_wrap(v, width):
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    s, fs = resize(np.array([v]), width, "saturate")
    w, fw = resize(np.array([v]), width, "wrap")
    assert bool(fs[0]) == bool(fw[0]) == (not lo <= v <= hi)
    assert s[0] == min(max(v, lo), hi)
    assert lo <= w[0] <= hi and (w[0] - v) % (1 << width) == 0
