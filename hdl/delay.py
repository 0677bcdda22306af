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

    Attributes
    ----------
    i : In(shape)
        Word in, every enabled cycle.
    o : Out(shape)
        ``i`` of ``depth`` enabled cycles earlier.

    Latency ``depth`` enabled cycles; no bit growth.
    """
    def __init__(self, shape, depth: int, *, target: str = "generic", ce=None):
        if depth < 0:
            raise ValueError(f"depth must be >= 0, got {depth}")
        self.depth = depth
        self._shape = shape
        self.target, self.ce = target, ce
        super().__init__({"i": In(shape), "o": Out(shape)})

    def elaborate(self, platform):
        m = Module()
        d = self.depth
        if d == 0:
            m.d.comb += self.o.eq(self.i)
        elif d < MEMORY_MIN_DEPTH:
            prev = self.i
            for k in range(d):
                reg = data_reg(self._shape, name=f"tap{k}")
                m.d.sync += reg.eq(prev)
                prev = reg
            m.d.comb += self.o.eq(prev)
        else:
            words = d + 1 - RAM_LATENCY
            m.submodules.mem = mem = DelayRAM(self._shape, words, target=self.target, ce=self.ce)
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
