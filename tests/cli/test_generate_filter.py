"""CLI: ``generate filter`` / ``generate fftnet`` write Verilog + a
descriptor that ``model`` serves; bad input gives one clear line, exit 2."""

import json

import numpy as np
import pytest

from fftforge.cli import main
from fftforge.hdl.export import load_core
from fftforge.pyref.fftnet import FFTNetModel


def _err(capsys, argv):
    rc = main(argv)
    err = capsys.readouterr().err.strip()
    assert rc == 2 and err.startswith("fftforge: error: ") and "\n" not in err, err
    return err


def test_bad_inputs_one_line_each(tmp_path, capsys):
    np.save(tmp_path / "w_shape.npy", np.ones((3, 15), dtype=complex) * 0.5)
    np.save(tmp_path / "w_big.npy", np.ones((2, 16), dtype=complex) * 1.5)
    np.save(tmp_path / "w_dtype.npy", np.array(["a"] * 16))
    np.save(tmp_path / "b_shape.npy", np.zeros(5))
    np.save(tmp_path / "fir.npy", np.ones(12) / 64)
    o = str(tmp_path / "out")
    assert "shape (3, 16)" in _err(capsys, ["generate", "filter", "--n", "16", "--channels", "3",
                                            "--weights", str(tmp_path / "w_shape.npy"), "-o", o])
    assert "|W| <= 1" in _err(capsys, ["generate", "filter", "--n", "16", "--channels", "2",
                                       "--weights", str(tmp_path / "w_big.npy"), "-o", o])
    assert "dtype" in _err(capsys, ["generate", "filter", "--n", "16", "--weights",
                                    str(tmp_path / "w_dtype.npy"), "-o", o])
    assert "bias must have shape (2,)" in _err(capsys, ["generate", "fftnet", "--n", "16", "--channels", "2",
                                                        "--bias", str(tmp_path / "b_shape.npy"), "-o", o])
    assert "more than --taps 8" in _err(capsys, ["generate", "filter", "--n", "32", "--mode", "overlap_save",
                                                 "--taps", "8", "--fir", str(tmp_path / "fir.npy"), "-o", o])
    assert "taps must be in [2, 16]" in _err(capsys, ["generate", "filter", "--n", "32", "--mode",
                                                      "overlap_save", "--taps", "17", "--design", "hilbert",
                                                      "-o", o])
    assert "real_pairs needs mode='circular'" in _err(capsys, ["generate", "filter", "--n", "32", "--mode",
                                                               "overlap_save", "--taps", "4", "--design",
                                                               "hilbert", "--real-pairs", "-o", o])
    assert "channels must be in [1, 4096], got 5000" in _err(capsys, ["generate", "fftnet", "--n", "16",
                                                                      "--channels", "5000", "-o", o])


def test_generate_fftnet_and_model(tmp_path, capsys):
    rng = np.random.default_rng(0)
    w = 0.9 * np.exp(2j * np.pi * rng.random((2, 16)))
    np.save(tmp_path / "w.npy", w)
    np.save(tmp_path / "b.npy", np.array([-300.0, 120.0]))
    out = tmp_path / "out"
    rc = main(["generate", "fftnet", "--n", "16", "--channels", "2", "--width", "12", "--weights",
               str(tmp_path / "w.npy"), "--bias", str(tmp_path / "b.npy"), "--runtime-weights",
               "--name", "net", "-o", str(out)])
    assert rc == 0
    desc = json.loads((out / "net.json").read_text())
    assert desc["kind"] == "fftnet" and desc["channels"] == 2 and desc["real_output"]
    assert set(desc["ports"]["output"]["fields"]) == {"re", "last", "overflow", "wseq"}
    assert set(desc["ports"]["weights"]["fields"]) == {"addr", "re", "im"}
    assert (out / "net.v").read_text().count("module net") == 1
    cfg, _ = load_core(str(out / "net.json"))
    assert cfg.bias == (-300, 120) and desc["latency_cycles"] == cfg.latency_cycles
    x = rng.integers(-2048, 2048, (4, 16))
    np.save(tmp_path / "x.npy", x)
    rc = main(["model", "--core", str(out / "net.json"), "--input", str(tmp_path / "x.npy"),
               "--output", str(tmp_path / "y.npy"), "--format", "int"])
    assert rc == 0
    y = np.load(tmp_path / "y.npy")
    exp, _, _ = FFTNetModel(cfg)(x, np.zeros_like(x))
    assert np.array_equal(y[..., 0], exp)
