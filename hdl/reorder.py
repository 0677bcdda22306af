"""Bit-reversed to natural order reorder buffer (one N-word memory).

Twin of :func:`fftforge.pyref.reorder.reorder`.

Each slot reads a word and writes the incoming one at the same address
(read-before-write).  The address runs in natural order in even frames and
bit-reversed order in odd frames, so one frame is read out in natural order
while the next is written, with a single N-word buffer.

Parameters and ports: :class:`BitReverseReorder`.

Latency N + 2 slots (:data:`~fftforge.config.REORDER_LATENCY_EXTRA`: the
memory's registered read).  No bit growth.
"""

from amaranth.hdl import Array, C, Cat, Module, Mux, Signal, Value
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from fftforge.config import RAM_LATENCY
from fftforge.hdl.delay import DelayLine
from fftforge.hdl.phase import phase_counter, tag_phase
from fftforge.hdl.prims import DelayRAM, ReadModifyWriteRAM
from fftforge.hdl.word import word_assign, word_layout

__all__ = ["BitReverseReorder", "LaneReorder", "RuntimeReorder", "digit_xor"]


class BitReverseReorder(wiring.Component):
    """Bit-reversed to natural order, one N-word read-modify-write memory.

    Parameters
    ----------
    part : Part
        The ``reorder`` entry of :meth:`fftforge.config.FFTConfig.plan`.
    tags : tuple of str
        Tag bits of the word (:mod:`fftforge.hdl.word`).
    target, ce :
        See :class:`~fftforge.hdl.prims.PipelinedMultiplier`.
    lean, ovf_zero : bool
        ``lean``: a :class:`~fftforge.hdl.prims.DelayRAM` written one slot
        behind its read (``no_rw_check``: no collision logic), for iCE40 at a
        reduced rate; ``ovf_zero``: without the overflow tag (0 here).

    Attributes
    ----------
    i : In(word(part.width_in))
        Bins in bit-reversed order.
    o : Out(word(part.width_out))
        Bins in natural order.

    Latency N + 2 slots (:data:`~fftforge.config.REORDER_LATENCY_EXTRA`: the
    memory's registered read).  No bit growth.
    """
    def __init__(self, part, tags=("ovf",), *, target: str = "generic", ce=None, lean: bool = False,
                 ovf_zero: bool = False):
        if part.kind != "reorder":
            raise ValueError(f"BitReverseReorder needs a reorder part, got {part.kind}")
        self.target, self.ce = target, ce
        self.lean, self.ovf_zero = lean, ovf_zero
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
        if self.lean:
            # the write one slot behind the read (its address and word in
            # registers): a read never meets the write of its cycle (two
            # consecutive addresses differ, across frames too: N - 1, then
            # 0), so the memory needs no collision logic (no_rw_check), and
            # the overflow tag is left out where it is 0 (ovf_zero)
            kept = tuple(t for t in self.tags if not (self.ovf_zero and t == "ovf"))
            wl = word_layout(self.part.width_in, kept)
            m.submodules.mem = mem = DelayRAM(wl, n, target=self.target, ce=self.ce, no_rw_check=True)
            addr = Signal(range(n), name="addr")
            wa, wd = Signal(range(n), name="waddr_q"), Signal(wl, name="wdata_q")
            m.d.comb += addr.eq(Mux(odd, rev, idx))
            m.d.sync += [wa.eq(addr), *word_assign(wd, self.i.re, self.i.im, **{t: getattr(self.i, t) for t in kept})]
            m.d.comb += [mem.raddr.eq(addr), mem.waddr.eq(wa), mem.wdata.eq(wd),
                         *word_assign(self.o, mem.rdata.re, mem.rdata.im, **{t: getattr(mem.rdata, t) for t in kept})]
            return m
        m.submodules.mem = mem = ReadModifyWriteRAM(word_layout(self.part.width_in, self.tags), n,
                                                    target=self.target, ce=self.ce)
        m.d.comb += [
            mem.addr.eq(Mux(odd, rev, idx)), mem.wdata.eq(self.i),
            self.o.eq(mem.rdata),
        ]
        return m


