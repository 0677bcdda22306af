"""Configuration of the spectral-filter pipelines: :class:`FilterConfig`
(FFT -> per-bin complex multiply -> iFFT) and :class:`FFTNetConfig` (the same
with modReLU between the multiply and the iFFT, real part out).

Both are frozen dataclasses that validate themselves once (errors name the
parameter and its allowed range, :class:`fftforge.config.ConfigError`) and
derive every other fact -- the two FFT configurations, the widths of each
stage, the latency -- from their fields.  ``hdl`` builds from them, ``pyref``
models from them and ``sim`` checks against them.

Numerics (single source of truth for the widths)
------------------------------------------------
* Forward FFT: :attr:`fft_forward` -- scaled, default schedule, natural
  order, input ``width`` bits, output ``X = DFT(x)/N`` in ``width + 1`` bits.
  With the default schedule no value can overflow (see
  :mod:`fftforge.config`): ``|X| <= sqrt(2) * 2**(width-1)``.
* Per-bin multiply: ``Y = X * W`` with ``W = (W_re + j W_im) / 2**(coef_width-1)``;
  the exact product is shifted right by ``coef_width - 1`` (configured
  rounding) and resized (saturating) to ``width + 1`` bits.  ``|W| <= 1`` is
  enforced on the integer weights (``W_re**2 + W_im**2 <= 2**(2 coef_width - 2)``),
  so ``|Re Y|, |Im Y| <= sqrt(2) * 2**(width-1) + 1/2 < 2**width``: the
  resize never clips.
* FFTNet modReLU (:mod:`fftforge.hdl.modrelu`): ``Z = Y * max(0, |Y| + b)/|Y|``,
  bias ``b`` an integer in units of Y's LSB (= the input LSB), ``|b| <=
  2**width - 1``; ``|Z| < (sqrt(2)/2 + 1) * 2**width < 2**(width+1)``, so Z
  takes ``width + 2`` bits and is never clipped.
* Inverse FFT: :attr:`fft_inverse` -- unscaled (full growth, no rounding in
  the butterflies), so the output is, in input units,
  ``IDFT_unnormalised(Y) = N * ifft(Y)``, i.e. the circular convolution of
  the frame with ``w = ifft(W)`` at scale 1.  Output width
  ``fft_inverse.output_width``.

Block floating point (``scaling="bfp"``)
---------------------------------------
* Forward FFT: the FFT kind's bfp core (:attr:`fft_forward` with
  ``scaling="bfp"``): per frame mantissas ``M`` of ``width + 2`` bits and an
  unsigned block exponent ``e`` with ``DFT(x) ~= M * 2**e``.
* Per-bin multiply on the mantissas: each component of ``M`` is within
  ``+-2**(width+1)``, so ``|M| < sqrt(2) * 2**(width+1)`` and, with ``|W| <=
  1``, ``|Re Y|, |Im Y| < sqrt(2) * 2**(width+1) + 1/2 < 2**(width+2)``: Y
  takes ``width + 3`` bits (:attr:`mul_width`, one more than the mantissa)
  and is never clipped.
* Inverse FFT: unscaled as above, on Y; the frame's ``e`` travels beside
  the frame to the output (field ``exponent``), and
  ``ifft(fft(x) * W) ~= output * 2**(exponent - log2 n)``
  (:attr:`scale_log2` = ``-log2 n``: output ~= filtered / 2**(scale_log2 +
  exponent)).
* Overlap-save: each frame (``taps - 1`` history samples and ``hop`` new
  ones) has its own exponent, on its ``hop`` kept outputs.
* One lane, no real pairs, targets ``generic`` and ``ecp5``.

Block floating point FFTNet (:class:`FFTNetConfig` with ``scaling="bfp"``)
-------------------------------------------------------------------------
The bias ``b`` is in units of the scaled spectrum ``X = DFT(x)/N``, and the
mantissa spectrum is ``X = M * 2**(e - L)`` (``L = log2 n``).  modReLU
commutes with a positive scale, ``modReLU(Y 2**s, b) = 2**s modReLU(Y, b
2**-s)``, so on the mantissas the bias is ``b 2**(L - e)`` -- for a small
frame (``e < L``) far beyond any width.  Per frame (``e`` and ``b`` are
constant over it) the block scaler (:class:`fftforge.hdl.normalize.BlockBias`,
twin :func:`fftforge.pyref.fftnet.bfp_bias`) picks an output exponent

    ``e2 = max(e, L + nb - (width + 2))``, ``nb = bit_length(b XOR sign(b))``
    (``e2 = e`` for ``b = 0``),

so ``|b| <= 2**nb``, shifts Y right by ``d = e2 - e`` (configured rounding)
to ``Y'`` and takes the bias ``b' = b 2**(L - e2)``, an exact left shift:
``e2 <= L`` (the forward FFT's largest exponent is at most L -- checked --
and ``L + nb - (width + 2) <= L - 2``).  Bounds: ``|b'| <= 2**nb
2**(width + 2 - nb) = 2**(width+2)``, so ``b'`` takes :attr:`FFTNetConfig.modrelu_bias_width`
= ``width + 4`` bits; ``|Y'| <= |Y| < sqrt(2) 2**(width+1) + 1`` (a
rounded right shift never grows a component beyond its bound), so ``|Z|
<= |Y'| + |b'| < (2 sqrt(2) + 4) 2**width + 1 < 2**(width+3)``: Z's
``width + 4`` bits (:attr:`spectrum_width`, as scaled: mul_width + 1) hold
it with no clipping, and ``|Y'| + |b'| < 2**(mul_width + 1)`` is what the
modReLU's internal width (:func:`fftforge.pyref.modrelu.internal_width`)
holds.  Then modReLU(Y', b') -> unscaled inverse FFT -> real part, and the
frame's ``exponent`` field is ``e2``:
``Re(ifft(modReLU(fft(x)/N * W, b))) * N ~= output * 2**(exponent - log2 n)``
in input units (:attr:`scale_log2` = ``-log2 n``, as the bfp filter).
``e2 <= max(e_max, L - 2)`` (``nb <= width``): :attr:`max_exponent`.
The scaler's control slots (``e``, ``nb``, ``e2``/``d``, ``b'``) run beside
the multiply (:data:`BFP_BIAS_SLOTS` of them, hidden in its latency); only
the shift of Y adds :data:`BFP_SHIFT_LATENCY` slots (``latency_parts`` key
``block_shift``).

Latency (cycles, no stalls) = forward pipeline latency + multiply latency
(+ modReLU latency) + inverse pipeline latency + output FIFO latency -- each
term taken from the part that defines it (with ``lanes`` P > 1 the two FFT
terms are those of the P-lane FFT configurations).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np

from fftforge.config import (ARCHS, CMULS, ConfigError, CoreConfig, FFTConfig, IntRange, RAM_LATENCY, ROUNDINGS,
                             _check_choice, _check_int, cmul_latency, mult_latency)

__all__ = ["FilterConfig", "FFTNetConfig", "CHANNELS_RANGE", "COEF_WIDTH_RANGE", "WEIGHTS", "MODES", "FILTER_SCALINGS",
           "mul_latency", "WSEQ_WIDTH", "modrelu_latency", "BFP_SHIFT_LATENCY", "BFP_BIAS_SLOTS"]

CHANNELS_RANGE = (1, 4096)
COEF_WIDTH_RANGE = (4, 27)
FILTER_WIDTH_RANGE = (4, 24)
WEIGHTS = ("rom", "runtime")
MODES = ("circular", "overlap_save")
#: ``scaling`` of the filter kind: the forward FFT scaled (default) or block floating point
FILTER_SCALINGS = ("scaled", "bfp")
ITER_RANGE = (4, 40)
GUARD_RANGE = (0, 8)


def mul_latency(width_in: int, coef_width: int, form: int = 4) -> int:
    """Slots through :class:`fftforge.hdl.filter.BinMultiply`: the weight
    memory's read and its output register (RAM_LATENCY; the operand waits
    as long), the complex multiplier (:func:`~fftforge.config.cmul_latency`),
    the rounding register, the saturation register."""
    return RAM_LATENCY + cmul_latency(width_in, coef_width, form) + 2


# Width of the ``wseq`` output field (count of applied weight-port writes).
WSEQ_WIDTH = 16

#: bfp FFTNet: slots of the block shift of Y (:class:`fftforge.hdl.normalize.BlockBias`):
#: the right shift with its half and sticky bits, then the rounding (as the
#: FFT's read-out shifter)
BFP_SHIFT_LATENCY = 2
#: bfp FFTNet: slots from a word at the multiplier's input to its frame's
#: ``e2`` in the block scaler's register (``e`` registered to meet the bias
#: read, ``nb``, ``e2``); the bias path takes 2 more (shift, rounding); all
#: beside the multiply (it needs ``mul_latency >= BFP_BIAS_SLOTS``)
BFP_BIAS_SLOTS = 3


def modrelu_latency(iterations: int, width_in: int, guard: int) -> int:
    """Slots through :class:`fftforge.hdl.modrelu.ModReLU`: input register,
    ``iterations`` vectoring stages, gain product (a pipelined multiplier
    of the internal width by the gain constant) and its rounding, bias add
    and clamp, gain product and its rounding, ``iterations`` rotation
    stages, sign restore, output rounding, output saturation."""
    from fftforge.pyref.modrelu import internal_width, kinv_bits
    mult = mult_latency(internal_width(width_in, guard), kinv_bits(width_in) + 1)
    return 2 * iterations + 7 + 2 * mult


def _tuple_ints(name, values, length, lo, hi):
    if values is None:
        return None
    try:
        t = tuple(int(v) for v in np.asarray(values).reshape(-1))
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be integers") from None
    if len(t) != length:
        raise ConfigError(f"{name} must have {length} entries, got {len(t)}")
    arr = np.asarray(t, dtype=np.int64)
    if arr.size and (arr.min() < lo or arr.max() > hi):
        raise ConfigError(f"{name} must be in [{lo}, {hi}], got values in [{arr.min()}, {arr.max()}]")
    return t


@dataclass(frozen=True)
class FilterConfig(CoreConfig):
    """A streaming spectral filter: FFT -> per-bin complex weight -> iFFT (a
    :class:`~fftforge.config.CoreConfig`).

    Parameters
    ----------
    n : int
        Frame (transform) size, a power of two in [8, 65536].
    width : int
        Input width per real component, in [4, 24].
    twiddle_width : int
        FFT twiddle width, in [4, 32].
    coef_width : int
        Weight width per real component, in [4, 27]; a weight word ``c``
        means ``c / 2**(coef_width-1)``.
    arch : str
        FFT architecture, ``"r22sdf"`` or ``"r2sdf"``.
    rounding : str
        ``"convergent"`` or ``"truncate"``, used by every rounding point.
    cmul : int
        Complex multiplier form (4 or 3 real multipliers; same results).
    channels : int
        D, in [1, 4096]: frame ``f`` uses channel ``f mod D`` of the weights.
    weights : str
        ``"rom"`` (weights fixed at generation time) or ``"runtime"`` (a
        weight memory with a write port ``w``; see :mod:`fftforge.hdl.filter`).
    weights_re, weights_im : tuple of int, optional
        Initial weights, ``channels * n`` integers each (channel-major), in
        +-(2**(coef_width-1) - 1) (symmetric, like the twiddles), with
        ``re**2 + im**2 <= 2**(2*coef_width-2)`` (``|W| <= 1``).
        Default: every weight ``2**(coef_width-1) - 1`` (pass-through).
    mode : str
        ``"circular"`` (each frame is filtered circularly) or
        ``"overlap_save"`` (a continuous stream is filtered with an FIR of
        length ``taps``; frames overlap by ``taps - 1`` samples).
    taps : int
        overlap-save only: FIR length M in [2, n/2].
    real_pairs : bool
        Real-input pairing: each frame carries two real channels, ``x_a`` in
        ``re`` and ``x_b`` in ``im`` (channels ``2f mod D`` and ``2f+1 mod D``
        for frame f), separated after one complex FFT by conjugate symmetry,
        weighted (and modReLU'd) each, recombined as Hermitian parts, and
        recovered from one complex iFFT: ``re`` = ``Re(...)`` of channel a,
        ``im`` of channel b.  Half the frames per layer.
    lanes : int
        P in {1, 2, 4, 8}, P <= n/2: samples per transfer (per clock) on the
        input and output streams; both FFTs are P-lane cores, the per-bin
        multiply (and modReLU) is replicated per lane and the weight memory
        is split into P banks (bin k in bank k mod P).  Lane l of transfer t
        carries sample (bin) t*P + l.  The output words equal those with one
        lane.  Real pairs: the pairing buffer is P banks (bins -k of a
        transfer come from two transfers, one read per bank).  Overlap-save:
        ``taps - 1`` must be a multiple of P, so frames overlap by whole
        transfers (history and discard are ``(taps-1)/P`` transfers).
    drain_after : int
        Idle input cycles at a frame boundary before frames in flight drain.
    target : str
        ``"generic"`` (portable Verilog), ``"ecp5"`` (Lattice primitives
        with their registers) or ``"ice40"`` (SB_MAC16-sized limb
        products); see :mod:`fftforge.hdl.prims`.  Same words, same latency.
    name : str
        Module and file name.
    scaling : str, optional
        ``"scaled"`` (default; ``None`` means the same and is what
        :meth:`to_dict` leaves out) or ``"bfp"``: block floating point, the
        forward FFT is the FFT kind's bfp core and each output word carries
        its frame's block exponent in the unsigned field ``exponent``,
        ``ifft(fft(x) * W) ~= output * 2**(exponent - log2 n)`` (the module
        docstring says more).  One lane, no real pairs, targets
        ``generic`` and ``ecp5`` (FFTNet layers too: the bias is rescaled
        per frame, see the module docstring).
    """
    n: int = 256              # width, twiddle_width: CoreConfig's
    coef_width: int = 16
    arch: str = "r22sdf"
    rounding: str = "convergent"
    cmul: int = 4
    channels: int = 1
    weights: str = "rom"
    weights_re: Optional[tuple] = None
    weights_im: Optional[tuple] = None
    mode: str = "circular"
    taps: int = 0
    real_pairs: bool = False
    lanes: int = 1
    drain_after: int = 16
    target: str = "generic"
    name: str = "filt"
    scaling: Optional[str] = None

    WIDTH_RANGE = FILTER_WIDTH_RANGE
    OPTIONS = (("coef_width", IntRange(*COEF_WIDTH_RANGE)), ("arch", ARCHS), ("rounding", ROUNDINGS),
               ("cmul", CMULS), ("channels", IntRange(*CHANNELS_RANGE)), ("weights", WEIGHTS), ("mode", MODES))
    TUPLE_FIELDS = ("weights_re", "weights_im")
    OPTIONAL_FIELDS = ("scaling",)

    def _validate(self):
        self._validate_scaling()
        if self.mode == "overlap_save":
            _check_int("taps", self.taps, 2, self.n // 2)
            if self.channels != 1:
                raise ConfigError(f"channels must be 1 in overlap_save mode (one continuous stream), "
                                  f"got {self.channels}")
        elif self.taps != 0:
            raise ConfigError("taps is only allowed with mode='overlap_save'")
        if self.real_pairs not in (False, True, 0, 1):
            raise ConfigError(f"real_pairs must be True or False, got {self.real_pairs!r}")
        object.__setattr__(self, "real_pairs", bool(self.real_pairs))
        if self.real_pairs and self.mode != "circular":
            raise ConfigError("real_pairs needs mode='circular'")
        if self.lanes > 1 and self.mode == "overlap_save" and (self.taps - 1) % self.lanes:
            up = -(-(self.taps - 1) // self.lanes) * self.lanes + 1
            hint = (f"; use taps={up} (a shorter FIR is zero-padded)" if up <= self.n // 2
                    else f"; no such taps <= n/2 = {self.n // 2}: use fewer lanes")
            raise ConfigError(f"taps - 1 must be a multiple of lanes in overlap_save mode (frames overlap "
                              f"by whole transfers), got taps={self.taps}, lanes={self.lanes}{hint}")
        size = self.channels * self.n
        lim = (1 << (self.coef_width - 1))
        wr = _tuple_ints("weights_re", self.weights_re, size, -(lim - 1), lim - 1)
        wi = _tuple_ints("weights_im", self.weights_im, size, -(lim - 1), lim - 1)
        if (wr is None) != (wi is None):
            raise ConfigError("weights_re and weights_im must be given together")
        if wr is not None:
            mag2 = np.asarray(wr, dtype=np.int64) ** 2 + np.asarray(wi, dtype=np.int64) ** 2
            if mag2.max() > lim * lim:
                k = int(np.argmax(mag2))
                raise ConfigError(f"weights must have |W| <= 1, i.e. re**2 + im**2 <= 2**{2 * self.coef_width - 2}; "
                                  f"weight {k} (channel {k // self.n}, bin {k % self.n}) has |W| = "
                                  f"{math.sqrt(mag2[k]) / lim:.4f}")
        object.__setattr__(self, "weights_re", wr)
        object.__setattr__(self, "weights_im", wi)

    def _validate_scaling(self):
        """``scaling``: one of :data:`FILTER_SCALINGS` (``"scaled"`` kept as
        ``None``); ``"bfp"`` only where it applies (one line naming the
        option otherwise)."""
        if self.scaling is None:
            return
        _check_choice("scaling", self.scaling, FILTER_SCALINGS)
        if self.scaling == "scaled":
            object.__setattr__(self, "scaling", None)
            return
        for bad, msg in ((self.lanes != 1, f"lanes must be 1 with scaling='bfp', got {self.lanes}"),
                         (self.real_pairs, "real_pairs is not available with scaling='bfp'"),
                         (self.target == "ice40", "target must be 'generic' or 'ecp5' with scaling='bfp', "
                                                  f"got {self.target!r}")):
            if bad:
                raise ConfigError(msg)
        self.fft_forward         # (the FFT kind's own checks of its bfp core: widths)

    @property
    def bfp(self) -> bool:
        """Block floating point (``scaling="bfp"``)."""
        return self.scaling == "bfp"

    @property
    def exponent_width(self) -> int:
        """``bfp``: bits of the unsigned ``exponent`` output field (the
        forward FFT's); 0 otherwise."""
        return self.fft_forward.exponent_width

    @property
    def max_exponent(self) -> int:
        """``bfp``: the largest block exponent (the forward FFT's); 0
        otherwise."""
        return self.fft_forward.max_exponent

    # ------------------------------------------------------------ derived
    def _fft(self, width: int, direction: str, scaling: str, suffix: str) -> FFTConfig:
        """One of the two transforms: natural order, saturating, with this
        filter's twiddle width, arch, rounding, multipliers, lanes, drain and
        target."""
        return FFTConfig(n=self.n, width=width, twiddle_width=self.twiddle_width, arch=self.arch,
                         direction=direction, scaling=scaling, rounding=self.rounding,
                         overflow="saturate", order="natural", cmul=self.cmul, lanes=self.lanes,
                         drain_after=self.drain_after, target=self.target, name=f"{self.name}_{suffix}")

    @property
    def fft_forward(self) -> FFTConfig:
        """The forward transform: scaled (X = DFT(x)/N), natural order
        (``bfp``: block floating point, mantissas and a block exponent)."""
        return self._fft(self.width, "forward", "bfp" if self.bfp else "scaled", "fwd")

    @property
    def mul_width(self) -> int:
        """Width of the weighted spectrum Y: the forward output width
        (``bfp``: one bit more, the mantissa's magnitude may reach sqrt(2)
        times its component range; see the module docstring)."""
        return self.fft_forward.output_width + (1 if self.bfp else 0)

    @property
    def spectrum_width(self) -> int:
        """Width of the weighted (FFTNet: modReLU'd) spectrum words."""
        return self.mul_width

    @property
    def inverse_width(self) -> int:
        """Width of the words entering the inverse FFT (real pairs: the
        recombined Hermitian parts, one bit more)."""
        return self.spectrum_width + (1 if self.real_pairs else 0)

    @property
    def fft_inverse(self) -> FFTConfig:
        """The inverse transform: unscaled (full growth), natural order."""
        return self._fft(self.inverse_width, "inverse", "unscaled", "inv")

    @property
    def output_width(self) -> int:
        return self.fft_inverse.output_width

    @property
    def real_output(self) -> bool:
        return False

    @property
    def sample_fields(self) -> tuple:
        """Components of one sample: ``("re", "im")``, or ``("re",)`` for
        FFTNet's real tokens (without real pairs); lane fields
        (:attr:`~fftforge.config.CoreConfig.lane_fields`) are named as the
        FFT core's: ``re0, im0, re1, ...`` (FFTNet ``re0, re1, ...``)."""
        return ("re",) if self.real_output and not self.real_pairs else ("re", "im")

    @property
    def input_fields(self) -> tuple:
        return tuple(f for lane in self.lane_fields for f in lane)

    @property
    def output_fields(self) -> tuple:
        return tuple(f for lane in self.lane_fields for f in lane)

    @property
    def pair_latency(self) -> int:
        """Slots of the pairing buffer + separation stage (real pairs only):
        N/P + 1 (double-buffered frame, synchronous read) + 1."""
        return self.frame_cycles + 2 if self.real_pairs else 0

    @property
    def mul_offset(self) -> int:
        """Slots from the input to the multiplier's input."""
        return self.fft_forward.pipeline_latency + self.pair_latency

    @property
    def modrelu_slots(self) -> int:
        return 0

    @property
    def block_shift_slots(self) -> int:
        """Slots of the bfp FFTNet's block shift of Y (:data:`BFP_SHIFT_LATENCY`);
        0 otherwise."""
        return 0

    @property
    def mid_latency(self) -> int:
        """Slots between the forward and the inverse FFT datapaths: [pairing
        + separation,] multiply, [block shift,] [modReLU,] [recombination (1)]."""
        return (self.pair_latency + self.mul_slots + self.block_shift_slots + self.modrelu_slots
                + (1 if self.real_pairs else 0))

    @property
    def mul_in_width(self) -> int:
        """Width of the per-bin multiply's operand: the forward output, one
        bit more for real pairs' doubled spectra."""
        return self.fft_forward.output_width + (1 if self.real_pairs else 0)

    @property
    def mul_slots(self) -> int:
        """Latency of each per-bin multiply (:func:`mul_latency` of its
        operand and the weight)."""
        return mul_latency(self.mul_in_width, self.coef_width, self.cmul)

    @property
    def pipeline_latency(self) -> int:
        """Slots of the whole chain: forward + multiply (+ modReLU) + inverse
        pipeline latencies (``latency_cycles`` adds the stream shell's 2, as
        in the FFT core)."""
        return self.fft_forward.pipeline_latency + self.mid_latency + self.fft_inverse.pipeline_latency

    @property
    def latency_parts(self) -> dict:
        """``latency_cycles`` term by term: ``{forward_fft, pairing, multiply,
        modrelu, recombine, inverse_fft, output_fifo}`` (the descriptor's
        ``latency_parts``; they sum to ``latency_cycles``; the bfp FFTNet
        has ``block_shift`` after ``multiply``)."""
        shift = {"block_shift": self.block_shift_slots} if self.block_shift_slots else {}
        return {"forward_fft": self.fft_forward.pipeline_latency, "pairing": self.pair_latency,
                "multiply": self.mul_slots, **shift, "modrelu": self.modrelu_slots,
                "recombine": (self.mid_latency - self.pair_latency - self.mul_slots - self.block_shift_slots
                              - self.modrelu_slots),
                "inverse_fft": self.fft_inverse.pipeline_latency,
                "output_fifo": self.latency_cycles - self.pipeline_latency}

    @property
    def scale_log2(self) -> int:
        """Output ~= the filtered input / 2**scale_log2: 0, input units
        (``bfp``: ``-log2 n``, and the frame's ``exponent`` adds to it:
        filtered ~= output * 2**(exponent - log2 n))."""
        return -self.log2n if self.bfp else 0

    @property
    def widths(self) -> dict:
        """``{input, spectrum, inverse_input, output, coef}`` (the
        descriptor's ``widths``)."""
        return {"input": self.width, "spectrum": self.mul_width, "inverse_input": self.inverse_width,
                "output": self.output_width, "coef": self.coef_width}

    @property
    def multiply_units(self) -> int:
        """Per-bin multipliers (FFTNet: and modReLUs): one per lane, four per
        lane with real pairs (the two channels' weights at bins k and -k)."""
        return (4 if self.real_pairs else 1) * self.lanes

    def pointwise_multipliers(self) -> list:
        """The real multipliers between the two FFTs, as ``[(count, a_bits,
        b_bits)]``: the per-bin complex multiplies (``multiply_units`` x
        ``cmul`` real products of the multiply's operand by a weight),
        FFTNet adds its modReLUs' gain multipliers.  (The FFTs' own
        multipliers: :meth:`~fftforge.config.FFTConfig.resources` of
        :attr:`fft_forward` and :attr:`fft_inverse`.)"""
        return [(self.multiply_units * self.cmul, self.mul_in_width, self.coef_width)]

    @property
    def pair_buffer_bits(self) -> int:
        """Bits of the real-pair pairing buffer (:class:`~fftforge.hdl.filter.PairBuffer`:
        2N words of the forward output with its overflow tag, in P banks);
        0 without real pairs."""
        return 2 * self.n * (2 * self.fft_forward.output_width + 1) if self.real_pairs else 0

    @property
    def bias_bits(self) -> int:
        """Bits of the bias memory (FFTNet: ``channels`` biases); 0 here."""
        return 0

    @property
    def pointwise_memory_bits(self) -> int:
        """Memory bits between the two FFTs: the weight memory, the bias
        memory, the pairing buffer."""
        return self.weight_bits + self.bias_bits + self.pair_buffer_bits

    @property
    def weight_bits(self) -> int:
        """Bits of the weight memory: ``channels * n`` complex weights of
        ``coef_width``-bit parts."""
        return self.channels * self.n * 2 * self.coef_width

    def resources(self) -> dict:
        """Architectural resource counts (not synthesis results): both FFTs'
        (:meth:`~fftforge.config.FFTConfig.resources`), the per-bin
        multipliers and modReLUs, the weight memory."""
        fwd, inv = self.fft_forward, self.fft_inverse
        return {
            "complex_multipliers": fwd.complex_multipliers + inv.complex_multipliers + self.multiply_units,
            "modrelu_units": self.multiply_units if self.real_output else 0,
            "weight_words": self.channels * self.n,
            "weight_banks": self.lanes,
            "weight_bits": self.weight_bits,
            "fft_forward": fwd.resources(), "fft_inverse": inv.resources(),
        }

    @property
    def hop(self) -> int:
        """overlap-save: new input samples per frame, L = n - taps + 1."""
        return self.n - self.taps + 1 if self.mode == "overlap_save" else self.n

    @property
    def addr_width(self) -> int:
        """Width of the weight port's ``addr`` field."""
        return max((self.address_space - 1).bit_length(), 1)

    @property
    def address_space(self) -> int:
        """Weight-port addresses: weight (c, k) at c*n + k."""
        return self.channels * self.n

    @property
    def chan_bits(self) -> int:
        return max((self.channels - 1).bit_length(), 1)

    def weight_arrays(self):
        """Initial weights as int64 arrays (channels, n): (re, im)."""
        shape = (self.channels, self.n)
        if self.weights_re is None:
            full = (1 << (self.coef_width - 1)) - 1
            return np.full(shape, full, dtype=np.int64), np.zeros(shape, dtype=np.int64)
        return (np.asarray(self.weights_re, dtype=np.int64).reshape(shape),
                np.asarray(self.weights_im, dtype=np.int64).reshape(shape))

    def weights_float(self, re=None, im=None) -> np.ndarray:
        """Weights as complex floats (channels, n) (``re``/``im`` default to
        the initial weights)."""
        if re is None:
            re, im = self.weight_arrays()
        return (np.asarray(re, dtype=np.float64) + 1j * np.asarray(im, dtype=np.float64)) / float(
            1 << (self.coef_width - 1))


@dataclass(frozen=True)
class FFTNetConfig(FilterConfig):
    """The FFTNet token-mixing layer: per channel c,
    ``y = Re(iFFT(modReLU(FFT(x) * W_c, b_c)))``.

    Parameters (besides those of :class:`FilterConfig`)
    ----------
    bias : tuple of int, optional
        ``channels`` integers in [-(2**width - 1), 2**width - 1], in units of
        the input LSB (the scale of ``Y = DFT(x)/N * W``).  Default 0.
    iterations : int, optional
        CORDIC iterations of the modReLU, in [4, 40]; default ``width + 3``
        (angle error of the vectoring < 2**-(width+2) rad).
    guard : int, optional
        Fractional guard bits inside the CORDIC, in [0, 8]; default
        ``ceil(log2(iterations)) + 2``.

    The output is the real part only (``re``; with ``real_pairs``, ``re``
    and ``im`` are the two channels' real outputs).  Runtime weights: the weight
    port also writes biases at addresses ``channels*n + c``.

    ``scaling="bfp"``: block floating point, as for the filter, with the
    bias rescaled to the mantissas per frame and the frame's exponent
    ``e2`` in the output field ``exponent`` (module docstring, "Block
    floating point FFTNet"); one lane, no real pairs, targets ``generic``
    and ``ecp5``.
    """
    bias: Optional[tuple] = None
    iterations: Optional[int] = None
    guard: Optional[int] = None
    name: str = "fftnet"

    TUPLE_FIELDS = FilterConfig.TUPLE_FIELDS + ("bias",)

    def _validate(self):
        super()._validate()
        if self.mode != "circular":
            raise ConfigError(f"mode must be 'circular' for an fftnet layer, got {self.mode!r}")
        it = self.iterations if self.iterations is not None else min(self.width + 3, ITER_RANGE[1])
        _check_int("iterations", it, *ITER_RANGE)
        object.__setattr__(self, "iterations", it)
        g = self.guard if self.guard is not None else min((it - 1).bit_length() + 2, GUARD_RANGE[1])
        _check_int("guard", g, *GUARD_RANGE)
        object.__setattr__(self, "guard", g)
        lim = (1 << self.width) - 1
        b = _tuple_ints("bias", self.bias, self.channels, -lim, lim)
        object.__setattr__(self, "bias", b)
        if self.bfp and self.fft_forward.max_exponent > self.log2n:     # (no such forward FFT today)
            raise ConfigError(f"scaling='bfp' for an fftnet layer needs a forward block exponent of at most "
                              f"log2 n = {self.log2n}, got {self.fft_forward.max_exponent}")

    @property
    def bias_width(self) -> int:
        return self.width + 1

    @property
    def bfp_bias_log2(self) -> int:
        """bfp: ``c = width + 2``, the bound ``|b'| <= 2**c`` of the bias on
        the mantissas (the exponent rule ``e2 = max(e, L + nb - c)``; module
        docstring)."""
        return self.width + 2

    @property
    def modrelu_bias_width(self) -> int:
        """Width of the bias at the modReLU: ``bias_width`` (bfp: ``width +
        4``, for ``|b'| <= 2**(width+2)``)."""
        return self.bfp_bias_log2 + 2 if self.bfp else self.bias_width

    @property
    def block_shift_slots(self) -> int:
        return BFP_SHIFT_LATENCY if self.bfp else 0

    @property
    def max_exponent(self) -> int:
        """bfp: the largest ``exponent`` field, ``e2 <= max(e_max, L +
        width - (width + 2))`` (``nb <= width`` for the bias range); 0
        otherwise."""
        if not self.bfp:
            return 0
        return max(self.fft_forward.max_exponent, self.log2n + self.width - self.bfp_bias_log2)

    @property
    def exponent_width(self) -> int:
        """bfp: bits of the unsigned ``exponent`` field; 0 otherwise."""
        return max(1, self.max_exponent.bit_length()) if self.bfp else 0

    @property
    def spectrum_width(self) -> int:
        """modReLU output width: ``width + 2`` (never clipped, see module doc)."""
        return self.mul_width + 1

    @property
    def real_output(self) -> bool:
        return True

    @property
    def modrelu_slots(self) -> int:
        return modrelu_latency(self.iterations, self.mul_width, self.guard)

    def pointwise_multipliers(self) -> list:
        """The per-bin complex multiplies, then two gain multipliers per
        modReLU (:class:`~fftforge.hdl.modrelu.ModReLU`: the CORDIC register
        by the gain constant, for the magnitude and for the rotation)."""
        from fftforge.pyref.modrelu import internal_width, kinv_bits
        return super().pointwise_multipliers() + [
            (2 * self.multiply_units, internal_width(self.mul_width, self.guard), kinv_bits(self.mul_width) + 1)]

    @property
    def bias_bits(self) -> int:
        """Bits of the bias memory: ``channels`` words of ``bias_width``."""
        return self.channels * self.bias_width

    @property
    def address_space(self) -> int:
        """Weights at c*n + k, biases at channels*n + c."""
        return self.channels * self.n + self.channels

    def bias_array(self) -> np.ndarray:
        if self.bias is None:
            return np.zeros(self.channels, dtype=np.int64)
        return np.asarray(self.bias, dtype=np.int64)
