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

Block floating point (``cfg.scaling == "bfp"``): the forward FFT gives
mantissas and a block exponent ``e`` per frame; :func:`bfp_bias` (twin of
:class:`fftforge.hdl.normalize.BlockBias`) picks the frame's output exponent
``e2``, the shift ``d = e2 - e`` of the weighted mantissas and the bias on
them ``b'``; :func:`block_shift` shifts; then modReLU and the inverse as
above, and the model returns ``e2`` fourth:
``fftnet_float(x, W, b) ~= output * 2**(e2 - log2 n)``
(:mod:`fftforge.filter_config`, "Block floating point FFTNet").
"""

from __future__ import annotations

import numpy as np

from fftforge.filter_config import FFTNetConfig
from fftforge.pyref.filter import FilterModel, frame_weights
from fftforge.pyref.fft import sqnr_db
from fftforge.pyref.fixed import round_shift
from fftforge.pyref.modrelu import ModReLUModel, modrelu_error_bound, modrelu_float
from fftforge.pyref.noise import predicted_noise_power, sqnr_margin_db

__all__ = ["fftnet_float", "FFTNetModel", "fftnet_noise_power", "fftnet_sqnr_bound_db", "sqnr_db", "bfp_bias",
           "block_shift", "bfp_fftnet_noise_power", "bfp_fftnet_sqnr_bound_db"]


def fftnet_float(x, weights, bias, norm: str = "forward"):
    """``Re(ifft(modReLU(fft(x) * W, b)))`` per row (NumPy ``norm``); ``x``
    (frames, n), ``weights`` (frames, n) complex, ``bias`` (frames,)."""
    x = np.asarray(x)
    X = np.fft.fft(x, axis=-1, norm=norm)
    Y = X * np.asarray(weights)
    Z = modrelu_float(Y, np.asarray(bias, dtype=np.float64)[..., None])
    return np.fft.ifft(Z, axis=-1, norm=norm).real


def bfp_bias(cfg: FFTNetConfig, e, bias):
    """Twin of :class:`fftforge.hdl.normalize.BlockBias`'s control path, per
    frame: ``(d, b2, e2)`` for forward exponents ``e`` and biases ``bias``
    (frames,) -- ``nb = bit_length(b XOR sign(b))`` (``|b| <= 2**nb``),
    ``e2 = max(e, L + nb - c)`` (``e2 = e`` for ``b = 0``; ``c =
    cfg.bfp_bias_log2``), ``d = e2 - e``, ``b2 = b * 2**(L - e2)``, an exact
    left shift (``e2 <= L``: the configuration checks ``e <= L``, and ``L +
    nb - c <= L - 2``).  ``|b2| <= 2**c`` (module docstring of
    :mod:`fftforge.filter_config`).  int64 arrays."""
    e = np.asarray(e, dtype=np.int64)
    b = np.broadcast_to(np.asarray(bias, dtype=np.int64), e.shape)
    nb = np.array([(v ^ (v >> 63)).bit_length() for v in b.tolist()], dtype=np.int64).reshape(e.shape)
    lift = np.where(b == 0, 0, cfg.log2n + nb - cfg.bfp_bias_log2)
    e2 = np.maximum(e, lift)
    assert (e2 <= cfg.log2n).all()
    return e2 - e, b << (cfg.log2n - e2), e2


def block_shift(re, im, d, rounding: str):
    """Twin of :class:`fftforge.hdl.normalize.BlockBias`'s word path: each
    frame (row) of ``re``, ``im`` shifted right by its ``d``
    (:func:`round_shift`, configured rounding; no component grows beyond its
    bound, so nothing is clipped)."""
    o_re, o_im = np.array(re, dtype=np.int64), np.array(im, dtype=np.int64)
    for f, s in enumerate(np.asarray(d).tolist()):
        o_re[f] = round_shift(o_re[f], int(s), rounding)
        o_im[f] = round_shift(o_im[f], int(s), rounding)
    return o_re, o_im


class FFTNetModel(FilterModel):
    """Bit-true model of the FFTNet core.  ``model(re, im, inverse=None,
    weights=None, bias=None)`` -> ``(re, im, ovf)``; ``im`` is all zeros (the
    core outputs the real part only)."""

    def __init__(self, cfg: FFTNetConfig):
        super().__init__(cfg)
        self.modrelu = ModReLUModel(cfg.mul_width, cfg.spectrum_width, cfg.iterations, cfg.guard,
                                    cfg.rounding)

    def stages(self, re, im, weights=None, bias=None):
        """(Y_re, Y_im), (Z_re, Z_im), per-frame bias (the bias at the
        modReLU: bfp, ``b'``), and the per-frame output exponent (bfp:
        ``e2`` of :func:`bfp_bias`; else None).  bfp: Y is the shifted
        ``Y'``."""
        cfg = self.cfg
        frames = np.asarray(re).shape[0]
        if bias is None:
            _, _, bias = frame_weights(cfg, frames)
        bias = np.asarray(bias, dtype=np.int64)
        y_re, y_im, _, e = self.weighted(re, im, weights)
        if cfg.bfp:
            d, bias, e = bfp_bias(cfg, e, bias)
            y_re, y_im = block_shift(y_re, y_im, d, cfg.rounding)
        z_re, z_im, _ = self.modrelu(y_re, y_im, bias[:, None])
        return (y_re, y_im), (z_re, z_im), bias, e

    def __call__(self, re, im, inverse=None, weights=None, bias=None):
        """``(re, im, ovf)`` (``im`` all zeros); bfp: each frame's
        ``exponent`` (``e2``, int64 (frames,)) fourth."""
        if self.cfg.real_pairs:
            v_re, v_im = self.paired_spectrum(re, im, weights, bias)
            return self.inv(v_re, v_im)
        re = np.asarray(re)
        im = np.zeros_like(re)       # real tokens: the core has no imaginary input
        _, (z_re, z_im), _, e = self.stages(re, im, weights, bias)
        o_re, _, ovf = self.inv(z_re, z_im)
        if self.cfg.bfp:
            return o_re, np.zeros_like(o_re), ovf, np.asarray(e, dtype=np.int64)
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


