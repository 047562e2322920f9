"""A plausible bug: the loop runs one epoch short (and returns no loss history).

    pytest --fitters-routes bug_one_epoch_short

fails check_trajectory with "hint: coef match the exact iterate after k-1 steps".
"""

import numpy as np

import fitters


@fitters.route(dtype="float64", iterative=True, loss_history=False)
def one_epoch_short(x, y, init, lr, epochs):
    X = np.column_stack([np.ones(len(y)), x])
    b = init.copy()
    for _ in range(1, epochs):  # BUG: epochs - 1 steps
        b = b - lr * (-2 * X.T @ (y - X @ b) / len(y))
    return b


ROUTES = [one_epoch_short]
