"""One configuration object per FFT core: :class:`FFTConfig`.

The configuration validates itself once, with errors that name the parameter
and its allowed range, and derives every other fact about the core from its
fields: the pipeline plan (the ordered list of parts with their widths and
latencies), the output width, the output scale, the latency and the resource
counts.  ``hdl`` builds from the plan, ``pyref`` models from the same plan,
``sim`` checks against it and ``costmodel`` reads latency and resources from
it.  A second formula for any of these facts anywhere else is a bug.

Numerics (see ``docs`` in README for the derivation)
----------------------------------------------------
* The input is sign-extended by one guard bit: stage 0 works at ``width + 1``
  bits.  The guard bit covers the sqrt(2) growth of a complex rotation.
* Each radix-2 butterfly computes ``a + b`` and ``a - b`` at full precision
  (one bit of growth), shifts right by the stage's schedule entry with the
  configured rounding, and resizes to the stage's output width with the
  configured overflow handling.

  - ``scaled``: every stage keeps ``width + 1`` bits; the default schedule
    shifts by one per stage, so the output is ``DFT(x) / N``.  With the default
    schedule no value can overflow (|value| <= sqrt(2) * 2**(width-1) <
    2**width at every stage); a schedule with zeros can, and then saturates
    (or wraps) and raises the overflow flag.
  - ``unscaled``: no shift; stage ``s`` outputs ``width + 2 + s`` bits, so the
    output is ``width + log2(N) + 1`` bits wide and equals the DFT up to
    rounding of the twiddle products.

* Twiddle factors are stored as ``round(W * 2**(twiddle_width-1))``, clipped
  to +-(2**(twiddle_width-1) - 1) so that every stored value is symmetric and
  its negation is exact.  Rotations by a power of -j are done exactly
  (swap/negate), never through the multiplier.
* A twiddle product is formed exactly, shifted right by ``twiddle_width - 1``
  with the configured rounding, and resized to the data width.
* The inverse transform is the forward datapath with real and imaginary parts
  swapped at the input and the output (``swap(DFT(swap(x)))`` is the
  unnormalised inverse DFT).  This is bit-identical to conjugating every
  twiddle, so one datapath serves both directions.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar, Optional

import numpy as np

__all__ = [
    "CoreConfig", "FFTConfig", "ConfigError", "Part", "IntRange", "NAME_PATTERN", "LANES", "CMULS",
    "ARCHS", "DIRECTIONS", "SCALINGS", "ROUNDINGS", "OVERFLOWS", "ORDERS",
    "N_RANGE", "WIDTH_RANGE", "TWIDDLE_WIDTH_RANGE",
    "INPUT_LATENCY", "BUTTERFLY_LATENCY_EXTRA", "TWIDDLE_LATENCY", "OUTPUT_LATENCY",
    "MULT_LATENCY", "RAM_LATENCY", "CMUL_LATENCY", "SHARED_CMUL_LATENCY", "CYCLES_PER_SAMPLE_RANGE", "REORDER_LATENCY_EXTRA", "TARGETS",
    "CE_REGISTER_LATENCY", "OUTPUT_FIFO_DEPTH", "BF2II_ROTATE_LATENCY", "MULT_LIMB_BITS",
    "PRODUCT_REGISTER_MIN_LANES", "STAGED_CROSSBAR_MIN_LANES", "reorder_latency", "mult_limbs", "mult_latency", "CMUL3_PREADD_LATENCY", "cmul_operands", "cmul_latency", "twiddle_latency", "shared_cmul_latency", "shell_latency",
    "shell_capacity", "BFP_NORMALIZE_LATENCY_EXTRA", "BFP_OUT_LATENCY", "BFP_GUARD_BITS", "bfp_analyse",
    "late_schedule",
]

ARCHS = ("r2sdf", "r22sdf")
DIRECTIONS = ("forward", "inverse", "runtime")
SCALINGS = ("scaled", "unscaled", "bfp")
ROUNDINGS = ("truncate", "convergent")
OVERFLOWS = ("saturate", "wrap")
ORDERS = ("natural", "bit_reversed")
CMULS = (4, 3)
N_RANGE = (8, 65536)
WIDTH_RANGE = (4, 32)
TWIDDLE_WIDTH_RANGE = (4, 32)
SHIFT_RANGE = (0, 2)
LANES = (1, 2, 4, 8)
DRAIN_AFTER_RANGE = (0, 1 << 16)
TARGETS = ("generic", "ecp5", "ice40")
NAME_PATTERN = r"[A-Za-z_][A-Za-z0-9_]{0,62}"   # a Verilog identifier of at most 63 characters

# Latencies of the parts, in pipeline slots (one slot = one accepted sample
# time).  These are the single source of truth: the hdl parts are built to
# meet them (and assert it), the plan sums them, and the simulation checks
# the total.  Registers sit where carry chains meet, so that no cycle holds
# more than one wide add (see README "Timing").
MULT_LATENCY = 3             # registered multiplier: input, pipeline, output registers
RAM_LATENCY = 2              # registered memory read, then the block's output register
CMUL_LATENCY = MULT_LATENCY + 1  # complex multiplier of one-block operands: products, then the sum register
INPUT_LATENCY = 1            # input register (direction swap, guard bit)
BUTTERFLY_LATENCY_EXTRA = 2  # an SDF butterfly stage takes D + 2 slots: sum register, rounding register
BF2II_ROTATE_LATENCY = 1     # a radix-2^2 BF2II stage rotates its input by -j into a register first
TWIDDLE_LATENCY = RAM_LATENCY + CMUL_LATENCY + 1  # ROM read (and the sample's rotation), multiplier, rounding
#   (operands wider than 18 bits add adder-tree levels: twiddle_latency())
REORDER_LATENCY_EXTRA = RAM_LATENCY  # the natural-order buffer takes N + 2 slots
OUTPUT_LATENCY = 1           # output skid FIFO: written, then visible
CE_REGISTER_LATENCY = 1      # every core: the datapath runs a cycle behind its controller (registered clock enable)
OUTPUT_FIFO_DEPTH = 4        # every core: 2 words of skid + the write in flight behind the registered enable
#   + 1 so that the free-space flag need not know the controller's current emit (hdl/shell.py)
SHARED_CMUL_LATENCY = 1      # cycles_per_sample 2: the products of a slot's operands, in the next slot's register
#   (cycles_per_sample >= 3: 0, the sums accumulate within the slot: shared_cmul_latency())
CYCLES_PER_SAMPLE_RANGE = (1, 16)  # the datapath moves at most once every K cycles (time-shared multipliers)
PRODUCT_REGISTER_MIN_LANES = 8  # cores of this many lanes or more register each real product in logic
#   before the sum (cmul_latency(product_register=True): one slot more per twiddle part): at P = 8 the
#   N = 1024 core takes 120 of the ECP5-85F's 156 MULT18X18D, so a product's block and the adder that sums
#   it with its partner can sit 70 columns apart (5.4-6.7 ns of routing, seeds 1 and 2 at 3e4f1ef)
STAGED_CROSSBAR_MIN_LANES = 8  # cores of this many lanes or more read the lane reorder's banks through
#   log2 P registered stages of swaps instead of one P-to-1 select per lane (reorder_latency(staged=True):
#   log2 P slots more): at P = 8 every bank's output fanned out to all 8 lanes, two thirds of the routing
#   overuse left at router2's 12th iteration (ECP5-85F seed 1, BENCHMARKS.md "Tenth round")
MULT_LIMB_BITS = 17          # a wide multiplier's operand limb (unsigned, 18-bit signed DSP port)
BFP_NORMALIZE_LATENCY_EXTRA = RAM_LATENCY + 1  # block floating point: the N-word input frame buffer takes
#   N + 3 slots (a delay line of N + 1, its output register, the left-shift register: hdl/normalize.py)
BFP_OUT_LATENCY = 2          # block floating point: the read-out shifter (right-shift register, rounding register)
BFP_GUARD_BITS = 2           # block floating point: output words, and every twiddle operand but the last, are
#   width + 2 bits (18 for 16-bit input: one MULT18X18D port)


def mult_limbs(width: int, limb_bits: int = MULT_LIMB_BITS, block_bits: int = 18) -> int:
    """Limbs of a signed ``width``-bit operand in a ``block_bits`` x
    ``block_bits`` signed multiplier block: one when it fits, else
    ``limb_bits``-bit unsigned limbs and a signed top limb of at most
    ``block_bits`` bits (ECP5 MULT18X18D: 17 and 18; iCE40 SB_MAC16: 16
    and 16)."""
    return 1 if width <= block_bits else 1 + -(-(width - block_bits) // limb_bits)


def mult_latency(a_width: int, b_width: int, b_signed: bool = True) -> int:
    """Slots through :class:`fftforge.hdl.prims.PipelinedMultiplier`: the
    (limb) products (:data:`MULT_LATENCY`: input, pipeline and output
    registers), then one registered level of two-input adds per halving of
    the partial products (none for operands of at most 18 bits; an unsigned
    ``b`` of at most 18 bits takes one block's unsigned port)."""
    b_limbs = 1 if not b_signed and b_width <= 18 else mult_limbs(b_width + (0 if b_signed else 1))
    partials = mult_limbs(a_width) * b_limbs
    return MULT_LATENCY + (partials - 1).bit_length()


#: form 3 registers its pre-added operands before the multipliers: a + b,
#: d - c, c + d, then |d - c|, |c + d| and their signs (one carry chain each)
CMUL3_PREADD_LATENCY = 2


def cmul_operands(width: int, twiddle_width: int, form: int, w_symmetric: bool = False):
    """``(a_width, b_width, b_signed)`` of the real multipliers of a complex
    multiplier: form 4 ``a c``, ...; form 3 ``c (a + b)``, ``a |d - c|``,
    ``b |c + d|`` (the twiddle sums as magnitude and sign: unsigned,
    ``twiddle_width`` bits when the twiddle's parts are never
    ``-2**(twiddle_width-1)`` (``w_symmetric``, as every twiddle ROM and ROM
    weight), else one bit more)."""
    if form == 4:
        return [(width, twiddle_width, True)]
    return [(twiddle_width, width + 1, True), (width, twiddle_width + (0 if w_symmetric else 1), False)]


def cmul_latency(width: int, twiddle_width: int, form: int = 4, w_symmetric: bool = False,
                 cycles_per_sample: int = 1, product_register: bool = False) -> int:
    """Slots through :class:`fftforge.hdl.cmul.ComplexMultiplier`: (form 3:
    the pre-add register,) its real products (:func:`mult_latency` of the
    widest; ``product_register``: then one register in logic, see
    :data:`PRODUCT_REGISTER_MIN_LANES`), then the sum register.
    :data:`CMUL_LATENCY` for form 4 when every operand fits one 18 x 18
    block.  ``cycles_per_sample`` > 1: the time-shared form
    (:class:`fftforge.hdl.cmul.SharedComplexMultiplier`),
    :data:`SHARED_CMUL_LATENCY`."""
    if cycles_per_sample > 1:
        if product_register:
            raise ValueError("product_register applies to the fully pipelined multiplier (cycles_per_sample 1)")
        return shared_cmul_latency(cycles_per_sample)
    pre = CMUL3_PREADD_LATENCY if form == 3 else 0
    products = max(mult_latency(*op) for op in cmul_operands(width, twiddle_width, form, w_symmetric))
    return pre + products + int(product_register) + 1


def shared_cmul_latency(cycles_per_sample: int) -> int:
    """Slots through :class:`fftforge.hdl.cmul.SharedComplexMultiplier`:
    :data:`SHARED_CMUL_LATENCY` (1: a sum register) at 2 cycles per sample,
    0 from 3 on (the sums accumulate in the K cycles of the slot and hold
    until the next one)."""
    return SHARED_CMUL_LATENCY if cycles_per_sample == 2 else 0


def shell_latency(pipeline_latency: int, cycles_per_sample: int = 1) -> int:
    """``latency_cycles`` of a stream core (:mod:`fftforge.hdl.shell`) whose
    slot pipeline takes ``pipeline_latency`` slots: plus the registered
    clock enable and the output FIFO.  A core that moves at most once every
    ``cycles_per_sample`` cycles takes that many cycles per slot."""
    return cycles_per_sample * pipeline_latency + CE_REGISTER_LATENCY + OUTPUT_LATENCY


def shell_capacity(pipeline_latency: int) -> int:
    """Most samples a stream core holds (accepted, not yet emitted): the
    slot pipeline plus the output FIFO (the write in flight included)."""
    return pipeline_latency + OUTPUT_FIFO_DEPTH


def reorder_latency(n: int, lanes: int = 1, staged: bool = False) -> int:
    """Slots through the natural-order reorder of an ``n``-point frame
    carried on ``lanes`` lanes (:class:`fftforge.hdl.reorder.BitReverseReorder`,
    :class:`~fftforge.hdl.reorder.LaneReorder`): a frame of ``n / lanes``
    groups, then the banks' registered read (:data:`REORDER_LATENCY_EXTRA`),
    then, with a ``staged`` read crossbar, one register per stage
    (log2 ``lanes``)."""
    return n // lanes + REORDER_LATENCY_EXTRA + ((lanes.bit_length() - 1) if staged else 0)


def twiddle_latency(width: int, twiddle_width: int, form: int = 4, cycles_per_sample: int = 1,
                    product_register: bool = False) -> int:
    """Slots through a twiddle part (:class:`fftforge.hdl.twiddle.TwiddleMultiplier`)
    whose rotated sample is ``width`` bits: the ROM read (and the sample's
    rotation), the complex multiplier (:func:`cmul_latency`), the rounding
    register.  :data:`TWIDDLE_LATENCY` when the operands fit one block each
    (and no ``product_register``)."""
    return RAM_LATENCY + cmul_latency(width, twiddle_width, form, w_symmetric=True,
                                      cycles_per_sample=cycles_per_sample, product_register=product_register) + 1


class ConfigError(ValueError):
    """A parameter is out of its allowed range.  The message names it."""


# ------------------------------------------------ block floating point plan
def _bits(lo: int, hi: int) -> int:
    """Signed width holding every integer of [lo, hi]."""
    w = 1
    while lo < -(1 << (w - 1)) or hi > (1 << (w - 1)) - 1:
        w += 1
    return w


def bfp_analyse(base, schedule, input_norm=False, checkpoints=(), checkpoint_width=0, output_width=None) -> tuple:
    """The parts of a block-floating-point pipeline: the plan of ``base``
    (an :class:`FFTConfig`; its ``scaling`` and ``schedule`` are ignored)
    with the fixed ``schedule`` and the widths of an exact range analysis.

    Exact interval analysis of the components: one interval [lo, hi] holds
    every real and imaginary part (so the exact -j rotations, which swap and
    negate, map it to [min(lo, -hi), max(hi, -lo)]); a butterfly sums and
    differences it exactly, a rounding shift maps its ends (rounding is
    monotone); a twiddle product's component is bounded by
    ``min(|x| max|W|, max|comp| max(|c|+|s|))`` (the quantised table,
    :meth:`FFTConfig.twiddle_max_magnitude`) and then rounded.  ``mag``
    bounds |re + j im| as in :meth:`FFTConfig.plan`.  A normaliser resets the
    interval to its target width.  Every part gets the width that holds its
    interval, so ``may_overflow`` is False everywhere.

    ``input_norm``: a ``normalize`` part (the N-word input frame buffer,
    index 0) after ``input``; ``checkpoints``: butterfly stage indices with a
    ``normalize`` part (a frame buffer renormalising to ``checkpoint_width``
    bits) before them (design-study candidates, :mod:`fftforge.pyref.bfp`);
    ``output_width``: a ``bfp_out`` part (the read-out shifter) at the end.
    The input part keeps ``width`` bits (no guard bit: the analysis sizes
    every later part)."""
    from fftforge.pyref.fixed import round_shift
    cfg = base.replace(scaling="scaled", schedule=tuple(schedule), overflow="saturate")
    conv = cfg.rounding == "convergent"
    err = 0.5 if conv else 1.0
    parts = []
    n = cfg.n
    w_in0 = cfg.width
    lo, hi = -(1 << (w_in0 - 1)), (1 << (w_in0 - 1)) - 1
    mag = math.sqrt(2.0) * (1 << (w_in0 - 1))
    emit = parts.append
    norm_latency = n + BFP_NORMALIZE_LATENCY_EXTRA

    for p in cfg.plan():
        if p.kind == "input":
            emit(dataclasses.replace(p, width_in=w_in0, width_out=w_in0, bound=float(-lo), bound_in=float(-lo),
                                     may_overflow=False))
            if input_norm:
                emit(Part(kind="normalize", latency=norm_latency, width_in=w_in0, width_out=w_in0,
                          period=n, index=0, bound=float(-lo), bound_in=float(-lo), may_overflow=False))
            continue
        if p.kind in ("bf2", "bf2ii") and p.index in checkpoints:
            w_cur = _bits(lo, hi)
            wc = checkpoint_width
            emit(Part(kind="normalize", latency=norm_latency, width_in=w_cur, width_out=wc, period=n,
                      index=p.index, bound=float(1 << (wc - 1)), bound_in=float(max(-lo, hi)), may_overflow=False))
            lo, hi = -(1 << (wc - 1)), (1 << (wc - 1)) - 1
            mag = math.sqrt(2.0) * (1 << (wc - 1))
        w_in = _bits(lo, hi)
        b_in = float(max(-lo, hi))
        if p.kind in ("bf2", "bf2ii"):
            if p.kind == "bf2ii":
                blo, bhi = min(lo, -hi), max(hi, -lo)
            else:
                blo, bhi = lo, hi
            slo, shi = min(2 * lo, lo + blo), max(2 * hi, hi + bhi)
            dlo, dhi = min(lo - hi, lo - bhi), max(hi - lo, hi - blo)
            lo, hi = min(slo, dlo), max(shi, dhi)
            s = p.shift
            lo, hi = int(round_shift(lo, s, cfg.rounding)), int(round_shift(hi, s, cfg.rounding))
            mag = 2 * mag / (1 << s) + (math.sqrt(2.0) * err if s else 0.0)
        elif p.kind == "twiddle":
            w_max, l1_max = cfg.twiddle_max_magnitude(p.period)
            m_comp = max(-lo, hi)
            bnd = min(mag * w_max, m_comp * l1_max) * (1 + 1e-12)
            plo = -math.floor(bnd + 0.5) if conv else -math.ceil(bnd)
            phi = math.floor(bnd + 0.5) if conv else math.floor(bnd)
            rlo, rhi = min(lo, -hi), max(hi, -lo)
            lo, hi = min(plo, rlo), max(phi, rhi)
            mag = mag * w_max + math.sqrt(2.0) * err
        mag = min(mag, math.sqrt(2.0) * max(-lo, hi))
        w_out = _bits(lo, hi)
        q = dataclasses.replace(p, width_in=w_in, width_out=w_out, bound=float(max(-lo, hi)), bound_in=b_in,
                                may_overflow=False)
        if p.kind == "twiddle":
            q = dataclasses.replace(q, latency=twiddle_latency(q.rotated_width, cfg.twiddle_width, cfg.cmul,
                                                                 product_register=q.product_register))
        elif p.kind == "reorder":
            q = dataclasses.replace(q, width_in=w_in, width_out=w_in)
        emit(q)
    if output_width is not None:
        w_last = parts[-1].width_out
        emit(Part(kind="bfp_out", latency=BFP_OUT_LATENCY, width_in=w_last, width_out=output_width,
                  period=n, bound=float((1 << (output_width - 1)) - 1), bound_in=float(parts[-1].bound),
                  may_overflow=False))
    offset = 0
    out = []
    for q in parts:
        out.append(dataclasses.replace(q, offset=offset))
        offset += q.latency
    return tuple(out)


def late_schedule(base, twiddle_limits, *, input_norm=False, output_limit=None, checkpoints=(),
                  checkpoint_width=0) -> tuple:
    """The fixed schedule that shifts as little and as late as possible.

    Walking the plan of ``base``, before each twiddle part ``t`` the
    butterflies since the previous limited twiddle get the smallest total
    shift (ties: the later stages first, up to 2 each) for which the
    twiddle's rotated operand (:func:`bfp_analyse`) is at most
    ``twiddle_limits[t]`` bits (``None``: no limit).  Butterflies after the
    last twiddle shift only if ``output_limit`` asks for it.  Late shifts
    lose the least: a rounding at stage s adds noise ~ 4**k_s / 2**s
    relative to a white signal (k_s: the total shift so far).

    Raises :class:`ConfigError` when no schedule of shifts 0..2 fits."""
    k = base.stages
    sched = [0] * k
    tw_idx = [p.index for p in base.replace(scaling="scaled", schedule=None, overflow="saturate").plan()
              if p.kind == "twiddle"]
    limits = list(twiddle_limits) + [output_limit]
    groups = []
    prev = -1
    for t in tw_idx + [k - 1]:
        groups.append(list(range(prev + 1, t + 1)))
        prev = t

    def fits(sch, g):
        parts = bfp_analyse(base, sch, input_norm, checkpoints, checkpoint_width, None)
        lim = limits[g]
        if lim is None:
            return True
        if g < len(tw_idx):
            tws = [p for p in parts if p.kind == "twiddle"]
            return tws[g].rotated_width <= lim
        return parts[-1].width_out <= lim

    free = []                 # stages since the last limited group: theirs to shift
    for g, stages in enumerate(groups):
        free = free + stages
        if limits[g] is None:
            continue
        stages, free = free, []
        options = []
        for combo in np.ndindex(*([3] * len(stages))):
            # smallest total first, then shifts as late as possible
            options.append((sum(combo), tuple(-c for c in reversed(combo)), combo))
        options.sort()
        for _, _, combo in options:
            trial = list(sched)
            for st, c in zip(stages, combo):
                trial[st] = c
            if fits(trial, g):
                sched = trial
                break
        else:
            raise ConfigError(f"no fixed schedule keeps twiddle operand {g} within {limits[g]} bits")
    return tuple(sched)


@lru_cache(maxsize=64)
def _bfp_schedule(cfg) -> tuple:
    tw = sum(1 for p in cfg.replace(scaling="scaled", overflow="saturate").plan() if p.kind == "twiddle")
    limit = cfg.width + BFP_GUARD_BITS
    return late_schedule(cfg, (limit,) * max(tw - 1, 0) + (None,) * min(tw, 1), input_norm=True)


@lru_cache(maxsize=64)
def _bfp_plan(cfg) -> tuple:
    return bfp_analyse(cfg, _bfp_schedule(cfg), input_norm=True, output_width=cfg.width + BFP_GUARD_BITS)



def _is_pow2(x: int) -> bool:
    return isinstance(x, int) and x > 0 and (x & (x - 1)) == 0


def _check_int(name: str, value, lo: int, hi: int, pow2: bool = False):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be an integer in [{lo}, {hi}]"
                          f"{' and a power of two' if pow2 else ''}, got {value!r}")
    if pow2 and not _is_pow2(value):
        raise ConfigError(f"{name} must be a power of two in [{lo}, {hi}], got {value}")
    if not lo <= value <= hi:
        raise ConfigError(f"{name} must be in [{lo}, {hi}]"
                          f"{' (a power of two)' if pow2 else ''}, got {value}")


