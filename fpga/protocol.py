"""The host <-> board streaming protocol over a UART (``fftforge build --io
uart``, ``fftforge run``): packet formats, CRC and word layout, in pure
Python.  The board's RTL (:mod:`fftforge.fpga.uart`) and the host
(:mod:`fftforge.fpga.host`) both take every constant from here.

Line
----
8N1 (one start bit, 8 data bits LSB first, one stop bit), no hardware flow
control, at the baud rate recorded in the build's ``run.json`` (default
1 000 000).  Flow control is by credits (below): the board never receives
more than it has room for, so its receiver cannot overrun.

Packets
-------
Every packet is ``SYNC, TYPE, SEQ, BODY..., CRC_LO, CRC_HI``.  The CRC is
CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF, no reflection,
no final XOR; ``crc16(b"123456789") == 0x29B1``) over ``TYPE, SEQ, BODY``,
sent low byte first.  The body length follows from the type and the build
(no length field): a corrupted length can then never make a receiver wait
for bytes that do not come.

Host -> board (``SYNC`` = 0x5A):

=============  ====  ===========================================================
``DATA``       'D'   ``SEQ`` = frame sequence number mod 256, body = one input
                     frame: ``frame_transfers`` input words of
                     ``ceil(input_width / 8)`` bytes each, little-endian (the
                     core's input payload word, fields at the descriptor's
                     offsets, padding bits 0)
``DATA_INV``   'I'   as ``DATA``; runtime-direction cores compute this frame's
                     inverse transform (``DATA`` frames: forward)
``POLL``       'P'   ``SEQ`` = 0, no body: the board answers with a STATUS
``RESET``      'X'   ``SEQ`` = 0, no body: the board resets its core, its frame
                     buffers and both sequence counters, and answers with a
                     STATUS whose ``RESET`` flag is set
=============  ====  ===========================================================

Board -> host (``SYNC`` = 0xA5):

=============  ====  ===========================================================
``STATUS``     'S'   ``SEQ`` = *expected*: the sequence number (mod 256) of the
                     next DATA frame the board accepts (so every frame before
                     it arrived intact: a cumulative acknowledgement); body =
                     *freed* (frames the core has taken out of the frame
                     buffers since reset, mod 256) and *flags* (bit 0 ``NAK``:
                     a DATA frame was rejected since the last STATUS, bit 1
                     ``RESET``: the first STATUS after a reset)
``RESULT``     'R'   ``SEQ`` = output frame number mod 256 (the sequence number
                     of the DATA frame it is the transform of), body = one
                     output frame: ``frame_transfers`` output words of
                     ``ceil(output_width / 8)`` bytes each, little-endian (all
                     output fields: samples, ``last``, ``overflow``, ...)
=============  ====  ===========================================================

Board rules
-----------
* It has ``slots`` frame buffers (``run.json``; 2 by default).  A DATA frame
  is accepted when its CRC is right, its ``SEQ`` is *expected* and a buffer
  is free; it is then committed (the core will take it) and *expected*
  increments.  Any other DATA frame (bad CRC, another sequence number, no
  free buffer) is dropped and sets ``NAK``.  A frame's words reach the core
  only after its CRC checked, so a corrupted frame never enters the core.
* The core takes committed frames in order, at its own pace (its valid/ready
  backpressure); when the last word of a frame leaves its buffer, *freed*
  increments.
* A STATUS goes out after every commit, rejection, freed buffer, POLL and
  reset (several such events between two STATUS packets give one).  STATUS
  and RESULT packets are never interleaved byte-wise; a STATUS waits for the
  end of the RESULT being sent.
* Inside a packet, a gap of more than ``timeout_bytes`` byte times (4096)
  makes the receiver drop it and hunt for ``SYNC`` again.

Host rules (:class:`fftforge.fpga.host.Streamer`)
-------------------------------------------------
* Start with RESET and wait for the STATUS with the ``RESET`` flag: then
  *expected* = *freed* = 0 and the host holds ``slots`` credits.
* Send DATA frame ``s`` only while ``s - freed < slots`` (credits: a buffer
  is free for it), frames in sequence order without waiting for STATUS.
* On a STATUS with ``NAK``: go back to *expected* and send again from there
  (go-back-N; NAKs caused by the frames sent before the go-back, which carry
  the same *expected*, are ignored).
* RESULT packets come in frame order: a RESULT whose ``SEQ`` skips numbers
  shows that those results were lost (or arrived corrupted); the host sends
  their input frames again as new frames (cores whose frames are independent,
  which the host checks).
* When nothing arrives for a while, send POLL; its STATUS resynchronises:
  go back to *expected*, and results of frames up to *freed* that never came
  are lost (the board had finished them), so their inputs are sent again.
"""

from __future__ import annotations

__all__ = ["SYNC_TO_BOARD", "SYNC_TO_HOST", "DATA", "DATA_INV", "POLL", "RESET", "STATUS", "RESULT",
           "FLAG_NAK", "FLAG_RESET", "CRC_INIT", "CRC_POLY", "DEFAULT_BAUD", "DEFAULT_SLOTS",
           "TIMEOUT_BYTES", "VERSION", "crc16", "crc16_byte", "word_bytes", "encode_words", "decode_words",
           "data_packet", "command_packet", "status_packet", "result_packet", "Packet", "BoardPacketParser"]

