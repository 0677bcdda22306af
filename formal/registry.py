"""The property sets ``fftforge prove`` runs.

Each :class:`PropertySet` names a harness and one or more checks (a
k-induction proof, a cover run); :func:`run_set` runs them and returns one
:class:`~.runner.SbyResult` per check.  A set passes when every check passes.

Families
--------
``fixed``      rounding/saturation stage vs its spec, every stage width of the
               N=16, 16-bit cores (both architectures, scaled and unscaled),
               both roundings, both overflow modes, plus extra shifts.
``butterfly``  the radix-2 butterfly (with and without -j) vs its spec.
``cmul``       the pipelined complex multiplier (forms 4 and 3) vs the exact
               product CMUL_LATENCY cycles earlier: form 4 at 4x4, 16x18 and every width
               of the 16-bit cores; form 3 at 4x4 (see the README).
``control``    PipelineControl alone: slot validity, conservation, frames.
``core``       whole FFTCore, N = 8 and 16, r2sdf and r22sdf (and 2/4 lanes,
               runtime direction): stream contract, conservation, frame
               alignment, latency, covers.
``filter``     spectral filter and FFTNet cores (N = 8): the same; the
               overlap-save wrapper (framer + core + discarder); 2 lanes
               (plain, real pairs, overlap-save), counted in transfers.

The part families (``fixed`` .. ``cmul``) are built here; the whole-core
families come from each core kind's ``formal_ref`` in
:data:`fftforge.kinds.KINDS` (:func:`fft_sets`: ``control``, ``core``;
:func:`filter_sets`: ``filter``, shared by the filter and FFTNet kinds).
"""

from __future__ import annotations

import dataclasses
from typing import Callable

from amaranth.hdl import Elaboratable, Module

from fftforge.config import FFTConfig, cmul_latency
from fftforge.formal.runner import SbyResult, run_sby

__all__ = ["Check", "PropertySet", "registry", "get", "run_set", "proof_config", "overlap_save_config",
           "fft_sets", "filter_sets"]


@dataclasses.dataclass(frozen=True)
class Check:
    """One sby run: ``mode`` ('prove', 'bmc', 'cover'), ``depth``, the harness
    factory (``covers`` flag passed for cover runs), modules to cut and
    Yosys commands to run after ``prep`` (``script``)."""
    mode: str
    depth: int
    build: Callable[[], Elaboratable]
    cut: tuple = ()
    script: tuple = ()


@dataclasses.dataclass(frozen=True)
class PropertySet:
    """A named group of checks on one harness; ``slow`` sets are skipped by
    ``fftforge prove --fast`` and by ``make test``."""
    name: str
    family: str
    description: str
    checks: tuple
    slow: bool = False


class _Many(Elaboratable):
    """Several independent harnesses in one design (one sby run)."""

    def __init__(self, harnesses):
        self.harnesses = list(harnesses)

    def elaborate(self, platform):
        m = Module()
        for k, h in enumerate(self.harnesses):
            m.submodules[f"h{k}"] = h
        return m


def proof_config(arch: str, n: int, **kw) -> FFTConfig:
    """The core configuration the whole-core proofs use: 8-bit data and
    twiddles (the control properties do not depend on widths) and
    ``drain_after=2`` so that draining is reached in few cycles."""
    base = dict(n=n, width=8, twiddle_width=8, arch=arch, drain_after=2)
    base.update(kw)
    return FFTConfig(**base)


def overlap_save_config(**kw):
    """The overlap-save configuration the wrapper proofs use: N = 8, M = 3
    taps (history and discard of 2 samples, L = 6 new samples per frame),
    8-bit data, twiddles and weights, ``drain_after=2``, one lane unless
    ``lanes`` is given (``lanes=2``: 4 transfers per frame, history and
    discard 1 transfer, 3 new transfers per frame)."""
    from fftforge.filter_config import FilterConfig
    base = dict(n=8, taps=3, mode="overlap_save", width=8, twiddle_width=8, coef_width=8, drain_after=2)
    base.update(kw)
    return FilterConfig(**base)


