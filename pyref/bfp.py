"""Block floating point (BFP) for the streaming SDF pipeline: bit-true models
of the design-study candidates (``docs/bfp_study.md``) and of the chosen
design, with their analytic noise model and their cost.

A BFP core emits, per frame, words of at most ``output_width`` bits and one
unsigned block exponent ``e`` (constant over the frame) with

    DFT(x) ~= output * 2**e          (inverse: N ifft(x) ~= output * 2**e)

A single-path delay-feedback pipeline sees a frame one sample at a time, so a
shift that depends on the whole frame can only be applied where the whole
frame sits in a memory.  There are two such places for free or cheaply:

* the **output reorder buffer** of a natural-order core (N words): the
  frame's largest component is found while the frame is written, and every
  word is shifted right and rounded on read-out (*output normalisation*);
* an **input frame buffer** (N extra words, N more cycles of latency): the
  frame's headroom (redundant sign bits) is found while it is written, and
  every sample is shifted left on read-out (*input normalisation*, exact).

Between them the datapath runs a **fixed** shift schedule, chosen from an
exact interval range analysis so that no value of any input can overflow
(``may_overflow`` is False for every part) and the rotated sample entering
each twiddle multiplier fits a given width (18 bits: one ECP5 MULT18X18D per
real product).  A candidate may also buffer and renormalise the frame in the
middle of the pipeline (``checkpoints``: one N-word buffer each).

The design is a :class:`BFPDesign`; :func:`bfp_plan` builds its parts (the
parts of :meth:`fftforge.config.FFTConfig.plan` with the BFP schedule and
the analysed widths, plus ``normalize`` parts for the buffers and a
``bfp_out`` part for the read-out shifter); :class:`BFPModel` runs the
existing part models (:func:`~fftforge.pyref.sdf.sdf_stage`,
:func:`~fftforge.pyref.twiddle.twiddle_stage`,
:func:`~fftforge.pyref.reorder.reorder`) over that plan with the
normalisers between them and returns ``(words, exponent)``.

Exponent bookkeeping, per frame: ``e = K - h + sum(c) + r`` with ``K`` the
sum of the fixed schedule, ``h >= 0`` the input left shift, ``c`` the
checkpoint right shifts (negative: left) and ``r >= 0`` the read-out right
shift.  ``r`` is the smallest shift that fits the frame's largest word into
``output_width`` bits, raised where needed so that ``e >= 0`` (then the
output is simply ``round(DFT(x))``).  A design without a read-out shifter
caps ``h`` at ``K``.

:func:`chosen_design` is the design the study picks (candidate *c*: input
and output normalisation around an 18-bit-multiplier datapath whose last
twiddle multiplier takes its operand unscaled).
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import numpy as np

from fftforge.config import (BFP_NORMALIZE_LATENCY_EXTRA, BFP_OUT_LATENCY, FFTConfig, bfp_analyse,
                             cmul_operands, late_schedule, mult_limbs)
from fftforge.pyref import noise
from fftforge.pyref.fft import frame_directions
from fftforge.pyref.fixed import round_shift
from fftforge.pyref.normalize import headroom
from fftforge.pyref.reorder import reorder
from fftforge.pyref.sdf import sdf_stage
from fftforge.pyref.twiddle import twiddle_stage

__all__ = [
    "BFPDesign", "BFPModel", "bfp_plan", "bfp_model", "late_schedule", "chosen_design", "candidates",
    "predicted_noise_power", "predicted_sqnr_db", "mult18x18d", "memory_cost", "headroom",
    "normalize", "gaussian_frames", "full_scale_frames", "FULL_SCALE_KINDS",
    "normalize_latency", "NORMALIZE_LATENCY_EXTRA", "OUTPUT_NORMALIZE_LATENCY", "BLOCK_BITS",
]

#: width of one DSP block port (ECP5 MULT18X18D): a twiddle multiplier whose
#: rotated operand fits it takes one block per real product
BLOCK_BITS = 18
#: an N-word normalising frame buffer: N slots of delay, the registered read
#: (:data:`~fftforge.config.RAM_LATENCY`), then the shift register
NORMALIZE_LATENCY_EXTRA = BFP_NORMALIZE_LATENCY_EXTRA
#: the read-out shifter behind the reorder buffer: barrel-shift register,
#: then the rounding (and clip) register
OUTPUT_NORMALIZE_LATENCY = BFP_OUT_LATENCY


def normalize_latency(n: int) -> int:
    """Slots through an N-word normalising frame buffer."""
    return n + NORMALIZE_LATENCY_EXTRA


# --------------------------------------------------------------------- design
@dataclass(frozen=True)
class BFPDesign:
    """One block-floating-point arrangement of the SDF pipeline.

    Parameters
    ----------
    base : FFTConfig
        Everything that is not BFP: ``n``, ``width``, ``twiddle_width``,
        ``arch``, ``direction``, ``rounding``, ``order``, ``cmul``, ``lanes``.
        Its ``scaling`` and ``schedule`` are ignored.
    schedule : tuple of int
        Fixed right shift (0, 1 or 2) after each radix-2 stage.
    input_norm : bool
        An N-word input frame buffer shifts each frame left by its headroom.
    output_width : int or None
        Width of the output words: the read-out shifter behind the reorder
        buffer rounds the frame to it.  ``None``: no shifter, the datapath's
        last width is the output width.
    checkpoints : tuple of int
        Butterfly stage indices before which the frame is buffered (N words
        each) and renormalised to ``checkpoint_width`` bits (left by its
        headroom or right with rounding).
    checkpoint_width : int
        See ``checkpoints``.
    label : str
        Short name in the study's tables.
    """
    base: FFTConfig
    schedule: tuple
    input_norm: bool = False
    output_width: Optional[int] = 18
    checkpoints: tuple = ()
    checkpoint_width: int = 0
    label: str = ""

    def __post_init__(self):
        if len(self.schedule) != self.base.stages:
            raise ValueError(f"schedule must have {self.base.stages} entries, got {len(self.schedule)}")
        if any(s not in (0, 1, 2) for s in self.schedule):
            raise ValueError(f"schedule entries must be 0, 1 or 2, got {self.schedule}")
        if self.checkpoints and (self.output_width is None or not self.checkpoint_width):
            raise ValueError("checkpoints need a read-out shifter and a checkpoint_width")
        object.__setattr__(self, "schedule", tuple(self.schedule))
        object.__setattr__(self, "checkpoints", tuple(self.checkpoints))

    @property
    def scale_log2(self) -> int:
        """``K``: the fixed schedule's total shift."""
        return sum(self.schedule)

    @property
    def plan(self) -> tuple:
        """:func:`bfp_plan` of this design."""
        return bfp_plan(self)

    @property
    def internal_width(self) -> int:
        """Widest datapath word (the reorder buffer's width when it is last)."""
        return max(p.width_out for p in self.plan if p.kind != "bfp_out")

    @property
    def twiddle_widths(self) -> tuple:
        """Rotated operand width of each twiddle multiplier, in pipeline order."""
        return tuple(p.rotated_width for p in self.plan if p.kind == "twiddle")

    @property
    def datapath_output_width(self) -> int:
        """Width of the words written into the output (reorder) buffer."""
        return [p for p in self.plan if p.kind != "bfp_out"][-1].width_out

    @property
    def out_width(self) -> int:
        """Width of the output ``re``/``im`` fields."""
        return self.output_width if self.output_width is not None else self.datapath_output_width

    @property
    def max_exponent(self) -> int:
        """Largest block exponent: the schedule, every checkpoint's largest
        right shift and the read-out shifter's largest shift (``h = 0``)."""
        cp = sum(max(0, p.width_in - self.checkpoint_width) for p in self.plan if p.kind == "normalize"
                 and p.index > 0)
        r = max(0, self.datapath_output_width - self.out_width) if self.output_width is not None else 0
        return self.scale_log2 + cp + r

    @property
    def exponent_width(self) -> int:
        """Bits of the unsigned ``exponent`` field."""
        return max(1, self.max_exponent.bit_length())

    @property
    def added_latency(self) -> int:
        """Slots the BFP parts add to the core's latency (the frame buffers
        and the read-out shifter; the twiddle parts' own latency changes with
        their operand width: see :attr:`pipeline_latency`)."""
        return sum(p.latency for p in self.plan if p.kind in ("normalize", "bfp_out"))

    @property
    def pipeline_latency(self) -> int:
        """Sum of the part latencies (compare ``FFTConfig.pipeline_latency``)."""
        return sum(p.latency for p in self.plan)


