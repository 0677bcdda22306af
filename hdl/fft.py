"""Streaming FFT/iFFT core: the composition of the parts in
:meth:`fftforge.config.FFTConfig.plan`.

:class:`FFTDatapath`
    The slot pipeline (no valid/ready): input register (guard bit, inverse
    swap), SDF butterflies, twiddle multipliers, optional reorder buffer.
:class:`FFTCore`
    The stream component users instantiate.

FFTCore ports
-------------
i : In(stream.Signature({re: signed(width), im: signed(width)}))
    Input samples; frames are consecutive groups of N accepted samples.
    With ``lanes`` = P > 1 the payload is ``{re0, im0, re1, im1, ...}``: P
    consecutive samples per transfer, lane 0 the lowest index.
inverse : In(1)  (``direction="runtime"`` only)
    Sampled with the first transfer of each frame: 1 = inverse transform.
log2n : In(unsigned(size_port_width))  (``runtime_n`` only)
    Sampled with the first transfer of each frame: the frame has N =
    2**log2n samples, log2n clamped to [log2 NMIN, log2 NMAX].  Frames of
    any sizes follow each other back to back.
o : Out(stream.Signature({re, im: signed(output_width), last: 1, overflow: 1}))
    (``{re0, im0, ..., last, overflow}`` with P lanes.)
    ``last`` marks each frame's final transfer; ``overflow`` is sticky within a
    frame: high from the first output transfer whose computation clipped (or
    wrapped) to the end of that frame.  Block floating point
    (``scaling="bfp"``): one more field, ``exponent: unsigned(exponent_width)``,
    the frame's block exponent on each of its words, DFT(x) ~= output *
    2**exponent (:mod:`.normalize`).

Latency: :attr:`fftforge.config.FFTConfig.latency_cycles`.  Throughput: P
samples per clock, frames back to back, when ``valid`` and ``ready`` stay high.
Capacity: at most ``cfg.capacity`` transfers in flight (the slot pipeline
plus the 3-word output FIFO of the stream shell, :mod:`.shell`); accepted = emitted + in flight is
proven by ``fftforge prove`` (``core.*`` property sets).

Lanes: P > 1 is a multi-path delay-feedback arrangement of the same DIF
pipeline.  A butterfly with delay D >= P becomes P SDF butterflies of delay
D/P (lane l only pairs with itself, since n and n + D share n mod P); one
with D < P pairs lanes of the same group (:class:`~.spatial.SpatialButterfly`);
each twiddle part has one multiplier per lane (none for lanes that only see
exact rotations); :class:`~.reorder.LaneReorder` restores natural order.
Every value is computed by the same operation on the same operands as with
one lane, so the output words equal the P = 1 core's words exactly.
"""

import dataclasses

from amaranth.hdl import Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from fftforge.config import FFTConfig
from fftforge.hdl.delay import DelayLine
from fftforge.hdl.normalize import InputNormalizer, OutputNormalizer
from fftforge.hdl.reorder import BitReverseReorder, LaneReorder, RuntimeReorder
from fftforge.hdl.sdf import SDFButterfly
from fftforge.hdl.shell import add_part, stream_shell, sync_enabled
from fftforge.hdl.spatial import SpatialButterfly
from fftforge.hdl.twiddle import TwiddleMultiplier
from fftforge.hdl.word import data_reg, word_assign, word_layout

__all__ = ["FFTDatapath", "FFTCore", "input_layout", "output_layout", "build_parts", "lane_names"]


def lane_names(cfg: FFTConfig):
    """``[(re_field, im_field)]`` per lane: ``("re", "im")`` for one lane,
    ``("re0", "im0"), ("re1", "im1"), ...`` for P lanes."""
    return list(cfg.lane_fields)


def _sample_fields(cfg: FFTConfig, width: int) -> dict:
    fields = {}
    for re, im in lane_names(cfg):
        fields[re] = signed(width)
        fields[im] = signed(width)
    return fields


def input_layout(cfg: FFTConfig) -> data.StructLayout:
    return data.StructLayout(_sample_fields(cfg, cfg.width))


