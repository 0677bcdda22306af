"""The model against published measurements (``fftforge cost validate``).

Published figures live in ``tables/published.toml``, each with its source.
One of them is used to FIT the single free number of the library-FFT model
on TPUs, and is reported as the fit point, never as a validation:

fit
    Lu et al. (arXiv 2002.03260), 8192^3 complex 3-D DFT on a TPU pod:
    KDFT (DFT as matmuls) 12.66 s, FFT 8.3 s.  Per chip and per axis both
    process the same rows of 8192 points, so the published ratio
    12.66 / 8.3 = 1.525 is the ratio of one chip's time for a batch of
    8192-point transforms, matmul vs library FFT.  Both runs also exchange
    data between cores by the same one-shuffle scheme (their abstract);
    :func:`lu_exchange` models that time C per chip from the decomposition
    (problem size, cores, core grid) and the TPU v3 ICI link bandwidth
    (derived from the Cloud TPU v3 docs), and C is taken off both runs:
    the vector unit's FFT efficiency ``eta`` (fraction of its peak fp32 op
    rate) is solved so that the model's compute ratio equals
    (12.66 - C) / (8.3 - C).  The core grid, the link sharing and the
    link bandwidth are estimates; ``validate`` prints the band they span.
validated
    FNet (arXiv 2105.03824): on TPUs the DFT matmul is faster for shorter
    sequences (<= 8192 tokens in v1; the Hugging Face port switches at
    4096); checked: DFT-matmul faster at 512, FFT faster at 16384,
    crossover between 2048 and 8192 -- with the library FFT (default).
    Both sides are modelled as FNet's reference code runs them
    (google-research ``f_net/models.py``, ``fourier.py``, ``layers.py``;
    :func:`fnet_code_kernels`): the DFT is ``jnp.einsum`` of the real input
    with the complex64 DFT matrices at ``Precision.DEFAULT``, so the input is
    promoted to complex64 and each of the two contractions is a complex
    matmul (``complex_real_matmuls`` real bf16 matmuls, 4 by the textbook
    expansion: an ASSUMPTION, XLA's TPU lowering of a complex dot is not
    public); the FFT is ``jnp.fft.fftn`` over (sequence, hidden) of that
    complex input, a C2C transform on both axes, and both results are
    complex until ``.real``.  The workloads ``fnet-dft`` / ``fnet-fft`` are
    the minimal formulations (real-input savings, real part only) and are
    reported next to it as a what-if.
FlashFFTConv (GPU)
    Fu et al. (arXiv 2311.05908), the flash-fft-conv README's table: a gated
    FFT convolution on one H100-SXM, PyTorch vs FlashFFTConv, N = 256 .. 4M,
    scaled to batch 64, hidden 768.  :mod:`.gpuconv` models both paths op by
    op from the benchmark's code (PyTorch: every cast, gate, cuFFT pass,
    conjugate fill, multiply, normalisation and cast an HBM round trip;
    FlashFFTConv: the filter FFT in PyTorch every call, then one fused kernel,
    or butterflies around it beyond 32K) on the preset's cited peaks.  Two
    numbers are FITTED -- the fraction of peak HBM bandwidth a streaming
    kernel reaches and the fraction of the fp16 tensor-core peak the fused
    DFT matmuls reach -- on the columns ``fit_seq_len`` (every other one) and
    the remaining columns are the validation: each time within 2x, the
    PyTorch / FlashFFTConv ratio within 1.5x.  The swapped split is printed
    as a sensitivity.
"""

from __future__ import annotations

import math
import textwrap
import tomllib
from functools import lru_cache
from importlib import resources

import numpy as np

from fftforge.errors import UserError

from fftforge.costmodel import compare, fftops, impls
from fftforge.costmodel.hardware import load_target
from fftforge.costmodel.workloads import FFT, Gemm, Shape

__all__ = ["load_published", "fitted_vpu_fft_efficiency", "lu_ratio", "lu_exchange", "lu_exchange_band",
           "lu_compute_ratio", "validate", "format_report", "fnet_crossover", "eta_for_crossover"]


def load_published(path: str | None = None) -> dict:
    if path is None:
        path = str(resources.files("fftforge.costmodel").joinpath("tables", "published.toml"))
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise UserError(f"malformed TOML in {path}: {e}") from None


def _lu_kernels(size: int, rows: int):
    """Lu et al.'s 3-D DFT on one chip's share: for each of the three axes,
    ``rows`` complex transforms of ``size`` points.  The matmul contracts
    any axis in place (XLA's dot takes the contracting dimension as an
    argument); the FFT op transforms the minor dimension only (XLA operation
    semantics, Fft), so two of the three axes pay a transpose round trip --
    the same rule as FNet's sequence axis."""
    mm = [Gemm(f"KDFT axis {a}: complex DFT as real matmul", 1, rows, 2 * size, 2 * size) for a in range(3)]
    ff = [FFT(f"library FFT axis {a}", rows, size, minor=(a == 2)) for a in range(3)]
    return mm, ff


def fnet_code_kernels(B, n, d, complex_real_matmuls: int = 4):
    """FNet's token mixing as its reference JAX code computes it (both
    kernel lists for ``B`` sequences of ``n`` tokens, hidden size ``d``).

    DFT (``fourier.two_dim_matmul``: ``jnp.einsum("ij,jk,ni->nk", x, F_d,
    F_n)`` with complex64 ``scipy.linalg.dft`` matrices, vmapped over the
    batch, ``.real`` after): the real input is promoted to complex64, so
    ``x F_d`` and ``F_n (x F_d)`` are complex matmuls of n x d x d and
    n x n x d complex MACs, each ``complex_real_matmuls`` real bf16 matmuls.
    FFT (``jnp.fft.fftn`` on each (n, d) example, ``.real`` after): a C2C
    transform of every row (d points, the minor axis) and every column
    (n points, not the minor axis)."""
    B, n, d = (np.asarray(v, dtype=np.int64) for v in (B, n, d))
    c = int(complex_real_matmuls)
    dft = [Gemm(f"FNet einsum x F_d: complex64 matmul as {c} real bf16 matmuls", c * B, n, d, d),
           Gemm(f"FNet einsum F_n (x F_d): complex64 matmul as {c} real bf16 matmuls", c * B, n, d, n)]
    fft = [FFT("jnp.fft.fftn: hidden axis (C2C of the complex64-promoted input)", B * n, d + 0 * n),
           FFT("jnp.fft.fftn: sequence axis (C2C), .real after", B * d + 0 * n, n, minor=False)]
    return dft, fft


