"""The AXI4-Stream wrapper (``fftforge generate --wrapper axis``,
:mod:`fftforge.hdl.axis`) on Verilator, driven by cocotbext-axi's
``AxiStreamSource``/``AxiStreamSink`` (``axis_bench.py``) under random
backpressure on both sides and idle gaps that make the core drain: every
output word (``tdata``: re, im per lane, padding bits included; ``tuser``:
overflow, wseq) equals the bit-true model's, every frame ends with ``tlast``
on its last word and nowhere else, and the input ``tlast`` check pulses
exactly for the frames sent with a wrong ``tlast``.

Cores: an N = 16 FFT with runtime direction (``inverse`` in
``s_axis_data_tuser``) and a clipping schedule (so ``overflow`` is set on
some frames), and an N = 16, 2-lane spectral filter with runtime weights
(written through ``s_axis_weights`` while frames stream; ``wseq`` in
``tuser``).  Also: the wrapper of every kind is accepted by Verilator's
lint and by Icarus Verilog (``-g2001``, where ``iverilog`` is installed).
"""

import json
import os
import pathlib
import shutil
import subprocess
import types

import numpy as np
import pytest

from fftforge.config import FFTConfig
from fftforge.filter_config import FFTNetConfig, FilterConfig
from fftforge.hdl import export
from fftforge.hdl import filter as hfilter
from fftforge.pyref import lanes
from fftforge.pyref.fft import FFTModel
from fftforge.pyref.stimulus import make_stimulus
from fftforge.sim.check_filter import compare_job, filter_job, random_writes
from fftforge.sim.payload import unpack
from fftforge.sim.runner import verilator_env

HERE = pathlib.Path(__file__).parent


def axis_words(fields: dict, values: dict, count: int) -> list:
    """AXI words from field values (each sign/zero-extended to its
    container, as the wrapper's descriptor entry lays them out)."""
    words = [0] * count
    for name, f in fields.items():
        col = [int(v) for v in np.asarray(values[name]).reshape(-1)]
        assert len(col) == count, name
        mask = (1 << f["bits"]) - 1
        for k, v in enumerate(col):
            words[k] |= (v & mask) << f["offset"]
    return words


def _frames(words: list, frames: int) -> list:
    """A flat list of (arbitrarily wide) words as ``frames`` lists."""
    k = len(words) // frames
    return [words[f * k:(f + 1) * k] for f in range(frames)]


def _generate(cfg, outdir):
    gen = export.generate if isinstance(cfg, FFTConfig) else hfilter.generate
    paths = export.add_wrapper(gen(cfg, str(outdir)), "axis")
    desc = json.loads(pathlib.Path(paths["json"]).read_text())
    return paths, desc


def _run(paths, desc, job, build_dir, monkeypatch):
    """Build wrapper + core with Verilator and run ``axis_bench`` on ``job``."""
    from cocotb_tools.runner import get_runner
    verilator_env()
    monkeypatch.syspath_prepend(str(HERE))        # the cocotb process imports axis_bench
    runner = get_runner("verilator")
    runner.build(sources=[paths["wrapper"], paths["verilog"]], hdl_toplevel=desc["wrapper"]["module"],
                 build_dir=str(build_dir),
                 build_args=["-Wno-fatal", "-Wno-WIDTHEXPAND", "-Wno-WIDTHTRUNC", "-Wno-CASEINCOMPLETE"],
                 always=False, log_file=str(build_dir / "build.log"))
    job = dict(job, wrapper=desc["wrapper"], result=str(build_dir / "result.json"),
               drain_after=desc["drain_after"])
    jpath = build_dir / "job.json"
    jpath.write_text(json.dumps(job))
    runner.test(test_module="axis_bench", hdl_toplevel=desc["wrapper"]["module"], build_dir=str(build_dir),
                test_dir=str(build_dir), extra_env={"FFTFORGE_AXIS_JOB": str(jpath)},
                log_file=str(build_dir / "sim.log"))
    res = build_dir / "result.json"
    assert res.exists(), (build_dir / "sim.log").read_text()[-3000:]
    return json.loads(res.read_text())


