"""Run routes on one data set and collect what the report shows: the CLI's engine, no I/O.

Each route is fitted once and judged against its own derived bound
(:func:`fitters.tolerances.route_bound`): closed forms against the normal equation b*,
gradient routes against the exact k-th gradient-descent iterate b_k. The distance to b* is
reported beside it, because after k steps even an exact gradient descent is ||b_k - b*|| away.
A route that fails, diverges or raises is recorded, never allowed to stop the run.
"""

from __future__ import annotations

import csv
import io
import math
import re
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import reference
from .core import DivergenceError
from .data import lecture_dataset
from .problem import Problem
from .registry import ROUTES
from .route_type import Route
from .tolerances import route_bound
from .validation import check_epochs, check_init, check_lr, problem

__all__ = [
    "CHECKPOINTS",
    "LECTURE_TRUE_COEF",
    "DataFileError",
    "Dataset",
    "Report",
    "RouteResult",
    "checkpoint_path",
    "lecture_data",
    "load_csv",
    "run_report",
    "run_route",
]

#: The line the lecture's data were drawn around: y = 2.5 + 4x + noise.
LECTURE_TRUE_COEF = (2.5, 4.0)

#: Epoch counts at which the path figure re-runs each gradient route (log-spaced: the
#: lecture's path bends within the first ~30 steps, then creeps along the shallow valley).
CHECKPOINTS = (1, 3, 10, 30, 100)

#: Verdicts that make the command exit 1.
FAILING = ("fail", "diverged", "error")


class DataFileError(ValueError):
    """A data file that cannot be read as columns x... and y; the message names the line."""


@dataclass(frozen=True)
class Dataset:
    """The x (n, p) and y (n,) to fit, where they came from, and the true line if known."""

    x: np.ndarray
    y: np.ndarray
    source: str
    true_coef: tuple[float, ...] | None = None

    @property
    def is_lecture(self) -> bool:
        return self.true_coef is not None


def lecture_data() -> Dataset:
    """The lecture's N = 200 points, with the line they were drawn around."""
    x, y = lecture_dataset()
    return Dataset(x[:, None], y, "fitters.lecture_dataset()", LECTURE_TRUE_COEF)


_X_NAME = re.compile(r"x(\d*)")