def lu_times(eta: float | None, pub: dict | None = None, fft_impl: str = "xla-vpu") -> tuple:
    """Model (KDFT, FFT) seconds of Lu et al.'s 3-D transform on one chip's
    share (all three axes), at vector-unit FFT efficiency ``eta`` (or with
    another FFT implementation, e.g. ``four-step-mxu``)."""
    from fftforge.costmodel.evaluate import Options, evaluate_kernels
    p = (pub or load_published())["lu_pod"]
    t = load_target(p["target"])
    size = int(p["size"])
    rows = size ** 3 // size // int(p["chips"])
    mm, ff = _lu_kernels(size, rows)
    sh = Shape(n=size)
    opt = Options(fft_impl=fft_impl, vpu_fft_efficiency=eta if fft_impl == "xla-vpu" else None)
    a = evaluate_kernels(mm, t, sh, options=opt)
    b = evaluate_kernels(ff, t, sh, options=opt)
    return float(a.latency_s[0]), float(b.latency_s[0])


def lu_exchange(pub: dict | None = None, grid=None, link_bandwidth: float | None = None,
                pair_axis="default") -> dict:
    """The pod exchanges of Lu et al.'s runs, per chip, from their
    decomposition: the ``size^3`` grid of ``bytes_per_point`` points split
    over the ``chips * cores_per_chip`` cores as ``grid`` (cores per axis),
    and along each axis the one-shuffle scheme of their abstract ("sending
    and receiving data takes place simultaneously between two neighboring
    cores and along the same direction"): every step, every core sends its
    whole block to its neighbour on the axis's ring, and ``m - 1`` steps
    bring every block past every core of a ring of ``m``.  The same
    exchanges in both runs (their abstract: "in both parallel algorithms"),
    so the time is common to KDFT and FFT.

    Per step, the chip's link in the ring's direction carries both cores'
    blocks (their rings run side by side), except on ``pair_axis``, whose
    rings hold the chip's two cores as neighbours: there one block leaves
    the chip.  ``pair_axis=None``: every axis shares the link.  Time =
    bytes on the busiest link / ``link_bandwidth`` (one way; default the
    target's ``ici_link_bandwidth``).  Not modelled: latency per step, and
    the all-to-all per axis that Google's swirl-lm ``DistTPUFFT`` also runs
    in its FFT (FFT-only time: it would raise the solved eta further)."""
    p = (pub or load_published())["lu_pod"]
    t = load_target(p["target"])
    size, chips, cpc = int(p["size"]), int(p["chips"]), int(p.get("cores_per_chip", 1))
    cores = chips * cpc
    grid = [int(m) for m in (p["core_grid"] if grid is None else grid)]
    if math.prod(grid) != cores or len(grid) != 3:
        raise UserError(f"lu_pod core grid {grid} must split the {cores} cores over 3 axes")
    pa = p.get("core_pair_axis") if pair_axis == "default" else pair_axis
    bw = float(t.ici_link_bandwidth if link_bandwidth is None else link_bandwidth)
    core_bytes = size ** 3 * int(p["bytes_per_point"]) // cores
    steps = [m - 1 for m in grid]
    per_step = [core_bytes * (1 if (pa is not None and a == int(pa) and cpc > 1) else cpc) for a in range(3)]
    link_bytes = sum(s * b for s, b in zip(steps, per_step))
    return {"grid": grid, "cores": cores, "core_bytes": core_bytes, "chip_bytes": core_bytes * cpc,
            "steps": steps, "link_bytes_per_step": per_step, "link_bytes": link_bytes,
            "sent_bytes_per_core": sum(steps) * core_bytes, "pair_axis": pa, "link_bandwidth": bw,
            "seconds": link_bytes / bw}


def lu_exchange_band(pub: dict | None = None) -> tuple:
    """(lowest, highest) exchange seconds over the stated alternatives: the
    core grid (``core_grid`` / ``core_grid_alt``), the chip's cores paired on
    one axis or sharing the link on all, and the link bandwidth derived from
    the all-reduce or the bisection figure."""
    pub = pub or load_published()
    p = pub["lu_pod"]
    t = load_target(p["target"])
    grids = [p["core_grid"]] + ([p["core_grid_alt"]] if "core_grid_alt" in p else [])
    bws = [t.ici_link_bandwidth] + ([t.ici_link_bandwidth_bisection]
                                    if "ici_link_bandwidth_bisection" in t.params else [])
    xs = [lu_exchange(pub, g, b, pa)["seconds"] for g in grids for b in bws for pa in ("default", None)]
    return min(xs), max(xs)


def lu_compute_ratio(exchange_s: float, pub: dict | None = None) -> float:
    """Lu et al.'s KDFT / FFT ratio of the time left for computing once
    ``exchange_s`` seconds of exchanges common to both runs are taken off."""
    p = (pub or load_published())["lu_pod"]
    k, f = float(p["kdft_s"]), float(p["fft_s"])
    if not 0 <= exchange_s < f:
        raise UserError(f"exchange time {exchange_s:.3g} s must be in [0, {f}) s (Lu et al.'s FFT run)")
    return (k - exchange_s) / (f - exchange_s)


def lu_ratio(eta: float, pub: dict | None = None) -> float:
    """Model KDFT / FFT time for Lu et al.'s setup at vector-unit FFT
    efficiency ``eta`` (the library FFT)."""
    a, b = lu_times(eta, pub)
    return a / b


@lru_cache(maxsize=None)
def fitted_vpu_fft_efficiency(exchange_s: float | None = None) -> float:
    """``eta`` such that :func:`lu_ratio` (one chip's compute) equals Lu et
    al.'s ratio of compute times, (12.66 - C) / (8.3 - C), where C is the
    pod exchange time common to both runs (:func:`lu_exchange`; pass
    ``exchange_s`` to solve at another C, 0 for the compute-only solve of
    before).  Bisection on log eta; the ratio grows with eta."""
    pub = load_published()
    C = lu_exchange(pub)["seconds"] if exchange_s is None else float(exchange_s)
    target = lu_compute_ratio(C, pub)
    lo, hi = 1e-5, 1.0
    if lu_ratio(hi) <= target:
        return hi               # memory-bound even at full speed: no fit possible
    for _ in range(80):
        mid = math.sqrt(lo * hi)
        if lu_ratio(mid) < target:
            lo = mid
        else:
            hi = mid
    return math.sqrt(lo * hi)


