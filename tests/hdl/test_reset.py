"""The synchronous reset ``rst`` in the middle of a stream, in Amaranth's
simulator: (a) in the middle of a frame while samples stream in, (b) in the
middle of a drain (the input idle at a frame boundary for more than
``drain_after`` cycles, the controller pushing the frames in flight out with
bubbles).  Before the reset the output FIFO is filled (``ready`` held low),
and during it ``valid`` stays high with junk payloads (transfers in reset
cycles do not count).  After the release the next frames -- a fresh stimulus
-- must come out bit-exact against the bit-true model (every field of every
output word, counted: nothing lost, duplicated or reordered), with the first
output ``latency_cycles`` after the first accepted input, under random
valid/ready stalls and idle gaps, and nothing from before the reset may
appear at the output afterwards (nor any word after the last expected one).

The outputs emitted before the reset must be a prefix of the model's output
for the stimulus fed before it.  The last tests show that the check can
fail: an FFT core whose output FIFO, or whose stream controller, the reset
does not reach is caught (stale or shifted words after the reset)."""

import numpy as np
import pytest
from amaranth.hdl import ClockDomain, Module
from amaranth.sim import Simulator

from fftforge.config import FFTConfig
from fftforge.filter_config import FFTNetConfig, FilterConfig
from fftforge.hdl.fft import FFTCore
from fftforge.hdl.fftnet import FFTNetCore
from fftforge.hdl.filter import FilterCore
from fftforge.pyref import lanes
from fftforge.pyref.stimulus import make_stimulus
from fftforge.sim.check_filter import random_bias, random_weights


def _words(cfg, re, im, inverse=None):
    """Transfers (list of dicts of input fields) and expected output words
    (dict field -> 1-D array) of frames ``re``, ``im``."""
    w_in = lanes.input_words(cfg, re, im)
    count = w_in[next(iter(w_in))].size
    transfers = [{f: int(a.reshape(-1)[k]) for f, a in w_in.items()} for k in range(count)]
    y = lanes.model_stream(cfg, re, im, inverse)
    exp = {f: np.asarray(a).reshape(-1) for f, a in lanes.output_words(cfg, *y).items()}
    return transfers, exp


