"""Deliberately broken designs: every proof family must FAIL on one.

Each mutant is a small, realistic bug applied to the real design (through a
wrapper, or by overriding one assignment in an opened part, see
:mod:`.whitebox`).  :data:`MUTANTS` maps a name to ``(family, Check)``; the
tests run each check and require ``FAIL`` with a counterexample VCD.
"""

from __future__ import annotations

import types

from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import wiring

from fftforge.config import OUTPUT_FIFO_DEPTH
from fftforge.hdl import fixed as hdl_fixed
from fftforge.hdl.cmul import ComplexMultiplier
from fftforge.formal.registry import Check, proof_config

__all__ = ["MUTANTS", "SLOW_MUTANTS", "DropReady", "SignBugMultiplier", "NarrowProductMultiplier"]


class DropReady(wiring.Component):
    """Wrapper that forwards a core's streams but drops the output ``ready``
    term: the core's FIFO is read every cycle whatever the sink says.

    Parameters
    ----------
    core : wiring.Component
        A stream core with ``i`` and ``o`` (e.g. :class:`fftforge.hdl.fft.FFTCore`).

    Attributes
    ----------
    i : In(stream), as ``core.i``
        Forwarded to the core unchanged.
    o : Out(stream), as ``core.o``
        The core's output, but ``core.o.ready`` is tied to 1 (the bug).

    Latency and bit growth: the core's (a wire wrapper).
    """

    def __init__(self, core):
        self._core = core
        super().__init__(core.signature)

    def elaborate(self, platform):
        m = Module()
        c = self._core
        m.d.comb += [
            c.i.valid.eq(self.i.valid), c.i.payload.eq(self.i.payload), self.i.ready.eq(c.i.ready),
            self.o.valid.eq(c.o.valid), self.o.payload.eq(c.o.payload),
            c.o.ready.eq(1),                                 # the bug: was self.o.ready
        ]
        return m


def _accept_while_draining(opened):
    c = opened.component
    opened.module.d.comb += c.in_ready.eq(c.space)          # was space & ~draining


def _last_off_by_one(opened):
    c = opened.component
    opened.module.d.comb += c.out_last.eq(opened.sig("out_pos") == c.frame - 2)


def _frame_ignores_size(opened):
    """Run-time-length controller that ends every frame at NMAX (the
    ``log2n`` size ignored): a smaller frame is not closed where its size
    says."""
    c = opened.component
    opened.module.d.comb += c.acc_last.eq(opened.sig("acc_pos") == c.frame - 1)


def _os_hist(opened):
    cfg = opened.component.cfg
    return (cfg.taps - 1) // cfg.lanes


def _os_discard_one_more(opened, core):
    """Overlap-save discarder drops hist + 1 outputs per frame (keeps one too
    few): a sample accepted at the input never comes out."""
    w = opened.component
    keep = opened.sig("out_pos") >= _os_hist(opened) + 1      # was >= hist
    opened.module.d.comb += [w.o.valid.eq(core.o.valid & keep), core.o.ready.eq(Mux(keep, w.o.ready, 1))]


def _os_framer_no_ready(opened, core):
    """Overlap-save framer acknowledges new samples whatever the core says
    (the ``core.i.ready`` term dropped): samples offered while the core
    stalls are lost."""
    w = opened.component
    opened.module.d.comb += w.i.ready.eq(opened.sig("frame_pos") >= _os_hist(opened))   # was & core.i.ready


def _os_history_reversed(opened, core):
    """Overlap-save framer reads its history buffer in reverse order."""
    pos = opened.sig("frame_pos")
    opened.module.d.comb += opened.sig("rp__addr").eq(_os_hist(opened) - 1 - pos)   # was pos


def _os_history_lanes_rotated(opened, core):
    """P-lane overlap-save framer feeds its history transfers with the lanes
    rotated by one (lane l gets the stored transfer's lane l + 1 mod P): the
    history samples enter the core in the wrong order."""
    w = opened.component
    fields = w.cfg.lane_fields
    P = len(fields)
    pos, fresh = opened.sig("frame_pos"), opened.sig("fresh")
    data = opened.sub("hist").read_ports[0].data
    mod = opened.module
    with mod.If((pos < _os_hist(opened)) & ~fresh):
        for l, names in enumerate(fields):
            for k, name in enumerate(names):                 # was lane l's own field
                mod.d.comb += getattr(core.i.payload, name).eq(getattr(data, fields[(l + 1) % P][k]))


