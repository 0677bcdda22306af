"""Streaming spectral filter: FFT -> per-bin complex weight -> iFFT, and (with
an :class:`~fftforge.filter_config.FFTNetConfig`) the FFTNet layer with
modReLU between the multiply and the iFFT and the real part out.

Composition of the FFT core's parts (nothing copied):

* :class:`fftforge.hdl.fft.FFTDatapath` of ``cfg.fft_forward`` (scaled,
  natural order) and of ``cfg.fft_inverse`` (unscaled, natural order);
* :class:`BinMultiply` (:class:`fftforge.hdl.cmul.ComplexMultiplier` plus the
  :mod:`fftforge.hdl.fixed` rounding/saturation stage), fed from a weight
  memory indexed by (channel, bin);
* :class:`fftforge.hdl.modrelu.ModReLU` (FFTNet only);
* the stream shell (:mod:`fftforge.hdl.shell`) for the summed latency:
  the whole chain is one slot pipeline under one global stall, as in
  :class:`fftforge.hdl.fft.FFTCore`, with the same output FIFO.

FilterCore ports
----------------
i : In(stream {re, im: signed(width)})   (FFTNet: {re} only -- real tokens)
    With ``lanes`` P > 1: ``{re0, im0, re1, im1, ...}`` (FFTNet ``{re0, re1,
    ...}``), P samples per transfer, lane l of transfer t = sample t*P + l;
    the output likewise, with one ``last``/``overflow``/``wseq`` per transfer.
    Frames are consecutive groups of ``n`` accepted samples after reset;
    frame ``f`` is filtered with channel ``f mod channels``.
o : Out(stream {re, im: signed(output_width), last, overflow[, wseq][, exponent]})
    (FFTNet: no ``im``.)  ``exponent`` (``scaling="bfp"`` only): the frame's
    block exponent, unsigned, constant over the frame.  ``last`` marks a frame's final sample;
    ``overflow`` is sticky within the frame (only the inverse FFT can clip,
    and with its full growth it cannot); ``wseq`` (runtime weights only): the
    number (mod 2**16) of weight-port writes applied before this frame's
    weights were read -- constant over the frame.
w : In(stream {addr, re, im})            (``weights="runtime"`` only)
    Writes weight ``(c, k)`` at ``addr = c*n + k`` (FFTNet: bias ``b_c`` at
    ``channels*n + c`` from ``re``); other addresses are accepted and ignored.

Weight writes never tear a frame: a write to channel ``c`` is held
(``w.ready`` low) while the multiplier is in the middle of a frame of channel
``c``; it is applied at the next frame boundary of the multiplier, so every
frame uses one consistent memory state, the state after exactly ``wseq``
writes.  Writes to other channels go through at once (one per cycle).  With
one channel, writes land one per frame boundary while frames stream.

Real pairs (``cfg.real_pairs``): input and output are ``{re, im}`` for both
kinds; ``re`` carries channel ``2f mod D`` and ``im`` channel ``2f+1 mod D``
(two real token sequences per frame); see :class:`PairBuffer` and
:class:`FilterDatapath`.  Overlap-save (``cfg.mode``): :class:`OverlapSaveFilter`
wraps the core with a framer and a discarder.

Lanes (``cfg.lanes`` = P): both FFTs are P-lane datapaths, the multiply
(and modReLU) is replicated per lane, and the weight memory is split into P
banks by bin mod P (bin k of channel c at word ``c*n/P + k//P`` of bank
``k mod P``: one read per bank per transfer); a port write to ``addr`` goes
to bank ``addr mod P``.  The no-tear rule and ``wseq`` are per transfer
index, unchanged.  The words equal the one-lane core's.  Real pairs: the
pairing buffer and the ``-k`` weight reads are banked the same way (see
:class:`PairBuffer`).  Overlap-save: the framer and discarder move whole
transfers (``taps - 1`` is a multiple of P).

Block floating point (``cfg.scaling == "bfp"``, one lane, no real pairs):
the forward FFT is the FFT kind's bfp datapath (input normaliser, late
schedule, read-out shifter: mantissas of ``width + 2`` bits and the frame's
block exponent), the multiply (``width + 3`` bits out) and the unscaled
inverse FFT work on the mantissas, and a
:class:`~fftforge.hdl.normalize.FrameFIFO` carries each frame's exponent
from the forward FFT's output to the inverse FFT's output, where it becomes
the output field ``exponent`` (unsigned, constant over a frame):
``ifft(fft(x) * W) ~= output * 2**(exponent - log2 n)``.  Overlap-save
passes it through with each frame's kept outputs.  FFTNet: a block scaler
(:class:`~fftforge.hdl.normalize.BlockBias`) between the multiply and the
modReLU rescales the bias to the mantissas (and, for a bias too wide for
them, shifts the frame's Y right), and its per-frame exponent ``e2`` is the
one the FIFO carries (:mod:`fftforge.filter_config`, "Block floating point
FFTNet").

Latency: :attr:`fftforge.filter_config.FilterConfig.latency_cycles`.
Throughput: P samples per clock (one transfer), frames back to back.
"""

from amaranth.hdl import Array, Cat, Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, memory, stream, wiring
from amaranth.lib.wiring import In, Out

from fftforge.config import RAM_LATENCY
from fftforge.filter_config import BFP_BIAS_SLOTS, WSEQ_WIDTH, FilterConfig, mul_latency
from fftforge.hdl.butterfly import complex_layout
from fftforge.hdl.cmul import ComplexMultiplier
from fftforge.hdl.descriptor import descriptor     # the one descriptor writer (re-exported)
from fftforge.hdl.shell import add_part, stream_shell, sync_enabled
from fftforge.hdl.delay import DelayLine
from fftforge.hdl.fft import FFTDatapath
from fftforge.hdl.fixed import resize, round_shift
from fftforge.hdl.normalize import BlockBias, FrameFIFO
from fftforge.hdl.phase import phase_counter
from fftforge.hdl.word import data_reg, word_assign, word_layout

