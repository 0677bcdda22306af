"""Helpers shared by the cocotb filter benches (one and P lanes): generate a
core, make a random-weight config, run :func:`fftforge.sim.check.check_core`
and assert everything a passing bench must show."""

import numpy as np

from fftforge.filter_config import FFTNetConfig
from fftforge.hdl.filter import generate
from fftforge.sim.check import check_core
from fftforge.sim.check_filter import random_bias, random_weights


def make_core(tmp_path_factory, cfg):
    """Generate ``cfg`` into a fresh folder; return (descriptor, build dir)."""
    out = tmp_path_factory.mktemp("core")
    paths = generate(cfg, str(out))
    return paths["json"], str(out / "build")


def random_cfg(cls, seed, **kw):
    """``cls(name="dut", **kw)`` with random weights (FFTNet: and biases)."""
    cfg0 = cls(name="dut", **kw)
    rng = np.random.default_rng(seed)
    wr, wi = random_weights(cfg0, rng)
    extra = {"bias": tuple(random_bias(cfg0, rng))} if cls is FFTNetConfig else {}
    return cfg0.replace(weights_re=wr.ravel(), weights_im=wi.ravel(), **extra)


def check(path, build, frames, all_writes=True, **kw):
    """Run the bench and assert: bit-exact with and without stalls, latency =
    formula, full rate (``lanes`` samples per cycle, no output gaps), SQNR >=
    bound; runtime cores: writes went in (all of them if ``all_writes``)
    before and during the run, and frames saw several memory states."""
    rep = check_core(path, frames=frames, seed=3, build_dir=build, **kw)
    assert rep.bit_exact, (rep.mismatches, rep.first_mismatch)
    assert rep.stalled_bit_exact, (rep.stall_mismatches, rep.first_mismatch)
    assert rep.latency_cycles == rep.latency_expected
    assert rep.input_samples_per_cycle == rep.lanes and rep.output_gaps == 0
    assert rep.sqnr_db >= rep.sqnr_bound_db, (rep.sqnr_db, rep.sqnr_bound_db)
    assert rep.ok
    if rep.stall_wseq is not None:
        assert rep.writes_accepted > 0
        if all_writes:
            assert rep.writes_accepted == rep.writes_offered
        assert len(set(rep.stall_wseq.tolist())) >= 3, rep.stall_wseq
        assert rep.stall_wseq[0] > 0, rep.stall_wseq
    return rep
