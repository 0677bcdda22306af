"""AXI4-Stream wrapper of a generated core (``fftforge generate ... --wrapper axis``).

One job: from a core descriptor (its ``ports`` map: port names, payload
fields, lanes), write a plain Verilog-2001 module ``<name>_axis`` in
``<name>_axis.v`` that instantiates the core ``<name>`` and presents it with
AXI4-Stream interfaces named as AMD's FFT IP names them, and return the
descriptor entry (``wrapper``) that describes it.  Every bit position comes
from the descriptor's field map; nothing is retyped.

Ports
-----
``aclk``
    The core's ``clk``.
``aresetn``
    Synchronous, active low (AXI convention): the core's ``rst`` is
    ``~aresetn``; ``s_axis_data_tready`` and ``m_axis_data_tvalid`` are held
    low while it is asserted.
``s_axis_data_tvalid``, ``s_axis_data_tready``, ``s_axis_data_tdata``, ``s_axis_data_tlast``
    The input samples (the core's ``i`` stream).
``s_axis_data_tuser`` (runtime-direction FFT cores only)
    Bit 0: ``inverse`` (1: inverse transform), taken with the first transfer
    of each frame as the core's ``inverse`` port is (bits 7..1 ignored).
``m_axis_data_tvalid``, ``m_axis_data_tready``, ``m_axis_data_tdata``, ``m_axis_data_tlast``, ``m_axis_data_tuser``
    The output samples (the core's ``o`` stream); ``tlast`` is the core's
    ``last`` (the last transfer of each frame), ``tuser`` holds the other
    output fields (``overflow``, and ``wseq`` for runtime-weight filters).
``s_axis_weights_tvalid``, ``s_axis_weights_tready``, ``s_axis_weights_tdata`` (runtime weights only)
    The weight write port ``w`` (``addr``, ``re``, ``im``), no ``tlast``.
``event_tlast_unexpected``, ``event_tlast_missing``
    One-cycle pulses, registered (one cycle after the transfer): an input
    transfer with ``tlast`` high that is not the last of a frame, or the
    last transfer of a frame with ``tlast`` low.  Input ``tlast`` is
    otherwise ignored: frames are counted by the core (consecutive groups
    of ``hop`` (``n``) samples after reset), as AMD's FFT IP does.

Layout of ``tdata`` and ``tuser``: every field in a container of the next
multiple of 8 bits, fields in the order lane 0 ``re``, lane 0 ``im``, lane 1
``re``, ... (lane 0 the lowest sample index; real-token cores: ``re`` only),
from bit 0 up, as AMD's FFT IP packs complex data (``re`` in the low half,
``im`` in the high half); signed fields sign-extended, unsigned ones
zero-extended; on inputs the container's padding bits are ignored.  ``tuser``
fields likewise, in the order of the core's payload.  The descriptor entry
gives each field's ``offset`` (bit 0 of the container), ``width`` (value
bits), ``signed`` and ``bits`` (the container), so
:func:`fftforge.sim.payload.unpack` reads ``tdata`` words with it.

Latency: 0 cycles added (wires and the reset gating only: the core's latency
and throughput are the wrapper's); bit growth: none (padding only).

Examples
--------
>>> from fftforge.config import FFTConfig
>>> from fftforge.hdl.descriptor import descriptor
>>> e = wrapper_entry(descriptor(FFTConfig(n=16, width=12, direction="runtime")))
>>> e["ports"]["input"]["tdata_fields"]["im"]
{'offset': 16, 'width': 12, 'signed': True, 'bits': 16}
>>> e["ports"]["output"]["tuser_fields"]
{'overflow': {'offset': 0, 'width': 1, 'signed': False, 'bits': 8}}
"""

from __future__ import annotations

import os

__all__ = ["WRAPPERS", "container_bits", "wrapper_entry", "wrapper_verilog", "write_wrapper"]

#: the wrappers ``fftforge generate --wrapper`` knows
WRAPPERS = ("axis",)

#: extra input streams of a core (descriptor ``ports`` key) and their AXI4-Stream slave prefix
EXTRA_STREAMS = {"weights": "s_axis_weights"}

#: plain input ports of a core (descriptor ``ports`` key) carried in ``s_axis_data_tuser``
TUSER_INPUTS = ("direction",)
#: why a run-time-length core (``--runtime-n``) gets no wrapper (one line)
RUNTIME_N_REFUSAL = ("--wrapper axis is not available with --runtime-n (the log2n port has no AXI4-Stream "
                     "channel yet); generate the core without --wrapper and drive log2n directly")

