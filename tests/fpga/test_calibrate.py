"""Calibration: the LUT fit recovers known coefficients, the table states what
is measured and when, and the cost model uses a core's measured row."""

import numpy as np
import pytest

from fftforge.config import FFTConfig
from fftforge.costmodel import fpga
from fftforge.fpga.calibrate import calibrate, calibration_path, fit_luts


def test_nnls_fit_recovers_exact_linear_data():
    rng = np.random.default_rng(1)
    X = np.c_[np.ones(12), rng.uniform(10, 100, (12, 3))]
    c = np.array([80.0, 4.0, 3.0, 2.0])
    assert np.allclose(fit_luts(X, X @ c), c, rtol=0, atol=1e-9)
    # a coefficient that would come out negative is dropped, the rest refit
    y = X @ np.array([80.0, 4.0, 0.0, 2.0]) - 0.5 * X[:, 2]
    got = fit_luts(X, y)
    assert got[2] == 0.0 and (got >= 0).all()


def _results(family, rows):
    out = []
    for n, arch, luts, fmax in rows:
        cfg = FFTConfig(n=n, arch=arch)
        out.append({"family": family, "device": "85k", "status": "ok", "core": {"kind": "fft", "n": n,
                    "arch": arch, "width": 16}, "luts": luts, "ffs": 100, "dsps": 4, "bram": 2,
                    "fmax_mhz": fmax, "job": {"config": cfg.to_dict()}})
    return out


def test_calibration_table_and_cost_model_use_it(tmp_path, monkeypatch):
    path = tmp_path / "cal.toml"
    path.write_text(open(calibration_path()).read())
    # synthetic "measurements" generated from the cost model's own features
    coef = {"base": 50, "bf": 3.0, "cm": 5.0, "mem": 1.5}
    rows = []
    for n in (64, 256, 1024):
        for arch in ("r2sdf", "r22sdf"):
            f = fpga.lut_features(FFTConfig(n=n, arch=arch))
            luts = coef["base"] + coef["bf"] * f["butterfly_bits"] + coef["cm"] * f["cmul_bits"] \
                + coef["mem"] * f["mem_kbit"]
            rows.append((n, arch, round(luts, 6), 100.0 + n / 64))
    new = calibrate(_results("ecp5", rows), str(path), meta={"date": "2026-11-23", "command": "test"})
    t = fpga.load_calibration(str(path))
    e = t["ecp5"]
    assert e["status"] == "measured" and e["measured_on"] == "2026-11-23" and "measured:" in e["source"]
    assert e["luts_base"] == 50 and e["luts_per_butterfly_bit"] == pytest.approx(3.0, abs=1e-3)
    assert e["luts_per_cmul_bit"] == pytest.approx(5.0, abs=1e-3)
    assert e["luts_per_mem_kbit"] == pytest.approx(1.5, abs=1e-3)
    assert e["fmax_mhz"] == {"r2sdf": 104.0, "r22sdf": 104.0}   # medians of 101, 104, 116
    assert len(e["measured"]) == 6                               # one row per (n, arch)
    assert e["estimated"] == ["gemm_fmax_mhz"]
    assert t["ice40"] == fpga.load_calibration(calibration_path())["ice40"]   # no iCE40 results: unchanged
    # the cost model reads the measured row of exactly this core
    monkeypatch.setattr(fpga, "_calibration", lambda: t)
    fpga.clear_model_caches()
    try:
        c = fpga.core_model(1024, "ecp5", 18, 18, 16, "r2sdf")
        assert c.fmax_hz == 116.0e6 and c.calibration_status == "measured"
        cfg = FFTConfig(n=1024, arch="r2sdf")
        assert fpga.measured_row("ecp5", cfg)["luts"] == pytest.approx(c.luts, abs=0.5)
        # a core without a row uses the fit and the median Fmax
        c2 = fpga.core_model(4096, "ecp5", 18, 18, 16, "r2sdf")
        assert c2.fmax_hz == e["fmax_mhz"]["r2sdf"] * 1e6
    finally:
        fpga.clear_model_caches()


def test_runtime_and_lanes_rows_are_their_own(tmp_path, monkeypatch):
    """A run-time-length core's row is kept for exactly that core, but moves
    neither the family's LUT fit nor its median clock (both describe
    fixed-size cores); a P-lane core's row enters the fit (its features count
    lanes) but not the one-lane clock."""
    path = tmp_path / "cal.toml"
    path.write_text(open(calibration_path()).read())
    rows = _results("ecp5", [(n, arch, 1000 + n, 150.0) for n in (64, 256, 1024) for arch in ("r2sdf", "r22sdf")])
    plain = calibrate(rows, str(path), meta={"date": "2026-12-02", "command": "test"})["ecp5"]
    rt = FFTConfig(n=1024, runtime_n=8)
    p8 = FFTConfig(n=1024, lanes=8)
    extra = [{"family": "ecp5", "device": "85k", "status": "ok", "core": {"kind": "fft", "n": 1024,
              "arch": "r22sdf", "width": 16}, "luts": luts, "ffs": 1, "dsps": 16, "bram": 11,
              "fmax_mhz": fmax, "job": {"config": cfg.to_dict()}}
             for cfg, luts, fmax in ((rt, 99999, 10.0), (p8, 21077, 11.0))]
    e = calibrate(rows + extra[:1], str(path), meta={"date": "2026-12-02", "command": "test"})["ecp5"]
    assert {k: e[k] for k in ("luts_base", "luts_per_butterfly_bit", "luts_per_cmul_bit", "luts_per_mem_kbit")} \
        == {k: plain[k] for k in ("luts_base", "luts_per_butterfly_bit", "luts_per_cmul_bit", "luts_per_mem_kbit")}
    e = calibrate(rows + extra, str(path), meta={"date": "2026-12-02", "command": "test"})["ecp5"]
    assert e["fmax_mhz"] == plain["fmax_mhz"] == {"r2sdf": 150.0, "r22sdf": 150.0}
    assert [m.get("runtime_n") for m in e["measured"] if m["luts"] == 99999] == [8]
    t = fpga.load_calibration(str(path))
    monkeypatch.setattr(fpga, "_calibration", lambda: t)
    fpga.clear_model_caches()
    try:
        assert fpga.measured_row("ecp5", rt)["luts"] == 99999
        assert fpga.measured_row("ecp5", FFTConfig(n=1024))["luts"] == 2024     # not the run-time row
        c = fpga.core_model(256, "ecp5", 18, 18, runtime_n=8, nmax=1024)
        assert c.measured and c.fmax_hz == 10.0e6 and c.luts == 99999
    finally:
        fpga.clear_model_caches()
