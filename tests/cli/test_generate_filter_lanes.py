"""CLI with ``--lanes``: ``generate filter|fftnet --lanes P`` writes a P-lane
core (descriptor ``lanes`` and per-lane field map), ``vectors`` writes its
stream words lane-grouped, and unsupported combinations give one clear line
naming ``lanes``, exit 2."""

import json

import numpy as np

from fftforge.cli import main
from fftforge.pyref.filter import FilterModel
from fftforge.hdl.export import load_core
from fftforge.sim.payload import unpack


def _err(capsys, argv):
    rc = main(argv)
    err = capsys.readouterr().err.strip()
    assert rc == 2 and err.startswith("fftforge: error: ") and "\n" not in err, err
    return err


def test_generate_and_vectors_with_lanes(tmp_path, capsys):
    o = str(tmp_path / "out")
    assert main(["generate", "filter", "--n", "16", "--lanes", "4", "--channels", "2", "--runtime-weights",
                 "--name", "fl4", "-o", o]) == 0
    desc = json.load(open(f"{o}/fl4.json"))
    assert desc["lanes"] == 4 and desc["frame_cycles"] == 4 and desc["config"]["lanes"] == 4
    assert [e["re"] for e in desc["ports"]["output"]["lanes"]] == ["re0", "re1", "re2", "re3"]
    assert "wseq" in desc["ports"]["output"]["fields"]
    cfg, _ = load_core(f"{o}/fl4.json")
    assert cfg.lanes == 4
    assert main(["vectors", "--core", f"{o}/fl4.json", "--frames", "3", "-o", o]) == 0
    x = np.load(f"{o}/fl4_input.npy")
    y_re, y_im, _ = FilterModel(cfg)(x.real.astype(np.int64), x.imag.astype(np.int64))
    words_in = unpack(desc["ports"]["input"]["fields"], [int(w, 16) for w in open(f"{o}/fl4_input.hex")])
    words_out = unpack(desc["ports"]["output"]["fields"], [int(w, 16) for w in open(f"{o}/fl4_expected.hex")])
    assert len(words_in["re0"]) == 3 * 4
    for l in range(4):
        assert np.array_equal(words_in[f"re{l}"], x.real.astype(np.int64)[:, l::4].reshape(-1))
        assert np.array_equal(words_out[f"re{l}"], y_re[:, l::4].reshape(-1))
        assert np.array_equal(words_out[f"im{l}"], y_im[:, l::4].reshape(-1))
    assert words_out["last"].reshape(3, 4)[:, -1].all()
    assert main(["generate", "fftnet", "--n", "16", "--lanes", "2", "--name", "fn2", "-o", o]) == 0
    d2 = json.load(open(f"{o}/fn2.json"))
    assert d2["lanes"] == 2 and set(d2["ports"]["input"]["fields"]) == {"re0", "re1"}
    capsys.readouterr()


def test_lanes_errors_one_line(tmp_path, capsys):
    o = str(tmp_path / "out")
    assert "lanes must be one of 1, 2, 4, 8" in _err(capsys, ["generate", "filter", "--n", "16", "--lanes", "3",
                                                             "-o", o])
    assert "lanes must be at most n/2 = 4" in _err(capsys, ["generate", "fftnet", "--n", "8", "--lanes", "8",
                                                           "-o", o])
    assert "taps - 1 must be a multiple of lanes" in _err(capsys, ["generate", "filter", "--n", "16", "--lanes",
                                                                 "2", "--mode", "overlap_save", "--taps", "4",
                                                                 "--design", "lowpass", "--cutoff", "0.1",
                                                                 "-o", o])


def test_real_pairs_and_overlap_save_with_lanes(tmp_path, capsys):
    """Real pairs and overlap-save take --lanes: descriptor and vectors."""
    from fftforge.pyref.filter import overlap_save_frames
    o = str(tmp_path / "out")
    assert main(["generate", "fftnet", "--n", "16", "--lanes", "2", "--real-pairs", "--channels", "2",
                 "--name", "rp2", "-o", o]) == 0
    d = json.load(open(f"{o}/rp2.json"))
    assert d["lanes"] == 2 and d["real_pairs"] and d["resources"]["modrelu_units"] == 8
    assert [e["im"] for e in d["ports"]["input"]["lanes"]] == ["im0", "im1"]
    assert main(["generate", "filter", "--n", "16", "--lanes", "4", "--mode", "overlap_save", "--taps", "5",
                 "--design", "lowpass", "--cutoff", "0.2", "--name", "os4", "-o", o]) == 0
    d = json.load(open(f"{o}/os4.json"))
    assert d["lanes"] == 4 and d["hop"] == 12 and d["input_samples_per_cycle"] == 3.0
    assert main(["vectors", "--core", f"{o}/os4.json", "--frames", "3", "-o", o]) == 0
    cfg, _ = load_core(f"{o}/os4.json")
    x = np.load(f"{o}/os4_input.npy")
    assert x.shape == (3, 12)
    fr = overlap_save_frames(cfg, x.reshape(-1))
    y_re, y_im, _ = FilterModel(cfg)(fr.real.astype(np.int64), fr.imag.astype(np.int64))
    words_in = unpack(d["ports"]["input"]["fields"], [int(w, 16) for w in open(f"{o}/os4_input.hex")])
    words_out = unpack(d["ports"]["output"]["fields"], [int(w, 16) for w in open(f"{o}/os4_expected.hex")])
    assert len(words_in["re0"]) == len(words_out["re0"]) == 3 * 3
    for l in range(4):
        assert np.array_equal(words_in[f"re{l}"], x.real.astype(np.int64)[:, l::4].reshape(-1))
        assert np.array_equal(words_out[f"re{l}"], y_re[:, 4:][:, l::4].reshape(-1))
        assert np.array_equal(words_out[f"im{l}"], y_im[:, 4:][:, l::4].reshape(-1))
    assert words_out["last"].reshape(3, 3)[:, -1].all() and not words_out["last"].reshape(3, 3)[:, :-1].any()
    capsys.readouterr()
