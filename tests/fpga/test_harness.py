"""The self-checking stimulus harness in Amaranth's simulator: its checksum of
the core's output equals the one computed from the bit-true model (so a board
lights 'pass' only when the hardware is bit-exact), and a wrong expectation
lights 'fail'."""

import pytest
from amaranth.sim import Simulator

from fftforge.config import FFTConfig
from fftforge.errors import UserError
from fftforge.filter_config import FFTNetConfig, FilterConfig
from fftforge.fpga.harness import (LFSR_MASK, LFSR_SEED, StimulusHarness, checksum, component_core,
                                   expected_checksum, fold32, lfsr_seed, stimulus_words, verilog_core)
from fftforge.hdl.export import descriptor
from fftforge.hdl.fft import FFTCore
from fftforge.pyref.lanes import frame_transfers


def test_stimulus_is_the_galois_lfsr():
    w = stimulus_words(3, 64)
    assert w[0] == LFSR_SEED
    s = LFSR_SEED
    s = (s >> 1) ^ (LFSR_MASK if s & 1 else 0)
    assert w[1] == s
    assert stimulus_words(3, 8) == [x & 0xFF for x in w]


def test_wide_payloads_take_one_lfsr_per_64_bits():
    # P-lane cores: payloads wider than 64 bits (e.g. 8 lanes x 2 x 16 bits)
    narrow = stimulus_words(5, 64)
    wide = stimulus_words(5, 150)
    assert [x & ((1 << 64) - 1) for x in wide] == narrow          # bits 0..63: LFSR 0, unchanged
    s = lfsr_seed(1)
    for x in wide:
        assert (x >> 64) & ((1 << 64) - 1) == s                   # bits 64..127: LFSR 1
        s = (s >> 1) ^ (LFSR_MASK if s & 1 else 0)
    assert all(x >> 150 == 0 for x in wide)
    assert len({lfsr_seed(j) for j in range(8)}) == 8 and all(lfsr_seed(j) for j in range(8))


def test_checksum_definition():
    assert fold32(0x1_0000_0002_0000_0003) == 1 ^ 2 ^ 3
    # rotl-1 then xor: two words
    assert checksum([0x80000000, 5]) == (1 ^ 5)
    assert checksum([]) == 0


def _descriptor(cfg):
    if isinstance(cfg, FFTConfig):
        return descriptor(cfg)
    from fftforge.hdl import filter as hf
    return hf.descriptor(cfg)


def _component(cfg):
    """The Amaranth top ``fftforge generate`` exports for ``cfg``, and its descriptor."""
    if isinstance(cfg, FFTConfig):
        return FFTCore(cfg), descriptor(cfg)
    from fftforge.hdl import filter as hf
    top = hf.OverlapSaveFilter(cfg) if cfg.mode == "overlap_save" else hf.FilterCore(cfg)
    return top, hf.descriptor(cfg)


def _run(cfg, expected, frames=2, cycles=3000):
    core, desc = _component(cfg)
    h = StimulusHarness(component_core(core, desc), frame_transfers(cfg), check_frames=frames,
                        expected=expected)
    sim = Simulator(h)
    sim.add_clock(1e-8)
    res = {}

    async def tb(ctx):
        for _ in range(cycles):
            await ctx.tick()
            if ctx.get(h.done):
                break
        res.update(done=ctx.get(h.done), p=ctx.get(h.pass_), f=ctx.get(h.fail), cs=ctx.get(h.latched),
                   ovf=ctx.get(h.overflow))
    sim.add_testbench(tb)
    sim.run()
    return res


@pytest.mark.parametrize("cfg", [FFTConfig(n=16, width=8), FFTConfig(n=8, width=6, arch="r2sdf",
                                                                      order="bit_reversed"),
                                 FFTConfig(n=16, width=8, cycles_per_sample=2, target="ice40")])
def test_harness_checksum_matches_model(cfg):
    exp = expected_checksum(cfg, descriptor(cfg), 2)
    r = _run(cfg, exp)
    assert r["done"] and r["cs"] == exp and r["p"] == 1 and r["f"] == 0 and r["ovf"] == 0


def test_harness_flags_a_mismatch():
    cfg = FFTConfig(n=8, width=6)
    exp = expected_checksum(cfg, descriptor(cfg), 2)
    r = _run(cfg, exp ^ 1)
    assert r["done"] and r["p"] == 0 and r["f"] == 1


# Every kind and lane count the FPGA flow builds: the checksum the harness
# latches in hardware equals the one expected_checksum predicts from the
# bit-true model (FFTConfig(n=16, lanes=2) used to raise KeyError 're', and
# the board build then went on without a self-check).
_OS_W = tuple(range(100, 1700, 100))
KINDS = [
    FFTConfig(n=16, width=8, lanes=2),
    FFTConfig(n=16, width=8, lanes=4, direction="runtime", order="bit_reversed"),
    FFTConfig(n=16, width=8, lanes=8),                                  # 128-bit input: two LFSRs
    FFTConfig(n=16, width=8, runtime_n=8),                              # log2n tied to NMAX
    FilterConfig(n=16, width=8, coef_width=8),
    FilterConfig(n=16, width=8, coef_width=8, lanes=2, weights="runtime"),   # weight port tied idle
    FilterConfig(n=16, width=8, coef_width=8, lanes=4, real_pairs=True),
    FilterConfig(n=16, width=8, coef_width=12, lanes=2, mode="overlap_save", taps=5,
                 weights_re=_OS_W, weights_im=tuple(-v // 2 for v in _OS_W)),
    FFTNetConfig(n=16, width=8, coef_width=8, lanes=2, bias=(3,)),
]


def _kind_id(cfg):
    return (f"{cfg.kind if hasattr(cfg, 'kind') else 'fft'}-{getattr(cfg, 'mode', '')}-p{cfg.lanes}"
            f"{'-rtn' if getattr(cfg, 'runtime_n', None) else ''}"
            f"{'-rt' if getattr(cfg, 'weights', '') == 'runtime' else ''}"
            f"{'-pairs' if getattr(cfg, 'real_pairs', False) else ''}")


@pytest.mark.parametrize("cfg", KINDS, ids=_kind_id)
def test_harness_checksum_matches_model_for_every_kind_and_lanes(cfg):
    exp = expected_checksum(cfg, _descriptor(cfg), 2)
    r = _run(cfg, exp, cycles=4000)
    assert r["done"] and r["cs"] == exp and r["p"] == 1 and r["f"] == 0


def test_expected_checksum_needs_a_model():
    class Unknown:
        n, lanes = 16, 1
    with pytest.raises(UserError, match="no bit-true model"):
        expected_checksum(Unknown(), descriptor(FFTConfig(n=16)), 2)


def test_verilog_core_ties_the_weight_port_idle():
    from amaranth.back import rtlil
    from fftforge.hdl import filter as hf
    cfg = FilterConfig(n=16, width=8, coef_width=8, lanes=2, weights="runtime", name="filt")
    desc = hf.descriptor(cfg)
    w = desc["ports"]["weights"]
    h = StimulusHarness(verilog_core(desc), frame_transfers(cfg), check_frames=1, expected=0)
    text = rtlil.convert(h, ports=[h.pass_, h.fail, h.checksum])
    cell = text[text.index("cell \\filt"):]
    cell = cell[:cell.index("end")]
    assert f"connect \\{w['valid']} 1'0" in cell
    assert f"connect \\{w['payload']} {w['width']}'" + "0" * w["width"] in cell
