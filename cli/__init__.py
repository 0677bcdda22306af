"""The ``fftforge`` command line.  Thin: each subcommand parses its options,
builds a configuration, calls the library and prints.  Errors in user input
print one line (``fftforge: error: ...``) and exit with status 2."""

from __future__ import annotations

import argparse
import importlib
import sys

from fftforge.config import ConfigError
from fftforge.errors import UserError

# Subcommand modules; each provides ``add_parser(subparsers)`` which registers
# its parser(s) and sets ``func`` (a callable taking the parsed args and
# returning an exit status or None).
SUBCOMMAND_MODULES = (
    "fftforge.cli.core",       # generate, sim, model, vectors, demo
    "fftforge.costmodel.cli",  # cost
    "fftforge.cli.fpga",       # build, synth (FPGA flow)
    "fftforge.cli.prove",      # prove (formal verification)
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fftforge",
        description="Generate, verify, build and cost FFT accelerator cores.",
        epilog="Run 'fftforge COMMAND --help' for the options of each command.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for modname in SUBCOMMAND_MODULES:
        importlib.import_module(modname).add_parser(sub)
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
    return int(rc or 0)

