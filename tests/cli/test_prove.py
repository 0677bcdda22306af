"""`fftforge prove`: listing, one line per set, one-line errors."""

from fftforge.cli import main


def test_list(capsys):
    assert main(["prove", "--list"]) == 0
    out = capsys.readouterr().out
    assert "core.r22sdf.n16" in out and "fixed.round_saturate" in out


def test_only_runs_one_set(capsys, tmp_path):
    assert main(["prove", "--only", "butterfly", "--build-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("PASS") and "butterfly" in lines[0]


def test_unknown_set_is_one_line_error(capsys):
    assert main(["prove", "--only", "nosuchset"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("fftforge: error:") and "nosuchset" in err[0]


def test_bad_depth(capsys):
    assert main(["prove", "--depth", "0"]) == 2
    assert "--depth" in capsys.readouterr().err
