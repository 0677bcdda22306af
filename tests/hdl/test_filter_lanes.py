"""P-lane spectral filter and FFTNet cores (P = 2, 4, 8) in Amaranth's
simulator: every output word of every lane against the bit-true models (the
same models as one lane: the words are identical), under random valid/ready
stalls on the input, the output and the weight port, with runtime weight
(and bias) rewrites before and during frames checked against the memory
state after the ``wseq`` writes each frame reports."""

import numpy as np
import pytest

from fftforge.config import ConfigError
from fftforge.filter_config import FFTNetConfig, FilterConfig
from fftforge.hdl.filter import FilterCore, descriptor
from fftforge.pyref.filter import frame_weights
from fftforge.pyref.stimulus import make_stimulus
from fftforge.sim.check_filter import (_model, group_flags, lane_words, random_bias, random_weights,
                                       random_writes, sample_words)
from streamsim import run_stream


def _cfg(cls, seed, **kw):
    cfg0 = cls(width=10, coef_width=12, **kw)
    rng = np.random.default_rng(seed)
    wr, wi = random_weights(cfg0, rng)
    extra = {"bias": tuple(random_bias(cfg0, rng))} if cls is FFTNetConfig else {}
    return cfg0.replace(weights_re=wr.ravel(), weights_im=wi.ravel(), **extra)


def run_lanes(cfg, frames, seed=0, p_valid=0.75, p_ready=0.75, writes=None, write_at=None, p_w=0.7):
    """Drive a lane core with random stalls (and weight-port writes offered no
    earlier than ``write_at`` cycles, with their own valid stalls); return the
    received words ``{field: (frames, n/P)}``, the cycles of the first input
    and output transfers and the weight writes accepted."""
    rng = np.random.default_rng(seed)
    re, im = make_stimulus("random", frames, cfg.n, cfg.width, rng)
    samples = {"re": re, "im": im} if "im" in cfg.sample_fields else {"re": re}
    got, info = drive(FilterCore(cfg), cfg, lane_words(cfg, samples), frames, seed, p_valid, p_ready,
                      writes, write_at, p_w)
    return samples, got, info


def drive(dut, cfg, words, frames, seed, p_valid=0.75, p_ready=0.75, writes=None, write_at=None, p_w=0.7):
    """Offer the transfers ``words`` ({field: (frames, T)}) to ``dut.i`` and
    collect as many from ``dut.o`` with :func:`streamsim.run_stream` (the
    weight writes as its side stream).  Returns ``({field: (frames, T)},
    {"w": writes accepted, "first_in", "first_out"})``."""
    fc = next(iter(words.values())).shape[1]
    flat = {f: np.asarray(a).reshape(-1) for f, a in words.items()}
    samples = [{f: a[k] for f, a in flat.items()} for k in range(frames * fc)]
    out_fields = list(cfg.output_fields) + ["last", "overflow"] + (["wseq"] if cfg.weights == "runtime" else [])
    side = None if writes is None else {"port": dut.w, "words": writes, "at": write_at, "p_valid": p_w}
    outs, first_in, first_out = run_stream(dut, samples, p_valid=p_valid, p_ready=p_ready, seed=seed,
                                           fields=tuple(flat), out_fields=out_fields, side=side)
    got = {f: np.array([o[f] for o in outs]).reshape(frames, fc) for f in out_fields}
    return got, {"w": 0 if side is None else side["accepted"], "first_in": first_in, "first_out": first_out}


def check(cfg, frames, seed=0, writes=None, write_at=None, **kw):
    samples, got, info = run_lanes(cfg, frames, seed, writes=writes, write_at=write_at, **kw)
    re = samples["re"]
    im = samples.get("im", np.zeros_like(re))
    model = _model(cfg)
    margs = {}
    if cfg.weights == "runtime":
        wseq = got["wseq"][:, 0]
        assert (got["wseq"] == wseq[:, None]).all(), "wseq changes within a frame"
        assert (np.diff(wseq.astype(np.int64)) >= 0).all() and wseq[-1] <= info["w"]
        ws = wseq if writes is not None else None
        f_re, f_im, f_b = frame_weights(cfg, frames, writes, ws)
        margs["weights"] = (f_re, f_im)
        if cfg.real_output:
            margs["bias"] = f_b
        if cfg.real_pairs:
            g_re, g_im, g_b = frame_weights(cfg, frames, writes, ws, second=True)
            margs["weights"] = ((f_re, f_im), (g_re, g_im))
            if cfg.real_output:
                margs["bias"] = (f_b, g_b)
    y_re, y_im, ovf = model(re, im, **margs)
    g = sample_words(cfg, got)
    assert np.array_equal(g["re"], y_re), "re mismatch"
    if "im" in cfg.sample_fields:
        assert np.array_equal(g["im"], y_im), "im mismatch"
    # per lane too, by name: lane l of transfer t is sample t*P + l
    P = cfg.lanes
    for l, names in enumerate(cfg.lane_fields):
        assert np.array_equal(got[names[0]], y_re[:, l::P]), f"lane {l}"
    assert np.array_equal(got["overflow"], group_flags(cfg, ovf)), "overflow flag mismatch"
    assert (got["last"][:, -1] == 1).all() and (got["last"][:, :-1] == 0).all(), "last misplaced"
    return got, info


