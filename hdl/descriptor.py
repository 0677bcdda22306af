# amaranth: UnusedElaboratable=no
"""The core descriptor (JSON): one writer for every core kind.

A descriptor is the contract that test benches, the FPGA flow and users'
integrations read (README, "Core descriptor").  :func:`descriptor` writes it
for a configuration of any kind in :data:`fftforge.kinds.KINDS`:

* the **port map** is derived from the signature of the component that
  elaborates the core (Amaranth ``lib.wiring``: ``signature.members``):
  Verilog port names are the members' flattened paths (``i__payload``), a
  stream member (``lib.stream.Signature``) is described by its ``valid``,
  ``ready`` and ``payload`` ports and its payload layout (``lib.data``
  fields: offset, width, signedness), and the sample streams ``i``/``o``
  also by their lanes (:func:`lane_map`);
* the **common keys** (:data:`fftforge.kinds.COMMON_DESCRIPTOR_KEYS`) are
  read from the configuration (:class:`fftforge.config.CoreConfig`: widths,
  latency, frame and lane facts, resources, ``to_dict``);
  (The core is constructed only for its signature and never elaborated:
  the first line of this file turns off Amaranth's ``UnusedElaboratable``
  warning for the components made here.)
* each kind adds **only its own keys**, through its table entry: the
  ``descriptor_extras_ref`` hook returns a :class:`KindKeys` (its extra
  keys, its text of the common ``scale_relation`` and ``frames``, and what
  its other signature members mean).  The entry's ``descriptor_keys`` and
  ``lane_keys`` fix the key order of its descriptor, so that the JSON text
  of every kind stays what it was.

:func:`fft_keys` and :func:`filter_keys` are the hooks of the built-in
kinds (``fftnet`` shares the filter's).

Examples
--------
>>> from fftforge.config import FFTConfig
>>> d = descriptor(FFTConfig(n=16, lanes=2))
>>> d["ports"]["input"]["payload"], [l["re"] for l in d["ports"]["input"]["lanes"]]
('i__payload', ['re0', 're1'])
"""

from __future__ import annotations

import dataclasses

from amaranth.hdl import Shape
from amaranth.lib import stream

from fftforge import kinds

__all__ = ["descriptor", "port_map", "stream_entry", "lane_map", "layout_fields", "KindKeys", "fft_keys",
           "filter_keys", "with_wrapper", "CLOCK", "RESET", "SAMPLE_STREAMS", "WRAPPER_KEY"]

CLOCK = "clk"
RESET = "rst"

#: the signature members that carry samples, and their descriptor keys
SAMPLE_STREAMS = {"i": "input", "o": "output"}

#: the optional top-level key that describes a wrapper module written beside
#: the core (``fftforge generate --wrapper``, :mod:`fftforge.hdl.axis`); only
#: present when one was asked for, always last, no other key changes
WRAPPER_KEY = "wrapper"


@dataclasses.dataclass(frozen=True)
class KindKeys:
    """What a core kind adds to its descriptor (its table entry's
    ``descriptor_extras_ref`` hook returns one).

    Parameters
    ----------
    keys : dict
        Top-level keys: the kind's own (its entry's ``descriptor_extras``)
        and its text of the common ``scale_relation`` and ``frames``.
    ports : dict
        ``{member: (key, extra)}`` for each signature member of the core
        besides the sample streams ``i`` and ``o``: its key under
        ``ports`` and the keys ``extra`` adds to the entry derived from the
        signature (what the port means).
    """
    keys: dict
    ports: dict = dataclasses.field(default_factory=dict)


# ------------------------------------------------------------------ signature
def layout_fields(layout) -> dict:
    """``{field: {offset, width, signed}}`` of an Amaranth ``StructLayout``."""
    out = {}
    for name, f in layout:
        shape = Shape.cast(f.shape)
        out[name] = {"offset": f.offset, "width": shape.width, "signed": bool(shape.signed)}
    return out


def _port_names(name: str, member) -> dict:
    """``{sub-member: Verilog port name}`` of member ``name``: its flattened
    paths joined with ``__``, as Amaranth's Verilog backend names them."""
    if member.is_port:
        return {"": name}
    return {path[-1]: "__".join((name, *path)) for path, m in member.signature.members.flatten() if m.is_port}


