"""Floorplan of an ECP5 out-of-context build: the stream shell's broadcast
registers pinned at the die's centre.

Why
---
A core with many lanes spreads over the whole ECP5-85F: at P = 8 it takes
120 of the part's 156 MULT18X18D, which sit in rows across the die.  The
stream shell's flags (:data:`fftforge.hdl.shell.BROADCAST_REGISTERS`:
``busy``, ``space_q``, ``draining``, ``tail_end``) are read by about a
hundred per-part enable and clear copies each, all over the die.  Few nets
pull on the controller itself, and nextpnr left it at the die's corner
(x ~ 101-111, y ~ 2-9) on every recorded P = 8 seed, so the farthest copy
was the die's whole width and height away: 7.9-8.5 ns of routing in one
cycle, the critical path of every P = 8 row from ddb7642 to 6673eaa
(BENCHMARKS.md, "Timing closure", seventh and eighth rounds).  Pinned at
the centre, no copy is more than half of that away.

What
----
:func:`pin_broadcast` adds a ``BEL`` attribute (nextpnr's placement
constraint) to each broadcast register's flip-flop in Yosys's JSON
netlist, one register per tile (slice A, ``FF0``), every other column from
the device's centre tile along its row: two registers in one tile were
refused by nextpnr ("Bel ... is not valid for cell").  When a LUT4 drives
the flip-flop's D input it is pinned beside it (``K0``, which feeds
``FF0``): nextpnr packs such a flip-flop into one cluster with that LUT,
rooted at the LUT, and a ``BEL`` on the flip-flop alone is refused or not
kept.  A flip-flop fed by anything else (a LUT5's ``PFUMX``) is pinned
alone.  Nothing else is constrained: the placer puts the rest of the
controller around the pinned flags.

When
----
``floorplan="auto"`` (the default of ``fftforge synth``) pins from
:data:`AUTO_MIN_LANES` lanes on, on the devices whose centre tile is
known (:data:`CENTRE_TILE`); ``"centre"`` asks for it on any core,
``"none"`` never.  The report's ``floorplan`` says what was pinned.
"""

from __future__ import annotations

import json

from fftforge.errors import UserError

__all__ = ["CENTRE_TILE", "AUTO_MIN_LANES", "MODES", "resolve", "pin_broadcast", "write_pinned"]

#: ``device -> (x, y)`` of the first tile the broadcast registers take: the
#: die's centre, a logic tile whose slices nextpnr-ecp5 0.11 accepted as
#: ``BEL`` constraints (85k: 126 x 95 tiles).  Devices not listed have no
#: floorplan.
CENTRE_TILE = {"85k": (63, 47)}

#: ``"auto"`` pins the broadcast registers of cores with at least this many
#: lanes: the cores that span the die (P = 8: 120 of 156 MULT18X18D).
AUTO_MIN_LANES = 8

#: The values of ``--floorplan``.
MODES = ("auto", "centre", "none")


def resolve(mode: str, family: str, device: str, lanes: int) -> str:
    """``"centre"`` or ``"none"``: what ``mode`` means for one build.

    Raises
    ------
    UserError
        Unknown ``mode``, or ``"centre"`` where it cannot apply (not ECP5,
        or a device without a known centre tile).
    """
    if mode not in MODES:
        raise UserError(f"--floorplan must be one of {', '.join(MODES)}, got {mode!r}")
    if mode == "none":
        return "none"
    known = family == "ecp5" and device in CENTRE_TILE
    if mode == "centre":
        if not known:
            raise UserError(f"--floorplan centre needs an ECP5 device with a known centre tile "
                            f"({', '.join(CENTRE_TILE)}), got {family} {device}")
        return "centre"
    return "centre" if known and lanes >= AUTO_MIN_LANES else "none"


def _top(netlist: dict) -> dict:
    for mod in netlist["modules"].values():
        if mod.get("attributes", {}).get("top"):
            return mod
    raise UserError("the netlist has no top module")


def pin_broadcast(netlist: dict, device: str, names=None) -> list:
    """Pin the broadcast registers of Yosys's JSON ``netlist`` (changed in
    place) at ``device``'s centre tile.

    Parameters
    ----------
    netlist : dict
        ``write_json`` output of ``synth_ecp5`` (flattened).
    device : str
        A key of :data:`CENTRE_TILE`.
    names : sequence of str, optional
        Net names of the registers, in placement order (default
        :data:`fftforge.hdl.shell.BROADCAST_REGISTERS`).  A name the netlist
        does not have, or whose driver is not a flip-flop, is skipped.

    Returns
    -------
    list of dict
        One ``{"net", "cell", "bel", "lut"}`` per pinned register (``lut``:
        the LUT4 pinned beside it, or ``None``).
    """
    if names is None:
        from fftforge.hdl.shell import BROADCAST_REGISTERS as names
    x0, y0 = CENTRE_TILE[device]
    mod = _top(netlist)
    cells = mod["cells"]
    driver = {}
    for cname, cell in cells.items():
        dirs = cell.get("port_directions", {})
        for port, bits in cell["connections"].items():
            if dirs.get(port) == "output":
                for b in bits:
                    if isinstance(b, int):
                        driver[b] = cname
    pins = []
    for name in names:
        net = mod["netnames"].get(name)
        ff = driver.get(net["bits"][0]) if net and len(net["bits"]) == 1 else None
        if ff is None or cells[ff]["type"] != "TRELLIS_FF":
            continue
        site = f"X{x0 + 2 * len(pins)}/Y{y0}/SLICEA"
        cells[ff]["attributes"]["BEL"] = f"{site}.FF0"
        lut = driver.get(cells[ff]["connections"]["DI"][0])
        if lut is not None and cells[lut]["type"] == "LUT4":
            cells[lut]["attributes"]["BEL"] = f"{site}.K0"
        else:
            lut = None
        pins.append({"net": name, "cell": ff, "bel": f"{site}.FF0", "lut": lut})
    return pins


def write_pinned(src: str, dst: str, device: str) -> list:
    """Read Yosys's JSON netlist ``src``, pin its broadcast registers
    (:func:`pin_broadcast`) and write it to ``dst``; the pins."""
    with open(src) as f:
        netlist = json.load(f)
    pins = pin_broadcast(netlist, device)
    with open(dst, "w") as f:
        json.dump(netlist, f)
    return pins
