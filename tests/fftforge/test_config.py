import math

import pytest

from fftforge.config import ConfigError, FFTConfig


@pytest.mark.parametrize("kw, needle", [
    ({"n": 1000}, "n must be a power of two in [8, 65536]"),
    ({"n": 4}, "n must be in [8, 65536]"),
    ({"n": 131072}, "n must be in [8, 65536]"),
    ({"n": 8.0}, "n must be an integer"),
    ({"width": 3}, "width must be in [4, 32]"),
    ({"width": 33}, "width must be in [4, 32]"),
    ({"twiddle_width": 40}, "twiddle_width must be in [4, 32]"),
    ({"arch": "r4sdf"}, "arch must be one of 'r2sdf', 'r22sdf'"),
    ({"direction": "both"}, "direction must be one of"),
    ({"scaling": "block"}, "scaling must be one of"),
    ({"rounding": "nearest"}, "rounding must be one of 'truncate', 'convergent'"),
    ({"overflow": "clip"}, "overflow must be one of 'saturate', 'wrap'"),
    ({"order": "reversed"}, "order must be one of 'natural', 'bit_reversed'"),
    ({"cmul": 2}, "cmul must be one of 4, 3"),
    ({"drain_after": -1}, "drain_after must be in [0, 65536]"),
    ({"name": "1bad"}, "name must be a Verilog identifier"),
    ({"n": 16, "schedule": (1, 1, 1)}, "schedule must have log2(n) = 4 entries"),
    ({"n": 16, "schedule": (1, 1, 3, 1)}, "schedule[2] must be in [0, 2]"),
    ({"n": 16, "scaling": "unscaled", "schedule": (1, 1, 1, 1)}, "schedule is only allowed with scaling='scaled'"),
])
def test_bad_parameters_name_the_parameter_and_range(kw, needle):
    with pytest.raises(ConfigError) as e:
        FFTConfig(**kw)
    assert needle in str(e.value)
    assert isinstance(e.value, ValueError)


@pytest.mark.parametrize("arch", ["r2sdf", "r22sdf"])
@pytest.mark.parametrize("n", [8, 16, 32, 64, 1024, 65536])
def test_plan_matches_architecture_theory(arch, n):
    cfg = FFTConfig(n=n, arch=arch)
    k = int(math.log2(n))
    assert cfg.feedback_words == n - 1                       # N - 1 delay words
    if arch == "r22sdf":
        assert cfg.twiddle_parts == math.ceil(k / 2) - 1     # ceil(log4 N) - 1
    else:
        assert cfg.twiddle_parts == k - 1
    butterflies = [p for p in cfg.plan() if p.kind in ("bf2", "bf2ii")]
    assert [p.delay for p in butterflies] == [n >> (s + 1) for s in range(k)]
    # offsets are the running sum of latencies
    total = 0
    for p in cfg.plan():
        assert p.offset == total
        total += p.latency
    assert total == cfg.pipeline_latency


@pytest.mark.parametrize("arch", ["r2sdf", "r22sdf"])
@pytest.mark.parametrize("order", ["natural", "bit_reversed"])
def test_latency_formula(arch, order):
    cfg = FFTConfig(n=256, arch=arch, order=order)
    k = 8
    twiddles = k - 1 if arch == "r2sdf" else 3
    # the documented sum (FFTConfig.latency_cycles): input register, D + 2
    # per butterfly (+ 1 per BF2II: its -j register), 7 per twiddle part,
    # N + 2 for the reorder, the registered clock enable, output FIFO
    bf2ii = 0 if arch == "r2sdf" else k // 2
    expected = 1 + sum((256 >> (s + 1)) + 2 for s in range(k)) + bf2ii + 7 * twiddles \
        + (256 + 2 if order == "natural" else 0) + 1 + 1
    assert cfg.latency_cycles == expected


def test_widths_and_scale():
    c = FFTConfig(n=1024, width=16)
    assert c.output_width == 17 and c.scale_log2 == 10
    u = FFTConfig(n=1024, width=16, scaling="unscaled")
    assert u.output_width == 16 + 10 + 1 and u.scale_log2 == 0
    s = FFTConfig(n=16, schedule=(0, 1, 2, 0))
    assert s.scale_log2 == 3 and s.output_width == c.internal_width


def test_dict_round_trip():
    c = FFTConfig(n=64, arch="r2sdf", schedule=(1, 0, 1, 1, 2, 1), cmul=3, name="x")
    assert FFTConfig.from_dict(c.to_dict()) == c


