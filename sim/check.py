"""High-level checks of a generated core in simulation: build the stimulus,
compute the bit-true expectation with pyref, run the cocotb bench, and report
bit-exactness, SQNR against the float reference, latency and throughput."""

from __future__ import annotations

import dataclasses
from typing import Optional

import numpy as np

from fftforge.pyref import lanes
from fftforge.pyref.fft import FFTModel, fft_float, from_lanes, sqnr_db
from fftforge.pyref.noise import sqnr_bound_db
from fftforge.pyref.stimulus import make_stimulus
from fftforge.sim.runner import SimJob, VerilatorSim

__all__ = ["CheckReport", "check_fft_core", "check_core", "bfp_sqnr_bound_db"]


@dataclasses.dataclass
class CheckReport:
    name: str
    frames: int
    bit_exact: bool
    mismatches: dict
    first_mismatch: Optional[dict]
    sqnr_db: float
    sqnr_bound_db: Optional[float]     # None where SQNR is not meaningful (impulse, dc, square)
    latency_cycles: int
    latency_expected: int
    input_samples_per_cycle: float
    output_gaps: int
    stalled_bit_exact: Optional[bool]
    stall_mismatches: Optional[dict]
    lanes: int = 1                     # samples per transfer: full rate is `lanes` samples/cycle
    full_rate: Optional[float] = None  # the input rate at full throughput (None: `lanes`; a core with
    #                                    cycles_per_sample K: `lanes` per K cycles over the run's span)

    @property
    def ok(self) -> bool:
        return (self.bit_exact and self.latency_cycles == self.latency_expected
                and (self.sqnr_bound_db is None or self.sqnr_db >= self.sqnr_bound_db)
                and self.input_samples_per_cycle == (float(self.lanes) if self.full_rate is None else self.full_rate)
                and self.output_gaps == 0
                and self.stalled_bit_exact in (None, True))

    def to_dict(self):
        d = dataclasses.asdict(self)
        d["ok"] = self.ok
        return d

    def summary(self) -> str:
        def yn(b):
            return "yes" if b else "NO"
        lines = [
            f"  bit-exact vs bit-true model : {yn(self.bit_exact)} ({self.frames} frames, every word of every field)",
        ]
        if self.stalled_bit_exact is not None:
            lines.append(f"  bit-exact under random valid/ready stalls and idle gaps : {yn(self.stalled_bit_exact)}")
        if not self.bit_exact or self.stalled_bit_exact is False:
            lines.append(f"  mismatches: {self.mismatches} / stalled {self.stall_mismatches}; first: {self.first_mismatch}")
        lines += [
            f"  SQNR vs NumPy float reference : {self.sqnr_db:.1f} dB"
            + (f" (bound {self.sqnr_bound_db:.1f} dB from the noise model: "
               f"{'met' if self.sqnr_db >= self.sqnr_bound_db else 'NOT MET'})"
               if self.sqnr_bound_db is not None else ""),
            f"  latency : {self.latency_cycles} cycles (descriptor says {self.latency_expected}: "
            f"{'match' if self.latency_cycles == self.latency_expected else 'MISMATCH'})",
            f"  throughput : {self.input_samples_per_cycle:.3f} samples/cycle in, "
            f"{self.output_gaps} output gaps while streaming",
            f"  result : {'PASS' if self.ok else 'FAIL'}",
        ]
        return "\n".join(lines)


def fft_job(cfg, kind: str, frames: int, seed: int, **job_kw):
    """Stimulus, bit-true expectation and float reference for an FFT core."""
    rng = np.random.default_rng(seed)
    re, im = make_stimulus(kind, frames, cfg.n, cfg.width, rng)
    inverse = rng.random(frames) < 0.5 if cfg.direction == "runtime" else None
    y_re, y_im, y_ovf, *exponent = FFTModel(cfg)(re, im, inverse)
    # stream words: one per group of P samples (P = lanes), lane 0 lowest
    inputs = lanes.input_words(cfg, re, im)
    expected = lanes.output_words(cfg, y_re, y_im, y_ovf, *exponent)
    job = SimJob(inputs=inputs, expected=expected, direction=inverse, seed=seed, **job_kw)
    ref = fft_float(cfg, re + 1j * im, inverse)
    return job, ref, (y_re, y_im)


