"""Spectral filter: float reference, bit-true model and analytic noise model.

The bit-true model is the composition of the FFT core's model
(:class:`fftforge.pyref.fft.FFTModel` of ``cfg.fft_forward``), the per-bin
multiply (:func:`bin_multiply`, twin of :class:`fftforge.hdl.filter.BinMultiply`)
and the FFT model of ``cfg.fft_inverse`` -- the same parts, in the same
order, as the RTL (:class:`fftforge.hdl.filter.FilterCore`).

Scale relation (see :mod:`fftforge.filter_config`): the output is, in input
units, ``ifft(fft(x) * W)`` per frame -- the circular convolution of the frame
with ``ifft(W)`` -- where ``W = (W_re + j W_im) / 2**(coef_width-1)`` are the
weights of channel ``f mod channels`` for frame ``f``.

Block floating point (``cfg.scaling == "bfp"``): the forward FFT model is
the FFT kind's bfp model (mantissas and a per-frame exponent ``e``), the
multiply and the unscaled inverse FFT work on the mantissas, and the model
returns ``e`` fourth: ``ifft(fft(x) * W) ~= output * 2**(e - log2 n)``.

Runtime weights: the weight memory after the first ``p`` writes of a write
list is :func:`weights_after`; frame ``f`` uses the state after ``wseq[f]``
writes (the core reports ``wseq`` with every output word).
"""

from __future__ import annotations

import numpy as np

from fftforge.filter_config import FilterConfig
from fftforge.pyref.cmul import cmul
from fftforge.pyref.fft import FFTModel, sqnr_db
from fftforge.pyref.fixed import resize, round_shift
from fftforge.pyref.noise import _rounding_power, predicted_noise_power, sqnr_margin_db

__all__ = ["paired_noise_power", "bin_multiply", "pair_separate", "pair_combine", "mirror", "frame_channels", "FilterModel", "filter_float", "weights_after", "frame_weights",
           "filter_noise_power", "filter_sqnr_bound_db", "bfp_filter_noise_power", "bfp_filter_sqnr_bound_db",
           "bfp_forward_noise",
           "sqnr_db", "overlap_save_frames",
           "overlap_save_collect", "design_weights", "quantise_weights", "DESIGNS"]

DESIGNS = ("lowpass", "bandpass", "hilbert")


def bin_multiply(re, im, w_re, w_im, cfg: FilterConfig):
    """Twin of :class:`fftforge.hdl.filter.BinMultiply`: exact complex product,
    shift right by ``coef_width - 1`` (configured rounding), saturate to
    ``cfg.mul_width``.  Returns ``(re, im, ovf)``."""
    p_re, p_im = cmul(np.asarray(re, dtype=np.int64), np.asarray(im, dtype=np.int64),
                      np.asarray(w_re, dtype=np.int64), np.asarray(w_im, dtype=np.int64))
    s = cfg.coef_width - 1
    o_re, f1 = resize(round_shift(p_re, s, cfg.rounding), cfg.mul_width, "saturate")
    o_im, f2 = resize(round_shift(p_im, s, cfg.rounding), cfg.mul_width, "saturate")
    return np.asarray(o_re, dtype=np.int64), np.asarray(o_im, dtype=np.int64), f1 | f2


def weights_after(cfg: FilterConfig, writes, count: int):
    """Weight memory (re, im) (channels, n) and biases (channels,) after the
    first ``count`` entries of ``writes`` (dict of arrays ``addr``, ``re``,
    ``im``) were applied to the initial contents."""
    w_re, w_im = cfg.weight_arrays()
    w_re, w_im = w_re.reshape(-1).copy(), w_im.reshape(-1).copy()
    bias = cfg.bias_array().copy() if hasattr(cfg, "bias_array") else None
    size = cfg.channels * cfg.n
    if writes is not None:
        for k in range(int(count)):
            a = int(writes["addr"][k])
            if a < size:
                w_re[a] = int(writes["re"][k])
                w_im[a] = int(writes["im"][k])
            elif bias is not None and a < size + cfg.channels:
                bias[a - size] = int(writes["re"][k])
    return w_re.reshape(cfg.channels, cfg.n), w_im.reshape(cfg.channels, cfg.n), bias


