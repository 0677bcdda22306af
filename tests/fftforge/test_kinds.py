"""The table of core kinds (:mod:`fftforge.kinds`): every kind round-trips a
descriptor, has a bit-true model, a simulation check, a ``generate`` parser
and (where named) formal sets, and every place that serves a kind reads it
from the table; an unknown kind is one line naming the known ones."""

import dataclasses
import inspect
import json

import numpy as np
import pytest

from fftforge import kinds
from fftforge.errors import UserError
from fftforge.hdl.export import load_core
from fftforge.pyref import lanes

KIND_NAMES = list(kinds.KINDS)


def _small(kind):
    """A small configuration of ``kind`` (N = 16, 8-bit data)."""
    return kind.config(n=16, width=8, name=f"k_{kind.name}")


def _one_line_naming_all(err):
    msg = str(err)
    assert "\n" not in msg, msg
    for name in kinds.KINDS:
        assert name in msg, msg


def test_table_entries_are_frozen_and_unambiguous():
    assert KIND_NAMES == ["fft", "filter", "fftnet"]        # the order 'generate' lists them in
    configs = [k.config for k in kinds.KINDS.values()]
    assert len(set(configs)) == len(configs)                 # kind_of is unambiguous
    for name, k in kinds.KINDS.items():
        assert isinstance(k, kinds.CoreKind) and k.name == name
        with pytest.raises(dataclasses.FrozenInstanceError):
            k.name = "other"
        assert kinds.get(name) is k
        assert kinds.kind_of(_small(k)) is k
    assert kinds.CoreKind.__doc__ and "Parameters" in kinds.CoreKind.__doc__
    assert kinds.__doc__ and "Examples" in kinds.__doc__


@pytest.mark.parametrize("name", KIND_NAMES)
def test_every_kind_round_trips_a_descriptor(name, tmp_path):
    kind = kinds.get(name)
    cfg = _small(kind)
    desc = json.loads(json.dumps(kind.descriptor()(cfg)))    # as written to <name>.json
    assert desc["kind"] == name
    assert set(desc) == set(kinds.COMMON_DESCRIPTOR_KEYS) | set(kind.descriptor_extras)
    back = kinds.config_from_descriptor(desc)
    assert type(back) is kind.config and back.to_dict() == cfg.to_dict()
    path = tmp_path / "core.json"
    path.write_text(json.dumps(desc))
    loaded, d = load_core(str(path))                          # the one descriptor loader
    assert type(loaded) is kind.config and loaded.to_dict() == cfg.to_dict() and d == desc


@pytest.mark.parametrize("name", KIND_NAMES)
def test_every_kind_has_a_model(name):
    kind = kinds.get(name)
    cfg = _small(kind)
    model = kinds.model_for(cfg)
    assert isinstance(model, kind.model())
    from fftforge.pyref.registry import model_for
    assert type(model_for(cfg)) is type(model)
    rng = np.random.default_rng(1)
    t = lanes.frame_samples(cfg)
    re = rng.integers(-100, 100, (2, t))
    im = np.zeros_like(re) if "im" not in getattr(cfg, "sample_fields", ("re", "im")) else \
        rng.integers(-100, 100, (2, t))
    y_re, y_im, ovf = lanes.model_stream(cfg, re, im)
    assert np.shape(y_re) == np.shape(y_im) == np.shape(ovf) == (2, t)


@pytest.mark.parametrize("name", KIND_NAMES)
def test_every_kind_has_a_checker_taking_the_sim_options(name):
    checker = kinds.get(name).checker()
    # what 'fftforge sim' passes (fftforge.cli.sim.cmd_sim via check_core)
    inspect.signature(checker).bind("core.json", frames=2, kind="random", seed=1, p_valid=0.7,
                                    p_ready=0.7, stalls=True, build_dir=None)