__all__ = ["BinMultiply", "FilterDatapath", "FilterCore", "OverlapSaveFilter", "input_layout",
           "output_layout", "weight_layout", "wseq_frames", "descriptor", "generate"]


def input_layout(cfg: FilterConfig) -> data.StructLayout:
    return data.StructLayout({f: signed(cfg.width) for f in cfg.input_fields})


def output_layout(cfg: FilterConfig) -> data.StructLayout:
    w = cfg.output_width
    fields = {f: signed(w) for f in cfg.output_fields}
    fields.update({"last": 1, "overflow": 1})
    if cfg.weights == "runtime":
        fields["wseq"] = WSEQ_WIDTH
    if cfg.bfp:
        fields["exponent"] = unsigned(cfg.exponent_width)
    return data.StructLayout(fields)


def weight_value_width(cfg: FilterConfig) -> int:
    """Width of the weight port's ``re``/``im`` fields (FFTNet: wide enough
    for a bias too)."""
    return max(cfg.coef_width, getattr(cfg, "bias_width", 0))


def weight_layout(cfg: FilterConfig) -> data.StructLayout:
    v = weight_value_width(cfg)
    return data.StructLayout({"addr": unsigned(cfg.addr_width), "re": signed(v), "im": signed(v)})


def wseq_frames(cfg: FilterConfig) -> int:
    """Frames whose ``wseq`` is held at once: from a frame's first weight
    read to its last output word there are at most this many frame starts."""
    fl = cfg.fft_forward.pipeline_latency
    fc = cfg.frame_cycles
    return (fc - 1 + cfg.pipeline_latency - fl) // fc + 2


class BinMultiply(wiring.Component):
    """Per-bin complex weight.  Twin of :func:`fftforge.pyref.filter.bin_multiply`.

    Parameters
    ----------
    width_in, coef_width, width_out : int
        Widths of X, of the weight W and of Y (signed parts).
    rounding : str
        Rounding of the shifted product (the FFT's ``rounding`` options).
    form : int
        Complex multiplier form, 4 or 3 real multiplies
        (:class:`~fftforge.hdl.cmul.ComplexMultiplier`).
    shift : int, optional
        Right shift of the product (default ``coef_width - 1``).
    target, ce :
        See :class:`~fftforge.hdl.prims.PipelinedMultiplier`.

    Attributes
    ----------
    i : In(word(width_in))
        X (bin k of a frame).
    coef : In(complex(coef_width))
        W for that bin, valid one slot after ``i`` (a synchronous memory
        read issued with ``i``); registered here once more (the memory's
        output register), so it reaches the multiplier from a flip-flop.
    o : Out(word(width_out))
        Y = round(X W / 2**shift), saturated (``shift`` defaults to
        coef_width - 1; the real-pair path feeds doubled spectra and shifts
        by coef_width); ``ovf`` = X's flag or a saturation.

    Latency :func:`fftforge.filter_config.mul_latency` (8 for operands of at
    most 18 bits): two operand
    registers (the weight read and its output register,
    :data:`~fftforge.config.RAM_LATENCY`), the complex multiplier
    (:func:`~fftforge.config.cmul_latency`), the rounding register, the
    saturation register.  Bit growth: none
    beyond ``width_out`` (the product is shifted right by coef_width - 1).
    """

    def __init__(self, width_in: int, coef_width: int, width_out: int, rounding: str, form: int = 4,
                 shift=None, *, target: str = "generic", ce=None):
        assert RAM_LATENCY == 2           # the two operand registers below
        self.latency = mul_latency(width_in, coef_width, form)
        self.target, self.ce = target, ce
        self.shift = coef_width - 1 if shift is None else shift
        self.width_in = width_in
        self.coef_width = coef_width
        self.width_out = width_out
        self.rounding = rounding
        self.form = form
        super().__init__({
            "i": In(word_layout(width_in)),
            "coef": In(complex_layout(coef_width)),
            "o": Out(word_layout(width_out)),
        })

    def elaborate(self, platform):
        m = Module()
        x1 = data_reg(word_layout(self.width_in), name="x1")
        xa = data_reg(word_layout(self.width_in), name="xa")
        wa = data_reg(complex_layout(self.coef_width), name="wa")
        m.d.sync += [x1.eq(self.i), xa.eq(x1), wa.eq(self.coef)]
        m.submodules.mult = mult = ComplexMultiplier(self.width_in, self.coef_width, self.form,
                                                     target=self.target, ce=self.ce)
        m.d.comb += [mult.a.re.eq(xa.re), mult.a.im.eq(xa.im),
                     mult.w.re.eq(wa.re), mult.w.im.eq(wa.im)]
        m.submodules.tag = tag = DelayLine(1, mult.latency + 1)
        m.d.comb += tag.i.eq(xa.ovf)
        s = self.shift
        # rounding (one add with a carry-in) in one register, saturation (a
        # LUT function of the top bits) in the next
        r_re, r_im = round_shift(mult.p.re, s, self.rounding), round_shift(mult.p.im, s, self.rounding)
        rr = data_reg(complex_layout(max(len(r_re), len(r_im))), name="rounded")
        m.d.sync += [rr.re.eq(r_re), rr.im.eq(r_im)]
        p_re, f1 = resize(rr.re, self.width_out, "saturate")
        p_im, f2 = resize(rr.im, self.width_out, "saturate")
        o = data_reg(self.o.shape(), name="o_reg")
        m.d.sync += word_assign(o, p_re, p_im, ovf=tag.o | f1 | f2)
        m.d.comb += self.o.eq(o)
        return m