def run_reset_scenario(dut, cfg, pre, post, out_fields, *, mode, inv_pre=None, inv_post=None,
                       rst_cycles=2, p_valid=0.7, p_ready=0.7, seed=0):
    """Feed ``pre`` (transfers, whole frames), reset as ``mode`` says
    ("frame": in the middle of the last frame; "drain": once the drain after
    the last frame is under way), then feed ``post`` (whole frames); collect
    ``out_fields`` of every output word.  Returns a dict of what was seen."""
    m = Module()
    m.domains.sync = cd = ClockDomain("sync")
    m.submodules.dut = dut
    rng = np.random.default_rng(seed)
    fc = cfg.frame_cycles
    in_fields = list(pre[0])
    res = {"pre_out": [], "post_out": [], "extra": 0}
    # mid-frame cut: at this many accepted transfers (the middle of the last
    # frame) the FIFO is filled and the reset asserted; during the filling
    # at most fc/2 - 1 more transfers go in, so the reset stays mid-frame
    cut = (len(pre) // fc - 1) * fc + fc // 2
    limit = cut + max(fc // 2 - 1, 0)
    tail = 2 * cfg.latency_cycles + cfg.drain_after + 64
    budget = 40 * (len(pre) + len(post)) + 20 * cfg.latency_cycles + 5000

    async def tb(ctx):
        def offer(words, k, inv, v):
            ctx.set(dut.i.valid, int(v))
            if v:
                for f in in_fields:
                    ctx.set(getattr(dut.i.payload, f), words[k][f])
                if inv is not None:
                    ctx.set(dut.inverse, int(inv[k // fc]))

        def take(dst, r):
            ctx.set(dut.o.ready, int(r))
            if r and ctx.get(dut.o.valid):
                dst.append({f: ctx.get(getattr(dut.o.payload, f)) for f in out_fields})
                return True
            return False

        cycle = 0
        # --- before the reset -------------------------------------------
        k, idle, drained, hold = 0, 0, 0, 0
        while True:
            assert cycle < budget, "timeout before the reset"
            if hold:
                r = False
                hold -= 1
                if hold == 0:
                    break
            else:
                r = rng.random() < p_ready
            if mode == "frame":
                v = k < (limit if hold else cut) and (hold > 0 or rng.random() < p_valid)
                offer(pre, k, inv_pre, v)
                if v and ctx.get(dut.i.ready):
                    k += 1
                take(res["pre_out"], r)
                if k == cut and not hold:
                    hold = 6               # fill the FIFO, keep offering samples
            else:
                v = k < len(pre) and rng.random() < p_valid
                offer(pre, k, inv_pre, v)
                if v and ctx.get(dut.i.ready):
                    k += 1
                if k == len(pre) and not v:
                    idle += 1
                if take(res["pre_out"], r) and idle > cfg.drain_after + 1:
                    drained += 1
                pending = len(pre) - len(res["pre_out"])
                # more words out since the input went idle than the FIFO holds:
                # the pipeline moves without input, i.e. it drains
                if drained > 3 and pending > 4 and not hold:
                    hold = 6
                assert pending > 4 or hold, "drain ended before the reset could hit it"
            await ctx.tick()
            cycle += 1
        res["pre_accepted"] = k
        res["pre_idle"] = idle
        res["drained_before_reset"] = drained
        # --- reset: valid high with junk, ready random, nothing counts ------
        res["fifo_full_at_reset"] = bool(ctx.get(dut.o.valid)) and not ctx.get(dut.i.ready)
        ctx.set(cd.rst, 1)
        for _ in range(rst_cycles):
            ctx.set(dut.i.valid, 1)
            for f in in_fields:
                ctx.set(getattr(dut.i.payload, f), int(rng.integers(-4, 4)))
            ctx.set(dut.o.ready, int(rng.random() < 0.5))
            await ctx.tick()
            cycle += 1
        ctx.set(cd.rst, 0)
        # --- after the reset: no stalls until the first output (latency), then
        # random stalls, an idle gap (drain) after frame 1, the final drain ---
        k, gap, gapped = 0, 0, False
        first_in = first_out = None
        while len(res["post_out"]) < len(post):
            assert cycle < budget, f"timeout: {len(res['post_out'])} of {len(post)} words after reset"
            steady = first_out is None
            if gap:
                v = False
                gap -= 1
            else:
                v = k < len(post) and (steady or rng.random() < p_valid)
            offer(post, k, inv_post, v)
            r = steady or rng.random() < p_ready
            if v and ctx.get(dut.i.ready):
                if first_in is None:
                    first_in = cycle
                k += 1
                if k % fc == 0 and first_out is not None and not gapped and k < len(post):
                    gap, gapped = cfg.drain_after + 5, True
            if take(res["post_out"], r) and first_out is None:
                first_out = cycle
            await ctx.tick()
            cycle += 1
        res["post_accepted"] = k
        # --- nothing more may come out ---------------------------------
        ctx.set(dut.i.valid, 0)
        for _ in range(tail):
            ctx.set(dut.o.ready, 1)
            if ctx.get(dut.o.valid):
                res["extra"] += 1
            await ctx.tick()
        res["latency"] = first_out - first_in

    sim = Simulator(m)
    sim.add_clock(1e-8)
    sim.add_testbench(tb)
    sim.run()
    return res


def _check(cfg, res, pre_exp, post_exp, post_len):
    assert res["post_accepted"] == post_len
    assert res["extra"] == 0, f"{res['extra']} words after the last expected one"
    got = res["post_out"]
    assert len(got) == len(post_exp[next(iter(post_exp))])
    for f, exp in post_exp.items():
        g = np.array([w[f] for w in got])
        bad = np.nonzero(g != exp)[0]
        assert not len(bad), (f"field {f}: {len(bad)} of {len(exp)} words differ after the reset, first at "
                              f"word {bad[0]}: got {g[bad[0]]}, expected {exp[bad[0]]}")
    assert res["latency"] == cfg.latency_cycles
    # the words before the reset: a prefix of the pre-reset stimulus' output
    pre = res["pre_out"]
    assert len(pre) > 0
    for f, exp in pre_exp.items():
        assert np.array_equal(np.array([w[f] for w in pre]), exp[: len(pre)]), f"field {f} before the reset"


def _stimulus(cfg, frames, rng, kind="random"):
    re, im = make_stimulus(kind, frames, lanes.frame_samples(cfg), cfg.width, rng)
    inv = rng.random(frames) < 0.5 if getattr(cfg, "direction", None) == "runtime" else None
    return re, im, inv


def _scenario(make_dut, cfg, mode, seed, rst_cycles=2):
    rng = np.random.default_rng(seed)
    fc = cfg.frame_cycles
    # enough frames in flight that the reset hits outputs and a full pipeline
    pre_frames = -(-cfg.latency_cycles // fc) + 2
    post_frames = -(-cfg.latency_cycles // fc) + 3   # the input never runs dry before the first output
    pre_re, pre_im, pre_inv = _stimulus(cfg, pre_frames, rng)
    post_re, post_im, post_inv = _stimulus(cfg, post_frames, rng)
    pre, pre_exp = _words(cfg, pre_re, pre_im, pre_inv)
    post, post_exp = _words(cfg, post_re, post_im, post_inv)
    res = run_reset_scenario(make_dut(), cfg, pre, post, list(post_exp), mode=mode, inv_pre=pre_inv, inv_post=post_inv,
                             rst_cycles=rst_cycles, seed=seed)
    # words waiting in the output FIFO (full: the input held off) when the reset came
    assert res["fifo_full_at_reset"]
    if mode == "frame":
        assert 0 < res["pre_accepted"] % fc, "the reset was meant to hit the middle of a frame"
    else:
        assert res["pre_accepted"] == len(pre) and res["drained_before_reset"] > 3
    _check(cfg, res, pre_exp, post_exp, len(post))
    return res


def _filter_cfg(cls, seed, **kw):
    cfg0 = cls(**kw)
    rng = np.random.default_rng(seed)
    wr, wi = random_weights(cfg0, rng)
    extra = {"bias": tuple(random_bias(cfg0, rng))} if cls is FFTNetConfig else {}
    return cfg0.replace(weights_re=wr.ravel(), weights_im=wi.ravel(), **extra)


FFT_CASES = {
    # one lane, runtime direction (the inverse flag held per frame), cmul 3
    "fft16-p1-runtime": dict(n=16, width=8, twiddle_width=8, arch="r22sdf", direction="runtime", cmul=3),
    # two lanes, r2sdf, bit-reversed, inverse, drain at once
    "fft32-p2-r2sdf": dict(n=32, width=8, twiddle_width=8, arch="r2sdf", lanes=2, order="bit_reversed",
                           direction="inverse", drain_after=0),
    # four lanes, natural order (lane reorder banks), truncation
    "fft16-p4": dict(n=16, width=8, twiddle_width=8, arch="r22sdf", lanes=4, rounding="truncate",
                     drain_after=5),
}


@pytest.mark.parametrize("mode", ["frame", "drain"])
@pytest.mark.parametrize("case", list(FFT_CASES))
def test_fft_reset_mid_stream(case, mode):
    cfg = FFTConfig(**FFT_CASES[case])
    _scenario(lambda: FFTCore(cfg), cfg, mode, seed=len(case) + (mode == "drain"),
              rst_cycles=1 if mode == "frame" else 3)


@pytest.mark.parametrize("mode", ["frame", "drain"])
def test_filter_reset_mid_stream(mode):
    # three channels: after the reset frame 0 uses channel 0 again
    cfg = _filter_cfg(FilterConfig, 5, n=16, width=8, coef_width=8, channels=3, drain_after=4)
    _scenario(lambda: FilterCore(cfg), cfg, mode, seed=7 + (mode == "drain"))


@pytest.mark.parametrize("mode", ["frame", "drain"])
def test_fftnet_reset_mid_stream(mode):
    cfg = _filter_cfg(FFTNetConfig, 6, n=16, width=8, coef_width=8, channels=2, drain_after=4)
    _scenario(lambda: FFTNetCore(cfg), cfg, mode, seed=9 + (mode == "drain"))


# --- the check can fail: cores with a part the reset does not reach --------

def _reset_less(cls):
    """A factory for ``cls`` parts that run in the reset-less domain ``nr``
    (same clock as ``sync``): the reset never reaches them."""
    from amaranth.hdl import DomainRenamer

    def make(*args, **kw):
        return DomainRenamer({"sync": "nr"})(cls(*args, **kw))
    return make


@pytest.mark.parametrize("part", ["SyncFIFO", "PipelineControl"])
@pytest.mark.parametrize("mode", ["frame", "drain"])
def test_check_catches_a_part_left_out_of_the_reset(monkeypatch, part, mode):
    import fftforge.hdl.shell as shell
    from amaranth.hdl import ClockSignal

    monkeypatch.setattr(shell, part, _reset_less(getattr(shell, part)))
    cfg = FFTConfig(**FFT_CASES["fft16-p1-runtime"])

    class Mutant(FFTCore):
        def elaborate(self, platform):
            m = super().elaborate(platform)
            m.domains.nr = ClockDomain("nr", reset_less=True)
            m.d.comb += ClockSignal("nr").eq(ClockSignal("sync"))
            return m

    # stale words at the output, or words lost or shifted
    with pytest.raises(AssertionError, match="words"):
        _scenario(lambda: Mutant(cfg), cfg, mode, seed=3)
