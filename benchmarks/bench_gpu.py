"""GPU timing for the cost model (issue 13, item 5): torch.fft vs the DFT as a
matmul for FNet's 2-D transform, and the PyTorch FFT convolution, on the
GPU this runs on; prints measured vs model and writes a JSON record.

Run:  .venv/bin/python benchmarks/bench_gpu.py [--json out.json] [--quick]

Needs PyTorch with CUDA and a GPU.  Without one it prints one SKIP line and
exits 0 (nothing is measured, nothing is written).  The model side uses the
preset named by --target (default: h100 if the device name says H100, else
a100) with the library FFT (cuFFT) implementation.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time


def skip(why: str) -> int:
    print(f"SKIP: {why}; no GPU timing was done")
    return 0


def timed(fn, reps: int) -> float:
    import torch
    fn()
    torch.cuda.synchronize()
    best = float("inf")
    for _ in range(reps):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", help="write the measurements and model figures here")
    ap.add_argument("--target", help="cost-model preset to compare with (default from the device name)")
    ap.add_argument("--quick", action="store_true", help="fewer sizes and repetitions")
    a = ap.parse_args(argv)
    try:
        import torch
    except ImportError:
        return skip("PyTorch is not installed (pip install torch)")
    if not torch.cuda.is_available():
        return skip("torch.cuda.is_available() is False (no CUDA GPU)")

    import numpy as np
    from fftforge.costmodel.evaluate import Options, evaluate
    from fftforge.costmodel.hardware import load_target
    from fftforge.costmodel.workloads import Shape

    dev = torch.device("cuda")
    name = torch.cuda.get_device_name(0)
    target = a.target or ("h100" if "H100" in name.upper() else "a100")
    t = load_target(target)
    reps = 3 if a.quick else 10
    d, batch = 768, 8
    ns = [512, 2048, 8192] if a.quick else [512, 1024, 2048, 4096, 8192, 16384]
    rows = []
    print(f"device: {name}; torch {torch.__version__}; model target {target}; reps {reps} (best of)")
    print(f"FNet 2-D transform, batch {batch}, d {d}: measured vs model [ms]")
    print(f"{'n':>6} {'fft meas':>9} {'fft model':>9} {'dft meas':>9} {'dft model':>9}  dft/fft meas  model")
    for n in ns:
        x = torch.randn(batch, n, d, device=dev, dtype=torch.float32)
        t_fft = timed(lambda: torch.fft.fft2(x).real, reps)          # what FNet's FFT path does
        xb = x.to(torch.bfloat16)
        cn = torch.randn(2 * n, n, device=dev, dtype=torch.bfloat16)  # [C_n; S_n] stand-in (timing only)
        cd = torch.randn(d, 2 * d, device=dev, dtype=torch.bfloat16)
        def dft():
            y = xb @ cd                                                 # X [C_d | S_d]: (B, n, 2d)
            re, im = y[..., :d], y[..., d:]
            return cn[:n] @ re - cn[n:] @ im                            # Re(F_n Y)
        t_dft = timed(dft, reps)
        sh = Shape(B=batch, n=n, d=d)
        m_fft = float(evaluate("fnet-fft", t, sh, options=Options(fft_impl="library")).latency_s[0])
        m_dft = float(evaluate("fnet-dft", t, sh).latency_s[0])
        rows.append({"kind": "fnet", "n": n, "batch": batch, "d": d, "fft_s": t_fft, "dft_s": t_dft,
                     "model_fft_s": m_fft, "model_dft_s": m_dft})
        print(f"{n:>6} {t_fft * 1e3:>9.3f} {m_fft * 1e3:>9.3f} {t_dft * 1e3:>9.3f} {m_dft * 1e3:>9.3f}"
              f"  {t_dft / t_fft:>12.2f} {m_dft / m_fft:>6.2f}")
        del x, xb
    print(f"\nFFT convolution (torch.fft.rfft -> multiply -> irfft), batch 64, d {d}: measured vs model [ms]")
    for n in ([1024, 4096] if a.quick else [256, 1024, 4096, 16384]):
        try:
            u = torch.randn(64, d, n, device=dev, dtype=torch.float32)
        except torch.cuda.OutOfMemoryError:
            break
        k = torch.randn(d, n, device=dev, dtype=torch.float32)
        def conv():
            kf = torch.fft.rfft(k, n=2 * n)
            uf = torch.fft.rfft(u, n=2 * n)
            return torch.fft.irfft(uf * kf, n=2 * n)[..., :n]
        tm = timed(conv, reps)
        mm = float(evaluate("fftconv", t, Shape(B=64, n=n, d=d), options=Options(fft_impl="cufft")).latency_s[0])
        rows.append({"kind": "fftconv", "n": n, "batch": 64, "d": d, "torch_s": tm, "model_cufft_s": mm})
        print(f"{n:>6} measured {tm * 1e3:9.3f}  model {mm * 1e3:9.3f}  model/measured {mm / tm:5.2f}")
        del u, k
    doc = {"device": name, "torch": torch.__version__, "python": platform.python_version(),
           "target": target, "date": time.strftime("%Y-%m-%d"), "rows": rows}
    if a.json:
        with open(a.json, "w") as f:
            json.dump(doc, f, indent=1)
        print(f"wrote {a.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
