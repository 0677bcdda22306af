# amaranth: UnusedElaboratable=no
"""The one descriptor writer (:mod:`fftforge.hdl.descriptor`): the JSON of
every kind is the contract it was (stored golden descriptors, written by the
two builders it replaced), its port map is the core's signature and names the
Verilog ports, and each kind adds only its own keys through the kind table."""

import dataclasses
import json
import pathlib
import re

import pytest
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from fftforge import kinds
from fftforge.config import FFTConfig
from fftforge.filter_config import FFTNetConfig, FilterConfig
from fftforge.hdl.descriptor import KindKeys, descriptor

DATA = pathlib.Path(__file__).parent / "data" / "descriptors"

#: the configurations of the stored golden descriptors (written by the
#: hdl/export.py and hdl/filter.py builders before the writer replaced them)
GOLDEN = {
    "fft_rt_p2_ecp5": FFTConfig(n=16, width=8, lanes=2, direction="runtime", cmul=3, target="ecp5",
                                name="fft_rt_p2_ecp5"),
    "fft_r2_inv_ice40": FFTConfig(n=16, width=8, arch="r2sdf", direction="inverse", scaling="unscaled",
                                  order="bit_reversed", target="ice40", name="fft_r2_inv_ice40"),
    "filt_rt_p2": FilterConfig(n=16, width=8, weights="runtime", channels=2, lanes=2, name="filt_rt_p2"),
    "filt_os_p4": FilterConfig(n=16, width=8, mode="overlap_save", taps=5, lanes=4, name="filt_os_p4"),
    "fftnet_rp_rt": FFTNetConfig(n=16, width=8, real_pairs=True, weights="runtime", channels=2, bias=(3, -4),
                                 name="fftnet_rp_rt"),
    "fftnet_p4_ecp5": FFTNetConfig(n=16, width=8, lanes=4, target="ecp5", name="fftnet_p4_ecp5"),
}


def spread():
    """FFT (both archs, P = 1/2/4, every direction, cmul 3, ECP5/iCE40),
    filters (runtime weights, channels, overlap-save, real pairs, lanes) and
    FFTNet layers."""
    out = []
    for arch in ("r22sdf", "r2sdf"):
        for lanes in (1, 2, 4):
            for direction in ("forward", "inverse", "runtime"):
                out.append(FFTConfig(n=32, width=10, arch=arch, lanes=lanes, direction=direction,
                                     name=f"fft_{arch}_{lanes}_{direction}"))
    out += [FFTConfig(n=64, cmul=3, target="ecp5", lanes=8), FFTConfig(n=16, width=8, target="ice40"),
            FFTConfig(n=32, schedule=(2, 1, 0, 1, 0))]
    for cls in (FilterConfig, FFTNetConfig):
        out += [cls(n=16, width=8), cls(n=32, width=8, weights="runtime", channels=3, lanes=2),
                cls(n=32, width=8, real_pairs=True, channels=2, lanes=4, weights="runtime"),
                cls(n=32, width=8, lanes=4, cmul=3, target="ecp5", arch="r2sdf")]
    out += [FilterConfig(n=32, width=8, mode="overlap_save", taps=9), FilterConfig(n=32, mode="overlap_save",
                                                                                   taps=9, lanes=8)]
    return out


def _id(cfg):
    return f"{type(cfg).__name__}-{cfg.name}-p{cfg.lanes}-{getattr(cfg, 'weights', '')}"


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_descriptor_json_is_the_stored_golden(name):
    """Byte for byte, key order included: the JSON contract of every kind."""
    text = json.dumps(descriptor(GOLDEN[name]), indent=1) + "\n"
    assert text == (DATA / f"{name}.json").read_text()


def test_the_table_names_one_writer():
    for k in kinds.KINDS.values():
        assert k.descriptor() is descriptor
        assert callable(k.descriptor_hook())
        assert k.descriptor_extras == tuple(x for x in k.descriptor_keys if x not in kinds.COMMON_DESCRIPTOR_KEYS)
        assert set(kinds.COMMON_DESCRIPTOR_KEYS) <= set(k.descriptor_keys)
    # the old builders are re-exports of the writer, not second builders
    from fftforge.hdl import export, filter as hfilter
    assert export.descriptor is descriptor and hfilter.descriptor is descriptor


