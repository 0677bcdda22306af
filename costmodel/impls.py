"""FFT implementations per target kind: the FFT a user actually runs, and the
ideals kept as what-ifs.

``--fft-impl`` takes ``library`` (default: the FFT the framework's library
gives out of the box on each target), ``ideal`` (the best mapping this model
knows for each target), or one implementation name below (it must apply to
every target asked for).

========== ================= ==================================================
kind       name              what is modelled
========== ================= ==================================================
systolic   ``xla-vpu``       library (default): XLA's FFT op on the TPU, in
                             complex64 on the vector unit (VPU), one HBM round
                             trip per FFT op, a transpose round trip when the
                             transform axis is not the minor one
systolic   ``four-step-mxu`` ideal: four-step FFT as small-DFT matmuls on the
                             matrix units (bf16), twiddles on the VPU
gpu        ``cufft``         library (default): cuFFT as called by torch.fft /
                             jnp.fft, fp32 on CUDA cores, one HBM read + write
                             of complex64 per pass of ``fft_single_pass``
                             points, each op its own kernel
gpu        ``fused-tc``      ideal: a fused tensor-core FFT (FlashFFTConv-
                             style): the DFT factors as fp16/bf16 matmuls on
                             tensor cores, a chain (FFT -> multiply -> iFFT)
                             reads its input and writes its output once
fpga       ``fftforge``      library and ideal: fftforge cores as calibrated
========== ================= ==================================================
"""

from __future__ import annotations

from fftforge.errors import UserError

__all__ = ["IMPLS", "LIBRARY", "IDEAL", "resolve", "describe", "impl_names"]

IMPLS = {
    "systolic": {
        "xla-vpu": "XLA FFT op on the TPU vector unit (complex64, fp32), HBM round trip per op, "
                   "transposes for non-minor axes",
        "four-step-mxu": "four-step FFT as small-DFT matmuls on the matrix units (bf16), twiddles on the VPU",
    },
    "gpu": {
        "cufft": "cuFFT via torch.fft/jnp.fft: fp32 on CUDA cores, complex64 HBM read+write per pass, "
                 "one kernel per op",
        "fused-tc": "fused tensor-core FFT (FlashFFTConv-style): fp16 DFT-factor matmuls on tensor cores, "
                    "one HBM read and write per chain",
    },
    "fpga": {
        "fftforge": "fftforge streaming cores as calibrated (single source: FFTConfig / FFTNetConfig)",
    },
}
LIBRARY = {"systolic": "xla-vpu", "gpu": "cufft", "fpga": "fftforge"}
IDEAL = {"systolic": "four-step-mxu", "gpu": "fused-tc", "fpga": "fftforge"}


def impl_names() -> list:
    """Every accepted ``--fft-impl`` value."""
    return ["library", "ideal"] + [n for d in IMPLS.values() for n in d]


def resolve(spec: str, kind: str, target_name: str = "") -> str:
    """The implementation name ``spec`` means on a target of ``kind``."""
    if spec in (None, "", "library"):
        return LIBRARY[kind]
    if spec == "ideal":
        return IDEAL[kind]
    if spec in IMPLS.get(kind, {}):
        return spec
    if spec not in impl_names():
        raise UserError(f"unknown --fft-impl {spec!r}; choose from {', '.join(impl_names())}")
    raise UserError(f"--fft-impl {spec} does not apply to {target_name or kind} ({kind}); "
                    f"for {kind} targets choose library, ideal or {', '.join(IMPLS[kind])}")


def describe(name: str) -> str:
    for kind, d in IMPLS.items():
        if name in d:
            role = "library default" if LIBRARY[kind] == name else "ideal (what-if)"
            if LIBRARY[kind] == name and IDEAL[kind] == name:
                role = "library default and ideal"
            return f"{name} [{role}]: {d[name]}"
    raise KeyError(name)