class PairBuffer(wiring.Component):
    """Real-pair pairing buffer: for each bin k of a frame (natural order in)
    it outputs ``Z[k]`` and ``Z[-k mod N]`` of that frame.

    Parameters
    ----------
    n : int
        Frame length N.
    width : int
        Word width (signed parts).
    offset : int
        Slots from the pipeline input to this part's input.
    lanes : int
        P.

    Attributes
    ----------
    i : In(word(width))
        ``Z[k]`` in natural order (with ``lanes`` P > 1 an array of P words,
        lane l of transfer t = bin t*P + l; likewise ``p`` and ``q``).
    p : Out(word(width))
        ``Z[k]``, N/P + 1 slots later.
    q : Out(word(width))
        ``Z[-k mod N]`` of the same frame, with ``p``.

    No bit growth (words are stored as they are).  P banks (bank l holds lane l) of 2N/P words, one write and two
    synchronous read ports each: frame f is written into half f mod 2 while
    frame f - 1 is read from the other.  ``-k`` of lane 0 of transfer t is
    lane 0 of transfer (N/P - t) mod N/P; of lane l > 0 it is lane P - l of
    transfer N/P - 1 - t, so each bank serves one ``q`` lane (one read).
    Latency N/P + 1 slots.  ``offset``: slots from the pipeline input to
    this part's input (its phase counter starts so a frame's first transfer
    is phase 0)."""

    def __init__(self, n: int, width: int, offset: int, lanes: int = 1):
        self.n = n
        self.width = width
        self.offset = offset
        self.lanes = lanes
        w = word_layout(width)
        if lanes > 1:
            w = data.ArrayLayout(w, lanes)
        super().__init__({"i": In(w), "p": Out(w), "q": Out(w)})

    def elaborate(self, platform):
        m = Module()
        P = self.lanes
        fc = self.n // P
        k = fc.bit_length() - 1
        cnt = phase_counter(m, 2 * fc, self.offset)
        idx, half = cnt[:k], cnt[k]
        neg0 = Signal(k, name="neg_idx")
        m.d.comb += neg0.eq(-idx)
        negl = ~idx                      # N/P - 1 - t, the transfer of -k for lanes l > 0
        lane = (lambda port, l: port) if P == 1 else (lambda port, l: port[l])
        for j in range(P):
            mem = memory.Memory(shape=word_layout(self.width), depth=2 * fc, init=[])
            m.submodules["mem" if P == 1 else f"mem{j}"] = mem
            wp = mem.write_port()
            rp = mem.read_port(transparent_for=())
            rq = mem.read_port(transparent_for=())
            m.d.comb += [
                wp.addr.eq(Cat(idx, half)), wp.data.eq(lane(self.i, j)), wp.en.eq(1),
                rp.addr.eq(Cat(idx, ~half)), rp.en.eq(1),
                rq.addr.eq(Cat(neg0 if j == 0 else negl, ~half)), rq.en.eq(1),
                lane(self.p, j).eq(rp.data), lane(self.q, (P - j) % P).eq(rq.data),
            ]
        return m


