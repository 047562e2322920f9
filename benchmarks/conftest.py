"""Benchmark hooks: ``pytest --benchmark-only`` works with the default addopts, shows only
benchmarks, saves the run for a later comparison, and prints the project's summary first.

The project's addopts carry ``--benchmark-disable`` (the normal test run executes each
benchmark once as a smoke test). pytest-benchmark refuses ``--benchmark-only`` together with
a bare ``--benchmark-disable``; asking for only the benchmarks means asking for timings, so
``--benchmark-only`` re-enables them here (``--benchmark-enable`` does the same explicitly),
and also turns on ``--benchmark-autosave`` so the run lands in ``.benchmarks/`` for
``pytest-benchmark compare``. The other tests are deselected (one summary line) rather than
skipped one by one. The table layout (columns, grouping, sorting: within 120 columns) is in
``[tool.pytest.ini_options]`` in pyproject.toml. This conftest is loaded at start-up
whenever ``benchmarks`` is on the command line or in ``testpaths`` (a bare ``pytest``),
which is before pytest-benchmark reads the options.
"""

from __future__ import annotations

import pytest

from .harness import GATES, SIZES, TIMINGS, Timing


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    option = config.option
    if getattr(option, "benchmark_only", False):
        if getattr(option, "benchmark_disable", False):
            option.benchmark_enable = True
        if not (option.benchmark_save or option.benchmark_json or option.benchmark_autosave):
            from pytest_benchmark.utils import get_tag  # the name --benchmark-autosave uses

            option.benchmark_autosave = get_tag()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under --benchmark-only, deselect the other tests instead of skipping each with a line."""
    if not config.getoption("benchmark_only", False):
        return
    keep, drop = [], []
    for item in items:
        (keep if "benchmark" in getattr(item, "fixturenames", ()) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _fmt(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.0f} us"
    return f"{seconds * 1e9:.0f} ns"


def _count(value: int) -> str:
    """200, 1e4, 1e6: sizes and epoch counts short enough for a 120-column table."""
    text = f"{value:.0e}".replace("e+0", "e")
    return str(value) if value < 10_000 or float(text) != value else text


def _table(title: str, header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells) -> str:
        text = "  ".join(f"{cell:<{width}}" for cell, width in zip(cells, widths, strict=True))
        return text.rstrip()

    return [title, line(header), line("-" * w for w in widths), *map(line, rows)]


def _per_fit(gd: list[Timing]) -> list[str]:
    columns = sorted({(t.n, t.epochs) for t in gd})
    cell = {(t.name, t.n, t.epochs): _fmt(t.median) for t in gd}
    names = list(dict.fromkeys(t.name for t in gd))
    header = ["median per fit", *(f"n={_count(n)} e={_count(e)}" for n, e in columns)]
    rows = [[name, *(cell.get((name, n, e), "-") for n, e in columns)] for name in names]
    return _table("gd: median time of one fit (e epochs; - = skipped)", header, rows)


def _per_epoch(gd: list[Timing]) -> list[str]:
    best: dict[tuple[str, int], Timing] = {}
    for t in gd:  # per n, the run with the most epochs: the smallest fixed-cost share
        if t.epochs > getattr(best.get((t.name, t.n)), "epochs", 0):
            best[t.name, t.n] = t
    names = list(dict.fromkeys(t.name for t in gd))

    def cell(name: str, n: int) -> str:
        t = best.get((name, n))
        return "-" if t is None else f"{_fmt(t.median / t.epochs)} ({t.epochs})"

    header = ["median / epochs", *(f"n={_count(n)}" for n in SIZES)]
    rows = [[name, *(cell(name, n) for n in SIZES)] for name in names]
    return _table("gd: cost per epoch, at the most epochs timed (in brackets)", header, rows)


def summary_lines() -> list[str]:
    """Per-fit medians of the gd groups, per-epoch cost by n, and the ratio-gate results."""
    lines: list[str] = []
    gd = [t for t in TIMINGS if t.group.startswith("gd ") and t.epochs]
    if gd:
        lines += [*_per_fit(gd), "", *_per_epoch(gd), ""]
    if GATES:
        rows = [
            [target, f"{value:.3g}", bound, _verdict(bound, ok)]
            for target, value, bound, ok in GATES
        ]
        lines += _table(
            "ratio gate (same-process medians)", ["target", "measured", "required", ""], rows
        )
    return lines


def _verdict(required: str, ok: bool) -> str:
    """ok or FAILED for a gated target; a ratio that is only reported has no verdict."""
    if required.strip("()") == "reported":
        return "-"
    return "ok" if ok else "FAILED"


@pytest.hookimpl(tryfirst=True)  # before pytest-benchmark's own tables
def pytest_terminal_summary(terminalreporter) -> None:
    lines = summary_lines()
    if lines:
        terminalreporter.write_sep("-", "benchmark summary (benchmarks/conftest.py)")
        for line in lines:
            terminalreporter.write_line(line)