def load_csv(path: str | Path) -> Dataset:
    """Read a comma-separated file with a header naming ``x`` (or ``x1, x2, ...``) and ``y``.

    Raises :class:`DataFileError` with one line naming the problem and, for bad values, the
    file's line number: a user's file is the one input a test suite never saw.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: cannot read the file ({exc})") from None
    reader = csv.reader(io.StringIO(text))
    rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise DataFileError(f"{path}: the file is empty; expected a header line 'x,y'")
    header_line, header = rows[0]
    names = [cell.strip().lower() for cell in header]
    x_cols = _predictor_columns(path, names)
    y_col = names.index("y")
    data = rows[1:]
    need = max(2, len(x_cols) + 1)
    if len(data) < need:
        raise DataFileError(
            f"{path}: {len(data)} data row(s) below the header; need at least {need} "
            f"to fit {len(x_cols) + 1} coefficients"
        )
    values = np.empty((len(data), len(names)))
    for i, (line, row) in enumerate(data):
        if len(row) != len(names):
            raise DataFileError(
                f"{path} line {line}: {len(row)} field(s), but the header (line {header_line}) "
                f"has {len(names)}"
            )
        for j, cell in enumerate(row):
            values[i, j] = _number(path, line, names[j], cell)
    return Dataset(values[:, x_cols], values[:, y_col], str(path))


def _predictor_columns(path: Path, names: list[str]) -> list[int]:
    """Column indices of x (or x1..xp, ordered by number); raise naming a missing column."""
    shown = ", ".join(repr(n) for n in names)
    if len(names) == 1 and any(sep in names[0] for sep in ";\t|"):
        raise DataFileError(
            f"{path}: the header {names[0]!r} is one column; separate columns with commas"
        )
    if "y" not in names:
        raise DataFileError(f"{path}: missing column 'y' (the header has {shown})")
    seen = set()
    for name in names:
        if name in seen:
            raise DataFileError(f"{path}: column {name!r} appears twice in the header")
        seen.add(name)
        if name != "y" and not _X_NAME.fullmatch(name):
            raise DataFileError(
                f"{path}: unexpected column {name!r}; columns must be x (or x1, x2, ...) and y"
            )
    xs = {name: j for j, name in enumerate(names) if name != "y"}
    if not xs:
        raise DataFileError(f"{path}: missing column 'x' (or x1, x2, ...) besides 'y'")
    if "x" in xs:
        if len(xs) > 1:
            raise DataFileError(f"{path}: use either one column 'x' or x1, x2, ..., not both")
        return [xs["x"]]
    numbers = sorted(int(_X_NAME.fullmatch(name).group(1)) for name in xs)
    if numbers != list(range(1, len(xs) + 1)):
        missing = min(set(range(1, len(xs) + 1)) - set(numbers))
        raise DataFileError(f"{path}: missing column 'x{missing}' (the header has {shown})")
    return [xs[f"x{k}"] for k in numbers]


def _number(path: Path, line: int, column: str, cell: str) -> float:
    text = cell.strip()
    if not text:
        raise DataFileError(f"{path} line {line}: column {column!r} is empty")
    try:
        value = float(text)
    except ValueError:
        raise DataFileError(
            f"{path} line {line}: column {column!r} value {text!r} is not a number"
        ) from None
    if not math.isfinite(value):
        raise DataFileError(
            f"{path} line {line}: column {column!r} value {text!r} is not a finite number"
        )
    return value


@dataclass
class RouteResult:
    """One route's row of the report.

    status: "pass" (within its bound), "fail", "diverged", "error", or "n/a" (the route
    takes one predictor and the data have more). error_oracle is the distance to the
    route's oracle (b* for closed forms, exact b_k for gradient routes) that ``bound``
    limits; error_ne is the distance to the normal-equation solution b*.
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
    """Everything one run found: data, settings, b*, and one result per selected route."""

    data: Dataset
    problem: Problem
    init: np.ndarray
    lr: float
    epochs: int
    star: np.ndarray
    results: list[RouteResult]
    seconds: float = 0.0
    figures: list[Path] = field(default_factory=list)

    @property
    def failures(self) -> list[RouteResult]:
        return [r for r in self.results if r.status in FAILING]

    @property
    def exit_status(self) -> int:
        """0 when every applicable route is within its bound, 1 otherwise."""
        return 1 if self.failures else 0

    def to_dict(self) -> dict:
        return {
            "data": {"source": self.data.source, "n": self.problem.n, "p": self.problem.p},
            "settings": {
                "init": [float(v) for v in self.init],
                "lr": self.lr,
                "epochs": self.epochs,
            },
            "normal_equation": [float(v) for v in self.star],
            "routes": [r.to_dict() for r in self.results],
            "passed": self.exit_status == 0,
            "exit_status": self.exit_status,
            "seconds": self.seconds,
            "figures": [str(p) for p in self.figures],
        }


def _warm_up() -> None:
    """Start TensorFlow's eager runtime so the first route's time is its own, not TF's."""
    import tensorflow as tf

    (tf.constant(1.0, dtype=tf.float64) + 1.0).numpy()


def run_route(route: Route, pb: Problem, init: np.ndarray, lr: float, epochs: int) -> RouteResult:
    """Fit one route, time it, and judge it against its derived bound."""
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
        return RouteResult(route, "diverged", seconds=time.perf_counter() - start, note=str(exc))
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
    return RouteResult(
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


def _one_line(text: str, limit: int = 300) -> str:
    """A note for one table line: whitespace collapsed (TF errors span many lines), capped."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def run_report(
    data: Dataset,
    routes: Sequence[str] | None = None,
    *,
    lr: float | None = None,
    epochs: int | None = None,
    on_start: Callable[[int, str], None] | None = None,
    on_done: Callable[[RouteResult], None] | None = None,
) -> Report:
    """Run the selected routes (all by default, in the contract's order) on ``data``.

    ``data`` problems (constant column, too few rows...) raise ValueError before any route
    runs. ``on_start(i, name)`` / ``on_done(result)`` let a caller show progress.
    """
    names = list(ROUTES) if routes is None else list(routes)
    pb = problem(data.x, data.y, route="data")
    init, lr, epochs = check_init(None, pb.p), check_lr(lr), check_epochs(epochs)
    star = reference.normal_equation(pb)
    _warm_up()
    start = time.perf_counter()
    results = []
    for i, name in enumerate(names):
        if on_start is not None:
            on_start(i, name)
        result = run_route(ROUTES[name], pb, init, lr, epochs)
        results.append(result)
        if on_done is not None:
            on_done(result)
    return Report(data, pb, init, lr, epochs, star, results, time.perf_counter() - start)


def checkpoint_path(
    result: RouteResult, pb: Problem, init: np.ndarray, lr: float, ks: Iterable[int]
) -> dict[int, np.ndarray]:
    """The route's own coefficients after k epochs, for each k below its full run.

    Route.fit returns only the final coefficients, so the path figure re-runs the route with
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
