"""fftforge.sim.multibench on two tiny cores in one model: both pass
bit-exact with latency as the descriptor says, and the Verilog checker
catches a changed, a dropped and a swapped expected word."""

import os
import re
import subprocess

import numpy as np

from fftforge.config import FFTConfig
from fftforge.pyref.stimulus import make_stimulus
from fftforge.sim.multibench import CoreSpec, MultiBench, Segment


def _segments(cfg, rng):
    f0 = cfg.latency_cycles // cfg.frame_cycles + 3
    re0, im0 = make_stimulus("random", f0, cfg.n, cfg.width, rng)
    re1, im1 = make_stimulus("random", 8, cfg.n, cfg.width, rng)
    inv = (lambda f: rng.random(f) < 0.5) if cfg.direction == "runtime" else (lambda f: None)
    return [Segment(re0, im0, inv(f0), streaming=True),
            Segment(re1, im1, inv(8), idle_cycles=cfg.drain_after + 3)]


def test_two_cores_in_one_model_and_the_checker_has_teeth(tmp_path):
    rng = np.random.default_rng(3)
    cfgs = [FFTConfig(n=16, width=10, twiddle_width=10, drain_after=2, name="mb_a"),
            FFTConfig(n=16, lanes=2, arch="r2sdf", direction="runtime", order="bit_reversed", width=8,
                      twiddle_width=8, drain_after=4, name="mb_b")]
    specs = [CoreSpec(c, _segments(c, rng)) for c in cfgs]
    run = MultiBench(specs, str(tmp_path), seed=3).run()
    for core in run.cores:
        s0, s1 = core.segments
        assert s0.bit_exact and s1.bit_exact
        assert s0.latency == core.cfg.latency_cycles and s0.in_span == s0.accepted and s0.out_gaps == 0
        assert s1.drain_gaps > 0 and s1.stall_pct > 20
        assert s1.gaps >= s1.drain_gaps and s0.gaps == s0.valid_bursts == 0

    exp_path = tmp_path / "exp_1.hex"
    exp = exp_path.read_text().split()

    def rerun(lines):
        exp_path.write_text("\n".join(lines) + "\n")
        r = subprocess.run([os.path.join(tmp_path, "obj", "multi_tb")], cwd=tmp_path, capture_output=True, text=True)
        assert r.returncode == 0
        return {(int(a), int(b)): dict(kv.split("=") for kv in rest.split())
                for a, b, rest in re.findall(r"RESULT (\d+) (\d+) (.*)", r.stdout)}

    flip = list(exp)
    flip[5] = format(int(flip[5], 16) ^ 1, f"0{len(flip[5])}x")
    st = rerun(flip)
    assert st[1, 0]["errors"] == "1" and st[1, 1]["errors"] == "0" and st[0, 0]["errors"] == "0"
    st = rerun(exp[:30] + exp[31:] + [exp[-1]])          # a word dropped (the core "duplicates" one)
    assert int(st[1, 0]["errors"]) + int(st[1, 1]["errors"]) > 0
    swap = list(exp)
    k = next(i for i in range(40, len(exp) - 1) if exp[i] != exp[i + 1])
    swap[k], swap[k + 1] = swap[k + 1], swap[k]
    st = rerun(swap)
    assert sum(int(st[1, s]["errors"]) for s in (0, 1)) == 2
    st = rerun(exp)
    assert all(v["errors"] == "0" and v["extra"] == "0" for v in st.values())
