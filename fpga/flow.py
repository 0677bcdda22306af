"""The steps of ``fftforge synth`` beyond its options: which builds to run
for a core (one out-of-context build or a sweep), and the provenance
(``meta``) written with the results and into the cost model's calibration.

* :func:`synth_results`: run one core's build, or the jobs of a sweep
  around a base configuration, locally or on a Dask cluster;
* :func:`synth_command`: the ``fftforge synth ...`` line that reproduces a
  run, for the results' ``meta``;
* :func:`run_meta`: ``meta`` of a run made now (command, UTC date, machine);
* :func:`saved_meta`: ``meta`` of results read back from files (several
  files: every command, the latest date, the tools named);
* :func:`calibration_meta`: what of a ``meta`` the calibration table keeps.
"""

from __future__ import annotations

import datetime
import json
import os
import platform

from fftforge.errors import UserError

__all__ = ["synth_results", "synth_command", "run_meta", "saved_meta", "calibration_meta"]


def synth_results(base, family: str, device: str | None = None, *, core: str | None = None,
                  sweep: dict | None = None, workers: int = 2, scheduler: str | None = None,
                  target_mhz: float | None = None, seed: int = 1, pnr: bool = True, breakdown: bool = False,
                  floorplan: str = "auto", keep: bool = False, output_dir: str = "out", progress: bool = True,
                  log=print) -> list:
    """Result dicts (:class:`~fftforge.fpga.synth.SynthReport` schema) of the
    builds of ``fftforge synth``.

    Parameters
    ----------
    base : config
        The core's configuration: generated from it (FFT options), or the
        one ``core``'s descriptor holds.
    core : str or None
        Descriptor path of a generated core.  Without a sweep or scheduler
        it is built as it is (its Verilog file; regenerated under
        ``output_dir/core`` when missing); a sweep needs a kind the FPGA flow
        builds from a configuration (``fpga_from_config``).
    sweep : dict
        ``{key: values}`` (:func:`fftforge.fpga.sweep.parse_sweep`): the
        cartesian product of jobs around ``base``.
    floorplan : {"auto", "centre", "none"}
        :func:`fftforge.fpga.synth.synth_core`'s ``floorplan``.
    keep : bool
        Keep the tool run folders under ``output_dir`` (``synth-runs/`` for
        jobs, ``synth-<family>/`` for one core).
    log : callable
        Receives one line before the builds start (what runs where).
    """
    from fftforge.fpga import sweep as sw
    from fftforge.kinds import kind_of
    sweep = sweep or {}
    if core and sweep and not kind_of(base).fpga_from_config:
        raise UserError("--sweep works on FFT cores; pass the generate options instead of --core")
    if sweep or scheduler or not core:
        jobs = sw.expand_jobs(base, sweep, family, device, target_mhz=target_mhz, seed=seed, pnr=pnr,
                              breakdown=breakdown, floorplan=floorplan,
                              keep_dir=os.path.join(output_dir, "synth-runs") if keep else None)
        if len(jobs) > 1 or scheduler:
            where = scheduler or f"{min(workers, len(jobs))} local processes"
            log(f"sweep: {len(jobs)} builds on {where}")
        else:
            log(f"synthesising {jobs[0]['config']['name']} (n={base.n}, {base.arch}) for {family} ...")
        return sw.run_sweep(jobs, workers=workers, scheduler=scheduler, progress=progress and len(jobs) > 1)
    from fftforge.fpga.core import core_from_descriptor
    from fftforge.fpga.synth import synth_core
    src = core_from_descriptor(core, os.path.join(output_dir, "core"))
    log(f"synthesising {src.name} (n={src.desc['n']}, {src.desc.get('arch')}) for {family} ...")
    rep = synth_core(src, family, device, target_mhz=target_mhz, seed=seed, pnr=pnr, breakdown=breakdown,
                     floorplan=floorplan,
                     workdir=os.path.join(output_dir, f"synth-{family}") if keep else None)
    return [rep.to_dict()]


def synth_command(family: str, device: str | None = None, core: str | None = None, n=None, arch=None,
                  width=None, sweeps=(), floorplan: str = "auto") -> str:
    """The ``fftforge synth`` command line of a run: family, device, the core
    (``--core`` or the ``--n --arch --width`` not swept) and the sweeps
    (``KEY=V1,V2`` strings, as given)."""
    from fftforge.fpga.sweep import parse_sweep
    sweeps = list(sweeps or ())
    swept = set(parse_sweep(sweeps))
    parts = [f"--family {family}"] + ([f"--device {device}"] if device else [])
    parts += [f"--core {core}"] if core else (
        [f"--n {n}"] * ("n" not in swept) + [f"--arch {arch}"] * ("arch" not in swept)
        + [f"--width {width}"] * ("width" not in swept))
    parts += [f"--sweep {s}" for s in sweeps]
    parts += [f"--floorplan {floorplan}"] if floorplan != "auto" else []
    return "fftforge synth " + " ".join(parts)


def run_meta(command: str, now: datetime.datetime | None = None) -> dict:
    """``meta`` of a run made now: ``command``, ``date`` (UTC, to the minute)
    and ``machine`` (cores, architecture, Python)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return {"command": command,
            "date": now.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{os.cpu_count()}-core {platform.machine()}, Python {platform.python_version()}"}


def saved_meta(paths) -> dict:
    """``meta`` of results saved in the JSON files ``paths``: their commands
    joined by ``"; "``, the latest date, and the distinct tool versions
    (``tools``, when any file names them).  Files without a readable
    ``meta`` add nothing."""
    metas = []
    for p in paths:
        try:
            with open(p) as f:
                m = json.load(f).get("meta") or {}
        except (OSError, ValueError, AttributeError):
            m = {}
        if m:
            metas.append(m)
    meta = {"command": "; ".join(m["command"] for m in metas if m.get("command")),
            "date": max((str(m["date"]) for m in metas if m.get("date")), default=None)}
    tools = {k: v for m in metas for k, v in (m.get("tools") or {}).items() if v}
    if tools:
        meta["tools"] = sorted(set(tools.values()))
    return meta


def calibration_meta(meta: dict) -> dict:
    """What the calibration table records of a run's ``meta``: its command,
    its date (the day) and tools, leaving out empty values."""
    out = {"command": meta.get("command", ""), "date": str(meta.get("date") or "")[:10] or None}
    if meta.get("tools"):
        out["tools"] = meta["tools"]
    return {k: v for k, v in out.items() if v}
