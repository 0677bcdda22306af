"""Sweeps: option parsing, job expansion, the local process pool, and a Dask
distributed cluster (a local scheduler with two worker processes) running two
tiny iCE40 builds."""

import json

import pytest

from fftforge.config import ConfigError, FFTConfig
from fftforge.errors import UserError
from fftforge.fpga import sweep as sw


def test_parse_sweep_and_errors():
    assert sw.parse_sweep(["n=64,256", "arch=r2sdf,r22sdf", "device=up5k"]) == {
        "n": [64, 256], "arch": ["r2sdf", "r22sdf"], "device": ["up5k"]}
    with pytest.raises(UserError, match="KEY=V1"):
        sw.parse_sweep(["n64"])
    with pytest.raises(UserError, match="parameter must be one of"):
        sw.parse_sweep(["size=64"])
    with pytest.raises(UserError, match="no values"):
        sw.parse_sweep(["n="])


def test_expand_jobs_is_the_cartesian_product_and_validates():
    base = FFTConfig(n=64, width=12)
    jobs = sw.expand_jobs(base, sw.parse_sweep(["n=64,256,1024", "arch=r2sdf,r22sdf"]), "ecp5")
    assert len(jobs) == 6
    got = {(j["config"]["n"], j["config"]["arch"]) for j in jobs}
    assert got == {(n, a) for n in (64, 256, 1024) for a in ("r2sdf", "r22sdf")}
    assert all(j["config"]["width"] == 12 and j["family"] == "ecp5" for j in jobs)
    assert len({j["config"]["name"] for j in jobs}) == 6
    with pytest.raises(ConfigError, match="n must be a power of two"):
        sw.expand_jobs(base, {"n": [100]}, "ice40")


def test_local_pool_returns_reports_in_job_order():
    # cores whose memory cannot fit the part: reported without running tools
    base = FFTConfig(n=4096, arch="r2sdf")
    jobs = sw.expand_jobs(base, {"n": [8192, 4096]}, "ice40")
    res = sw.run_sweep(jobs, workers=2, progress=False)
    assert [r["core"]["n"] for r in res] == [8192, 4096]
    assert all(r["status"] == "does_not_fit" and r["overflow"][0]["stage"] == "architecture" for r in res)
    assert res[0]["overflow"][0]["used"] > res[1]["overflow"][0]["used"]


def test_run_job_reports_the_core_the_same_way_when_it_fails_or_does_not_fit():
    # a job that fails is reported, with its error, not raised and not hidden;
    # both rows name the core through the one helper (kind from the config)
    cfg = FFTConfig(n=8192, arch="r2sdf")
    over = sw.run_job(sw.expand_jobs(cfg, {}, "ice40")[0])
    bad = sw.run_job(dict(sw.expand_jobs(cfg, {}, "ice40")[0], family="nosuchfamily"))
    assert over["status"] == "does_not_fit"
    assert bad["status"] == "failed" and bad["error"].startswith("UserError: ") and "nosuchfamily" in bad["error"]
    assert over["core"] == bad["core"] == sw.core_summary(FFTConfig.from_dict(over["job"]["config"]))
    assert over["core"]["kind"] == "fft" and set(over["core"]) == {
        "name", "kind", "n", "arch", "width", "twiddle_width", "order", "cmul", "lanes", "latency_cycles"}
    assert over["core"]["latency_cycles"] == cfg.latency_cycles


def test_a_generated_cores_summary_records_its_latency_from_the_descriptor(tmp_path):
    # a build row keeps the latency of the design it built (the descriptor's
    # latency_cycles), so a later change of the code does not rewrite it
    from fftforge.fpga.core import core_from_config
    cfg = FFTConfig(n=16, lanes=2)
    core = core_from_config(cfg, str(tmp_path))
    assert core.summary()["latency_cycles"] == core.desc["latency_cycles"] == cfg.latency_cycles
    assert core.summary() == sw.core_summary(cfg) | {"name": core.summary()["name"]}


