"""Stream shell: what turns a slot pipeline into a valid/ready stream core.

Every core kind (FFT, filter, FFTNet) is a slot pipeline (no valid/ready,
one global clock enable) wrapped by the same shell; this module is its one
place:

* a :class:`~fftforge.hdl.control.PipelineControl` for the pipeline's
  latency and frame;
* the datapath's clock enable and soft reset **registered** (``adv_q``,
  ``clr_q``): the datapath runs one cycle behind its controller
  (:data:`~fftforge.config.CE_REGISTER_LATENCY`), so the net that reaches
  every register, multiplier and block RAM starts at a flip-flop.  Each
  part takes the enable and the clear through :func:`add_part`, the clear
  from :class:`DatapathClear` (on ECP5 registers of its own, placed by the
  part -- two, fed from ``clr`` a cycle ahead, so that the route from the
  controller takes two cycles -- instead of one register and an OR with
  ``rst`` reaching across the chip), and so does the enable (:class:`DatapathEnable`: on ECP5 a LUT and
  register of its own per part, computed from the controller's inputs, not
  one register whose net reaches every part);
* the input payload registered every cycle (``inreg``, no enable): the
  datapath takes it one cycle later exactly when it was accepted;
* the output FIFO (:data:`~fftforge.config.OUTPUT_FIFO_DEPTH` words: two of
  skid, the write in flight behind the registered enable, and one that lets
  the free-space flag ignore the controller's current ``emit``), written
  with ``emit_q`` (the controller's ``emit`` one cycle later, with the
  datapath's word), and its free space kept in a register (``space_q``, a
  function of the FIFO's state only), so that ``ready`` and the enable start
  one LUT from flip-flops;
* the sticky per-frame overflow flag.

Latency: ``pipeline_latency + CE_REGISTER_LATENCY + OUTPUT_LATENCY``;
capacity ``pipeline_latency + OUTPUT_FIFO_DEPTH`` (proven by ``fftforge
prove``).
"""

import types

from amaranth.hdl import EnableInserter, ResetInserter, Signal
from amaranth.lib.fifo import SyncFIFO

from fftforge.config import OUTPUT_FIFO_DEPTH
from fftforge.hdl.control import PipelineControl, advance, clear_ahead
from fftforge.hdl.prims import register_copy, register_copy_ahead

__all__ = ["stream_shell", "DatapathClear", "DatapathEnable", "add_part", "sync_enabled", "BROADCAST_REGISTERS"]

#: The shell's registers that every part's enable and clear copy reads
#: (:class:`DatapathEnable`, :class:`DatapathClear`), by their names in the
#: flattened netlist of a core whose top module holds the shell: the nets
#: that reach across the whole core.  The FPGA flow pins them at the die's
#: centre (:mod:`fftforge.fpga.floorplan`), in this order.  They are the
#: ``inputs`` of both copies less the input port's ``valid``
#: (``tests/hdl/test_shell.py`` checks it).
BROADCAST_REGISTERS = ("ctl.busy", "space_q", "ctl.draining", "ctl.tail_end")


class DatapathClear:
    """The datapath's soft clear, as each of its parts takes it.

    The controller's ``clr`` registered: ``q`` (``clr_q``, one shared
    register) or, on targets where :func:`~fftforge.hdl.prims.register_copy`
    gives one, a copy of that register per part, so that no single net from
    one flip-flop (and its OR with the domain's ``rst``) spans the core: at
    one cycle per sample two flip-flops of the part's own
    (:func:`~fftforge.hdl.prims.register_copy_ahead` of
    :func:`~fftforge.hdl.control.clear_ahead`: ``clr`` known a cycle early
    from the controller's flags, then registered twice), so that the route
    from the controller to a far part spans two cycles.  At more than one
    cycle per sample (where the shell keeps one shared register on every
    target) ``q``.

    Parameters
    ----------
    ctl : PipelineControl
    q : Signal
        ``clr_q``.
    space : Signal
        The controller's ``space`` input (``space_q``).
    target : str
        Synthesis target (``"generic"``, ``"ecp5"``, ``"ice40"``).
    """

    def __init__(self, ctl, q, space, target: str):
        self.ctl, self.q, self.target = ctl, q, target
        #: the registers :func:`~fftforge.hdl.control.clear_ahead` reads
        self.inputs = [ctl.draining, space, ctl.tail_end, ctl.busy]

    def copy(self, m, name: str):
        """``clr_q`` for one part: registers of its own added to ``m``
        where the target has them, else ``q``."""
        ctl = self.ctl
        if ctl.cycles_per_sample > 1:      # (clear_ahead holds at one cycle per sample only)
            return self.q
        r = register_copy_ahead(m, clear_ahead, self.inputs, target=self.target, name=name)
        return self.q if r is None else r


