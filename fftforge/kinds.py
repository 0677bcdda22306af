"""The table of core kinds: what ``fft``, ``filter`` and ``fftnet`` are made of.

Every core that ``fftforge generate`` writes has a *kind*, the ``kind`` key of
its descriptor.  :data:`KINDS` is the one place that maps a kind to the code
that serves it -- its configuration class, RTL builder, descriptor keys, bit-true
model, simulation checker, formal property sets, ``generate`` parser, demo
part and FPGA-flow support.  The descriptor loader
(:func:`fftforge.hdl.export.load_core`), ``fftforge model``/``vectors``/``sim``,
the FPGA flow and ``fftforge prove`` all look kinds up here; adding a core
kind means adding one :class:`CoreKind` entry.

The table is built when this module is imported, with nothing registered as
a side effect of importing anything else.  Configuration classes are held
directly (they are light to import); the HDL, models, checkers and CLI
functions are named by ``"module:attribute"`` strings and imported on first
use by the :class:`CoreKind` accessor methods, so that importing this module
pulls in neither Amaranth nor the simulator (and no import cycles arise).

Examples
--------
>>> from fftforge import kinds
>>> kinds.get("fftnet").config.__name__
'FFTNetConfig'
>>> sorted(kinds.KINDS)
['fft', 'fftnet', 'filter']
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Callable, Optional

from fftforge.config import FFTConfig
from fftforge.errors import UserError
from fftforge.filter_config import FFTNetConfig, FilterConfig

__all__ = ["CoreKind", "KINDS", "COMMON_DESCRIPTOR_KEYS", "DESCRIPTOR_WRITER", "UNNAMED_KIND", "get", "kind_of",
           "config_from_descriptor", "model_for", "resolve"]


def resolve(ref: str):
    """The object a ``"package.module:attribute"`` reference names (the module
    is imported; an import error propagates: table references never go
    missing silently)."""
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


#: the kind of descriptors and synthesis reports that carry no ``kind`` key
#: (written before there were other kinds)
UNNAMED_KIND = "fft"

#: top-level descriptor keys every core kind writes (the common contract;
#: :attr:`CoreKind.descriptor_extras` lists what a kind adds); the writer
#: (:func:`fftforge.hdl.descriptor.descriptor`) reads their values from the
#: configuration (:class:`fftforge.config.CoreConfig`) and the core's signature,
#: except ``scale_relation`` and ``frames``, which each kind's hook words
COMMON_DESCRIPTOR_KEYS = (
    "kind", "name", "n", "input_width", "output_width", "twiddle_width", "widths", "rounding",
    "scale_relation", "scale_log2", "latency_cycles", "frame_cycles", "samples_per_cycle", "lanes",
    "drain_after", "frames", "ports", "resources", "files", "target", "config",
)


@dataclasses.dataclass(frozen=True)
class CoreKind:
    """One core kind: the descriptor ``kind`` name and the code that serves it.

    References (``*_ref`` fields) are ``"module:attribute"`` strings, imported
    on first use by the accessor methods of the same name without ``_ref``.

    Parameters
    ----------
    name : str
        The descriptor's ``kind`` and the ``fftforge generate`` subcommand.
    config : type
        Configuration class (a frozen dataclass with ``to_dict``/``from_dict``);
        a configuration belongs to this kind when its type is exactly this class.
    description : str
        One line: what the core computes.
    core_ref : str
        The Amaranth component class that elaborates the core.
    generate_ref : str
        RTL builder ``generate(cfg, outdir) -> {"verilog", "json", "seconds"}``:
        elaborates the core and writes ``<name>.v`` and its descriptor.
    descriptor_hook_ref : str
        ``hook(cfg) -> fftforge.hdl.descriptor.KindKeys``: what this kind
        adds to the one descriptor writer's output (its own keys, its
        ``scale_relation`` and ``frames`` text, the meaning of its ports
        other than the sample streams).
    descriptor_keys : tuple of str
        Every top-level key of this kind's descriptor, in the order it is
        written (:data:`COMMON_DESCRIPTOR_KEYS` and
        :attr:`descriptor_extras`; the order is part of the JSON contract).
    lane_keys : tuple of str
        The keys of a lane entry of its sample streams
        (``ports.input.lanes[l]``), in the order they are written.
    model_ref : str
        Bit-true model factory: ``model(cfg)`` is a callable
        ``(re, im, inverse=None) -> (re, im, overflow)`` on frames.
    checker_ref : str
        Simulation check ``check(descriptor_path, frames=, kind=, seed=,
        p_valid=, p_ready=, stalls=, build_dir=) -> CheckReport``
        (``fftforge sim``).
    cli_ref : str
        ``add(gsub, kind)``: adds the ``fftforge generate <name>`` parser
        (``kind`` is this entry: its ``name`` and ``description`` name the
        subcommand and give its help line).
    demo_ref : str or None
        ``demo(outdir) -> bool``: this kind's part of ``fftforge demo`` after
        the FFT quick start, or None.
    formal_ref : str or None
        ``sets(CoreHarness) -> list[PropertySet]``: the whole-core property
        sets of ``fftforge prove`` for this kind (kinds may share one
        function; it then runs once, at the first kind naming it), or None.
    fpga_from_config : bool
        The FPGA flow may generate this kind from its configuration alone
        (with :attr:`generate_ref`): ``fftforge synth --sweep`` and
        regenerating a missing Verilog file.  Every kind builds from its
        descriptor, and the board harness self-check serves every kind with a
        model (:func:`fftforge.fpga.harness.expected_checksum`).
    fpga_calibrates : bool
        Synthesis results of this kind are rows of the cost model's FPGA
        calibration (``fftforge synth --calibrate``; the fit is over
        :func:`fftforge.costmodel.fpga.lut_features` of an FFT configuration).
    """

    name: str
    config: type
    description: str
    core_ref: str
    generate_ref: str
    descriptor_hook_ref: str
    descriptor_keys: tuple
    lane_keys: tuple
    model_ref: str
    checker_ref: str
    cli_ref: str
    demo_ref: Optional[str] = None
    formal_ref: Optional[str] = None
    fpga_from_config: bool = False
    fpga_calibrates: bool = False
    optional_descriptor_keys: tuple = ()

    @property
    def key_order(self) -> Callable:
        """``key_order(keys) -> list``: the order of a descriptor with the
        top-level ``keys``: :attr:`descriptor_keys`, each optional key
        (:attr:`optional_descriptor_keys`, ``(key, after)`` pairs: written
        only by some configurations, e.g. ``latency_by_n`` of run-time-length
        FFT cores) right after the key it follows."""
        def order(keys):
            out = list(self.descriptor_keys)
            for key, after in self.optional_descriptor_keys:
                if key in keys:
                    out.insert(out.index(after) + 1, key)
            return out
        return order

    def core(self) -> type:
        """The Amaranth component class of the core."""
        return resolve(self.core_ref)

    def generate(self) -> Callable:
        """The RTL builder ``generate(cfg, outdir)``."""
        return resolve(self.generate_ref)

    @property
    def descriptor_extras(self) -> tuple:
        """Top-level descriptor keys this kind writes beyond
        :data:`COMMON_DESCRIPTOR_KEYS`, in :attr:`descriptor_keys` order."""
        return tuple(k for k in self.descriptor_keys if k not in COMMON_DESCRIPTOR_KEYS)

    def descriptor(self) -> Callable:
        """The descriptor function ``descriptor(cfg, top=None) -> dict`` (no
        elaboration): the one writer, :func:`fftforge.hdl.descriptor.descriptor`."""
        return resolve(DESCRIPTOR_WRITER)

    def descriptor_hook(self) -> Callable:
        """``hook(cfg) -> KindKeys``, this kind's part of its descriptor."""
        return resolve(self.descriptor_hook_ref)

    def model(self) -> Callable:
        """The bit-true model factory ``model(cfg)``."""
        return resolve(self.model_ref)

    def checker(self) -> Callable:
        """The simulation check ``check(descriptor_path, **kw)``."""
        return resolve(self.checker_ref)

    def cli(self) -> Callable:
        """``add(gsub, kind)``, which adds ``fftforge generate <name>``."""
        return resolve(self.cli_ref)

    def demo(self) -> Optional[Callable]:
        """``demo(outdir) -> bool``, or None."""
        return resolve(self.demo_ref) if self.demo_ref else None

    def formal(self) -> Optional[Callable]:
        """``sets(CoreHarness) -> list[PropertySet]``, or None."""
        return resolve(self.formal_ref) if self.formal_ref else None