# ------------------------------------------------------------ range analysis
# The range analysis and the schedule rule live in the plan
# (:func:`fftforge.config.bfp_analyse`, :func:`fftforge.config.late_schedule`):
# the generator's ``scaling="bfp"`` cores and these candidates share them.
_analyse = bfp_analyse


@lru_cache(maxsize=256)
def bfp_plan(design: BFPDesign) -> tuple:
    """The parts of ``design`` in pipeline order: ``input``, (``normalize``:
    the input frame buffer), the butterflies and twiddle parts of
    :meth:`FFTConfig.plan` with the BFP schedule and analysed widths
    (``normalize`` parts before checkpoint stages), ``reorder`` for natural
    order, and ``bfp_out`` (the read-out shifter) unless ``output_width`` is
    None."""
    return _analyse(design.base, design.schedule, design.input_norm, design.checkpoints,
                    design.checkpoint_width, design.output_width)


# ------------------------------------------------------------------ normalise
def normalize(re, im, bits: int, rounding: str, *, left: bool = True, min_shift=None):
    """Shift each frame so that its components fit ``bits``-bit signed words.

    Returns ``(re, im, shift, clipped)``: ``shift`` per frame (positive:
    right, rounded with ``rounding``; negative: left, exact, only with
    ``left``), raised to ``min_shift`` (per frame) where given; ``clipped``
    per frame: a component rounded up to ``2**(bits-1)`` was clipped to
    ``2**(bits-1) - 1`` (the frame's largest value within half an LSB of
    the range; the error stays below one LSB)."""
    re = np.asarray(re, dtype=np.int64)
    im = np.asarray(im, dtype=np.int64)
    t = headroom(re, im) - (bits - 1)
    if not left:
        t = np.maximum(t, 0)
    if min_shift is not None:
        t = np.maximum(t, np.asarray(min_shift, dtype=np.int64))
    o_re, o_im = np.empty_like(re), np.empty_like(im)
    hi = (1 << (bits - 1)) - 1
    clipped = np.zeros(re.shape[0], dtype=bool)
    for f, s in enumerate(t):
        s = int(s)
        if s >= 0:
            a, b = round_shift(re[f], s, rounding), round_shift(im[f], s, rounding)
        else:
            a, b = re[f] << -s, im[f] << -s
        clipped[f] = bool((a > hi).any() or (b > hi).any())
        o_re[f], o_im[f] = np.minimum(a, hi), np.minimum(b, hi)
    return o_re, o_im, t, clipped


