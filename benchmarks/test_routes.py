"""Every route of ``fitters.ROUTES`` timed against the NumPy baselines, grouped to compare.

Groups (each one table in pytest-benchmark's output):

- ``gd n=N epochs=E``: every iterative route and both NumPy loops fitting the same data with
  the same epochs; routes too slow for E are skipped there and appear at fewer epochs. At
  n = 1e6, 1000 epochs the group also holds the one-pass floors (reading the data once,
  computing X'X once), the yardstick of the compiled core. The end-of-run summary
  tabulates median / epochs by n: growing linearly in n for the eager routes (past their
  fixed dispatch cost), flat in epochs for the compiled core.
- ``closed n=N``: the closed forms and numpy.linalg.lstsq.
- ``validate n=N``: what ``Route.fit`` adds to ``Route.fit_problem`` (validation, the
  condition number), paid once per fit by every route.

Which routes run where follows from their metadata (iterative, max_predictors) and their
measured cost, never from their names: a new route in the registry is benchmarked for free.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import pytest
import tensorflow as tf

import fitters
from fitters import reference
from fitters.route_type import Route
from fitters.tolerances import route_bound
from fitters.validation import problem

from . import baselines
from .harness import LR, SIZES, bench, dataset, validated

ITERATIVE = [route for route in fitters.ROUTES.values() if route.iterative]
CLOSED = [route for route in fitters.ROUTES.values() if not route.iterative]
#: (n, epochs): the lecture's setting, fewer and more epochs, and n two and four decades up
GD_GRID = [
    (200, 100),
    (200, 1000),
    (200, 10_000),
    (10_000, 100),
    (1_000_000, 10),
    (1_000_000, 1000),
    (1_000_000, 10_000),
]
#: the compiled core's target: 1000 epochs at n = 1e6 against one pass over the data
FLOOR_N, FLOOR_EPOCHS = 1_000_000, 1000
#: a baseline loop is float64 like the routes it mirrors; on these well-conditioned data
#: (cond(X) ~ 4, a few epochs) it lands within ~1e-14 of the exact iterate, so 1e-9 only
#: catches wiring mistakes
BASELINE_RTOL = 1e-9


def _grid_id(value) -> str:
    return value.name if isinstance(value, Route) else str(value)


def _applies(route: Route, n: int) -> None:
    p = validated(n).p
    if route.max_predictors is not None and p > route.max_predictors:
        pytest.skip(f"{route.name} fits at most {route.max_predictors} predictor(s)")


def _checker(route: Route, n: int):
    """Assert a fit lies within the route's derived rounding bound of the exact iterate."""
    pb = validated(n)

    def check(fit: fitters.Fit) -> None:
        bound = route_bound(route, pb, lr=LR, epochs=fit.epochs)
        assert bound.holds(fit.coef), (
            f"{route.name} n={n} epochs={fit.epochs}: coef {fit.coef} is "
            f"{bound.error(fit.coef):.3g} from {bound.expected}, allowed {bound.max_l2_error:.3g} "
            f"({bound.formula})"
        )

    return check


@pytest.mark.parametrize(("n", "epochs"), GD_GRID, ids=[f"n={n}-epochs={e}" for n, e in GD_GRID])
@pytest.mark.parametrize("route", ITERATIVE, ids=_grid_id)
def test_gd(benchmark, route: Route, n: int, epochs: int) -> None:
    _applies(route, n)
    pb = validated(n)
    bench(
        benchmark,
        group=f"gd n={n} epochs={epochs}",
        name=route.name,
        n=n,
        epochs=epochs,
        run=lambda k: route.fit_problem(pb, lr=LR, epochs=k),
        check=_checker(route, n),
    )


BASELINE_LOOPS = {"numpy_gd": baselines.numpy_gd, "numpy_gd_moments": baselines.numpy_gd_moments}


@pytest.mark.parametrize(("n", "epochs"), GD_GRID, ids=[f"n={n}-epochs={e}" for n, e in GD_GRID])
@pytest.mark.parametrize("name", list(BASELINE_LOOPS))
def test_gd_numpy(benchmark, name: str, n: int, epochs: int) -> None:
    x, y = dataset(n)
    loop = BASELINE_LOOPS[name]
    init = np.array([-5.0, 10.0])

    def check(result: tuple[np.ndarray, np.ndarray]) -> None:
        coef, losses = result
        expected = reference.gd_iterate(validated(n), None, init, LR, len(losses))
        np.testing.assert_allclose(coef, expected, rtol=BASELINE_RTOL, err_msg=f"{name} n={n}")

    bench(
        benchmark,
        group=f"gd n={n} epochs={epochs}",
        name=name,
        n=n,
        epochs=epochs,
        run=lambda k: loop(x, y, init, LR, k),
        check=check,
    )


@functools.cache
def _floors(n: int) -> dict[str, tuple[Callable[[], object], object]]:
    """name -> (callable, the value it must return): the one-pass yardsticks at size n."""
    x, y = dataset(n)
    X = baselines.design(x)
    X_tf = tf.constant(X)
    gram = X.T @ X
    return {
        "read_once": (lambda: baselines.read_once(x, y), float(x.sum() + y.sum())),
        "gram_once_numpy": (lambda: baselines.gram_once(X), gram),
        "gram_once_tf": (lambda: baselines.gram_once_tf(X_tf).numpy(), gram),
    }


@pytest.mark.parametrize("name", ["read_once", "gram_once_numpy", "gram_once_tf"])
def test_one_pass_floor(benchmark, name: str) -> None:
    fn, expected = _floors(FLOOR_N)[name]

    def check(value) -> None:
        np.testing.assert_allclose(value, expected, rtol=1e-12, err_msg=name)

    bench(
        benchmark,
        group=f"gd n={FLOOR_N} epochs={FLOOR_EPOCHS}",
        name=name,
        n=FLOOR_N,
        run=lambda _k: fn(),
        check=check,
    )


@pytest.mark.parametrize("n", SIZES, ids=[f"n={n}" for n in SIZES])
@pytest.mark.parametrize("route", CLOSED, ids=_grid_id)
def test_closed(benchmark, route: Route, n: int) -> None:
    _applies(route, n)
    pb = validated(n)
    bench(
        benchmark,
        group=f"closed n={n}",
        name=route.name,
        n=n,
        run=lambda _k: route.fit_problem(pb),
        check=_checker(route, n),
    )


@pytest.mark.parametrize("n", SIZES, ids=[f"n={n}" for n in SIZES])
def test_closed_numpy(benchmark, n: int) -> None:
    x, y = dataset(n)
    expected = reference.normal_equation(validated(n))

    def check(coef: np.ndarray) -> None:
        np.testing.assert_allclose(coef, expected, rtol=BASELINE_RTOL, err_msg=f"lstsq n={n}")

    bench(
        benchmark,
        group=f"closed n={n}",
        name="numpy_lstsq",
        n=n,
        run=lambda _k: baselines.numpy_lstsq(x, y),
        check=check,
    )


@pytest.mark.parametrize("n", SIZES, ids=[f"n={n}" for n in SIZES])
def test_validate(benchmark, n: int) -> None:
    x, y = dataset(n)
    expected = validated(n).condition_number

    def check(cond: float) -> None:
        assert cond == pytest.approx(expected, rel=1e-9), f"cond(X) n={n}"

    bench(
        benchmark,
        group=f"validate n={n}",
        name="problem(x, y).condition_number",
        n=n,
        run=lambda _k: problem(x, y).condition_number,
        check=check,
    )