def digit_xor(b: int, lanes: int) -> int:
    """XOR of the log2(lanes)-bit digits of ``b`` (from the least significant
    end): the bank that holds bin ``b`` in :class:`LaneReorder`."""
    out = 0
    while b:
        out ^= b & (lanes - 1)
        b //= lanes
    return out


def _xor_sum(terms):
    out = C(0, 1)
    for x in terms:
        out = out ^ x
    return out


def _bitrev(x: int, bits: int) -> int:
    return int(format(x, f"0{bits}b")[::-1], 2) if bits else 0


class LaneReorder(wiring.Component):
    """Bit-reversed to natural order for a P-lane stream (P > 1).

    Stream position ``n = t*P + l`` (group ``t``, lane ``l``) holds bin
    ``b = bitrev(n)``.  Bin ``b`` is stored in bank ``digit_xor(b)`` at
    address ``b // P``: the P bins of an input group (which differ in the
    top log2 P bits of ``b``) and of an output group (which differ in the
    bottom log2 P bits) always fall in P different banks, so each bank takes
    one write and one read per cycle.  Banks hold two frames (double
    buffered by frame parity); a write crossbar routes lanes to banks (its
    output registered when N > P**2: the write one slot behind, the same
    latency) and a read crossbar (select registered with the read) routes
    banks to lanes.

    Parameters
    ----------
    part : Part
        The ``reorder`` entry of a P-lane plan (``part.lanes`` >= 2).
    tags, target, ce :
        As for :class:`BitReverseReorder`.

    Attributes
    ----------
    i : In(ArrayLayout(word(width), P))
        Bins in bit-reversed stream order.
    o : Out(ArrayLayout(word(width), P))
        Bins in natural order, lane 0 lowest.

    Latency ``N/P + 2`` cycles (the banks' registered read), plus log2 P
    when the part's ``staged_crossbar`` is set (the read crossbar as log2 P
    registered stages of swaps: :func:`~fftforge.config.reorder_latency`).
    No bit growth.  Memory: P banks of ``2N/P`` words.
    """

    def __init__(self, part, tags=("ovf",), *, target: str = "generic", ce=None):
        if part.kind != "reorder":
            raise ValueError(f"LaneReorder needs a reorder part, got {part.kind}")
        self.target, self.ce = target, ce
        if part.lanes < 2:
            raise ValueError("LaneReorder needs lanes >= 2; use BitReverseReorder for one lane")
        self.part = part
        self.tags = tuple(tags)
        wl = word_layout(part.width_in, tags)
        super().__init__({
            "i": In(data.ArrayLayout(wl, part.lanes)),
            "o": Out(data.ArrayLayout(wl, part.lanes)),
        })

    def elaborate(self, platform):
        m = Module()
        n, P = self.part.period, self.part.lanes
        k, p = n.bit_length() - 1, P.bit_length() - 1
        groups = n // P
        gb = k - p                                  # bits of a group index
        wl = word_layout(self.part.width_in, self.tags)

        cnt = phase_counter(m, 2 * groups, self.part.offset)
        t = cnt[:gb] if gb else 0
        parity = cnt[gb]

        # Write side: bank(l, t) = f(l) ^ g(t), both linear over GF(2).
        # bit i of t is bit gb-1-i of bitrev(t): its weight in g
        f = [digit_xor(_bitrev(l, p) << gb, P) for l in range(P)]
        finv = [f.index(beta) for beta in range(P)]
        g_weight = [digit_xor(1 << (gb - 1 - i), P) for i in range(gb)]
        # The lane each bank writes (src) is registered from the next slot's
        # group (a counter one slot ahead), so that g's XOR tree is not in
        # front of the write address and data; its reset value is the first
        # slot's.
        cnt_next = phase_counter(m, 2 * groups, self.part.offset - 1, name="phase_next")
        t_next = cnt_next[:gb] if gb else 0
        g = Signal(range(P), name="g_next")
        m.d.comb += g.eq(_xor_sum([Mux(t_next[i], g_weight[i], 0) for i in range(gb)]))
        t0 = cnt.init % groups                      # the group of the first slot
        g0 = 0
        for i in range(gb):
            if t0 >> i & 1:
                g0 ^= g_weight[i]
        rev_t = Cat(*(t[i] for i in reversed(range(gb)))) if gb else C(0, 1)

        # Read side: output lane l' comes from bank l' ^ h(g'), h = digit_xor(g'*P).
        h = Signal(range(P), name="h")
        m.d.comb += h.eq(_xor_sum([Mux(t[i], digit_xor((1 << i) * P, P), 0) for i in range(gb)]))
        # the read crossbar's select travels with the banks' pipelined read
        m.submodules.h_delay = h_delay = DelayLine(range(P), RAM_LATENCY)
        m.d.comb += h_delay.i.eq(h)
        h_q = h_delay.o

        lanes_in = Array(Value.cast(self.i[l]) for l in range(P))
        bank_out = []
        for beta in range(P):
            mem = DelayRAM(wl, 2 * groups, target=self.target, ce=self.ce)
            m.submodules[f"bank{beta}"] = mem
            src = Signal(range(P), name=f"src{beta}", init=finv[beta ^ g0])
            with m.Switch(g):
                for gamma in range(P):
                    with m.Case(gamma):
                        m.d.sync += src.eq(finv[beta ^ gamma])
            # Address of bin b in its bank: b >> p, where b = bitrev_p(l) << gb | bitrev(t).
            top = Array(C(_bitrev(l, p), p) for l in range(P))[src]
            b = Cat(rev_t, top) if gb else top
            waddr, wdata = Cat(b[p:], parity) if gb else parity, lanes_in[src]
            if gb > p:
                # the write one slot behind (address and word registered):
                # the crossbar's P-to-1 selects and the banks' block RAMs
                # are not one path (P = 8 on ECP5: a select -> another
                # bank's RAM, 8.34 ns of mostly routing).  Safe when gb > p:
                # the last write of a frame then lands in the first slot of
                # the next, at an address whose low gb - p bits are all ones,
                # while that slot reads address 0; every other read comes
                # later still.  (gb <= p, N <= P**2: the write stays in its
                # slot, as that address would be 0.)
                wa_q = Signal(len(Value.cast(waddr)), name=f"waddr{beta}_q")
                wd_q = Signal(wl, name=f"wdata{beta}_q")
                m.d.sync += [wa_q.eq(waddr), wd_q.eq(wdata)]
                waddr, wdata = wa_q, wd_q
            m.d.comb += [
                mem.waddr.eq(waddr),
                mem.wdata.eq(wdata),
                mem.raddr.eq(Cat(t, ~parity) if gb else ~parity),
            ]
            bank_out.append(Value.cast(mem.rdata))
        if not self.part.staged_crossbar:
            banks = Array(bank_out)
            for l in range(P):
                m.d.comb += Value.cast(self.o[l]).eq(banks[h_q ^ l])
            return m
        # Staged read crossbar: l' <- bank h ^ l' as p registered stages of
        # swaps, stage i exchanging the lanes that differ in bit i when bit i
        # of h is set (h travels beside the words, a register per stage): each
        # bank's word goes to two places per stage, not to all P lanes.
        cur, h_s = bank_out, h_q
        for i in range(p):
            nxt = []
            for l in range(P):
                w = Signal(wl, name=f"xbar{i}_{l}")
                m.d.sync += w.eq(Mux(h_s[i], cur[l ^ (1 << i)], cur[l]))
                nxt.append(Value.cast(w))
            h_next = Signal(range(P), name=f"xbar{i}_h")
            m.d.sync += h_next.eq(h_s)
            cur, h_s = nxt, h_next
        for l in range(P):
            m.d.comb += Value.cast(self.o[l]).eq(cur[l])
        return m


