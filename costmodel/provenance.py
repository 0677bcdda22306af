"""Where every number comes from: measured-here / cited / fitted / estimated.

Every value in a preset or table TOML carries a comment naming its source
(``tests/costmodel`` enforces it).  The comment decides the tag:

``estimated``
    the comment says ESTIMATE, ASSUMPTION/assumed, or "user parameter"
    (a template value);
``measured-here``
    the comment starts with "measured" (fftforge's own synthesis runs);
``cited``
    anything else: the comment is the citation (``ibid.`` resolves to the
    citation above it; DERIVED values are arithmetic on cited ones).

``fitted`` is the tag of a number solved from published measurements of
the same implementation (the two FlashFFTConv efficiencies of
:mod:`.validate`).  The TPU library FFT's vector-unit efficiency is solved
from Lu et al.'s pod ratio less their modelled pod exchanges, but their FFT
is not XLA's vector-unit FFT, so it is tagged ``estimated``; the exchange
model's inputs are listed with it, each with its own tag.

A term of a result (``compute_cycles``, ``e_static_j`` ...) gets the weakest
tag of the inputs it uses: estimated < fitted < cited < measured-here.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

__all__ = ["TAGS", "tag_comment", "file_provenance", "target_provenance", "term_provenance", "weakest",
           "summarize"]

TAGS = ("estimated", "fitted", "cited", "measured-here")
_EST = re.compile(r"\bESTIMATE\b|\bASSUMPTION\b|\bassum(ption|ed)\b|user parameter", re.I)


def tag_comment(comment: str) -> str:
    c = comment.strip()
    if _EST.search(c):
        return "estimated"
    if c.lower().startswith("measured"):
        return "measured-here"
    return "cited"


def weakest(tags) -> str:
    tags = list(tags)
    return min(tags, key=TAGS.index) if tags else "cited"


@lru_cache(maxsize=None)
def file_provenance(path: str) -> dict:
    """``{key: (tag, source)}`` for every ``key = value  # comment`` line of a
    TOML file (keys inside ``[section]`` are ``section.key``)."""
    out, section, last_cited = {}, "", ""
    with open(path) as f:
        for line in f:
            s = line.strip()
            m = re.match(r"^\[([A-Za-z0-9_.\-]+)\]", s)
            if m:
                section = m.group(1)
                continue
            m = re.match(r"^([A-Za-z0-9_]+)\s*=.*?#\s*(.*)$", s)
            if not m:
                continue
            key, comment = m.group(1), m.group(2).strip()
            tag = tag_comment(comment)
            src = comment
            if re.match(r"^ibid\b", comment, re.I) and last_cited:
                src = f"{comment} [ibid. = {last_cited}]"
            elif tag == "cited":
                last_cited = re.split(r"[:;,(]", comment)[0].strip()
            out[f"{section}.{key}" if section else key] = (tag, src)
    return out


def target_provenance(target) -> dict:
    return file_provenance(target.source) if target.source else {}


def _table_path(et) -> str:
    from fftforge.costmodel.energy import _ENERGY_TABLES
    if et.name in _ENERGY_TABLES:
        return str(resources.files("fftforge.costmodel").joinpath("tables", et.name + ".toml"))
    return ""


def term_provenance(target, et, opt, impl: str | None = None) -> dict:
    """``{term: (tag, [(input, tag, source), ...])}`` for the terms of an
    :class:`~.evaluate.Evaluation` of ``target``."""
    tp = target_provenance(target)
    ep = file_provenance(_table_path(et)) if _table_path(et) else {}

    def t(key):
        tag, src = tp.get(key, ("estimated", "no source comment (user file?)"))
        return (f"{target.name}.{key}", tag, src)

    def e(key):
        tag, src = ep.get(key, ("estimated", f"energy table {et.name}: no source comment"))
        return (f"{et.name}.{key}", tag, src)

    from fftforge.costmodel import impls
    impl = impl or impls.resolve(opt.fft_impl, target.kind, target.name)
    k = target.kind
    terms = {}
    if k == "systolic":
        arr = [t("rows"), t("cols"), t("arrays"), t("clock_hz")]
        vec = [t("vector_ops_per_cycle"), t("clock_hz")]
        if impl == "xla-vpu":
            # solved from Lu et al.'s pod ratio less their modelled pod
            # exchanges, but their FFT is a Cooley-Tukey on the matrix units
            # (their abstract), not XLA's vector-unit FFT op: no measurement
            # of this implementation
            vec.append(("library FFT vector-unit efficiency", "estimated",
                        "solved from Lu et al.'s KDFT/FFT pod ratio (arXiv 2002.03260) less the one-shuffle pod "
                        "exchanges common to both runs (modelled from their decomposition and the TPU v3 ICI link "
                        "bandwidth), whose FFT is a Cooley-Tukey on the matrix units, not XLA's vector-unit FFT: "
                        "no measurement of this implementation (fftforge cost validate)"
                        if opt.vpu_fft_efficiency is None else "set by the caller"))
            if opt.vpu_fft_efficiency is None:
                vec += _lu_exchange_inputs()
        terms["compute_cycles"] = arr
        terms["fill_drain_cycles"] = arr
        terms["vector_cycles"] = vec
        terms["memory_cycles"] = [t("dram_bandwidth"), t("sram_bytes")]
        prec = target.precision
        p = {"bf16": "fp16"}.get(prec, prec)
        terms["e_compute_j"] = [e(f"ops.{p}_mult"), e(f"ops.{'int32' if p == 'int8' else 'fp32'}_add"),
                                e("scaling.exponent"), t("node_nm")]
        terms["e_vector_j"] = [e("ops.fp32_add"), e("ops.fp32_mult"), e("scaling.exponent"), t("node_nm")]
        sram = [e("sram.pj_per_64b"), t("sram_bytes"), t("node_nm")]
        if target.sram_bytes > max(et.sram_size_bytes):
            sram.append(("SRAM energy beyond the table's largest array", "estimated",
                         f"{target.sram_bytes} B memory costed at the {max(et.sram_size_bytes)} B entry "
                         "(a banked memory; no cited figure for the size)"))
        terms["e_sram_j"] = sram
        terms["e_dram_j"] = [e(f"dram.{target.dram_kind}"), t("dram_kind")]
    elif k == "gpu":
        comp = [t("peak_flops")]
        mem = [t("dram_bandwidth"), t("sram_bytes")]
        if impl == "cufft":
            mem.append(t("fft_single_pass"))
        else:
            comp.append(("fused tensor-core FFT at the tensor-core peak", "estimated",
                         "ideal: no efficiency loss assumed (an upper bound on speed)"))
        terms["compute_cycles"] = comp
        terms["memory_cycles"] = mem
        terms["e_compute_j"] = [e("ops.fp16_mult"), e("ops.fp32_add"), e("ops.fp32_mult"), t("node_nm")]
        terms["e_vector_j"] = [e("ops.fp32_add"), e("ops.fp32_mult"), t("node_nm")]
        terms["e_dram_j"] = [e(f"dram.{target.dram_kind}"), t("dram_kind")]
    else:
        from fftforge.costmodel.fpga import calibration_for
        cal = calibration_for(target.family)
        est = set(cal.get("estimated", ()))
        ftag = "estimated" if cal["status"] != "measured" or f"fmax_mhz.{opt.arch}" in est else "measured-here"
        fmax = (f"{target.family} calibration fmax_mhz.{opt.arch}", ftag, cal["source"].split(";")[0])
        gen = ("fftforge generator (FFTConfig / FFTNetConfig latency and cycles)", "measured-here",
               "latency_cycles checked against RTL simulation by the cocotb benches")
        ltag = "measured-here" if cal["status"] == "measured" else "estimated"
        luts = (f"{target.family} calibration LUT model (how many units fit)", ltag, cal["source"].split(";")[0])
        terms["compute_cycles"] = [gen, fmax, luts]
        terms["pipeline_latency_cycles"] = [gen, fmax]
        terms["memory_cycles"] = [t("io_bandwidth"), fmax]
        terms["e_compute_j"] = [e("ops.int8_add"), e("ops.int32_mult"), e("fpga.dynamic_overhead"), t("node_nm")]
        terms["e_vector_j"] = terms["e_compute_j"]
        terms["e_sram_j"] = [e("sram.pj_per_64b"), e("fpga.dynamic_overhead"), t("node_nm")]
        terms["e_dram_j"] = [e(f"dram.{target.dram_kind}"), t("dram_kind")]
    terms["e_static_j"] = [t("static_power_w")]
    return {name: (weakest(x[1] for x in inputs), inputs) for name, inputs in terms.items()}


@lru_cache(maxsize=None)
def _lu_exchange_inputs() -> list:
    """The inputs of the pod-exchange time the library FFT's efficiency is
    solved with (:func:`.validate.lu_exchange`), each with its own tag."""
    import tomllib
    from fftforge.costmodel.hardware import load_target
    path = str(resources.files("fftforge.costmodel").joinpath("tables", "published.toml"))
    with open(path, "rb") as f:
        target = tomllib.load(f)["lu_pod"]["target"]
    pp, tp = file_provenance(path), target_provenance(load_target(target))
    out = [(f"lu_pod.{k}",) + pp[f"lu_pod.{k}"] for k in ("chips", "cores_per_chip", "bytes_per_point", "core_grid",
                                                            "core_pair_axis") if f"lu_pod.{k}" in pp]
    out += [(f"{target}.{k}",) + tp[k] for k in ("ici_link_bandwidth",) if k in tp]
    return [tuple(x) for x in out]


def summarize(prov: dict, keys) -> tuple:
    """(weakest tag, sorted estimated inputs) over the terms ``keys``."""
    tags, est = [], set()
    for k in keys:
        if k in prov:
            tags.append(prov[k][0])
            est.update(name for name, tag, _ in prov[k][1] if tag == "estimated")
    return weakest(tags), sorted(est)
