"""The one lane packer: samples <-> the stream words of a core, for every
core kind (FFT, filter, FFTNet) and every lane count P.

A core with P lanes carries P samples per transfer: lane ``l`` of transfer
``t`` is sample ``t*P + l`` of the frame, in the payload fields named by
``cfg.lane_fields`` (``re0, im0, re1, im1, ...``; ``re, im`` with one
lane; FFTNet's real tokens: ``re0, re1, ...``).  Per-sample flags
(``overflow``, sticky within a frame) become one flag per transfer: the OR
over its lanes.  ``last`` is 1 on the last transfer of each frame.

Every tool goes through here: the bit-true model's helpers
(:func:`fftforge.pyref.fft.to_lanes`), the cocotb checks
(:mod:`fftforge.sim.check`, :mod:`fftforge.sim.check_filter`),
``fftforge vectors`` and the FPGA harness's expected checksum
(:func:`fftforge.fpga.harness.expected_checksum`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["sample_fields", "samples", "to_words", "from_words", "group_flags", "last_flags",
           "input_words", "output_words", "frame_samples", "frame_transfers", "model_stream", "sized_stream"]


def sample_fields(cfg) -> tuple:
    """Components of one sample the core carries: ``("re", "im")``, or
    ``("re",)`` for FFTNet's real tokens (without real pairs)."""
    return tuple(getattr(cfg, "sample_fields", ("re", "im")))


def samples(cfg, re, im) -> dict:
    """``{"re": re, "im": im}`` restricted to the components the core carries."""
    return {f: v for f, v in (("re", re), ("im", im)) if f in sample_fields(cfg)}


def _frames_of(a, lanes: int, name: str) -> np.ndarray:
    a = np.asarray(a)
    if a.ndim != 2 or a.shape[1] % lanes:
        raise ValueError(f"{name} must have shape (frames, k*{lanes}) for {lanes} lanes, got {a.shape}")
    return a


def group_flags(cfg, flags) -> np.ndarray:
    """Per-sample flags (frames, m) -> per-transfer (frames, m/P) int64: the
    OR over the lanes of each transfer (m any multiple of P)."""
    f = _frames_of(flags, cfg.lanes, "flags")
    return f.reshape(f.shape[0], -1, cfg.lanes).any(axis=-1).astype(np.int64)


def to_words(cfg, sample_arrays: dict, **flags) -> dict:
    """Sample arrays ``{"re": (frames, m)[, "im": ...]}`` -> stream words
    ``{"re0": (frames, m/P), "im0": ..., "re1": ...}`` (``{"re", "im"}``
    with one lane).  Components the core does not carry (FFTNet's ``im``)
    are left out.  Each keyword in ``flags`` (per-sample, (frames, m))
    becomes one int64 flag per transfer, see :func:`group_flags`."""
    P = cfg.lanes
    out = {}
    for i, base in enumerate(sample_fields(cfg)):
        if base not in sample_arrays:
            continue
        a = _frames_of(sample_arrays[base], P, base)
        for lane, names in enumerate(cfg.lane_fields):
            out[names[i]] = a[:, lane::P]
    for name, v in flags.items():
        out[name] = group_flags(cfg, v)
    return out


def from_words(cfg, words: dict) -> dict:
    """Inverse of :func:`to_words` for the samples: stream words
    ``{"re0": (frames, t), ...}`` -> ``{"re": (frames, t*P)[, "im": ...]}``
    for the sample components present in ``words`` (other fields are left
    out)."""
    out = {}
    for i, base in enumerate(sample_fields(cfg)):
        names = [lane[i] for lane in cfg.lane_fields]
        if not all(n in words for n in names):
            continue
        cols = [np.asarray(words[n]) for n in names]
        out[base] = np.stack(cols, axis=-1).reshape(cols[0].shape[0], -1)
    return out


def last_flags(frames: int, transfers: int) -> np.ndarray:
    """``last`` for ``frames`` frames of ``transfers`` transfers: (frames,
    transfers) int64, 1 on each frame's last transfer."""
    last = np.zeros((frames, transfers), dtype=np.int64)
    last[:, -1] = 1
    return last