def stream_entry(name: str, member) -> dict:
    """The descriptor entry of a stream member: ``{valid, ready, payload}``
    port names, the payload's ``width`` and its ``fields``
    (:func:`layout_fields`)."""
    ports = _port_names(name, member)
    layout = member.signature.members["payload"].shape
    return {"valid": ports["valid"], "ready": ports["ready"], "payload": ports["payload"],
            "width": Shape.cast(layout).width, "fields": layout_fields(layout)}


def lane_map(cfg, layout, keys: tuple) -> list:
    """Per-lane payload fields of a sample stream, lane 0 carrying the lowest
    sample index of a transfer: ``[{lane, re, re_offset, width[, im,
    im_offset]}]`` (``im`` when the kind's samples have one,
    :attr:`~fftforge.config.CoreConfig.lane_fields`), keys in the order
    ``keys`` (the kind's ``lane_keys``)."""
    fields = layout_fields(layout)
    out = []
    for l, names in enumerate(cfg.lane_fields):
        e = {"lane": l, "width": fields[names[0]]["width"]}
        for part, field in zip(("re", "im"), names):
            e[part] = field
            e[f"{part}_offset"] = fields[field]["offset"]
        out.append({k: e[k] for k in keys if k in e})
    return out


def port_map(cfg, top, kind, extras: KindKeys) -> dict:
    """The descriptor's ``ports``: clock and reset, then one entry per member
    of ``top.signature`` in signature order (sample streams as ``input`` and
    ``output`` with their lanes; other members under the key the kind's
    ``extras.ports`` gives them, with its keys added)."""
    ports = {"clock": CLOCK, "reset": RESET, "reset_active_high": True, "reset_synchronous": True}
    members = top.signature.members
    unknown = set(extras.ports) - set(members)
    if unknown:
        raise ValueError(f"descriptor of kind {kind.name!r}: {type(top).__name__} has no member "
                         f"{', '.join(sorted(unknown))}")
    for name, member in members.items():
        is_stream = member.is_signature and isinstance(member.signature, stream.Signature)
        if is_stream:
            entry = stream_entry(name, member)
        elif member.is_port:
            entry = {"name": name, "width": Shape.cast(member.shape).width}
        else:
            raise ValueError(f"descriptor of kind {kind.name!r}: member {name!r} of {type(top).__name__} "
                             f"is neither a port nor a stream")
        if name in SAMPLE_STREAMS and is_stream:
            key, extra = SAMPLE_STREAMS[name], {
                "lanes": lane_map(cfg, member.signature.members["payload"].shape, kind.lane_keys)}
        elif name in extras.ports:
            key, extra = extras.ports[name]
        else:
            raise ValueError(f"descriptor of kind {kind.name!r}: member {name!r} of {type(top).__name__} "
                             f"has no descriptor entry (its hook's KindKeys.ports)")
        ports[key] = {**entry, **extra}
    return ports


# --------------------------------------------------------------------- writer
def descriptor(cfg, top=None) -> dict:
    """The core descriptor of ``cfg``, a configuration of any core kind.

    ``top``: the component whose ports the descriptor describes (default:
    the kind's core, ``kinds.kind_of(cfg).core()(cfg)``; only its signature
    is read, nothing is elaborated).  Keys are in the order of the kind's
    ``descriptor_keys``; a hook that writes another set of keys raises
    :class:`ValueError`."""
    from fftforge.hdl.export import sim_model_files
    kind = kinds.kind_of(cfg)
    if top is None:
        top = kind.core()(cfg)
    extras = kind.descriptor_hook()(cfg)
    common = {
        "kind": kind.name,
        "name": cfg.name,
        "n": cfg.n,
        "input_width": cfg.width,
        "output_width": cfg.output_width,
        "twiddle_width": cfg.twiddle_width,
        "widths": cfg.widths,
        "rounding": cfg.rounding,
        "scale_log2": cfg.scale_log2,
        "latency_cycles": cfg.latency_cycles,
        "frame_cycles": cfg.frame_cycles,
        "samples_per_cycle": cfg.lanes,
        "lanes": cfg.lanes,
        "drain_after": cfg.drain_after,
        "ports": port_map(cfg, top, kind, extras),
        "resources": cfg.resources(),
        "files": {"verilog": f"{cfg.name}.v", **sim_model_files(cfg.target, getattr(cfg, "cycles_per_sample", 1))},
        "target": cfg.target,
        "config": cfg.to_dict(),
    }
    clash = set(common) & set(extras.keys)
    if clash:
        raise ValueError(f"descriptor of kind {kind.name!r}: the hook writes common key(s) "
                         f"{', '.join(sorted(clash))}")
    values = {**common, **extras.keys}
    order = kind.key_order(values)
    if set(values) != set(order):
        raise ValueError(f"descriptor of kind {kind.name!r}: keys {sorted(set(values) ^ set(order))} "
                         f"differ from the kind's descriptor_keys")
    return {k: values[k] for k in order}


