"""``fftforge cost``: compare token mixers on FFT pipelines, matmul arrays and
GPUs; cost one GEMM; explain a number; list targets."""

from __future__ import annotations

import argparse
import sys
import textwrap

import numpy as np

from fftforge.errors import UserError

from fftforge.costmodel import compare as cmp
from fftforge.costmodel import impls, systolic
from fftforge.costmodel.energy import DEFAULT_TABLE, energy_table_names, load_energy_table
from fftforge.costmodel.evaluate import Options, evaluate, static_power_range
from fftforge.costmodel.provenance import summarize
from fftforge.costmodel.hardware import load_target, preset_names, preset_path
from fftforge.costmodel.workloads import WORKLOADS, Shape

__all__ = ["add_parser"]

_RAW = argparse.RawDescriptionHelpFormatter

COMPARE_EPILOG = """\
examples:
  fftforge cost compare --workload fftnet --n 256:65536 --d 768 \\
      --targets tpu-v3,ecp5-85f,h100 --plot docs/cost_fftnet.png
  fftforge cost compare --workload fnet-dft,fnet-fft --targets tpu-v3 --n 64:16384
  fftforge cost compare --workload attention,linear --targets ./my-array.toml --csv out.csv

--n LO:HI walks powers of two; LO:HI:STEP walks linearly; a,b,c lists values.
Each --targets entry is a preset (see 'fftforge cost targets') or a TOML path.
Latency and energy are per batch (--batch sequences); crossovers are where two
series swap order (log-log interpolation between sweep points)."""

GEMM_EPILOG = """\
examples:
  fftforge cost gemm --m 512 --n 512 --k 512 --array 128x128 --dataflow ws --scalesim-compatible
  fftforge cost gemm --m 1000 --n 77 --k 300 --array 32x8 --dataflow os --target tpu-v3

--scalesim-compatible gives SCALE-Sim 3.0.0's stall-free "Total Cycles" exactly;
the default (overlap) mode double-buffers stationary tiles so folds overlap."""

EXPLAIN_EPILOG = """\
examples:
  fftforge cost explain --workload fftnet --target ecp5-85f --n 1024
  fftforge cost explain --workload fnet-dft --target tpu-v3 --n 4096 --d 768

Prints every kernel of the workload with its compute, fill/drain, vector and
memory cycles and its energy terms (arithmetic, SRAM, DRAM, static), then the
totals, so each number in 'compare' can be traced."""


VALIDATE_EPILOG = """\
examples:
  fftforge cost validate
  fftforge cost validate --fft-impl ideal      # the what-if implementations
  fftforge cost validate --json validate.json --strict

Fits are printed as fit points, never as validations: the TPU library FFT's
vector-unit efficiency (solved from Lu et al.'s pod ratio; an estimate, as
their FFT is not XLA's vector-unit FFT) and FlashFFTConv's HBM and
tensor-core efficiencies (on every other column of the published table).
Every check row compares the model with a figure it was not fitted on."""


def _add_shape(p, single_n=False):
    p.add_argument("--n", required=not single_n, default=None if not single_n else "1024",
                   help="sequence length: LO:HI (powers of two), LO:HI:STEP, a,b,c or N"
                   if not single_n else "sequence length (default 1024)")
    p.add_argument("--d", type=int, default=768, help="hidden size (default 768, FNet/BERT-Base)")
    p.add_argument("--batch", type=int, default=1, help="sequences per batch (default 1)")
    p.add_argument("--heads", type=int, default=12, help="attention heads (default 12)")
    p.add_argument("--energy-table", default=DEFAULT_TABLE,
                   help=f"energy table: {', '.join(energy_table_names())} or a TOML path "
                   f"(default {DEFAULT_TABLE})")
    p.add_argument("--dataflow", default="ws", choices=systolic.DATAFLOWS,
                   help="systolic dataflow for GEMMs (default ws)")
    p.add_argument("--scalesim-compatible", action="store_true",
                   help="systolic cycles as SCALE-Sim 3.0.0 (no fold overlap)")
    p.add_argument("--width", type=int, default=16, help="FPGA core data width (default 16)")
    p.add_argument("--arch", default="r22sdf", choices=("r2sdf", "r22sdf"),
                   help="fftforge core architecture (default r22sdf)")
    p.add_argument("--order", default="natural", choices=("natural", "bit_reversed"),
                   help="fftforge core output order (default natural)")
    p.add_argument("--lanes", type=int, default=1, choices=(1, 2, 4, 8),
                   help="samples per clock per core (default 1)")
    p.add_argument("--runtime-n", type=int, default=None, metavar="NMIN",
                   help="FPGA: run every FFT on one run-time-length core (fftforge generate --runtime-n): "
                   "sizes NMIN .. NMAX back to back, the NMAX core's resources and Fmax at every size "
                   "(FFT-only workloads: fnet-fft)")
    p.add_argument("--nmax", type=int, default=None, metavar="NMAX",
                   help="with --runtime-n: the core's largest size (default: the largest FFT size of the sweep)")
    _add_impl(p)


