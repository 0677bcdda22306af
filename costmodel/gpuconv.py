"""FlashFFTConv's published GPU benchmark, op by op (``fftforge cost validate``).

What was timed (HazyResearch/flash-fft-conv, ``benchmarks/benchmark_flashfftconv.py``,
function ``gated conv``, the README's table): ``u``, ``pregate``, ``postgate``
of shape (B, H, N) in fp16, ``k`` (H, N) in fp32, FFT size N = the sequence
length (no zero padding), every time scaled to B = 64, H = 768.

PyTorch (``ref_fftconv_gated``): every op is its own kernel and a round trip
through HBM.  Bytes per element of (B, H, N); PyTorch's cuFFT glue is
``aten/src/ATen/native/cuda/SpectralOps.cpp``:

=================================  ==============================================
op                                 HBM traffic
=================================  ==============================================
``pregate.float()``, ``u.float()`` read 2, write 4 (each)
``pregate * u`` (fp32)             read 4 + 4, write 4
``torch.fft.fft(real, n=N)``       R2C into the first half of a full-size
                                   complex64 output (read 4, write 4), then the
                                   conjugate-symmetric half filled in (read 4,
                                   write 4); every further cuFFT pass reads and
                                   writes the half spectrum again (4 + 4)
``torch.fft.fft(k.float(), n=N)``  the same on the H N filter values
``u_f * k_f``                      read 8 (+ 8 per filter value), write 8
``torch.fft.ifft(y_f, n=N)``       C2C, read 8 + write 8 per cuFFT pass, then the
                                   1/N normalisation in place (``mul_``: 8 + 8)
``postgate.float()``               read 2, write 4
``.real[..., :L] * postgate``      reads the real parts of complex64 (8 bytes: a
                                   memory sector carries both parts), 4, writes 4
``.to(fp16).contiguous()``         read 4, write 2
=================================  ==============================================

cuFFT passes: ``ceil(log2 n / log2 fft_single_pass)`` for an n-point complex
transform (the preset's ``fft_single_pass``; an R2C of N real points is an
N/2-point complex transform).  FLOPs: the split-radix counts of
:mod:`.fftops` on the fp32 CUDA cores (these ops are memory-bound).

FlashFFTConv (``flashfftconv/conv.py``, ``FlashFFTConv.forward``):

* every call: ``k_f = torch.fft.fft(k, n=N)`` in fp32 (the R2C + fill above on
  H N values), permuted into the kernel's order by reshape-transpose copies
  (read 8, write 8 each: one per factor boundary, so one for 16x16 / 32x32,
  two for the order-3 kernels (ASSUMPTION: their forward code was not read),
  three beyond 32K) and cast to fp16 (read 8, write 4);
* N <= 32768: one fused kernel (``monarch_conv_forward*``) reads ``u``, the
  two gates (2 bytes each) and ``k_f`` (4 bytes per filter value) and writes
  ``y`` (2 bytes); the FFT of N points factors as in ``conv.py`` (16x16,
  32x32, 16x16x16, 32x16x16, 16x32x32, 32x32x32), each factor f a complex
  matmul on the tensor cores: 8 f real FLOPs per point, forward and inverse;
* N = r x 32768 > 32768: the gates as fp16 elementwise ops (ASSUMPTION: the
  repository has fused gated butterflies only for padded inputs), a butterfly
  kernel (r-point DFT; read 2, write 4), the 32x32x32 complex kernel (read 4,
  write 4, plus ``k_f``), the inverse butterfly (read 4, write 2).

Time of an op: ``max(bytes / (eta_hbm * dram_bandwidth), flops / rate)``,
ops in series; ``rate`` is the fp32 peak for CUDA-core ops and
``eta_tc * fp16 peak`` for the fused kernels' DFT matmuls.  ``eta_hbm`` (the
fraction of peak HBM bandwidth a streaming kernel reaches) and ``eta_tc``
(the fraction of the fp16 tensor-core peak FlashFFTConv's DFT matmuls reach,
all in-kernel overheads included) are the two FITTED numbers; everything
else is the preset's cited peaks and the op sequence above.
"""

from __future__ import annotations

import math

import numpy as np

from fftforge.errors import UserError

from fftforge.costmodel import fftops

__all__ = ["torch_ops", "flash_ops", "op_time", "predict", "fit_efficiencies", "single_warp_geometry",
           "FACTORS", "LAUNCH", "SMEM_BYTES", "MATMUL_WARP_WIDTH"]

# FFT factors of the single fused kernel per size (flashfftconv/conv.py)
FACTORS = {256: (16, 16), 1024: (32, 32), 4096: (16, 16, 16), 8192: (32, 16, 16),
           16384: (16, 32, 32), 32768: (32, 32, 32)}
