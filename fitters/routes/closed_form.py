"""The lecture's closed-form solutions (이론적 풀이 1, 2) and a stable solve beyond the lecture."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from ..problem import Problem


def closed_form_scalar(pb: Problem) -> np.ndarray:
    """이론적 풀이 1: b1 = Sxy / Sxx, b0 = ybar - xbar * b1, in float64 tensors.

    The lecture sums with Python's ``sum`` over a tensor (one eager op per element); we use
    ``tf.reduce_sum``, the same sum without n Python-level ops.
    """
    x, y = tf.constant(pb.x[:, 0]), tf.constant(pb.y)
    xbar, ybar = tf.reduce_mean(x), tf.reduce_mean(y)
    sxx = tf.reduce_sum((x - xbar) ** 2)
    sxy = tf.reduce_sum((x - xbar) * (y - ybar))
    b1 = sxy / sxx
    b0 = ybar - xbar * b1
    return np.array([b0.numpy(), b1.numpy()])


def normal_equation_inv(pb: Problem) -> np.ndarray:
    """이론적 풀이 2: ``tf.linalg.inv(X.T @ X) @ X.T @ y``, as the lecture writes it.

    An explicit inverse of X'X: its error grows like eps * cond(X)^2, which the robustness
    tests show against ``normal_equation_solve``. ``tf.transpose`` stands for ``.T`` so the
    route does not need NumPy behaviour switched on.
    """
    X, y = tf.constant(pb.design), tf.constant(pb.y[:, None])
    Xt = tf.transpose(X)
    return (tf.linalg.inv(Xt @ X) @ Xt @ y).numpy()[:, 0]


def normal_equation_solve(pb: Problem) -> np.ndarray:
    """Beyond the lecture: least squares by Householder QR, X = QR, R b = Q'y (float64).

    Never forms X'X, so its error is about eps * cond(X) instead of eps * cond(X)^2.
    """
    X, y = tf.constant(pb.design), tf.constant(pb.y[:, None])
    q, r = tf.linalg.qr(X)
    b = tf.linalg.triangular_solve(r, tf.linalg.matmul(q, y, transpose_a=True), lower=False)
    return b.numpy()[:, 0]
