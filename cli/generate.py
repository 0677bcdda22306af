"""``fftforge generate KIND``: a core's Verilog and descriptor JSON.  One
``generate`` subcommand per core kind, each added by the parser function its
entry in :data:`fftforge.kinds.KINDS` names (``cli_ref``): ``fft`` here,
``filter`` and ``fftnet`` in :mod:`fftforge.cli.generate_filter`."""

from __future__ import annotations

import argparse

from fftforge.cli.options import add_fft_options, add_wrapper_option, fft_config_from_args, wrapper_from_args
from fftforge.kinds import KINDS

__all__ = ["add_parser", "add_generate_fft", "cmd_generate_fft"]

GENERATE_EPILOG = """\
examples:
  fftforge generate fft --n 1024 --width 16 --twiddle-width 18 --arch r22sdf \\
      --direction forward --scaling scaled --rounding convergent \\
      --overflow saturate --order natural --name fft1024 -o out/
  fftforge generate fft --n 4096 --scaling unscaled --order bit_reversed -o out/

Writes <name>.v (Verilog) and <name>.json (the core descriptor: ports,
payload field offsets, widths, scaling, latency_cycles, resources);
with --wrapper axis also <name>_axis.v, an AXI4-Stream wrapper.
"""


def add_parser(sub):
    p = sub.add_parser("generate", help="generate a core (Verilog + descriptor JSON)",
                       description="Generate a core: Verilog plus its descriptor JSON.",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=GENERATE_EPILOG)
    gsub = p.add_subparsers(dest="kind", metavar="KIND")
    for kind in KINDS.values():          # one 'generate <kind>' per core kind (fftforge.kinds)
        kind.cli()(gsub, kind)
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])


def add_generate_fft(gsub, kind):
    """Add ``fftforge generate fft`` (``kind``: its :class:`fftforge.kinds.CoreKind`)."""
    pf = gsub.add_parser(kind.name, help=kind.description,
                         description="Streaming fixed-point FFT/iFFT core, 1 (or --lanes P) samples per clock.",
                         formatter_class=argparse.RawDescriptionHelpFormatter, epilog=GENERATE_EPILOG)
    add_fft_options(pf)
    add_wrapper_option(pf)
    pf.set_defaults(func=cmd_generate_fft)


def cmd_generate_fft(args):
    from fftforge.hdl.export import add_wrapper, generate
    wrapper = wrapper_from_args(args)
    cfg = fft_config_from_args(args)
    if wrapper and cfg.runtime_n is not None:
        from fftforge.errors import UserError
        from fftforge.hdl.axis import RUNTIME_N_REFUSAL
        raise UserError(RUNTIME_N_REFUSAL)
    r = generate(cfg, args.output_dir)
    print(f"wrote {r['verilog']} and {r['json']} in {r['seconds']:.1f} s")
    if wrapper:
        print(f"wrote {add_wrapper(r, wrapper)['wrapper']} ({wrapper} wrapper, descriptor key 'wrapper')")
    print(f"  n={cfg.n} arch={cfg.arch} direction={cfg.direction} width={cfg.width}->{cfg.output_width} "
          f"scale_log2={cfg.scale_log2} latency_cycles={cfg.latency_cycles} "
          f"lanes={cfg.lanes} complex multipliers={cfg.complex_multipliers}")