#: the one descriptor writer, for every kind
DESCRIPTOR_WRITER = "fftforge.hdl.descriptor:descriptor"

_FFT_KEYS = ("kind", "name", "n", "direction", "arch", "input_width", "output_width", "twiddle_width", "widths",
             "scaling", "schedule", "scale_log2", "scale_relation", "rounding", "overflow", "output_order", "cmul",
             "cycles_per_sample", "lanes", "samples_per_cycle", "latency_cycles", "frame_cycles", "drain_after", "frames", "ports",
             "resources", "files", "target", "config")
_FILTER_KEYS = ("kind", "name", "n", "channels", "weights", "mode", "taps", "hop", "input_width", "output_width",
                "coef_width", "twiddle_width", "real_output", "real_pairs", "channel_of_frame", "widths", "rounding",
                "scale_relation", "scale_log2", "latency_cycles", "latency_parts", "frame_cycles",
                "samples_per_cycle", "lanes", "drain_after", "frames", "input_samples_per_cycle", "ports", "fft",
                "resources", "files", "target", "config")
_FFT_LANE_KEYS = ("lane", "re", "im", "re_offset", "im_offset", "width")
_FILTER_LANE_KEYS = ("lane", "re", "re_offset", "width", "im", "im_offset")

#: ``{name: CoreKind}``, in the order ``generate`` lists them
KINDS = {k.name: k for k in (
    CoreKind(
        name="fft", config=FFTConfig,
        description="streaming FFT/iFFT core",
        core_ref="fftforge.hdl.fft:FFTCore",
        generate_ref="fftforge.hdl.export:generate",
        descriptor_hook_ref="fftforge.hdl.descriptor:fft_keys",
        descriptor_keys=_FFT_KEYS, lane_keys=_FFT_LANE_KEYS,
        model_ref="fftforge.pyref.fft:FFTModel",
        checker_ref="fftforge.sim.check:check_fft_core",
        cli_ref="fftforge.cli.generate:add_generate_fft",
        formal_ref="fftforge.formal.registry:fft_sets",
        fpga_from_config=True,
        fpga_calibrates=True,
        optional_descriptor_keys=(("latency_by_n", "latency_cycles"), ("scale_log2_by_n", "scale_log2")),
    ),
    CoreKind(
        name="filter", config=FilterConfig,
        description="spectral filter: FFT -> per-bin weight -> iFFT",
        core_ref="fftforge.hdl.filter:FilterCore",
        generate_ref="fftforge.hdl.filter:generate",
        descriptor_hook_ref="fftforge.hdl.descriptor:filter_keys",
        descriptor_keys=_FILTER_KEYS, lane_keys=_FILTER_LANE_KEYS,
        model_ref="fftforge.pyref.filter:FilterModel",
        checker_ref="fftforge.sim.check_filter:check_filter_core",
        cli_ref="fftforge.cli.generate_filter:add_generate_filter",
        formal_ref="fftforge.formal.registry:filter_sets",
        optional_descriptor_keys=(("scaling", "scale_log2"),),
    ),
    CoreKind(
        name="fftnet", config=FFTNetConfig,
        description="FFTNet token-mixing layer: FFT -> weight -> modReLU -> iFFT -> Re",
        core_ref="fftforge.hdl.fftnet:FFTNetCore",
        generate_ref="fftforge.hdl.filter:generate",
        descriptor_hook_ref="fftforge.hdl.descriptor:filter_keys",
        descriptor_keys=_FILTER_KEYS, lane_keys=_FILTER_LANE_KEYS,
        model_ref="fftforge.pyref.fftnet:FFTNetModel",
        checker_ref="fftforge.sim.check_filter:check_filter_core",
        cli_ref="fftforge.cli.generate_filter:add_generate_fftnet",
        demo_ref="fftforge.cli.demo:fftnet_demo",
        formal_ref="fftforge.formal.registry:filter_sets",
        optional_descriptor_keys=(("scaling", "scale_log2"),),
    ),
)}


