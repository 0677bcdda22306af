"""The UART streaming top (``fftforge build --io uart``): a stream core
between a UART receiver and transmitter, speaking the protocol of
:mod:`fftforge.fpga.protocol`.  Board-independent: :class:`UartTop` has
the serial lines as ports; :class:`BoardUartTop` wires it to a board's
``uart`` resource and LEDs.

Data path::

    rx -> UARTRx -> FrameReceiver (CRC, sequence, `slots` frame buffers)
       -> core (valid/ready) -> FrameSender (RESULT + STATUS packets) -> UARTTx -> tx

Backpressure: the transmitter stalls the sender, the sender the core, the
core the frame buffers; the host sends a frame only when a buffer is free
(credits), so the receiver never overruns.

:func:`uart_divisor` picks the clock divisor for a baud rate and refuses
one that is more than 2 % off.
"""

from __future__ import annotations

import os

from amaranth.hdl import ClockSignal, Elaboratable, Module, ResetInserter, ResetSignal, Signal
from amaranth.lib import io as aio
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from fftforge.errors import UserError
from fftforge.fpga import protocol as P
from fftforge.fpga.uart import FrameReceiver, FrameSender, UARTRx, UARTTx

__all__ = ["uart_divisor", "check_streamable", "frame_memory", "UartTop", "BoardUartTop", "MAX_BAUD_ERROR"]

#: the largest baud-rate error accepted (the far end's own error adds to it;
#: 8N1 tolerates about 4-5 % in total)
MAX_BAUD_ERROR = 0.02


def uart_divisor(clock_hz: float, baud: int) -> tuple:
    """``(divisor, error)``: clock cycles per bit for ``baud`` at
    ``clock_hz`` (rounded) and the relative error of the rate it gives.

    Raises UserError (one line, naming ``--baud``) when the baud is not
    positive, the divisor would be below 4, or the error exceeds
    :data:`MAX_BAUD_ERROR`."""
    if baud <= 0:
        raise UserError(f"--baud must be a positive number of bits per second, got {baud}")
    div = round(clock_hz / baud)
    if div < 4:
        raise UserError(f"--baud {baud} is too fast for the {clock_hz / 1e6:g} MHz clock: at most "
                        f"{int(clock_hz // 4)} (4 clock cycles per bit)")
    err = clock_hz / div / baud - 1
    if abs(err) > MAX_BAUD_ERROR:
        lo, hi = clock_hz / (div + 1), clock_hz / max(div - 1, 4)
        raise UserError(f"--baud {baud} is {err * 100:+.1f} % off at the {clock_hz / 1e6:g} MHz clock (divisor "
                        f"{div}; at most {MAX_BAUD_ERROR * 100:g} %): use e.g. {int(clock_hz / div)}, "
                        f"{int(lo)} or {int(hi)}")
    return div, err


def check_streamable(cfg, desc: dict):
    """Raise UserError (one line) unless the UART top can stream the core:
    an FFT core (kind ``fft``), whose frames are independent, so the host
    may send a frame again when its result was lost.  (Filter and FFTNet
    cores carry weights, and overlap-save filters history, across frames.)"""
    kind = desc.get("kind", "fft")
    if kind != "fft":
        raise UserError(f"--io uart streams FFT cores only (their frames are independent, so a lost result "
                        f"is recomputed by sending its frame again); core {desc.get('name')} is a {kind} core")


#: UltraPlus parts (SPRAM); frame buffers of more bits than this go there
SPRAM_DEVICES = ("iCE40UP5K", "iCE40UP3K")
SPRAM_MIN_BITS = 4 * 4096


def frame_memory(device: str, width: int, frame_words: int, slots: int) -> str:
    """Where the UART top keeps its input frame buffers on ``device``:
    ``"spram"`` on an iCE40 UltraPlus when they hold more than
    :data:`SPRAM_MIN_BITS` bits (four EBR) and fit its SPRAM
    (:func:`fftforge.fpga.uart.spram_fits`), which leaves the block RAM to
    the core (N = 1024 on the UP5K: 2 x 1024 words of 30 bits would take 15
    of its 30 EBR); else ``"block"`` (block or distributed RAM, as synthesis
    maps the memory)."""
    from fftforge.fpga.uart import spram_fits
    if (device in SPRAM_DEVICES and slots * frame_words * width > SPRAM_MIN_BITS
            and spram_fits(width, frame_words, slots)):
        return "spram"
    return "block"


