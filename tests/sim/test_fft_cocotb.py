"""FFT cores on Verilator against the bit-true model: every word of every
output field, with and without random valid/ready stalls and idle gaps
(which make the core drain); latency and throughput are measured and
compared with the descriptor; SQNR against NumPy on the random, small and
tone frames, against the derived bound.

``make test`` runs a pairwise covering array (:func:`fast_configs`): every
pair of values of any two of arch, direction, scaling (scaled, a clipping
schedule, unscaled), rounding, overflow, order, cmul, lanes (1, 2, 4, 8),
N (small: 16-64, large: 1024 or 4096) and target (generic, ECP5, iCE40)
appears in at least one core -- 15 cores, built side by side into ONE
Verilator model, each driven and checked by its own Verilog bench
(:mod:`fftforge.sim.multibench`: no Python per cycle, one Verilator build).
The array starts from the cores the fast set has always run: the ECP5 N=1024
headline core, the iCE40 N=4096 runtime core, the 24-bit schedule that
overflows, and ``drain_after=0``.

``make test-full`` (FFTFORGE_FULL=1) runs the whole matrix (288 cores of
N x arch x scaling x rounding x order x width, and 24 lane cores of N x P x
direction) the same way, in 34 Verilator models of 2-16 cores
(:func:`full_batches`), each core checked as the fast set's are; and a
diagonal of it, one core per N and two lane cores, through the cocotb bench
that ``fftforge sim`` runs (:class:`fftforge.sim.runner.VerilatorSim`).
"""

import itertools
import os

import numpy as np
import pytest

from fftforge.config import FFTConfig
from fftforge.hdl.export import generate
from fftforge.pyref.noise import sqnr_bound_db
from fftforge.pyref.fft import fft_float, from_lanes, sqnr_db
from fftforge.pyref.stimulus import make_stimulus
from fftforge.sim.check import fft_job
from fftforge.sim.multibench import CoreSpec, MultiBench, Segment, stream_problems
from fftforge.sim.pairwise import fft_factors, pairwise_rows, uncovered_pairs
from fftforge.sim.runner import VerilatorSim

FULL = bool(os.environ.get("FFTFORGE_FULL"))

#: the generator's options and the values the fast set covers pairwise: the
#: one definition in fftforge.sim.pairwise (shared with the soak,
#: benchmarks/bench_soak.py).  ``scaling``: "scaled" (the default schedule:
#: no part can overflow), "scaled-clip" (schedule 0, 0, 1, ...: full-scale
#: frames clip, so the ``overflow`` option and flag matter), "unscaled".
#: ``n``: a size class.
FACTORS = fft_factors(n=["small", "large"])

_BASE = dict(arch="r22sdf", direction="forward", scaling="scaled", rounding="convergent", overflow="saturate",
             order="natural", cmul=4, lanes=1, n="small", target="generic")

#: rows the array starts from (row, fixed parameters): the cores the fast
#: set has run since it began, each for a reason of its own
FIXED = [
    # the headline core: r22sdf, N=1024, 16-bit, scaled, convergent, saturate,
    # natural, in its ECP5 form (MULT18X18D and DP16KD instantiated: the
    # behavioural models of sim/models are compiled in)
    (dict(_BASE, n="large", target="ecp5"), dict(n=1024, width=16, twiddle_width=18)),
    # largest N, runtime direction, truncation, in its iCE40 form (the 17/18 x
    # 18-bit twiddle products as registered 16-bit limb products)
    (dict(_BASE, n="large", target="ice40", direction="runtime", rounding="truncate"),
     dict(n=4096, width=16, twiddle_width=18)),
    # 24-bit, a schedule that overflows on full-scale input (saturation + flag)
    (dict(_BASE, arch="r2sdf", scaling="scaled-clip", rounding="truncate"),
     dict(n=64, width=24, twiddle_width=24, schedule=(0, 0, 1, 1, 1, 1))),
    # small odd-log2 r22sdf, unscaled convergent, bit-reversed, drain at once
    (dict(_BASE, scaling="unscaled", order="bit_reversed", direction="runtime"),
     dict(n=32, width=16, twiddle_width=12, drain_after=0)),
]

