"""White-box access for proof harnesses.

k-induction starts from an arbitrary state, so a proof about ports alone
fails in unreachable states; the fix is to assert, alongside the property,
the invariants that tie the design's internal registers to the harness's
counters.  Amaranth keeps a component's registers in local variables of its
``elaborate``; these helpers elaborate a component once, find its signals by
name (the left-hand sides of its statements) and let a harness use that very
elaboration as the submodule, so the names refer to the logic under proof.
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal

__all__ = ["Opened", "open_module"]


class Opened:
    """An elaborated component: ``.module`` (use it as the submodule, in place
    of the component), ``.sig(name)`` (a signal it drives, by name) and
    ``.sub(name)`` (a named submodule object).  ``replace(name, obj)`` puts
    ``obj`` (e.g. another :class:`Opened`'s module) in place of a named
    submodule."""

    def __init__(self, component, platform="formal"):
        self.component = component
        # elaborated here, used through .module: silence "never used"
        component._MustUse__silence = True
        mod = component.elaborate(platform)
        if not isinstance(mod, Module):
            raise TypeError(f"{type(component).__name__}.elaborate did not return a Module")
        mod._flush()
        self.module = mod
        sigs = {}
        for stmts in mod._statements.values():
            for st in stmts:
                for s in st._lhs_signals():
                    sigs.setdefault(s.name, []).append(s)
        self._sigs = sigs

    def sig(self, name: str) -> Signal:
        found = {id(s): s for s in self._sigs.get(name, [])}
        if len(found) != 1:
            raise KeyError(f"{type(self.component).__name__} drives {len(found)} signals named {name!r}")
        return next(iter(found.values()))

    def sub(self, name: str):
        return self.module._get_submodule(name)

    def replace(self, name: str, new) -> None:
        if name not in self.module._named_submodules:
            raise KeyError(f"no submodule {name!r}")
        _old, loc = self.module._named_submodules[name]
        target = new.module if isinstance(new, Opened) else new
        self.module._named_submodules[name] = (target, loc)


def open_module(component, platform="formal") -> Opened:
    """Elaborate ``component`` for a harness (see :class:`Opened`)."""
    return Opened(component, platform)