def output_layout(cfg: FFTConfig) -> data.StructLayout:
    fields = {**_sample_fields(cfg, cfg.output_width), "last": 1, "overflow": 1}
    if cfg.bfp:
        fields["exponent"] = unsigned(cfg.exponent_width)
    return data.StructLayout(fields)


def core_tags(cfg: FFTConfig):
    tags = ("ovf", "inv") if cfg.direction == "runtime" else ("ovf",)
    return tags + ("end",) if cfg.runtime_n is not None else tags


def build_parts(cfg: FFTConfig, tags, ce=None):
    """The RTL of each non-input entry of ``cfg.plan()``, in order: a
    component with ``i``/``o`` words (one lane), or for P lanes either one
    component with ``i``/``o`` arrays of P words (spatial butterflies, the
    lane reorder) or a list of P single-lane components.  ``ce``: the
    pipeline's clock enable, for the primitives of ``cfg.target``, or a
    function of the part's index in the returned list giving its own.
    Block floating point: an :class:`~.normalize.InputNormalizer` for the
    ``normalize`` part and an :class:`~.normalize.OutputNormalizer` for
    ``bfp_out`` (the caller connects the latter's ``h`` to the former's and
    its ``w`` to the reorder buffer's input)."""
    P = cfg.lanes
    ce_of = ce if callable(ce) else (lambda k: ce)
    parts = []
    plan = cfg.plan()
    for k, p in enumerate(plan):
        prim = {"target": cfg.target, "ce": ce_of(len(parts))}
        if p.kind in ("bf2", "bf2ii"):
            if P == 1:        # (iCE40 at a reduced rate: the loops' lines in block RAM from 3 words, lean)
                dense = dict(memory_from=3, lean=True, ovf_zero=not any(q.may_overflow for q in plan[:k + 1])) \
                    if cfg.cycles_per_sample > 1 and cfg.target == "ice40" else {}
                parts.append(SDFButterfly(p, cfg.rounding, cfg.overflow, tags, **prim, **dense))
            elif p.spatial:
                parts.append(SpatialButterfly(p, cfg.rounding, cfg.overflow, tags))
            else:
                lane_part = dataclasses.replace(p, delay=p.delay // P, period=p.period // P)
                parts.append([SDFButterfly(lane_part, cfg.rounding, cfg.overflow, tags, **prim)
                              for _ in range(P)])
        elif p.kind == "twiddle":
            lane_parts = [TwiddleMultiplier(p, cfg.twiddle_width, cfg.rounding, cfg.overflow, cfg.cmul, tags,
                                            lanes=P, lane=l, cycles_per_sample=cfg.cycles_per_sample, **prim)
                          for l in range(P)]
            parts.append(lane_parts[0] if P == 1 else lane_parts)
        elif p.kind == "reorder" and cfg.runtime_n is not None:
            parts.append(RuntimeReorder(p, cfg.log2n_range, tags, **prim))
        elif p.kind == "reorder":
            lean = dict(lean=True, ovf_zero=not any(q.may_overflow for q in plan)) \
                if cfg.cycles_per_sample > 1 and cfg.target == "ice40" else {}
            parts.append(BitReverseReorder(p, tags, **prim, **lean) if P == 1 else LaneReorder(p, tags, **prim))
        elif p.kind == "normalize":
            parts.append(InputNormalizer(p, tags, **prim))
        elif p.kind == "bfp_out":
            norm = next(q for q in plan if q.kind == "normalize")
            reorder = next(q for q in plan if q.kind == "reorder")
            parts.append(OutputNormalizer(p, reorder, h_slot=norm.offset + norm.latency - 1,
                                          fixed_shift=cfg.bfp_fixed_shift, exponent_width=cfg.exponent_width,
                                          h_width=(norm.width_in - 1).bit_length(), rounding=cfg.rounding,
                                          tags=tags))
    return parts


class FFTDatapath(wiring.Component):
    """Slot pipeline of an FFT core (no valid/ready; it moves when enabled).

    Parameters
    ----------
    cfg : FFTConfig
    ce : Value, optional
        The clock enable the datapath moves under: each part and the input
        register take it (:func:`~fftforge.hdl.shell.add_part`), and the
        instantiated primitives of ``cfg.target = "ecp5"`` get it on their
        CE pins; required there.  ``None``: the datapath moves every cycle.
    clear : DatapathClear, optional
        The soft clear of the core's shell (:class:`~fftforge.hdl.shell.DatapathClear`):
        each part gets its own copy, acting like a reset (whether or not the
        part moves); without it the parts are reset by the domain's reset
        only.
    enable : DatapathEnable, optional
        The clock enable of the core's shell
        (:class:`~fftforge.hdl.shell.DatapathEnable`): where it is
        replicated (ECP5) each part takes a copy of its own instead of
        ``ce`` (the input register keeps ``ce``).
    ce_gate : Value, optional
        ANDed into each part's copy of ``enable`` (``ce`` is already gated
        by the caller): the filter's inverse FFT holds until its first word.

    Attributes
    ----------
    i : In(word(width))
        Input word (``inv`` tag = inverse frame; ``end`` tag, ``runtime_n``
        only: last word of its frame, or a drain bubble); with P lanes an
        array of P words.
    log2n : In(range(log2 NMAX + 1))
        ``runtime_n`` with natural order only: the (clamped) size of the
        frame of the word on ``i``, for the reorder buffer.
    o : Out(word(output_width))
        Output word in output order, still swapped for inverse frames.
    exponent : Out(unsigned(exponent_width))
        Block floating point only: the block exponent of the frame whose
        word is on ``o``.

    Latency ``cfg.pipeline_latency`` enabled cycles: the sum of the plan's
    part latencies.  Bit growth: ``width`` -> ``cfg.output_width``: one
    guard bit at the input register, then none per stage when scaled, one
    per butterfly stage when unscaled (:meth:`FFTConfig.stage_width`).
    """

    def __init__(self, cfg: FFTConfig, ce=None, clear=None, enable=None, ce_gate=None):
        if (cfg.target != "generic" or cfg.cycles_per_sample > 1) and ce is None:
            raise ValueError(f"target {cfg.target!r} (or cycles_per_sample > 1) needs the datapath's clock enable (ce)")
        self.cfg = cfg
        self.ce = ce
        self.clear = clear
        self.enable = enable
        self.ce_gate = ce_gate
        self.tags = core_tags(cfg)
        wi = word_layout(cfg.width, ("ovf", "inv") + (("end",) if cfg.runtime_n is not None else ()))
        wo = word_layout(cfg.output_width, self.tags)
        if cfg.lanes > 1:
            wi, wo = data.ArrayLayout(wi, cfg.lanes), data.ArrayLayout(wo, cfg.lanes)
        sig = {"i": In(wi), "o": Out(wo)}
        if cfg.runtime_n is not None and cfg.order == "natural":
            sig["log2n"] = In(range(cfg.log2n + 1))
        if cfg.bfp:
            sig["exponent"] = Out(unsigned(cfg.exponent_width))
        super().__init__(sig)

    def elaborate(self, platform):
        m = Module()
        cfg = self.cfg
        P = cfg.lanes
        first = word_layout(cfg.internal_width, self.tags)
        ins = [self.i] if P == 1 else [self.i[l] for l in range(P)]
        inv = ins[0].inv
        prev = []
        for l, x_in in enumerate(ins):
            x = data_reg(first, name=f"x_in{l}" if P > 1 else "x_in")
            tags = {"inv": inv} if "inv" in self.tags else {}
            if "end" in self.tags:
                tags["end"] = x_in.end
            sync_enabled(m, self.ce, word_assign(x, Mux(inv, x_in.im, x_in.re), Mux(inv, x_in.re, x_in.im),
                                                 ovf=0, **tags))
            prev.append(x)

        # each part's clock enable: the shared one, or on ECP5 a copy of its
        # own (DatapathEnable), gated like the shared one
        ces = {}

        def part_ce(k):
            if k not in ces:
                if self.enable is None or not self.enable.replicated:
                    ces[k] = self.ce
                else:
                    c = self.enable.copy(m, f"p{k}_ce")
                    ces[k] = c if self.ce_gate is None else c & self.ce_gate
            return ces[k]

        def add(name, part, k):
            clr = None if self.clear is None else self.clear.copy(m, f"{name}_clr")
            add_part(m, name, part, ce=part_ce(k), clr=clr)
            for sub, free in getattr(part, "free_running", ()):   # (cycles_per_sample > 1: outside the enable)
                m.submodules[f"{name}_{sub}"] = free

        built = build_parts(cfg, self.tags, part_ce)
        for k, part in enumerate(built):
            if isinstance(part, list):
                for l, lane_part in enumerate(part):
                    add(f"p{k}_{lane_part.part.kind}_l{l}", lane_part, k)
                    m.d.comb += lane_part.i.eq(prev[l])
                prev = [lp.o for lp in part]
            elif P == 1:
                add(f"p{k}_{part.part.kind}", part, k)
                m.d.comb += part.i.eq(prev[0])
                prev = [part.o]
            else:
                add(f"p{k}_{part.part.kind}", part, k)
                m.d.comb += [part.i[l].eq(prev[l]) for l in range(P)]
                prev = [part.o[l] for l in range(P)]
        if P == 1:
            m.d.comb += self.o.eq(prev[0])
        else:
            m.d.comb += [self.o[l].eq(prev[l]) for l in range(P)]
        if cfg.runtime_n is not None and cfg.order == "natural":
            # the reorder buffer's frame size: the input's, delayed to it
            reorder = next(part for part in built if part.part.kind == "reorder")
            size_line = DelayLine(range(cfg.log2n + 1), reorder.part.offset, target=cfg.target, ce=self.ce)
            add_part(m, "log2n_delay", size_line, ce=self.ce)
            m.d.comb += [size_line.i.eq(self.log2n), reorder.log2n.eq(size_line.o)]
        if cfg.bfp:
            # block floating point: the input buffer's h and the reorder
            # buffer's writes go to the read-out shifter
            by_kind = {part.part.kind: part for part in built}
            out = by_kind["bfp_out"]
            m.d.comb += [out.h.eq(by_kind["normalize"].h), out.w.eq(by_kind["reorder"].i),
                         self.exponent.eq(out.exponent)]
        return m


class FFTCore(wiring.Component):
    """Streaming FFT/iFFT core (the module docstring says more).

    Parameters
    ----------
    cfg : FFTConfig

    Attributes
    ----------
    i : In(stream.Signature(input_layout(cfg)))
        Input samples ``{re, im: signed(width)}`` (``{re0, im0, re1, im1,
        ...}`` with P lanes: lane l of transfer t = sample t*P + l); frames
        are consecutive groups of N/P accepted transfers.
    o : Out(stream.Signature(output_layout(cfg)))
        Output samples ``{re, im: signed(output_width), last, overflow}``
        (per lane likewise): ``last`` on each frame's final transfer,
        ``overflow`` sticky within a frame from the first clipped output.
    inverse : In(1)
        ``direction="runtime"`` only: sampled with each frame's first
        transfer, 1 = inverse transform.
    log2n : In(unsigned(cfg.size_port_width))
        ``runtime_n`` only: sampled with each frame's first transfer, the
        frame's size N = 2**log2n (clamped to [log2 NMIN, log2 NMAX]).
        Every size has latency ``cfg.latency_cycles`` (``cfg.latency_by_n``).

    Latency ``cfg.latency_cycles`` (the datapath's ``pipeline_latency`` plus
    the stream shell's 2); P samples per clock, frames back to back.  Bit
    growth: ``cfg.output_width - cfg.width`` bits (1 scaled, 1 + log2 N
    unscaled: :attr:`FFTConfig.output_width`).
    """

    def __init__(self, cfg: FFTConfig):
        self.cfg = cfg
        sig = {
            "i": In(stream.Signature(input_layout(cfg))),
            "o": Out(stream.Signature(output_layout(cfg))),
        }
        if cfg.direction == "runtime":
            sig["inverse"] = In(1)
        if cfg.runtime_n is not None:
            sig["log2n"] = In(cfg.size_port_width)
        super().__init__(sig)

    def elaborate(self, platform):
        m = Module()
        cfg = self.cfg
        P = cfg.lanes
        names = lane_names(cfg)
        # the stream shell (hdl/shell.py): controller, registered enable and
        # soft reset (the datapath runs one cycle behind its controller,
        # CE_REGISTER_LATENCY), input register, output FIFO
        runtime_n = cfg.runtime_n is not None
        if runtime_n:
            # the frame size, sampled with each frame's first transfer and
            # clamped to [log2 NMIN, log2 NMAX] (pyref: FFTConfig.clamp_log2n)
            lo, hi = cfg.log2n_range
            size_held = Signal(range(hi + 1), init=hi, name="log2n_held")
            size_port = Signal(range(hi + 1), name="log2n_port")
            m.d.comb += size_port.eq(Mux(self.log2n < lo, lo, Mux(self.log2n > hi, hi, self.log2n)))
            size_now = Signal(range(hi + 1), name="log2n_now")
            frame_last = Signal(range(cfg.n), name="frame_last")
            with m.Switch(size_now):
                for k in range(lo, hi + 1):
                    with m.Case(k):
                        m.d.comb += frame_last.eq((1 << k) - 1)
        sh = stream_shell(m, self.i, self.o, latency=cfg.pipeline_latency, frame=cfg.frame_cycles,
                          drain_after=cfg.drain_after, out_layout=output_layout(cfg), target=cfg.target,
                          cycles_per_sample=cfg.cycles_per_sample, **({"frame_last": frame_last} if runtime_n else {}))
        ctl = sh.ctl
        # (the datapath applies its enable and clear to each part itself)
        m.submodules.datapath = dp = FFTDatapath(cfg, ce=sh.adv_q, clear=sh.clear, enable=sh.enable)
        dp_in = [dp.i] if P == 1 else [dp.i[l] for l in range(P)]
        dp_out = [dp.o] if P == 1 else [dp.o[l] for l in range(P)]

        # Input side: the direction of a runtime core is sampled with each
        # frame's first sample and registered with it.
        if cfg.direction == "runtime":
            inv_held = Signal()
            inv_now = Mux(ctl.first_in, self.inverse, inv_held)
            with m.If(ctl.accept & ctl.first_in):
                m.d.sync += inv_held.eq(self.inverse)
        else:
            inv_now = int(cfg.direction == "inverse")
        inv_in = Signal(name="inv_in")
        m.d.sync += inv_in.eq(inv_now)
        for w_in, (re, im) in zip(dp_in, names):
            m.d.comb += [
                w_in.re.eq(getattr(sh.inreg, re)),
                w_in.im.eq(getattr(sh.inreg, im)),
                w_in.inv.eq(inv_in),
            ]
        if runtime_n:
            # the size like the direction; each word's "end" tag: the last
            # sample of its frame, or (nothing accepted: a drain bubble) 1
            m.d.comb += size_now.eq(Mux(ctl.first_in, size_port, size_held))
            with m.If(ctl.accept & ctl.first_in):
                m.d.sync += size_held.eq(size_port)
            end_in, size_in = Signal(name="end_in"), Signal(range(cfg.log2n + 1), name="log2n_in")
            m.d.sync += [end_in.eq(~ctl.accept | ctl.acc_last), size_in.eq(size_now)]
            m.d.comb += dp.i.end.eq(end_in)
            if cfg.order == "natural":
                m.d.comb += dp.log2n.eq(size_in)

        # Output side: undo the inverse swap, frame flags.
        inv_out = dp_out[0].inv if cfg.direction == "runtime" else int(cfg.direction == "inverse")
        for w, (re, im) in zip(dp_out, names):
            m.d.comb += [
                getattr(sh.out, re).eq(Mux(inv_out, w.im, w.re)),
                getattr(sh.out, im).eq(Mux(inv_out, w.re, w.im)),
            ]
        if runtime_n:
            # frames of run-time sizes: last and first from the words' "end"
            # tags (the emitted words are whole frames, back to back)
            first_out = Signal(init=1, name="first_out")
            with m.If(sh.emit_q):
                m.d.sync += first_out.eq(dp_out[0].end)
            m.d.comb += [sh.out.last.eq(dp_out[0].end),
                         sh.out.overflow.eq(sh.overflow([w.ovf for w in dp_out], first_out))]
        else:
            m.d.comb += [sh.out.last.eq(sh.last_q), sh.out.overflow.eq(sh.overflow([w.ovf for w in dp_out]))]
        if cfg.bfp:
            m.d.comb += sh.out.exponent.eq(dp.exponent)
        return m
