"""Token-mixer workloads as lists of kernels.

Every workload is evaluated for batch ``B``, sequence length ``n``, hidden
size ``d`` and heads ``h`` (all may be NumPy arrays, broadcast together) and
expands into kernels that each target knows how to cost:

:class:`Gemm`
    ``count`` real GEMMs ``C[M, N] = A[M, K] B[K, N]`` in the target's
    matmul precision.
:class:`FFT`
    ``count`` complex FFTs of ``size`` points; ``real_in`` / ``real_out``
    mark a real input or a result of which only the real part is needed.
:class:`Vec`
    elementwise real operations (``adds``, ``mults``) over ``elements``
    values.

Kernels with the same non-empty ``chain`` are one streaming pipeline on an
FPGA (FFT -> pointwise -> iFFT); other targets run them one after another.
A chain's FPGA latency and resources come from its generator configuration
(``FFTNetConfig`` / ``FilterConfig``: :func:`fftforge.costmodel.fpga.chain_model`).

Workloads (``WORKLOADS``):

``attention``
    softmax self-attention with Q/K/V/O projections:
    ``4 n d^2 + 2 n^2 d`` MACs per sequence, softmax 5 ops per score (max,
    subtract, exp, sum, divide; exp counted as one op).
``fnet-dft``
    FNet's 2D DFT as dense matmuls (Lee-Thorp et al., arXiv 2105.03824):
    ``Re(F_n X F_d)`` with ``X F_d = X [C_d | S_d]`` (M=n, K=d, N=2d) and
    ``Re(F_n Y) = [C_n | -S_n] [Re Y; Im Y]`` (M=n, K=2n, N=d):
    ``2 n d^2 + 2 n^2 d`` MACs.
``fnet-fft``
    the same transform by FFTs: n FFTs of d points (real input) then d FFTs
    of n points (real part kept).
``fftnet``
    the FFTNet spectral-filter layer (Fein-Ashley et al., arXiv 2502.18394),
    as modelled here: FFT of every channel along the sequence (real input),
    multiply by a complex filter ``W = W_base + MLP(mean(X))`` (one complex
    multiply per element; the context MLP is one d x d GEMM per sequence),
    modReLU (|z|, bias, ReLU, rescale: 3 mults + 3 adds per element), inverse
    FFT (real output).
``fftconv``
    long convolution by FFT, as benchmarked by FlashFFTConv (Fu et al.,
    arXiv 2311.05908): ``B d`` real sequences of n samples, each convolved
    (causally, so zero-padded to 2n) with its channel's n-tap filter:
    real FFT of 2n points, complex multiply by the filter spectrum (its
    ``d`` FFTs taken in the same call), real inverse FFT.
``linear``
    linear / cosine attention (Cottention, Mongaras et al., arXiv
    2404.18311): Q/K/V/O projections, row normalisation of Q and K (cosine
    similarity), then per head ``K^T V`` (d_h x d_h) and ``Q (K^T V)``:
    ``4 n d^2 + 2 n d^2 / h`` MACs, linear in n.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fftforge.errors import UserError

__all__ = ["Gemm", "FFT", "Vec", "WORKLOADS", "FFT_WORKLOADS", "build_workload", "Shape"]

WORKLOADS = ("attention", "fnet-dft", "fnet-fft", "fftnet", "linear", "fftconv")
FFT_WORKLOADS = ("fnet-fft", "fftnet", "fftconv")


@dataclass
class Gemm:
    label: str
    count: object
    M: object
    N: object
    K: object


@dataclass
class FFT:
    label: str
    count: object
    size: object
    real_in: bool = False
    real_out: bool = False
    inverse: bool = False
    chain: str = ""
    minor: bool = True          # transform along the minor (contiguous) axis


@dataclass
class Vec:
    label: str
    elements: object
    adds: object
    mults: object
    chain: str = ""
    filter_bytes: object = 0    # per-channel operand read once per call (a filter spectrum)


@dataclass
class Shape:
    """Workload sizes (each an int or an int array; broadcast together)."""
    B: object = 1
    n: object = 1024
    d: object = 768
    h: object = 12

    def arrays(self):
        B, n, d, h = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=np.int64)) for v in
                                           (self.B, self.n, self.d, self.h)))
        for name, v in (("batch", B), ("n", n), ("d", d), ("heads", h)):
            if np.any(v < 1):
                raise UserError(f"--{name} must be >= 1, got {int(np.min(v))}")
        return B, n, d, h


def build_workload(name: str, shape: Shape) -> list:
    """Kernels of workload ``name`` for ``shape`` (see the module docstring)."""
    B, n, d, h = shape.arrays()
    if name in ("attention", "linear") and np.any(d % h):
        raise UserError(f"--d must be a multiple of --heads for {name}")
    dh = d // h
    one = np.ones_like(B)
    if name == "attention":
        return [
            Gemm("QKV projections", B, n, 3 * d, d),
            Gemm("scores Q K^T", B * h, n, n, dh),
            Vec("softmax", B * h * n * n, 3 * B * h * n * n, 2 * B * h * n * n),
            Gemm("A V", B * h, n, dh, n),
            Gemm("output projection", B, n, d, d),
        ]
    if name == "fnet-dft":
        return [
            Gemm("DFT over hidden (X [C|S])", B, n, 2 * d, d),
            Gemm("DFT over sequence, real part", B, n, d, 2 * n),
        ]
    if name == "fnet-fft":
        return [
            FFT("FFT over hidden", B * n, d * one, real_in=True),
            FFT("FFT over sequence, real part", B * d, n, real_out=True, minor=False),
        ]
    if name == "fftnet":
        e = B * n * d
        return [
            Vec("context mean", B * d, B * n * d, 0 * B),
            Gemm("filter MLP (d x d)", B, one, d, d),
            FFT("FFT over sequence", B * d, n, real_in=True, chain="fftnet", minor=False),
            Vec("spectral filter (complex multiply)", e, 2 * e, 4 * e, chain="fftnet"),
            Vec("modReLU", e, 3 * e, 3 * e, chain="fftnet"),
            FFT("inverse FFT over sequence", B * d, n, real_out=True, inverse=True, chain="fftnet",
                minor=False),
        ]
    if name == "fftconv":
        e = B * d * (n + 1)                                   # complex bins of a 2n-point real FFT
        return [
            FFT("FFT of the filters", d, 2 * n, real_in=True),
            FFT("FFT of the input", B * d, 2 * n, real_in=True, chain="fftconv"),
            Vec("multiply by the filter spectrum", 2 * e, 2 * e, 4 * e, chain="fftconv",
                filter_bytes=d * (n + 1) * 4),
            FFT("inverse FFT (real output)", B * d, 2 * n, real_out=True, inverse=True, chain="fftconv"),
        ]
    if name == "linear":
        return [
            Gemm("QKV projections", B, n, 3 * d, d),
            Vec("cosine normalisation of Q, K", 2 * B * n * d, 4 * B * n * d, 4 * B * n * d),
            Gemm("K^T V per head", B * h, dh, dh, n),
            Gemm("Q (K^T V) per head", B * h, n, dh, dh),
            Gemm("output projection", B, n, d, d),
        ]
    raise UserError(f"unknown workload {name!r}; choose from {', '.join(WORKLOADS)}")
