"""Every bad input the robustness suite tries, as data: the tests and docs/robustness.md read it.

Each :class:`Case` is one bad input (or one unusual but valid input, ``error=None``), the
routes it applies to (by metadata, never by name), and a regular expression the error
message must match: the message has to *name* the problem, not merely exist.

Regenerate the table after changing a case or a message::

    python -m tests.bad_inputs          # writes docs/robustness.md

``tests/test_validation.py::test_robustness_table_is_current`` fails when the committed
table differs from what this module generates.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fitters import ROUTES, DivergenceError, reference
from fitters.route_type import Route

#: the well-formed data every case perturbs: 10 points on y = 1 + 2x
X = np.linspace(0.0, 1.0, 10)
Y = 1.0 + 2.0 * X
RNG = np.random.default_rng(6)
X2 = np.column_stack([X, RNG.uniform(-1, 1, 10)])
Y2 = 1.0 + X2 @ [2.0, -1.0]
#: epochs for cases that reach a gradient loop (bad data never does: it fails validation)
EPOCHS = 2

ALL = "every route"
VECTOR = "routes with any p"
SCALAR = "one-predictor routes"
ITERATIVE = "gradient routes"
CLOSED = "closed forms"
FLOAT32_ITERATIVE = "float32 gradient routes"

APPLIES: dict[str, Callable[[Route], bool]] = {
    ALL: lambda r: True,
    VECTOR: lambda r: r.max_predictors is None,
    SCALAR: lambda r: r.max_predictors == 1,
    ITERATIVE: lambda r: r.iterative,
    CLOSED: lambda r: not r.iterative,
    FLOAT32_ITERATIVE: lambda r: r.iterative and r.dtype == "float32",
}


@dataclass(frozen=True)
class Case:
    """One input and what every applicable route must do with it."""

    id: str
    what: str
    x: Any = field(default_factory=lambda: X, repr=False)
    y: Any = field(default_factory=lambda: Y, repr=False)
    kwargs: dict = field(default_factory=dict)
    match: str | None = None  # regex the message must contain; None: accepted input
    error: type[Exception] | None = ValueError
    routes: str = ALL
    #: for accepted inputs: the canonical (x, y, kwargs) whose fit must be identical
    same_as: tuple | None = None
    #: False: the input is decided in validation alone, checked once rather than per route
    per_route: bool = True

    def applies(self, route: Route) -> bool:
        return APPLIES[self.routes](route)

    @property
    def kind(self) -> str:
        return "argument" if self.kwargs else "data"

    def fit(self, route: Route):
        kwargs = {"epochs": EPOCHS, **self.kwargs} if route.iterative else self.kwargs
        return route.fit(self.x, self.y, **kwargs)


def _column(values):
    return np.asarray(values, dtype=float)


BAD_DATA = [
    Case(
        "length_mismatch",
        "x and y of different lengths",
        y=Y[:-1],
        match=r"different lengths: x has 10 rows, y has 9",
    ),
    Case(
        "row_vector_x",
        "x given as a (1, n) row",
        x=X[None, :],
        match=r"different lengths.*pass x\.T",
    ),
    Case("one_observation", "n = 1", x=X[:1], y=Y[:1], match=r"at least 2 observations.*n=1"),
    Case(
        "fewer_rows_than_coefficients",
        "n < p + 1 (3 rows, 3 predictors)",
        x=RNG.uniform(size=(3, 3)),
        y=Y[:3],
        match=r"at least 4 observations to fit 4 coefficients",
        routes=VECTOR,
    ),
    Case(
        "too_many_predictors",
        "2 predictors to a one-predictor route",
        x=X2,
        y=Y2,
        match=r"fits 1 predictor\(s\); x has 2 columns",
        routes=SCALAR,
    ),
    Case(
        "nan_in_x",
        "NaN in x",
        x=np.where(np.arange(10) == 3, np.nan, X),
        match=r"x contains NaN or infinity \(first at row 3\)",
    ),
    Case(
        "inf_in_x",
        "+inf in x",
        x=np.where(np.arange(10) == 0, np.inf, X),
        match=r"x contains NaN or infinity",
    ),
    Case(
        "nan_in_y",
        "NaN in y",
        y=np.where(np.arange(10) == 9, np.nan, Y),
        match=r"y contains NaN or infinity \(first at row 9\)",
    ),
    Case(
        "neg_inf_in_y",
        "-inf in y",
        y=np.where(np.arange(10) == 5, -np.inf, Y),
        match=r"y contains NaN or infinity",
    ),
    Case(
        "nan_in_second_predictor",
        "NaN in the second column of x",
        x=np.where(np.arange(10)[:, None] == [[-1, 4]], np.nan, X2),
        y=Y2,
        match=r"x contains NaN or infinity \(first at row 4, column 1 \(x2\)\)",
        routes=VECTOR,
    ),
    Case(
        "strings",
        "x of strings",
        x=[str(v) for v in X],
        match=r"x must hold real numbers, got dtype <U",
    ),
    Case(
        "object_array",
        "y as an object array",
        y=np.array(list(Y), dtype=object),
        match=r"y must hold real numbers, got dtype object",
    ),
    Case("none", "x is None", x=None, match=r"x must hold real numbers, got dtype object"),
    Case(
        "ragged",
        "ragged nested lists",
        x=[[1.0, 2.0], [3.0]] * 5,
        match=r"x could not be read as an array",
    ),
    Case("complex", "complex x", x=X + 1j, match=r"x must be real, got complex"),
    Case(
        "datetime",
        "datetime64 x",
        x=np.arange(10).astype("datetime64[D]"),
        match=r"x must hold real numbers, got dtype datetime64",
    ),
    Case(
        "scalar_x",
        "0-d x",
        x=np.float64(1.5),
        match=r"x must have shape \(n,\) or \(n, p\), got a 0-d",
    ),
    Case("scalar_y", "0-d y", y=2.0, match=r"y must have shape \(n,\) or \(n, 1\).*0-d"),
    Case(
        "three_d_x",
        "3-d x",
        x=X.reshape(10, 1, 1),
        match=r"x must have shape \(n,\) or \(n, p\), got a 3-d array of shape \(10, 1, 1\)",
    ),
    Case(
        "two_responses",
        "y of shape (n, 2)",
        y=np.column_stack([Y, Y]),
        match=r"y must have shape \(n,\) or \(n, 1\) \(one response\).*\(10, 2\)",
    ),
    Case("empty", "empty x and y", x=[], y=[], match=r"must not be empty"),
    Case("empty_y", "empty y", y=np.empty(0), match=r"must not be empty: x has 10 rows, y has 0"),
    Case("no_columns", "x of shape (n, 0)", x=np.empty((10, 0)), match=r"no predictor columns"),
    Case(
        "constant_x",
        "constant x",
        x=np.full(10, 3.0),
        match=r"coefficient b1 is not identifiable: predictor x1 is constant",
    ),
    Case(
        "constant_second_predictor",
        "second predictor constant",
        x=np.column_stack([X, np.full(10, -2.0)]),
        match=r"b2 is not identifiable.*x2 is constant",
        routes=VECTOR,
    ),
    Case(
        "column_of_ones",
        "x = np.c_[np.ones(n), x] (the lecture's design passed as x)",
        x=np.column_stack([np.ones(10), X]),
        match=r"predictor x1 is a column of ones: the routes add the intercept b0 "
        r"themselves.*pass x without that column",
        routes=VECTOR,
    ),
    Case(
        "duplicate_predictor",
        "x2 == x1",
        x=np.column_stack([X, X]),
        match=r"b2 is not identifiable: predictor x2 is a linear combination of the intercept "
        r"and x1 \(collinear\)",
        routes=VECTOR,
    ),
    Case(
        "collinear_predictors",
        "x3 = 2 x1 - x2 + 5",
        x=np.column_stack([X2, 2 * X2[:, 0] - X2[:, 1] + 5]),
        y=Y2,
        match=r"b3 is not identifiable.*x3 is a linear combination of the intercept and x1\.\.x2",
        routes=VECTOR,
    ),
    Case(
        "collinear_with_offset",
        "x2 = 2 x1 + 3 with x1 in [1e6, 1e6 + 1] (exact up to rounding)",
        x=np.column_stack([1e6 + X, 2 * (1e6 + X) + 3]),
        match=r"b2 is not identifiable.*collinear",
        routes=VECTOR,
    ),
    Case(
        "scales_far_apart",
        "x2 of size 1 with one value at 1e152 (X'X singular in float64)",
        x=np.column_stack([X, np.where(np.arange(10) == 3, 1e152, X2[:, 1])]),
        y=Y2,
        match=r"scales are too far apart for float64",
        routes=VECTOR,
    ),
    Case(
        "huge_x",
        "|x| ~ 1e200 (X'X overflows float64)",
        x=1e200 * (1 + X),
        match=r"x is too large in magnitude.*overflow float64",
    ),
    Case(
        "huge_y",
        "|y| ~ 1e160 (y'y overflows float64)",
        y=1e160 * Y,
        match=r"y is too large in magnitude",
    ),
    Case(
        "tiny_spread_x",
        "x spread 1e-170 (X'X underflows float64)",
        x=1e-170 * X,
        match=r"x varies too little.*underflows float64",
    ),
    Case(
        "tiny_first_predictor",
        "x1 spread 1e-160 beside x2 of size 1 (X'X underflows along x1)",
        x=np.column_stack([1e-160 * X, X2[:, 1]]),
        y=Y2,
        match=r"x varies too little.*underflows float64",
        routes=VECTOR,
    ),
]

BAD_ARGUMENTS = [
    Case(
        "lr_zero",
        "lr = 0",
        kwargs={"lr": 0.0},
        match=r"lr must be finite and > 0, got 0\.0",
        routes=ITERATIVE,
    ),
    Case(
        "lr_negative",
        "lr < 0",
        kwargs={"lr": -0.1},
        match=r"lr must be finite and > 0, got -0\.1",
        routes=ITERATIVE,
    ),
    Case(
        "lr_nan",
        "lr = NaN",
        kwargs={"lr": float("nan")},
        match=r"lr must be finite.*nan",
        routes=ITERATIVE,
    ),
    Case(
        "lr_inf",
        "lr = inf",
        kwargs={"lr": float("inf")},
        match=r"lr must be finite.*inf",
        routes=ITERATIVE,
    ),
    Case(
        "lr_string",
        "lr = '0.1'",
        kwargs={"lr": "0.1"},
        match=r"lr must be a real number, got str",
        routes=ITERATIVE,
    ),
    Case(
        "lr_bool",
        "lr = True",
        kwargs={"lr": True},
        match=r"lr must be a real number, got bool",
        routes=ITERATIVE,
    ),
    Case(
        "epochs_negative",
        "epochs = -1",
        kwargs={"epochs": -1},
        match=r"epochs must be >= 0, got -1",
        routes=ITERATIVE,
    ),
    Case(
        "epochs_fractional",
        "epochs = 2.5",
        kwargs={"epochs": 2.5},
        match=r"epochs must be a non-negative integer, got 2\.5",
        routes=ITERATIVE,
    ),
    Case(
        "epochs_float",
        "epochs = 10.0",
        kwargs={"epochs": 10.0},
        match=r"epochs must be a non-negative integer, got 10\.0",
        routes=ITERATIVE,
    ),
    Case(
        "epochs_string",
        "epochs = '10'",
        kwargs={"epochs": "10"},
        match=r"epochs must be a non-negative integer, got '10'",
        routes=ITERATIVE,
    ),
    Case(
        "init_too_long",
        "init of length 3 for p = 1",
        kwargs={"init": [0.0, 1.0, 2.0]},
        match=r"init must hold p\+1 = 2 coefficients \(intercept first\), got 3",
        routes=ITERATIVE,
    ),
    Case(
        "init_too_short",
        "init of length 1 for p = 1",
        kwargs={"init": [0.0]},
        match=r"init must hold p\+1 = 2 coefficients.*got 1",
        routes=ITERATIVE,
    ),
    Case(
        "init_nan",
        "init with NaN",
        kwargs={"init": [np.nan, 1.0]},
        match=r"init contains NaN or infinity",
        routes=ITERATIVE,
    ),
    Case(
        "init_strings",
        "init of strings",
        kwargs={"init": ["a", "b"]},
        match=r"init must hold real numbers",
        routes=ITERATIVE,
    ),
    Case(
        "init_overflows_loss",
        "init = (1e200, 1e200): the starting loss overflows",
        kwargs={"init": [1e200, 1e200]},
        match=r"loss at the starting coefficients is not finite",
        routes=ITERATIVE,
    ),
    Case(
        "data_beyond_float32",
        "|x| ~ 1e20: fine in float64, its squares overflow float32",
        x=1e20 * (1 + X),
        match=r"loss at the starting coefficients is not finite",
        routes=FLOAT32_ITERATIVE,
    ),
    Case(
        "lr_far_above_stable_bound",
        "lr = 1e6, far above 2/lambda_max(H) = 0.786",
        kwargs={"lr": 1e6, "epochs": 200},
        error=DivergenceError,
        match=r"stable only for lr < 2/lambda_max\(H\) = 0\.786",
        routes=ITERATIVE,
    ),
]

ACCEPTED = [
    Case(
        "y_column",
        "y of shape (n, 1), as the course writes it",
        y=Y[:, None],
        error=None,
        same_as=(X, Y, {}),
    ),
    Case(
        "integer_data",
        "integer x and y",
        x=np.arange(10),
        y=3 + 2 * np.arange(10),
        error=None,
        same_as=(np.arange(10.0), 3.0 + 2 * np.arange(10.0), {}),
    ),
    Case(
        "integer_init",
        "integer init, as the course's tnp.array([-5, 10])",
        kwargs={"init": np.array([-5, 10])},
        error=None,
        routes=ITERATIVE,
        same_as=(X, Y, {"init": np.array([-5.0, 10.0])}),
    ),
    Case(
        "zero_epochs",
        "epochs = 0 (returns init, empty loss history)",
        kwargs={"epochs": 0},
        error=None,
        routes=ITERATIVE,
        same_as=None,
    ),
    # decided in validation alone (no route-specific handling): checked once, on the Problem
    Case(
        "x_column",
        "x of shape (n, 1)",
        x=X[:, None],
        error=None,
        same_as=(X, Y, {}),
        per_route=False,
    ),
    Case(
        "list_data",
        "Python lists",
        x=list(X),
        y=list(Y),
        error=None,
        same_as=(X, Y, {}),
        per_route=False,
    ),
    Case(
        "boolean_predictor",
        "a boolean (dummy) predictor",
        x=np.arange(10) % 2 == 0,
        y=Y,
        error=None,
        same_as=((np.arange(10) % 2 == 0).astype(float), Y, {}),
        per_route=False,
    ),
    Case(
        "float32_data",
        "float32 x and y (upcast exactly; see test_precision.py)",
        x=X.astype(np.float32),
        y=Y.astype(np.float32),
        error=None,
        same_as=(X.astype(np.float32).astype(float), Y.astype(np.float32).astype(float), {}),
        per_route=False,
    ),
    Case(
        "column_init",
        "init as a (p+1, 1) column",
        kwargs={"init": np.array([[-5.0], [10.0]])},
        error=None,
        routes=ITERATIVE,
        same_as=(X, Y, {"init": np.array([-5.0, 10.0])}),
        per_route=False,
    ),
    Case(
        "numpy_scalar_arguments",
        "lr and epochs as NumPy scalars",
        kwargs={"lr": np.float64(0.1), "epochs": np.int64(EPOCHS)},
        error=None,
        routes=ITERATIVE,
        same_as=(X, Y, {"lr": 0.1, "epochs": EPOCHS}),
        per_route=False,
    ),
]

CASES = BAD_DATA + BAD_ARGUMENTS + ACCEPTED


# --- the reference oracles: the same data cases, and their own arguments -----------------


def _reference_calls(x, y):
    """Every public function of fitters.reference, called on (x, y) with good arguments."""
    yield "normal_equation", lambda: reference.normal_equation(x, y)
    yield "contraction_factor", lambda: reference.contraction_factor(x, y, 0.1)
    yield "gd_iterate", lambda: reference.gd_iterate(x, y, None, 0.1, 3)
    yield "gd_error_bound", lambda: reference.gd_error_bound(x, y, None, 0.1, 3)
    yield "mse", lambda: reference.mse(x, y, np.zeros(2))


REFERENCE_ARGUMENTS = [
    ("gd_iterate", "k = -1", lambda: reference.gd_iterate(X, Y, None, 0.1, -1), r"k must be >= 0"),
    (
        "gd_iterate",
        "k = 1.5",
        lambda: reference.gd_iterate(X, Y, None, 0.1, 1.5),
        r"k must be a non-negative integer",
    ),
    (
        "gd_iterate",
        "lr = 0",
        lambda: reference.gd_iterate(X, Y, None, 0.0, 3),
        r"lr must be finite and > 0",
    ),
    (
        "gd_iterate",
        "init of length 3",
        lambda: reference.gd_iterate(X, Y, [1, 2, 3], 0.1, 3),
        r"init must hold p\+1 = 2",
    ),
    (
        "gd_error_bound",
        "k = -1",
        lambda: reference.gd_error_bound(X, Y, None, 0.1, -1),
        r"k must be >= 0",
    ),
    (
        "gd_error_bound",
        "lr = NaN",
        lambda: reference.gd_error_bound(X, Y, None, float("nan"), 3),
        r"lr must be finite",
    ),
    (
        "contraction_factor",
        "lr = -1",
        lambda: reference.contraction_factor(X, Y, -1.0),
        r"lr must be finite and > 0",
    ),
    (
        "mse",
        "coef of length 3",
        lambda: reference.mse(X, Y, [1.0, 2.0, 3.0]),
        r"coef must hold p\+1 = 2",
    ),
    ("mse", "coef = None", lambda: reference.mse(X, Y, None), r"coef must hold p\+1 = 2"),
]


# --- the table -------------------------------------------------------------------------


def outcome(case: Case, route: Route) -> tuple[str, str]:
    """(exception type name, message) that ``route`` gives for ``case``; ("accepted", "")."""
    try:
        case.fit(route)
    except Exception as exc:  # the table records whatever happens; the tests judge it
        return type(exc).__name__, str(exc)
    return "accepted", ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table() -> str:
    """docs/robustness.md: every case, the routes it applies to, and the error it gets."""
    lines = [
        "# Robustness: every bad input tried and the error it gets",
        "",
        "Generated by `python -m tests.bad_inputs` from the case list the tests use",
        "(`tests/bad_inputs.py`); `tests/test_validation.py` runs every case against every route",
        "in `fitters.ROUTES` it applies to and against `fitters.reference`, and checks that this",
        "file is current. The message column is what the first applicable route",
        "(in `fitters.ROUTES` order) raises; every other applicable route raises the same",
        "type with a message matching the same pattern. All validation happens in",
        "`fitters/validation.py`, before any TensorFlow work.",
        "",
        "Closed forms (`closed_form_scalar`, `normal_equation_inv`, `normal_equation_solve`)",
        "ignore `init`, `lr` and `epochs`, as the contract says; the argument cases apply to the",
        "gradient routes, and a test checks that the closed forms' answers do not change.",
        "",
        "| # | input | applies to | result | message (first applicable route) |",
        "|---|---|---|---|---|",
    ]
    for i, case in enumerate(CASES, 1):
        route = next(r for r in ROUTES.values() if case.applies(r))
        kind, message = outcome(case, route)
        if case.error is None:
            result, message = "accepted", f"same coefficients as {_describe_same(case)}"
        else:
            result = f"`{kind}`"
        lines.append(
            f"| {i} | {_cell(case.what)} (`{case.id}`) | {case.routes} | {result} | {_cell(message)} |"
        )
    lines += [
        "",
        "## The reference oracles",
        "",
        "Every data case above also goes to each function of `fitters.reference`",
        "(`normal_equation`, `contraction_factor`, `gd_iterate`, `gd_error_bound`, `mse`), which",
        "validate through the same `fitters.validation.problem` and raise the same errors. Their",
        "own arguments:",
        "",
        "| function | input | message |",
        "|---|---|---|",
    ]
    for name, what, call, _ in REFERENCE_ARGUMENTS:
        try:
            call()
            message = "accepted"
        except ValueError as exc:
            message = f"`{type(exc).__name__}`: {exc}"
        lines.append(f"| `{name}` | {_cell(what)} | {_cell(message)} |")
    lines += [
        "",
        "## Divergence and conditioning",
        "",
        "- A learning rate above 2/lambda_max(H) raises `fitters.DivergenceError` (a `ValueError`)",
        "  naming the stable bound, at the first epoch whose loss is not finite",
        "  (`tests/test_divergence.py` checks that epoch against the overflow predicted from the",
        "  exact iterates).",
        "- The loss at the starting coefficients not being finite (data or init too large for the",
        "  route's precision) is a `ValueError`, not a divergence: no step has been taken.",
        "- An ill-conditioned design warns `fitters.IllConditionedWarning` when",
        "  eps(dtype) * cond(XS)^power > 1e-2 (XS: the design with unit-norm columns; power 1 for",
        "  `normal_equation_solve`, 2 for every route that forms X'X or iterates on its gradient);",
        "  see `tests/test_conditioning.py`.",
        "",
    ]
    return "\n".join(lines)


def _describe_same(case: Case) -> str:
    if case.same_as is None:
        return "init, with no step taken"
    x, _y, kwargs = case.same_as
    parts = ["float64 arrays" if isinstance(x, np.ndarray) else "the canonical input"]
    if kwargs:
        parts.append(", ".join(f"{k}={_short(v)}" for k, v in kwargs.items()))
    return " with ".join(parts)


def _short(value) -> str:
    return re.sub(r"\s+", " ", repr(value))


DOC = Path(__file__).resolve().parents[1] / "docs" / "robustness.md"


def main(argv: list[str]) -> int:
    text = table()
    if "--check" in argv:
        return 0 if DOC.exists() and DOC.read_text() == text else 1
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(text)
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
