"""FFTNet token-mixing layer: float layer (from the formula) and bit-true
model of :class:`fftforge.hdl.fftnet.FFTNetCore`.

Float layer (FFTNet, "The FFT Strikes Back", arXiv 2502.18394), per channel
``c`` of real tokens ``x_c`` (length n)::

    X = FFT(x_c);  Y = X * W_c;  Z = modReLU(Y, b_c);  y_c = Re(iFFT(Z))

with ``modReLU(z) = z * max(0, |z| + b) / |z|`` (0 at z = 0).
:func:`fftnet_float` takes NumPy's ``norm`` convention for the FFT pair; the
hardware computes the ``norm="forward"`` convention (``X = DFT(x)/N``,
``iFFT`` unnormalised), in input units, with ``W`` and ``b`` the quantised
weights and integer biases.

The bit-true model composes :class:`fftforge.pyref.filter.FilterModel`'s
forward FFT and multiply, :class:`fftforge.pyref.modrelu.ModReLUModel` and
the inverse FFT model, as the RTL does.
"""

from __future__ import annotations

import numpy as np

from fftforge.filter_config import FFTNetConfig
from fftforge.pyref.filter import FilterModel, frame_weights
from fftforge.pyref.fft import sqnr_db
from fftforge.pyref.modrelu import ModReLUModel, modrelu_error_bound, modrelu_float
from fftforge.pyref.noise import predicted_noise_power, sqnr_margin_db

__all__ = ["fftnet_float", "FFTNetModel", "fftnet_noise_power", "fftnet_sqnr_bound_db", "sqnr_db"]


def fftnet_float(x, weights, bias, norm: str = "forward"):
    """``Re(ifft(modReLU(fft(x) * W, b)))`` per row (NumPy ``norm``); ``x``
    (frames, n), ``weights`` (frames, n) complex, ``bias`` (frames,)."""
    x = np.asarray(x)
    X = np.fft.fft(x, axis=-1, norm=norm)
    Y = X * np.asarray(weights)
    Z = modrelu_float(Y, np.asarray(bias, dtype=np.float64)[..., None])
    return np.fft.ifft(Z, axis=-1, norm=norm).real


class FFTNetModel(FilterModel):
    """Bit-true model of the FFTNet core.  ``model(re, im, inverse=None,
    weights=None, bias=None)`` -> ``(re, im, ovf)``; ``im`` is all zeros (the
    core outputs the real part only)."""

    def __init__(self, cfg: FFTNetConfig):
        super().__init__(cfg)
        self.modrelu = ModReLUModel(cfg.mul_width, cfg.spectrum_width, cfg.iterations, cfg.guard,
                                    cfg.rounding)

    def stages(self, re, im, weights=None, bias=None):
        """(Y_re, Y_im), (Z_re, Z_im), per-frame bias."""
        cfg = self.cfg
        frames = np.asarray(re).shape[0]
        if bias is None:
            _, _, bias = frame_weights(cfg, frames)
        y_re, y_im, _ = self.spectrum(re, im, weights)
        z_re, z_im, _ = self.modrelu(y_re, y_im, np.asarray(bias)[:, None])
        return (y_re, y_im), (z_re, z_im), np.asarray(bias)

    def __call__(self, re, im, inverse=None, weights=None, bias=None):
        if self.cfg.real_pairs:
            v_re, v_im = self.paired_spectrum(re, im, weights, bias)
            return self.inv(v_re, v_im)
        re = np.asarray(re)
        im = np.zeros_like(re)       # real tokens: the core has no imaginary input
        _, (z_re, z_im), _ = self.stages(re, im, weights, bias)
        o_re, _, ovf = self.inv(z_re, z_im)
        return o_re, np.zeros_like(o_re), ovf


def fftnet_noise_power(cfg: FFTNetConfig, input_power: float, y_float, bias) -> float:
    """Predicted noise power of the real output (input LSB^2), derived from
    the float spectrum ``y_float`` (frames, n) = ``fft(x, norm='forward') * W``:

    * the forward FFT + multiply noise per bin ``P_y`` (as for the filter) goes
      through modReLU's Jacobian: radial gain 1, tangential gain ``M/A``
      (``A = |Y|``, ``M = max(0, A + b)``), none in the dead zone:
      ``P_y (1 + (M/A)**2) / 2``;
    * the CORDIC error is bounded per bin by
      :func:`fftforge.pyref.modrelu.modrelu_error_bound` (worst case, on both
      components): ``2 * bound**2`` -- an upper bound, so the prediction is
      pessimistic where it dominates;
    * the unscaled inverse sums N bins (N-fold), plus its own twiddle noise;
      the real part carries half of circular complex noise.
    """
    from fftforge.pyref.filter import _round_noise
    y = np.asarray(y_float)
    b = np.asarray(bias, dtype=np.float64)[:, None]
    w2 = float(np.mean(np.abs(y) ** 2)) / max(input_power / cfg.n, 1e-300)
    p_y = predicted_noise_power(cfg.fft_forward, input_power) * w2 + _round_noise(cfg.rounding, cfg.coef_width - 1)
    a = np.abs(y)
    mo = np.maximum(0.0, a + b)
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = np.where(a > 0, (mo / np.where(a > 0, a, 1.0)) ** 2, 0.0)
    p_z = np.where(mo > 0, p_y * (1 + g2) / 2, 0.0) + 2 * modrelu_error_bound(cfg.iterations, cfg.guard, y, b, cfg.mul_width) ** 2
    p_zs = float(np.mean(np.abs(mo) ** 2))
    p_inv = predicted_noise_power(cfg.fft_inverse, p_zs)
    return (cfg.n * float(np.mean(p_z)) + p_inv) / 2


def fftnet_sqnr_bound_db(cfg: FFTNetConfig, reference, input_power: float, y_float, bias) -> float:
    """Predicted SQNR of the real output minus the measurement margin.

    Real pairs: ``reference`` is ``y_a + j y_b``, ``input_power`` a pair
    (per channel), ``y_float`` and ``bias`` pairs; the noise is the sum of the
    two channels' :func:`fftnet_noise_power` (which takes all of the forward
    noise for each channel, twice what pairing leaves it: conservative) plus
    the recombination's rounding, N-fold, half in each part."""
    from fftforge.pyref.filter import _round_noise
    ref = np.asarray(reference)
    p_sig = float(np.mean(np.abs(ref) ** 2))
    if cfg.real_pairs:
        noise = sum(fftnet_noise_power(cfg, p, y, b) for p, y, b in zip(input_power, y_float, bias))
        noise += cfg.n * _round_noise(cfg.rounding, 1)
    else:
        noise = fftnet_noise_power(cfg, input_power, y_float, bias)
    return float(10 * np.log10(p_sig / noise) - sqnr_margin_db(ref.size))
