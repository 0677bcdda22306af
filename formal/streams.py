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
every core: at most ``cfg.capacity`` samples (the slot pipeline plus the
stream shell's output FIFO, the write in flight included).

k-induction needs the invariants that tie the design's registers to the
harness's counters; they are asserted too (via :mod:`.whitebox`), so they are
proven, not assumed.
"""

from __future__ import annotations

from amaranth.asserts import AnySeq
from amaranth.hdl import Assert, Assume, Cover
from amaranth.hdl import Cat, Const, Mux, Elaboratable, Module, ResetSignal, Signal

from fftforge.config import FFTConfig
from fftforge.hdl.control import PipelineControl, clear_ahead
from fftforge.formal.whitebox import open_module

__all__ = ["assume_source", "check_sink", "ControlHarness", "CoreHarness", "OverlapSaveHarness",
           "core_capacity", "overlap_save_capacity", "open_core", "core_properties"]


def _frame(cfg: FFTConfig) -> int:
    return getattr(cfg, "frame_cycles", cfg.n)


def core_capacity(cfg: FFTConfig) -> int:
    """Most samples a core holds: ``cfg.capacity`` (slot pipeline + the
    shell's output FIFO, the write in flight included; every core kind)."""
    return cfg.capacity


def overlap_save_capacity(cfg) -> int:
    """Most new input transfers an :class:`~fftforge.hdl.filter.OverlapSaveFilter`
    holds (accepted on ``i``, not yet emitted on ``o``).

    The wrapper has no storage of its own on the data path (the framer and
    the discarder are combinational; the history buffer holds *copies* of
    samples already counted as in flight or emitted), so what it holds is
    what its core holds, counted in frame positions: the core holds a run of
    ``C = core_capacity(cfg)`` consecutive words of its frame sequence at
    most, of which only positions ``>= hist`` (``hist = (M-1)/P`` transfers)
    are new samples (positions ``< hist`` are history copies going in and
    discarded outputs coming out).  With ``n`` transfers per frame and
    ``L = n - hist``, a run of ``C`` positions holds at most
    ``(C // n) * L + min(C % n, L)`` of them (the run starting at the first
    new position of a frame).

    With ``lanes`` P > 1 everything counts transfers (P samples each): the
    core's slots and FIFO entries hold one transfer, its frame is
    ``n = N/P`` transfers, the framer and discarder move whole transfers
    (``M - 1`` is a multiple of P), so the same argument gives the bound in
    transfers: ``C = capacity`` transfers, ``hist = (M-1)/P``,
    ``L = n - hist`` (N = 8, M = 3, P = 2: C = 41, n = 4, hist = 1, L = 3,
    bound ``10 * 3 + 1 = 31`` transfers, 62 samples; checked against a brute
    force over every run start in ``tests/formal/test_streams.py``)."""
    n = cfg.frame_cycles
    hist = (cfg.taps - 1) // cfg.lanes
    L = n - hist
    C = core_capacity(cfg)
    return (C // n) * L + min(C % n, L)


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


def check_sink(m: Module, valid, ready, payload, name: str, reset_rule: bool = True) -> None:
    """Assert the stream contract on an output: hold (valid and payload
    stable until ``ready``) and, with ``reset_rule``, reset (``valid`` low
    after reset).  An internal stream whose source is combinational from a
    free input (e.g. a framer passing its input through) obeys the hold rule
    only: pass ``reset_rule=False``."""
    rst = ResetSignal()
    held = Signal(name=f"{name}_held", reset_less=True)
    was_rst = Signal(name=f"{name}_was_rst", reset_less=True)
    prev = Signal.like(payload, name=f"{name}_prev", reset_less=True)
    m.d.sync += [held.eq(valid & ~ready & ~rst), was_rst.eq(rst), prev.eq(payload)]
    with m.If(held):
        m.d.comb += Assert(valid & (payload == prev))
    if reset_rule:
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

    def __init__(self, m: Module, opened, latency: int, frame: int, sizes=None):
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
        if sizes is None:
            with m.If(ctl.accept):
                m.d.sync += acc_mod.eq(Const(0) if frame == 1 else (acc_mod + 1) % frame)
        else:
            # run-time frame sizes (``sizes = (log2n port, lo, hi)``): the
            # harness's own model of the frames: the port, clamped to
            # [lo, hi], sampled with each frame's first accepted sample
            port, lo, hi = sizes
            self.size_held = held = Signal(range(hi + 1), init=hi, name="h_log2n_held")
            clamped = Mux(port < lo, lo, Mux(port > hi, hi, port))
            now = Signal(range(hi + 1), name="h_log2n_now")
            m.d.comb += now.eq(Mux(acc_mod == 0, clamped, held))
            self.frame_last = last = Signal(range(frame), name="h_frame_last")
            with m.Switch(now):
                for k in range(lo, hi + 1):
                    with m.Case(k):
                        m.d.comb += last.eq((1 << k) - 1)
            with m.If(ctl.accept):
                m.d.sync += acc_mod.eq(Mux(acc_mod == last, 0, acc_mod + 1))
                with m.If(acc_mod == 0):
                    m.d.sync += held.eq(clamped)
            m.d.comb += [Assert(acc_mod <= last), Assert(held >= lo), Assert(held <= hi)]
        with m.If(ctl.emit):
            m.d.sync += emit_mod.eq(Const(0) if frame == 1 else (emit_mod + 1) % frame)

        t_sat = opened.sig("t_sat")
        tail = opened.sig("tail")
        draining = opened.sig("draining")
        acc_pos = opened.sig("acc_pos")
        out_pos = opened.sig("out_pos")

        # The property: the output slot is real exactly when out_valid.
        m.d.comb += Assert(ctl.out_valid == shadow[L - 1])
        # Conservation: accepted - emitted = samples in the slots <= L.
        m.d.comb += [
            Assert(inflight_h == _popcount(shadow)),
            Assert(inflight_h <= L),
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
            Assert(tail == bubbles),             # the controller counts the drain bubbles
            Assert(acc_pos == acc_mod),
            Assert(out_pos == emit_mod),
        ]
        # the controller's registered flags equal what they stand for
        m.d.comb += [
            Assert(opened.sig("full") == (t_sat == L)),
            Assert(opened.sig("busy") == (inflight_h != 0)),
            Assert(opened.sig("tail_end") == (tail == L - 1)),
            Assert(opened.sig("acc_zero") == (acc_pos == 0)),
            Assert(opened.sig("out_zero") == (out_pos == 0)),
            Assert(opened.sig("out_end") == (out_pos == frame - 1)),
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
        # clr is clear_ahead of the cycle before (the datapath's two-hop
        # clear copies, hdl/shell.DatapathClear, rely on it)
        ahead_q = Signal(name="clear_ahead_q")
        m.d.sync += ahead_q.eq(clear_ahead(ctl.draining, ctl.space, ctl.tail_end, ctl.busy))
        m.d.comb += Assert(ctl.clr == ahead_q)
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
    full; a completed drain; a sample accepted into the emptied core after
    earlier outputs (the from-empty latency tracker restarts).

    ``wrap`` (optional) maps the core to the component whose ports the
    environment sees (a mutation test passes a broken wrapper);
    ``mutate_control(opened)`` changes the core's opened PipelineControl;
    ``latency`` overrides the latency the proof claims (default
    ``cfg.latency_cycles``; mutation tests claim a wrong one).
    ``core_cls`` builds the core from ``cfg`` (default FFTCore; any stream
    core built the same way -- submodules ``ctl`` (PipelineControl),
    ``datapath``, ``fifo`` (the shell's SyncFIFO), e.g. the spectral filter's
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
        from fftforge.hdl.fft import FFTCore
        cfg = self.cfg
        m = Module()
        core = (self.core_cls or FFTCore)(cfg)
        opened, ctl_open, fifo_open = open_core(core, platform, self.mutate_control)
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
        sizes = None
        if getattr(cfg, "runtime_n", None) is not None:       # run-time length: a free size port
            m.d.comb += ports.log2n.eq(AnySeq(len(ports.log2n)))
            sizes = (ports.log2n, *cfg.log2n_range)
        for pname in core.signature.members:
            if pname in ("i", "o", "inverse", "log2n"):
                continue
            extra = getattr(ports, pname)
            if hasattr(extra, "valid") and hasattr(extra, "ready"):
                m.d.comb += [extra.valid.eq(AnySeq(1)), extra.payload.eq(AnySeq(len(extra.payload.as_value())))]
                assume_source(m, extra.valid, extra.ready, extra.payload.as_value(), pname)
        assume_source(m, i.valid, i.ready, i.payload.as_value(), "i")
        check_sink(m, o.valid, o.ready, o.payload.as_value(), "o")
        p = core_properties(m, cfg, i, o, ctl_open, fifo_open, self.latency, core_open=opened, sizes=sizes)

        if self.covers:
            n = p.frame
            # consecutive output transfers before this cycle (saturating)
            run = Signal(range(n + 1), name="h_out_run")
            rate = getattr(cfg, "cycles_per_sample", 1)
            with m.If(p.out):
                m.d.sync += run.eq(Mux(run == n, n, run + 1))
            if rate == 1:
                with m.Else():
                    m.d.sync += run.eq(0)
            else:                      # (K > 1: one transfer every K cycles is back to back)
                quiet = Signal(range(rate + 1), name="h_out_quiet")
                with m.If(p.out):
                    m.d.sync += quiet.eq(0)
                with m.Elif(quiet != rate):
                    m.d.sync += quiet.eq(quiet + 1)
                with m.If(~p.out & (quiet >= rate - 1)):
                    m.d.sync += run.eq(0)
            first_out = o.valid & ~p.seen_out
            m.d.comb += [
                Cover(first_out & ~p.stall & (p.since == p.latency)),
                Cover(p.shadow.inflight_h == cfg.pipeline_latency),
                # (K > 1: the free-space flag is recomputed between two
                # advances, so the FIFO stops one word short of full)
                Cover((p.fifo.level == p.fifo.depth - (rate > 1)) & ~o.ready & ~i.ready),
                Cover(ctl_open.component.clr & p.seen_out),
                # two frame ends n transfers apart, no gap: back-to-back frames
                Cover(p.out & o.payload.last & (run == n)),
                # the latency tracker restarts: a sample accepted after the
                # core emptied, following earlier outputs
                Cover((p.empty_since == 1) & p.seen_out),
            ]
        return m


def open_core(core, platform, mutate_control=None):
    """Elaborate a stream core built on :func:`fftforge.hdl.shell.stream_shell`
    (submodules ``ctl``: a PipelineControl, ``fifo``: the output SyncFIFO)
    for a harness:
    returns ``(opened_core, opened_ctl, opened_fifo)`` with the opened
    controller and FIFO in place in the opened core, so the harness's
    white-box names refer to the logic under proof.  ``mutate_control``
    (mutation tests) changes the opened controller."""
    opened = open_module(core, platform)
    ctl_open = open_module(opened.sub("ctl"), platform)
    if mutate_control is not None:
        mutate_control(ctl_open)
    opened.replace("ctl", ctl_open)
    fifo_open = open_module(opened.sub("fifo"), platform)
    opened.replace("fifo", fifo_open)
    return opened, ctl_open, fifo_open


def first_output_tracker(m, start, busy, o, lat, prefix):
    """Registers for the latency properties and covers up to a stream's
    first output: ``started`` (a ``start`` was seen), ``since`` (cycles
    since the first ``start``, 1 in the cycle after it, saturating at
    ``lat + 1``), ``stall`` (``busy`` was low after the start, before the
    first output) and ``seen_out`` (``o.valid`` was high).  Returns the
    four signals, named ``<prefix>_...``."""
    started = Signal(name=f"{prefix}_started")
    since = Signal(range(lat + 2), name=f"{prefix}_since")
    stall = Signal(name=f"{prefix}_stalled")
    seen_out = Signal(name=f"{prefix}_seen_out")
    with m.If(start & ~started):
        m.d.sync += [started.eq(1), since.eq(1)]
    with m.Elif(started & (since != lat + 1)):
        m.d.sync += since.eq(since + 1)
    with m.If(started & ~busy & ~seen_out):
        m.d.sync += stall.eq(1)
    with m.If(o.valid):
        m.d.sync += seen_out.eq(1)
    return started, since, stall, seen_out


def _maybe_sig(opened, name):
    """``opened.sig(name)``, or None where the core has no such signal."""
    if opened is None:
        return None
    try:
        return opened.sig(name)
    except KeyError:
        return None


def core_properties(m: Module, cfg, i, o, ctl_open, fifo_open, latency: int | None = None, core_open=None,
                    sizes=None):
    """Assert a core's conservation, frame and latency properties, counted
    on the streams ``i`` and ``o`` (the core's own ports, or a transparent
    wrapper's), with the invariants that make them inductive:

    * accepted - emitted = ``held`` = slot pipeline + FIFO level <= capacity
      (plus the controller's slot-validity shadow, :class:`_ControlShadow`);
    * ``last`` on exactly every frame-th transfer of ``o`` (FIFO entries too);
    * no ``o.valid`` before ``latency`` cycles (default
      ``cfg.latency_cycles``) after the first transfer on ``i``; and, more
      generally, none earlier than ``latency`` cycles after the first
      transfer following any cycle in which the core held nothing (after a
      drain, once its last outputs are taken: the latency holds per frame
      that starts from an empty core, not only from reset).

    Run-time frame sizes (``sizes = (log2n port, log2 NMIN, log2 NMAX)``,
    ``runtime_n`` cores): the input frames are the harness's model of the
    sampled, clamped sizes (drains only at their boundaries); the output's
    ``last`` comes from the datapath's ``end`` tags (through its memories),
    which an induction over the control alone cannot reach: its alignment is
    left to simulation (:mod:`fftforge.sim.runtime_n`), the rest is proven.

    The stream contract itself (:func:`assume_source`, :func:`check_sink`) is
    left to the caller.  Returns a namespace of the harness counters
    (``held``, ``out_mod``, ``shadow``, ``since``, ``seen_out``, ...) for
    further properties and covers."""
    import types
    n = _frame(cfg)
    lat = cfg.latency_cycles if latency is None else latency
    fifo = fifo_open.component
    acc = i.valid & i.ready
    out = o.valid & o.ready
    cap = core_capacity(cfg)
    held = Signal(range(cap + 2), name="h_held")
    m.d.sync += held.eq(held + acc - out)
    # a core whose datapath runs a cycle behind its controller (FFTCore)
    # has one output word in flight to its FIFO: ``emit_q``
    pending = Signal(name="h_pending")
    emit_q = _maybe_sig(core_open, "emit_q")
    if emit_q is not None:
        m.d.comb += pending.eq(emit_q)
    sh = _ControlShadow(m, ctl_open, cfg.pipeline_latency, n, sizes)
    if sizes is not None:
        # induction: the core's sampled size is the harness's
        m.d.comb += Assert(_maybe_sig(core_open, "log2n_held") == sh.size_held)
    m.d.comb += [
        Assert(held <= cap),
        Assert(held == sh.inflight_h + fifo.level + pending),
        Assert(fifo.level + pending <= fifo.depth),
    ]

    # Frame alignment at the output: transfers counted mod frame.
    out_mod = Signal(range(n), name="h_out_mod")
    with m.If(out):
        m.d.sync += out_mod.eq(0 if n == 1 else (out_mod + 1) % n)
    if sizes is None:
        _output_frames(m, o, out_mod, n, fifo, fifo_open, core_open, pending, sh)
    space_q = _maybe_sig(core_open, "space_q")
    if space_q is not None:
        # (registered from the next level, counting the controller's emit as
        # if it always happened: hdl/shell.py)
        m.d.comb += Assert(space_q == (fifo.level < fifo.depth - 1))

    # Latency: no output before `lat` cycles after the first accept.
    # (cycles_per_sample K > 1: a cycle is a stall only when the controller
    # could take a sample and none came)
    busy = acc if getattr(cfg, "cycles_per_sample", 1) == 1 else acc | ~ctl_open.sig("slot_free")
    started, since, stall, seen_out = first_output_tracker(m, acc, busy, o, lat, "h")
    m.d.comb += Assert(~o.valid | (started & (since >= lat)))
    # induction strengthening: counters in range; before the first
    # output the slot pipeline has advanced at most `since` times
    m.d.comb += [Assert(since <= lat + 1), Assert(started | (since == 0)), Assert(~seen_out | (since >= lat))]
    with m.If(started & ~seen_out & (since <= lat)):
        m.d.comb += Assert(ctl_open.sig("t_sat") <= since)
    rate = getattr(cfg, "cycles_per_sample", 1)
    if rate > 1:
        # one advance every `rate` cycles at most (cycles_per_sample):
        # `gone` = cycles since the last advance, rate - wait while the
        # controller holds, >= rate once it is free
        free, wait = ctl_open.sig("slot_free"), ctl_open.sig("wait")
        gone = Signal(range(rate + 1), name="h_since_adv")
        m.d.comb += gone.eq(Mux(free, rate, rate - wait))
        t_sat = ctl_open.sig("t_sat")
        with m.If(started & ~seen_out & (since <= lat) & (t_sat != 0)):
            m.d.comb += Assert(rate * (t_sat - 1) + gone <= since)
        m.d.comb += Assert(free == (wait == 0))
    with m.If(~started):
        m.d.comb += [Assert(held == 0), Assert(ctl_open.sig("t_sat") == 0), Assert(~seen_out)]

    # Latency from empty, not only from reset: whenever the core holds
    # nothing (held == 0: after reset, after a drain once its last outputs
    # are taken, or after any idle spell that emptied it), no output comes
    # earlier than `lat` cycles after the next accepted sample.
    # `e_since`: 0 = nothing accepted since the core was last empty, else
    # cycles since the first accept after it (saturating at lat + 1).
    e_since = Signal(range(lat + 2), name="h_empty_since")
    with m.If(held == 0):
        m.d.sync += e_since.eq(acc)
    with m.Elif((e_since != 0) & (e_since != lat + 1)):
        m.d.sync += e_since.eq(e_since + 1)
    m.d.comb += Assert(~o.valid | (e_since >= lat))
    # induction: a sample in slot k has been in the pipeline >= k + 1
    # cycles; something held means something accepted since empty
    m.d.comb += [Assert(e_since <= lat + 1), Assert((held == 0) | (e_since != 0))]
    if rate == 1:
        for k in range(cfg.pipeline_latency):
            m.d.comb += Assert(~sh.shadow[k] | (e_since >= k + 1))
    else:
        # a sample in slot k has been in >= rate * k cycles, plus those
        # since the last advance
        for k in range(cfg.pipeline_latency):
            m.d.comb += Assert(~sh.shadow[k] | (e_since >= rate * k + gone))
    with m.If(fifo.level != 0):
        m.d.comb += Assert(e_since >= lat)
    return types.SimpleNamespace(frame=n, capacity=cap, latency=lat, acc=acc, out=out, held=held,
                                 shadow=sh, out_mod=out_mod, fifo=fifo, started=started, since=since,
                                 stall=stall, seen_out=seen_out, empty_since=e_since)


def _output_frames(m, o, out_mod, n, fifo, fifo_open, core_open, pending, sh):
    """``last`` on exactly every n-th output transfer, the words waiting in
    the FIFO included (fixed frames: :func:`core_properties`)."""
    with m.If(o.valid):
        m.d.comb += Assert(o.payload.last == (out_mod == n - 1))
    # FIFO entries (white-box, for induction): entry j (0 = head) holds
    # the (out_mod + j)-th sample of its frame.
    storage = fifo_open.sub("storage")
    consume = fifo_open.sig("consume")
    lo = _field_offset(o.payload, "last")
    for j in range(fifo.depth):
        rp = storage.read_port(domain="comb")
        m.d.comb += rp.addr.eq((consume + j) % fifo.depth)
        want = Signal(name=f"h_fifo_last{j}")
        m.d.comb += want.eq(((out_mod + j) % n) == n - 1)
        with m.If(fifo.level > j):
            m.d.comb += Assert(rp.data[lo] == want)
    m.d.comb += Assert(((out_mod + fifo.level + pending) % n) == sh.emit_mod)
    last_q = _maybe_sig(core_open, "last_q")
    if last_q is not None:
        with m.If(pending):
            m.d.comb += Assert(last_q == (((out_mod + fifo.level) % n) == n - 1))


class OverlapSaveHarness(Elaboratable):
    """An :class:`~fftforge.hdl.filter.OverlapSaveFilter` (framer + FilterCore
    + discarder) with free input stream, free output ``ready`` and free
    reset.  Positions count transfers (``cfg.lanes`` samples each): a frame
    is ``n = cfg.frame_cycles`` transfers into the core, ``hist = (M-1)/P``
    of them history, ``L = n - hist`` new.

    Proven (``mode="prove"``), on the wrapper's ports:

    * the stream contract on ``o`` (hold, reset), the environment assumed to
      obey it on ``i``;
    * conservation: new samples accepted on ``i`` = samples emitted on ``o``
      + in flight, where *in flight* is the number of words inside the core
      at frame positions ``>= hist`` (positions counted from the core's
      output side: the core holds the run ``out_mod .. out_mod + held - 1``
      of its frame sequence); in flight <= :func:`overlap_save_capacity`
      (``(C // n) * L + min(C % n, L)`` with ``C`` the core's capacity:
      54 for N = 8, M = 3, P = 1; 42 transfers for P = 2);
    * ``last`` on exactly every ``L``-th transfer of ``o``;
    * the framer's history: every history word fed to the core is the input
      sample ``L`` positions before it (a copy of the previous frame's last
      ``hist`` samples), or zero before the first complete frame after a
      reset.

    And, inside, everything :func:`core_properties` proves of the core (its
    conservation, frames and latency, counted on the core's own ports), the
    core's output contract and the hold rule on the core's input (the framer
    obeys the stream contract towards the core).  Invariants tying the
    wrapper's registers (``frame_pos``, ``out_pos``, ``fresh``, the history
    memory) to the harness counters are asserted too.

    With ``covers=True`` (``mode="cover"``): the first output exactly
    ``cfg.latency_cycles`` after the first input with no stall (the
    documented latency), back-to-back frames at the output (two ``last``
    transfers ``n`` cycles apart: ``L`` kept transfers plus ``hist``
    discarded ones), a stall with the core's output FIFO full and ``o``
    valid, and in flight = capacity (the bound is tight).

    ``mutate(opened, core)`` may change the opened wrapper (mutation tests;
    ``core`` is the wrapper's FilterCore, whose ports the wrapper drives).
    """

    def __init__(self, cfg, covers: bool = False, mutate=None):
        self.cfg = cfg
        self.covers = covers
        self.mutate = mutate

    def elaborate(self, platform):
        from fftforge.hdl.filter import OverlapSaveFilter
        cfg = self.cfg
        n = cfg.frame_cycles
        hist = (cfg.taps - 1) // cfg.lanes
        L = n - hist
        m = Module()
        wrapper = OverlapSaveFilter(cfg)
        w_open = open_module(wrapper, platform)
        core = w_open.sub("core")
        c_open, ctl_open, fifo_open = open_core(core, platform)
        w_open.replace("core", c_open)
        hist_mem = w_open.sub("hist")
        if self.mutate is not None:
            self.mutate(w_open, core)
        m.submodules.dut = w_open.module

        i, o = wrapper.i, wrapper.o
        m.d.comb += [i.valid.eq(AnySeq(1)), i.payload.eq(AnySeq(len(i.payload.as_value()))),
                     o.ready.eq(AnySeq(1))]
        assume_source(m, i.valid, i.ready, i.payload.as_value(), "i")
        check_sink(m, o.valid, o.ready, o.payload.as_value(), "o")
        # inside: the framer obeys the hold rule towards the core (not the
        # reset rule: at frame position 0 the core's valid is the free
        # input's), and the core its whole contract
        check_sink(m, core.i.valid, core.i.ready, core.i.payload.as_value(), "core_i", reset_rule=False)
        check_sink(m, core.o.valid, core.o.ready, core.o.payload.as_value(), "core_o")
        p = core_properties(m, cfg, core.i, core.o, ctl_open, fifo_open, core_open=c_open)

        pos = w_open.sig("frame_pos")
        opos = w_open.sig("out_pos")
        fresh = w_open.sig("fresh")
        m.d.comb += [Assert(pos == p.shadow.acc_mod), Assert(opos == p.out_mod),
                     # the core's words in flight are frame positions
                     # out_mod .. pos - 1 (mod n)
                     Assert(pos == (p.out_mod + p.held) % n)]

        # Conservation at the wrapper's ports.
        acc = i.valid & i.ready
        out = o.valid & o.ready
        cap = overlap_save_capacity(cfg)
        w_held = Signal(range(cap + 2), name="os_held")
        m.d.sync += w_held.eq(w_held + acc - out)
        kept = Const(0, range(p.capacity + 1))
        for j in range(p.capacity):
            kept = kept + ((j < p.held) & (((p.out_mod + j) % n) >= hist))
        in_flight = Signal(range(p.capacity + 1), name="os_in_flight")
        m.d.comb += in_flight.eq(kept)
        m.d.comb += [Assert(w_held == in_flight), Assert(w_held <= cap)]
        # a new sample is accepted exactly when the core takes a word at a
        # new position
        m.d.comb += Assert(acc == (core.i.valid & core.i.ready & (pos >= hist)))

        # `last` on every L-th output transfer.
        w_out_mod = Signal(range(L), name="os_out_mod")
        with m.If(out):
            m.d.sync += w_out_mod.eq(0 if L == 1 else (w_out_mod + 1) % L)
        with m.If(o.valid):
            m.d.comb += Assert(o.payload.last == (w_out_mod == L - 1))
        m.d.comb += Assert(w_out_mod == Mux(opos >= hist, opos - hist, 0))

        # History: a shadow of the last `hist` accepted input transfers,
        # written by the harness's own count of new samples (w_in_mod).
        w_in_mod = Signal(range(L), name="os_in_mod")
        with m.If(acc):
            m.d.sync += w_in_mod.eq(0 if L == 1 else (w_in_mod + 1) % L)
        m.d.comb += Assert(w_in_mod == Mux(pos >= hist, pos - hist, 0))
        pw = len(i.payload.as_value())
        shadow = [Signal(pw, name=f"os_hist{j}", reset_less=True) for j in range(hist)]
        seen_frame = Signal(name="os_seen_frame")    # a complete frame since reset
        for j in range(hist):
            with m.If(acc & (w_in_mod == L - hist + j)):
                m.d.sync += shadow[j].eq(i.payload.as_value())
        with m.If(acc & (w_in_mod == L - 1)):
            m.d.sync += seen_frame.eq(1)
        m.d.comb += Assert(fresh == ~seen_frame)
        core_fire = core.i.valid & core.i.ready
        for j in range(hist):
            want = Mux(seen_frame, shadow[j], 0)
            with m.If(core_fire & (pos == j)):
                m.d.comb += Assert(core.i.payload.as_value() == want)
            # induction: the buffer word equals the shadow once written
            # this frame or earlier
            rp = hist_mem.read_port(domain="comb")
            m.d.comb += rp.addr.eq(j)
            with m.If(seen_frame | (w_in_mod > L - hist + j)):
                m.d.comb += Assert(rp.data.as_value() == shadow[j])

        if self.covers:
            lat = cfg.latency_cycles
            _, since, stall, seen_out = first_output_tracker(m, acc, core_fire, o, lat, "os")
            # cycles since the previous `last` transfer on o (saturating)
            gap = Signal(range(n + 2), init=n + 1, name="os_since_last")
            with m.If(out & o.payload.last):
                m.d.sync += gap.eq(1)
            with m.Elif(gap != n + 1):
                m.d.sync += gap.eq(gap + 1)
            m.d.comb += [
                Cover(o.valid & ~seen_out & ~stall & (since == lat)),
                Cover(out & o.payload.last & (gap == n)),
                Cover((p.fifo.level == 2) & o.valid & ~o.ready),
                Cover(w_held == cap),
            ]
        return m


def _field_offset(view, name):
    layout = view.shape()
    return layout[name].offset