class FilterDatapath(wiring.Component):
    """The slot pipeline: forward FFT -> BinMultiply [-> ModReLU] -> inverse FFT.

    Parameters
    ----------
    cfg : FilterConfig
        (or :class:`~fftforge.filter_config.FFTNetConfig`).
    ce, clear : optional
        As for :class:`~fftforge.hdl.fft.FFTDatapath` (see below).

    Attributes
    ----------
    i : In(word(width))
        Forward FFT input word (with P lanes an array of P words, as every
        word and coefficient port here).
    o : Out(word(output_width))
        Inverse FFT output word, still swapped (re/im exchanged).
    inv_en : In(1)
        High from the slot in which the first word of the first frame after
        a reset/clear reaches the inverse FFT.
    coef : In(complex(coef_width))
        The weight of the bin at the multiplier's input (not real pairs).
    coef_ak, coef_ank, coef_bk, coef_bnk : In(complex(coef_width))
        Real pairs: W_a[k], W_a[-k], W_b[k], W_b[-k].
    bias : In(signed(bias_width))
        FFTNet: b of that frame's channel, same timing as ``coef``.
    bias_a, bias_b : In(signed(bias_width))
        FFTNet with real pairs: the bias of each channel.
    exponent : Out(unsigned(exponent_width))
        Block floating point only: the block exponent of the frame whose
        word is on ``o`` (the forward FFT's; FFTNet: the block scaler's
        ``e2``, :class:`~fftforge.hdl.normalize.BlockBias`), carried by a
        :class:`~fftforge.hdl.normalize.FrameFIFO`.

    Latency ``cfg.pipeline_latency`` slots (:attr:`FilterConfig.latency_parts`).
    Bit growth: ``width`` -> ``cfg.output_width`` (the scaled forward FFT's
    guard bit, the multiply's saturation to the inverse FFT's input width,
    the unscaled inverse FFT's growth).

    Real pairs: forward FFT -> :class:`PairBuffer` -> separation (1 slot:
    doubled spectra of both channels) -> four BinMultiply (bins k and -k of
    each channel) [-> four ModReLU] -> recombination of the Hermitian parts
    (1 slot) -> inverse FFT.  Twin: :meth:`fftforge.pyref.filter.FilterModel.paired_spectrum`.

    Ports: ``i`` (forward input word), ``coef`` (the weight of the bin at the
    multiplier's input, one slot after it arrives; real pairs: ``coef_ak``,
    ``coef_ank``, ``coef_bk``, ``coef_bnk`` = W_a[k], W_a[-k], W_b[k], W_b[-k]),
    ``bias`` (FFTNet: b of that frame's channel, same timing; real pairs:
    ``bias_a``, ``bias_b``), ``o`` (inverse output word, still swapped: re/im
    exchanged), ``inv_en`` (high from the slot in which the first word of
    the first frame after a reset/clear reaches the inverse FFT: its phase
    counters start there).
    Latency ``cfg.pipeline_latency`` slots.  ``ce``: the clock enable the
    datapath runs under, for the primitives of ``cfg.target = "ecp5"``;
    ``clear``: the shell's :class:`~fftforge.hdl.shell.DatapathClear`, a copy
    per part (both FFTs' parts, and one for the parts between them);
    ``enable``: the shell's :class:`~fftforge.hdl.shell.DatapathEnable`,
    likewise for both FFTs' parts, and one copy for the parts between them."""

    def __init__(self, cfg: FilterConfig, ce=None, clear=None, enable=None):
        if cfg.target != "generic" and ce is None:
            raise ValueError(f"target {cfg.target!r} needs the datapath's clock enable (ce)")
        self.cfg = cfg
        self.ce = ce
        self.clear = clear
        self.enable = enable
        self.prim = {"target": cfg.target, "ce": ce}
        P = cfg.lanes
        wi, wo = word_layout(cfg.width, ("ovf", "inv")), word_layout(cfg.output_width)
        cl = complex_layout(cfg.coef_width)
        if P > 1:
            # P lanes: arrays of P words/coefficients (lane l = bin t*P + l)
            wi, wo, cl = data.ArrayLayout(wi, P), data.ArrayLayout(wo, P), data.ArrayLayout(cl, P)
        sig = {
            "i": In(wi),
            "o": Out(wo),
            "inv_en": In(1),
        }
        if cfg.real_pairs:
            sig.update({"coef_ak": In(cl), "coef_ank": In(cl), "coef_bk": In(cl), "coef_bnk": In(cl)})
            if cfg.real_output:
                sig.update({"bias_a": In(signed(cfg.bias_width)), "bias_b": In(signed(cfg.bias_width))})
        else:
            sig["coef"] = In(cl)
            if cfg.real_output:
                sig["bias"] = In(signed(cfg.bias_width))
        if cfg.bfp:
            sig["exponent"] = Out(unsigned(cfg.exponent_width))
        super().__init__(sig)

    def _add(self, m, name, part):
        """Add a part between the two FFTs as submodule ``name``, under the
        enable and clear those parts share (one copy each)."""
        if self.clear is not None and self._mid_clr is None:
            self._mid_clr = self.clear.copy(m, "mid_clr")
        add_part(m, name, part, ce=self._mid_ce, clr=self._mid_clr)

    def _modrelu(self, m, name, word, bias, delay=None):
        """A modReLU on ``word`` (Y, at the multiply's output) with ``bias``
        (a bias memory read, one slot behind the word at the multiply's
        input: delayed ``mul_slots - 1`` slots; ``delay``: other slots)."""
        from fftforge.hdl.modrelu import ModReLU
        cfg = self.cfg
        delay = cfg.mul_slots - 1 if delay is None else delay
        if delay:
            bd = DelayLine(signed(len(bias)), delay)
            self._add(m, f"bias_delay{name}", bd)
            m.d.comb += bd.i.eq(bias)
            bias = bd.o
        mr = ModReLU(cfg.mul_width, cfg.spectrum_width, cfg.modrelu_bias_width, cfg.iterations, cfg.guard,
                     cfg.rounding, **self.prim)
        self._add(m, f"modrelu{name}", mr)
        m.d.comb += [mr.i.eq(word), mr.bias.eq(bias)]
        return mr.o

    def _block_bias(self, m, word, e):
        """bfp FFTNet: the block scaler (:class:`~fftforge.hdl.normalize.BlockBias`)
        then the modReLU; the scaler's ``e2`` goes into the exponent FIFO."""
        cfg = self.cfg
        bb = BlockBias(cfg.log2n, cfg.bfp_bias_log2, cfg.mul_width, cfg.bias_width, cfg.modrelu_bias_width,
                       cfg.fft_forward.exponent_width, cfg.exponent_width, cfg.mul_slots, cfg.rounding,
                       **self.prim)
        self._add(m, "block_bias", bb)
        m.d.comb += [bb.e.eq(e), bb.bias.eq(self.bias), bb.i.eq(word)]
        self._exponent = bb.exponent
        return self._modrelu(m, "", bb.o, bb.bias_o, delay=0)

    def elaborate(self, platform):
        m = Module()
        cfg = self.cfg
        P = cfg.lanes
        self._mid_clr = None
        # the parts between the FFTs share one enable: ce, or on ECP5 a copy
        # of their own (their primitives' CE pins too)
        self._mid_ce = self.ce
        if self.enable is not None and self.enable.replicated:
            self._mid_ce = self.enable.copy(m, "mid_ce")
        self.prim = {"target": cfg.target, "ce": self._mid_ce}
        m.submodules.fwd = fwd = FFTDatapath(cfg.fft_forward, ce=self.ce, clear=self.clear, enable=self.enable)
        m.d.comb += fwd.i.eq(self.i)
        wf = cfg.fft_forward.output_width
        if not cfg.real_pairs:
            fwd_o = [fwd.o] if P == 1 else [fwd.o[l] for l in range(P)]
            coefs = [self.coef] if P == 1 else [self.coef[l] for l in range(P)]
            specs = []
            for l in range(P):
                sfx = "" if P == 1 else str(l)
                mul = BinMultiply(cfg.mul_in_width, cfg.coef_width, cfg.mul_width, cfg.rounding, cfg.cmul,
                                  **self.prim)
                assert mul.latency == cfg.mul_slots
                self._add(m, f"mul{sfx}", mul)
                m.d.comb += [mul.i.eq(fwd_o[l]), mul.coef.eq(coefs[l])]
                spec = mul.o
                if cfg.real_output and cfg.bfp:
                    spec = self._block_bias(m, mul.o, fwd.exponent)
                elif cfg.real_output:
                    spec = self._modrelu(m, sfx, mul.o, self.bias)
                specs.append(spec)
        else:
            specs = self._paired(m, fwd.o, wf)
        # The inverse datapath's phase counters expect a frame's first word
        # in its first slot: it is held (clock enable) until then.
        inv_ce = self.inv_en if self.ce is None else self.ce & self.inv_en
        m.submodules.inv = inv = FFTDatapath(cfg.fft_inverse, ce=inv_ce, clear=self.clear, enable=self.enable,
                                             ce_gate=self.inv_en)
        inv_i = [inv.i] if P == 1 else [inv.i[l] for l in range(P)]
        for x, spec in zip(inv_i, specs):
            m.d.comb += [x.re.eq(spec.re), x.im.eq(spec.im), x.ovf.eq(spec.ovf), x.inv.eq(1)]
        m.d.comb += self.o.eq(inv.o)
        if cfg.bfp:
            # each frame's block exponent, from the forward FFT's output (FFTNet:
            # the block scaler's e2, BFP_BIAS_SLOTS later) to the inverse FFT's
            # output (fixed slots of the frame)
            push = cfg.fft_forward.pipeline_latency + (BFP_BIAS_SLOTS if cfg.real_output else 0)
            ef = FrameFIFO(cfg.exponent_width, cfg.frame_cycles, push, cfg.pipeline_latency)
            self._add(m, "exponent_fifo", ef)
            m.d.comb += [ef.i.eq(self._exponent if cfg.real_output else fwd.exponent), self.exponent.eq(ef.o)]
        return m

    def _paired(self, m, z, wf):
        """Real pairs: pairing buffer, then per lane separation, the four
        weightings [and modReLUs] and recombination; returns the inverse
        FFT's input words, one per lane."""
        cfg = self.cfg
        P = cfg.lanes
        pb = PairBuffer(cfg.n, wf, cfg.fft_forward.pipeline_latency, P)
        self._add(m, "pairs", pb)
        m.d.comb += pb.i.eq(z)
        lane = (lambda port, l: port) if P == 1 else (lambda port, l: port[l])
        return [self._pair_lane(m, lane(pb.p, l), lane(pb.q, l), "" if P == 1 else str(l),
                                {t: lane(getattr(self, f"coef_{t}"), l) for t in ("ak", "ank", "bk", "bnk")})
                for l in range(P)]

    def _pair_lane(self, m, p, q, sfx, coefs):
        cfg = self.cfg
        # Separation: P = Z[k], Q = conj(Z[-k]); 2Xa = P + Q, 2Xb = -j (P - Q).
        ws = cfg.mul_in_width            # the doubled spectra: one bit more
        xa = data_reg(word_layout(ws), name=f"xa2{sfx}")
        xb = data_reg(word_layout(ws), name=f"xb2{sfx}")
        ovf = p.ovf | q.ovf
        sync_enabled(m, self.ce, [
            word_assign(xa, p.re + q.re, p.im - q.im, ovf=ovf),
            word_assign(xb, p.im + q.im, -(p.re - q.re), ovf=ovf),
        ])
        outs = {}
        for ch, x in (("a", xa), ("b", xb)):
            for tag, conj in (("k", False), ("nk", True)):
                mul = BinMultiply(ws, cfg.coef_width, cfg.mul_width, cfg.rounding, cfg.cmul, shift=cfg.coef_width,
                                  **self.prim)
                self._add(m, f"mul_{ch}{tag}{sfx}", mul)
                m.d.comb += [mul.i.re.eq(x.re), mul.i.im.eq(-x.im if conj else x.im), mul.i.ovf.eq(x.ovf),
                             mul.coef.eq(coefs[ch + tag])]
                y = mul.o
                if cfg.real_output:
                    y = self._modrelu(m, f"_{ch}{tag}{sfx}", mul.o, getattr(self, f"bias_{ch}"))
                outs[ch + tag] = y
        # Recombination: V = round((Za[k] + conj Za[-k] + j (Zb[k] + conj Zb[-k])) / 2).
        ak, ank, bk, bnk = outs["ak"], outs["ank"], outs["bk"], outs["bnk"]
        ha_re, ha_im = ak.re + ank.re, ak.im - ank.im
        hb_re, hb_im = bk.re + bnk.re, bk.im - bnk.im
        w = cfg.inverse_width
        v_re, f1 = resize(round_shift(ha_re - hb_im, 1, cfg.rounding), w, "saturate")
        v_im, f2 = resize(round_shift(ha_im + hb_re, 1, cfg.rounding), w, "saturate")
        v = data_reg(word_layout(w), name=f"v{sfx}")
        sync_enabled(m, self.ce, word_assign(v, v_re, v_im, ovf=ak.ovf | ank.ovf | bk.ovf | bnk.ovf | f1 | f2))
        return v


