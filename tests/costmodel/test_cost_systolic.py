"""Systolic GEMM model against SCALE-Sim 3.0.0.

Reference numbers: COMPUTE_REPORT.csv "Total Cycles" (stall cycles 0) of
SCALE-Sim 3.0.0 from PyPI, run on 2026-11-22 with::

    python3 -m venv /tmp/scalesim-venv
    /tmp/scalesim-venv/bin/pip install scalesim==3.0.0 "numpy<2" "pandas<2.3" "numba<0.61"
    # for each (R, C, dataflow) below, tests/costmodel/scalesim_harness.py writes
    #   cfg.cfg     ArrayHeight=R ArrayWidth=C, 6144 kB SRAMs, Bandwidth 1000, Dataflow DF
    #   topo.csv    "Layer, M, N, K," then one "G<i>, M, N, K," row per shape
    #   layout.csv  one all-ones row per layer
    # and runs
    /tmp/scalesim-venv/bin/python -m scalesim.scale -c cfg.cfg -t topo.csv -l layout.csv \
        -i gemm -p out -s N
    # i.e. /tmp/scalesim-venv/bin/python tests/costmodel/scalesim_harness.py R C DF '[[M,N,K],...]'

(99 shapes; 170 further random shapes were checked the same way while
deriving the formula.)  SCALE-Sim itself crashes (ZeroDivisionError) on
M = N = K = 1 on a 1x1 output-stationary array, where the formula gives 0.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from fftforge.costmodel import systolic

# (rows, cols, dataflow, M, N, K, SCALE-Sim 3.0.0 Total Cycles)
SCALESIM_3_0_0 = [
    (4, 4, 'os', 4, 4, 4, 9),
    (4, 4, 'os', 8, 8, 8, 55),
    (4, 4, 'os', 5, 7, 3, 35),
    (4, 4, 'os', 16, 16, 16, 351),
    (4, 4, 'os', 1, 9, 2, 23),
    (4, 4, 'os', 13, 1, 17, 91),
    (4, 4, 'os', 31, 29, 37, 2751),
    (4, 4, 'ws', 4, 4, 4, 13),
    (4, 4, 'ws', 8, 8, 8, 71),
    (4, 4, 'ws', 5, 7, 3, 29),
    (4, 4, 'ws', 16, 16, 16, 415),
    (4, 4, 'ws', 1, 9, 2, 32),
    (4, 4, 'ws', 13, 1, 17, 114),
    (4, 4, 'ws', 31, 29, 37, 3279),
    (4, 4, 'is', 4, 4, 4, 13),
    (4, 4, 'is', 8, 8, 8, 71),
    (4, 4, 'is', 5, 7, 3, 33),
    (4, 4, 'is', 16, 16, 16, 415),
    (4, 4, 'is', 1, 9, 2, 18),
    (4, 4, 'is', 13, 1, 17, 219),
    (4, 4, 'is', 31, 29, 37, 3119),
    (8, 4, 'os', 8, 4, 8, 17),
    (8, 4, 'os', 9, 5, 3, 51),
    (8, 4, 'os', 20, 30, 40, 1199),
    (8, 4, 'os', 1, 1, 7, 16),
    (8, 4, 'os', 33, 17, 2, 299),
    (8, 4, 'ws', 8, 4, 8, 25),
    (8, 4, 'ws', 9, 5, 3, 53),
    (8, 4, 'ws', 20, 30, 40, 1519),
    (8, 4, 'ws', 1, 1, 7, 18),
    (8, 4, 'ws', 33, 17, 2, 254),
    (8, 4, 'is', 8, 4, 8, 43),
    (8, 4, 'is', 9, 5, 3, 68),
    (8, 4, 'is', 20, 30, 40, 1199),
    (8, 4, 'is', 1, 1, 7, 18),
    (8, 4, 'is', 33, 17, 2, 314),
    (3, 5, 'os', 3, 5, 3, 8),
    (3, 5, 'os', 10, 11, 12, 215),
    (3, 5, 'os', 7, 1, 1, 20),
    (3, 5, 'os', 2, 19, 23, 115),
    (3, 5, 'ws', 3, 5, 3, 11),
    (3, 5, 'ws', 10, 11, 12, 227),
    (3, 5, 'ws', 7, 1, 1, 15),
    (3, 5, 'ws', 2, 19, 23, 351),
    (3, 5, 'is', 3, 5, 3, 13),
    (3, 5, 'is', 10, 11, 12, 159),
    (3, 5, 'is', 7, 1, 1, 19),
    (3, 5, 'is', 2, 19, 23, 223),
    (1, 1, 'os', 1, 2, 3, 5),
    (1, 1, 'os', 3, 2, 1, 5),
    (1, 1, 'os', 5, 4, 6, 119),
    (1, 1, 'ws', 1, 2, 3, 11),
    (1, 1, 'ws', 3, 2, 1, 7),
    (1, 1, 'ws', 5, 4, 6, 143),
    (1, 1, 'is', 1, 2, 3, 8),
    (1, 1, 'is', 3, 2, 1, 8),
    (1, 1, 'is', 5, 4, 6, 149),
    (2, 7, 'os', 2, 7, 2, 8),
    (2, 7, 'os', 15, 8, 9, 255),
    (2, 7, 'os', 6, 21, 4, 98),
    (2, 7, 'ws', 2, 7, 2, 10),
    (2, 7, 'ws', 15, 8, 9, 239),
    (2, 7, 'ws', 6, 21, 4, 89),
    (2, 7, 'is', 2, 7, 2, 15),
    (2, 7, 'is', 15, 8, 9, 254),
    (2, 7, 'is', 6, 21, 4, 59),
    (16, 16, 'os', 16, 16, 16, 45),
    (16, 16, 'os', 17, 17, 17, 187),
    (16, 16, 'os', 64, 48, 33, 755),
    (16, 16, 'os', 100, 3, 50, 559),
    (16, 16, 'ws', 16, 16, 16, 61),
    (16, 16, 'ws', 17, 17, 17, 251),
    (16, 16, 'ws', 64, 48, 33, 989),
    (16, 16, 'ws', 100, 3, 50, 583),
    (16, 16, 'is', 16, 16, 16, 61),
    (16, 16, 'is', 17, 17, 17, 251),
    (16, 16, 'is', 64, 48, 33, 1127),
    (16, 16, 'is', 100, 3, 50, 1371),
    (32, 8, 'os', 64, 64, 64, 1631),
    (32, 8, 'os', 33, 9, 100, 551),
    (32, 8, 'os', 128, 16, 8, 367),
    (32, 8, 'ws', 64, 64, 64, 2143),
    (32, 8, 'ws', 33, 9, 100, 823),
    (32, 8, 'ws', 128, 16, 8, 395),
    (32, 8, 'is', 64, 64, 64, 2143),
    (32, 8, 'is', 33, 9, 100, 1579),
    (32, 8, 'is', 128, 16, 8, 1375),
    (128, 128, 'os', 128, 128, 128, 381),
    (128, 128, 'os', 256, 128, 64, 635),
    (128, 128, 'os', 200, 300, 130, 2303),
    (128, 128, 'os', 64, 512, 128, 1527),
    (128, 128, 'ws', 128, 128, 128, 509),
    (128, 128, 'ws', 256, 128, 64, 637),
    (128, 128, 'ws', 200, 300, 130, 3491),
    (128, 128, 'ws', 64, 512, 128, 1783),
    (128, 128, 'is', 128, 128, 128, 509),
    (128, 128, 'is', 256, 128, 64, 1019),
    (128, 128, 'is', 200, 300, 130, 2727),
    (128, 128, 'is', 64, 512, 128, 893),
]


def test_reference_set_covers_ragged_small_and_all_dataflows():
    dfs = {r[2] for r in SCALESIM_3_0_0}
    assert dfs == {"os", "ws", "is"}
    assert any(r[0] == 1 and r[1] == 1 for r in SCALESIM_3_0_0)            # 1x1 array
    assert any(r[0] != r[1] for r in SCALESIM_3_0_0)                        # non-square
    assert any(r[3] % r[0] and r[4] % r[1] for r in SCALESIM_3_0_0)         # ragged folds


@pytest.mark.parametrize("R,C,df,M,N,K,total", SCALESIM_3_0_0)
def test_scalesim_compatible_cycles_exact(R, C, df, M, N, K, total):
    got = systolic.gemm_cycles(M, N, K, R, C, df, mode="scalesim")["cycles"]
    assert int(got) == total


def test_scalesim_compatible_vectorised_equals_scalar():
    ref = np.array([r[6] for r in SCALESIM_3_0_0])
    for df in ("os", "ws", "is"):
        sel = [r for r in SCALESIM_3_0_0 if r[2] == df]
        R, C, _, M, N, K, tot = (np.array(x) for x in zip(*sel))
        got = systolic.gemm_cycles(M, N, K, R, C, df, mode="scalesim")["cycles"]
        assert got.tolist() == tot.tolist()
    assert ref.size == 99


def test_overlap_mode_never_slower_and_pays_fill_once():
    for R, C, df, M, N, K, total in SCALESIM_3_0_0:
        ov = systolic.gemm_cycles(M, N, K, R, C, df, mode="overlap")
        assert int(ov["cycles"]) <= total + R + 1
    # one big weight-stationary GEMM: folds * T + load + skew
    g = systolic.gemm_cycles(4096, 256, 256, 128, 128, "ws", mode="overlap")
    assert int(g["folds"]) == 4
    assert int(g["cycles"]) == 128 + 4 * 4096 + 128 + 128 - 2
    assert int(g["compute"]) == 4 * 4096


def test_accesses_ws():
    a = systolic.gemm_accesses(100, 300, 200, 128, 128, "ws")
    # A streamed once per column fold (3), B read once, partial sums per row fold (2)
    assert (int(a["a_reads"]), int(a["b_reads"]), int(a["c_writes"])) == (3 * 100 * 200, 200 * 300, 2 * 100 * 300)


def test_dram_elements_fit_and_blocked():
    assert int(systolic.dram_elements(10, 20, 30, 10**6)) == 10 * 30 + 30 * 20 + 10 * 20
    # S = 3 * 8^2: 8x8 tiles -> A read ceil(64/8) = 8 times, B 8 times
    assert int(systolic.dram_elements(64, 64, 64, 192)) == 64 * 64 * 8 * 2 + 64 * 64


SCALESIM_PY = "/tmp/scalesim-venv/bin/python"


@pytest.mark.skipif(not os.path.exists(SCALESIM_PY), reason="SCALE-Sim venv not installed at /tmp/scalesim-venv")
def test_live_scalesim_spot_check(tmp_path):
    shapes = [[37, 11, 23], [8, 8, 8], [3, 50, 9]]
    harness = os.path.join(os.path.dirname(__file__), "scalesim_harness.py")
    for df in ("os", "ws", "is"):
        out = subprocess.run([SCALESIM_PY, "-c", (
            "import sys, json; sys.path.insert(0, %r); from scalesim_harness import run; "
            "rows, _ = run(8, 4, %r, %r, workdir=%r); print(json.dumps(rows))")
            % (os.path.dirname(harness), df, shapes, str(tmp_path / df))],
            capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        rows = json.loads(out)
        assert len(rows) == len(shapes)
        for R, C, d, M, N, K, _incl, total, stall in rows:
            assert stall == 0
            assert int(systolic.gemm_cycles(M, N, K, R, C, d, "scalesim")["cycles"]) == total
