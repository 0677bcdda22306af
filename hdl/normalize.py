"""Block floating point parts: the input frame normaliser and the read-out
shifter.  Twin of :mod:`fftforge.pyref.normalize`.

A single-path pipeline sees a frame one sample at a time, so a shift that
depends on the whole frame needs the whole frame in a memory:

:class:`InputNormalizer` (plan part ``normalize``)
    An N-word frame buffer in front of the butterflies.  While a frame is
    written an OR register collects ``v XOR sign(v)`` of its components;
    with the frame's last sample it is latched, and a priority encoder gives
    the headroom ``h = width - 1 - bit_length(OR)``.  On read-out every
    sample is shifted left by ``h`` (exact: no bit is lost).
:class:`OutputNormalizer` (plan part ``bfp_out``)
    Behind the reorder buffer: an OR register on the reorder's *write* side
    gives the frame's largest component ``L`` by the time the frame is read
    out; per frame ``r = max(L - (w_out - 1), h - K, 0)`` and the exponent
    ``e = K - h + r`` (``K``: the fixed schedule's total shift).  Every word
    is shifted right by ``r``, rounded and clipped (``+2**(w_out-1)``, the
    one value rounding can reach, becomes ``2**(w_out-1) - 1``).

How ``h`` travels from the first to the second: at most a few frames sit
between them, so a small FIFO of exponents (``depth`` a power of two,
:func:`exponent_fifo_depth`) inside :class:`OutputNormalizer` takes ``h``
when the frame starts to leave the input buffer and gives it back when the
frame starts to leave the reorder buffer.  Both events are fixed slot
offsets of the frame (the plan's ``offset``), so the FIFO's pointers are
advanced by the part's phase counter: under stalls everything freezes with
the clock enable, on a drain the bubbles carry (garbage) exponents like any
other slot, and the soft clear resets the pointers to the values that pair
frame 0's push with frame 0's pop.
"""

from amaranth.hdl import Array, C, Cat, Module, Mux, Signal, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from fftforge.config import BFP_NORMALIZE_LATENCY_EXTRA, BFP_OUT_LATENCY, RAM_LATENCY
from fftforge.hdl.delay import DelayLine
from fftforge.hdl.phase import phase_counter
from fftforge.hdl.word import data_reg, word_assign, word_layout

__all__ = ["InputNormalizer", "OutputNormalizer", "FrameFIFO", "BlockBias", "exponent_fifo_depth", "frame_peak",
           "magnitude_bits", "bit_length", "shift_right", "shift_rounded", "shift_word"]

assert BFP_NORMALIZE_LATENCY_EXTRA == RAM_LATENCY + 1 and BFP_OUT_LATENCY == 2


def magnitude_bits(v, width: int):
    """``v XOR sign(v)`` of a signed ``width``-bit value without its sign
    bit: ``width - 1`` bits whose bit length is the bits ``v`` needs
    besides its sign."""
    return (v ^ v[width - 1].replicate(width))[:width - 1]


def bit_length(v, name: str = None):
    """The bit length of the unsigned value ``v`` (a priority encoder, an
    expression of ``range(len(v) + 1)``)."""
    out = C(0, range(len(v) + 1))
    for b in range(len(v)):
        out = Mux(v[b], b + 1, out)
    return out


def frame_peak(m, phase, n: int, word, width: int):
    """A frame's magnitude bits ORed over its ``n`` words (one per slot,
    ``phase`` 0 with its first word): a register (``or_frame``) latched
    with the frame's last word and held for the next ``n`` slots; the bit
    length of its value is the bits the frame's largest component needs
    besides its sign.  Added to ``m``'s sync domain (under the caller's
    enable)."""
    mag = magnitude_bits(word.re, width) | magnitude_bits(word.im, width)
    acc = data_reg(width - 1, name="or_acc")
    peak = data_reg(width - 1, name="or_frame")
    with m.If(phase == 0):
        m.d.sync += acc.eq(mag)
    with m.Else():
        m.d.sync += acc.eq(acc | mag)
    with m.If(phase == n - 1):
        m.d.sync += peak.eq(acc | mag)             # the whole frame, its last word included
    return peak