#: the cheaper value of the costly factors (a core's Verilator build grows
#: with lanes x stages; large N and the vendor primitives add to it), taken
#: wherever a row's value is a don't-care
PREFER = [("n", "small"), ("target", "generic"), ("lanes", 1)]

#: seed of the greedy covering array: 15 rows (4 of them FIXED; the lower
#: bound is 4 lanes x 3 directions = 12), the cheapest found among seeds
#: 0-39 (build cost ~ lanes x (3 if large N) x (1.3 if a vendor target)),
#: with the minimum of 2 rows with 4 or 8 lanes and a large N
PAIRWISE_SEED = 38

# widths (input, twiddle) and drain_after of the other rows, in turn
_WIDTHS = [(8, 8), (16, 18), (12, 10), (24, 24), (16, 12), (10, 14)]
_SMALL_N = [16, 32, 64]
_DRAIN = [4, 1, 16]


def covering_rows() -> list:
    """The fast set's rows (dicts factor -> value): a strength-2 covering
    array of :data:`FACTORS` starting with the :data:`FIXED` rows."""
    return pairwise_rows(FACTORS, fixed=[r for r, _ in FIXED], seed=PAIRWISE_SEED, prefer=PREFER)


def row_config(k: int, row: dict) -> FFTConfig:
    """The core of row ``k``: the FIXED parameters for the first rows; the
    others take N 16/32/64 (small) or 1024 (large), widths and drain_after
    in turn, and for "scaled-clip" the schedule 0, 0, 1, 1, ..."""
    if k < len(FIXED):
        extra = dict(FIXED[k][1])
    else:
        n = _SMALL_N[k % len(_SMALL_N)] if row["n"] == "small" else 1024
        w, tw = _WIDTHS[k % len(_WIDTHS)]
        extra = dict(n=n, width=w, twiddle_width=tw)
        if n < 1024:
            extra["drain_after"] = _DRAIN[k % len(_DRAIN)]
        if row["scaling"] == "scaled-clip":
            extra["schedule"] = (0, 0) + (1,) * (n.bit_length() - 3)
    kw = {f: v for f, v in row.items() if f not in ("n", "scaling")}
    kw["scaling"] = "unscaled" if row["scaling"] == "unscaled" else "scaled"
    return FFTConfig(name=f"pw{k:02d}_n{extra['n']}", **kw, **extra)


def fast_configs() -> list:
    """The FFTConfig of every row of :func:`covering_rows`."""
    return [row_config(k, row) for k, row in enumerate(covering_rows())]


STALL_KINDS = ("random", "small", "tone", "square", "impulse", "dc")