def _fixed_cases():
    from fftforge.formal.parts import fixed_cases
    cfgs = [FFTConfig(n=16, width=16, arch=a, scaling=s) for a in ("r2sdf", "r22sdf")
            for s in ("scaled", "unscaled")]
    widths = set(fixed_cases(cfgs)) | {(12, 2, 9), (10, 3, 6), (9, 4, 4), (8, 1, 8)}
    return [(vw, s, w, r, o) for (vw, s, w) in sorted(widths)
            for r in ("truncate", "convergent") for o in ("saturate", "wrap")]


def _fixed_harness(**kw):
    from fftforge.formal.parts import FixedStageHarness
    return FixedStageHarness(_fixed_cases(), **kw)


def _bfly_harness(**kw):
    from fftforge.formal.parts import ButterflyHarness
    return _Many(ButterflyHarness(w, **kw) for w in (8, 17, 21))


def _range_harness():
    from fftforge.formal.parts import RangeHarness
    return RangeHarness([FFTConfig(n=1024, arch=a, scaling=s, rounding=r) for a in ("r2sdf", "r22sdf")
                         for s in ("scaled", "unscaled") for r in ("truncate", "convergent")])


def cmul_core_widths():
    """The distinct ``(width, twiddle_width)`` of every complex multiplier in
    the 16-bit cores (N = 16 .. 4096, both architectures, scaled and
    unscaled: 17..28 x 18 bits; the rotated sample is one bit wider only where the range analysis allows -2**(w-1)) and the 16x18 and 17x16 (spectral filter
    bin multiply) parts."""
    out = {(16, 18), (17, 16)}
    for n in (16, 64, 256, 1024, 4096):
        for arch in ("r2sdf", "r22sdf"):
            for scaling in ("scaled", "unscaled"):
                cfg = FFTConfig(n=n, width=16, arch=arch, scaling=scaling)
                out |= {(p.rotated_width, cfg.twiddle_width) for p in cfg.plan() if p.kind == "twiddle"}
    return sorted(out)


def _cmul_cores_harness():
    from fftforge.formal.parts import CmulHarness
    return _Many(CmulHarness(wa, ww, 4) for wa, ww in cmul_core_widths())


def _build_registry():
    from fftforge.formal.parts import CUT_PRODUCTS_SCRIPT, MERGE_SCRIPT, CmulHarness
    from fftforge.formal.streams import CoreHarness
    sets = [
        PropertySet("fixed.round_saturate", "fixed",
                    "rounding (truncate/convergent) + saturate/wrap stage vs remainder spec; "
                    "never wraps when saturating; overflow flag exactly when clipped",
                    (Check("prove", 1, _fixed_harness), Check("cover", 1, _fixed_harness))),
        PropertySet("butterfly", "butterfly",
                    "sum/diff = a +- b*(-j)^minus_j exactly, widths 8, 17, 21",
                    (Check("prove", 1, _bfly_harness),)),
        PropertySet("range.butterflies", "range",
                    "range analysis: butterflies the plan clears of overflow never clip (inputs within the "
                    "previous part's bound), outputs within their own bound; 16-bit N=1024 both archs, "
                    "scaled/unscaled, truncate/convergent",
                    (Check("prove", 1, _range_harness),)),
        PropertySet("cmul.form4.w4", "cmul",
                    "4-multiplier complex product, 4x4 bits, = exact product CMUL_LATENCY cycles earlier",
                    (Check("prove", 4, lambda: CmulHarness(4, 4, 4), script=MERGE_SCRIPT),)),
        PropertySet("cmul.form4.w16x18", "cmul",
                    "4-multiplier complex product, 16x18 bits, = exact product CMUL_LATENCY cycles earlier "
                    "(Yosys flatten+opt_merge share the part's products with the spec's)",
                    (Check("prove", 4, lambda: CmulHarness(16, 18, 4), script=MERGE_SCRIPT),)),
        PropertySet("cmul.form4.cores", "cmul",
                    "4-multiplier complex product at every width of the 16-bit cores' multipliers "
                    "(17..28 x 18, N=16..4096, both archs and scalings) and 17x16 (filter), = exact product "
                    "CMUL_LATENCY cycles earlier (flatten+opt_merge, then the shared products cut: any product values)",
                    (Check("prove", 4, _cmul_cores_harness, script=CUT_PRODUCTS_SCRIPT),), slow=True),
        PropertySet("cmul.form3.w4", "cmul",
                    "3-multiplier complex product, 4x4 bits, = exact product cmul_latency(4, 4, 3) cycles earlier "
                    "(k-induction depth latency + 1, as CmulHarness needs)",
                    (Check("prove", cmul_latency(4, 4, 3) + 1, lambda: CmulHarness(4, 4, 3), script=MERGE_SCRIPT),),
                    slow=True),
    ]
    # the whole-core sets of each core kind (fftforge.kinds); kinds sharing
    # one set function get its sets once
    from fftforge.kinds import KINDS
    done = []
    for kind in KINDS.values():
        if kind.formal_ref is not None and kind.formal_ref not in done:
            done.append(kind.formal_ref)
            sets.extend(kind.formal()(CoreHarness))
    return {s.name: s for s in sets}


