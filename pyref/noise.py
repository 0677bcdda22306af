"""Analytic quantisation-noise model of an FFT core: the SQNR bound the tests
enforce is derived here, per configuration, from the same plan the RTL and
the bit-true model are built from.

Model (standard additive-noise analysis of fixed-point FFTs, e.g. Oppenheim &
Schafer, "Discrete-Time Signal Processing", sec. 9.7; Welch, IEEE Trans.
Audio Electroacoust. 17(2), 1969):

* Every rounding point that drops ``s`` bits adds, per real component, an
  error that is uniform over the 2**s discarded patterns (in LSB^2 of the
  rounded result): ``convergent`` power (1 + 2*4**-s)/12 (mean 0; the ties
  make it 1/8 for s = 1, not the continuous 1/12); ``truncate`` power
  (2**s - 1)(2**(s+1) - 1)/(6*4**s) (mean -(1 - 2**-s)/2).  Complex: twice.
* Rounding points: a butterfly stage with shift > 0 (both outputs), and a
  twiddle multiplier on its non-trivial phases (fraction taken from the
  actual twiddle pattern).
* The twiddle ROM's own quantisation adds ``E|W_q - W|^2 * P_signal`` at
  each twiddle part (exact mean over the pattern's phases).
* Noise (and signal) power per sample is multiplied by ``2 / 4**shift``
  through each later butterfly stage (two independent inputs, scaled by
  2**-shift) and kept by each twiddle rotation (|W| ~ 1).

* The mean of the truncation error is the same in every sample, so it is
  not independent between stages: it is propagated exactly, as a float
  vector through the same butterfly/twiddle structure, and its power added
  to the variance part.

``predicted_noise_power`` returns the expected output noise power per complex
output sample in output-LSB^2 units; ``predicted_sqnr_db`` relates it to the
power of a given reference output.
"""

from __future__ import annotations

import numpy as np

from fftforge.config import FFTConfig
from fftforge.pyref.twiddle import exponents, phase_factors, quarter_table
from fftforge.pyref.cmul import rotate

__all__ = ["predicted_noise_power", "predicted_sqnr_db", "sqnr_margin_db", "sqnr_bound_db",
           "MODEL_MARGIN_DB"]

# Largest shortfall of the measured SQNR below the prediction seen over the
# configuration matrix (arch x N 8..4096 x scaling x rounding x width
# 8/16/24, random and tone inputs, 8 frames): 1.3 dB, at N = 8 where few
# rounding points and few samples make the estimate noisy.  The bound adds a
# 3-sigma term for the spread of a noise-power estimate from M samples.
MODEL_MARGIN_DB = 1.0


def _rounding_power(rounding: str, shift: int) -> float:
    """Error power per real component of one rounding that drops ``shift``
    uniformly distributed bits, in LSB^2 of the result."""
    if shift == 0:
        return 0.0
    q = 4.0 ** -shift
    if rounding == "convergent":
        return (1.0 + 2.0 * q) / 12.0
    return (2.0 ** shift - 1) * (2.0 ** (shift + 1) - 1) * q / 6.0


def _rounding_mean(rounding: str, shift: int) -> float:
    """Mean error per real component of one rounding (LSB of the result)."""
    if shift == 0 or rounding == "convergent":
        return 0.0
    return -(1.0 - 2.0 ** -shift) / 2.0


def _parts(cfg: FFTConfig, n=None):
    """The parts a frame goes through: the plan, or for a frame of size
    ``n`` of a run-time-length core :func:`fftforge.pyref.fft.tail_parts`
    (a twiddle part there may see only the first n phases of its period)."""
    if n is None:
        return cfg.plan()
    from fftforge.pyref.fft import tail_parts
    return tail_parts(cfg, n)


