"""Sweeps over n, crossover points, tables, CSV/JSON and plots."""

from __future__ import annotations

import csv
import json
import math

import numpy as np

from fftforge.errors import UserError

from fftforge.costmodel.evaluate import Evaluation

__all__ = ["parse_n", "crossovers", "format_table", "write_csv", "write_json", "plot", "rows"]


def parse_n(spec: str) -> np.ndarray:
    """Parse ``--n``: ``LO:HI`` (powers of two from LO to HI, doubling),
    ``LO:HI:STEP`` (linear), a comma list, or one value."""
    try:
        if ":" in spec:
            parts = [int(p) for p in spec.split(":")]
            if len(parts) == 2:
                lo, hi = parts
                if lo < 1 or hi < lo:
                    raise UserError(f"--n {spec!r}: need 1 <= LO <= HI")
                vals = []
                v = lo
                while v <= hi:
                    vals.append(v)
                    v *= 2
            elif len(parts) == 3:
                lo, hi, st = parts
                if lo < 1 or hi < lo or st < 1:
                    raise UserError(f"--n {spec!r}: need 1 <= LO <= HI and STEP >= 1")
                vals = list(range(lo, hi + 1, st))
            else:
                raise ValueError
        else:
            vals = [int(p) for p in spec.split(",")]
    except ValueError:
        raise UserError(f"--n must be LO:HI, LO:HI:STEP, a comma list or an integer, got {spec!r}") from None
    if any(v < 1 for v in vals):
        raise UserError(f"--n values must be >= 1, got {min(vals)}")
    return np.array(vals, dtype=np.int64)


TIME_TERMS = ("compute_cycles", "fill_drain_cycles", "vector_cycles", "memory_cycles", "pipeline_latency_cycles")
ENERGY_TERMS = TIME_TERMS + ("e_compute_j", "e_vector_j", "e_sram_j", "e_dram_j", "e_static_j")


def _summary(prov, keys):
    from fftforge.costmodel.provenance import summarize
    tag, est = summarize(prov, keys)
    return tag, "; ".join(est)


def provenance_note(evals, metric) -> str:
    """One clause naming the estimated inputs behind ``metric`` of ``evals``."""
    keys = TIME_TERMS if metric == "latency_s" else ENERGY_TERMS
    est = set()
    tags = []
    for e in evals:
        prov = getattr(e, "provenance", None) or {}
        from fftforge.costmodel.provenance import summarize
        tag, names = summarize(prov, keys)
        tags.append(tag)
        est.update(names)
    if not est:
        return "[inputs cited/measured]"
    return f"[rests on ESTIMATED inputs: {', '.join(sorted(est))}]"


def _label(e: Evaluation) -> str:
    return f"{e.workload}@{e.target}"


def crossovers(evals, n, metric="latency_s") -> list:
    """Where series swap order in ``metric`` along n.

    For every pair of series and every adjacent pair of sweep points where
    the sign of ``a - b`` changes, the crossover is located by log-log
    linear interpolation of both curves.

    Returns
    -------
    list of dict: ``metric``, ``a``, ``b``, ``n_lo``, ``n_hi``, ``n_cross``
    (interpolated), ``below`` (the series that wins below the crossover).
    """
    out = []
    x = np.log(np.asarray(n, dtype=float))
    for i in range(len(evals)):
        for j in range(i + 1, len(evals)):
            A = np.asarray(getattr(evals[i], metric), dtype=float)
            B = np.asarray(getattr(evals[j], metric), dtype=float)
            for k in range(len(n) - 1):
                a0, a1, b0, b1 = A[k], A[k + 1], B[k], B[k + 1]
                if not all(np.isfinite([a0, a1, b0, b1])) or min(a0, a1, b0, b1) <= 0:
                    continue
                d0, d1 = math.log(a0) - math.log(b0), math.log(a1) - math.log(b1)
                if d0 == 0 or d0 * d1 >= 0:
                    continue
                t = d0 / (d0 - d1)
                nc = math.exp(x[k] + t * (x[k + 1] - x[k]))
                out.append({"metric": metric, "a": _label(evals[i]), "b": _label(evals[j]),
                            "n_lo": int(n[k]), "n_hi": int(n[k + 1]), "n_cross": nc,
                            "below": _label(evals[i]) if d0 < 0 else _label(evals[j])})
    return out


