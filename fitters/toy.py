"""The lecture's one-parameter warm-up: minimize (beta/2 - 1)^2 from beta = -10 with SGD.

The exact iterate is beta_k = 2 + (beta_0 - 2)(1 - lr/2)^k (the gradient is beta/2 - 1), so
step 1 from -10 with lr = 0.01/6 gives -10 + 6 lr = -9.99, as the lecture prints.
"""

from __future__ import annotations

import tensorflow as tf

from . import compat
from .state import preserved_global_state
from .validation import check_epochs, check_lr

#: Features each toy function needs beyond TensorFlow (see ``fitters.compat.missing``).
NEEDS: dict[str, tuple[str, ...]] = {"apply_gradients": (), "minimize": ("optimizer.minimize",)}


def _loss(beta):
    return (beta / 2 - 1) ** 2


def apply_gradients(steps: int = 10000, beta: float = -10.0, lr: float = 0.01 / 6) -> float:
    """방법1: GradientTape + ``tf.keras.optimizers.SGD(lr).apply_gradients``; float32 beta."""
    steps, lr = check_epochs(steps), check_lr(lr)
    with preserved_global_state():
        var = tf.Variable(beta, dtype=tf.float32)
        opt = compat.sgd(compat.keras(), lr)
        for _ in range(steps):
            with tf.GradientTape() as tape:
                tape.watch(var)
                loss = _loss(var)
            slope = tape.gradient(loss, var)
            opt.apply_gradients([(slope, var)])
        return float(var.numpy())


def minimize(steps: int = 10000, beta: float = -10.0, lr: float = 0.01 / 6) -> float:
    """방법2: ``opt.minimize(loss_fn, [beta])`` with Keras 2's SGD (``tf_keras`` on TF >= 2.16).

    The lecture's ``opt.minimize(loss_fn, beta)`` (a bare Variable) raises; see the pitfall tests.
    """
    steps, lr = check_epochs(steps), check_lr(lr)
    with preserved_global_state():
        var = tf.Variable(beta, dtype=tf.float32)
        opt = compat.sgd(compat.minimize_keras(), lr)
        for _ in range(steps):
            opt.minimize(lambda: _loss(var), [var])
        return float(var.numpy())
