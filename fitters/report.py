"""Run routes on one data set and collect what the report shows: the CLI's engine, no I/O.

Each route is fitted once and judged against its own derived bound
(:func:`fitters.tolerances.route_bound`): closed forms against the normal equation b*,
gradient routes against the exact k-th gradient-descent iterate b_k. The distance to b* is
reported beside it, because after k steps even an exact gradient descent is ||b_k - b*|| away.
A route that fails, diverges or raises is recorded, never allowed to stop the run. Routes run
here, one after the other, or in worker processes (:mod:`fitters.workers`), with the same
results; either way each result is handed to the caller as soon as it exists.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import reference
from .core import DivergenceError
from .datafiles import Dataset
from .problem import Problem
from .registry import ROUTES
from .route_type import Route
from .tolerances import route_bound
from .validation import check_epochs, check_init, check_lr, problem

if TYPE_CHECKING:  # pragma: no cover
    from .workers import Workers

__all__ = [
    "CHECKPOINTS",
    "Report",
    "RouteResult",
    "checkpoint_path",
    "new_report",
    "run_report",
    "run_route",
    "run_routes",
    "schedule",
]

#: Epoch counts at which ``--checkpoints`` re-runs each gradient route for the path picture
#: (log-spaced: the lecture's path bends within the first ~30 steps, then creeps along the
#: shallow valley). Off by default: the picture's line is the exact path either way.
CHECKPOINTS = (1, 3, 10, 30, 100)

#: Verdicts that make the command exit 1.
FAILING = ("fail", "diverged", "error")


@dataclass
class RouteResult:
    """One route's row of the report.

    status: "pass" (within its bound), "fail", "diverged", "error", or "n/a" (the route
    takes one predictor and the data have more). error_oracle is the distance to the
    route's oracle (b* for closed forms, exact b_k for gradient routes) that ``bound``
    limits; error_ne is the distance to the normal-equation solution b*. For a diverged
    route, ``epochs`` is the epoch at which its iterates stopped being finite.
    """

    route: Route
    status: str
    coef: np.ndarray | None = None
    epochs: int | None = None
    loss_history: np.ndarray | None = None
    seconds: float | None = None
    error_ne: float | None = None
    error_oracle: float | None = None
    bound: float | None = None
    bound_formula: str | None = None
    note: str = ""
    path: dict[int, np.ndarray] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.route.name

    @property
    def oracle(self) -> str:
        if not self.route.iterative:
            return "normal equation b*"
        return f"exact GD iterate b_{self.epochs}"

    def to_dict(self) -> dict:
        """JSON-ready values, full precision."""

        def num(value):
            return None if value is None else float(value)

        return {
            "route": self.name,
            "form": self.route.form,
            "dtype": self.route.dtype,
            "iterative": self.route.iterative,
            "status": self.status,
            "epochs": self.epochs,
            "diverged_at_epoch": self.epochs if self.status == "diverged" else None,
            "coef": None if self.coef is None else [float(c) for c in self.coef],
            "error_vs_normal_equation": num(self.error_ne),
            "oracle": self.oracle if self.coef is not None else None,
            "error_vs_oracle": num(self.error_oracle),
            "bound": num(self.bound),
            "bound_formula": self.bound_formula,
            "final_loss": (
                None
                if self.loss_history is None or not len(self.loss_history)
                else float(self.loss_history[-1])
            ),
            "seconds": num(self.seconds),
            "note": self.note,
        }


@dataclass
class Report:
    """Everything one run found: data, settings, b*, and one result per selected route.

    ``jobs`` is the number of worker processes the routes ran in (1: in this process);
    ``interrupted`` is set when the run was stopped before every route finished.
    """

    data: Dataset
    problem: Problem
    init: np.ndarray
    lr: float
    epochs: int
    star: np.ndarray
    results: list[RouteResult] = field(default_factory=list)
    seconds: float = 0.0
    jobs: int = 1
    interrupted: bool = False
    figures: list[Path] = field(default_factory=list)
    skipped_figures: dict[str, str] = field(default_factory=dict)

    @property
    def failures(self) -> list[RouteResult]:
        return [r for r in self.results if r.status in FAILING]

    @property
    def exit_status(self) -> int:
        """0 when every applicable route is within its bound, 1 otherwise."""
        return 1 if self.failures else 0

    def to_dict(self) -> dict:
        return {
            "data": {
                "source": self.data.source,
                "n": self.problem.n,
                "p": self.problem.p,
                "x": list(self.data.x_names),
                "y": self.data.y_name,
                "dropped_lines": list(self.data.dropped_lines),
            },
            "settings": {
                "init": [float(v) for v in self.init],
                "lr": self.lr,
                "epochs": self.epochs,
            },
            "normal_equation": [float(v) for v in self.star],
            "routes": [r.to_dict() for r in self.results],
            "passed": self.exit_status == 0 and not self.interrupted,
            "exit_status": 130 if self.interrupted else self.exit_status,
            "interrupted": self.interrupted,
            "seconds": self.seconds,
            # a NumPy computation timed in the same run: `python -m fitters compare` divides
            # the routes' times by it, so reports from machines of different speed compare
            "reference": {"seconds": _reference_seconds()},
            "jobs": self.jobs,
            "figures": [str(p) for p in self.figures],
            "skipped_figures": dict(self.skipped_figures),
        }


def _reference_seconds() -> float:
    from .compare import reference_seconds

    return reference_seconds()


def new_report(data: Dataset, *, lr: float | None = None, epochs: int | None = None) -> Report:
    """A report with no results yet: the data validated, the settings defaulted, b* solved.

    Raises ValueError when the data cannot be fitted (constant column, too few rows...),
    before any route runs; needs no TensorFlow.
    """
    pb = problem(data.x, data.y, route="data")
    init, lr, epochs = check_init(None, pb.p), check_lr(lr), check_epochs(epochs)
    return Report(data, pb, init, lr, epochs, reference.normal_equation(pb))


def warm_up() -> None:
    """Start TensorFlow's eager runtime so the first route's time is its own, not TF's."""
    from .quiet import import_tensorflow

    tf = import_tensorflow()
    (tf.constant(1.0, dtype=tf.float64) + 1.0).numpy()


