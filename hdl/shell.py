"""Stream shell: what turns a slot pipeline into a valid/ready stream core.

Every core kind (FFT, filter, FFTNet) is a slot pipeline (no valid/ready,
one global clock enable) wrapped by the same shell; this module is its one
place:

* a :class:`~fftforge.hdl.control.PipelineControl` for the pipeline's
  latency and frame;
* the datapath's clock enable and soft reset **registered** (``adv_q``,
  ``clr_q``): the datapath runs ``ce_latency`` cycles behind its controller
  (:func:`~fftforge.config.ce_register_latency`: one, two from
  :data:`~fftforge.config.FAR_ENABLE_MIN_LANES` lanes on), so the net that
  reaches every register, multiplier and block RAM starts at a flip-flop.  Each
  part takes the enable and the clear through :func:`add_part`, the clear
  from :class:`DatapathClear` (on ECP5 registers of its own, placed by the
  part -- a chain fed from ``clr`` a cycle ahead, so that the route from
  the controller takes two cycles or more -- instead of one register and an
  OR with ``rst`` reaching across the chip), and so does the enable
  (:class:`DatapathEnable`: on ECP5 a LUT and register of its own per part,
  computed from the controller's inputs, not one register whose net
  reaches every part; at two cycles behind, a second flip-flop per part);
* the input payload registered every cycle (``inreg``, no enable, through
  ``ce_latency`` registers): the datapath takes it ``ce_latency`` cycles
  later exactly when it was accepted; every other value the controller's
  side hands to the datapath goes through the same delay
  (``to_datapath``);
* the output FIFO (:func:`~fftforge.config.output_fifo_depth` words: two of
  skid, the writes in flight behind the registered enable, and one that
  lets the free-space flag ignore the controller's current ``emit``),
  written with ``emit_q`` (the controller's ``emit`` ``ce_latency`` cycles
  later, with the datapath's word), and its free space kept in a register
  (``space_q``, a function of the FIFO's state and the writes in flight
  only), so that ``ready`` and the enable start one LUT from flip-flops;
* the sticky per-frame overflow flag.

Latency: ``pipeline_latency + ce_latency + OUTPUT_LATENCY``
(:func:`~fftforge.config.shell_latency`); capacity ``pipeline_latency +
output_fifo_depth(ce_latency)`` (:func:`~fftforge.config.shell_capacity`;
proven by ``fftforge prove``).
"""

import types

from amaranth.hdl import EnableInserter, ResetInserter, Signal, Value
from amaranth.lib.fifo import SyncFIFO

from fftforge.config import CE_REGISTER_LATENCY, output_fifo_depth
from fftforge.hdl.control import PipelineControl, advance, clear_ahead
from fftforge.hdl.prims import register_copy

__all__ = ["stream_shell", "DatapathClear", "DatapathEnable", "add_part", "sync_enabled", "delay"]


class DatapathClear:
    """The datapath's soft clear, as each of its parts takes it.

    The controller's ``clr`` registered: ``q`` (``clr_q``, one shared
    register) or, on targets where :func:`~fftforge.hdl.prims.register_copy`
    gives one, a copy of that register per part, so that no single net from
    one flip-flop (and its OR with the domain's ``rst``) spans the core: at
    one cycle per sample ``hops`` + 1 flip-flops of the part's own
    (:func:`~fftforge.hdl.prims.register_copy` of
    :func:`~fftforge.hdl.control.clear_ahead`: ``clr`` known a cycle early
    from the controller's flags, then registered ``hops`` + 1 times), so
    that the route from the controller to a far part spans two cycles or
    more.  At more than one cycle per sample (where the shell keeps one
    shared register on every target) ``q``.

    Parameters
    ----------
    ctl : PipelineControl
    q : Signal
        ``clr_q``.
    space : Signal
        The controller's ``space`` input (``space_q``).
    target : str
        Synthesis target (``"generic"``, ``"ecp5"``, ``"ice40"``).
    hops : int
        Cycles from the controller's ``clr`` to ``q`` (the shell's
        ``ce_latency``).
    """

    def __init__(self, ctl, q, space, target: str, hops: int = CE_REGISTER_LATENCY):
        self.ctl, self.q, self.space, self.target, self.hops = ctl, q, space, target, hops

    def copy(self, m, name: str):
        """``clr_q`` for one part: registers of its own added to ``m``
        where the target has them, else ``q``."""
        ctl = self.ctl
        if ctl.cycles_per_sample > 1:      # (clear_ahead holds at one cycle per sample only)
            return self.q
        r = register_copy(m, clear_ahead, [ctl.draining, self.space, ctl.tail_end, ctl.busy],
                          target=self.target, name=name, stages=self.hops + 1)
        return self.q if r is None else r


