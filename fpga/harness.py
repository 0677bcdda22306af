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
  transfer; the input payload is its low ``payload width`` bits.  Payloads
  wider than 64 bits (P-lane cores) take bits ``64j .. 64j+63`` from LFSR
  ``j`` (same polynomial, seed :func:`lfsr_seed` ``(j)``; LFSR 0 is the one
  above), all stepping together.
* Side streams of the core (the weight port ``w`` of runtime-weight filter
  and FFTNet cores) are tied idle, ``valid`` = 0: the core runs on its
  initial weights.  Runtime-direction cores get ``inverse`` = 0 (forward),
  run-time-length cores ``log2n`` = log2 NMAX (every frame NMAX).
* ``valid`` and the output ``ready`` are low 1 cycle in 8 and 1 in 4 (bits of a
  free-running 16-bit LFSR), so the core's stalls are exercised; the data
  sequence does not depend on the stalls.
* The checksum (32 bits, reset 0) updates on every accepted output word ``w``:
  ``cs = rotl(cs, 1) ^ fold32(w)``, where ``fold32`` XORs the 32-bit chunks of
  the payload.
* After ``check_frames`` output frames (``check_frames * N/P`` output words;
  overlap-save: ``hop/P`` words per frame, see
  :func:`fftforge.pyref.lanes.frame_transfers`) the checksum is latched and
  compared with the expected constant (computed from the core's bit-true
  model, with the stream words packed by :mod:`fftforge.pyref.lanes`, the
  packer the simulation checks use).
"""

from __future__ import annotations

import numpy as np
from amaranth.hdl import (Cat, ClockSignal, Const, Elaboratable, Instance, Module, Mux, ResetSignal,
                          Signal)

from fftforge.errors import UserError

__all__ = ["StimulusHarness", "stimulus_words", "expected_checksum", "fold32", "checksum",
           "LFSR_SEED", "LFSR_MASK", "lfsr_seed", "CoreIO", "component_core", "verilog_core"]

LFSR_MASK = 0xD800000000000000
LFSR_SEED = 0x0123456789ABCDEF
STALL_SEED = 0xACE1
STALL_MASK = 0xB400           # x^16 + x^14 + x^13 + x^11 + 1 (Galois)
MASK32 = 0xFFFFFFFF
MASK64 = (1 << 64) - 1


def _lfsr_next(s: int) -> int:
    return (s >> 1) ^ (LFSR_MASK if s & 1 else 0)


def lfsr_seed(j: int) -> int:
    """Seed of the LFSR that drives payload bits ``64j .. 64j+63``
    (``LFSR_SEED`` for j = 0; never zero)."""
    if j == 0:
        return LFSR_SEED
    return ((LFSR_SEED ^ (j * 0x9E3779B97F4A7C15)) & MASK64) or 1


def lfsr_count(payload_width: int) -> int:
    """64-bit LFSRs that drive a payload of ``payload_width`` bits."""
    return max(-(-payload_width // 64), 1)


def stimulus_words(count: int, payload_width: int) -> list:
    """The first ``count`` input payload words the harness sends."""
    if payload_width < 1:
        raise ValueError(f"input payload of {payload_width} bits")
    states = [lfsr_seed(j) for j in range(lfsr_count(payload_width))]
    out, m = [], (1 << payload_width) - 1
    for _ in range(count):
        w = 0
        for j, s in enumerate(states):
            w |= s << (64 * j)
        out.append(w & m)
        states = [_lfsr_next(s) for s in states]
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
    of ``cfg`` (any core kind of :data:`fftforge.kinds.KINDS`, any lane
    count) driven with the harness stimulus (side streams idle; ``runtime``
    direction cores take the direction from a port the harness ties to 0:
    forward; runtime-weight cores report ``wseq`` = 0 on every output, no
    weight written).

    Raises :class:`~fftforge.errors.UserError` (one line) for a kind
    without a bit-true model, ``frames`` < 1, or a descriptor whose input or
    output payload fields are not the ones ``cfg`` streams (the checksum
    would not be the core's)."""
    from fftforge.pyref import lanes
    from fftforge.pyref.registry import model_for
    from fftforge.sim.payload import pack, unpack
    model = model_for(cfg)            # first: a kind without a model stops here, in one line
    if frames < 1:
        raise UserError(f"the self-check needs at least 1 frame, got {frames}")
    pin, pout = desc["ports"]["input"], desc["ports"]["output"]
    _check_fields(desc, "input", pin, [f for lane in cfg.lane_fields for f in lane])
    t = lanes.frame_transfers(cfg)
    words = stimulus_words(frames * t, pin["width"])
    fields = {k: np.asarray(v).reshape(frames, t) for k, v in unpack(pin["fields"], words).items()}
    x = lanes.from_words(cfg, fields)
    re = np.asarray(x["re"], dtype=np.int64)
    im = np.asarray(x["im"], dtype=np.int64) if "im" in x else np.zeros_like(re)
    inverse = np.zeros(frames, dtype=bool) if desc.get("direction") == "runtime" else None
    out = lanes.output_words(cfg, *lanes.model_stream(cfg, re, im, inverse, model=model))
    if getattr(cfg, "weights", None) == "runtime":
        # the weight port is tied idle: every frame sees the memory after 0 writes
        out["wseq"] = np.zeros_like(out["last"])
    _check_fields(desc, "output", pout, list(out))
    return checksum(pack(pout["fields"], out, frames * t))


