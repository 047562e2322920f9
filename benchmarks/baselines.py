"""What a user would pick instead of the routes: plain NumPy, with the routes' arithmetic.

Kept out of ``fitters`` on purpose: these are yardsticks, not routes, and they owe nothing
to the contract (no validation, no loss log, no global-state guard). Each mirrors one
route's arithmetic so that a ratio measures the machinery, not a different algorithm:

- ``numpy_gd``: the eager vector routes (residual r = y - Xb, loss r'r/n, step -2X'r/n),
  O(n) work per epoch;
- ``numpy_gd_moments``: the compiled core (M = Z'Z/n once, then one (p+2)^2 product per
  epoch), the same loop run by the Python interpreter instead of XLA;
- ``numpy_lstsq``: the closed forms' job done by LAPACK.

The floors bound what any route can cost at large n:

- ``read_once`` streams every byte of x and y once (the memory-bandwidth floor);
- ``gram_once`` / ``gram_once_tf`` compute X'X once for the design X = [1 x], in NumPy
  and in TensorFlow (the first thing the lecture's normal equation does).
"""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

__all__ = [
    "Diverged",
    "design",
    "gram_once",
    "gram_once_tf",
    "numpy_gd",
    "numpy_gd_moments",
    "numpy_lstsq",
    "read_once",
]


def design(x: np.ndarray) -> np.ndarray:
    """X = [1 x], (n, p+1) float64, from x of shape (n,) or (n, p)."""
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    return np.column_stack([np.ones(len(x)), x])


class Diverged(FloatingPointError):
    """A baseline loop's loss stopped being finite at ``epoch`` (lr too large)."""

    def __init__(self, epoch: int):
        self.epoch = epoch
        super().__init__(f"loss stopped being finite at epoch {epoch}; lower lr")


def numpy_gd(
    x: np.ndarray, y: np.ndarray, init: np.ndarray, lr: float, epochs: int
) -> tuple[np.ndarray, np.ndarray]:
    """(coef, losses): full-batch GD on the data in a NumPy loop, O(n) per epoch.

    The loss is checked for finiteness each epoch, as every route's LossLog does.
    """
    X = design(x)
    y = np.asarray(y, dtype=np.float64)
    n = len(y)
    b = np.array(init, dtype=np.float64)
    losses = np.empty(epochs)
    step = 2.0 * lr / n
    for k in range(epochs):
        r = y - X @ b
        loss = float(r @ r) / n
        if not math.isfinite(loss):
            raise Diverged(k)
        losses[k] = loss
        b = b + step * (X.T @ r)
    return b, losses


def numpy_gd_moments(
    x: np.ndarray, y: np.ndarray, init: np.ndarray, lr: float, epochs: int
) -> tuple[np.ndarray, np.ndarray]:
    """(coef, losses): the compiled core's arithmetic in a NumPy loop, O(p^2) per epoch.

    M = Z'Z/n for Z = [1 x y], w = [b, -1]: loss = w'Mw, gradient = 2 (Mw)[:p+1].
    """
    Z = np.column_stack([design(x), y])
    n = len(Z)
    moments = Z.T @ Z / n
    p1 = len(init)
    w = np.append(np.asarray(init, dtype=np.float64), -1.0)
    losses = np.empty(epochs)
    for k in range(epochs):
        mw = moments @ w
        loss = float(w @ mw)
        if not math.isfinite(loss):
            raise Diverged(k)
        losses[k] = loss
        w[:p1] -= (2.0 * lr) * mw[:p1]
    return w[:p1].copy(), losses


def numpy_lstsq(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least-squares coefficients [b0, b1, ...] by numpy.linalg.lstsq on X = [1 x]."""
    coef, *_ = np.linalg.lstsq(design(x), np.asarray(y, dtype=np.float64), rcond=None)
    return coef


def read_once(x: np.ndarray, y: np.ndarray) -> float:
    """Sum of every entry of x and y: one streaming read of the data, nothing more."""
    return float(np.add.reduce(x, axis=None) + np.add.reduce(y, axis=None))


def gram_once(X: np.ndarray) -> np.ndarray:
    """X'X of a prebuilt design matrix, by NumPy (BLAS)."""
    return X.T @ X


def gram_once_tf(X: tf.Tensor) -> tf.Tensor:
    """X'X of a prebuilt design tensor, by TensorFlow (the lecture's ``X.T @ X``)."""
    return tf.linalg.matmul(X, X, transpose_a=True)