def _wrap_inc(v, modulus):
    return Mux(v == modulus - 1, 0, v + 1)


class FilterCore(wiring.Component):
    """The stream component of a spectral filter or FFTNet layer (the module
    docstring says more: weights, real pairs, lanes).

    Parameters
    ----------
    cfg : FilterConfig
        (or :class:`~fftforge.filter_config.FFTNetConfig`).

    Attributes
    ----------
    i : In(stream.Signature(input_layout(cfg)))
        Input samples ``{re, im: signed(width)}`` (FFTNet: ``{re}``, real
        tokens; with P lanes ``{re0, im0, re1, im1, ...}``); frame ``f``
        is filtered with channel ``f mod channels``.
    o : Out(stream.Signature(output_layout(cfg)))
        ``{re, im: signed(output_width), last, overflow[, wseq]}`` (FFTNet:
        no ``im``); ``wseq`` (runtime weights): weight-port writes applied
        before this frame's weights were read, mod 2**16.
    w : In(stream.Signature(weight_layout(cfg)))
        ``weights="runtime"`` only: ``{addr, re, im}`` writes weight
        ``(c, k)`` at ``addr = c*n + k`` (FFTNet: bias at ``channels*n + c``).

    Block floating point (``cfg.scaling == "bfp"``): ``o`` has one more
    field, ``exponent: unsigned(cfg.exponent_width)``, the frame's block
    exponent on each of its words: ``ifft(fft(x) * W) ~= output *
    2**(exponent - log2 n)``.

    Latency ``cfg.latency_cycles`` (:attr:`FilterConfig.latency_parts`);
    P samples per clock.  Bit growth: ``cfg.output_width - cfg.width`` bits
    (:attr:`FilterConfig.widths`).
    """

    def __init__(self, cfg: FilterConfig):
        self.cfg = cfg
        sig = {
            "i": In(stream.Signature(input_layout(cfg))),
            "o": Out(stream.Signature(output_layout(cfg))),
        }
        if cfg.weights == "runtime":
            sig["w"] = In(stream.Signature(weight_layout(cfg)))
        super().__init__(sig)

    def elaborate(self, platform):
        m = Module()
        cfg = self.cfg
        nch = cfg.channels
        P, fc = cfg.lanes, cfg.frame_cycles
        fl = cfg.fft_forward.pipeline_latency
        # the stream shell (hdl/shell.py), as in the FFT core: the datapath
        # and everything that follows its slots (bin, channel, weight reads,
        # wseq) run one cycle behind the controller, on adv_q / clr_q
        sh = stream_shell(m, self.i, self.o, latency=cfg.pipeline_latency, frame=fc,
                          drain_after=cfg.drain_after, out_layout=output_layout(cfg), target=cfg.target)
        ctl, adv, clr = sh.ctl, sh.adv_q, sh.clr_q
        # (the datapath applies its enable and clear to each part itself)
        m.submodules.datapath = dp = FilterDatapath(cfg, ce=adv, clear=sh.clear, enable=sh.enable)

        # Input side.
        dp_in = [dp.i] if P == 1 else [dp.i[l] for l in range(P)]
        for x, names in zip(dp_in, cfg.lane_fields):
            m.d.comb += [
                x.re.eq(getattr(sh.inreg, names[0])),
                x.im.eq(getattr(sh.inreg, names[1]) if len(names) > 1 else 0),
                x.inv.eq(0),
                x.ovf.eq(0),
            ]
        # Channel of the next accepted frame (counts real frames; never cleared).
        # (positions count transfers: P samples each)
        in_pos = Signal(range(fc), name="in_pos")
        in_chan = Signal(range(nch), name="in_chan")
        # (real pairs: frame f uses channels 2f and 2f + 1 mod D; ``chan`` is the first)
        step = (lambda c: _wrap_inc(_wrap_inc(c, nch), nch)) if cfg.real_pairs else (lambda c: _wrap_inc(c, nch))
        with m.If(ctl.accept):
            m.d.sync += in_pos.eq(in_pos + 1)
            with m.If(in_pos == fc - 1):
                m.d.sync += in_chan.eq(step(in_chan))

        # Position of the word at the multiplier's input: bin, channel.  The
        # first ``fl`` slots after a reset/clear are bubbles (``started`` < fl);
        # after a clear every real frame has passed, so the channel restarts
        # from the input's count.
        # ``started`` counts slots (saturating) so the inverse FFT can start
        # when the first word reaches it (``inv_on``: started == t_inv, kept
        # in a register, as it gates the inverse datapath's clock enable).
        t_inv = fl + cfg.mid_latency
        fl = cfg.mul_offset            # slots from the input to the multiplier
        # ``bin_``: transfer index t within the frame (bins t*P .. t*P + P-1)
        bin_init = (-fl) % fc
        bin_ = Signal(range(fc), init=bin_init, name="bin")
        started = Signal(range(t_inv + 1), name="started")
        chan = Signal(range(nch), name="chan")
        region = started >= fl
        inv_on = Signal(name="inv_on")
        m.d.comb += dp.inv_en.eq(inv_on)
        # (no accept in the controller's clr cycle nor, at a frame boundary,
        # a channel step in the next: in_chan is the same at clr_q)
        with m.If(clr):
            m.d.sync += [bin_.eq(bin_init), started.eq(0), chan.eq(in_chan), inv_on.eq(0)]
        with m.Elif(adv):
            m.d.sync += bin_.eq(bin_ + 1)
            with m.If(started != t_inv):
                m.d.sync += started.eq(started + 1)
            with m.If(started == t_inv - 1):
                m.d.sync += inv_on.eq(1)
            with m.If(region & (bin_ == fc - 1)):
                m.d.sync += chan.eq(step(chan))
        chan_b = Signal(range(nch), name="chan_b")
        m.d.comb += chan_b.eq(_wrap_inc(chan, nch))
        # bin -k (real pairs): lane 0 of transfer -t mod n/P; lane l > 0 of
        # transfer n/P - 1 - t, in bank P - l (see PairBuffer)
        neg_bin = Signal(range(fc), name="neg_bin")
        m.d.comb += neg_bin.eq(-bin_)
        neg_bin_l = Signal(range(fc), name="neg_bin_l")
        m.d.comb += neg_bin_l.eq(~bin_)

        # Weight memory (and bias memory), read with the word at the multiplier.
        # P lanes: P banks, bin k of channel c in bank k mod P at c*(n/P) + k//P
        # (one read per bank per transfer).
        w_re, w_im = cfg.weight_arrays()
        cl = complex_layout(cfg.coef_width)
        runtime = cfg.weights == "runtime"

        def addr(b, c):
            return Cat(b, c) if nch > 1 else b

        wps = []
        for l in range(P):
            b_re, b_im = w_re[:, l::P], w_im[:, l::P]
            init = [{"re": int(a), "im": int(b)} for a, b in zip(b_re.reshape(-1), b_im.reshape(-1))]
            wmem = memory.Memory(shape=cl, depth=nch * fc, init=init)
            m.submodules["wmem" if P == 1 else f"wmem{l}"] = wmem
            wp = wmem.write_port() if runtime else None
            wps.append(wp)
            if cfg.real_pairs:
                nb = neg_bin if l == 0 else neg_bin_l
                reads = {"coef_ak": addr(bin_, chan), "coef_ank": addr(nb, chan),
                         "coef_bk": addr(bin_, chan_b), "coef_bnk": addr(nb, chan_b)}
            else:
                reads = {"coef": addr(bin_, chan)}
            for port, a in reads.items():
                rp = wmem.read_port(transparent_for=(wp,) if runtime else ())
                # bank l's -k reads serve lane (P - l) mod P
                tl = (P - l) % P if port in ("coef_ank", "coef_bnk") else l
                target = getattr(dp, port) if P == 1 else getattr(dp, port)[tl]
                m.d.comb += [rp.addr.eq(a), rp.en.eq(adv), target.eq(rp.data)]
        bwp = None
        if cfg.real_output:
            b_init = [int(v) for v in cfg.bias_array()]
            m.submodules.bmem = bmem = memory.Memory(shape=signed(cfg.bias_width), depth=nch, init=b_init)
            bwp = bmem.write_port() if runtime else None
            breads = {"bias_a": chan, "bias_b": chan_b} if cfg.real_pairs else {"bias": chan}
            for port, a in breads.items():
                brp = bmem.read_port(transparent_for=(bwp,) if runtime else ())
                m.d.comb += [brp.addr.eq(a), brp.en.eq(adv), getattr(dp, port).eq(brp.data)]

        # Output side: undo the inverse's swap, frame flags.
        dp_out = [dp.o] if P == 1 else [dp.o[l] for l in range(P)]
        out = sh.out
        m.d.comb += [out.last.eq(sh.last_q), out.overflow.eq(sh.overflow([w.ovf for w in dp_out]))]
        for w, names in zip(dp_out, cfg.lane_fields):
            m.d.comb += getattr(out, names[0]).eq(w.im)
            if len(names) > 1:
                m.d.comb += getattr(out, names[1]).eq(w.re)
        if cfg.bfp:
            m.d.comb += out.exponent.eq(dp.exponent)

        if runtime:
            self._weight_port(m, sh, region, bin_, chan, chan_b, wps, bwp, out)
        return m

    def _weight_port(self, m, sh, region, bin_, chan, chan_b, wps, bwp, out):
        cfg = self.cfg
        P = cfg.lanes
        n, nch = cfg.n, cfg.channels
        size = nch * n
        lg = n.bit_length() - 1
        addr = self.w.payload.addr
        is_w = addr < size
        is_b = (addr >= size) & (addr < size + nch) if bwp is not None else Const(0, 1)
        tchan = Signal(range(nch), name="w_chan")
        m.d.comb += tchan.eq(Mux(is_w, addr >> lg, addr - size))
        # Hold a write to the channel whose frame is being read.
        reading = (tchan == chan) | (tchan == chan_b) if cfg.real_pairs else (tchan == chan)
        busy = region & (bin_ != 0) & reading & (is_w | is_b)
        fire = Signal(name="w_fire")
        m.d.comb += [self.w.ready.eq(~busy), fire.eq(self.w.valid & ~busy)]
        # bank of addr = c*n + k is k mod P = addr mod P; word c*(n/P) + k//P = addr >> log2(P)
        lgp = P.bit_length() - 1
        for l, wp in enumerate(wps):
            sel = (addr[:lgp] == l) if P > 1 else Const(1, 1)
            m.d.comb += [wp.addr.eq(addr >> lgp), wp.data.re.eq(self.w.payload.re),
                         wp.data.im.eq(self.w.payload.im), wp.en.eq(fire & is_w & sel)]
        if bwp is not None:
            m.d.comb += [bwp.addr.eq(addr - size), bwp.data.eq(self.w.payload.re), bwp.en.eq(fire & is_b)]
        wcount = Signal(WSEQ_WIDTH, name="wcount")
        with m.If(fire):
            m.d.sync += wcount.eq(wcount + 1)
        # wseq of each frame in flight, from its first weight read to its output.
        k = wseq_frames(cfg)
        regs = Array(Signal(WSEQ_WIDTH, name=f"wseq{j}") for j in range(k))
        mf = Signal(range(k), name="mul_frame")
        of = Signal(range(k), name="out_frame")
        start = sh.adv_q & ~sh.clr_q & region & (bin_ == 0)
        with m.If(sh.clr_q):
            m.d.sync += [mf.eq(0), of.eq(0)]
        with m.Else():
            with m.If(start):
                m.d.sync += [regs[mf].eq(wcount + fire), mf.eq(_wrap_inc(mf, k))]
            with m.If(sh.emit_q & sh.last_q):
                m.d.sync += of.eq(_wrap_inc(of, k))
        m.d.comb += out.wseq.eq(regs[of])