# --------------------------------------------------------------------- model
class BFPModel:
    """Bit-true model of a :class:`BFPDesign`.

    ``model(re, im, inverse=None)`` takes integer arrays of shape (frames, N)
    (``base.width``-bit) and returns ``(words, exponent)``: ``words`` a dict
    of (frames, N) arrays ``re``, ``im`` (the output words in the core's
    output order) and ``overflow`` (the sticky per-frame flag, from every
    part's saturation: constant False when the range analysis holds), and
    ``exponent`` the unsigned block exponent of each frame, shape (frames,),
    with ``DFT(x) ~= (re + j im) * 2**exponent``.  ``model.last`` keeps the
    per-frame shifts (``h``, ``checkpoint``, ``r``), the clip flags and the
    input power for :func:`predicted_noise_power`.
    """

    def __init__(self, design: BFPDesign):
        self.design = design
        self.plan = bfp_plan(design)
        self.cfg = design.base.replace(scaling="scaled", schedule=design.schedule)
        if max(p.width_out for p in self.plan) + self.cfg.twiddle_width + 2 > 62:
            raise ValueError("datapath too wide for the int64 model")
        self.last = None

    def __call__(self, re, im, inverse=None):
        d, cfg = self.design, self.cfg
        re = np.asarray(re, dtype=np.int64)
        im = np.asarray(im, dtype=np.int64)
        if re.ndim != 2 or re.shape[1] != cfg.n or im.shape != re.shape:
            raise ValueError(f"input must have shape (frames, {cfg.n}), got {re.shape}")
        lim = 1 << (cfg.width - 1)
        if re.size and (min(re.min(), im.min()) < -lim or max(re.max(), im.max()) > lim - 1):
            raise ValueError(f"input must be within the {cfg.width}-bit signed range")
        frames = re.shape[0]
        inv = frame_directions(cfg, frames, inverse)[:, None]
        power = np.mean(re.astype(float) ** 2 + im.astype(float) ** 2, axis=1)
        re, im = np.where(inv, im, re), np.where(inv, re, im)
        ovf = np.zeros(re.shape, dtype=bool)
        K = d.scale_log2
        h = np.zeros(frames, dtype=np.int64)
        cps = []
        clips = np.zeros(frames, dtype=bool)
        for part in self.plan:
            if part.kind == "normalize" and part.index == 0:
                # input frame buffer: left shift by the headroom (exact);
                # without a read-out shifter at most K, so that e >= 0
                h = (cfg.width - 1) - headroom(re, im)
                if d.output_width is None:
                    h = np.minimum(h, K)
                re, im = re << h[:, None], im << h[:, None]
            elif part.kind == "normalize":
                re, im, t, c = normalize(re, im, part.width_out, cfg.rounding)
                cps.append(t)
                clips |= c
            elif part.kind in ("bf2", "bf2ii"):
                re, im, ovf = sdf_stage(re, im, ovf, part, cfg)
            elif part.kind == "twiddle":
                re, im, ovf = twiddle_stage(re, im, ovf, part, cfg)
            elif part.kind == "reorder":
                re, im, ovf = reorder(re, im, ovf)
            elif part.kind == "bfp_out":
                e_in = K - h + (np.sum(cps, axis=0) if cps else 0)
                # the smallest shift that fits, raised so that e >= 0
                need = np.maximum(headroom(re, im) - (part.width_out - 1), 0)
                r = np.maximum(need, -e_in)
                re, im, r, c = normalize(re, im, part.width_out, cfg.rounding, left=False, min_shift=r)
                clips |= c
        cp = np.sum(cps, axis=0) if cps else np.zeros(frames, dtype=np.int64)
        if d.output_width is None:
            r = np.zeros(frames, dtype=np.int64)
        exponent = K - h + cp + r
        assert (exponent >= 0).all()
        re, im = np.where(inv, im, re), np.where(inv, re, im)
        sticky = np.logical_or.accumulate(ovf, axis=1)
        self.last = dict(h=h, checkpoint=np.array(cps).T if cps else np.zeros((frames, 0), dtype=np.int64),
                         r=r, clipped=clips, power=power)
        words = {"re": re.astype(np.int64), "im": im.astype(np.int64), "overflow": sticky}
        return words, exponent.astype(np.uint8)


