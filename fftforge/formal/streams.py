"""Stream-contract harnesses: :class:`PipelineControl` and whole :class:`FFTCore`.

The stream contract (``amaranth.lib.stream``) is checked on every port:

* *hold*: once ``valid`` is high without ``ready``, the next cycle ``valid`` is
  still high and the payload is unchanged (unless reset intervened);
* *reset*: the cycle after a reset, ``valid`` is low;
* *conservation*: samples accepted = samples emitted + samples in flight, and
  in flight <= the documented capacity.

The environment is free (``AnySeq`` every cycle) and is *assumed* only to
obey the same contract on the stream it drives; ``ready`` of a sink and the
``sync`` reset are free inputs every cycle.

Capacities (documented here, asserted by the proofs)
----------------------------------------------------
PipelineControl(latency L): at most L samples in the slot pipeline.
FFTCore: at most ``cfg.pipeline_latency + 2`` samples (the slot pipeline plus
the 2-word output FIFO).

k-induction needs the invariants that tie the design's registers to the
harness's counters; they are asserted too (via :mod:`.whitebox`), so they are
proven, not assumed.
"""

from __future__ import annotations

from amaranth.asserts import AnySeq
from amaranth.hdl import Assert, Assume, Cover
from amaranth.hdl import Cat, Const, Mux, Elaboratable, Module, ResetSignal, Signal

from ..config import FFTConfig
from ..hdl.control import PipelineControl
from .whitebox import open_module

__all__ = ["assume_source", "check_sink", "ControlHarness", "CoreHarness", "core_capacity"]


def _frame(cfg: FFTConfig) -> int:
    return getattr(cfg, "frame_cycles", cfg.n)


def core_capacity(cfg: FFTConfig) -> int:
    """Most samples an FFTCore holds: slot pipeline + 2-word output FIFO."""
    return cfg.pipeline_latency + 2


def assume_source(m: Module, valid, ready, payload, name: str) -> None:
    """Constrain a free source to the stream contract: after a cycle with
    ``valid & ~ready`` (and no reset) ``valid`` stays high with the same
    payload."""
    rst = ResetSignal()
    held = Signal(name=f"{name}_held", reset_less=True)
    prev = Signal.like(payload, name=f"{name}_prev", reset_less=True)
    m.d.sync += [held.eq(valid & ~ready & ~rst), prev.eq(payload)]
    with m.If(held):
        m.d.comb += Assume(valid & (payload == prev))


def check_sink(m: Module, valid, ready, payload, name: str) -> None:
    """Assert the stream contract on an output: hold (valid and payload
    stable until ``ready``) and reset (``valid`` low after reset)."""
    rst = ResetSignal()
    held = Signal(name=f"{name}_held", reset_less=True)
    was_rst = Signal(name=f"{name}_was_rst", reset_less=True)
    prev = Signal.like(payload, name=f"{name}_prev", reset_less=True)
    m.d.sync += [held.eq(valid & ~ready & ~rst), was_rst.eq(rst), prev.eq(payload)]
    with m.If(held):
        m.d.comb += Assert(valid & (payload == prev))
    with m.If(was_rst):
        m.d.comb += Assert(~valid)


def _popcount(v):
    total = Const(0, range(len(v) + 1))
    for b in v:
        total = total + b
    return total


class _ControlShadow:
    """Shadow of the slot pipeline driven by a PipelineControl: one bit per
    slot, 1 = the slot holds an accepted sample.  Built from the controller's
    ports only (``accept``, ``adv``, ``clr``), so it is an independent model of
    where the real samples are; the proof asserts that ``out_valid`` is high
    exactly when the output slot holds one (no sample lost, duplicated or
    invented), plus the invariants that make that inductive."""

    def __init__(self, m: Module, opened, latency: int, frame: int):
        ctl = opened.component
        L = latency
        self.shadow = shadow = Signal(L, name="slot_shadow")
        bubbles = Signal(range(L + 1), name="drain_bubbles")
        self.acc_mod = acc_mod = Signal(range(frame), name="h_acc_mod")
        self.emit_mod = emit_mod = Signal(range(frame), name="h_emit_mod")
        self.inflight_h = inflight_h = Signal(range(L + 2), name="h_inflight")

        with m.If(ctl.clr):
            m.d.sync += [shadow.eq(0), bubbles.eq(0)]
        with m.Elif(ctl.adv):
            m.d.sync += shadow.eq(Cat(ctl.accept, shadow[:-1]))
            with m.If(~ctl.accept & (bubbles != L)):
                m.d.sync += bubbles.eq(bubbles + 1)
        m.d.sync += inflight_h.eq(inflight_h + ctl.accept - ctl.emit)
        with m.If(ctl.accept):
            m.d.sync += acc_mod.eq(Const(0) if frame == 1 else (acc_mod + 1) % frame)
        with m.If(ctl.emit):
            m.d.sync += emit_mod.eq(Const(0) if frame == 1 else (emit_mod + 1) % frame)

        t_sat = opened.sig("t_sat")
        inflight = opened.sig("inflight")
        draining = opened.sig("draining")
        acc_pos = opened.sig("acc_pos")
        out_pos = opened.sig("out_pos")

        # The property: the output slot is real exactly when out_valid.
        m.d.comb += Assert(ctl.out_valid == shadow[L - 1])
        # Conservation: accepted - emitted = samples in the slots <= L.
        m.d.comb += [
            Assert(inflight_h == _popcount(shadow)),
            Assert(inflight_h <= L),
            Assert(inflight == inflight_h),
        ]
        # Frames: a drain never splits a frame; out_last marks every
        # frame-th emitted sample.
        m.d.comb += [
            Assert(~draining | (acc_mod == 0)),
            Assert(ctl.out_last == (emit_mod == frame - 1)),
            Assert(ctl.out_first == (emit_mod == 0)),
            Assert(ctl.first_in == (acc_mod == 0)),
        ]
        # Inductive strengthening: the real slots are one contiguous run
        # after the drain bubbles; t_sat counts advances since clear.
        idx = Signal(range(L + 1), name="h_run_end")
        m.d.comb += idx.eq(bubbles + inflight_h)
        m.d.comb += [
            Assert(idx == t_sat),
            Assert(draining | (bubbles == 0)),
            Assert(acc_pos == acc_mod),
            Assert(out_pos == emit_mod),
        ]
        for k in range(L):
            m.d.comb += Assert(shadow[k] == ((k >= bubbles) & (k < idx)))


