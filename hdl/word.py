"""The data word that flows through every part of a pipeline.

A word is a complex sample plus tag bits that travel with it:

* ``re``, ``im``: signed, ``width`` bits each;
* ``ovf``: this word (or any value it was computed from) was clipped;
* ``inv``: (runtime-direction cores only) the word belongs to an inverse frame;
* ``end``: (run-time-length cores only, ``runtime_n``) the word is the last
  of its frame, or a drain bubble: the next word starts a frame, so each
  part's phase counter restarts after it (:func:`fftforge.hdl.phase.tag_phase`).
"""

from amaranth.hdl import Signal, signed
from amaranth.lib import data

__all__ = ["word_layout", "word_assign", "data_reg", "carried_tags", "TAGS"]


def data_reg(shape, name=None):
    """A data register of a slot pipeline: ``reset_less``.  Only a part's
    phase counters need the datapath's soft clear (``clr_q``, a
    ``ResetInserter``); the words are never read before valid samples
    overwrite them (as in the memories, which no reset reaches).  Left to
    the clear, thousands of data flip-flops made it the critical net."""
    return Signal(shape, name=name, reset_less=True)

TAGS = ("ovf", "inv", "end")


def word_layout(width: int, tags=("ovf",)) -> data.StructLayout:
    """Layout of a word of ``width``-bit components with the given tag bits."""
    fields = {"re": signed(width), "im": signed(width)}
    for t in tags:
        if t not in TAGS:
            raise ValueError(f"unknown tag {t!r}; allowed: {', '.join(TAGS)}")
        fields[t] = 1
    return data.StructLayout(fields)


def carried_tags(w, tags) -> dict:
    """``{tag: w.tag}`` for the tags of ``tags`` other than ``ovf`` (which
    parts combine rather than carry): the keyword arguments of
    :func:`word_assign` that pass them on."""
    return {t: getattr(w, t) for t in tags if t != "ovf"}


def word_tags(layout: data.StructLayout):
    return tuple(name for name, _ in layout if name in TAGS)


def word_assign(dst, re, im, **tags):
    """Statements assigning ``re``, ``im`` (sign-extended or truncated to the
    destination width) and each tag of ``dst`` present in ``tags``."""
    stmts = [dst.re.eq(re), dst.im.eq(im)]
    for name, _ in dst.shape():
        if name in TAGS:
            stmts.append(getattr(dst, name).eq(tags.get(name, 0)))
    return stmts
