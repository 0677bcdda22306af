"""Stream contract, conservation, frames and latency: PipelineControl and
whole FFTCores (fftforge.formal.streams)."""

import pytest

from fftforge.formal.registry import get, registry, run_set

# N=8 r22sdf in `make test` (~25 s on the 2-core VM); the rest are slow.
FAST = ["control.r22sdf.n8", "core.r22sdf.n8"]
SLOW = ["control.r2sdf.n8", "core.r2sdf.n8", "control.r22sdf.n16", "control.r2sdf.n16",
        "core.r22sdf.n16", "core.r2sdf.n16", "core.r22sdf.n16.p2", "core.r2sdf.n16.p4",
        "core.r22sdf.n8.runtime", "core.r22sdf.n16.rtn8", "core.r22sdf.n8.k2", "core.r22sdf.n8.k3"]


@pytest.mark.parametrize("name", FAST)
def test_stream_proofs(name, formal_dir, report):
    results = run_set(get(name), build_dir=formal_dir)
    report(results)
    assert all(r.status == "PASS" for r in results), [r.log for r in results if not r.passed]


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_stream_proofs_slow(name, formal_dir, report):
    results = run_set(get(name), build_dir=formal_dir)
    report(results)
    assert all(r.status == "PASS" for r in results)


@pytest.mark.parametrize("name", ["core.r22sdf.n8.k2", "core.r22sdf.n8.k3"])
def test_reduced_rate_stream_proofs(name, formal_dir, report):
    """cycles_per_sample 2 and 3 (time-shared multipliers, one advance every
    K cycles): the k-induction proof of the stream contract, conservation
    and latency (~6 s each; the cover runs are in the slow set)."""
    from fftforge.formal.runner import run_sby
    chk = get(name).checks[0]
    assert chk.mode == "prove"
    r = run_sby(f"{name}.prove", chk.build(), mode=chk.mode, depth=chk.depth, build_dir=formal_dir)
    report([r])
    assert r.status == "PASS", r.log


@pytest.mark.parametrize("name", ["filter.r22sdf.n8", "filter.overlap_save.n8"])
def test_filter_stream_proofs(name, formal_dir, report):
    """The spectral filter core (same control and FIFO as the FFT core) and
    the overlap-save wrapper (framer + FilterCore + discarder): the
    k-induction proof only (their cover runs are in the slow set)."""
    from fftforge.formal.runner import run_sby
    chk = get(name).checks[0]
    assert chk.mode == "prove"
    r = run_sby(f"{name}.prove", chk.build(), mode=chk.mode, depth=chk.depth, build_dir=formal_dir)
    report([r])
    assert r.status == "PASS", r.log


def test_overlap_save_capacity():
    """In flight <= (C // n) L + min(C % n, L): 58 for N=8, M=3 (C = 76);
    with 2 lanes, in transfers (n = 4, hist = 1, L = 3, C = 60): 45."""
    from fftforge.formal.registry import overlap_save_config
    from fftforge.config import OUTPUT_FIFO_DEPTH
    from fftforge.formal.streams import core_capacity, overlap_save_capacity
    cfg = overlap_save_config()
    assert core_capacity(cfg) == cfg.pipeline_latency + OUTPUT_FIFO_DEPTH == 76
    assert overlap_save_capacity(cfg) == 9 * 6 + 4
    cfg2 = overlap_save_config(lanes=2)
    assert (cfg2.frame_cycles, core_capacity(cfg2)) == (4, cfg2.pipeline_latency + OUTPUT_FIFO_DEPTH) == (4, 60)
    assert overlap_save_capacity(cfg2) == 15 * 3 + 0
    # brute force over every start position of a run of C frame positions
    # (transfers), for every lane count and tap count the config accepts
    from fftforge.config import ConfigError
    from fftforge.filter_config import FilterConfig
    cfgs = [cfg, cfg2]
    for lanes in (1, 2, 4):
        for taps in range(2, 9):
            if (taps - 1) % lanes == 0:
                try:
                    cfgs.append(FilterConfig(n=16, taps=taps, mode="overlap_save", lanes=lanes, width=8,
                                             twiddle_width=8, coef_width=8, drain_after=2))
                except ConfigError:          # taps out of range for n = 16
                    pass
    assert len(cfgs) > 6
    for c in cfgs:
        n, hist, C = c.frame_cycles, (c.taps - 1) // c.lanes, core_capacity(c)
        assert overlap_save_capacity(c) == max(sum((s + j) % n >= hist for j in range(C)) for s in range(n)), c


@pytest.mark.slow
@pytest.mark.parametrize("name", ["filter.r22sdf.n8", "filter.r22sdf.n8.runtime2", "filter.r22sdf.n8.pairs",
                                  "fftnet.r22sdf.n8", "filter.overlap_save.n8",
                                  # P = 2 lanes (frames, capacity, history in transfers)
                                  "filter.r22sdf.n8.p2", "filter.r22sdf.n8.pairs.p2",
                                  "filter.overlap_save.n8.p2"])
def test_filter_proofs_slow(name, formal_dir, report):
    results = run_set(get(name), build_dir=formal_dir)
    report(results)
    assert all(r.status == "PASS" for r in results)


def test_registry_covers_both_archs_and_sizes():
    names = set(registry())
    for arch in ("r2sdf", "r22sdf"):
        for n in (8, 16):
            assert f"core.{arch}.n{n}" in names and f"control.{arch}.n{n}" in names
    for name in names:
        ps = registry()[name]
        assert ps.checks and ps.description