class RuntimeReorder(wiring.Component):
    """Bit-reversed to natural order for frames of run-time sizes
    (``runtime_n``: each frame NMIN .. NMAX words, back to back).

    A circular buffer of 2 NMAX words (a :class:`~fftforge.hdl.prims.DelayRAM`)
    and a slot counter ``t``.  The word at position ``i`` of a frame of size
    n (it holds bin ``bitrev_n(i)``) is written at ``t - i + bitrev_n(i)``
    (the frame's first slot plus its bin); every slot reads address
    ``t - NMAX``, so bin j of a frame whose first word came at slot ``s``
    is read at slot ``s + NMAX + j``: every frame leaves in natural order
    NMAX + 2 slots after it came, whatever its size.  A word is read
    NMAX + bitrev_n(i) - i slots after it came, between NMAX - n/2 + 1 and
    NMAX + n/2 - 1, so nothing is overwritten before it is read.  The write
    happens 2 slots after the word came (word and size registered, then
    address and word: the size line's block RAM, the bit reversal and the
    address sum are kept apart from the memory's pins), still at least
    NMAX/2 - 1 >= 3 slots before the read, so the address read is never the
    one being written.  Drain bubbles (``end`` set, position 0) write at
    their own slot's ``t``, where no word waits.
    The position counter is a :func:`~fftforge.hdl.phase.tag_phase`; the
    tags are stored with the words (``end`` marks position n - 1, which
    is bin n - 1: it stays the frame's last).

    Parameters
    ----------
    part : Part
        The ``reorder`` entry of the plan (``period`` = NMAX).
    log2n_range : tuple of int
        ``(log2 NMIN, log2 NMAX)``.
    tags, target, ce :
        As for :class:`BitReverseReorder` (``tags`` include ``end``).

    Attributes
    ----------
    i : In(word(part.width_in))
        Bins in bit-reversed order of each frame's size.
    log2n : In(range(log2 NMAX + 1))
        log2 of the size of the frame of the word on ``i`` (clamped).
    o : Out(word(part.width_out))
        Bins in natural order.

    Latency NMAX + 2 slots (the plan's, :data:`~fftforge.config.REORDER_LATENCY_EXTRA`:
    the memory's registered read).  No bit growth.  Memory: 2 NMAX words.
    """
    def __init__(self, part, log2n_range, tags=("ovf", "end"), *, target: str = "generic", ce=None):
        if part.kind != "reorder":
            raise ValueError(f"RuntimeReorder needs a reorder part, got {part.kind}")
        if "end" not in tags:
            raise ValueError("RuntimeReorder needs the 'end' tag")
        self.part, self.log2n_range = part, tuple(log2n_range)
        self.tags = tuple(tags)
        self.target, self.ce = target, ce
        super().__init__({
            "i": In(word_layout(part.width_in, tags)),
            "log2n": In(range(self.log2n_range[1] + 1)),
            "o": Out(word_layout(part.width_out, tags)),
        })

    def elaborate(self, platform):
        m = Module()
        nmax = self.part.period
        kmax = nmax.bit_length() - 1
        lo, hi = self.log2n_range
        # the write side runs two slots behind the word's arrival, each step
        # a register (the size line's block RAM -> the bit reversal and the
        # address sum -> the memory's address pins were one 9 ns path on
        # ECP5): the word and its size registered, then its address and the
        # word again.  The address is the one of the arrival slot (t - 1 at
        # the first register), so only the writes move, by 2 slots: a word
        # is still written at least NMAX/2 - 1 >= 3 slots before it is read
        # and read before its address is written again.
        word = word_layout(self.part.width_in, self.tags)
        x = Signal(word, name="i_q")
        size = Signal(range(hi + 1), init=hi, name="log2n_q")
        m.d.sync += [x.eq(self.i), size.eq(self.log2n)]
        pos, _ = tag_phase(m, nmax, self.part.offset + 1, x.end, name="pos")
        t = phase_counter(m, 2 * nmax, name="slot")
        rev = Signal(kmax, name="rev")          # bitrev_n(pos), n = 2**log2n
        with m.Switch(size):
            for k in range(lo, hi + 1):
                with m.Case(k):
                    m.d.comb += rev.eq(Cat(*(pos[b] for b in reversed(range(k)))))
        waddr = Signal(kmax + 1, name="waddr_q")
        wdata = Signal(word, name="wdata_q")
        m.d.sync += [waddr.eq((t - 1 - pos + rev)[:kmax + 1]), wdata.eq(x)]
        m.submodules.mem = mem = DelayRAM(word, 2 * nmax, target=self.target, ce=self.ce)
        m.d.comb += [
            mem.waddr.eq(waddr), mem.wdata.eq(wdata),
            mem.raddr.eq((t - nmax)[:kmax + 1]),
            self.o.eq(mem.rdata),
        ]
        return m
