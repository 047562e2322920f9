"""Hand-written gradient descent: the derivative by hand (이론적 풀이 3) and by GradientTape."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from ..losslog import LossLog
from ..problem import Problem
from .tensors import scalar_data, scalar_variables, vector_data


def analytic_gradient(
    pb: Problem, init: np.ndarray, lr: float, epochs: int, log: LossLog
) -> np.ndarray:
    """이론적 풀이 3: b -= lr * (-2X'y + 2X'X b) / N, the derivative written by hand (float64)."""
    X, y, n = vector_data(pb)

    def xt(a):  # X' @ a without materializing X' (scaling by 2 is exact, so order is moot)
        return tf.linalg.matmul(X, a, transpose_a=True)

    b = tf.constant(init[:, None])
    for _ in range(epochs):
        r = y - X @ b
        log.record(tf.transpose(r) @ r / n)
        slope = (-2 * xt(y) + 2 * xt(X) @ b) / n
        b = b - lr * slope
    return b.numpy()[:, 0]


def tape_vector(pb: Problem, init: np.ndarray, lr: float, epochs: int, log: LossLog) -> np.ndarray:
    """GradientTape 풀이 1: one (p+1, 1) float64 Variable, loss (y-Xb)'(y-Xb)/N, assign_sub."""
    X, y, n = vector_data(pb)
    beta = tf.Variable(init[:, None])
    for _ in range(epochs):
        with tf.GradientTape() as tape:
            yhat = X @ beta
            loss = tf.transpose(y - yhat) @ (y - yhat) / n
        log.record(loss)
        slope = tape.gradient(loss, beta)
        beta.assign_sub(lr * slope)
    return beta.numpy()[:, 0]


def tape_scalar(pb: Problem, init: np.ndarray, lr: float, epochs: int, log: LossLog) -> np.ndarray:
    """GradientTape 풀이 2: b0, b1 as two float32 Variables, loss reduce_sum((y-yhat)^2)/N."""
    x, y, n = scalar_data(pb)
    beta0, beta1 = scalar_variables(init)
    for _ in range(epochs):
        with tf.GradientTape() as tape:
            yhat = beta0 + x * beta1
            loss = tf.reduce_sum((y - yhat) ** 2) / n
        log.record(loss)
        slope0, slope1 = tape.gradient(loss, [beta0, beta1])
        beta0.assign_sub(lr * slope0)
        beta1.assign_sub(lr * slope1)
    return np.array([beta0.numpy(), beta1.numpy()], dtype=np.float64)