def _add_impl(p):
    p.add_argument("--fft-impl", default="library", metavar="IMPL",
                   help="FFT implementation: library (default: the FFT the framework gives out of the "
                   "box: XLA's on TPUs, cuFFT on GPUs, fftforge cores on FPGAs), ideal (four-step on "
                   "the MXU, fused tensor-core FFT), or one of "
                   f"{', '.join(n for d in impls.IMPLS.values() for n in d)}")


def add_parser(subparsers) -> None:
    """Register ``fftforge cost`` and its subcommands."""
    p = subparsers.add_parser(
        "cost", help="cost model: FFT pipelines vs matmul arrays vs GPUs",
        description="Cost model: when does an FFT pipeline beat a systolic matmul array "
        "(or a GPU) on latency, throughput and energy?", formatter_class=_RAW,
        epilog="commands: compare, gemm, explain, targets, validate.  Run 'fftforge cost COMMAND --help'.")
    sub = p.add_subparsers(dest="cost_command", metavar="COMMAND")
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])

    c = sub.add_parser("compare", help="sweep n over workloads x targets: table, crossovers, CSV/JSON, plot",
                       description="Compare token mixers on several targets over a sweep of n.",
                       formatter_class=_RAW, epilog=COMPARE_EPILOG)
    c.add_argument("--workload", default="fftnet",
                   help=f"comma list of {', '.join(WORKLOADS)} (default fftnet)")
    c.add_argument("--targets", required=True, help="comma list of presets or TOML paths")
    _add_shape(c)
    c.add_argument("--csv", help="write every row and term to this CSV file")
    c.add_argument("--json", help="write rows, crossovers and notes to this JSON file")
    c.add_argument("--plot", help="write log-log latency/energy plots to this PNG")
    c.set_defaults(func=cmd_compare)

    g = sub.add_parser("gemm", help="cycles, accesses and energy of one GEMM on a systolic array",
                       description="One GEMM C[M,N] = A[M,K] B[K,N] on an R x C systolic array.",
                       formatter_class=_RAW, epilog=GEMM_EPILOG)
    g.add_argument("--m", type=int, required=True, help="rows of A and C")
    g.add_argument("--n", type=int, required=True, help="columns of B and C")
    g.add_argument("--k", type=int, required=True, help="reduction dimension")
    g.add_argument("--array", default=None, help="RxC array size (default: the target's)")
    g.add_argument("--dataflow", default="ws", choices=systolic.DATAFLOWS, help="default ws")
    g.add_argument("--scalesim-compatible", action="store_true",
                   help="SCALE-Sim 3.0.0 'Total Cycles' (folds do not overlap)")
    g.add_argument("--target", default="systolic-generic",
                   help="systolic preset or TOML for clock, SRAM, DRAM and energy (default systolic-generic)")
    g.add_argument("--energy-table", default=DEFAULT_TABLE)
    g.set_defaults(func=cmd_gemm)

    e = sub.add_parser("explain", help="break one result into its terms",
                       description="Break one (workload, target, n) result into its terms.",
                       formatter_class=_RAW, epilog=EXPLAIN_EPILOG)
    e.add_argument("--workload", default="fftnet", help=f"one of {', '.join(WORKLOADS)}")
    e.add_argument("--target", required=True, help="a preset or a TOML path")
    _add_shape(e, single_n=True)
    e.set_defaults(func=cmd_explain)

    t = sub.add_parser("targets", help="list hardware presets",
                       description="List the hardware presets; --show prints one to copy and edit.",
                       formatter_class=_RAW,
                       epilog="examples:\n  fftforge cost targets\n"
                       "  fftforge cost targets --show tpu-v3 > my-tpu.toml   # edit, then --targets my-tpu.toml")
    t.add_argument("--show", metavar="NAME", help="print the preset's TOML (with sources)")
    t.set_defaults(func=cmd_targets)

    v = sub.add_parser("validate", help="the model against published measurements, ratio by ratio",
                       description="Compare the model with published measurements (FNet on TPUs, "
                       "Lu et al.'s TPU DFT, FlashFFTConv on GPUs): published vs model, the error, "
                       "and PASS/FAIL against the stated targets.", formatter_class=_RAW,
                       epilog=VALIDATE_EPILOG)
    _add_impl(v)
    v.add_argument("--batch", type=int, default=1, help="FNet batch (default 1)")
    v.add_argument("--json", help="write the report to this JSON file")
    v.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    v.set_defaults(func=cmd_validate)


