"""Precision: float32 routes get float32 tolerances, float64 routes float64 (issue 6, item 4).

What is documented (fitters/validation.py, README): validation converts the data to float64
once; each route then casts to the dtype it computes in. So float32 data given to a float64
route are upcast exactly (the route sees exactly those values), and float64 data given to a
float32 route are rounded to float32 (the route sees exactly the rounded values).
"""

from __future__ import annotations

import numpy as np
import pytest

import fitters
from fitters import ROUTES
from fitters.route_type import Route
from fitters.tolerances import closed_form_bound, gd_rounding_bound, trajectory_bound
from fitters.validation import check_init, problem

X64, Y64 = fitters.lecture_dataset()
X32, Y32 = X64.astype(np.float32), Y64.astype(np.float32)
EPOCHS = 3
LR = 0.1


_FITS: dict = {}


def _fit(route: Route, x, y):
    """route.fit with this module's settings, once per (route, data) (Keras fits cost ~0.3 s)."""
    key = (route.name, x.dtype.name, x.tobytes(), y.dtype.name, y.tobytes())
    if key not in _FITS:
        _FITS[key] = route.fit(x, y, lr=LR, epochs=EPOCHS) if route.iterative else route.fit(x, y)
    return _FITS[key]


def _ids(route: Route) -> str:
    return f"{route.name}(dtype={route.dtype})"


ALL = list(ROUTES.values())
FLOAT32 = [r for r in ALL if r.dtype == "float32"]
FLOAT64 = [r for r in ALL if r.dtype == "float64"]


@pytest.mark.parametrize("route", ALL, ids=_ids)
def test_float32_data_are_upcast_exactly(route: Route):
    # float32 arrays give bit-for-bit the fit of the same values as float64 arrays
    a = _fit(route, X32, Y32).coef
    b = _fit(route, X32.astype(np.float64), Y32.astype(np.float64)).coef
    assert np.array_equal(a, b), f"{route.name}: {a} != {b}"


@pytest.mark.parametrize("route", FLOAT32, ids=_ids)
def test_float32_routes_round_float64_data(route: Route):
    # a float32 route sees float64 data exactly as their float32 rounding
    a = _fit(route, X64, Y64).coef
    b = _fit(route, X32, Y32).coef
    assert np.array_equal(a, b), f"{route.name}: {a} != {b}"


def _bound(route: Route, pb, dtype: str):
    """The route's derived allowance, computed as if the route worked in ``dtype``."""
    if not route.iterative:
        assert dtype == route.dtype == "float64"
        return closed_form_bound(route, pb)
    if dtype == route.dtype:
        return trajectory_bound(route, pb, check_init(None, pb.p), LR, EPOCHS)
    return gd_rounding_bound(dtype, pb, check_init(None, pb.p), route.effective_lr(LR), EPOCHS)


@pytest.mark.parametrize("route", FLOAT64, ids=_ids)
def test_float64_routes_meet_float64_tolerances(route: Route):
    # within the float64 bound, which is tighter than what rounding the data to float32
    # would move the answer: the route really computes with all 53 bits
    pb = problem(X64, Y64)
    bound = _bound(route, pb, "float64")
    coef = _fit(route, X64, Y64).coef
    assert bound.holds(coef), f"{route.name}: {bound.error(coef):.3g} > {bound.max_l2_error:.3g}"
    moved = float(np.linalg.norm(coef - _fit(route, X32, Y32).coef))
    assert moved > 100 * bound.max_l2_error, f"{route.name}: float32 data moved it only {moved:.3g}"


@pytest.mark.parametrize("route", FLOAT32, ids=_ids)
def test_float32_routes_need_float32_tolerances(route: Route):
    # within the float32 bound, but outside the float64 one: a float64 tolerance would
    # reject a correct float32 route, so each route is judged in its own dtype
    pb = problem(X64, Y64)
    coef = _fit(route, X64, Y64).coef
    own, strict = _bound(route, pb, "float32"), _bound(route, pb, "float64")
    assert own.holds(coef), f"{route.name}: {own.error(coef):.3g} > {own.max_l2_error:.3g}"
    assert not strict.holds(coef), f"{route.name} met the float64 bound {strict.max_l2_error:.3g}"
    assert own.max_l2_error < 1e-4 * np.linalg.norm(own.expected), "float32 bound is vacuous"
