"""The route table: every route of the lecture, in the contract's order. Add a route here.

A new ``Route(...)`` line is all it takes: the property suite, the golden checks that
apply, the benchmarks and the report all iterate over ``ROUTES``. ``form`` is derived from
``max_predictors`` (scalar routes fit one predictor).

The table itself does not import TensorFlow: each ``impl`` names its function in
``fitters.routes`` and imports it on first call, so reading the routes' names and metadata
(the command line's option checks, ``--list-routes``) costs milliseconds, not seconds.
"""

from __future__ import annotations

import importlib
from typing import Any

from .route_type import Route

#: The lecture's five spellings of the vector loss (opt.minimize 풀이 1, 3, 4, 5, 6).
LOSS_SPELLINGS = ("lambda", "def_short", "def_long", "mse_function", "mse_class")
#: how the Keras routes hand the full batch to fit: a repeated tf.data element (default), or
#: the arrays as the lecture writes it
KERAS_FEEDS = ("dataset", "arrays")


class _Impl:
    """A route function in ``fitters.routes.<module>``, imported on its first call."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __call__(self, *args: Any, **options: Any) -> Any:
        module = importlib.import_module(f".routes.{self.module}", __package__)
        return getattr(module, self.name)(*args, **options)

    def __repr__(self) -> str:
        return f"fitters.routes.{self.module}.{self.name}"


closed_form_scalar = _Impl("closed_form", "closed_form_scalar")
normal_equation_inv = _Impl("closed_form", "normal_equation_inv")
normal_equation_solve = _Impl("closed_form", "normal_equation_solve")
analytic_gradient = _Impl("gradient", "analytic_gradient")
tape_vector = _Impl("gradient", "tape_vector")
tape_scalar = _Impl("gradient", "tape_scalar")
apply_gradients_vector = _Impl("optimizer", "apply_gradients_vector")
apply_gradients_scalar = _Impl("optimizer", "apply_gradients_scalar")
minimize_vector = _Impl("optimizer", "minimize_vector")
minimize_scalar = _Impl("optimizer", "minimize_scalar")
keras_sequential = _Impl("keras_fit", "keras_sequential")
keras_dense_bias = _Impl("keras_fit", "keras_dense_bias")
compiled_core = _Impl("compiled", "compiled_core")

_TABLE = [
    Route(
        name="closed_form_scalar",
        section="이론적 풀이 1",
        iterative=False,
        dtype="float64",
        max_predictors=1,
        calls="Sxy/Sxx with tf.reduce_sum",
        centred_sums=True,
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
        variants={"feed": KERAS_FEEDS},
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
        variants={"feed": KERAS_FEEDS},
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
