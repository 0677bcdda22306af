"""The plan's range analysis (``Part.bound``, ``Part.may_overflow``): every
part it clears of overflow drops its saturation logic, so the claim is
checked here on the bit-true part models with the worst inputs we can make:
full-scale corners (every component at -2**(w-1)), full-scale tones on every
bin at the phase that maximises the magnitude, impulses and DC, and random
full-scale frames.  After every part, no component may exceed the part's
bound, and a part cleared of overflow must never have clipped (its model
saturates, so a clip would show in the flag)."""

import numpy as np
import pytest

from fftforge.config import FFTConfig
from fftforge.pyref.reorder import reorder
from fftforge.pyref.sdf import sdf_stage
from fftforge.pyref.twiddle import twiddle_stage


def worst_inputs(cfg, rng):
    n, lim = cfg.n, 1 << (cfg.width - 1)
    frames = []
    corner = np.full((2, n), -lim)
    frames.append(corner)
    signs = rng.choice([-lim, lim - 1], (2, 4 * n))
    frames += list(signs.reshape(2, 4, n).transpose(1, 0, 2))
    t = np.arange(n)
    for k in range(n):
        for phase in (np.pi / 4, -3 * np.pi / 4):
            z = np.exp(2j * np.pi * k * t / n + 1j * phase) * (lim - 1) * np.sqrt(2)
            frames.append(np.stack([np.clip(np.round(z.real), -lim, lim - 1),
                                    np.clip(np.round(z.imag), -lim, lim - 1)]))
    imp = np.zeros((2, n))
    imp[:, 0] = -lim
    frames.append(imp)
    frames.append(rng.integers(-lim, lim, (2, n)))
    x = np.array(frames, dtype=np.int64)          # (frames, 2, n)
    return x[:, 0, :], x[:, 1, :]


CONFIGS = [
    dict(), dict(arch="r2sdf"), dict(n=64, width=8, twiddle_width=8), dict(n=256, scaling="unscaled"),
    dict(n=64, rounding="truncate", width=6, twiddle_width=6), dict(n=64, width=4, twiddle_width=4),
    dict(n=128, schedule=(0, 1, 2, 1, 1, 0, 2)), dict(n=64, direction="inverse", width=12),
]


@pytest.mark.parametrize("kw", CONFIGS, ids=lambda kw: "-".join(f"{k}{v}" for k, v in kw.items()) or "default")
def test_parts_cleared_of_overflow_never_clip(kw):
    cfg = FFTConfig(**kw)
    rng = np.random.default_rng(len(kw))
    re, im = worst_inputs(cfg, rng)
    if cfg.direction == "inverse":
        re, im = im, re
    ovf = np.zeros(re.shape, dtype=bool)
    for part in cfg.plan():
        if part.kind in ("bf2", "bf2ii"):
            re, im, new = sdf_stage(re, im, np.zeros_like(ovf), part, cfg)
        elif part.kind == "twiddle":
            re, im, new = twiddle_stage(re, im, np.zeros_like(ovf), part, cfg)
        elif part.kind == "reorder":
            re, im, new = reorder(re, im, np.zeros_like(ovf))
        else:
            continue
        peak = max(np.abs(re).max(), np.abs(im).max())
        assert peak <= part.bound, (part.kind, part.index, peak, part.bound)
        if not part.may_overflow:
            assert not new.any(), f"{part.kind} {part.index} cleared of overflow clipped"


def test_default_core_has_no_saturation_and_schedules_with_zeros_keep_it():
    assert not any(p.may_overflow for p in FFTConfig().plan())
    assert not any(p.may_overflow for p in FFTConfig(scaling="unscaled").plan())
    assert any(p.may_overflow for p in FFTConfig(n=64, schedule=(0,) * 6).plan())