@pytest.mark.parametrize("cfg", spread(), ids=_id)
def test_structure_of_every_kind(cfg):
    kind = kinds.kind_of(cfg)
    d = json.loads(json.dumps(descriptor(cfg)))
    assert list(d) == list(kind.descriptor_keys)
    assert d["kind"] == kind.name == cfg.kind
    assert kinds.config_from_descriptor(d).to_dict() == cfg.to_dict()
    assert (d["latency_cycles"], d["frame_cycles"], d["lanes"]) == (cfg.latency_cycles, cfg.frame_cycles, cfg.lanes)
    assert d["resources"] == json.loads(json.dumps(cfg.resources()))
    # the port map is the core's signature
    core = kind.core()(cfg)
    members = core.signature.members
    ports = d["ports"]
    assert (ports["clock"], ports["reset"]) == ("clk", "rst")
    for name, key in (("i", "input"), ("o", "output")):
        e = ports[key]
        layout = members[name].signature.members["payload"].shape
        assert (e["valid"], e["ready"], e["payload"]) == (f"{name}__valid", f"{name}__ready", f"{name}__payload")
        assert e["width"] == layout.size == sum(f["width"] for f in e["fields"].values())
        assert [x["lane"] for x in e["lanes"]] == list(range(cfg.lanes))
        assert list(e["lanes"][0]) == [k for k in kind.lane_keys if k in e["lanes"][0]]
        for lane, names in zip(e["lanes"], cfg.lane_fields):
            for part, field in zip(("re", "im"), names):
                assert lane[part] == field and lane[f"{part}_offset"] == e["fields"][field]["offset"]
                assert lane["width"] == e["fields"][field]["width"]
            assert ("im" in lane) == (len(names) == 2)
    extra = set(ports) - {"clock", "reset", "reset_active_high", "reset_synchronous", "input", "output"}
    assert len(extra) == len(members) - 2
    assert ("direction" in ports) == (getattr(cfg, "direction", None) == "runtime")
    assert ("weights" in ports) == (getattr(cfg, "weights", None) == "runtime")
    if "weights" in ports:
        assert ports["weights"]["payload"] == "w__payload"
        assert ports["weights"]["width"] == members["w"].signature.members["payload"].shape.size
    if isinstance(cfg, FilterConfig):
        assert sum(d["latency_parts"].values()) == d["latency_cycles"]


def _verilog_ports(text, module):
    """``{name: width}`` of the ports of ``module`` in Amaranth's Verilog."""
    body = text[text.index(f"module {module}("):]
    body = body[:body.index("endmodule")]
    out = {}
    for m in re.finditer(r"^\s*(input|output)\s+(?:wire\s+|reg\s+)?(?:\[(\d+):0\]\s+)?(\w+);", body, re.M):
        out[m.group(3)] = int(m.group(2)) + 1 if m.group(2) else 1
    return out


@pytest.mark.parametrize("cfg", [FFTConfig(n=8, width=6, direction="runtime", lanes=2, name="d_fft"),
                                 FilterConfig(n=8, width=6, weights="runtime", name="d_filt")], ids=_id)
def test_descriptor_ports_are_the_verilog_ports(cfg):
    """Every port the descriptor names is a port of the written Verilog
    module, with the width it gives; no Verilog port is left out."""
    from amaranth.back import verilog
    core = kinds.kind_of(cfg).core()(cfg)
    vports = _verilog_ports(verilog.convert(core, name=cfg.name, emit_src=False), cfg.name)
    d = descriptor(cfg, core)
    named = {d["ports"]["clock"]: 1, d["ports"]["reset"]: 1}
    for key, e in d["ports"].items():
        if isinstance(e, dict) and "payload" in e:
            named.update({e["valid"]: 1, e["ready"]: 1, e["payload"]: e["width"]})
        elif isinstance(e, dict):
            named[e["name"]] = e["width"]
    assert named == vports


class _Odd(wiring.Component):
    """An FFT core's streams and one port more."""
    def __init__(self, cfg):
        from fftforge.hdl.fft import input_layout, output_layout
        super().__init__({"i": In(stream.Signature(input_layout(cfg))), "o": Out(stream.Signature(output_layout(cfg))),
                          "spare": In(1)})


def test_every_member_needs_an_entry():
    """A member of the core's signature that the kind does not describe is
    an error, not a silently missing port."""
    cfg = FFTConfig(n=16)
    with pytest.raises(ValueError, match="member 'spare' of _Odd has no descriptor entry"):
        descriptor(cfg, _Odd(cfg))


def test_a_hook_writes_only_its_own_keys(monkeypatch):
    fft = kinds.get("fft")
    hook = fft.descriptor_hook()
    cfg = FFTConfig(n=16)

    def clashing(c):
        k = hook(c)
        return KindKeys({**k.keys, "latency_cycles": 0}, k.ports)
    monkeypatch.setattr(kinds.CoreKind, "descriptor_hook", lambda self: clashing)
    with pytest.raises(ValueError, match="common key"):
        descriptor(cfg)
    monkeypatch.undo()
    monkeypatch.setitem(kinds.KINDS, "fft", dataclasses.replace(fft, descriptor_keys=fft.descriptor_keys[:-1]))
    with pytest.raises(ValueError, match="descriptor_keys"):
        descriptor(cfg)
