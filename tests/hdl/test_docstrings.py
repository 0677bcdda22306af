"""Every Component of fftforge.hdl documents itself in its class docstring,
numpydoc style (as amaranth/lib/fifo.py): an ``Attributes`` entry for each
port of its signature (declared In/Out the way the signature flows), its
latency and its bit growth.

The ports are read from real instances: the Components that the FFT, filter,
FFTNet and overlap-save cores instantiate while they elaborate, over configs
that switch every optional port on (runtime direction and weights, real
pairs, FFTNet biases, lanes, ECP5 primitives, block floating point, bfp FFTNet); the test also fails when a
Component class of fftforge.hdl is never instantiated there, so a new one
cannot go unchecked."""

import importlib
import inspect
import pkgutil
import re

import pytest
from amaranth.hdl import Fragment, Shape
from amaranth.lib import wiring

import fftforge.hdl
from fftforge.config import FFTConfig
from fftforge.filter_config import FFTNetConfig, FilterConfig


def _hdl_components():
    out = {}
    for info in pkgutil.iter_modules(fftforge.hdl.__path__):
        mod = importlib.import_module(f"fftforge.hdl.{info.name}")
        for obj in vars(mod).values():
            if (isinstance(obj, type) and issubclass(obj, wiring.Component)
                    and obj.__module__ == mod.__name__):
                out[obj.__qualname__] = obj
    return out


COMPONENTS = _hdl_components()


@pytest.fixture(scope="module")
def ports():
    """``{class name: {port name: (flow, width or None for an interface)}}``
    from every instance the cores make."""
    from fftforge.hdl.fft import FFTCore
    from fftforge.hdl.fftnet import FFTNetCore
    from fftforge.hdl.filter import FilterCore, OverlapSaveFilter
    seen = {}
    orig = wiring.Component.__init__

    def record(self, *a, **kw):
        orig(self, *a, **kw)
        if type(self).__module__.startswith("fftforge.hdl."):
            d = seen.setdefault(type(self).__qualname__, {})
            for name, member in self.signature.members.items():
                d[name] = (member.flow, None if member.is_signature else Shape.cast(member.shape).width)
    wiring.Component.__init__ = record
    try:
        tops = [
            FFTCore(FFTConfig(n=16)),
            FFTCore(FFTConfig(n=16, lanes=4, arch="r2sdf", direction="runtime", order="bit_reversed")),
            FFTCore(FFTConfig(n=64, lanes=2, target="ecp5", cmul=3)),
            FFTCore(FFTConfig(n=16, scaling="bfp", direction="runtime", target="ecp5")),
            FFTCore(FFTConfig(n=16, runtime_n=8, target="ecp5")),
            FFTCore(FFTConfig(n=64, width=15, twiddle_width=16, cycles_per_sample=2, target="ice40")),
            FilterCore(FilterConfig(n=16, lanes=2, weights="runtime")),
            FilterCore(FilterConfig(n=16, real_pairs=True)),
            FilterCore(FilterConfig(n=16, scaling="bfp", weights="runtime", target="ecp5")),
            OverlapSaveFilter(FilterConfig(n=16, taps=5, mode="overlap_save")),
            FFTNetCore(FFTNetConfig(n=16, lanes=2, weights="runtime")),
            FFTNetCore(FFTNetConfig(n=16, real_pairs=True)),
            FFTNetCore(FFTNetConfig(n=16, scaling="bfp", weights="runtime", target="ecp5")),
        ]
        for top in tops:
            Fragment.get(top, None)
    finally:
        wiring.Component.__init__ = orig
    return seen


def _entries(doc: str) -> dict:
    """``{name: type text}`` of the entries of the docstring's Attributes
    section (``name : type`` or ``a, b : type`` at the section's indent)."""
    doc = inspect.cleandoc(doc)
    m = re.search(r"^Attributes\n-{10,}\n", doc, re.M)
    if not m:
        return {}
    out = {}
    for line in doc[m.end():].splitlines():
        if re.match(r"^(Parameters|Raises|Notes|Examples)$", line):
            break
        e = re.match(r"^([A-Za-z_]\w*(?:, [A-Za-z_]\w*)*) :(.*)$", line)
        if e:
            for name in e.group(1).split(", "):
                out[name] = e.group(2).strip()
    return out


def test_every_component_is_instantiated_by_some_core(ports):
    assert set(COMPONENTS) <= set(ports), f"never instantiated: {sorted(set(COMPONENTS) - set(ports))}"


@pytest.mark.parametrize("name", sorted(COMPONENTS))
def test_class_docstring_names_every_port_latency_and_growth(name, ports):
    cls = COMPONENTS[name]
    doc = vars(cls).get("__doc__")
    assert doc, f"{name} has no class docstring of its own"
    assert re.search(r"^\s*Parameters\n\s*-{10,}$", doc, re.M) or not _init_params(cls), \
        f"{name}: no numpydoc Parameters section"
    entries = _entries(doc)
    missing = sorted(set(ports[name]) - set(entries))
    assert not missing, f"{name}: ports missing from the Attributes section: {missing}"
    for port, (flow, _) in ports[name].items():
        want = "In(" if flow == wiring.In else "Out("
        assert entries[port].startswith(want), f"{name}.{port}: documented as {entries[port]!r}, is {want}...)"
    assert re.search(r"[Ll]atency|[Cc]ombinational", doc), f"{name}: latency not stated"
    control_only = all(width == 1 for _, width in ports[name].values())
    assert re.search(r"growth", doc, re.I) or control_only, f"{name}: bit growth not stated"


def _init_params(cls):
    return [p for p in inspect.signature(cls.__init__).parameters if p != "self"]

