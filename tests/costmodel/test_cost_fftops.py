"""FFT operation counts: closed forms against the recursive count."""

import numpy as np
import pytest

from fftforge.costmodel import fftops

NS = [2 ** k for k in range(2, 14)]          # 4 ... 8192


@pytest.mark.parametrize("alg", fftops.ALGORITHMS)
def test_closed_form_equals_recursion(alg):
    a, m = fftops.fft_ops(np.array(NS), alg)
    for i, n in enumerate(NS):
        assert (int(a[i]), int(m[i])) == fftops.recursive_ops(n, alg), (alg, n)


def test_classical_totals():
    for n in NS:
        L = n.bit_length() - 1
        assert sum(fftops.recursive_ops(n, "radix2")) == 5 * n * L - 10 * n + 16
        assert sum(fftops.recursive_ops(n, "split_radix")) == 4 * n * L - 6 * n + 8


def test_split_radix_fewest_and_radix4_between():
    for n in NS[2:]:
        s2 = sum(fftops.recursive_ops(n, "radix2"))
        s4 = sum(fftops.recursive_ops(n, "radix4"))
        ss = sum(fftops.recursive_ops(n, "split_radix"))
        assert ss <= s4 < s2
        if n >= 64:
            assert ss < s4


def test_small_known_values():
    # 8-point radix-2: 4 nontrivial real mults (two W_8 rotations), 52 adds
    assert fftops.recursive_ops(8, "radix2") == (52, 4)
    assert fftops.recursive_ops(4, "radix4") == (16, 0)


def test_nominal_flops():
    assert fftops.nominal_flops(1024) == 5 * 1024 * 10


# ------------------------------------------------------------ mixed sizes
def _twiddles_by_value(P, Q):
    """Brute force: compute every twiddle W_n^(p q) of the step n = P Q and
    classify it by its value (+-1 / +-j free; |re| = |im| an odd power of
    W_8; else general)."""
    n = P * Q
    free = cheap = general = 0
    for p in range(P):
        for q in range(Q):
            w = np.exp(-2j * np.pi * p * q / n)
            if min(abs(w - v) for v in (1, -1, 1j, -1j)) < 1e-9:
                free += 1
            elif abs(abs(w.real) - abs(w.imag)) < 1e-9:
                cheap += 1
            else:
                general += 1
    return free, cheap, general


def _ct_fft(x, P, Q):
    """n = P Q Cooley-Tukey step (decimation in time on the P-point part):
    Q transforms of P points, twiddles, P transforms of Q points."""
    n = P * Q
    a = x.reshape(P, Q)                                   # x[Q p + q]
    b = np.fft.fft(a, axis=0)                             # P-point DFTs, one per q
    b = b * np.exp(-2j * np.pi * np.outer(np.arange(P), np.arange(Q)) / n)
    c = np.fft.fft(b, axis=1)                             # Q-point DFTs, one per k1
    return c.T.reshape(n)                                 # X[k1 + P k2]


@pytest.mark.parametrize("P,Q", [(2, 3), (4, 3), (8, 3), (256, 3), (16, 5), (64, 3), (4, 15), (3, 5)])
def test_cooley_tukey_step_twiddles_and_structure(P, Q):
    rng = np.random.default_rng(P * Q)
    x = rng.standard_normal(P * Q) + 1j * rng.standard_normal(P * Q)
    assert np.allclose(_ct_fft(x, P, Q), np.fft.fft(x))           # the step computes the DFT
    assert fftops.twiddle_classes(P, Q) == _twiddles_by_value(P, Q)


def test_mixed_size_counts_the_power_of_two_part_like_a_power_of_two():
    """issue 13: 768 = 256 x 3 was eight radix-2 steps with every twiddle
    general (43.3 real operations per point, more than 1024's 34.0); it is
    one Cooley-Tukey step between a split-radix 256 and Winograd 3-point
    DFTs, the twiddles costed as they are."""
    free, cheap, general = _twiddles_by_value(256, 3)
    sa, sm = (int(v) for v in fftops.split_radix_ops(256))
    assert fftops.any_ops(768) == (3 * sa + 256 * 12 + 2 * cheap + 2 * general,
                                   3 * sm + 256 * 4 + 2 * cheap + 4 * general)
    assert sum(fftops.any_ops(768)) / 768 < 36
    per_point = lambda n: sum(fftops.any_ops(n)) / n
    for a in range(2, 14):
        # like a power of two of about its size: between the per-point counts
        # of 2^(a+1) and 2^(a+2) (+ 1.5 operations for the twiddles)
        n = 3 << a
        assert per_point(2 << a) < per_point(n) < per_point(4 << a) + 1.5, n
    # odd sizes: smallest prime first, Winograd kernels, exact twiddles
    assert fftops.any_ops(15) == (3 * 34 + 5 * 12 + 2 * 8, 3 * 10 + 5 * 4 + 4 * 8)