def exponent_fifo_depth(push_slot: int, pop_slot: int, n: int) -> int:
    """Entries of the exponent FIFO between a push at ``push_slot`` and a
    pop at ``pop_slot`` (slots of frame 0, a frame every ``n`` slots): the
    frames in flight between them plus one, rounded up to a power of two."""
    frames = -(-(pop_slot - push_slot) // n) + 1
    return 1 << max(frames - 1, 0).bit_length()


class InputNormalizer(wiring.Component):
    """The input frame buffer of a block-floating-point core (``normalize``
    part, index 0): each frame shifted left by its headroom.

    Parameters
    ----------
    part : Part
        The ``normalize`` entry of :meth:`fftforge.config.FFTConfig.plan`
        (``period`` N, ``width_in == width_out``).
    tags : tuple of str
        Tag bits of the word (:mod:`fftforge.hdl.word`), carried unchanged.
    target, ce :
        Synthesis target and clock enable, for the buffer's memory
        (:mod:`fftforge.hdl.prims`).

    Attributes
    ----------
    i : In(word(width))
        Samples, frames of N from phase 0 (``part.offset``).
    o : Out(word(width))
        The same samples shifted left by their frame's ``h``, ``part.latency``
        slots later.
    h : Out(range(width))
        The left shift of the frame whose samples leave ``o`` from the next
        slot on: it changes ``part.latency - 1`` slots after a frame's first
        sample entered ``i`` and holds for N slots (:attr:`h_slot`).

    Latency N + 3 slots (N + :data:`~fftforge.config.BFP_NORMALIZE_LATENCY_EXTRA`):
    a delay line of N + 1 (an N-word memory and its registered read), a
    register, the shift register.  No bit growth: the shift is at most the
    frame's headroom, ``width - 1`` for an all-zero frame.
    Memory: N words of two ``width``-bit components plus the tags.
    """

    def __init__(self, part, tags=("ovf",), *, target: str = "generic", ce=None):
        if part.kind != "normalize" or part.width_in != part.width_out:
            raise ValueError(f"InputNormalizer needs a normalize part of equal widths, got {part}")
        n = part.period
        if part.latency != n + BFP_NORMALIZE_LATENCY_EXTRA:
            raise ValueError(f"normalize part latency {part.latency} != N + {BFP_NORMALIZE_LATENCY_EXTRA}")
        self.part = part
        self.tags = tuple(tags)
        self.target, self.ce = target, ce
        w = part.width_in
        super().__init__({
            "i": In(word_layout(w, tags)),
            "o": Out(word_layout(w, tags)),
            "h": Out(range(w)),
        })

    @property
    def h_slot(self) -> int:
        """Slot (counted from frame 0's first sample at the core's input)
        from which ``h`` holds frame 0's shift."""
        return self.part.offset + self.part.latency - 1

    def elaborate(self, platform):
        m = Module()
        p = self.part
        n, w = p.period, p.width_in
        phase = phase_counter(m, n, p.offset)          # 0 with a frame's first sample at i

        # headroom of the frame being written
        peak = frame_peak(m, phase, n, self.i, w)
        h = data_reg(range(w), name="h")
        # the frame's first sample reaches the shifter N + 2 slots after it
        # entered: h is set the slot before (phase 1) and held for N slots
        with m.If(phase == (p.latency - 2) % n):
            m.d.sync += h.eq((w - 1) - bit_length(peak))
        m.d.comb += self.h.eq(h)

        lay = word_layout(w, self.tags)
        m.submodules.buf = buf = DelayLine(lay, n + 1, target=self.target, ce=self.ce)
        m.d.comb += buf.i.eq(self.i)
        x = data_reg(lay, name="x_buf")
        m.d.sync += x.eq(buf.o)
        out = data_reg(lay, name="x_shifted")
        tags = {t: getattr(x, t) for t in self.tags}
        m.d.sync += word_assign(out, (x.re << h)[:w].as_signed(), (x.im << h)[:w].as_signed(), **tags)
        m.d.comb += self.o.eq(out)
        return m


class OutputNormalizer(wiring.Component):
    """The read-out shifter of a block-floating-point core (``bfp_out``
    part), with the frame's peak tracker on the reorder buffer's write side
    and the FIFO that brings each frame's input shift ``h``.

    Parameters
    ----------
    part : Part
        The ``bfp_out`` entry of the plan (``width_in``: the reorder
        buffer's words, ``width_out``: the output words).
    reorder : Part
        The ``reorder`` entry in front of it (its ``offset``: where a
        frame's first word is written).
    h_slot : int
        Slot from which the input normaliser's ``h`` holds frame 0's shift
        (:attr:`InputNormalizer.h_slot`); it holds it for N slots.
    fixed_shift : int
        K, the fixed schedule's total right shift.
    exponent_width, h_width : int
        Bits of the exponent output and of the ``h`` input.
    rounding : str
        ``"convergent"`` or ``"truncate"`` (as the core's).
    tags : tuple of str
        Tag bits of the word, carried unchanged.

    Attributes
    ----------
    i : In(word(width_in))
        The reorder buffer's output (frames in natural order).
    w : In(word(width_in))
        The reorder buffer's input (the words written, for the peak).
    h : In(range(2**h_width))
        The input normaliser's ``h``.
    o : Out(word(width_out))
        ``i`` shifted right by the frame's ``r``, rounded, clipped; 2 slots
        later.
    exponent : Out(unsigned(exponent_width))
        ``K - h + r`` of the frame whose word is on ``o`` (changes with the
        frame's first word).

    Latency 2 slots (:data:`~fftforge.config.BFP_OUT_LATENCY`): the right
    shift (with the rounding's half and sticky bits) into a register, then
    the rounding and clip into the output register.  Bit growth:
    ``width_out - width_in`` (negative: the shift makes the frame fit).
    """

    def __init__(self, part, reorder, h_slot: int, fixed_shift: int, exponent_width: int, h_width: int,
                 rounding: str, tags=("ovf",)):
        if part.kind != "bfp_out" or reorder.kind != "reorder":
            raise ValueError("OutputNormalizer needs the bfp_out part and the reorder part in front of it")
        if part.latency != BFP_OUT_LATENCY or reorder.offset + reorder.latency != part.offset:
            raise ValueError("bfp_out must take 2 slots and follow the reorder part")
        if rounding not in ("convergent", "truncate"):
            raise ValueError(f"rounding must be 'convergent' or 'truncate', got {rounding!r}")
        self.part, self.reorder = part, reorder
        self.h_slot, self.fixed_shift = h_slot, fixed_shift
        self.rounding = rounding
        self.tags = tuple(tags)
        self.exponent_width = exponent_width
        super().__init__({
            "i": In(word_layout(part.width_in, tags)),
            "w": In(word_layout(part.width_in, tags)),
            "h": In(range(1 << h_width)),
            "o": Out(word_layout(part.width_out, tags)),
            "exponent": Out(unsigned(exponent_width)),
        })

    def elaborate(self, platform):
        m = Module()
        p, rp = self.part, self.reorder
        n, wd, wo = p.period, p.width_in, p.width_out
        K = self.fixed_shift
        hw = len(self.h)

        # peak of the frame being written into the reorder buffer: latched
        # with its last word, 2 slots before its first word leaves the buffer
        wphase = phase_counter(m, n, rp.offset, name="wphase")
        peak = frame_peak(m, wphase, n, self.w, wd)

        # the exponent FIFO: push h where the input buffer starts a frame's
        # read-out, pop where this part has its frame's first word out
        phase = phase_counter(m, n, p.offset)           # 0 with a frame's first word at i
        push_slot, pop_slot = self.h_slot, p.offset + 1
        depth = exponent_fifo_depth(push_slot, pop_slot, n)
        pushes_before, pops_before = push_slot // n, pop_slot // n   # phantom frames before frame 0
        wr = Signal(range(depth), init=0, name="hfifo_wr")
        rd = Signal(range(depth), init=(pushes_before - pops_before) % depth, name="hfifo_rd")
        store = Array(data_reg(range(1 << hw), name=f"hfifo{k}") for k in range(depth))
        with m.If(phase == (push_slot - p.offset) % n):
            m.d.sync += [store[wr].eq(self.h), wr.eq(wr + 1)]
        h_head = store[rd]

        # per frame: bit length of the peak (phase n-2), the right shift r
        # (phase n-1, valid from the first word), the exponent and the pop
        # (phase 1, valid with the first output word)
        # r = max(0, lb - (wo - 1), h - K): the h terms (lift = h - K, the
        # threshold lift + wo - 1 that lb must pass, lift's sign) registered
        # with lb at phase n-2 (h_head holds the frame's h from phase 2 of
        # the frame before: pushed long before, popped at phase 1), so that
        # phase n-1 has one short compare and two selects from flip-flops
        lb = data_reg(range(wd), name="peak_bits")
        rw = max(wd, (1 << hw) + abs(K)).bit_length() + 2
        lift = data_reg(signed(rw), name="r_lift")
        thr = data_reg(signed(rw), name="r_threshold")
        lift_pos = data_reg(1, name="r_lift_positive")
        with m.If(phase == n - 2):
            m.d.sync += [lb.eq(bit_length(peak)), lift.eq(h_head - K), thr.eq(h_head - K + (wo - 1)),
                         lift_pos.eq(h_head > K)]
        need = Signal(signed(rw), name="r_need")
        m.d.comb += need.eq(lb - (wo - 1))
        r = data_reg(range(max(wd, 1 << hw) + 1), name="r")
        with m.If(phase == n - 1):
            m.d.sync += r.eq(Mux(lb > thr, Mux(lb >= wo, need, 0), Mux(lift_pos, lift, 0)))
        e = data_reg(unsigned(self.exponent_width), name="exponent")
        with m.If(phase == 1 % n):
            m.d.sync += [e.eq(r - lift), rd.eq(rd + 1)]
        m.d.comb += self.exponent.eq(e)

        # the words: shift right by r (with the half and sticky bits), then
        # round and clip
        m.d.comb += self.o.eq(shift_word(m, self.i, r, wd, wo, self.rounding, self.tags))
        return m


def shift_right(m, x, r, width: int, name: str):
    """First slot of a variable rounded right shift: registers ``q = x >>
    r`` (``x`` signed, ``width`` bits) with the rounding's half bit (bit
    ``r - 1``) and sticky bit (any bit below it); returns ``(q, half,
    sticky)`` for :func:`shift_rounded`."""
    q = data_reg(signed(width), name=f"{name}_q")
    half = data_reg(1, name=f"{name}_half")
    sticky = data_reg(1, name=f"{name}_sticky")
    y = Cat(C(0, 1), x.as_unsigned())          # y[k] = x[k-1]: y's bit r is x's bit r-1
    mask = ~(C((1 << (width + 1)) - 1, width + 1) << r)[:width + 1]
    m.d.sync += [q.eq(x >> r), half.eq(y.bit_select(r, 1)), sticky.eq((y & mask)[1:].any())]
    return q, half, sticky


def shift_rounded(q, half, sticky, width_out: int, rounding: str):
    """Second slot's value: ``q`` rounded (``"convergent"``: ties to even;
    ``"truncate"``: floor) in ``width_out`` bits, ``+2**(width_out-1)`` (the
    one value rounding can reach beyond the range) clipped to
    ``2**(width_out-1) - 1`` -- :func:`fftforge.pyref.fixed.round_shift`
    by ``r``."""
    hi = (1 << (width_out - 1)) - 1
    qo = q[:width_out].as_signed()
    if rounding == "convergent":
        up = half & (q[0] | sticky)
        return Mux(up & (qo == hi), hi, qo + up)
    return qo


def shift_word(m, word, r, width: int, width_out: int, rounding: str, tags=("ovf",), name: str = ""):
    """A word (re, im and its ``tags``) shifted right by ``r``, rounded,
    clipped (:func:`shift_right`, :func:`shift_rounded`): the output word
    register, 2 slots later (:data:`~fftforge.config.BFP_OUT_LATENCY`)."""
    outs = {}
    for comp in ("re", "im"):
        outs[comp] = shift_rounded(*shift_right(m, getattr(word, comp), r, width, f"{name}{comp}"), width_out,
                                   rounding)
    t1 = data_reg(word_layout(1, tags), name=f"{name}tags_q")
    m.d.sync += word_assign(t1, 0, 0, **{t: getattr(word, t) for t in tags})
    o = data_reg(word_layout(width_out, tags), name=f"{name}o_word")
    m.d.sync += word_assign(o, outs["re"], outs["im"], **{t: getattr(t1, t) for t in tags})
    return o


class BlockBias(wiring.Component):
    """The bfp FFTNet's block scaler between the per-bin multiply and the
    modReLU (:mod:`fftforge.filter_config`, "Block floating point FFTNet";
    twin :func:`fftforge.pyref.fftnet.bfp_bias` and
    :func:`fftforge.pyref.fftnet.block_shift`).

    Per word (``e`` and ``b`` are constant over a frame, so every word of
    the frame gets the frame's values): ``nb = bit_length(b XOR sign(b))``,
    ``e2 = max(e, L + nb - c)`` (``e`` for ``b = 0``), ``d = e2 - e``,
    ``b' = b 2**(L - e2)`` (a left shift, exact: ``e2 <= L``, checked by the
    configuration), and the weighted mantissa word shifted right by ``d``,
    rounded.

    Parameters
    ----------
    log2n : int
        L.
    bias_log2 : int
        c (``|b'| <= 2**c``).
    width : int
        Width of the words (Y and Y', signed parts).
    bias_width, bias_out_width : int
        Widths of ``b`` and ``b'``.
    exponent_in, exponent_out : int
        Bits of ``e`` and ``e2`` (unsigned).
    word_offset : int
        Slots from ``e`` (a word at the multiplier's input) to that word's
        ``Y`` on ``i`` (the multiply's latency), at least
        :data:`~fftforge.filter_config.BFP_BIAS_SLOTS`.
    rounding : str
    target, ce :
        For the delay lines (:class:`~fftforge.hdl.delay.DelayLine`).

    Attributes
    ----------
    e : In(unsigned(exponent_in))
        The forward FFT's exponent, with a word at the multiplier's input
        (slot s).
    bias : In(signed(bias_width))
        That word's bias (the bias memory's read), slot s + 1.
    i : In(word(width))
        That word's Y, slot s + ``word_offset``.
    exponent : Out(unsigned(exponent_out))
        ``e2`` of that word's frame, a register, slot s + ``BFP_BIAS_SLOTS``.
    o : Out(word(width))
        Y' = Y shifted right by d, rounded, slot s + ``word_offset`` +
        :data:`~fftforge.filter_config.BFP_SHIFT_LATENCY`.
    bias_o : Out(signed(bias_out_width))
        b', with ``o``.

    Latency (the word path) :data:`~fftforge.filter_config.BFP_SHIFT_LATENCY`
    = 2 slots; the control path's slots run beside the multiply.  No bit
    growth of the words; ``b'`` grows to ``bias_out_width``.
    """

    def __init__(self, log2n: int, bias_log2: int, width: int, bias_width: int, bias_out_width: int,
                 exponent_in: int, exponent_out: int, word_offset: int, rounding: str, *,
                 target: str = "generic", ce=None):
        from fftforge.filter_config import BFP_BIAS_SLOTS, BFP_SHIFT_LATENCY
        if word_offset < BFP_BIAS_SLOTS:
            raise ValueError(f"BlockBias needs word_offset >= {BFP_BIAS_SLOTS}, got {word_offset}")
        assert BFP_SHIFT_LATENCY == BFP_OUT_LATENCY and BFP_BIAS_SLOTS == 3
        self.log2n, self.bias_log2 = log2n, bias_log2
        self.width, self.bias_width, self.bias_out_width = width, bias_width, bias_out_width
        self.exponent_in, self.exponent_out = exponent_in, exponent_out
        self.word_offset, self.rounding = word_offset, rounding
        self.delay = word_offset - BFP_BIAS_SLOTS
        self.latency = BFP_SHIFT_LATENCY
        self.target, self.ce = target, ce
        super().__init__({
            "e": In(unsigned(exponent_in)),
            "bias": In(signed(bias_width)),
            "i": In(word_layout(width)),
            "exponent": Out(unsigned(exponent_out)),
            "o": Out(word_layout(width)),
            "bias_o": Out(signed(bias_out_width)),
        })

    def elaborate(self, platform):
        m = Module()
        L, c, bw, bo = self.log2n, self.bias_log2, self.bias_width, self.bias_out_width
        # slot s: e; s + 1: e (registered) meets b
        e1 = data_reg(unsigned(self.exponent_in), name="e1")
        m.d.sync += e1.eq(self.e)
        # s + 2: nb (a priority encoder), e, b
        lw = max(L + bw, c).bit_length() + 2
        lift = data_reg(signed(lw), name="lift")
        e_b = data_reg(unsigned(self.exponent_in), name="e_b")
        b_b = data_reg(signed(bw), name="b_b")
        nb = bit_length(magnitude_bits(self.bias, bw))
        m.d.sync += [lift.eq(Mux(self.bias == 0, 0, L - c + nb)), e_b.eq(e1), b_b.eq(self.bias)]
        # s + 3: e2 = max(e, lift), d = e2 - e, b
        e2 = data_reg(unsigned(self.exponent_out), name="e2")
        d = data_reg(range(1 << self.exponent_out), name="d")
        b_c = data_reg(signed(bw), name="b_c")
        up = lift > e_b
        m.d.sync += [e2.eq(Mux(up, lift, e_b)), d.eq(Mux(up, lift - e_b, 0)), b_c.eq(b_b)]
        m.d.comb += self.exponent.eq(e2)
        # s + 4: the shift L - e2 (>= 0: e2 <= L); s + 5: b' = b << (L - e2), exact
        sh = data_reg(range(L + 1), name="b_shift")
        b_d = data_reg(signed(bw), name="b_d")
        m.d.sync += [sh.eq(L - e2), b_d.eq(b_c)]
        b5 = data_reg(signed(bo), name="b_scaled")
        m.d.sync += b5.eq((b_d << sh)[:bo])
        # to the word: d at slot s + word_offset, b' 2 slots later
        prim = {"target": self.target, "ce": self.ce}
        m.submodules.d_delay = dd = DelayLine(d.shape(), self.delay, **prim)
        m.submodules.b_delay = bd = DelayLine(signed(bo), self.delay, **prim)
        m.d.comb += [dd.i.eq(d), bd.i.eq(b5), self.bias_o.eq(bd.o)]
        m.d.comb += self.o.eq(shift_word(m, self.i, dd.o, self.width, self.width, self.rounding))
        return m


class FrameFIFO(wiring.Component):
    """One value per frame carried along a slot pipeline, from one point of
    it to a later one (the bfp filter's block exponent, from the forward
    FFT's output to the inverse FFT's output).

    Like :class:`OutputNormalizer`'s FIFO of ``h``: the value is pushed in
    the slot where a frame's first word passes the first point and popped
    so that it is on ``o`` while the frame's words pass the second.  Both are
    fixed slot offsets of the frame, so the pointers are advanced by a
    phase counter (:func:`~fftforge.hdl.phase.phase_counter`): under stalls
    everything freezes with the clock enable, drain bubbles carry
    (garbage) values like any other slot, and the soft clear resets the
    counter and the pointers to the values that pair frame 0's push with
    frame 0's pop.

    Parameters
    ----------
    width : int
        Bits of the value (unsigned).
    frame : int
        Slots per frame.
    push_slot, pop_slot : int
        Slots (counted from frame 0's first word at the pipeline's input)
        in which frame 0's first word passes the first and the second
        point; ``pop_slot - push_slot >= 2``.

    Attributes
    ----------
    i : In(unsigned(width))
        The value of the frame whose first word passes the first point,
        sampled in that slot (slot ``push_slot + f * frame`` for frame f).
    o : Out(unsigned(width))
        A register: frame f's value from slot ``pop_slot + f * frame`` for
        ``frame`` slots.

    Latency ``pop_slot - push_slot`` slots (frame to frame); no bit growth.
    Storage: :func:`exponent_fifo_depth` registers of ``width`` bits.
    """

    def __init__(self, width: int, frame: int, push_slot: int, pop_slot: int):
        if pop_slot - push_slot < 2:
            raise ValueError(f"FrameFIFO needs pop_slot - push_slot >= 2, got {push_slot}, {pop_slot}")
        self.width, self.frame = width, frame
        self.push_slot, self.pop_slot = push_slot, pop_slot
        self.depth = exponent_fifo_depth(push_slot, pop_slot, frame)
        super().__init__({"i": In(unsigned(width)), "o": Out(unsigned(width))})

    def elaborate(self, platform):
        m = Module()
        n, depth = self.frame, self.depth
        push, pop = self.push_slot, self.pop_slot
        phase = phase_counter(m, n, push)                   # 0 in the push slots
        # phantom pushes (slots push - k n >= 0) and reads (pop - 1 - k n >= 0) before frame 0's
        pushes_before, reads_before = push // n, (pop - 1) // n
        wr = Signal(range(depth), init=0, name="fifo_wr")
        rd = Signal(range(depth), init=(pushes_before - reads_before) % depth, name="fifo_rd")
        store = Array(data_reg(unsigned(self.width), name=f"fifo{k}") for k in range(depth))
        o = data_reg(unsigned(self.width), name="o_value")
        with m.If(phase == 0):
            m.d.sync += [store[wr].eq(self.i), wr.eq(wr + 1)]
        with m.If(phase == (pop - 1 - push) % n):            # the slot before frame f's first word at o
            m.d.sync += [o.eq(store[rd]), rd.eq(rd + 1)]
        m.d.comb += self.o.eq(o)
        return m
