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
        raise DivergenceError(self.route, self.lr, self.count, self.problem.stable_lr)

    def check_coef(self, coef: np.ndarray) -> np.ndarray:
        if not np.isfinite(coef).all():
            self.diverged()
        return coef

    @property
    def history(self) -> np.ndarray:
        return self.values[: self.count]
