"""compiled_core: the vectorized gradient descent as one XLA-compiled TensorFlow program.

Beyond the lecture. The MSE and its gradient need only the second moments of Z = [1 x y]:
with M = Z'Z/n = [[G, m], [m', c]] (G = X'X/n, m = X'y/n, c = y'y/n) and w = [b, -1],

    L(b) = w'M w = b'G b - 2 b'm + c,      grad L(b) = 2 (M w)[:p+1] = 2 (G b - m).

M comes from the one-pass moments validation already computed (:mod:`fitters.moments`: one
fused read of x and y, also for data streamed in chunks or summed by Dask); every epoch then
costs one (p+2) x (p+2) matrix-vector product, independent of n. The epochs run inside one XLA
program, CHUNK at a time, so the program is compiled once per p whatever n, lr or the
epoch count are, and each call pays TensorFlow's dispatch overhead once, not per epoch.
The loop stops at the first non-finite loss, which the LossLog then reports.
"""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

from .. import moments as _moments
from ..losslog import LossLog
from ..problem import Problem

#: epochs per XLA call: the lecture's 1000 epochs take one call; the loss buffer is 32 KiB
CHUNK = 4096


@tf.function(jit_compile=True)
def _gd_chunk(packed: tf.Tensor) -> tf.Tensor:
    """Up to CHUNK GD steps on L(b) = w'Mw; packed = [M (row-major), b_0..b_p, lr, steps].

    One packed argument and one packed result: each tensor crossing the call costs ~10-20 us
    of conversion and dispatch, as much as a thousand epochs. Returns [b, taken, losses]:
    losses[j] (CHUNK of them) is the loss before step j; a step whose loss is not finite is
    counted in ``taken`` but not applied, and ends the loop.
    """
    length = packed.shape[0]  # (p+2)^2 + (p+1) + 2, static: one trace per p
    p2 = (math.isqrt(4 * length - 3) - 1) // 2
    p1 = p2 - 1
    moments = tf.reshape(packed[: p2 * p2], [p2, p2])
    state = packed[p2 * p2 :]
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
    return tf.concat([beta, [tf.cast(taken, moments.dtype)], losses], 0)


_PROGRAMS: dict[int, tf.types.experimental.ConcreteFunction] = {}


def _program(p2: int) -> tf.types.experimental.ConcreteFunction:
    """The traced _gd_chunk for (p+2) x (p+2) moments, traced once per p and kept.

    Calling the concrete function skips tf.function's argument canonicalization and cache
    lookup (~0.1 ms a call on this machine, a third of a 1000-epoch fit at n = 200).
    """
    program = _PROGRAMS.get(p2)
    if program is None:
        program = _PROGRAMS[p2] = _gd_chunk.get_concrete_function(
            tf.TensorSpec([p2 * p2 + p2 + 1], tf.float64)
        )
    return program


def second_moments(pb: Problem) -> np.ndarray:
    """M = Z'Z/n for Z = [1 x y], (p+2, p+2) float64, from the raw one-pass sums.

    Validation computed them (``pb.moments``); a Problem built without validation gets
    them here, by the same pass. Either way M is a sum of n products per entry, rounded in
    some order, then divided by n: exactly what ``fitters.tolerances`` models for
    ``sufficient_statistics`` routes (the shifted sums of the same pass feed only the
    spectrum, never M).
    """
    mom = pb.moments if pb.moments is not None else _moments.of_arrays(pb.x, pb.y)
    return mom.second_moments()


def compiled_core(
    pb: Problem, init: np.ndarray, lr: float, epochs: int, log: LossLog
) -> np.ndarray:
    """Beyond the lecture: float64 GD from the data's second moments in one compiled XLA loop."""
    if epochs == 0:
        return np.asarray(init, dtype=np.float64)
    moments = second_moments(pb)
    p2 = moments.shape[0]
    program = _program(p2)
    packed = np.empty(p2 * p2 + p2 + 1)
    packed[: p2 * p2] = moments.reshape(-1)
    beta = np.asarray(init, dtype=np.float64)
    done = 0
    while done < epochs:
        steps = min(CHUNK, epochs - done)
        packed[p2 * p2 : -2] = beta
        packed[-2:] = lr, steps
        out = program(tf.constant(packed)).numpy()
        taken = int(out[p2 - 1])
        log.record_many(out[p2 : p2 + taken])
        beta = out[: p2 - 1].copy()
        done += steps
    return beta
