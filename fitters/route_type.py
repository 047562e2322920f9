"""The Route type: one contract in front of every way the lecture fits the line.

A :class:`Route` is a function (its ``impl``) plus the metadata that decides which checks and
bounds apply to it. ``Route.fit`` validates the data and arguments, keeps TensorFlow's global
state as it found it, gives a gradient route its :class:`~fitters.losslog.LossLog`, and turns
what the function returns into a :class:`~fitters.core.Fit`. The two shapes an ``impl`` may
have are the protocols :class:`ClosedFormImpl` and :class:`IterativeImpl`.
"""

from __future__ import annotations

import inspect
import keyword
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
from numpy.typing import ArrayLike

from .core import Fit, IllConditionedWarning
from .losslog import LossLog
from .problem import Problem
from .state import preserved_global_state
from .validation import _check_counts, check_epochs, check_init, check_lr, problem

__all__ = ["ILL_CONDITIONED", "ClosedFormImpl", "IterativeImpl", "Route"]

#: eps(dtype) * cond(XS)^power above this and the route's answer has under two correct digits
#: (XS: the design with unit-norm columns; power 1 for a QR solve, 2 when X'X is formed).
ILL_CONDITIONED = 1e-2

DTYPES = ("float32", "float64")


class ClosedFormImpl(Protocol):
    """A closed form: the validated problem (and any variant options) in, [b0, ..., bp] out."""

    def __call__(self, problem: Problem, /, **options) -> np.ndarray: ...


class IterativeImpl(Protocol):
    """A gradient route: ``epochs`` steps from ``init`` at rate ``lr``, one loss per step
    recorded in ``log`` (the loss *before* the step), final [b0, ..., bp] returned."""

    def __call__(
        self, problem: Problem, init: np.ndarray, lr: float, epochs: int, log: LossLog, /, **options
    ) -> np.ndarray: ...


def _in_package(module: str) -> bool:
    return module == "fitters" or module.startswith("fitters.")


