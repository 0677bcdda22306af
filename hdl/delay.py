"""Delay line: the output is the input ``depth`` clock-enabled cycles ago.

Parameters and ports: :class:`DelayLine`.

Latency ``depth``.  Below :data:`MEMORY_MIN_DEPTH` it is a register chain;
from there on a ``depth - 1`` word circular buffer read one address ahead of
the write (so a read never meets the write of the same cycle) with a
registered, pipelined read (:data:`~fftforge.hdl.prims.RAM_LATENCY` = 2
cycles: ``depth - 1 - 1 + 2 = depth``).  Under an ``EnableInserter`` the
whole line stalls with it.
"""

from amaranth.hdl import Module
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from fftforge.hdl.phase import phase_counter
from fftforge.hdl.prims import RAM_LATENCY, DelayRAM
from fftforge.hdl.word import data_reg

__all__ = ["DelayLine", "MEMORY_MIN_DEPTH"]

MEMORY_MIN_DEPTH = 16


class DelayLine(wiring.Component):
    """``o`` = ``i`` ``depth`` enabled cycles ago (registers, or a circular
    buffer in a :class:`~fftforge.hdl.prims.DelayRAM`).

    Parameters
    ----------
    shape : shape-castable
        Word shape.
    depth : int
        Delay in enabled cycles, >= 0.
    target, ce :
        Synthesis target and the pipeline's clock enable, passed to
        :class:`~fftforge.hdl.prims.DelayRAM` (see :mod:`fftforge.hdl.prims`).
    memory_from : int
        Depth from which the line is a memory (default
        :data:`MEMORY_MIN_DEPTH`); a memory shallower than that is forced
        into block RAM (``ram_style = "block"``: registers cost a logic
        cell per bit on iCE40).
    lean : bool
        The memory carries ``no_rw_check`` (:class:`~fftforge.hdl.prims.DelayRAM`):
        the line reads one address ahead of the write, never the one
        being written; and its read is not registered again (latency 1:
        a ``depth``-word buffer).

    Attributes
    ----------
    i : In(shape)
        Word in, every enabled cycle.
    o : Out(shape)
        ``i`` of ``depth`` enabled cycles earlier.

    Latency ``depth`` enabled cycles; no bit growth.
    """
    def __init__(self, shape, depth: int, *, target: str = "generic", ce=None, memory_from: int = MEMORY_MIN_DEPTH,
                 lean: bool = False):
        if depth < 0:
            raise ValueError(f"depth must be >= 0, got {depth}")
        self.memory_from = memory_from      # below MEMORY_MIN_DEPTH: forced into block RAM
        self.lean = lean
        self.depth = depth
        self._shape = shape
        self.target, self.ce = target, ce
        super().__init__({"i": In(shape), "o": Out(shape)})

    def elaborate(self, platform):
        m = Module()
        d = self.depth
        if d == 0:
            m.d.comb += self.o.eq(self.i)
        elif d < max(self.memory_from, RAM_LATENCY + 1):
            prev = self.i
            for k in range(d):
                reg = data_reg(self._shape, name=f"tap{k}")
                m.d.sync += reg.eq(prev)
                prev = reg
            m.d.comb += self.o.eq(prev)
        else:
            lat = 1 if self.lean else RAM_LATENCY       # (lean: no register after the block RAM's read)
            words = d + 1 - lat
            m.submodules.mem = mem = DelayRAM(self._shape, words, target=self.target, ce=self.ce,
                                              block=d < MEMORY_MIN_DEPTH, no_rw_check=self.lean, latency=lat)
            # two counters, the read one a word ahead: the read address
            # comes straight from a register (no wrap compare and mux in
            # front of a LUT RAM's asynchronous read)
            waddr = phase_counter(m, words, name="waddr")
            raddr = phase_counter(m, words, -1, name="raddr")
            m.d.comb += [
                mem.waddr.eq(waddr), mem.wdata.eq(self.i),
                mem.raddr.eq(raddr),
                self.o.eq(mem.rdata),
            ]
        return m
