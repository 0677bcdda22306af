"""Run-time-length FFT cores (``runtime_n``) on Verilator against the
bit-true model, in one multibench model (:mod:`fftforge.sim.multibench`):
frames of random sizes back to back (the ``log2n`` port driven with each
frame's first transfer, out-of-range values included: clamped), every word
of every output field compared (samples, ``last``, ``overflow``), transfers
counted (nothing lost, duplicated or reordered), under random valid/ready
stalls and idle gaps that make the core drain; one streaming segment per
size, starting with a frame of that size into an empty pipeline: its
latency is ``latency_by_n`` and the core takes and emits one sample every
cycle across every size change (no bubbles); per-size SQNR of the received
words against NumPy meets the noise model's bound."""

import pytest

from fftforge.config import FFTConfig
from fftforge.sim.multibench import CoreSpec, MultiBench
from fftforge.sim.runtime_n import runtime_n_problems, runtime_n_segments


def _run(cfgs, tmp_path, seed):
    specs = [CoreSpec(c, runtime_n_segments(c, seed + i)) for i, c in enumerate(cfgs)]
    run = MultiBench(specs, str(tmp_path), seed=seed).run()
    bad = []
    for core, spec in zip(run.cores, specs):
        bad += runtime_n_problems(core, spec, core.cfg.name)
        assert any(s.drain_gaps for s in core.segments)
    assert not bad, "\n".join(bad)


def test_runtime_n_cores_nmax64(tmp_path):
    """Both archs at NMAX = 64, NMIN = 8: r22sdf natural order with run-time
    direction (generic), r2sdf bit-reversed unscaled (ECP5 primitives)."""
    _run([FFTConfig(n=64, runtime_n=8, direction="runtime", name="rtn_r22_64"),
          FFTConfig(n=64, runtime_n=8, arch="r2sdf", order="bit_reversed", scaling="unscaled", target="ecp5",
                    name="rtn_r2_64")], tmp_path, seed=11)


@pytest.mark.slow
def test_runtime_n_cores_larger(tmp_path):
    """Larger NMAX: r22sdf 512 (odd log2: the other parity is the even
    sizes) natural ECP5 with NMIN = 8, r2sdf 256 natural truncate with NMIN = 32,
    r22sdf 128 bit-reversed, NMIN = NMAX / 2."""
    _run([FFTConfig(n=512, runtime_n=8, target="ecp5", name="rtn_r22_512"),
          FFTConfig(n=256, runtime_n=32, arch="r2sdf", rounding="truncate", name="rtn_r2_256"),
          FFTConfig(n=128, runtime_n=64, order="bit_reversed", direction="inverse", name="rtn_r22_128")],
         tmp_path, seed=21)