INNER = 32768

# Launch geometry of the fused forward kernel at B % 8 == 0, H % 8 == 0 (the
# benchmark's B = 64, H = 768), from csrc/flashfftconv/monarch_cuda/
# monarch_cuda_interface_fwd.cu (monarch_conv_cuda, monarch_conv_cuda_16_16_16):
# (grid as (B / bx) x (H / hy) blocks, warps per block, sequences per block).
# Used only to explain the size-by-size efficiencies in `cost validate`.
LAUNCH = {256: (8, 8, 1), 1024: (8, 8, 1), 4096: (4, 8, 4)}    # (bx, hy, warps)
# Dynamic shared memory per block of those launches (ibid.: 6 * fftsize *
# sizeof(half) for 256 / 1024, (2 * fftsize + 4 * 256) * sizeof(half) for 4096).
SMEM_BYTES = {256: 6 * 256 * 2, 1024: 6 * 1024 * 2, 4096: (2 * 4096 + 4 * 256) * 2}
# The 256- and 1K-point kernels are one template, monarch_conv_cuda_kernel
# (kernels_fp16/monarch_cuda_kernel.h), instantiated with MATMUL_WARP_WIDTH
# 1 and 2 (monarch_cuda_interface_fwd.cu): each of its four DFT matmul calls
# per sequence runs MATMUL_WARP_WIDTH**3 16x16x16 wmma steps per real
# product, so a sequence's tensor-core work grows as its cube.
MATMUL_WARP_WIDTH = {256: 1, 1024: 2}


def _passes(n: int, single: int) -> int:
    return max(1, math.ceil(math.log2(max(n, 2)) / math.log2(single)))


def _op(label, by, flops=0.0, unit="cuda"):
    return {"label": label, "bytes": float(by), "flops": float(flops), "unit": unit}


