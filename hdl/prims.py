"""Registered arithmetic and memory primitives, per synthesis target.

Every part of a pipeline that multiplies or reads a memory does it through
one of these, so that the register placement that makes a fast FPGA core is
written once.  Each primitive has the same ports, latency and behaviour on
every target; only the Verilog differs:

``target="generic"``
    Plain Amaranth: ``*`` and :class:`amaranth.lib.memory.Memory` with the
    pipeline registers in the fabric.  Portable Verilog (Verilator, Icarus,
    any synthesis tool).
``target="ice40"``
    Plain Amaranth like the generic form, except that a product wider than
    the SB_MAC16's 16 x 16 (up to 18 x 18) is written as 16-bit limb
    products, each in a register of its own, summed in the output register:
    Yosys maps each limb product to one SB_MAC16 and packs the register into
    it, so no cycle holds a DSP block and an add.
``target="ecp5"``
    Lattice ECP5 primitives instantiated with their own registers: a
    MULT18X18D with input, pipeline and output registers, a DP16KD with its
    output register (``REGMODE = "OUTREG"``).  Yosys 0.70's ``synth_ecp5``
    packs neither register into the blocks when they are written in the
    fabric (an inferred multiplier tops out near 140 MHz, an inferred
    block-RAM read near 145 MHz); instantiated, the blocks reach 475 and
    508 MHz.  Operands wider than 18 bits use one block per pair of 17-bit
    limbs and a registered adder tree (:class:`PipelinedMultiplier`, its
    latency grows by one slot per level); memories deeper than 16 K words
    fall back to the generic form.

Clock enable: a pipeline stalls by a clock enable (``EnableInserter`` on the
datapath).  ``EnableInserter`` reaches every ``m.d.sync`` statement but not
an ``Instance``, so each primitive takes the enable ``ce`` explicitly and
wires it to the block's CE pins; the generic form ignores it (the inserter
does the same job).  Neither form needs a reset: the data registers of a
slot pipeline carry no state that validity depends on.

:class:`PipelinedMultiplier`
    ``p = a * b`` (signed), latency :data:`MULT_LATENCY` = 3 up to 18 x 18
    bits, :func:`~fftforge.config.mult_latency` beyond.
:class:`DelayRAM`
    Simple dual-port RAM (one write port, one read port at another address),
    read latency :data:`RAM_LATENCY` = 2.
:class:`ReadModifyWriteRAM`
    One port that reads the old word and writes a new one at the same
    address each cycle, read latency 2.
:class:`PipelinedROM`
    Read-only table, read latency 2.
:func:`register_copy`
    A one-bit register (and the LUT computing its input) of its own: a copy
    of a control register that must reach far from a tight loop, latency 1.
:func:`register_copy_ahead`
    The same from a value known a cycle ahead, in two flip-flops (two hops
    of routing), latency 2.
:func:`sb_mac16_accumulator`
    An iCE40 SB_MAC16 as a 16 x 16 multiplier with its own 32-bit
    accumulator (clear, add, subtract, hold), for the time-shared complex
    multiplier (:class:`~fftforge.hdl.cmul.SharedComplexMultiplier`).
"""

from __future__ import annotations

from amaranth.hdl import Cat, ClockSignal, Const, Instance, Module, ResetSignal, Shape, Signal, signed, unsigned
from amaranth.lib import data, memory, wiring
from amaranth.lib.wiring import In, Out

__all__ = ["TARGETS", "MULT_LATENCY", "RAM_LATENCY", "PipelinedMultiplier", "DelayRAM",
           "ReadModifyWriteRAM", "PipelinedROM", "dp16kd_tiles", "BLOCK_MIN_DEPTH", "register_copy",
           "register_copy_ahead",
           "sb_mac16_accumulator"]

from fftforge.config import MULT_LATENCY, MULT_LIMB_BITS, RAM_LATENCY, TARGETS, mult_latency, mult_limbs
from fftforge.hdl.word import data_reg
#: memories of fewer words stay in the fabric (distributed RAM or logic) on
#: every target: a block for a 16-word line would cost more than it saves.
#: From 32 words up the ECP5 form instantiates the block: left to Yosys, a
#: memory this size may still become a DP16KD, without its output register
#: (measured: the 61-word line of N = 1024's fourth butterfly was the
#: critical path at 7.5-7.8 ns)
BLOCK_MIN_DEPTH = 32

