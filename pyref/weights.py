"""Weights, FIR taps and biases of the spectral filter and FFTNet cores, from
the user's ``.npy`` files or a named design, as the integer words a
:class:`~fftforge.filter_config.FilterConfig` / ``FFTNetConfig`` holds.

Every check answers in one line (:class:`~fftforge.errors.UserError`,
naming the file, or the ``fftforge generate`` option at fault):

* :func:`load_weights`: complex ``(channels, n)`` (or ``(n,)``) with
  ``|W| <= 1``, quantised to ``coef_width`` bits, or integer
  ``(channels, n, 2)`` words taken as they are;
* :func:`load_bias`: FFTNet's modReLU bias per channel, ``(channels,)`` real
  numbers in input-LSB units, rounded;
* :func:`fir_weights`: the DFT of a 1-D FIR of at most ``taps`` taps (an
  overlap-save core) with gain ``max |H| <= 1``;
* :func:`filter_weights` / :func:`fftnet_weights`: the configuration with the
  weights of one source (file, design or FIR; the configuration's own
  default weights when none is given).
"""

from __future__ import annotations

import numpy as np

from fftforge.errors import UserError

__all__ = ["load_npy", "load_weights", "load_bias", "fir_weights", "design_filter_weights", "filter_weights",
           "fftnet_weights"]


def load_npy(path: str, what: str) -> np.ndarray:
    """The array in ``path`` (no pickles); ``what`` names it in the one-line
    :class:`UserError` for a file that cannot be read."""
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise UserError(f"cannot read {what} file {path}: {e}") from None


def load_weights(path: str, n: int, channels: int, coef_width: int) -> tuple:
    """Weights ``.npy`` -> integer ``(re, im)`` arrays (channels, n).

    Integer ``(channels, n, 2)`` (or ``(n, 2)`` for one channel) arrays are
    the coefficient words themselves; complex or real ``(channels, n)`` (or
    ``(n,)``) arrays with finite ``|W| <= 1`` are quantised to ``coef_width``
    bits (:func:`fftforge.pyref.filter.quantise_weights`)."""
    from fftforge.pyref.filter import quantise_weights
    w = load_npy(path, "weights")
    if w.dtype.kind in "iu" and w.ndim in (2, 3) and w.shape[-1] == 2:
        if w.ndim == 2:
            w = w[None]
        if w.shape != (channels, n, 2):
            raise UserError(f"{path}: integer weights must have shape ({channels}, {n}, 2), got {w.shape}")
        return w[..., 0].astype(np.int64), w[..., 1].astype(np.int64)
    if w.dtype.kind not in "fc" and w.dtype.kind not in "iu":
        raise UserError(f"{path}: weights must be complex or real numbers, got dtype {w.dtype}")
    if w.ndim == 1:
        w = w[None]
    if w.shape != (channels, n):
        raise UserError(f"{path}: weights must have shape ({channels}, {n}) (or ({n},) for one channel), "
                        f"got {w.shape}")
    w = w.astype(np.complex128)
    if not np.all(np.isfinite(w)):
        raise UserError(f"{path}: weights must be finite")
    mag = float(np.max(np.abs(w)))
    if mag > 1 + 1e-9:
        raise UserError(f"{path}: weights must have |W| <= 1, max |W| = {mag:.4f}")
    return quantise_weights(w, coef_width)


def load_bias(path: str, channels: int, width: int) -> tuple:
    """FFTNet's modReLU bias ``.npy`` -> a tuple of ``channels`` ints: real
    numbers (input-LSB units) within ``+-(2**width - 1)``, rounded.  A
    ``(1, channels)`` or ``(channels, 1)`` array is taken as ``(channels,)``."""
    b = load_npy(path, "bias")
    if b.dtype.kind not in "fiu":
        raise UserError(f"{path}: bias must be real numbers, got dtype {b.dtype}")
    b = b.reshape(-1) if b.ndim == 2 and 1 in b.shape else b
    if b.shape != (channels,):
        raise UserError(f"{path}: bias must have shape ({channels},), got {b.shape}")
    lim = (1 << width) - 1
    if not np.all(np.isfinite(b)) or np.max(np.abs(b)) > lim:
        raise UserError(f"{path}: bias must be within +-{lim} (input LSB units)")
    return tuple(int(v) for v in np.round(b))