def run_route(
    route: Route,
    pb: Problem,
    init: np.ndarray,
    lr: float,
    epochs: int,
    checkpoints: Iterable[int] = (),
) -> RouteResult:
    """Fit one route, time it, and judge it against its derived bound.

    With ``checkpoints`` (and one predictor) the gradient routes are also re-run for that
    many epochs each, for the path picture (see :func:`checkpoint_path`).
    """
    if route.max_predictors is not None and pb.p > route.max_predictors:
        return RouteResult(
            route,
            "n/a",
            note=f"fits {route.max_predictors} predictor(s); the data have {pb.p}",
        )
    caught: list[warnings.WarningMessage] = []
    start = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit = route.fit_problem(pb, init=init, lr=lr, epochs=epochs)
    except DivergenceError as exc:
        return RouteResult(
            route,
            "diverged",
            epochs=exc.epoch,
            seconds=time.perf_counter() - start,
            note=str(exc),
        )
    except Exception as exc:  # report it in the table; one broken route must not hide the rest
        return RouteResult(
            route,
            "error",
            seconds=time.perf_counter() - start,
            note=_one_line(f"{type(exc).__name__}: {exc}"),
        )
    seconds = time.perf_counter() - start
    bound = route_bound(route, pb, init, lr, epochs)
    star = reference.normal_equation(pb)
    ok = bound.holds(fit.coef)
    notes = sorted(
        {str(w.message) for w in caught if not issubclass(w.category, DeprecationWarning)}
    )
    result = RouteResult(
        route,
        "pass" if ok else "fail",
        coef=fit.coef,
        epochs=fit.epochs,
        loss_history=fit.loss_history,
        seconds=seconds,
        error_ne=float(np.linalg.norm(fit.coef - star)),
        error_oracle=bound.error(fit.coef),
        bound=bound.max_l2_error,
        bound_formula=bound.formula,
        note=_one_line("; ".join(notes)),
    )
    checkpoints = tuple(checkpoints)
    if checkpoints and route.iterative and pb.p == 1:
        result.path = checkpoint_path(result, pb, init, lr, checkpoints)
    return result


