"""Stream control for a fixed-latency, framed slot pipeline (global stall).

A datapath built from SDF parts is a chain of registers and delay lines in
which every sample moves one *slot* per clock-enabled cycle; each part knows
where in the frame a sample is from its phase counter.  This controller turns
such a datapath into a valid/ready stream component:

* ``adv`` (the datapath's clock enable) is high when the output FIFO has
  room and either a sample is accepted or the pipeline is draining.  It never
  depends on the output's ``ready`` combinationally (the FIFO decouples it).
* Samples are never dropped, duplicated or reordered: the datapath only moves
  when a sample is accepted, so a stall anywhere freezes it in place.
* Draining: when the input is idle at a frame boundary for more than
  ``drain_after`` cycles while samples are in flight, the controller advances
  the pipeline with bubbles (``ready`` low) until every real sample has come
  out, then pulses ``clr`` (a soft reset of the datapath's counters), so the
  next frame starts in phase.
* Validity: after ``clr`` the real slots form a prefix of the slot sequence,
  so the slot at the datapath's output is valid exactly when at least
  ``latency`` advances happened and a sample is still in flight.
* In flight: outside a drain every advance takes a sample, so samples are in
  flight from the first one accepted after ``clr`` until ``latency`` - 1
  drain bubbles have entered and the next advance emits the last sample.
  ``busy`` is kept by counting those bubbles (``tail``, an up-counter reset
  by ``clr``), not by an up/down count of accepted minus emitted samples:
  one carry chain, no subtraction, no multiplexer between two.

Parameters and ports: :class:`PipelineControl`.
"""

from amaranth.hdl import Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

__all__ = ["PipelineControl", "advance", "clear", "clear_ahead"]


def advance(space, in_valid, draining):
    """``adv``: the datapath moves (a sample is accepted, or it drains).
    Written with ``&``/``|``/``~`` only, so that it evaluates on Amaranth
    values and on 0/1 integers (a LUT's truth table) alike."""
    return space & (in_valid | draining)


def clear(draining, busy):
    """``clr``: the drain is complete (nothing in flight); same form as
    :func:`advance`."""
    return draining & ~busy


def clear_ahead(draining, space, tail_end, busy):
    """``clr`` of the next cycle, from this cycle's flags (cycles_per_sample
    1): a drain advance (``space & draining``) that takes the last bubble
    (``tail_end``) while a sample is in flight (``busy``) clears ``busy``,
    and ``draining & ~busy`` holds in the next cycle exactly then (draining
    starts only while ``busy``, and ``clr`` ends it; no accept while
    draining).  Same form as :func:`advance`."""
    return draining & space & tail_end & busy


