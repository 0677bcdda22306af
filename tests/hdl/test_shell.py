"""The stream shell (hdl/shell.py): what its parts' enable and clear copies
read, against the one list the FPGA flow pins (``BROADCAST_REGISTERS``).

The stream behaviour of the shell (nothing lost under stalls, reset, drain)
is checked on every core kind by the cocotb benches, ``test_reset.py`` and
the formal proofs; this file checks the list that names its registers."""

from amaranth.hdl import Fragment, Module
from amaranth.lib import data, stream

from fftforge.hdl.shell import BROADCAST_REGISTERS, stream_shell


def _netlist_name(sig, sh):
    """``sig``'s name in the flattened netlist of a top module holding the
    shell: the controller's signals under ``ctl.``."""
    in_ctl = any(sig is v for v in vars(sh.ctl).values())
    return f"ctl.{sig.name}" if in_ctl else sig.name


def test_broadcast_registers_are_what_the_copies_read():
    """A flag added to (or dropped from) the inputs of the per-part enable
    or clear copies, but not to the list, fails here: the floorplan would
    otherwise leave a broadcast net unpinned (or pin a register no copy
    reads)."""
    m = Module()
    i = stream.Signature(8).flip().create()
    o = stream.Signature(8).create()
    sh = stream_shell(m, i, o, latency=4, frame=4, drain_after=8,
                      out_layout=data.StructLayout({"x": 8}), target="ecp5")
    read = [s for s in sh.clear.inputs + sh.enable.inputs if s is not i.valid]
    names = {_netlist_name(s, sh) for s in read}
    assert len(set(BROADCAST_REGISTERS)) == len(BROADCAST_REGISTERS)
    assert names == set(BROADCAST_REGISTERS)
    Fragment.get(m, None)        # elaborated, as in a core (no unused-elaboratable warnings)

