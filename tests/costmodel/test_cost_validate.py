"""FFT implementations, the published-figure validation, provenance tags and
the citation fixes of issue 13."""

import json
import re
from importlib import resources

import numpy as np
import pytest

from fftforge.cli import main
from fftforge.costmodel import energy, fftops, hardware, impls, provenance, validate
from fftforge.costmodel.evaluate import Options, evaluate, evaluate_kernels
from fftforge.costmodel.workloads import FFT, Shape, build_workload
from fftforge.errors import UserError


def run(capsys, *argv):
    rc = main(["cost", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


# ------------------------------------------------------------ citations
def _table_line(name, key):
    text = resources.files("fftforge.costmodel").joinpath("tables", name).read_text()
    (line,) = [x for x in text.splitlines() if re.match(rf"^{key}\s*=", x)]
    return line


@pytest.mark.parametrize("name", ["horowitz45.toml", "aladdin40.toml"])
def test_hbm_citation(name):
    """Accelergy's CACTI plug-in tables have HBM2 (3.9 pJ/bit) and no HBM3:
    the HBM3 figure is an estimate, not a citation of Accelergy."""
    assert "Accelergy" in _table_line(name, "hbm2") and "3.9" in _table_line(name, "hbm2")
    hbm3 = _table_line(name, "hbm3")
    assert provenance.tag_comment(hbm3.split("#", 1)[1]) == "estimated"
    assert not re.search(r"Accelergy[^;]*:\s*HBM3", hbm3)
    prov = provenance.file_provenance(str(resources.files("fftforge.costmodel").joinpath("tables", name)))
    assert prov["dram.hbm2"][0] == "cited" and prov["dram.hbm3"][0] == "estimated"


@pytest.mark.parametrize("name", ["horowitz45.toml", "aladdin40.toml", "published.toml"])
def test_every_table_value_has_a_tag_and_a_source(name):
    path = str(resources.files("fftforge.costmodel").joinpath("tables", name))
    prov = provenance.file_provenance(path)
    text = open(path).read()
    keys = [m.group(1) for m in re.finditer(r"^([a-z0-9_]+)\s*=", text, re.M)]
    assert len(prov) >= len(keys) - 6          # name/description/source/status strings carry no comment
    for key, (tag, src) in prov.items():
        assert tag in provenance.TAGS
        assert re.search(r"[A-Za-z]{2}", src), f"{name}: {key}: no source named"


@pytest.mark.parametrize("name", hardware.preset_names())
def test_every_preset_value_is_tagged(name):
    prov = provenance.file_provenance(hardware.preset_path(name))
    t = hardware.load_target(name)
    for key in t.params:
        if key in ("description", "family", "source"):
            continue
        assert key in prov, f"{name}: {key} has no source comment"
    assert prov["static_power_w"][0] in ("estimated", "cited")


# ------------------------------------------------------- implementations
def test_impl_resolution_and_errors():
    assert impls.resolve("library", "systolic") == "xla-vpu"
    assert impls.resolve("ideal", "systolic") == "four-step-mxu"
    assert impls.resolve("library", "gpu") == "cufft"
    assert impls.resolve("fused-tc", "gpu") == "fused-tc"
    with pytest.raises(UserError, match="does not apply"):
        impls.resolve("cufft", "systolic", "tpu-v3")
    with pytest.raises(UserError, match="unknown --fft-impl"):
        impls.resolve("fftw", "gpu")


def test_library_fft_on_tpu_is_slower_than_the_ideal():
    t = hardware.load_target("tpu-v3")
    sh = Shape(n=np.array([512, 4096]), d=768)
    lib = evaluate("fnet-fft", t, sh).latency_s
    ideal = evaluate("fnet-fft", t, sh, options=Options(fft_impl="ideal")).latency_s
    assert np.all(lib > ideal)


def test_real_input_saving_on_tpu_and_gpu():
    """Both the TPU (library and four-step) and the GPU models do less work for
    a real input than for a complex one (the FPGA side: test_cost_fpga)."""
    sh = Shape(n=1024)
    for tgt, imp in (("tpu-v3", "xla-vpu"), ("tpu-v3", "four-step-mxu"), ("h100", "cufft"), ("h100", "fused-tc")):
        t = hardware.load_target(tgt)
        real = evaluate_kernels([FFT("x", 768, 1024, real_in=True)], t, sh, options=Options(fft_impl=imp))
        cplx = evaluate_kernels([FFT("x", 768, 1024)], t, sh, options=Options(fft_impl=imp))
        # (the four-step MXU pass is as long when K fits the array: fewer
        # MACs, the same cycles)
        assert real.latency_s[0] <= cplx.latency_s[0], (tgt, imp)
        assert real.terms["energy_dynamic_j"][0] < cplx.terms["energy_dynamic_j"][0], (tgt, imp)
        if imp != "four-step-mxu":
            assert real.latency_s[0] < cplx.latency_s[0], (tgt, imp)


def test_real_ops_counts():
    # a real FFT of n points: complex n/2 points + 5n/2 split operations
    assert float(fftops.real_ops(np.array([1024]), True)[0]) == sum(fftops.any_ops(512)) + 2.5 * 1024
    assert float(fftops.real_ops(np.array([1024]))[0]) == sum(fftops.split_radix_ops(1024))
    # 6 = 2 x 3: three 2-point DFTs (4 adds), two Winograd 3-point DFTs (12 adds,
    # 4 mults), (2-1)(3-1) = 2 general twiddles (2 adds, 4 mults)
    assert fftops.any_ops(6) == (3 * 4 + 2 * 12 + 2 * 2, 2 * 4 + 2 * 4)
    assert fftops.any_ops(3) == (12, 4)
    for n in (8, 256, 4096):
        assert fftops.any_ops(n) == tuple(int(x) for x in fftops.split_radix_ops(n))
    # 768 = 256 x 3: one Cooley-Tukey step, split-radix 256 and Winograd 3
    # (tests/costmodel/test_cost_fftops.py checks the twiddles by value)
    sa, sm = (int(v) for v in fftops.split_radix_ops(256))
    _, cheap, general = fftops.twiddle_classes(256, 3)
    assert fftops.any_ops(768) == (3 * sa + 256 * 12 + 2 * (cheap + general), 3 * sm + 256 * 4 + 2 * cheap + 4 * general)


# ------------------------------------------------------------ validation
def test_fit_reproduces_its_fit_point_only():
    """eta reproduces Lu et al.'s ratio of compute times: the published
    times less the modelled exchanges common to both runs."""
    eta = validate.fitted_vpu_fft_efficiency()
    pub = validate.load_published()["lu_pod"]
    C = validate.lu_exchange()["seconds"]
    assert 0 < eta < 1
    target = (pub["kdft_s"] - C) / (pub["fft_s"] - C)
    assert validate.lu_compute_ratio(C) == target
    assert abs(validate.lu_ratio(eta) / target - 1) < 1e-9
    # without the exchanges the solve is the compute-only one of before
    eta0 = validate.fitted_vpu_fft_efficiency(0.0)
    assert abs(validate.lu_ratio(eta0) / (pub["kdft_s"] / pub["fft_s"]) - 1) < 1e-9
    # the fit is monotone: a faster vector unit favours the FFT
    assert validate.lu_ratio(2 * eta) > validate.lu_ratio(eta)


def test_lu_exchange_volume_from_the_decomposition():
    """One-shuffle exchanges of Lu et al.'s 8192^3 complex64 DFT on a v3 pod:
    the per-core block, the steps per axis and the bytes on a chip's link,
    counted from the decomposition by hand."""
    pub = validate.load_published()
    p = pub["lu_pod"]
    assert (p["size"], p["chips"], p["cores_per_chip"], p["bytes_per_point"]) == (8192, 1024, 2, 8)
    x = validate.lu_exchange(pub)
    GiB = 1 << 30
    assert x["cores"] == 2048 and x["grid"] == [16, 16, 8]
    assert x["core_bytes"] == 8192 ** 3 * 8 // 2048 == 2 * GiB        # each core's block
    assert x["chip_bytes"] == 4 * GiB
    assert x["steps"] == [15, 15, 7]                                   # m - 1 steps per ring of m
    assert x["sent_bytes_per_core"] == 37 * 2 * GiB
    # both cores' blocks share the chip's link on the first two axes; on the
    # pair axis one block per step leaves the chip
    assert x["link_bytes_per_step"] == [4 * GiB, 4 * GiB, 2 * GiB]
    assert x["link_bytes"] == (15 + 15) * 4 * GiB + 7 * 2 * GiB
    bw = hardware.load_target("tpu-v3").ici_link_bandwidth
    assert bw == 340e12 / 1024 / 4 // 1e9 * 1e9 == 83e9              # Cloud TPU v3 docs' all-reduce figure / chips / links
    assert x["seconds"] == x["link_bytes"] / bw
    # every axis shared, another grid, the other bandwidth: the band holds them
    shared = validate.lu_exchange(pub, pair_axis=None)
    assert shared["link_bytes"] == 37 * 4 * GiB
    alt = validate.lu_exchange(pub, grid=p["core_grid_alt"])
    assert alt["steps"] == [31, 7, 7]
    lo, hi = validate.lu_exchange_band(pub)
    fast = validate.lu_exchange(pub, link_bandwidth=100e9)["seconds"]
    assert lo == fast and hi == validate.lu_exchange(pub, p["core_grid_alt"], 83e9, None)["seconds"]
    assert lo < x["seconds"] < hi
    with pytest.raises(UserError, match="core grid"):
        validate.lu_exchange(pub, grid=[16, 16, 16])
    with pytest.raises(UserError, match="exchange time"):
        validate.lu_compute_ratio(p["fft_s"])


def test_exchanges_raise_eta_and_lower_the_crossover():
    """Time common to both runs hides a larger compute ratio: taking the
    modelled exchanges off raises the solved eta and lowers the FNet
    crossover, monotonically over the band; nothing is fitted to FNet."""
    C = validate.lu_exchange()["seconds"]
    lo, hi = validate.lu_exchange_band()
    etas = [validate.fitted_vpu_fft_efficiency(c) for c in (0.0, lo, C, hi)]
    assert etas == sorted(etas) and etas[0] < etas[2]
    assert validate.fitted_vpu_fft_efficiency() == etas[2]
    xs = [validate.fnet_crossover(e) for e in etas]
    assert xs == sorted(xs, reverse=True)
    rep = validate.validate()
    f, mech = rep["fit"], rep["fit"]["sensitivity"]["mechanism"]
    assert f["value"] == etas[2] and f["eta_compute_only"] == etas[0]
    assert f["exchange"]["seconds"] == C and f["exchange_band_s"] == [lo, hi]
    assert mech["compute_only_crossover"] == xs[0] and mech["code"] == xs[2]
    assert mech["exchange_band_crossover"] == [xs[1], xs[3]]
    # the exchange time a crossover at 8192 would need, against the modelled one
    need = rep["fit"]["sensitivity"]["exchange_s_for_hi"]
    assert (xs[2] <= 8192) == (C >= need * 0.999)


def test_exchange_inputs_are_tagged_and_shown():
    """The ICI link bandwidth and the decomposition carry their provenance:
    derived-with-assumptions values are estimated, and explain / validate
    name them next to the solved efficiency."""
    tp = provenance.file_provenance(hardware.preset_path("tpu-v3"))
    for k in ("ici_link_bandwidth", "ici_link_bandwidth_bisection"):
        tag, src = tp[k]
        assert tag == "estimated" and "Cloud TPU v3" in src and "DERIVED" in src
    pp = provenance.file_provenance(str(resources.files("fftforge.costmodel").joinpath("tables", "published.toml")))
    assert pp["lu_pod.cores_per_chip"][0] == "cited"
    for k in ("core_grid", "core_grid_alt", "core_pair_axis", "bytes_per_point", "chips"):
        assert pp[f"lu_pod.{k}"][0] == "estimated", k
    prov = evaluate("fnet-fft", hardware.load_target("tpu-v3"), Shape(n=1024)).provenance
    names = {name for name, _, _ in prov["vector_cycles"][1]}
    assert {"tpu-v3.ici_link_bandwidth", "lu_pod.core_grid", "lu_pod.bytes_per_point"} <= names
    # an efficiency set by the caller does not carry the exchange inputs
    prov2 = evaluate("fnet-fft", hardware.load_target("tpu-v3"), Shape(n=1024),
                     options=Options(vpu_fft_efficiency=0.1)).provenance
    assert "tpu-v3.ici_link_bandwidth" not in {name for name, _, _ in prov2["vector_cycles"][1]}
    rep = validate.validate()
    (x,) = [c for c in rep["checks"] if c["name"].startswith("FNet tpu-v3: crossover")]
    assert "tpu-v3.ici_link_bandwidth" in x["model_tag"] and "lu_pod.core_grid" in x["model_tag"]
    text = validate.format_report(rep)
    assert "pod exchanges (one-shuffle" in text and "15+15+7 = 37 steps" in text and "[estimated]" in text


def test_validate_fnet_direction():
    rep = validate.validate()
    by = {c["name"]: c for c in rep["checks"]}
    assert by["FNet tpu-v3 n=512: t(DFT matmul)/t(FFT)"]["ok"] is True
    for name in ("FNet tpu-v3 n=16384: t(DFT matmul)/t(FFT)", "FNet tpu-v3: crossover n (DFT matmul faster below)"):
        c = by[name]
        assert c["ok"] in (True, False) and c["source"]
        if not c["ok"]:
            assert c["why"]                       # a miss says why
    # the library FFT moves the crossover from "never" (ideal) into the
    # thousands of tokens: the direction FNet measured
    assert 2048 <= validate.fnet_crossover(validate.fitted_vpu_fft_efficiency()) <= 65536


def test_fnet_code_kernels_are_what_fnets_code_computes():
    """FNet's reference code: complex64 einsum of the promoted real input
    (c real matmuls per complex one) and a C2C fftn on both axes."""
    B, n, d = 3, 512, 768
    for c in (3, 4):
        dft, fft = validate.fnet_code_kernels(B, n, d, c)
        macs = sum(int(np.sum(np.asarray(k.count) * np.asarray(k.M) * np.asarray(k.N) * np.asarray(k.K)))
                   for k in dft)
        # brute force: x F_d is n*d*d complex MACs, F_n (x F_d) n*n*d
        assert macs == c * B * (n * d * d + n * n * d)
    hid, seq = fft
    assert not (hid.real_in or hid.real_out or seq.real_in or seq.real_out)
    assert int(np.asarray(hid.size)) == d and int(np.asarray(hid.count)) == B * n and hid.minor
    assert int(np.asarray(seq.size)) == n and int(np.asarray(seq.count)) == B * d and not seq.minor
    # against the minimal formulations: twice the DFT MACs, more FFT work
    t = hardware.load_target("tpu-v3")
    sh = Shape(B=B, n=n, d=d)
    minimal = evaluate("fnet-fft", t, sh).terms["flops"][0]
    code = evaluate_kernels(fft, t, sh).terms["flops"][0]
    assert code > minimal


def test_fnet_mechanism_moves_the_crossover_down_and_is_reported():
    eta = validate.fitted_vpu_fft_efficiency()
    code, minimal = validate.fnet_crossover(eta), validate.fnet_crossover(eta, formulation="minimal")
    assert code < minimal
    rep = validate.validate()
    mech = rep["fit"]["sensitivity"]["mechanism"]
    assert mech["code"] == code and mech["minimal"] == minimal
    (x,) = [c for c in rep["checks"] if c["name"].startswith("FNet tpu-v3: crossover")]
    assert x["model"] == f"{code:.0f}"
    assert x["ok"] == (2048 <= code <= 8192)
    if not x["ok"]:
        assert f"{minimal:.0f}" in x["why"] and f"{code:.0f}" in x["why"] and "no published measurement" in x["why"]
    # a larger vector-unit efficiency lowers it: the sensitivity is consistent
    assert validate.fnet_crossover(mech["eta_hi"]) <= 8192 * 1.01
    # what was checked for the remaining gap is computed and said: the batch
    # does not move it (both sides scale with it), every library-FFT kernel is
    # vector-bound (its HBM time is a fraction of its vector-unit time), and
    # the hidden axis (768 = 256 x 3) is counted like a power of two
    assert abs(mech["batch_64"] / mech["code"] - 1) < 1e-3
    assert 0 < mech["fft_hbm_share"] < 1
    assert mech["hidden_ops_per_point"] == sum(fftops.any_ops(768)) / 768 < 36
    if not x["ok"]:
        assert "checked, not the gap" in x["why"] and f"{mech['batch_64']:.0f} at 64" in x["why"]


# ------------------------------------------------------ FlashFFTConv (GPU)
def test_flashfftconv_table_is_consistent():
    g = validate.load_published()["flashfftconv"]
    n = len(g["seq_len"])
    assert g["status"] == "recorded"
    for key in ("torch_ms", "flash_ms", "speedup", "local_batch", "local_heads"):
        assert len(g[key]) == n, key
    # the README's speedup row is the ratio of its two time rows (rounding)
    for t, f, s in zip(g["torch_ms"], g["flash_ms"], g["speedup"]):
        assert abs(t / f / s - 1) < 0.01
    fit = set(g["fit_seq_len"])
    assert fit < set(g["seq_len"]) and len(set(g["seq_len"]) - fit) >= 3


def test_flashfftconv_fit_ignores_the_validation_columns():
    """The two efficiencies come from the fit columns only: changing a
    validation column's published figures changes no fitted number."""
    import copy
    g = validate.load_published()["flashfftconv"]
    fit, _ = validate._flashfftconv(g)
    g2 = copy.deepcopy(g)
    for i, N in enumerate(g2["seq_len"]):
        if N not in g2["fit_seq_len"]:
            g2["torch_ms"][i] *= 10
            g2["flash_ms"][i] /= 10
    fit2, checks2 = validate._flashfftconv(g2)
    assert (fit2["eta_hbm"], fit2["eta_tc"]) == (fit["eta_hbm"], fit["eta_tc"])
    assert all(c["ok"] is False for c in checks2)          # and the damage shows
    assert 0 < fit["eta_hbm"] <= 1 and 0 < fit["eta_tc"] <= 1


def test_flashfftconv_checks_are_the_validation_columns():
    rep = validate.validate()
    g = validate.load_published()["flashfftconv"]
    gc = [c for c in rep["checks"] if c["name"].startswith("h100 N=")]
    assert len(gc) == 3 * (len(g["seq_len"]) - len(g["fit_seq_len"]))
    fit_labels = {validate._klabel(n) for n in g["fit_seq_len"]}
    assert not any(c["name"].split("N=")[1].split(":")[0] in fit_labels for c in gc)
    for c in gc:
        assert c["ok"] in (True, False)
        if not c["ok"]:
            assert c["why"]                           # a miss says why
    # every model figure carries the tag of its weakest input
    for c in rep["checks"]:
        assert c["model_tag"].split()[0] in provenance.TAGS
    assert all("eta_hbm" in c["model_tag"] for c in gc)
    roles = {r["N"]: r["role"] for r in rep["gpu_fit"]["rows"]}
    assert {n for n, r in roles.items() if r == "fit"} == set(g["fit_seq_len"])


def test_flashfftconv_1k_miss_says_why_with_the_launch_geometry():
    """256 and 1K launch the same kernel geometry (cited); the report gives
    the efficiency each column implies and says occupancy does not explain
    the 1K column."""
    from fftforge.costmodel import gpuconv
    assert gpuconv.LAUNCH[256] == gpuconv.LAUNCH[1024] != gpuconv.LAUNCH[4096]
    rep = validate.validate()
    imp = rep["gpu_fit"]["implied_eta_tc"]
    assert set(imp) == set(gpuconv.FACTORS)
    by = {c["name"]: c for c in rep["checks"]}
    c = by["h100 N=1K: FlashFFTConv [ms]"]
    if not c["ok"]:
        assert "Not occupancy" in c["why"] and f"{imp[256]:.3g}" in c["why"] and f"{imp[1024]:.3g}" in c["why"]
        assert imp[1024] > max(v for n, v in imp.items() if n != 1024)


def test_gpuconv_kernel_fixed_cost_adds_exactly_per_op():
    """The what-if fixed time per kernel adds t0 per op of each path (times
    the benchmark's scale) and nothing else; 0 leaves the model unchanged."""
    from fftforge.costmodel import gpuconv
    t = hardware.load_target("h100")
    for N, B, H, sc in ((256, 64, 768, 1.0), (1024, 64, 768, 1.0), (1 << 21, 8, 32, 192.0)):
        a0, b0 = gpuconv.predict(N, B, H, t, 0.8, 0.1, sc)
        assert gpuconv.predict(N, B, H, t, 0.8, 0.1, sc, 0.0) == (a0, b0)
        a1, b1 = gpuconv.predict(N, B, H, t, 0.8, 0.1, sc, 5e-6)
        na, nb = len(gpuconv.torch_ops(N, B, H, 4096)), len(gpuconv.flash_ops(N, B, H, 4096))
        assert a1 - a0 == pytest.approx(5e-6 * na * sc, rel=1e-9)
        assert b1 - b0 == pytest.approx(5e-6 * nb * sc, rel=1e-9)


def test_single_warp_geometry_from_cited_sm_limits():
    """The 256/1K fused kernel: (B/8) x (H/8) blocks of one warp, 64
    sequences per warp; how many blocks the GPU holds at once follows the
    cited H100 limits (blocks, shared memory, registers per SM)."""
    from fftforge.costmodel import gpuconv
    t = hardware.load_target("h100")
    tp = provenance.target_provenance(t)
    for k in ("sm_count", "max_blocks_per_sm", "smem_per_sm_bytes", "regs_per_sm", "max_regs_per_thread"):
        assert tp[k][0] == "cited"
    for N in (256, 1024):
        g = gpuconv.single_warp_geometry(N, 64, 768, t)
        per_sm = min(32, 233472 // (6 * N * 2), 65536 // (255 * 32))
        assert (g["blocks"], g["seqs_per_warp"], g["warps_per_block"]) == (768, 64, 1)
        assert g["per_sm"] == per_sm == 8 and g["resident"] == 132 * 8 and g["waves"] == 1
        assert g["mww"] == {256: 1, 1024: 2}[N]
        # half the SMs: the same grid takes two waves
        assert gpuconv.single_warp_geometry(N, 64, 768, t.with_params(sm_count=66))["waves"] == 2
    with pytest.raises(UserError, match="single_warp_geometry"):
        gpuconv.single_warp_geometry(4096, 64, 768, t)


def test_flashfftconv_1k_miss_rules_out_fixed_cost_and_occupancy_by_numbers():
    """Each reason printed for the 1K miss is computed, not written: the
    refitted fixed-cost sweep, the one-warp kernel's per-sequence times from
    the published columns, and the two-unknown solve that only those two
    columns determine."""
    from fftforge.costmodel import gpuconv
    rep = validate.validate()
    gf = rep["gpu_fit"]
    sweep, sw = gf["fixed_cost_sweep"], gf["single_warp"]
    assert set(sweep) == set(validate.KERNEL_FIXED_S)
    # a fixed cost only adds time: refitted, the fused-kernel efficiency rises
    # with it, yet the 1K FlashFFTConv column stays out of x2 for every t0
    ets = [sweep[t0]["eta_tc"] for t0 in sorted(sweep)]
    assert ets == sorted(ets) and ets[0] >= gf["eta_tc"]
    by = {c["name"]: c for c in rep["checks"]}
    c = by["h100 N=1K: FlashFFTConv [ms]"]
    if not c["ok"]:
        assert all(sweep[t0]["err"][1024][0] > 2 for t0 in sweep)
        assert "Not a per-kernel fixed cost" in c["why"]
        assert all(f"x{sweep[t0]['err'][1024][0]:.2f}" in c["why"] for t0 in sweep)
    # per-sequence time of each warp = fused-kernel time / sequences per warp
    g = validate.load_published()["flashfftconv"]
    pub = dict(zip(g["seq_len"], g["flash_ms"]))
    t = hardware.load_target("h100")
    for N in (256, 1024):
        r = sw[N]
        other = sum(float(gpuconv.op_time(o, t, gf["eta_hbm"], gf["eta_tc"]))
                    for o in gpuconv.flash_ops(N, 64, 768, 4096) if o["unit"] != "tc")
        assert r["fused_s"] == pytest.approx(pub[N] / 1e3 - other, rel=1e-9)
        assert r["seq_s"] == pytest.approx(r["fused_s"] / 64, rel=1e-9)
    s = sw["solve"]
    for N in (256, 1024):     # a + b * MATMUL_WARP_WIDTH**3 reproduces both columns: nothing left over
        assert s["a_s"] + s["b_s"] * sw[N]["mww"] ** 3 == pytest.approx(sw[N]["seq_s"], rel=1e-9)
    # the 1K instance does more tensor-core work per unit time than the 256
    # one although both launch alike: no shared throughput efficiency fits both
    assert s["work_rate_ratio"] == pytest.approx((8 / sw[1024]["seq_s"]) / (1 / sw[256]["seq_s"]), rel=1e-9)
    assert s["work_rate_ratio"] > 2
    if not c["ok"]:
        assert f"{sw[1024]['seq_s'] * 1e6:.3g} us" in c["why"] and f"{s['work_rate_ratio']:.2g}x" in c["why"]
        assert "leaves nothing to validate" in c["why"]


def test_gpuconv_op_sequence():
    """PyTorch's gated FFT conv: every op an HBM round trip; the bytes per
    element follow the op list of the module docstring."""
    from fftforge.costmodel import gpuconv
    B, H, N = 2, 3, 1024
    E, K = B * H * N, H * N
    ops = gpuconv.torch_ops(N, B, H, 4096)
    # 6 + 6 + 12 (casts, gate) + 16 (R2C + fill) + 16 (k) + 16 (multiply)
    # + 16 + 16 (iFFT, normalisation) + 6 + 16 + 6 (postgate, .real, cast)
    assert sum(o["bytes"] for o in ops) == 116 * E + 24 * K
    # a transform longer than one pass pays one more read + write per pass
    more = gpuconv.torch_ops(N, B, H, 32)
    assert sum(o["bytes"] for o in more) > sum(o["bytes"] for o in ops)
    fl = gpuconv.flash_ops(N, B, H, 4096)
    fused = [o for o in fl if o["unit"] == "tc"]
    assert len(fused) == 1 and fused[0]["bytes"] == 8 * E + 4 * K
    assert fused[0]["flops"] == 2 * 8 * (32 + 32) * E        # 32 x 32, forward and inverse
    # beyond 32K: outer butterflies around the 32x32x32 kernel, gates in HBM
    big = gpuconv.flash_ops(1 << 20, 1, 1, 4096)
    assert sum(o["unit"] == "tc" for o in big) == 3
    with pytest.raises(UserError, match="FFT size"):
        gpuconv.flash_ops(3000, 1, 1, 4096)


def test_gpuconv_fused_is_faster_and_peaks_bound_the_fit():
    from fftforge.costmodel import gpuconv
    t = hardware.load_target("h100")
    for N in (1024, 32768, 1 << 21):
        a, b = gpuconv.predict(N, 8, 48, t)
        assert b < a
        # the fitted efficiencies (<= 1) can only slow a path down
        a2, b2 = gpuconv.predict(N, 8, 48, t, 0.5, 0.1)
        assert a2 > a and b2 > b


def test_lu_premise_is_reported_and_eta_is_an_estimate():
    """Lu et al.'s FFT is a Cooley-Tukey on the matrix units (their abstract),
    not XLA's vector-unit FFT: the solved eta is tagged estimated, and the
    report gives what the model says for the formulation they ran."""
    rep = validate.validate()
    f = rep["fit"]
    assert f["tag"] == "estimated" and "matrix units" in f["premise"]
    # the matrix-unit FFT is far faster than KDFT in the model: the published
    # 1.5x needs time common to both runs, shorter than either run
    assert f["mxu_model_ratio"] > f["published_ratio"]
    pub = validate.load_published()["lu_pod"]
    assert 0 < f["common_s_for_mxu"] < pub["fft_s"]
    (x,) = [c for c in rep["checks"] if c["name"].startswith("FNet tpu-v3: crossover")]
    if not x["ok"]:
        assert "matrix units" in x["why"] and "no cited figure" in x["why"]
    prov = evaluate("fnet-fft", hardware.load_target("tpu-v3"), Shape(n=1024)).provenance
    assert prov["vector_cycles"][0] == "estimated"


def test_ideal_tpu_fft_misses_fnet():
    """The ideal four-step FFT is what the model used to say: the FFT wins
    from the smallest n, against FNet's measurement."""
    rep = validate.validate("ideal")
    by = {c["name"]: c for c in rep["checks"]}
    assert by["FNet tpu-v3 n=512: t(DFT matmul)/t(FFT)"]["ok"] is False


def test_cli_validate(tmp_path, capsys):
    j = tmp_path / "v.json"
    rc, out, err = run(capsys, "validate", "--json", str(j))
    assert rc == 0, err
    assert "fit (not a validation)" in out and "FNet tpu-v3" in out and "PASS" in out
    assert "h100 N=" in out and "eta_tc" in out and "[fitted]" in out
    assert re.search(r"\d+ passed, \d+ missed, \d+ not assessed", out)
    doc = json.loads(j.read_text())
    assert doc["fit"]["value"] > 0 and len(doc["checks"]) >= 4
    assert doc["gpu_fit"]["eta_tc"] > 0 and len(doc["gpu_fit"]["rows"]) == 9


@pytest.mark.parametrize("argv,msg", [
    (["validate", "--fft-impl", "nope"], "unknown --fft-impl"),
    (["validate", "--batch", "0"], "--batch must be >= 1"),
    (["compare", "--targets", "tpu-v3,h100", "--n", "512", "--fft-impl", "cufft"], "does not apply to tpu-v3"),
    (["explain", "--target", "h100", "--n", "512", "--fft-impl", "four-step-mxu"], "does not apply to h100"),
    (["compare", "--targets", "ecp5-85f", "--n", "1024", "--width", "28"], "fftnet chain has no fftforge configuration"),
])
def test_bad_options_one_line(argv, msg, capsys):
    rc, out, err = run(capsys, *argv)
    assert rc == 2 and err.startswith("fftforge: error: ") and err.count("\n") == 1 and msg in err


# ------------------------------------------------------------ provenance
def test_explain_tags_terms_and_energy_band(capsys):
    rc, out, _ = run(capsys, "explain", "--workload", "fnet-fft", "--target", "tpu-v3", "--n", "1024")
    assert rc == 0
    assert "[estimated]" in out and "without static power" in out and "band" in out
    assert "tpu-v3.static_power_w [estimated]" in out
    assert "library FFT vector-unit efficiency [estimated]" in out
    assert "tpu-v3.ici_link_bandwidth [estimated]" in out and "lu_pod.core_grid [estimated]" in out
    assert "pod exchanges, modelled at" in " ".join(out.split())
    assert "FFT implementation xla-vpu [library default]" in out


def test_energy_band_brackets_and_dynamic_excludes_static():
    t = hardware.load_target("h100")
    ev = evaluate("fftnet", t, Shape(n=np.array([512, 4096]), d=768))
    T = ev.terms
    assert np.array_equal(T["energy_dynamic_j"], ev.energy_j - T["e_static_j"])
    assert np.all(T["energy_lo_j"] < ev.energy_j) and np.all(ev.energy_j < T["energy_hi_j"])
    # tpu-v1's static power is cited (Jouppi et al.): no band
    e1 = evaluate("linear", hardware.load_target("tpu-v1"), Shape(n=512))
    assert e1.terms["energy_lo_j"][0] == e1.energy_j[0] == e1.terms["energy_hi_j"][0]


def test_csv_json_carry_tags(tmp_path, capsys):
    c, j = tmp_path / "o.csv", tmp_path / "o.json"
    rc, out, _ = run(capsys, "compare", "--workload", "fftnet", "--targets", "tpu-v3,ecp5-85f,h100",
                     "--n", "256:1024", "--csv", str(c), "--json", str(j))
    assert rc == 0
    import csv
    rows = list(csv.DictReader(open(c)))
    assert {"latency_tag", "energy_tag", "tag_e_static_j", "energy_dynamic_j"} <= set(rows[0])
    assert {r["tag_e_static_j"] for r in rows} == {"estimated"}
    fpga = [r for r in rows if r["target"] == "ecp5-85f"]
    assert fpga[0]["tag_pipeline_latency_cycles"] == "measured-here"
    doc = json.load(open(j))
    assert doc["rows"][0]["energy_tag"] in provenance.TAGS


def test_crossover_lines_name_estimated_inputs(capsys):
    rc, out, _ = run(capsys, "compare", "--workload", "fnet-dft,fnet-fft", "--targets", "tpu-v3",
                     "--n", "1024:32768")
    assert rc == 0
    lines = [x for x in out.splitlines() if "wins below" in x]
    assert lines and all("ESTIMATED inputs" in x or "cited/measured" in x for x in lines)


def test_cli_validate_strict_exit_follows_the_verdicts(capsys):
    rc, out, _ = run(capsys, "validate", "--strict")
    missed = int(re.search(r"(\d+) missed", out).group(1))
    assert rc == (1 if missed else 0)
    rc, out, _ = run(capsys, "validate")
    assert rc == 0