def bfp_model(design: BFPDesign, re, im, inverse=None):
    """Convenience wrapper: ``BFPModel(design)(re, im, inverse)`` ->
    ``(words, exponent)``."""
    return BFPModel(design)(re, im, inverse)


# -------------------------------------------------------------- noise model
def _segment_noise(design, parts, input_power):
    """``noise.predicted_noise_power`` of a run of butterfly and twiddle
    parts (the same rounding statistics and propagation as the fixed
    cores), and the signal power gain through it."""
    view = types.SimpleNamespace(n=design.base.n, rounding=design.base.rounding,
                                 twiddle_width=design.base.twiddle_width, plan=lambda: tuple(parts))
    gain = float(np.prod([2.0 / 4.0 ** p.shift for p in parts if p.kind in ("bf2", "bf2ii")]))
    shift = sum(p.shift for p in parts if p.kind in ("bf2", "bf2ii"))
    return noise.predicted_noise_power(view, input_power), gain, shift


def predicted_noise_power(design: BFPDesign, info: dict) -> np.ndarray:
    """Expected output noise power per complex sample of each frame, in
    DFT units squared (the units of ``DFT(x)``), given the frame's shifts.

    ``info``: :attr:`BFPModel.last` (per frame ``h``, ``checkpoint``, ``r``
    and the input ``power``).  The noise between normalisers is
    :func:`fftforge.pyref.noise.predicted_noise_power` of that run of parts
    (rounding variances per stage, twiddle-coefficient error, mean error),
    taken to DFT units by the LSB weight ``2**(K_so_far - h + c_so_far)``;
    each rounding normaliser adds its own rounding power (``2 *
    P_round(shift)`` at its output LSB); noise from before a run grows
    through it like the signal (x2 per butterfly in DFT units).  Input
    normalisation is exact."""
    plan = bfp_plan(design)
    rnd = design.base.rounding
    frames = len(info["h"])
    out = np.zeros(frames)
    for f in range(frames):
        h = int(info["h"][f])
        lsb = 2.0 ** -h                   # weight of the current LSB in DFT units
        sig = float(info["power"][f]) * 4.0 ** h
        total = 0.0
        seg = []
        ci = 0

        def flush():
            nonlocal total, lsb, sig, seg
            if seg:
                nz, g, s = _segment_noise(design, seg, sig)
                nb = sum(1 for p in seg if p.kind in ("bf2", "bf2ii"))
                lsb *= 2.0 ** s
                total = total * 2.0 ** nb + nz * lsb ** 2   # earlier noise grows like the signal
                sig *= g
                seg = []

        for p in plan:
            if p.kind in ("bf2", "bf2ii", "twiddle"):
                seg.append(p)
            elif p.kind == "normalize" and p.index > 0:
                flush()
                t = int(info["checkpoint"][f][ci])
                ci += 1
                lsb *= 2.0 ** t
                sig /= 4.0 ** t
                if t > 0:
                    total += 2 * noise._rounding_power(rnd, t) * lsb ** 2
            elif p.kind == "bfp_out":
                flush()
                r = int(info["r"][f])
                lsb *= 2.0 ** r
                total += 2 * noise._rounding_power(rnd, r) * lsb ** 2
        flush()
        out[f] = total
    return out


