"""Cost of a workload on a target: cycles, seconds, joules, with every term.

:func:`evaluate` maps the kernels of :mod:`.workloads` onto one target and
returns an :class:`Evaluation` whose ``terms`` hold each contribution
separately (compute, fill/drain, vector, memory, static energy ...) so that
``fftforge cost explain`` can show where a number comes from.

Target models
-------------
systolic
    GEMMs: :func:`.systolic.multi_array_gemm` (``overlap`` mode by default,
    ``scalesim`` selectable), weight-stationary unless told otherwise.
    FFTs: four-step / Cooley-Tukey factorisation into small DFT matmuls
    (:func:`fft_passes`): radix ``r = min(rows, cols) / 2`` so that the
    complex DFT as a real ``2r x 2r`` matrix fills the array; between passes
    a twiddle multiply (one complex multiply per point) on the vector unit.
    Elementwise work runs on the vector unit (``vector_ops_per_cycle``).
    Each kernel takes ``max(compute, memory)`` cycles (roofline per kernel,
    kernels serial).
gpu
    Roofline per kernel: ``max(flops / peak, bytes / bandwidth)``.  GEMMs at
    the tensor-core peak of ``precision``; FFTs at the ``fft_precision``
    peak with the exact split-radix operation count, reading and writing the
    data once per pass of ``fft_single_pass`` points.
fpga
    FFTs on fftforge cores (:mod:`.fpga`): as many copies of the core (or of
    the whole FFT -> pointwise -> iFFT chain, whose latency and resources
    are its generator configuration's: :func:`.fpga.chain_model`) as fit in
    DSPs, memory bits and LUTs, each accepting one frame per N cycles.  GEMMs on a DSP systolic
    array of side ``floor(sqrt(DSPs))`` at the calibrated GEMM clock.

Energy = arithmetic (per-op table, node-scaled) + SRAM accesses + DRAM/I-O
bits + static power x latency.  The arithmetic and memory energies are
datapath energies (no instruction, control or clock-tree overheads), so for
GPUs in particular they are lower bounds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from fftforge.config import ConfigError, N_RANGE
from fftforge.errors import UserError

from fftforge.costmodel import fftops, fpga as fpgamod, impls, provenance, systolic
from fftforge.costmodel.energy import EnergyTable, load_energy_table
from fftforge.costmodel.hardware import Target, BYTES_PER
from fftforge.costmodel.workloads import FFT, Gemm, Vec, Shape, build_workload

__all__ = ["Evaluation", "evaluate", "evaluate_kernels", "fft_passes", "fourstep_pass", "Options"]

PJ = 1e-12


@dataclass
class Options:
    """Model options.

    dataflow : systolic dataflow for GEMMs (``ws``, ``os``, ``is``).
    mode : systolic cycle model (``overlap`` or ``scalesim``).
    width : FPGA data width (bits per real component).
    arch, order, cmul, lanes : fftforge core parameters.
    fft_algorithm : operation-count convention for GPU FFTs.
    fft_impl : ``library`` (default), ``ideal`` or a name from :mod:`.impls`.
    vpu_fft_efficiency : fraction of the TPU vector unit's peak that the
        library FFT reaches (``xla-vpu``); None = the value solved from Lu
        et al.'s pod ratio (:func:`.validate.fitted_vpu_fft_efficiency`; an
        estimate: their FFT is not XLA's vector-unit FFT).
    real_pairs : FPGA: run real-input FFT chains as fftforge real-pair cores
        (two real channels per complex frame, ``FilterConfig.real_pairs``).
    runtime_n, nmax : FPGA: run every FFT of an FFT-only workload on one
        run-time-length core (``fftforge generate --n NMAX --runtime-n
        NMIN``): ``runtime_n`` = NMIN (None: a fixed-size core per size),
        ``nmax`` = NMAX (None: the largest FFT size of the sweep).
    """
    dataflow: str = "ws"
    mode: str = "overlap"
    width: int = 16
    arch: str = "r22sdf"
    order: str = "natural"
    cmul: int = 4
    lanes: int = 1
    fft_algorithm: str = "split_radix"
    fft_impl: str = "library"
    vpu_fft_efficiency: float | None = None
    real_pairs: bool = True
    runtime_n: int | None = None
    nmax: int | None = None


@dataclass
class Evaluation:
    """Result of :func:`evaluate`; every array has the sweep's shape.

    Attributes
    ----------
    latency_s : ndarray
        Time for one batch, first input to last output.
    throughput : ndarray
        Sequences per second in steady state.
    energy_j : ndarray
        Joules per batch.
    utilization : ndarray
        Fraction of the target's peak (MACs, FLOP/s or DSPs) doing useful work.
    clock_hz : ndarray
    cycles : ndarray
        ``latency_s * clock_hz``.
    bound : ndarray of str
        ``compute`` or ``memory`` (the larger of the two totals).
    terms : dict
        name -> ndarray: ``compute_cycles``, ``fill_drain_cycles``,
        ``vector_cycles``, ``memory_cycles``, ``pipeline_latency_cycles``,
        ``e_compute_j``, ``e_vector_j``, ``e_sram_j``, ``e_dram_j``,
        ``e_static_j`` (those that apply to the target kind).
    kernels : list of (label, dict)
        The same terms per kernel.
    notes : list of str
        Assumptions worth stating next to the numbers.
    provenance : dict
        term -> (tag, inputs), see :mod:`.provenance`; ``terms`` also holds
        ``energy_dynamic_j`` (without static power) and ``energy_lo_j`` /
        ``energy_hi_j`` (static power over its range: the preset's
        ``static_power_w_range``, else 0.5x..1.5x an estimated figure).
    """
    workload: str
    target: str
    kind: str
    latency_s: np.ndarray
    throughput: np.ndarray
    energy_j: np.ndarray
    utilization: np.ndarray
    clock_hz: np.ndarray
    cycles: np.ndarray
    bound: np.ndarray
    terms: dict = field(default_factory=dict)
    kernels: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    provenance: dict = field(default_factory=dict)


# ------------------------------------------------------------------ helpers
def _f(x):
    return np.asarray(x, dtype=np.float64)


def _factor(S: int, r: int) -> list:
    """Factor S into the fewest passes of at most r points.

    Powers of two are split as evenly as possible (8192 with r = 64 gives
    32 x 16 x 16, not 64 x 64 x 2: a pass costs about one array row per
    S / f points, so a tiny last factor would cost as much as a full pass);
    other sizes take the largest divisor <= r first.
    """
    if S <= 1:
        return [1]
    if S & (S - 1) == 0 and r >= 2:
        L, a = S.bit_length() - 1, r.bit_length() - 1
        p = -(-L // a)
        return [1 << (L // p + (1 if i < L % p else 0)) for i in range(p)]
    out = []
    while S > 1:
        f = max(k for k in range(1, min(S, r) + 1) if S % k == 0)
        if f == 1:          # a prime factor larger than r: one dense pass
            f = S
        out.append(f)
        S //= f
    return out


def fft_passes(size, radix: int) -> np.ndarray:
    """Four-step factorisation of every ``size`` into passes of <= ``radix``.

    Returns an int array of shape ``(P,) + size.shape``; unused passes are 1.
    Powers of two give ``ceil(log2 size / log2 radix)`` passes, all of
    ``radix`` points except the last.
    """
    size = np.asarray(size, dtype=np.int64)
    uniq, inv = np.unique(size, return_inverse=True)
    facs = [_factor(int(s), radix) for s in uniq]
    P = max(len(f) for f in facs)
    table = np.ones((P, len(uniq)), dtype=np.int64)
    for j, f in enumerate(facs):
        table[:len(f), j] = f
    return table[:, inv.reshape(size.shape)]


def fourstep_pass(count, size, f, side, real_in=False, real_out=False) -> dict:
    """One pass of the four-step FFT on a ``side``-wide matmul array.

    The pass applies an ``f``-point DFT to each of the ``count * size / f``
    vectors of the data, as a real GEMM: a complex vector is ``2 f`` reals
    (``f`` for a real input), a complex result ``2 f`` (``f`` when only the
    real part is kept).  So that small passes still fill the array, ``g =
    side // (2 f)`` vectors are packed side by side against a block-diagonal
    ``(g K_1) x (g N_1)`` DFT matrix: the GEMM has ``M = ceil(vectors / g)``
    rows (the zero blocks cost cycles, not useful MACs).

    Returns a dict of arrays: ``vectors``, ``g``, ``M``, ``K``, ``N`` (the
    packed GEMM), ``macs`` (useful real MACs: ``vectors * K_1 * N_1``).
    """
    count = np.asarray(count, dtype=np.int64)
    size = np.asarray(size, dtype=np.int64)
    f = np.maximum(np.asarray(f, dtype=np.int64), 1)
    vectors = count * (size // f)
    k1 = np.where(real_in, f, 2 * f)
    n1 = np.where(real_out, f, 2 * f)
    g = np.maximum(side // (2 * f), 1)
    M = np.maximum(-(-vectors // g), 1)
    return {"vectors": vectors, "g": g, "M": M, "K": k1 * g, "N": n1 * g, "macs": vectors * k1 * n1}


def _terms_zero(shape):
    return {k: np.zeros(shape) for k in (
        "compute_cycles", "fill_drain_cycles", "vector_cycles", "memory_cycles",
        "pipeline_latency_cycles", "macs", "flops", "dram_bytes",
        "e_compute_j", "e_vector_j", "e_sram_j", "e_dram_j")}


def _int_op(et: EnergyTable, kind: str, bits: float, node: float) -> float:
    """Integer add/mult energy at ``bits`` by log-log interpolation between the
    table's 8- and 32-bit entries (mult: on the geometric mean width)."""
    e8, e32 = et.op("int8", kind, node), et.op("int32", kind, node)
    slope = math.log(e32 / e8) / math.log(4.0)
    return e8 * (bits / 8.0) ** slope