def bfp_sqnr_bound_db(cfg, re, im, inverse, ref, margin_db: float = 1.0) -> float:
    """SQNR bound of a block-floating-point core on frames ``re``, ``im``:
    the analytic noise model of the design study
    (:func:`fftforge.pyref.bfp.predicted_sqnr_db`, within 0.3 dB of the
    measurement there) for the frames' own shifts, less ``margin_db``."""
    from fftforge.pyref.bfp import BFPDesign, BFPModel, predicted_sqnr_db
    design = BFPDesign(cfg, cfg.shifts, input_norm=True, output_width=cfg.output_width)
    model = BFPModel(design)
    model(re, im, inverse)
    return predicted_sqnr_db(design, ref, model.last) - margin_db


def check_fft_core(descriptor_path: str, frames: int = 20, kind: str = "random", seed: int = 1,
                   p_valid: float = 0.7, p_ready: float = 0.7, stalls: bool = True,
                   build_dir: Optional[str] = None) -> CheckReport:
    """Run an FFT core through two jobs: no stalls (latency, throughput,
    bit-exactness, SQNR) and random valid/ready stalls with idle gaps
    (bit-exactness).  Run-time-length cores (``runtime_n``): frames of
    random sizes on the multibench instead
    (:func:`fftforge.sim.runtime_n.check_runtime_n_core`)."""
    from fftforge.hdl.export import load_core
    cfg, desc = load_core(descriptor_path)
    if getattr(cfg, "runtime_n", None) is not None:
        # run-time length: frames of random sizes on the multibench
        from fftforge.sim.runtime_n import check_runtime_n_core
        return check_runtime_n_core(cfg, frames, kind, seed, p_valid, p_ready, stalls, build_dir)
    sim = VerilatorSim(descriptor_path, build_dir=build_dir)
    # Enough frames that the input never runs dry before the first output.
    frames_nostall = max(frames, -(-desc["latency_cycles"] // cfg.frame_cycles) + 2)
    job0, ref, (y_re, y_im) = fft_job(cfg, kind, frames_nostall, seed)
    bound = None
    if kind in ("random", "tone"):
        x_re, x_im = from_lanes(cfg, job0.inputs)
        if cfg.bfp:
            bound = bfp_sqnr_bound_db(cfg, x_re, x_im, job0.direction, ref)
        else:
            p_in = float(np.mean(x_re.astype(float) ** 2 + x_im.astype(float) ** 2))
            bound = sqnr_bound_db(cfg, ref, p_in)
    jobs = [job0]
    if stalls:
        job1, _, _ = fft_job(cfg, kind, frames, seed + 1, p_valid=p_valid, p_ready=p_ready,
                             idle_every=3, idle_cycles=cfg.drain_after + 5)
        jobs.append(job1)
    res = sim.run(jobs)
    r0 = res[0]
    o_re, o_im = from_lanes(cfg, r0.outputs)
    measured = o_re + 1j * o_im.astype(np.float64)
    if cfg.bfp:                      # block floating point: DFT(x) ~= output * 2**exponent
        measured = measured * 2.0 ** np.asarray(r0.outputs["exponent"], dtype=np.float64)
    return CheckReport(
        name=cfg.name, frames=frames_nostall, bit_exact=r0.bit_exact, mismatches=r0.mismatches,
        first_mismatch=r0.first_mismatch, sqnr_db=sqnr_db(ref, measured), sqnr_bound_db=bound,
        latency_cycles=r0.latency, latency_expected=cfg.latency_cycles,
        input_samples_per_cycle=r0.accepted * cfg.lanes / r0.in_span, output_gaps=r0.out_gaps,
        stalled_bit_exact=res[1].bit_exact if stalls else None,
        stall_mismatches=res[1].mismatches if stalls else None,
        lanes=cfg.lanes,
        full_rate=None if cfg.cycles_per_sample == 1 else     # one transfer every K cycles
        r0.accepted * cfg.lanes / ((r0.accepted - 1) * cfg.cycles_per_sample + 1),
    )


def check_core(descriptor_path: str, **kw):
    """Check any generated core with the simulation check of its descriptor's
    ``kind`` (:attr:`fftforge.kinds.CoreKind.checker_ref`)."""
    from fftforge.hdl.export import load_core
    from fftforge.kinds import get
    kind = get(load_core(descriptor_path)[1]["kind"])
    return kind.checker()(descriptor_path, **kw)
