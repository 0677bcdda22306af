"""The source tree is the import tree: every folder pyproject maps to a
``fftforge.*`` name exists and imports, ``tests/`` mirrors the source
folders, and the README's Layout section names every top-level folder."""

import importlib
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _package_dir():
    with open(ROOT / "pyproject.toml", "rb") as f:
        setup = tomllib.load(f)["tool"]["setuptools"]
    return setup["packages"], setup["package-dir"]


def test_every_mapped_folder_exists_and_imports_from_it():
    packages, dirs = _package_dir()
    assert sorted(packages) == sorted(dirs)
    for name, folder in dirs.items():
        assert (ROOT / folder / "__init__.py").is_file(), folder
        mod = importlib.import_module(name)
        assert Path(mod.__file__).resolve().parent == (ROOT / folder).resolve(), name
    # no subpackage hides inside fftforge/: each one is its own top-level folder
    assert not [p.name for p in (ROOT / "fftforge").iterdir() if p.is_dir() and p.name != "__pycache__"]


def test_tests_mirror_the_source_folders():
    _, dirs = _package_dir()
    for folder in dirs.values():
        assert (ROOT / "tests" / folder).is_dir(), f"tests/{folder}"


def test_readme_layout_names_every_folder():
    _, dirs = _package_dir()
    text = (ROOT / "README.md").read_text()
    section = re.search(r"^## Layout\n(.*?)^## ", text, re.S | re.M).group(1)
    for folder in list(dirs.values()) + ["tests", "benchmarks", "docs"]:
        assert f"`{folder}/`" in section, folder
    for name in dirs:
        assert f"`{name}`" in section, name