def get(name) -> CoreKind:
    """The kind called ``name``.

    Raises
    ------
    UserError
        One line naming the known kinds, for an unknown ``name``.
    """
    if not isinstance(name, str) or name not in KINDS:
        raise UserError(f"unknown core kind {name!r}; known: {', '.join(sorted(KINDS))}")
    return KINDS[name]


def kind_of(cfg, default=dataclasses.MISSING) -> CoreKind:
    """The kind whose configuration class is exactly ``type(cfg)``; for
    another object ``default`` if given, else :class:`UserError` (one line)."""
    for k in KINDS.values():
        if type(cfg) is k.config:
            return k
    if default is not dataclasses.MISSING:
        return default
    raise UserError(f"{type(cfg).__name__} is not the configuration of a core kind "
                    f"(known: {', '.join(sorted(KINDS))})")


def config_from_descriptor(desc: dict):
    """The configuration a descriptor's ``config`` holds, built by the class
    of its ``kind`` (:class:`UserError` for an unknown kind; a bad
    ``config`` raises the class's own error)."""
    return get(desc.get("kind")).config.from_dict(desc["config"])


def model_for(cfg):
    """The bit-true model object of a configuration (:class:`UserError`,
    one line, for an object that is no kind's configuration)."""
    k = kind_of(cfg, None)
    if k is None:
        raise UserError(f"no bit-true model registered for {type(cfg).__name__}")
    return k.model()(cfg)
