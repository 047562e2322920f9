"""Ill-conditioned data: offsets in x and nearly collinear predictors (issue 6, item 3).

The yardstick is the *exact* least-squares solution of the float64 data, from an exact
rational solve of the normal equations (Python fractions; n <= 200 keeps it fast). Against it:

- ``reference.normal_equation`` and ``normal_equation_solve`` are as accurate as a column-wise
  backward stable solve in float64 can be (``fitters.tolerances.backward_stable_allowance``), for offsets up to
  1e8 times the spread of x and collinearity down to 1e-8;
- ``normal_equation_inv`` (the lecture's inv(X'X) X'y) loses that accuracy: its error grows
  like eps cond(XS)^2, where XS is the design with unit-norm columns;
- ``Route.fit`` warns ``fitters.IllConditionedWarning`` exactly when
  eps(dtype) cond(XS)^power > 1e-2 (power 1 for the QR solve, 2 for routes that form X'X or
  iterate on its gradient), which covers x in [1e6, 1e6 + 1] for every float32 route.
"""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import find, given, settings

import fitters
from fitters import ROUTES, IllConditionedWarning, reference
from fitters.problem import Problem
from fitters.route_type import ILL_CONDITIONED, Route
from fitters.testing.strategies import ill_conditioned_datasets
from fitters.tolerances import backward_stable_allowance
from fitters.validation import problem

U64 = 2.0**-53


def exact_solution(pb: Problem) -> np.ndarray:
    """The exact least-squares solution of the float64 data (rational arithmetic), rounded."""
    xs = [[Fraction(1)] + [Fraction(float(v)) for v in row] for row in pb.x]
    ys = [Fraction(float(v)) for v in pb.y]
    m = pb.p + 1
    a = [[sum(r[i] * r[j] for r in xs) for j in range(m)] for i in range(m)]
    b = [sum(r[i] * yv for r, yv in zip(xs, ys, strict=True)) for i in range(m)]
    for col in range(m):  # Gauss-Jordan; X'X is nonsingular (validation checked)
        pivot = next(i for i in range(col, m) if a[i][col] != 0)
        a[col], a[pivot], b[col], b[pivot] = a[pivot], a[col], b[pivot], b[col]
        for i in range(m):
            if i != col and a[i][col] != 0:
                f = a[i][col] / a[col][col]
                a[i] = [aij - f * acj for aij, acj in zip(a[i], a[col], strict=True)]
                b[i] -= f * b[col]
    return np.array([float(b[i] / a[i][i]) for i in range(m)])


def _solvers():
    yield "reference.normal_equation", reference.normal_equation
    route = ROUTES["normal_equation_solve"]
    yield route.name, lambda pb: route.fit_problem(pb).coef


@given(ds=ill_conditioned_datasets())
def test_stable_solves_are_accurate_where_float64_allows(ds):
    # the reference and the QR route sit within the column-wise backward-stable allowance
    # of the exact solution, however large the offset or the collinearity
    pb = ds.problem
    exact = exact_solution(pb)
    allowed = backward_stable_allowance(pb, exact)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IllConditionedWarning)
        for name, solve in _solvers():
            err = np.abs(solve(pb) - exact)
            assert np.all(err <= allowed), (
                f"{name}: error {err} > allowed {allowed} (exact {exact}); {ds.describe()}"
            )


def _offset_data(offset: float, n: int = 200, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = offset + rng.uniform(0.0, 1.0, n)  # x in [offset, offset + 1]
    return x, 2.0 + 3.0 * (x - offset) + 0.1 * rng.standard_normal(n)


def _collinear_data(level: float, n: int = 200, seed: int = 0):
    rng = np.random.default_rng(seed)
    x1 = rng.uniform(-1.0, 1.0, n)
    x = np.column_stack([x1, x1 + level * rng.standard_normal(n)])
    return x, 1.0 + x @ [1.0, 1.0] + 0.1 * rng.standard_normal(n)


HARD = {
    "offset 1e6 (x in [1e6, 1e6+1])": _offset_data(1e6),
    "offset 1e7": _offset_data(1e7),
    "collinear 1e-7": _collinear_data(1e-7),
}


@pytest.mark.parametrize("data", list(HARD.values()), ids=list(HARD))
def test_inverse_loses_accuracy_where_solve_does_not(data):
    # the lecture's inv(X'X) X'y squares cond(XS); the QR solve does not
    pb = problem(*data)
    exact = exact_solution(pb)
    allowed = backward_stable_allowance(pb, exact)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IllConditionedWarning)
        solve = ROUTES["normal_equation_solve"].fit_problem(pb).coef
        inv = ROUTES["normal_equation_inv"].fit_problem(pb).coef
    err_solve = float(np.max(np.abs(solve - exact) / allowed))
    err_inv = float(np.max(np.abs(inv - exact) / allowed))
    rel_inv = float(np.linalg.norm(inv - exact) / np.linalg.norm(exact))
    rel_solve = float(np.linalg.norm(solve - exact) / np.linalg.norm(exact))
    assert err_solve <= 1, f"normal_equation_solve outside its allowance: {err_solve:.3g}x"
    assert err_inv > 1, f"normal_equation_inv within the QR allowance ({err_inv:.3g}x)"
    assert rel_inv > 1e3 * rel_solve, f"inv {rel_inv:.3g} vs solve {rel_solve:.3g}"
    # and the loss is what eps cond(XS)^2 predicts (within a factor 10 either way)
    predicted = U64 * 2 * pb.scaled_condition_number**2
    assert predicted / 100 <= rel_inv <= 10 * predicted, (rel_inv, predicted)