def input_words(cfg, re, im) -> dict:
    """The input stream words of (frames, m) samples (``im`` is dropped for
    real-input cores)."""
    return to_words(cfg, samples(cfg, re, im))


def output_words(cfg, re, im, overflow, exponent=None) -> dict:
    """The output stream words of (frames, m) output samples and their sticky
    per-sample overflow flags: the sample fields per lane, ``overflow`` (OR
    per transfer) and ``last`` (each frame's last transfer).  ``exponent``
    (block-floating-point cores: the model's fourth output, one per frame)
    becomes the ``exponent`` field of every transfer of its frame.  So
    ``output_words(cfg, *model_stream(cfg, re, im))`` serves every core."""
    out = to_words(cfg, samples(cfg, re, im), overflow=overflow)
    frames, t = out["overflow"].shape
    out["last"] = last_flags(frames, t)
    if exponent is not None:
        e = np.asarray(exponent, dtype=np.int64).reshape(-1)
        if e.shape != (frames,):
            raise ValueError(f"exponent must give one value per frame ({frames}), got shape {e.shape}")
        out["exponent"] = np.repeat(e[:, None], t, axis=1)
    return out


def frame_samples(cfg) -> int:
    """Samples per stream frame: n, or the hop L = n - taps + 1 of an
    overlap-save core (a continuous stream, L new samples per frame)."""
    return int(getattr(cfg, "hop", cfg.n))


def frame_transfers(cfg) -> int:
    """Transfers per stream frame, on the input and on the output:
    :func:`frame_samples` / P."""
    return frame_samples(cfg) // cfg.lanes


def model_stream(cfg, re, im, inverse=None, model=None):
    """The bit-true model's output for the stream the core sees: ``re``,
    ``im`` of shape (frames, :func:`frame_samples`).  Overlap-save cores
    frame the continuous stream (zero history at the start) and keep the
    last hop outputs of each frame.  ``model``: the bit-true model of
    ``cfg`` (default :func:`fftforge.pyref.registry.model_for`).  Returns
    ``(re, im, overflow)`` of shape (frames, frame_samples), and for a
    block-floating-point core its per-frame ``exponent`` (frames,) fourth."""
    from fftforge.pyref.registry import model_for
    re, im = np.asarray(re), np.asarray(im)
    model = model_for(cfg) if model is None else model
    if getattr(cfg, "mode", None) == "overlap_save":
        from fftforge.pyref.filter import overlap_save_frames
        fr = overlap_save_frames(cfg, (re + 1j * im).reshape(-1))
        k = cfg.taps - 1
        y = model(fr.real.astype(np.int64), fr.imag.astype(np.int64))
        # (frames, n) words and flags keep their last hop columns; a bfp
        # core's per-frame exponents (frames,) stay as they are
        return tuple(np.asarray(a)[:, k:] if np.ndim(a) == 2 else np.asarray(a) for a in y)
    return model(re, im, inverse)


def sized_stream(cfg, re, im, inverse=None, log2n=None) -> dict:
    """The stream of a run-time-length FFT core (``cfg.runtime_n``, one
    lane): frame f is its first 2**log2n[f] samples (``log2n`` the port
    values, clamped as the core clamps them), frames back to back.
    Returns ``{"input": {re, im}, "output": {re, im, overflow, last}, "model":
    (re, im, overflow) (frames, NMAX), "sizes": samples per frame}``, the
    word arrays of shape (1, total samples)."""
    from fftforge.pyref.fft import FFTModel, frame_sizes
    re, im = np.asarray(re), np.asarray(im)
    frames = re.shape[0]
    n = 1 << frame_sizes(cfg, frames, log2n)
    y = FFTModel(cfg)(re, im, inverse, log2n)

    def take(a):
        return np.concatenate([np.asarray(a)[f, :n[f]] for f in range(frames)])[None, :]

    last = np.zeros((1, int(n.sum())), dtype=np.int64)
    last[0, np.cumsum(n) - 1] = 1
    return {"input": {"re": take(re), "im": take(im)},
            "output": {"re": take(y[0]), "im": take(y[1]), "overflow": take(y[2]).astype(np.int64), "last": last},
            "model": y, "sizes": n}
