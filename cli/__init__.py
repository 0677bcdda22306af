"""The ``fftforge`` command line: one module per command, in :data:`COMMANDS`.

Thin: each command module parses its options, calls the library and prints.
Errors in user input print one line (``fftforge: error: ...``) and exit with
status 2.

=========  ==========================================  =====================================
command    module                                      library it calls
=========  ==========================================  =====================================
generate   :mod:`fftforge.cli.generate` (+ one parser  :mod:`fftforge.hdl`,
           per core kind, :data:`fftforge.kinds.KINDS`) :mod:`fftforge.pyref.weights`
sim        :mod:`fftforge.cli.sim`                     :mod:`fftforge.sim.check`
model      :mod:`fftforge.cli.model`                   :mod:`fftforge.pyref.arrays`
vectors    :mod:`fftforge.cli.vectors`                 :mod:`fftforge.sim.vectors`
demo       :mod:`fftforge.cli.demo`                    :mod:`fftforge.hdl`, :mod:`fftforge.sim`
cost       :mod:`fftforge.costmodel.cli`               :mod:`fftforge.costmodel`
build      :mod:`fftforge.cli.build`                   :mod:`fftforge.fpga.boards`
run        :mod:`fftforge.cli.run`                     :mod:`fftforge.fpga.host`, :mod:`fftforge.fpga.uart_sim`
synth      :mod:`fftforge.cli.synth`                   :mod:`fftforge.fpga.flow`
prove      :mod:`fftforge.cli.prove`                   :mod:`fftforge.formal`
=========  ==========================================  =====================================

Each module provides ``add_parser(subparsers)``, which registers its parser
and sets ``func`` (a callable taking the parsed arguments and returning an
exit status or None).
"""

from __future__ import annotations

import argparse
import os
import sys

from fftforge.cli import build, demo, generate, model, prove, run, sim, synth, vectors
from fftforge.config import ConfigError
from fftforge.costmodel import cli as cost
from fftforge.errors import UserError

__all__ = ["COMMANDS", "build_parser", "main"]

#: the command modules, in the order ``fftforge --help`` lists them
COMMANDS = (generate, sim, model, vectors, demo, cost, build, run, synth, prove)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fftforge",
        description="Generate, verify, build and cost FFT accelerator cores.",
        epilog="Run 'fftforge COMMAND --help' for the options of each command.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.add_parser(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        rc = args.func(args)
    except (UserError, ConfigError) as e:
        msg = " ".join(line.strip() for line in str(e).splitlines() if line.strip())
        print(f"fftforge: error: {msg}", file=sys.stderr)     # always one line
        return 2
    except KeyboardInterrupt:
        print("fftforge: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:            # the reader went away (fftforge prove --list | head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())   # no second error at exit
        return 141
    return int(rc or 0)