def fft_sets(CoreHarness):
    """The FFT kind: its pipeline control alone and the whole FFTCore (N = 8
    and 16, both architectures; 2 and 4 lanes; runtime direction)."""
    from fftforge.formal.streams import ControlHarness
    sets = []
    for arch in ("r2sdf", "r22sdf"):
        for n in (8, 16):
            cfg = proof_config(arch, n)
            L = cfg.pipeline_latency
            sets.append(PropertySet(
                f"control.{arch}.n{n}", "control",
                f"PipelineControl(latency={L}, frame={n}): output slot real exactly when out_valid, "
                f"accepted = emitted + in flight <= {L}, drains only at frame boundaries, last/first flags",
                (Check("prove", 3, lambda L=L, n=n: ControlHarness(L, n, 2)),
                 Check("cover", L + n + 8, lambda L=L, n=n: ControlHarness(L, n, 2, covers=True))),
            ))
            cover_depth = cfg.latency_cycles + 2 * n + 4
            sets.append(PropertySet(
                f"core.{arch}.n{n}", "core",
                f"FFTCore {arch} N={n}: stream contract on o (hold, reset), accepted = emitted + in flight "
                f"<= {L + 2}, last on every {n}-th output, no output before latency_cycles={cfg.latency_cycles}; "
                f"covers: first output at exactly latency_cycles, pipeline full, back-to-back frames, "
                f"stall with full output, drain",
                (Check("prove", 3, lambda cfg=cfg: CoreHarness(cfg)),
                 Check("cover", cover_depth, lambda cfg=cfg: CoreHarness(cfg, covers=True),
                       cut=("top.core.datapath",))),
                slow=(n == 16),
            ))
    # parallel lanes and the runtime direction input (same harness: frames
    # are cfg.frame_cycles transfers)
    for arch, n, kw, tag in (("r22sdf", 16, dict(lanes=2), "p2"), ("r2sdf", 16, dict(lanes=4), "p4"),
                             ("r22sdf", 8, dict(direction="runtime"), "runtime"),
                             ("r22sdf", 8, dict(cycles_per_sample=2), "k2"),    # one sample every 2 cycles
                             ("r22sdf", 8, dict(cycles_per_sample=3), "k3")):   # (and 3: the accumulating multiplier)
        cfg = proof_config(arch, n, **kw)
        frame = cfg.frame_cycles
        sets.append(PropertySet(
            f"core.{arch}.n{n}.{tag}", "core",
            f"FFTCore {arch} N={n} {tag}: as core.{arch}.n{n} ({frame} transfers per frame, "
            f"latency_cycles={cfg.latency_cycles})",
            (Check("prove", 3, lambda cfg=cfg: CoreHarness(cfg)),
             Check("cover", cfg.latency_cycles + 2 * frame * cfg.cycles_per_sample + 4,
                   lambda cfg=cfg: CoreHarness(cfg, covers=True), cut=("top.core.datapath",))),
            slow=True,
        ))
    # block floating point (scaling="bfp"): the input frame buffer's and the
    # read-out shifter's counters and exponent FIFO inside the same stream
    # contract (the exponent field is part of the payload the hold rule checks)
    cfg = proof_config("r22sdf", 8, scaling="bfp")
    sets.append(PropertySet(
        "core.r22sdf.n8.bfp", "core",
        f"FFTCore r22sdf N=8 scaling=bfp (input normaliser, read-out shifter, exponent FIFO): as core.r22sdf.n8 "
        f"(latency_cycles={cfg.latency_cycles}, payload with the exponent field)",
        (Check("prove", 3, lambda cfg=cfg: CoreHarness(cfg)),
         Check("cover", cfg.latency_cycles + 2 * cfg.frame_cycles + 4, lambda cfg=cfg: CoreHarness(cfg, covers=True),
               cut=("top.core.datapath",))),
    ))
    # run-time transform length (runtime_n): the variable frame ends of the
    # controller (frame_last) against the harness's own model of the
    # sampled, clamped log2n port, with the whole core inside
    cfg = proof_config("r22sdf", 16, runtime_n=8)
    sets.append(PropertySet(
        "core.r22sdf.n16.rtn8", "core",
        f"FFTCore r22sdf NMAX=16 NMIN=8 (log2n port, end tags, RuntimeReorder): stream contract on o (hold, "
        f"reset), accepted = emitted + in flight <= {cfg.capacity}, input frames of the sampled clamped sizes "
        f"(drains only at their boundaries), latency from empty = latency_cycles={cfg.latency_cycles} "
        f"(every size's); last alignment: simulation (sim/runtime_n.py)",
        (Check("prove", 3, lambda cfg=cfg: CoreHarness(cfg)),
         Check("cover", cfg.latency_cycles + 2 * cfg.frame_cycles + 4, lambda cfg=cfg: CoreHarness(cfg, covers=True),
               cut=("top.core.datapath",))),
    ))
    return sets