def test_dask_cluster_runs_the_sweep(tmp_path):
    distributed = pytest.importorskip("distributed")
    from fftforge.cli import main
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        addr = cluster.scheduler_address
        assert addr.startswith("tcp://")
        # (synthesis only: the cluster path is what is under test; place and
        # route of iCE40 builds runs in test_synth.py and test_boards.py)
        rc = main(["synth", "--family", "ice40", "--n", "8", "--sweep", "arch=r22sdf,r2sdf", "--no-pnr",
                   "--scheduler", addr, "--no-progress", "-o", str(tmp_path), "--json", "--csv", "--plot"])
    assert rc == 0
    d = json.loads((tmp_path / "synth.json").read_text())
    res = d["results"]
    assert sorted(r["core"]["arch"] for r in res) == ["r22sdf", "r2sdf"]
    for r in res:
        assert r["status"] == "ok" and r["luts"] > 0 and r["job"]["family"] == "ice40"
        assert r["architecture"] == FFTConfig(n=8, arch=r["core"]["arch"]).resources()
        # every real 17x18 multiplier needs at least one 16x16 SB_MAC16
        assert r["dsps"] >= r["architecture"]["real_multipliers"]
    csv = (tmp_path / "synth.csv").read_text().splitlines()
    assert csv[0].startswith("family,device,n,arch") and len(csv) == 3
    assert (tmp_path / "synth.png").stat().st_size > 1000


def test_newest_per_build_keeps_the_last_row_of_each_build():
    def row(n, seed, fmax):
        return {"family": "ecp5", "device": "85k", "core": {"n": n}, "fmax_mhz": fmax,
                "job": {"config": {"n": n, "name": f"x{fmax}"}, "seed": seed}}
    rows = [row(1024, 1, 100.0), row(1024, 2, 101.0), row(256, 1, 102.0), row(1024, 1, 103.0)]
    got = sw.newest_per_build(rows)
    assert [r["fmax_mhz"] for r in got] == [101.0, 102.0, 103.0]   # the name does not make a build


def test_newest_per_build_a_recorded_latency_does_not_make_a_build():
    # rows without a job are keyed by their core summary; newer summaries
    # also carry the built core's latency_cycles, an outcome, not a setting
    old = {"family": "ecp5", "device": "85k", "core": {"n": 1024, "lanes": 8}, "fmax_mhz": 1.0, "seed": 1}
    new = dict(old, core={"n": 1024, "lanes": 8, "latency_cycles": 320}, fmax_mhz=2.0)
    assert [r["fmax_mhz"] for r in sw.newest_per_build([old, new])] == [2.0]


def test_newest_per_build_fills_fields_recorded_later_with_their_defaults():
    """A row recorded before a configuration field existed (here
    ``cycles_per_sample``) and one recorded after, at its default, are one
    build: only the newer stays."""
    from fftforge.config import FFTConfig
    new_cfg = FFTConfig(n=1024, lanes=8, target="ecp5").to_dict()
    old_cfg = {k: v for k, v in new_cfg.items() if k != "cycles_per_sample"}

    def row(cfg, fmax):
        return {"family": "ecp5", "device": "85k", "core": {"kind": "fft", "n": 1024, "lanes": 8},
                "fmax_mhz": fmax, "job": {"config": cfg, "seed": 1}}
    got = sw.newest_per_build([row(old_cfg, 125.4), row(new_cfg, 106.7)])
    assert [r["fmax_mhz"] for r in got] == [106.7]
    other = dict(new_cfg, cycles_per_sample=2)
    assert len(sw.newest_per_build([row(old_cfg, 125.4), row(other, 50.0)])) == 2


def test_synth_newest_needs_saved_results(capsys):
    from fftforge.cli import main
    assert main(["synth", "--family", "ecp5", "--newest"]) == 2
    assert "--newest works on saved results" in capsys.readouterr().err


def test_load_results_reads_reports_under_any_key(tmp_path):
    rep = {"schema": "fftforge.synth/1", "family": "ecp5", "fmax_mhz": 1.0}
    p = tmp_path / "bench.json"
    p.write_text(json.dumps({"meta": {}, "sqnr": [{"n": 8}], "synth": [rep], "later": dict(rep, fmax_mhz=2.0)}))
    assert [r["fmax_mhz"] for r in sw.load_results([str(p)])] == [1.0, 2.0]
    q = tmp_path / "none.json"
    q.write_text(json.dumps({"meta": {}, "sqnr": [{"n": 8}]}))
    with pytest.raises(UserError, match="holds no fftforge synthesis results"):
        sw.load_results([str(q)])
