"""FFTConfig.runtime_n (run-time transform length): its checks (one line
naming the option), the sizes, the latency and scale per size (one owner:
the plan), and that a fixed-size core's configuration and descriptor are
what they were."""

import pytest

from fftforge.config import ConfigError, FFTConfig
from fftforge.hdl.descriptor import descriptor


@pytest.mark.parametrize("kw, needle", [
    (dict(runtime_n=4), "runtime_n (--runtime-n) must be a power of two in [8, n = 64], got 4"),
    (dict(runtime_n=128), "got 128"),
    (dict(runtime_n=48), "got 48"),
    (dict(runtime_n=True), "got True"),
    (dict(runtime_n=8, lanes=2), "lanes must be 1 with runtime_n (--runtime-n), got 2"),
    (dict(runtime_n=8, scaling="bfp"), "scaling must be 'scaled' or 'unscaled' with runtime_n"),
    (dict(runtime_n=8, target="ice40"), "target must be 'generic' or 'ecp5' with runtime_n (--runtime-n), got 'ice40'"),
])
def test_refusals(kw, needle):
    with pytest.raises(ConfigError) as e:
        FFTConfig(n=64, **kw)
    assert needle in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("arch", ["r2sdf", "r22sdf"])
def test_sizes_latency_and_scale(arch):
    cfg = FFTConfig(n=256, runtime_n=16, arch=arch, schedule=(0, 1, 2, 1, 0, 1, 1, 2))
    assert cfg.sizes == (16, 32, 64, 128, 256) and cfg.log2n_range == (4, 8)
    assert cfg.latency_by_n == {N: cfg.latency_cycles for N in cfg.sizes}
    assert cfg.latency_cycles == cfg.replace(runtime_n=None).latency_cycles     # the same plan
    assert cfg.scale_log2_by_n == {16: 4, 32: 5, 64: 7, 128: 8, 256: 8}      # the last log2 N shifts
    assert cfg.at_size(32) == FFTConfig(n=32, arch=arch, schedule=(1, 0, 1, 1, 2))
    assert cfg.size_port_width == 4
    assert list(cfg.clamp_log2n([0, 4, 7, 8, 15])) == [4, 4, 7, 8, 8]


def test_resources_and_dict():
    cfg = FFTConfig(n=64, runtime_n=8)
    fixed = FFTConfig(n=64)
    assert cfg.resources()["reorder_words"] == 128 and fixed.resources()["reorder_words"] == 64
    assert cfg.flag_bits == fixed.flag_bits + 1                # the 'end' tag
    assert "runtime_n" not in fixed.to_dict() and cfg.to_dict()["runtime_n"] == 8
    assert FFTConfig.from_dict(cfg.to_dict()) == cfg.replace(schedule=cfg.shifts)


def test_descriptor_keys():
    d = descriptor(FFTConfig(n=32, runtime_n=8, direction="runtime"))
    assert d["ports"]["size"]["name"] == "log2n" and d["ports"]["direction"]["name"] == "inverse"
    assert d["latency_by_n"] == {"8": d["latency_cycles"], "16": d["latency_cycles"], "32": d["latency_cycles"]}
    fixed = descriptor(FFTConfig(n=32))
    assert "latency_by_n" not in fixed and "scale_log2_by_n" not in fixed and "size" not in fixed["ports"]
