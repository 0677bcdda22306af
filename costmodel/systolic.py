"""Systolic-array GEMM model (vectorised over NumPy arrays).

GEMM convention (SCALE-Sim's): ``C[M, N] = A[M, K] @ B[K, N]``.  Each
dataflow maps the GEMM onto an ``R x C`` array as SCALE-Sim 3.0.0 does
(``topology_utils.calc_spatio_temporal_params``):

=========  ======  ======  ======  ==========================================
dataflow   S_r     S_c     T       stationary operand
=========  ======  ======  ======  ==========================================
``os``     M       N       K       outputs (C) stay in the PEs
``ws``     K       N       M       weights (B) stay in the PEs
``is``     K       M       N       inputs (A) stay in the PEs
=========  ======  ======  ======  ==========================================

The work is cut into ``folds = ceil(S_r / R) * ceil(S_c / C)`` array-sized
tiles, each streaming ``T`` operand rows.

``mode="scalesim"``
    SCALE-Sim 3.0.0's stall-free "Total Cycles": each fold runs to completion
    before the next starts (its demand matrices in
    ``compute/systolic_compute_{os,ws,is}.py``)::

        os:     cycles = folds * (T + R + C - 2) - 1
        ws, is: cycles = folds * (T + 2R + C - 2) - 1

    i.e. per fold: T streaming cycles, R - 1 input skew, C - 1 output skew,
    plus (ws/is) R cycles to load the stationary tile.  Verified equal on
    every shape in ``tests/costmodel/test_cost_systolic.py``.
``mode="overlap"`` (realistic)
    Double-buffered stationary tiles (as in TPUv1's weight FIFO): loading
    or draining a tile overlaps the previous fold, so a fold costs
    ``max(T, R)`` cycles and the fill/skew is paid once::

        cycles = [R if ws/is] + folds * max(T, R) + R + C - 2
"""

from __future__ import annotations

import numpy as np

from fftforge.errors import UserError

__all__ = ["DATAFLOWS", "MODES", "gemm_cycles", "gemm_accesses", "dram_elements",
           "multi_array_gemm"]

DATAFLOWS = ("os", "ws", "is")
MODES = ("scalesim", "overlap")


def _i(x):
    return np.asarray(x, dtype=np.int64)


