"""The block-floating-point core's control (input normaliser, read-out
shifter, exponent FIFO) inside the stream contract: ``fftforge prove`` set
``core.r22sdf.n8.bfp`` (k-induction proof and covers, ~20 s)."""

from fftforge.formal.registry import get, registry, run_set


def test_bfp_core_stream_proof(formal_dir, report):
    assert "core.r22sdf.n8.bfp" in registry()
    results = run_set(get("core.r22sdf.n8.bfp"), build_dir=formal_dir)
    report(results)
    assert all(r.status == "PASS" for r in results), [r.log for r in results if not r.passed]
