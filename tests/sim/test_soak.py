"""The soak machinery (benchmarks/bench_soak.py) on one tiny core with a few
thousand samples: the Verilator --binary bench passes a correct core with
every word checked and counted, and fails when one expected word is changed,
dropped or two are swapped; the core set covers the generator's options
pairwise."""

import importlib.util
import os
import shutil
import sys

import pytest

_spec = importlib.util.spec_from_file_location(
    "bench_soak", os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks", "bench_soak.py"))
bench_soak = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("bench_soak", bench_soak)     # (its dataclass looks itself up there)
_spec.loader.exec_module(bench_soak)


def test_core_set_covers_every_pair_of_options():
    rows = bench_soak.pairwise_rows()
    assert not bench_soak.uncovered_pairs(rows)
    cores = bench_soak.soak_cores()
    ffts = [c for c in cores if c.name.startswith("fft") and not c.name.startswith("fftnet")]
    assert len(ffts) == len(rows)
    for row, core in zip(rows, ffts):
        cfg = core.cfg
        assert (cfg.arch, cfg.direction, cfg.rounding, cfg.overflow, cfg.order, cfg.cmul, cfg.lanes, cfg.n) == (
            row["arch"], row["direction"], row["rounding"], row["overflow"], row["order"], row["cmul"],
            row["lanes"], row["n"])
        assert cfg.scaling == ("unscaled" if row["scaling"] == "unscaled" else "scaled")
        # scaled-clip: a schedule under which parts can overflow (saturation logic built)
        assert any(p.may_overflow for p in cfg.plan()) == (row["scaling"] == "scaled-clip")
    assert {type(c.cfg).__name__ for c in cores} >= {"FFTConfig", "FilterConfig", "FFTNetConfig"}
    # a dropped factor would make a pair uncovered
    assert bench_soak.uncovered_pairs(rows[:-1])


def test_soak_machinery_on_a_tiny_core(tmp_path):
    # N = 16, 8 lanes, runtime direction (the inverse flag rides above the
    # payload in in.hex), a schedule that clips
    core = next(c for c in bench_soak.soak_cores() if c.name == "fft16_03")
    assert core.cfg.lanes == 8 and core.cfg.direction == "runtime"
    row = bench_soak.soak_core(core, 4000, str(tmp_path), seed=5, opt="-O0")   # (a faster build)
    assert row["errors"] == 0, row["mismatch_log"]
    assert row["samples"] >= 4000 and row["words_out"] == row["words_in"] == row["samples"] // 8
    assert row["mismatches"] == row["extra"] == row["lost"] == 0
    assert 20 < row["stall_pct"] < 90 and row["ready_low_pct"] > 5
    assert row["drain_gaps"] > 0 and row["valid_bursts"] + row["ready_bursts"] > 0
    assert row["overflow_frames"] > 0

    d = str(tmp_path / core.name)
    exp = open(os.path.join(d, "exp.hex")).read().split()
    shutil.copyfile(os.path.join(d, "exp.hex"), os.path.join(d, "exp.orig"))

    def run_with(lines):
        with open(os.path.join(d, "exp.hex"), "w") as f:
            f.write("\n".join(lines) + "\n")
        st, out, _ = bench_soak.run_bench(d, seed=5)
        return st

    # one bit of one word changed: exactly that word is reported
    flip = list(exp)
    flip[100] = format(int(flip[100], 16) ^ 1, f"0{len(flip[100])}x")
    st = run_with(flip)
    assert st["errors"] == 1 and st["received"] == len(exp)
    # a word dropped from the expectation (the core "duplicates" one), two swapped
    st = run_with(exp[:200] + exp[201:] + [exp[-1]])
    assert st["errors"] > 0
    swap = list(exp)
    swap[300], swap[301] = swap[301], swap[300]
    if swap[300] != swap[301]:
        assert run_with(swap)["errors"] == 2
    # the original expectation passes again (same seed, same stalls)
    assert run_with(exp)["errors"] == 0


@pytest.mark.parametrize("name", ["filter64", "fftnet32"])
def test_soak_vectors_for_filter_kinds_pack_every_field(tmp_path, name):
    """The filter and FFTNet cores' vectors: every output field of the
    descriptor has expected words (no Verilator build here)."""
    core = next(c for c in bench_soak.soak_cores() if c.name == name)
    paths, desc = bench_soak._generate(core.cfg, str(tmp_path))
    vec = bench_soak.write_vectors(core, desc, 4, seed=1, outdir=str(tmp_path))
    assert vec["nin"] == vec["nout"] == 4 * core.cfg.n // core.cfg.lanes
    assert vec["ow"] == desc["ports"]["output"]["width"]
    text = bench_soak.testbench(core, desc, vec)
    assert desc["name"] in text and "exp_mem" in text
