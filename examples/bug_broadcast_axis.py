"""A plausible bug: the residual is averaged over the wrong axis.

The lecture keeps b as a column; y arrives as a vector, so y - X @ b broadcasts to an
(n, n) matrix, and the loss is then the mean over both axes: the fit converges somewhere else.

    pytest --fitters-routes bug_broadcast_axis

fails check_trajectory (and check_loss_history: the very first loss is not the MSE at init).
"""

import numpy as np

import fitters


@fitters.route(dtype="float64", iterative=True)
def broadcast_axis(x, y, init, lr, epochs):
    X = np.column_stack([np.ones(len(y)), x])
    b = init.reshape(-1, 1)  # a column, as in the lecture
    losses = []
    for _ in range(epochs):
        r = y - X @ b  # BUG: (n,) - (n, 1) is (n, n)
        losses.append(np.mean(r**2))
        b = b - lr * (-2 * X.T @ r.mean(axis=1, keepdims=True) / len(y))
    return b[:, 0], losses


ROUTES = [broadcast_axis]
