"""Pieces every iterative route shares: the loss log that detects divergence."""

from __future__ import annotations

import math

import numpy as np

from ..core import DivergenceError
from ..validation import Problem


class LossLog:
    """Records the loss before each step; raises DivergenceError the moment it is not finite.

    The loss is quadratic in the coefficients, so it overflows before they do: checking it
    each epoch stops a diverging run at once rather than after all epochs.
    """

    def __init__(self, route: str, problem: Problem, lr: float, epochs: int):
        self.route, self.problem, self.lr = route, problem, lr
        self.values = np.empty(epochs)
        self.count = 0

    def record(self, loss) -> None:
        value = float(np.asarray(loss).reshape(()))
        if not math.isfinite(value):
            self.diverged()
        self.values[self.count] = value
        self.count += 1

    def diverged(self):
        if self.count == 0:  # L(init) itself is not finite: no step taken, not the lr's fault
            raise ValueError(
                f"{self.route}: the loss at the starting coefficients is not finite in the "
                "route's precision: x, y or init are too large in magnitude for it; rescale "
                "the data (or use a float64 route) or start from a smaller init"
            )
        raise DivergenceError(self.route, self.lr, self.count, self.problem.stable_lr)

    def check_coef(self, coef: np.ndarray) -> np.ndarray:
        if not np.isfinite(coef).all():
            self.diverged()
        return coef

    @property
    def history(self) -> np.ndarray:
        return self.values[: self.count]
