"""Golden vectors of a core (``fftforge vectors``): a stimulus, the bit-true
model's answer, and both as ``$readmemh`` files of packed payload words, for
benches outside fftforge.

Every core kind and lane count goes through the one lane packer
(:mod:`fftforge.pyref.lanes`): overlap-save filters take one continuous
stream of ``frames x hop`` samples and answer the kept outputs (hop per
frame); P-lane cores carry P samples per word (lane 0 = lowest index).  The
words are packed per the descriptor's port fields
(:func:`fftforge.sim.payload.pack`).

Files written for a core called ``<name>``: ``<name>_input.npy``,
``<name>_expected.npy`` (complex), ``<name>_overflow.npy`` (sticky per-sample
flags), ``<name>_exponent.npy`` (block-floating-point cores: the per-frame
block exponents, int64 (frames,); DFT(x) ~= expected * 2**exponent),
``<name>_inverse.npy`` (runtime-direction cores: per-frame flags),
``<name>_log2n.npy`` (run-time-length cores: the per-frame log2 sizes, int64
(frames,), random; the input and expected arrays are (frames, NMAX), zero
beyond each frame's size, the hex files the stream: each frame's
2**log2n samples, back to back),
``<name>_input.hex`` and ``<name>_expected.hex`` (one word a line, as many
hex digits as the port is wide).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional

import numpy as np

__all__ = ["GoldenVectors", "golden_vectors", "hex_text", "write_vectors"]


@dataclass
class GoldenVectors:
    """One stimulus and the model's answer, as samples and as stream words.

    Attributes
    ----------
    re, im : ndarray
        Input samples (frames, frame_samples), int64.
    y_re, y_im, overflow : ndarray
        The bit-true model's output samples and sticky overflow flags.
    inverse : ndarray or None
        Per-frame inverse flags (runtime-direction cores), else None.
    exponent : ndarray or None
        Per-frame block exponents (block-floating-point cores), else None.
    log2n : ndarray or None
        Per-frame log2 sizes (run-time-length cores: frame f is its first
        2**log2n[f] samples, outputs zero beyond them), else None.
    input_words, output_words : list of int
        Packed payload words of the input and output ports, one per transfer.
    """
    re: np.ndarray
    im: np.ndarray
    y_re: np.ndarray
    y_im: np.ndarray
    overflow: np.ndarray
    inverse: Optional[np.ndarray]
    input_words: list
    output_words: list
    exponent: Optional[np.ndarray] = None
    log2n: Optional[np.ndarray] = None


def golden_vectors(cfg, desc: dict, frames: int, stimulus: str = "random", seed: int = 1) -> GoldenVectors:
    """``frames`` frames of ``stimulus`` (:func:`fftforge.pyref.stimulus.make_stimulus`:
    impulse, dc, tone, square, random) for the core ``(cfg, desc)`` (as
    :func:`fftforge.hdl.export.load_core` returns them), the model's output
    and both packed into port words.  Runtime-direction cores get random
    per-frame inverse flags (from the same ``seed``)."""
    from fftforge.pyref import lanes
    from fftforge.pyref.stimulus import make_stimulus
    from fftforge.sim.payload import pack
    rng = np.random.default_rng(seed)
    # overlap-save filters take a continuous stream: hop new samples per frame
    # in, the kept outputs out (lanes.frame_samples and lanes.model_stream)
    re, im = make_stimulus(stimulus, frames, lanes.frame_samples(cfg), desc["input_width"], rng)
    inverse = rng.random(frames) < 0.5 if desc.get("direction") == "runtime" else None
    if getattr(cfg, "runtime_n", None) is not None:
        # run-time length: random sizes; the hex words are the stream, frame
        # f's first 2**log2n[f] samples (and outputs), back to back
        lo, hi = cfg.log2n_range
        log2n = rng.integers(lo, hi + 1, frames)
        st = lanes.sized_stream(cfg, re, im, inverse, log2n)
        total = int(st["sizes"].sum())
        y_re, y_im, ovf = st["model"]
        return GoldenVectors(re=re, im=im, y_re=y_re, y_im=y_im, overflow=ovf, inverse=inverse, log2n=log2n,
                             input_words=pack(desc["ports"]["input"]["fields"], st["input"], total),
                             output_words=pack(desc["ports"]["output"]["fields"], st["output"], total))
    y_re, y_im, ovf, *exponent = lanes.model_stream(cfg, re, im, inverse)
    exponent = exponent[0] if exponent else None
    ports = desc["ports"]
    # one stream word per transfer of P samples (lane 0 = lowest index)
    in_vals = lanes.input_words(cfg, re, im)
    out_vals = lanes.output_words(cfg, y_re, y_im, ovf, exponent)
    total = out_vals["last"].size
    return GoldenVectors(re=re, im=im, y_re=y_re, y_im=y_im, overflow=ovf, inverse=inverse,
                         input_words=pack(ports["input"]["fields"], in_vals, total),
                         output_words=pack(ports["output"]["fields"], out_vals, total), exponent=exponent)


def hex_text(words, width: int) -> str:
    """``$readmemh`` text: one word a line, ``ceil(width / 4)`` lower-case
    hex digits each."""
    digits = -(-width // 4)
    return "".join(f"{w:0{digits}x}\n" for w in words)


def write_vectors(cfg, desc: dict, outdir: str, frames: int, stimulus: str = "random", seed: int = 1) -> str:
    """Write the files of :func:`golden_vectors` (see the module docstring)
    into ``outdir`` (created if absent); returns their common path prefix
    ``outdir/<name>``."""
    v = golden_vectors(cfg, desc, frames, stimulus, seed)
    os.makedirs(outdir, exist_ok=True)
    base = os.path.join(outdir, desc["name"])
    np.save(base + "_input.npy", v.re + 1j * v.im)
    np.save(base + "_expected.npy", np.asarray(v.y_re, dtype=np.float64) + 1j * np.asarray(v.y_im, dtype=np.float64))
    np.save(base + "_overflow.npy", v.overflow)
    if v.inverse is not None:
        np.save(base + "_inverse.npy", v.inverse)
    if v.exponent is not None:
        np.save(base + "_exponent.npy", np.asarray(v.exponent, dtype=np.int64))
    if v.log2n is not None:
        np.save(base + "_log2n.npy", np.asarray(v.log2n, dtype=np.int64))
    ports = desc["ports"]
    for suffix, words, width in (("_input.hex", v.input_words, ports["input"]["width"]),
                                 ("_expected.hex", v.output_words, ports["output"]["width"])):
        with open(base + suffix, "w") as f:
            f.write(hex_text(words, width))
    return base