def _check_fields(desc: dict, port: str, spec: dict, want: list):
    have = list(spec.get("fields", {}))
    if sorted(have) != sorted(want):
        raise UserError(f"core {desc.get('name')}: {port} payload fields {', '.join(have) or 'none'} are not "
                        f"the {', '.join(want)} its configuration streams; no self-check can be computed "
                        f"(regenerate the core with 'fftforge generate')")


def side_streams(desc: dict) -> dict:
    """The core's input streams other than ``input`` (e.g. the weight port
    of runtime-weight cores): ``{name: port dict}`` from the descriptor."""
    return {k: v for k, v in desc["ports"].items()
            if k not in ("input", "output") and isinstance(v, dict) and "valid" in v and "payload" in v}


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
        if "size" in desc["ports"]:                   # run-time length: every frame NMAX
            m.d.comb += core.log2n.eq(desc["ports"]["size"]["max"])
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
        if "size" in ports:                           # run-time length: every frame NMAX
            kw[f"i_{ports['size']['name']}"] = Const(ports["size"]["max"], ports["size"]["width"])
        for side in side_streams(desc).values():      # idle: the core keeps its initial state
            kw[f"i_{side['valid']}"] = Const(0, 1)
            kw[f"i_{side['payload']}"] = Const(0, side["width"])
        m.submodules.core = Instance(desc["name"], **kw)
    return io, attach


class StimulusHarness(Elaboratable):
    """LFSR stimulus, output checksum and self-check around one stream core.

    Parameters
    ----------
    core : tuple
        ``(io, attach)`` from :func:`component_core` or :func:`verilog_core`.
    n : int
        Output words (transfers) per frame: N/P, overlap-save hop/P
        (:func:`fftforge.pyref.lanes.frame_transfers`).
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

        lfsrs = [Signal(64, init=lfsr_seed(j), name=f"lfsr{j}" if j else "lfsr")
                 for j in range(lfsr_count(len(io.i_payload)))]
        stall = Signal(16, init=STALL_SEED)
        m.d.sync += stall.eq((stall >> 1) ^ Mux(stall[0], STALL_MASK, 0))
        if self.stalls:
            m.d.comb += [io.i_valid.eq(~(stall[0:3] == 0)), io.o_ready.eq(~(stall[3:5] == 0))]
        else:
            m.d.comb += [io.i_valid.eq(1), io.o_ready.eq(1)]
        m.d.comb += io.i_payload.eq(Cat(*lfsrs)[:len(io.i_payload)])
        if io.inverse is not None:
            m.d.comb += io.inverse.eq(0)
        with m.If(io.i_valid & io.i_ready):
            for lfsr in lfsrs:
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
