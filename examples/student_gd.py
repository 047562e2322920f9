"""A student's own gradient descent, checked by the harness: a correct route.

Run the whole property suite on it (from the folder holding this file):

    pytest --fitters-routes student_gd

It passes: every check of ``fitters.testing`` that applies to a float64 gradient route.
"""

import numpy as np

import fitters


@fitters.route(dtype="float64", iterative=True)
def student_gd(x, y, init, lr, epochs):
    """Full-batch gradient descent on the mean squared error, as the lecture derives it."""
    X = np.column_stack([np.ones(len(y)), x])  # the design [1 x]
    b = init.copy()
    losses = []
    for _ in range(epochs):
        r = y - X @ b
        losses.append(r @ r / len(y))  # the loss before the step
        b = b - lr * (-2 * X.T @ r / len(y))
    return b, losses


ROUTES = [student_gd]