def frame_channels(cfg: FilterConfig, frames: int, second: bool = False):
    """Channel of each frame: ``f mod D``; real pairs: ``2f mod D`` (the
    ``re`` channel) or, with ``second``, ``(2f + 1) mod D`` (``im``)."""
    f = np.arange(frames)
    if cfg.real_pairs:
        return (2 * f + int(second)) % cfg.channels
    return f % cfg.channels


def frame_weights(cfg: FilterConfig, frames: int, writes=None, wseq=None, second: bool = False):
    """Per-frame weights (re, im) (frames, n) and biases (frames,): channel
    :func:`frame_channels` of the memory state after ``wseq[f]`` writes (all
    initial contents when ``writes`` is None)."""
    chan = frame_channels(cfg, frames, second)
    if writes is None or wseq is None:
        w_re, w_im, bias = weights_after(cfg, None, 0)
        return w_re[chan], w_im[chan], (bias[chan] if bias is not None else None)
    f_re = np.zeros((frames, cfg.n), dtype=np.int64)
    f_im = np.zeros((frames, cfg.n), dtype=np.int64)
    f_b = np.zeros(frames, dtype=np.int64)
    cache = {}
    for f in range(frames):
        p = int(wseq[f])
        if p not in cache:
            cache[p] = weights_after(cfg, writes, p)
        w_re, w_im, bias = cache[p]
        f_re[f], f_im[f] = w_re[chan[f]], w_im[chan[f]]
        if bias is not None:
            f_b[f] = bias[chan[f]]
    return f_re, f_im, (f_b if hasattr(cfg, "bias_array") else None)


def pair_separate(z_re, z_im):
    """Twin of the separation stage: with ``P = Z[k]``, ``Q = conj(Z[-k])``,
    ``2 X_a = P + Q`` and ``2 X_b = -j (P - Q)`` (exact, one bit wider): the
    spectra of the real and imaginary input channels, doubled."""
    q_re = np.roll(z_re[:, ::-1], 1, axis=1)
    q_im = -np.roll(z_im[:, ::-1], 1, axis=1)
    a = (z_re + q_re, z_im + q_im)
    d_re, d_im = z_re - q_re, z_im - q_im
    b = (d_im, -d_re)
    return a, b


def mirror(re, im):
    """``conj(V[-k])`` for each bin k: what the pairing stage sees at bin k
    for the bin N - k."""
    return np.roll(re[:, ::-1], 1, axis=1), -np.roll(im[:, ::-1], 1, axis=1)


def pair_combine(a_k, a_nk, b_k, b_nk, width: int, rounding: str):
    """Twin of the recombination stage: Hermitian parts
    ``2 H_a = Z_a[k] + conj(Z_a[-k])`` (likewise b), ``V = round((2 H_a +
    j 2 H_b) / 2)`` saturated to ``width`` bits.  Each argument is (re, im)
    of the value at bin k (``_k``) or at bin -k (``_nk``)."""
    ha_re, ha_im = a_k[0] + a_nk[0], a_k[1] - a_nk[1]
    hb_re, hb_im = b_k[0] + b_nk[0], b_k[1] - b_nk[1]
    v_re, f1 = resize(round_shift(ha_re - hb_im, 1, rounding), width, "saturate")
    v_im, f2 = resize(round_shift(ha_im + hb_re, 1, rounding), width, "saturate")
    return np.asarray(v_re, dtype=np.int64), np.asarray(v_im, dtype=np.int64), f1 | f2


