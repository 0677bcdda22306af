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
