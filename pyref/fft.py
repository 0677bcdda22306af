"""Float reference and bit-true model of a whole FFT core.

The bit-true model is the composition of the part models in the order of
:meth:`fftforge.config.FFTConfig.plan` -- the same plan the RTL is built from.
It is vectorised over frames.
"""

from __future__ import annotations

import numpy as np

from fftforge.config import FFTConfig
from fftforge.pyref import lanes
from fftforge.pyref.fixed import int_dtype
from fftforge.pyref.normalize import input_normalize, output_normalize
from fftforge.pyref.reorder import bitrev_indices, reorder
from fftforge.pyref.sdf import sdf_stage
from fftforge.pyref.twiddle import twiddle_stage

__all__ = ["FFTModel", "fft_bittrue", "fft_float", "sqnr_db", "frame_directions"]


def frame_directions(cfg: FFTConfig, frames: int, inverse=None) -> np.ndarray:
    """Per-frame direction flags (True = inverse) for ``frames`` frames."""
    if cfg.direction == "forward":
        inv = np.zeros(frames, dtype=bool)
    elif cfg.direction == "inverse":
        inv = np.ones(frames, dtype=bool)
    else:
        inv = np.zeros(frames, dtype=bool) if inverse is None else np.asarray(inverse, dtype=bool).reshape(-1)
        if inv.shape != (frames,):
            raise ValueError(f"inverse must give one flag per frame ({frames}), got shape {inv.shape}")
    return inv


def _check_input(cfg: FFTConfig, re, im):
    re = np.asarray(re)
    im = np.asarray(im)
    if re.ndim != 2 or re.shape[1] != cfg.n or im.shape != re.shape:
        raise ValueError(f"input must have shape (frames, {cfg.n}), got {re.shape}")
    lo, hi = -(1 << (cfg.width - 1)), (1 << (cfg.width - 1)) - 1
    for name, v in (("re", re), ("im", im)):
        if v.dtype.kind not in "iu" and v.dtype != object:
            raise ValueError(f"input {name} must be integers, got dtype {v.dtype}")
        if v.size and (v.min() < lo or v.max() > hi):
            raise ValueError(f"input {name} must be within the {cfg.width}-bit signed range [{lo}, {hi}]")
    return re, im


class FFTModel:
    """Bit-true model of the core described by ``cfg``.

    ``model(re, im, inverse=None)`` takes integer arrays of shape
    (frames, N) and returns ``(re, im, overflow)``: the output words in the
    core's output order and the sticky per-frame overflow flag exactly as the
    core's ``overflow`` output field shows it on each sample.

    Block floating point (``cfg.scaling == "bfp"``): ``(re, im, overflow,
    exponent)``, ``exponent`` the unsigned block exponent of each frame
    (int64, shape (frames,)), with ``DFT(x) ~= (re + j im) * 2**exponent``
    (the core's ``exponent`` output field, constant over the frame).
    """

    def __init__(self, cfg: FFTConfig):
        self.cfg = cfg
        self.plan = cfg.plan()
        widest = max(p.width_out for p in self.plan) + cfg.twiddle_width + 2
        self.dtype = int_dtype(widest)

    def __call__(self, re, im, inverse=None):
        cfg = self.cfg
        re, im = _check_input(cfg, re, im)
        frames = re.shape[0]
        inv = frame_directions(cfg, frames, inverse)[:, None]
        re = re.astype(self.dtype)
        im = im.astype(self.dtype)
        re, im = np.where(inv, im, re), np.where(inv, re, im)   # inverse = swap(DFT(swap(x)))
        ovf = np.zeros(re.shape, dtype=bool)
        h = exponent = None
        for part in self.plan:
            if part.kind == "normalize":
                re, im, h = input_normalize(re, im, part.width_in)
            elif part.kind == "bfp_out":
                re, im, exponent = output_normalize(re, im, h, cfg.bfp_fixed_shift, part.width_out, cfg.rounding)
            elif part.kind in ("bf2", "bf2ii"):
                re, im, ovf = sdf_stage(re, im, ovf, part, cfg)
            elif part.kind == "twiddle":
                re, im, ovf = twiddle_stage(re, im, ovf, part, cfg)
            elif part.kind == "reorder":
                re, im, ovf = reorder(re, im, ovf)
            # "input": the guard bit is a sign extension, nothing to model
        re, im = np.where(inv, im, re), np.where(inv, re, im)
        sticky = np.logical_or.accumulate(ovf, axis=1)
        if self.dtype is not object:
            re, im = re.astype(np.int64), im.astype(np.int64)
        if exponent is not None:
            return re, im, sticky, exponent.astype(np.int64)
        return re, im, sticky


def fft_bittrue(cfg: FFTConfig, re, im, inverse=None):
    """Convenience wrapper: ``FFTModel(cfg)(re, im, inverse)``."""
    return FFTModel(cfg)(re, im, inverse)


def fft_float(cfg: FFTConfig, x, inverse=None):
    """Float reference in the core's output order and scale:
    ``DFT(x) / 2**scale_log2`` (inverse: ``N * ifft(x) / 2**scale_log2``;
    ``bfp``: ``DFT(x)``, to compare with ``output * 2**exponent``)."""
    x = np.asarray(x, dtype=np.complex128)
    inv = frame_directions(cfg, x.shape[0], inverse)[:, None]
    y = np.where(inv, np.fft.ifft(x, axis=1) * cfg.n, np.fft.fft(x, axis=1))
    y = y / float(1 << cfg.scale_log2)
    if cfg.order == "bit_reversed":
        y = y[:, bitrev_indices(cfg.n)]
    return y


def sqnr_db(reference, measured) -> float:
    """Signal-to-quantisation-noise ratio in dB: ``10 log10(sum|ref|^2 / sum|ref - y|^2)``."""
    reference = np.asarray(reference, dtype=np.complex128)
    measured = np.asarray(measured, dtype=np.complex128)
    noise = np.sum(np.abs(reference - measured) ** 2)
    signal = np.sum(np.abs(reference) ** 2)
    if noise == 0:
        return float("inf")
    return float(10 * np.log10(signal / noise))


def to_lanes(cfg: FFTConfig, re, im, **per_sample) -> dict:
    """Group (frames, N) sample arrays into the stream words of a P-lane core:
    ``{re0: (frames, N/P), im0: ..., re1: ...}`` (``{re, im}`` for one lane).
    Extra per-sample arrays (e.g. ``overflow``, sticky within a frame) become
    one int64 value per group: the OR over the group's lanes.  See
    :mod:`fftforge.pyref.lanes`, the one lane packer."""
    return lanes.to_words(cfg, {"re": re, "im": im}, **per_sample)


def from_lanes(cfg: FFTConfig, words: dict):
    """Inverse of :func:`to_lanes` for the samples: ``(re, im)`` of shape
    (frames, N) from the per-lane fields of (frames, N/P) stream words."""
    s = lanes.from_words(cfg, words)
    return s["re"], s["im"]