ROM_CASES = [
    (FilterConfig, dict(n=16, lanes=2, channels=3, arch="r22sdf")),
    (FilterConfig, dict(n=16, lanes=8, channels=1, arch="r2sdf", rounding="truncate")),
    pytest.param(FilterConfig, dict(n=64, lanes=4, channels=3, arch="r22sdf", cmul=3), marks=pytest.mark.slow),
    (FFTNetConfig, dict(n=16, lanes=4, channels=3, arch="r22sdf")),
    pytest.param(FFTNetConfig, dict(n=16, lanes=8, channels=1, arch="r2sdf"), marks=pytest.mark.slow),
    # real pairs: banked pairing buffer, -k weights from the mirrored bank
    (FilterConfig, dict(n=16, lanes=4, channels=3, real_pairs=True)),
    (FFTNetConfig, dict(n=16, lanes=2, channels=2, real_pairs=True, arch="r2sdf")),
    pytest.param(FilterConfig, dict(n=16, lanes=8, channels=1, real_pairs=True), marks=pytest.mark.slow),
]


@pytest.mark.parametrize("cls,kw", ROM_CASES, ids=lambda v: v.__name__ if isinstance(v, type) else
                         "-".join(f"{k}{x}" for k, x in v.items()))
def test_lane_rom_cores_bit_exact_under_stalls(cls, kw):
    cfg = _cfg(cls, kw["lanes"] + kw["channels"], **kw)
    check(cfg, frames=kw["channels"] + 2, seed=kw["lanes"])


RUNTIME_CASES = [
    (FilterConfig, dict(n=16, lanes=2, channels=3)),
    (FilterConfig, dict(n=16, lanes=4, channels=1)),
    (FilterConfig, dict(n=64, lanes=2, channels=3, arch="r2sdf")),
    (FFTNetConfig, dict(n=16, lanes=4, channels=3)),
    pytest.param(FFTNetConfig, dict(n=64, lanes=4, channels=1), marks=pytest.mark.slow),
    (FFTNetConfig, dict(n=16, lanes=2, channels=3, real_pairs=True)),
    pytest.param(FilterConfig, dict(n=32, lanes=4, channels=3, real_pairs=True), marks=pytest.mark.slow),
]


@pytest.mark.parametrize("cls,kw", RUNTIME_CASES, ids=lambda v: v.__name__ if isinstance(v, type) else
                         "-".join(f"{k}{x}" for k, x in v.items()))