def predicted_sqnr_db(design: BFPDesign, reference, info: dict) -> float:
    """Predicted SQNR (dB) over all frames of ``reference`` (the float
    DFT, shape (frames, N)): total signal power over total predicted noise."""
    ref = np.asarray(reference)
    sig = float(np.sum(np.abs(ref) ** 2))
    nz = float(np.sum(predicted_noise_power(design, info)) * ref.shape[1])
    return float("inf") if nz == 0 else float(10 * np.log10(sig / nz))


# ---------------------------------------------------------------------- cost
def mult18x18d(design: BFPDesign, cmul: Optional[int] = None) -> int:
    """MULT18X18D blocks of the twiddle multipliers: for each twiddle part
    (one multiplier per lane that needs one, as
    :meth:`FFTConfig.multiplier_lanes`) and each real product of the complex
    multiplier form (:func:`fftforge.config.cmul_operands`: 4 of ``w x tw``,
    or 1 of ``tw x (w+1)`` and 2 of ``w x tw`` unsigned), the product of the
    operands' limb counts (:func:`fftforge.config.mult_limbs`: 1 up to 18
    bits, 2 up to 35) -- what :class:`fftforge.hdl.prims.PipelinedMultiplier`
    instantiates."""
    base = design.base
    form = base.cmul if cmul is None else cmul
    tw = base.twiddle_width
    total = 0
    for p in bfp_plan(design):
        if p.kind != "twiddle":
            continue
        lanes = base.multiplier_lanes(p)
        blocks = 0
        ops = cmul_operands(p.rotated_width, tw, form, w_symmetric=True)
        counts = [4] if form == 4 else [1, 2]
        for (a, b, signed), cnt in zip(ops, counts):
            b_l = 1 if not signed and b <= BLOCK_BITS else mult_limbs(b + (0 if signed else 1))
            blocks += cnt * mult_limbs(a) * b_l
        total += lanes * blocks
    return total