# ECP5 DP16KD data widths by depth (sysMEM: 16K x 1 ... 512 x 36; 36 only
# as a pseudo dual port: write on port A, read on port B)
_DP16KD_MODES = ((512, 36), (1024, 18), (2048, 9), (4096, 4), (8192, 2), (16384, 1))
_ADDR_LSB = {36: 5, 18: 4, 9: 3, 4: 2, 2: 1, 1: 0}


def _check_target(target):
    if target not in TARGETS:
        raise ValueError(f"target must be one of {', '.join(TARGETS)}, got {target!r}")


def register_copy(m, fn, inputs, *, target: str, name: str):
    """``fn(*inputs)`` registered, in a LUT and a flip-flop of their own,
    added to ``m``; ``None`` where the target needs none (the caller keeps
    its one shared register).

    For a control register that must reach far (every part of a large core)
    while the logic it is computed from sits in a tight loop elsewhere (the
    stream controller).  On ECP5 a ``LUT4`` and a ``TRELLIS_FF`` instance:
    Yosys's ``opt_merge`` folds registers with the same input into one,
    ``keep`` on the wire notwithstanding, and ABC shares the function with
    the controller's own logic, so the placer pulls that shared LUT between
    the controller and the far loads; instances are neither merged nor
    shared, and nextpnr places each copy by what it serves.  The flip-flop
    has the synchronous reset of the domain (to 0, like the register it
    copies), no enable (an ``Instance`` is outside any ``EnableInserter``),
    latency 1 cycle.

    Parameters
    ----------
    fn : callable
        The register's next value from ``inputs``: written with ``&``,
        ``|``, ``~`` so that it evaluates both on Amaranth values and on the
        0/1 integers of the LUT's truth table.
    inputs : list of 1-bit Values, at most 4
    """
    _check_target(target)
    if len(inputs) > 4:
        raise ValueError(f"register_copy takes at most 4 inputs (one LUT4), got {len(inputs)}")
    if target != "ecp5":
        return None
    init = 0
    for idx in range(16):
        bits = [idx >> k & 1 for k in range(len(inputs))]
        init |= (fn(*bits) & 1) << idx
    d = Signal(name=f"{name}_d")
    pins = list(inputs) + [Const(0, 1)] * (4 - len(inputs))
    m.submodules[f"{name}_lut"] = Instance(
        "LUT4", p_INIT=Const(init, 16), i_A=pins[0], i_B=pins[1], i_C=pins[2], i_D=pins[3], o_Z=d)
    return _trellis_ff(m, d, name)


def _trellis_ff(m, d, name: str):
    """``d`` registered in a ``TRELLIS_FF`` instance of its own (synchronous
    reset of the domain to 0, no enable), added to ``m``; returns its Q."""
    q = Signal(name=name)
    m.submodules[name] = Instance(
        "TRELLIS_FF", p_GSR="DISABLED", p_CEMUX="1", p_CLKMUX="CLK", p_LSRMUX="LSR", p_REGSET="RESET",
        p_SRMODE="LSR_OVER_CE", i_CLK=ClockSignal(), i_LSR=ResetSignal(), i_CE=Const(1, 1), i_DI=d, o_Q=q)
    return q


def register_copy_ahead(m, fn, inputs, *, target: str, name: str):
    """:func:`register_copy` of ``fn(*inputs)`` -- a value known one cycle
    ahead of the register it copies -- then one more flip-flop of its own:
    the same value as a register of that register, in two hops.

    For a control register whose next value is itself a registered
    function of the controller's flags (the datapath's clear: ``clr`` is
    :func:`~fftforge.hdl.control.clear_ahead` of the cycle before): nextpnr
    places the first flip-flop (and its LUT) between the controller and the
    second, and the second by the part it serves, so that no single cycle
    holds the whole route from the controller to a far part (P = 8 seed 3:
    ``ctl.busy`` -> a far butterfly's clear copy, 8.19 ns of routing).
    ``None`` where :func:`register_copy` gives none.  Latency 2 cycles (of
    ``fn``'s inputs; 1 of the register copied).
    """
    r = register_copy(m, fn, inputs, target=target, name=f"{name}_ahead")
    return None if r is None else _trellis_ff(m, r, name)