def filter_sets(CoreHarness):
    """The filter and FFTNet kinds (one function for both: their sets
    interleave): spectral filter and FFTNet cores on the same harness (same
    control, FIFO and stream contract; the runtime weight port is a free
    source), and the overlap-save wrapper."""
    from fftforge.filter_config import FFTNetConfig, FilterConfig
    from fftforge.hdl.fftnet import FFTNetCore
    from fftforge.hdl.filter import FilterCore
    base = dict(n=8, width=8, twiddle_width=8, coef_width=8, drain_after=2)
    out = []
    # P lanes: the same harness counts transfers (P samples each): frames of
    # cfg.frame_cycles = N/P transfers, capacity and latency in transfers/cycles
    for name, cfg, cls, covers in (
            ("filter.r22sdf.n8", FilterConfig(**base), FilterCore, True),
            ("filter.r22sdf.n8.runtime2", FilterConfig(weights="runtime", channels=2, **base), FilterCore, False),
            ("filter.r22sdf.n8.pairs", FilterConfig(real_pairs=True, channels=2, **base), FilterCore, False),
            ("fftnet.r22sdf.n8", FFTNetConfig(**base), FFTNetCore, False),
            ("filter.r22sdf.n8.p2", FilterConfig(lanes=2, **base), FilterCore, True),
            ("filter.r22sdf.n8.pairs.p2", FilterConfig(real_pairs=True, channels=2, lanes=2, **base), FilterCore,
             False),
            # block floating point: the bfp forward FFT's normalisers and the
            # exponent FIFO to the output (the exponent field is part of the
            # payload the hold rule checks)
            ("filter.r22sdf.n8.bfp", FilterConfig(scaling="bfp", channels=2, **base), FilterCore, True),
            # the bfp FFTNet layer: the same, plus the block scaler between the
            # multiply and the modReLU (its e2 is what the exponent FIFO carries)
            ("fftnet.r22sdf.n8.bfp", FFTNetConfig(scaling="bfp", channels=2, bias=(100, -3), **base), FFTNetCore,
             True)):
        frame = cfg.frame_cycles
        checks = [Check("prove", 3, lambda cfg=cfg, cls=cls: CoreHarness(cfg, core_cls=cls))]
        if covers:
            checks.append(Check("cover", cfg.latency_cycles + 2 * frame + 4,
                                lambda cfg=cfg, cls=cls: CoreHarness(cfg, covers=True, core_cls=cls),
                                cut=("top.core.datapath",)))
        out.append(PropertySet(
            name, "filter",
            f"{cls.__name__} N={cfg.n}{' runtime weights (w stream free)' if cfg.weights == 'runtime' else ''}"
            f"{' real pairs' if cfg.real_pairs else ''}{f' {cfg.lanes} lanes' if cfg.lanes > 1 else ''}"
            f"{' scaling=bfp (exponent field, exponent FIFO' if cfg.bfp else ''}"
            f"{', block scaler' if cfg.bfp and cfg.real_output else ''}{')' if cfg.bfp else ''}: "
            f"stream contract on o, accepted = emitted + in flight <= {cfg.capacity}"
            f"{' transfers' if cfg.lanes > 1 else ''}, last on every {frame}-th output"
            f"{' transfer' if cfg.lanes > 1 else ''}, no output before latency_cycles={cfg.latency_cycles}"
            + ("; covers as for the FFT core" if covers else ""),
            tuple(checks), slow=True))
    out.append(_overlap_save_set())
    out.append(_overlap_save_set(lanes=2))
    return out


