"""Block floating point through the CLI: ``generate fft --scaling bfp``
(and ``filter``, ``fftnet``), ``model --exponent-output``, ``vectors`` (the
exponents too), ``sim``, and the refused combinations (one line naming the
option, exit status 2)."""

import json

import numpy as np
import pytest

from fftforge.cli import main
from fftforge.config import FFTConfig
from fftforge.pyref.fft import FFTModel
from fftforge.sim.payload import unpack


def _assert_sim_passes(rc, capsys):
    """``fftforge sim`` exited 0 and its report says every word bit-exact,
    with and without stalls, and every bound met."""
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "bit-exact vs bit-true model : yes" in out
    assert "bit-exact under random valid/ready stalls and idle gaps : yes" in out
    assert "result : PASS" in out and ": met" in out


@pytest.fixture(scope="module")
def bfp64(tmp_path_factory):
    out = tmp_path_factory.mktemp("bfp")
    rc = main(["generate", "fft", "--n", "64", "--scaling", "bfp", "--direction", "runtime", "--name", "b64",
               "-o", str(out)])
    assert rc == 0
    return out


def test_generate_bfp_descriptor(bfp64):
    d = json.loads((bfp64 / "b64.json").read_text())
    cfg = FFTConfig(n=64, scaling="bfp", direction="runtime", name="b64")
    assert d["scaling"] == "bfp" and d["output_width"] == 18 and d["latency_cycles"] == cfg.latency_cycles
    assert d["scale_relation"].startswith("DFT(x) ~= output * 2**exponent")
    ex = d["ports"]["output"]["fields"]["exponent"]
    assert ex["width"] == cfg.exponent_width and not ex["signed"]
    assert d["resources"]["frame_buffer_words"] == 64
    assert FFTConfig.from_dict(d["config"]) == cfg


def test_model_exponent_output(bfp64, tmp_path, capsys):
    rng = np.random.default_rng(3)
    re = np.round(rng.normal(0, 2 ** 15 / 64, (5, 64))).astype(np.int64)
    im = np.round(rng.normal(0, 2 ** 15 / 4, (5, 64))).astype(np.int64)
    im[1] >>= 8
    inv = np.array([0, 1, 1, 0, 1], dtype=bool)
    np.save(tmp_path / "x.npy", re + 1j * im)
    np.save(tmp_path / "inv.npy", inv)
    rc = main(["model", "--core", str(bfp64 / "b64.json"), "--input", str(tmp_path / "x.npy"),
               "--inverse", str(tmp_path / "inv.npy"), "--output", str(tmp_path / "y.npy"),
               "--exponent-output", str(tmp_path / "e.npy")])
    assert rc == 0
    y, e = np.load(tmp_path / "y.npy"), np.load(tmp_path / "e.npy")
    cfg = FFTConfig(n=64, scaling="bfp", direction="runtime", name="b64")
    y_re, y_im, _, e_lib = FFTModel(cfg)(re, im, inv)
    assert e.shape == (5,) and e.dtype == np.int64 and np.array_equal(e, e_lib)
    assert np.array_equal(y, y_re + 1j * y_im)
    ref = np.where(inv[:, None], np.fft.ifft(re + 1j * im, axis=1) * 64, np.fft.fft(re + 1j * im, axis=1))
    got = y * 2.0 ** e[:, None]
    assert 10 * np.log10(np.sum(abs(ref) ** 2) / np.sum(abs(ref - got) ** 2)) > 65


def test_model_exponent_output_refused_without_bfp(tmp_path, capsys):
    assert main(["generate", "fft", "--n", "16", "--name", "f16", "-o", str(tmp_path)]) == 0
    np.save(tmp_path / "x.npy", np.zeros((1, 16), dtype=np.int64))
    rc = main(["model", "--core", str(tmp_path / "f16.json"), "--input", str(tmp_path / "x.npy"),
               "--output", str(tmp_path / "y.npy"), "--exponent-output", str(tmp_path / "e.npy")])
    err = capsys.readouterr().err
    assert rc == 2 and "--exponent-output" in err and "scaling bfp" in err and err.count("\n") == 1


