"""CLI: ``fftforge generate KIND --wrapper axis`` writes ``<name>_axis.v``
and the descriptor's ``wrapper`` entry, leaving every other descriptor key
(and the JSON text) as it is without the option; a bad value is refused with
one line."""

import json

import pytest

from fftforge.cli import main


def _gen(argv, out):
    assert main([*argv, "-o", str(out)]) == 0


@pytest.mark.parametrize("argv", [
    ["generate", "fft", "--n", "16", "--width", "12", "--direction", "runtime", "--name", "c"],
    ["generate", "filter", "--n", "16", "--width", "8", "--runtime-weights", "--channels", "2", "--lanes", "2",
     "--name", "c"],
    ["generate", "fftnet", "--n", "16", "--width", "8", "--name", "c"],
], ids=["fft", "filter", "fftnet"])
def test_wrapper_axis_writes_file_and_entry(argv, tmp_path, capsys):
    _gen(argv, tmp_path / "plain")
    _gen([*argv, "--wrapper", "axis"], tmp_path / "axis")
    assert "c_axis.v" in capsys.readouterr().out
    assert not (tmp_path / "plain" / "c_axis.v").exists()
    plain_text = (tmp_path / "plain" / "c.json").read_text()
    desc = json.loads((tmp_path / "axis" / "c.json").read_text())
    entry = desc.pop("wrapper")
    # every other key, its value and order, and the JSON text are unchanged
    indent = len(plain_text.split("\n")[1]) - len(plain_text.split("\n")[1].lstrip())
    assert json.dumps(desc, indent=indent) + "\n" == plain_text
    assert (tmp_path / "axis" / "c.v").read_text() == (tmp_path / "plain" / "c.v").read_text()
    v = (tmp_path / "axis" / entry["file"]).read_text()
    assert entry["module"] == "c_axis" and entry["core_module"] == "c" and entry["latency_cycles_added"] == 0
    assert f"module {entry['module']} (" in v and "\n    c core (" in v
    assert (entry["clock"], entry["reset"], entry["reset_active_high"]) == ("aclk", "aresetn", False)
    s, m = entry["ports"]["input"], entry["ports"]["output"]
    for port in ("s_axis_data_tvalid", "s_axis_data_tready", "s_axis_data_tdata", "s_axis_data_tlast",
                 "m_axis_data_tvalid", "m_axis_data_tready", "m_axis_data_tdata", "m_axis_data_tlast",
                 "m_axis_data_tuser", "aclk", "aresetn"):
        assert port in v
    # byte-aligned containers, fields as in the core's payload map
    core_out = desc["ports"]["output"]["fields"]
    for ch in (s, m):
        assert ch["tdata_width"] % 8 == 0
        for f in ch["tdata_fields"].values():
            assert f["bits"] % 8 == 0 and f["offset"] % 8 == 0 and f["width"] <= f["bits"]
    assert set(m["tdata_fields"]) | set(m["tuser_fields"]) | {"last"} == set(core_out)
    assert "overflow" in m["tuser_fields"]
    if argv[1] == "fft":
        assert s["tdata_fields"] == {"re": {"offset": 0, "width": 12, "signed": True, "bits": 16},
                                     "im": {"offset": 16, "width": 12, "signed": True, "bits": 16}}
        assert s["tuser_fields"] == {"inverse": {"offset": 0, "width": 1, "signed": False, "bits": 8}}
        assert m["tdata_fields"]["im"]["offset"] == 16 and m["tdata_width"] == 32
    if argv[1] == "filter":
        assert entry["ports"]["weights"]["tdata"] == "s_axis_weights_tdata"
        assert list(m["tuser_fields"]) == ["overflow", "wseq"]
        assert list(s["tdata_fields"]) == ["re0", "im0", "re1", "im1"]
    if argv[1] == "fftnet":
        assert list(s["tdata_fields"]) == ["re"] and "tuser" not in s


def test_bad_wrapper_value_one_line(tmp_path, capsys):
    rc = main(["generate", "fft", "--n", "16", "--wrapper", "apb", "-o", str(tmp_path)])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and err == "fftforge: error: --wrapper must be one of: axis; got 'apb'", err
    assert not list(tmp_path.iterdir())          # refused before anything is written
    rc = main(["generate", "filter", "--n", "16", "--wrapper", "AXIS", "-o", str(tmp_path)])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "\n" not in err and "--wrapper must be one of: axis" in err