def fnet_crossover(eta: float, batch: int = 1, pub: dict | None = None, complex_real_matmuls: int | None = None,
                   formulation: str = "code") -> float:
    """The modelled FNet crossover (tokens) with the library FFT at ``eta``
    (log-log interpolation over n = 128 .. 65536); inf when the FFT never
    wins.  ``formulation``: ``code`` (FNet's reference code,
    :func:`fnet_code_kernels`) or ``minimal`` (the workloads fnet-dft /
    fnet-fft)."""
    p = (pub or load_published())["fnet_tpu"]
    n = 2 ** np.arange(7, 17)
    _, _, dft, fft = _fnet_eval("xla-vpu", batch, p, n, eta, complex_real_matmuls, formulation)
    xs = [x for x in compare.crossovers([dft, fft], n, "latency_s") if x["below"].startswith("fnet-dft")]
    return xs[-1]["n_cross"] if xs else math.inf


def eta_for_crossover(n_cross: float, batch: int = 1) -> float:
    """The library-FFT efficiency that would put the FNet crossover at
    ``n_cross`` (bisection; the crossover falls as eta grows).  A
    sensitivity figure only: eta is solved from Lu et al., not from FNet."""
    pub = load_published()
    lo, hi = 1e-4, 1.0
    for _ in range(40):
        mid = math.sqrt(lo * hi)
        if fnet_crossover(mid, batch, pub) > n_cross:
            lo = mid
        else:
            hi = mid
    return math.sqrt(lo * hi)


def _fnet_eval(fft_impl: str, batch: int, p: dict, n, eta=None, complex_real_matmuls=None,
               formulation: str = "code"):
    """(target, n, DFT evaluation, FFT evaluation) of FNet's mixing on the
    published setup ``p`` (``[fnet_tpu]``)."""
    from fftforge.costmodel.evaluate import Options, evaluate, evaluate_kernels
    t = load_target(p["target"])
    sh = Shape(B=batch, n=n, d=int(p["d"]))
    opt = Options(fft_impl=fft_impl, vpu_fft_efficiency=eta)
    if formulation == "minimal":
        return t, n, evaluate("fnet-dft", t, sh, options=opt), evaluate("fnet-fft", t, sh, options=opt)
    c = int(p.get("complex_real_matmuls", 4) if complex_real_matmuls is None else complex_real_matmuls)
    B, nn, d, _ = sh.arrays()
    dk, fk = fnet_code_kernels(B, nn, d, c)
    return (t, n, evaluate_kernels(dk, t, sh, options=opt, workload="fnet-dft (FNet code)"),
            evaluate_kernels(fk, t, sh, options=opt, workload="fnet-fft (FNet code)"))


def _fnet(fft_impl: str, batch: int, pub: dict, formulation: str = "code"):
    n = 2 ** np.arange(7, 16)          # 128 ... 32768
    return _fnet_eval(fft_impl, batch, pub["fnet_tpu"], n, formulation=formulation)


def _klabel(N: int) -> str:
    for unit, v in (("M", 1 << 20), ("K", 1 << 10)):
        if N >= v and N % v == 0:
            return f"{N // v}{unit}"
    return str(N)


def _flash_rows(g: dict) -> list:
    """[(N, B, H, scale, torch_s, flash_s)] of the published table: each
    column at the batch and heads the benchmark ran, scaled as it was."""
    B0, H0 = int(g["batch"]), int(g["d"])
    return [(int(N), int(b), int(h), B0 * H0 / (int(b) * int(h)), float(pt) / 1e3, float(pf) / 1e3)
            for N, b, h, pt, pf in zip(g["seq_len"], g["local_batch"], g["local_heads"],
                                       g["torch_ms"], g["flash_ms"])]


def _implied(fn, target, lo=1e-4, hi=1.0):
    """The efficiency e in [lo, hi] at which the decreasing ``fn(e)`` equals
    ``target``; None when even ``hi`` is too slow or ``lo`` too fast."""
    if fn(hi) > target or fn(lo) < target:
        return None
    for _ in range(60):
        mid = math.sqrt(lo * hi)
        if fn(mid) > target:
            lo = mid
        else:
            hi = mid
    return math.sqrt(lo * hi)


def _flash_split(rows, fit_n, t):
    """Fit on the columns ``fit_n``; model and verdicts for every column."""
    from fftforge.costmodel import gpuconv
    eh, et = gpuconv.fit_efficiencies([r for r in rows if r[0] in fit_n], t)
    out = []
    for N, B, H, sc, pt, pf in rows:
        mt, mf = (float(x) for x in gpuconv.predict(N, B, H, t, eh, et, sc))
        pk_t, pk_f = (float(x) for x in gpuconv.predict(N, B, H, t, 1.0, 1.0, sc))
        e = {"torch": max(mt / pt, pt / mt), "flash": max(mf / pf, pf / mf)}
        rm, rp = mt / mf, pt / pf
        e["ratio"] = max(rm / rp, rp / rm)
        out.append({"N": N, "role": "fit" if N in fit_n else "validate", "B": B, "H": H, "scale": sc,
                    "published_ms": {"torch": pt * 1e3, "flash": pf * 1e3, "ratio": rp},
                    "model_ms": {"torch": mt * 1e3, "flash": mf * 1e3, "ratio": rm},
                    "peak_only_ms": {"torch": pk_t * 1e3, "flash": pk_f * 1e3},
                    "error": e,
                    "ok": {"torch": e["torch"] <= 2.0, "flash": e["flash"] <= 2.0, "ratio": e["ratio"] <= 1.5}})
    return eh, et, out


# What-if per-kernel fixed times (launch + tail) swept by ``cost validate``:
# not model inputs, a sensitivity over the microsecond scale of a kernel launch
KERNEL_FIXED_S = (2e-6, 5e-6, 10e-6)


def _fixed_cost_sweep(rows, fit_n, t) -> dict:
    """``{t0: {"eta_hbm", "eta_tc", "err": {N: (flash error, ratio error)}}}``:
    the efficiencies refitted on ``fit_n`` with ``t0`` added to every kernel
    of both paths, and the resulting errors on every column."""
    from fftforge.costmodel import gpuconv
    out = {}
    for t0 in KERNEL_FIXED_S:
        eh, et = gpuconv.fit_efficiencies([r for r in rows if r[0] in fit_n], t, t0)
        err = {}
        for N, B, H, sc, pt, pf in rows:
            mt, mf = (float(x) for x in gpuconv.predict(N, B, H, t, eh, et, sc, t0))
            err[N] = (max(mf / pf, pf / mf), max((mt / mf) / (pt / pf), (pt / pf) / (mt / mf)))
        out[t0] = {"eta_hbm": eh, "eta_tc": et, "err": err}
    return out