@pytest.mark.parametrize("name", KIND_NAMES)
def test_check_core_dispatches_through_the_table(name, tmp_path, monkeypatch):
    from fftforge.sim import check
    assert not hasattr(check, "CHECKERS")                     # no registration by import
    kind = kinds.get(name)
    path = tmp_path / "core.json"
    path.write_text(json.dumps(kind.descriptor()(_small(kind))))
    seen = []
    monkeypatch.setattr(kinds.CoreKind, "checker",
                        lambda self: lambda p, **kw: seen.append((self.name, p, kw)) or "report")
    assert check.check_core(str(path), frames=3) == "report"
    assert seen == [(name, str(path), {"frames": 3})]


def test_references_resolve_and_generate_lists_every_kind():
    from fftforge.cli import build_parser
    for k in kinds.KINDS.values():
        for acc in (k.core, k.generate, k.descriptor, k.model, k.checker, k.cli):
            assert callable(acc())
        assert k.demo_ref is None or callable(k.demo())
        assert k.formal_ref is None or callable(k.formal())
    parser = build_parser()
    gen = next(a for a in parser._subparsers._group_actions[0].choices["generate"]._actions
               if a.dest == "kind")
    assert list(gen.choices) == KIND_NAMES
    for name, p in gen.choices.items():
        assert p.format_usage().startswith(f"usage: fftforge generate {name}")


def test_formal_sets_of_every_kind_are_in_the_registry():
    from fftforge.formal.registry import registry
    from fftforge.formal.streams import CoreHarness
    names = list(registry())
    refs = []
    for k in kinds.KINDS.values():
        if k.formal_ref is None or k.formal_ref in refs:
            continue
        refs.append(k.formal_ref)
        sets = k.formal()(CoreHarness)
        assert sets and all(s.name in names for s in sets)
    assert any(n.startswith("core.") for n in names) and any(n.startswith("fftnet.") for n in names)


def test_unknown_kind_is_one_line_naming_the_known_kinds(tmp_path):
    for bad in ("nosuchkind", None, ["fft"]):
        with pytest.raises(UserError, match="unknown core kind") as e:
            kinds.get(bad)
        _one_line_naming_all(e.value)
    with pytest.raises(UserError, match="unknown core kind 'nosuchkind'") as e:
        kinds.config_from_descriptor({"kind": "nosuchkind", "config": {}})
    _one_line_naming_all(e.value)
    path = tmp_path / "k.json"
    path.write_text(json.dumps({"kind": "nosuchkind", "config": {}}))
    with pytest.raises(UserError, match="unknown core kind 'nosuchkind'") as e:
        load_core(str(path))
    _one_line_naming_all(e.value)
    assert str(path) in str(e.value)

    class Unknown:
        n, lanes = 16, 1
    with pytest.raises(UserError, match="is not the configuration of a core kind") as e:
        kinds.kind_of(Unknown())
    _one_line_naming_all(e.value)
    assert kinds.kind_of(Unknown(), None) is None
    with pytest.raises(UserError, match="no bit-true model") as e:
        kinds.model_for(Unknown())
    assert "\n" not in str(e.value)


def test_fpga_flow_builds_from_config_only_kinds_that_say_so(tmp_path):
    from fftforge.fpga.core import core_from_config
    for k in kinds.KINDS.values():
        if not k.fpga_from_config:
            with pytest.raises(UserError, match=f"cannot generate a {k.config.__name__} here"):
                core_from_config(_small(k), str(tmp_path))
    assert [k.name for k in kinds.KINDS.values() if k.fpga_from_config] == ["fft"]
    assert [k.name for k in kinds.KINDS.values() if k.fpga_calibrates] == ["fft"]


def test_calibration_takes_rows_of_calibrating_kinds_only(tmp_path):
    from fftforge.fpga.calibrate import calibrate
    rows = [{"family": "ecp5", "core": {"kind": "filter", "name": "f"}, "luts": 100}]
    with pytest.raises(UserError, match="no synthesis results"):
        calibrate(rows, path=str(tmp_path / "cal.toml"))
