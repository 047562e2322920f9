"""The contract's value types: what a route returns and the errors it raises."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class DivergenceError(ValueError, FloatingPointError):
    """A gradient route's iterates stopped being finite: the learning rate is too large.

    A subclass of ``ValueError`` (a bad argument caused it) and of ``FloatingPointError``
    (it was detected as overflow). ``stable_lr`` is 2/lambda_max(H), the largest learning
    rate for which full-batch gradient descent on this data set converges.
    """

    def __init__(self, route: str, lr: float, epoch: int, stable_lr: float):
        self.route, self.lr, self.epoch, self.stable_lr = route, lr, epoch, stable_lr
        super().__init__(
            f"{route}: iterates stopped being finite at epoch {epoch} with lr={lr:g}; "
            f"gradient descent on this data set is stable only for lr < 2/lambda_max(H) "
            f"= {stable_lr:.6g}. Use a smaller learning rate."
        )


class IllConditionedWarning(RuntimeWarning):
    """The design matrix is too ill-conditioned for the route's dtype to resolve the answer.

    Warned when eps(dtype) * cond(XS)^k > 1e-2, XS the design with unit-norm columns, k = 1 for
    routes that never form X'X (``stable_solve``) and 2 otherwise: the coefficients of a route
    computing in that dtype may then carry no correct digit.
    """


@dataclass(frozen=True)
class Fit:
    """What every route returns.

    coef: float64 array [b0, b1, ..., bp], intercept first.
    epochs: gradient steps taken (0 for closed forms).
    loss_history: MSE before each step (length ``epochs``), or None for closed forms.
    """

    coef: np.ndarray
    epochs: int
    loss_history: np.ndarray | None

    def __repr__(self) -> str:
        """One line: the coefficients, the epochs and the loss history summarized, so a
        notebook cell shows the answer rather than a thousand losses."""
        values = [f"{c:.10g}" for c in np.asarray(self.coef).ravel()]
        if len(values) > 8:
            values = [*values[:3], "...", *values[-3:]]
        coef = "[" + ", ".join(values) + "]"
        history = self.loss_history
        if history is None:
            return f"Fit(coef={coef}, epochs={self.epochs}, loss_history=None)"
        if len(history) == 0:
            return f"Fit(coef={coef}, epochs={self.epochs}, loss_history=<0 losses>)"
        first, last = float(history[0]), float(history[-1])
        return (
            f"Fit(coef={coef}, epochs={self.epochs}, final_loss={last:.6g}, "
            f"loss_history=<{len(history)} losses, {first:.6g} -> {last:.6g}>)"
        )
