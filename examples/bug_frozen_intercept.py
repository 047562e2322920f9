"""A plausible bug: the intercept is never updated (only the slopes take a step).

    pytest --fitters-routes bug_frozen_intercept

fails check_trajectory with "hint: the intercept b0 never moved from init".
"""

import numpy as np

import fitters


@fitters.route(dtype="float64", iterative=True)
def frozen_intercept(x, y, init, lr, epochs):
    X = np.column_stack([np.ones(len(y)), x])
    b = init.copy()
    losses = []
    for _ in range(epochs):
        r = y - X @ b
        losses.append(r @ r / len(y))
        grad = -2 * X.T @ r / len(y)
        b[1:] = b[1:] - lr * grad[1:]  # BUG: b[0] is never stepped
    return b, losses


ROUTES = [frozen_intercept]
