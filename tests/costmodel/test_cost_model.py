"""Workloads, presets, energy tables, four-step plans, sweeps, crossovers."""

import re
from importlib import resources

import numpy as np
import pytest

from fftforge.costmodel import compare, energy, hardware
from fftforge.costmodel.evaluate import Options, evaluate, fft_passes
from fftforge.costmodel.workloads import Gemm, Shape, build_workload
from fftforge.errors import UserError


def _macs(kernels):
    return sum(int(np.sum(k.count * k.M * k.N * k.K)) for k in kernels if isinstance(k, Gemm))


def test_fnet_dft_macs():
    n, d = 512, 768
    assert _macs(build_workload("fnet-dft", Shape(n=n, d=d))) == 2 * n * d * d + 2 * n * n * d


def test_attention_and_linear_macs():
    n, d, h = 1024, 768, 12
    assert _macs(build_workload("attention", Shape(n=n, d=d, h=h))) == 4 * n * d * d + 2 * n * n * d
    assert _macs(build_workload("linear", Shape(n=n, d=d, h=h))) == 4 * n * d * d + 2 * n * d * d // h


def test_fft_passes_fill_array_and_balance():
    p = fft_passes(np.array([64, 4096, 8192, 768, 8]), 64)
    assert p[:, 0].tolist() == [64, 1, 1]
    assert p[:, 1].tolist() == [64, 64, 1]
    assert sorted(p[:, 2].tolist()) == [16, 16, 32]
    assert int(np.prod(p[:, 3])) == 768 and max(p[:, 3]) <= 64
    assert p[:, 4].tolist() == [8, 1, 1]


def test_sweep_equals_pointwise():
    t = hardware.load_target("tpu-v4")
    ns = np.array([128, 1024, 16384])
    ev = evaluate("fnet-fft", t, Shape(n=ns, d=768))
    for i, n in enumerate(ns):
        one = evaluate("fnet-fft", t, Shape(n=int(n), d=768))
        assert one.latency_s[0] == ev.latency_s[i]
        assert one.energy_j[0] == ev.energy_j[i]


def test_energy_terms_add_up_and_static_is_power_times_time():
    for tgt in ("tpu-v3", "h100", "ecp5-85f"):
        ev = evaluate("fftnet", hardware.load_target(tgt), Shape(n=np.array([256, 2048]), d=256))
        T = ev.terms
        parts = T["e_compute_j"] + T["e_vector_j"] + T["e_sram_j"] + T["e_dram_j"] + T["e_static_j"]
        assert np.array_equal(parts, ev.energy_j)
        assert np.array_equal(T["e_static_j"], hardware.load_target(tgt).static_power_w * ev.latency_s)


def test_dft_matmul_scales_quadratically_fft_loglinearly_on_tpu():
    t = hardware.load_target("tpu-v3")
    ns = np.array([4096, 8192, 16384])
    dft = evaluate("fnet-dft", t, Shape(n=ns, d=768)).latency_s
    fft = evaluate("fnet-fft", t, Shape(n=ns, d=768)).latency_s
    assert dft[2] / dft[1] > 3.5          # n^2 term dominates
    assert fft[2] / fft[1] < 2.5


def test_scalesim_mode_is_slower_than_overlap():
    t = hardware.load_target("tpu-v3")
    s = Shape(n=np.array([512, 2048]), d=768)
    a = evaluate("attention", t, s, options=Options(mode="scalesim")).latency_s
    b = evaluate("attention", t, s, options=Options(mode="overlap")).latency_s
    assert np.all(a > b)


@pytest.mark.parametrize("name", hardware.preset_names())
def test_presets_load_and_every_value_is_sourced(name):
    t = hardware.load_target(name)
    text = open(hardware.preset_path(name)).read()
    for line in text.splitlines():
        if re.match(r"^\s*[a-z_]+\s*=", line) and not line.split("=")[0].strip() in ("name", "kind", "description", "family"):
            assert "#" in line, f"{name}: unsourced value: {line}"
    if t.kind == "systolic" and "peak_ops" in t.params:
        # peak = 2 * rows * cols * arrays * clock within 2 %
        assert abs(2 * t.peak_macs_per_s / t.peak_ops - 1) < 0.02


def test_tables_every_value_is_sourced():
    d = resources.files("fftforge.costmodel").joinpath("tables")
    for name in ("horowitz45.toml", "aladdin40.toml"):
        for line in d.joinpath(name).read_text().splitlines():
            if re.match(r"^\s*[a-z0-9_]+\s*=", line) and line.split("=")[0].strip() not in ("name", "description"):
                assert "#" in line or "node_nm" in line, f"{name}: unsourced: {line}"


def test_energy_tables():
    h = energy.load_energy_table("horowitz45")
    a = energy.load_energy_table("aladdin40")
    assert h.op("int8", "mult", 45) == 0.2
    assert h.mac("int8", 45) == pytest.approx(0.2 + 0.1, rel=1e-12)
    assert h.op("fp16", "mult", 22.5) == pytest.approx(0.55, rel=1e-12)        # exponent 1 scaling
    assert float(h.sram_pj_per_bit(32768, 45)) * 64 == pytest.approx(20.0, rel=1e-12)
    assert a.op("int32", "mult", 40) == 8.63
    assert h.dram("hbm2") == 3.9
    with pytest.raises(UserError):
        energy.load_energy_table("nope")


def test_crossovers_on_synthetic_curves():
    class E:
        def __init__(self, w, y):
            self.workload, self.target, self.latency_s = w, "x", np.array(y, dtype=float)
    n = np.array([256, 512, 1024, 2048])
    a = E("a", [1, 2, 4, 8])            # linear
    b = E("b", [0.25, 1, 3.9, 16])      # quadratic: crosses between 1024 and 2048
    xs = compare.crossovers([a, b], n)
    assert len(xs) == 1 and xs[0]["n_lo"] == 1024 and xs[0]["n_hi"] == 2048
    assert xs[0]["below"] == "b@x"


def test_parse_n():
    assert compare.parse_n("256:2048").tolist() == [256, 512, 1024, 2048]
    assert compare.parse_n("100:300:100").tolist() == [100, 200, 300]
    assert compare.parse_n("7,9").tolist() == [7, 9]
    for bad in ("a:b", "0:8", "-4", "8:4"):
        with pytest.raises(UserError):
            compare.parse_n(bad)