# ----------------------------------------------------------------- helpers
def _options(a) -> Options:
    if a.fft_impl not in impls.impl_names():
        raise UserError(f"unknown --fft-impl {a.fft_impl!r}; choose from {', '.join(impls.impl_names())}")
    if a.nmax is not None and a.runtime_n is None:
        raise UserError("--nmax needs --runtime-n NMIN (the smallest size of the run-time-length core)")
    return Options(dataflow=a.dataflow, mode="scalesim" if a.scalesim_compatible else "overlap",
                   width=a.width, arch=a.arch, order=a.order, lanes=a.lanes, fft_impl=a.fft_impl,
                   runtime_n=a.runtime_n, nmax=a.nmax)


def _check_sizes(a):
    for name in ("d", "batch", "heads", "width"):
        v = getattr(a, name)
        if v < 1:
            raise UserError(f"--{name} must be >= 1, got {v}")


def _workloads(spec):
    ws = [w.strip() for w in spec.split(",") if w.strip()]
    for w in ws:
        if w not in WORKLOADS:
            raise UserError(f"unknown workload {w!r}; choose from {', '.join(WORKLOADS)}")
    if not ws:
        raise UserError("--workload is empty")
    return ws


def _progress(total):
    try:
        from tqdm import tqdm
    except ImportError:     # pragma: no cover
        return None
    return tqdm(total=total, disable=not sys.stderr.isatty(), desc="costing", leave=False)


# ----------------------------------------------------------------- commands
def cmd_compare(a) -> int:
    _check_sizes(a)
    n = cmp.parse_n(a.n)
    ws = _workloads(a.workload)
    targets = [load_target(s.strip()) for s in a.targets.split(",") if s.strip()]
    if not targets:
        raise UserError("--targets is empty")
    et = load_energy_table(a.energy_table)
    opt = _options(a)
    shape = Shape(B=a.batch, n=n, d=a.d, h=a.heads)
    evals = []
    bar = _progress(len(ws) * len(targets))
    for w in ws:
        for t in targets:
            evals.append(evaluate(w, t, shape, et, opt))
            if bar:
                bar.update(1)
    if bar:
        bar.close()
    print(f"workload {','.join(ws)}: batch {a.batch}, d {a.d}, heads {a.heads}; "
          f"energy table {et.name}; latency and energy per batch")
    print(cmp.format_table(evals, n))
    print()
    print("crossovers:")
    xs = cmp.crossovers(evals, n, "latency_s") + cmp.crossovers(evals, n, "energy_j")
    print(textwrap.indent(cmp.format_crossovers(xs, evals), "  "))
    print()
    print("model notes:")
    for note in sorted({x for e in evals for x in e.notes}):
        print(textwrap.indent(textwrap.fill(note, 96, subsequent_indent="  "), "  "))
    meta = {"workloads": ws, "targets": [t.name for t in targets], "batch": a.batch, "d": a.d,
            "heads": a.heads, "energy_table": et.name, "dataflow": a.dataflow,
            "mode": opt.mode, "width": a.width, "arch": a.arch, "order": a.order, "lanes": a.lanes,
            "runtime_n": a.runtime_n, "nmax": a.nmax,
            "fft_impl": {t.name: impls.resolve(a.fft_impl, t.kind, t.name) for t in targets}}
    if a.csv:
        cmp.write_csv(a.csv, evals, n)
        print(f"wrote {a.csv}")
    if a.json:
        cmp.write_json(a.json, evals, n, meta)
        print(f"wrote {a.json}")
    if a.plot:
        cmp.plot(a.plot, evals, n, title=f"{','.join(ws)}: batch {a.batch}, d {a.d}; "
                 f"energy table {et.name}")
        print(f"wrote {a.plot}")
    return 0


def _parse_array(spec):
    try:
        r, c = (int(x) for x in spec.lower().split("x"))
    except ValueError:
        raise UserError(f"--array must be RxC (for example 128x128), got {spec!r}") from None
    if r < 1 or c < 1:
        raise UserError(f"--array dimensions must be >= 1, got {spec!r}")
    return r, c