class DatapathEnable:
    """The datapath's clock enable, as each of its parts takes it.

    ``adv_q`` (one shared register) or, on targets where
    :func:`~fftforge.hdl.prims.register_copy` gives one, a copy per part: a
    LUT computing :func:`~fftforge.hdl.control.advance` from the registers
    and port it depends on (``space_q``, the input ``valid``, the
    controller's ``draining``) and a flip-flop (``hops`` flip-flops in a
    chain), placed by the part it serves, so that no one net from one
    flip-flop reaches every clock enable of a large core (FFTNet N = 256:
    ``adv_q`` -> a far butterfly, 7.73 ns of routing, 1 logic element).

    Parameters
    ----------
    q : Signal
        ``adv_q``.
    inputs : list of Signal
        The inputs of :func:`~fftforge.hdl.control.advance`.
    target : str
    hops : int
        Cycles from the controller's ``adv`` to ``q`` (the shell's
        ``ce_latency``).
    """

    def __init__(self, q, inputs, target: str, hops: int = CE_REGISTER_LATENCY):
        self.q, self.inputs, self.target, self.hops = q, list(inputs), target, hops

    @property
    def replicated(self) -> bool:
        """Each part gets a copy of its own (the target has
        :func:`~fftforge.hdl.prims.register_copy`)."""
        return self.target == "ecp5"

    def copy(self, m, name: str):
        """The enable for one part: a register of its own added to ``m``
        where :attr:`replicated`, else ``q``."""
        r = register_copy(m, advance, self.inputs, target=self.target, name=name, stages=self.hops)
        return self.q if r is None else r


def sync_enabled(m, ce, stmts):
    """Add ``stmts`` to ``m``'s sync domain under the datapath's clock enable
    ``ce`` (``None``: every cycle): a datapath's own registers, beside the
    parts it adds with :func:`add_part`."""
    if ce is None:
        m.d.sync += stmts
    else:
        with m.If(ce):
            m.d.sync += stmts


def add_part(m, name: str, part, *, ce=None, clr=None):
    """Add ``part`` to ``m`` as submodule ``name``, moving under the
    datapath's clock enable ``ce`` (an ``EnableInserter``) and cleared by
    ``clr`` (a ``ResetInserter`` outside the enable: the clear acts whether
    or not the part moves in that cycle, like a reset, so that synthesis
    maps it to the flip-flops' synchronous reset).  ``None``: no enable / no
    clear."""
    if ce is not None:
        part = EnableInserter(ce)(part)
    if clr is not None:
        part = ResetInserter(clr)(part)
    m.submodules[name] = part


def delay(m, value, cycles: int, name: str):
    """``value`` registered ``cycles`` times (every cycle, no enable), added
    to ``m``; the last register is named ``name`` (the others ``name_d1``,
    ...).  ``cycles`` 0: ``value`` itself."""
    if isinstance(value, int):
        value = Value.cast(value)
    for k in range(1, cycles + 1):
        r = Signal(value.shape(), name=name if k == cycles else f"{name}_d{k}")
        m.d.sync += r.eq(value)
        value = r
    return value


