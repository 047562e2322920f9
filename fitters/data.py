"""The lecture's data set, reproduced bit for bit."""

from __future__ import annotations

import functools

import numpy as np

LECTURE_SEED = 43052
LECTURE_N = 200


@functools.cache
def _lecture_arrays() -> tuple[np.ndarray, np.ndarray]:
    import tensorflow as tf
    import tensorflow.experimental.numpy as tnp
    from tensorflow.python.eager import context

    from .state import preserved_global_state

    with preserved_global_state():
        # The lecture: tnp.random.seed(43052); x = tnp.linspace(0, 1, N);
        # epsilon = tnp.random.randn(N) * 0.5; y = 2.5 + 4 * x + epsilon.
        # tnp.random.randn draws float64 from TF's stateful normal op, seeded by the
        # global seed and the first eager op seed after tnp.random.seed.
        tnp.random.seed(LECTURE_SEED)
        x = tnp.linspace(0, 1, LECTURE_N, dtype=tnp.float64)
        epsilon = tf.random.normal([LECTURE_N], dtype=tf.float64) * 0.5
        y = 2.5 + 4 * x + epsilon
        assert context.executing_eagerly()
        return x.numpy(), y.numpy()


def lecture_dataset() -> tuple[np.ndarray, np.ndarray]:
    """(x, y): the lecture's N = 200 points, x = linspace(0, 1), y = 2.5 + 4x + 0.5 randn.

    Seeded exactly as the lecture (``tnp.random.seed(43052)``), float64, bit-identical to the
    data the lecture's printed numbers came from. TensorFlow's global seed is restored after
    drawing, so calling this does not change any other random stream of the caller.
    Returns fresh copies; the draw itself happens once per process.
    """
    x, y = _lecture_arrays()
    return x.copy(), y.copy()
