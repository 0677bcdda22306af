"""Stimulus harness around a stream core: an LFSR feeds the input stream, a
running checksum folds every output word, and a self-check compares the
checksum of the first frames with the value the bit-true model predicts.

The harness keeps synthesis from optimising the core away (every input bit
is driven by the LFSR, every output bit reaches the checksum) and lets a
person see a board work: LEDs show *alive*, *pass*, *fail* and *overflow*.

Stimulus (identical in :class:`StimulusHarness` and :func:`stimulus_words`)
--------------------------------------------------------------------------
* A 64-bit Galois LFSR (polynomial x^64 + x^63 + x^61 + x^60 + 1, mask
  ``0xD800000000000000``, seed ``LFSR_SEED``) steps once per *accepted* input
  sample; the input payload is its low ``payload width`` bits.
* ``valid`` and the output ``ready`` are low 1 cycle in 8 and 1 in 4 (bits of a
  free-running 16-bit LFSR), so the core's stalls are exercised; the data
  sequence does not depend on the stalls.
* The checksum (32 bits, reset 0) updates on every accepted output word ``w``:
  ``cs = rotl(cs, 1) ^ fold32(w)``, where ``fold32`` XORs the 32-bit chunks of
  the payload.
* After ``check_frames * n`` output words the checksum is latched and compared
  with the expected constant (computed from the core's bit-true model).
"""

from __future__ import annotations

import numpy as np
from amaranth.hdl import (Cat, ClockSignal, Const, Elaboratable, Instance, Module, Mux, ResetSignal,
                          Signal)

__all__ = ["StimulusHarness", "stimulus_words", "expected_checksum", "fold32", "checksum",
           "LFSR_SEED", "LFSR_MASK", "CoreIO", "component_core", "verilog_core"]

LFSR_MASK = 0xD800000000000000
LFSR_SEED = 0x0123456789ABCDEF
STALL_SEED = 0xACE1
STALL_MASK = 0xB400           # x^16 + x^14 + x^13 + x^11 + 1 (Galois)
MASK32 = 0xFFFFFFFF


def _lfsr_next(s: int) -> int:
    return (s >> 1) ^ (LFSR_MASK if s & 1 else 0)


def stimulus_words(count: int, payload_width: int) -> list:
    """The first ``count`` input payload words the harness sends."""
    if payload_width > 64:
        raise ValueError(f"input payload of {payload_width} bits: the harness LFSR gives at most 64")
    s, out, m = LFSR_SEED, [], (1 << payload_width) - 1
    for _ in range(count):
        out.append(s & m)
        s = _lfsr_next(s)
    return out


def fold32(word: int) -> int:
    v = 0
    while word:
        v ^= word & MASK32
        word >>= 32
    return v


def checksum(words) -> int:
    """The harness checksum of a sequence of output payload words."""
    cs = 0
    for w in words:
        cs = (((cs << 1) | (cs >> 31)) & MASK32) ^ fold32(int(w))
    return cs


def expected_checksum(cfg, desc: dict, frames: int) -> int:
    """Checksum of the first ``frames`` output frames, from the bit-true model
    of ``cfg`` (any registered core kind) driven with the harness stimulus.

    The core must have a fixed direction (``runtime`` cores take the
    direction from a port the harness ties to 0: forward)."""
    from ..pyref.registry import model_for
    from ..sim.payload import pack, unpack
    n = desc["n"]
    pin, pout = desc["ports"]["input"], desc["ports"]["output"]
    words = stimulus_words(frames * n, pin["width"])
    f = unpack(pin["fields"], words)
    re = np.asarray(f["re"], dtype=np.int64).reshape(frames, n)
    im = np.asarray(f["im"], dtype=np.int64).reshape(frames, n)
    inverse = np.zeros(frames, dtype=bool) if desc.get("direction") == "runtime" else None
    y_re, y_im, ovf = model_for(cfg)(re, im, inverse)
    last = np.zeros((frames, n), dtype=np.int64)
    last[:, -1] = 1
    vals = {"re": np.asarray(y_re).reshape(-1), "im": np.asarray(y_im).reshape(-1),
            "last": last.reshape(-1), "overflow": np.asarray(ovf, dtype=np.int64).reshape(-1)}
    out = pack(pout["fields"], vals, frames * n)
    return checksum(out)


class CoreIO:
    """The stream signals of a core, as the harness sees them."""

    def __init__(self, in_width: int, out_width: int, out_fields: dict, has_inverse: bool):
        self.i_valid, self.i_ready = Signal(), Signal()
        self.i_payload = Signal(in_width)
        self.o_valid, self.o_ready = Signal(), Signal()
        self.o_payload = Signal(out_width)
        self.inverse = Signal() if has_inverse else None
        self.out_fields = out_fields


def component_core(core, desc: dict):
    """Adapter for an Amaranth stream component with ``i``/``o`` members
    (e.g. :class:`fftforge.hdl.fft.FFTCore`): returns ``(io, attach)`` where
    ``attach(m)`` adds the core to module ``m`` and wires it to ``io``."""
    pin, pout = desc["ports"]["input"], desc["ports"]["output"]
    io = CoreIO(pin["width"], pout["width"], pout["fields"], "direction" in desc["ports"])

    def attach(m, clk, rst):
        m.submodules.core = core
        m.d.comb += [
            core.i.valid.eq(io.i_valid), io.i_ready.eq(core.i.ready),
            core.i.payload.as_value().eq(io.i_payload),
            io.o_valid.eq(core.o.valid), core.o.ready.eq(io.o_ready),
            io.o_payload.eq(core.o.payload.as_value()),
        ]
        if io.inverse is not None:
            m.d.comb += core.inverse.eq(io.inverse)
    return io, attach


