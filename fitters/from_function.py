"""Routes from plain functions: ``fitters.route(fn, ...)`` for anyone's own fitting code.

A student's gradient-descent loop or a maintainer's new route is a function of NumPy arrays;
:func:`route` wraps it in a :class:`~fitters.route_type.Route`, so that validation, the
default arguments, the loss log (divergence detection) and the global-state guard apply
around it exactly as around the lecture's routes, and every check, the report and the
benchmarks accept it. Nobody needs to know about ``Problem`` or ``LossLog`` to do that.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Literal

import numpy as np

from .core import DivergenceError
from .losslog import LossLog
from .problem import Problem
from .route_type import Route

__all__ = ["route"]


def route(
    fn: Callable[..., object] | None = None,
    *,
    dtype: Literal["float32", "float64"],
    iterative: bool,
    lr_dtype: Literal["float32", "float64"] | None = None,
    max_predictors: int | None = None,
    name: str | None = None,
    loss_history: bool | None = None,
    slow: bool = False,
    cheap_epochs: bool = False,
    variants: Mapping[str, tuple[str, ...]] | None = None,
    needs: tuple[str, ...] = (),
    expected_failed_checks: Mapping[str, str] | None = None,
    section: str = "",
    calls: str = "",
) -> Route | Callable[[Callable[..., object]], Route]:
    """A :class:`~fitters.route_type.Route` from a plain function (or, without ``fn``, a decorator).

    Iterative (``iterative=True``): ``fn(x, y, init, lr, epochs)`` returns the coefficients
    [b0, b1, ..., bp] after ``epochs`` full-batch gradient steps from ``init`` at rate ``lr``,
    or ``(coef, losses)`` with the loss before each step (``len(losses) == epochs``).
    Closed form (``iterative=False``): ``fn(x, y)`` returns the coefficients.
    ``x`` arrives as a read-only float64 array of shape (n, p), ``y`` as (n,), ``init`` as
    float64 (p+1,), and ``lr`` and ``epochs`` already defaulted (0.1, 1000) and checked.

    dtype is the precision ``fn`` computes in, which sets the checks' tolerances; lr_dtype
    the precision it applies lr in (default: ``dtype``, as NumPy and TensorFlow do when a
    Python float multiplies an array); max_predictors 1 for a one-predictor route (None: any
    p); name defaults to the function's name; loss_history True/False declares whether ``fn``
    returns its losses (None: whatever it returns; the loss check skips when it returns none).
    slow, cheap_epochs, variants, needs and expected_failed_checks are as on ``Route``.
    """

    def wrap(function: Callable[..., object]) -> Route:
        label = name or getattr(function, "__name__", "route")
        impl = _iterative(function, label) if iterative else _closed_form(function)
        return Route(
            name=label,
            iterative=iterative,
            dtype=dtype,
            max_predictors=max_predictors,
            impl=impl,
            section=section,
            calls=calls or f"{getattr(function, '__module__', '?')}.{label}",
            lr_dtype=lr_dtype or dtype,
            slow=slow,
            cheap_epochs=cheap_epochs,
            records_loss=loss_history if iterative else False,
            variants=dict(variants or {}),
            needs=tuple(needs),
            expected_failed_checks=dict(expected_failed_checks or {}),
        )

    return wrap if fn is None else wrap(fn)


def _read_only(a: np.ndarray) -> np.ndarray:
    """A read-only view: a function that writes into its inputs fails at once, loudly."""
    view = a.view()
    view.flags.writeable = False
    return view


def _closed_form(function: Callable[..., object]):
    @functools.wraps(function)
    def impl(pb: Problem, **options) -> object:
        return function(_read_only(pb.x), _read_only(pb.y), **options)

    return impl


def _iterative(function: Callable[..., object], label: str):
    @functools.wraps(function)
    def impl(pb: Problem, init: np.ndarray, lr: float, epochs: int, log: LossLog, **options):
        out = function(_read_only(pb.x), _read_only(pb.y), init.copy(), lr, epochs, **options)
        if isinstance(out, tuple):
            if len(out) != 2:
                raise ValueError(
                    f"{label}: returned a tuple of {len(out)} items; return coef or "
                    "(coef, losses), losses holding the loss before each step"
                )
            coef, losses = out
            try:
                if np.iscomplexobj(losses):  # NumPy would drop the imaginary parts, warning
                    raise TypeError("complex values")
                losses = np.asarray(losses, dtype=np.float64).reshape(-1)
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    f"{label}: returned losses that are not real numbers ({exc}); return the "
                    "loss before each step as floats"
                ) from exc
            if losses.size != epochs:
                raise ValueError(
                    f"{label}: returned {losses.size} losses for epochs={epochs}; return the "
                    "loss before each of the epochs steps (check the loop's range)"
                )
            log.record_many(losses)
        else:
            coef = out
        coef = np.asarray(coef, dtype=np.float64)
        if not np.isfinite(coef).all() and log.count == 0 and epochs > 0:
            # no loss history to say when: report the divergence at the end of the run
            raise DivergenceError(label, lr, epochs, log.problem.stable_lr)
        return coef

    return impl
