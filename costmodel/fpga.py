"""FPGA model of fftforge FFT cores.

Latency, cycles per frame and architectural resources come from
:class:`fftforge.config.FFTConfig` (the generator's single source of truth):
this module never re-derives them.  It adds what the generator cannot know:

* DSP blocks per real multiplier (from the part's native multiplier width),
* a LUT estimate and the clock (Fmax), from the calibration table
  ``tables/fpga_calibration.toml`` (regenerated from synthesis sweeps by
  ``fftforge synth --calibrate``; a core with a measured row uses its own
  measured LUTs and Fmax),
* energy per frame from per-operation counts.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from fftforge.config import FFTConfig, ConfigError
from fftforge.errors import UserError

__all__ = ["CoreModel", "core_model", "fft_model", "ChainModel", "chain_model", "load_calibration",
           "dsps_per_multiplier", "lut_features", "measured_row", "chain_config",
           "POINTWISE_LUTS_PER_MULTIPLIER", "clear_model_caches"]


def load_calibration(path: str | None = None) -> dict:
    """Load the FPGA calibration table (schema in the file's header).

    Returns ``{family: {"status", "source", "fmax_mhz": {arch: MHz},
    "gemm_fmax_mhz", "luts_base", "luts_per_butterfly_bit",
    "luts_per_cmul_bit", "luts_per_mem_kbit"}}``.
    """
    if path is None:
        path = str(resources.files("fftforge.costmodel").joinpath("tables", "fpga_calibration.toml"))
    try:
        with open(path, "rb") as f:
            d = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise UserError(f"malformed TOML in {path}: {e}") from None
    need = ("status", "source", "fmax_mhz", "gemm_fmax_mhz", "luts_base",
            "luts_per_butterfly_bit", "luts_per_cmul_bit", "luts_per_mem_kbit")
    for fam, t in d.items():
        for k in need:
            if k not in t:
                raise UserError(f"{path}: [{fam}] is missing '{k}'")
    return d


@lru_cache(maxsize=None)
def _calibration():
    return load_calibration()


def calibration_for(family: str) -> dict:
    cal = _calibration()
    if family not in cal:
        raise UserError(f"no FPGA calibration for family {family!r}; have {', '.join(cal)}")
    return cal[family]


def dsps_per_multiplier(a_bits: int, b_bits: int, dsp_a: int, dsp_b: int) -> int:
    """DSP blocks for one ``a_bits x b_bits`` signed multiplier built from
    ``dsp_a x dsp_b`` blocks (tiling, both orientations tried)."""
    t1 = math.ceil(a_bits / dsp_a) * math.ceil(b_bits / dsp_b)
    t2 = math.ceil(a_bits / dsp_b) * math.ceil(b_bits / dsp_a)
    return min(t1, t2)


@dataclass(frozen=True)
class CoreModel:
    """Cost facts of one fftforge core on one FPGA family.

    Attributes
    ----------
    config : FFTConfig
    lanes : int
        Samples per clock asked for.
    lanes_modelled : bool
        True when FFTConfig does not support ``lanes`` yet and the
        throughput is multiplied by ``lanes`` here (a model, not the RTL).
    latency_cycles : int
        ``FFTConfig.latency_cycles``.
    cycles_per_frame : int
        ``n / lanes``.
    dsps, memory_bits, luts : int
        Resources of one core (``lanes`` copies when modelled).
    fmax_hz : float
    adds_per_frame, mults_per_frame : int
        Real additions and multiplications per frame (all cores).
    memory_bit_accesses_per_frame : int
        Delay-line, twiddle-ROM and reorder bits read or written per frame.
    calibration_status : str
        The family's calibration status (``measured`` / ``estimate``).
    measured : bool
        The LUTs and Fmax are this very core's measured row
        (:func:`measured_row`), not the family's fit.
    """
    config: FFTConfig
    lanes: int
    lanes_modelled: bool
    latency_cycles: int
    cycles_per_frame: int
    dsps: int
    memory_bits: int
    luts: int
    fmax_hz: float
    adds_per_frame: int
    mults_per_frame: int
    memory_bit_accesses_per_frame: int
    calibration_status: str
    measured: bool = False


def lut_features(cfg: FFTConfig) -> dict:
    """The quantities the LUT estimate is linear in (also the regressors of
    the calibration fit in :mod:`fftforge.fpga.calibrate`): butterfly output
    bits (every lane has its own butterfly adders), twiddle-multiplier output
    bits (one multiplier per lane that sees a non-trivial twiddle) and memory
    kbit of one core."""
    res = cfg.resources()
    plan = cfg.plan()
    return {"butterfly_bits": cfg.lanes * sum(2 * p.width_out for p in plan if p.kind in ("bf2", "bf2ii")),
            "cmul_bits": sum(2 * p.width_out * cfg.multiplier_lanes(p) for p in plan if p.kind == "twiddle"),
            "mem_kbit": (res["feedback_bits"] + res["twiddle_rom_bits"] + res["reorder_bits"]) / 1024}


def measured_row(family: str, cfg: FFTConfig):
    """The calibration table's newest measured row for exactly this core (n,
    arch, width, twiddle_width, order, cmul, lanes, runtime_n), or None.

    A core synthesised again (after a datapath change, say) has several
    rows; the newest wins: the latest ``measured_on`` of the row itself if
    rows carry one, and among equal dates the one written last (the
    calibration writer appends builds in the order they ran)."""
    cal = calibration_for(family)
    best, best_key = None, None
    for i, row in enumerate(cal.get("measured", ())):
        if (row.get("n") == cfg.n and row.get("arch") == cfg.arch and row.get("width") == cfg.width
                and row.get("twiddle_width", 18) == cfg.twiddle_width
                and row.get("order", "natural") == cfg.order and row.get("cmul", 4) == cfg.cmul
                and row.get("lanes", 1) == cfg.lanes and row.get("runtime_n") == cfg.runtime_n):
            key = (str(row.get("measured_on", "")), i)
            if best_key is None or key >= best_key:
                best, best_key = row, key
    return best


def chain_config(chain: str, n: int, width: int, arch: str, cmul: int, lanes: int, real_pairs: bool):
    """The generator's configuration of a streaming chain (``fftnet`` ->
    :class:`FFTNetConfig`, ``fftconv`` -> :class:`FilterConfig`), or None for
    other chains.  Lanes the generator does not build fall back to one lane
    (the caller multiplies throughput, as for single cores)."""
    from fftforge.filter_config import FFTNetConfig, FilterConfig
    cls = {"fftnet": FFTNetConfig, "fftconv": FilterConfig}.get(chain)
    if cls is None:
        return None
    kw = dict(n=int(n), width=width, arch=arch, cmul=cmul, real_pairs=bool(real_pairs))
    try:
        return cls(lanes=lanes, **kw)
    except ConfigError as e:
        if "lanes" not in str(e):
            raise
        return cls(lanes=1, **kw)


def clear_model_caches():
    """Forget every cached core and chain model (after the calibration
    changes: :func:`fftforge.fpga.calibrate.calibrate`, tests)."""
    core_model.cache_clear()
    fft_model.cache_clear()
    chain_model.cache_clear()


@lru_cache(maxsize=4096)
def core_model(n: int, family: str, dsp_a: int, dsp_b: int, width: int = 16,
               arch: str = "r22sdf", order: str = "natural", cmul: int = 4,
               lanes: int = 1, twiddle_width: int = 18, runtime_n: int | None = None,
               nmax: int | None = None) -> CoreModel:
    """Build the :class:`CoreModel` of an fftforge core for ``n``-point frames.

    ``runtime_n`` (NMIN) with ``nmax``: the frames run on one run-time-length
    core built for NMAX (``fftforge generate --n NMAX --runtime-n NMIN``):
    its resources and clock whatever ``n`` is, the latency of its
    ``latency_by_n[n]`` and ``n`` cycles per frame.

    Raises
    ------
    fftforge.config.ConfigError
        ``n``, ``width``, ``arch`` ... out of the generator's range (the
        message names the parameter).
    """
    if runtime_n is not None:
        cfg = FFTConfig(n=nmax, width=width, arch=arch, order=order, cmul=cmul, twiddle_width=twiddle_width,
                        runtime_n=runtime_n, lanes=lanes)
        if n not in cfg.latency_by_n:
            raise ConfigError(f"frame size {n} is outside the run-time-length core's "
                              f"{cfg.runtime_n} .. {cfg.n} (--runtime-n NMIN, --nmax NMAX)")
        return fft_model(cfg, family, dsp_a, dsp_b, frame_n=n)
    kw = dict(n=n, width=width, arch=arch, order=order, cmul=cmul, twiddle_width=twiddle_width)
    try:
        cfg = FFTConfig(lanes=lanes, **kw)
        modelled = False
    except ConfigError as e:
        if "lanes" not in str(e):
            raise
        cfg = FFTConfig(lanes=1, **kw)
        modelled = True
    return fft_model(cfg, family, dsp_a, dsp_b, lanes=lanes)


@lru_cache(maxsize=4096)
def fft_model(cfg: FFTConfig, family: str, dsp_a: int, dsp_b: int, lanes: int | None = None,
              frame_n: int | None = None) -> CoreModel:
    """The :class:`CoreModel` of the FFT core ``cfg`` (any direction,
    scaling, width: e.g. a chain's inverse FFT).  ``lanes``: samples per
    clock asked for; more than ``cfg.lanes`` means ``lanes`` copies of the
    core (lanes the generator does not build, modelled).  ``frame_n``: the
    frame size of a run-time-length core (``cfg.runtime_n`` set; default
    ``cfg.n``): its frames take ``frame_n`` cycles, the latency of
    ``cfg.latency_by_n``, and the pipeline's per-cycle operations and memory
    accesses (every stage moves each cycle, used or passed) for
    ``frame_n`` cycles."""
    frame_n = cfg.n if frame_n is None else frame_n
    if frame_n != cfg.n and cfg.runtime_n is None:
        raise ValueError(f"frame_n {frame_n} differs from n {cfg.n} on a fixed-size core")
    lanes = cfg.lanes if lanes is None else lanes
    modelled = lanes != cfg.lanes
    copies = lanes if modelled else 1
    n, arch, cmul, twiddle_width = cfg.n, cfg.arch, cfg.cmul, cfg.twiddle_width
    res = cfg.resources()
    plan = cfg.plan()
    cal = calibration_for(family)
    dpm = dsps_per_multiplier(max(p.width_in for p in plan), twiddle_width, dsp_a, dsp_b)
    dsps = res["real_multipliers"] * dpm
    mem_bits = res["feedback_bits"] + res["twiddle_rom_bits"] + res["reorder_bits"]
    feat = lut_features(cfg)
    luts = (cal["luts_base"] + cal["luts_per_butterfly_bit"] * feat["butterfly_bits"]
            + cal["luts_per_cmul_bit"] * feat["cmul_bits"] + cal["luts_per_mem_kbit"] * feat["mem_kbit"])
    fmax_mhz = float(cal["fmax_mhz"][arch])
    row = None if modelled else measured_row(family, cfg)
    if row is not None:     # a synthesised core: its own measured figures replace the fit
        if row.get("luts") is not None:
            luts = float(row["luts"])
        if row.get("fmax_mhz") is not None:
            fmax_mhz = float(row["fmax_mhz"])
    # per-frame operation counts: each SDF butterfly stage does n/2 radix-2
    # butterflies (2 complex adds = 4 real adds); each physical complex
    # multiplier does n/lanes complex multiplies (cmul real mults, 2 or 5
    # real adds)
    n_bf = res["butterflies"]
    per_mult = n // cfg.lanes
    adds = n_bf * (n // 2) * 4 + res["complex_multipliers"] * per_mult * (2 if cmul == 4 else 5)
    mults = res["complex_multipliers"] * per_mult * cmul
    # every cycle each delay line is read and written once; ROM read once per
    # sample per twiddle part; the reorder buffer written and read once
    acc = sum(2 * n * 2 * max(p.width_in, p.width_out) for p in plan if p.kind in ("bf2", "bf2ii"))
    acc += res["complex_multipliers"] * per_mult * 2 * twiddle_width
    acc += sum(2 * n * 2 * p.width_in for p in plan if p.kind == "reorder")
    if frame_n != n:        # a run-time-length core: the NMAX pipeline's activity for frame_n cycles
        adds, mults, acc = (x * frame_n // n for x in (adds, mults, acc))
    return CoreModel(
        config=cfg, lanes=lanes, lanes_modelled=modelled,
        latency_cycles=cfg.latency_by_n[frame_n] if cfg.runtime_n is not None else cfg.latency_cycles,
        cycles_per_frame=max(frame_n // lanes, 1),
        dsps=dsps * copies, memory_bits=mem_bits * copies, luts=int(round(luts * copies)),
        fmax_hz=fmax_mhz * 1e6,
        adds_per_frame=adds, mults_per_frame=mults,
        memory_bit_accesses_per_frame=acc,
        calibration_status=cal["status"], measured=row is not None)


#: LUTs per real multiplier between a chain's two FFTs (operand registers,
#: rounding and saturation around the DSP block): an estimate, no
#: calibration row measures it.
POINTWISE_LUTS_PER_MULTIPLIER = 40


@dataclass(frozen=True)
class ChainModel:
    """Resources of one streaming chain core (:class:`FilterConfig` /
    :class:`FFTNetConfig`: forward FFT -> per-bin multiply [-> modReLU] ->
    inverse FFT) on one FPGA family, read from its configuration.

    Attributes
    ----------
    config : FilterConfig
    forward, inverse : CoreModel
        The two FFT cores (:attr:`FilterConfig.fft_forward` /
        :attr:`~FilterConfig.fft_inverse`), each with its calibrated LUTs.
    copies : int
        Copies of the core for lanes the generator does not build.
    dsps, memory_bits, luts : int
        The whole chain: both FFTs, the per-bin multipliers and modReLUs
        (:meth:`FilterConfig.pointwise_multipliers`, DSP blocks by operand
        width), the weight and bias memories and the pairing buffer
        (:attr:`FilterConfig.pointwise_memory_bits`); LUTs of the
        multipliers between the FFTs: :data:`POINTWISE_LUTS_PER_MULTIPLIER`.
    latency_cycles : int
        ``FilterConfig.latency_cycles``.
    """
    config: object
    forward: CoreModel
    inverse: CoreModel
    copies: int
    dsps: int
    memory_bits: int
    luts: int
    latency_cycles: int


@lru_cache(maxsize=4096)
def chain_model(cfg, family: str, dsp_a: int, dsp_b: int, lanes: int | None = None) -> ChainModel:
    """The :class:`ChainModel` of chain configuration ``cfg``
    (:func:`chain_config`); ``lanes`` as for :func:`fft_model`."""
    lanes = cfg.lanes if lanes is None else lanes
    copies = lanes if lanes != cfg.lanes else 1
    fwd = fft_model(cfg.fft_forward, family, dsp_a, dsp_b)
    inv = fft_model(cfg.fft_inverse, family, dsp_a, dsp_b)
    mults = cfg.pointwise_multipliers()
    dsps = fwd.dsps + inv.dsps + sum(k * dsps_per_multiplier(a, b, dsp_a, dsp_b) for k, a, b in mults)
    mem = fwd.memory_bits + inv.memory_bits + cfg.pointwise_memory_bits
    luts = fwd.luts + inv.luts + POINTWISE_LUTS_PER_MULTIPLIER * sum(k for k, _, _ in mults)
    return ChainModel(config=cfg, forward=fwd, inverse=inv, copies=copies, dsps=dsps * copies,
                      memory_bits=mem * copies, luts=luts * copies, latency_cycles=cfg.latency_cycles)