def verilog_core(desc: dict):
    """Adapter for a generated Verilog core described by its descriptor: an
    ``Instance`` of module ``desc['name']`` with the descriptor's port names
    (the Verilog file must be added to the build separately)."""
    ports = desc["ports"]
    pin, pout = ports["input"], ports["output"]
    io = CoreIO(pin["width"], pout["width"], pout["fields"], "direction" in ports)

    def attach(m, clk, rst):
        kw = {
            f"i_{ports['clock']}": clk, f"i_{ports['reset']}": rst,
            f"i_{pin['valid']}": io.i_valid, f"o_{pin['ready']}": io.i_ready,
            f"i_{pin['payload']}": io.i_payload,
            f"o_{pout['valid']}": io.o_valid, f"i_{pout['ready']}": io.o_ready,
            f"o_{pout['payload']}": io.o_payload,
        }
        if io.inverse is not None:
            kw[f"i_{ports['direction']['name']}"] = io.inverse
        m.submodules.core = Instance(desc["name"], **kw)
    return io, attach


class StimulusHarness(Elaboratable):
    """LFSR stimulus, output checksum and self-check around one stream core.

    Parameters
    ----------
    core : tuple
        ``(io, attach)`` from :func:`component_core` or :func:`verilog_core`.
    n : int
        Samples per frame.
    check_frames : int
        Output frames folded into the checked checksum.
    expected : int or None
        Expected checksum of those frames (``None``: no self-check; ``fail``
        stays low and ``pass_`` high once the frames are done).
    stalls : bool
        Exercise valid/ready stalls.

    Attributes (outputs, ``sync`` domain)
    -------------------------------------
    checksum : Signal(32)
        Running checksum of all output words.
    latched : Signal(32)
        Checksum after ``check_frames`` frames.
    done, pass_, fail : Signal
        Self-check finished / matched / mismatched.
    overflow : Signal
        Sticky OR of the output ``overflow`` field (if the core has one).
    alive : Signal
        Toggles every 2**``alive_bit`` cycles (blinks an LED).
    words_out : Signal(32)
        Output words accepted so far (saturates).
    """

    def __init__(self, core, n: int, check_frames: int = 2, expected: int | None = None,
                 stalls: bool = True, alive_bit: int = 23):
        self.io, self._attach = core
        self.n = n
        self.check_frames = check_frames
        self.expected = expected
        self.stalls = stalls
        self.alive_bit = alive_bit
        self.checksum = Signal(32)
        self.latched = Signal(32)
        self.done = Signal()
        self.pass_ = Signal()
        self.fail = Signal()
        self.overflow = Signal()
        self.alive = Signal()
        self.words_out = Signal(32)

    def elaborate(self, platform):
        m = Module()
        io = self.io
        self._attach(m, ClockSignal("sync"), ResetSignal("sync", allow_reset_less=True))

        lfsr = Signal(64, init=LFSR_SEED)
        stall = Signal(16, init=STALL_SEED)
        m.d.sync += stall.eq((stall >> 1) ^ Mux(stall[0], STALL_MASK, 0))
        if self.stalls:
            m.d.comb += [io.i_valid.eq(~(stall[0:3] == 0)), io.o_ready.eq(~(stall[3:5] == 0))]
        else:
            m.d.comb += [io.i_valid.eq(1), io.o_ready.eq(1)]
        m.d.comb += io.i_payload.eq(lfsr[:len(io.i_payload)])
        if io.inverse is not None:
            m.d.comb += io.inverse.eq(0)
        with m.If(io.i_valid & io.i_ready):
            m.d.sync += lfsr.eq((lfsr >> 1) ^ Mux(lfsr[0], Const(LFSR_MASK, 64), 0))

        # checksum of every accepted output word
        w = io.o_payload
        folded = Const(0, 32)
        for k in range(0, len(w), 32):
            chunk = w[k:k + 32]
            folded = folded ^ chunk
        cs = self.checksum
        total = self.check_frames * self.n
        with m.If(io.o_valid & io.o_ready):
            m.d.sync += cs.eq(Cat(cs[31], cs[:31]) ^ folded)
            with m.If(self.words_out != 0xFFFFFFFF):
                m.d.sync += self.words_out.eq(self.words_out + 1)
            with m.If(self.words_out == total - 1):
                m.d.sync += [self.latched.eq(Cat(cs[31], cs[:31]) ^ folded), self.done.eq(1)]
            if "overflow" in io.out_fields:
                f = io.out_fields["overflow"]
                with m.If(w[f["offset"]]):
                    m.d.sync += self.overflow.eq(1)
        if self.expected is None:
            m.d.comb += [self.pass_.eq(self.done), self.fail.eq(0)]
        else:
            m.d.comb += [self.pass_.eq(self.done & (self.latched == self.expected)),
                         self.fail.eq(self.done & (self.latched != self.expected))]
        cnt = Signal(self.alive_bit + 1)
        m.d.sync += cnt.eq(cnt + 1)
        m.d.comb += self.alive.eq(cnt[-1])
        return m


class SynthTop(Elaboratable):
    """Minimal top for synthesis on parts without out-of-context place and
    route (iCE40): the harness with no self-check and one output pin, the XOR
    of the running checksum, so that every core output bit stays live."""

    def __init__(self, core, n: int):
        self.harness = StimulusHarness(core, n, check_frames=1, expected=None, stalls=True,
                                       alive_bit=4)
        self.out = Signal()

    def elaborate(self, platform):
        m = Module()
        m.submodules.harness = h = self.harness
        m.d.sync += self.out.eq(h.checksum.xor() ^ h.overflow)
        return m