def rows(evals, n) -> list:
    """One dict per (series, n) with the headline numbers and every term."""
    out = []
    for e in evals:
        for k, nv in enumerate(n):
            r = {"workload": e.workload, "target": e.target, "kind": e.kind, "n": int(nv),
                 "latency_s": float(e.latency_s[k]), "throughput_seq_per_s": float(e.throughput[k]),
                 "energy_j": float(e.energy_j[k]), "utilization": float(e.utilization[k]),
                 "bound": str(e.bound[k])}
            for key, v in e.terms.items():
                r[key] = float(np.asarray(v)[k])
            prov = getattr(e, "provenance", None) or {}
            if prov:
                r["latency_tag"], r["latency_estimated_inputs"] = _summary(prov, TIME_TERMS)
                r["energy_tag"], r["energy_estimated_inputs"] = _summary(prov, ENERGY_TERMS)
                for key, (tag, _) in prov.items():
                    r[f"tag_{key}"] = tag
            out.append(r)
    return out


def _si(v, unit):
    if not np.isfinite(v):
        return "does not fit"
    for f, p in ((1e-12, "p"), (1e-9, "n"), (1e-6, "u"), (1e-3, "m"), (1, ""), (1e3, "k"), (1e6, "M"), (1e9, "G")):
        if abs(v) < f * 1000:
            return f"{v / f:.3g} {p}{unit}"
    return f"{v:.3g} {unit}"


def format_table(evals, n) -> str:
    """Readable fixed-width table: one line per (n, series)."""
    head = f"{'n':>7}  {'workload@target':<28} {'latency':>12} {'throughput':>14} {'energy':>12} {'util':>6}  bound"
    lines = [head, "-" * len(head)]
    for k, nv in enumerate(n):
        for e in evals:
            lat = float(e.latency_s[k])
            ok = np.isfinite(lat)
            lines.append(f"{int(nv):>7}  {_label(e):<28} {_si(lat, 's'):>12} "
                         f"{(_si(float(e.throughput[k]), 'seq/s') if ok else '-'):>14} "
                         f"{(_si(float(e.energy_j[k]), 'J') if ok else '-'):>12} "
                         f"{(f'{100 * float(e.utilization[k]):.0f}%' if ok else '-'):>6}  "
                         f"{e.bound[k] if ok else '-'}")
    return "\n".join(lines)


def format_crossovers(xs, evals=None) -> str:
    """One line per crossover; with ``evals``, each line ends with the
    estimated inputs it rests on (so no conclusion from estimates reads as
    measured)."""
    if not xs:
        return "no crossovers in the swept range"
    lines = []
    by = {_label(e): e for e in (evals or ())}
    for c in xs:
        other = c["b"] if c["below"] == c["a"] else c["a"]
        what = "latency" if c["metric"] == "latency_s" else "energy"
        line = (f"{what}: {c['below']} wins below n ~ {c['n_cross']:.0f} "
                f"(between {c['n_lo']} and {c['n_hi']}), {other} above")
        if evals:
            line += " " + provenance_note([by[c["a"]], by[c["b"]]], c["metric"])
        lines.append(line)
    return "\n".join(lines)


def write_csv(path, evals, n):
    rs = rows(evals, n)
    with open(path, "w", newline="") as f:
        names = list(dict.fromkeys(k for r in rs for k in r))
        w = csv.DictWriter(f, fieldnames=names, restval="")
        w.writeheader()
        w.writerows(rs)


def write_json(path, evals, n, meta=None):
    xs = crossovers(evals, n, "latency_s") + crossovers(evals, n, "energy_j")
    doc = {"meta": meta or {}, "rows": rows(evals, n), "crossovers": xs,
           "notes": sorted({note for e in evals for note in e.notes})}

    def clean(o):
        if isinstance(o, float) and not math.isfinite(o):
            return None
        if isinstance(o, dict):
            return {k: clean(v) for k, v in o.items()}
        if isinstance(o, list):
            return [clean(v) for v in o]
        return o
    with open(path, "w") as f:
        json.dump(clean(doc), f, indent=1)


def plot(path, evals, n, title=""):
    """Log-log latency and energy vs n, crossovers marked."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
    markers = "osD^v<>ph*"
    for ax, metric, ylabel in ((axes[0], "latency_s", "latency per batch [s]"),
                               (axes[1], "energy_j", "energy per batch [J]")):
        for i, e in enumerate(evals):
            y = np.asarray(getattr(e, metric), dtype=float)
            ax.loglog(n, y, marker=markers[i % len(markers)], ms=4, label=_label(e))
        for c in crossovers(evals, n, metric):
            ax.axvline(c["n_cross"], color="0.6", ls=":", lw=1)
            ax.annotate(f"n~{c['n_cross']:.0f}", (c["n_cross"], ax.get_ylim()[0]),
                        rotation=90, fontsize=7, color="0.35", va="bottom", ha="right")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("sequence length n")
        ax.set_ylabel(ylabel)
        ax.grid(True, which="major", alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(title or "fftforge cost compare", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