def memory_cost(design: BFPDesign) -> dict:
    """Memory of the design (one lane), in words and bits (two components
    and the flag bits per word): the butterflies' feedback delays, the
    output buffer (the natural-order reorder buffer; a ``bit_reversed``
    core with a read-out shifter needs one too) and the frame buffers the
    design adds (the input buffer and one per checkpoint).  ``extra_words``:
    the words a natural-order fixed core does not have."""
    base = design.base
    n = base.n
    flags = base.flag_bits
    plan = bfp_plan(design)
    fb_bits = sum(p.delay * (2 * max(p.width_in, p.width_out) + flags) for p in plan if p.kind in ("bf2", "bf2ii"))
    has_reorder = any(p.kind == "reorder" for p in plan)
    out_words = n if (has_reorder or design.output_width is not None) else 0
    out_bits = out_words * (2 * design.datapath_output_width + flags)
    frame = [p for p in plan if p.kind == "normalize"]
    frame_words = n * len(frame)
    frame_bits = sum(n * (2 * p.width_in + flags) for p in frame)
    return {"feedback_bits": fb_bits, "output_buffer_words": out_words, "output_buffer_bits": out_bits,
            "frame_buffer_words": frame_words, "frame_buffer_bits": frame_bits,
            "extra_words": frame_words + (out_words if not has_reorder else 0)}


# -------------------------------------------------------------- candidates
def chosen_design(n: int = 1024, width: int = 16, twiddle_width: int = 18, **base_kw) -> BFPDesign:
    """The design the study picks (candidate *c*): input normalisation (an
    N-word input frame buffer), a fixed late schedule that keeps every
    twiddle multiplier's rotated operand within one 18-bit block port
    except the last one, which takes its operand unscaled (two blocks per
    real product), no shift after the last twiddle, and the read-out
    shifter to 18 bits behind the reorder buffer.  The schedule and the
    output width are those of the generator's plan,
    ``FFTConfig(scaling="bfp")`` (operand limit and output width ``width +
    2``, 18 at the default 16 bits), so that :class:`BFPModel` of this
    design and :class:`~fftforge.pyref.fft.FFTModel` of that configuration
    give the same words."""
    base = FFTConfig(n=n, width=width, twiddle_width=twiddle_width, **base_kw)
    core = base.replace(scaling="bfp", schedule=None)     # the generator's plan: its schedule rule
    sched = core.shifts
    return BFPDesign(base, sched, input_norm=True, output_width=core.output_width,
                     label="c: in+out norm, last twiddle wide")