def with_wrapper(desc: dict, entry: dict) -> dict:
    """``desc`` with the :data:`WRAPPER_KEY` entry ``entry`` added last
    (every other key, its value and its order unchanged)."""
    out = {k: v for k, v in desc.items() if k != WRAPPER_KEY}
    out[WRAPPER_KEY] = entry
    return out


# ---------------------------------------------------------------- kind hooks
def fft_keys(cfg) -> KindKeys:
    """What an FFT core's descriptor adds: its transform options, and the
    meaning of the ``inverse`` port (``direction="runtime"``).  Block
    floating point (``scaling="bfp"``): ``scale_relation`` says DFT(x) ~=
    output * 2**exponent (the output field ``exponent``), ``schedule`` is
    the fixed schedule between the normalisers (``scale_log2`` 0).
    Run-time length (``runtime_n``): ``ports.size`` describes the ``log2n``
    input (encoding ``log2n``, sampled with each frame's first transfer,
    ``min``/``max`` log2 sizes, clamped beyond them), ``latency_by_n`` and
    ``scale_log2_by_n`` give each size's latency and output scale (keys: N
    as a string), ``scale_log2``/``latency_cycles`` are NMAX's."""
    return KindKeys(
        keys={
            "direction": cfg.direction,
            "arch": cfg.arch,
            "scaling": cfg.scaling,
            "schedule": list(cfg.shifts),
            "scale_relation": ("DFT(x) ~= output * 2**exponent per frame (exponent: the output field, unsigned, "
                               "constant over a frame), DFT(x)[k] = sum_n x[n] e^{-j2pi kn/N}; "
                               "inverse: sum_n x[n] e^{+j2pi kn/N} ~= output * 2**exponent"
                               if cfg.scaling == "bfp" else
                               "output ~= DFT(x) / 2**scale_log2, DFT(x)[k] = sum_n x[n] e^{-j2pi kn/N}; "
                               "inverse: output ~= sum_n x[n] e^{+j2pi kn/N} / 2**scale_log2"),
            "overflow": cfg.overflow,
            "output_order": cfg.order,
            "cmul": cfg.cmul,
            "cycles_per_sample": cfg.cycles_per_sample,   # at most one transfer every that many cycles
            "frames": "consecutive groups of n accepted input samples (n/lanes transfers) after reset"
            if cfg.runtime_n is None else
            "consecutive groups of accepted input samples after reset, 2**log2n samples each (log2n sampled "
            "from the 'log2n' port with the first transfer of each frame); outputs: the same frames, in order",
            **({"latency_by_n": {str(N): v for N, v in cfg.latency_by_n.items()},
                "scale_log2_by_n": {str(N): v for N, v in cfg.scale_log2_by_n.items()}}
               if cfg.runtime_n is not None else {}),
        },
        ports={**({"inverse": ("direction", {"inverse_when": 1, "sampled": "with the first transfer of each frame"})}
                  if cfg.direction == "runtime" else {}),
               **({"log2n": ("size", {"encoding": "log2n", "sampled": "with the first transfer of each frame",
                                      "min": cfg.log2n_range[0], "max": cfg.log2n_range[1],
                                      "out_of_range": "clamped to [min, max]"})}
                  if cfg.runtime_n is not None else {})},
    )


