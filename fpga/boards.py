"""Bitstreams for real boards: a core inside a self-checking board top.

:class:`BoardTop` puts the generated Verilog core in a
:class:`~fftforge.fpga.harness.StimulusHarness` (LFSR stimulus with
valid/ready stalls, running checksum of every output word, self-check of the
first frames against the bit-true model's checksum) and shows the result on
the board's LEDs:

* boards with ``led_g``/``led_r`` (iCEBreaker): green blinks while the
  check runs and stays on when it passed; red lights on a mismatch or an
  overflow flag.
* boards with a row of ``led`` (ULX3S: 8): led0 alive (blinks), led1 pass,
  led2 fail, led3 overflow seen, led4..7 the low bits of the latched checksum.

:func:`build_board` runs Amaranth's platform flow with the open tools
(:mod:`~fftforge.fpga.toolchain`), writes the bitstream and a JSON report
(resources and Fmax from nextpnr, the clock of the board, the expected
checksum, the LED legend, how to program the board).
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import time
from dataclasses import asdict, dataclass, field

from amaranth.build import ResourceError
from amaranth.hdl import Elaboratable, Module
from amaranth.lib import io

from fftforge.errors import UserError
from fftforge.pyref.lanes import frame_transfers
from fftforge.fpga.core import CoreSource
from fftforge.fpga.harness import StimulusHarness, expected_checksum, verilog_core
from fftforge.fpga.synth import DEVICES, architectural_overflow, parse_nextpnr_log, parse_nextpnr_report
from fftforge.fpga.toolchain import tool_env

__all__ = ["BOARDS", "IO_MODES", "PROFILES", "board_profile", "check_fits", "resolve_board", "list_boards", "BoardTop", "BoardReport",
           "build_board", "platform_family", "uart_run_info"]

#: what a board top does with the core: ``selfcheck`` (LFSR stimulus, checksum,
#: LEDs; :class:`BoardTop`) or ``uart`` (frames from and to a host over the
#: board's USB-UART; :class:`fftforge.fpga.uart_top.BoardUartTop`)
IO_MODES = ("selfcheck", "uart")

#: short names -> "module:Class" in amaranth_boards
BOARDS = {
    "icebreaker": "amaranth_boards.icebreaker:ICEBreakerPlatform",
    "ulx3s-12f": "amaranth_boards.ulx3s:ULX3S_12F_Platform",
    "ulx3s-25f": "amaranth_boards.ulx3s:ULX3S_25F_Platform",
    "ulx3s-45f": "amaranth_boards.ulx3s:ULX3S_45F_Platform",
    "ulx3s-85f": "amaranth_boards.ulx3s:ULX3S_85F_Platform",
}

#: the core options ``fftforge build`` uses on a part when the user gives
#: none of them (:func:`board_profile`): per device, ``(largest N, options)``
#: in increasing N, each measured to fit with the UART top (BENCHMARKS.md
#: "iCE40 UP5K", "On a board"); beyond the last N no profile applies
PROFILE_OPTIONS = ("width", "twiddle_width", "cycles_per_sample", "rounding")
PROFILES = {
    "iCE40UP5K": (
        (16, {}),                                                   # the defaults (16/18 bits, full rate)
        (256, {"width": 15, "twiddle_width": 16, "cycles_per_sample": 2}),
        (1024, {"width": 15, "twiddle_width": 16, "cycles_per_sample": 3, "rounding": "truncate"}),
    ),
}


def board_profile(board: str, n: int) -> dict:
    """The core options (a subset of :data:`PROFILE_OPTIONS`) that make an
    ``n``-point FFT fit ``board``'s part with the UART top, as measured; ``{}``
    when the defaults do, or for a part or N without a profile."""
    device = resolve_board(board).device
    for n_max, opts in PROFILES.get(device, ()):
        if n <= n_max:
            return dict(opts)
    return {}


#: how to load a bitstream onto a board of each family
PROGRAM_HINT = {
    "ice40": "iceprog {bitstream}            # or: openFPGALoader -b {ofl_board} {bitstream}",
    "ecp5": "openFPGALoader -b {ofl_board} {bitstream}   # SRAM; add -f to write the flash",
}
OFL_BOARD = {"ICEBreakerPlatform": "ice40_generic", "ULX3S_12F_Platform": "ulx3s",
             "ULX3S_25F_Platform": "ulx3s", "ULX3S_45F_Platform": "ulx3s", "ULX3S_85F_Platform": "ulx3s"}


def _platform_classes():
    import amaranth_boards
    from amaranth.build import Platform
    found = {}
    for info in pkgutil.iter_modules(amaranth_boards.__path__):
        if info.name.startswith(("_", "test")) or info.name == "resources":
            continue
        try:
            mod = importlib.import_module(f"amaranth_boards.{info.name}")
        except ImportError:  # a board module with a missing optional dependency
            continue
        for name, obj in vars(mod).items():
            if (isinstance(obj, type) and issubclass(obj, Platform) and name.endswith("Platform")
                    and obj.__module__ == mod.__name__ and not name.startswith("_")):
                found[f"{info.name}.{name}"] = obj
    return found


def list_boards() -> list:
    """Short names, then ``module.Class`` of every amaranth-boards platform
    the open flow can build (iCE40 and ECP5 parts)."""
    ok = []
    for q, cls in sorted(_platform_classes().items()):
        try:
            platform_family(cls)
        except UserError:
            continue
        ok.append(q)
    return sorted(BOARDS) + ok


def resolve_board(name: str):
    """Platform class for a short name (:data:`BOARDS`), an amaranth-boards
    class name (``ICEBreakerPlatform``, ``ulx3s.ULX3S_85F_Platform``) or a
    module with a single platform (``icebreaker``).

    Raises UserError naming the known short names for an unknown board."""
    key = name.strip()
    if key.lower() in BOARDS:
        mod, cls = BOARDS[key.lower()].split(":")
        return getattr(importlib.import_module(mod), cls)
    classes = _platform_classes()
    low = key.lower().removesuffix("platform").replace("-", "_")
    hits = [c for q, c in classes.items()
            if low in (q.lower(), q.split(".")[1].lower(), q.split(".")[1].lower().removesuffix("platform"),
                       q.lower().removesuffix("platform"))]
    if not hits:
        per_mod = {}
        for q, c in classes.items():
            per_mod.setdefault(q.split(".")[0], []).append(c)
        hits = per_mod.get(low, []) if len(per_mod.get(low, [])) == 1 else []
    if len(hits) == 1:
        return hits[0]
    raise UserError(f"unknown board {name!r}: use {', '.join(sorted(BOARDS))} or an amaranth-boards "
                    f"platform name (see 'fftforge build --list-boards')")


def platform_family(cls) -> str:
    """``"ice40"`` or ``"ecp5"`` for the platforms the open flow supports."""
    from amaranth.vendor import LatticeICE40Platform, LatticePlatform
    if issubclass(cls, LatticeICE40Platform):
        return "ice40"
    if issubclass(cls, LatticePlatform) and str(getattr(cls, "device", "")).upper().startswith("LFE5"):
        return "ecp5"
    raise UserError(f"board {cls.__name__} ({getattr(cls, 'device', '?')}) is not an iCE40 or ECP5 part: "
                    f"the open flow builds iCE40 (IceStorm) and ECP5 (Trellis) boards")


class BoardTop(Elaboratable):
    """Board top: harness + core + LEDs (see module docstring).

    Parameters
    ----------
    core : CoreSource
    expected : int or None
        Expected checksum of ``check_frames`` frames (None: no self-check).
    check_frames : int
    """

    def __init__(self, core: CoreSource, expected: int | None, check_frames: int = 4):
        self.core = core
        self.expected = expected
        self.check_frames = check_frames
        self.legend = {}

    def elaborate(self, platform):
        m = Module()
        h = StimulusHarness(verilog_core(self.core.desc), frame_transfers(self.core.config), self.check_frames,
                            self.expected, stalls=True, alive_bit=23)
        m.submodules.harness = h
        names = {r[0] for r in platform.resources}

        def led(name, i):
            port = platform.request(name, i, dir="-")
            buf = io.Buffer("o", port)
            m.submodules[f"{name}_{i}"] = buf
            return buf.o
        if {"led_g", "led_r"} <= names:
            g, r = led("led_g", 0), led("led_r", 0)
            m.d.comb += [g.eq(h.pass_ | (~h.done & h.alive)), r.eq(h.fail | h.overflow)]
            self.legend = {"led_g": "blinks while checking, steady on = checksum matched the model",
                           "led_r": "on = checksum mismatch or an overflow flag"}
        else:
            leds = []
            for i in range(8):
                try:
                    leds.append(led("led", i))
                except ResourceError:
                    break
            if not leds:
                raise UserError(f"board {type(platform).__name__} has no 'led' or 'led_g'/'led_r' "
                                f"resources to show the self-check on")
            sigs = [("alive (blinks)", h.alive), ("pass", h.pass_), ("fail", h.fail),
                    ("overflow seen", h.overflow)]
            sigs += [(f"checksum bit {k}", h.latched[k]) for k in range(4)]
            for o, (_, s) in zip(leds, sigs):
                m.d.comb += o.eq(s)
            self.legend = {f"led{i}": label for i, (label, _) in zip(range(len(leds)), sigs)}
        platform.add_file(os.path.basename(self.core.verilog), open(self.core.verilog).read())
        return m


@dataclass
class BoardReport:
    """What :func:`build_board` made (``to_dict()`` is the JSON report)."""
    board: str
    platform: str
    family: str
    device: str
    package: str
    core: dict
    bitstream: str
    clock_mhz: float | None = None
    fmax_mhz: float | None = None
    timing_met: bool | None = None
    luts: int | None = None
    ffs: int | None = None
    logic_cells: int | None = None
    dsps: int | None = None
    bram: int | None = None
    utilization: dict = field(default_factory=dict)
    self_check: dict = field(default_factory=dict)
    leds: dict = field(default_factory=dict)
    program: str = ""
    seconds: dict = field(default_factory=dict)
    build_dir: str = ""
    schema: str = "fftforge.build/1"
    io: str = "selfcheck"
    uart: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def _device_key(family, device):
    d = device.lower()
    if family == "ice40":
        for k in DEVICES["ice40"]:
            if d.endswith(k):
                return k
    else:
        for k in DEVICES["ecp5"]:
            if d.lower().startswith("lfe5u-" + k.removesuffix("k")):
                return k
    return None


def check_fits(desc: dict, board: str):
    """Raise UserError when the architectural resources of a core (its
    descriptor's ``resources``) cannot fit the board's part (instant: no
    tool runs).  The message names the resource, the need and the capacity."""
    cls = resolve_board(board)
    family = platform_family(cls)
    dev = _device_key(family, cls.device)
    if dev is None:
        return
    from fftforge.fpga.core import CoreSource
    over = architectural_overflow(CoreSource(None, desc, ""), DEVICES[family][dev])
    if over:
        o = over[0]
        raise UserError(f"core {desc.get('name')} (n={desc.get('n')}, {desc.get('arch')}) does not fit "
                        f"{cls.device} on {board}: {o['resource']}: needs {o['used']}, has {o['available']}")


def uart_run_info(core: CoreSource, board: str, clock_hz: float, baud: int, slots: int, build_dir: str,
                  frame_memory: str = "block") -> dict:
    """What ``fftforge run`` needs from a ``--io uart`` build (written as
    ``run.json`` in the build folder): the board, clock, baud, divisor,
    frame buffers (and ``frame_memory``: ``"spram"`` or ``"block"``,
    :func:`fftforge.fpga.uart_top.frame_memory`), the core's descriptor and its sources copied to
    ``build_dir/core`` (for ``--simulate``).  Raises UserError for a core
    the UART top cannot stream (see :func:`fftforge.fpga.uart_top.check_streamable`)."""
    import shutil

    from fftforge.fpga import protocol
    from fftforge.fpga.uart_top import check_streamable, uart_divisor
    check_streamable(core.config, core.desc)
    div, err = uart_divisor(clock_hz, baud)
    cdir = os.path.join(build_dir, "core")
    os.makedirs(cdir, exist_ok=True)
    files = [os.path.basename(core.verilog)]
    shutil.copyfile(core.verilog, os.path.join(cdir, files[0]))
    for mdl in core.desc.get("files", {}).get("sim_models", []):
        shutil.copyfile(os.path.join(os.path.dirname(core.verilog), mdl), os.path.join(cdir, mdl))
    with open(os.path.join(cdir, f"{core.name}.json"), "w") as f:
        json.dump(core.desc, f, indent=1)
    from fftforge.pyref.lanes import frame_transfers
    return {"schema": "fftforge.run/1", "protocol": protocol.VERSION, "board": board, "clock_hz": clock_hz,
            "baud": baud, "divisor": div, "baud_error": round(err, 6), "slots": slots,
            "frame_memory": frame_memory, "frame_words": frame_transfers(core.config), "in_width": core.desc["ports"]["input"]["width"],
            "out_width": core.desc["ports"]["output"]["width"], "descriptor": f"core/{core.name}.json",
            "verilog": f"core/{files[0]}"}


def build_board(core: CoreSource, board: str, build_dir: str, check_frames: int = 4,
                seed: int = 1, env: dict | None = None, timeout: float | None = None, io: str = "selfcheck",
                baud: int | None = None, slots: int | None = None) -> BoardReport:
    """Build a bitstream of ``core`` for ``board``: in the self-checking top
    (``io="selfcheck"``) or in the UART streaming top (``io="uart"``, at
    ``baud`` with ``slots`` input frame buffers; writes ``run.json`` for
    ``fftforge run``).

    Raises
    ------
    UserError
        Unknown board, a board outside iCE40/ECP5, a core that does not fit
        the part (the message names the overflowing resource), a missing tool
        or a failed build (the message names the log).
    """
    cls = resolve_board(board)
    family = platform_family(cls)
    if io not in IO_MODES:
        raise UserError(f"--io must be one of {', '.join(IO_MODES)}, got {io!r}")
    tenv = tool_env(family, "build", env=env)
    plat = cls()
    check_fits(core.desc, board)
    t0 = time.perf_counter()
    run_info = None
    if io == "uart":
        from fftforge.fpga import protocol
        from fftforge.fpga.uart_top import BoardUartTop
        baud = protocol.DEFAULT_BAUD if baud is None else baud
        slots = protocol.DEFAULT_SLOTS if slots is None else slots
        from fftforge.fpga.uart_top import frame_memory
        from fftforge.pyref.lanes import frame_transfers
        fmem = frame_memory(cls.device, core.desc["ports"]["input"]["width"], frame_transfers(core.config), slots)
        run_info = uart_run_info(core, board, plat.default_clk_frequency, baud, slots, build_dir, fmem)
        expected, note = None, "no self-check: the UART top streams frames from the host (fftforge run)"
        top = BoardUartTop(core, baud, slots, spram=fmem == "spram")
    else:
        # every bitstream carries its self-check: a core without a bit-true model
        # stops the build here with one line (UserError), before any tool runs
        expected, note = expected_checksum(core.config, core.desc, check_frames), ""
        top = BoardTop(core, expected, check_frames)
    opts = {"nextpnr_opts": f"--report top.report.json --timing-allow-fail --seed {seed}"}
    if family == "ice40":
        opts["synth_opts"] = "-dsp"
    plan = plat.prepare(top, name="top", **opts)
    t_prep = time.perf_counter() - t0
    os.makedirs(build_dir, exist_ok=True)
    t1 = time.perf_counter()
    try:
        plan.execute_local(build_dir, env=tenv)
        failed = None
    except (subprocess.CalledProcessError, OSError) as e:  # the build script failed or could not run
        failed = e
    t_build = time.perf_counter() - t1
    log = ""
    for name in ("top.tim",):
        try:
            with open(os.path.join(build_dir, name)) as f:
                log += f.read()
        except OSError:
            pass
    parsed_log = parse_nextpnr_log(log)
    if failed is not None:
        if parsed_log["overflow"]:
            o = parsed_log["overflow"][0]
            raise UserError(f"core {core.name} does not fit {plat.device} on {board}: {o['resource']}: "
                            f"needs {o['used']}, has {o['available']} (log: {os.path.join(build_dir, 'top.tim')})")
        last = [ln for ln in log.splitlines() if "ERROR" in ln]
        raise UserError(f"build for {board} failed: {last[-1].strip() if last else failed} "
                        f"(logs in {os.path.abspath(build_dir)})")
    ext = "bin" if family == "ice40" else "bit"
    bit = os.path.abspath(os.path.join(build_dir, f"top.{ext}"))
    if not os.path.exists(bit):
        raise UserError(f"build for {board} produced no bitstream (logs in {os.path.abspath(build_dir)})")
    try:
        with open(os.path.join(build_dir, "top.report.json")) as f:
            parsed = parse_nextpnr_report(json.load(f), family)
    except (OSError, ValueError):
        parsed = {"utilization": {}, "fmax_mhz": parsed_log["fmax_mhz"]}
    clk = getattr(plat, "default_clk_frequency", None)
    clock_mhz = clk / 1e6 if clk else None
    fmax = parsed.get("fmax_mhz") or parsed_log["fmax_mhz"]
    rep = BoardReport(
        board=board, platform=f"{cls.__module__}.{cls.__name__}", family=family, device=plat.device,
        package=plat.package, core=core.summary(), bitstream=bit, clock_mhz=clock_mhz,
        fmax_mhz=round(fmax, 2) if fmax else None,
        timing_met=(fmax >= clock_mhz) if (fmax and clock_mhz) else None,
        luts=parsed.get("luts"), ffs=parsed.get("ffs"), logic_cells=parsed.get("logic_cells"),
        dsps=parsed.get("dsps"), bram=parsed.get("bram"), utilization=parsed.get("utilization", {}),
        self_check={} if io == "uart" else {
                    "frames": check_frames, "expected_checksum": (f"0x{expected:08x}" if expected is not None
                                                                  else None),
                    "stimulus": "64-bit Galois LFSR x^64+x^63+x^61+x^60+1, seed 0x0123456789abcdef"
                    + ("" if core.desc["ports"]["input"]["width"] <= 64 else
                       "; payload bits 64j..64j+63 from LFSR j, seed fftforge.fpga.harness.lfsr_seed(j)"),
                    "note": note},
        leds=top.legend,
        program=PROGRAM_HINT[family].format(bitstream=bit, ofl_board=OFL_BOARD.get(cls.__name__, "<board>")),
        seconds={"prepare": round(t_prep, 2), "build": round(t_build, 2)},
        build_dir=os.path.abspath(build_dir), io=io)
    if run_info is not None:
        run_info["bitstream"] = os.path.basename(bit)
        rep.uart = run_info
        with open(os.path.join(build_dir, "run.json"), "w") as f:
            json.dump(run_info, f, indent=1)
            f.write("\n")
    with open(os.path.join(build_dir, "report.json"), "w") as f:
        json.dump(rep.to_dict(), f, indent=1)
        f.write("\n")
    return rep
