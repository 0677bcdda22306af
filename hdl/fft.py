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
inverse : In(1)  (``direction="runtime"`` only)
    Sampled with the first sample of each frame: 1 = inverse transform.
o : Out(stream.Signature({re, im: signed(output_width), last: 1, overflow: 1}))
    ``last`` marks each frame's final sample; ``overflow`` is sticky within a
    frame: high from the first output sample whose computation clipped (or
    wrapped) to the end of that frame.

Latency: :attr:`fftforge.config.FFTConfig.latency_cycles`.  Throughput: one
sample per clock, frames back to back, when ``valid`` and ``ready`` stay high.
"""

from amaranth.hdl import Cat, EnableInserter, Module, Mux, ResetInserter, Signal, signed
from amaranth.lib import data, stream, wiring
from amaranth.lib.fifo import SyncFIFO
from amaranth.lib.wiring import In, Out

from ..config import FFTConfig
from .control import PipelineControl
from .reorder import BitReverseReorder
from .sdf import SDFButterfly
from .twiddle import TwiddleMultiplier
from .word import word_assign, word_layout

__all__ = ["FFTDatapath", "FFTCore", "input_layout", "output_layout", "build_parts"]


def input_layout(cfg: FFTConfig) -> data.StructLayout:
    return data.StructLayout({"re": signed(cfg.width), "im": signed(cfg.width)})


def output_layout(cfg: FFTConfig) -> data.StructLayout:
    w = cfg.output_width
    return data.StructLayout({"re": signed(w), "im": signed(w), "last": 1, "overflow": 1})


def core_tags(cfg: FFTConfig):
    return ("ovf", "inv") if cfg.direction == "runtime" else ("ovf",)


def build_parts(cfg: FFTConfig, tags):
    """The RTL part for each non-input entry of ``cfg.plan()``, in order."""
    parts = []
    for p in cfg.plan():
        if p.kind in ("bf2", "bf2ii"):
            parts.append(SDFButterfly(p, cfg.rounding, cfg.overflow, tags))
        elif p.kind == "twiddle":
            parts.append(TwiddleMultiplier(p, cfg.twiddle_width, cfg.rounding, cfg.overflow, cfg.cmul, tags))
        elif p.kind == "reorder":
            parts.append(BitReverseReorder(p, tags))
    return parts


class FFTDatapath(wiring.Component):
    """Slot pipeline of an FFT core.  ``i``: input word (``inv`` tag = inverse
    frame); ``o``: output word in output order, still swapped for inverse
    frames.  Latency: ``cfg.pipeline_latency`` slots."""

    def __init__(self, cfg: FFTConfig):
        self.cfg = cfg
        self.tags = core_tags(cfg)
        super().__init__({
            "i": In(word_layout(cfg.width, ("ovf", "inv"))),
            "o": Out(word_layout(cfg.output_width, self.tags)),
        })

    def elaborate(self, platform):
        m = Module()
        cfg = self.cfg
        first = word_layout(cfg.internal_width, self.tags)
        x = Signal(first, name="x_in")
        inv = self.i.inv
        tags = {"inv": inv} if "inv" in self.tags else {}
        m.d.sync += word_assign(x, Mux(inv, self.i.im, self.i.re), Mux(inv, self.i.re, self.i.im), ovf=0, **tags)
        prev = x
        for k, part in enumerate(build_parts(cfg, self.tags)):
            m.submodules[f"p{k}_{part.part.kind}"] = part
            m.d.comb += part.i.eq(prev)
            prev = part.o
        m.d.comb += self.o.eq(prev)
        return m


class FFTCore(wiring.Component):
    def __init__(self, cfg: FFTConfig):
        self.cfg = cfg
        sig = {
            "i": In(stream.Signature(input_layout(cfg))),
            "o": Out(stream.Signature(output_layout(cfg))),
        }
        if cfg.direction == "runtime":
            sig["inverse"] = In(1)
        super().__init__(sig)

    def elaborate(self, platform):
        m = Module()
        cfg = self.cfg
        m.submodules.ctl = ctl = PipelineControl(cfg.pipeline_latency, cfg.n, cfg.drain_after)
        dp = FFTDatapath(cfg)
        m.submodules.datapath = ResetInserter(ctl.clr)(EnableInserter(ctl.adv)(dp))
        ol = output_layout(cfg)
        m.submodules.fifo = fifo = SyncFIFO(width=ol.size, depth=2)

        # Input side.
        if cfg.direction == "runtime":
            inv_held = Signal()
            inv_now = Mux(ctl.first_in, self.inverse, inv_held)
            with m.If(ctl.accept & ctl.first_in):
                m.d.sync += inv_held.eq(self.inverse)
        else:
            inv_now = int(cfg.direction == "inverse")
        m.d.comb += [
            ctl.in_valid.eq(self.i.valid),
            self.i.ready.eq(ctl.in_ready),
            ctl.space.eq(fifo.w_rdy),
            dp.i.re.eq(self.i.payload.re),
            dp.i.im.eq(self.i.payload.im),
            dp.i.inv.eq(inv_now),
        ]

        # Output side: undo the inverse swap, frame flags, FIFO.
        w = dp.o
        inv_out = w.inv if cfg.direction == "runtime" else int(cfg.direction == "inverse")
        ovf_acc = Signal()
        out_ovf = w.ovf | (ovf_acc & ~ctl.out_first)
        with m.If(ctl.emit):
            m.d.sync += ovf_acc.eq(out_ovf)
        out = Signal(ol)
        m.d.comb += [
            out.re.eq(Mux(inv_out, w.im, w.re)),
            out.im.eq(Mux(inv_out, w.re, w.im)),
            out.last.eq(ctl.out_last),
            out.overflow.eq(out_ovf),
            fifo.w_data.eq(out),
            fifo.w_en.eq(ctl.emit),
            self.o.valid.eq(fifo.r_rdy),
            self.o.payload.eq(fifo.r_data),
            fifo.r_en.eq(self.o.ready),
        ]
        return m