@dataclass(frozen=True)
class Route:
    """A named route with its metadata; ``fit`` validates, runs and checks.

    Public contract: ``name``, ``form`` ("vector" | "scalar", derived from ``max_predictors``:
    scalar routes fit one predictor), ``iterative``, ``dtype`` (the precision it computes in)
    and ``max_predictors`` (None: any p). ``impl`` is an :class:`IterativeImpl` or a
    :class:`ClosedFormImpl`, by ``iterative``.

    Metadata that decides checks and bounds:
    lr_dtype, the precision the route applies the learning rate in (Keras optimizers keep it in
    a float32 variable), which the exact-iterate oracle needs; slow, routes whose every fit has
    a large fixed cost (Keras fit builds, compiles and traces a model: ~0.1 s), which checks
    run over fewer examples; cheap_epochs,
    routes whose epochs cost microseconds (a compiled loop), which checks also run for
    thousands of epochs, across loop boundaries; stable_solve, closed forms
    that never form X'X (error ~ eps cond(X), not cond^2); centred_sums, one-predictor closed
    forms on centred sums, b1 = Sxy / Sxx (their rounding follows the data's spread, not
    their offsets, and they are held to that); sufficient_statistics, routes that
    iterate on X'X and X'y and expand the loss from them (rounding relative to y'y/n);
    records_loss, whether ``fit`` returns a loss history (None: not declared, decided by what
    the function returns); variants, keyword options of ``fit`` with their allowed values (e.g.
    the lecture's loss spellings), all of which must agree; needs, features beyond TensorFlow
    itself (see :func:`fitters.compat.missing`), without which the route is unavailable and
    its checks skip with the reason; expected_failed_checks, ``{check name: reason}`` for
    known failures, run as expected failures (scikit-learn's convention).
    section and calls document the route (README table).
    """

    name: str
    iterative: bool
    dtype: Literal["float32", "float64"]
    max_predictors: int | None
    impl: ClosedFormImpl | IterativeImpl = field(repr=False)
    form: Literal["vector", "scalar"] | None = None
    section: str = ""
    calls: str = ""
    lr_dtype: Literal["float32", "float64"] = "float64"
    slow: bool = False
    cheap_epochs: bool = False
    stable_solve: bool = False
    centred_sums: bool = False
    sufficient_statistics: bool = False
    records_loss: bool | None = True
    variants: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    needs: tuple[str, ...] = ()
    expected_failed_checks: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        derived = "scalar" if self.max_predictors == 1 else "vector"
        if self.form is None:
            object.__setattr__(self, "form", derived)
        problems = list(self._metadata_problems(derived))
        if problems:
            raise ValueError(f"Route {self.name!r}: " + "; ".join(problems))

    def _metadata_problems(self, derived_form: str):
        if not (isinstance(self.name, str) and self.name.isidentifier()) or keyword.iskeyword(
            self.name
        ):
            yield f"name must be an identifier (it names checks and table rows), got {self.name!r}"
        if not isinstance(self.iterative, bool):
            yield f"iterative must be True or False, got {self.iterative!r}"
        for attr in ("dtype", "lr_dtype"):
            if getattr(self, attr) not in DTYPES:
                yield f"{attr} must be 'float32' or 'float64', got {getattr(self, attr)!r}"
        mp = self.max_predictors
        if mp is not None and (isinstance(mp, bool) or not isinstance(mp, int) or mp < 1):
            yield f"max_predictors must be None (any p) or an integer >= 1, got {mp!r}"
        if self.form != derived_form:
            yield (
                f"form {self.form!r} contradicts max_predictors={mp!r} (scalar routes, and only "
                "they, fit one predictor); leave form out to derive it"
            )
        if not callable(self.impl):
            yield f"impl must be callable, got {type(self.impl).__name__}"
        if self.stable_solve and self.iterative:
            yield "stable_solve describes a closed form; a gradient route cannot have it"
        if self.centred_sums and (self.iterative or self.max_predictors != 1):
            yield "centred_sums describes a one-predictor closed form (max_predictors=1)"
        if self.sufficient_statistics and not self.iterative:
            yield "sufficient_statistics describes a gradient route's loss; closed forms have none"
        if not self.iterative and self.records_loss:
            object.__setattr__(self, "records_loss", False)
        for option, values in dict(self.variants).items():
            if not values or not all(isinstance(v, str) for v in values):
                yield f"variants[{option!r}] must be a non-empty tuple of option values"
            elif callable(self.impl) and not _accepts_keyword(self.impl, option):
                yield f"variants names {option!r}, but impl takes no keyword {option!r}"
        if isinstance(self.needs, str) or not all(isinstance(n, str) for n in self.needs):
            yield f"needs must be a tuple of feature names, got {self.needs!r}"

    @property
    def unavailable(self) -> str | None:
        """Why this route cannot run here (a missing feature, with the fix), or None."""
        if not self.needs:
            return None
        from .compat import missing

        return missing(self.needs)

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
        """Fit y ~ b0 + x @ b (docs/api.md). Closed forms ignore init, lr and epochs."""
        pb = problem(x, y, self.max_predictors, route=self.name)
        return self.fit_problem(pb, init=init, lr=lr, epochs=epochs, **options)

    def fit_problem(self, pb: Problem, *, init=None, lr=None, epochs=None, **options) -> Fit:
        """``fit`` on an already validated :class:`Problem` (no second validation pass).

        Streamed data (moments only, ``pb.x`` None) reach only routes on sufficient statistics.
        """
        if self.max_predictors is not None and pb.p > self.max_predictors:
            _check_counts(pb.n, pb.p, self.max_predictors, self.name)  # raises the message
        if pb.streamed and not self.sufficient_statistics:
            pb._in_memory(self.name)  # raises the message
        self._warn_if_ill_conditioned(pb)
        with preserved_global_state():
            if not self.iterative:
                coef = self._coef(self.impl(pb, **options), pb)
                if not np.isfinite(coef).all():
                    raise ValueError(
                        f"{self.name}: the solve produced non-finite coefficients "
                        f"(cond(X) = {pb.condition_number:.3g} is beyond {self.dtype})"
                    )
                return Fit(coef, 0, None)
            b0, lr, epochs = check_init(init, pb.p), check_lr(lr), check_epochs(epochs)
            log = LossLog(self.name, pb, lr, epochs)
            coef = log.check_coef(self._coef(self.impl(pb, b0, lr, epochs, log, **options), pb))
        history = log.history if (self.records_loss or log.used) else None
        return Fit(coef, epochs, history)

    def _coef(self, value, pb: Problem) -> np.ndarray:
        """What the impl returned as float64 [b0, ..., bp]; a (p+1, 1) column is accepted."""
        coef = np.asarray(value, dtype=np.float64)
        if coef.shape not in ((pb.p + 1,), (pb.p + 1, 1)):
            raise ValueError(
                f"{self.name}: returned coefficients of shape {coef.shape}; a route returns "
                f"p+1 = {pb.p + 1} values [b0, b1, ..., bp], intercept first"
            )
        return coef.reshape(-1)

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


def _accepts_keyword(fn, name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature: trust the caller
        return True
    return any(
        p.kind is p.VAR_KEYWORD or (p.name == name and p.kind is not p.POSITIONAL_ONLY)
        for p in params
    )
