"""Pairwise (strength-2) covering arrays of generator options.

A covering array of strength 2 over factors ``{name: [values]}`` is a list of
rows (``{name: value}``) in which every pair of values of every two factors
appears in at least one row.  :func:`pairwise_rows` builds one greedily
(deterministic for a seed): it starts from the ``fixed`` rows given (cores a
test must run in any case), then adds, one at a time, the candidate row that
covers the most pairs still uncovered, each candidate seeded with one
uncovered pair and filled factor by factor.  A predicate ``allowed(row)``
rules out combinations that are not valid configurations.
:func:`uncovered_pairs` is the check.

    >>> rows = pairwise_rows({"a": [0, 1], "b": ["x", "y"], "c": [True, False]})
    >>> uncovered_pairs(rows, {"a": [0, 1], "b": ["x", "y"], "c": [True, False]})
    set()
"""

from __future__ import annotations

import itertools
import random
from typing import Callable, Iterable, Optional

__all__ = ["all_pairs", "row_pairs", "uncovered_pairs", "pairwise_rows", "fft_factors", "scaling_config",
           "CONSTRAINED_SCALINGS"]


def row_pairs(row: dict, names: Optional[Iterable[str]] = None) -> set:
    """The ``(factor, value, factor, value)`` pairs of one row (factor names
    in sorted order within each pair; only the factors in ``names``, default
    all of the row's)."""
    names = sorted(row if names is None else names)
    return {(a, row[a], b, row[b]) for a, b in itertools.combinations(names, 2)}


def all_pairs(factors: dict, allowed: Optional[Callable[[dict], bool]] = None) -> set:
    """Every pair of values of every two factors.  With ``allowed``, only the
    pairs that some allowed row can hold (checked by trying every
    completion, so keep it for small factor sets)."""
    names = sorted(factors)
    need = {(a, va, b, vb) for a, b in itertools.combinations(names, 2)
            for va in factors[a] for vb in factors[b]}
    if allowed is None:
        return need
    possible = set()
    for values in itertools.product(*(factors[n] for n in names)):
        row = dict(zip(names, values))
        if allowed(row):
            possible |= row_pairs(row, names)
    return need & possible


def uncovered_pairs(rows, factors: dict, allowed: Optional[Callable[[dict], bool]] = None) -> set:
    """The pairs of :func:`all_pairs` that no row of ``rows`` holds."""
    left = all_pairs(factors, allowed)
    for r in rows:
        left -= row_pairs(r, factors)
    return left


def pairwise_rows(factors: dict, fixed=(), allowed: Optional[Callable[[dict], bool]] = None,
                  seed: int = 0, tries: int = 50, prefer=()) -> list:
    """A strength-2 covering array over ``factors``: the ``fixed`` rows (in
    order, each a complete row) followed by greedy rows until every pair of
    :func:`all_pairs` is covered.  Deterministic for a given ``seed``; every
    row satisfies ``allowed``.

    Each greedy row is the best of ``tries`` candidates: a candidate starts
    from a random uncovered pair, and the other factors, in random order,
    take the value that covers the most uncovered pairs together with the
    values chosen so far (ties broken at random), keeping the row allowed.

    ``prefer``: ``(factor, value)`` pairs, e.g. the cheaper value of a
    costly factor.  Once every pair is covered, each greedy row in turn
    takes each preferred value (in the order given) wherever its own value
    is a don't-care: the array stays a covering array and the row allowed.
    """
    names = sorted(factors)
    rng = random.Random(seed)
    ok = allowed or (lambda row: True)
    rows = []
    for r in fixed:
        if set(r) != set(names):
            raise ValueError(f"fixed row {r} does not name exactly the factors {names}")
        if not ok(r):
            raise ValueError(f"fixed row {r} is not allowed")
        rows.append(dict(r))
    left = uncovered_pairs(rows, factors, allowed)
    while left:
        pool = sorted(left, key=repr)
        best = None
        for _ in range(tries):
            a, va, b, vb = rng.choice(pool)
            row = {a: va, b: vb}
            for n in rng.sample(names, len(names)):
                if n in row:
                    continue
                scored = []
                for v in factors[n]:
                    trial = {**row, n: v}
                    # a value is possible if some completion of the row is allowed
                    if not _completable(trial, factors, names, ok):
                        continue
                    gain = len(row_pairs(trial, trial) & left)
                    scored.append((gain, rng.random(), v))
                if not scored:
                    break
                row[n] = max(scored, key=lambda t: t[:2])[2]
            if len(row) != len(names) or not ok(row):
                continue
            gain = len(row_pairs(row, names) & left)
            if best is None or gain > best[0]:
                best = (gain, row)
        if best is None or best[0] == 0:
            raise ValueError(f"cannot cover {len(left)} pairs, e.g. {pool[0]}")
        rows.append({n: best[1][n] for n in names})
        left -= row_pairs(best[1], names)
    for i in range(len(fixed), len(rows)):
        for f, v in prefer:
            if rows[i][f] == v:
                continue
            trial = {**rows[i], f: v}
            if ok(trial) and not uncovered_pairs(rows[:i] + [trial] + rows[i + 1:], factors, allowed):
                rows[i] = trial
    return rows