def cmd_gemm(a) -> int:
    for name in ("m", "n", "k"):
        if getattr(a, name) < 1:
            raise UserError(f"--{name} must be >= 1, got {getattr(a, name)}")
    t = load_target(a.target)
    if t.kind != "systolic":
        raise UserError(f"--target must be a systolic target, {t.name} is {t.kind}")
    if a.array:
        r, c = _parse_array(a.array)
        t = t.with_params(rows=r, cols=c)
    R, C = t.rows, t.cols
    mode = "scalesim" if a.scalesim_compatible else "overlap"
    g = systolic.gemm_cycles(a.m, a.n, a.k, R, C, a.dataflow, mode)
    acc = systolic.gemm_accesses(a.m, a.n, a.k, R, C, a.dataflow)
    et = load_energy_table(a.energy_table)
    bpe = t.bytes_per_element
    dram_el = int(systolic.dram_elements(a.m, a.n, a.k, t.sram_bytes / bpe))
    mem_cyc = dram_el * bpe / (t.dram_bandwidth / t.clock_hz)
    cyc = int(g["cycles"])
    e_mac = et.mac(t.precision, t.node_nm) * 1e-12 * int(g["macs"])
    e_sram = float(et.sram_pj_per_bit(t.sram_bytes, t.node_nm)) * 8 * bpe * 1e-12 * int(acc["total"])
    e_dram = et.dram(t.dram_kind) * 8e-12 * dram_el * bpe
    sec = max(cyc, mem_cyc) / t.clock_hz
    e_stat = t.static_power_w * sec
    print(f"GEMM M={a.m} N={a.n} K={a.k} on one {R}x{C} array, dataflow {a.dataflow}, "
          f"{'SCALE-Sim 3.0.0 compatible' if mode == 'scalesim' else 'overlap (realistic)'} mode")
    print(f"  cycles            {cyc:>14d}   ({int(g['folds'])} folds)")
    print(f"    compute         {int(g['compute']):>14d}   (folds x T streamed rows)")
    print(f"    fill/drain      {int(g['fill_drain']):>14d}   (skew, weight load, drain)")
    print(f"  MACs              {int(g['macs']):>14d}")
    print(f"  utilization       {100 * float(g['utilization']):>13.1f}%")
    print(f"  SRAM accesses     {int(acc['total']):>14d}   (A {int(acc['a_reads'])}, B {int(acc['b_reads'])}, "
          f"C {int(acc['c_writes'])} elements)")
    print(f"  DRAM traffic      {dram_el * bpe:>14d} B ({t.precision}, {t.sram_bytes} B SRAM)")
    print(f"  bandwidth bound   {mem_cyc:>14.0f}   cycles at {t.dram_bandwidth / 1e9:g} GB/s, "
          f"{t.clock_hz / 1e6:g} MHz -> {'memory' if mem_cyc > cyc else 'compute'} bound")
    print(f"  time              {sec:>14.4g} s   on {t.name}")
    print(f"  energy            {e_mac + e_sram + e_dram + e_stat:>14.4g} J   (MAC {e_mac:.3g}, SRAM {e_sram:.3g}, "
          f"DRAM {e_dram:.3g}, static {e_stat:.3g}; table {et.name})")
    return 0