class PipelineControl(wiring.Component):
    """Valid/ready control of a slot pipeline (the module docstring gives
    the rules: no loss, draining, validity).

    Parameters
    ----------
    latency : int
        Slots of the pipeline, >= 1.
    frame : int
        Transfers per frame.
    drain_after : int
        Idle cycles at a frame boundary before the pipeline drains.
    frame_last : Value, optional
        Run-time frame sizes (``runtime_n`` cores): the last position (size
        - 1) of the frame the next accepted sample belongs to, at most
        ``frame`` - 1; then ``acc_last`` (a Signal attribute, not a port)
        is high when the next accepted sample is its frame's last.
        ``None``: every frame is ``frame`` transfers.
    cycles_per_sample : int
        K: the pipeline advances at most once every K cycles (``in_ready``
        and ``adv`` stay low for K - 1 cycles after each advance: a
        down-counter and its registered zero flag).  1: no such logic.

    Attributes
    ----------
    in_valid : In(1)
        The input stream's ``valid``.
    space : In(1)
        The output FIFO can take a word this cycle.
    in_ready : Out(1)
        The input stream's ``ready``.
    accept : Out(1)
        A sample is taken this cycle.
    adv : Out(1)
        Clock enable of the datapath.
    clr : Out(1)
        Soft reset of the datapath (has priority over ``adv``).
    out_valid : Out(1)
        The datapath's output slot holds a real sample.
    emit : Out(1)
        That sample is written to the output FIFO this cycle.
    first_in : Out(1)
        The next accepted sample is the first of a frame.
    out_first, out_last : Out(1)
        The emitted sample is the first/last of a frame.
    draining, busy : Out(1)
        The flag registers ``clr`` and ``adv`` are computed from (with
        ``space`` and ``in_valid``: :func:`advance`, :func:`clear`), for
        copies of them computed next to their far loads.
    tail_end : Out(1)
        The next drain advance takes the last bubble (with ``draining``,
        ``space`` and ``busy``: :func:`clear_ahead`, ``clr`` a cycle early).

    Latency: combinational (its outputs are a LUT or two from its flag
    registers); a sample accepted with ``adv`` reaches the output slot
    ``latency`` advances later.  No data path, no bit growth.
    """
    in_valid: In(1)
    space: In(1)
    in_ready: Out(1)
    accept: Out(1)
    adv: Out(1)
    clr: Out(1)
    out_valid: Out(1)
    emit: Out(1)
    first_in: Out(1)
    out_first: Out(1)
    out_last: Out(1)
    draining: Out(1)
    busy: Out(1)
    tail_end: Out(1)

    def __init__(self, latency: int, frame: int, drain_after: int, frame_last=None, cycles_per_sample: int = 1):
        if latency < 1:
            raise ValueError(f"latency must be >= 1, got {latency}")
        self.cycles_per_sample = cycles_per_sample
        self.latency = latency
        self.frame = frame
        self.drain_after = drain_after
        self.frame_last = frame_last
        if frame_last is not None:
            self.acc_last = Signal(name="acc_last")
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        lat, n = self.latency, self.frame
        acc_pos = Signal(range(n), name="acc_pos")
        out_pos = Signal(range(n), name="out_pos")
        t_sat = Signal(range(lat + 1), name="t_sat")
        tail = Signal(range(lat + 1), name="tail")
        draining = self.draining          # flag registers, also ports
        idle = Signal(range(self.drain_after + 1), name="idle")
        # Registered flags derived from the counters, so that the signals the
        # whole datapath waits on (adv, emit) are a LUT or two from
        # flip-flops: full = (t_sat == lat), tail_end = (tail == lat - 1),
        # busy = (a sample is in flight), first_in = (acc_pos == 0),
        # out_first/out_last from out_pos.
        full = Signal(name="full")
        tail_end = Signal(init=int(lat == 1), name="tail_end_q")
        busy = self.busy
        acc_zero = Signal(init=1, name="acc_zero")
        out_zero = Signal(init=1, name="out_zero")
        out_end = Signal(init=int(n == 1), name="out_end")

        # at most one advance every K cycles: a counter of the cycles left
        # since the last one and its registered zero flag (K = 1: always 1)
        k = self.cycles_per_sample
        in_ready, adv = self.space & ~draining, advance(self.space, self.in_valid, draining)
        if k > 1:
            slot_free = Signal(init=1, name="slot_free")
            wait = Signal(range(k), name="wait")
            with m.If(self.adv):
                m.d.sync += [wait.eq(k - 1), slot_free.eq(0)]
            with m.Elif(~slot_free):
                m.d.sync += [wait.eq(wait - 1), slot_free.eq(wait == 1)]
            in_ready, adv = in_ready & slot_free, adv & slot_free
        m.d.comb += [
            self.in_ready.eq(in_ready),
            self.accept.eq(self.in_valid & self.in_ready),
            self.adv.eq(adv),   # = space & (accept | draining)
            self.out_valid.eq(full & busy),
            self.emit.eq(self.adv & self.out_valid),
            self.clr.eq(clear(draining, busy)),
            self.first_in.eq(acc_zero),
            self.out_first.eq(out_zero),
            self.out_last.eq(out_end),
            self.tail_end.eq(tail_end),
        ]
        # busy: set by an accept; cleared by the advance that takes the
        # latency-th drain bubble in, which emits the last sample in flight
        # (drain advances take no sample: in_ready is low while draining)
        with m.If(self.accept):
            m.d.sync += busy.eq(1)
        with m.Elif(self.adv & draining & tail_end):
            m.d.sync += busy.eq(0)
        def step(pos):                    # pos + 1 modulo the frame
            return pos + 1 if n & (n - 1) == 0 else Mux(pos == n - 1, 0, pos + 1)

        if self.frame_last is None:
            with m.If(self.accept):
                m.d.sync += [acc_pos.eq(step(acc_pos)), acc_zero.eq(acc_pos == n - 1)]
        else:                             # run-time frame sizes
            m.d.comb += self.acc_last.eq(acc_pos == self.frame_last)
            with m.If(self.accept):
                m.d.sync += [acc_pos.eq(Mux(self.acc_last, 0, acc_pos + 1)), acc_zero.eq(self.acc_last)]
        with m.If(self.emit):
            m.d.sync += [out_pos.eq(step(out_pos)), out_zero.eq(out_pos == n - 1),
                         out_end.eq(out_pos == (n - 2) % n)]
        with m.If(self.clr):
            m.d.sync += [t_sat.eq(0), full.eq(0), draining.eq(0), tail.eq(0), tail_end.eq(int(lat == 1))]
        with m.Else():
            with m.If(self.adv & ~full):
                m.d.sync += [t_sat.eq(t_sat + 1), full.eq(t_sat == lat - 1)]
            # drain bubbles; at most lat of them before clr (busy clears at
            # lat - 1, clr follows), so tail never wraps
            with m.If(self.adv & draining):
                m.d.sync += [tail.eq(tail + 1), tail_end.eq(tail == lat - 2)]

        idle_at_boundary = ~draining & acc_zero & ~self.in_valid & busy
        with m.If(idle_at_boundary):
            with m.If(idle >= self.drain_after):
                m.d.sync += [draining.eq(1), idle.eq(0)]
            with m.Else():
                m.d.sync += idle.eq(idle + 1)
        with m.Else():
            m.d.sync += idle.eq(0)
        return m