def _butterfly_no_negate(opened):
    c = opened.component
    bi = Mux(c.minus_j, c.b.re, c.b.im)                     # was -b.re under -j
    opened.module.d.comb += [c.sum.im.eq(c.a.im + bi), c.diff.im.eq(c.a.im - bi)]


class _Form4Mutant(ComplexMultiplier):
    """Form-4 complex multiplier (operand registers, four product registers
    of ``mutant_product_width()`` bits, sum/difference register) whose combine step
    a subclass may get wrong."""

    def mutant_product_width(self):
        return self.width + self.twiddle_width

    def combine(self, ac, bd, ad, bc):
        return ac - bd, ad + bc

    def elaborate(self, platform):
        m = Module()
        wa, ww = self.width, self.twiddle_width
        ra, rb = Signal(signed(wa)), Signal(signed(wa))
        rc, rd = Signal(signed(ww)), Signal(signed(ww))
        m.d.sync += [ra.eq(self.a.re), rb.eq(self.a.im), rc.eq(self.w.re), rd.eq(self.w.im)]
        pw = self.mutant_product_width()
        ac, bd, ad, bc = (Signal(signed(pw), name=nm) for nm in ("ac", "bd", "ad", "bc"))
        m.d.sync += [ac.eq(ra * rc), bd.eq(rb * rd), ad.eq(ra * rd), bc.eq(rb * rc)]
        re, im = self.combine(ac, bd, ad, bc)
        m.d.sync += [self.p.re.eq(re), self.p.im.eq(im)]
        return m


class SignBugMultiplier(_Form4Mutant):
    """Form-4 complex multiplier with the real part's sign wrong."""

    def combine(self, ac, bd, ad, bc):
        return ac + bd, ad + bc                                        # the bug: was ac - bd


class NarrowProductMultiplier(_Form4Mutant):
    """Form-4 complex multiplier whose product registers are one bit short:
    wrong only for the corner a = -2**(wa-1), w = -2**(ww-1) (its products'
    cells differ from the spec's, so the merged proof must find the corner)."""

    def mutant_product_width(self):
        return self.width + self.twiddle_width - 1                     # the bug: was wa + ww


def _round_half_up(v, shift, rounding):
    if shift == 0 or rounding == "truncate":
        return hdl_fixed.round_shift(v, shift, rounding)
    return (v + (1 << (shift - 1))) >> shift                  # ties away from even


WRAPPING_STAGE = types.SimpleNamespace(
    round_shift=hdl_fixed.round_shift,
    resize=lambda v, w, overflow: hdl_fixed.resize(v, w, "wrap"))   # saturation forgotten
HALF_UP_STAGE = types.SimpleNamespace(round_shift=_round_half_up, resize=hdl_fixed.resize)