_PORT_KEYS = ("clock", "reset", "reset_active_high", "reset_synchronous", "input", "output")

_TLAST = ("ignored for framing (the core counts frames: consecutive groups of frame_transfers accepted "
          "transfers after reset); checked: event_tlast_unexpected / event_tlast_missing pulse one cycle "
          "after a transfer whose tlast disagrees with that count")


def container_bits(width: int) -> int:
    """The next multiple of 8 bits at or above ``width``."""
    return -(-width // 8) * 8


def _sample_order(stream: dict) -> list:
    """Sample field names of a stream, lane by lane: ``re`` then ``im``."""
    out = []
    for lane in stream["lanes"]:
        out += [lane[p] for p in ("re", "im") if p in lane]
    return out


def _pack(fields: dict, names: list) -> tuple:
    """Containers for ``names`` (core fields), from bit 0 up: ``({name:
    {offset, width, signed, bits}}, total bits)``."""
    out, pos = {}, 0
    for n in names:
        f = fields[n]
        bits = container_bits(f["width"])
        out[n] = {"offset": pos, "width": f["width"], "signed": f["signed"], "bits": bits}
        pos += bits
    return out, pos


def _channel(prefix: str, signals: tuple) -> dict:
    return {s: f"{prefix}_{s}" for s in signals}


def _frame_transfers(desc: dict) -> int:
    """Input transfers per frame (an overlap-save core's hop / P): the
    owner's answer, :func:`fftforge.pyref.lanes.frame_transfers`, for the
    core's config."""
    from fftforge.kinds import config_from_descriptor
    from fftforge.pyref.lanes import frame_transfers
    return frame_transfers(config_from_descriptor(desc))


def wrapper_entry(desc: dict) -> dict:
    """The descriptor entry (key ``wrapper``) of the AXI4-Stream wrapper of
    the core ``desc`` describes: module and file name, clock and reset,
    each channel's port names and ``tdata``/``tuser`` field layout.

    Raises
    ------
    ValueError
        A port of the core that the wrapper has no mapping for.
    UserError
        A run-time-length core (``ports.size``: no channel for ``log2n``).
    """
    ports = desc["ports"]
    if "size" in ports:
        from fftforge.errors import UserError
        raise UserError(RUNTIME_N_REFUSAL)
    unknown = [k for k in ports if k not in _PORT_KEYS + TUSER_INPUTS + tuple(EXTRA_STREAMS)]
    if unknown:
        raise ValueError(f"axis wrapper: no AXI4-Stream mapping for core port(s) {', '.join(unknown)}")
    ins, outs = ports["input"], ports["output"]
    in_names = _sample_order(ins)
    extra_in = [n for n in ins["fields"] if n not in in_names]
    if extra_in:
        raise ValueError(f"axis wrapper: input field(s) {', '.join(extra_in)} are not samples")
    tdata, width = _pack(ins["fields"], in_names)
    s = {**_channel("s_axis_data", ("tvalid", "tready", "tdata", "tlast")), "tdata_width": width,
         "tdata_fields": tdata}
    if "direction" in ports:
        d = ports["direction"]
        tuser, uw = _pack({"inverse": {"width": d["width"], "signed": False}}, ["inverse"])
        s.update(tuser="s_axis_data_tuser", tuser_width=uw, tuser_fields=tuser,
                 tuser_meaning="inverse = 1: inverse transform; taken with the first transfer of each frame")
    s.update(tlast_handling=_TLAST, frame_transfers=_frame_transfers(desc))
    out_names = _sample_order(outs)
    flags = [n for n in sorted(outs["fields"], key=lambda n: outs["fields"][n]["offset"])
             if n not in out_names and n != "last"]
    tdata, width = _pack(outs["fields"], out_names)
    tuser, uw = _pack(outs["fields"], flags)
    m = {**_channel("m_axis_data", ("tvalid", "tready", "tdata", "tlast", "tuser")), "tdata_width": width,
         "tdata_fields": tdata, "tuser_width": uw, "tuser_fields": tuser,
         "tlast_meaning": "the core's 'last': the last transfer of each output frame"}
    chans = {"input": s, "output": m}
    for key, prefix in EXTRA_STREAMS.items():
        if key in ports:
            st = ports[key]
            tdata, width = _pack(st["fields"], list(st["fields"]))
            chans[key] = {**_channel(prefix, ("tvalid", "tready", "tdata")), "tdata_width": width,
                          "tdata_fields": tdata}
    chans["events"] = {"tlast_unexpected": "event_tlast_unexpected", "tlast_missing": "event_tlast_missing"}
    name = desc["name"]
    return {
        "kind": "axis",
        "module": f"{name}_axis",
        "file": f"{name}_axis.v",
        "core_module": name,
        "clock": "aclk",
        "reset": "aresetn",
        "reset_active_high": False,
        "reset_synchronous": True,
        "latency_cycles_added": 0,
        "layout": ("each field in a container of the next multiple of 8 bits from bit 0 up: lane 0 re, lane 0 "
                   "im, lane 1 re, ... (im in the upper half of each sample); signed fields sign-extended, "
                   "unsigned zero-extended; input padding ignored; offset/width/signed: the value bits, bits: "
                   "the container"),
        "ports": chans,
    }


# ------------------------------------------------------------------ Verilog
def _concat(total: int, pieces: list) -> str:
    """A Verilog concatenation of ``total`` bits from ``pieces`` ``(offset,
    width, expr)``, gaps filled with zeros, most significant first."""
    parts, pos = [], 0
    for off, w, expr in sorted(pieces):
        if off > pos:
            parts.append(f"{off - pos}'d0")
        parts.append(expr)
        pos = off + w
    if total > pos:
        parts.append(f"{total - pos}'d0")
    return "{" + ", ".join(reversed(parts)) + "}"


def _unpack_to_core(core_fields: dict, axis_fields: dict, src: str, total: int) -> str:
    """The core payload (``total`` bits) from an AXI ``tdata`` word ``src``:
    each field's value bits, the containers' padding dropped."""
    return _concat(total, [(core_fields[n]["offset"], a["width"], f"{src}[{a['offset'] + a['width'] - 1}:{a['offset']}]")
                           for n, a in axis_fields.items()])


def _pack_from_core(core_fields: dict, axis_fields: dict, src: str, total: int) -> str:
    """An AXI ``tdata``/``tuser`` word (``total`` bits) from the core payload
    ``src``: each field extended to its container."""
    pieces = []
    for n, a in axis_fields.items():
        lo, w = core_fields[n]["offset"], a["width"]
        sel = f"{src}[{lo + w - 1}:{lo}]"
        pad = a["bits"] - w
        if pad:
            ext = f"{src}[{lo + w - 1}]" if a["signed"] else "1'b0"
            sel = f"{{{{{pad}{{{ext}}}}}, {sel}}}"
        pieces.append((a["offset"], a["bits"], sel))
    return _concat(total, pieces)


def _vec(width: int) -> str:
    return f"[{width - 1}:0] " if width > 1 else ""


def wrapper_verilog(desc: dict, entry: dict = None) -> str:
    """The Verilog-2001 text of the wrapper module (``entry``: its
    :func:`wrapper_entry`, computed if not given)."""
    entry = entry or wrapper_entry(desc)
    ports, ch = desc["ports"], entry["ports"]
    s, m = ch["input"], ch["output"]
    ins, outs = ports["input"], ports["output"]
    decl = [("input", 1, "aclk"), ("input", 1, "aresetn"),
            ("input", 1, s["tvalid"]), ("output", 1, s["tready"]), ("input", s["tdata_width"], s["tdata"]),
            ("input", 1, s["tlast"])]
    if "tuser" in s:
        decl.append(("input", s["tuser_width"], s["tuser"]))
    decl += [("output", 1, m["tvalid"]), ("input", 1, m["tready"]), ("output", m["tdata_width"], m["tdata"]),
             ("output", 1, m["tlast"])]
    if m["tuser_width"]:
        decl.append(("output", m["tuser_width"], m["tuser"]))
    extra = [(k, ch[k]) for k in EXTRA_STREAMS if k in ch]
    for _, c in extra:
        decl += [("input", 1, c["tvalid"]), ("output", 1, c["tready"]), ("input", c["tdata_width"], c["tdata"])]
    ev = ch["events"]
    decl += [("output reg", 1, ev["tlast_unexpected"]), ("output reg", 1, ev["tlast_missing"])]
    ft = s["frame_transfers"]
    cw = max(1, (ft - 1).bit_length())
    last = outs["fields"]["last"]
    L = [f"// AXI4-Stream wrapper of core '{desc['name']}' ({desc['kind']}), generated by fftforge",
         "// (hdl/axis.py). Plain Verilog-2001. Adds no latency. Field layout: the 'wrapper'",
         f"// entry of {desc['name']}.json. Simulate/synthesise together with {desc['files']['verilog']}.",
         f"module {entry['module']} ("]
    L += [f"    {d.split()[0]:<6} {'reg' if d.endswith('reg') else 'wire':<4} {_vec(w):<8}{n}," for d, w, n in decl]
    L[-1] = L[-1].rstrip(",")
    L += [");",
          f"    wire {_vec(ins['width'])}core_i_payload;",
          f"    wire {_vec(outs['width'])}core_o_payload;",
          "    wire core_i_ready, core_o_valid;",
          f"    assign core_i_payload = {_unpack_to_core(ins['fields'], s['tdata_fields'], s['tdata'], ins['width'])};",
          f"    assign {s['tready']} = core_i_ready & aresetn;",
          f"    assign {m['tvalid']} = core_o_valid & aresetn;",
          f"    assign {m['tdata']} = {_pack_from_core(outs['fields'], m['tdata_fields'], 'core_o_payload', m['tdata_width'])};",
          f"    assign {m['tlast']} = core_o_payload[{last['offset']}];"]
    if m["tuser_width"]:
        L.append(f"    assign {m['tuser']} = "
                 f"{_pack_from_core(outs['fields'], m['tuser_fields'], 'core_o_payload', m['tuser_width'])};")
    for key, c in extra:
        st = ports[key]
        L += [f"    wire {_vec(st['width'])}core_{key}_payload;",
              f"    wire core_{key}_ready;",
              f"    assign core_{key}_payload = {_unpack_to_core(st['fields'], c['tdata_fields'], c['tdata'], st['width'])};",
              f"    assign {c['tready']} = core_{key}_ready & aresetn;"]
    L += ["",
          f"    // input tlast check: transfers counted modulo the frame ({ft} transfers)",
          f"    reg [{cw - 1}:0] in_count;",
          f"    wire in_fire = {s['tvalid']} & {s['tready']};",
          f"    wire in_frame_end = (in_count == {cw}'d{ft - 1});",
          "    always @(posedge aclk) begin",
          "        if (!aresetn) begin",
          f"            in_count <= {cw}'d0;",
          f"            {ev['tlast_unexpected']} <= 1'b0;",
          f"            {ev['tlast_missing']} <= 1'b0;",
          "        end else begin",
          f"            {ev['tlast_unexpected']} <= in_fire & {s['tlast']} & ~in_frame_end;",
          f"            {ev['tlast_missing']} <= in_fire & ~{s['tlast']} & in_frame_end;",
          "            if (in_fire)",
          f"                in_count <= in_frame_end ? {cw}'d0 : in_count + {cw}'d1;",
          "        end",
          "    end",
          "",
          f"    {desc['name']} core (",
          f"        .{ports['clock']}(aclk),",
          f"        .{ports['reset']}(~aresetn),",
          f"        .{ins['valid']}({s['tvalid']}),",
          f"        .{ins['ready']}(core_i_ready),",
          f"        .{ins['payload']}(core_i_payload),",
          f"        .{outs['valid']}(core_o_valid),",
          f"        .{outs['ready']}({m['tready']}),",
          f"        .{outs['payload']}(core_o_payload),"]
    if "tuser" in s:
        f = s["tuser_fields"]["inverse"]
        L.append(f"        .{ports['direction']['name']}({s['tuser']}[{f['offset'] + f['width'] - 1}:{f['offset']}]),")
    for key, c in extra:
        st = ports[key]
        L += [f"        .{st['valid']}({c['tvalid']}),", f"        .{st['ready']}(core_{key}_ready),",
              f"        .{st['payload']}(core_{key}_payload),"]
    L[-1] = L[-1].rstrip(",")
    L += ["    );", "endmodule", ""]
    if not ports.get("reset_active_high", True) or not ports.get("reset_synchronous", True):
        raise ValueError("axis wrapper: the core's reset must be synchronous and active high")
    return "\n".join(L)


def write_wrapper(desc: dict, outdir: str, kind: str = "axis") -> tuple:
    """Write the wrapper ``kind`` (one of :data:`WRAPPERS`) of the core
    ``desc`` describes into ``outdir``; return ``(path, entry)``, ``entry``
    the descriptor's ``wrapper`` value."""
    if kind not in WRAPPERS:
        raise ValueError(f"wrapper must be one of {', '.join(WRAPPERS)}, got {kind!r}")
    entry = wrapper_entry(desc)
    path = os.path.join(outdir, entry["file"])
    with open(path, "w") as f:
        f.write(wrapper_verilog(desc, entry))
    return path, entry