def dp16kd_tiles(depth: int, width: int, pdp: bool = True):
    """``(data width per block, blocks)`` for a ``depth`` x ``width`` memory
    in DP16KD blocks, or ``None`` when it is deeper than one block.
    ``pdp=False`` (one read-write port) cannot use the 36-bit mode."""
    for d, w in _DP16KD_MODES:
        if w == 36 and not pdp:
            continue
        if depth <= d:
            return w, -(-width // w)
    return None


def _as_bits(value, width):
    """The ``width`` low bits of ``value`` as a list of 1-bit values."""
    v = value.as_value() if hasattr(value, "as_value") else value
    return [v[i] if i < len(v) else Const(0, 1) for i in range(width)]


class PipelinedMultiplier(wiring.Component):
    """Signed multiplier with input, pipeline and output registers (and, for
    operands wider than one DSP block, a registered adder tree).

    Parameters
    ----------
    a_width, b_width : int
        Operand widths (signed), any.
    b_signed : bool
        ``False``: ``b`` is unsigned (see the ``b`` port below).
    target : str
        ``"generic"`` (``a * b`` with the same registers) or ``"ecp5"``: a
        MULT18X18D with its three registers when both widths are <= 18;
        wider operands are cut into 17-bit unsigned limbs and a signed top
        limb (:func:`~fftforge.config.mult_limbs`), one block per pair of
        limbs, and the partial products summed two by two, one registered
        level per halving -- no slot holds more than one add.
    ce : Value, optional
        Clock enable of the enclosing pipeline (``ecp5`` form only).

    Attributes
    ----------
    a : In(signed(a_width))
    b : In(signed(b_width)), or In(unsigned(b_width)) with ``b_signed=False``
        (on ECP5 one block's unsigned port up to 18 bits; elsewhere, and
        wider, zero-extended to a signed operand one bit wider)
    p : Out(signed(a_width + b_width))
        ``a * b`` of the operands :attr:`latency` enabled cycles earlier.
    latency : int
        :func:`~fftforge.config.mult_latency` ``(a_width, b_width)``:
        :data:`MULT_LATENCY` (3) up to 18 x 18 bits.

    Bit growth: the full product, ``a_width + b_width`` bits (nothing is
    rounded or dropped here).
    """

    def __init__(self, a_width: int, b_width: int, *, b_signed: bool = True, target: str = "generic", ce=None):
        _check_target(target)
        self.a_width, self.b_width, self.b_signed = a_width, b_width, b_signed
        self.target = target
        self.ce = ce
        self.latency = mult_latency(a_width, b_width, b_signed)
        super().__init__({"a": In(signed(a_width)), "b": In(signed(b_width) if b_signed else unsigned(b_width)),
                          "p": Out(signed(a_width + b_width))})

    @property
    def uses_block(self) -> bool:
        return self.target == "ecp5" and self.ce is not None

    def elaborate(self, platform):
        m = Module()
        pw = self.a_width + self.b_width
        b, bw, b_port_signed = self.b, self.b_width, True
        if not self.b_signed:
            if self.uses_block and bw <= 18:
                b_port_signed = False           # the block's unsigned B port
            else:
                bw += 1                         # zero-extended: a signed operand one bit wider
                b = Signal(signed(bw), name="b_ext")
                m.d.comb += b.eq(self.b)
        if (self.target == "ice40" and self.latency == MULT_LATENCY
                and max(self.a_width, bw) > ICE40_MAC_BITS):
            # input registers, 16-bit limb products (one SB_MAC16 each, its
            # output register packed), their sum in the output register
            ra, rb = data_reg(signed(self.a_width), "ra"), data_reg(signed(bw), "rb")
            m.d.sync += [ra.eq(self.a), rb.eq(b)]
            terms = []
            for sa, va in _limbs(ra, self.a_width, ICE40_MAC_BITS, ICE40_MAC_BITS):
                for sb, vb in _limbs(rb, bw, ICE40_MAC_BITS, ICE40_MAC_BITS):
                    pp = data_reg(signed(len(va) + len(vb) + 1), f"pp{sa}_{sb}")
                    m.d.sync += pp.eq(va * vb)
                    terms.append(pp << (sa + sb))
            p = data_reg(signed(pw), "p_sum")
            m.d.sync += p.eq(sum(terms[1:], terms[0]))
            m.d.comb += self.p.eq(p)
            return m
        if not self.uses_block:
            ra, rb = data_reg(signed(self.a_width), "ra"), data_reg(signed(bw), "rb")
            m.d.sync += [ra.eq(self.a), rb.eq(b)]
            prev = ra * rb
            for k in range(self.latency - 1):
                r = data_reg(signed(pw), name=f"p{k + 1}")
                m.d.sync += r.eq(prev)
                prev = r
            m.d.comb += self.p.eq(prev)
            return m
        terms = []
        for ia, (sa, va) in enumerate(_limbs(self.a, self.a_width)):
            for ib, (sb, vb) in enumerate(_limbs(b, bw) if b_port_signed else [(0, b)]):
                a18, b18, p36 = Signal(signed(18)), Signal(signed(18)), Signal(signed(36))
                m.d.comb += [a18.eq(va), b18.eq(vb)]
                _mult18x18d(m, "mult" if len(terms) == 0 and self.latency == MULT_LATENCY
                            else f"mult{ia}_{ib}", a18, b18, p36, self.ce, b_signed=b_port_signed)
                terms.append((p36, sa + sb))
        level = 0
        while len(terms) > 1:
            nxt = []
            for j in range(0, len(terms), 2):
                r = data_reg(signed(pw), name=f"sum{level}_{j // 2}")
                if j + 1 < len(terms):
                    (x, sx), (y, sy) = terms[j], terms[j + 1]
                    m.d.sync += r.eq((x << sx) + (y << sy))
                else:
                    (x, sx) = terms[j]
                    m.d.sync += r.eq(x << sx)
                nxt.append((r, 0))
            terms = nxt
            level += 1
        p, sh = terms[0]
        m.d.comb += self.p.eq(p << sh)
        return m


def _mult18x18d(m, name, a18, b18, p36, ce, b_signed=True):
    """One MULT18X18D, signed (``b18`` unsigned when ``b_signed`` is false),
    with input, pipeline and output registers on clock enable ``ce``:
    ``p36`` = ``a18 * b18`` 3 enabled cycles later."""
    ports = {}
    for i, bit in enumerate(_as_bits(a18, 18)):
        ports[f"i_A{i}"] = bit
    for i, bit in enumerate(_as_bits(b18, 18)):
        ports[f"i_B{i}"] = bit
    for i in range(18):
        ports[f"i_C{i}"] = Const(0, 1)
    for i in range(36):
        ports[f"o_P{i}"] = p36[i]
    for k in range(4):
        ports[f"i_CLK{k}"] = ClockSignal() if k == 0 else Const(0, 1)
        ports[f"i_CE{k}"] = ce if k == 0 else Const(0, 1)
        ports[f"i_RST{k}"] = Const(0, 1)
    m.submodules[name] = Instance(
        "MULT18X18D",
        p_REG_INPUTA_CLK="CLK0", p_REG_INPUTA_CE="CE0", p_REG_INPUTA_RST="RST0",
        p_REG_INPUTB_CLK="CLK0", p_REG_INPUTB_CE="CE0", p_REG_INPUTB_RST="RST0",
        p_REG_INPUTC_CLK="NONE",
        p_REG_PIPELINE_CLK="CLK0", p_REG_PIPELINE_CE="CE0", p_REG_PIPELINE_RST="RST0",
        p_REG_OUTPUT_CLK="CLK0", p_REG_OUTPUT_CE="CE0", p_REG_OUTPUT_RST="RST0",
        p_CLK0_DIV="ENABLED", p_CLK1_DIV="ENABLED", p_CLK2_DIV="ENABLED", p_CLK3_DIV="ENABLED",
        p_HIGHSPEED_CLK="NONE", p_GSR="DISABLED", p_CAS_MATCH_REG="FALSE",
        p_SOURCEB_MODE="B_SHIFT", p_MULT_BYPASS="DISABLED", p_RESETMODE="SYNC",
        i_SIGNEDA=Const(1, 1), i_SIGNEDB=Const(int(b_signed), 1), i_SOURCEA=Const(0, 1), i_SOURCEB=Const(0, 1),
        **ports)


#: operand bits of an iCE40 SB_MAC16 multiplier
ICE40_MAC_BITS = 16


def sb_mac16_accumulator(m, name, a, b, o, *, load, sub, hold, input_regs: bool = False,
                         product_reg: bool = False):
    """One iCE40 SB_MAC16 as a signed 16 x 16 multiplier with its own 32-bit
    accumulator (the output register ``O``), added to ``m``.

    Every cycle (the block's CE is tied high; it runs outside any
    ``EnableInserter``) the accumulator becomes, in order of priority:

    * 0 while the domain's reset is high (``ORSTTOP``/``ORSTBOT``);
    * 0 when ``load`` is high (``OLOAD``: the constant 0 on C/D);
    * unchanged when ``hold`` is high (``OHOLD``);
    * ``acc + P``, or ``acc - P`` when ``sub`` is high (``ADDSUB``),

    where ``P`` is the signed product ``a * b`` (``a``, ``b``: at most 16
    bits, sign-extended) of this cycle's operands, or of the operands one
    cycle earlier with ``input_regs`` (``A_REG``/``B_REG``), and one more with
    ``product_reg`` (``PIPELINE_16x16_MULT_REG2``).  The 32-bit sum carries
    from the bottom into the top half inside the block
    (``TOPADDSUB_CARRYSELECT = 2``); ``sub`` drives both halves.  ``o``
    (32 bits) is the accumulator, modulo ``2**32``: the caller guarantees
    that the value it reads fits 32 signed bits.

    Behaviour as in Yosys's ``SB_MAC16`` simulation model
    (``sim/models/ice40_prims.v``, copied from Yosys's ``cells_sim.v``),
    which the tests run.  Yosys's ``synth_ice40 -dsp`` maps no accumulator
    written in the fabric into the block (``acc <= load ? p : acc + p`` and
    its variants stay LUTs, carry chains and flip-flops), hence the
    instance.
    """
    if len(a) > ICE40_MAC_BITS or len(b) > ICE40_MAC_BITS or len(o) != 32:
        raise ValueError(f"sb_mac16_accumulator takes operands of at most {ICE40_MAC_BITS} bits and a 32-bit "
                         f"accumulator, got {len(a)}, {len(b)}, {len(o)}")
    a16, b16 = Signal(signed(16), name=f"{name}_a"), Signal(signed(16), name=f"{name}_b")
    m.d.comb += [a16.eq(a), b16.eq(b)]
    zero16, zero = Const(0, 16), Const(0, 1)
    rst = ResetSignal()
    m.submodules[name] = Instance(
        "SB_MAC16",
        p_NEG_TRIGGER=Const(0, 1), p_C_REG=Const(0, 1), p_D_REG=Const(0, 1),
        p_A_REG=Const(int(input_regs), 1), p_B_REG=Const(int(input_regs), 1),
        p_TOP_8x8_MULT_REG=Const(0, 1), p_BOT_8x8_MULT_REG=Const(0, 1),
        p_PIPELINE_16x16_MULT_REG1=Const(0, 1), p_PIPELINE_16x16_MULT_REG2=Const(int(product_reg), 1),
        p_TOPOUTPUT_SELECT=Const(1, 2), p_TOPADDSUB_LOWERINPUT=Const(2, 2),
        p_TOPADDSUB_UPPERINPUT=Const(0, 1), p_TOPADDSUB_CARRYSELECT=Const(2, 2),
        p_BOTOUTPUT_SELECT=Const(1, 2), p_BOTADDSUB_LOWERINPUT=Const(2, 2),
        p_BOTADDSUB_UPPERINPUT=Const(0, 1), p_BOTADDSUB_CARRYSELECT=Const(0, 2),
        p_MODE_8x8=Const(0, 1), p_A_SIGNED=Const(1, 1), p_B_SIGNED=Const(1, 1),
        i_CLK=ClockSignal(), i_CE=Const(1, 1), i_A=a16, i_B=b16, i_C=zero16, i_D=zero16,
        i_AHOLD=zero, i_BHOLD=zero, i_CHOLD=zero, i_DHOLD=zero, i_IRSTTOP=zero, i_IRSTBOT=zero,
        i_ORSTTOP=rst, i_ORSTBOT=rst, i_OLOADTOP=load, i_OLOADBOT=load,
        i_ADDSUBTOP=sub, i_ADDSUBBOT=sub, i_OHOLDTOP=hold, i_OHOLDBOT=hold,
        i_CI=zero, i_ACCUMCI=zero, i_SIGNEXTIN=zero, o_O=o)


def _limbs(v, width, limb_bits=MULT_LIMB_BITS, block_bits=18):
    """``[(shift, limb)]`` of a signed ``width``-bit value as
    :func:`~fftforge.config.mult_limbs` counts them: ``limb_bits``-bit
    unsigned limbs (zero-extended into a signed block port) and a signed
    top limb."""
    n = mult_limbs(width, limb_bits, block_bits)
    return [(k * limb_bits, v[k * limb_bits:width].as_signed() if k == n - 1
             else v[k * limb_bits:(k + 1) * limb_bits]) for k in range(n)]


def _dp16kd(m, name, *, ce, width, init=None, wa=None, wd=None, ra, rd, rd2=None, ra2=None,
            rmw=False):
    """One DP16KD with the output register.  Modes:

    * simple dual port (``wa``/``wd`` write on port A, ``ra``/``rd`` read on
      port B; 36-bit mode when ``width == 36``);
    * read-modify-write (``rmw``): port A reads the old word at ``ra`` and
      writes ``wd`` there (``WRITEMODE_A = "READBEFOREWRITE"``);
    * ROM: port A reads ``ra`` -> ``rd``, port B reads ``ra2`` -> ``rd2``.
    ``init``: 18-bit-unit words (x18 layout) of the initial contents."""
    lsb = _ADDR_LSB[width]
    params = dict(p_DATA_WIDTH_A=width, p_DATA_WIDTH_B=width,
                  p_REGMODE_A="OUTREG", p_REGMODE_B="OUTREG",
                  p_RESETMODE="SYNC", p_ASYNC_RESET_RELEASE="SYNC",
                  p_CSDECODE_A="0b000", p_CSDECODE_B="0b000", p_GSR="DISABLED")
    if init is not None:
        for idx in range(64):
            val = 0
            for i in range(16):
                k = idx * 16 + i
                if k < len(init):
                    val |= (int(init[k]) & 0x3FFFF) << (i * 20)
            params[f"p_INITVAL_{idx:02X}"] = Const(val, 320)
    ports = {"i_CLKA": ClockSignal(), "i_CLKB": ClockSignal(), "i_RSTA": Const(0, 1), "i_RSTB": Const(0, 1)}
    for p in "AB":
        for k in range(3):
            ports[f"i_CS{p}{k}"] = Const(0, 1)

    def addr(port, a, be=True):
        bits = _as_bits(a, 14 - lsb)
        n_be = {36: 4, 18: 2}.get(width, 0) if be else 0
        for i in range(14):
            if i < lsb:
                # byte enables of a write in the 18/36-bit modes; unused low address bits
                ports[f"i_AD{port}{i}"] = Const(1 if i < n_be else 0, 1)
            else:
                ports[f"i_AD{port}{i}"] = bits[i - lsb]

    def din(port, bits):
        for i in range(18):
            ports[f"i_DI{port}{i}"] = bits[i] if i < len(bits) else Const(0, 1)

    def dout(port, bits):
        for i in range(18):
            ports[f"o_DO{port}{i}"] = bits[i] if i < len(bits) else Signal(name=f"{name}_nc_{port}{i}")

    zeros = [Const(0, 1)] * 18
    if rmw:
        params.update(p_WRITEMODE_A="READBEFOREWRITE", p_WRITEMODE_B="NORMAL")
        addr("A", ra)
        addr("B", Const(0, 14), be=False)
        din("A", wd)
        din("B", zeros)
        dout("A", rd)
        dout("B", [])
        ports.update(i_CEA=ce, i_OCEA=ce, i_WEA=Const(1, 1), i_CEB=Const(0, 1), i_OCEB=Const(0, 1),
                     i_WEB=Const(0, 1))
    elif init is not None:
        params.update(p_WRITEMODE_A="NORMAL", p_WRITEMODE_B="NORMAL")
        addr("A", ra, be=False)
        addr("B", ra2, be=False)
        din("A", zeros)
        din("B", zeros)
        dout("A", rd)
        dout("B", rd2)
        ports.update(i_CEA=ce, i_OCEA=ce, i_WEA=Const(0, 1), i_CEB=ce, i_OCEB=ce, i_WEB=Const(0, 1))
    else:
        params.update(p_WRITEMODE_A="NORMAL", p_WRITEMODE_B="NORMAL")
        addr("A", wa)
        addr("B", ra, be=False)
        if width == 36:
            din("A", wd[:18])
            din("B", wd[18:36])
            dout("A", rd[:18])
            dout("B", rd[18:36])
        else:
            din("A", wd)
            din("B", zeros)
            dout("A", [])
            dout("B", rd)
        ports.update(i_CEA=ce, i_OCEA=ce, i_WEA=Const(1, 1), i_CEB=ce, i_OCEB=ce, i_WEB=Const(0, 1))
    m.submodules[name] = Instance("DP16KD", **params, **ports)


def _bits_of(sig, width):
    return [sig[i] for i in range(width)]


def _pipelined_ram(m, ram, waddr, raddr, rmw: bool):
    """The body of :class:`DelayRAM` (``rmw=False``: write ``waddr``, read
    ``raddr``) and :class:`ReadModifyWriteRAM` (``rmw=True``: one address,
    old word out): DP16KD tiles with their output register on ECP5 (no
    36-bit mode for one read-write port), else an inferred memory with a
    synchronous read and a register after it."""
    width = Shape.cast(ram._shape).width
    tiles = None
    if ram.target == "ecp5" and ram.ce is not None and ram.depth >= BLOCK_MIN_DEPTH:
        tiles = dp16kd_tiles(ram.depth, width, pdp=not rmw)
    if tiles is None:
        attrs = {}
        if getattr(ram, "block", False):
            attrs["ram_style"] = "block"         # (forced into block RAM)
        if getattr(ram, "no_rw_check", False):
            attrs["no_rw_check"] = 1             # (no collision emulation: the caller never reads the written address)
        attrs = attrs or None
        m.submodules.mem = mem = memory.Memory(shape=ram._shape, depth=ram.depth, init=[], attrs=attrs)
        wp = mem.write_port()
        rp = mem.read_port(transparent_for=())
        m.d.comb += [wp.addr.eq(waddr), wp.data.eq(ram.wdata), wp.en.eq(1), rp.addr.eq(raddr), rp.en.eq(1)]
        if getattr(ram, "latency", RAM_LATENCY) == 1:    # the synchronous read alone
            m.d.comb += ram.rdata.eq(rp.data)
            return
        rd = data_reg(ram.rdata.shape(), name="rdata_reg")
        m.d.sync += rd.eq(rp.data)
        m.d.comb += ram.rdata.eq(rd)
        return
    bw, blocks = tiles
    wpad, rbits = Signal(blocks * bw), Signal(blocks * bw)
    m.d.comb += [wpad.eq(ram.wdata), ram.rdata.eq(rbits[:width])]
    for b in range(blocks):
        port = {"ra": raddr, "rmw": True} if rmw else {"wa": waddr, "ra": raddr}
        _dp16kd(m, f"bram{b}", ce=ram.ce, width=bw, wd=_bits_of(wpad[b * bw:], bw),
                rd=_bits_of(rbits[b * bw:], bw), **port)


class DelayRAM(wiring.Component):
    """Simple dual-port RAM with a registered, pipelined read.

    Parameters
    ----------
    shape : shape-castable
        Word shape.
    depth : int
        Words.
    target, ce :
        See :class:`PipelinedMultiplier`.

    Attributes
    ----------
    waddr : In(range(depth))
    wdata : In(shape)          written every enabled cycle
    raddr : In(range(depth))
    rdata : Out(shape)
        Word at ``raddr`` :data:`RAM_LATENCY` enabled cycles earlier.  A read
        of the address being written the same cycle is not allowed (the
        callers never do it), so every target gives the same words.

    Latency :data:`RAM_LATENCY` (2) enabled cycles from ``raddr`` to
    ``rdata``; no bit growth (words are stored as they are).  ``block``:
    the inferred memory carries ``ram_style = "block"`` (a block RAM
    however small); ``latency=1``: the synchronous read alone, no register
    after it (not on ECP5); ``no_rw_check``: it carries Yosys's ``no_rw_check``
    (collisions of the read and the write are never made, so synthesis
    need not emulate their outcome: on iCE40 that emulation costs ~74
    flip-flops and ~40 LUT4 per 33-bit memory, measured).
    """

    def __init__(self, shape, depth: int, *, target: str = "generic", ce=None, block: bool = False,
                 no_rw_check: bool = False, latency: int = RAM_LATENCY):
        _check_target(target)
        if depth < 2:
            raise ValueError(f"depth must be >= 2, got {depth}")
        if latency not in (1, RAM_LATENCY) or (latency == 1 and target == "ecp5"):
            raise ValueError(f"latency must be {RAM_LATENCY} (or 1, not on ecp5), got {latency}")
        self._shape, self.depth, self.target, self.ce, self.block = shape, depth, target, ce, block
        self.no_rw_check, self.latency = no_rw_check, latency
        super().__init__({"waddr": In(range(depth)), "wdata": In(shape),
                          "raddr": In(range(depth)), "rdata": Out(shape)})

    def elaborate(self, platform):
        m = Module()
        _pipelined_ram(m, self, self.waddr, self.raddr, rmw=False)
        return m


class ReadModifyWriteRAM(wiring.Component):
    """One port per cycle: read the old word at ``addr``, write ``wdata``.

    Parameters
    ----------
    shape : shape-castable
        Word shape.
    depth : int
        Words.
    target, ce :
        See :class:`PipelinedMultiplier`.

    Attributes
    ----------
    addr : In(range(depth))
        Address read and written every enabled cycle.
    wdata : In(shape)
        Word written to ``addr``.
    rdata : Out(shape)
        The word that was at ``addr`` before the write of :data:`RAM_LATENCY`
        enabled cycles earlier.

    Latency :data:`RAM_LATENCY` (2) enabled cycles from ``addr`` to
    ``rdata``; no bit growth.
    """

    def __init__(self, shape, depth: int, *, target: str = "generic", ce=None):
        _check_target(target)
        self._shape, self.depth, self.target, self.ce = shape, depth, target, ce
        super().__init__({"addr": In(range(depth)), "wdata": In(shape), "rdata": Out(shape)})

    def elaborate(self, platform):
        m = Module()
        _pipelined_ram(m, self, self.addr, self.addr, rmw=True)
        return m


class PipelinedROM(wiring.Component):
    """A table of ``(c, s)`` pairs of ``width``-bit signed words.

    Parameters
    ----------
    c_values, s_values : sequence of int
        The two columns (``depth`` = their length).
    width : int
        Bits of each entry (signed).
    target, ce :
        See :class:`PipelinedMultiplier`.

    Attributes
    ----------
    addr : In(range(max(depth, 2)))
        Entry to read.
    c, s : Out(signed(width))
        Entry ``addr`` of :data:`RAM_LATENCY` enabled cycles earlier.

    Latency :data:`RAM_LATENCY` (2) enabled cycles; no bit growth.

    On ECP5 (``width`` <= 18, ``depth`` <= 1024) one DP16KD holds both
    columns when ``depth`` <= 512 (``c`` in the lower half, read on port A;
    ``s`` in the upper half, read on port B), else one block per column.
    """

    def __init__(self, c_values, s_values, width: int, *, target: str = "generic", ce=None, block: bool = False):
        _check_target(target)
        self.block = block              # the generic form carries ram_style = "block"
        self.c_values, self.s_values = [int(v) for v in c_values], [int(v) for v in s_values]
        self.width, self.depth, self.target, self.ce = width, len(self.c_values), target, ce
        super().__init__({"addr": In(range(max(self.depth, 2))), "c": Out(signed(width)),
                          "s": Out(signed(width))})

    def elaborate(self, platform):
        m = Module()
        w, n = self.width, self.depth
        use_block = self.target == "ecp5" and self.ce is not None and w <= 18 and BLOCK_MIN_DEPTH <= n <= 1024
        if not use_block:
            tl = data.StructLayout({"c": signed(w), "s": signed(w)})
            init = [{"c": c, "s": s} for c, s in zip(self.c_values, self.s_values)]
            m.submodules.rom = rom = memory.Memory(shape=tl, depth=n, init=init,
                                                   attrs={"ram_style": "block"} if self.block else None)
            rp = rom.read_port(transparent_for=())
            m.d.comb += [rp.addr.eq(self.addr), rp.en.eq(1)]
            c, s = data_reg(self.c.shape(), "c_reg"), data_reg(self.s.shape(), "s_reg")
            m.d.sync += [c.eq(rp.data.c), s.eq(rp.data.s)]
            m.d.comb += [self.c.eq(c), self.s.eq(s)]
            return m
        mask = (1 << w) - 1
        c_bits, s_bits = Signal(18), Signal(18)
        m.d.comb += [self.c.eq(c_bits[:w].as_signed()), self.s.eq(s_bits[:w].as_signed())]
        if n <= 512:
            init = [v & mask for v in self.c_values] + [0] * (512 - n) + [v & mask for v in self.s_values]
            _dp16kd(m, "brom", ce=self.ce, width=18, init=init, ra=self.addr, rd=_bits_of(c_bits, 18),
                    ra2=Cat(self.addr, Const(0, 9 - (n - 1).bit_length()), Const(1, 1)) if n < 512
                    else Cat(self.addr, Const(1, 1)),
                    rd2=_bits_of(s_bits, 18))
        else:
            for name, vals, bits in (("brom_c", self.c_values, c_bits), ("brom_s", self.s_values, s_bits)):
                _dp16kd(m, name, ce=self.ce, width=18, init=[v & mask for v in vals], ra=self.addr,
                        rd=_bits_of(bits, 18), ra2=self.addr, rd2=[])
        return m
