"""The contract's names, defaults and metadata, as stated (docs/api.md): each line here is a
sentence of the public API that no behavioural test would notice changing on its own.

Behaviour behind these names (what the defaults do, the errors, the numbers) is tested where
it lives; docs/power.md maps every statement to the test that fails if it stops being true.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import fitters
from fitters import reference, toy

#: the contract's route table: name -> (form, iterative, dtype, max_predictors)
TABLE = {
    "closed_form_scalar": ("scalar", False, "float64", 1),
    "normal_equation_inv": ("vector", False, "float64", None),
    "normal_equation_solve": ("vector", False, "float64", None),
    "analytic_gradient": ("vector", True, "float64", None),
    "tape_vector": ("vector", True, "float64", None),
    "tape_scalar": ("scalar", True, "float32", 1),
    "apply_gradients_vector": ("vector", True, "float64", None),
    "apply_gradients_scalar": ("scalar", True, "float32", 1),
    "minimize_vector": ("vector", True, "float64", None),
    "minimize_scalar": ("scalar", True, "float32", 1),
    "keras_sequential": ("vector", True, "float32", None),
    "keras_dense_bias": ("vector", True, "float32", None),
    "compiled_core": ("vector", True, "float64", None),
}


def test_routes_in_the_contracts_order():
    # fitters.ROUTES: every route, by stable name, in the contract's order
    assert list(fitters.ROUTES) == list(TABLE)
    assert all(name == route.name for name, route in fitters.ROUTES.items())


@pytest.mark.parametrize("name", list(TABLE))
def test_route_metadata(name):
    # form, iterative, dtype and max_predictors as the contract's table states them
    route = fitters.ROUTES[name]
    assert (route.form, route.iterative, route.dtype, route.max_predictors) == TABLE[name]


def test_fit_signature():
    # fit(x, y, *, init=None, lr=None, epochs=None): keyword-only, None meaning the default
    for route in fitters.ROUTES.values():
        params = inspect.signature(route.fit).parameters
        for name in ("init", "lr", "epochs"):
            assert params[name].kind is inspect.Parameter.KEYWORD_ONLY, (route.name, name)
            assert params[name].default is None, (route.name, name)


@pytest.mark.parametrize("how", ["apply_gradients", "minimize"])
def test_toy_defaults(how):
    # toy.apply_gradients / toy.minimize(steps=10000, beta=-10.0, lr=0.01/6) -> float
    params = inspect.signature(getattr(toy, how)).parameters
    assert params["steps"].default == 10000
    assert params["beta"].default == -10.0
    assert params["lr"].default == 0.01 / 6


def test_route_factory_signature():
    # fitters.route(fn, *, dtype, iterative, lr_dtype=None, max_predictors=None, name=None)
    params = inspect.signature(fitters.route).parameters
    assert params["dtype"].default is inspect.Parameter.empty
    assert params["iterative"].default is inspect.Parameter.empty
    for name in ("lr_dtype", "max_predictors", "name"):
        assert params[name].default is None, name
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for n, p in params.items() if n != "fn")


def test_route_factory_defaults_apply():
    # name defaults to the function's name, lr_dtype to dtype, max_predictors to any p
    def my_gd(x, y, init, lr, epochs):
        return init

    route = fitters.route(my_gd, dtype="float32", iterative=True)
    assert route.name == "my_gd" and route.lr_dtype == "float32"
    assert route.max_predictors is None and route.form == "vector"
    scalar = fitters.route(my_gd, dtype="float64", iterative=True, max_predictors=1, name="s")
    assert scalar.name == "s" and scalar.form == "scalar" and scalar.lr_dtype == "float64"


def test_errors_are_value_errors():
    # bad data or arguments raise ValueError (or a subclass); divergence is one of them
    assert issubclass(fitters.DivergenceError, ValueError)
    with pytest.raises(ValueError, match="lr must be finite and > 0"):
        fitters.ROUTES["compiled_core"].fit(*fitters.lecture_dataset(), lr=-1.0)


def test_reference_signatures():
    # the oracles' names and argument order
    assert list(inspect.signature(reference.normal_equation).parameters) == ["x", "y"]
    for fn in (reference.gd_iterate, reference.gd_error_bound):
        assert list(inspect.signature(fn).parameters) == ["x", "y", "init", "lr", "k"]


def test_lecture_dataset_shape_and_seed():
    # (x, y): N = 200, float64, drawn with the lecture's seed 43052
    x, y = fitters.lecture_dataset()
    assert x.shape == y.shape == (200,) and x.dtype == y.dtype == np.float64
    assert fitters.data.LECTURE_SEED == 43052 and fitters.data.LECTURE_N == 200


def test_testing_api_names():
    # fitters.testing.yield_checks / check_route / parametrize_with_checks
    from fitters import testing

    for name in ("yield_checks", "check_route", "parametrize_with_checks"):
        assert callable(getattr(testing, name)), name
    route = fitters.ROUTES["tape_scalar"]
    ids = [testing.runner.check_id(route, c) for c in testing.yield_checks(route)]
    assert "tape_scalar-check_trajectory(dtype=float32)" in ids
