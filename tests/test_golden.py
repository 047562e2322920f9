"""Every number the lecture printed, reproduced from the routes (contract: golden values)."""

from __future__ import annotations

import functools
from fractions import Fraction

import numpy as np
import pytest

import fitters
from fitters import compat
from fitters.testing import lecture
from fitters.testing.checks import fit_once
from fitters.tolerances import closed_form_bound, loss_history_bound, route_bound, toy_bound
from fitters.validation import problem

from . import golden

pytestmark = pytest.mark.golden


@pytest.fixture(autouse=True)
def _skip_what_this_tensorflow_lacks(request):
    # a route whose API this TensorFlow lacks is a skip that says so ("not available on TF
    # x.y: ..."), never a silent pass; fitters.compat knows what each route needs
    params = request.node.callspec.params if hasattr(request.node, "callspec") else {}
    if "name" in params:
        reason = fitters.ROUTES[params["name"]].unavailable
    elif "how" in params:
        reason = compat.missing(fitters.toy.NEEDS[params["how"]])
    else:
        reason = None
    if reason is not None:
        pytest.skip(reason)


@functools.cache
def lecture_problem():
    return problem(*fitters.lecture_dataset())


def default_fit(name: str) -> fitters.Fit:
    """Each route's fit on the lecture data with the lecture's defaults: the same fit the
    property suite's check_defaults makes, shared (fitters.testing.checks.fit_once)."""
    return fit_once(fitters.ROUTES[name], lecture())


def _grouped(name: str):
    # on the worker that runs the route's checks, so the 1000-epoch fit is made once
    return pytest.param(name, marks=[pytest.mark.xdist_group(name)], id=name)


ITERATIVE = [_grouped(n) for n, r in fitters.ROUTES.items() if r.iterative]
CLOSED = [_grouped(n) for n, r in fitters.ROUTES.items() if not r.iterative]


def test_lecture_dataset_is_the_lectures():
    # shape, dtype and the construction y = 2.5 + 4x + 0.5 * randn with x = linspace(0, 1)
    x, y = fitters.lecture_dataset()
    assert x.shape == y.shape == (200,) and x.dtype == y.dtype == np.float64
    np.testing.assert_array_equal(x, np.linspace(0, 1, 200))
    noise = (y - 2.5 - 4 * x) / 0.5
    assert abs(noise.mean()) < 4 / np.sqrt(200) and 0.7 < noise.std() < 1.3


def test_lecture_dataset_is_fresh_and_repeatable():
    # two calls give equal arrays that do not alias each other
    (_, y1), (_, y2) = fitters.lecture_dataset(), fitters.lecture_dataset()
    np.testing.assert_array_equal(y1, y2)
    y1[0] = 99.0
    assert fitters.lecture_dataset()[1][0] != 99.0


@pytest.mark.parametrize("steps", [1, 2])
@pytest.mark.parametrize("how", ["apply_gradients", "minimize"])
def test_toy_first_steps(how, steps):
    # 방법1/방법2: beta after one and two SGD steps, bit for bit in float32
    beta = getattr(fitters.toy, how)(steps=steps)
    assert np.float32(beta) == golden.TOY[steps], f"toy.{how} step {steps}: {beta!r}"
    # and the arithmetic a reader can check: beta_k = 2 + (-10 - 2)(1 - lr/2)^k, so
    # beta_1 = -10 + 6 lr = -9.99, within the derived float32 rounding
    bound = toy_bound(-10.0, 0.01 / 6, steps)
    assert bound.holds([beta]), (beta, bound.expected, bound.max_l2_error)
    lr32 = Fraction(float(np.float32(0.01 / 6)))  # the optimizer's lr
    assert bound.expected[0] == float(2 + (-10 - 2) * (1 - lr32 / 2) ** steps)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["apply_gradients", "minimize"])
def test_toy_10000_steps(how):
    # 10000 steps: 1.9971251, bit for bit in float32
    beta = getattr(fitters.toy, how)()
    assert np.float32(beta) == golden.TOY[10000], f"toy.{how}: {beta!r}"


def test_closed_form_scalar():
    # 이론적 풀이 1 to the lecture's 17 digits, within the derived closed-form bound
    route = fitters.ROUTES["closed_form_scalar"]
    coef = default_fit("closed_form_scalar").coef
    atol = closed_form_bound(route, lecture_problem()).max_l2_error
    err = np.abs(coef - golden.CLOSED_FORM_SCALAR).max()
    assert err <= atol, f"closed_form_scalar {coef!r}: error {err:.3g} > bound {atol:.3g}"