def bfp_fftnet_noise_power(cfg: FFTNetConfig, re, weights, bias) -> np.ndarray:
    """Block floating point: predicted noise power per real output sample
    of each frame, in input LSB^2 (the units of :func:`fftnet_float`), for
    real frames ``re`` (frames, n), their float weights ``weights`` (frames,
    n) and integer biases ``bias`` (frames,).  Per frame, with the forward
    exponent ``e`` and the scaler's ``e2``, ``d = e2 - e``
    (:func:`bfp_bias`), in DFT units (``Y = fft(x) * W``, ``b n``):

    * per bin before the modReLU: the bfp forward FFT's noise through the
      weight, ``P_fwd |W_k|**2`` (:func:`fftforge.pyref.filter.bfp_forward_noise`),
      the multiply's rounding at the mantissa LSB, ``P_mul 4**e`` where
      ``W_k != 0``, and the block shift's rounding of ``d`` bits at the
      shifted LSB, ``P_round(d) 4**e2`` (complex);
    * through modReLU's Jacobian as for the scaled layer
      (:func:`fftnet_noise_power`): ``(1 + (M/A)**2) / 2`` outside the dead
      zone, 0 inside; plus the CORDIC's worst case
      (:func:`fftforge.pyref.modrelu.modrelu_error_bound` on the mantissa
      operands ``Y / 2**e2``, ``b n / 2**e2``), ``2 bound**2 4**e2``;
    * the inverse (``ifft`` of DFT-unit bins): the mean over bins ``/ n``,
      plus the unscaled inverse FFT's own twiddle noise
      (:func:`fftforge.pyref.noise.predicted_noise_power` of
      ``cfg.fft_inverse`` for the mantissa spectrum's mean power) times
      ``4**(e2 - log2 n)``;
    * the real part carries half."""
    from fftforge.pyref.filter import _round_noise, bfp_forward_noise
    re = np.asarray(re, dtype=np.int64)
    e, p_fwd, _ = bfp_forward_noise(cfg, re, np.zeros_like(re))
    d, b2, e2 = bfp_bias(cfg, e, bias)
    w = np.asarray(weights)
    n = cfg.n
    y = np.fft.fft(re, axis=1) * w
    p_mul = _round_noise(cfg.rounding, cfg.coef_width - 1)
    out = np.zeros(len(e))
    for f in range(len(e)):
        s2 = 4.0 ** int(e2[f])
        bf = float(np.asarray(bias)[f]) * n
        p_y = (p_fwd[f] * np.abs(w[f]) ** 2 + p_mul * 4.0 ** int(e[f]) * (w[f] != 0)
               + _round_noise(cfg.rounding, int(d[f])) * s2)
        a = np.abs(y[f])
        mo = np.maximum(0.0, a + bf)
        with np.errstate(divide="ignore", invalid="ignore"):
            g2 = np.where(a > 0, (mo / np.where(a > 0, a, 1.0)) ** 2, 0.0)
        bound = modrelu_error_bound(cfg.iterations, cfg.guard, y[f] / 2.0 ** int(e2[f]), bf / 2.0 ** int(e2[f]),
                                    cfg.mul_width)
        p_z = np.where(mo > 0, p_y * (1 + g2) / 2, 0.0) + 2 * bound ** 2 * s2
        p_inv = predicted_noise_power(cfg.fft_inverse, float(np.mean(mo ** 2)) / s2)
        out[f] = (float(np.mean(p_z)) / n + p_inv * 4.0 ** (int(e2[f]) - cfg.log2n)) / 2
    return out


def bfp_fftnet_sqnr_bound_db(cfg: FFTNetConfig, reference, re, weights, bias) -> float:
    """The SQNR a bfp FFTNet core must reach on real frames ``re``
    (``reference``: :func:`fftnet_float` of them): total signal power over
    the total of :func:`bfp_fftnet_noise_power`, minus
    :func:`fftforge.pyref.noise.sqnr_margin_db`."""
    ref = np.asarray(reference)
    noise = float(np.sum(bfp_fftnet_noise_power(cfg, re, weights, bias)) * ref.shape[1])
    return float(10 * np.log10(float(np.sum(ref ** 2)) / noise) - sqnr_margin_db(ref.size))
