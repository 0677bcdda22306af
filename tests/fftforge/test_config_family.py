"""One configuration family (:class:`fftforge.config.CoreConfig`): every core
kind's configuration shares the base's fields, checks and one-line errors,
(de)serialisation, frame and lane facts and shell latency, each written
once."""

import dataclasses
import json

import pytest

from fftforge import kinds
from fftforge.config import (CoreConfig, ConfigError, FFTConfig, LANES, N_RANGE, TARGETS, shell_capacity,
                             shell_latency)
from fftforge.filter_config import FFTNetConfig, FilterConfig

CLASSES = [k.config for k in kinds.KINDS.values()]


def _small(cls, **kw):
    return cls(**{"n": 16, "width": 8, **kw})


def test_every_kind_is_a_core_config():
    assert CLASSES == [FFTConfig, FilterConfig, FFTNetConfig]
    for cls in CLASSES:
        assert issubclass(cls, CoreConfig)
        fields = [f.name for f in dataclasses.fields(cls)]
        assert fields[:3] == ["n", "width", "twiddle_width"]          # the base's, first in every kind
        assert {"lanes", "drain_after", "target", "name"} <= set(fields)


def test_each_shared_method_has_one_owner():
    shared = ("__post_init__", "replace", "from_dict", "frame_cycles", "lane_fields", "latency_cycles",
              "capacity", "log2n", "kind")
    for cls in CLASSES:
        for name in shared:
            assert name not in vars(cls), f"{cls.__name__} redefines {name}"
    # to_dict: the base's; FFTConfig adds its written-out schedule
    assert "to_dict" not in vars(FilterConfig) and "to_dict" not in vars(FFTNetConfig)
    assert FilterConfig.TUPLE_FIELDS == ("weights_re", "weights_im")
    assert FFTNetConfig.TUPLE_FIELDS == ("weights_re", "weights_im", "bias")   # the subclass names its own


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("kw, msg", [
    ({"n": 12}, f"n must be a power of two in [{N_RANGE[0]}, {N_RANGE[1]}], got 12"),
    ({"n": True}, "n must be an integer in [8, 65536] and a power of two, got True"),
    ({"lanes": 3}, f"lanes must be one of {', '.join(map(str, LANES))}, got 3"),
    ({"n": 8, "lanes": 8}, "lanes must be at most n/2 = 4, got 8"),
    ({"drain_after": -1}, "drain_after must be in [0, 65536], got -1"),
    ({"target": "xilinx"}, f"target must be one of {', '.join(map(repr, TARGETS))}, got 'xilinx'"),
    ({"name": "1a"}, "name must be a Verilog identifier ([A-Za-z_][A-Za-z0-9_]*, at most 63 characters), "
                     "got '1a'"),
    ({"twiddle_width": 3}, "twiddle_width must be in [4, 32], got 3"),
])
def test_shared_checks_give_one_message_for_every_kind(cls, kw, msg):
    with pytest.raises(ConfigError) as e:
        cls(**{"n": 16, **kw})
    assert str(e.value) == msg and "\n" not in msg


def test_width_range_is_the_kinds():
    FFTConfig(n=16, width=32)
    with pytest.raises(ConfigError, match=r"^width must be in \[4, 24\], got 25$"):
        FilterConfig(n=16, width=25)
    with pytest.raises(ConfigError, match=r"^width must be in \[4, 32\], got 33$"):
        FFTConfig(n=16, width=33)


@pytest.mark.parametrize("cfg", [
    FFTConfig(n=32, schedule=(2, 1, 0, 1, 0)), FFTConfig(n=16, scaling="unscaled"), FFTConfig(n=16, lanes=4),
    FFTConfig(n=32, runtime_n=8),
    FilterConfig(n=8, width=6, coef_width=5, weights_re=(15,) * 8, weights_im=(0,) * 8),
    FilterConfig(n=16, mode="overlap_save", taps=5, lanes=4),
    FFTNetConfig(n=8, width=6, bias=(3, -2), channels=2, real_pairs=True),
], ids=lambda c: f"{type(c).__name__}-{c.lanes}")
def test_to_dict_from_dict_round_trip_through_json(cfg):
    d = cfg.to_dict()
    assert list(d) == [f.name for f in dataclasses.fields(cfg)
                       if not (f.name in type(cfg).OPTIONAL_FIELDS and getattr(cfg, f.name) is None)]
    back = type(cfg).from_dict(json.loads(json.dumps(d)))
    assert back.to_dict() == d
    for k in type(cfg).TUPLE_FIELDS:
        if d[k] is not None:
            assert isinstance(d[k], list) and isinstance(getattr(back, k), tuple)
    assert type(cfg).from_dict({**d, "unknown": 1}).to_dict() == d      # extra keys ignored


def test_fft_to_dict_writes_the_schedule_out():
    assert FFTConfig(n=16).to_dict()["schedule"] == [1, 1, 1, 1]
    assert FFTConfig(n=16, scaling="unscaled").to_dict()["schedule"] is None


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_replace_checks_again(cls):
    c = _small(cls)
    assert c.replace(lanes=2).lanes == 2 and type(c.replace(lanes=2)) is cls
    with pytest.raises(ConfigError, match="^lanes must be one of 1, 2, 4, 8, got 16$"):
        c.replace(lanes=16)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("lanes", [1, 4])
def test_frame_lane_and_latency_facts(cls, lanes):
    c = _small(cls, lanes=lanes)
    assert c.kind == kinds.kind_of(c).name
    assert c.frame_cycles == 16 // lanes and c.log2n == 4
    assert len(c.lane_fields) == lanes
    flat = [f for lane in c.lane_fields for f in lane]
    assert len(set(flat)) == len(flat)
    assert all(len(lane) == len(c.sample_fields) for lane in c.lane_fields)
    if lanes == 1:
        assert c.lane_fields == (c.sample_fields,)
    assert c.latency_cycles == shell_latency(c.pipeline_latency)
    assert c.capacity == shell_capacity(c.pipeline_latency)
    assert isinstance(c.resources(), dict) and isinstance(c.widths, dict)


def test_fftnet_samples_are_real():
    assert _small(FFTNetConfig, lanes=2).lane_fields == (("re0",), ("re1",))
    assert _small(FFTNetConfig, real_pairs=True).lane_fields == (("re", "im"),)
    assert _small(FilterConfig).lane_fields == FFTConfig(n=16).lane_fields == (("re", "im"),)


@pytest.mark.parametrize("cfg", [FilterConfig(n=64), FFTNetConfig(n=64, lanes=2), FFTNetConfig(n=32, real_pairs=True)],
                         ids=lambda c: f"{type(c).__name__}-{c.lanes}-{c.real_pairs}")
def test_filter_latency_and_resources_are_the_configs(cfg):
    """The chain's latency terms and resources: read from the two FFT
    configurations and the per-bin stages, summing to ``latency_cycles``."""
    parts = cfg.latency_parts
    assert sum(parts.values()) == cfg.latency_cycles
    assert parts["forward_fft"] == cfg.fft_forward.pipeline_latency
    assert parts["inverse_fft"] == cfg.fft_inverse.pipeline_latency
    assert (parts["modrelu"] > 0) == cfg.real_output
    r = cfg.resources()
    assert r["complex_multipliers"] == (cfg.fft_forward.complex_multipliers + cfg.fft_inverse.complex_multipliers
                                        + cfg.multiply_units)
    assert r["fft_forward"] == cfg.fft_forward.resources()
