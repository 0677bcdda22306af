"""``fftforge run``: stream frames through a board built with ``fftforge build
--io uart`` (or through its simulation, ``--simulate``), check every output
word against the bit-true model and print the throughput
(:mod:`fftforge.fpga.host`, :mod:`fftforge.fpga.uart_sim`)."""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import time

import numpy as np

from fftforge.errors import UserError

__all__ = ["add_parser", "cmd_run", "load_run_info"]

RUN_EPILOG = """\
examples:
  fftforge build --board icebreaker --n 16 --io uart -o out/ice-uart
  iceprog out/ice-uart/build-icebreaker/top.bin
  fftforge run --build out/ice-uart --port /dev/ttyUSB1 --input x.npy --output y.npy
  fftforge run --build out/ice-uart --simulate --input x.npy        # no board: Verilator, UART at bit level
  fftforge run --core out/fft16.json --simulate --input x.npy       # simulate a core without a board build

Input: .npy of shape (frames, N), complex (integer-valued) or integer, or
integer (frames, N, 2), as for 'fftforge model'.  Every output word (samples,
last, overflow) is compared with the bit-true model; the exit status is 1 on
any mismatch.  --simulate runs the same host code against the board's RTL in
Verilator at 4 clock cycles per bit.
"""


def add_parser(sub):
    p = sub.add_parser("run", help="stream frames through a UART board build (or its simulation) and check them",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=RUN_EPILOG)
    p.add_argument("--build", metavar="DIR", help="what 'fftforge build --io uart -o DIR' wrote (its run.json)")
    p.add_argument("--core", metavar="JSON", help="--simulate only: a core descriptor, no board build")
    p.add_argument("--port", help="serial port of the board (iCEBreaker: usually /dev/ttyUSB1, ULX3S: /dev/ttyUSB0)")
    p.add_argument("--input", required=True, help="input .npy (frames of N samples)")
    p.add_argument("--output", help="write the board's output here (.npy)")
    p.add_argument("--format", choices=("complex", "int"), default="complex",
                   help="--output as complex128 (frames, N) or int64 (frames, N, 2)")
    p.add_argument("--inverse", default=None, help="runtime-direction cores: .npy of per-frame inverse flags")
    p.add_argument("--simulate", action="store_true",
                   help="run against the simulated board top (Verilator, UART at bit level) instead of a port")
    p.add_argument("--flip-rx", default="", metavar="K[,K...]",
                   help="--simulate: corrupt byte K (from 0) on the line into the board (watch the recovery)")
    p.add_argument("--flip-tx", default="", metavar="K[,K...]",
                   help="--simulate: corrupt byte K on the line out of the board")
    p.add_argument("--work", metavar="DIR", help="--simulate: Verilator build folder (default DIR/sim or "
                                                  "build/uart-sim/<core>)")
    p.set_defaults(func=cmd_run)


def load_run_info(path: str) -> tuple:
    """``(run.json dict, its folder)`` from a build folder: ``DIR/run.json``
    or the one ``DIR/build-*/run.json``; UserError (one line) otherwise."""
    cands = [os.path.join(path, "run.json")] if os.path.isfile(os.path.join(path, "run.json")) else \
        sorted(glob.glob(os.path.join(path, "build-*", "run.json")))
    if not cands:
        raise UserError(f"--build {path}: no run.json (build with 'fftforge build --io uart -o {path}')")
    if len(cands) > 1:
        raise UserError(f"--build {path}: several board builds ({', '.join(os.path.dirname(c) for c in cands)}); "
                        f"name one of them")
    try:
        with open(cands[0]) as f:
            info = json.load(f)
    except (OSError, ValueError) as e:
        raise UserError(f"cannot read {cands[0]}: {e}") from None
    if info.get("schema") != "fftforge.run/1":
        raise UserError(f"{cands[0]}: not a 'fftforge build --io uart' record")
    return info, os.path.dirname(cands[0])


def _flips(text: str, name: str) -> list:
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise UserError(f"{name} must be byte numbers separated by commas, got {text!r}") from None