def cmd_explain(a) -> int:
    _check_sizes(a)
    n = cmp.parse_n(a.n)
    if n.size != 1:
        raise UserError("explain takes one --n value")
    ws = _workloads(a.workload)
    if len(ws) != 1:
        raise UserError("explain takes one --workload")
    t = load_target(a.target)
    et = load_energy_table(a.energy_table)
    opt = _options(a)
    ev = evaluate(ws[0], t, Shape(B=a.batch, n=n, d=a.d, h=a.heads), et, opt)
    unit = "s" if t.kind == "gpu" else "cycles"
    print(f"{ws[0]} on {t.name} ({t.kind}), n={int(n[0])}, d={a.d}, batch={a.batch}, energy table {et.name}")
    for note in ev.notes:
        print(textwrap.fill(note, 100, initial_indent="  note: ", subsequent_indent="        "))
    keys = [("compute_cycles", f"compute [{unit}]"), ("fill_drain_cycles", f"fill/drain [{unit}]"),
            ("vector_cycles", f"vector [{unit}]"), ("memory_cycles", f"memory [{unit}]"),
            ("pipeline_latency_cycles", "pipeline latency [cycles]"),
            ("macs", "MACs"), ("flops", "FLOPs"), ("dram_bytes", "DRAM/I-O bytes"),
            ("e_compute_j", "E arithmetic [J]"), ("e_vector_j", "E vector [J]"),
            ("e_sram_j", "E SRAM [J]"), ("e_dram_j", "E DRAM/I-O [J]"), ("units", "parallel units")]
    for label, d in ev.kernels:
        print(f"\n  kernel: {label}")
        for k, name in keys:
            if k in d and float(np.asarray(d[k])[0]) != 0:
                print(f"    {name:<28} {float(np.asarray(d[k])[0]):>14.6g}")
    if not np.isfinite(float(ev.latency_s[0])):
        print(f"\n  does not fit: one unit of this chain needs more than {t.name} has "
              f"({t.dsps} DSPs, {t.luts} LUTs, {t.bram_bits} block-RAM bits): 0 parallel units; "
              "try fewer --lanes, a narrower --width or a bigger part")
        return 0
    prov = ev.provenance

    def tag(k):
        return f"   [{prov[k][0]}]" if k in prov else ""
    print("\n  totals")
    for k, name in keys:
        if k in ev.terms and float(ev.terms[k][0]) != 0:
            print(f"    {name:<28} {float(ev.terms[k][0]):>14.6g}{tag(k)}")
    print(f"    {'E static [J]':<28} {float(ev.terms['e_static_j'][0]):>14.6g}{tag('e_static_j')}   "
          f"(static power x latency)")
    rule = ("sum over kernels of max(compute + fill/drain + vector, memory)" if t.kind != "fpga" else
            "per chain: (pipeline latency + max(stream, I/O)) / Fmax; GEMMs as on a systolic array")
    print(f"\n  latency    {float(ev.latency_s[0]):.6g} s   = {rule}"
          + (f" / clock {float(ev.clock_hz[0]) / 1e6:g} MHz" if t.kind == "systolic" else ""))
    print(f"  throughput {float(ev.throughput[0]):.6g} sequences/s (steady state)")
    print(f"  energy     {float(ev.energy_j[0]):.6g} J   = arithmetic + vector + SRAM + DRAM/I-O + static")
    T = ev.terms
    lo, hi = static_power_range(t)
    print(f"             {float(T['energy_dynamic_j'][0]):.6g} J without static power; "
          f"band {float(T['energy_lo_j'][0]):.6g} .. {float(T['energy_hi_j'][0]):.6g} J "
          f"(static {lo:g} .. {hi:g} W)")
    print(f"  utilization {100 * float(ev.utilization[0]):.1f}%   bound: {ev.bound[0]}")
    lt, lest = summarize(prov, cmp.TIME_TERMS)
    et_, eest = summarize(prov, cmp.ENERGY_TERMS)
    print(f"\n  sources: latency [{lt}], energy [{et_}]"
          " (tags: measured-here / cited / fitted / estimated; a term takes its weakest input's)")
    seen = set()
    for k, (tg, inputs) in prov.items():
        for name, itag, src in inputs:
            if itag != "cited" and name not in seen:
                seen.add(name)
                print(textwrap.fill(f"{name} [{itag}]: {src}", 100, initial_indent="    ",
                                    subsequent_indent="        "))
    return 0


def cmd_validate(a) -> int:
    import json as _json
    from fftforge.costmodel import validate as val
    if a.fft_impl not in impls.impl_names():
        raise UserError(f"unknown --fft-impl {a.fft_impl!r}; choose from {', '.join(impls.impl_names())}")
    rep = val.validate(a.fft_impl, a.batch)
    print(f"fftforge cost validate: model vs published measurements (--fft-impl {a.fft_impl})\n")
    print(val.format_report(rep))
    if a.json:
        with open(a.json, "w") as f:
            _json.dump(rep, f, indent=1)
        print(f"wrote {a.json}")
    missed = [c for c in rep["checks"] if c["ok"] is False]
    print(f"\n{sum(c['ok'] is True for c in rep['checks'])} passed, {len(missed)} missed, "
          f"{sum(c['ok'] is None for c in rep['checks'])} not assessed")
    return 1 if (a.strict and missed) else 0


def cmd_targets(a) -> int:
    if a.show:
        if a.show not in preset_names():
            raise UserError(f"unknown target {a.show!r}; presets: {', '.join(preset_names())}")
        with open(preset_path(a.show)) as f:
            sys.stdout.write(f.read())
        return 0
    print(f"{'name':<18} {'kind':<9} description")
    for name in preset_names():
        t = load_target(name)
        print(f"{name:<18} {t.kind:<9} {t.params.get('description', '')}")
    print("\nenergy tables: " + ", ".join(energy_table_names()) + f" (default {DEFAULT_TABLE})")
    print("pass a TOML path instead of a name to use your own target; "
          "'fftforge cost targets --show NAME' prints one to start from")
    return 0