class FilterModel:
    """Bit-true model of :class:`fftforge.hdl.filter.FilterCore`.

    ``model(re, im, inverse=None, weights=None)``: integer arrays
    (frames, n) in; ``weights`` = ``(w_re, w_im)`` per frame (frames, n)
    (default: the configured weights by channel).  Returns ``(re, im, ovf)``:
    the output words and the sticky per-frame overflow flag.
    """

    def __init__(self, cfg: FilterConfig):
        self.cfg = cfg
        self.fwd = FFTModel(cfg.fft_forward)
        self.inv = FFTModel(cfg.fft_inverse)

    def forward(self, re, im):
        """The forward FFT: ``(X_re, X_im, exponent)``, ``exponent`` the
        per-frame block exponents (frames,) of a bfp filter, else None."""
        x_re, x_im, _, *exponent = self.fwd(re, im)
        return x_re, x_im, (exponent[0] if exponent else None)

    def spectrum(self, re, im, weights=None):
        """Forward FFT and per-bin multiply: ``(Y_re, Y_im, ovf)``."""
        return self.weighted(re, im, weights)[:3]

    def weighted(self, re, im, weights=None):
        """Forward FFT and per-bin multiply: ``(Y_re, Y_im, ovf, exponent)``,
        ``exponent`` as :meth:`forward` gives it."""
        cfg = self.cfg
        x_re, x_im, exponent = self.forward(re, im)
        frames = x_re.shape[0]
        if weights is None:
            w_re, w_im, _ = frame_weights(cfg, frames)
        else:
            w_re, w_im = weights[0], weights[1]
        return (*bin_multiply(x_re, x_im, w_re, w_im, cfg), exponent)

    def paired_spectrum(self, re, im, weights=None, bias=None):
        """Real pairs: ``(V_re, V_im)`` entering the inverse FFT.  ``weights``
        = ``((wa_re, wa_im), (wb_re, wb_im))`` per frame, ``bias`` = (b_a, b_b)
        per frame (FFTNet)."""
        cfg = self.cfg
        x_re, x_im, _ = self.fwd(re, im)
        frames = x_re.shape[0]
        if weights is None:
            wa = frame_weights(cfg, frames)
            wb = frame_weights(cfg, frames, second=True)
            weights = ((wa[0], wa[1]), (wb[0], wb[1]))
            bias = (wa[2], wb[2])
        (a_re, a_im), (b_re, b_im) = pair_separate(x_re, x_im)
        s = cfg.coef_width        # doubled spectra: one more bit of shift

        def mul(v_re, v_im, w):
            p_re, p_im = cmul(v_re, v_im, w[0], w[1])
            o_re, _ = resize(round_shift(p_re, s, cfg.rounding), cfg.mul_width, "saturate")
            o_im, _ = resize(round_shift(p_im, s, cfg.rounding), cfg.mul_width, "saturate")
            return np.asarray(o_re, dtype=np.int64), np.asarray(o_im, dtype=np.int64)

        out = []
        for (v_re, v_im), w, b in (((a_re, a_im), weights[0], None if bias is None else bias[0]),
                                   ((b_re, b_im), weights[1], None if bias is None else bias[1])):
            w_n = mirror(*w)
            w_n = (w_n[0], -w_n[1])          # W[-k] itself (mirror conjugates)
            yk = mul(v_re, v_im, w)
            ynk = mul(v_re, -v_im, w_n)      # X[-k] = conj(X[k])
            if cfg.real_output:
                bb = np.asarray(b)[:, None]
                yk = self.modrelu(yk[0], yk[1], bb)[:2]
                ynk = self.modrelu(ynk[0], ynk[1], bb)[:2]
            out.append((yk, ynk))
        (ak, ank), (bk, bnk) = out
        return pair_combine(ak, ank, bk, bnk, cfg.inverse_width, cfg.rounding)[:2]

    def __call__(self, re, im, inverse=None, weights=None):
        """``(re, im, ovf)``; a bfp filter (``cfg.scaling == "bfp"``) also
        returns each frame's block exponent (int64, (frames,)) fourth."""
        if self.cfg.real_pairs:
            v_re, v_im = self.paired_spectrum(re, im, weights)
            return self.inv(v_re, v_im)
        y_re, y_im, _, exponent = self.weighted(re, im, weights)
        out = self.inv(y_re, y_im)
        if self.cfg.bfp:
            return (*out, np.asarray(exponent, dtype=np.int64))
        return out