def _single_warp(rows, t, eh, et) -> dict:
    """The one-warp fused kernel (256 and 1K, one template) from the published
    times: each warp's time per sequence, and the per-sequence latency plus
    per-wmma-step time that the two columns alone would determine."""
    from fftforge.costmodel import gpuconv
    out = {}
    for N, B, H, sc, pt, pf in rows:
        if N not in gpuconv.MATMUL_WARP_WIDTH:
            continue
        geo = gpuconv.single_warp_geometry(N, B, H, t)
        other = sum(float(gpuconv.op_time(o, t, eh, et)) for o in gpuconv.flash_ops(N, B, H, int(t.fft_single_pass))
                    if not o["label"].startswith("fused"))
        fused = pf / sc - other
        out[N] = dict(geo, fused_s=fused, seq_s=fused * geo["waves"] / geo["seqs_per_warp"])
    if len(out) == 2 and all(v["seq_s"] > 0 for v in out.values()):
        (n0, r0), (n1, r1) = sorted(out.items())
        w0, w1 = r0["mww"] ** 3, r1["mww"] ** 3
        b = (r1["seq_s"] - r0["seq_s"]) / (w1 - w0)
        out["solve"] = {"a_s": r0["seq_s"] - b * w0, "b_s": b,
                        "work_rate_ratio": (w1 / r1["seq_s"]) / (w0 / r0["seq_s"]), "n": (n0, n1)}
    return out


def _eta_text(v) -> str:
    return f"{v:.3g}" if v else "none in (0, 1]"


def _mechanism_note(N: int, r: dict, sweep: dict, sw: dict, implied: dict) -> str:
    """Why the mechanisms a short-sequence miss suggests do not close it at
    ``N``: a per-kernel fixed cost (the sweep), occupancy and the one-warp
    kernel's per-sequence chain (``sw``), the factor size."""
    from fftforge.costmodel import gpuconv
    k = _klabel
    out = []
    slower = r["model_ms"]["flash"] > r["published_ms"]["flash"]
    errs = ", ".join(f"x{sweep[t0]['err'][N][0]:.2f}" for t0 in sweep)
    out.append(f"Not a per-kernel fixed cost (launch + tail): "
               + ("the model is already slower than published here " if slower else "")
               + f"({r['model_ms']['flash']:.3g} vs {r['published_ms']['flash']:.3g} ms); with "
               f"{', '.join(f'{t0 * 1e6:g}' for t0 in sweep)} us added to every kernel of both paths and the two "
               f"efficiencies refitted on the same columns the FlashFFTConv miss is {errs}, the ratio "
               + ", ".join(f"x{sweep[t0]['err'][N][1]:.2f}" for t0 in sweep))
    if N in sw and "solve" in sw and N in sw["solve"]["n"] and all(
            sw[m]["seq_s"] > 0 for m in sw["solve"]["n"]):
        o = [m for m in sw["solve"]["n"] if m != N][0]
        g, s = sw[N], sw["solve"]
        out.append(
            f"Not occupancy: {k(o)} and {k(N)} are one kernel template launched alike ({g['blocks']} blocks of "
            f"{g['warps_per_block']} warp, {g['seqs_per_warp']} sequences per warp; at least {g['per_sm']} blocks "
            f"resident per SM, registers at the 255-per-thread maximum, x {g['sm_count']} SMs = {g['resident']}: "
            f"{g['waves']} wave; monarch_cuda_interface_fwd.cu, "
            f"h100.toml SM limits), so each warp works through its sequences one after another: the published "
            f"times give {sw[o]['seq_s'] * 1e6:.3g} us per sequence per warp at {k(o)} and {g['seq_s'] * 1e6:.3g} us "
            f"at {k(N)}, while a sequence's matmul work grows {(g['mww'] / sw[o]['mww']) ** 3:g}x (MATMUL_WARP_WIDTH "
            f"{sw[o]['mww']} -> {g['mww']}, work as its cube): the {k(sw['solve']['n'][1])} instance does "
            f"{s['work_rate_ratio']:.2g}x the tensor-core work per unit time of the {k(sw['solve']['n'][0])} one, "
            f"so no throughput efficiency shared by the two fits both (implied eta_tc {_eta_text(implied.get(o))} vs "
            f"{_eta_text(implied.get(N))}).  A per-sequence latency a plus a time b per MATMUL_WARP_WIDTH^3 of wmma steps "
            f"would fit them (a = {s['a_s'] * 1e6:.3g} us, b = {s['b_s'] * 1e6:.3g} us), but these two columns are "
            f"the only ones of this kernel: solving a and b on them leaves nothing to validate, and no cited "
            f"source gives either for this kernel")
    f = gpuconv.FACTORS.get(N, (None,))[0]
    shared_f = [m for m in implied if m != N and f in gpuconv.FACTORS.get(m, ()) and implied[m]]
    if shared_f:
        out.append(f"Not the {f}-point factor: the other kernels with {f}-point factors "
                   f"({', '.join(k(m) for m in shared_f)}) imply "
                   f"{min(implied[m] for m in shared_f):.3g}..{max(implied[m] for m in shared_f):.3g}")
    return ".  ".join(out)