def _mean_error_power(cfg: FFTConfig, size=None) -> float:
    """Power of the deterministic (mean) rounding error at the output,
    propagated exactly through the pipeline's butterflies and twiddles."""
    n = size or cfg.n
    mu = np.zeros(n, dtype=np.complex128)
    for part in _parts(cfg, size):
        if part.kind in ("bf2", "bf2ii"):
            d = part.delay
            b = _rounding_mean(cfg.rounding, part.shift) * (1 + 1j)
            if part.kind == "bf2":
                x = mu.reshape(-1, 2, d)
                a, c = x[:, 0, :], x[:, 1, :]
            else:
                x = mu.reshape(-1, 2, 2, d)
                a, c = x[:, :, 0, :], x[:, :, 1, :] * np.array([1, -1j]).reshape(1, 2, 1)
            scale = 2.0 ** -part.shift
            mu = np.stack([(a + c) * scale + b, (a - c) * scale + b], axis=-2).reshape(n)
        elif part.kind == "twiddle":
            e = exponents(part.period, part.pattern)
            rot, addr, triv = phase_factors(part.period, part.pattern, cfg.twiddle_width)
            w = np.exp(-2j * np.pi * e / part.period)
            b = np.where(triv, 0, _rounding_mean(cfg.rounding, cfg.twiddle_width - 1) * (1 + 1j))
            m = min(part.period, n)             # a frame shorter than the period sees its first n phases
            mu = (mu.reshape(-1, m) * w[:m] + b[:m]).reshape(n)
    return float(np.mean(np.abs(mu) ** 2))


def _twiddle_stats(part, twiddle_width: int, n=None):
    """(fraction of non-trivial phases, mean |W_q - W|^2 over phases; the
    first ``n`` phases only when the frame is shorter than the period)."""
    rot, addr, triv = phase_factors(part.period, part.pattern, twiddle_width)
    c_tab, s_tab = quarter_table(part.period, twiddle_width)
    c, s = rotate(c_tab[addr], s_tab[addr], rot)
    scale = float(1 << (twiddle_width - 1))
    wq = (c + 1j * s) / scale
    e = exponents(part.period, part.pattern)
    w = np.exp(-2j * np.pi * e / part.period)
    err = np.where(triv, 0.0, np.abs(wq - w) ** 2)
    m = part.period if n is None else min(part.period, n)
    return float(np.mean(~triv[:m])), float(np.mean(err[:m]))


def predicted_noise_power(cfg: FFTConfig, input_power: float, size=None) -> float:
    """Expected noise power per complex output sample (output LSB^2).

    ``input_power``: mean |x|^2 of the input samples (input LSB^2); only the
    twiddle-coefficient term depends on it.  ``size``: a run-time-length
    core's frames of that size (the parts :func:`_parts` gives)."""
    def var(shift):
        return _rounding_power(cfg.rounding, shift) - _rounding_mean(cfg.rounding, shift) ** 2

    pr_twiddle = var(cfg.twiddle_width - 1)
    noise = 0.0
    signal = float(input_power)
    for part in _parts(cfg, size):
        if part.kind in ("bf2", "bf2ii"):
            g = 2.0 / 4.0 ** part.shift
            noise *= g
            signal *= g
            noise += 2 * var(part.shift)
        elif part.kind == "twiddle":
            frac, werr = _twiddle_stats(part, cfg.twiddle_width, size)
            noise += frac * 2 * pr_twiddle + werr * signal
    return noise + _mean_error_power(cfg, size)


def predicted_sqnr_db(cfg: FFTConfig, reference, input_power: float, size=None) -> float:
    """Predicted SQNR (dB) of the core's output against ``reference`` (the
    float output in the core's scale; ``size``: of a run-time-length core's
    frames of that size)."""
    ref = np.asarray(reference)
    p_sig = float(np.mean(np.abs(ref) ** 2))
    p_noise = predicted_noise_power(cfg, input_power, size)
    if p_noise == 0:
        return float("inf")
    return 10 * np.log10(p_sig / p_noise)


def sqnr_margin_db(samples: int) -> float:
    """Allowed shortfall below the prediction for a measurement over
    ``samples`` complex output samples: model error plus 3 standard
    deviations of the noise-power estimate (relative std ~ sqrt(2/M))."""
    return MODEL_MARGIN_DB + 3 * 10 * np.log10(1 + np.sqrt(2.0 / samples))


def sqnr_bound_db(cfg: FFTConfig, reference, input_power: float, size=None) -> float:
    """The SQNR (dB) a core must reach on this stimulus: prediction minus
    :func:`sqnr_margin_db` (``size``: a run-time-length core's frames of
    that size, ``reference`` theirs)."""
    ref = np.asarray(reference)
    return predicted_sqnr_db(cfg, ref, input_power, size) - sqnr_margin_db(ref.size)