def filter_float(cfg: FilterConfig, x, weights=None):
    """Float reference in the core's scale: ``ifft(fft(x) * W)`` per frame,
    ``W`` the (quantised) weights of each frame's channel as floats
    (``weights``: complex (frames, n), default the configured ones).  Real
    pairs: ``Re(ifft(fft(Re x) W_a)) + j Re(ifft(fft(Im x) W_b))`` with
    ``weights`` = (W_a, W_b)."""
    x = np.asarray(x, dtype=np.complex128)
    if cfg.real_pairs:
        if weights is None:
            weights = tuple(cfg.weights_float(*frame_weights(cfg, x.shape[0], second=s)[:2]) for s in (False, True))
        ya = np.fft.ifft(np.fft.fft(x.real, axis=1) * weights[0], axis=1).real
        yb = np.fft.ifft(np.fft.fft(x.imag, axis=1) * weights[1], axis=1).real
        return ya + 1j * yb
    if weights is None:
        w_re, w_im, _ = frame_weights(cfg, x.shape[0])
        weights = cfg.weights_float(w_re, w_im)
    return np.fft.ifft(np.fft.fft(x, axis=1) * weights, axis=1)


def _round_noise(rounding: str, shift: int) -> float:
    """Noise power (variance + squared mean) of one complex rounding."""
    return 2 * (_rounding_power(rounding, shift))


def filter_noise_power(cfg: FilterConfig, input_power: float, weights) -> float:
    """Predicted output noise power per complex output sample (input LSB^2):
    ``N * (P_fwd * mean|W|^2 + P_mul) + P_inv``, where ``P_fwd`` is the forward
    FFT's predicted noise per bin (:func:`fftforge.pyref.noise.predicted_noise_power`),
    ``P_mul`` the multiply's rounding (drops ``coef_width - 1`` bits) and
    ``P_inv`` the inverse FFT's own noise (its twiddle roundings).  The
    unscaled inverse sums N bins, so white per-bin noise grows N-fold.
    (Real pairs: :func:`paired_noise_power`.)"""
    w = np.asarray(weights)
    mw2 = float(np.mean(np.abs(w) ** 2))
    p_fwd = predicted_noise_power(cfg.fft_forward, input_power)
    p_mul = _round_noise(cfg.rounding, cfg.coef_width - 1)
    p_spec = input_power / cfg.n * mw2       # mean |Y|^2 per bin (X = DFT/N of white input)
    p_inv = predicted_noise_power(cfg.fft_inverse, p_spec)
    return cfg.n * (p_fwd * mw2 + p_mul) + p_inv


def paired_noise_power(cfg: FilterConfig, input_power: float, weights_a, weights_b) -> float:
    """Real pairs: predicted noise power per complex output sample
    (``y_a + j y_b``).  The forward FFT's white noise (``P_fwd`` per bin)
    splits evenly between the two separated spectra; channel a's output only
    sees its weights' Hermitian part ``Wh = (W[k] + conj W[-k]) / 2``:
    ``P_fwd/2 * mean(|Wh_a|^2 + |Wh_b|^2)``; the four products' roundings
    averaged in pairs (``P_mul`` in all) and the recombination's halving
    (``P_round(1)``); N-fold through the unscaled inverse, plus its own
    twiddle noise."""
    def herm(w):
        w = np.asarray(w)
        wn = np.conj(np.roll(w[:, ::-1], 1, axis=1))
        return (w + wn) / 2
    ha = float(np.mean(np.abs(herm(weights_a)) ** 2))
    hb = float(np.mean(np.abs(herm(weights_b)) ** 2))
    p_fwd = predicted_noise_power(cfg.fft_forward, input_power)
    p_mul = _round_noise(cfg.rounding, cfg.coef_width)
    p_comb = _round_noise(cfg.rounding, 1)
    p_spec = input_power / cfg.n * (ha + hb) / 2
    p_inv = predicted_noise_power(cfg.fft_inverse, p_spec)
    return cfg.n * (p_fwd / 2 * (ha + hb) + p_mul + p_comb) + p_inv


def filter_sqnr_bound_db(cfg: FilterConfig, reference, input_power: float, weights) -> float:
    """The SQNR a filter core must reach on a stimulus: predicted SQNR
    (reference power over :func:`filter_noise_power`) minus
    :func:`fftforge.pyref.noise.sqnr_margin_db`."""
    ref = np.asarray(reference)
    p_sig = float(np.mean(np.abs(ref) ** 2))
    if cfg.real_pairs:
        noise = paired_noise_power(cfg, input_power, weights[0], weights[1])
    else:
        noise = filter_noise_power(cfg, input_power, weights)
    return float(10 * np.log10(p_sig / noise) - sqnr_margin_db(ref.size))