def _flashfftconv(g: dict):
    """FlashFFTConv's table: fit (eta_hbm, eta_tc) on ``fit_seq_len``,
    validate on the other columns; the swapped split as a sensitivity."""
    from fftforge.costmodel import gpuconv
    from fftforge.costmodel.provenance import target_provenance
    t = load_target(g["target"])
    rows = _flash_rows(g)
    fit_n = [int(x) for x in g["fit_seq_len"]]
    eh, et, res = _flash_split(rows, fit_n, t)
    other = [r[0] for r in rows if r[0] not in fit_n]
    eh2, et2, res2 = _flash_split(rows, other, t)
    miss2 = [f"{_klabel(r['N'])} {k}" for r in res2 if r["role"] == "validate" for k in ("torch", "flash", "ratio")
             if not r["ok"][k]]
    n2 = 3 * sum(r["role"] == "validate" for r in res2)
    tp = target_provenance(t)
    inputs = [(f"{t.name}.{k}", v, tp.get(k, ("estimated", ""))[0], tp.get(k, ("", "no source"))[1])
              for k, v in (("dram_bandwidth", t.dram_bandwidth), ("peak_flops", {
                  "fp16": t.peak_flops["fp16"], t.fft_precision: t.peak_flops[t.fft_precision]}),
                  ("fft_single_pass", t.fft_single_pass), ("sm_count", t.sm_count),
                  ("max_blocks_per_sm", t.max_blocks_per_sm), ("smem_per_sm_bytes", t.smem_per_sm_bytes),
                  ("regs_per_sm", t.regs_per_sm), ("max_regs_per_thread", t.max_regs_per_thread))]
    cons = max(abs(p / f / s - 1) for p, f, s in zip(g["torch_ms"], g["flash_ms"], g["speedup"]))
    fit = {"what": f"FlashFFTConv benchmark on {t.name}: HBM and tensor-core efficiencies",
           "source": g["source"], "target": t.name, "eta_hbm": eh, "eta_tc": et,
           "fit_seq_len": fit_n, "validate_seq_len": other, "rows": res, "inputs": inputs,
           "speedup_row_consistency": cons,
           "swapped": {"fit_seq_len": other, "eta_hbm": eh2, "eta_tc": et2, "missed": miss2, "checks": n2},
           "op_lists": {"torch": [o["label"] for o in gpuconv.torch_ops(1024, 1, 1, int(t.fft_single_pass))],
                        "flash": [o["label"] for o in gpuconv.flash_ops(1024, 1, 1, int(t.fft_single_pass))]}}
    # the tensor-core efficiency each fused column implies on its own (the
    # fitted eta_hbm kept), against the kernel's launch geometry
    implied = {}
    for N, B, H, sc, pt, pf in rows:
        if N in gpuconv.FACTORS:
            implied[N] = _implied(lambda e: float(gpuconv.predict(N, B, H, t, eh, e, sc)[1]), pf)
    fit["implied_eta_tc"] = implied
    sweep = _fixed_cost_sweep(rows, fit_n, t)
    sw = _single_warp(rows, t, eh, et)
    fit["fixed_cost_sweep"] = sweep
    fit["single_warp"] = sw
    est = [n for n, _, tag, _ in inputs if tag == "estimated"]
    gpu_tag = ("estimated" if est else "fitted") + (f" (estimated inputs: {', '.join(est)}; " if est else " (") + \
        "fitted: eta_hbm, eta_tc; the rest cited)"
    checks = []
    names = {"torch": "PyTorch gated FFT conv [ms]", "flash": "FlashFFTConv [ms]",
             "ratio": "PyTorch / FlashFFTConv"}
    for r in res:
        if r["role"] != "validate":
            continue
        N, B, H, sc = r["N"], r["B"], r["H"], r["scale"]
        why = {}
        if not r["ok"]["flash"] or not r["ok"]["ratio"]:
            imp = _implied(lambda e: float(gpuconv.predict(N, B, H, t, eh, e, sc)[1]) * 1e3,
                           r["published_ms"]["flash"])
            fac = "x".join(map(str, gpuconv.FACTORS.get(N, ())))
            why["flash"] = (f"the fused kernel is modelled as its DFT-matmul FLOPs at ONE fitted tensor-core "
                            f"efficiency ({et:.3g} of peak) for every size; the published time at N={_klabel(N)} "
                            + (f"implies {imp:.3g} (x{imp / et:.2f})" if imp else "is outside what any efficiency gives")
                            + (f" for the {fac} kernel" if fac else "")
                            + ": FlashFFTConv's kernels differ in efficiency by size, which the model does not know"
                            + ".  " + _mechanism_note(N, r, sweep, sw, implied))
        if not r["ok"]["torch"]:
            imp = _implied(lambda e: float(gpuconv.predict(N, B, H, t, e, et, sc)[0]) * 1e3,
                           r["published_ms"]["torch"], 0.05, 1.0)
            why["torch"] = ("the PyTorch path is HBM-bound in the model; the published time implies "
                            + (f"{imp:.3g} of peak bandwidth vs the fitted {eh:.3g}" if imp else
                               "more than the peak bandwidth"))
        if not r["ok"]["ratio"]:
            why["ratio"] = (f"PyTorch within x{r['error']['torch']:.2f}, FlashFFTConv within "
                            f"x{r['error']['flash']:.2f}; the ratio compounds both: "
                            + (why.get("flash") or why.get("torch") or ""))
        for k in ("torch", "flash", "ratio"):
            pv, mv = r["published_ms"][k], r["model_ms"][k]
            checks.append({"name": f"{t.name} N={_klabel(N)}: {names[k]}",
                           "published": f"{pv:.3g}" + ("x" if k == "ratio" else ""),
                           "model": f"{mv:.3g}" + ("x" if k == "ratio" else ""),
                           "error": f"x{r['error'][k]:.2f} (target <= x{2.0 if k != 'ratio' else 1.5:g})",
                           "ok": bool(r["ok"][k]), "source": "flash-fft-conv README table (Fu et al., "
                           "arXiv 2311.05908); model: costmodel/gpuconv.py",
                           "why": "" if r["ok"][k] else why.get(k, ""), "model_tag": gpu_tag})
    return fit, checks