def _one_line(text: str, limit: int = 300) -> str:
    """A note for one table line: whitespace collapsed (TF errors span many lines), capped."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


#: seconds of each lecture route's 1000 lecture epochs, first call included (the report's
#: time column, TF 2.21, idle 2-core machine, 28 Nov 2026): only their order matters
_MEASURED_SECONDS = {
    "apply_gradients_scalar": 8.1,
    "minimize_scalar": 7.6,
    "minimize_vector": 6.3,
    "apply_gradients_vector": 5.2,
    "tape_scalar": 3.5,
    "keras_sequential": 2.7,
    "keras_dense_bias": 2.7,
    "tape_vector": 2.7,
    "analytic_gradient": 1.2,
    "compiled_core": 0.6,
}


def schedule(names: Sequence[str]) -> list[str]:
    """The order to start routes in when several run at once: longest first, so that no
    worker is left with a long route at the end while the others idle.

    Lecture routes by their measured cost; any other gradient route first (its cost is
    unknown, and starting it early costs least), the closed forms (milliseconds) last.
    """

    def cost(name: str) -> float:
        if name in _MEASURED_SECONDS:
            return _MEASURED_SECONDS[name]
        return math.inf if ROUTES[name].iterative else 0.0

    return sorted(names, key=cost, reverse=True)


def run_routes(
    report: Report,
    names: Sequence[str],
    *,
    checkpoints: Iterable[int] = (),
    workers: Workers | None = None,
    on_start: Callable[[str], None] | None = None,
) -> Iterator[RouteResult]:
    """Run the named routes, yielding each result as it finishes; also stored in ``report``.

    Without ``workers`` the routes run here, in the contract's order; with them, in worker
    processes, longest first (:func:`schedule`), yielded in the order they finish. Either
    way the coefficients are the same, bit for bit, and ``report.results`` ends up in the
    order of ``names``. ``on_start(name)`` is called when a route starts.
    """
    order = {name: i for i, name in enumerate(names)}
    checkpoints = tuple(checkpoints)
    start = time.perf_counter()
    try:
        if workers is None:
            report.jobs = 1
            warm_up()
            start = time.perf_counter()
            for name in names:
                if on_start is not None:
                    on_start(name)
                result = run_route(
                    ROUTES[name], report.problem, report.init, report.lr, report.epochs, checkpoints
                )
                _store(report, result, order)
                yield result
        else:
            report.jobs = workers.jobs
            workers.wait_ready()
            start = time.perf_counter()
            for result in workers.run(report, schedule(names), checkpoints, on_start=on_start):
                _store(report, result, order)
                yield result
    finally:
        report.seconds = time.perf_counter() - start


def _store(report: Report, result: RouteResult, order: dict[str, int]) -> None:
    report.results.append(result)
    report.results.sort(key=lambda r: order[r.name])


def run_report(
    data: Dataset,
    routes: Sequence[str] | None = None,
    *,
    lr: float | None = None,
    epochs: int | None = None,
    checkpoints: Iterable[int] = (),
    workers: Workers | None = None,
    on_done: Callable[[RouteResult], None] | None = None,
) -> Report:
    """Run the selected routes (all by default, in the contract's order) on ``data``.

    ``data`` problems (constant column, too few rows...) raise ValueError before any route
    runs. ``on_done(result)`` is called as each route finishes.
    """
    report = new_report(data, lr=lr, epochs=epochs)
    names = list(ROUTES) if routes is None else list(routes)
    for result in run_routes(report, names, checkpoints=checkpoints, workers=workers):
        if on_done is not None:
            on_done(result)
    return report


def checkpoint_path(
    result: RouteResult, pb: Problem, init: np.ndarray, lr: float, ks: Iterable[int]
) -> dict[int, np.ndarray]:
    """The route's own coefficients after k epochs, for each k below its full run.

    Route.fit returns only the final coefficients, so this re-runs the route with
    ``epochs=k`` (full-batch GD is deterministic: these are the first k steps of the full
    run). k = 0 is the start and k = epochs the full run's answer.
    """
    path = {0: np.asarray(init, dtype=np.float64)}
    if result.coef is None:
        return path
    for k in ks:
        if 0 < k < result.epochs:
            try:
                path[k] = result.route.fit_problem(pb, init=init, lr=lr, epochs=k).coef
            except ValueError:  # e.g. diverged: the picture shows the checkpoints that exist
                continue
    path[result.epochs] = result.coef
    return path
