"""The ``fftforge`` entry point: one module per command from a static list,
every command's help, ``python -m fftforge.cli``, and a wrong file given as
``--core`` answered in one line by the installed command."""

import os
import subprocess
import sys

import numpy as np
import pytest

import fftforge.cli as cli
from fftforge.cli import COMMANDS, build_parser, main

NAMES = ["generate", "sim", "model", "vectors", "demo", "cost", "build", "run", "synth", "prove"]


def _subcommands(parser):
    return next(a for a in parser._actions if a.dest == "command").choices


def test_commands_are_a_static_list_in_help_order():
    assert list(_subcommands(build_parser())) == NAMES
    assert [m.__name__ for m in COMMANDS] == [
        "fftforge.costmodel.cli" if n == "cost" else f"fftforge.cli.{n}" for n in NAMES]
    src = open(cli.__file__).read()
    assert "importlib" not in src and "ModuleNotFoundError" not in src


@pytest.mark.parametrize("argv", [[n] for n in NAMES] + [["generate", k] for k in ("fft", "filter", "fftnet")])
def test_every_command_has_help(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv + ["--help"])
    assert e.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: fftforge {' '.join(argv)}")


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2 and "COMMAND" in capsys.readouterr().out
    assert main(["generate"]) == 2


def _run(args, cwd):
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_python_m_fftforge_cli(tmp_path):
    r = _run([sys.executable, "-m", "fftforge.cli", "prove", "--list"], tmp_path)
    assert r.returncode == 0 and "butterfly" in r.stdout


def test_installed_command_answers_a_binary_core_in_one_line(tmp_path):
    np.save(tmp_path / "x.npy", np.arange(16))
    exe = os.path.join(os.path.dirname(sys.executable), "fftforge")
    cmd = [exe] if os.path.exists(exe) else [sys.executable, "-m", "fftforge.cli"]
    r = _run(cmd + ["vectors", "--core", "x.npy", "-o", "v"], tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("fftforge: error: x.npy is not a core descriptor")


def test_output_into_a_closed_pipe_is_no_traceback(tmp_path):
    # the reader has gone before fftforge writes: its first flush meets a closed pipe
    r = subprocess.run(f"'{sys.executable}' -m fftforge.cli prove --list | true", shell=True,
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in r.stderr and "BrokenPipe" not in r.stderr, r.stderr