def validate(fft_impl: str = "library", batch: int = 1) -> dict:
    """Run every comparison; returns ``{"fit": ..., "checks": [...], "notes": [...]}``.

    Each check: ``name``, ``published`` (text), ``model`` (text), ``error``
    (text or ""), ``ok`` (True / False / None = not assessed), ``why``.
    """
    if batch < 1:
        raise UserError(f"--batch must be >= 1, got {batch}")
    pub = load_published()
    impl_tpu = impls.resolve(fft_impl, "systolic", "tpu-v3")
    checks, notes = [], []
    eta = fitted_vpu_fft_efficiency()
    lp = pub["lu_pod"]
    ka, fa = lu_times(eta, pub)
    # what the model gives for the formulation Lu et al. actually ran (a
    # Cooley-Tukey on the matrix units), and the time common to both runs
    # (exchanges) that would reconcile it with their ratio
    k4, f4 = lu_times(None, pub, lp.get("mxu_fft_impl", "four-step-mxu"))
    r4 = k4 / f4
    c4 = (lp["kdft_s"] - r4 * lp["fft_s"]) / (1 - r4)
    ex = lu_exchange(pub)
    band = lu_exchange_band(pub)
    fit = {"what": "TPU library FFT: vector-unit efficiency eta", "value": eta, "tag": "estimated",
           "source": lp["source"], "published_ratio": lp["kdft_s"] / lp["fft_s"],
           "compute_ratio": lu_compute_ratio(ex["seconds"], pub), "exchange": ex,
           "exchange_band_s": list(band), "eta_compute_only": fitted_vpu_fft_efficiency(0.0),
           "model_ratio": ka / fa, "model_kdft_s": ka, "model_fft_s": fa,
           "premise": ("solved as if Lu et al.'s FFT were XLA's FFT op on the vector unit; their abstract says "
                       "otherwise: " + lp.get("fft_formulation", "")),
           "mxu_impl": lp.get("mxu_fft_impl", "four-step-mxu"), "mxu_model_ratio": r4,
           "mxu_model_kdft_s": k4, "mxu_model_fft_s": f4, "common_s_for_mxu": c4}

    # ---- FNet on TPU: direction at 512 and 16384, crossover
    p = pub["fnet_tpu"]
    t, n, dft, fft = _fnet(fft_impl, batch, pub)
    r = dft.latency_s / fft.latency_s          # > 1: FFT faster
    src = ("FNet arXiv 2105.03824 / HF modeling_fnet.py; model: FNet's reference code "
           "(google-research f_net models.py, fourier.py, layers.py)")
    from fftforge.costmodel.provenance import summarize
    keys = ("compute_cycles", "fill_drain_cycles", "vector_cycles", "memory_cycles")
    tags = [summarize(e.provenance, keys) for e in (dft, fft)]
    est = sorted(set(tags[0][1]) | set(tags[1][1]))
    fnet_tag = min((x[0] for x in tags), key=("estimated", "fitted", "cited", "measured-here").index) + (
        f" (estimated inputs: {', '.join(est)}; assumed: a complex64 matmul = "
        f"{p.get('complex_real_matmuls', 4)} real bf16 matmuls)" if est else "")
    lo, hi = int(p["crossover_lo"]), int(p["crossover_hi"])
    mech = {}
    if impl_tpu == "xla-vpu":
        # what the mechanism changes, each from FNet's code (printed, not fitted)
        mech["minimal"] = fnet_crossover(eta, batch, pub, formulation="minimal")
        mech["code"] = fnet_crossover(eta, batch, pub)
        mech["gauss_b8"] = fnet_crossover(eta, max(batch, 8), pub, complex_real_matmuls=3)
        mech["eta_hi"] = eta_for_crossover(hi, batch)
        # candidates checked for the remaining gap, each computed here
        mech["batch_64"] = fnet_crossover(eta, 64, pub)
        i_hi = int(np.flatnonzero(n == hi)[0]) if np.any(n == hi) else len(n) - 1
        mech["fft_hbm_share"] = float(fft.terms["memory_cycles"][i_hi] / fft.terms["vector_cycles"][i_hi])
        d = int(p["d"])
        mech["hidden_ops_per_point"] = sum(fftops.any_ops(d)) / d
    ruled_out = (f"; checked, not the gap: the batch (crossover {mech.get('code', math.nan):.0f} at batch {batch}, "
                 f"{mech.get('batch_64', math.nan):.0f} at 64: both sides scale with it), the HBM (the library FFT's "
                 f"round trips and transposes are {100 * mech.get('fft_hbm_share', math.nan):.0f} % of its "
                 f"vector-unit time at n = {hi}), the hidden axis's count (d = {p['d']} costed as one Cooley-Tukey "
                 f"step, split-radix 2^k x Winograd: {mech.get('hidden_ops_per_point', math.nan):.1f} real ops per "
                 "point)") if mech else ""
    why_lib = (f"with FNet's code as it runs (complex64 einsum = {p.get('complex_real_matmuls', 4)} real bf16 "
               f"matmuls per contraction; jnp.fft.fftn = C2C on both axes) the crossover falls from "
               f"{mech.get('minimal', math.nan):.0f} (minimal formulations) to {mech.get('code', math.nan):.0f}; "
               f"the rest rests on the library FFT's vector-unit efficiency eta = {eta:.3g}, which no published "
               "measurement of XLA's TPU FFT backs: it is solved from Lu et al.'s pod ratio less their one-shuffle "
               f"exchanges, modelled at {ex['seconds']:.3g} s of each run (band {band[0]:.3g}..{band[1]:.3g} s: "
               "core grid, link sharing and ICI link bandwidth are estimates, no cited figure breaks their runs "
               "down), and their FFT is a Cooley-Tukey on the matrix units (the model of the formulation they ran "
               f"gives KDFT/FFT {r4:.3g}, not {lp['kdft_s'] / lp['fft_s']:.3g}: {c4:.2g} s of each run would have "
               f"to be common time); a crossover at {hi} needs eta >= {mech.get('eta_hi', math.nan):.3g} "
               f"(x{mech.get('eta_hi', math.nan) / eta:.2f}), which no source here supports or rules out"
               + ruled_out if impl_tpu == "xla-vpu" else
               "this implementation is an ideal (what-if), not the FFT FNet measured; use --fft-impl library")
    for nv, want_fft, text in ((p["dft_faster_at"], False, "DFT matmul faster"),
                               (p["fft_faster_at"], True, "FFT faster")):
        i = int(np.flatnonzero(n == nv)[0])
        ok = bool(r[i] > 1) == want_fft
        checks.append({"name": f"FNet {t.name} n={nv}: t(DFT matmul)/t(FFT)", "published": f"{'>' if want_fft else '<'} 1 ({text})",
                       "model": f"{r[i]:.3g}", "error": "" if ok else "wrong direction", "ok": ok,
                       "source": src, "why": "" if ok else why_lib, "model_tag": fnet_tag})
    xs = [c for c in compare.crossovers([dft, fft], n, "latency_s")]
    if xs:
        nc = xs[0]["n_cross"]
        ok = lo <= nc <= hi and len(xs) == 1 and xs[0]["below"].startswith("fnet-dft")
        err = f"x{nc / p['hf_switch']:.2f} vs HF 4096, x{nc / hi:.2f} vs v1 8192"
        model = f"{nc:.0f}" + ("" if len(xs) == 1 else f" (+{len(xs) - 1} more)")
    else:
        ok, err, model = False, "no crossover in 128..32768", "none"
    why = "" if ok else why_lib
    checks.append({"name": f"FNet {t.name}: crossover n (DFT matmul faster below)",
                   "published": f"{lo}..{hi} (HF {p['hf_switch']}, v1 <= {hi})", "model": model,
                   "error": err, "ok": ok, "source": src, "why": why, "model_tag": fnet_tag})
    if impl_tpu == "xla-vpu":
        need = [mech["eta_hi"], eta_for_crossover(lo, batch)]
        fit["sensitivity"] = {"crossover_range": [lo, hi], "eta_range": need, "mechanism": mech}
        # the same exchange time C in both of Lu et al.'s runs hides a larger
        # compute-only ratio r = (kdft - C) / (fft - C); C that makes r the
        # ratio the model gives at the eta a crossover at `hi` needs:
        r = lu_ratio(need[0], pub)
        C = (lp["kdft_s"] - r * lp["fft_s"]) / (1 - r)
        fit["sensitivity"]["exchange_s_for_hi"] = C
        notes.append(f"mechanism (FNet's code, nothing fitted to FNet): crossover {mech['minimal']:.0f} tokens with "
                     f"the minimal formulations (workloads fnet-dft / fnet-fft: real-input FFT, real-part-only "
                     f"DFT matmuls), {mech['code']:.0f} as FNet's code computes it (complex64 einsum, C2C fftn); "
                     f"with Gauss's 3 real matmuls per complex one instead of 4: {mech['gauss_b8']:.0f} (at batch "
                     f"{max(batch, 8)}: at batch 1 the 3 or 4 GEMMs occupy the 4 matrix units alike)")
        # the crossover at both ends of the exchange-time band, and without
        # the exchanges (the compute-only solve of before)
        mech["exchange_band_crossover"] = [fnet_crossover(fitted_vpu_fft_efficiency(b), batch, pub) for b in band]
        mech["compute_only_crossover"] = fnet_crossover(fit["eta_compute_only"], batch, pub)
        notes.append(f"sensitivity: a crossover at {hi} .. {lo} tokens needs eta = "
                     f"{need[0]:.3g} .. {need[1]:.3g} (x{need[0] / eta:.2f} .. x{need[1] / eta:.2f} the solved "
                     f"{eta:.3g}); not used to set eta.  The solve gives {hi} if {C:.2g} s of each of Lu et al.'s "
                     f"runs were pod exchanges common to both; the model's exchanges are {ex['seconds']:.3g} s "
                     f"(crossover {mech['code']:.0f}); over the band {band[0]:.3g} .. {band[1]:.3g} s the crossover "
                     f"is {mech['exchange_band_crossover'][0]:.0f} .. {mech['exchange_band_crossover'][1]:.0f}; "
                     f"without exchanges (eta {fit['eta_compute_only']:.3g}) it was "
                     f"{mech['compute_only_crossover']:.0f}")

    # ---- FlashFFTConv on GPU (mechanism model: costmodel/gpuconv.py)
    g = pub["flashfftconv"]
    gpu_fit = None
    if g.get("status") == "recorded" and g.get("seq_len"):
        gpu_fit, gchecks = _flashfftconv(g)
        checks += gchecks
    else:
        checks.append({"name": f"FlashFFTConv {g['target']}: times and ratio", "published": "not recorded",
                       "model": "", "error": "", "ok": None, "source": g["source"], "why": g.get("status", "")})
    notes.append(f"FNet checks: FNet's DFT-matmul vs FFT mixing as its reference code computes them "
                 f"(validate.fnet_code_kernels) on {t.name}, d {p['d']}, batch {batch}, "
                 f"--fft-impl {fft_impl} ({impl_tpu})")
    return {"fit": fit, "gpu_fit": gpu_fit, "checks": checks, "notes": notes}


