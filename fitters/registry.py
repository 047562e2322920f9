"""The route table: every route of the lecture, in the contract's order. Add a route here.

A new ``Route(...)`` line is all it takes: the property suite, the golden checks that
apply, the benchmarks and the report all iterate over ``ROUTES``. ``form`` is derived from
``max_predictors`` (scalar routes fit one predictor).
"""

from __future__ import annotations

from .route_type import Route
from .routes.closed_form import closed_form_scalar, normal_equation_inv, normal_equation_solve
from .routes.compiled import compiled_core
from .routes.gradient import analytic_gradient, tape_scalar, tape_vector
from .routes.keras_fit import keras_dense_bias, keras_sequential
from .routes.optimizer import (
    LOSS_SPELLINGS,
    apply_gradients_scalar,
    apply_gradients_vector,
    minimize_scalar,
    minimize_vector,
)

_TABLE = [
    Route(
        name="closed_form_scalar",
        section="이론적 풀이 1",
        iterative=False,
        dtype="float64",
        max_predictors=1,
        calls="Sxy/Sxx with tf.reduce_sum",
        impl=closed_form_scalar,
    ),
    Route(
        name="normal_equation_inv",
        section="이론적 풀이 2",
        iterative=False,
        dtype="float64",
        max_predictors=None,
        calls="tf.linalg.inv(X'X) @ X' @ y",
        impl=normal_equation_inv,
    ),
    Route(
        name="normal_equation_solve",
        section="(beyond the lecture)",
        iterative=False,
        dtype="float64",
        max_predictors=None,
        calls="tf.linalg.qr + tf.linalg.triangular_solve",
        impl=normal_equation_solve,
        stable_solve=True,
    ),
    Route(
        name="analytic_gradient",
        section="이론적 풀이 3",
        iterative=True,
        dtype="float64",
        max_predictors=None,
        calls="b -= lr*(-2X'y + 2X'Xb)/N, eager tensors",
        impl=analytic_gradient,
    ),
    Route(
        name="tape_vector",
        section="GradientTape 풀이 1",
        iterative=True,
        dtype="float64",
        max_predictors=None,
        calls="tf.GradientTape + Variable.assign_sub",
        impl=tape_vector,
    ),
    Route(
        name="tape_scalar",
        section="GradientTape 풀이 2",
        iterative=True,
        dtype="float32",
        max_predictors=1,
        calls="tf.GradientTape + assign_sub on b0, b1",
        impl=tape_scalar,
        lr_dtype="float32",
    ),
    Route(
        name="apply_gradients_vector",
        section="GradientTape + opt.apply_gradients 풀이 1",
        iterative=True,
        dtype="float64",
        max_predictors=None,
        calls="tf.keras.optimizers.SGD.apply_gradients",
        impl=apply_gradients_vector,
        lr_dtype="float32",
    ),
    Route(
        name="apply_gradients_scalar",
        section="GradientTape + opt.apply_gradients 풀이 2",
        iterative=True,
        dtype="float32",
        max_predictors=1,
        calls="tf.keras.optimizers.SGD.apply_gradients",
        impl=apply_gradients_scalar,
        lr_dtype="float32",
    ),
    Route(
        name="minimize_vector",
        section="opt.minimize 풀이 1, 3, 4, 5, 6",
        iterative=True,
        dtype="float64",
        max_predictors=None,
        calls="Keras 2 SGD.minimize(loss_fn, [b]) (tf_keras)",
        impl=minimize_vector,
        lr_dtype="float32",
        needs=("optimizer.minimize",),
        variants={"loss": LOSS_SPELLINGS},
    ),
    Route(
        name="minimize_scalar",
        section="opt.minimize 풀이 2",
        iterative=True,
        dtype="float32",
        max_predictors=1,
        calls="Keras 2 SGD.minimize(loss_fn, [b0, b1]) (tf_keras)",
        impl=minimize_scalar,
        lr_dtype="float32",
        needs=("optimizer.minimize",),
    ),
    Route(
        name="keras_sequential",
        section="tf.keras.Sequential 풀이 1",
        iterative=True,
        dtype="float32",
        max_predictors=None,
        calls="Sequential([Dense(1, use_bias=False)]).fit on [1 x]",
        impl=keras_sequential,
        lr_dtype="float32",
        slow=True,
    ),
    Route(
        name="keras_dense_bias",
        section="second network diagram",
        iterative=True,
        dtype="float32",
        max_predictors=None,
        calls="Sequential([Dense(1, use_bias=True)]).fit on x",
        impl=keras_dense_bias,
        lr_dtype="float32",
        slow=True,
    ),
    Route(
        name="compiled_core",
        section="(beyond the lecture)",
        iterative=True,
        dtype="float64",
        max_predictors=None,
        calls="tf.function(jit_compile=True) loop on X'X, X'y",
        impl=compiled_core,
        cheap_epochs=True,
        sufficient_statistics=True,
    ),
]

ROUTES: dict[str, Route] = {route.name: route for route in _TABLE}