def _check_choice(name: str, value, choices):
    if value not in choices:
        allowed = ", ".join(repr(c) if isinstance(c, str) else str(c) for c in choices)
        raise ConfigError(f"{name} must be one of {allowed}, got {value!r}")


@dataclass(frozen=True)
class IntRange:
    """The allowed values of an integer field: ``lo`` to ``hi`` inclusive
    (an entry of :attr:`CoreConfig.OPTIONS`)."""
    lo: int
    hi: int


def _check_option(name: str, value, allowed):
    if isinstance(allowed, IntRange):
        _check_int(name, value, allowed.lo, allowed.hi)
    else:
        _check_choice(name, value, allowed)


@dataclass(frozen=True)
class CoreConfig:
    """What the configuration of every core kind has and does.

    :class:`FFTConfig`, :class:`~fftforge.filter_config.FilterConfig` and
    :class:`~fftforge.filter_config.FFTNetConfig` are frozen dataclasses
    derived from this one.  It owns the facts they share: the fields ``n``,
    ``width`` and ``twiddle_width`` (the first three of every kind), the
    checks of the fields every kind has (``n``, the widths, ``lanes``,
    ``drain_after``, ``target``, ``name``) with their one-line
    :class:`ConfigError` messages, the order the checks run in,
    (de)serialisation (:meth:`to_dict`, :meth:`from_dict`, :meth:`replace`),
    the frame and lane arithmetic (:attr:`frame_cycles`,
    :attr:`lane_fields`) and the latency of the stream shell around the
    kind's slot pipeline (:attr:`latency_cycles`, :attr:`capacity`).

    A kind's class declares its fields (each kind's field order is its
    ``to_dict``/``repr`` order, part of its contract), including ``lanes``,
    ``drain_after``, ``target`` and ``name``, which every kind has; it lists
    its own option fields in :attr:`OPTIONS`, checks the relations between
    its fields in :meth:`_validate`, and derives ``output_width``,
    ``pipeline_latency`` and ``resources()``.

    Attributes
    ----------
    n : int
        Frame (transform) size, a power of two in :data:`N_RANGE`.
    width : int
        Input width per real component, in :attr:`WIDTH_RANGE`.
    twiddle_width : int
        FFT twiddle factor width per real component, in
        :data:`TWIDDLE_WIDTH_RANGE` (default 18: 18 x 18 DSP blocks).
    lanes : int
        Samples per transfer (per clock) P in :data:`LANES`, at most n/2.
    drain_after : int
        Idle input cycles at a frame boundary before frames in flight drain.
    target : str
        Synthesis target, one of :data:`TARGETS`.
    name : str
        Module and file name: a Verilog identifier (:data:`NAME_PATTERN`).
    kind : str
        The core kind (:mod:`fftforge.kinds`) whose configuration this is.
    """
    n: int
    width: int = 16
    twiddle_width: int = 18

    #: allowed ``width`` of the kind
    WIDTH_RANGE: ClassVar[tuple] = WIDTH_RANGE
    #: the kind's own option fields, ``(field, allowed)`` with ``allowed`` a
    #: tuple of choices or an :class:`IntRange`, checked in this order after
    #: ``n`` and the widths, before ``lanes``, ``drain_after``, ``target``
    #: and ``name``
    OPTIONS: ClassVar[tuple] = ()
    #: tuple-valued fields: lists in :meth:`to_dict`, tuples again in :meth:`from_dict`
    TUPLE_FIELDS: ClassVar[tuple] = ()
    #: fields :meth:`to_dict` leaves out while they are ``None`` (options
    #: added after descriptors were written: theirs stay as they were)
    OPTIONAL_FIELDS: ClassVar[tuple] = ()

    def __post_init__(self):
        _check_int("n", self.n, *N_RANGE, pow2=True)
        _check_int("width", self.width, *self.WIDTH_RANGE)
        _check_int("twiddle_width", self.twiddle_width, *TWIDDLE_WIDTH_RANGE)
        for name, allowed in self.OPTIONS:
            _check_option(name, getattr(self, name), allowed)
        _check_choice("lanes", self.lanes, LANES)
        if self.lanes > self.n // 2:
            raise ConfigError(f"lanes must be at most n/2 = {self.n // 2}, got {self.lanes}")
        _check_int("drain_after", self.drain_after, *DRAIN_AFTER_RANGE)
        _check_choice("target", self.target, TARGETS)
        if not isinstance(self.name, str) or not re.fullmatch(NAME_PATTERN, self.name):
            raise ConfigError(f"name must be a Verilog identifier ([A-Za-z_][A-Za-z0-9_]*, "
                              f"at most 63 characters), got {self.name!r}")
        self._validate()

    def _validate(self):
        """The kind's checks of relations between its fields (and the
        normalisation of their values), after every single-field check."""

    # ------------------------------------------------------------ shared facts
    @property
    def kind(self) -> str:
        """The core kind of this configuration (the ``kind`` of its
        descriptor), from the table :data:`fftforge.kinds.KINDS`."""
        from fftforge.kinds import kind_of
        return kind_of(self).name

    @property
    def log2n(self) -> int:
        """log2 n."""
        return self.n.bit_length() - 1

    @property
    def frame_cycles(self) -> int:
        """Transfers (cycles at full throughput) per frame: n / lanes."""
        return self.n // self.lanes

    @property
    def sample_fields(self) -> tuple:
        """Components of one sample on the core's streams: ``("re", "im")``."""
        return ("re", "im")

    @property
    def lane_fields(self) -> tuple:
        """Payload field names per lane: ``(("re", "im"),)`` with one lane,
        ``(("re0", "im0"), ("re1", "im1"), ...)`` with P lanes (lane l
        carries sample ``t*P + l`` of transfer t; the components are
        :attr:`sample_fields`)."""
        if self.lanes == 1:
            return (self.sample_fields,)
        return tuple(tuple(f"{f}{l}" for f in self.sample_fields) for l in range(self.lanes))

    @property
    def latency_cycles(self) -> int:
        """Cycles from the first accepted input sample to the first output
        sample with no stalls: the kind's slot pipeline
        (``pipeline_latency``) in the stream shell (:func:`shell_latency`:
        the registered clock enable and the output FIFO)."""
        return shell_latency(self.pipeline_latency, getattr(self, "cycles_per_sample", 1))

    @property
    def capacity(self) -> int:
        """Most samples the core holds (accepted, not yet emitted): the slot
        pipeline plus the output FIFO (with the write in flight)."""
        return shell_capacity(self.pipeline_latency)

    # ------------------------------------------------------- (de)serialisation
    def replace(self, **changes):
        """A copy with ``changes`` (checked again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """Every field, in declaration order, as JSON values (the
        descriptor's ``config``)."""
        d = dataclasses.asdict(self)
        for k in self.TUPLE_FIELDS:
            if d[k] is not None:
                d[k] = list(d[k])
        for k in self.OPTIONAL_FIELDS:
            if d[k] is None:
                del d[k]
        return d

    @classmethod
    def from_dict(cls, d: dict):
        """The configuration :meth:`to_dict` wrote (keys that are not fields
        of ``cls`` are ignored)."""
        names = {f.name for f in dataclasses.fields(cls)}
        kw = {k: v for k, v in d.items() if k in names}
        for k in cls.TUPLE_FIELDS:
            if kw.get(k) is not None:
                kw[k] = tuple(kw[k])
        return cls(**kw)


@dataclass(frozen=True)
class Part:
    """One part of the pipeline plan.

    kind:
        ``"input"`` (guard bit + direction swap), ``"bf2"`` (radix-2 SDF
        butterfly, DIF), ``"bf2ii"`` (radix-2^2 second butterfly: the trivial
        -j on the last quarter of its period), ``"twiddle"`` (twiddle ROM and
        complex multiplier), ``"reorder"`` (bit-reversed to natural order),
        ``"normalize"`` (block floating point: an N-word frame buffer that
        shifts each frame left by its headroom), ``"bfp_out"`` (block
        floating point: the read-out shifter that rounds each frame to the
        output width and gives its exponent).
    delay:
        feedback delay D of a butterfly (its block is 2*D samples).
    period:
        twiddle pattern period L, or the reorder frame size.
    pattern:
        twiddle exponent pattern: ``"r2"`` or ``"r22"``.
    width_in, width_out:
        data width (per real component) entering and leaving the part.
    shift:
        right shift applied after a butterfly (its scaling).
    latency:
        slots from a sample entering the part to its result leaving it.
    offset:
        slots from the core's input acceptance to this part's input (the sum
        of the upstream latencies); the part's phase counters start at
        ``-offset mod period`` so that each frame starts at phase 0.
    bound, bound_in:
        upper bound of |re| and |im| of every value leaving (entering) the
        part, in units of its output (input) LSB (:meth:`FFTConfig.plan`'s
        range analysis).
    may_overflow:
        False when the range analysis proves that no value leaving the part
        can exceed its output width: the part then needs no saturation logic
        and its overflow flag is constant 0 (the output words are the same).
    product_register:
        twiddle part: its complex multiplier registers each real product in
        logic before the sum (one slot more, counted in ``latency``; set by
        the plan for :data:`PRODUCT_REGISTER_MIN_LANES` lanes or more).
    staged_crossbar:
        reorder part: its banks are read through log2 P registered stages of
        swaps (:func:`reorder_latency`; set by the plan for
        :data:`STAGED_CROSSBAR_MIN_LANES` lanes or more).
    """
    kind: str
    latency: int
    width_in: int
    width_out: int
    offset: int = 0
    delay: int = 0
    period: int = 0
    pattern: str = ""
    shift: int = 0
    index: int = 0
    lanes: int = 1
    bound: float = 0.0
    may_overflow: bool = True
    bound_in: float = 0.0
    product_register: bool = False
    staged_crossbar: bool = False

    @property
    def rotated_width(self) -> int:
        """Width of an input component times -j (or any exact rotation):
        ``width_in`` when the input bound keeps it off -2**(width_in-1) (its
        negation then fits), else one bit more."""
        return self.width_in + (math.ceil(self.bound_in) > 2 ** (self.width_in - 1) - 1)

    @property
    def spatial(self) -> bool:
        """A butterfly whose pairs (n, n + D) sit in the same group of
        ``lanes`` samples (D < lanes): it works across lanes, with no delay."""
        return self.kind in ("bf2", "bf2ii") and self.delay < self.lanes


@dataclass(frozen=True)
class FFTConfig(CoreConfig):
    """A streaming fixed-point FFT/iFFT core (a :class:`CoreConfig`).

    Parameters
    ----------
    n : int
        Transform size, a power of two in [8, 65536].
    width : int
        Input width per real component, in [4, 32].
    twiddle_width : int
        Twiddle factor width per real component, in [4, 32] (default 18,
        which fits 18x18 / 18x25 DSP multipliers).
    arch : str
        ``"r22sdf"`` (radix-2^2 single-path delay feedback, He & Torkelson
        1996: ceil(log4 N) - 1 twiddle multipliers) or ``"r2sdf"`` (radix-2
        SDF: log2 N - 1 twiddle multipliers).
    direction : str
        ``"forward"``, ``"inverse"`` (unnormalised, e^{+j2pi kn/N}) or
        ``"runtime"`` (an ``inverse`` input port, sampled with the first
        sample of each frame).
    scaling : str
        ``"scaled"`` (per-stage shift ``schedule``; output ~ DFT / 2**scale_log2),
        ``"unscaled"`` (full growth: output width = width + log2 N + 1) or
        ``"bfp"`` (block floating point: an N-word input frame buffer shifts
        each frame left by its headroom, a fixed late schedule
        (:func:`late_schedule`: every twiddle operand but the last within
        ``width + 2`` bits) with widths from an exact range analysis
        (:func:`bfp_analyse`: nothing can overflow), and a read-out shifter
        behind the reorder buffer rounds each frame to ``width + 2`` bits;
        the output field ``exponent`` gives ``DFT(x) ~= output *
        2**exponent`` per frame.  Natural order, one lane, ``overflow =
        "saturate"``, targets ``generic`` and ``ecp5`` only).
    schedule : tuple of int, optional
        ``scaled`` only: right shift (0, 1 or 2) after each of the log2 N
        radix-2 butterfly stages, in pipeline order.  Default: all 1.
    rounding : str
        ``"truncate"`` (floor) or ``"convergent"`` (round half to even).
    overflow : str
        ``"saturate"`` (clip, and raise the sticky per-frame ``overflow``
        output flag) or ``"wrap"`` (two's complement wrap; the flag still
        reports that a value wrapped).
    order : str
        Output order, ``"natural"`` (adds an N-word reorder buffer) or
        ``"bit_reversed"``.
    cmul : int
        Complex multiplier form: 4 real multipliers, or 3 (with pre-adders).
        Both give identical output words.
    lanes : int
        Samples per clock P in {1, 2, 4, 8}, P <= N/2.  A multi-path
        delay-feedback arrangement of the same DIF pipeline: butterflies with
        D >= P run per lane with delay D/P, those with D < P across the lanes
        of a group.  Every butterfly, twiddle and rounding is the same as for
        P = 1, so the output words are identical for every P.
    target : str
        Synthesis target of the generated Verilog: ``"generic"`` (portable:
        multipliers and memories inferred, pipeline registers in the fabric)
        or ``"ecp5"`` (Lattice MULT18X18D and DP16KD instantiated with their
        own registers, for Fmax).  Same ports, latency and output words.
    drain_after : int
        Idle input cycles at a frame boundary after which the core drains the
        frames still in flight (their outputs would otherwise wait for the
        next frame's samples).  While draining, ``ready`` is low.
    name : str
        Module and file name of the generated core.
    runtime_n : int, optional
        Run-time transform length (``--runtime-n NMIN``): the smallest size
        a frame may select, a power of two in [8, n]; ``n`` is then NMAX.  A
        ``log2n`` input port, sampled with each frame's first transfer,
        selects N = 2**log2n for that frame (clamped to [log2 NMIN, log2
        NMAX]); the frame is the last log2 N stages of the NMAX pipeline (the
        first stages pass it through as delays), so every size has the same
        latency (:attr:`latency_by_n`) and sizes may change back to back with
        no stall.  One lane; not with ``scaling="bfp"``; targets ``generic``
        and ``ecp5``.  ``None`` (default): fixed size ``n``.
    """
    n: int = 1024             # width, twiddle_width: CoreConfig's
    arch: str = "r22sdf"
    direction: str = "forward"
    scaling: str = "scaled"
    schedule: Optional[tuple] = None
    rounding: str = "convergent"
    overflow: str = "saturate"
    order: str = "natural"
    cmul: int = 4
    lanes: int = 1
    drain_after: int = 16
    name: str = "fft"
    target: str = "generic"
    runtime_n: Optional[int] = None
    cycles_per_sample: int = 1

    OPTIONS = (("arch", ARCHS), ("direction", DIRECTIONS), ("scaling", SCALINGS), ("rounding", ROUNDINGS),
               ("overflow", OVERFLOWS), ("order", ORDERS), ("cmul", CMULS))
    TUPLE_FIELDS = ("schedule",)
    OPTIONAL_FIELDS = ("runtime_n",)

    def _validate(self):
        if self.scaling == "bfp":
            self._validate_bfp()
        if self.runtime_n is not None:
            self._validate_runtime_n()
        _check_int("cycles_per_sample", self.cycles_per_sample, *CYCLES_PER_SAMPLE_RANGE)
        if self.cycles_per_sample > 1:        # (the time-shared multipliers: hdl/cmul.py)
            for bad, msg in ((self.lanes != 1, f"lanes must be 1, got {self.lanes}"),
                             (self.cmul != 4, f"cmul must be 4, got {self.cmul}"),
                             (self.bfp, "scaling must be 'scaled' or 'unscaled', got 'bfp'"),
                             (self.runtime_n is not None, f"runtime_n must be unset, got {self.runtime_n}")):
                if bad:
                    raise ConfigError(f"{msg} (cycles_per_sample > 1 time-shares the multipliers)")
        if self.schedule is not None:
            if self.scaling != "scaled":
                raise ConfigError("schedule is only allowed with scaling='scaled'")
            sched = tuple(self.schedule)
            if len(sched) != self.stages:
                raise ConfigError(f"schedule must have log2(n) = {self.stages} entries, got {len(sched)}")
            for i, s in enumerate(sched):
                _check_int(f"schedule[{i}]", s, *SHIFT_RANGE)
            object.__setattr__(self, "schedule", sched)

    def _validate_bfp(self):
        """The options block floating point supports (one line each, naming
        the option and what is allowed)."""
        if self.schedule is not None:
            raise ConfigError("schedule is not allowed with scaling='bfp' (its fixed schedule comes from the "
                              "range analysis); leave schedule unset")
        if self.order != "natural":
            raise ConfigError(f"order must be 'natural' with scaling='bfp' (the read-out shifter sits on the "
                              f"reorder buffer), got {self.order!r}")
        if self.lanes != 1:
            raise ConfigError(f"lanes must be 1 with scaling='bfp', got {self.lanes}")
        if self.overflow != "saturate":
            raise ConfigError(f"overflow must be 'saturate' (the default) with scaling='bfp': nothing can "
                              f"overflow (widths from the range analysis), got {self.overflow!r}")
        if self.target not in ("generic", "ecp5"):
            raise ConfigError(f"target must be 'generic' or 'ecp5' with scaling='bfp', got {self.target!r}")
        widest = max(p.width_out for p in _bfp_plan(self)) + self.twiddle_width + 2
        if widest > 62:
            raise ConfigError(f"width + twiddle_width too large for scaling='bfp': its widest product needs "
                              f"{widest} bits, at most 62 are allowed")

    def _validate_runtime_n(self):
        """Run-time transform length: NMIN and the options it combines with
        (one line each, naming the option)."""
        v = self.runtime_n
        if isinstance(v, bool) or not isinstance(v, int) or not _is_pow2(v) or not N_RANGE[0] <= v <= self.n:
            raise ConfigError(f"runtime_n (--runtime-n) must be a power of two in [{N_RANGE[0]}, n = {self.n}], "
                              f"got {v!r}")
        if self.lanes != 1:
            raise ConfigError(f"lanes must be 1 with runtime_n (--runtime-n), got {self.lanes}")
        if self.scaling == "bfp":
            raise ConfigError("scaling must be 'scaled' or 'unscaled' with runtime_n (--runtime-n), got 'bfp'")
        if self.target not in ("generic", "ecp5"):
            raise ConfigError(f"target must be 'generic' or 'ecp5' with runtime_n (--runtime-n), "
                              f"got {self.target!r}")

    # ------------------------------------------------------------------ basics
    @property
    def log2n_range(self) -> tuple:
        """``(log2 NMIN, log2 NMAX)`` of a run-time-length core (``runtime_n``
        set), else ``(log2 n, log2 n)``."""
        return ((self.runtime_n or self.n).bit_length() - 1, self.log2n)

    @property
    def sizes(self) -> tuple:
        """The transform sizes a frame may have: NMIN, 2 NMIN, ..., NMAX
        (``runtime_n`` set), else ``(n,)``."""
        lo, hi = self.log2n_range
        return tuple(1 << k for k in range(lo, hi + 1))

    @property
    def size_port_width(self) -> int:
        """Bits of the ``log2n`` input port (``runtime_n`` set): log2 NMAX
        fits; larger values clamp to log2 NMAX, smaller to log2 NMIN."""
        return self.log2n.bit_length()

    def clamp_log2n(self, log2n):
        """The size (log2) a frame gets for the ``log2n`` port value(s)
        ``log2n``: clamped to :attr:`log2n_range` (the RTL does the same)."""
        lo, hi = self.log2n_range
        return np.clip(np.asarray(log2n, dtype=np.int64), lo, hi)

    @property
    def latency_by_n(self) -> dict:
        """``{N: latency_cycles}`` for each size of :attr:`sizes`: cycles from
        a frame's first accepted input to its first output, into an empty
        pipeline.  A smaller frame passes the NMAX pipeline's first stages
        as their delays and the reorder buffer reads every frame NMAX + 2
        slots after its first word, so every size has the latency of the
        plan (:attr:`latency_cycles`, the one formula)."""
        return {N: self.latency_cycles for N in self.sizes}

    def at_size(self, n: int) -> "FFTConfig":
        """The ordinary ``n``-point core a run-time-length core's frames of
        size ``n`` compare with: same options, fixed size, the last log2 n
        shifts of the schedule.  Its words equal the frames' words for
        ``r2sdf``, and for ``r22sdf`` when log2 n and log2 NMAX have the
        same parity (:func:`fftforge.pyref.fft.tail_parts`); its noise model
        bounds them all."""
        k = n.bit_length() - 1
        sched = tuple(self.shifts[self.stages - k:]) if self.scaling == "scaled" else None
        return self.replace(n=n, runtime_n=None, schedule=sched)

    @property
    def scale_log2_by_n(self) -> dict:
        """``{N: scale_log2 of a frame of size N}``: the shifts of the last
        log2 N stages, the ones a frame of that size uses (output ~=
        DFT(x) / 2**scale for each frame)."""
        return {N: self.at_size(N).scale_log2 for N in self.sizes}

    @property
    def stages(self) -> int:
        """Number of radix-2 butterfly stages, log2 N."""
        return self.log2n

    @property
    def shifts(self) -> tuple:
        """Right shift after each butterfly stage, in pipeline order."""
        if self.scaling == "unscaled":
            return (0,) * self.stages
        if self.scaling == "bfp":
            return _bfp_schedule(self)
        return self.schedule if self.schedule is not None else (1,) * self.stages

    @property
    def scale_log2(self) -> int:
        """Output ~= DFT(x) / 2**scale_log2 (inverse: unnormalised iDFT / 2**scale_log2).
        ``bfp``: 0 (the per-frame ``exponent`` field carries the scale:
        DFT(x) ~= output * 2**exponent)."""
        if self.scaling == "bfp":
            return 0
        return sum(self.shifts)

    @property
    def bfp(self) -> bool:
        """Block floating point (``scaling="bfp"``)."""
        return self.scaling == "bfp"

    @property
    def bfp_fixed_shift(self) -> int:
        """``bfp``: K, the total right shift of the fixed schedule
        (:attr:`shifts`); the exponent of a frame is ``K - h + r`` (h: the
        input left shift, r: the read-out right shift)."""
        return sum(self.shifts)

    @property
    def max_exponent(self) -> int:
        """``bfp``: the largest block exponent, K plus the read-out
        shifter's largest shift (h = 0); 0 for the fixed scalings."""
        if not self.bfp:
            return 0
        plan = self.plan()
        out = plan[-1]
        return self.bfp_fixed_shift + max(0, out.width_in - out.width_out)

    @property
    def exponent_width(self) -> int:
        """``bfp``: bits of the unsigned ``exponent`` output field; 0 for
        the fixed scalings (no such field)."""
        return max(1, self.max_exponent.bit_length()) if self.bfp else 0

    @property
    def internal_width(self) -> int:
        """Width of stage 0 (input width plus the guard bit; ``bfp``: the
        input width, the range analysis sizes every stage)."""
        if self.scaling == "bfp":
            return self.width
        return self.width + 1

    def stage_width(self, s: int) -> int:
        """Data width leaving butterfly stage ``s`` (0-based)."""
        if self.scaling == "bfp":
            return [p for p in self.plan() if p.kind in ("bf2", "bf2ii")][s].width_out
        if self.scaling == "scaled":
            return self.internal_width
        return self.internal_width + s + 1

    @property
    def output_width(self) -> int:
        """Width of the output ``re``/``im`` fields (``bfp``: ``width + 2``,
        :data:`BFP_GUARD_BITS`)."""
        if self.scaling == "bfp":
            return self.width + BFP_GUARD_BITS
        return self.stage_width(self.stages - 1)

    @property
    def widths(self) -> dict:
        """Every width of the datapath: ``{input, output, twiddle, internal,
        stages: [width leaving each butterfly stage]}`` (the descriptor's
        ``widths``)."""
        return {"input": self.width, "output": self.output_width, "twiddle": self.twiddle_width,
                "internal": self.internal_width, "stages": [self.stage_width(s) for s in range(self.stages)]}

    # ------------------------------------------------------------------- plan
    def plan(self) -> tuple:
        """The pipeline as an ordered tuple of :class:`Part`.

        ``r2sdf``: input, then for each stage s: bf2(D=N/2^(s+1)) followed by
        a twiddle part (pattern ``r2``, period 2D) except after the last stage.
        ``r22sdf``: input, then per pair: bf2(D) -> bf2ii(D/2) -> twiddle
        (pattern ``r22``, period 4*(D/2)), a lone bf2 last when log2 N is odd.
        Natural order appends the reorder buffer.

        ``bfp``: :func:`bfp_analyse` of the schedule :func:`late_schedule`
        picks: ``input``, ``normalize`` (the N-word input frame buffer,
        latency N + :data:`BFP_NORMALIZE_LATENCY_EXTRA`), the butterflies
        and twiddle parts with the analysed widths (``may_overflow`` False
        everywhere), ``reorder``, ``bfp_out`` (the read-out shifter, latency
        :data:`BFP_OUT_LATENCY`).
        """
        if self.scaling == "bfp":
            return _bfp_plan(self)
        parts = []
        offset = 0
        w = self.internal_width

        P = self.lanes

        def bf_latency(d, kind="bf2"):
            return ((d // P if d >= P else 0) + BUTTERFLY_LATENCY_EXTRA
                    + (BF2II_ROTATE_LATENCY if kind == "bf2ii" else 0))

        # Range analysis: upper bounds of the magnitude |re + j im| (mag) and
        # of each component (comp) of every value, in LSBs of the current
        # width.  A butterfly gives |a +- b| <= 2 mag (and 2 comp per
        # component), then divides by 2**shift; a twiddle multiplies the
        # magnitude by at most w_max (the quantised table's largest |W|), a
        # component by at most min(mag w_max, comp l1_max) (l1_max: largest
        # |c| + |s|); each rounding moves a component by less than one LSB.
        # A part whose component bound stays within its output range cannot
        # overflow; after a part that can, the bounds are the output range's
        # (clipped or wrapped values are representable).
        mag = math.sqrt(2.0) * 2 ** (self.width - 1)
        comp = 2.0 ** (self.width - 1)

        def add(**kw):
            nonlocal offset, mag, comp
            comp_in = comp
            kind = kw["kind"]
            w_out = kw["width_out"]
            if kind in ("bf2", "bf2ii"):
                r = 1.0 if kw["shift"] else 0.0
                mag = 2 * mag / 2 ** kw["shift"] + math.sqrt(2.0) * r
                comp = 2 * comp / 2 ** kw["shift"] + r
            elif kind == "twiddle":
                w_max, l1_max = self.twiddle_max_magnitude(kw["period"])
                comp = min(mag * w_max, comp * l1_max) + 1.0
                mag = mag * w_max + math.sqrt(2.0)
            comp = min(comp, mag)
            limit = 2 ** (w_out - 1) - 1
            may_overflow = kind in ("bf2", "bf2ii", "twiddle") and math.ceil(comp) > limit
            if may_overflow:
                comp = 2.0 ** (w_out - 1)
                mag = math.sqrt(2.0) * comp
            p = Part(offset=offset, lanes=P, bound=comp, may_overflow=may_overflow, bound_in=comp_in, **kw)
            if kind == "twiddle":      # its multiplier's latency follows the operand widths
                reg = P >= PRODUCT_REGISTER_MIN_LANES and self.cycles_per_sample == 1
                p = dataclasses.replace(p, product_register=reg,
                                        latency=twiddle_latency(p.rotated_width, self.twiddle_width, self.cmul,
                                                                self.cycles_per_sample, product_register=reg))
            parts.append(p)
            offset += p.latency
            return p

        add(kind="input", latency=INPUT_LATENCY, width_in=self.width, width_out=w)
        shifts = self.shifts
        k = self.stages
        s = 0
        while s < k:
            d = self.n >> (s + 1)
            if self.arch == "r22sdf" and s + 1 < k:
                w1 = self.stage_width(s)
                add(kind="bf2", delay=d, period=2 * d, latency=bf_latency(d),
                    width_in=w, width_out=w1, shift=shifts[s], index=s)
                w2 = self.stage_width(s + 1)
                add(kind="bf2ii", delay=d // 2, period=2 * d, latency=bf_latency(d // 2, "bf2ii"),
                    width_in=w1, width_out=w2, shift=shifts[s + 1], index=s + 1)
                w = w2
                if s + 2 < k:
                    add(kind="twiddle", period=2 * d, pattern="r22", latency=0,
                        width_in=w, width_out=w, index=s + 1)
                s += 2
            else:
                w1 = self.stage_width(s)
                add(kind="bf2", delay=d, period=2 * d, latency=bf_latency(d),
                    width_in=w, width_out=w1, shift=shifts[s], index=s)
                w = w1
                if s + 1 < k:
                    add(kind="twiddle", period=2 * d, pattern="r2", latency=0,
                        width_in=w, width_out=w, index=s)
                s += 1
        if self.order == "natural":
            staged = P >= STAGED_CROSSBAR_MIN_LANES and self.cycles_per_sample == 1
            add(kind="reorder", period=self.n, latency=reorder_latency(self.n, P, staged),
                width_in=w, width_out=w, staged_crossbar=staged)
        return tuple(parts)

    def twiddle_max_magnitude(self, period: int) -> tuple:
        """``(largest |W|, largest |re W| + |im W|)`` of a twiddle part's
        quantised table, in units of 1 (exact rotations included: |W| = 1)."""
        from fftforge.pyref.twiddle import quarter_table
        c, s = quarter_table(period, self.twiddle_width)
        c, s = np.abs(c.astype(float)), np.abs(s.astype(float))
        one = 2.0 ** (self.twiddle_width - 1)
        return max(float(np.sqrt(c ** 2 + s ** 2).max()) / one, 1.0), max(float((c + s).max()) / one, 1.0)

    @property
    def pipeline_latency(self) -> int:
        """Slots from accepting a sample to its result at the pipeline output,
        the sum of the part latencies of :meth:`plan`:

        ``1 + sum(D_s + 2 over butterflies) + 1 per BF2II + twiddle parts
        (7 each when their operands fit 18 bits, :func:`twiddle_latency`)
        + (N + 2 if natural order)``; with P lanes a butterfly takes
        ``D_s/P + 2`` (``2`` when D_s < P), the reorder ``N/P + 2`` (+ log2 P from
        :data:`STAGED_CROSSBAR_MIN_LANES` lanes: :func:`reorder_latency`).  All in
        cycles of one group of P samples.  ``latency_cycles`` adds the stream
        shell's 2 (the registered clock enable, the output FIFO:
        :func:`shell_latency`).
        """
        return sum(p.latency for p in self.plan())

    # -------------------------------------------------------------- resources
    @property
    def twiddle_parts(self) -> int:
        """Number of non-trivial twiddle multipliers (complex)."""
        return sum(1 for p in self.plan() if p.kind == "twiddle")

    def multiplier_lanes(self, part: Part) -> int:
        """Lanes of a twiddle part that need a multiplier (and a ROM): those
        with at least one phase that is not an exact rotation."""
        from fftforge.pyref.twiddle import phase_factors
        _, _, triv = phase_factors(part.period, part.pattern, self.twiddle_width)
        j = (np.arange(max(part.period // self.lanes, 1))[:, None] * self.lanes
             + np.arange(self.lanes)[None, :]) % part.period
        return int((~triv[j]).any(axis=0).sum())

    @property
    def complex_multipliers(self) -> int:
        """Complex multipliers in the RTL: one per lane of each twiddle part,
        except lanes whose twiddles are all exact rotations."""
        return sum(self.multiplier_lanes(p) for p in self.plan() if p.kind == "twiddle")

    @property
    def real_multipliers(self) -> int:
        return self.cmul * self.complex_multipliers

    @property
    def feedback_words(self) -> int:
        """Words of butterfly feedback memory: N - 1 for one lane, N - P for
        P lanes (the butterflies across lanes need none)."""
        return sum(p.delay for p in self.plan() if p.kind in ("bf2", "bf2ii") and not p.spatial)

    @property
    def flag_bits(self) -> int:
        """Tag bits that travel with every data word (overflow, and direction
        for runtime cores)."""
        return 1 + (self.direction == "runtime") + (self.runtime_n is not None)   # + the frame-end tag

    def resources(self) -> dict:
        """Architectural resource counts (not synthesis results)."""
        plan = self.plan()
        fb_bits = sum(p.delay * (2 * max(p.width_in, p.width_out) + self.flag_bits)
                      for p in plan if p.kind in ("bf2", "bf2ii") and not p.spatial)
        rom_bits = sum(max(p.period // 4, 1) * 2 * self.twiddle_width * self.multiplier_lanes(p)
                       for p in plan if p.kind == "twiddle" and p.period > 4)
        # P = 1: one N-word buffer used in place; P > 1 (and run-time length): double-buffered banks
        reorder_words = ((self.n if self.lanes == 1 and self.runtime_n is None else 2 * self.n)
                         if self.order == "natural" else 0)
        reorder_bits = reorder_words * (2 * self.output_width + self.flag_bits)
        if self.bfp:
            reorder_bits = reorder_words * (2 * [p for p in plan if p.kind == "reorder"][0].width_in
                                            + self.flag_bits)
        out = {
            "lanes": self.lanes,
            "complex_multipliers": self.complex_multipliers,
            "real_multipliers": self.real_multipliers,
            "butterflies": sum(1 for p in plan if p.kind in ("bf2", "bf2ii")),
            "feedback_words": self.feedback_words,
            "feedback_bits": fb_bits,
            "twiddle_rom_bits": rom_bits,
            "reorder_words": reorder_words,
            "reorder_bits": reorder_bits,
        }
        if self.bfp:
            frame = [p for p in plan if p.kind == "normalize"]
            out["frame_buffer_words"] = self.n * len(frame)
            out["frame_buffer_bits"] = sum(self.n * (2 * p.width_in + self.flag_bits) for p in frame)
        return out

    # ------------------------------------------------------- (de)serialisation
    def to_dict(self) -> dict:
        """:meth:`CoreConfig.to_dict`, with the shift schedule written out
        (``None`` unscaled)."""
        d = super().to_dict()
        d["schedule"] = list(self.shifts) if self.scaling == "scaled" else None
        return d
