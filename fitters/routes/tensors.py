"""The tensors the eager routes build from a Problem, in the lecture's two shapes.

Vector form: X = [1 x] (n, p+1) and y (n, 1), float64, as the lecture's ``X`` and ``y``.
Scalar form: x and y as float32 vectors and b0, b1 as two float32 Variables; casting the data
once keeps the whole computation float32 whether or not NumPy behaviour (which promotes
float32 * float64 to float64) is switched on.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from ..problem import Problem

__all__ = ["scalar_data", "scalar_variables", "vector_data"]


def vector_data(pb: Problem) -> tuple[tf.Tensor, tf.Tensor, int]:
    """(X, y, n): the float64 design [1 x], the response as an (n, 1) column, and n."""
    return tf.constant(pb.design), tf.constant(pb.y[:, None]), pb.n


def scalar_data(pb: Problem) -> tuple[tf.Tensor, tf.Tensor, int]:
    """(x, y, n): the one predictor and the response as float32 vectors, and n."""
    x = tf.constant(pb.x[:, 0], dtype=tf.float32)
    y = tf.constant(pb.y, dtype=tf.float32)
    return x, y, pb.n


def scalar_variables(init: np.ndarray) -> tuple[tf.Variable, tf.Variable]:
    """b0 and b1 as two float32 Variables, set to ``init``."""
    return tf.Variable(init[0], dtype=tf.float32), tf.Variable(init[1], dtype=tf.float32)
