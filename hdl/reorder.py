"""Bit-reversed to natural order reorder buffer (one N-word memory).

Twin of :func:`fftforge.pyref.reorder.reorder`.

Each slot reads a word and writes the incoming one at the same address
(read-before-write).  The address runs in natural order in even frames and
bit-reversed order in odd frames, so one frame is read out in natural order
while the next is written, with a single N-word buffer.

Ports
-----
i : In(word(width))     bins in bit-reversed order
o : Out(word(width))    bins in natural order
Latency N + 1 slots.  No bit growth.
"""

from amaranth.hdl import Cat, Module, Mux
from amaranth.lib import memory, wiring
from amaranth.lib.wiring import In, Out

from .phase import phase_counter
from .word import word_layout

__all__ = ["BitReverseReorder"]


class BitReverseReorder(wiring.Component):
    def __init__(self, part, tags=("ovf",)):
        if part.kind != "reorder":
            raise ValueError(f"BitReverseReorder needs a reorder part, got {part.kind}")
        self.part = part
        self.tags = tuple(tags)
        super().__init__({
            "i": In(word_layout(part.width_in, tags)),
            "o": Out(word_layout(part.width_out, tags)),
        })

    def elaborate(self, platform):
        m = Module()
        n = self.part.period
        k = n.bit_length() - 1
        cnt = phase_counter(m, 2 * n, self.part.offset)
        idx = cnt[:k]
        odd = cnt[k]
        rev = Cat(*(idx[b] for b in reversed(range(k))))
        m.submodules.mem = mem = memory.Memory(shape=word_layout(self.part.width_in, self.tags), depth=n, init=[])
        wp = mem.write_port()
        rp = mem.read_port(transparent_for=())
        addr = Mux(odd, rev, idx)
        m.d.comb += [
            wp.addr.eq(addr), wp.data.eq(self.i), wp.en.eq(1),
            rp.addr.eq(addr), rp.en.eq(1),
            self.o.eq(rp.data),
        ]
        return m
