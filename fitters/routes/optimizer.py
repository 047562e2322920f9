"""Gradient descent through a Keras SGD optimizer: apply_gradients and minimize routes.

``apply_gradients`` uses ``tf.keras.optimizers.SGD`` as this TensorFlow ships it (Keras 3 on
TF >= 2.16). ``minimize`` does not exist on Keras 3 optimizers, so the minimize routes use the
Keras 2 optimizer from :func:`fitters.compat.minimize_keras` (``tf_keras`` on TF >= 2.16).
Both keep the learning rate in a float32 variable and cast it to the parameter's dtype, so the
step they take is float32(lr), not lr: the harness's oracles use that effective rate.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import tensorflow as tf

from .. import compat
from ..losslog import LossLog
from ..problem import Problem
from ..registry import LOSS_SPELLINGS  # route metadata: the table declares the spellings
from .tensors import scalar_data, scalar_variables, vector_data


def apply_gradients_vector(
    pb: Problem, init: np.ndarray, lr: float, epochs: int, log: LossLog
) -> np.ndarray:
    """GradientTape + opt.apply_gradients 풀이 1: SGD on one (p+1, 1) float64 Variable."""
    X, y, n = vector_data(pb)
    beta = tf.Variable(init[:, None])
    opt = compat.sgd(compat.keras(), lr)
    for _ in range(epochs):
        with tf.GradientTape() as tape:
            yhat = X @ beta
            loss = tf.transpose(y - yhat) @ (y - yhat) / n
        log.record(loss)
        slope = tape.gradient(loss, beta)
        opt.apply_gradients([(slope, beta)])
    return beta.numpy()[:, 0]


def apply_gradients_scalar(
    pb: Problem, init: np.ndarray, lr: float, epochs: int, log: LossLog
) -> np.ndarray:
    """GradientTape + opt.apply_gradients 풀이 2: SGD on two float32 Variables b0, b1."""
    x, y, n = scalar_data(pb)
    beta0, beta1 = scalar_variables(init)
    opt = compat.sgd(compat.keras(), lr)
    for _ in range(epochs):
        with tf.GradientTape() as tape:
            yhat = beta0 + beta1 * x
            loss = tf.reduce_sum((y - yhat) ** 2) / n
        log.record(loss)
        slope0, slope1 = tape.gradient(loss, [beta0, beta1])
        opt.apply_gradients([(slope0, beta0), (slope1, beta1)])
    return np.array([beta0.numpy(), beta1.numpy()], dtype=np.float64)


def vector_loss(
    spelling: str, X: tf.Tensor, y: tf.Tensor, beta: tf.Variable, n: int
) -> Callable[[], tf.Tensor]:
    """The zero-argument loss ``opt.minimize`` takes, spelled as the lecture spells it.

    The MSE spellings come from the same Keras as the optimizer (Keras 2), whose loss objects
    keep the inputs' float64; Keras 3's ``MeanSquaredError()`` would cast to floatx (float32).
    """
    losses = compat.minimize_keras().losses
    if spelling == "lambda":
        return lambda: tf.transpose(y - X @ beta) @ (y - X @ beta) / n
    if spelling == "def_short":

        def loss_fn():
            return tf.transpose(y - X @ beta) @ (y - X @ beta) / n

        return loss_fn
    if spelling == "def_long":

        def loss_fn():
            yhat = X @ beta
            loss = tf.transpose(y - yhat) @ (y - yhat) / n
            return loss

        return loss_fn
    if spelling == "mse_function":

        def loss_fn():
            yhat = X @ beta
            return losses.MSE(tf.reshape(y, [-1]), tf.reshape(yhat, [-1]))

        return loss_fn
    if spelling == "mse_class":
        mseloss_fn = losses.MeanSquaredError()

        def loss_fn():
            yhat = X @ beta
            return mseloss_fn(tf.reshape(y, [-1]), tf.reshape(yhat, [-1]))

        return loss_fn
    raise ValueError(f"loss must be one of {', '.join(LOSS_SPELLINGS)}; got {spelling!r}")


class _Recording:
    """Wraps a zero-argument loss so the value minimize computes is also logged."""

    def __init__(self, loss_fn: Callable[[], tf.Tensor], log: LossLog):
        self.loss_fn, self.log = loss_fn, log

    def __call__(self) -> tf.Tensor:
        loss = self.loss_fn()
        self.log.record(loss)
        return loss


def minimize_vector(
    pb: Problem, init: np.ndarray, lr: float, epochs: int, log: LossLog, *, loss: str = "lambda"
) -> np.ndarray:
    """opt.minimize 풀이 1, 3-6: ``opt.minimize(loss_fn, [beta])`` on one float64 Variable.

    ``loss`` picks the lecture's spelling: "lambda", "def_short", "def_long",
    "mse_function" (``losses.MSE``) or "mse_class" (``losses.MeanSquaredError()``).
    The optimizer is Keras 2's SGD (``tf_keras`` on TF >= 2.16, where Keras 3 has no
    ``minimize``). The var_list is ``[beta]``: the lecture's bare ``beta`` fails (see
    the pitfall tests).
    """
    X, y, n = vector_data(pb)
    beta = tf.Variable(init[:, None])
    loss_fn = _Recording(vector_loss(loss, X, y, beta, n), log)
    opt = compat.sgd(compat.minimize_keras(), lr)
    for _ in range(epochs):
        opt.minimize(loss_fn, [beta])
    return beta.numpy()[:, 0]


def minimize_scalar(
    pb: Problem, init: np.ndarray, lr: float, epochs: int, log: LossLog
) -> np.ndarray:
    """opt.minimize 풀이 2: ``opt.minimize(loss_fn, [beta0, beta1])``, float32 Variables.

    Keras 2's SGD (``tf_keras`` on TF >= 2.16), as for :func:`minimize_vector`.
    """
    x, y, n = scalar_data(pb)
    beta0, beta1 = scalar_variables(init)
    loss_fn = _Recording(lambda: tf.reduce_sum((y - beta0 - beta1 * x) ** 2) / n, log)
    opt = compat.sgd(compat.minimize_keras(), lr)
    for _ in range(epochs):
        opt.minimize(loss_fn, [beta0, beta1])
    return np.array([beta0.numpy(), beta1.numpy()], dtype=np.float64)