def _completable(partial: dict, factors: dict, names, ok) -> bool:
    rest = [n for n in names if n not in partial]
    for values in itertools.product(*(factors[n] for n in rest)):
        if ok({**partial, **dict(zip(rest, values))}):
            return True
    return False


# -- the FFT generator's options as factors ---------------------------------

#: the FFT generator's option factors, in the order (and with the values, in
#: the order) the covering arrays have always used: the choice fields of
#: :attr:`fftforge.config.FFTConfig.OPTIONS` (``scaling`` split into
#: ``scaled``, ``scaled-clip`` and ``unscaled``, see :func:`fft_factors`),
#: then ``lanes`` (:data:`fftforge.config.LANES`), ``n`` and ``target``
#: (:data:`fftforge.config.TARGETS`).  The greedy array depends on the order
#: of each factor's values (ties are broken by draws in that order), so it is
#: fixed here; ``tests/sim/test_pairwise.py`` checks that it spans the option
#: table.
_VALUE_ORDER = {"rounding": ("convergent", "truncate")}

#: scalings that restrict other options (refused combinations), so not a
#: factor of the unconstrained covering arrays (see :func:`fft_factors`)
CONSTRAINED_SCALINGS = ("bfp",)


def fft_factors(n=("small", "large"), target=True) -> dict:
    """The FFT generator's options as covering-array factors
    ``{name: [values]}``, derived from :attr:`FFTConfig.OPTIONS
    <fftforge.config.FFTConfig.OPTIONS>`, :data:`~fftforge.config.LANES` and
    :data:`~fftforge.config.TARGETS`: the one definition that the fast
    Verilator set (``tests/sim/test_fft_cocotb.py``) and the soak
    (``benchmarks/bench_soak.py``) cover pairwise.

    ``scaling`` has three values: ``scaled`` (the default schedule: no part
    can overflow, none has saturation logic), ``scaled-clip`` (a schedule
    0, 0, 1, ...: the first two stages do not shift, so full-scale frames
    clip and the ``overflow`` option and flag matter) and ``unscaled``.
    Block floating point (``bfp``, :data:`CONSTRAINED_SCALINGS`) is left
    out: it allows only natural order, one lane, ``saturate`` and the
    generic and ECP5 targets, which an unconstrained covering array would
    break; ``tests/sim/test_bfp_cores.py`` runs its own cores.

    n : the values of the ``n`` factor (size classes such as ``"small"`` /
        ``"large"``, or sizes); the caller maps them to N.
    target : include the ``target`` factor (all of TARGETS), or a sequence
        of targets, or False to leave it out (every core generic).
    """
    from fftforge.config import FFTConfig, LANES, TARGETS
    factors = {}
    for name, allowed in FFTConfig.OPTIONS:
        values = list(allowed)
        if name in _VALUE_ORDER:
            if set(_VALUE_ORDER[name]) != set(values):
                raise ValueError(f"{name}: the option table's values {values} changed")
            values = list(_VALUE_ORDER[name])
        if name == "scaling":
            values = [v2 for v in values if v not in CONSTRAINED_SCALINGS
                      for v2 in ((v, "scaled-clip") if v == "scaled" else (v,))]
        factors[name] = values
    factors["lanes"] = list(LANES)
    factors["n"] = list(n)
    if target:
        factors["target"] = list(TARGETS if target is True else target)
    return factors


def scaling_config(scaling: str, n: int) -> dict:
    """The FFTConfig fields of a ``scaling`` factor value for size ``n``:
    ``scaled-clip`` is ``scaling="scaled"`` with the schedule 0, 0, 1, ..."""
    if scaling == "scaled-clip":
        return {"scaling": "scaled", "schedule": (0, 0) + (1,) * (n.bit_length() - 3)}
    return {"scaling": scaling}
