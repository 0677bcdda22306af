"""UART streaming RTL in Amaranth's simulator: CRC logic against the
protocol's CRC, the UART transmitter into the receiver under random gaps,
the packet parser's resynchronisation, and the whole UART top around an
N = 8 FFT core with random valid/ready stalls between the frame buffers,
the core and the sender: a DATA packet with a bit flipped on the line is
answered with NAK, sent again, and every output word equals the bit-true
model's."""

import random

import numpy as np
import pytest
from amaranth.hdl import Module, Mux, Signal
from amaranth.sim import Simulator

from fftforge.config import FFTConfig
from fftforge.errors import UserError
from fftforge.fpga import protocol as P
from fftforge.fpga.uart import UARTRx, UARTTx, crc16_next
from fftforge.fpga.uart_top import UartTop, uart_divisor
from fftforge.pyref import lanes
from fftforge.sim.payload import pack


async def send_byte(ctx, rx, b, cycles_per_bit, flip=False):
    """Drive one 8N1 byte onto ``rx`` (``flip``: data bit 3 inverted on the
    line)."""
    bits = [0] + [(b >> k) & 1 for k in range(8)] + [1]
    if flip:
        bits[4] ^= 1
    for bit in bits:
        ctx.set(rx, bit)
        await ctx.tick().repeat(cycles_per_bit)