VERSION = 1
SYNC_TO_BOARD = 0x5A
SYNC_TO_HOST = 0xA5
DATA, DATA_INV, POLL, RESET = ord("D"), ord("I"), ord("P"), ord("X")
STATUS, RESULT = ord("S"), ord("R")
FLAG_NAK, FLAG_RESET = 1, 2
CRC_INIT, CRC_POLY = 0xFFFF, 0x1021
#: the line rate when ``--baud`` is not given (exact from 12 and 25 MHz)
DEFAULT_BAUD = 1_000_000
#: input frame buffers on the board
DEFAULT_SLOTS = 2
#: byte times of silence inside a packet after which the board drops it
TIMEOUT_BYTES = 4096


def crc16_byte(crc: int, byte: int) -> int:
    """One byte of CRC-16/CCITT-FALSE."""
    crc ^= (byte & 0xFF) << 8
    for _ in range(8):
        crc = ((crc << 1) ^ CRC_POLY) if crc & 0x8000 else (crc << 1)
        crc &= 0xFFFF
    return crc


def crc16(data, crc: int = CRC_INIT) -> int:
    """CRC-16/CCITT-FALSE of ``data`` (bytes)."""
    for b in bytes(data):
        crc = crc16_byte(crc, b)
    return crc


def word_bytes(width: int) -> int:
    """Bytes per word of ``width`` bits on the line."""
    return max(-(-int(width) // 8), 1)


def encode_words(words, width: int) -> bytes:
    """Words (ints < 2**width) as little-endian groups of :func:`word_bytes`."""
    nb = word_bytes(width)
    return b"".join(int(w).to_bytes(nb, "little") for w in words)


def decode_words(data: bytes, width: int) -> list:
    """Inverse of :func:`encode_words` (bits above ``width`` masked off)."""
    nb = word_bytes(width)
    mask = (1 << width) - 1
    return [int.from_bytes(data[k:k + nb], "little") & mask for k in range(0, len(data), nb)]


def _packet(sync: int, typ: int, seq: int, body: bytes = b"") -> bytes:
    core = bytes([typ, seq & 0xFF]) + bytes(body)
    return bytes([sync]) + core + crc16(core).to_bytes(2, "little")


def data_packet(seq: int, words, width: int, inverse: bool = False) -> bytes:
    """A DATA (or DATA_INV) packet of one input frame."""
    return _packet(SYNC_TO_BOARD, DATA_INV if inverse else DATA, seq, encode_words(words, width))


def command_packet(typ: int) -> bytes:
    """A POLL or RESET packet."""
    if typ not in (POLL, RESET):
        raise ValueError(f"command packet type must be POLL or RESET, got {typ!r}")
    return _packet(SYNC_TO_BOARD, typ, 0)


def status_packet(expected: int, freed: int, flags: int) -> bytes:
    """A STATUS packet as the board sends it (for tests and other hosts)."""
    return _packet(SYNC_TO_HOST, STATUS, expected, bytes([freed & 0xFF, flags & 0xFF]))


def result_packet(seq: int, words, width: int) -> bytes:
    """A RESULT packet as the board sends it (for tests)."""
    return _packet(SYNC_TO_HOST, RESULT, seq, encode_words(words, width))


class Packet:
    """A packet from the board: ``kind`` is ``"status"``, ``"result"`` or
    ``"corrupt"`` (a SYNC and known type whose CRC was wrong); ``seq``,
    ``freed``, ``flags`` (status), ``body`` (result payload bytes)."""

    __slots__ = ("kind", "seq", "freed", "flags", "body")

    def __init__(self, kind, seq=0, freed=0, flags=0, body=b""):
        self.kind, self.seq, self.freed, self.flags, self.body = kind, seq, freed, flags, body

    def __repr__(self):
        return f"Packet({self.kind}, seq={self.seq}, freed={self.freed}, flags={self.flags}, {len(self.body)} B)"


class BoardPacketParser:
    """Splits the byte stream from the board into :class:`Packet` objects.

    ``result_bytes``: body length of a RESULT (``frame_transfers *
    word_bytes(output_width)``).  Bytes outside packets are skipped; after a
    CRC error the hunt for SYNC resumes one byte after the bad packet's SYNC
    (so a packet hidden behind a corrupted one is still found)."""

    def __init__(self, result_bytes: int):
        self.result_bytes = result_bytes
        self.buf = bytearray()
        self.skipped = 0

    def feed(self, data: bytes) -> list:
        """Add bytes; return the complete packets now found, in order."""
        self.buf += data
        out = []
        while True:
            p = self.buf.find(SYNC_TO_HOST)
            if p < 0:
                self.skipped += len(self.buf)
                self.buf.clear()
                return out
            if p:
                self.skipped += p
                del self.buf[:p]
            if len(self.buf) < 2:
                return out
            typ = self.buf[1]
            if typ == STATUS:
                body = 2
            elif typ == RESULT:
                body = self.result_bytes
            else:
                self.skipped += 1
                del self.buf[:1]
                continue
            total = 3 + body + 2
            if len(self.buf) < total:
                return out
            pkt = bytes(self.buf[:total])
            if crc16(pkt[1:-2]) != int.from_bytes(pkt[-2:], "little"):
                out.append(Packet("corrupt", seq=pkt[2]))
                self.skipped += 1
                del self.buf[:1]
                continue
            del self.buf[:total]
            if typ == STATUS:
                out.append(Packet("status", seq=pkt[2], freed=pkt[3], flags=pkt[4]))
            else:
                out.append(Packet("result", seq=pkt[2], body=pkt[3:-2]))