# ------------------------------------------------------- block floating point
def test_bfp_plan_is_the_single_source():
    """scaling='bfp': the plan holds the input frame buffer and the
    read-out shifter, latencies are the parts' sum, the schedule is the
    late rule's (docs/bfp_study.md: 0102020000, latency 3135 at N=1024)."""
    cfg = FFTConfig(n=1024, scaling="bfp")
    kinds = [p.kind for p in cfg.plan()]
    assert kinds[:2] == ["input", "normalize"] and kinds[-2:] == ["reorder", "bfp_out"]
    assert cfg.shifts == (0, 1, 0, 2, 0, 2, 0, 0, 0, 0) and cfg.bfp_fixed_shift == 5
    assert cfg.latency_cycles == 3135 == sum(p.latency for p in cfg.plan()) + 2
    assert cfg.output_width == 18 and cfg.exponent_width == 4 and cfg.max_exponent == 9
    assert cfg.scale_log2 == 0 and not any(p.may_overflow for p in cfg.plan())
    assert [p.rotated_width for p in cfg.plan() if p.kind == "twiddle"] == [18, 18, 18, 20]
    assert cfg.to_dict()["schedule"] is None and FFTConfig.from_dict(cfg.to_dict()) == cfg
    r = cfg.resources()
    assert r["frame_buffer_words"] == 1024 and r["real_multipliers"] == 16
    for n in (8, 16, 64, 4096, 65536):
        c = FFTConfig(n=n, scaling="bfp")
        assert c.latency_cycles == sum(p.latency for p in c.plan()) + 2
        assert max(p.rotated_width for p in c.plan() if p.kind == "twiddle")
    # the fixed scalings have no exponent
    assert FFTConfig(n=64).exponent_width == 0


@pytest.mark.parametrize("kw, words", [
    (dict(order="bit_reversed"), "order must be 'natural' with scaling='bfp'"),
    (dict(lanes=2), "lanes must be 1 with scaling='bfp'"),
    (dict(overflow="wrap"), "overflow must be 'saturate'"),
    (dict(schedule=(1,) * 6), "schedule is not allowed with scaling='bfp'"),
    (dict(target="ice40"), "target must be 'generic' or 'ecp5' with scaling='bfp'"),
    (dict(width=32, twiddle_width=32), "width + twiddle_width too large for scaling='bfp'"),
])
def test_bfp_refuses_unsupported_options(kw, words):
    with pytest.raises(ConfigError) as e:
        FFTConfig(n=64, scaling="bfp", **kw)
    msg = str(e.value)
    assert words in msg and "\n" not in msg


def test_product_register_from_eight_lanes():
    """At P >= PRODUCT_REGISTER_MIN_LANES every twiddle part registers its
    products once more (one slot more each, counted in latency_cycles);
    below it nothing changes."""
    from fftforge.config import PRODUCT_REGISTER_MIN_LANES, twiddle_latency
    for lanes in (4, PRODUCT_REGISTER_MIN_LANES):
        cfg = FFTConfig(n=1024, lanes=lanes)
        tw = [p for p in cfg.plan() if p.kind == "twiddle"]
        assert tw and all(p.product_register == (lanes >= PRODUCT_REGISTER_MIN_LANES) for p in tw)
        assert all(p.latency == twiddle_latency(p.rotated_width, cfg.twiddle_width, cfg.cmul)
                   + p.product_register for p in tw)
    p8 = FFTConfig(n=1024, lanes=8)
    assert p8.latency_cycles == sum(p.latency for p in p8.plan()) + 2   # registered enable, output FIFO


def test_staged_reorder_crossbar_from_eight_lanes():
    """At P >= STAGED_CROSSBAR_MIN_LANES the lane reorder reads its banks
    through log2 P registered stages (log2 P slots more, counted in its
    part's latency); below it, and in bit-reversed order, nothing changes."""
    from fftforge.config import REORDER_LATENCY_EXTRA, STAGED_CROSSBAR_MIN_LANES, reorder_latency
    for lanes in (1, 2, 4, STAGED_CROSSBAR_MIN_LANES):
        (r,) = [p for p in FFTConfig(n=1024, lanes=lanes).plan() if p.kind == "reorder"]
        staged = lanes >= STAGED_CROSSBAR_MIN_LANES
        assert r.staged_crossbar == staged
        assert r.latency == 1024 // lanes + REORDER_LATENCY_EXTRA + (3 if staged else 0)
        assert r.latency == reorder_latency(1024, lanes, staged)
    assert not [p for p in FFTConfig(n=1024, lanes=8, order="bit_reversed").plan() if p.kind == "reorder"]