def bfp_forward_noise(cfg: FilterConfig, re, im):
    """The bfp forward FFT of frames ``re``, ``im``: ``(e, p_fwd, power)``
    per frame -- its block exponent (int64), its predicted noise per bin in
    DFT units^2 (:func:`fftforge.pyref.bfp.predicted_noise_power` for the
    frame's own shifts) and the input's mean power."""
    from fftforge.pyref.bfp import BFPDesign, BFPModel, predicted_noise_power as bfp_noise
    fwd = cfg.fft_forward
    design = BFPDesign(fwd, fwd.shifts, input_norm=True, output_width=fwd.output_width)
    model = BFPModel(design)
    _, e = model(re, im)
    return np.asarray(e, dtype=np.int64), bfp_noise(design, model.last), model.last["power"]


def bfp_filter_noise_power(cfg: FilterConfig, re, im, weights) -> np.ndarray:
    """Block floating point: predicted output noise power per complex output
    sample of each frame, in input LSB^2 (the units of ``ifft(fft(x) * W)``),
    for the frames ``re``, ``im`` (frames, n) and their float weights
    ``weights`` (frames, n).

    With the frame's block exponent ``e`` (LSB of the mantissa spectrum =
    ``2**e`` DFT units, of the output = ``2**(e - log2 n)`` input units):

    * the bfp forward FFT's noise per bin, ``P_fwd`` in DFT units^2
      (:func:`fftforge.pyref.bfp.predicted_noise_power` for the frame's own
      shifts), through the weight: ``P_fwd * mean|W|^2``;
    * the multiply's rounding (``coef_width - 1`` bits dropped, complex) at
      the mantissa LSB: ``P_mul * 4**e`` per bin whose weight is not 0 (a
      zero weight's product is exactly 0: a stop band adds no rounding);
    * both white over the bins, so ``ifft`` (a 1/n-scaled sum of n bins)
      gives ``/ n`` per output sample;
    * the unscaled inverse FFT's own twiddle roundings
      (:func:`fftforge.pyref.noise.predicted_noise_power` of
      ``cfg.fft_inverse`` for the mantissa spectrum's mean power ``n * P_x *
      mean|W|^2 / 4**e``) in output LSB^2, times ``4**(e - log2 n)``."""
    e, p_fwd, power = bfp_forward_noise(cfg, re, im)
    mw2 = np.mean(np.abs(np.asarray(weights)) ** 2, axis=1)
    live = np.mean(np.asarray(weights) != 0, axis=1)
    p_mul = _round_noise(cfg.rounding, cfg.coef_width - 1) * live
    e = np.asarray(e, dtype=np.float64)
    out = np.zeros(len(e))
    for f in range(len(e)):
        p_spec = cfg.n * float(power[f]) * mw2[f] / 4.0 ** e[f]
        p_inv = predicted_noise_power(cfg.fft_inverse, p_spec)
        out[f] = (p_fwd[f] * mw2[f] + p_mul[f] * 4.0 ** e[f]) / cfg.n + p_inv * 4.0 ** (e[f] - cfg.log2n)
    return out


def bfp_filter_sqnr_bound_db(cfg: FilterConfig, reference, re, im, weights) -> float:
    """The SQNR a bfp filter core must reach on frames ``re``, ``im``
    (``reference``: the float filter output of those frames): total signal
    power over the total of :func:`bfp_filter_noise_power`, minus
    :func:`fftforge.pyref.noise.sqnr_margin_db`."""
    ref = np.asarray(reference)
    p_sig = float(np.sum(np.abs(ref) ** 2))
    noise = float(np.sum(bfp_filter_noise_power(cfg, re, im, weights)) * ref.shape[1])
    return float(10 * np.log10(p_sig / noise) - sqnr_margin_db(ref.size))


