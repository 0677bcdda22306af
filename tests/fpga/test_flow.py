"""fpga.flow: what ``fftforge synth`` runs (one build or a sweep) and the
provenance written with its results -- no tools run here (the builds are
replaced by recorders)."""

import datetime
import json

import pytest

from fftforge.config import FFTConfig
from fftforge.errors import UserError
from fftforge.filter_config import FilterConfig
from fftforge.fpga import flow
from fftforge.fpga import sweep as sw


def test_synth_command_names_the_core_options_not_swept():
    assert flow.synth_command("ecp5", n=256, arch="r22sdf", width=16) == \
        "fftforge synth --family ecp5 --n 256 --arch r22sdf --width 16"
    assert flow.synth_command("ice40", "hx8k", n=64, arch="r2sdf", width=12, sweeps=["n=64,256", "arch=r2sdf"]) == \
        "fftforge synth --family ice40 --device hx8k --width 12 --sweep n=64,256 --sweep arch=r2sdf"
    assert flow.synth_command("ecp5", core="out/f.json", n=1024, sweeps=["width=12,16"]) == \
        "fftforge synth --family ecp5 --core out/f.json --sweep width=12,16"


def test_run_meta():
    now = datetime.datetime(2026, 1, 2, 3, 4, 59, tzinfo=datetime.timezone.utc)
    m = flow.run_meta("fftforge synth --family ecp5", now)
    assert m["command"] == "fftforge synth --family ecp5" and m["date"] == "2026-01-02 03:04 UTC"
    assert "-core " in m["machine"] and "Python " in m["machine"]
    assert flow.run_meta("x")["date"].endswith(" UTC")


def test_saved_meta_merges_files(tmp_path):
    files = []
    for i, meta in enumerate(({"command": "a", "date": "2026-01-01 10:00 UTC", "tools": {"YOSYS": "Yosys 0.4"}},
                              {"command": "b", "date": "2026-03-01 10:00 UTC",
                               "tools": {"YOSYS": "Yosys 0.4", "NEXTPNR_ECP5": "nextpnr 0.7", "X": ""}},
                              {})):
        p = tmp_path / f"r{i}.json"
        p.write_text(json.dumps({"results": [], "meta": meta}))
        files.append(str(p))
    (tmp_path / "list.json").write_text("[1]")
    files += [str(tmp_path / "list.json"), str(tmp_path / "missing.json")]
    m = flow.saved_meta(files)
    assert m == {"command": "a; b", "date": "2026-03-01 10:00 UTC", "tools": ["Yosys 0.4", "nextpnr 0.7"]}
    assert flow.saved_meta([]) == {"command": "", "date": None}


def test_calibration_meta_keeps_the_day_and_drops_empty_values():
    assert flow.calibration_meta({"command": "c", "date": "2026-03-01 10:00 UTC", "machine": "m",
                                  "tools": ["t"]}) == {"command": "c", "date": "2026-03-01", "tools": ["t"]}
    assert flow.calibration_meta({"command": "", "date": None}) == {}


@pytest.fixture
def recorded(monkeypatch):
    """Replace the tool runs: jobs go to a list, one-core builds too."""
    calls = {"jobs": None, "core": None, "log": []}

    def run_sweep(jobs, workers=2, scheduler=None, progress=True):
        calls["jobs"], calls["workers"], calls["progress"] = jobs, workers, progress
        return [{"status": "ok", "job": j} for j in jobs]

    class Rep:
        def to_dict(self):
            return {"status": "ok"}

    def synth_core(core, family, device, **kw):
        calls["core"], calls["core_kw"] = core, kw
        return Rep()

    monkeypatch.setattr(sw, "run_sweep", run_sweep)
    monkeypatch.setattr("fftforge.fpga.synth.synth_core", synth_core)
    return calls


def test_a_sweep_is_the_cartesian_product_of_jobs(recorded, tmp_path):
    base = FFTConfig(n=64, name="fft")
    res = flow.synth_results(base, "ecp5", sweep={"n": [64, 256], "arch": ["r2sdf", "r22sdf"]}, workers=3,
                             keep=True, output_dir=str(tmp_path), pnr=False, log=recorded["log"].append)
    assert len(res) == 4 and [r["job"]["config"]["n"] for r in res] == [64, 64, 256, 256]
    assert all(j["pnr"] is False and j["workdir"].startswith(str(tmp_path / "synth-runs")) for j in recorded["jobs"])
    assert recorded["log"] == ["sweep: 4 builds on 3 local processes"] and recorded["progress"] is True


def test_one_configuration_is_one_job(recorded):
    flow.synth_results(FFTConfig(n=64, name="fft"), "ice40", log=recorded["log"].append)
    assert len(recorded["jobs"]) == 1 and recorded["progress"] is False
    assert recorded["log"] == ["synthesising fft_r22sdf_n64_w16 (n=64, r22sdf) for ice40 ..."]
    flow.synth_results(FFTConfig(n=64, name="fft"), "ice40", scheduler="tcp://h:1", log=recorded["log"].append)
    assert recorded["log"][-1] == "sweep: 1 builds on tcp://h:1"


def test_a_descriptor_is_built_as_it_is(recorded, tmp_path):
    from fftforge.hdl.export import generate
    cfg = FFTConfig(n=16, name="f16")
    r = generate(cfg, str(tmp_path))
    res = flow.synth_results(cfg, "ecp5", core=r["json"], keep=True, output_dir=str(tmp_path / "o"),
                             log=recorded["log"].append)
    assert res == [{"status": "ok"}] and recorded["jobs"] is None
    assert recorded["core"].verilog == r["verilog"] and recorded["core_kw"]["workdir"] == str(tmp_path / "o" / "synth-ecp5")
    assert recorded["log"] == ["synthesising f16 (n=16, r22sdf) for ecp5 ..."]


def test_sweeping_a_kind_not_built_from_its_configuration_is_one_line(recorded):
    with pytest.raises(UserError, match="--sweep works on FFT cores"):
        flow.synth_results(FilterConfig(n=16), "ecp5", core="f.json", sweep={"n": [16, 32]})
    assert recorded["jobs"] is None
