"""Four-step FFT passes on a matmul array: rows, MACs and coverage per pass
against a brute-force enumeration of the data (issue 13: at n = 16 or 32 the
768 small FFTs once cost one row; the 12-point pass at d = 768 was ~6 % short)."""

import itertools

import numpy as np
import pytest

from fftforge.costmodel.evaluate import Options, evaluate, fft_passes, fourstep_pass
from fftforge.costmodel.hardware import load_target
from fftforge.costmodel.workloads import Shape


def brute_force_pass(count, size, facs, i, side, real_in, real_out):
    """Enumerate every point of every transform, group the points that pass
    i combines (they differ only in digit i of the mixed-radix index), pack
    g groups per GEMM row greedily, and count."""
    f = facs[i]
    groups = {}
    for c in range(count):
        for idx in range(size):
            digits, r = [], idx
            for fj in facs:
                digits.append(r % fj)
                r //= fj
            key = (c,) + tuple(dg for j, dg in enumerate(digits) if j != i)
            groups.setdefault(key, []).append(idx)
    assert all(len(v) == f for v in groups.values())                       # each vector has f points
    covered = sorted((k[0], p) for k, v in groups.items() for p in v)
    assert covered == sorted(itertools.product(range(count), range(size)))  # each point exactly once
    k1 = f if real_in else 2 * f
    n1 = f if real_out else 2 * f
    g = max(side // (2 * f), 1)
    rows, placed = 0, 0
    for _ in groups.values():              # greedy packing: a new row every g vectors
        if placed % g == 0:
            rows += 1
        placed += 1
    return {"vectors": len(groups), "rows": rows, "macs": len(groups) * k1 * n1, "g": g}


CASES = [(768, 16), (768, 32), (1, 768), (3, 768), (2, 1024), (5, 96), (1, 8)]


@pytest.mark.parametrize("count,size", CASES)
@pytest.mark.parametrize("real_in,real_out", [(False, False), (True, False), (False, True)])
def test_pass_rows_and_macs_equal_brute_force(count, size, real_in, real_out):
    side, radix = 128, 64
    facs = [int(x) for x in fft_passes(np.array([size]), radix)[:, 0] if x > 1]
    assert int(np.prod(facs)) == size
    for i, f in enumerate(facs):
        ri = real_in and i == 0
        ro = real_out and i == len(facs) - 1
        bf = brute_force_pass(count, size, facs, i, side, ri, ro)
        m = fourstep_pass(count, size, f, side, ri, ro)
        assert int(m["vectors"]) == bf["vectors"]
        assert int(m["M"]) == bf["rows"]
        assert int(m["macs"]) == bf["macs"]
        assert int(m["g"]) == bf["g"]
        assert int(m["M"]) * int(m["g"]) >= bf["vectors"]           # no vector dropped


def test_small_ffts_are_not_one_cycle():
    """768 FFTs of 16 points: 768 vectors of 16 points, 4 per row of a
    128-wide array -> 192 rows, not 1."""
    m = fourstep_pass(768, 16, 16, 128)
    assert int(m["M"]) == 192 and int(m["macs"]) == 768 * 32 * 32


def test_evaluate_reports_brute_force_macs_per_pass():
    t = load_target("tpu-v3")
    n, d = 32, 768
    ev = evaluate("fnet-fft", t, Shape(n=n, d=d), options=Options(fft_impl="four-step-mxu"))
    passes = [(lab, dd) for lab, dd in ev.kernels if "pass" in lab]
    facs_d = [int(x) for x in fft_passes(np.array([d]), 64)[:, 0] if x > 1]       # [64, 12]
    facs_n = [int(x) for x in fft_passes(np.array([n]), 64)[:, 0] if x > 1]       # [32]
    want = []
    for i, _ in enumerate(facs_d):
        want.append(brute_force_pass(n, d, facs_d, i, 128, i == 0, False)["macs"])
    for i, _ in enumerate(facs_n):
        want.append(brute_force_pass(1, n, facs_n, i, 128, False, i == len(facs_n) - 1)["macs"] * d)
    got = [int(dd["macs"][0]) for _, dd in passes if dd["macs"][0] > 0]
    assert got == want
