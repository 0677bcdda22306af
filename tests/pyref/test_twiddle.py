import numpy as np
import pytest

from fftforge.pyref.cmul import rotate
from fftforge.pyref.twiddle import exponents, phase_factors, quarter_table


@pytest.mark.parametrize("period", [8, 64, 1024])
@pytest.mark.parametrize("tw", [4, 18, 32])
def test_quarter_table_is_rounded_and_symmetric(period, tw):
    c, s = quarter_table(period, tw)
    lim = (1 << (tw - 1)) - 1
    assert np.all(np.abs(c) <= lim) and np.all(np.abs(s) <= lim)
    theta = 2 * np.pi * np.arange(len(c)) / period
    scale = 1 << (tw - 1)
    # each entry is the integer nearest to the value clipped to +-lim
    assert np.all(np.abs(c - np.clip(np.cos(theta) * scale, -lim, lim)) <= 0.5 + 1e-9)
    assert np.all(np.abs(s - np.clip(-np.sin(theta) * scale, -lim, lim)) <= 0.5 + 1e-9)


@pytest.mark.parametrize("pattern, period", [("r2", 8), ("r2", 256), ("r22", 16), ("r22", 1024)])
def test_phase_factors_reconstruct_the_twiddles(pattern, period):
    tw = 24
    rot, addr, triv = phase_factors(period, pattern, tw)
    c, s = quarter_table(period, tw)
    cr, sr = rotate(c[addr], s[addr], rot)
    w = (cr + 1j * sr) / (1 << (tw - 1))
    e = exponents(period, pattern)
    exact = np.exp(-2j * np.pi * e / period)
    nontriv = ~triv
    assert np.max(np.abs(w[nontriv] - exact[nontriv])) < 2.0 ** -(tw - 2)
    # trivial phases are exact powers of -j
    assert np.allclose(exact[triv], (-1j) ** rot[triv], atol=1e-12)


def test_r22_pattern_is_the_radix_2_squared_decomposition():
    # After a BF2I/BF2II pair of block L the twiddle exponents are n*(0,2,1,3)[quarter]
    L = 32
    e = exponents(L, "r22")
    q = L // 4
    for j in range(L):
        assert e[j] == (j % q) * (0, 2, 1, 3)[j // q]
