"""benchmarks/bench_timing.py's summary over rows of several kinds and
families (a filter row has no arch or cmul; an iCE40 row its family)."""

import importlib.util
import os

spec = importlib.util.spec_from_file_location(
    "bench_timing", os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks", "bench_timing.py"))
bench_timing = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench_timing)


def _row(fmax, seed, family="ecp5", **core):
    c = {"name": "x", "kind": "fft", "n": 256, "arch": "r22sdf", "cmul": 4, "lanes": 1} | core
    return {"family": family, "status": "ok", "fmax_mhz": fmax, "seed": seed, "core": c,
            "cells": {"LUT4": 10, "CCU2C": 5}, "ffs": 3, "dsps": 1, "bram": 1}


def test_rows_of_every_kind_and_family_make_one_line_each():
    rows = bench_timing.summarise([
        _row(150.0, 1, latency_cycles=557), _row(160.0, 2, latency_cycles=557),
        _row(140.0, 1, kind="filter", arch=None, cmul=None),
        _row(50.0, 1, family="ice40", n=16, latency_cycles=53),
        _row(147.0, 1, cmul=3, latency_cycles=565)])
    by = {r["arch"]: r for r in rows}
    assert set(by) == {"r22sdf", "filter", "r22sdf (ice40)", "r22sdf cmul 3"}
    assert by["r22sdf"]["seeds"] == "1,2" and by["r22sdf"]["fmax_median"] == 155.0
    # the latency recorded at build time, not recomputed from today's code
    assert by["r22sdf"]["latency"] == 557 and by["r22sdf cmul 3"]["latency"] == 565
    assert by["filter"]["latency"] is None
    assert "r22sdf (ice40)" in bench_timing.format_rows(rows)
