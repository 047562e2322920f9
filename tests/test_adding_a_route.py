"""Adding a route is a function plus one registry line: nothing else, anywhere.

A route defined here and put into ``fitters.ROUTES`` (what its ``Route(...)`` line in
``fitters/registry.py`` does) gets every check that applies to it, the benchmarks' timings
and a row of the report, with no other edit.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import fitters
from fitters.datafiles import lecture_data
from fitters.report import new_report, run_routes
from fitters.testing import parametrize_with_checks, yield_checks


def numpy_loop(x, y, init, lr, epochs):
    """Full-batch gradient descent in NumPy: a new route for next week's lecture."""
    X = np.column_stack([np.ones(len(y)), x])
    b = init.copy()
    losses = []
    for _ in range(epochs):
        r = y - X @ b
        losses.append(r @ r / len(y))
        b = b + lr * 2 * X.T @ r / len(y)
    return b, losses


NEW = fitters.route(numpy_loop, dtype="float64", iterative=True, name="numpy_loop")


@pytest.fixture
def registered(monkeypatch):
    monkeypatch.setitem(fitters.ROUTES, NEW.name, NEW)  # the one registry line
    yield NEW


def test_it_gets_every_applicable_check(registered):
    # parametrize_with_checks over the registry now holds the new route x each of its checks
    ids = [param.id for param in parametrize_with_checks(fitters.ROUTES).args[1]]
    expected = [f"numpy_loop-{c.name}(dtype=float64)" for c in yield_checks(registered)]
    assert expected and all(i in ids for i in expected), expected
    assert {c.name for c in yield_checks(registered)} >= {
        "check_trajectory",
        "check_loss_history",
        "check_defaults",
        "check_divergence_reported",
    }


def test_it_gets_benchmarked(registered):
    # the benchmark module, imported with the route registered, times it in every gd group
    import benchmarks.test_routes as bench

    try:
        importlib.reload(bench)
        assert registered in bench.ITERATIVE
        marks = [m for m in bench.test_gd.pytestmark if m.name == "parametrize"]
        assert any(registered in m.args[1] for m in marks if m.args[0] == "route")
    finally:
        importlib.reload(bench)  # the module as the rest of the session collected it


def test_it_gets_a_report_row(registered):
    # the report runs it beside the lecture's routes and judges it against its bound
    report = new_report(lecture_data(), epochs=50)
    (result,) = list(run_routes(report, [registered.name]))
    assert result.name == "numpy_loop" and result.status == "pass", result.note
    assert result.epochs == 50 and result.bound is not None