class ControlHarness(Elaboratable):
    """PipelineControl alone, environment free.  ``mutate(opened)`` may
    change the opened controller (mutation tests)."""

    def __init__(self, latency: int, frame: int, drain_after: int = 2, mutate=None, covers: bool = False):
        self.latency, self.frame, self.drain_after = latency, frame, drain_after
        self.mutate = mutate
        self.covers = covers

    def elaborate(self, platform):
        m = Module()
        ctl = PipelineControl(self.latency, self.frame, self.drain_after)
        opened = open_module(ctl, platform)
        if self.mutate is not None:
            self.mutate(opened)
        m.submodules.dut = opened.module
        m.d.comb += [ctl.in_valid.eq(AnySeq(1)), ctl.space.eq(AnySeq(1))]
        # in_valid obeys the stream contract with in_ready; no payload here.
        assume_source(m, ctl.in_valid, ctl.in_ready, Const(0, 1), "in")
        sh = _ControlShadow(m, opened, self.latency, self.frame)
        if self.covers:
            m.d.comb += [
                Cover(sh.inflight_h == self.latency),          # pipeline full
                Cover(ctl.clr),                                # a drain completed
            ]
        return m


class CoreHarness(Elaboratable):
    """A whole FFTCore with free input stream, free output ``ready`` and
    free reset.

    Proven (``mode="prove"``): the stream contract on ``o`` (hold, reset),
    input-side conservation (accepted = emitted + in flight <= capacity,
    with the controller's slot-validity invariants), frame alignment (``last``
    on exactly every ``frame``-th output transfer), and no output earlier than
    ``cfg.latency_cycles`` after the first accepted sample.

    With ``covers=True`` (``mode="cover"``): the first output exactly
    ``cfg.latency_cycles`` after the first input with no stalls; the pipeline
    full; back-to-back frames at the output; a stall with the output FIFO
    full; a completed drain.

    ``wrap`` (optional) maps the core to the component whose ports the
    environment sees (a mutation test passes a broken wrapper);
    ``mutate_control(opened)`` changes the core's opened PipelineControl;
    ``latency`` overrides the latency the proof claims (default
    ``cfg.latency_cycles``; mutation tests claim a wrong one).
    ``core_cls`` builds the core from ``cfg`` (default FFTCore; any stream
    core built the same way -- submodules ``ctl`` (PipelineControl),
    ``datapath``, ``fifo`` (2-deep SyncFIFO), e.g. the spectral filter's
    FilterCore); its other input streams (e.g. a weight port ``w``) are free
    sources obeying the stream contract.
    """

    def __init__(self, cfg: FFTConfig, covers: bool = False, wrap=None, mutate_control=None,
                 latency: int | None = None, core_cls=None):
        self.cfg = cfg
        self.core_cls = core_cls
        self.covers = covers
        self.wrap = wrap
        self.mutate_control = mutate_control
        self.latency = cfg.latency_cycles if latency is None else latency

    def elaborate(self, platform):
        from ..hdl.fft import FFTCore
        cfg = self.cfg
        n = _frame(cfg)
        m = Module()
        core = (self.core_cls or FFTCore)(cfg)
        opened = open_module(core, platform)
        ctl_obj = opened.sub("ctl")
        ctl_open_for_sigs = open_module(ctl_obj, platform)
        if self.mutate_control is not None:
            self.mutate_control(ctl_open_for_sigs)
        opened.replace("ctl", ctl_open_for_sigs)
        fifo_open = open_module(opened.sub("fifo"), platform)
        opened.replace("fifo", fifo_open)
        fifo = fifo_open.component
        m.submodules.core = opened.module
        ports = core
        if self.wrap is not None:
            ports = self.wrap(core)
            m.submodules.wrap = ports

        i, o = ports.i, ports.o
        m.d.comb += [i.valid.eq(AnySeq(1)), i.payload.eq(AnySeq(len(i.payload.as_value())))]
        m.d.comb += o.ready.eq(AnySeq(1))
        if hasattr(ports, "inverse"):
            m.d.comb += ports.inverse.eq(AnySeq(1))
        for pname in core.signature.members:
            if pname in ("i", "o", "inverse"):
                continue
            extra = getattr(ports, pname)
            if hasattr(extra, "valid") and hasattr(extra, "ready"):
                m.d.comb += [extra.valid.eq(AnySeq(1)), extra.payload.eq(AnySeq(len(extra.payload.as_value())))]
                assume_source(m, extra.valid, extra.ready, extra.payload.as_value(), pname)
        assume_source(m, i.valid, i.ready, i.payload.as_value(), "i")
        check_sink(m, o.valid, o.ready, o.payload.as_value(), "o")

        acc = i.valid & i.ready
        out = o.valid & o.ready
        cap = core_capacity(cfg)
        held = Signal(range(cap + 2), name="h_held")
        m.d.sync += held.eq(held + acc - out)
        m.d.comb += [
            Assert(held <= cap),
            Assert(held == ctl_open_for_sigs.sig("inflight") + fifo.level),
        ]
        sh = _ControlShadow(m, ctl_open_for_sigs, cfg.pipeline_latency, n)

        # Frame alignment at the output: transfers counted mod frame.
        out_mod = Signal(range(n), name="h_out_mod")
        with m.If(out):
            m.d.sync += out_mod.eq(0 if n == 1 else (out_mod + 1) % n)
        with m.If(o.valid):
            m.d.comb += Assert(o.payload.last == (out_mod == n - 1))
        # FIFO entries (white-box, for induction): entry j (0 = head) holds
        # the (out_mod + j)-th sample of its frame.
        storage = fifo_open.sub("storage")
        consume = fifo_open.sig("consume")
        lo = _field_offset(o.payload, "last")
        for j in range(2):
            rp = storage.read_port(domain="comb")
            m.d.comb += rp.addr.eq((consume + j) % 2)
            want = Signal(name=f"h_fifo_last{j}")
            m.d.comb += want.eq(((out_mod + j) % n) == n - 1)
            with m.If(fifo.level > j):
                m.d.comb += Assert(rp.data[lo] == want)
        m.d.comb += Assert(((out_mod + fifo.level) % n) == sh.emit_mod)

        # Latency: no output before `lat` cycles after the first accept.
        # `since` counts cycles from the first accept, saturating at lat + 1.
        lat = self.latency
        started = Signal(name="h_started")
        since = Signal(range(lat + 2), name="h_since")
        stall = Signal(name="h_stalled")
        seen_out = Signal(name="h_seen_out")
        with m.If(acc & ~started):
            m.d.sync += [started.eq(1), since.eq(1)]
        with m.Elif(started & (since != lat + 1)):
            m.d.sync += since.eq(since + 1)
        with m.If(started & ~(i.valid & i.ready) & ~seen_out):
            m.d.sync += stall.eq(1)
        with m.If(o.valid):
            m.d.sync += seen_out.eq(1)
        m.d.comb += Assert(~o.valid | (started & (since >= lat)))
        # induction strengthening: counters in range; before the first
        # output the slot pipeline has advanced at most `since` times
        m.d.comb += [Assert(since <= lat + 1), Assert(started | (since == 0)), Assert(~seen_out | (since >= lat))]
        with m.If(started & ~seen_out & (since <= lat)):
            m.d.comb += Assert(ctl_open_for_sigs.sig("t_sat") <= since)
        with m.If(~started):
            m.d.comb += [Assert(held == 0), Assert(ctl_open_for_sigs.sig("t_sat") == 0), Assert(~seen_out)]

        if self.covers:
            # consecutive output transfers before this cycle (saturating)
            run = Signal(range(n + 1), name="h_out_run")
            with m.If(out):
                m.d.sync += run.eq(Mux(run == n, n, run + 1))
            with m.Else():
                m.d.sync += run.eq(0)
            first_out = o.valid & ~seen_out
            m.d.comb += [
                Cover(first_out & ~stall & (since == lat)),
                Cover(sh.inflight_h == cfg.pipeline_latency),
                Cover((fifo.level == 2) & ~o.ready & ~i.ready),
                Cover(ctl_obj.clr & seen_out),
                # two frame ends n transfers apart, no gap: back-to-back frames
                Cover(out & o.payload.last & (run == n)),
            ]
        return m


def _field_offset(view, name):
    layout = view.shape()
    return layout[name].offset
