"""Global state: every route leaves the process as it found it (issue 6, item 5).

What a route could change: Keras' floatx (in every Keras loaded: tf.keras / keras and
tf_keras), TensorFlow's global random seed and its op-seed stream, and the NumPy-behaviour
switch that ``tnp.experimental_enable_numpy_behavior()`` flips (the dtype promotion mode,
NumPy methods on tf.Tensor, prefer_float32). ``fitters.state.preserved_global_state``
restores the first three around every route. The NumPy-behaviour switch on/off comparison
runs in subprocesses in tests/test_numpy_behaviour.py, since it cannot be switched off again.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
import tensorflow as tf
from tensorflow.python.eager import context
from tensorflow.python.framework import ops
from tensorflow.python.ops.numpy_ops import np_dtypes

import fitters
from fitters import ROUTES, compat
from fitters.route_type import Route

X, Y = fitters.lecture_dataset()
EPOCHS = 3
SEED = 20260127


def snapshot() -> dict:
    """Everything global a route could leave changed, read directly from TF and Keras."""
    return {
        "floatx": {m.__name__: m.backend.floatx() for m in compat.keras_modules()},
        "global seed": context.context()._seed,
        "dtype promotion": ops.get_dtype_conversion_mode(),
        "numpy methods on tf.Tensor": hasattr(tf.Tensor, "ravel"),
        "prefer float32": np_dtypes.is_prefer_float32(),
    }


def op_seed_draw() -> np.ndarray:
    """The next values of the op-seed stream: equal only if nobody consumed seeds."""
    return tf.random.uniform([4], dtype=tf.float64).numpy()


def _fit(route: Route):
    return route.fit(X, Y, epochs=EPOCHS) if route.iterative else route.fit(X, Y)


@contextlib.contextmanager
def floatx(value: str):
    """floatx = value in every Keras loaded (a user's setting), restored after."""
    modules = compat.keras_modules()
    before = [m.backend.floatx() for m in modules]
    for m in modules:
        m.backend.set_floatx(value)
    try:
        yield
    finally:
        for m, old in zip(modules, before, strict=True):
            m.backend.set_floatx(old)


@pytest.mark.parametrize("route", list(ROUTES.values()), ids=list(ROUTES))
def test_route_leaves_global_state_alone(route: Route):
    # floatx, the seed, the op-seed stream and the NumPy-behaviour switch are as before, and
    # the user's floatx (float64 here) does not change the route's answer
    with floatx("float32"):
        baseline = _fit(route).coef
    with floatx("float64"):
        tf.random.set_seed(SEED)
        before = snapshot()
        coef = _fit(route).coef
        assert snapshot() == before, f"{route.name} changed global state"
        drawn = op_seed_draw()
        tf.random.set_seed(SEED)
        assert np.array_equal(drawn, op_seed_draw()), f"{route.name} consumed op seeds"
    assert np.array_equal(coef, baseline), (
        f"{route.name}: floatx float64 gave {coef}, float32 gave {baseline}"
    )


def _mischief(fail: bool):
    def impl(pb, *args, **kwargs):
        for m in compat.keras_modules():
            m.backend.set_floatx("float16")
        tf.random.set_seed(7)
        tf.random.uniform([3])  # consumes an op seed
        ops.set_dtype_conversion_mode("legacy")  # what enable_numpy_behavior() switches
        if fail:
            raise RuntimeError("mischief")
        return np.zeros(pb.p + 1)

    return Route(
        name="mischief",
        form="vector",
        iterative=False,
        dtype="float64",
        max_predictors=None,
        section="",
        calls="",
        impl=impl,
    )


@pytest.mark.parametrize("fail", [False, True], ids=["returns", "raises"])
def test_state_is_restored_whatever_the_route_does(fail: bool):
    # preserved_global_state undoes a route that changes all of it, even when it raises
    tf.random.set_seed(SEED)
    before = snapshot()
    if fail:
        with pytest.raises(RuntimeError, match="mischief"):
            _mischief(fail).fit(X, Y)
    else:
        _mischief(fail).fit(X, Y)
    assert snapshot() == before
    drawn = op_seed_draw()
    tf.random.set_seed(SEED)
    assert np.array_equal(drawn, op_seed_draw())


def test_route_list_twice_in_two_orders_gives_identical_coefficients():
    # the whole list forward, then backward, in one process: bit-identical coefficients
    routes = list(ROUTES.values())
    forward = {r.name: _fit(r).coef for r in routes}
    backward = {r.name: _fit(r).coef for r in reversed(routes)}
    for name, coef in forward.items():
        assert np.array_equal(coef, backward[name]), f"{name}: {coef} != {backward[name]}"