class DatapathEnable:
    """The datapath's clock enable, as each of its parts takes it.

    ``adv_q`` (one shared register) or, on targets where
    :func:`~fftforge.hdl.prims.register_copy` gives one, a copy per part: a
    LUT computing :func:`~fftforge.hdl.control.advance` from the registers
    and port it depends on (``space_q``, the input ``valid``, the
    controller's ``draining``) and a flip-flop, placed by the part it
    serves, so that no one net from one flip-flop reaches every clock
    enable of a large core (FFTNet N = 256: ``adv_q`` -> a far butterfly,
    7.73 ns of routing, 1 logic element).

    Parameters
    ----------
    q : Signal
        ``adv_q``.
    inputs : list of Signal
        The inputs of :func:`~fftforge.hdl.control.advance`.
    target : str
    """

    def __init__(self, q, inputs, target: str):
        self.q, self.inputs, self.target = q, list(inputs), target

    @property
    def replicated(self) -> bool:
        """Each part gets a copy of its own (the target has
        :func:`~fftforge.hdl.prims.register_copy`)."""
        return self.target == "ecp5"

    def copy(self, m, name: str):
        """The enable for one part: a register of its own added to ``m``
        where :attr:`replicated`, else ``q``."""
        r = register_copy(m, advance, self.inputs, target=self.target, name=name)
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


def stream_shell(m, i, o, *, latency: int, frame: int, drain_after: int, out_layout, target: str = "generic",
                 frame_last=None, cycles_per_sample: int = 1):
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

    Returns
    -------
    A namespace with ``ctl`` (the controller), ``adv_q``, ``clr_q`` (the
    datapath's enable and soft reset), ``clear`` and ``enable`` (the
    :class:`DatapathClear` and :class:`DatapathEnable` its parts take), ``inreg`` (the registered input
    payload), ``emit_q``, ``last_q``, ``first_q`` (the word at the datapath
    output is written this cycle, and is the last / first of its frame),
    ``out`` (a ``Signal(out_layout)`` the caller drives: the FIFO's word)
    and ``overflow(flags, first=None)`` (the sticky per-frame flag of the
    output word, given the ``ovf`` tags of its lanes and, for run-time
    frame sizes, whether it is its frame's first; call it once).
    """
    m.submodules.ctl = ctl = PipelineControl(latency, frame, drain_after, frame_last, cycles_per_sample)
    if cycles_per_sample > 1:
        target = "generic"                # (one shared enable and clear register)
    clr_q = Signal(name="clr_q")
    m.d.sync += clr_q.eq(ctl.clr)
    m.submodules.fifo = fifo = SyncFIFO(width=out_layout.size, depth=OUTPUT_FIFO_DEPTH)

    # room for one more word once the writes in flight land: next cycle's
    # level (the write of emit_q landed, this cycle's read gone) plus this
    # cycle's emit, counted as if it always happened (one word of the FIFO
    # pays for it), so that the flag depends on the FIFO's own state only
    # and not on the controller's late emit: no loop from the flag through
    # the controller back to it.
    emit_q = Signal(name="emit_q")
    space_q = Signal(init=1, name="space_q")
    read = fifo.r_en & fifo.r_rdy
    level_next = Signal(range(OUTPUT_FIFO_DEPTH + 2), name="level_next")
    m.d.comb += level_next.eq(fifo.level + emit_q - read)
    m.d.sync += space_q.eq(level_next < OUTPUT_FIFO_DEPTH - 1)

    # the datapath's enable (on ECP5 its own LUT and flip-flop, not the LUT
    # the controller's loop shares: register_copy)
    adv_inputs = [space_q, i.valid, ctl.draining]
    adv_q = register_copy(m, advance, adv_inputs, target=target, name="adv_q")
    if adv_q is None:
        adv_q = Signal(name="adv_q")
        m.d.sync += adv_q.eq(ctl.adv)
    m.d.comb += [
        ctl.in_valid.eq(i.valid),
        i.ready.eq(ctl.in_ready),
        ctl.space.eq(space_q),
    ]
    inreg = Signal(i.payload.shape(), name="inreg")
    m.d.sync += inreg.eq(i.payload)

    last_q, first_q = Signal(name="last_q"), Signal(name="first_q")
    m.d.sync += [emit_q.eq(ctl.emit), last_q.eq(ctl.out_last), first_q.eq(ctl.out_first)]
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

    return types.SimpleNamespace(ctl=ctl, adv_q=adv_q, clr_q=clr_q, clear=DatapathClear(ctl, clr_q, space_q, target),
                                 enable=DatapathEnable(adv_q, adv_inputs, target),
                                 inreg=inreg, emit_q=emit_q,
                                 last_q=last_q, first_q=first_q, out=out, overflow=overflow)