def fir_weights(path: str, cfg) -> tuple:
    """Integer ``(re, im)`` weights (n,) of an overlap-save filter from the
    FIR taps in ``path``: a 1-D array of at most ``cfg.taps`` numbers whose
    ``n``-point DFT has ``max |H| <= 1``."""
    from fftforge.pyref.filter import quantise_weights
    h = load_npy(path, "fir")
    if h.ndim != 1 or h.dtype.kind not in "fciu":
        raise UserError(f"{path}: the FIR must be a 1-D array of numbers, got {h.dtype} {h.shape}")
    if len(h) > cfg.taps:
        raise UserError(f"{path}: FIR has {len(h)} taps, more than --taps {cfg.taps} "
                        f"(overlap-save limit: n/2 = {cfg.n // 2})")
    w = np.fft.fft(h.astype(np.complex128), cfg.n)
    if np.max(np.abs(w)) > 1 + 1e-9:
        raise UserError(f"{path}: the FIR's gain max|H| = {np.max(np.abs(w)):.4f} exceeds 1; scale it down")
    return quantise_weights(w, cfg.coef_width)


def design_filter_weights(cfg, design: str, cutoff=None) -> tuple:
    """Integer ``(re, im)`` weights (channels * n,) of the named ``design``
    (``lowpass``, ``bandpass``, ``hilbert``; :func:`fftforge.pyref.filter.design_weights`),
    the same for every channel.  ``cutoff``: a number (lowpass) or ``(lo, hi)``
    (bandpass), in cycles/sample, ``0 < f < 0.5``.  Overlap-save cores get
    the windowed-sinc FIR of ``cfg.taps`` taps."""
    from fftforge.pyref.filter import design_weights
    if design in ("lowpass", "bandpass"):
        want = 2 if design == "bandpass" else 1
        got = 0 if cutoff is None else (2 if isinstance(cutoff, tuple) else 1)
        if got != want:
            raise UserError(f"--design {design} needs --cutoff "
                            f"{'LO,HI' if want == 2 else 'F'} (cycles/sample, 0 < f < 0.5)")
        vals = cutoff if isinstance(cutoff, tuple) else (cutoff,)
        if not all(0 < v < 0.5 for v in vals) or (want == 2 and vals[0] >= vals[1]):
            raise UserError(f"--cutoff must be in (0, 0.5) (LO < HI for bandpass), got {cutoff}")
    taps = cfg.taps if cfg.mode == "overlap_save" else 0
    (re, im), _ = design_weights(design, cfg.n, cfg.coef_width, cutoff=cutoff, taps=taps)
    return np.tile(re, cfg.channels), np.tile(im, cfg.channels)


def filter_weights(cfg, weights: str | None = None, design: str | None = None, cutoff=None,
                   fir: str | None = None):
    """``cfg`` (a :class:`~fftforge.filter_config.FilterConfig`) with the
    weights of at most one source: a weights file, a named design (with
    ``cutoff``) or a FIR file (overlap-save only).  An overlap-save core
    needs a FIR or a design; a circular one without a source keeps its
    default weights."""
    if sum(s is not None for s in (weights, design, fir)) > 1:
        raise UserError("give at most one of --weights, --design, --fir")
    if fir is not None:
        if cfg.mode != "overlap_save":
            raise UserError("--fir needs --mode overlap_save (use --weights for a circular filter)")
        re, im = fir_weights(fir, cfg)
        return cfg.replace(weights_re=re, weights_im=im)
    if design is not None:
        re, im = design_filter_weights(cfg, design, cutoff)
        return cfg.replace(weights_re=re, weights_im=im)
    if cfg.mode == "overlap_save":
        raise UserError("overlap_save needs --fir or --design (a FIR of at most --taps taps)")
    return cfg.replace(**_weights_file(cfg, weights))


def fftnet_weights(cfg, weights: str | None = None, bias: str | None = None):
    """``cfg`` (an ``FFTNetConfig``) with the weights and modReLU biases of
    the given files (each optional: the configuration's defaults remain)."""
    extra = _weights_file(cfg, weights)
    if bias is not None:
        extra["bias"] = load_bias(bias, cfg.channels, cfg.width)
    return cfg.replace(**extra)


def _weights_file(cfg, path) -> dict:
    """``replace`` keywords of the weights in ``path`` ({} for None)."""
    if path is None:
        return {}
    re, im = load_weights(path, cfg.n, cfg.channels, cfg.coef_width)
    return {"weights_re": re.reshape(-1), "weights_im": im.reshape(-1)}
