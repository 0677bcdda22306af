"""Exact real-operation counts of complex FFTs.

Conventions (those of Duhamel & Vetterli, "Fast Fourier transforms: a
tutorial review and a state of the art", Signal Processing 19, 1990):

* a complex addition is 2 real additions;
* a general complex multiplication is 4 real multiplications and 2 real
  additions;
* multiplications by +-1 and +-j are free;
* a multiplication by an odd power of ``W_8 = exp(-j pi / 4)`` costs 2 real
  multiplications and 2 real additions.

Closed forms (N a power of two, N >= 4, ``L = log2 N``), as
(real additions, real multiplications):

=============================  ==============================  ==============================
algorithm                      additions                       multiplications
=============================  ==============================  ==============================
radix-2 DIT                    3 N L - 3 N + 4                 2 N L - 7 N + 12
radix-4 DIT (L even)           (33 N L - 26 N + 32) / 12       (3/2) N L - 5 N + 8
radix-4 DIT (L odd)            one radix-2 step, then two radix-4 transforms of N/2
split-radix                    total - mults                   (12 N L - 38 N + 54 + 2 (-1)^L) / 9
=============================  ==============================  ==============================

The totals are the classical ``5 N L - 10 N + 16`` (radix-2) and
``4 N L - 6 N + 8`` (split-radix, Yavne 1968; Duhamel & Vetterli 1990).
Every closed form is tested against :func:`recursive_ops`, which walks the
recursion and classifies every twiddle factor, for N = 4 ... 8192.

FLOP convention for throughput figures: ``5 N log2 N`` (FFTW's benchFFT
"mflops" convention), see :func:`nominal_flops`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

__all__ = ["ALGORITHMS", "fft_ops", "radix2_ops", "radix4_ops", "split_radix_ops",
           "recursive_ops", "nominal_flops"]

ALGORITHMS = ("radix2", "radix4", "split_radix")


def _log2(n):
    return np.log2(np.asarray(n, dtype=np.float64)).round().astype(np.int64)


def radix2_ops(n):
    """(adds, mults) of a radix-2 DIT FFT of size ``n`` (array-valued, n >= 4)."""
    n = np.asarray(n, dtype=np.int64)
    L = _log2(n)
    return 3 * n * L - 3 * n + 4, 2 * n * L - 7 * n + 12


def split_radix_ops(n):
    """(adds, mults) of the split-radix FFT of size ``n`` (array-valued, n >= 4)."""
    n = np.asarray(n, dtype=np.int64)
    L = _log2(n)
    sign = np.where(L % 2 == 0, 1, -1)
    mults = (12 * n * L - 38 * n + 54 + 2 * sign) // 9
    total = 4 * n * L - 6 * n + 8
    return total - mults, mults


def _radix4_pow4(n, L):
    adds = (33 * n * L - 26 * n + 32) // 12
    mults = (3 * n * L) // 2 - 5 * n + 8
    return adds, mults


def radix4_ops(n):
    """(adds, mults) of a radix-4 DIT FFT of size ``n`` (array-valued, n >= 4).

    For odd ``log2 n`` one radix-2 DIT step (2N adds of butterflies and the
    twiddles ``W_N^k``, k = 1 .. N/2-1, of which N/2 - 4 are general and two
    are odd powers of W_8) splits the transform into two radix-4 ones.
    """
    n = np.asarray(n, dtype=np.int64)
    L = _log2(n)
    even = L % 2 == 0
    half = np.where(even, n, n // 2)
    a4, m4 = _radix4_pow4(half, _log2(half))
    tw_mult = 4 * (n // 2 - 4) + 2 * 2
    tw_add = 2 * (n // 2 - 4) + 2 * 2
    adds = np.where(even, a4, 2 * a4 + 2 * n + tw_add)
    mults = np.where(even, m4, 2 * m4 + tw_mult)
    return adds, mults


def fft_ops(n, algorithm="split_radix"):
    """(adds, mults) of a complex FFT of size ``n`` with ``algorithm``."""
    if algorithm == "radix2":
        return radix2_ops(n)
    if algorithm == "radix4":
        return radix4_ops(n)
    if algorithm == "split_radix":
        return split_radix_ops(n)
    raise ValueError(f"algorithm must be one of {', '.join(ALGORITHMS)}, got {algorithm!r}")


def nominal_flops(n):
    """``5 N log2 N`` (FFTW benchFFT convention), array-valued."""
    n = np.asarray(n, dtype=np.float64)
    return 5.0 * n * np.log2(n)


# ----------------------------------------------------------------- recursion
def _twiddle_cost(e: int, N: int):
    """(adds, mults) of multiplying by W_N^e."""
    e %= N
    if e % (N // 4 if N >= 4 else N) == 0:
        return 0, 0                      # +-1, +-j
    if N >= 8 and e % (N // 8) == 0:
        return 2, 2                      # odd power of W_8
    return 2, 4


@lru_cache(maxsize=None)
def recursive_ops(n: int, algorithm: str = "split_radix"):
    """(adds, mults) by walking the recursion and costing every twiddle.

    The reference for the closed forms; plain Python, so keep ``n`` moderate.
    """
    if n == 1:
        return 0, 0
    if n == 2:
        return 4, 0
    if algorithm == "radix2" or (algorithm == "radix4" and (n.bit_length() - 1) % 2 == 1):
        a, m = recursive_ops(n // 2, algorithm)
        a, m = 2 * a + 2 * n, 2 * m        # n/2 butterflies of 2 complex adds
        for k in range(1, n // 2):
            ta, tm = _twiddle_cost(k, n)
            a, m = a + ta, m + tm
        return a, m
    if algorithm == "radix4":
        a, m = recursive_ops(n // 4, algorithm)
        a, m = 4 * a + 4 * n, 4 * m        # n/4 butterflies of 8 complex adds
        for k in range(n // 4):
            for p in (1, 2, 3):
                ta, tm = _twiddle_cost(p * k, n)
                a, m = a + ta, m + tm
        return a, m
    if algorithm == "split_radix":
        a2, m2 = recursive_ops(n // 2, algorithm)
        a4, m4 = recursive_ops(n // 4, algorithm)
        a, m = a2 + 2 * a4 + 3 * n, m2 + 2 * m4   # n/4 L-butterflies of 6 complex adds
        for k in range(n // 4):
            for p in (1, 3):
                ta, tm = _twiddle_cost(p * k, n)
                a, m = a + ta, m + tm
        return a, m
    raise ValueError(f"algorithm must be one of {', '.join(ALGORITHMS)}, got {algorithm!r}")


# ------------------------------------------------- any size, real input
#: Real (adds, mults) of a prime-size DFT by Winograd's small-DFT algorithms
#: (Winograd, "On computing the discrete Fourier transform", Math. Comp. 32,
#: 1978): 3 points 12 adds / 4 mults, 5 points 34 / 10, 7 points 72 / 16
#: (complex input; real multiplications by real constants).
WINOGRAD_SMALL = {2: (4, 0), 3: (12, 4), 5: (34, 10), 7: (72, 16)}


def _smallest_prime(n: int) -> int:
    p = 2
    while p * p <= n:
        if n % p == 0:
            return p
        p += 1
    return n


def twiddle_classes(P: int, Q: int):
    """(free, cheap, general) counts of the twiddles ``W_n^(p q)``, p < P,
    q < Q, n = P Q, of one Cooley-Tukey step (P transforms of Q points and
    Q of P points).  Free: +-1, +-j (``4 p q = 0 mod n``); cheap: an odd
    power of ``W_8`` (``8 p q = 0 mod n``, 2 real mults and 2 adds);
    general: the rest (4 mults, 2 adds).  Exact: for each p (of the smaller
    factor), ``k p q = 0 mod n`` holds for the q that are multiples of
    ``n / gcd(n, k p)``, so the pairs are counted in O(min(P, Q))."""
    n = P * Q
    a, b = (P, Q) if P <= Q else (Q, P)
    p = np.arange(a, dtype=np.int64)

    def count(k):
        step = n // np.gcd(n, k * p)              # p = 0: gcd(n, 0) = n, step 1
        return int((-(-b // step)).sum())

    nf = count(4)
    nc = count(8) - nf
    return nf, nc, n - nf - nc


def _ct_step(P: int, Q: int, ops_p, ops_q):
    """(adds, mults) of one Cooley-Tukey step n = P Q: Q transforms of P
    points, P of Q points, and the twiddles between them (classified by
    :func:`twiddle_classes`)."""
    _, nc, ng = twiddle_classes(P, Q)
    return (Q * ops_p[0] + P * ops_q[0] + 2 * nc + 2 * ng,
            Q * ops_p[1] + P * ops_q[1] + 2 * nc + 4 * ng)


@lru_cache(maxsize=None)
def any_ops(n: int):
    """(adds, mults) of a complex FFT of any size ``n >= 1``.

    * Powers of two: the exact split-radix count.
    * ``n = P Q`` with ``P = 2^a >= 2`` its power-of-two part and ``Q > 1``
      odd: one Cooley-Tukey step (Duhamel & Vetterli 1990, sec. 3) -- Q
      split-radix transforms of P points, P transforms of Q points, and the
      twiddles ``W_n^(p q)`` between them, each costed as it is (free,
      odd power of W_8, or general: :func:`twiddle_classes`).  The power-of-
      two part is thus counted like a power-of-two size (so 768 = 256 x 3
      costs 35.3 real operations per point, not the 43.3 of eight radix-2
      steps with general twiddles that the smallest-prime-first recursion
      gave: issue 13).
    * Odd ``n``: one Cooley-Tukey step on the smallest prime factor p
      (``n = p m``): m p-point DFTs (Winograd counts, or the direct
      ``(p-1)^2`` complex multiply-adds for primes above 7), p transforms
      of m points, and the twiddles as above.

    Mixed-radix libraries (FFTW, pocketfft/DUCC, cuFFT) factor sizes this
    way, power-of-two radices with the odd factors' own kernels; the count
    is an operation count of that algorithm, not of any one library's code.
    """
    n = int(n)
    if n <= 1:
        return 0, 0
    if n & (n - 1) == 0:
        if n == 2:
            return 4, 0
        a, m = split_radix_ops(n)
        return int(a), int(m)
    P = n & -n
    if P > 1:
        return _ct_step(P, n // P, any_ops(P), any_ops(n // P))
    p = _smallest_prime(n)
    m = n // p
    if m == 1:
        if p in WINOGRAD_SMALL:
            return WINOGRAD_SMALL[p]
        return 2 * (p - 1) * p + 2 * (p - 1) ** 2, 4 * (p - 1) ** 2
    return _ct_step(m, p, any_ops(m), any_ops(p))


def real_ops(n, real_in=False, real_out=False):
    """Real operations (adds + mults) of one transform of ``n`` points
    (array-valued).  A real input (or a real-only output) is done as a
    complex transform of n/2 points plus the split step (n/2 butterflies
    with a twiddle: 10 real ops per bin pair, ``5 n / 2`` in all), the
    textbook real-FFT trick (e.g. Press et al., Numerical Recipes, sec.
    12.3); otherwise the full complex count of :func:`any_ops`."""
    n = np.asarray(n, dtype=np.int64)
    half = (real_in | real_out) & (n % 2 == 0) & (n >= 4)
    uniq = np.unique(np.concatenate([n.ravel(), (n // 2).ravel()]))
    tot = {int(u): sum(any_ops(int(u))) for u in uniq}
    full = np.vectorize(lambda v: tot[int(v)], otypes=[np.float64])(n)
    hv = np.vectorize(lambda v: tot[int(v)], otypes=[np.float64])(np.maximum(n // 2, 1))
    return np.where(half, hv + 2.5 * n, full)
