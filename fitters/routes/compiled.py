"""compiled_core: the vectorized gradient descent as one XLA-compiled TensorFlow program.

Beyond the lecture. The MSE gradient needs only the sufficient statistics G = X'X and
m = X'y: grad = 2(G b - m)/n and loss = (y'y - 2 b'm + b'G b)/n. They are computed once
(one pass over the data); every epoch then costs O(p^2), independent of n. The loop runs
inside one XLA program in chunks of CHUNK epochs (one compilation per p, whatever the
epoch count), and stops early as soon as the loss is not finite.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from ..validation import Problem
from ._loop import LossLog

CHUNK = 1024


@tf.function(jit_compile=True, reduce_retracing=True)
def _gd_chunk(gram, moment, yy, n, beta, lr, steps):
    """Up to ``steps`` (<= CHUNK) GD steps from beta; returns (beta, losses[CHUNK], taken)."""

    def cond(i, b, losses):
        finite = tf.logical_or(tf.equal(i, 0), tf.math.is_finite(losses[tf.maximum(i - 1, 0)]))
        return tf.logical_and(i < steps, finite)

    def body(i, b, losses):
        gb = tf.linalg.matvec(gram, b)
        loss = (yy - 2.0 * tf.tensordot(b, moment, 1) + tf.tensordot(b, gb, 1)) / n
        losses = tf.tensor_scatter_nd_update(losses, [[i]], [loss])
        b = tf.where(tf.math.is_finite(loss), b - lr * (2.0 * (gb - moment) / n), b)
        return i + 1, b, losses

    i0 = tf.constant(0)
    losses0 = tf.zeros([CHUNK], dtype=beta.dtype)
    taken, beta, losses = tf.while_loop(cond, body, (i0, beta, losses0), maximum_iterations=CHUNK)
    return beta, losses, taken


@tf.function(jit_compile=True, reduce_retracing=True)
def _sufficient_statistics(X, y):
    return tf.linalg.matmul(X, X, transpose_a=True), tf.linalg.matvec(X, y, transpose_a=True), tf.tensordot(y, y, 1)


def sufficient_statistics(pb: Problem):
    """(X'X, X'y, y'y) as float64 tensors: the one pass over the data."""
    return _sufficient_statistics(tf.constant(pb.design), tf.constant(pb.y))


def compiled_core(pb: Problem, init: np.ndarray, lr: float, epochs: int, log: LossLog) -> np.ndarray:
    """Beyond the lecture: float64 GD from sufficient statistics in one compiled XLA loop."""
    gram, moment, yy = sufficient_statistics(pb)
    n = tf.constant(float(pb.n), dtype=tf.float64)
    lr_t = tf.constant(lr, dtype=tf.float64)
    beta = tf.constant(init)
    done = 0
    while done < epochs:
        steps = min(CHUNK, epochs - done)
        beta, losses, taken = _gd_chunk(gram, moment, yy, n, beta, lr_t, tf.constant(steps))
        for value in losses.numpy()[: int(taken)]:
            log.record(value)
        done += steps
    return beta.numpy()
