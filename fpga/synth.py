"""Out-of-context synthesis and place-and-route of one core, and the report.

Flow (all tools found by :mod:`fftforge.fpga.toolchain`)
--------------------------------------------------------
1. Architectural fit check, instant: the core's delay/ROM/reorder memory
   (``cfg.resources()``) cannot exceed the part's block RAM plus all its
   flip-flops.  A core that fails it is reported as ``does_not_fit`` without
   running any tool.
2. Yosys: ``synth_ecp5`` / ``synth_ice40 -dsp`` (multipliers to SB_MAC16),
   then ``stat -json``.  The cell counts are checked against the part; an
   overflow is reported (``does_not_fit``) without running nextpnr.
3. nextpnr: ECP5 runs ``--out-of-context`` on the core alone.  nextpnr-ice40
   has no out-of-context mode, so on iCE40 the core sits in
   :class:`~fftforge.fpga.harness.SynthTop` (LFSR stimulus, checksum, three
   pins); its figures include that harness (``report["harness"]`` says so).
   ``--report`` gives utilisation and Fmax.  Before it, a core that spans
   the die gets its broadcast registers pinned at the centre
   (:mod:`fftforge.fpga.floorplan`, ``floorplan``).

The report (:class:`SynthReport`, ``to_dict()`` schema ``fftforge.synth/1``)
holds LUTs, flip-flops, DSP blocks, block RAM (blocks and bits), distributed
RAM bits, Fmax, and the run time of each step.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass, field

from fftforge.errors import UserError
from fftforge.fpga.core import CoreSource
from fftforge.fpga.toolchain import ToolError, tool_env

__all__ = ["DEVICES", "FAMILIES", "SynthReport", "synth_core", "parse_yosys_stat", "parse_breakdown",
           "format_breakdown",
           "parse_nextpnr_report", "parse_nextpnr_log", "SCHEMA", "device_for"]

SCHEMA = "fftforge.synth/1"

# Part capacities.  iCE40: Lattice iCE40 UltraPlus data sheet FPGA-DS-02008
# Table 1.1 (UP5K: 5280 LUT4/FF logic cells, 8 SB_MAC16, 30 x 4 kbit EBR,
# 4 x 256 kbit SPRAM) and iCE40 LP/HX data sheet FPGA-DS-02029 (HX8K: 7680
# LCs, 32 EBR; HX1K: 1280 LCs, 16 EBR).  ECP5: ECP5/ECP5-5G data sheet
# FPGA-DS-02012 Table 1.1 (LUTs, 18x18 multipliers, 18 kbit EBR).
DEVICES = {
    "ice40": {
        "up5k": dict(nextpnr=["--up5k", "--package", "sg48"], luts=5280, ffs=5280, dsps=8, bram=30,
                     bram_block_bits=4096, spram=4, target_mhz=50.0),
        "hx8k": dict(nextpnr=["--hx8k", "--package", "ct256"], luts=7680, ffs=7680, dsps=0, bram=32,
                     bram_block_bits=4096, spram=0, target_mhz=50.0),
        "hx1k": dict(nextpnr=["--hx1k", "--package", "tq144"], luts=1280, ffs=1280, dsps=0, bram=16,
                     bram_block_bits=4096, spram=0, target_mhz=50.0),
    },
    "ecp5": {
        "85k": dict(nextpnr=["--85k"], luts=83640, ffs=83640, dsps=156, bram=208,
                    bram_block_bits=18432, spram=0, target_mhz=150.0),
        "45k": dict(nextpnr=["--45k"], luts=43848, ffs=43848, dsps=72, bram=108,
                    bram_block_bits=18432, spram=0, target_mhz=150.0),
        "25k": dict(nextpnr=["--25k"], luts=24288, ffs=24288, dsps=28, bram=56,
                    bram_block_bits=18432, spram=0, target_mhz=150.0),
        "12k": dict(nextpnr=["--12k"], luts=12288, ffs=12288, dsps=28, bram=32,
                    bram_block_bits=18432, spram=0, target_mhz=150.0),
    },
}
FAMILIES = tuple(DEVICES)
DEFAULT_DEVICE = {"ice40": "up5k", "ecp5": "85k"}

# Yosys cell types -> report fields
_CELLS = {
    "ice40": {"lut": ("SB_LUT4",), "carry": ("SB_CARRY",), "dsp": ("SB_MAC16",),
              "bram": ("SB_RAM40_4K",), "spram": ("SB_SPRAM256KA",), "lutram": ()},
    "ecp5": {"lut": ("LUT4",), "carry": ("CCU2C",), "dsp": ("MULT18X18D", "ALU54B"),
             "bram": ("DP16KD", "PDPW16KD"), "spram": (), "lutram": ("TRELLIS_DPR16X4", "DPR16X4")},
}


def device_for(family: str, device: str | None = None) -> tuple:
    """``(device name, capacity dict)``; raises UserError for unknown ones."""
    if family not in DEVICES:
        raise UserError(f"--family must be one of {', '.join(FAMILIES)}, got {family!r}")
    device = device or DEFAULT_DEVICE[family]
    device = device.lower().removeprefix("ice40")
    if family == "ecp5":                       # 85k, 85f, LFE5U-85F -> 85k
        m = re.fullmatch(r"(?:lfe5um?5?g?-)?(\d+)[kf]?", device)
        device = f"{m.group(1)}k" if m else device
    if device not in DEVICES[family]:
        raise UserError(f"--device for {family} must be one of {', '.join(DEVICES[family])}, got {device!r}")
    return device, DEVICES[family][device]


@dataclass
class SynthReport:
    """Result of one out-of-context build (schema :data:`SCHEMA`).

    ``status``: ``"ok"``, ``"does_not_fit"`` (``overflow`` lists
    ``{resource, used, available, stage}``) or ``"failed"`` (``error``).
    Resource fields are ``None`` when the stage that measures them did not
    run.  ``luts`` counts LUT4s including those in carry chains (ECP5: the
    nextpnr TRELLIS_COMB count; iCE40: SB_LUT4 cells), ``ffs`` flip-flops,
    ``dsps`` DSP blocks (SB_MAC16 / MULT18X18D), ``bram`` block RAMs
    (``bram_bits`` their capacity), ``lutram_bits`` distributed RAM bits.
    """
    family: str
    device: str
    core: dict
    status: str = "ok"
    ooc: bool = True
    harness: str | None = None
    luts: int | None = None
    ffs: int | None = None
    carry: int | None = None
    dsps: int | None = None
    bram: int | None = None
    bram_bits: int | None = None
    lutram_bits: int | None = None
    spram: int | None = None
    logic_cells: int | None = None
    fmax_mhz: float | None = None
    target_mhz: float | None = None
    capacity: dict = field(default_factory=dict)
    utilization: dict = field(default_factory=dict)
    critical_path: dict | None = None
    breakdown: list | None = None
    floorplan: dict | None = None
    seed: int | None = None
    cells: dict = field(default_factory=dict)
    architecture: dict = field(default_factory=dict)
    overflow: list = field(default_factory=list)
    error: str | None = None
    seconds: dict = field(default_factory=dict)
    tools: dict = field(default_factory=dict)
    workdir: str | None = None
    schema: str = SCHEMA

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "SynthReport":
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in names})

    def overflow_text(self) -> str:
        return "; ".join(f"{o['resource']} {o['used']} > {o['available']} available ({o['stage']})"
                         for o in self.overflow)


# ------------------------------------------------------------------ parsing
def parse_yosys_stat(stat: dict, family: str, top: str | None = None) -> dict:
    """Resource counts from Yosys ``stat -json`` output.

    Returns ``{"cells": {type: count}, "luts", "carry", "ffs", "dsps",
    "bram", "spram", "lutram_bits"}`` (``luts`` excludes carry cells;
    ``ffs`` counts every flip-flop cell type)."""
    cells = None
    if "design" in stat and isinstance(stat["design"], dict):
        cells = stat["design"].get("num_cells_by_type")
    if cells is None and "modules" in stat:
        mods = stat["modules"]
        key = next((k for k in mods if k.lstrip("\\") == top), None) if top else None
        if key is None and len(mods) == 1:
            key = next(iter(mods))
        if key is not None:
            cells = mods[key].get("num_cells_by_type")
    if cells is None:
        raise ValueError("no num_cells_by_type in yosys stat output")
    cells = {k.lstrip("\\$"): int(v) for k, v in cells.items()}
    names = _CELLS[family]

    def count(types):
        return sum(cells.get(t, 0) for t in types)
    if family == "ice40":
        ffs = sum(v for k, v in cells.items() if k.startswith("SB_DFF"))
    else:
        ffs = sum(v for k, v in cells.items() if k in ("TRELLIS_FF",) or k.startswith("FD1"))
    lutram = count(names["lutram"]) * 64
    return {"cells": cells, "luts": count(names["lut"]), "carry": count(names["carry"]), "ffs": ffs,
            "dsps": count(names["dsp"]), "bram": count(names["bram"]), "spram": count(names["spram"]),
            "lutram_bits": lutram}


_BEL = {
    "ice40": {"logic_cells": "ICESTORM_LC", "dsps": "ICESTORM_DSP", "bram": "ICESTORM_RAM",
              "spram": "ICESTORM_SPRAM"},
    "ecp5": {"luts": "TRELLIS_COMB", "ffs": "TRELLIS_FF", "dsps": "MULT18X18D", "bram": "DP16KD",
             "lutram": "TRELLIS_RAMW"},
}


def parse_nextpnr_report(rep: dict, family: str) -> dict:
    """Utilisation and Fmax from a nextpnr ``--report`` JSON file.

    Returns ``{"utilization": {bel: {used, available}}, "fmax_mhz": float or
    None (slowest clock), "clocks": {clock: MHz}, <field>: used}``."""
    util = rep.get("utilization", {}) or {}
    out = {"utilization": {k: {"used": int(v.get("used", 0)), "available": int(v.get("available", 0))}
                           for k, v in util.items()}}
    for fieldname, bel in _BEL[family].items():
        if bel in out["utilization"]:
            out[fieldname] = out["utilization"][bel]["used"]
    clocks = {}
    for clk, v in (rep.get("fmax", {}) or {}).items():
        if isinstance(v, dict) and "achieved" in v:
            clocks[clk] = float(v["achieved"])
    out["clocks"] = clocks
    out["fmax_mhz"] = min(clocks.values()) if clocks else None
    out["critical_path"] = _critical_path(rep.get("critical_paths") or [])
    return out


def _where(cell: str) -> str:
    # hierarchy of a mapped cell name: keep the RTL part names (a.b.c), drop
    # the cell suffixes techmapping appended (_LUT4_Z..., $CCU2_COMB1, ...)
    parts = cell.split(".")
    keep = []
    for p in parts:
        if re.search(r"(_LUT4|_TRELLIS|_CCU2|_SB_|\$|_DI_|_DFF|_MULT|_DP16)", p) or p.isdigit():
            break
        keep.append(p)
    return ".".join(keep) or cell[:60]


def _critical_path(paths: list):
    # the slowest register-to-register path: where it starts and ends, its
    # delay and how many logic elements it crosses
    best = None
    for cp in paths:
        steps = cp.get("path") or []
        delay = sum(float(st.get("delay", 0.0)) for st in steps)
        if best is None or delay > best["delay_ns"]:
            logic = [st for st in steps if st.get("type") == "logic"]
            best = {"from_clock": cp.get("from"), "to_clock": cp.get("to"), "delay_ns": round(delay, 2),
                    "logic_elements": len(logic),
                    "start": _where(steps[0]["from"]["cell"]) if steps else None,
                    "end": _where(steps[-1]["to"]["cell"]) if steps else None,
                    "through": sorted({_where(st["from"]["cell"]) for st in logic})[:8]}
    return best


_FMAX_RE = re.compile(r"Max frequency for clock\s+'([^']+)':\s*([0-9.]+)\s*MHz")
_OVER_RE = re.compile(r"Design uses (\d+) (\w+) cells?, but device (?:only )?has (\d+)", re.I)
_UTIL_RE = re.compile(r"^Info:\s+(\w+):\s+(\d+)/\s*(\d+)\s+\d+%", re.M)
_OVER2_RE = re.compile(r"Unable to place cell '[^']*', no BELs remaining to implement cell type '(\w+)'")


def parse_nextpnr_log(text: str) -> dict:
    """Fmax per clock (last report in the log) and any capacity overflow."""
    clocks = {}
    for clk, mhz in _FMAX_RE.findall(text):
        clocks[clk] = float(mhz)
    over = [{"resource": t, "used": int(u), "available": int(a), "stage": "nextpnr"}
            for u, t, a in _OVER_RE.findall(text)]
    for bel, used, avail in _UTIL_RE.findall(text):
        if int(used) > int(avail) and not any(o["resource"] == bel for o in over):
            over.append({"resource": bel, "used": int(used), "available": int(avail), "stage": "nextpnr"})
    for t in _OVER2_RE.findall(text):
        if not any(o["resource"] == t for o in over):
            over.append({"resource": t, "used": None, "available": None, "stage": "nextpnr"})
    return {"clocks": clocks, "fmax_mhz": min(clocks.values()) if clocks else None, "overflow": over}


# ------------------------------------------------------------------ checks
def architectural_overflow(core: CoreSource, cap: dict) -> list:
    """Lower bound check from the generator's own resource counts: the core's
    memory bits cannot exceed block RAM + every flip-flop of the part."""
    res = core.resources()
    mem = sum(int(res.get(k, 0)) for k in ("feedback_bits", "twiddle_rom_bits", "reorder_bits"))
    avail = cap["bram"] * cap["bram_block_bits"] + cap["ffs"]
    if mem > avail:
        return [{"resource": "memory bits (block RAM + all flip-flops)", "used": mem, "available": avail,
                 "stage": "architecture"}]
    return []


def synthesis_overflow(counts: dict, cap: dict, family: str) -> list:
    over = []
    if family == "ice40":
        # a logic cell holds one LUT4 and one flip-flop
        need = {"logic cells (LUT4/FF)": max(counts["luts"], counts["ffs"])}
        have = {"logic cells (LUT4/FF)": cap["luts"]}
    else:
        need = {"LUT4": counts["luts"] + 2 * counts["carry"] + 2 * counts["lutram_bits"] // 64,
                "flip-flops": counts["ffs"]}
        have = {"LUT4": cap["luts"], "flip-flops": cap["ffs"]}
    need.update({"DSP blocks": counts["dsps"], "block RAMs": counts["bram"], "SPRAMs": counts["spram"]})
    have.update({"DSP blocks": cap["dsps"], "block RAMs": cap["bram"], "SPRAMs": cap["spram"]})
    for k, v in need.items():
        if v > have[k]:
            over.append({"resource": k, "used": int(v), "available": int(have[k]), "stage": "synthesis"})
    return over


# ------------------------------------------------------------------ flow
def _run(cmd, cwd, env, log, timeout):
    t0 = time.perf_counter()
    try:
        r = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=timeout)
    except FileNotFoundError as e:
        raise ToolError(f"cannot start {cmd[0]}: {e.strerror}") from None
    except subprocess.TimeoutExpired as e:
        with open(os.path.join(cwd, log), "w") as f:
            out = e.stdout or ""
            f.write(out if isinstance(out, str) else out.decode(errors="replace"))
        return None, time.perf_counter() - t0, f"{os.path.basename(cmd[0])} timed out after {timeout} s"
    with open(os.path.join(cwd, log), "w") as f:
        f.write(r.stdout)
    return r, time.perf_counter() - t0, None


def _last_error(text: str) -> str:
    errs = [ln.strip() for ln in text.splitlines() if "ERROR" in ln]
    return errs[-1] if errs else (text.strip().splitlines() or ["(no output)"])[-1]


def synth_core(core: CoreSource, family: str, device: str | None = None, workdir: str | None = None,
               target_mhz: float | None = None, seed: int = 1, timeout: float | None = None,
               env: dict | None = None, pnr: bool = True, breakdown: bool = False,
               floorplan: str = "auto") -> SynthReport:
    """Synthesise and place-and-route ``core`` out of context on ``family``.

    Parameters
    ----------
    core : CoreSource
    family : {"ice40", "ecp5"}
    device : str, optional
        ``up5k`` (default), ``hx8k``, ``hx1k`` for iCE40; ``85k`` (default),
        ``45k``, ``25k``, ``12k`` for ECP5.
    workdir : str, optional
        Where the tools run (kept); default a temporary folder (removed).
    target_mhz : float, optional
        nextpnr's timing target (default 50 MHz iCE40, 150 MHz ECP5).
    seed : int
        nextpnr placement seed.
    timeout : float, optional
        Seconds per tool run.
    pnr : bool
        Run nextpnr (False: synthesis figures only, no Fmax).
    breakdown : bool
        Also synthesise with the hierarchy kept and report the cells of each
        part (``report.breakdown``, see :func:`parse_breakdown`).
    floorplan : {"auto", "centre", "none"}
        Pin the stream shell's broadcast registers at the die's centre
        before nextpnr (:mod:`fftforge.fpga.floorplan`; ``"auto"``: ECP5
        cores of :data:`~fftforge.fpga.floorplan.AUTO_MIN_LANES` lanes or
        more).  ``report.floorplan`` gives the mode and the pins.

    Returns
    -------
    SynthReport
        Never raises for a design that does not fit or a tool that fails on
        the design (``status`` says so); raises :class:`ToolError` for a
        missing tool and UserError for an unknown family/device.
    """
    from fftforge.fpga.floorplan import resolve
    device, cap = device_for(family, device)
    summary = core.summary()
    plan = resolve(floorplan, family, device, summary.get("lanes") or 1)
    tenv = tool_env(family, "synth", env=env)
    rep = SynthReport(family=family, device=device, core=summary, architecture=core.resources(),
                      capacity={k: v for k, v in cap.items() if k != "nextpnr"},
                      target_mhz=float(target_mhz or cap["target_mhz"]), seed=seed,
                      floorplan={"mode": plan, "pins": []})
    over = architectural_overflow(core, cap)
    if over:
        rep.status, rep.overflow = "does_not_fit", over
        return rep
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="fftforge-synth-") as d:
            return _synth_in(core, family, cap, d, rep, tenv, seed, timeout, pnr, breakdown, keep=False)
    os.makedirs(workdir, exist_ok=True)
    return _synth_in(core, family, cap, workdir, rep, tenv, seed, timeout, pnr, breakdown, keep=True)


# cell types counted per part by --breakdown, and their report names
_BREAKDOWN_CELLS = {
    "ecp5": {"LUT4": "lut4", "CCU2C": "ccu2c", "TRELLIS_FF": "ff", "MULT18X18D": "dsp", "DP16KD": "bram",
             "TRELLIS_DPR16X4": "lutram", "PFUMX": "pfumx", "L6MUX21": "l6mux"},
    "ice40": {"SB_LUT4": "lut4", "SB_CARRY": "carry", "SB_DFF": "ff", "SB_MAC16": "dsp",
              "SB_RAM40_4K": "bram"},
}


def parse_breakdown(stat: dict, family: str, top: str, depth: int = 3) -> list:
    """Cells per part from Yosys ``stat -json`` of a hierarchy-kept netlist.

    Amaranth names each submodule's Verilog module by its path
    (``top.datapath.p3_twiddle.mult``); each module's own cells are summed
    into the part that holds it, the path cut after ``depth`` names
    (``top.datapath.p3_twiddle``).  Returns rows ``{"part", "instances",
    <cell name>: count, "lut4_ccu2c"}`` (ECP5: LUT4 + CCU2C, the issue's
    area figure), largest first; flip-flop types are summed into ``ff``."""
    cells_of = _BREAKDOWN_CELLS[family]
    rows = {}
    for mod, info in (stat.get("modules") or {}).items():
        name = mod.lstrip("\\")
        if name != top and not name.startswith(top + "."):
            continue
        part = ".".join(name.split(".")[:depth])
        row = rows.setdefault(part, {"part": part, "modules": 0, **{v: 0 for v in cells_of.values()}})
        row["modules"] += 1
        for cell, n in (info.get("num_cells_by_type") or {}).items():
            cell = cell.lstrip("\\$")
            key = cells_of.get(cell) or ("ff" if cell.startswith(("SB_DFF", "FD1", "TRELLIS_FF")) else None)
            if key:
                row[key] += int(n)
    out = list(rows.values())
    for r in out:
        r["lut4_ccu2c"] = r.get("lut4", 0) + r.get("ccu2c", r.get("carry", 0))
    out.sort(key=lambda r: (-r["lut4_ccu2c"], r["part"]))
    return out


def format_breakdown(rows: list) -> str:
    """The breakdown as a text table."""
    if not rows:
        return "(no breakdown)"
    keys = [k for k in rows[0] if k not in ("part", "modules")]
    width = max(len(r["part"]) for r in rows + [{"part": "part"}])
    lines = [f"{'part':<{width}}  " + "  ".join(f"{k:>10}" for k in keys)]
    lines.append("-" * len(lines[0]))
    for r in rows:
        lines.append(f"{r['part']:<{width}}  " + "  ".join(f"{r[k]:>10}" for k in keys))
    total = {k: sum(r[k] for r in rows) for k in keys}
    lines.append(f"{'total':<{width}}  " + "  ".join(f"{total[k]:>10}" for k in keys))
    return "\n".join(lines)


def _synth_in(core, family, cap, wd, rep, env, seed, timeout, pnr, breakdown, keep):
    rep.workdir = os.path.abspath(wd) if keep else None
    t0 = time.perf_counter()
    vname = "core.v"
    with open(core.verilog) as f, open(os.path.join(wd, vname), "w") as g:
        g.write(f.read())
    if family == "ice40":
        from amaranth.back import rtlil
        from fftforge.fpga.harness import SynthTop, verilog_core
        top = SynthTop(verilog_core(core.desc), core.desc["n"])
        with open(os.path.join(wd, "top.il"), "w") as f:
            f.write(rtlil.convert(top, name="top", ports=[top.out]))
        rep.ooc = False
        rep.harness = ("nextpnr-ice40 has no out-of-context mode: figures include a harness "
                       "(64-bit input LFSR, 16-bit stall LFSR, 32-bit output checksum, ~120 FFs)")
        reads = f"read_verilog {vname}\nread_rtlil top.il\n"
        synth = "synth_ice40 -dsp -top top"
    else:
        reads = f"read_verilog {vname}\n"
        synth = f"synth_ecp5 -top {core.name}"
    rep.seconds["prepare"] = round(time.perf_counter() - t0, 2)
    script = f"{reads}{synth} -json synth.json\ntee -q -o stat.json stat -json\n"
    with open(os.path.join(wd, "synth.ys"), "w") as f:
        f.write(script)
    r, dt, err = _run([env["YOSYS"], "-q", "-s", "synth.ys"], wd, env, "yosys.log", timeout)
    rep.seconds["yosys"] = round(dt, 2)
    if err or r.returncode != 0:
        rep.status, rep.error = "failed", f"yosys: {err or _last_error(r.stdout)}"
        return rep
    try:
        with open(os.path.join(wd, "stat.json")) as f:
            counts = parse_yosys_stat(json.load(f), family, "top" if family == "ice40" else core.name)
    except (OSError, ValueError) as e:
        rep.status, rep.error = "failed", f"cannot read yosys statistics: {e}"
        return rep
    rep.cells = counts["cells"]
    rep.luts = counts["luts"] + (counts["carry"] * 2 if family == "ecp5" else 0)
    rep.carry, rep.ffs, rep.dsps = counts["carry"], counts["ffs"], counts["dsps"]
    rep.bram, rep.spram, rep.lutram_bits = counts["bram"], counts["spram"], counts["lutram_bits"]
    rep.bram_bits = counts["bram"] * cap["bram_block_bits"]
    over = synthesis_overflow(counts, cap, family)
    if over:
        rep.status, rep.overflow = "does_not_fit", over
        return rep
    if breakdown:
        top = "top" if family == "ice40" else core.name
        hsynth = synth.replace(" -top", " -noflatten -top")
        with open(os.path.join(wd, "hier.ys"), "w") as f:
            f.write(f"{reads}{hsynth}\ntee -q -o hier_stat.json stat -json\n")
        r, dt, err = _run([env["YOSYS"], "-q", "-s", "hier.ys"], wd, env, "yosys_hier.log", timeout)
        rep.seconds["yosys_breakdown"] = round(dt, 2)
        if err or r.returncode != 0:
            rep.status, rep.error = "failed", f"yosys (breakdown): {err or _last_error(r.stdout)}"
            return rep
        with open(os.path.join(wd, "hier_stat.json")) as f:
            rep.breakdown = parse_breakdown(json.load(f), family, top)
    if not pnr:
        return rep
    netlist = "synth.json"
    if rep.floorplan["mode"] == "centre":
        from fftforge.fpga.floorplan import write_pinned
        rep.floorplan["pins"] = write_pinned(os.path.join(wd, netlist), os.path.join(wd, "pinned.json"), rep.device)
        netlist = "pinned.json"
    cmd = [env["NEXTPNR_ICE40" if family == "ice40" else "NEXTPNR_ECP5"], *cap["nextpnr"],
           "--json", netlist, "--report", "report.json", "--freq", f"{rep.target_mhz:g}",
           "--seed", str(seed), "--timing-allow-fail", "-q", "--log", "nextpnr.log"]
    if family == "ecp5":
        cmd.append("--out-of-context")
    r, dt, err = _run(cmd, wd, env, "nextpnr.out", timeout)
    rep.seconds["nextpnr"] = round(dt, 2)
    logtext = ""
    for name in ("nextpnr.log", "nextpnr.out"):
        try:
            with open(os.path.join(wd, name)) as f:
                logtext += f.read()
        except OSError:
            pass
    parsed_log = parse_nextpnr_log(logtext)
    if err or r.returncode != 0:
        if parsed_log["overflow"]:
            rep.status, rep.overflow = "does_not_fit", parsed_log["overflow"]
        else:
            rep.status, rep.error = "failed", f"nextpnr: {err or _last_error(logtext)}"
        return rep
    try:
        with open(os.path.join(wd, "report.json")) as f:
            parsed = parse_nextpnr_report(json.load(f), family)
    except (OSError, ValueError):
        parsed = {"utilization": {}, "fmax_mhz": None}
    rep.utilization = parsed["utilization"]
    rep.critical_path = parsed.get("critical_path")
    rep.fmax_mhz = parsed["fmax_mhz"] if parsed["fmax_mhz"] is not None else parsed_log["fmax_mhz"]
    if rep.fmax_mhz is not None:
        rep.fmax_mhz = round(rep.fmax_mhz, 2)
    for k in ("luts", "ffs", "dsps", "bram", "logic_cells", "spram"):
        if k in parsed:
            setattr(rep, k, parsed[k])
    rep.bram_bits = rep.bram * cap["bram_block_bits"]
    rep.seconds["total"] = round(sum(v for k, v in rep.seconds.items() if k != "total"), 2)
    return rep
