"""Delay line: the output is the input ``depth`` clock-enabled cycles ago.

Ports
-----
i : In(shape)
o : Out(shape)

Latency ``depth``.  Below :data:`MEMORY_MIN_DEPTH` it is a register chain;
from there on a ``depth - 1`` word memory with a synchronous,
read-before-write port at the write address (the port's data register is the
last delay).  Under an ``EnableInserter`` the whole line stalls with it.
"""

from amaranth.hdl import Module, Signal
from amaranth.lib import memory, wiring
from amaranth.lib.wiring import In, Out

from .phase import phase_counter

__all__ = ["DelayLine", "MEMORY_MIN_DEPTH"]

MEMORY_MIN_DEPTH = 16


class DelayLine(wiring.Component):
    def __init__(self, shape, depth: int):
        if depth < 0:
            raise ValueError(f"depth must be >= 0, got {depth}")
        self.depth = depth
        self._shape = shape
        super().__init__({"i": In(shape), "o": Out(shape)})

    def elaborate(self, platform):
        m = Module()
        d = self.depth
        if d == 0:
            m.d.comb += self.o.eq(self.i)
        elif d < MEMORY_MIN_DEPTH:
            prev = self.i
            for k in range(d):
                reg = Signal(self._shape, name=f"tap{k}")
                m.d.sync += reg.eq(prev)
                prev = reg
            m.d.comb += self.o.eq(prev)
        else:
            m.submodules.mem = mem = memory.Memory(shape=self._shape, depth=d - 1, init=[])
            wp = mem.write_port()
            rp = mem.read_port(transparent_for=())
            addr = phase_counter(m, d - 1, name="addr")
            m.d.comb += [
                wp.addr.eq(addr), wp.data.eq(self.i), wp.en.eq(1),
                rp.addr.eq(addr), rp.en.eq(1),
                self.o.eq(rp.data),
            ]
        return m

