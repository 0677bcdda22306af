"""The soak (benchmarks/bench_soak.py) on a few tiny cores with a few
thousand samples: its core set covers the shared FFT option factors
pairwise; its cores (an FFT core, the filter and the FFTNet layer) pass in
one fftforge.sim.multibench model with every word checked and counted under
random stalls; and its error accounting reports a changed, a missing or an
extra word, an input not accepted and a timeout.  (That the Verilog checker
catches a changed, dropped or swapped word is tests/sim/test_multibench.py.)"""

import dataclasses
import importlib.util
import json
import os
import sys

import numpy as np

from fftforge.pyref import lanes
from fftforge.sim.pairwise import fft_factors, uncovered_pairs

_spec = importlib.util.spec_from_file_location(
    "bench_soak", os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks", "bench_soak.py"))
bench_soak = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("bench_soak", bench_soak)     # (its dataclass looks itself up there)
_spec.loader.exec_module(bench_soak)


def test_core_set_covers_every_pair_of_options():
    # the shared factors (as the fast Verilator set), with the soak's N values and no target
    assert bench_soak.SOAK_FACTORS == fft_factors(n=[16, 1024], target=False)
    rows = bench_soak.soak_rows()
    assert not uncovered_pairs(rows, bench_soak.SOAK_FACTORS)
    cores = bench_soak.soak_cores()
    ffts = [c for c in cores if type(c.cfg).__name__ == "FFTConfig"]
    assert len(ffts) == len(rows) == 14
    for row, core in zip(rows, ffts):
        cfg = core.cfg
        assert (cfg.arch, cfg.direction, cfg.rounding, cfg.overflow, cfg.order, cfg.cmul, cfg.lanes, cfg.n) == (
            row["arch"], row["direction"], row["rounding"], row["overflow"], row["order"], row["cmul"],
            row["lanes"], row["n"])
        assert cfg.scaling == ("unscaled" if row["scaling"] == "unscaled" else "scaled")
        # scaled-clip: a schedule under which parts can overflow (saturation logic built)
        assert any(p.may_overflow for p in cfg.plan()) == (row["scaling"] == "scaled-clip")
    assert {type(c.cfg).__name__ for c in cores} >= {"FFTConfig", "FilterConfig", "FFTNetConfig"}
    assert len({c.name for c in cores}) == len(cores)
    # no row is redundant
    assert all(uncovered_pairs(rows[:k] + rows[k + 1:], bench_soak.SOAK_FACTORS) for k in range(len(rows)))


def test_soak_segments_meet_the_sample_budget():
    cores = bench_soak.soak_cores()
    specs = bench_soak.soak_specs(cores, 70_000, seed=1, min_frames=200)
    total = 0
    for c, spec in zip(cores, specs):
        (seg,) = spec.segments
        fs = lanes.frame_samples(c.cfg)
        assert seg.re.shape == seg.im.shape == (len(seg.re), fs)
        assert len(seg.re) >= 200 and len(seg.re) * fs >= 70_000
        assert not seg.streaming and seg.idle_every == 0
        assert (seg.p_valid, seg.p_ready) == (c.p_valid, c.p_ready)
        assert (seg.inverse is not None) == (getattr(c.cfg, "direction", None) == "runtime")
        assert set(seg.labels) >= {"random", "small"}
        total += seg.re.size
    assert total >= 10**6


def test_soak_on_tiny_cores_in_one_model(tmp_path):
    # N = 16, 8 lanes, inverse, a clipping schedule; the filter (3 channels,
    # 2 lanes) and the FFTNet layer: all in one model, a quick -O0 build
    out = tmp_path / "soak.json"
    rc = bench_soak.main(["--only", "fft16_06", "filter64", "fftnet32", "--samples", "6000", "--min-frames", "2",
                          "--opt=-O0", "--seed", "5", "--workdir", str(tmp_path / "w"), "--json", str(out)])
    assert rc == 0
    rows = json.loads(out.read_text())["cores"]
    assert [r["core"] for r in rows] == ["fft16_06", "filter64", "fftnet32"]
    for r in rows:
        assert r["errors"] == 0 and r["bit_exact"], r
        assert r["samples"] >= 2000 and r["words_out"] == r["words_in"] == r["samples"] // r["lanes"]
        assert r["mismatches"] == r["python_mismatches"] == r["extra"] == r["lost"] == r["not_accepted"] == 0
        assert 20 < r["stall_pct"] < 90 and r["drain_gaps"] > 0
    assert rows[0]["overflow_frames"] > 0          # the clipping schedule clipped


def _result(words=40, **change):
    from fftforge.sim.multibench import CoreResult, SegmentResult
    exp = {"re0": np.arange(words).reshape(4, -1), "last": np.zeros((4, words // 4), dtype=int)}
    seg = SegmentResult(expected=exp, received={f: a.copy() for f, a in exp.items()},
                        model=(np.zeros((4, 10)), np.zeros((4, 10)), np.zeros((4, 10), dtype=bool)),
                        accepted=words, words_in=words, emitted=words, words_out=words, mismatches=0, extra=0,
                        first_in_cycle=0, first_out_cycle=9, in_span=words, out_gaps=0, cycles=200,
                        timeout=False, stall_pct=50.0, drain_gaps=1, ready_bursts=1)
    seg = dataclasses.replace(seg, **change)
    return CoreResult(cfg=None, descriptor={"latency_cycles": 9}, segments=[seg])


def test_error_accounting():
    core = bench_soak.soak_cores()[0]
    assert bench_soak.core_row(core, _result())["errors"] == 0
    assert bench_soak.core_row(core, _result(mismatches=1))["errors"] == 1
    assert bench_soak.core_row(core, _result(extra=2))["errors"] == 2
    assert bench_soak.core_row(core, _result(emitted=37, received={}))["errors"] == 3       # 3 lost
    assert bench_soak.core_row(core, _result(accepted=39))["errors"] == 1
    assert bench_soak.core_row(core, _result(timeout=True))["errors"] == 1
    # a word the Python comparison sees differ (two swapped) counts too
    r = _result()
    got = r.segments[0].received["re0"]
    got[1, 0], got[1, 1] = got[1, 1], got[1, 0]
    row = bench_soak.core_row(core, r)
    assert row["python_mismatches"] == 2 and row["errors"] == 2 and not row["bit_exact"]
    assert "errors" in bench_soak.table([row]) and "**total**" in bench_soak.table([row])