def _mutants():
    from fftforge.formal.parts import MERGE_SCRIPT, ButterflyHarness, CmulHarness, FixedStageHarness
    from fftforge.formal.streams import ControlHarness, CoreHarness, OverlapSaveHarness
    from fftforge.formal.registry import overlap_save_config
    cfg = proof_config("r22sdf", 8)
    os_cfg = overlap_save_config()
    os2_cfg = overlap_save_config(lanes=2)
    os_lat = os_cfg.latency_cycles
    os_cut = ("top.dut.core.datapath",)
    L, n = cfg.pipeline_latency, cfg.n
    sat_cases = [(19, 1, 17, "convergent", "saturate"), (12, 2, 9, "truncate", "saturate")]
    conv_cases = [(19, 1, 17, "convergent", "saturate"), (12, 2, 9, "convergent", "wrap")]
    lat = cfg.latency_cycles
    cut = ("top.core.datapath",)
    # Mutants of sequential designs are checked by BMC deep enough to reach
    # the bug from reset, so the failure is a real counterexample trace.
    return {
        "core.drop_ready": ("core", Check("bmc", lat + 3, lambda: CoreHarness(cfg, wrap=DropReady), cut=cut)),
        "core.last_off_by_one": ("core", Check("bmc", lat + n + 2,
                                               lambda: CoreHarness(cfg, mutate_control=_last_off_by_one), cut=cut)),
        "core.latency_claim_late": ("core", Check("bmc", lat + 3, lambda: CoreHarness(cfg, latency=lat + 1), cut=cut)),
        "core.latency_claim_early": ("core", Check("cover", cfg.latency_cycles + 4,
                                                   lambda: CoreHarness(cfg, covers=True, latency=cfg.latency_cycles - 1),
                                                   cut=("top.core.datapath",))),
        "core.rtn_frame_ignores_size": ("core", Check("bmc", 24, lambda: CoreHarness(
            proof_config("r22sdf", 16, runtime_n=8), mutate_control=_frame_ignores_size), cut=cut)),
        "control.accept_while_draining": ("control", Check("bmc", n + 8,
                                                           lambda: ControlHarness(L, n, 2, mutate=_accept_while_draining))),
        "fixed.saturate_wraps": ("fixed", Check("prove", 1, lambda: FixedStageHarness(sat_cases, fixed=WRAPPING_STAGE))),
        "fixed.round_half_up": ("fixed", Check("prove", 1, lambda: FixedStageHarness(conv_cases, fixed=HALF_UP_STAGE))),
        "butterfly.no_negate": ("butterfly", Check("prove", 1, lambda: ButterflyHarness(8, mutate=_butterfly_no_negate))),
        # overlap-save: the first kept output comes (taps - 1) outputs after
        # the core's first, the core stalls its input once its FIFO is full
        "filter.os_discard_one_more": ("filter", Check("bmc", os_lat + 6, lambda: OverlapSaveHarness(
            os_cfg, mutate=_os_discard_one_more), cut=os_cut)),
        # (the core stalls once its output FIFO is full: OUTPUT_FIFO_DEPTH words
        # after the first output, one more for the registered space flag)
        "filter.os_framer_no_ready": ("filter", Check("bmc", os_lat + OUTPUT_FIFO_DEPTH + 7, lambda: OverlapSaveHarness(
            os_cfg, mutate=_os_framer_no_ready), cut=os_cut)),
        "filter.os_history_reversed": ("filter", Check("bmc", 2 * os_cfg.n + 4, lambda: OverlapSaveHarness(
            os_cfg, mutate=_os_history_reversed), cut=os_cut)),
        # 2 lanes: the history transfer of the second frame enters the core
        # 4 transfers after reset
        "filter.os_p2_history_lanes_rotated": ("filter", Check(
            "bmc", 2 * os2_cfg.frame_cycles + 4,
            lambda: OverlapSaveHarness(os2_cfg, mutate=_os_history_lanes_rotated), cut=os_cut)),
        "cmul.sign": ("cmul", Check("bmc", 5, lambda: CmulHarness(4, 4, 4, multiplier=SignBugMultiplier))),
        # the full-width proofs (products merged with the spec's by opt_merge)
        "cmul.sign.w16x18": ("cmul", Check("bmc", 5, lambda: CmulHarness(16, 18, 4, multiplier=SignBugMultiplier),
                                           script=MERGE_SCRIPT)),
        "cmul.narrow_product.w16x18": ("cmul", Check("bmc", 5, lambda: CmulHarness(
            16, 18, 4, multiplier=NarrowProductMultiplier), script=MERGE_SCRIPT)),
    }


class _LazyMutants(dict):
    def _fill(self):
        if not dict.__len__(self):
            dict.update(self, _mutants())

    def __getitem__(self, k):
        self._fill()
        return dict.__getitem__(self, k)

    def __iter__(self):
        self._fill()
        return dict.__iter__(self)

    def __len__(self):
        self._fill()
        return dict.__len__(self)

    def items(self):
        self._fill()
        return dict.items(self)

    def keys(self):
        self._fill()
        return dict.keys(self)


MUTANTS = _LazyMutants()

# Mutants whose first failure lies deep (the overlap-save wrapper's first
# output comes ~58 cycles after reset): a BMC of 62-64 steps takes 1.5-2
# minutes, so `make test` skips them (`make test-full` runs them).
SLOW_MUTANTS = frozenset({"filter.os_discard_one_more", "filter.os_framer_no_ready"})