def cmd_run(args):
    from fftforge.fpga import protocol
    from fftforge.fpga.host import LinkSpec, Streamer, open_serial
    from fftforge.fpga.uart_top import check_streamable
    from fftforge.kinds import config_from_descriptor
    from fftforge.pyref import lanes
    from fftforge.pyref.arrays import load_inverse_flags, load_model_input, model_output, run_model
    from fftforge.sim.payload import pack, unpack

    if bool(args.build) == bool(args.core):
        raise UserError("give either --build DIR (a 'fftforge build --io uart' folder) or --core JSON (with "
                        "--simulate)")
    if args.core and not args.simulate:
        raise UserError("--core needs --simulate (a board runs what 'fftforge build --io uart' built: use --build)")
    if not args.simulate and not args.port:
        raise UserError("--port is required (e.g. /dev/ttyUSB1), or --simulate")
    if (args.flip_rx or args.flip_tx) and not args.simulate:
        raise UserError("--flip-rx/--flip-tx corrupt the simulated line: they need --simulate")
    flip_rx, flip_tx = _flips(args.flip_rx, "--flip-rx"), _flips(args.flip_tx, "--flip-tx")

    if args.build:
        info, bdir = load_run_info(args.build)
        desc_path = os.path.join(bdir, info["descriptor"])
        verilog = os.path.join(bdir, info["verilog"])
        baud, slots = int(info["baud"]), int(info["slots"])
        spram = info.get("frame_memory") == "spram"
        work = args.work or os.path.join(bdir, "sim")
    else:
        desc_path = args.core
        baud, slots = protocol.DEFAULT_BAUD, protocol.DEFAULT_SLOTS
        spram = False
        verilog = None
        work = None
    try:
        with open(desc_path) as f:
            desc = json.load(f)
    except (OSError, ValueError) as e:
        raise UserError(f"cannot read core descriptor {desc_path}: {e}") from None
    cfg = config_from_descriptor(desc)
    check_streamable(cfg, desc)
    if verilog is None:
        verilog = os.path.join(os.path.dirname(os.path.abspath(desc_path)), desc["files"]["verilog"])
        work = args.work or os.path.join("build", "uart-sim", desc["name"])
    if not os.path.exists(verilog):
        raise UserError(f"Verilog file {verilog} of core {desc['name']} not found")

    n = lanes.frame_samples(cfg)
    re, im = load_model_input(args.input, n)
    frames = re.shape[0]
    runtime = "direction" in desc["ports"]
    inverse = None
    if args.inverse:
        if not runtime:
            raise UserError(f"--inverse: core {desc['name']} has a fixed direction")
        inverse = load_inverse_flags(args.inverse).reshape(-1)
        if inverse.shape[0] != frames:
            raise UserError(f"--inverse: {inverse.shape[0]} flags for {frames} frames")
    elif runtime:
        inverse = np.zeros(frames, dtype=bool)

    # the bit-true model (fftforge model's code path) and the words on the line
    expected = lanes.output_words(cfg, *run_model(cfg, re, im, inverse))
    pin, pout = desc["ports"]["input"], desc["ports"]["output"]
    t = lanes.frame_transfers(cfg)
    win = lanes.input_words(cfg, re, im)
    words = pack(pin["fields"], {k: np.asarray(v).reshape(-1) for k, v in win.items()}, frames * t)
    in_frames = [words[k * t:(k + 1) * t] for k in range(frames)]

    if args.simulate:
        from fftforge.fpga.uart_sim import SimBoard
        print(f"building the simulated board top of {desc['name']} in {work} ...", flush=True)
        board = SimBoard(desc, verilog, work, slots=slots, spram=spram)
        spec = board.spec
        port = board.open(flip_rx=flip_rx, flip_tx=flip_tx)
    else:
        spec = LinkSpec(frame_words=t, in_width=pin["width"], out_width=pout["width"], slots=slots, baud=baud)
        port = open_serial(args.port, baud)
    streamer = Streamer(port, spec)
    try:
        out = streamer.run(in_frames, inverse)
    finally:
        port.close()
    st = streamer.stats

    got = unpack(pout["fields"], [w for fr in out for w in fr])
    bad = {}
    first = None
    wrong = np.zeros(frames * lanes.frame_transfers(cfg), dtype=bool)     # words with any field wrong
    for name in pout["fields"]:
        want = np.asarray(expected[name]).reshape(-1)
        have = np.asarray(got[name]).reshape(-1)
        wrong |= want != have
        diff = np.nonzero(want != have)[0]
        if diff.size:
            bad[name] = int(diff.size)
            k = int(diff[0])
            if first is None or k < first[1]:
                first = (name, k, int(have[k]), int(want[k]))
    if args.output:
        samples = lanes.from_words(cfg, {k: np.asarray(v).reshape(frames, t) for k, v in got.items()})
        y_re = samples["re"]
        y_im = samples.get("im", np.zeros_like(y_re))
        np.save(args.output, model_output(y_re, y_im, args.format))

    total_words = frames * t
    secs = st.seconds
    print(f"{frames} frames of {n} samples through {'the simulated board' if args.simulate else args.port}: "
          f"{total_words - int(wrong.sum())} of {total_words} output words match the "
          f"bit-true model" + ("" if not bad else f" ({', '.join(f'{k}: {v} wrong' for k, v in bad.items())})"))
    print(f"  line: {st.bytes_out} bytes to the board ({st.data_sent} DATA packets, {st.resent} resent), "
          f"{st.bytes_in} bytes back; {st.naks} NAKs, {st.corrupt} corrupted packets, "
          f"{st.lost_results} results lost and recomputed, {st.timeouts} polls")
    line_s = max(st.bytes_in, st.bytes_out) * 10 / baud
    if args.simulate:
        cyc = port.cycles or 0
        busy_in = (port.tx_bytes or 0) * 10 * board.divisor / cyc if cyc else 0.0
        busy_out = (port.rx_bytes or 0) * 10 * board.divisor / cyc if cyc else 0.0
        print(f"  simulated: {cyc} clock cycles at {board.divisor} cycles per bit; the line was busy "
              f"{busy_out * 100:.0f} % (to the board) and {busy_in * 100:.0f} % (back) of them; "
              f"{secs:.2f} s wall time ({frames / secs if secs else 0:.0f} frames/s simulated)")
        print(f"  on the board at {baud} baud the same bytes take {line_s * 1e3:.1f} ms of line time: "
              f"{frames / line_s:.0f} frames/s, {frames * n / line_s:.0f} samples/s (line-bound)")
    else:
        share = line_s / secs if secs else 0.0
        print(f"  {secs:.3f} s: {frames / secs:.1f} frames/s, {frames * n / secs:.0f} samples/s; "
              f"the UART at {baud} baud was busy {share * 100:.0f} % of the time (the rest: host, USB, protocol)")
    if bad:
        name, k, have, want = first
        print(f"fftforge: error: output word {k} (frame {k // t}) field {name}: board {have}, model {want}",
              file=sys.stderr)
        return 1
    return 0