async def receive_bytes(ctx, tx, stop, cycles_per_bit, parser, packets):
    """Sample 8N1 bytes from ``tx`` at mid-bit until ``stop``, feeding each
    to ``parser`` and collecting its packets in ``packets``."""
    D = cycles_per_bit
    while True:
        await ctx.tick().until((tx == 0) | stop)
        if ctx.get(stop):
            return
        await ctx.tick().repeat(D // 2)
        v = 0
        for k in range(8):
            await ctx.tick().repeat(D)
            v |= ctx.get(tx) << k
        await ctx.tick().repeat(D)
        packets.extend(parser.feed(bytes([v])))


def test_crc16_matches_the_protocol():
    assert P.crc16(b"123456789") == 0x29B1          # CRC-16/CCITT-FALSE check value
    m = Module()
    c, b, o = Signal(16), Signal(8), Signal(16)
    m.d.comb += o.eq(crc16_next(c, b))
    rng = random.Random(1)
    cases = [(rng.getrandbits(16), rng.getrandbits(8)) for _ in range(200)] + [(0xFFFF, 0), (0, 0xFF)]
    seen = []

    async def tb(ctx):
        for x, y in cases:
            ctx.set(c, x)
            ctx.set(b, y)
            seen.append(ctx.get(o))
    sim = Simulator(m)
    sim.add_testbench(tb)
    sim.run()
    assert seen == [P.crc16_byte(x, y) for x, y in cases]


def test_words_and_packets_round_trip():
    words = [0, 1, (1 << 33) - 1, 0x123456789]
    assert P.decode_words(P.encode_words(words, 33), 33) == words
    assert len(P.encode_words(words, 33)) == 4 * 5
    pkt = P.data_packet(300, [1, 2], 16, inverse=True)
    assert pkt[:3] == bytes([P.SYNC_TO_BOARD, P.DATA_INV, 300 & 0xFF]) and len(pkt) == 3 + 4 + 2
    assert P.crc16(pkt[1:-2]) == int.from_bytes(pkt[-2:], "little")
    with pytest.raises(ValueError):
        P.command_packet(P.DATA)


def test_parser_resynchronises_after_a_corrupted_packet():
    res = P.result_packet(7, [0x1FF, 0x0AA], 9)
    st = P.status_packet(3, 2, P.FLAG_NAK)
    bad = bytearray(res)
    bad[5] ^= 0x08
    p = P.BoardPacketParser(result_bytes=4)
    stream = b"\x00\xa5" + bytes(bad) + st + res
    got = []
    for k in range(0, len(stream), 3):                  # arriving in pieces
        got += p.feed(stream[k:k + 3])
    kinds = [(q.kind, q.seq) for q in got]
    assert kinds == [("corrupt", 7), ("status", 3), ("result", 7)]
    assert got[1].freed == 2 and got[1].flags == P.FLAG_NAK
    assert P.decode_words(got[2].body, 9) == [0x1FF, 0x0AA]


def test_baud_divisor_and_its_error():
    assert uart_divisor(12e6, 1_000_000) == (12, 0.0)
    assert uart_divisor(12e6, 3_000_000) == (4, 0.0)
    assert uart_divisor(25e6, 1_000_000) == (25, 0.0)
    for clk, baud, what in ((25e6, 3_000_000, "off"), (12e6, 4_000_000, "too fast"), (12e6, 0, "positive")):
        with pytest.raises(UserError, match=what) as e:
            uart_divisor(clk, baud)
        assert "--baud" in str(e.value) and "\n" not in str(e.value)


def test_uart_tx_into_rx_with_gaps():
    D = 5
    m = Module()
    m.submodules.tx = tx = UARTTx(D)
    m.submodules.rx = rx = UARTRx(D)
    m.d.comb += rx.rx.eq(tx.tx)
    rng = random.Random(2)
    data = [rng.getrandbits(8) for _ in range(40)] + [0x00, 0xFF, 0x55]
    got, errors = [], []
    stop = Signal()

    async def send(ctx):
        for b in data:
            ctx.set(tx.i.payload, b)
            ctx.set(tx.i.valid, 1)
            await ctx.tick().until(tx.i.ready)
            ctx.set(tx.i.valid, 0)
            await ctx.tick().repeat(rng.choice([1, 1, 3, 17]))
        await ctx.tick().repeat(12 * D)
        ctx.set(stop, 1)

    async def recv(ctx):
        async for _clk, _rst, valid, payload, ferr, done in ctx.tick().sample(rx.o.valid, rx.o.payload,
                                                                               rx.frame_error, stop):
            if done:
                return
            if valid:
                got.append(payload)
                errors.append(ferr)
    sim = Simulator(m)
    sim.add_clock(1e-6)
    sim.add_testbench(send)
    sim.add_testbench(recv)
    sim.run()
    assert got == data and not any(errors)


# ------------------------------------------------------------------ the whole top
def _stalled_core(core, desc, seed):
    """``(io, attach)`` of an Amaranth core behind LFSR-driven stall gates:
    the frame buffers see ``ready`` low and the sender ``valid`` low about
    1 cycle in 4 each, on top of the line's own backpressure."""
    from fftforge.fpga.harness import CoreIO, component_core
    inner, inner_attach = component_core(core, desc)
    io = CoreIO(len(inner.i_payload), len(inner.o_payload), inner.out_fields, inner.inverse is not None)

    def attach(m, clk, rst):
        inner_attach(m, clk, rst)
        lfsr = Signal(16, init=seed)
        m.d.sync += lfsr.eq((lfsr >> 1) ^ Mux(lfsr[0], 0xB400, 0))
        gi, go = lfsr[0:2] != 0, lfsr[4:6] != 0
        m.d.comb += [inner.i_valid.eq(io.i_valid & gi), io.i_ready.eq(inner.i_ready & gi),
                     inner.i_payload.eq(io.i_payload),
                     io.o_valid.eq(inner.o_valid & go), inner.o_ready.eq(io.o_ready & go),
                     io.o_payload.eq(inner.o_payload)]
        if io.inverse is not None:
            m.d.comb += inner.inverse.eq(io.inverse)
    return io, attach


def test_uart_top_bit_exact_with_stalls_and_a_corrupted_packet():
    from fftforge.hdl.descriptor import descriptor
    from fftforge.hdl.fft import FFTCore
    cfg = FFTConfig(n=8, width=8, direction="runtime", name="f8")
    core = FFTCore(cfg)
    desc = descriptor(cfg, core)
    D, T = 4, 8
    top = UartTop(_stalled_core(core, desc, 0xACE1), T, D, slots=2, timeout_bytes=64)
    rng = np.random.default_rng(3)
    F = 4
    re, im = rng.integers(-128, 128, (F, 8)), rng.integers(-128, 128, (F, 8))
    inverse = np.array([0, 1, 1, 0], dtype=bool)
    pin, pout = desc["ports"]["input"], desc["ports"]["output"]
    win = lanes.input_words(cfg, re, im)
    words = pack(pin["fields"], {k: v.reshape(-1) for k, v in win.items()}, F * T)
    exp = lanes.output_words(cfg, *lanes.model_stream(cfg, re, im, inverse))
    ewords = pack(pout["fields"], {k: v.reshape(-1) for k, v in exp.items()}, F * T)
    data = [P.data_packet(f, words[f * T:(f + 1) * T], pin["width"], bool(inverse[f])) for f in range(F)]
    parser = P.BoardPacketParser(T * P.word_bytes(pout["width"]))
    packets = []
    stop = Signal()

    async def put(ctx, b, flip=False):
        await send_byte(ctx, top.rx, b, D, flip)          # flip: data bit 3 flipped on the line

    async def wait_for(ctx, cond, what):
        for _ in range(400):                              # at most 400 * 50 cycles (~50 packets)
            if cond():
                return
            await ctx.tick().repeat(50)
        ctx.set(stop, 1)
        raise AssertionError(f"no {what} from the board")

    async def host(ctx):
        await ctx.tick().repeat(10)
        for b in P.command_packet(P.RESET):
            await put(ctx, b)
        await ctx.tick().until(top.tx == 0)               # let the STATUS after reset start
        for f in (0, 1):
            for k, b in enumerate(data[f]):
                await put(ctx, b, flip=(f == 1 and k == 9))
        # the board answers frame 1 with NAK: wait for it, then go back (as the host does)
        await wait_for(ctx, lambda: any(q.kind == "status" and q.flags & P.FLAG_NAK for q in packets), "NAK")
        nak = next(q for q in packets if q.kind == "status" and q.flags & P.FLAG_NAK)
        assert nak.seq == 1                               # expected: frame 1 again
        for f in (1, 2, 3):
            await wait_for(ctx, lambda: f - max(q.freed for q in packets if q.kind == "status") < 2,
                           "credit")                      # credits: two frame buffers
            for b in data[f]:
                await put(ctx, b)
        await wait_for(ctx, lambda: sum(q.kind == "result" for q in packets) == F, "results")
        await ctx.tick().repeat(200 * D)                  # the STATUS after the last frame
        ctx.set(stop, 1)

    async def listen(ctx):
        await receive_bytes(ctx, top.tx, stop, D, parser, packets)

    sim = Simulator(top)
    sim.add_clock(1e-6)
    sim.add_testbench(host)
    sim.add_testbench(listen)
    sim.run()
    results = [q for q in packets if q.kind == "result"]
    assert [q.seq for q in results] == [0, 1, 2, 3]
    got = [w for q in results for w in P.decode_words(q.body, pout["width"])]
    assert got == ewords                                   # every word, every field (last, overflow)
    statuses = [q for q in packets if q.kind == "status"]
    assert statuses[0].flags & P.FLAG_RESET or statuses[1].flags & P.FLAG_RESET
    assert sum(bool(q.flags & P.FLAG_NAK) for q in statuses) == 1
    assert statuses[-1].seq == 4 and statuses[-1].freed == 4


def test_a_truncated_packet_is_dropped_after_the_silence_timeout():
    # a DATA packet cut short, then silence: the receiver must drop it, so
    # the POLL after it is parsed (and answered) instead of eaten as body bytes
    from fftforge.fpga.harness import CoreIO
    io = CoreIO(8, 9, {}, False)

    def attach(m, clk, rst):            # a pass-through "core"
        m.d.comb += [io.o_valid.eq(io.i_valid), io.i_ready.eq(io.o_ready), io.o_payload.eq(io.i_payload)]
    D, T = 4, 4
    top = UartTop((io, attach), T, D, slots=1, timeout_bytes=8)
    parser = P.BoardPacketParser(T * 2)
    packets, stop = [], Signal()

    async def put(ctx, data):
        for b in data:
            await send_byte(ctx, top.rx, b, D)

    async def host(ctx):
        await ctx.tick().repeat(10)
        await put(ctx, P.command_packet(P.RESET))
        await ctx.tick().repeat(200 * D)
        await put(ctx, P.data_packet(0, [1, 2, 3, 4], 8)[:5])      # header and 2 body bytes only
        await ctx.tick().repeat(10 * D * 8 + 20)                    # just over the timeout
        await put(ctx, P.command_packet(P.POLL))
        await put(ctx, P.data_packet(0, [5, 6, 7, 8], 8))
        await ctx.tick().repeat(400 * D)
        ctx.set(stop, 1)

    async def listen(ctx):
        await receive_bytes(ctx, top.tx, stop, D, parser, packets)
    sim = Simulator(top)
    sim.add_clock(1e-6)
    sim.add_testbench(host)
    sim.add_testbench(listen)
    sim.run()
    st = [(q.seq, q.freed, q.flags) for q in packets if q.kind == "status"]
    res = [P.decode_words(q.body, 9) for q in packets if q.kind == "result"]
    assert st[0][2] & P.FLAG_RESET and (0, 0, 0) in st[1:]        # the POLL's answer: nothing accepted yet
    assert not any(f & P.FLAG_NAK for _, _, f in st)               # the truncated packet was dropped, not NAKed
    assert res == [[5, 6, 7, 8]] and st[-1][:2] == (1, 1)