def _fft_real_full(label, count, N, single):
    """torch.fft.fft of ``count`` real fp32 rows of N points (onesided R2C
    written into a full-size complex64 output, then the other half filled)."""
    p = _passes(N // 2, single)
    E = count * N
    fl = float(fftops.real_ops(np.array([N]), True)[0]) * count
    return [_op(f"{label}: cuFFT R2C ({p} pass{'es' if p > 1 else ''})", E * (4 + 4 + 8 * (p - 1)), fl),
            _op(f"{label}: conjugate-symmetric half filled in", E * 8)]


def torch_ops(N: int, B: int, H: int, single: int) -> list:
    """HBM ops of ``ref_fftconv_gated`` for (B, H, N) (see the module docstring)."""
    E, K = B * H * N, H * N
    pc = _passes(N, single)
    c2c = float(fftops.real_ops(np.array([N]))[0]) * B * H
    return ([_op("pregate.float()", 6 * E), _op("u.float()", 6 * E), _op("pregate * u (fp32)", 12 * E, E)]
            + _fft_real_full("fft(u_gate, n=N)", B * H, N, single)
            + _fft_real_full("fft(k.float(), n=N)", H, N, single)
            + [_op("u_f * k_f (complex64)", 16 * E + 8 * K, 6 * E),
               _op(f"ifft(y_f, n=N): cuFFT C2C ({pc} pass{'es' if pc > 1 else ''})", 16 * E * pc, c2c),
               _op("ifft: 1/N normalisation in place (mul_)", 16 * E, 2 * E),
               _op("postgate.float()", 6 * E),
               _op(".real[..., :L] * postgate", 16 * E, E),
               _op(".to(fp16).contiguous()", 6 * E)])


def flash_ops(N: int, B: int, H: int, single: int) -> list:
    """HBM and tensor-core ops of ``FlashFFTConv(N)(u, k, pregate, postgate)``."""
    E, K = B * H * N, H * N
    if N not in FACTORS and (N <= INNER or N % INNER):
        raise UserError(f"FlashFFTConv model: FFT size {N} is not one of {sorted(FACTORS)} "
                        f"or a multiple of {INNER}")
    ops = _fft_real_full("k_f = fft(k, n=N) (fp32, every call)", H, N, single)
    copies = len(FACTORS[N]) - 1 if N in FACTORS else 3
    ops.append(_op(f"k_f permuted ({copies} cop{'ies' if copies > 1 else 'y'}) and cast to fp16",
                   (16 * copies + 12) * K))
    if N in FACTORS:
        f = FACTORS[N]
        ops.append(_op(f"fused kernel {'x'.join(map(str, f))}: gates, FFT, k_f multiply, iFFT",
                       8 * E + 4 * K, 2 * 8 * sum(f) * E, "tc"))
        return ops
    r = N // INNER
    f = FACTORS[INNER]
    ops += [_op("u * pregate (fp16)", 6 * E, E),
            _op(f"butterfly kernel: {r}-point DFT", 6 * E, 8 * r * E, "tc"),
            _op(f"complex kernel {'x'.join(map(str, f))}: FFT, k_f multiply, iFFT", 8 * E + 4 * K,
                2 * 8 * sum(f) * E, "tc"),
            _op(f"inverse butterfly kernel: {r}-point DFT", 6 * E, 8 * r * E, "tc"),
            _op("y * postgate (fp16)", 6 * E, E)]
    return ops


def op_time(op, t, eta_hbm, eta_tc):
    """Seconds of one op (arrays of efficiencies broadcast)."""
    mem = op["bytes"] / (np.asarray(eta_hbm) * t.dram_bandwidth)
    if op["unit"] == "tc":
        comp = op["flops"] / (np.asarray(eta_tc) * float(t.peak_flops["fp16"]))
    else:
        comp = op["flops"] / float(t.peak_flops[t.fft_precision])
    return np.maximum(mem, comp)


def predict(N, B, H, t, eta_hbm=1.0, eta_tc=1.0, scale=1.0, t_kernel=0.0):
    """(PyTorch, FlashFFTConv) seconds for one call at (B, H, N), times
    ``scale`` (the benchmark's batch/heads adjustment).  ``t_kernel``: a
    fixed time added to every op (each op one kernel: launch and tail), 0 in
    the model; ``cost validate`` sweeps it as a what-if."""
    single = int(t.fft_single_pass)
    a = sum(op_time(o, t, eta_hbm, eta_tc) + t_kernel for o in torch_ops(N, B, H, single))
    b = sum(op_time(o, t, eta_hbm, eta_tc) + t_kernel for o in flash_ops(N, B, H, single))
    return a * scale, b * scale


def _objective(rows, t, eh, et, t_kernel=0.0):
    s = 0.0
    for N, B, H, scale, pt, pf in rows:
        a, b = predict(N, B, H, t, eh, et, scale, t_kernel)
        s = s + np.log(a / pt) ** 2 + np.log(b / pf) ** 2
    return s


def single_warp_geometry(N, B, H, t):
    """Launch of the one-warp fused kernel at (B, H, N) on target ``t``
    (N in :data:`MATMUL_WARP_WIDTH`), from :data:`LAUNCH`, :data:`SMEM_BYTES`
    and the target's cited SM limits: ``blocks``, ``seqs_per_warp`` (the
    sequences each warp works through one after another), ``resident``
    (blocks the GPU holds at once: the SM count times the fewest blocks an
    SM can hold by its block, shared-memory and register limits, registers
    at the 255-per-thread maximum), ``per_sm``, ``sm_count``, ``waves`` and
    ``mww`` (MATMUL_WARP_WIDTH)."""
    if N not in MATMUL_WARP_WIDTH:
        raise UserError(f"single_warp_geometry: N must be one of {sorted(MATMUL_WARP_WIDTH)}, got {N}")
    bx, hy, w = LAUNCH[N]
    blocks = (B // bx) * (H // hy)
    per_sm = min(int(t.max_blocks_per_sm), int(t.smem_per_sm_bytes) // SMEM_BYTES[N],
                 int(t.regs_per_sm) // (int(t.max_regs_per_thread) * 32 * w))
    resident = int(t.sm_count) * per_sm
    return {"blocks": blocks, "warps_per_block": w, "seqs_per_warp": bx * hy, "per_sm": per_sm,
            "sm_count": int(t.sm_count), "resident": resident, "waves": math.ceil(blocks / resident), "mww": MATMUL_WARP_WIDTH[N]}


def fit_efficiencies(rows, t, t_kernel=0.0):
    """(eta_hbm, eta_tc) minimising the squared log error of both series over
    ``rows`` = [(N, B, H, scale, torch_s, flash_s), ...]: a log grid, then a
    finer one around its best point (deterministic).  ``t_kernel`` as in
    :func:`predict`."""
    lo_h, hi_h, lo_t, hi_t = 0.1, 1.0, 1e-3, 1.0
    best = None
    for _ in range(3):
        eh = np.geomspace(lo_h, hi_h, 121)[:, None]
        et = np.geomspace(lo_t, hi_t, 121)[None, :]
        s = _objective(rows, t, eh, et, t_kernel)
        i, j = np.unravel_index(int(np.argmin(s)), s.shape)
        best = (float(eh[i, 0]), float(et[0, j]))
        # zoom: two grid steps either side, inside (0, 1]
        rh, rt = (hi_h / lo_h) ** (2 / 120), (hi_t / lo_t) ** (2 / 120)
        lo_h, hi_h = best[0] / rh, min(best[0] * rh, 1.0)
        lo_t, hi_t = best[1] / rt, min(best[1] * rt, 1.0)
    return best