def test_lane_runtime_cores_with_writes_bit_exact_under_stalls(cls, kw):
    cfg = _cfg(cls, 40 + kw["lanes"], weights="runtime", **kw)
    # enough frames that the first reaches the multiplier while the input
    # still streams (the pipeline only moves with accepted samples)
    frames = kw["channels"] + 4 + -(-cfg.fft_forward.latency_cycles // cfg.frame_cycles)
    rng = np.random.default_rng(kw["lanes"] * 7 + kw["channels"])
    span = frames * cfg.frame_cycles + cfg.latency_cycles // 2
    writes, at = random_writes(cfg, rng, 6 * (kw["channels"] + 4), span)
    got, info = check(cfg, frames, seed=kw["channels"], writes=writes, write_at=at)
    # the writes went in (to every bank), before and during the run; frames saw
    # several states.  (One channel: a write lands only at a frame boundary,
    # one per frame, so not all of them are in before the last output; real
    # pairs: each frame holds two of the channels, so writes queue longer.)
    if cfg.channels > 1 and not cfg.real_pairs:
        assert info["w"] == len(writes["addr"])
    done = writes["addr"][: info["w"]]
    assert set((done[done < cfg.channels * cfg.n] % cfg.lanes).tolist()) == set(range(cfg.lanes))
    wseq = got["wseq"][:, 0]
    assert wseq[0] > 0 and len(set(wseq.tolist())) >= 3, wseq


@pytest.mark.parametrize("cls,lanes", [(FilterConfig, 2), (FilterConfig, 4), (FFTNetConfig, 8)])
def test_lane_latency_and_full_throughput(cls, lanes):
    cfg = _cfg(cls, lanes, n=16, lanes=lanes)
    frames = cfg.latency_cycles // cfg.frame_cycles + 3
    _, _, info = run_lanes(cfg, frames, seed=1, p_valid=1.0, p_ready=1.0)
    assert info["first_out"] - info["first_in"] == cfg.latency_cycles
    # latency from the lane FFTs' own formulas
    assert cfg.pipeline_latency == (cfg.fft_forward.pipeline_latency + cfg.mid_latency
                                    + cfg.fft_inverse.pipeline_latency)
    assert cfg.fft_forward.lanes == cfg.fft_inverse.lanes == lanes


@pytest.mark.parametrize("n,lanes,taps", [(16, 2, 3), (16, 4, 5), pytest.param(32, 8, 9, marks=pytest.mark.slow)])
def test_lane_overlap_save_bit_exact_under_stalls(n, lanes, taps):
    """P-lane overlap-save: history and discard move whole transfers; the
    kept words equal the model's (one-lane) words, ``last`` on each frame's
    final kept transfer."""
    from fftforge.hdl.filter import OverlapSaveFilter
    from fftforge.pyref.filter import design_weights
    from fftforge.sim.check_filter import overlap_save_job
    (wr, wi), _ = design_weights("lowpass", n, 12, cutoff=0.2, taps=taps)
    cfg = FilterConfig(n=n, width=10, coef_width=12, mode="overlap_save", taps=taps, lanes=lanes,
                       weights_re=wr, weights_im=wi)
    frames = 12
    job = overlap_save_job(cfg, frames, seed=lanes)
    got, _ = drive(OverlapSaveFilter(cfg), cfg, job.inputs, frames, seed=lanes)
    for f, e in job.expected.items():
        assert np.array_equal(got[f], e), f
    assert got["last"].shape == (frames, cfg.hop // lanes)


def test_lane_words_equal_one_lane_words():
    """The P-lane core's words equal the one-lane core's (same stimulus)."""
    cfg1 = _cfg(FilterConfig, 5, n=16, channels=2)
    _, g1, _ = run_lanes(cfg1, 4, seed=3)
    _, g4, _ = run_lanes(cfg1.replace(lanes=4), 4, seed=3)
    cfg4 = cfg1.replace(lanes=4)
    s4 = sample_words(cfg4, g4)
    assert np.array_equal(s4["re"], g1["re"]) and np.array_equal(s4["im"], g1["im"])


def test_lanes_config_errors():
    with pytest.raises(ConfigError, match="lanes"):
        FilterConfig(n=16, lanes=3)
    with pytest.raises(ConfigError, match="lanes must be at most n/2"):
        FilterConfig(n=8, lanes=8)
    with pytest.raises(ConfigError, match=r"taps - 1 must be a multiple of lanes .*taps=4, lanes=2; use taps=5"):
        FilterConfig(n=16, lanes=2, mode="overlap_save", taps=4)
    with pytest.raises(ConfigError, match=r"taps=6, lanes=4; no such taps <= n/2 = 8"):
        FilterConfig(n=16, lanes=4, mode="overlap_save", taps=6)
    assert FilterConfig(n=16, lanes=4, mode="overlap_save", taps=5).hop == 12
    cfg = FFTNetConfig(n=16, lanes=4)
    assert cfg.input_fields == ("re0", "re1", "re2", "re3")
    assert FilterConfig.from_dict(FilterConfig(n=32, lanes=2).to_dict()).lanes == 2


def test_lane_descriptor():
    cfg = FFTNetConfig(n=16, lanes=4, channels=3, weights="runtime")
    d = descriptor(cfg)
    assert d["lanes"] == d["samples_per_cycle"] == 4 and d["frame_cycles"] == 4
    lanes = d["ports"]["output"]["lanes"]
    fields = d["ports"]["output"]["fields"]
    assert [e["re"] for e in lanes] == ["re0", "re1", "re2", "re3"]
    assert all(e["re_offset"] == fields[e["re"]]["offset"] for e in lanes)
    assert "wseq" in fields and "banks" in d["ports"]["weights"]
    fl = descriptor(FilterConfig(n=16, lanes=2))["ports"]["input"]["lanes"]
    assert [(e["re"], e["im"]) for e in fl] == [("re0", "im0"), ("re1", "im1")]
