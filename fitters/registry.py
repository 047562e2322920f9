"""The route table: every route of the lecture, in the contract's order. Add a route here.

A new ``Route(...)`` line is all it takes: the property suite, the golden checks that
apply, the benchmarks and the report all iterate over ``ROUTES``.
"""

from __future__ import annotations

from .route import Route
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
        "closed_form_scalar",
        "scalar",
        False,
        "float64",
        1,
        "이론적 풀이 1",
        "Sxy/Sxx with tf.reduce_sum",
        closed_form_scalar,
    ),
    Route(
        "normal_equation_inv",
        "vector",
        False,
        "float64",
        None,
        "이론적 풀이 2",
        "tf.linalg.inv(X'X) @ X' @ y",
        normal_equation_inv,
    ),
    Route(
        "normal_equation_solve",
        "vector",
        False,
        "float64",
        None,
        "(beyond the lecture)",
        "tf.linalg.qr + tf.linalg.triangular_solve",
        normal_equation_solve,
        stable_solve=True,
    ),
    Route(
        "analytic_gradient",
        "vector",
        True,
        "float64",
        None,
        "이론적 풀이 3",
        "b -= lr*(-2X'y + 2X'Xb)/N, eager tensors",
        analytic_gradient,
    ),
    Route(
        "tape_vector",
        "vector",
        True,
        "float64",
        None,
        "GradientTape 풀이 1",
        "tf.GradientTape + Variable.assign_sub",
        tape_vector,
    ),
    Route(
        "tape_scalar",
        "scalar",
        True,
        "float32",
        1,
        "GradientTape 풀이 2",
        "tf.GradientTape + assign_sub on b0, b1",
        tape_scalar,
        lr_dtype="float32",
    ),
    Route(
        "apply_gradients_vector",
        "vector",
        True,
        "float64",
        None,
        "GradientTape + opt.apply_gradients 풀이 1",
        "tf.keras.optimizers.SGD.apply_gradients",
        apply_gradients_vector,
        lr_dtype="float32",
    ),
    Route(
        "apply_gradients_scalar",
        "scalar",
        True,
        "float32",
        1,
        "GradientTape + opt.apply_gradients 풀이 2",
        "tf.keras.optimizers.SGD.apply_gradients",
        apply_gradients_scalar,
        lr_dtype="float32",
    ),
    Route(
        "minimize_vector",
        "vector",
        True,
        "float64",
        None,
        "opt.minimize 풀이 1, 3, 4, 5, 6",
        "Keras 2 SGD.minimize(loss_fn, [b]) (tf_keras)",
        minimize_vector,
        lr_dtype="float32",
        variants={"loss": LOSS_SPELLINGS},
    ),
    Route(
        "minimize_scalar",
        "scalar",
        True,
        "float32",
        1,
        "opt.minimize 풀이 2",
        "Keras 2 SGD.minimize(loss_fn, [b0, b1]) (tf_keras)",
        minimize_scalar,
        lr_dtype="float32",
    ),
    Route(
        "keras_sequential",
        "vector",
        True,
        "float32",
        None,
        "tf.keras.Sequential 풀이 1",
        "Sequential([Dense(1, use_bias=False)]).fit on [1 x]",
        keras_sequential,
        lr_dtype="float32",
        slow=True,
    ),
    Route(
        "keras_dense_bias",
        "vector",
        True,
        "float32",
        None,
        "second network diagram",
        "Sequential([Dense(1, use_bias=True)]).fit on x",
        keras_dense_bias,
        lr_dtype="float32",
        slow=True,
    ),
    Route(
        "compiled_core",
        "vector",
        True,
        "float64",
        None,
        "(beyond the lecture)",
        "tf.function(jit_compile=True) loop on X'X, X'y",
        compiled_core,
        sufficient_statistics=True,
    ),
]

ROUTES: dict[str, Route] = {route.name: route for route in _TABLE}