def _format_gpu_fit(g: dict) -> list:
    from fftforge.costmodel import gpuconv
    k = _klabel
    out = [f"fit (not a validation): {g['what']}",
           f"  on {g['source']}",
           f"  fitted on N = {', '.join(k(n) for n in g['fit_seq_len'])} (both series); validated on "
           f"N = {', '.join(k(n) for n in g['validate_seq_len'])}",
           f"  eta_hbm = {g['eta_hbm']:.3g} [fitted]: fraction of the HBM peak a streaming kernel reaches",
           f"  eta_tc  = {g['eta_tc']:.3g} [fitted]: fraction of the fp16 tensor-core peak FlashFFTConv's "
           "DFT matmuls reach (all in-kernel overheads included)"]
    for name, v, tag, src in g["inputs"]:
        v = ", ".join(f"{a} {b:g}" for a, b in v.items()) if isinstance(v, dict) else f"{v:g}"
        out.append(f"  input {name} = {v} [{tag}]: {src}")
    for what, key in (("PyTorch ops, each an HBM round trip (N = 1K)", "torch"), ("FlashFFTConv ops", "flash")):
        out += textwrap.wrap(f"{what}: " + "; ".join(g["op_lists"][key]), 140, initial_indent="  ",
                             subsequent_indent="      ")
    out.append(f"  published speedup row = PyTorch / FlashFFTConv rows within {100 * g['speedup_row_consistency']:.1f} %")
    head = (f"  {'N':>4} {'role':<8} | {'PyTorch ms: pub':>15} {'model':>8} {'err':>6} | {'Flash ms: pub':>13} "
            f"{'model':>8} {'err':>6} | {'ratio: pub':>10} {'model':>6} {'err':>6} | at cited peaks only "
            "(PyTorch, Flash ms)")
    out += [head, "  " + "-" * (len(head) - 2)]
    for r in g["rows"]:
        p, m, e, pk = r["published_ms"], r["model_ms"], r["error"], r["peak_only_ms"]
        out.append(f"  {k(r['N']):>4} {r['role']:<8} | {p['torch']:>15.4g} {m['torch']:>8.4g} {e['torch']:>5.2f}x | "
                   f"{p['flash']:>13.4g} {m['flash']:>8.4g} {e['flash']:>5.2f}x | {p['ratio']:>10.3g} "
                   f"{m['ratio']:>6.3g} {e['ratio']:>5.2f}x | {pk['torch']:.4g}, {pk['flash']:.4g}")
    ts = [r["peak_only_ms"]["torch"] / r["published_ms"]["torch"] for r in g["rows"]]
    fs = [r["peak_only_ms"]["flash"] / r["published_ms"]["flash"] for r in g["rows"]]
    out.append(f"  at the cited peaks alone (no fitted number) the model is x{min(ts):.2f}..x{max(ts):.2f} of the "
               f"published PyTorch times and x{min(fs):.2f}..x{max(fs):.2f} of FlashFFTConv's: neither path runs "
               "at its peaks, FlashFFTConv least of all")
    if g.get("implied_eta_tc"):
        out.append("  eta_tc each fused column implies alone (eta_hbm as fitted): " + ", ".join(
            f"{k(n)} ({'x'.join(map(str, gpuconv.FACTORS[n]))}) "
            f"{v:.3g}" for n, v in g["implied_eta_tc"].items() if v))
    if g.get("fixed_cost_sweep"):
        out += textwrap.wrap("what-if, a fixed time per kernel (launch + tail) on every op of both paths, "
                             "efficiencies refitted on the same columns: " + "; ".join(
                       f"{t0 * 1e6:g} us: eta_hbm {v['eta_hbm']:.3g}, eta_tc {v['eta_tc']:.3g}, worst validation "
                       f"error x{max(max(e) for n, e in v['err'].items() if n in g['validate_seq_len']):.2f}"
                       for t0, v in g["fixed_cost_sweep"].items()), 140, initial_indent="  ",
                             subsequent_indent="      ")
    sw = {n: v for n, v in g.get("single_warp", {}).items() if n != "solve"}
    if sw:
        out += textwrap.wrap("one-warp fused kernel (monarch_cuda_kernel.h): " + "; ".join(
            f"{k(n)}: {v['blocks']} blocks, {v['seqs_per_warp']} sequences per warp, {v['waves']} wave(s), "
            f"MATMUL_WARP_WIDTH {v['mww']}, {v['seq_s'] * 1e6:.3g} us per sequence per warp (published)"
            for n, v in sw.items()), 140, initial_indent="  ", subsequent_indent="      ")
    sw = g["swapped"]
    out.append(f"  sensitivity, swapped split (fit on {', '.join(k(n) for n in sw['fit_seq_len'])}): eta_hbm "
               f"{sw['eta_hbm']:.3g}, eta_tc {sw['eta_tc']:.3g}; {sw['checks'] - len(sw['missed'])} of "
               f"{sw['checks']} validation checks pass" + (f" (missed: {', '.join(sw['missed'])})" if sw["missed"]
                                                            else ""))
    return out


