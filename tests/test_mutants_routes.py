"""Route code that the property suite's inputs do not reach, found by mutation testing.

Each test replays public checks (``fitters.testing``) on inputs outside the strategies'
distribution that a route's code nevertheless branches on (docs/power.md).
"""

from __future__ import annotations

import numpy as np
import pytest

import fitters
from fitters import compat
from fitters.problem import Problem
from fitters.registry import KERAS_FEEDS
from fitters.testing import (
    check_float32_coefficients,
    check_loss_history,
    check_trajectory,
    lecture,
    make_dataset,
)
from fitters.tolerances import trajectory_bound

#: the Keras fit routes (the routes with a feed option)
KERAS = [name for name, route in fitters.ROUTES.items() if "feed" in route.variants]


@pytest.mark.parametrize("p", [6, 7, 8])
def test_compiled_core_beyond_five_predictors(p):
    # the compiled loop unpacks M (p+2 x p+2), b, lr and steps from one flat argument by
    # solving (p+2)^2 + (p+2) + 1 = length for p+2; the strategies stop at p = 5
    route = fitters.ROUTES["compiled_core"]
    ds = make_dataset(
        p=p,
        n=60,
        layout="uniform",
        seed=p,
        offset=0.0,
        scale=1.0,
        coef=tuple(float(c) for c in range(1, p + 2)),
        noise=0.1,
    )
    init = [0.5] * (p + 1)
    lr = 0.5 * ds.problem.stable_lr
    check_trajectory(route, ds, init=init, lr=lr, k=40)
    check_loss_history(route, ds, init=init, lr=lr, k=40)


def test_compiled_core_on_a_problem_built_without_validation():
    # Route.fit_problem accepts a Problem made directly, which carries no one-pass moments:
    # the route computes them itself, and must still take the exact GD steps
    route = fitters.ROUTES["compiled_core"]
    ds = make_dataset(
        p=2,
        n=50,
        layout="uniform",
        seed=3,
        offset=0.0,
        scale=1.0,
        coef=(1.0, 2.0, -1.0),
        noise=0.1,
    )
    pb = Problem(ds.problem.x, ds.problem.y)
    assert pb.moments is None
    init, lr, k = np.zeros(3), 0.5 * ds.problem.stable_lr, 30
    fit = route.fit_problem(pb, init=init, lr=lr, epochs=k)
    bound = trajectory_bound(route, ds.problem, init, lr, k)
    assert bound.error(fit.coef) <= bound.max_l2_error, (bound.error(fit.coef), bound.formula)


@pytest.mark.parametrize("name", KERAS)
def test_keras_routes_stay_float32_under_a_float64_dtype_policy(name):
    # the layer's dtype="float32" is what keeps the lecture's network float32 when a user
    # has set Keras' global dtype policy (Keras 3's generalization of floatx) to float64
    keras = compat.keras()
    config = getattr(keras, "config", None)
    if not hasattr(config, "set_dtype_policy"):
        pytest.skip("this Keras has no global dtype policy")
    before = config.dtype_policy()
    config.set_dtype_policy("float64")
    try:
        check_float32_coefficients(fitters.ROUTES[name], lecture(), init=[-5.0, 10.0], lr=0.1, k=3)
    finally:
        config.set_dtype_policy(before)


def test_an_unknown_loss_spelling_is_refused_naming_every_spelling():
    # minimize_vector's loss option: the message lists the lecture's five spellings
    x, y = fitters.lecture_dataset()
    with pytest.raises(ValueError) as info:
        fitters.ROUTES["minimize_vector"].fit(x, y, epochs=1, loss="mse")
    assert str(info.value) == (
        "loss must be one of lambda, def_short, def_long, mse_function, mse_class; got 'mse'"
    )


@pytest.mark.parametrize("feed", KERAS_FEEDS)
@pytest.mark.parametrize("name", KERAS)
def test_keras_routes_print_nothing(name, feed, capfd):
    # fit(..., verbose=0): a route is a function, not a training log; Keras' default
    # ("auto") would print a progress bar per epoch, 1000 of them under the report
    x, y = fitters.lecture_dataset()
    fitters.ROUTES[name].fit(x, y, epochs=3, feed=feed)
    out, _ = capfd.readouterr()
    assert out == "", out[-500:]


@pytest.mark.parametrize("name", KERAS)
def test_an_unknown_keras_feed_is_refused_naming_both(name):
    x, y = fitters.lecture_dataset()
    with pytest.raises(ValueError) as info:  # at 0 epochs too, where fit is not called
        fitters.ROUTES[name].fit(x, y, epochs=0, feed="generator")
    assert str(info.value) == "feed must be one of dataset, arrays; got 'generator'"


@pytest.mark.parametrize("name", KERAS)
def test_each_keras_feed_hands_fit_what_it_says(name, monkeypatch):
    # the feeds give the same bits by design, so only the call tells them apart: the default
    # is one repeated tf.data batch, one step an epoch; "arrays" is the lecture's call
    import tensorflow as tf

    model_type = compat.keras().Model
    calls = []
    real_fit = model_type.fit

    def spy(self, x=None, y=None, **kwargs):
        calls.append((x, kwargs))
        return real_fit(self, x, y, **kwargs)

    monkeypatch.setattr(model_type, "fit", spy)
    x, y = fitters.lecture_dataset()
    fitters.ROUTES[name].fit(x, y, epochs=2)
    fitters.ROUTES[name].fit(x, y, epochs=2, feed="arrays")
    (dataset, fast), (arrays, literal) = calls
    assert isinstance(dataset, tf.data.Dataset) and fast["steps_per_epoch"] == 1
    assert "batch_size" not in fast and fast["epochs"] == 2
    assert isinstance(arrays, np.ndarray) and arrays.dtype == np.float32
    assert literal["batch_size"] == 200 and literal["shuffle"] is False
    assert "steps_per_epoch" not in literal and literal["epochs"] == 2