def independent_scaled_condition(x, y) -> float:
    """cond(XS) by numpy's SVD of the explicitly formed, column-normalized design."""
    design = np.column_stack([np.ones(len(y)), np.asarray(x, dtype=float)])
    return float(np.linalg.cond(design / np.linalg.norm(design, axis=0)))


def expected_warning(route: Route, kappa: float) -> bool | None:
    """The documented rule; None when within 30% of the threshold (either answer is fine)."""
    power = 1 if route.stable_solve else 2
    ratio = float(np.finfo(route.dtype).eps) * kappa**power / ILL_CONDITIONED
    return None if 0.7 < ratio < 1.3 else ratio > 1


WARN_DATA = {"lecture": fitters.lecture_dataset(), **HARD}


def _warning_cases():
    for label, (x, y) in WARN_DATA.items():
        kappa = independent_scaled_condition(x, y)
        for route in ROUTES.values():
            if route.max_predictors is not None and np.ndim(x) > 1:
                continue
            expected = expected_warning(route, kappa)
            if expected is not None:
                yield pytest.param(route, x, y, expected, id=f"{route.name}-{label}")


@pytest.mark.parametrize(("route", "x", "y", "expected"), list(_warning_cases()))
def test_ill_conditioning_warning(route: Route, x, y, expected: bool):
    # warns iff eps(dtype) cond(XS)^power > 1e-2; the message names cond and the dtype
    pb = problem(x, y)
    kwargs = {"epochs": 0} if route.iterative else {}  # the warning comes before any step
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        route.fit(x, y, **kwargs)
    ill = [w for w in caught if issubclass(w.category, IllConditionedWarning)]
    assert bool(ill) == expected, (
        f"{route.name} ({route.dtype}): warned={bool(ill)}, expected {expected}; "
        f"cond(XS)={pb.scaled_condition_number:.3g}"
    )
    if ill:
        message = str(ill[0].message)
        assert route.name in message and route.dtype in message and "cond(X)" in message
        assert ill[0].filename == __file__, f"warning attributed to {ill[0].filename}"


def test_every_float32_route_warns_on_a_large_offset():
    # x in [1e6, 1e6 + 1]: float32 rounds x to steps of 1/16, so the exact answer of the
    # rounded data is already off in the third digit, and the normal equations solved in
    # float32 arithmetic have no correct digit: every float32 route must warn
    x, y = HARD["offset 1e6 (x in [1e6, 1e6+1])"]
    exact = exact_solution(problem(x, y))
    rounded = reference.normal_equation(x.astype(np.float32), y.astype(np.float32))
    assert np.all(np.abs(rounded - exact) > 1e-3 * np.abs(exact)), (rounded, exact)
    x32 = np.column_stack([np.ones_like(x), x]).astype(np.float32)
    in_float32 = np.linalg.solve(x32.T @ x32, x32.T @ y.astype(np.float32))
    assert np.all(np.abs(in_float32 - exact) > 0.5 * np.abs(exact)), (in_float32, exact)
    kappa = independent_scaled_condition(x, y)
    float32 = [r for r in ROUTES.values() if r.dtype == "float32"]
    assert float32 and all(expected_warning(r, kappa) for r in float32)


def test_ill_conditioned_strategy_reaches_the_hard_cases():
    # meta: the strategy produces offsets >= 1e7 and collinearity <= 1e-7 (cond(XS) >= 1e7)
    config = settings(max_examples=500, database=None)
    find(
        ill_conditioned_datasets(), lambda d: d.kind == "offset" and d.level >= 1e7, settings=config
    )
    find(
        ill_conditioned_datasets(),
        lambda d: d.kind == "collinear" and d.level <= 1e-7,
        settings=config,
    )
    find(
        ill_conditioned_datasets(),
        lambda d: d.problem.scaled_condition_number >= 1e7,
        settings=config,
    )
