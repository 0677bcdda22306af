"""UART and framing RTL of the host <-> board streaming top (the protocol:
:mod:`fftforge.fpga.protocol`).

Parts, all in the ``sync`` domain, ``lib.wiring`` components:

* :class:`UARTRx`, :class:`UARTTx`: 8N1 at ``clk / divisor`` baud.
* :class:`FrameReceiver`: parses host packets from the received bytes,
  assembles DATA bodies into input words, writes them into ``slots`` frame
  buffers (one memory), checks the CRC and sequence number, commits or drops
  the frame, and streams committed frames to the core (``spram``: the
  buffers in the iCE40 UltraPlus's single-port RAM).
* :class:`FrameSender`: turns the core's output words into RESULT packets
  and the receiver's events into STATUS packets, one byte stream for the
  transmitter.

:func:`crc16_next` is the byte-wise CRC as logic (the twin of
:func:`fftforge.fpga.protocol.crc16_byte`).
"""

from __future__ import annotations

from amaranth.hdl import Array, Cat, ClockSignal, Const, Instance, Module, Mux, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from fftforge.fpga import protocol as P

__all__ = ["crc16_next", "UARTRx", "UARTTx", "FrameReceiver", "FrameSender", "spram_fits"]

#: iCE40 UltraPlus single-port RAM: blocks, words per block, bits per word
SPRAM_BLOCKS, SPRAM_DEPTH, SPRAM_WIDTH = 4, 16384, 16


