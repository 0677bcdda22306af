"""The core CLI commands: generate, model, vectors, sim, and their errors."""

import json
import os

import numpy as np
import pytest

from fftforge.cli import main
from fftforge.config import FFTConfig
from fftforge.pyref.fft import FFTModel


@pytest.fixture(scope="module")
def core16(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen")
    rc = main(["generate", "fft", "--n", "16", "--width", "10", "--twiddle-width", "12", "--arch", "r2sdf",
               "--direction", "runtime", "--rounding", "truncate", "--order", "bit_reversed",
               "--name", "f16", "-o", str(out)])
    assert rc == 0
    return out


def test_generate_writes_verilog_and_descriptor(core16):
    desc = json.load(open(core16 / "f16.json"))
    v = open(core16 / "f16.v").read()
    assert "module f16" in v
    for key in ("kind", "n", "direction", "arch", "input_width", "output_width", "twiddle_width", "scaling",
                "scale_log2", "rounding", "overflow", "output_order", "latency_cycles", "ports"):
        assert key in desc
    assert desc["kind"] == "fft" and desc["n"] == 16 and desc["direction"] == "runtime"
    cfg = FFTConfig.from_dict(desc["config"])
    assert desc["latency_cycles"] == cfg.latency_cycles
    ports = desc["ports"]
    for name in (ports["clock"], ports["reset"], ports["direction"]["name"]):
        assert f"input {name};" in v
    for s in ("input", "output"):
        for role in ("valid", "ready", "payload"):
            assert ports[s][role] in v
    f = ports["output"]["fields"]
    assert f["re"] == {"offset": 0, "width": cfg.output_width, "signed": True}
    assert f["last"]["offset"] == 2 * cfg.output_width and f["overflow"]["offset"] == 2 * cfg.output_width + 1
    assert ports["output"]["width"] == 2 * cfg.output_width + 2


def test_model_command_matches_library(core16, tmp_path):
    x = np.random.default_rng(0).integers(-512, 512, (3, 16)) + 1j * np.random.default_rng(1).integers(-512, 512, (3, 16))
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "inv.npy", np.array([True, False, True]))
    rc = main(["model", "--core", str(core16 / "f16.json"), "--input", str(tmp_path / "x.npy"),
               "--output", str(tmp_path / "y.npy"), "--inverse", str(tmp_path / "inv.npy")])
    assert rc == 0
    y = np.load(tmp_path / "y.npy")
    cfg = FFTConfig.from_dict(json.load(open(core16 / "f16.json"))["config"])
    r, i, _ = FFTModel(cfg)(x.real.astype(int), x.imag.astype(int), np.array([True, False, True]))
    assert np.array_equal(y, r + 1j * i)


