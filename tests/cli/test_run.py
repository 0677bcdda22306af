"""``fftforge run``: the host code streaming frames through the UART top
around an N = 16 FFT core, simulated at bit level in Verilator
(``--simulate``), bit-exact against the bit-true model with bytes corrupted
on the line in both directions; one-line refusals; and (slow) the iCEBreaker
UART bitstream that fits, run in simulation from its build folder."""

import json
import os
import re

import numpy as np
import pytest

from fftforge.cli import main


@pytest.fixture(scope="module")
def core16(tmp_path_factory):
    d = tmp_path_factory.mktemp("core16")
    assert main(["generate", "fft", "--n", "16", "--width", "16", "--name", "fft16", "-o", str(d)]) == 0
    rng = np.random.default_rng(5)
    x = rng.integers(-2 ** 15, 2 ** 15, (12, 16)) + 1j * rng.integers(-2 ** 15, 2 ** 15, (12, 16))
    np.save(d / "x.npy", x)
    return d


def test_run_simulate_bit_exact_through_corrupted_bytes(core16, tmp_path, capsys):
    # byte 5 + 3: inside frame 0's DATA body (after the 5-byte RESET);
    # byte 400: a later DATA packet; tx byte 40: inside a STATUS or RESULT
    rc = main(["run", "--core", str(core16 / "fft16.json"), "--simulate", "--input", str(core16 / "x.npy"),
               "--output", str(tmp_path / "y.npy"), "--work", str(core16 / "sim"),
               "--flip-rx", "8,400", "--flip-tx", "40,700"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "192 of 192 output words match the bit-true model" in out
    m = re.search(r"\((\d+) DATA packets, (\d+) resent\), \d+ bytes back; (\d+) NAKs, (\d+) corrupted packets, "
                  r"(\d+) results lost", out)
    sent, resent, naks, corrupt, lost = map(int, m.groups())
    # every DATA packet is a first send, a go-back resend or a lost result's frame sent again
    assert naks >= 1 and resent >= 1 and corrupt >= 1 and sent == 12 + resent + lost
    assert "frames/s" in out and "samples/s" in out and "line was busy" in out
    # the output file is the bit-true model's output (fftforge model's words)
    assert main(["model", "--core", str(core16 / "fft16.json"), "--input", str(core16 / "x.npy"),
                 "--output", str(tmp_path / "ym.npy")]) == 0
    assert np.array_equal(np.load(tmp_path / "y.npy"), np.load(tmp_path / "ym.npy"))


def test_run_on_a_serial_port(core16, tmp_path, capsys):
    # the board path (pyserial on --port, run.json from a build folder),
    # with the simulated board behind a pseudo-terminal
    import threading

    from fftforge.fpga.boards import uart_run_info
    from fftforge.fpga.core import core_from_descriptor
    from fftforge.fpga.uart_sim import SimBoard
    core = core_from_descriptor(str(core16 / "fft16.json"))
    bdir = tmp_path / "build-icebreaker"
    info = uart_run_info(core, "icebreaker", 12e6, 1_000_000, 2, str(bdir))
    (bdir / "run.json").write_text(json.dumps(info))
    board = SimBoard(core.desc, core.verilog, str(core16 / "sim"))        # the build of the test above
    master, slave = os.openpty()
    tty = os.ttyname(slave)
    sim = board.open()
    stop = threading.Event()

    def to_board():
        while not stop.is_set():
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            sim.write(data)

    def to_host():
        sim.timeout = 0.05
        while not stop.is_set():
            data = sim.read(4096)
            if data:
                os.write(master, data)
    threads = [threading.Thread(target=f, daemon=True) for f in (to_board, to_host)]
    for t in threads:
        t.start()
    try:
        rc = main(["run", "--build", str(tmp_path), "--port", tty, "--input", str(core16 / "x.npy")])
    finally:
        stop.set()
        sim.close()
        os.close(slave)
        os.close(master)
    cap = capsys.readouterr()
    out = cap.out
    assert rc == 0, out + cap.err
    assert "192 of 192 output words match the bit-true model" in out and f"through {tty}" in out
    assert "frames/s" in out and "the UART at 1000000 baud was busy" in out


@pytest.mark.parametrize("argv, msg", [
    (["--simulate"], "give either --build DIR"),
    (["--core", "CORE"], "--core needs --simulate"),
    (["--build", "NOWHERE", "--port", "/dev/null"], "no run.json"),
    (["--build", "NOWHERE"], "--port is required"),
    (["--core", "CORE", "--simulate", "--flip-rx", "x"], "--flip-rx must be byte numbers"),
])
def test_run_refusals_are_one_line(core16, argv, msg, capsys, tmp_path):
    argv = [str(core16 / "fft16.json") if a == "CORE" else str(tmp_path / "none") if a == "NOWHERE" else a
            for a in argv]
    assert main(["run", "--input", str(core16 / "x.npy"), *argv]) == 2
    err = capsys.readouterr().err
    assert msg in err and err.count("\n") == 1


def test_run_refuses_a_filter_core_and_a_baud_the_clock_cannot_make(tmp_path, capsys):
    from fftforge.filter_config import FilterConfig
    from fftforge.hdl.filter import generate
    desc = generate(FilterConfig(n=16, width=8, coef_width=8, name="flt16"), str(tmp_path))["json"]
    np.save(tmp_path / "x.npy", np.zeros((1, 16), dtype=np.int64))
    assert main(["run", "--core", desc, "--simulate", "--input", str(tmp_path / "x.npy")]) == 2
    err = capsys.readouterr().err
    assert "--io uart streams FFT cores only" in err and err.count("\n") == 1
    assert main(["build", "--board", "ulx3s-85f", "--n", "16", "--io", "uart", "--baud", "3000000",
                 "-o", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert "--baud 3000000 is +4.2 % off at the 25 MHz clock" in err and err.count("\n") == 1
    assert main(["build", "--board", "icebreaker", "--n", "16", "--baud", "115200", "-o", str(tmp_path / "b")]) == 2
    assert "--io uart only" in capsys.readouterr().err


def test_ulx3s_uart_top_elaborates(tmp_path):
    # platform preparation only (no tools): uart pins, tx enable, two LEDs
    from fftforge.config import FFTConfig
    from fftforge.fpga.boards import resolve_board
    from fftforge.fpga.core import core_from_config
    from fftforge.fpga.uart_top import BoardUartTop
    core = core_from_config(FFTConfig(n=16, name="fft16"), str(tmp_path))
    top = BoardUartTop(core, 1_000_000)
    plan = resolve_board("ulx3s-85f")().prepare(top, name="top")
    assert "fft16.v" in plan.files and top.divisor == 25
    lpf = plan.files["top.lpf"]
    assert '"M1"' in lpf and '"L4"' in lpf and '"L3"' in lpf      # uart rx, tx, tx enable
    assert set(top.legend) == {"led0", "led1"}


@pytest.mark.slow
def test_icebreaker_uart_bitstream_fits_and_runs_in_simulation(tmp_path, capsys):
    out = tmp_path / "ice"
    assert main(["build", "--board", "icebreaker", "--n", "16", "--io", "uart", "-o", str(out)]) == 0
    bdir = out / "build-icebreaker"
    rep = json.loads((bdir / "report.json").read_text())
    assert rep["io"] == "uart" and os.path.getsize(bdir / "top.bin") == 104090
    assert rep["logic_cells"] <= 5280 and rep["dsps"] <= 8 and rep["fmax_mhz"] >= 12.0
    info = json.loads((bdir / "run.json").read_text())
    assert (info["baud"], info["divisor"], info["slots"], info["frame_words"]) == (1_000_000, 12, 2, 16)
    capsys.readouterr()
    rng = np.random.default_rng(6)
    np.save(tmp_path / "x.npy", rng.integers(-2 ** 15, 2 ** 15, (6, 16, 2)))
    assert main(["run", "--build", str(out), "--simulate", "--input", str(tmp_path / "x.npy")]) == 0
    assert "96 of 96 output words match" in capsys.readouterr().out


def test_run_simulate_spram_frame_buffers_and_sb_mac16_core(tmp_path, capsys):
    # the UP5K form: the frame buffers in SPRAM (one port: writes of the
    # next frame collide with the reads feeding the core, which takes a
    # word only every 3 cycles) around a K = 3 iCE40 core (SB_MAC16
    # accumulators); Yosys's models of both; bytes corrupted both ways
    from fftforge.fpga.boards import uart_run_info
    from fftforge.fpga.core import core_from_descriptor
    assert main(["generate", "fft", "--n", "64", "--width", "15", "--twiddle-width", "16", "--cycles-per-sample",
                 "3", "--rounding", "truncate", "--target", "ice40", "--name", "f64k3", "-o", str(tmp_path)]) == 0
    core = core_from_descriptor(str(tmp_path / "f64k3.json"))
    assert core.desc["files"]["sim_models"] == ["ice40_prims.v"]
    assert "SB_MAC16" in open(core.verilog).read()
    bdir = tmp_path / "out" / "build-icebreaker"
    info = uart_run_info(core, "icebreaker", 12e6, 1_000_000, 2, str(bdir), "spram")
    (bdir / "run.json").write_text(json.dumps(info))
    rng = np.random.default_rng(8)
    np.save(tmp_path / "x.npy", rng.integers(-2 ** 14, 2 ** 14, (8, 64, 2)))
    capsys.readouterr()
    assert main(["run", "--build", str(tmp_path / "out"), "--simulate", "--input", str(tmp_path / "x.npy"),
                 "--flip-rx", "300", "--flip-tx", "100"]) == 0
    out = capsys.readouterr().out
    assert "512 of 512 output words match the bit-true model" in out, out
    assert "SB_SPRAM256KA" in (bdir / "sim" / "uart_top.v").read_text()


def test_frame_memory_choice():
    from fftforge.fpga.uart_top import frame_memory
    assert frame_memory("iCE40UP5K", 30, 1024, 2) == "spram"        # N = 1024, 15-bit data
    assert frame_memory("iCE40UP5K", 32, 16, 2) == "block"          # small frames stay in block RAM
    assert frame_memory("iCE40HX8K", 30, 1024, 2) == "block"        # no SPRAM
    assert frame_memory("iCE40UP5K", 80, 1024, 2) == "block"        # wider than 4 SPRAM blocks


@pytest.mark.slow
def test_icebreaker_n1024_uart_fits_with_the_board_profile_and_runs_in_simulation(tmp_path, capsys):
    # issue 15's done criterion, literally: no core options (the UP5K profile
    # picks 15/16 bits, K = 3, truncate), SB_MAC16 accumulators, frame buffers in SPRAM
    out = tmp_path / "ice1024"
    assert main(["build", "--board", "icebreaker", "--n", "1024", "--io", "uart", "-o", str(out)]) == 0
    assert "using --width 15 --twiddle-width 16 --cycles-per-sample 3 --rounding truncate" in capsys.readouterr().out
    bdir = out / "build-icebreaker"
    rep = json.loads((bdir / "report.json").read_text())
    assert rep["logic_cells"] <= 5280 and rep["dsps"] <= 8 and rep["bram"] <= 30 and rep["fmax_mhz"] >= 12.0
    assert rep["utilization"]["ICESTORM_SPRAM"]["used"] == 2
    assert json.loads((bdir / "run.json").read_text())["frame_memory"] == "spram"
    rng = np.random.default_rng(9)
    np.save(tmp_path / "x.npy", rng.integers(-2 ** 14, 2 ** 14, (3, 1024, 2)))
    assert main(["run", "--build", str(out), "--simulate", "--input", str(tmp_path / "x.npy"),
                 "--flip-rx", "5000", "--flip-tx", "7000"]) == 0
    assert "3072 of 3072 output words match" in capsys.readouterr().out


def test_run_simulate_runtime_direction_two_lanes(tmp_path, capsys):
    # per-frame direction travels as the DATA/DATA_INV packet type; two lanes per word
    assert main(["generate", "fft", "--n", "16", "--direction", "runtime", "--lanes", "2", "--name", "f16rt",
                 "-o", str(tmp_path)]) == 0
    rng = np.random.default_rng(7)
    np.save(tmp_path / "x.npy", rng.integers(-2 ** 15, 2 ** 15, (6, 16, 2)))
    np.save(tmp_path / "inv.npy", np.array([0, 1, 1, 0, 1, 0]))
    capsys.readouterr()
    argv = ["--core", str(tmp_path / "f16rt.json"), "--input", str(tmp_path / "x.npy"), "--inverse",
            str(tmp_path / "inv.npy")]
    assert main(["run", *argv, "--simulate", "--output", str(tmp_path / "y.npy"), "--format", "int",
                 "--work", str(tmp_path / "sim")]) == 0
    assert "48 of 48 output words match the bit-true model" in capsys.readouterr().out
    assert main(["model", *argv, "--output", str(tmp_path / "ym.npy"), "--format", "int"]) == 0
    y, ym = np.load(tmp_path / "y.npy"), np.load(tmp_path / "ym.npy")
    assert y.shape == (6, 16, 2) and np.array_equal(y, ym)
    # the flags mattered: all-forward differs exactly on the inverse frames
    np.save(tmp_path / "fwd.npy", np.zeros(6, dtype=int))
    assert main(["model", "--core", str(tmp_path / "f16rt.json"), "--input", str(tmp_path / "x.npy"), "--inverse",
                 str(tmp_path / "fwd.npy"), "--output", str(tmp_path / "yf.npy"), "--format", "int"]) == 0
    yf = np.load(tmp_path / "yf.npy")
    assert [not np.array_equal(y[k], yf[k]) for k in range(6)] == [False, True, True, False, True, False]
