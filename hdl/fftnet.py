"""The FFTNet token-mixing layer in hardware (FFTNet, arXiv 2502.18394):
per channel c, ``y = Re(iFFT(modReLU(FFT(x) * W_c, b_c)))``.

:class:`FFTNetCore` is :class:`fftforge.hdl.filter.FilterCore` built from an
:class:`~fftforge.filter_config.FFTNetConfig`: the same forward FFT, per-bin
multiply and inverse FFT, with :class:`fftforge.hdl.modrelu.ModReLU` between
the multiply and the inverse (per-channel bias from a D-word bias memory read
with the weights) and the real part out.

Ports and bit growth: :class:`FFTNetCore`.

With ``lanes`` P > 1: ``i`` is ``{re0, ..., re<P-1>}`` and ``o`` ``{re0, ...,
re<P-1>, last, overflow[, wseq]}`` (lane l of transfer t = token t*P + l), one
modReLU per lane (see :mod:`fftforge.hdl.filter`).

Block floating point (``scaling="bfp"``): the bfp filter's datapath with
the block scaler :class:`fftforge.hdl.normalize.BlockBias` in front of the
modReLU; ``o`` has the field ``exponent`` (the frame's ``e2``), and the
layer's output ~= ``re * 2**(exponent - log2 n)`` (:mod:`fftforge.filter_config`,
"Block floating point FFTNet").

Latency :attr:`~fftforge.filter_config.FilterConfig.latency_cycles`
(forward FFT + multiply [+ block shift] + modReLU + inverse FFT + the
stream shell's 2).
"""

from fftforge.filter_config import FFTNetConfig
from fftforge.hdl.filter import FilterCore, descriptor, generate

__all__ = ["FFTNetCore", "descriptor", "generate"]


class FFTNetCore(FilterCore):
    """The FFTNet layer as a stream core: a :class:`FilterCore` of an
    :class:`~fftforge.filter_config.FFTNetConfig`.

    Parameters
    ----------
    cfg : FFTNetConfig

    Attributes
    ----------
    i : In(stream {re: signed(width)})
        Real tokens, n per frame (with P lanes ``{re0, ..., re<P-1>}``, lane l
        of transfer t = token t*P + l).
    o : Out(stream {re: signed(output_width), last, overflow[, wseq][, exponent]})
        The real part of the layer's output (with P lanes ``{re0, ...,
        re<P-1>, last, overflow[, wseq]}``); ``wseq`` as in :class:`FilterCore`;
        ``exponent`` (``scaling="bfp"``): the frame's block exponent, the
        layer ~= ``re * 2**(exponent - log2 n)``.
    w : In(stream {addr, re, im})
        ``weights="runtime"`` only: weights at ``c*n + k``, biases at
        ``channels*n + c`` (``re``).

    Latency :attr:`~fftforge.filter_config.FilterConfig.latency_cycles`
    (forward FFT + multiply + modReLU + inverse FFT + the stream shell's 2).
    Bit growth: ``cfg.output_width - cfg.width`` bits (the inverse FFT's
    growth; :attr:`~fftforge.filter_config.FilterConfig.widths`).
    """
    def __init__(self, cfg: FFTNetConfig):
        if not isinstance(cfg, FFTNetConfig):
            raise TypeError(f"FFTNetCore needs an FFTNetConfig, got {type(cfg).__name__}")
        super().__init__(cfg)