# --------------------------------------------------------------- overlap-save
def overlap_save_frames(cfg: FilterConfig, x):
    """Cut a continuous stream ``x`` (1-D, complex or integer pairs) into the
    overlapping frames overlap-save feeds the core: frame ``f`` holds samples
    ``f*L - (M-1) .. f*L + L - 1`` (zeros before the start), ``L = cfg.hop``.
    Returns an array (frames, n); the stream is zero-padded to whole hops."""
    x = np.asarray(x)
    m, hop, n = cfg.taps, cfg.hop, cfg.n
    frames = -(-len(x) // hop)
    padded = np.zeros(frames * hop + m - 1, dtype=x.dtype)
    padded[m - 1:m - 1 + len(x)] = x
    idx = np.arange(frames)[:, None] * hop + np.arange(n)[None, :]
    return padded[idx]


def overlap_save_collect(cfg: FilterConfig, y):
    """Keep the last ``L`` (= ``hop``) samples of each output frame and
    concatenate them: the linear convolution of the stream with the FIR."""
    return np.asarray(y)[:, cfg.taps - 1:].reshape(-1)


# ------------------------------------------------------------------- designs
def _fir(design: str, taps: int, cutoff, window: bool = True):
    """Windowed-sinc FIR (Hamming) of length ``taps`` for a named design;
    ``cutoff`` in cycles/sample (0 < f < 0.5), a pair for bandpass."""
    t = np.arange(taps) - (taps - 1) / 2.0
    win = np.hamming(taps) if window and taps > 1 else np.ones(taps)
    if design == "lowpass":
        h = 2 * cutoff * np.sinc(2 * cutoff * t)
    elif design == "bandpass":
        lo, hi = cutoff
        h = 2 * hi * np.sinc(2 * hi * t) - 2 * lo * np.sinc(2 * lo * t)
    elif design == "hilbert":
        with np.errstate(divide="ignore", invalid="ignore"):
            h = np.where(np.round(t) % 2 != 0, 2.0 / (np.pi * np.where(t == 0, 1, t)), 0.0)
        h = np.where(t == 0, 0.0, h)
    else:
        raise ValueError(f"design must be one of {', '.join(DESIGNS)}, got {design!r}")
    return h * win


def design_weights(design: str, n: int, coef_width: int, cutoff=None, taps: int = 0):
    """Integer weights (re, im) (n,) for a named design.

    ``taps == 0`` (circular filter): frequency-sampled ideal response --
    lowpass: 1 for |f| <= cutoff; bandpass: 1 for lo <= |f| <= hi; hilbert:
    ``-j sign(f)`` (0 at DC and Nyquist).  ``taps > 0`` (overlap-save): the
    DFT of a windowed-sinc FIR of that length, scaled so that max |W| <= 1.
    Also returns the float FIR (None for circular designs)."""
    f = np.fft.fftfreq(n)
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {', '.join(DESIGNS)}, got {design!r}")
    if design in ("lowpass", "bandpass"):
        if cutoff is None:
            raise ValueError(f"design {design!r} needs a cutoff")
    h = None
    if taps:
        h = _fir(design, taps, cutoff)
        w = np.fft.fft(h, n)
        peak = float(np.max(np.abs(w)))
        if peak > 1:
            h = h / peak
            w = w / peak
    elif design == "lowpass":
        w = (np.abs(f) <= cutoff).astype(np.complex128)
    elif design == "bandpass":
        lo, hi = cutoff
        w = ((np.abs(f) >= lo) & (np.abs(f) <= hi)).astype(np.complex128)
    else:
        w = -1j * np.sign(f)
        w[n // 2] = 0
    return quantise_weights(w, coef_width), h


def quantise_weights(w, coef_width: int):
    """Round complex weights (|W| <= 1) to integers of ``coef_width`` bits,
    clipped symmetrically to +-(2**(coef_width-1) - 1), pulling any word
    whose rounded magnitude exceeds 1 back inside."""
    s = float(1 << (coef_width - 1))
    w = np.asarray(w, dtype=np.complex128)
    lim = 1 << (coef_width - 1)
    re = np.clip(np.round(w.real * s), -(lim - 1), lim - 1).astype(np.int64)
    im = np.clip(np.round(w.imag * s), -(lim - 1), lim - 1).astype(np.int64)
    for _ in range(4):
        over = re * re + im * im > lim * lim
        if not over.any():
            break
        re = np.where(over, re - np.sign(re), re)
        im = np.where(over, im - np.sign(im), im)
    return re, im