def test_vectors_command_writes_readmemh_words(core16, tmp_path):
    rc = main(["vectors", "--core", str(core16 / "f16.json"), "--frames", "2", "-o", str(tmp_path)])
    assert rc == 0
    lines = open(tmp_path / "f16_expected.hex").read().split()
    assert len(lines) == 32
    desc = json.load(open(core16 / "f16.json"))
    assert all(len(line) == -(-desc["ports"]["output"]["width"] // 4) for line in lines)
    # the last word of each frame has 'last' set
    off = desc["ports"]["output"]["fields"]["last"]["offset"]
    assert [(int(w, 16) >> off) & 1 for w in lines] == ([0] * 15 + [1]) * 2
    assert os.path.exists(tmp_path / "f16_inverse.npy")


def test_sim_command_reports_pass(core16, capsys):
    rc = main(["sim", "--core", str(core16 / "f16.json"), "--frames", "4",
               "--build-dir", str(core16 / "build")])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "bit-exact vs bit-true model : yes" in out and "result : PASS" in out


@pytest.mark.parametrize("argv, needle", [
    (["generate", "fft", "--n", "1000"], "n must be a power of two in [8, 65536], got 1000"),
    (["generate", "fft", "--width", "40"], "width must be in [4, 32], got 40"),
    (["generate", "fft", "--n", "16", "--schedule", "1,1"], "schedule must have log2(n) = 4 entries"),
    (["generate", "fft", "--n", "16", "--lanes", "3"], "lanes must be one of"),
    (["generate", "fft", "--n", "8", "--lanes", "8"], "lanes must be at most n/2 = 4, got 8"),
    (["generate", "fft", "--cycles-per-sample", "0"], "cycles_per_sample must be in [1, 16], got 0"),
    (["generate", "fft", "--cycles-per-sample", "2", "--cmul", "3"], "cmul must be 4, got 3 (cycles_per_sample"),
    (["sim", "--core", "/nonexistent.json"], "cannot read core descriptor /nonexistent.json"),
    (["model", "--core", "/nonexistent.json", "--input", "x", "--output", "y"], "cannot read core descriptor"),
])
def test_errors_are_one_line_with_exit_2(argv, needle, capsys, tmp_path):
    argv = [a if a != "-o" else a for a in argv] + (["-o", str(tmp_path)] if argv[0] == "generate" else [])
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == 2
    assert needle in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_model_rejects_wrong_input_shape(core16, tmp_path, capsys):
    np.save(tmp_path / "bad.npy", np.zeros((2, 15)))
    rc = main(["model", "--core", str(core16 / "f16.json"), "--input", str(tmp_path / "bad.npy"),
               "--output", str(tmp_path / "y.npy")])
    assert rc == 2
    assert "frames must have 16 samples" in capsys.readouterr().err


def test_generate_and_vectors_with_lanes(tmp_path):
    rc = main(["generate", "fft", "--n", "16", "--width", "8", "--lanes", "4", "--name", "f16x4", "-o", str(tmp_path)])
    assert rc == 0
    desc = json.load(open(tmp_path / "f16x4.json"))
    assert desc["lanes"] == 4 and desc["frame_cycles"] == 4
    for side in ("input", "output"):
        lanes = desc["ports"][side]["lanes"]
        fields = desc["ports"][side]["fields"]
        assert [ln["re"] for ln in lanes] == ["re0", "re1", "re2", "re3"]
        assert all(fields[ln["im"]]["offset"] == ln["im_offset"] for ln in lanes)
    rc = main(["vectors", "--core", str(tmp_path / "f16x4.json"), "--frames", "2", "-o", str(tmp_path)])
    assert rc == 0
    words = [int(w, 16) for w in open(tmp_path / "f16x4_expected.hex").read().split()]
    assert len(words) == 2 * 4                       # one word per group of 4 samples
    expected = np.load(tmp_path / "f16x4_expected.npy")
    f = desc["ports"]["output"]["fields"]
    for k, w in enumerate(words):
        for lane in range(4):
            spec = f[f"re{lane}"]
            v = (w >> spec["offset"]) & ((1 << spec["width"]) - 1)
            v -= (1 << spec["width"]) if v >> (spec["width"] - 1) else 0
            assert v == expected.reshape(-1)[4 * k + lane].real


def _bad_descriptors(tmp_path):
    """A binary file given by mistake, JSON that is no descriptor, a
    descriptor whose config is out of range, one of an unknown kind and one
    without the keys the commands read: (path, what the line says)."""
    np.save(tmp_path / "x.npy", np.arange(16))
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "bad.json").write_text(json.dumps({"kind": "fft", "config": {"n": 1000}}))
    (tmp_path / "kind.json").write_text(json.dumps({"kind": "nosuchkind", "config": {}}))
    (tmp_path / "bare.json").write_text(json.dumps({"kind": "fft", "config": {"n": 16}}))
    return [(tmp_path / "x.npy", "is not a core descriptor: not UTF-8 JSON text"),
            (tmp_path / "list.json", "is not an fftforge core descriptor"),
            (tmp_path / "bad.json", "n must be a power of two"),
            (tmp_path / "kind.json", "unknown core kind 'nosuchkind'"),
            (tmp_path / "bare.json", "descriptor has no ")]


@pytest.mark.parametrize("command", ["vectors", "model", "sim", "build", "synth"])
def test_every_command_reads_descriptors_through_one_loader(command, tmp_path, capsys):
    """The same bad --core gives every command the same one line and exit 2
    (vectors used to end in a 17-line UnicodeDecodeError traceback)."""
    extra = {"vectors": ["-o", str(tmp_path / "v")],
             "model": ["--input", str(tmp_path / "x.npy"), "--output", str(tmp_path / "y.npy")],
             "sim": ["--build-dir", str(tmp_path / "b")],
             "build": ["--board", "icebreaker", "-o", str(tmp_path / "b")],
             "synth": ["--family", "ecp5", "-o", str(tmp_path / "b")]}[command]
    for path, needle in _bad_descriptors(tmp_path):
        rc = main([command, "--core", str(path)] + extra)
        err = capsys.readouterr().err
        assert rc == 2, (command, path, err)
        assert err.startswith("fftforge: error: ") and needle in err and str(path) in err, err
        assert err.count("\n") == 1 and "Traceback" not in err