def _sends(in_words, tuser, merge=(), split=(), gap_every=3, gap=20):
    """The input frames as AXI frames: frame pairs ``(f, f+1)`` in ``merge``
    sent as one (tlast missing on f's last word), frames in ``split`` sent as
    two halves (an unexpected tlast in the middle); an idle gap after every
    ``gap_every`` frames."""
    frames = len(in_words)
    out, f = [], 0
    while f < frames:
        words = [[w, u] for w, u in zip(in_words[f], tuser[f])]
        if f in merge:
            words += [[w, u] for w, u in zip(in_words[f + 1], tuser[f + 1])]
            f += 1
        if f in split:
            h = len(words) // 2
            out.append({"words": words[:h], "gap_after": 0})
            words = words[h:]
        f += 1
        out.append({"words": words, "gap_after": gap if f % gap_every == 0 else 0})
    return out


def _check_frames(res, entry, expected: dict, frames: int, transfers: int) -> dict:
    """Frames received as sent (tlast on each frame's last word only), raw
    words equal to the expectation where given; returns the received fields
    ``(frames, transfers)`` unpacked with the descriptor entry's layout."""
    m = entry["ports"]["output"]
    got = res["frames"]
    assert len(got) == frames and res["extra_frames"] == 0
    assert [len(fr["tdata"]) for fr in got] == [transfers] * frames      # tlast exactly on each last word
    tdata = [w for fr in got for w in fr["tdata"]]
    tuser = [w for fr in got for w in fr["tuser"]]
    fields = {**unpack(m["tdata_fields"], tdata), **unpack(m["tuser_fields"], tuser)}
    # padding: every container sign-/zero-extended (re-packing gives the raw words)
    assert axis_words(m["tdata_fields"], fields, len(tdata)) == tdata
    assert axis_words(m["tuser_fields"], fields, len(tuser)) == tuser
    for name, e in expected.items():
        e = np.asarray(e).reshape(-1)
        bad = np.nonzero(e != fields[name])[0]
        assert not len(bad), (f"{name}: {len(bad)} of {len(e)} words differ, first at word {bad[0]}: "
                              f"expected {e[bad[0]]}, got {fields[name][bad[0]]}")
    return {k: np.asarray(v).reshape(frames, transfers) for k, v in fields.items()}


def test_axis_fft_runtime_direction(tmp_path, monkeypatch):
    """N = 16 FFT, runtime direction in tuser, a clipping schedule:
    12 frames (full-scale and 1/16-scale, random directions), random pauses
    on s_axis and m_axis, idle gaps; one frame sent without its tlast and
    one split by an early tlast: exactly one event of each kind."""
    cfg = FFTConfig(n=16, width=12, direction="runtime", schedule=(0, 0, 1, 1), drain_after=8, name="axfft")
    paths, desc = _generate(cfg, tmp_path)
    entry = desc["wrapper"]
    frames = 12
    rng = np.random.default_rng(3)
    re, im = make_stimulus("random", frames, cfg.n, cfg.width, rng)
    re[1::2] >>= 4
    im[1::2] >>= 4
    inverse = rng.random(frames) < 0.5
    y_re, y_im, y_ovf = FFTModel(cfg)(re, im, inverse)
    exp = lanes.output_words(cfg, y_re, y_im, y_ovf)
    assert exp["overflow"].any() and not exp["overflow"].all()
    s = entry["ports"]["input"]
    in_words = _frames(axis_words(s["tdata_fields"], lanes.input_words(cfg, re, im), frames * cfg.n), frames)
    tuser = _frames(axis_words(s["tuser_fields"], {"inverse": np.repeat(inverse, cfg.n)}, frames * cfg.n), frames)
    job = {"sends": _sends(in_words, tuser, merge=(4,), split=(8,)), "frames_out": frames, "seed": 5,
           "p_pause_in": 0.3, "p_pause_out": 0.35, "timeout_ns": 200_000}
    res = _run(paths, desc, job, tmp_path / "build", monkeypatch)
    _check_frames(res, entry, {k: v for k, v in exp.items() if k != "last"}, frames, cfg.frame_cycles)
    ev = entry["ports"]["events"]
    assert res["events"] == {ev["tlast_unexpected"]: 1, ev["tlast_missing"]: 1}


