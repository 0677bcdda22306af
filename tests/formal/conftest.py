from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def formal_dir():
    """Work folder of the proofs run by the tests: build/formal-tests in the
    repository (failing proofs leave their counterexample VCDs there)."""
    d = ROOT / "build" / "formal-tests"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _report(results):
    for r in results:
        extra = f" counterexample: {r.vcd}" if r.vcd else ""
        print(f"{r.name}: {r.status} in {r.seconds:.1f}s{extra}")


@pytest.fixture
def report():
    """Print each check's verdict, time and (for failures) its VCD."""
    return _report