class UartTop(wiring.Component):
    """A stream core behind the UART streaming protocol.

    Parameters
    ----------
    core : tuple
        ``(io, attach)`` from :func:`fftforge.fpga.harness.verilog_core`
        (a generated Verilog core) or :func:`~fftforge.fpga.harness.component_core`
        (an Amaranth component, for simulation).
    frame_words : int
        Transfers per frame (:func:`fftforge.pyref.lanes.frame_transfers`).
    divisor : int
        Clock cycles per UART bit.
    slots : int
        Input frame buffers.
    timeout_bytes : int
        Byte times of silence inside a packet before the receiver drops it.
    spram : bool
        The frame buffers in iCE40 UltraPlus SPRAM
        (:class:`~fftforge.fpga.uart.FrameReceiver`), not block RAM.

    Attributes
    ----------
    rx : In(1)
        Serial data from the host (idle high).
    tx : Out(1)
        Serial data to the host (idle high).
    activity : Out(1)
        Toggles with every RESULT packet (an LED blinks while frames flow).
    error : Out(1)
        Set by a rejected packet (bad CRC, sequence or no room), cleared by
        a RESET packet.

    Latency: a frame's first input word reaches the core 2 cycles after its
    DATA packet's last byte is received; results leave as fast as the line
    allows (the core's latency in between).  Bit growth: none (the core's
    words travel unchanged, padded to whole bytes).
    """

    def __init__(self, core, frame_words: int, divisor: int, slots: int = P.DEFAULT_SLOTS,
                 timeout_bytes: int = P.TIMEOUT_BYTES, spram: bool = False):
        self.core_io, self._attach = core
        self.frame_words, self.divisor, self.slots, self.spram = frame_words, divisor, slots, spram
        self.timeout = timeout_bytes * 10 * divisor
        super().__init__({"rx": In(1, init=1), "tx": Out(1, init=1), "activity": Out(1), "error": Out(1)})

    def elaborate(self, platform):
        m = Module()
        cio = self.core_io
        m.submodules.rx = rx = UARTRx(self.divisor)
        m.submodules.tx = tx = UARTTx(self.divisor)
        m.d.comb += [rx.rx.eq(self.rx), self.tx.eq(tx.tx)]

        soft_rst = Signal()
        dp = Module()
        dp.submodules.receiver = rcv = FrameReceiver(width=len(cio.i_payload), frame_words=self.frame_words,
                                                     slots=self.slots, timeout=self.timeout, spram=self.spram)
        dp.submodules.sender = snd = FrameSender(width=len(cio.o_payload), frame_words=self.frame_words)
        self._attach(dp, ClockSignal("sync"), ResetSignal("sync", allow_reset_less=True) | soft_rst)
        dp.d.comb += [
            rcv.i.payload.eq(rx.o.payload), rcv.i.valid.eq(rx.o.valid),
            cio.i_valid.eq(rcv.o.valid), rcv.o.ready.eq(cio.i_ready), cio.i_payload.eq(rcv.o.payload),
            snd.i.valid.eq(cio.o_valid), cio.o_ready.eq(snd.i.ready), snd.i.payload.eq(cio.o_payload),
            tx.i.payload.eq(snd.o.payload), tx.i.valid.eq(snd.o.valid), snd.o.ready.eq(tx.i.ready),
            snd.expected.eq(rcv.expected), snd.freed.eq(rcv.freed), snd.event.eq(rcv.event), snd.nak.eq(rcv.nak),
            soft_rst.eq(rcv.soft_reset),
        ]
        if cio.inverse is not None:
            dp.d.comb += cio.inverse.eq(rcv.inverse)
        last_out = Signal(8)
        dp.d.sync += last_out.eq(snd.frames_out)
        with dp.If(last_out != snd.frames_out):
            dp.d.sync += self.activity.eq(~self.activity)
        with dp.If(rcv.nak):
            dp.d.sync += self.error.eq(1)
        m.submodules.dp = ResetInserter({"sync": soft_rst})(dp)
        return m


class BoardUartTop(Elaboratable):
    """:class:`UartTop` of a generated Verilog core on a board: the ``uart``
    resource's ``rx``/``tx`` and, where the board has them, LEDs (``led_g``:
    activity, ``led_r``: error; boards with a row of ``led``: led0 activity,
    led1 error).  The ULX3S's ``uart_tx_enable`` is driven high.

    Parameters
    ----------
    core : fftforge.fpga.core.CoreSource
    baud : int
    slots : int
    spram : bool
        The frame buffers in SPRAM (iCE40 UltraPlus parts).
    """

    def __init__(self, core, baud: int = P.DEFAULT_BAUD, slots: int = P.DEFAULT_SLOTS, spram: bool = False):
        self.core, self.baud, self.slots, self.spram = core, baud, slots, spram
        self.legend = {}
        self.divisor = None

    def elaborate(self, platform):
        from fftforge.fpga.harness import verilog_core
        from fftforge.pyref.lanes import frame_transfers
        m = Module()
        self.divisor, _ = uart_divisor(platform.default_clk_frequency, self.baud)
        top = UartTop(verilog_core(self.core.desc), frame_transfers(self.core.config), self.divisor, self.slots,
                      spram=self.spram)
        m.submodules.uart_top = top
        subs = [io.name for io in platform.lookup("uart", 0).ios if hasattr(io, "name")]
        uart = platform.request("uart", 0, dir={name: "-" for name in subs})   # rts/dtr: left unused
        m.submodules.rx_buf = rxb = aio.Buffer("i", uart.rx)
        m.submodules.tx_buf = txb = aio.Buffer("o", uart.tx)
        m.d.comb += [top.rx.eq(rxb.i), txb.o.eq(top.tx)]
        names = {r[0] for r in platform.resources}
        if "uart_tx_enable" in names:
            m.submodules.tx_en = en = aio.Buffer("o", platform.request("uart_tx_enable", 0, dir="-"))
            m.d.comb += en.o.eq(1)

        def led(name, i):
            m.submodules[f"{name}_{i}"] = buf = aio.Buffer("o", platform.request(name, i, dir="-"))
            return buf.o
        if {"led_g", "led_r"} <= names:
            m.d.comb += [led("led_g", 0).eq(top.activity), led("led_r", 0).eq(top.error)]
            self.legend = {"led_g": "toggles with every result frame sent", "led_r": "on = a packet was rejected "
                           "(CRC, sequence or no room; the host resends it); cleared by the next run"}
        elif ("led", 1) in {(r[0], r[1]) for r in platform.resources}:
            m.d.comb += [led("led", 0).eq(top.activity), led("led", 1).eq(top.error)]
            self.legend = {"led0": "toggles with every result frame sent",
                           "led1": "on = a packet was rejected (the host resends it); cleared by the next run"}
        platform.add_file(os.path.basename(self.core.verilog), open(self.core.verilog).read())
        return m
