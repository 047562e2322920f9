"""The Route type: one contract in front of every way the lecture fits the line."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from .core import Fit, IllConditionedWarning
from .routes._loop import LossLog
from .state import preserved_global_state
from .validation import Problem, check_epochs, check_init, check_lr, problem

#: eps(dtype) * cond(XS)^power above this and the route's answer has under two correct digits
#: (XS: the design with unit-norm columns; power 1 for a QR solve, 2 when X'X is formed).
ILL_CONDITIONED = 1e-2


def _in_package(module: str) -> bool:
    return module == "fitters" or module.startswith("fitters.")


@dataclass(frozen=True)
class Route:
    """A named route of the lecture with its metadata; ``fit`` validates, runs and checks.

    name, form ("vector" | "scalar"), iterative, dtype (the precision it computes in) and
    max_predictors are the public contract. section and calls document it (README table);
    lr_dtype is the precision the route applies the learning rate in (Keras optimizers keep
    it in a float32 variable), which the exact-iterate oracle needs. slow marks routes whose
    epochs cost milliseconds (Keras fit): checks draw fewer examples and epochs for them.
    stable_solve marks closed forms that never form X'X (error ~ eps cond(X), not cond^2).
    sufficient_statistics marks routes that iterate on X'X and X'y and expand the loss as
    (y'y - 2b'X'y + b'X'Xb)/n, whose rounding is relative to y'y/n, not to the loss.
    variants names keyword options of ``fit`` with their allowed values (e.g. the lecture's
    loss spellings), all of which must agree.
    """

    name: str
    form: Literal["vector", "scalar"]
    iterative: bool
    dtype: Literal["float32", "float64"]
    max_predictors: int | None
    section: str
    calls: str
    impl: Callable[..., np.ndarray] = field(repr=False)
    lr_dtype: Literal["float32", "float64"] = "float64"
    slow: bool = False
    stable_solve: bool = False
    sufficient_statistics: bool = False
    variants: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def effective_lr(self, lr: float) -> float:
        """The step size the route really takes for a requested lr."""
        return float(np.dtype(self.lr_dtype).type(lr))

    def fit(
        self,
        x: ArrayLike,
        y: ArrayLike,
        *,
        init: ArrayLike | None = None,
        lr: float | None = None,
        epochs: int | None = None,
        **options,
    ) -> Fit:
        """Fit y ~ b0 + x @ b; see the contract. Closed forms ignore init, lr and epochs."""
        pb = problem(x, y, self.max_predictors, route=self.name)
        return self.fit_problem(pb, init=init, lr=lr, epochs=epochs, **options)

    def fit_problem(self, pb: Problem, *, init=None, lr=None, epochs=None, **options) -> Fit:
        """``fit`` on an already validated :class:`Problem` (no second validation pass)."""
        if self.max_predictors is not None and pb.p > self.max_predictors:
            problem(pb.x, pb.y, self.max_predictors, route=self.name)  # raises the message
        self._warn_if_ill_conditioned(pb)
        with preserved_global_state():
            if not self.iterative:
                coef = self.impl(pb, **options)
                if not np.isfinite(coef).all():
                    raise ValueError(
                        f"{self.name}: the solve produced non-finite coefficients "
                        f"(cond(X) = {pb.condition_number:.3g} is beyond {self.dtype})"
                    )
                return Fit(np.asarray(coef, dtype=np.float64), 0, None)
            b0, lr, epochs = check_init(init, pb.p), check_lr(lr), check_epochs(epochs)
            log = LossLog(self.name, pb, lr, epochs)
            coef = log.check_coef(self.impl(pb, b0, lr, epochs, log, **options))
        return Fit(np.asarray(coef, dtype=np.float64), epochs, log.history)

    def _warn_if_ill_conditioned(self, pb: Problem) -> None:
        """Warn when eps(dtype) * kappa^power > ILL_CONDITIONED (under two correct digits).

        kappa = cond(X S), the condition number of the design with unit-norm columns (column
        scaling is free in floating point; cond(X) itself overstates a large offset in x by
        a factor offset). power = 1 for a QR solve (``stable_solve``); 2 for every route that
        forms X'X or iterates on the gradient X'(Xb - y), whose error grows like
        eps * cond(XS)^2 (tests/test_conditioning.py measures both against exact rationals).
        """
        eps = float(np.finfo(self.dtype).eps)
        kappa = pb.scaled_condition_number
        power = 1 if self.stable_solve else 2
        if eps * kappa**power > ILL_CONDITIONED:
            squared = "" if power == 1 else "^2"
            level, frame = 1, sys._getframe()  # attribute the warning to the caller of fitters
            while frame is not None and _in_package(frame.f_globals.get("__name__", "")):
                level, frame = level + 1, frame.f_back
            warnings.warn(
                f"{self.name}: cond(X) = {kappa:.3g} (columns scaled to unit norm), so "
                f"{self.dtype} (eps {eps:.2g} * cond{squared} = {eps * kappa**power:.2g}) "
                "cannot resolve the coefficients; centre or rescale x, drop nearly collinear "
                "predictors, or use a float64 route"
                + ("" if self.stable_solve else " that does not form X'X (normal_equation_solve)"),
                IllConditionedWarning,
                stacklevel=level,
            )