def stream_shell(m, i, o, *, latency: int, frame: int, drain_after: int, out_layout, target: str = "generic",
                 frame_last=None, cycles_per_sample: int = 1, ce_latency: int = CE_REGISTER_LATENCY):
    """Add the shell around a slot pipeline of ``latency`` slots to ``m``.

    Parameters
    ----------
    m : Module
    i, o : the core's input and output stream interfaces
    latency, frame, drain_after :
        For the :class:`~fftforge.hdl.control.PipelineControl`.
    out_layout :
        The output payload's layout (the FIFO's word).
    target : str
        Synthesis target, for the datapath's clear (:class:`DatapathClear`).
    frame_last : Value, optional
        Run-time frame sizes: the controller's ``frame_last``
        (:class:`~fftforge.hdl.control.PipelineControl`).
    cycles_per_sample : int
        The pipeline advances at most once every that many cycles
        (:class:`~fftforge.hdl.control.PipelineControl`); above 1 the enable
        is one shared register on every target (no per-part copies: those
        compute the enable without the controller's rate limit).
    ce_latency : int
        Cycles the datapath runs behind the controller (the config's
        ``ce_latency``, :func:`~fftforge.config.ce_register_latency`).

    Returns
    -------
    A namespace with ``ctl`` (the controller), ``adv_q``, ``clr_q`` (the
    datapath's enable and soft reset), ``clear`` and ``enable`` (the
    :class:`DatapathClear` and :class:`DatapathEnable` its parts take), ``inreg`` (the registered input
    payload), ``emit_q``, ``last_q``, ``first_q`` (the word at the datapath
    output is written this cycle, and is the last / first of its frame),
    ``out`` (a ``Signal(out_layout)`` the caller drives: the FIFO's word),
    ``to_datapath(value, name, cycles=ce_latency)`` (a value of the
    controller's side registered into the datapath's time: :func:`delay`)
    and ``overflow(flags, first=None)`` (the sticky per-frame flag of the
    output word, given the ``ovf`` tags of its lanes and, for run-time
    frame sizes, whether it is its frame's first; call it once).
    """
    if ce_latency < 1:
        raise ValueError(f"ce_latency must be >= 1, got {ce_latency}")
    m.submodules.ctl = ctl = PipelineControl(latency, frame, drain_after, frame_last, cycles_per_sample)
    if cycles_per_sample > 1:
        target = "generic"                # (one shared enable and clear register)

    def to_datapath(value, name, cycles=ce_latency):
        return delay(m, value, cycles, name)

    clr_q = to_datapath(ctl.clr, "clr_q")
    depth = output_fifo_depth(ce_latency)
    m.submodules.fifo = fifo = SyncFIFO(width=out_layout.size, depth=depth)

    # room for one more word once the writes in flight land: next cycle's
    # level (the write of emit_q landed, this cycle's read gone) plus the
    # younger writes in flight, plus this cycle's emit, counted as if it
    # always happened (one word of the FIFO pays for it), so that the flag
    # depends on the FIFO's own state and the shell's registers only and
    # not on the controller's late emit: no loop from the flag through the
    # controller back to it.
    in_flight = []                        # emit_q_d1, ..., emit_q: the writes in flight
    e = ctl.emit
    for k in range(1, ce_latency + 1):
        e = delay(m, e, 1, "emit_q" if k == ce_latency else f"emit_q_d{k}")
        in_flight.append(e)
    emit_q = e
    space_q = Signal(init=1, name="space_q")
    read = fifo.r_en & fifo.r_rdy
    level_next = Signal(range(depth + ce_latency + 1), name="level_next")
    m.d.comb += level_next.eq(sum(in_flight, fifo.level) - read)
    m.d.sync += space_q.eq(level_next < depth - 1)

    # the datapath's enable (on ECP5 its own LUT and flip-flop(s), not the
    # LUT the controller's loop shares: register_copy)
    adv_inputs = [space_q, i.valid, ctl.draining]
    adv_q = register_copy(m, advance, adv_inputs, target=target, name="adv_q", stages=ce_latency)
    if adv_q is None:
        adv_q = to_datapath(ctl.adv, "adv_q")
    m.d.comb += [
        ctl.in_valid.eq(i.valid),
        i.ready.eq(ctl.in_ready),
        ctl.space.eq(space_q),
    ]
    inreg = to_datapath(i.payload, "inreg")
    last_q, first_q = to_datapath(ctl.out_last, "last_q"), to_datapath(ctl.out_first, "first_q")
    out = Signal(out_layout, name="out")
    m.d.comb += [
        fifo.w_data.eq(out),
        fifo.w_en.eq(emit_q),
        o.valid.eq(fifo.r_rdy),
        o.payload.eq(fifo.r_data),
        fifo.r_en.eq(o.ready),
    ]

    def overflow(flags, first=None):
        acc = Signal(name="ovf_acc")
        flag = acc & ~(first_q if first is None else first)
        for f in flags:
            flag = flag | f
        with m.If(emit_q):
            m.d.sync += acc.eq(flag)
        return flag

    return types.SimpleNamespace(ctl=ctl, adv_q=adv_q, clr_q=clr_q,
                                 clear=DatapathClear(ctl, clr_q, space_q, target, ce_latency),
                                 enable=DatapathEnable(adv_q, adv_inputs, target, ce_latency),
                                 inreg=inreg, emit_q=emit_q, to_datapath=to_datapath,
                                 last_q=last_q, first_q=first_q, out=out, overflow=overflow)
