"""CheckReport's verdict: full rate means `lanes` samples per cycle."""

from fftforge.sim.check import CheckReport


def _report(**kw):
    base = dict(name="x", frames=4, bit_exact=True, mismatches={}, first_mismatch=None, sqnr_db=70.0,
                sqnr_bound_db=60.0, latency_cycles=100, latency_expected=100, input_samples_per_cycle=1.0,
                output_gaps=0, stalled_bit_exact=True, stall_mismatches={})
    base.update(kw)
    return CheckReport(**base)


def test_full_rate_depends_on_lanes():
    assert _report().ok
    assert _report(lanes=4, input_samples_per_cycle=4.0).ok
    assert not _report(lanes=4, input_samples_per_cycle=1.0).ok
    assert not _report(input_samples_per_cycle=0.5).ok


def test_any_failed_check_fails_the_report():
    assert not _report(bit_exact=False).ok
    assert not _report(latency_cycles=101).ok
    assert not _report(sqnr_db=59.0).ok
    assert not _report(output_gaps=1).ok
    assert not _report(stalled_bit_exact=False).ok