# ------------------------------------------------------------------ export
def generate(cfg: FilterConfig, outdir: str) -> dict:
    """Write ``<outdir>/<name>.v`` and ``<outdir>/<name>.json``; return
    ``{"verilog", "json", "seconds"}``."""
    from fftforge.hdl.export import write_core
    top = OverlapSaveFilter(cfg) if cfg.mode == "overlap_save" else FilterCore(cfg)
    return write_core(top, cfg.name, descriptor(cfg), outdir, indent=1)


class OverlapSaveFilter(wiring.Component):
    """Overlap-save fast convolution of a continuous stream: a framer, the
    :class:`FilterCore`, and an output discarder.

    The framer builds each N-sample frame from the last ``M - 1`` samples of
    the previous frame (zeros before the first, and again after a reset) and
    ``L = N - M + 1`` new input samples; the discarder drops the first
    ``M - 1`` (circularly wrapped) outputs of each frame.  The kept outputs
    are the linear convolution of the input stream with the FIR whose DFT the
    weights are (length <= M), with no seams.

    Parameters
    ----------
    cfg : FilterConfig
        With ``mode="overlap_save"`` and ROM weights.

    Attributes
    ----------
    i : In(stream {re, im: signed(width)})
        The continuous input stream.
    o : Out(stream {re, im: signed(output_width), last, overflow[, exponent]})
        L outputs per frame; ``last`` marks each frame's final kept output;
        ``exponent`` (``scaling="bfp"``): that frame's block exponent.

    Bit growth: as :class:`FilterCore`.  With ``lanes`` P > 1 both streams carry P samples per transfer (as
    :class:`FilterCore`) and M - 1 is a multiple of P: the history is
    (M-1)/P transfers and the discarder drops the first (M-1)/P output
    transfers of each frame; ``last`` marks a frame's final kept transfer.
    History: an (M-1)-word buffer, read at frame positions 0..M-2 and written
    at L..N-1 (L >= M-1, so one buffer serves both).  Input rate L/N samples
    per clock (P L/N with lanes).  Latency (first input to first output) = the core's
    ``latency_cycles``.  A frame starts (history words enter the core) only
    once its first new sample is offered, so when the stream pauses at a hop
    boundary the frames in flight drain; a stream that stops mid-hop leaves
    its last partial frame waiting for the rest of the hop.
    """

    def __init__(self, cfg: FilterConfig):
        if cfg.mode != "overlap_save" or cfg.real_output or cfg.weights != "rom":
            raise ValueError("OverlapSaveFilter needs a filter config with mode='overlap_save' and ROM weights")
        self.cfg = cfg
        super().__init__({
            "i": In(stream.Signature(input_layout(cfg))),
            "o": Out(stream.Signature(output_layout(cfg))),
        })

    def elaborate(self, platform):
        m = Module()
        cfg = self.cfg
        # positions count transfers (P samples; taps - 1 is a multiple of P)
        n, hist = cfg.frame_cycles, (cfg.taps - 1) // cfg.lanes
        keep_from = hist
        m.submodules.core = core = FilterCore(cfg)
        m.submodules.hist = mem = memory.Memory(shape=input_layout(cfg), depth=hist, init=[])
        wp = mem.write_port()
        rp = mem.read_port(domain="comb")
        pos = Signal(range(n), name="frame_pos")
        fresh = Signal(init=1, name="fresh")      # no history yet: zeros
        in_hist = pos < hist
        m.d.comb += rp.addr.eq(pos)
        with m.If(in_hist):
            # a frame starts only when its first new sample is there, so an
            # idle input leaves the core at a frame boundary (and it drains)
            m.d.comb += [
                core.i.valid.eq((pos != 0) | self.i.valid),
                self.i.ready.eq(0),
                core.i.payload.eq(Mux(fresh, 0, rp.data)),
            ]
        with m.Else():
            m.d.comb += [
                core.i.valid.eq(self.i.valid),
                self.i.ready.eq(core.i.ready),
                core.i.payload.eq(self.i.payload),
            ]
        fire = core.i.valid & core.i.ready
        m.d.comb += [wp.addr.eq(pos - (n - hist)), wp.data.eq(self.i.payload),
                     wp.en.eq(fire & (pos >= n - hist))]
        with m.If(fire):
            m.d.sync += pos.eq(pos + 1)
            with m.If(pos == n - 1):
                m.d.sync += fresh.eq(0)
        # Discard the first M-1 outputs of every frame.
        opos = Signal(range(n), name="out_pos")
        keep = opos >= keep_from
        m.d.comb += [
            self.o.payload.eq(core.o.payload),
            self.o.valid.eq(core.o.valid & keep),
            core.o.ready.eq(Mux(keep, self.o.ready, 1)),
        ]
        with m.If(core.o.valid & core.o.ready):
            m.d.sync += opos.eq(opos + 1)
        return m