def spram_fits(width: int, frame_words: int, slots: int) -> bool:
    """Whether ``slots`` frame buffers of ``frame_words`` words of ``width``
    bits fit the UltraPlus SPRAM (:class:`FrameReceiver` ``spram``): at most
    :data:`SPRAM_BLOCKS` blocks side by side, :data:`SPRAM_DEPTH` words."""
    return -(-width // SPRAM_WIDTH) <= SPRAM_BLOCKS and slots * frame_words <= SPRAM_DEPTH


def _crc16_matrix():
    """For each bit of the next CRC, the mask of the (crc, byte) bits it is
    the XOR of (bits 0..15: crc, 16..23: byte), found by running
    :func:`fftforge.fpga.protocol.crc16_byte` on unit vectors (it is linear
    over GF(2) with a zero initial value)."""
    rows = [0] * 16
    for k in range(24):
        crc, byte = (1 << k, 0) if k < 16 else (0, 1 << (k - 16))
        out = P.crc16_byte(crc, byte)
        for j in range(16):
            if out >> j & 1:
                rows[j] |= 1 << k
    return rows


_CRC_ROWS = _crc16_matrix()


def crc16_next(crc, byte):
    """CRC-16/CCITT-FALSE after one more byte: a combinational expression of
    the 16-bit ``crc`` and the 8-bit ``byte``, one XOR per output bit (the
    byte-wise update is linear)."""
    bits = Cat(crc, byte)
    outs = []
    for row in _CRC_ROWS:
        terms = [bits[k] for k in range(24) if row >> k & 1]
        x = terms[0]
        for t in terms[1:]:
            x = x ^ t
        outs.append(x)
    return Cat(*outs)


class UARTRx(wiring.Component):
    """UART receiver, 8N1, ``clk / divisor`` baud.

    The line passes two flip-flops (metastability); a low level starts a
    byte, sampled in the middle of each bit from the start bit's edge.  A
    start bit that is high again at its middle is a glitch and is ignored.

    Parameters
    ----------
    divisor : int
        Clock cycles per bit (>= 4).

    Attributes
    ----------
    rx : In(1)
        The serial line (idle high).
    o : Out(stream.Signature(8))
        Received bytes; ``valid`` is a one-cycle pulse per byte, ``ready`` is
        ignored (the consumer must take a byte in the cycle it is valid:
        :class:`FrameReceiver` always does).
    frame_error : Out(1)
        One-cycle pulse with a byte whose stop bit was low (the byte is
        still delivered; the packet CRC rejects it).

    Latency: the byte is valid 2 + divisor/2 + 9 * divisor cycles after the
    start bit's falling edge reaches ``rx``.
    """

    def __init__(self, divisor: int):
        if divisor < 4:
            raise ValueError(f"UART divisor must be >= 4 clock cycles per bit, got {divisor}")
        self.divisor = divisor
        super().__init__({"rx": In(1, init=1), "o": Out(stream.Signature(8)), "frame_error": Out(1)})

    def elaborate(self, platform):
        m = Module()
        d = self.divisor
        s1, s2 = Signal(init=1), Signal(init=1)
        m.d.sync += [s1.eq(self.rx), s2.eq(s1)]
        cnt = Signal(range(d))
        bit = Signal(range(8))
        sh = Signal(8)
        m.d.sync += [self.o.valid.eq(0), self.frame_error.eq(0)]
        with m.FSM():
            with m.State("IDLE"):
                with m.If(~s2):
                    m.d.sync += cnt.eq(d // 2 - 1)
                    m.next = "START"
            with m.State("START"):
                with m.If(cnt != 0):
                    m.d.sync += cnt.eq(cnt - 1)
                with m.Elif(s2):
                    m.next = "IDLE"
                with m.Else():
                    m.d.sync += [cnt.eq(d - 1), bit.eq(0)]
                    m.next = "DATA"
            with m.State("DATA"):
                with m.If(cnt != 0):
                    m.d.sync += cnt.eq(cnt - 1)
                with m.Else():
                    m.d.sync += [sh.eq(Cat(sh[1:], s2)), cnt.eq(d - 1), bit.eq(bit + 1)]
                    with m.If(bit == 7):
                        m.next = "STOP"
            with m.State("STOP"):
                with m.If(cnt != 0):
                    m.d.sync += cnt.eq(cnt - 1)
                with m.Else():
                    m.d.sync += [self.o.payload.eq(sh), self.o.valid.eq(1), self.frame_error.eq(~s2)]
                    m.next = "IDLE"
        return m


class UARTTx(wiring.Component):
    """UART transmitter, 8N1, ``clk / divisor`` baud.

    Parameters
    ----------
    divisor : int
        Clock cycles per bit (>= 1).

    Attributes
    ----------
    i : In(stream.Signature(8))
        Bytes to send; ``ready`` is high while the transmitter is idle.
    tx : Out(1)
        The serial line, straight from a flip-flop (idle high).

    Latency: the start bit begins on the clock edge that takes the byte; a
    byte occupies 10 * divisor cycles; back-to-back bytes leave no gap.
    """

    def __init__(self, divisor: int):
        if divisor < 1:
            raise ValueError(f"UART divisor must be >= 1, got {divisor}")
        self.divisor = divisor
        super().__init__({"i": In(stream.Signature(8)), "tx": Out(1, init=1)})

    def elaborate(self, platform):
        m = Module()
        d = self.divisor
        sh = Signal(10, init=0x3FF)
        left = Signal(range(11))
        cnt = Signal(range(d))
        m.d.comb += [self.tx.eq(sh[0]), self.i.ready.eq(left == 0)]
        with m.If(self.i.valid & self.i.ready):
            m.d.sync += [sh.eq(Cat(Const(0, 1), self.i.payload, Const(1, 1))), left.eq(10), cnt.eq(d - 1)]
        with m.Elif(left != 0):
            with m.If(cnt != 0):
                m.d.sync += cnt.eq(cnt - 1)
            with m.Else():
                m.d.sync += [sh.eq(Cat(sh[1:], Const(1, 1))), left.eq(left - 1), cnt.eq(d - 1)]
        return m


class FrameReceiver(wiring.Component):
    """Host packets in, committed input frames out to the core.

    Parses DATA / DATA_INV / POLL / RESET packets (see
    :mod:`fftforge.fpga.protocol`) from the received bytes.  The body of a
    DATA packet is assembled into words (``word_bytes`` bytes each,
    little-endian) and written into a free frame buffer while it arrives
    (if none is free the body is read and dropped); the packet's CRC and
    sequence number decide whether the buffer is committed.  Committed frames
    stream to the core in order; a buffer is freed when its last word is read
    out.

    Parameters
    ----------
    width : int
        Input payload bits of the core.
    frame_words : int
        Words (transfers) per frame.
    slots : int
        Frame buffers (>= 1).
    timeout : int
        Clock cycles of silence inside a packet after which it is dropped.
    spram : bool
        Hold the frame buffers in iCE40 UltraPlus SPRAM
        (``SB_SPRAM256KA``, 16K x 16 each, ``ceil(width / 16)`` side by side;
        at most 16384 words) instead of a block-RAM memory.  An SPRAM has one
        port: a word write takes the cycle (the read waits), and since a
        write leaves the output undefined, a word the core has not yet taken
        is read again in the next cycle, ``o.valid`` low meanwhile
        (:func:`spram_fits`).

    Attributes
    ----------
    i : In(stream.Signature(8))
        Received bytes (always ready).
    o : Out(stream.Signature(width))
        Input words for the core, frame after frame.
    inverse : Out(1)
        The direction flag (DATA_INV) of the frame ``o`` is streaming; valid
        with each of its words.
    expected : Out(8)
        Sequence number of the next DATA frame accepted.
    freed : Out(8)
        Frames taken by the core since reset, mod 256.
    event : Out(1)
        One-cycle pulse: commit, freed buffer or POLL (a STATUS is due).
    nak : Out(1)
        One-cycle pulse: a DATA frame was dropped (bad CRC, sequence number
        or no free buffer), or a packet had a bad CRC.
    soft_reset : Out(1)
        One-cycle pulse after a RESET packet with a good CRC (registered).

    Latency: a committed frame's first word is on ``o`` 2 cycles after the
    cycle its last CRC byte arrives (commit, then the buffer's registered
    read); words then follow at one per cycle as ``o.ready`` allows.
    Memory: ``slots * frame_words`` words of ``width`` bits.
    """

    def __init__(self, *, width: int, frame_words: int, slots: int = P.DEFAULT_SLOTS, timeout: int = 1 << 16,
                 spram: bool = False):
        if slots < 1 or frame_words < 1 or width < 1:
            raise ValueError(f"FrameReceiver needs width, frame_words, slots >= 1, got {width}, "
                             f"{frame_words}, {slots}")
        if spram and not spram_fits(width, frame_words, slots):
            raise ValueError(f"frame buffers of {slots} x {frame_words} words of {width} bits do not fit "
                             f"{SPRAM_BLOCKS} SPRAM blocks of {SPRAM_DEPTH} x {SPRAM_WIDTH}")
        self.width, self.frame_words, self.slots, self.timeout = width, frame_words, slots, timeout
        self.spram = spram
        self.word_bytes = P.word_bytes(width)
        super().__init__({
            "i": In(stream.Signature(8)), "o": Out(stream.Signature(width)), "inverse": Out(1),
            "expected": Out(8), "freed": Out(8), "event": Out(1), "nak": Out(1), "soft_reset": Out(1)})

    def elaborate(self, platform):
        m = Module()
        T, W, B = self.frame_words, self.slots, self.word_bytes
        we = Signal()                    # a word of a DATA body is written
        waddr, wdata = Signal(range(W * T)), Signal(self.width)
        raddr = Signal(range(W * T))

        full = Signal(range(W + 1))
        rd_slot = Signal(range(W))
        rd_idx = Signal(range(T))
        wslot = Signal(range(W))
        flags = Signal(W)
        commit, free = Signal(), Signal()

        # ---- parser
        m.d.comb += self.i.ready.eq(1)
        b = self.i.payload
        got = self.i.valid
        typ = Signal(8)
        seq = Signal(8)
        crc = Signal(16)
        lo = Signal(8)
        writing = Signal()
        bidx = Signal(range(B))
        widx = Signal(range(T))
        wsr = Signal(8 * B)
        timer = Signal(range(self.timeout + 1))
        crc_b = crc16_next(crc, b)
        is_data = (typ == P.DATA) | (typ == P.DATA_INV)
        m.d.sync += [self.event.eq(0), self.nak.eq(0), self.soft_reset.eq(0)]
        word = Cat(wsr[8:], b)[:self.width] if B > 1 else b[:self.width]
        m.d.comb += [waddr.eq(wslot * T + widx), wdata.eq(word)]
        # silence inside a packet (any state but HUNT): drop it.  The
        # comparison is registered (timed_out rises `timeout` cycles after
        # the last byte), off the parser's next-state logic.
        timed_out = Signal()
        m.d.sync += timed_out.eq(~got & ~timed_out & (timer == self.timeout - 1))
        with m.If(got | timed_out):
            m.d.sync += timer.eq(0)
        with m.Else():
            m.d.sync += timer.eq(timer + 1)
        with m.FSM():
            with m.State("HUNT"):
                with m.If(got & (b == P.SYNC_TO_BOARD)):
                    m.d.sync += crc.eq(P.CRC_INIT)
                    m.next = "TYPE"
            with m.State("TYPE"):
                with m.If(timed_out & ~got):
                    m.next = "HUNT"
                with m.If(got):
                    with m.If((b == P.DATA) | (b == P.DATA_INV) | (b == P.POLL) | (b == P.RESET)):
                        m.d.sync += [typ.eq(b), crc.eq(crc_b)]
                        m.next = "SEQ"
                    with m.Elif(b != P.SYNC_TO_BOARD):
                        m.next = "HUNT"
            with m.State("SEQ"):
                with m.If(timed_out & ~got):
                    m.next = "HUNT"
                with m.If(got):
                    m.d.sync += [seq.eq(b), crc.eq(crc_b), bidx.eq(0), widx.eq(0), writing.eq(full != W),
                                 wslot.eq(Mux(rd_slot + full >= W, rd_slot + full - W, rd_slot + full))]
                    with m.If(is_data):
                        m.next = "BODY"
                    with m.Else():
                        m.next = "CRC0"
            with m.State("BODY"):
                with m.If(timed_out & ~got):
                    m.next = "HUNT"
                with m.If(got):
                    m.d.sync += [crc.eq(crc_b), wsr.eq(Cat(wsr[8:], b))]
                    with m.If(bidx == B - 1):
                        m.d.sync += bidx.eq(0)
                        m.d.comb += we.eq(writing)
                        with m.If(widx == T - 1):
                            m.next = "CRC0"
                        with m.Else():
                            m.d.sync += widx.eq(widx + 1)
                    with m.Else():
                        m.d.sync += bidx.eq(bidx + 1)
            with m.State("CRC0"):
                with m.If(timed_out & ~got):
                    m.next = "HUNT"
                with m.If(got):
                    m.d.sync += lo.eq(b)
                    m.next = "CRC1"
            with m.State("CRC1"):
                with m.If(timed_out & ~got):
                    m.next = "HUNT"
                with m.If(got):
                    m.next = "HUNT"
                    with m.If(Cat(lo, b) == crc):
                        with m.If(is_data):
                            with m.If(writing & (seq == self.expected)):
                                m.d.comb += commit.eq(1)
                                m.d.sync += [self.expected.eq(self.expected + 1), self.event.eq(1),
                                             flags.bit_select(wslot, 1).eq(typ == P.DATA_INV)]
                            with m.Else():
                                m.d.sync += self.nak.eq(1)
                        with m.Elif(typ == P.POLL):
                            m.d.sync += self.event.eq(1)
                        with m.Else():
                            m.d.sync += self.soft_reset.eq(1)
                    with m.Else():
                        m.d.sync += self.nak.eq(1)
        # ---- frame buffers -> core
        m.d.comb += raddr.eq(rd_slot * T + rd_idx)
        if self.spram:
            # one port: a write takes the cycle; the word the core has not
            # yet taken (the output is undefined after a write) is read
            # again from `pres` in the next cycle, o.valid low meanwhile
            valid, restore = Signal(), Signal()
            pres = Signal(range(W * T))
            m.d.comb += self.o.valid.eq(valid & ~restore)
            taken = self.o.valid & self.o.ready
            adv = (full != 0) & (~valid | taken) & ~we & ~restore
            m.d.sync += restore.eq(we & valid & ~taken)
            with m.If(adv):
                m.d.sync += pres.eq(raddr)
            blocks = -(-self.width // SPRAM_WIDTH)
            addr, din = Signal(14), Signal(SPRAM_WIDTH * blocks)      # (the blocks' port widths)
            dout = Signal(SPRAM_WIDTH * blocks)
            m.d.comb += [addr.eq(Mux(we, waddr, Mux(restore, pres, raddr))), din.eq(wdata)]
            for k in range(blocks):
                lo = k * SPRAM_WIDTH
                m.submodules[f"spram{k}"] = Instance(
                    "SB_SPRAM256KA", i_ADDRESS=addr, i_DATAIN=din[lo:lo + SPRAM_WIDTH], i_MASKWREN=Const(0xF, 4),
                    i_WREN=we, i_CHIPSELECT=we | adv | restore, i_CLOCK=ClockSignal(), i_STANDBY=Const(0, 1),
                    i_SLEEP=Const(0, 1), i_POWEROFF=Const(1, 1), o_DATAOUT=dout[lo:lo + SPRAM_WIDTH])
            m.d.comb += self.o.payload.eq(dout[:self.width])
            done = taken
        else:
            m.submodules.mem = mem = Memory(shape=self.width, depth=W * T, init=[])
            wp, rp = mem.write_port(), mem.read_port()
            m.d.comb += [wp.addr.eq(waddr), wp.data.eq(wdata), wp.en.eq(we)]
            valid = self.o.valid
            adv = (full != 0) & (~valid | self.o.ready)
            m.d.comb += [rp.addr.eq(raddr), rp.en.eq(adv), self.o.payload.eq(rp.data)]
            done = self.o.ready
        with m.If(adv):
            m.d.sync += [valid.eq(1), self.inverse.eq(flags.bit_select(rd_slot, 1))]
            with m.If(rd_idx == T - 1):
                m.d.comb += free.eq(1)
                m.d.sync += [rd_idx.eq(0), rd_slot.eq(Mux(rd_slot == W - 1, 0, rd_slot + 1)),
                             self.freed.eq(self.freed + 1), self.event.eq(1)]
            with m.Else():
                m.d.sync += rd_idx.eq(rd_idx + 1)
        with m.Elif(done):
            m.d.sync += valid.eq(0)
        m.d.sync += full.eq(full + commit - free)
        return m


class FrameSender(wiring.Component):
    """Core output words and receiver events in, board packets out.

    Output words are sent as RESULT packets of ``frame_words`` words
    (``word_bytes`` bytes each, little-endian), numbered from 0 after reset;
    the core's ``o.ready`` is raised when the last byte of a word goes to
    the transmitter, so a slow line stalls the core (backpressure).  A STATUS
    packet (the receiver's ``expected``, ``freed`` and the flags) goes out
    between RESULT packets whenever an event or a NAK has happened since the
    last one, and once after every reset (with the ``RESET`` flag).

    Parameters
    ----------
    width : int
        Output payload bits of the core.
    frame_words : int
        Words (transfers) per frame.

    Attributes
    ----------
    i : In(stream.Signature(width))
        The core's output words.
    o : Out(stream.Signature(8))
        Bytes for the transmitter.
    expected, freed : In(8)
        From :class:`FrameReceiver` (sampled when a STATUS starts).
    event, nak : In(1)
        From :class:`FrameReceiver`: a STATUS is due (``nak``: with the NAK
        flag).
    frames_out : Out(8)
        RESULT packets completed since reset, mod 256.

    Latency: a word offered on ``i`` is taken into the sender's word
    register (``i.ready`` is that register's empty flag: a flip-flop, so no
    combinational path runs from the line back into the core's stall logic)
    and starts a RESULT packet's first byte 2 cycles later when the sender
    is idle; the register empties when the word's last byte goes out.
    """

    def __init__(self, *, width: int, frame_words: int):
        self.width, self.frame_words = width, frame_words
        self.word_bytes = P.word_bytes(width)
        super().__init__({"i": In(stream.Signature(width)), "o": Out(stream.Signature(8)),
                          "expected": In(8), "freed": In(8), "event": In(1), "nak": In(1),
                          "frames_out": Out(8)})

    def elaborate(self, platform):
        m = Module()
        T, B = self.frame_words, self.word_bytes
        pending = Signal(init=1)
        nak_flag = Signal()
        rst_flag = Signal(init=1)
        snap = Signal(24)           # expected, freed, flags
        crc = Signal(16)
        cb = Signal(8)              # the byte last sent, folded into crc one cycle later
        cpend = Signal()
        idx = Signal(range(max(B, 4)))
        widx = Signal(range(T))
        byte = Signal(8)
        take = self.o.valid & self.o.ready
        m.d.comb += self.o.payload.eq(byte)
        wreg = Signal(self.width)
        wvalid = Signal()
        m.d.comb += self.i.ready.eq(~wvalid)
        with m.If(self.i.valid & ~wvalid):
            m.d.sync += [wreg.eq(self.i.payload), wvalid.eq(1)]
        padded = Cat(wreg, Const(0, 8 * B - self.width))
        word_byte = Array(padded[8 * k:8 * k + 8] for k in range(B))[idx]
        snap_byte = Array([Const(P.STATUS, 8), snap[0:8], snap[8:16], snap[16:24]])[idx]

        # the CRC of the packet so far: the byte taken last cycle folded in
        # now (registered, off the byte multiplexer's path); the FSM's
        # assignments below take precedence
        with m.If(cpend):
            m.d.sync += [crc.eq(crc16_next(crc, cb)), cpend.eq(0)]
        with m.FSM():
            with m.State("IDLE"):
                with m.If(pending):
                    m.d.sync += [snap.eq(Cat(self.expected, self.freed, nak_flag, rst_flag, Const(0, 6))),
                                 pending.eq(0), nak_flag.eq(0), rst_flag.eq(0)]
                    m.next = "S_SYNC"
                with m.Elif(wvalid):
                    m.next = "R_SYNC"
            with m.State("S_SYNC"):
                m.d.comb += [self.o.valid.eq(1), byte.eq(P.SYNC_TO_HOST)]
                with m.If(take):
                    m.d.sync += [crc.eq(P.CRC_INIT), idx.eq(0)]
                    m.next = "S_BODY"
            with m.State("S_BODY"):
                m.d.comb += [self.o.valid.eq(1), byte.eq(snap_byte)]
                with m.If(take):
                    m.d.sync += [cb.eq(byte), cpend.eq(1), idx.eq(idx + 1)]
                    with m.If(idx == 3):
                        m.next = "CRC_LO"
            with m.State("R_SYNC"):
                m.d.comb += [self.o.valid.eq(1), byte.eq(P.SYNC_TO_HOST)]
                with m.If(take):
                    m.d.sync += crc.eq(P.CRC_INIT)
                    m.next = "R_TYPE"
            with m.State("R_TYPE"):
                m.d.comb += [self.o.valid.eq(1), byte.eq(P.RESULT)]
                with m.If(take):
                    m.d.sync += [cb.eq(byte), cpend.eq(1)]
                    m.next = "R_SEQ"
            with m.State("R_SEQ"):
                m.d.comb += [self.o.valid.eq(1), byte.eq(self.frames_out)]
                with m.If(take):
                    m.d.sync += [cb.eq(byte), cpend.eq(1), idx.eq(0), widx.eq(0)]
                    m.next = "R_BODY"
            with m.State("R_BODY"):
                m.d.comb += [self.o.valid.eq(wvalid), byte.eq(word_byte)]
                with m.If(take):
                    m.d.sync += [cb.eq(byte), cpend.eq(1)]
                    with m.If(idx == B - 1):
                        m.d.sync += [idx.eq(0), widx.eq(widx + 1), wvalid.eq(0)]
                        with m.If(widx == T - 1):
                            m.d.sync += self.frames_out.eq(self.frames_out + 1)
                            m.next = "CRC_LO"
                    with m.Else():
                        m.d.sync += idx.eq(idx + 1)
            with m.State("CRC_LO"):
                m.d.comb += [self.o.valid.eq(~cpend), byte.eq(crc[:8])]
                with m.If(take):
                    m.next = "CRC_HI"
            with m.State("CRC_HI"):
                m.d.comb += [self.o.valid.eq(1), byte.eq(crc[8:])]
                with m.If(take):
                    m.next = "IDLE"
        # events after the snapshot: a new event in the snapshot's cycle is kept
        with m.If(self.event | self.nak):
            m.d.sync += pending.eq(1)
        with m.If(self.nak):
            m.d.sync += nak_flag.eq(1)
        return m
