"""The loss log every gradient route writes: one loss per epoch, and divergence detection.

A route receives a :class:`LossLog` and records the loss it computed before each step, one
value at a time (:meth:`LossLog.record`) or a whole block from a compiled loop
(:meth:`LossLog.record_many`). The loss is quadratic in the coefficients, so it overflows
before they do: checking it as it is recorded stops a diverging run at that epoch, with a
:class:`~fitters.DivergenceError` naming the stable learning rate, instead of after all epochs.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from .core import DivergenceError
from .problem import Problem

__all__ = ["LossLog"]


class LossLog:
    """The losses a gradient route recorded, in order; raises the moment one is not finite.

    ``history`` is what ``Fit.loss_history`` returns. ``count`` is the number of losses
    recorded so far, which is also the epoch a divergence is reported at; ``used`` says
    whether the route recorded at all (a block of none included), so a route that keeps
    no losses is told apart from one that ran zero epochs.
    """

    def __init__(self, route: str, problem: Problem, lr: float, epochs: int):
        self.route, self.problem, self.lr = route, problem, lr
        self._values = np.empty(epochs)
        self.count = 0
        self.used = False

    def record(self, loss: ArrayLike) -> None:
        """Append one loss (a scalar or a one-element tensor/array)."""
        self.used = True
        value = float(np.asarray(loss).reshape(()))
        if not math.isfinite(value):
            self.diverged()
        self._check_room(1)
        self._values[self.count] = value
        self.count += 1

    def record_many(self, losses: ArrayLike) -> None:
        """Append a block of losses at once (a compiled loop's output), as ``record`` would.

        Finite losses before the first non-finite one are kept; that one raises, with the
        count of finite losses before it as the epoch.
        """
        self.used = True
        values = np.asarray(losses, dtype=np.float64).reshape(-1)
        finite = np.isfinite(values)
        k = values.size if finite.all() else int(np.argmin(finite))
        self._check_room(k)
        self._values[self.count : self.count + k] = values[:k]
        self.count += k
        if k < values.size:
            self.diverged()

    def _check_room(self, k: int) -> None:
        if self.count + k > self._values.size:
            raise RuntimeError(
                f"{self.route}: recorded {self.count + k} losses for {self._values.size} epochs; "
                "a gradient route records exactly one loss per epoch"
            )

    def diverged(self):
        """Raise for a non-finite loss or coefficient at the current epoch."""
        if self.count == 0:  # L(init) itself is not finite: no step taken, not the lr's fault
            raise ValueError(
                f"{self.route}: the loss at the starting coefficients is not finite in the "
                "route's precision: x, y or init are too large in magnitude for it; rescale "
                "the data (or use a float64 route) or start from a smaller init"
            )
        raise DivergenceError(self.route, self.lr, self.count, self.problem.stable_lr)

    def check_coef(self, coef: np.ndarray) -> np.ndarray:
        """The route's final coefficients, or DivergenceError if they are not finite."""
        if not np.isfinite(coef).all():
            self.diverged()
        return coef

    @property
    def history(self) -> np.ndarray:
        """The losses recorded so far (a view, length ``count``)."""
        return self._values[: self.count]
