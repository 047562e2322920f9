"""``pytest --benchmark-only`` shows only benchmarks (the rest deselected in one line, not
skipped one by one) and saves the run for ``pytest-benchmark compare``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


# a child pytest with the benchmarks (~10 s): in the slow run, which CI makes
@pytest.mark.slow
def test_benchmark_only_deselects_other_tests_and_autosaves():
    code = (
        "import sys, pytest\n"
        "class Probe:\n"
        "    def pytest_collection_finish(self, session):\n"
        "        print('AUTOSAVE', session.config.option.benchmark_autosave)\n"
        "        print('ENABLED', session.config.option.benchmark_enable)\n"
        "raise SystemExit(pytest.main(sys.argv[1:], plugins=[Probe()]))\n"
    )
    proc = subprocess.run(
        [
            *(sys.executable, "-c", code, "--benchmark-only", "--collect-only", "-q"),
            *("-p", "no:cacheprovider", "tests/test_quiet.py", "benchmarks/test_ratio_gate.py"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
        # a pytest started from an xdist worker must not think it is one (that disables timing)
        env={k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")},
    )
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "Skipping non-benchmark" not in out
    assert "tests/test_quiet.py" not in out, "non-benchmark tests must be deselected"
    assert "benchmarks/test_ratio_gate.py::test_core_vs_scalar_route" in out
    assert " deselected" in out
    tag = next(line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("AUTOSAVE"))
    assert tag not in ("None", "True") and len(tag) > 8, tag  # pytest-benchmark's commit tag
    assert "ENABLED True" in out


# the project's summary fits 120 columns at the full run's widest (every size and epoch count)
def test_summary_within_120_columns(monkeypatch):
    from benchmarks import conftest, harness

    names = ["apply_gradients_scalar", "keras_dense_bias", "compiled_core", "numpy_gd_moments"]
    runs = [(200, 100), (200, 1000), (200, 10_000), (10_000, 100)]
    runs += [(1_000_000, 10), (1_000_000, 1000), (1_000_000, 10_000)]
    timings = [
        harness.Timing(f"gd n={n} epochs={e}", name, n, e, 123.456789)
        for name in names
        for n, e in runs
    ]
    gates = [("n=1000000, 1000 epochs: compiled_core / read x, y once", 5.82, "(reported)", True)]
    monkeypatch.setattr(conftest, "TIMINGS", timings)
    monkeypatch.setattr(conftest, "GATES", gates)
    lines = conftest.summary_lines()
    assert max(map(len, lines)) <= 120, max(lines, key=len)
    assert lines[-1].split()[-1] == "-", "a reported ratio has no ok/FAILED verdict"
