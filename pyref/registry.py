"""Map a core descriptor's ``kind`` to its configuration class and bit-true
model, so that ``fftforge model``/``vectors``/``sim`` serve every core kind.
Other core kinds register themselves here."""

from __future__ import annotations

from ..errors import UserError

_KINDS = {}


def register(kind: str, config_cls, model_factory):
    _KINDS[kind] = (config_cls, model_factory)


def _ensure_builtin():
    if "fft" not in _KINDS:
        from ..config import FFTConfig
        from .fft import FFTModel
        register("fft", FFTConfig, FFTModel)
    if "filter" not in _KINDS:
        from ..filter_config import FFTNetConfig, FilterConfig
        from .fftnet import FFTNetModel
        from .filter import FilterModel
        register("filter", FilterConfig, FilterModel)
        register("fftnet", FFTNetConfig, FFTNetModel)


def config_from_descriptor(desc: dict):
    _ensure_builtin()
    kind = desc.get("kind")
    if kind not in _KINDS:
        raise UserError(f"unknown core kind {kind!r}; known: {', '.join(sorted(_KINDS))}")
    return _KINDS[kind][0].from_dict(desc["config"])


def model_for(cfg):
    """The bit-true model object of a configuration."""
    _ensure_builtin()
    for kind, (cls, factory) in _KINDS.items():
        if type(cfg) is cls:
            return factory(cfg)
    raise UserError(f"no bit-true model registered for {type(cfg).__name__}")