@pytest.mark.parametrize("name", CLOSED)
def test_normal_equation_printout(name):
    # 이론적 풀이 2: [[2.58366721], [3.93303452]], printed with 8 decimals
    coef = default_fit(name).coef
    np.testing.assert_allclose(coef, golden.NORMAL_EQUATION, rtol=0, atol=golden.PRINTED_8_DECIMALS)


def test_first_analytic_slope_and_step():
    # 이론적 풀이 3: slope at (-5, 10) and step = 0.1 * slope, from one analytic_gradient step
    x, y = fitters.lecture_dataset()
    route = fitters.ROUTES["analytic_gradient"]
    step = np.array([-5.0, 10.0]) - route.fit(x, y, lr=0.1, epochs=1).coef
    slope = (np.array([-5.0, 10.0]) - route.fit(x, y, lr=0.5, epochs=1).coef) / 0.5
    np.testing.assert_allclose(slope, golden.FIRST_SLOPE, rtol=0, atol=golden.PRINTED_8_DECIMALS)
    np.testing.assert_allclose(step, golden.FIRST_STEP, rtol=0, atol=golden.PRINTED_8_DECIMALS)


@pytest.mark.parametrize("name", ITERATIVE)
def test_1000_epochs_reproduce_the_printout(name):
    # every 1000-epoch route: float64 to the printed 8 decimals, float32 bit for bit
    route = fitters.ROUTES[name]
    fit = default_fit(name)
    assert fit.epochs == 1000 and fit.loss_history.shape == (1000,)
    if route.dtype == "float64":
        np.testing.assert_allclose(
            fit.coef,
            golden.GD_1000_FLOAT64,
            rtol=0,
            atol=golden.PRINTED_8_DECIMALS,
            err_msg=f"{name}: 1000 epochs",
        )
    elif (reason := golden.float32_bits_changed(name)) is not None:
        # this numeric environment changes the float32 bits: within the bound instead
        bound = route_bound(route, lecture_problem())
        assert bound.holds(fit.coef), f"{name}: {bound.error(fit.coef):.3g} > bound ({reason})"
        assert not np.array_equal(fit.coef.astype(np.float32), golden.GD_1000_FLOAT32), (
            f"{name} reproduces the printout again: drop its golden.FLOAT32_BITS_CHANGED entry"
        )
    else:
        np.testing.assert_array_equal(
            fit.coef.astype(np.float32),
            golden.GD_1000_FLOAT32,
            err_msg=f"{name}: float32 result differs from the lecture's printout; "
            "test_1000_epochs_within_bound says whether it is still correct",
        )


KERAS_FIT = [_grouped(n) for n, r in fitters.ROUTES.items() if "feed" in r.variants]


@pytest.mark.parametrize("name", KERAS_FIT)
def test_keras_fit_as_the_lecture_writes_it_takes_the_same_steps(name):
    # the routes feed fit one repeated tf.data element (Keras rebuilds an array iterator every
    # epoch); the lecture's fit(X, y, batch_size=n) must give the same steps, bit for bit.
    # An epoch of either feed is the same full-batch step whatever its index (no shuffling,
    # schedule or callback of its own), so equal for 40 epochs means equal for 1000: the
    # default feed's 1000 epochs reproduce the printout above, and running the lecture's
    # feed for all of them (~70 s of Keras rebuilding its iterator) would add no check
    x, y = fitters.lecture_dataset()
    route = fitters.ROUTES[name]
    fast, literal = (route.fit(x, y, epochs=40, feed=feed) for feed in ("dataset", "arrays"))
    np.testing.assert_array_equal(literal.coef, fast.coef, err_msg=f"{name}: coefficients")
    np.testing.assert_array_equal(literal.loss_history, fast.loss_history, err_msg=name)


@pytest.mark.parametrize("name", ITERATIVE)
def test_1000_epochs_within_bound(name):
    # the same runs against the exact 1000th iterate, within the derived rounding bound
    route = fitters.ROUTES[name]
    bound = route_bound(route, lecture_problem())
    err = bound.error(default_fit(name).coef)
    assert err <= bound.max_l2_error, (
        f"{name}: ||b - b_1000|| = {err:.3g} > {bound.max_l2_error:.3g} ({bound.formula})"
    )


@pytest.mark.parametrize("name", ITERATIVE)
def test_loss_history_starts_at_the_initial_loss(name):
    # loss before step 1 is L(-5, 10) on the lecture data, in the route's precision
    fit = default_fit(name)
    route = fitters.ROUTES[name]
    exact, allowed = loss_history_bound(route, lecture_problem(), [-5.0, 10.0], 0.1, [0])
    assert abs(fit.loss_history[0] - exact[0]) <= allowed[0], f"{name}: {fit.loss_history[0]}"
