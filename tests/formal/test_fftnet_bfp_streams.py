"""The block-floating-point FFTNet layer's control (the bfp forward FFT's
input normaliser and read-out shifter, the block scaler between the multiply
and the modReLU, the exponent FIFO that carries its e2 to the output)
inside the stream contract: ``fftforge prove`` set ``fftnet.r22sdf.n8.bfp``
(k-induction proof 134 s, covers 1674 s on a loaded shared 2-core VM:
marked slow, like the other filter sets)."""

import pytest

from fftforge.formal.registry import get, registry, run_set


def test_bfp_fftnet_set_is_listed():
    pset = registry()["fftnet.r22sdf.n8.bfp"]
    assert pset.slow and [c.mode for c in pset.checks] == ["prove", "cover"]
    assert "scaling=bfp" in pset.description and "block scaler" in pset.description


@pytest.mark.slow
def test_bfp_fftnet_stream_proof(formal_dir, report):
    results = run_set(get("fftnet.r22sdf.n8.bfp"), build_dir=formal_dir)
    report(results)
    assert all(r.status == "PASS" for r in results), [r.log for r in results if not r.passed]