def test_vectors_write_exponents(bfp64, tmp_path):
    rc = main(["vectors", "--core", str(bfp64 / "b64.json"), "--frames", "3", "-o", str(tmp_path)])
    assert rc == 0
    e = np.load(tmp_path / "b64_exponent.npy")
    assert e.shape == (3,)
    d = json.loads((bfp64 / "b64.json").read_text())
    words = [int(w, 16) for w in (tmp_path / "b64_expected.hex").read_text().split()]
    f = unpack(d["ports"]["output"]["fields"], words)
    assert np.array_equal(f["exponent"].reshape(3, 64), np.repeat(e[:, None], 64, axis=1))


@pytest.mark.parametrize("extra, needle", [
    (["--order", "bit_reversed"], "order must be 'natural' with scaling='bfp'"),
    (["--lanes", "2"], "lanes must be 1 with scaling='bfp', got 2"),
    (["--overflow", "wrap"], "overflow must be 'saturate' (the default) with scaling='bfp'"),
    (["--schedule", "1,1,1,1,1,1"], "schedule is not allowed with scaling='bfp'"),
    (["--target", "ice40"], "target must be 'generic' or 'ecp5' with scaling='bfp', got 'ice40'"),
])
def test_bfp_refusals_are_one_line(extra, needle, tmp_path, capsys):
    rc = main(["generate", "fft", "--n", "64", "--scaling", "bfp", *extra, "-o", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 2 and needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_sim_checks_a_bfp_core_on_cocotb(bfp64, capsys):
    """``fftforge sim`` (the cocotb bench) on a bfp core: every word of every
    field, the exponent included, against the bit-true model, with and
    without random valid/ready stalls; SQNR of output * 2**exponent against
    its derived bound."""
    rc = main(["sim", "--core", str(bfp64 / "b64.json"), "--frames", "4", "--build-dir", str(bfp64 / "build")])
    _assert_sim_passes(rc, capsys)


# ------------------------------------------------------------ filter kind
@pytest.fixture(scope="module")
def fbfp64(tmp_path_factory):
    out = tmp_path_factory.mktemp("fbfp")
    rc = main(["generate", "filter", "--n", "64", "--scaling", "bfp", "--channels", "2", "--design", "lowpass",
               "--cutoff", "0.2", "--name", "fb64", "-o", str(out)])
    assert rc == 0
    return out


def test_generate_filter_bfp_descriptor(fbfp64):
    from fftforge.hdl.export import load_core
    d = json.loads((fbfp64 / "fb64.json").read_text())
    cfg, _ = load_core(str(fbfp64 / "fb64.json"))
    assert cfg.bfp and cfg.channels == 2 and d["kind"] == "filter" and d["scaling"] == "bfp"
    assert d["scale_log2"] == -6 and d["scale_relation"].startswith("ifft(fft(x) * W_c) ~= output * 2**(exponent - 6)")
    ex = d["ports"]["output"]["fields"]["exponent"]
    assert ex["width"] == cfg.exponent_width and not ex["signed"]
    assert d["latency_cycles"] == cfg.latency_cycles == sum(d["latency_parts"].values())
    assert d["fft"]["forward"]["scaling"] == "bfp" and d["widths"]["spectrum"] == 19


def test_filter_model_exponent_output_and_vectors(fbfp64, tmp_path):
    from fftforge.hdl.export import load_core
    from fftforge.pyref.filter import FilterModel
    cfg, d = load_core(str(fbfp64 / "fb64.json"))
    rng = np.random.default_rng(4)
    x = np.round(rng.normal(0, 2 ** 15 / np.array([1, 16, 256, 4])[:, None], (4, 64)) * (1 + 1j))
    np.save(tmp_path / "x.npy", np.clip(x.real, -2 ** 15, 2 ** 15 - 1) + 1j * np.clip(x.imag, -2 ** 15, 2 ** 15 - 1))
    rc = main(["model", "--core", str(fbfp64 / "fb64.json"), "--input", str(tmp_path / "x.npy"),
               "--output", str(tmp_path / "y.npy"), "--exponent-output", str(tmp_path / "e.npy")])
    assert rc == 0
    xin = np.load(tmp_path / "x.npy")
    y_re, y_im, _, e_lib = FilterModel(cfg)(xin.real.astype(np.int64), xin.imag.astype(np.int64))
    e = np.load(tmp_path / "e.npy")
    assert e.shape == (4,) and e.dtype == np.int64 and np.array_equal(e, e_lib) and len(set(e.tolist())) > 1
    assert np.array_equal(np.load(tmp_path / "y.npy"), y_re + 1j * y_im)
    _vectors_carry_exponents(fbfp64 / "fb64.json", d, tmp_path / "v")


def _vectors_carry_exponents(core, d, out, frames=3):
    """``fftforge vectors`` of a bfp core: ``<name>_exponent.npy`` per frame,
    and the expected words' ``exponent`` field equal to it on every word."""
    rc = main(["vectors", "--core", str(core), "--frames", str(frames), "-o", str(out)])
    assert rc == 0
    ev = np.load(out / f"{d['name']}_exponent.npy")
    words = [int(w, 16) for w in (out / f"{d['name']}_expected.hex").read_text().split()]
    f = unpack(d["ports"]["output"]["fields"], words)
    n = d["n"]
    assert ev.shape == (frames,)
    assert np.array_equal(f["exponent"].reshape(frames, n), np.repeat(ev[:, None], n, axis=1))


@pytest.mark.parametrize("kind", ["filter", "fftnet"])
@pytest.mark.parametrize("extra, needle", [
    (["--lanes", "2"], "lanes must be 1 with scaling='bfp', got 2"),
    (["--real-pairs"], "real_pairs is not available with scaling='bfp'"),
    (["--target", "ice40"], "target must be 'generic' or 'ecp5' with scaling='bfp', got 'ice40'"),
])
def test_filter_and_fftnet_bfp_refusals_are_one_line(kind, extra, needle, tmp_path, capsys):
    rc = main(["generate", kind, "--n", "64", "--scaling", "bfp", *extra, "-o", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 2 and needle in err and err.count("\n") == 1 and "Traceback" not in err


# ------------------------------------------------------------ fftnet kind
@pytest.fixture(scope="module")
def nbfp16(tmp_path_factory):
    """A bfp FFTNet layer, n = 16, 3 channels, biases 1000 (lifts e2 on quiet
    frames), -37 and 0."""
    out = tmp_path_factory.mktemp("nbfp")
    np.save(out / "b.npy", np.array([1000, -37, 0]))
    rc = main(["generate", "fftnet", "--n", "16", "--width", "10", "--coef-width", "12", "--channels", "3",
               "--scaling", "bfp", "--bias", str(out / "b.npy"), "--name", "nb16", "-o", str(out)])
    assert rc == 0
    return out


def test_generate_fftnet_bfp_descriptor(nbfp16):
    from fftforge.hdl.export import load_core
    d = json.loads((nbfp16 / "nb16.json").read_text())
    cfg, _ = load_core(str(nbfp16 / "nb16.json"))
    assert cfg.bfp and cfg.real_output and cfg.bias == (1000, -37, 0)
    assert d["kind"] == "fftnet" and d["scaling"] == "bfp" and d["scale_log2"] == -4
    assert d["scale_relation"].startswith("Re(ifft(modReLU(fft(x, norm='forward') * W_c, b_c), norm='forward')) "
                                          "~= output * 2**(exponent - 4)")
    ex = d["ports"]["output"]["fields"]["exponent"]
    assert ex["width"] == cfg.exponent_width and not ex["signed"]
    assert d["latency_cycles"] == cfg.latency_cycles == sum(d["latency_parts"].values())
    assert d["latency_parts"]["block_shift"] == 2


def test_fftnet_model_exponent_output_and_vectors(nbfp16, tmp_path):
    from fftforge.hdl.export import load_core
    from fftforge.pyref.fftnet import FFTNetModel
    cfg, d = load_core(str(nbfp16 / "nb16.json"))
    rng = np.random.default_rng(5)
    x = np.round(rng.normal(0, 2 ** 9 / np.array([1, 4, 16, 256, 1024, 2])[:, None], (6, 16)))
    np.save(tmp_path / "x.npy", np.clip(x, -2 ** 9, 2 ** 9 - 1))
    rc = main(["model", "--core", str(nbfp16 / "nb16.json"), "--input", str(tmp_path / "x.npy"),
               "--output", str(tmp_path / "y.npy"), "--exponent-output", str(tmp_path / "e.npy")])
    assert rc == 0
    xin = np.load(tmp_path / "x.npy").real.astype(np.int64)
    y_re, _, _, e_lib = FFTNetModel(cfg)(xin, np.zeros_like(xin))
    e = np.load(tmp_path / "e.npy")
    assert e.shape == (6,) and e.dtype == np.int64 and np.array_equal(e, e_lib) and len(set(e.tolist())) > 1
    assert np.array_equal(np.load(tmp_path / "y.npy").real, y_re)
    _vectors_carry_exponents(nbfp16 / "nb16.json", d, tmp_path / "v")


# the ROM-weight run is in make test-full only (the runtime-weight run covers
# the same datapath plus the weight port; tests/hdl/test_fftnet_core.py runs
# both weight kinds bit-exact in Amaranth): make test stays within its budget
@pytest.mark.parametrize("runtime", [pytest.param(False, marks=pytest.mark.slow), True])
def test_sim_checks_a_bfp_fftnet(nbfp16, tmp_path, capsys, runtime):
    """``fftforge sim`` on a bfp FFTNet layer (ROM, and runtime weights and
    biases written during the run): every word of every field (``exponent``
    included) against the bit-true model with and without stalls, latency,
    SQNR of output * 2**(exponent - log2 n) against its bound."""
    core = nbfp16 / "nb16.json"
    if runtime:
        assert main(["generate", "fftnet", "--n", "16", "--width", "12", "--channels", "3", "--scaling", "bfp",
                     "--runtime-weights", "--name", "nr16", "-o", str(tmp_path)]) == 0
        core = tmp_path / "nr16.json"
    rc = main(["sim", "--core", str(core), "--frames", "8", "--build-dir", str(tmp_path / "b")])
    _assert_sim_passes(rc, capsys)


def test_sim_checks_a_runtime_weight_bfp_filter(tmp_path, capsys):
    """``fftforge sim`` on a bfp filter with runtime weights: every word of
    every field (``exponent`` and ``wseq`` included) against the bit-true
    model with and without stalls, weight writes during the run, latency,
    SQNR of output * 2**(exponent - log2 n) against its bound."""
    assert main(["generate", "filter", "--n", "16", "--width", "12", "--scaling", "bfp", "--channels", "3",
                 "--runtime-weights", "--name", "fb16", "-o", str(tmp_path)]) == 0
    rc = main(["sim", "--core", str(tmp_path / "fb16.json"), "--frames", "8", "--build-dir", str(tmp_path / "b")])
    _assert_sim_passes(rc, capsys)


def test_sim_checks_an_overlap_save_bfp_filter(tmp_path, capsys):
    """``fftforge sim`` on an overlap-save bfp filter: a continuous stream,
    every kept word and its frame's ``exponent`` against the bit-true model
    with and without stalls, SQNR of output * 2**(exponent - log2 n) against
    numpy.convolve within its bound."""
    assert main(["generate", "filter", "--n", "32", "--scaling", "bfp", "--mode", "overlap_save", "--taps", "9",
                 "--design", "bandpass", "--cutoff", "0.1,0.3", "--name", "fos", "-o", str(tmp_path)]) == 0
    d = json.loads((tmp_path / "fos.json").read_text())
    assert "exponent" in d["ports"]["output"]["fields"] and "overlap-save" in d["scale_relation"]
    rc = main(["sim", "--core", str(tmp_path / "fos.json"), "--frames", "12", "--build-dir", str(tmp_path / "b")])
    _assert_sim_passes(rc, capsys)