def _ceil_div(a, b):
    return -(-a // b)


def _spatial(M, N, K, df):
    if df == "os":
        return M, N, K
    if df == "ws":
        return K, N, M
    if df == "is":
        return K, M, N
    raise UserError(f"--dataflow must be one of {', '.join(DATAFLOWS)}, got {df!r}")


def gemm_cycles(M, N, K, rows, cols, dataflow="ws", mode="scalesim") -> dict:
    """Cycles of one GEMM on one ``rows x cols`` array.

    Parameters
    ----------
    M, N, K : int or array_like
        GEMM sizes (broadcast together); must be >= 1.
    rows, cols : int or array_like
        Array height R and width C.
    dataflow : {"os", "ws", "is"}
    mode : {"scalesim", "overlap"}
        See the module docstring.

    Returns
    -------
    dict of ndarray
        ``cycles`` (total), ``compute`` (folds * T: cycles in which operands
        stream), ``fill_drain`` (cycles - compute), ``folds``, ``macs``
        (M*N*K), ``utilization`` (macs / (R*C*cycles)).
    """
    if mode not in MODES:
        raise UserError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    M, N, K, R, C = (_i(v) for v in (M, N, K, rows, cols))
    for name, v in (("M", M), ("N", N), ("K", K), ("rows", R), ("cols", C)):
        if np.any(v < 1):
            raise UserError(f"GEMM size {name} must be >= 1, got {int(np.min(v))}")
    Sr, Sc, T = _spatial(M, N, K, dataflow)
    folds = _ceil_div(Sr, R) * _ceil_div(Sc, C)
    load = R if dataflow in ("ws", "is") else 0
    if mode == "scalesim":
        cycles = folds * (T + R + C - 2 + load) - 1
    else:
        cycles = load + folds * np.maximum(T, R) + R + C - 2
    compute = folds * T
    macs = M * N * K
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(cycles > 0, macs / (R * C * np.maximum(cycles, 1)), 0.0)
    return {"cycles": cycles, "compute": compute, "fill_drain": cycles - compute,
            "folds": folds, "macs": macs, "utilization": util}


def gemm_accesses(M, N, K, rows, cols, dataflow="ws") -> dict:
    """SRAM element accesses of one GEMM (operand reads, output writes).

    The streaming operand is re-read once per fold along the other spatial
    dimension; the stationary one is read once; partial sums are written
    once per fold of the reduction dimension (ws/is)::

        os: A reads = ceil(N/C) M K, B reads = ceil(M/R) K N, C writes = M N
        ws: A reads = ceil(N/C) M K, B reads = K N,          C writes = ceil(K/R) M N
        is: A reads = M K,          B reads = ceil(M/C) K N, C writes = ceil(K/R) M N

    Returns
    -------
    dict of ndarray: ``a_reads``, ``b_reads``, ``c_writes``, ``total``.
    """
    M, N, K, R, C = (_i(v) for v in (M, N, K, rows, cols))
    if dataflow == "os":
        a, b, c = _ceil_div(N, C) * M * K, _ceil_div(M, R) * K * N, M * N
    elif dataflow == "ws":
        a, b, c = _ceil_div(N, C) * M * K, K * N, _ceil_div(K, R) * M * N
    elif dataflow == "is":
        a, b, c = M * K, _ceil_div(M, C) * K * N, _ceil_div(K, R) * M * N
    else:
        raise UserError(f"--dataflow must be one of {', '.join(DATAFLOWS)}, got {dataflow!r}")
    return {"a_reads": a, "b_reads": b, "c_writes": c, "total": a + b + c}


def dram_elements(M, N, K, sram_elements) -> np.ndarray:
    """Off-chip element traffic of one GEMM with an on-chip SRAM.

    If A, B and C fit in SRAM together each is moved once
    (``MK + KN + MN``).  Otherwise the output is blocked in ``t x t`` tiles
    with ``t = floor(sqrt(sram / 3))`` (one tile each of A, B and C
    resident), so A is read ``ceil(N/t)`` times and B ``ceil(M/t)`` times:
    ``MK ceil(N/t) + KN ceil(M/t) + MN`` (the classical blocked-GEMM I/O
    count, Hong & Kung 1981).
    """
    M, N, K = (_i(v) for v in (M, N, K))
    S = np.asarray(sram_elements, dtype=np.float64)
    once = M * K + K * N + M * N
    t = np.maximum(np.floor(np.sqrt(S / 3.0)), 1).astype(np.int64)
    blocked = M * K * _ceil_div(N, t) + K * N * _ceil_div(M, t) + M * N
    return np.where(once <= S, once, np.maximum(blocked, once))


def multi_array_gemm(count, M, N, K, rows, cols, arrays, dataflow="ws", mode="overlap") -> dict:
    """``count`` independent GEMMs on a chip with ``arrays`` identical arrays.

    Whole GEMMs are spread over the arrays (``ceil(count / arrays)`` rounds);
    when there are fewer GEMMs than arrays, each GEMM's larger output
    dimension (M or N) is split over ``arrays // count`` arrays.

    Returns the :func:`gemm_cycles` dict for the chip, with ``cycles``,
    ``compute`` and ``fill_drain`` multiplied by the number of rounds and
    ``macs`` by ``count``; ``utilization`` is over all arrays.
    """
    count, M, N, K = (_i(v) for v in (count, M, N, K))
    A = _i(arrays)
    split = np.where(count < A, np.maximum(A // np.maximum(count, 1), 1), 1)
    split_m = M >= N
    m_each = np.where(split_m, _ceil_div(M, split), M)
    n_each = np.where(split_m, N, _ceil_div(N, split))
    rounds = np.where(count < A, 1, _ceil_div(count, A))
    g = gemm_cycles(m_each, n_each, K, rows, cols, dataflow, mode)
    cyc = g["cycles"] * rounds
    macs = M * N * K * count
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(cyc > 0, macs / (_i(rows) * _i(cols) * A * np.maximum(cyc, 1)), 0.0)
    return {"cycles": cyc, "compute": g["compute"] * rounds, "fill_drain": g["fill_drain"] * rounds,
            "folds": g["folds"] * rounds, "macs": macs, "utilization": util,
            "m_per_array": m_each, "n_per_array": n_each, "rounds": rounds}
