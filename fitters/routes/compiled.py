"""compiled_core: the vectorized gradient descent as one XLA-compiled TensorFlow program.

Beyond the lecture. The MSE and its gradient need only the second moments of Z = [1 x y]:
with M = Z'Z/n = [[G, m], [m', c]] (G = X'X/n, m = X'y/n, c = y'y/n) and w = [b, -1],

    L(b) = w'M w = b'G b - 2 b'm + c,      grad L(b) = 2 (M w)[:p+1] = 2 (G b - m).

M is computed once (one pass over the data, in NumPy); every epoch then costs one
(p+2) x (p+2) matrix-vector product, independent of n. The epochs run inside one XLA
program, CHUNK at a time, so the program is compiled once per p whatever n, lr or the
epoch count are, and each call pays TensorFlow's dispatch overhead once, not per epoch.
The loop stops at the first non-finite loss, which the LossLog then reports.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from ..losslog import LossLog
from ..problem import Problem

#: epochs per XLA call: the lecture's 1000 epochs take one call; the loss buffer is 32 KiB
CHUNK = 4096


@tf.function(jit_compile=True)
def _gd_chunk(moments: tf.Tensor, state: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """Up to CHUNK GD steps on L(b) = w'Mw; state = [b_0, ..., b_p, lr, steps].

    Two packed arguments rather than seven: each tensor argument costs ~10 us of dispatch.
    Returns (b, losses[CHUNK], taken): losses[j] is the loss before step j; a step whose
    loss is not finite is counted in ``taken`` but not applied, and ends the loop.
    """
    p1 = moments.shape[0] - 1  # static: one trace (and one XLA compilation) per p
    beta, lr = state[:p1], state[p1]
    steps = tf.cast(state[p1 + 1], tf.int32)
    minus_one = tf.constant([-1.0], dtype=moments.dtype)

    def cond(i, b, losses, ok):
        return tf.logical_and(i < steps, ok)

    def body(i, b, losses, ok):
        mw = tf.linalg.matvec(moments, tf.concat([b, minus_one], 0))
        loss = tf.tensordot(b, mw[:p1], 1) - mw[p1]  # w'Mw with w = [b, -1]
        ok = tf.math.is_finite(loss)
        losses = tf.tensor_scatter_nd_update(losses, [[i]], [loss])
        b = tf.where(ok, b - (2.0 * lr) * mw[:p1], b)
        return i + 1, b, losses, ok

    init = (tf.constant(0), beta, tf.zeros([CHUNK], moments.dtype), tf.constant(True))
    taken, beta, losses, _ = tf.while_loop(cond, body, init, maximum_iterations=CHUNK)
    return beta, losses, taken


_PROGRAMS: dict[int, tf.types.experimental.ConcreteFunction] = {}


def _program(p2: int) -> tf.types.experimental.ConcreteFunction:
    """The traced _gd_chunk for (p+2) x (p+2) moments, traced once per p and kept.

    Calling the concrete function skips tf.function's argument canonicalization and cache
    lookup (~0.1 ms a call on this machine, a third of a 1000-epoch fit at n = 200).
    """
    program = _PROGRAMS.get(p2)
    if program is None:
        program = _PROGRAMS[p2] = _gd_chunk.get_concrete_function(
            tf.TensorSpec([p2, p2], tf.float64), tf.TensorSpec([p2 + 1], tf.float64)
        )
    return program


def second_moments(pb: Problem) -> np.ndarray:
    """M = Z'Z/n for Z = [1 x y], (p+2, p+2) float64: the one pass over the data.

    Computed from pb.x and pb.y on every call (nothing cached on the Problem), so a timing
    of the route includes the pass. For one predictor the products are einsum's single-
    threaded streaming loops: OpenBLAS splits a length-n dot over threads, and on a busy
    2-core machine waiting for the second thread costs milliseconds per product.
    """
    x, y = pb.x, pb.y
    n, p = x.shape
    if p == 1:
        xx = np.einsum("ij,ik->jk", x, x)
        xy = np.einsum("ij,i->j", x, y)
    else:
        xx, xy = x.T @ x, x.T @ y
    m = np.empty((p + 2, p + 2))
    m[0, 0] = n
    m[0, 1:-1] = m[1:-1, 0] = np.add.reduce(x, axis=0)
    m[0, -1] = m[-1, 0] = np.add.reduce(y)
    m[1:-1, 1:-1] = xx
    m[1:-1, -1] = m[-1, 1:-1] = xy
    m[-1, -1] = np.einsum("i,i", y, y)
    return m / n


def compiled_core(
    pb: Problem, init: np.ndarray, lr: float, epochs: int, log: LossLog
) -> np.ndarray:
    """Beyond the lecture: float64 GD from the data's second moments in one compiled XLA loop."""
    if epochs == 0:
        return np.asarray(init, dtype=np.float64)
    moments = tf.constant(second_moments(pb))
    program = _program(moments.shape[0])
    beta = np.asarray(init, dtype=np.float64)
    done = 0
    while done < epochs:
        steps = min(CHUNK, epochs - done)
        state = tf.constant(np.concatenate([beta, [lr, steps]]))
        beta_t, losses, taken = program(moments, state)
        log.record_many(losses.numpy()[: int(taken)])
        beta = beta_t.numpy()
        done += steps
    return beta
