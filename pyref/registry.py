"""Configuration and bit-true model of a core by its kind, so that ``fftforge
model``/``vectors``/``sim`` serve every core kind.  Both look the kind up in
the table of core kinds, :data:`fftforge.kinds.KINDS` (nothing registers
here)."""

from __future__ import annotations

__all__ = ["config_from_descriptor", "model_for"]


def config_from_descriptor(desc: dict):
    """The configuration of descriptor ``desc``
    (:func:`fftforge.kinds.config_from_descriptor`)."""
    from fftforge.kinds import config_from_descriptor
    return config_from_descriptor(desc)


def model_for(cfg):
    """The bit-true model object of a configuration
    (:func:`fftforge.kinds.model_for`)."""
    from fftforge.kinds import model_for
    return model_for(cfg)