def test_axis_filter_runtime_weights_lanes(tmp_path, monkeypatch):
    """N = 16 spectral filter, 2 lanes, 2 channels, 9-bit data, runtime
    weights written through s_axis_weights (under its own pauses) while 10
    frames stream: every frame bit-exact with the model for the memory after
    the wseq writes it reports in tuser."""
    cfg = FilterConfig(n=16, width=9, lanes=2, channels=2, weights="runtime", drain_after=8, name="axfilt")
    paths, desc = _generate(cfg, tmp_path)
    entry = desc["wrapper"]
    frames = 10
    rng = np.random.default_rng(9)
    writes, _ = random_writes(cfg, rng, 24, 1)
    gaps = rng.integers(0, 16, 24)
    gaps[:6] = 0
    job0 = filter_job(cfg, frames, seed=4, writes=writes)
    s, w = entry["ports"]["input"], entry["ports"]["weights"]
    t = lanes.frame_transfers(cfg)
    in_words = _frames(axis_words(s["tdata_fields"], job0.inputs, frames * t), frames)
    job = {"sends": _sends(in_words, [[0] * t] * frames), "frames_out": frames, "seed": 6,
           "p_pause_in": 0.3, "p_pause_out": 0.35, "timeout_ns": 200_000,
           "weights": axis_words(w["tdata_fields"], writes, 24), "weight_gaps": [int(g) for g in gaps]}
    res = _run(paths, desc, job, tmp_path / "build", monkeypatch)
    got = _check_frames(res, entry, {}, frames, t)
    got["last"] = lanes.last_flags(frames, t)
    r = types.SimpleNamespace(outputs=got, mismatches={}, first_mismatch=None,
                              aux_accepted={"weights": res["weights_accepted"]})
    cmp = compare_job(cfg, job0, r)
    assert not any(cmp["mismatches"].values()), cmp
    assert res["weights_accepted"] == 24
    assert cmp["wseq"][0] < cmp["wseq"][-1]                   # writes landed while frames streamed
    assert res["events"] == {"event_tlast_unexpected": 0, "event_tlast_missing": 0}


KINDS = [FFTConfig(n=16, width=8, lanes=2, direction="runtime", name="lint_fft"),
         FilterConfig(n=16, width=8, weights="runtime", channels=2, name="lint_filt"),
         FFTNetConfig(n=16, width=8, lanes=2, name="lint_fftnet"),
         FFTNetConfig(n=16, width=8, real_pairs=True, weights="runtime", channels=2, name="lint_fftnet_rp")]


@pytest.mark.parametrize("cfg", KINDS, ids=lambda c: c.name)
def test_wrapper_is_plain_verilog(cfg, tmp_path):
    """Verilator's lint (no warning but the unused padding bits) and Icarus
    Verilog in Verilog-2001 mode accept wrapper + core."""
    paths, desc = _generate(cfg, tmp_path)
    env = {**os.environ, **verilator_env()}
    top = desc["wrapper"]["module"]
    r = subprocess.run(["verilator", "--lint-only", "-Wall", "-Wno-fatal", "--top-module", top, paths["wrapper"],
                        paths["verilog"]], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    ours = [l for l in r.stderr.splitlines() if os.path.basename(paths["wrapper"]) in l and "%Warning" in l]
    assert all("UNUSEDSIGNAL" in l for l in ours), ours
    if shutil.which("iverilog"):
        r = subprocess.run(["iverilog", "-g2001", "-s", top, "-o", str(tmp_path / "a.vvp"), paths["wrapper"],
                            paths["verilog"]], capture_output=True, text=True)
        assert r.returncode == 0 and not r.stderr.strip(), r.stderr
