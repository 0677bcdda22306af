"""Float reference and bit-true model of a whole FFT core.

The bit-true model is the composition of the part models in the order of
:meth:`fftforge.config.FFTConfig.plan` -- the same plan the RTL is built from.
It is vectorised over frames.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from fftforge.config import FFTConfig
from fftforge.pyref import lanes
from fftforge.pyref.fixed import int_dtype
from fftforge.pyref.normalize import input_normalize, output_normalize
from fftforge.pyref.reorder import bitrev_indices, reorder
from fftforge.pyref.sdf import sdf_stage
from fftforge.pyref.twiddle import exponents, twiddle_stage

__all__ = ["FFTModel", "fft_bittrue", "fft_float", "sqnr_db", "frame_directions", "frame_sizes", "tail_parts"]


def frame_sizes(cfg: FFTConfig, frames: int, log2n=None) -> np.ndarray:
    """Per-frame log2 sizes of ``frames`` frames: ``log2n`` (one value per
    frame, the ``log2n`` port's values) clamped as the core clamps them
    (:meth:`FFTConfig.clamp_log2n`) for a run-time-length core (``None``:
    every frame NMAX); ``log2 n`` for a fixed-size core (``log2n`` must then
    be ``None``)."""
    if log2n is None:
        return np.full(frames, cfg.log2n, dtype=np.int64)
    if cfg.runtime_n is None:
        raise ValueError("log2n is only for run-time-length cores (runtime_n set)")
    k = np.asarray(log2n).reshape(-1)
    if k.shape != (frames,) or k.dtype.kind not in "iu":
        raise ValueError(f"log2n must give one integer per frame ({frames}), got shape {k.shape}, dtype {k.dtype}")
    return cfg.clamp_log2n(k)


def tail_parts(cfg: FFTConfig, n: int) -> list:
    """The parts of ``cfg.plan()`` a frame of size ``n`` is computed by in
    the RTL, as parts of an ``n``-point model (``n = cfg.n``: the plan).

    A frame of size n < NMAX passes the pipeline with each part's phase
    restarted at its first sample, so phases run 0 .. n-1: a butterfly with
    2 D > n only ever sees its first half (it is a delay: left out here), a
    ``bf2ii`` with 4 D > n never its last quarter (no -j: a ``bf2``), a
    twiddle part only the first n phases of its period (all exponent 0: left
    out; otherwise its ``period`` stays, :func:`_twiddle_prefix`).  With
    ``r2sdf`` and with ``r22sdf`` when log2 n and log2 NMAX have the same
    parity these are exactly the parts of the ordinary n-point plan with
    the last log2 n shifts; ``r22sdf`` of the other parity starts with a
    radix-2 stage (the pair's ``bf2ii``) and a twiddle part W_2n**(2e), which
    equals the radix-2 twiddle W_n**e."""
    out = []
    for p in cfg.plan():
        if p.kind in ("bf2", "bf2ii") and 2 * p.delay > n:
            continue
        if p.kind == "bf2ii" and 4 * p.delay > n:
            p = dataclasses.replace(p, kind="bf2")
        if p.kind == "twiddle" and p.period > n and not exponents(p.period, p.pattern)[:n].any():
            continue
        if p.kind == "reorder":
            p = dataclasses.replace(p, period=n)
        out.append(p)
    return out


def _twiddle_prefix(re, im, ovf, part, cfg):
    """:func:`twiddle_stage` on frames shorter than the part's period (the
    first ``n`` phases): the frames zero-padded to the period."""
    frames, n = re.shape
    if n >= part.period:
        return twiddle_stage(re, im, ovf, part, cfg)
    pad = [(0, 0), (0, part.period - n)]
    r, i, o = twiddle_stage(np.pad(re, pad), np.pad(im, pad), np.pad(ovf, pad), part, cfg)
    return r[:, :n], i[:, :n], o[:, :n]


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

    Run-time length (``cfg.runtime_n`` set): ``model(re, im, inverse=None,
    log2n=None)``, ``log2n`` one size per frame (:func:`frame_sizes`, clamped
    like the ``log2n`` port); frame f uses its first 2**log2n[f] samples and
    its outputs fill the first 2**log2n[f] columns, zero beyond them (the
    overflow flags beyond them repeat the frame's final flag).  The words
    are those of the parts :func:`tail_parts` gives.

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

    def __call__(self, re, im, inverse=None, log2n=None):
        cfg = self.cfg
        if cfg.runtime_n is not None:
            return self._runtime(re, im, inverse, log2n)
        if log2n is not None:
            raise ValueError("log2n is only for run-time-length cores (runtime_n set)")
        return self._frames(re, im, inverse, self.plan)

    def _runtime(self, re, im, inverse, log2n):
        """Run-time length: each size's frames through its :func:`tail_parts`."""
        cfg = self.cfg
        re, im = _check_input(cfg, re, im)
        frames = re.shape[0]
        k = frame_sizes(cfg, frames, log2n)
        inv = frame_directions(cfg, frames, inverse)
        y_re = np.zeros(re.shape, dtype=np.int64 if self.dtype is not object else object)
        y_im = np.zeros_like(y_re)
        ovf = np.zeros(re.shape, dtype=bool)
        for kk in np.unique(k):
            n = 1 << int(kk)
            sel = np.flatnonzero(k == kk)
            r, i, o = self._frames(re[sel, :n], im[sel, :n], inv[sel], tail_parts(cfg, n), checked=True)
            y_re[sel, :n], y_im[sel, :n], ovf[sel, :n] = r, i, o
            ovf[sel, n:] = o[:, -1:]
        return y_re, y_im, ovf

    def _frames(self, re, im, inverse, plan, checked=False):
        cfg = self.cfg
        if not checked:
            re, im = _check_input(cfg, re, im)
        frames = re.shape[0]
        inv = (inverse if checked else frame_directions(cfg, frames, inverse))[:, None]
        re = re.astype(self.dtype)
        im = im.astype(self.dtype)
        re, im = np.where(inv, im, re), np.where(inv, re, im)   # inverse = swap(DFT(swap(x)))
        ovf = np.zeros(re.shape, dtype=bool)
        h = exponent = None
        for part in plan:
            if part.kind == "normalize":
                re, im, h = input_normalize(re, im, part.width_in)
            elif part.kind == "bfp_out":
                re, im, exponent = output_normalize(re, im, h, cfg.bfp_fixed_shift, part.width_out, cfg.rounding)
            elif part.kind in ("bf2", "bf2ii"):
                re, im, ovf = sdf_stage(re, im, ovf, part, cfg)
            elif part.kind == "twiddle":
                re, im, ovf = _twiddle_prefix(re, im, ovf, part, cfg)
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


def fft_bittrue(cfg: FFTConfig, re, im, inverse=None, log2n=None):
    """Convenience wrapper: ``FFTModel(cfg)(re, im, inverse[, log2n])``."""
    if log2n is None:
        return FFTModel(cfg)(re, im, inverse)
    return FFTModel(cfg)(re, im, inverse, log2n)


def fft_float(cfg: FFTConfig, x, inverse=None, log2n=None):
    """Float reference in the core's output order and scale:
    ``DFT(x) / 2**scale_log2`` (inverse: ``N * ifft(x) / 2**scale_log2``;
    ``bfp``: ``DFT(x)``, to compare with ``output * 2**exponent``).
    Run-time length: frame f's first 2**log2n[f] samples, with that size's
    scale (:attr:`FFTConfig.scale_log2_by_n`), zero beyond."""
    x = np.asarray(x, dtype=np.complex128)
    if cfg.runtime_n is not None:
        k = frame_sizes(cfg, x.shape[0], log2n)
        inv = frame_directions(cfg, x.shape[0], inverse)
        y = np.zeros(x.shape, dtype=np.complex128)
        for kk in np.unique(k):
            n = 1 << int(kk)
            sel = np.flatnonzero(k == kk)
            xs = x[sel, :n]
            ys = np.where(inv[sel, None], np.fft.ifft(xs, axis=1) * n, np.fft.fft(xs, axis=1))
            ys = ys / float(1 << cfg.scale_log2_by_n[n])
            if cfg.order == "bit_reversed":
                ys = ys[:, bitrev_indices(n)]
            y[sel, :n] = ys
        return y
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
