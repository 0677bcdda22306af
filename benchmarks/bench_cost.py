"""Cost-model benchmarks: sweep speed, FNet-Base DFT-vs-FFT crossover on TPUs
(library and ideal FFT), FFTNet on FPGA vs TPU vs GPU, validation against
published figures.  Run: .venv/bin/python benchmarks/bench_cost.py"""

import platform
import time

import numpy as np

from fftforge.costmodel import compare
from fftforge.costmodel import validate
from fftforge.costmodel.evaluate import Options, evaluate, evaluate_kernels
from fftforge.costmodel.hardware import load_target
from fftforge.costmodel.workloads import Shape


def sweep_speed():
    # 100 000 configurations: n (2^6..2^16, 11) x d (64..2048 step 64, 32) x batch (1..285), first 100 000
    n = 2 ** np.arange(6, 17)
    d = np.arange(64, 2049, 64)
    B = np.arange(1, 286)
    N, D, BB = np.meshgrid(n, d, B, indexing="ij")
    N, D, BB = N.ravel()[:100_000], D.ravel()[:100_000], BB.ravel()[:100_000]
    print(f"sweep: {N.size} configurations per (workload, target)")
    print(f"{'workload@target':<26} {'seconds':>8} {'configs/s':>12}")
    for w, t in (("fftnet", "tpu-v3"), ("fnet-dft", "tpu-v4"), ("attention", "h100"), ("fftnet", "ecp5-85f")):
        tg = load_target(t)
        t0 = time.perf_counter()
        evaluate(w, tg, Shape(B=BB, n=N, d=D, h=1))
        dt = time.perf_counter() - t0
        print(f"{w + '@' + t:<26} {dt:>8.2f} {N.size / dt:>12.0f}")


def fnet_crossover():
    n = 2 ** np.arange(7, 17)
    for impl, what in (("library", "library FFT (XLA on the TPU vector unit, the default)"),
                       ("ideal", "ideal four-step FFT (small-DFT matmuls on the MXU)")):
        print(f"\nFNet-Base (d = 768, batch 1): DFT as dense matmuls vs {what}")
        for t in ("tpu-v3", "tpu-v4"):
            tg = load_target(t)
            opt = Options(fft_impl=impl)
            ev = [evaluate(w, tg, Shape(n=n, d=768), options=opt) for w in ("fnet-dft", "fnet-fft")]
            print(f"  {t}:  n      dft-matmul      fft            ratio dft/fft")
            for i, nv in enumerate(n):
                print(f"        {nv:>6} {ev[0].latency_s[i]:>12.3e} s {ev[1].latency_s[i]:>12.3e} s "
                      f"{ev[0].latency_s[i] / ev[1].latency_s[i]:>8.2f}")
            xs = compare.crossovers(ev, n, "latency_s") + compare.crossovers(ev, n, "energy_j")
            print("   ", compare.format_crossovers(xs, ev).replace("\n", "\n    "))
    c = validate.load_published()["fnet_tpu"].get("complex_real_matmuls", 4)
    print(f"\nFNet-Base (d = 768, batch 1) as FNet's reference code computes it (validate.fnet_code_kernels): "
          f"complex64 einsum ({c} real bf16 matmuls per complex one) vs jnp.fft.fftn (C2C, library FFT)")
    for t in ("tpu-v3", "tpu-v4"):
        tg = load_target(t)
        sh = Shape(n=n, d=768)
        B, nn, d, _ = sh.arrays()
        dk, fk = validate.fnet_code_kernels(B, nn, d, c)
        ev = [evaluate_kernels(dk, tg, sh, workload="fnet-dft (FNet code)"),
              evaluate_kernels(fk, tg, sh, workload="fnet-fft (FNet code)")]
        print(f"  {t}:  n      dft-matmul      fft            ratio dft/fft")
        for i, nv in enumerate(n):
            print(f"        {nv:>6} {ev[0].latency_s[i]:>12.3e} s {ev[1].latency_s[i]:>12.3e} s "
                  f"{ev[0].latency_s[i] / ev[1].latency_s[i]:>8.2f}")
        xs = compare.crossovers(ev, n, "latency_s")
        print("   ", compare.format_crossovers(xs, ev).replace("\n", "\n    "))


def validation():
    print()
    print(validate.format_report(validate.validate()))


def fftnet_targets():
    n = 2 ** np.arange(8, 17)
    targets = ("tpu-v3", "ecp5-85f", "ultrascale-vu9p", "h100")
    for B in (1, 32):
        ev = [evaluate("fftnet", load_target(t), Shape(B=B, n=n, d=768)) for t in targets]
        print(f"\nFFTNet layer (d = 768, batch {B})")
        print(compare.format_table(ev, n))
        xs = compare.crossovers(ev, n, "latency_s") + compare.crossovers(ev, n, "energy_j")
        print(compare.format_crossovers(xs, ev))


if __name__ == "__main__":
    print(f"python {platform.python_version()} on {platform.machine()}, numpy {np.__version__}")
    sweep_speed()
    fnet_crossover()
    fftnet_targets()
    validation()