def _overlap_save_set(lanes: int = 1):
    """The overlap-save wrapper set; positions, capacity and L count
    transfers (``lanes`` samples each)."""
    from fftforge.formal.streams import OverlapSaveHarness, overlap_save_capacity
    cfg = overlap_save_config(lanes=lanes)
    n, hist = cfg.frame_cycles, (cfg.taps - 1) // lanes
    L = n - hist
    unit = "" if lanes == 1 else " transfers"
    cover_depth = cfg.latency_cycles + 2 * n + hist + 4
    return PropertySet(
        f"filter.overlap_save.n{cfg.n}" + ("" if lanes == 1 else f".p{lanes}"), "filter",
        f"OverlapSaveFilter N={cfg.n} M={cfg.taps}" + ("" if lanes == 1 else f" {lanes} lanes")
        + f" (L={L}{unit}): stream contract on i/o, new{unit or ' samples'} accepted = "
        f"emitted + in flight (core words at frame positions >= {hist}) <= {overlap_save_capacity(cfg)}, "
        f"last on every {L}-th output, history words = the input {L}{unit or ' samples'} earlier (0 after "
        f"reset), the framer's hold rule towards the core, the core's own properties; covers: first output at "
        f"exactly latency_cycles={cfg.latency_cycles}, back-to-back frames, stall with full output, "
        f"in flight = capacity",
        (Check("prove", 3, lambda: OverlapSaveHarness(cfg)),
         Check("cover", cover_depth, lambda: OverlapSaveHarness(cfg, covers=True), cut=("top.dut.core.datapath",))),
        slow=True)


_REGISTRY = None


def registry() -> dict:
    """``{name: PropertySet}`` of every property set, in run order (built on
    first use: building imports the HDL)."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = _build_registry()
    return _REGISTRY


def get(name: str) -> PropertySet:
    """The property set called ``name`` (KeyError lists the known names)."""
    try:
        return registry()[name]
    except KeyError:
        raise KeyError(f"unknown property set {name!r}; known: {', '.join(registry())}") from None


def run_set(pset: PropertySet, *, depth: int | None = None, build_dir=None,
            timeout: int | None = None) -> list[SbyResult]:
    """Run every check of ``pset``; ``depth`` overrides the prove checks' k."""
    results = []
    for k, chk in enumerate(pset.checks):
        d = depth if (depth is not None and chk.mode == "prove") else chk.depth
        name = f"{pset.name}.{chk.mode}" if sum(c.mode == chk.mode for c in pset.checks) == 1 \
            else f"{pset.name}.{chk.mode}{k}"
        results.append(run_sby(name, chk.build(), mode=chk.mode, depth=d, cut=chk.cut,
                               build_dir=build_dir, timeout=timeout, script=chk.script))
    return results
