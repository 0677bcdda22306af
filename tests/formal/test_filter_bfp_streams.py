"""The block-floating-point filter's control (the bfp forward FFT's input
normaliser and read-out shifter, the exponent FIFO to the output) inside the
stream contract: ``fftforge prove`` set ``filter.r22sdf.n8.bfp``
(k-induction proof ~30 s and covers ~6 min on a shared 2-core VM: marked
slow, like the other filter sets)."""

import pytest

from fftforge.formal.registry import get, registry, run_set


@pytest.mark.slow
def test_bfp_filter_stream_proof(formal_dir, report):
    assert "filter.r22sdf.n8.bfp" in registry()
    results = run_set(get("filter.r22sdf.n8.bfp"), build_dir=formal_dir)
    report(results)
    assert all(r.status == "PASS" for r in results), [r.log for r in results if not r.passed]