def core_segments(cfg, seed: int) -> list:
    """Two segments, each after a reset: streaming random frames (enough that
    the input never runs dry before the first output: latency, throughput),
    then frames of every stimulus kind in turn (random, random at 1/16
    amplitude, tone, square, impulse, dc; 6 of each, 3 for N >= 1024) under
    random valid/ready stalls, with an idle gap longer than drain_after
    after every second frame."""
    rng = np.random.default_rng(seed)
    runtime = cfg.direction == "runtime"
    f0 = cfg.latency_cycles // cfg.frame_cycles + 3
    re0, im0 = make_stimulus("random", f0, cfg.n, cfg.width, rng)
    inv0 = rng.random(f0) < 0.5 if runtime else None
    per = 3 if cfg.n >= 1024 else 6
    parts = []
    for kind in STALL_KINDS:
        a, b = make_stimulus("random" if kind == "small" else kind, per, cfg.n, cfg.width, rng)
        if kind == "small":
            a, b = a >> 4, b >> 4
        parts.append((a, b))
    order = [(j % len(STALL_KINDS), j // len(STALL_KINDS)) for j in range(per * len(STALL_KINDS))]
    re1 = np.stack([parts[i][0][f] for i, f in order])
    im1 = np.stack([parts[i][1][f] for i, f in order])
    labels = [STALL_KINDS[i] for i, _ in order]
    inv1 = rng.random(len(order)) < 0.5 if runtime else None
    return [Segment(re0, im0, inv0, streaming=True, labels=["random"] * f0),
            Segment(re1, im1, inv1, p_valid=0.7, p_ready=0.6, idle_every=2, idle_cycles=cfg.drain_after + 3,
                    labels=labels)]


def core_problems(core, spec) -> list:
    """What is wrong with one core's run (empty: it passes): every segment
    bit-exact (every word of every field, every input accepted, nothing
    lost or extra), the streaming segment's latency and throughput as the
    descriptor says, the stalled one drained, and SQNR >= the derived bound
    on the random, small and tone frames that did not overflow."""
    cfg = core.cfg
    name = f"{cfg.name} ({cfg.arch} {cfg.direction} {cfg.scaling} {cfg.rounding} {cfg.overflow} {cfg.order} " \
        f"cmul{cfg.cmul} P{cfg.lanes} N={cfg.n} w{cfg.width} {cfg.target})"
    bad = stream_problems(core, spec, name)
    if bad:
        return bad
    # SQNR against NumPy, on the received words, frames grouped by kind
    checked = set()
    for seg, res in zip(spec.segments, core.segments):
        ovf = np.asarray(res.received["overflow"]).any(axis=1)
        y_re, y_im = from_lanes(cfg, res.received)
        ref_all = fft_float(cfg, seg.re + 1j * seg.im.astype(float), seg.inverse)
        for kind in ("random", "small", "tone"):
            sel = np.array([lb == kind for lb in seg.labels]) & ~ovf
            if not sel.any():
                continue
            ref = ref_all[sel]
            p_in = float(np.mean(seg.re[sel].astype(float) ** 2 + seg.im[sel].astype(float) ** 2))
            measured = sqnr_db(ref, y_re[sel] + 1j * y_im[sel].astype(float))
            bound = sqnr_bound_db(cfg, ref, p_in)
            if not measured >= bound:
                bad.append(f"{name}: SQNR {measured:.1f} dB on the {kind} frames, bound {bound:.1f} dB")
            checked.add(kind)
    if "small" not in checked:
        bad.append(f"{name}: no SQNR check (every small frame overflowed)")
    if not any(p.may_overflow for p in cfg.plan()) and checked != {"random", "small", "tone"}:
        bad.append(f"{name}: SQNR checked on {sorted(checked)} only")
    return bad


def test_fast_set_is_a_pairwise_covering_array():
    rows = covering_rows()
    assert not uncovered_pairs(rows, FACTORS)
    assert rows[:len(FIXED)] == [r for r, _ in FIXED]
    cfgs = fast_configs()
    assert len(cfgs) == len(rows) == 15
    for row, cfg in zip(rows, cfgs):
        for f in ("arch", "direction", "rounding", "overflow", "order", "cmul", "lanes", "target"):
            assert getattr(cfg, f) == row[f]
        assert (cfg.n >= 1024) == (row["n"] == "large")
        assert cfg.scaling == ("unscaled" if row["scaling"] == "unscaled" else "scaled")
        # scaled-clip: parts that can overflow (saturation or wrap logic built)
        assert any(p.may_overflow for p in cfg.plan()) == (row["scaling"] == "scaled-clip")
    # what the fast set ran before the array, still in it
    assert any(c.n == 1024 and c.target == "ecp5" and c.width == 16 and c.twiddle_width == 18 for c in cfgs)
    assert any(c.n == 4096 and c.target == "ice40" and c.direction == "runtime" for c in cfgs)
    assert any(c.width == 24 and c.schedule == (0, 0, 1, 1, 1, 1) for c in cfgs)
    assert any(c.drain_after == 0 for c in cfgs)
    assert {c.width for c in cfgs} >= {8, 16, 24}
    # a dropped row leaves some pair uncovered
    assert all(uncovered_pairs(rows[:k] + rows[k + 1:], FACTORS) for k in range(len(FIXED), len(rows)))


def test_pairwise_cores_on_verilator(tmp_path):
    """The covering array's 15 cores in one Verilator model."""
    specs = [CoreSpec(cfg, core_segments(cfg, seed=100 + k)) for k, cfg in enumerate(fast_configs())]
    run = MultiBench(specs, str(tmp_path), seed=7).run()
    problems = []
    for core, spec in zip(run.cores, specs):
        problems += core_problems(core, spec)
    assert not problems, "\n".join(problems)


# the full run: the whole N x P x direction matrix (N = 16 ... 1024) of lane
# cores, and the N x arch x scaling x rounding x order x width matrix
LANES_MATRIX = [
    dict(n=n, lanes=p, arch="r22sdf", width=16, direction=d)
    for n, p, d in itertools.product((16, 64, 256, 1024), (2, 4, 8), ("forward", "inverse"))
]

FULL_MATRIX = [
    dict(n=n, arch=a, scaling=sc, rounding=rd, order=o, width=w, twiddle_width=min(w + 2, 32),
         direction="runtime")
    for n, a, sc, rd, o, w in itertools.product(
        (8, 16, 64, 256, 1024, 4096), ("r2sdf", "r22sdf"), ("scaled", "unscaled"),
        ("convergent", "truncate"), ("natural", "bit_reversed"), (8, 16, 24))
]

#: cores per Verilator model in the full run, by N (a model's C++ build
#: grows with cores x stages x lanes; about 2-4 minutes each at -O0 here)
_BATCH = {8: 16, 16: 16, 64: 16, 256: 12, 1024: 8, 4096: 6}
_LANES_BATCH = {16: 6, 64: 6, 256: 3, 1024: 2}


def full_batches() -> list:
    """The full run's cores, :data:`FULL_MATRIX` then :data:`LANES_MATRIX`,
    as (batch id, [FFTConfig]) in groups of one N (and, for lane cores, one
    N), :data:`_BATCH` (:data:`_LANES_BATCH`) cores at most per group.  Every core of both matrices is in exactly one batch."""
    groups = {}
    for k, kw in enumerate(FULL_MATRIX):
        groups.setdefault(("m", kw["n"]), []).append(FFTConfig(name=f"fm{k:03d}", **kw))
    for k, kw in enumerate(LANES_MATRIX):
        groups.setdefault(("p", kw["n"]), []).append(FFTConfig(name=f"fp{k:03d}", **kw))
    out = []
    for (tag, n), cfgs in groups.items():
        size = (_BATCH if tag == "m" else _LANES_BATCH)[n]
        for b in range(0, len(cfgs), size):
            out.append((f"{'matrix' if tag == 'm' else 'lanes'}-n{n}-{b // size}", cfgs[b:b + size]))
    return out


def test_full_batches_hold_every_core_once():
    names = [c.name for _, cfgs in full_batches() for c in cfgs]
    assert len(names) == len(set(names)) == len(FULL_MATRIX) + len(LANES_MATRIX) == 312
    assert all(len({c.n for c in cfgs}) == 1 for _, cfgs in full_batches())


@pytest.mark.slow
@pytest.mark.skipif(not FULL, reason="full matrix: make test-full")
@pytest.mark.parametrize("batch", full_batches(), ids=lambda b: b[0])
def test_full_matrix_on_verilator(batch, tmp_path):
    """A batch of the full matrix in one Verilator model, each core checked
    as the fast set's are (:func:`core_problems`: bit-exact under random
    stalls and drains, latency and throughput as the descriptor says,
    SQNR >= the derived bound)."""
    _, cfgs = batch
    specs = [CoreSpec(cfg, core_segments(cfg, seed=1000 + int(cfg.name[2:]))) for cfg in cfgs]
    run = MultiBench(specs, str(tmp_path), seed=11).run()
    problems = []
    for core, spec in zip(run.cores, specs):
        problems += core_problems(core, spec)
    assert not problems, "\n".join(problems)


def _ident(kw):
    return "-".join(f"{v}" for v in kw.values()).replace(" ", "").replace(",", "_")


#: the cocotb bench (:class:`fftforge.sim.runner.VerilatorSim`, Python
#: driving every cycle, as ``fftforge sim`` runs it) on a diagonal of the
#: matrix: one core per N, the options turning over
COCOTB_SAMPLE = [FULL_MATRIX[k * 48 + (7 * k) % 48] for k in range(6)] + [LANES_MATRIX[5], LANES_MATRIX[16]]


def _run_core(kw, tmp_path_factory):
    cfg = FFTConfig(name="dut", **kw)
    out = tmp_path_factory.mktemp("core")
    paths = generate(cfg, str(out))
    sim = VerilatorSim(paths["json"], build_dir=str(out / "build"))
    nostall_frames = cfg.latency_cycles // cfg.frame_cycles + 3
    kinds = ["random", "impulse", "tone", "square", "dc"]
    jobs, refs = [], []
    job, ref, _ = fft_job(cfg, "random", nostall_frames, seed=11)
    job.stimulus = "random"
    jobs.append(job)
    refs.append(ref)
    stall_frames = 3 if cfg.n >= 1024 else 6
    for k, kind in enumerate(kinds):
        job, ref, _ = fft_job(cfg, kind, stall_frames, seed=20 + k, p_valid=0.7, p_ready=0.6,
                              idle_every=2, idle_cycles=cfg.drain_after + 3)
        job.stimulus = kind
        jobs.append(job)
        refs.append(ref)
    return cfg, jobs, refs, sim.run(jobs)


def _assert_core(cfg, jobs, refs, results):
    for job, res in zip(jobs, results):
        assert res.bit_exact, f"mismatches {res.mismatches}, first {res.first_mismatch}"
        assert res.accepted * cfg.lanes == cfg.n * len(job.inputs[cfg.lane_fields[0][0]])
    r0 = results[0]
    assert r0.latency == cfg.latency_cycles
    assert r0.in_span == r0.accepted          # one transfer (P samples) accepted every cycle
    assert r0.out_gaps == 0                   # one transfer out every cycle while streaming
    # SQNR against NumPy for the random and tone runs (with and without
    # stalls), against the derived bound; impulse, square and dc have none
    checked = set()
    for job, ref, res in zip(jobs, refs, results):
        if job.stimulus not in ("random", "tone"):
            continue
        if cfg.overflow == "saturate" and res.outputs["overflow"].any():
            continue
        x_re, x_im = from_lanes(cfg, job.inputs)
        y_re, y_im = from_lanes(cfg, res.outputs)
        p_in = float(np.mean(x_re.astype(float) ** 2 + x_im.astype(float) ** 2))
        measured = sqnr_db(ref, y_re + 1j * y_im.astype(float))
        assert measured >= sqnr_bound_db(cfg, ref, p_in), f"{job.stimulus} run: SQNR {measured:.1f} dB"
        checked.add(job.stimulus)
    if not any(r.outputs["overflow"].any() for r in results):
        assert checked == {"random", "tone"}


@pytest.mark.slow
@pytest.mark.skipif(not FULL, reason="full matrix: make test-full")
@pytest.mark.parametrize("kw", COCOTB_SAMPLE, ids=_ident)
def test_matrix_sample_on_cocotb(kw, tmp_path_factory):
    _assert_core(*_run_core(kw, tmp_path_factory))


def test_reduced_rate_cores_on_verilator(tmp_path):
    """cycles_per_sample K > 1 (time-shared multipliers): bit-exact under
    random valid/ready stalls and drains, and while streaming one transfer
    in and out every K cycles with the descriptor's latency (K times the
    slots, plus 2) -- stream_problems reads K from the configuration."""
    cfgs = [FFTConfig(n=16, width=15, twiddle_width=16, cycles_per_sample=2, target="ice40", name="rk2"),
            # the dense iCE40 form (lines from 3 words in block RAM, without the overflow tag where the
            # range analysis proves it 0) on a schedule that clips: tags kept after the first stages
            FFTConfig(n=64, width=15, twiddle_width=16, cycles_per_sample=2, target="ice40",
                      schedule=(0, 0, 1, 1, 1, 1), name="rk2c"),
            FFTConfig(n=64, arch="r2sdf", width=12, twiddle_width=14, rounding="truncate", scaling="unscaled",
                      direction="runtime", cycles_per_sample=3, name="rk3"),
            FFTConfig(n=32, width=16, twiddle_width=18, order="bit_reversed", cycles_per_sample=4, name="rk4"),
            # the iCE40 form at K >= 3: SB_MAC16 accumulators (Yosys's model), no operand/product
            # registers at K = 3, both at K = 5
            FFTConfig(n=64, width=15, twiddle_width=16, rounding="truncate", cycles_per_sample=3, target="ice40",
                      name="rk3i"),
            FFTConfig(n=16, width=12, twiddle_width=14, cycles_per_sample=5, target="ice40", name="rk5i")]
    specs = [CoreSpec(cfg, core_segments(cfg, seed=300 + k)) for k, cfg in enumerate(cfgs)]
    run = MultiBench(specs, str(tmp_path), seed=5).run()
    problems = []
    for core, spec in zip(run.cores, specs):
        problems += core_problems(core, spec)
    assert not problems, "\n".join(problems)
