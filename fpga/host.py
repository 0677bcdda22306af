"""The host side of the UART streaming protocol (:mod:`fftforge.fpga.protocol`):
pure Python over any port object with pyserial's ``Serial`` API (``write``,
``read(n)`` honouring ``timeout``, ``in_waiting``, ``reset_input_buffer``),
so the same code talks to a board (pyserial) and to the simulated board top
(:class:`fftforge.fpga.uart_sim.SimSerial`).

:class:`Streamer` sends input frames (words, one list per frame) and returns
the output frames, recovering from corrupted or lost packets in both
directions; :class:`StreamStats` counts what happened on the line.
"""

from __future__ import annotations

import collections
import dataclasses
import time

from fftforge.errors import UserError
from fftforge.fpga import protocol as P

__all__ = ["LinkSpec", "StreamStats", "Streamer", "open_serial"]


@dataclasses.dataclass(frozen=True)
class LinkSpec:
    """What both ends agree on (from the build's ``run.json``).

    frame_words : transfers per frame; in_width / out_width : payload bits;
    slots : the board's frame buffers; baud : line rate (bits/s, for the
    timeouts and the line-time figures)."""
    frame_words: int
    in_width: int
    out_width: int
    slots: int = P.DEFAULT_SLOTS
    baud: int = P.DEFAULT_BAUD

    @property
    def data_bytes(self) -> int:
        """Bytes of one DATA packet."""
        return 5 + self.frame_words * P.word_bytes(self.in_width)

    @property
    def result_bytes(self) -> int:
        """Bytes of one RESULT packet."""
        return 5 + self.frame_words * P.word_bytes(self.out_width)


@dataclasses.dataclass
class StreamStats:
    """Counts of one :meth:`Streamer.run`."""
    frames: int = 0
    data_sent: int = 0          # DATA packets written (resends included)
    resent: int = 0             # of which resends (go-back-N and lost results)
    naks: int = 0               # STATUS packets with NAK acted on
    corrupt: int = 0            # packets from the board with a bad CRC
    lost_results: int = 0       # RESULT packets never received intact (their frames sent again)
    timeouts: int = 0           # silences that needed a POLL
    bytes_out: int = 0          # bytes written to the board
    bytes_in: int = 0           # bytes read from the board
    seconds: float = 0.0        # wall time of the run (after the reset handshake)


def open_serial(port: str, baud: int, timeout: float = 0.05):
    """A pyserial port, or UserError (one line) naming the port."""
    try:
        import serial
    except ImportError:
        raise UserError("the 'pyserial' package is not installed (pip install pyserial)") from None
    try:
        return serial.Serial(port, baudrate=baud, timeout=timeout)
    except (serial.SerialException, OSError, ValueError) as e:
        raise UserError(f"cannot open serial port {port}: {e}") from None


def _unwrap(base: int, byte: int) -> int:
    """The count >= ``base`` nearest to it whose low byte is ``byte``."""
    return base + ((byte - base) & 0xFF)