def format_report(rep: dict) -> str:
    f = rep["fit"]
    out = [f"fit (not a validation): {f['what']} = {f['value']:.4g} [{f.get('tag', 'fitted')}]",
           f"  on {f['source']}"]
    if "exchange" in f:
        x, b = f["exchange"], f["exchange_band_s"]
        gib = 1 << 30
        out += textwrap.wrap(
            f"pod exchanges (one-shuffle, the same in both runs): {x['cores']} cores as {'x'.join(map(str, x['grid']))}, "
            f"{x['core_bytes'] / gib:.3g} GiB per core ({x['chip_bytes'] / gib:.3g} GiB per chip); "
            f"{'+'.join(map(str, x['steps']))} = {sum(x['steps'])} steps, each core sending its whole block to its "
            f"ring neighbour ({x['sent_bytes_per_core'] / gib:.4g} GiB per core in all); the chip's link carries "
            f"{' / '.join(f'{v / gib:.3g}' for v in x['link_bytes_per_step'])} GiB per step on the three axes "
            f"({x['link_bytes'] / gib:.4g} GiB) at {x['link_bandwidth'] / 1e9:.3g} GB/s one way: C = "
            f"{x['seconds']:.3g} s [estimated] (band {b[0]:.3g} .. {b[1]:.3g} s over the core grid, the link "
            "sharing and the two derivations of the link bandwidth: see published.toml [lu_pod], tpu-v3.toml)",
            140, initial_indent="  ", subsequent_indent="    ")
        out.append(f"  published KDFT/FFT {f['published_ratio']:.4g}; compute only, less C from both runs: "
                   f"{f['compute_ratio']:.4g}; model {f['model_ratio']:.4g} (equal by construction; without C "
                   f"eta would be {f['eta_compute_only']:.4g})")
    else:
        out.append(f"  published KDFT/FFT {f['published_ratio']:.4g}, model {f['model_ratio']:.4g} "
                   "(equal by construction)")
    out.append(f"  absolute times are not compared: model {f['model_kdft_s']:.3g} s / {f['model_fft_s']:.3g} s "
               "of compute for one chip's share at bf16 matmul precision, without higher-precision matmul "
               "passes; only the ratio is used")
    if "premise" in f:
        out += textwrap.wrap(
            f"premise: {f['premise']}.  With that formulation ({f['mxu_impl']}) the model gives KDFT/FFT "
            f"{f['mxu_model_ratio']:.3g} ({f['mxu_model_kdft_s']:.3g} s / {f['mxu_model_fft_s']:.3g} s per chip), "
            f"not {f['published_ratio']:.3g}: the published runs are dominated by time common to both "
            f"({f['common_s_for_mxu']:.2g} s of each would reconcile them), of which the modelled exchanges "
            f"explain {f['exchange']['seconds']:.2g} s; Lu et al.'s abstract does not break their runs down.  "
            "So eta is tagged estimated, not fitted: it is not a measurement of XLA's FFT",
            140, initial_indent="  ", subsequent_indent="    ")
    out.append("")
    if rep.get("gpu_fit"):
        out += _format_gpu_fit(rep["gpu_fit"]) + [""]
    head = f"{'check':<56} {'published':<34} {'model':<12} {'error':<30} verdict"
    out += [head, "-" * len(head)]
    for c in rep["checks"]:
        verdict = {True: "PASS", False: "FAIL", None: "not assessed"}[c["ok"]]
        model = c["model"] if len(c["model"]) <= 12 else "see below"
        out.append(f"{c['name']:<56} {c['published']:<34} {model:<12} {c['error']:<30} {verdict}")
        if model == "see below":
            out.append(f"    model: {c['model']}")
        if c["why"]:
            out.append(f"    why: {c['why']}")
        out.append(f"    source: {c['source']}")
        if c.get("model_tag"):
            out.append(f"    model tag: {c['model_tag']}")
    out.append("")
    out += [f"note: {x}" for x in rep["notes"]]
    return "\n".join(out)
