"""Phase counters: every part that needs to know where in its period a
sample is keeps one, started so that a frame's first sample reads phase 0."""

from amaranth.hdl import Mux, Signal

__all__ = ["phase_counter", "lane_phase", "lane_phase_at_reset", "tag_phase"]


def phase_counter(m, period: int, offset: int = 0, name: str = "phase"):
    """Add to ``m`` a counter of clock-enabled cycles modulo ``period``.

    Its reset value is ``-offset mod period``: a part whose input lags the
    core's input by ``offset`` slots sees phase 0 with a frame's first sample.
    """
    c = Signal(range(max(period, 2)), init=(-offset) % period, name=name)
    if period > 1 and period & (period - 1) == 0:
        m.d.sync += c.eq(c + 1)          # wraps by itself: no compare
    elif period > 1:
        m.d.sync += c.eq(Mux(c == period - 1, 0, c + 1))
    return c


def lane_phase(m, period: int, offset: int, lanes: int, lane: int, name: str = "phase"):
    """Phase ``(t * lanes + lane) mod period`` of lane ``lane`` of a
    ``lanes``-wide stream, where ``t`` counts groups from a frame's first
    group (which reaches the part ``offset`` cycles after the input).

    Returns an expression; with one lane it is a plain :func:`phase_counter`."""
    if lanes == 1:
        return phase_counter(m, period, offset, name)
    groups = max(period // lanes, 1)
    c = phase_counter(m, groups, offset, name)
    if period <= lanes:
        return lane % period
    return c * lanes + lane


def lane_phase_at_reset(period: int, offset: int, lanes: int, lane: int) -> int:
    """The value of :func:`lane_phase` (same arguments) after reset or a
    soft clear: the phase of the slot ``offset`` groups before a frame's
    first group."""
    groups = max(period // lanes, 1)
    if period <= lanes:
        return lane % period
    return ((-offset) % groups) * lanes + lane


def tag_phase(m, period: int, offset: int, end, name: str = "phase"):
    """Phase of a run-time-length core's part (``runtime_n``): restarted by
    the words themselves, since frames of different sizes follow each other.

    Returns ``(phase, phase_next)``: ``phase`` (a register) is the phase of
    the word at the part's input, ``phase_next`` the next word's: 0 after a
    word whose ``end`` tag is set (the last of a frame, or a drain bubble),
    else ``phase + 1`` modulo the (power-of-two) ``period``.  Until the
    core's first word reaches the part (``offset`` enabled slots after a
    reset or a soft clear, counted by a saturating counter) the tags are
    ignored and the counter runs from ``-offset mod period`` as
    :func:`phase_counter` does, so whatever the pipeline held before cannot
    move it."""
    assert period >= 2 and period & (period - 1) == 0
    c = Signal(range(period), init=(-offset) % period, name=name)
    # c + 1 kept in a register of its own, so that phase_next (which the
    # parts decode into twiddle exponents and addresses) is one select from
    # flip-flops rather than a carry chain and a select (on ECP5 the chain,
    # the select and a twiddle part's exponent sum were one 7.5 ns path)
    c1 = Signal(range(period), init=(1 - offset) % period, name=f"{name}_plus1")
    armed = Signal(init=int(offset <= 0), name=f"{name}_armed")
    if offset > 0:
        since = Signal(range(offset + 1), name=f"{name}_since")
        with m.If(~armed):
            m.d.sync += [since.eq(since + 1), armed.eq(since == offset - 1)]
    nxt = Signal(range(period), name=f"{name}_next")
    m.d.comb += nxt.eq(Mux(end & armed, 0, c1))
    m.d.sync += [c.eq(nxt), c1.eq(nxt + 1)]
    return c, nxt
