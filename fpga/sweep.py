"""Design-space sweeps of out-of-context builds: local processes or Dask.

A sweep is a set of independent jobs (one core configuration on one family
each), the way a team with a build farm runs them: by default in a local
process pool, and with ``scheduler="tcp://host:port"`` on a Dask distributed
cluster (every worker needs fftforge and the toolchain installed).

Results come back as report dicts (:class:`~fftforge.fpga.synth.SynthReport`
schema plus the job spec), and can be written as CSV/JSON and plotted.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import json
import os
import sys
import tempfile
import time

from fftforge.config import FFTConfig
from fftforge.errors import UserError

__all__ = ["parse_sweep", "expand_jobs", "core_summary", "run_job", "run_sweep", "format_table", "write_csv",
           "write_json", "plot_sweep", "CSV_FIELDS", "load_results"]

_CFG_FIELDS = {f.name for f in dataclasses.fields(FFTConfig)} - {"name", "schedule"}
_JOB_FIELDS = {"family", "device", "seed"}

CSV_FIELDS = ["family", "device", "n", "arch", "width", "twiddle_width", "order", "cmul", "status",
              "luts", "ffs", "carry", "dsps", "bram", "bram_bits", "lutram_bits", "spram", "logic_cells",
              "fmax_mhz", "target_mhz", "arch_complex_multipliers", "arch_real_multipliers",
              "arch_feedback_words", "arch_feedback_bits", "arch_twiddle_rom_bits", "arch_reorder_bits",
              "yosys_s", "nextpnr_s", "total_s", "ooc", "overflow", "error"]


def _value(text: str):
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        return text


def parse_sweep(items) -> dict:
    """``["n=64,256", "arch=r2sdf,r22sdf"]`` -> ``{"n": [64, 256], "arch": [...]}``.

    Raises UserError naming a malformed item or an unknown parameter."""
    out = {}
    for item in items or ():
        if "=" not in item:
            raise UserError(f"--sweep expects KEY=V1,V2,..., got {item!r}")
        key, vals = item.split("=", 1)
        key = key.strip().replace("-", "_")
        if key not in _CFG_FIELDS | _JOB_FIELDS:
            raise UserError(f"--sweep parameter must be one of "
                            f"{', '.join(sorted(_CFG_FIELDS | _JOB_FIELDS))}, got {key!r}")
        values = [_value(v) for v in vals.split(",") if v.strip()]
        if not values:
            raise UserError(f"--sweep {key}= has no values")
        out[key] = values
    return out


def expand_jobs(base: FFTConfig, sweep: dict, family: str, device: str | None = None,
                target_mhz: float | None = None, seed: int = 1, timeout: float | None = None,
                pnr: bool = True, keep_dir: str | None = None, breakdown: bool = False,
                floorplan: str = "auto") -> list:
    """Cartesian product of ``sweep`` over ``base``: a list of job dicts.

    Every configuration is validated here (ConfigError names the parameter)."""
    keys = list(sweep)
    jobs = []
    for combo in itertools.product(*(sweep[k] for k in keys)) if keys else [()]:
        kw = dict(zip(keys, combo))
        fam = kw.pop("family", family)
        dev = kw.pop("device", device)
        job_seed = kw.pop("seed", seed)
        cfg = base.replace(**kw) if kw else base
        if cfg.target != "generic" and cfg.target != fam:   # ECP5 primitives only on ECP5
            cfg = cfg.replace(target="generic")
        name = f"{base.name}_{cfg.arch}_n{cfg.n}_w{cfg.width}"
        if len(name) > 63:
            name = name[:63]
        cfg = cfg.replace(name=name)
        job = {"family": fam, "device": dev, "config": cfg.to_dict(), "target_mhz": target_mhz,
               "seed": job_seed, "timeout": timeout, "pnr": pnr, "breakdown": breakdown,
               "floorplan": floorplan}
        if keep_dir:
            job["workdir"] = os.path.join(keep_dir, f"{fam}_{dev or 'default'}_{name}_s{job_seed}")
        jobs.append(job)
    return jobs


def core_summary(cfg) -> dict:
    """The core's summary in a sweep report (the keys of
    :meth:`fftforge.fpga.core.CoreSource.summary`), read from ``cfg`` alone:
    for rows written before or without generating the core."""
    return {"name": cfg.name, "kind": cfg.kind, "n": cfg.n, "arch": cfg.arch, "width": cfg.width,
            "twiddle_width": cfg.twiddle_width, "order": cfg.order, "cmul": cfg.cmul,
            "lanes": cfg.lanes, "latency_cycles": cfg.latency_cycles}


def run_job(job: dict) -> dict:
    """Run one sweep job (in any process, local or on a Dask worker).

    Returns the report dict plus ``job`` and ``host``; tool or design
    failures come back as ``status="failed"`` with ``error``, never raise."""
    import socket
    from fftforge.fpga.synth import SynthReport
    t0 = time.perf_counter()
    cfg = FFTConfig.from_dict(job["config"])
    try:
        from fftforge.fpga.core import CoreSource
        from fftforge.fpga.synth import architectural_overflow, device_for
        dev, cap = device_for(job["family"], job.get("device"))
        over = architectural_overflow(CoreSource(cfg, {"resources": cfg.resources()}, ""), cap)
        if over:                 # instant: no Verilog, no tools
            rep = SynthReport(family=job["family"], device=dev, core=core_summary(cfg), status="does_not_fit",
                              overflow=over, architecture=cfg.resources(),
                              capacity={k: v for k, v in cap.items() if k != "nextpnr"})
            d = rep.to_dict()
        else:
            d = _build(job, cfg)
    except Exception as e:
        # Not hidden: a job never takes the sweep down, and its failure is
        # reported in its row (status "failed", the error's type and text),
        # which the sweep's table and JSON show.
        d = SynthReport(family=job["family"], device=job.get("device") or "", core=core_summary(cfg),
                        status="failed", error=f"{type(e).__name__}: {e}").to_dict()
    d["seconds"]["job"] = round(time.perf_counter() - t0, 2)
    d["job"] = job
    d["host"] = socket.gethostname()
    return d


def _build(job, cfg):
    from fftforge.fpga.core import core_from_config
    from fftforge.fpga.synth import synth_core
    with tempfile.TemporaryDirectory(prefix="fftforge-job-") as tmp:
        t1 = time.perf_counter()
        core = core_from_config(cfg, os.path.join(tmp, "core"))
        gen = time.perf_counter() - t1
        rep = synth_core(core, job["family"], job.get("device"), workdir=job.get("workdir"),
                         target_mhz=job.get("target_mhz"), seed=job.get("seed", 1),
                         timeout=job.get("timeout"), pnr=job.get("pnr", True),
                         breakdown=job.get("breakdown", False), floorplan=job.get("floorplan", "auto"))
        rep.seconds["generate"] = round(gen, 2)
        return rep.to_dict()


def _progress(total, enabled):
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="build", desc="synth sweep", file=sys.stderr, dynamic_ncols=True)


def run_sweep(jobs: list, workers: int = 2, scheduler: str | None = None, progress: bool = True,
              on_result=None) -> list:
    """Run ``jobs`` and return their reports in job order.

    Parameters
    ----------
    jobs : list of dict
        From :func:`expand_jobs`.
    workers : int
        Local processes (ignored with a scheduler).  Each nextpnr run is
        single-threaded; keep this at or below the number of cores.
    scheduler : str, optional
        ``tcp://host:port`` of a Dask distributed scheduler.
    progress : bool
        Show a progress bar on stderr.
    on_result : callable, optional
        Called with each report as it arrives (e.g. to save partial results).
    """
    results = [None] * len(jobs)
    client = _dask_client(scheduler) if scheduler else None
    bar = _progress(len(jobs), progress)

    def done(i, r):
        results[i] = r
        if on_result is not None:
            on_result(r)
        if bar is not None:
            bar.set_postfix_str(f"{r['core'].get('arch')} n={r['core'].get('n')} {r['status']}")
            bar.update(1)

    try:
        if client is not None:
            _run_dask(jobs, client, done)
        elif workers <= 1 or len(jobs) == 1:
            for i, j in enumerate(jobs):
                done(i, run_job(j))
        else:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor, as_completed
            with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as ex:
                futs = {ex.submit(run_job, j): i for i, j in enumerate(jobs)}
                for f in as_completed(futs):
                    done(futs[f], f.result())
    finally:
        if bar is not None:
            bar.close()
    return results


def _dask_client(scheduler):
    if not scheduler.startswith(("tcp://", "tls://", "ws://", "wss://", "inproc://")):
        raise UserError(f"--scheduler must be an address like tcp://host:8786, got {scheduler!r}")
    try:
        from distributed import Client
    except ImportError:
        raise UserError("--scheduler needs dask.distributed: pip install 'dask[distributed]'") from None
    try:
        return Client(scheduler, timeout="5s")
    except (OSError, TimeoutError) as e:
        raise UserError(f"cannot connect to Dask scheduler {scheduler}: {e}") from None


def _run_dask(jobs, client, done):
    from distributed import as_completed
    try:
        futs = client.map(run_job, jobs, pure=False)
        index = {f.key: i for i, f in enumerate(futs)}
        for f in as_completed(futs):
            done(index[f.key], f.result())
    finally:
        client.close()


# ------------------------------------------------------------------ output
def _row(r: dict) -> dict:
    c, a, s = r.get("core", {}), r.get("architecture", {}), r.get("seconds", {})
    row = {k: c.get(k) for k in ("n", "arch", "width", "twiddle_width", "order", "cmul")}
    row.update({k: r.get(k) for k in ("family", "device", "status", "luts", "ffs", "carry", "dsps", "bram",
                                      "bram_bits", "lutram_bits", "spram", "logic_cells", "fmax_mhz",
                                      "target_mhz", "ooc", "error")})
    for k in ("complex_multipliers", "real_multipliers", "feedback_words", "feedback_bits",
              "twiddle_rom_bits", "reorder_bits"):
        row[f"arch_{k}"] = a.get(k)
    row["yosys_s"], row["nextpnr_s"] = s.get("yosys"), s.get("nextpnr")
    row["total_s"] = s.get("job", s.get("total"))
    row["overflow"] = "; ".join(f"{o['resource']} {o['used']}>{o['available']}" for o in r.get("overflow") or [])
    return row


def format_table(results: list) -> str:
    """A fixed-width text table of sweep (or single-build) results."""
    cols = [("family", "family", "{}"), ("dev", "device", "{}"), ("N", "n", "{}"), ("arch", "arch", "{}"),
            ("w", "width", "{}"), ("status", "status", "{}"), ("LUTs", "luts", "{}"), ("FFs", "ffs", "{}"),
            ("DSPs", "dsps", "{}"), ("BRAM", "bram", "{}"), ("LUTRAM b", "lutram_bits", "{}"),
            ("Fmax MHz", "fmax_mhz", "{:.1f}"), ("yosys s", "yosys_s", "{:.0f}"),
            ("pnr s", "nextpnr_s", "{:.0f}")]
    rows = [_row(r) for r in results]
    cells = [[h for h, _, _ in cols]]
    for row in rows:
        cells.append([("-" if row.get(k) is None else fmt.format(row[k])) for _, k, fmt in cols])
    widths = [max(len(c[i]) for c in cells) for i in range(len(cols))]
    lines = ["  ".join(c[i].rjust(widths[i]) for i in range(len(cols))) for c in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for row in rows:
        if row["overflow"]:
            lines.append(f"  {row['arch']} n={row['n']} on {row['family']} {row['device']}: "
                         f"does not fit: {row['overflow']}")
        if row.get("error"):
            lines.append(f"  {row['arch']} n={row['n']} on {row['family']}: failed: {row['error']}")
    return "\n".join(lines)


def write_csv(results: list, path: str):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=CSV_FIELDS, extrasaction="ignore")
        w.writeheader()
        for r in results:
            w.writerow(_row(r))


def write_json(results: list, path: str, meta: dict | None = None):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"schema": "fftforge.synth-sweep/1", "meta": meta or {}, "results": results}, f, indent=1)
        f.write("\n")


def _is_report(d) -> bool:
    return isinstance(d, dict) and str(d.get("schema", "")).startswith("fftforge.synth/")


def load_results(paths) -> list:
    """Reports from sweep JSON files (``write_json``), single-report JSON, or
    a benchmark's JSON whose top-level entries hold reports (a report or a
    list of them under any key, e.g. ``bench_runtime_n.json``'s ``synth``),
    in file order."""
    out = []
    for p in paths:
        try:
            with open(p) as f:
                d = json.load(f)
        except OSError as e:
            raise UserError(f"cannot read {p}: {e.strerror}") from None
        except json.JSONDecodeError as e:
            raise UserError(f"{p} is not valid JSON (line {e.lineno}: {e.msg})") from None
        if isinstance(d, dict) and "results" in d:
            out.extend(d["results"])
        elif _is_report(d):
            out.append(d)
        else:
            found = [] if not isinstance(d, dict) else [
                r for v in d.values() for r in (v if isinstance(v, list) else [v]) if _is_report(r)]
            if not found:
                raise UserError(f"{p} holds no fftforge synthesis results")
            out.extend(found)
    return out


def _build_config(r: dict) -> dict:
    """A result row's core configuration, as its kind's configuration class
    writes it today (so that a row recorded before a field existed -- e.g.
    ``cycles_per_sample`` -- and one recorded after, at its default, are the
    same build), without the name.  Rows without a ``job`` (older files),
    or whose configuration no longer loads: their ``core`` summary or
    config as written."""
    from fftforge.kinds import KINDS, UNNAMED_KIND
    job = r.get("job") or {}
    cfg = dict(job.get("config") or r.get("core") or {})
    kind = KINDS.get((r.get("core") or {}).get("kind", UNNAMED_KIND))
    if job.get("config") and kind is not None:
        try:
            cfg = kind.config.from_dict(cfg).to_dict()
        except (TypeError, ValueError):
            pass
    cfg.pop("name", None)
    cfg.pop("latency_cycles", None)     # an outcome of the configuration, not part of it
    return cfg


def newest_per_build(results: list) -> list:
    """The rows that stay when each build (family, device, the core's whole
    configuration but its name (:func:`_build_config`), seed) keeps only
    its newest run: the last one in ``results``' order (result files append
    in build order, and files given later count as newer)."""
    keep = {}
    for r in results:
        job = r.get("job") or {}
        cfg = _build_config(r)
        key = (r.get("family"), r.get("device"), json.dumps(cfg, sort_keys=True),
               job.get("seed", r.get("seed")))
        keep.pop(key, None)             # re-inserted: the newest row also takes the newest place
        keep[key] = r
    return list(keep.values())


def plot_sweep(results: list, path: str):
    """Resources and Fmax vs N, one line per (family, arch): three panels
    (LUTs and FFs; DSPs and block RAMs; Fmax)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = [_row(r) for r in results]
    groups = sorted({(r["family"], r["device"], r["arch"]) for r in rows})
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    for fam, dev, arch in groups:
        pts = sorted((r for r in rows if (r["family"], r["device"], r["arch"]) == (fam, dev, arch)),
                     key=lambda r: r["n"])
        lab = f"{fam}-{dev} {arch}"
        ns = [r["n"] for r in pts]

        def series(key):
            return [r[key] if r[key] is not None else float("nan") for r in pts]
        axes[0].plot(ns, series("luts"), "o-", label=f"{lab} LUTs")
        axes[0].plot(ns, series("ffs"), "s--", label=f"{lab} FFs")
        axes[1].plot(ns, series("dsps"), "o-", label=f"{lab} DSPs")
        axes[1].plot(ns, series("bram"), "s--", label=f"{lab} BRAMs")
        axes[2].plot(ns, series("fmax_mhz"), "o-", label=lab)
    for ax, title in zip(axes, ("logic", "DSP blocks and block RAMs", "Fmax (nextpnr) [MHz]")):
        ax.set_xscale("log", base=2)
        ax.set_xlabel("N")
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