# ---------------------------------------------------------------- systolic
def _systolic(kernels, t: Target, et: EnergyTable, opt: Options, shape):
    R, C, A = t.rows, t.cols, t.arrays
    clk = t.clock_hz
    bpe = t.bytes_per_element
    sram_el = t.sram_bytes / bpe
    bytes_per_cycle = t.dram_bandwidth / clk
    e_mac = et.mac(t.precision, t.node_nm) * PJ
    e_sram_el = float(et.sram_pj_per_bit(t.sram_bytes, t.node_nm)) * 8 * bpe * PJ
    e_dram_byte = et.dram(t.dram_kind) * 8 * PJ
    e_vadd = et.op("fp32", "add", t.node_nm) * PJ
    e_vmul = et.op("fp32", "mult", t.node_nm) * PJ
    radix = max(min(R, C) // 2, 2)
    out, tot = [], _terms_zero(shape)
    impl = impls.resolve(opt.fft_impl, "systolic", t.name)
    eta = opt.vpu_fft_efficiency
    if impl == "xla-vpu" and eta is None:
        from fftforge.costmodel.validate import fitted_vpu_fft_efficiency
        eta = fitted_vpu_fft_efficiency()

    def gemm_terms(label, count, M, N, K, dram_el=None):
        g = systolic.multi_array_gemm(count, M, N, K, R, C, A, opt.dataflow, opt.mode)
        acc = systolic.gemm_accesses(M, N, K, R, C, opt.dataflow)["total"] * _f(count)
        if dram_el is None:
            dram_el = systolic.dram_elements(M, N, K, sram_el) * _f(count)
        d = _terms_zero(shape)
        d["compute_cycles"] = _f(g["compute"]) + 0
        d["fill_drain_cycles"] = _f(g["fill_drain"])
        d["memory_cycles"] = _f(dram_el) * bpe / bytes_per_cycle
        d["macs"] = _f(g["macs"])
        d["dram_bytes"] = _f(dram_el) * bpe
        d["e_compute_j"] = d["macs"] * e_mac
        d["e_sram_j"] = _f(acc) * e_sram_el
        d["e_dram_j"] = d["dram_bytes"] * e_dram_byte
        return d

    for k in kernels:
        if isinstance(k, Gemm):
            out.append((k.label, gemm_terms(k.label, k.count, k.M, k.N, k.K)))
        elif isinstance(k, Vec):
            d = _terms_zero(shape)
            d["vector_cycles"] = _f(k.adds + k.mults) / t.vector_ops_per_cycle
            d["e_vector_j"] = _f(k.adds) * e_vadd + _f(k.mults) * e_vmul
            out.append((k.label, d))
        elif isinstance(k, FFT) and impl == "xla-vpu":
            size = np.broadcast_to(np.asarray(k.size, dtype=np.int64), shape)
            count = _f(np.broadcast_to(np.asarray(k.count, dtype=np.int64), shape))
            # library calls: a real input is an R2C transform (rfft), a real
            # output of an inverse a C2R one (irfft); the real part of a
            # forward transform has no library call: a full C2C, then .real
            ro = bool(k.real_out and k.inverse)
            ops = fftops.real_ops(size, k.real_in, ro) * count
            el = count * size
            half = (size // 2 + 1) * 8.0
            by = count * (np.where(k.real_in, size * 4.0, np.where(ro, half, size * 8.0))
                          + np.where(ro, size * 4.0, np.where(k.real_in, half, size * 8.0)))
            d = _terms_zero(shape)
            d["vector_cycles"] = ops / (t.vector_ops_per_cycle * eta)
            d["flops"] = ops
            d["memory_cycles"] = by / bytes_per_cycle
            d["dram_bytes"] = by
            d["e_vector_j"] = ops * 0.5 * (e_vadd + e_vmul)
            # staged through the vector memory once per radix-4 stage
            stages = np.ceil(np.log2(np.maximum(size, 2)) / 2)
            d["e_sram_j"] = el * 8.0 * 2 * stages / bpe * e_sram_el
            d["e_dram_j"] = by * e_dram_byte
            out.append((f"{k.label}: XLA FFT op on the vector unit", d))
            if not k.minor:
                tb = 2 * 2 * el * 8.0            # move the axis in and back: 2 x (read + write)
                d = _terms_zero(shape)
                d["memory_cycles"] = tb / bytes_per_cycle
                d["dram_bytes"] = tb
                d["e_dram_j"] = tb * e_dram_byte
                out.append((f"{k.label}: transposes (FFT axis is not the minor one)", d))
        elif isinstance(k, FFT):
            size = np.broadcast_to(np.asarray(k.size, dtype=np.int64), shape)
            count = np.broadcast_to(np.asarray(k.count, dtype=np.int64), shape)
            facs = fft_passes(size, radix)
            npass = (facs > 1).sum(axis=0)
            data_el = _f(count) * size * 2                     # complex values
            fits = data_el <= sram_el
            for i in range(facs.shape[0]):
                f = facs[i]
                active = f > 1
                ps = fourstep_pass(count, size, f, min(R, C), (i == 0) & k.real_in,
                                   (i == npass - 1) & k.real_out)
                dram_el = np.where(fits, np.where(i == 0, data_el, 0) + np.where(i == npass - 1, data_el, 0),
                                   2 * data_el) + 4.0 * f * f
                d = gemm_terms(k.label, 1, ps["M"], ps["N"], ps["K"], dram_el)
                # the packed GEMM's cycles include the zero blocks; its MACs
                # (and their energy) are only the dense small DFTs
                d["e_compute_j"] = d["e_compute_j"] * np.where(d["macs"] > 0, ps["macs"] / np.maximum(d["macs"], 1), 0)
                d["macs"] = _f(ps["macs"])
                for key in d:
                    d[key] = np.where(active, d[key], 0.0)
                out.append((f"{k.label}: pass {i + 1} (small-DFT matmul)", d))
            tw = _f(count) * size * np.maximum(npass - 1, 0)           # complex twiddle multiplies
            d = _terms_zero(shape)
            d["vector_cycles"] = tw * 6 / t.vector_ops_per_cycle
            d["e_vector_j"] = tw * (2 * e_vadd + 4 * e_vmul)
            out.append((f"{k.label}: twiddles between passes", d))
    for _, d in out:
        for key in tot:
            tot[key] = tot[key] + d[key]
    # per-kernel roofline: kernels are serial, each max(compute, memory)
    cyc = np.zeros(shape)
    for _, d in out:
        cyc = cyc + np.maximum(d["compute_cycles"] + d["fill_drain_cycles"] + d["vector_cycles"],
                               d["memory_cycles"])
    lat = cyc / clk
    tot["e_static_j"] = t.static_power_w * lat
    peak = R * C * A * cyc
    util = np.where(peak > 0, tot["macs"] / np.maximum(peak, 1), 0.0)
    notes = [f"{t.name}: {A} x {R}x{C} {t.precision} arrays at {clk / 1e6:.0f} MHz, "
             f"dataflow {opt.dataflow}, {opt.mode} mode",
             f"{t.name}: FFT implementation " + impls.describe(impl)
             + (f"; FFT passes of <= {radix} points" if impl == "four-step-mxu" else
                f"; vector unit {t.vector_ops_per_cycle} fp32 ops/cycle at {eta:.3g} of peak for FFT "
                f"(solved from Lu et al. 2020's pod ratio less their one-shuffle pod exchanges, modelled at "
                f"{_lu_exchange_s():.3g} s of each run; their FFT is not this implementation: an estimate; "
                "see 'fftforge cost validate')"
                if opt.vpu_fft_efficiency is None else f"; vector unit at {eta:.3g} of peak for FFT (set)")]
    return cyc, clk, lat, lat, util, tot, out, notes


@lru_cache(maxsize=None)
def _lu_exchange_s() -> float:
    from fftforge.costmodel.validate import lu_exchange
    return lu_exchange()["seconds"]


# --------------------------------------------------------------------- gpu
def _gpu(kernels, t: Target, et: EnergyTable, opt: Options, shape):
    impl = impls.resolve(opt.fft_impl, "gpu", t.name)
    peak_mm = float(t.peak_flops[t.precision])
    peak_fft = float(t.peak_flops[t.fft_precision])
    peak_tc = float(t.peak_flops.get("fp16", peak_mm))
    bw = t.dram_bandwidth
    bpe = BYTES_PER[t.precision]
    e_dram_byte = et.dram(t.dram_kind) * 8 * PJ
    e_mm = 0.5 * (et.op(t.precision, "mult", t.node_nm) + et.op("fp32", "add", t.node_nm)) * PJ
    e_tc = 0.5 * (et.op("fp16", "mult", t.node_nm) + et.op("fp32", "add", t.node_nm)) * PJ
    e_add = et.op(t.fft_precision, "add", t.node_nm) * PJ
    e_mul = et.op(t.fft_precision, "mult", t.node_nm) * PJ
    tc_radix = int(t.params.get("tc_fft_radix", 16))
    out, tot = [], _terms_zero(shape)
    times = []

    def fused_fft(k):
        """flops on tensor cores (DFT factors of <= tc_radix points as real
        GEMMs: 8 f flops per point per pass) and on CUDA cores (twiddles)."""
        size = np.broadcast_to(np.asarray(k.size, dtype=np.int64), shape)
        facs = fft_passes(size, tc_radix)
        npass = (facs > 1).sum(axis=0)
        el = _f(k.count) * size * np.where(k.real_in or k.real_out, 0.5, 1.0)
        tcf = sum(8.0 * el * facs[i] * (facs[i] > 1) for i in range(facs.shape[0]))
        twf = 6.0 * el * np.maximum(npass - 1, 0)
        return tcf, twf

    # fused-tc: a chain (FFT -> pointwise -> iFFT) is one kernel
    groups, cur = [], None
    for k in kernels:
        ch = getattr(k, "chain", "") if impl == "fused-tc" else ""
        if ch and cur is not None and cur[0] == ch:
            cur[1].append(k)
        else:
            cur = (ch, [k])
            groups.append(cur)
    for ch, ks in groups:
        d = _terms_zero(shape)
        if impl == "fused-tc" and any(isinstance(k, FFT) for k in ks):
            ffts = [k for k in ks if isinstance(k, FFT)]
            tcf = twf = vf = 0.0
            for k in ffts:
                a, b = fused_fft(k)
                tcf, twf = tcf + a, twf + b
            vecs = [k for k in ks if isinstance(k, Vec)]
            for k in vecs:
                vf = vf + _f(k.adds + k.mults)
            first, last = ffts[0], ffts[-1]
            # fp16 in and out of HBM once; the filter spectrum (fp16 complex)
            # once per channel; everything else stays on chip
            n_in = _f(first.count) * _f(first.size) * (0.5 if first.real_in else 1.0)
            n_out = _f(last.count) * _f(last.size) * (0.5 if last.real_out else 1.0)
            by = 2.0 * (n_in * (1 if first.real_in else 2) + n_out * (1 if last.real_out else 2))
            by = by + sum(_f(k.filter_bytes) for k in vecs if hasattr(k, "filter_bytes"))
            flops = tcf + twf + vf
            tc = tcf / peak_tc + (twf + vf) / peak_fft
            tm = by / bw
            d["macs"] = tcf / 2
            d["e_compute_j"] = tcf * e_tc + twf * 0.5 * (e_add + e_mul)
            d["e_vector_j"] = sum(_f(k.adds) * e_add + _f(k.mults) * e_mul for k in vecs) if vecs else 0 * tm
            label = " -> ".join(k.label for k in ks) + " (fused tensor-core kernel)"
        else:
            (k,) = ks
            label = k.label
            if isinstance(k, Gemm):
                flops = 2.0 * _f(k.M) * _f(k.N) * _f(k.K) * _f(k.count)
                by = systolic.dram_elements(k.M, k.N, k.K, t.sram_bytes / bpe) * _f(k.count) * bpe
                tc, tm = flops / peak_mm, by / bw
                d["macs"] = flops / 2
                d["e_compute_j"] = flops * e_mm
            elif isinstance(k, FFT) and impl == "fused-tc":
                tcf, twf = fused_fft(k)
                flops = tcf + twf
                n_el = _f(k.count) * _f(k.size)
                by = n_el * (2.0 if k.real_in else 4.0) + n_el * (2.0 if k.real_out else 4.0)
                tc, tm = tcf / peak_tc + twf / peak_fft, by / bw
                d["macs"] = tcf / 2
                d["e_compute_j"] = tcf * e_tc + twf * 0.5 * (e_add + e_mul)
                label = k.label + " (tensor-core FFT)"
            elif isinstance(k, FFT):
                size = np.broadcast_to(np.asarray(k.size, dtype=np.int64), shape)
                # R2C for a real input, C2R for the real output of an inverse;
                # the real part of a forward transform is a full C2C + .real
                ro = bool(k.real_out and k.inverse)
                flops = fftops.real_ops(size, k.real_in, ro) * _f(k.count)
                passes = np.ceil(np.log2(np.maximum(size, 2)) / math.log2(t.fft_single_pass))
                # complex64 read + write per pass; a real input (output) is
                # 4 bytes per sample and the spectrum n/2 + 1 bins
                cplx = np.where(k.real_in | ro, size // 2 + 1, size) * 8.0
                outer = np.where(k.real_in, size * 4.0, cplx) + np.where(ro, size * 4.0, cplx)
                by = _f(k.count) * (outer + 2 * cplx * (passes - 1))
                tc, tm = flops / peak_fft, by / bw
                d["e_compute_j"] = flops * 0.5 * (e_add + e_mul)
                label = k.label + " (cuFFT)"
            else:
                flops = _f(k.adds + k.mults)
                by = _f(k.elements) * 4.0 * 2                      # fp32 read + write
                tc, tm = flops / peak_fft, by / bw
                d["e_vector_j"] = _f(k.adds) * e_add + _f(k.mults) * e_mul
        d["flops"] = flops
        d["dram_bytes"] = by
        d["compute_cycles"] = tc            # seconds (clock = 1 Hz for GPUs)
        d["memory_cycles"] = tm
        d["e_dram_j"] = by * e_dram_byte
        out.append((label, d))
        times.append(np.maximum(tc, tm))
    for _, d in out:
        for key in tot:
            tot[key] = tot[key] + d[key]
    lat = sum(times)
    tot["e_static_j"] = t.static_power_w * lat
    util = np.where(lat > 0, tot["flops"] / np.maximum(lat * peak_mm, 1e-30), 0.0)
    notes = [f"{t.name}: roofline, GEMM at {peak_mm / 1e12:.0f} TFLOP/s {t.precision}, FFT at "
             f"{peak_fft / 1e12:.1f} TFLOP/s {t.fft_precision}, {bw / 1e9:.0f} GB/s; 'cycles' are seconds",
             f"{t.name}: FFT implementation " + impls.describe(impl)
             + (f"; passes of {t.fft_single_pass} points from one HBM read+write" if impl == "cufft" else
                f"; DFT factors of <= {tc_radix} points at the fp16 tensor-core peak, no efficiency loss "
                "(an upper bound on speed)")]
    return lat, 1.0, lat, lat, util, tot, out, notes


# -------------------------------------------------------------------- fpga
def _fpga(kernels, t: Target, et: EnergyTable, opt: Options, shape):
    cal = fpgamod.calibration_for(t.family)
    node = t.node_nm
    ov = et.fpga_overhead
    e_io_byte = et.dram(t.dram_kind) * 8 * PJ
    dpm = fpgamod.dsps_per_multiplier(opt.width, opt.width, t.dsp_a_bits, t.dsp_b_bits)
    e_add_w = _int_op(et, "add", opt.width + 1, node) * ov * PJ
    e_mul_w = _int_op(et, "mult", math.sqrt((opt.width + 1) * 18), node) * ov * PJ
    out, tot = [], _terms_zero(shape)
    seconds, steady, notes = [], [], []
    dsp_busy = np.zeros(shape)

    # group chained kernels
    groups, cur = [], None
    for k in kernels:
        ch = getattr(k, "chain", "")
        if ch and cur is not None and cur[0] == ch:
            cur[1].append(k)
        else:
            cur = (ch, [k])
            groups.append(cur)

    def core_for(n, nmax=None):
        try:
            return fpgamod.core_model(int(n), t.family, t.dsp_a_bits, t.dsp_b_bits, opt.width,
                                      opt.arch, opt.order, opt.cmul, opt.lanes,
                                      runtime_n=opt.runtime_n, nmax=nmax)
        except ConfigError as e:
            raise UserError(f"{t.name}: FFT size {int(n)} has no fftforge core ({e})") from None

    for ch, ks in groups:
        ffts = [k for k in ks if isinstance(k, FFT)]
        if ffts:
            size = np.broadcast_to(np.asarray(ffts[0].size, dtype=np.int64), shape)
            frames = np.broadcast_to(_f(ffts[0].count), shape)
            if np.any((size & (size - 1)) != 0) or np.any(size < N_RANGE[0]) or np.any(size > N_RANGE[1]):
                bad = int(size[((size & (size - 1)) != 0) | (size < N_RANGE[0]) | (size > N_RANGE[1])][0])
                raise UserError(f"{t.name}: FFT size {bad} is not a power of two in "
                                f"[{N_RANGE[0]}, {N_RANGE[1]}] (fftforge cores; for fnet-fft use a "
                                f"power-of-two --d)")
            uniq, inv = np.unique(size, return_inverse=True)
            inv = inv.reshape(shape)
            vecs = [k for k in ks if isinstance(k, Vec)]
            if opt.runtime_n is not None and vecs:
                raise UserError(f"--runtime-n: the {ch or 'pointwise'} chain has no run-time-length core "
                                f"(fftforge builds run-time N for FFT cores only: use it with fnet-fft)")
            nmax = None
            if opt.runtime_n is not None:
                nmax = int(opt.nmax) if opt.nmax is not None else int(uniq.max())
                out_of = [int(v) for v in uniq if not opt.runtime_n <= v <= nmax]
                if out_of:
                    label = " -> ".join(k.label for k in ks)
                    v = out_of[0]
                    raise UserError(f"{t.name}: {label}: FFT size {v} is "
                                    + (f"below --runtime-n {opt.runtime_n}" if v < opt.runtime_n else
                                       f"above --nmax {nmax}")
                                    + " (the run-time-length core's smallest and largest sizes)")
            cores = [core_for(n, nmax) for n in uniq]
            nf = len(ffts)
            # real-input chains run as real-pair cores: two real channels per
            # complex frame (FilterConfig.real_pairs: 4 multipliers [and 4
            # modReLUs] instead of 1, a 2N-word pairing buffer, half the frames)
            pairs = bool(opt.real_pairs and vecs and ffts[0].real_in and ch in ("fftnet", "fftconv"))
            all_frames = frames
            if pairs:
                frames = np.ceil(frames / 2)
            try:
                chain_cfgs = [fpgamod.chain_config(ch, n, opt.width, opt.arch, opt.cmul, opt.lanes, pairs)
                              if vecs else None for n in uniq]
            except ConfigError as e:
                raise UserError(f"{t.name}: the {ch} chain has no fftforge configuration ({e})") from None
            if vecs and any(cc is None for cc in chain_cfgs):
                raise AssertionError(f"chain {ch!r} with a pointwise stage has no generator configuration")
            # resources: a chain's are its configuration's (FilterConfig /
            # FFTNetConfig: both FFTs, the per-bin multipliers [and modReLUs],
            # weight [and bias] memory, pairing buffer: fpga.chain_model);
            # FFTs without a pointwise stage: nf FFTConfig cores
            units_res = [fpgamod.chain_model(cc, t.family, t.dsp_a_bits, t.dsp_b_bits, opt.lanes)
                         if cc is not None else None for cc in chain_cfgs]
            u_dsp = np.array([r.dsps if r is not None else nf * c.dsps
                              for c, r in zip(cores, units_res)], dtype=float)[inv]
            u_mem = np.array([r.memory_bits if r is not None else nf * c.memory_bits
                              for c, r in zip(cores, units_res)], dtype=float)[inv]
            u_lut = np.array([r.luts if r is not None else nf * c.luts
                              for c, r in zip(cores, units_res)], dtype=float)[inv]
            fit = np.floor(np.minimum.reduce([
                np.where(u_dsp > 0, t.dsps / np.maximum(u_dsp, 1), np.inf),
                t.bram_bits / np.maximum(u_mem, 1), t.luts / np.maximum(u_lut, 1)]))
            units = np.where(np.isfinite(fit), fit, 0)
            fmax = np.array([c.fmax_hz for c in cores])[inv]
            cpf = np.array([c.cycles_per_frame for c in cores], dtype=float)[inv]
            # a chain's latency is its generator configuration's (FFTNetConfig
            # / FilterConfig: forward FFT, multiply, [modReLU,] inverse FFT,
            # [pairing]); FFTs without a pointwise stage: FFTConfig's
            lat_pipe = np.array([cc.latency_cycles if cc is not None else nf * c.latency_cycles
                                 for c, cc in zip(cores, chain_cfgs)], dtype=float)[inv]
            rounds = np.ceil(frames / np.maximum(units, 1))
            stream = rounds * cpf
            # I/O: real samples in and out at `width` bits, plus the complex
            # filter coefficients for chains with a pointwise stage
            bits_per_sample = 2 * opt.width + (2 * opt.width if vecs else 0)
            io_bytes = all_frames * size * bits_per_sample / 8
            mem_cyc = io_bytes / (t.io_bandwidth / fmax)
            d = _terms_zero(shape)
            d["compute_cycles"] = stream
            d["pipeline_latency_cycles"] = lat_pipe
            d["memory_cycles"] = mem_cyc
            d["dram_bytes"] = io_bytes
            adds = np.array([nf * c.adds_per_frame for c in cores], dtype=float)[inv] * frames
            mults = np.array([nf * c.mults_per_frame for c in cores], dtype=float)[inv] * frames
            macc = np.array([nf * c.memory_bit_accesses_per_frame for c in cores], dtype=float)[inv] * frames
            mem_bytes = np.maximum(u_mem / 8, 1)
            d["e_compute_j"] = adds * e_add_w + mults * e_mul_w
            d["e_sram_j"] = macc * et.sram_pj_per_bit(mem_bytes, node) * ov * PJ
            d["e_vector_j"] = sum(_f(k.adds) * e_add_w + _f(k.mults) * e_mul_w for k in vecs) if vecs else 0 * d["e_sram_j"]
            d["e_dram_j"] = io_bytes * e_io_byte
            d["macs"] = mults / 4
            feasible = units >= 1
            sec = np.where(feasible, (lat_pipe + np.maximum(stream, mem_cyc)) / fmax, np.nan)
            seconds.append(sec)
            steady.append(np.where(feasible, np.maximum(stream, mem_cyc) / fmax, np.nan))
            dsp_busy = dsp_busy + np.where(feasible, units * u_dsp * frames / np.maximum(rounds * units, 1)
                                           * stream / fmax, 0)
            label = " -> ".join(k.label for k in ks)
            c0 = cores[0]
            notes.append(f"{t.name}: {label}: fftforge {opt.arch} core(s), {opt.width}-bit, "
                         + (f"one run-time-length core for N = {c0.config.runtime_n} .. {c0.config.n} "
                            f"(its resources and Fmax at every size, latency_by_n, one cycle per sample; "
                            + ("Fmax and LUTs measured on it), " if c0.measured else
                               "no measured row: Fmax and LUTs of the fixed-size fit), ")
                            if c0.config.runtime_n is not None else "")
                         + ("real pairs (two real channels per frame), " if pairs else "")
                         + f"latency from {type(chain_cfgs[0]).__name__ if chain_cfgs[0] is not None else 'FFTConfig'}, "
                         f"up to {int(np.nanmax(units))} parallel unit(s) "
                         f"({'lanes modelled' if c0.lanes_modelled else f'{opt.lanes} lane(s)'}); "
                         f"Fmax/LUTs: {c0.calibration_status} ({cal['source'].split(':')[0]})")
            d["units"] = units
            out.append((label, d))
            for k in ks:
                if not isinstance(k, (FFT, Vec)) or (isinstance(k, Vec) and not ch):
                    raise AssertionError("unexpected kernel in chain")
            continue
        for k in ks:
            d = _terms_zero(shape)
            if isinstance(k, Gemm):
                side = max(int(math.isqrt(t.dsps // dpm)), 1)
                clk = cal["gemm_fmax_mhz"] * 1e6
                g = systolic.multi_array_gemm(k.count, k.M, k.N, k.K, side, side, 1, "ws", "overlap")
                el = systolic.dram_elements(k.M, k.N, k.K, t.bram_bits / opt.width / 2) * _f(k.count)
                by = el * (opt.width / 8)
                d["compute_cycles"] = _f(g["compute"])
                d["fill_drain_cycles"] = _f(g["fill_drain"])
                d["memory_cycles"] = by / (t.io_bandwidth / clk)
                d["macs"] = _f(g["macs"])
                d["dram_bytes"] = by
                d["e_compute_j"] = d["macs"] * (e_add_w + e_mul_w)
                d["e_dram_j"] = by * e_io_byte
                cyc = np.maximum(d["compute_cycles"] + d["fill_drain_cycles"], d["memory_cycles"])
                seconds.append(cyc / clk)
                steady.append(cyc / clk)
                dsp_busy = dsp_busy + d["macs"] / clk * dpm
            else:   # a Vec outside a chain: one op per DSP per cycle at the GEMM clock
                clk = cal["gemm_fmax_mhz"] * 1e6
                d["vector_cycles"] = _f(k.adds + k.mults) / t.dsps
                d["e_vector_j"] = _f(k.adds) * e_add_w + _f(k.mults) * e_mul_w
                seconds.append(d["vector_cycles"] / clk)
                steady.append(d["vector_cycles"] / clk)
            out.append((k.label, d))
    for _, d in out:
        for key in tot:
            tot[key] = tot[key] + d[key]
    lat = sum(seconds)
    st = sum(steady)
    tot["e_static_j"] = t.static_power_w * lat
    notes.append(f"{t.name}: energies include the FPGA/ASIC dynamic-energy factor x{ov:g} (Kuon & Rose 2007); "
                 "TPU and GPU energies are datapath-only lower bounds (no control, instruction or clock-tree "
                 "energy), so energy comparisons favour them")
    fclk = float(cal["fmax_mhz"][opt.arch]) * 1e6
    util = np.where(lat > 0, dsp_busy / np.maximum(lat * t.dsps, 1e-30), 0.0)
    return lat * fclk, fclk, lat, st, util, tot, out, notes


def evaluate(workload: str, target: Target, shape: Shape, energy: EnergyTable | None = None,
             options: Options | None = None) -> Evaluation:
    """Cost of ``workload`` for ``shape`` on ``target``.

    Parameters
    ----------
    workload : str
        One of :data:`.workloads.WORKLOADS`.
    target : Target
        From :func:`.hardware.load_target`.
    shape : Shape
        Sizes; arrays give a vectorised sweep.
    energy : EnergyTable, optional
        Default ``horowitz45``.
    options : Options, optional

    Returns
    -------
    Evaluation
    """
    return evaluate_kernels(build_workload(workload, shape), target, shape, energy, options, workload)


def evaluate_kernels(kernels, target: Target, shape: Shape, energy: EnergyTable | None = None,
                     options: Options | None = None, workload: str = "custom") -> Evaluation:
    """Cost of an explicit kernel list (see :mod:`.workloads`) on ``target``;
    ``shape`` gives the sweep shape and the batch for throughput."""
    et = energy or load_energy_table()
    opt = options or Options()
    B, n, d, h = shape.arrays()
    sh = n.shape
    fn = {"systolic": _systolic, "gpu": _gpu, "fpga": _fpga}[target.kind]
    cyc, clk, lat, steady, util, tot, per, notes = fn(kernels, target, et, opt, sh)
    energy_j = tot["e_compute_j"] + tot["e_vector_j"] + tot["e_sram_j"] + tot["e_dram_j"] + tot["e_static_j"]
    comp = tot["compute_cycles"] + tot["fill_drain_cycles"] + tot["vector_cycles"]
    bound = np.where(tot["memory_cycles"] > comp, "memory", "compute")
    with np.errstate(divide="ignore", invalid="ignore"):
        thr = _f(B) / steady
    tot["energy_j"] = energy_j
    prov = provenance.term_provenance(target, et, opt)
    lo, hi = static_power_range(target)
    dyn = energy_j - tot["e_static_j"]
    tot["energy_dynamic_j"] = dyn
    tot["energy_lo_j"] = dyn + lo * _f(lat)
    tot["energy_hi_j"] = dyn + hi * _f(lat)
    return Evaluation(workload, target.name, target.kind, _f(lat), thr, _f(energy_j), _f(util),
                      np.broadcast_to(_f(clk), sh), _f(cyc), bound, tot, per, notes, prov)


def static_power_range(target: Target) -> tuple:
    """(low, high) static power in W: the preset's ``static_power_w_range``;
    else, for an estimated figure, half to 1.5x it; a cited one is exact."""
    r = target.params.get("static_power_w_range")
    p = float(target.static_power_w)
    if r is not None:
        return float(r[0]), float(r[1])
    tag = provenance.target_provenance(target).get("static_power_w", ("estimated", ""))[0]
    return (0.5 * p, 1.5 * p) if tag == "estimated" else (p, p)