def filter_keys(cfg) -> KindKeys:
    """What a spectral filter's or FFTNet layer's descriptor adds: channels,
    weights, mode and real pairs, the latency terms, both FFT
    configurations, and the meaning of the weight port ``w``
    (``weights="runtime"``).  Block floating point (``scaling="bfp"``):
    ``scaling`` (after ``scale_log2``, only then), ``scale_relation``
    says ifft(fft(x) * W) ~= output * 2**(exponent - log2 n) (the output
    field ``exponent``; ``scale_log2`` is -log2 n; FFTNet: the layer's
    formula, the exponent the block scaler's ``e2``)."""
    fwd, inv = cfg.fft_forward, cfg.fft_inverse
    if cfg.real_pairs:
        core = ("Re(ifft(modReLU(fft(x_c, norm='forward') * W_c, b_c), norm='forward'))" if cfg.real_output
                else "Re(ifft(fft(x_c) * W_c))")
        rel = (f"real pairs: output re ~= {core} for x_c = input re, c = 2f mod channels; output im ~= the "
               "same for x_c = input im, c = 2f+1 mod channels; input units; W_c = (re + j im) / 2**(coef_width-1)")
    elif cfg.real_output and cfg.bfp:
        rel = (f"Re(ifft(modReLU(fft(x, norm='forward') * W_c, b_c), norm='forward')) ~= output * 2**(exponent - "
               f"{cfg.log2n}) per frame (exponent: the output field, unsigned, constant over a frame, the block "
               "scaler's e2 = max(forward exponent, log2 n + nb - (width + 2)), nb the bit length of b_c, of -b_c - 1 "
               "for b_c < 0, e2 = the forward exponent for b_c = 0; scale_log2 = -log2 n), "
               "input units; W_c = (re + j im) / 2**(coef_width-1), b_c integer, c = frame mod channels")
    elif cfg.real_output:
        rel = ("output ~= Re(ifft(modReLU(fft(x, norm='forward') * W_c, b_c), norm='forward')) per frame, "
               "input units; W_c = (re + j im) / 2**(coef_width-1), b_c integer, c = frame mod channels")
    elif cfg.bfp:
        rel = (f"ifft(fft(x) * W_c) ~= output * 2**(exponent - {cfg.log2n}) per frame (exponent: the output field, "
               "unsigned, constant over a frame, the forward FFT's block exponent; scale_log2 = -log2 n), input "
               "units; W_c = (re + j im) / 2**(coef_width-1), c = frame mod channels")
    else:
        rel = ("output ~= ifft(fft(x) * W_c) per frame (circular convolution with ifft(W_c)), input units; "
               "W_c = (re + j im) / 2**(coef_width-1), c = frame mod channels")
    if cfg.mode == "overlap_save":
        rel += ("; overlap-save: frame f = stream[f*L-(M-1) .. f*L+L-1], keep the last L outputs of each frame "
                f"(L = {cfg.hop}, M = {cfg.taps})")
    ports = {}
    if cfg.weights == "runtime":
        wp = {"address_map": {"weight": "addr = channel * n + bin (re, im: coef_width-bit weight, "
                                        "value / 2**(coef_width-1))"}}
        if cfg.real_output:
            wp["address_map"]["bias"] = "addr = channels * n + channel (re: bias, input LSB units)"
        wp["address_space"] = cfg.address_space
        if cfg.lanes > 1:
            wp["banks"] = (f"{cfg.lanes} weight banks: addr < channels*n goes to bank (addr mod n) mod "
                           f"{cfg.lanes}, word addr >> {cfg.lanes.bit_length() - 1}; one write per cycle")
        wp["takes_effect"] = ("at the multiplier's next frame boundary of the addressed channel: a write to "
                              "the channel being read is held (ready low) until its frame ends; every frame "
                              "sees the memory after exactly 'wseq' writes (output field)")
        ports["w"] = ("weights", wp)
    return KindKeys(
        keys={
            "channels": cfg.channels,
            "weights": cfg.weights,
            "mode": cfg.mode,
            "taps": cfg.taps,
            "hop": cfg.hop,
            "coef_width": cfg.coef_width,
            "real_output": cfg.real_output,
            "real_pairs": cfg.real_pairs,
            "channel_of_frame": ("frame f carries channels 2f mod channels (re) and 2f+1 mod channels (im)"
                                 if cfg.real_pairs else "frame f uses channel f mod channels"),
            "scale_relation": rel,
            "latency_parts": cfg.latency_parts,
            "frames": ("a continuous input stream; each group of hop accepted samples (hop/lanes transfers, "
                       "lane l of transfer t = sample t*lanes + l) completes a frame (with the previous taps-1 "
                       "samples), each frame gives hop outputs"
                       if cfg.mode == "overlap_save" else
                       "consecutive groups of n accepted input samples (n/lanes transfers, lane l of transfer t = "
                       "sample t*lanes + l) after reset; frame f uses channel f mod channels"),
            "input_samples_per_cycle": cfg.hop / cfg.n * cfg.lanes,
            "fft": {"forward": fwd.to_dict(), "inverse": inv.to_dict()},
            **({"scaling": "bfp"} if cfg.bfp else {}),
        },
        ports=ports,
    )
