"""``fftforge cost`` end to end through fftforge.cli.main."""

import csv
import json

import pytest

from fftforge.cli import main


def run(capsys, *argv):
    rc = main(["cost", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_compare_worked_example(tmp_path, capsys):
    c, j, p = tmp_path / "o.csv", tmp_path / "o.json", tmp_path / "o.png"
    rc, out, err = run(capsys, "compare", "--workload", "fftnet", "--n", "256:4096", "--d", "768",
                       "--targets", "tpu-v3,ecp5-85f,h100", "--csv", str(c), "--json", str(j),
                       "--plot", str(p))
    assert rc == 0, err
    assert "fftnet@tpu-v3" in out and "fftnet@ecp5-85f" in out and "crossovers:" in out
    rows = list(csv.DictReader(open(c)))
    assert len(rows) == 3 * 5 and {"latency_s", "energy_j", "e_static_j"} <= set(rows[0])
    doc = json.load(open(j))
    assert doc["meta"]["d"] == 768 and len(doc["rows"]) == 15 and "crossovers" in doc
    assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_fnet_two_workloads(capsys):
    rc, out, _ = run(capsys, "compare", "--workload", "fnet-dft,fnet-fft", "--targets", "tpu-v3",
                     "--n", "64:8192")
    assert rc == 0
    assert "fnet-dft@tpu-v3" in out and "fnet-fft@tpu-v3" in out


def test_gemm_scalesim_compatible(capsys):
    rc, out, _ = run(capsys, "gemm", "--m", "31", "--n", "29", "--k", "37", "--array", "4x4",
                     "--dataflow", "os", "--scalesim-compatible")
    assert rc == 0
    assert out.splitlines()[1].split()[:2] == ["cycles", "2751"]     # SCALE-Sim 3.0.0: 2751


def test_explain_lists_terms(capsys):
    rc, out, _ = run(capsys, "explain", "--workload", "fftnet", "--target", "ecp5-85f", "--n", "1024")
    assert rc == 0
    for word in ("pipeline latency", "E static", "E DRAM/I-O", "kernel: FFT over sequence"):
        assert word in out


def test_explain_says_does_not_fit(capsys):
    """A 2-lane FFTNet real-pair core (FFTNetConfig: both FFTs, 8 per-bin
    multipliers, 16 modReLU gain multipliers of 27 x 20 bits: 192 DSPs)
    exceeds the ECP5-85F's 156: a plain sentence, not NaN figures; one lane
    (96 DSPs) fits."""
    for lanes in ("8", "2"):
        rc, out, _ = run(capsys, "explain", "--workload", "fftnet", "--target", "ecp5-85f", "--n", "1024",
                         "--d", "1024", "--lanes", lanes)
        assert rc == 0
        assert "does not fit: one unit of this chain needs more than ecp5-85f has (156 DSPs" in out
        assert "nan" not in out
    rc, out, _ = run(capsys, "explain", "--workload", "fftnet", "--target", "ecp5-85f", "--n", "1024",
                     "--d", "1024", "--lanes", "1")
    assert rc == 0 and "does not fit" not in out and "nan" not in out


def test_targets_and_show(capsys):
    rc, out, _ = run(capsys, "targets")
    assert rc == 0 and "tpu-v3" in out and "ecp5-85f" in out and "h100" in out
    rc, out, _ = run(capsys, "targets", "--show", "tpu-v1")
    assert rc == 0 and "Jouppi" in out


def test_user_toml_target(tmp_path, capsys):
    f = tmp_path / "mine.toml"
    f.write_text(open(__import__("fftforge.costmodel.hardware", fromlist=["x"]).preset_path("systolic-generic"))
                 .read().replace('name = "systolic-generic"', 'name = "mine"'))
    rc, out, _ = run(capsys, "compare", "--workload", "linear", "--targets", str(f), "--n", "512")
    assert rc == 0 and "linear@mine" in out


BAD = [
    (["compare", "--targets", "tpu-v9", "--n", "256"], "unknown target 'tpu-v9'"),
    (["compare", "--targets", "ecp5-85f", "--n", "1000"], "not a power of two"),
    (["compare", "--targets", "tpu-v3", "--n", "256", "--d", "-5"], "--d must be >= 1"),
    (["compare", "--targets", "tpu-v3", "--n", "-256"], "--n"),
    (["compare", "--targets", "tpu-v3", "--n", "256", "--workload", "mamba"], "unknown workload"),
    (["compare", "--targets", "tpu-v3", "--n", "256", "--energy-table", "x"], "unknown energy table"),
    (["gemm", "--m", "-1", "--n", "4", "--k", "4"], "--m must be >= 1"),
    (["gemm", "--m", "4", "--n", "4", "--k", "4", "--array", "4by4"], "--array must be RxC"),
    (["gemm", "--m", "4", "--n", "4", "--k", "4", "--target", "h100"], "systolic target"),
    (["explain", "--target", "tpu-v3", "--n", "256,512"], "one --n"),
]


@pytest.mark.parametrize("argv,msg", BAD)
def test_bad_input_one_line_exit_2(argv, msg, capsys):
    rc, out, err = run(capsys, *argv)
    assert rc == 2
    assert err.startswith("fftforge: error: ") and err.count("\n") == 1
    assert msg in err


def test_malformed_toml(tmp_path, capsys):
    f = tmp_path / "broken.toml"
    f.write_text("kind = \"systolic\"\nrows = [\n")
    rc, _, err = run(capsys, "compare", "--targets", str(f), "--n", "256")
    assert rc == 2 and "malformed TOML" in err and err.count("\n") == 1
    g = tmp_path / "partial.toml"
    g.write_text('kind = "systolic"\nrows = 8\n')
    rc, _, err = run(capsys, "compare", "--targets", str(g), "--n", "256")
    assert rc == 2 and "missing key" in err


def test_help_has_examples(capsys):
    with pytest.raises(SystemExit) as e:
        main(["cost", "compare", "--help"])
    out = capsys.readouterr().out
    assert e.value.code == 0 and "examples:" in out and "--plot docs/cost_fftnet.png" in out


def test_compare_runtime_n_core(tmp_path, capsys):
    j = tmp_path / "o.json"
    rc, out, err = run(capsys, "compare", "--workload", "fnet-fft", "--targets", "ecp5-85f", "--n", "64:1024",
                       "--d", "64", "--runtime-n", "64", "--json", str(j))
    assert rc == 0, err
    assert "one run-time-length core for N = 64 .. 1024" in " ".join(out.split())
    assert json.load(open(j))["meta"]["runtime_n"] == 64
    rc, _, err = run(capsys, "compare", "--workload", "fnet-fft", "--targets", "ecp5-85f", "--n", "64:1024",
                     "--d", "64", "--nmax", "1024")
    assert rc == 2 and err.strip() == ("fftforge: error: --nmax needs --runtime-n NMIN (the smallest size of "
                                       "the run-time-length core)")
    rc, _, err = run(capsys, "compare", "--workload", "fnet-fft", "--targets", "ecp5-85f", "--n", "64:1024",
                     "--d", "64", "--runtime-n", "64", "--nmax", "512")
    assert rc == 2 and "above --nmax 512" in err and len(err.strip().splitlines()) == 1