class Streamer:
    """Streams frames through the board with the protocol's host rules.

    Parameters
    ----------
    port : serial-like
    spec : LinkSpec
    silence : float or None
        Seconds without any byte from the board after which the host polls
        (default: 8 result packets' line time + 0.2 s).
    max_rounds : int
        Polls in a row without progress before giving up (UserError).
    """

    def __init__(self, port, spec: LinkSpec, silence: float | None = None, max_rounds: int = 20):
        self.port, self.spec = port, spec
        self.silence = silence if silence is not None else 0.2 + 8 * spec.result_bytes * 10 / spec.baud
        self.max_rounds = max_rounds
        self.parser = P.BoardPacketParser(spec.frame_words * P.word_bytes(spec.out_width))
        self.stats = StreamStats()

    # ---------------------------------------------------------------- I/O
    def _write(self, data: bytes):
        self.port.write(data)
        self.stats.bytes_out += len(data)

    def _packets(self, wait: float) -> list:
        """Packets that arrive within ``wait`` seconds (at least one read)."""
        self.port.timeout = wait
        data = self.port.read(max(1, getattr(self.port, "in_waiting", 0) or 0))
        if data:
            more = getattr(self.port, "in_waiting", 0) or 0
            if more:
                data += self.port.read(more)
        self.stats.bytes_in += len(data)
        return self.parser.feed(data)

    def reset(self, tries: int = 3):
        """RESET the board and wait for its STATUS with the RESET flag."""
        for _ in range(tries):
            self.port.reset_input_buffer()
            self.parser = P.BoardPacketParser(self.parser.result_bytes)
            self._write(P.command_packet(P.RESET))
            t_end = time.monotonic() + max(self.silence, 0.5)
            while time.monotonic() < t_end:
                for pkt in self._packets(0.05):
                    if pkt.kind == "status" and pkt.flags & P.FLAG_RESET and pkt.seq == 0 and pkt.freed == 0:
                        return
        raise UserError(f"no answer from the board after {tries} RESET packets: is the UART bitstream loaded "
                        f"and the port right?")

    # ---------------------------------------------------------------- run
    def run(self, frames: list, inverse=None) -> list:
        """Send ``frames`` (lists of input words, ``frame_words`` each; with
        per-frame ``inverse`` flags for runtime-direction cores) and return
        the output frames (lists of output words) in the same order."""
        spec, st = self.spec, self.stats
        nf = len(frames)
        st.frames = nf
        inv = [bool(v) for v in inverse] if inverse is not None else [False] * nf
        for k, f in enumerate(frames):
            if len(f) != spec.frame_words:
                raise ValueError(f"frame {k}: {len(f)} words, the core takes {spec.frame_words}")
        self.reset()
        t0 = time.monotonic()
        bodies = [P.encode_words(f, spec.in_width) for f in frames]
        queue = collections.deque(range(nf))
        job = {}                 # sequence count -> frame index
        out = [None] * nf
        done = 0
        next_seq = acked = freed = next_result = 0
        goback = None            # `expected` we last went back to
        polled = False
        quiet_since = time.monotonic()
        rounds = 0
        while done < nf:
            while next_seq - freed < spec.slots:
                if next_seq in job:
                    idx = job[next_seq]
                    st.resent += 1
                else:
                    while queue and out[queue[0]] is not None:     # its result came after all
                        queue.popleft()
                    if not queue:
                        break
                    idx = queue.popleft()
                    job[next_seq] = idx
                self._write(self._framed(next_seq, inv[idx], bodies[idx]))
                st.data_sent += 1
                next_seq += 1
            pkts = self._packets(0.02)
            if pkts:
                quiet_since = time.monotonic()
            for pkt in pkts:
                if pkt.kind == "corrupt":
                    st.corrupt += 1
                elif pkt.kind == "status":
                    e, f = _unwrap(acked, pkt.seq), _unwrap(freed, pkt.freed)
                    if e > next_seq or f > e:
                        continue                     # not from this run's numbering: ignore
                    if e > acked or f > freed:
                        rounds = 0
                    acked, freed = e, f
                    if polled:
                        polled = False
                        for c in range(next_result, freed):   # finished by the board, never received
                            self._requeue(job, c, queue)
                        next_result = max(next_result, freed)
                        next_seq, goback = acked, None
                    elif pkt.flags & P.FLAG_NAK and acked < next_seq and goback != acked:
                        st.naks += 1
                        next_seq, goback = acked, acked
                else:
                    c = _unwrap(next_result, pkt.seq)
                    if c >= next_seq or c not in job:
                        continue                     # stale
                    for k in range(next_result, c):
                        self._requeue(job, k, queue)
                    idx = job[c]
                    if out[idx] is None:
                        out[idx] = P.decode_words(pkt.body, spec.out_width)
                        done += 1
                    next_result = c + 1
                    rounds = 0
            if not pkts and time.monotonic() - quiet_since > self.silence:
                st.timeouts += 1
                rounds += 1
                if rounds > self.max_rounds:
                    raise UserError(f"the board stopped answering: {done} of {nf} frames back after "
                                    f"{self.max_rounds} polls")
                self._write(P.command_packet(P.POLL))
                polled = True
                quiet_since = time.monotonic()
        st.seconds = time.monotonic() - t0
        return out

    @staticmethod
    def _framed(seq: int, inverse: bool, body: bytes) -> bytes:
        core = bytes([P.DATA_INV if inverse else P.DATA, seq & 0xFF]) + body
        return bytes([P.SYNC_TO_BOARD]) + core + P.crc16(core).to_bytes(2, "little")

    def _requeue(self, job: dict, count: int, queue):
        idx = job.get(count)
        if idx is not None:
            self.stats.lost_results += 1
            queue.appendleft(idx)
