"""Run-time transform length through the CLI: ``generate fft --runtime-n``
(descriptor ``ports.size``, ``latency_by_n``, ``scale_log2_by_n``), ``model
--log2n``, ``vectors`` (the sizes too), ``sim`` (the multibench check), and
the refusals (one line naming the option, exit status 2)."""

import json

import numpy as np
import pytest

from fftforge.cli import main
from fftforge.config import FFTConfig
from fftforge.pyref.fft import FFTModel
from fftforge.sim.payload import unpack

CFG = FFTConfig(n=64, runtime_n=8, direction="runtime", name="r64")


@pytest.fixture(scope="module")
def rtn64(tmp_path_factory):
    out = tmp_path_factory.mktemp("rtn")
    rc = main(["generate", "fft", "--n", "64", "--runtime-n", "8", "--direction", "runtime", "--name", "r64",
               "-o", str(out)])
    assert rc == 0
    return out


def test_generate_runtime_n_descriptor(rtn64):
    d = json.loads((rtn64 / "r64.json").read_text())
    assert d["ports"]["size"] == {"name": "log2n", "width": 3, "encoding": "log2n",
                                  "sampled": "with the first transfer of each frame", "min": 3, "max": 6,
                                  "out_of_range": "clamped to [min, max]"}
    assert d["latency_by_n"] == {str(N): CFG.latency_cycles for N in (8, 16, 32, 64)}
    assert d["latency_cycles"] == CFG.latency_cycles
    assert d["scale_log2_by_n"] == {"8": 3, "16": 4, "32": 5, "64": 6}
    keys = list(d)
    assert keys.index("latency_by_n") == keys.index("latency_cycles") + 1
    assert d["resources"]["reorder_words"] == 128
    assert FFTConfig.from_dict(d["config"]).to_dict() == CFG.to_dict() == d["config"]
    assert "log2n" in (rtn64 / "r64.v").read_text().split(");")[0]     # a port of the module


def test_model_log2n(rtn64, tmp_path):
    rng = np.random.default_rng(4)
    re = rng.integers(-2 ** 15, 2 ** 15, (5, 64))
    im = rng.integers(-2 ** 15, 2 ** 15, (5, 64))
    k = np.array([3, 6, 0, 5, 9])                      # 0 and 9: clamped to 3 and 6
    inv = np.array([0, 1, 0, 1, 1], dtype=bool)
    np.save(tmp_path / "x.npy", re + 1j * im)
    np.save(tmp_path / "k.npy", k)
    np.save(tmp_path / "inv.npy", inv)
    rc = main(["model", "--core", str(rtn64 / "r64.json"), "--input", str(tmp_path / "x.npy"),
               "--inverse", str(tmp_path / "inv.npy"), "--log2n", str(tmp_path / "k.npy"),
               "--output", str(tmp_path / "y.npy")])
    assert rc == 0
    y = np.load(tmp_path / "y.npy")
    y_re, y_im, _ = FFTModel(CFG)(re, im, inv, k)
    assert np.array_equal(y, y_re + 1j * y_im)
    assert [int((row != 0).sum() <= n) for row, n in zip(y, (8, 64, 8, 32, 64))] == [1] * 5
    assert not y[0, 8:].any() and y[0, :8].any()


@pytest.mark.parametrize("bad, needle", [
    ("sizes", "must be integers of shape (5,)"),
    ("fixed", "--log2n: core f16 has a fixed size"),
])
def test_model_log2n_refusals(rtn64, tmp_path, capsys, bad, needle):
    np.save(tmp_path / "k.npy", np.array([3, 4]) if bad == "sizes" else np.array([4] * 5))
    core = rtn64 / "r64.json"
    if bad == "fixed":
        assert main(["generate", "fft", "--n", "16", "--name", "f16", "-o", str(tmp_path)]) == 0
        core = tmp_path / "f16.json"
    np.save(tmp_path / "x.npy", np.zeros((5, 64 if bad == "sizes" else 16), dtype=np.int64))
    capsys.readouterr()
    rc = main(["model", "--core", str(core), "--input", str(tmp_path / "x.npy"), "--log2n",
               str(tmp_path / "k.npy"), "--output", str(tmp_path / "y.npy")])
    err = capsys.readouterr().err
    assert rc == 2 and needle in err and err.count("\n") == 1


def test_vectors_write_sizes(rtn64, tmp_path):
    rc = main(["vectors", "--core", str(rtn64 / "r64.json"), "--frames", "6", "-o", str(tmp_path)])
    assert rc == 0
    k = np.load(tmp_path / "r64_log2n.npy")
    assert k.shape == (6,) and k.min() >= 3 and k.max() <= 6
    x = np.load(tmp_path / "r64_input.npy")
    inv = np.load(tmp_path / "r64_inverse.npy")
    d = json.loads((rtn64 / "r64.json").read_text())
    words = [int(w, 16) for w in (tmp_path / "r64_expected.hex").read_text().split()]
    assert len(words) == int((1 << k).sum())
    f = unpack(d["ports"]["output"]["fields"], words)
    y_re, _, _ = FFTModel(CFG)(x.real.astype(np.int64), x.imag.astype(np.int64), inv, k)
    assert np.array_equal(f["re"], np.concatenate([y_re[i, :1 << k[i]] for i in range(6)]))
    assert np.array_equal(np.flatnonzero(f["last"]), np.cumsum(1 << k) - 1)
    words_in = (tmp_path / "r64_input.hex").read_text().split()
    assert len(words_in) == len(words)


@pytest.mark.parametrize("extra, needle", [
    (["--runtime-n", "4"], "runtime_n (--runtime-n) must be a power of two in [8, n = 64], got 4"),
    (["--runtime-n", "128"], "runtime_n (--runtime-n) must be a power of two in [8, n = 64], got 128"),
    (["--runtime-n", "24"], "runtime_n (--runtime-n) must be a power of two in [8, n = 64], got 24"),
    (["--runtime-n", "8", "--lanes", "2"], "lanes must be 1 with runtime_n (--runtime-n), got 2"),
    (["--runtime-n", "8", "--scaling", "bfp"], "scaling must be 'scaled' or 'unscaled' with runtime_n"),
    (["--runtime-n", "8", "--target", "ice40"], "target must be 'generic' or 'ecp5' with runtime_n"),
    (["--runtime-n", "8", "--wrapper", "axis"], "--wrapper axis is not available with --runtime-n"),
])
def test_runtime_n_refusals_are_one_line(extra, needle, tmp_path, capsys):
    rc = main(["generate", "fft", "--n", "64", *extra, "-o", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 2 and needle in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.slow
def test_sim_checks_a_runtime_n_core(rtn64, capsys):
    """``fftforge sim`` on a run-time-length core: the multibench check
    (random sizes, stalls, latency per size, per-size SQNR bound)."""
    rc = main(["sim", "--core", str(rtn64 / "r64.json"), "--frames", "12", "--build-dir", str(rtn64 / "build")])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "bit-exact vs bit-true model : yes" in out
    assert "bit-exact under random valid/ready stalls and idle gaps : yes" in out
    assert "result : PASS" in out and ": met" in out