def candidates(n: int = 1024, width: int = 16, twiddle_width: int = 18) -> list:
    """The study's candidates (docs/bfp_study.md), in table order."""
    base = FFTConfig(n=n, width=width, twiddle_width=twiddle_width)
    ntw = sum(1 for p in base.plan() if p.kind == "twiddle")
    narrow = (BLOCK_BITS,) * ntw
    wide = (None,) * ntw
    last_wide = (BLOCK_BITS,) * (ntw - 1) + (None,)
    out = []
    out.append(BFPDesign(base, (1,) * base.stages, input_norm=False, output_width=None,
                         label="scaled (today's core)"))
    out.append(BFPDesign(base, (0,) * base.stages, input_norm=False, output_width=None,
                         label="unscaled (today's core)"))
    out.append(BFPDesign(base, late_schedule(base, wide), output_width=18, label="a: out norm, unscaled"))
    out.append(BFPDesign(base, late_schedule(base, narrow), output_width=18, label="a: out norm, tw<=18"))
    out.append(BFPDesign(base, late_schedule(base, last_wide), output_width=18, label="a: out norm, last tw wide"))
    out.append(BFPDesign(base, (1,) * base.stages, input_norm=True, output_width=None,
                         label="b: in norm, scaled"))
    out.append(BFPDesign(base, late_schedule(base, narrow, input_norm=True, output_limit=18), input_norm=True,
                         output_width=None, label="b: in norm, <=18 bit"))
    out.append(BFPDesign(base, late_schedule(base, narrow, input_norm=True), input_norm=True, output_width=18,
                         label="c: in+out norm, tw<=18"))
    out.append(chosen_design(n, width, twiddle_width))
    cps = tuple(p.index for p in base.plan() if p.kind == "bf2")[1:]
    cw = width
    out.append(BFPDesign(base, late_schedule(base, narrow, input_norm=True, checkpoints=cps, checkpoint_width=cw),
                         input_norm=True, output_width=18, checkpoints=cps, checkpoint_width=cw,
                         label="d: per-pair renorm"))
    return out


# ------------------------------------------------------------------ stimuli
FULL_SCALE_KINDS = ("tone", "random", "impulse", "dc")


def gaussian_frames(n: int, width: int, sigma: float, frames: int, rng=None):
    """Complex Gaussian frames, ``sigma`` per component in LSBs, rounded and
    clipped to the ``width``-bit range: ``(re, im)`` int64 (frames, n)."""
    rng = rng if rng is not None else np.random.default_rng(0)
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    x = np.clip(np.round(rng.normal(0.0, sigma, (2, frames, n))), lo, hi).astype(np.int64)
    return x[0], x[1]


def full_scale_frames(kind: str, n: int, width: int, rng=None):
    """Full-scale stress frames of one kind, several frames each:
    ``tone`` (complex exponentials of amplitude 2**(width-1) - 1 on several
    bins, and the corner signs), ``random`` (uniform over the whole range,
    and random +-full-scale corners), ``impulse`` (corner values at several
    positions), ``dc`` (the four corners)."""
    rng = rng if rng is not None else np.random.default_rng(0)
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    t = np.arange(n)
    rows = []
    if kind == "tone":
        for k in (0, 1, 3, n // 4 + 1, n // 2, n - 1):
            ph = 2 * np.pi * k * t / n
            rows.append((np.round(hi * np.cos(ph)), np.round(hi * np.sin(ph))))
            rows.append((np.where(np.cos(ph) >= 0, hi, lo), np.where(np.sin(ph) >= 0, hi, lo)))
    elif kind == "random":
        for _ in range(4):
            rows.append((rng.integers(lo, hi + 1, n), rng.integers(lo, hi + 1, n)))
        for _ in range(4):
            rows.append((rng.choice([lo, hi], n), rng.choice([lo, hi], n)))
    elif kind == "impulse":
        for pos in (0, 1, n // 2, n - 1):
            for a, b in ((lo, lo), (hi, lo)):
                rows.append((np.where(t == pos, a, 0), np.where(t == pos, b, 0)))
    elif kind == "dc":
        for a, b in ((lo, lo), (hi, hi), (lo, hi), (hi, lo)):
            rows.append((np.full(n, a), np.full(n, b)))
    else:
        raise ValueError(f"kind must be one of {', '.join(FULL_SCALE_KINDS)}, got {kind!r}")
    re = np.array([r[0] for r in rows], dtype=np.int64)
    im = np.array([r[1] for r in rows], dtype=np.int64)
    return re, im
