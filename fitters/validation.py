"""Input validation shared by every route and by the reference (one place, not per route).

Everything a route receives has passed through :func:`problem`; every error names what was
wrong and what to do. Data are converted to float64 once here; each route then casts to its own
dtype (see the route table), so float32 data given to a float64 route are upcast exactly and
float64 data given to a float32 route are rounded to float32, as documented in the README.

Copies: float64, C-contiguous input is used as is (no copy); anything else is converted once.
Validation reads the data once (:mod:`fitters.moments`): finiteness, magnitude and constant
columns are read off the one-pass sums (a NaN or an infinity makes its sums non-finite; only
then, on the error path, are the values scanned to name the row), and the R factor of
X = [1 x] (from which the condition number, the Hessian's eigenvalues and the identifiability
test come) comes from those moments in O(p^3) when that is certified as accurate as a QR,
else from a blocked QR (TSQR, working memory independent of n). Data streamed in chunks
(:class:`fitters.sources.Source`) pass the same checks chunk by chunk and keep only their
moments. ``Problem.design`` is formed only when a route asks for it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

import numpy as np

from . import moments as _moments
from .problem import Problem, design_r, moments_r

__all__ = [
    "Problem",
    "check_epochs",
    "check_init",
    "check_lr",
    "problem",
    "problem_from_moments",
]

_EPS = float(np.finfo(np.float64).eps)
_HUGE = float(np.finfo(np.float64).max)
_TINY = float(np.finfo(np.float64).tiny)


def _as_float_array(value, name: str) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except Exception as exc:  # e.g. ragged nested lists
        raise ValueError(f"{name} could not be read as an array: {exc}") from exc
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(
            f"{name} must be real, got complex dtype {arr.dtype}; pass the real part explicitly"
        )
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise ValueError(
            f"{name} must hold real numbers, got dtype {arr.dtype}; "
            "convert it with numpy.asarray(..., dtype=float) first"
        )
    return arr.astype(np.float64, copy=False)


def _shaped(x, y) -> tuple[np.ndarray, np.ndarray, bool]:
    """(x as (n, p), y as (n,), whether x came 1-D), checking dims and lengths."""
    xa = _as_float_array(x, "x")
    ya = _as_float_array(y, "y")
    one_d = xa.ndim == 1
    if one_d:
        xa = xa[:, None]
    elif xa.ndim != 2:
        raise ValueError(
            f"x must have shape (n,) or (n, p), got a {xa.ndim}-d array of shape {xa.shape}"
        )
    if ya.ndim == 2 and ya.shape[1] == 1:
        ya = ya[:, 0]
    elif ya.ndim != 1:
        raise ValueError(
            f"y must have shape (n,) or (n, 1) (one response), got a {ya.ndim}-d array of "
            f"shape {ya.shape}; fit each response column separately"
        )
    n, p = xa.shape
    if n == 0 or ya.shape[0] == 0:
        raise ValueError(
            f"x and y must not be empty: x has {n} rows, y has {ya.shape[0]}; "
            "need at least 2 observations"
        )
    if ya.shape[0] != n:
        hint = "; x looks like a row vector, pass x.T" if n == 1 and p == ya.shape[0] else ""
        raise ValueError(
            f"x and y have different lengths: x has {n} rows, y has {ya.shape[0]}{hint}"
        )
    if p == 0:
        raise ValueError("x has no predictor columns (shape (n, 0))")
    return xa, ya, one_d


def _check_counts(n: int, p: int, max_predictors: int | None, route: str) -> None:
    if max_predictors is not None and p > max_predictors:
        raise ValueError(
            f"{route} fits {max_predictors} predictor(s); x has {p} columns. "
            "Use a vector route (e.g. normal_equation_solve) for several predictors."
        )
    if n < p + 1 or n < 2:
        raise ValueError(
            f"need at least {max(p + 1, 2)} observations to fit {p + 1} coefficients, got n={n}"
        )


def _raise_if_nonfinite(xa: np.ndarray, ya: np.ndarray, one_d: bool, first_row: int = 0) -> None:
    """Name the first NaN or infinity by row (and column, for several predictors)."""
    for name, arr in (("x", xa), ("y", ya)):
        bad = np.argwhere(~np.isfinite(arr))
        if bad.size:
            row = int(bad[0][0]) + first_row
            where = f"row {row}"
            if name == "x" and not one_d:
                where += f", column {int(bad[0][1])} (x{int(bad[0][1]) + 1})"
            raise ValueError(
                f"{name} contains NaN or infinity (first at {where}); remove or impute those rows"
            )


def problem(x, y=None, max_predictors: int | None = None, route: str = "fit") -> Problem:
    """Validate (x, y) and return a :class:`Problem`; raise ``ValueError`` naming the problem.

    Accepts x of shape (n,) or (n, p), y of shape (n,) or (n, 1) (the lecture's column y),
    integer, boolean or float dtypes; or x a :class:`fitters.sources.Source` of (x, y)
    chunks with y None (streamed data: only routes on sufficient statistics take them).
    Rejects non-numeric data, empty arrays, 0-d and 3-d arrays, NaN/inf, mismatched lengths,
    too few rows, values so large (or a spread so small) that X'X over- or underflows
    float64, and constant or collinear predictors (a coefficient that the data cannot
    identify), naming a column of ones as the intercept the routes add themselves.
    """
    from .sources import Source

    if isinstance(x, Source):
        return _streamed_problem(x, y, max_predictors, route)
    xa, ya, one_d = _shaped(x, y)
    n, p = xa.shape
    _check_counts(n, p, max_predictors, route)
    mom = _moments.of_arrays(xa, ya)
    if not mom.finite:
        _raise_if_nonfinite(xa, ya, one_d)  # else finite values whose sums overflowed

    def max_abs() -> tuple[np.ndarray, float]:
        return np.max(np.abs(xa), axis=0), float(np.max(np.abs(ya)))

    def constant(j: int) -> bool:
        return bool(np.all(xa[:, j] == xa[0, j]))

    _check_moments(mom, max_abs, constant)
    r = moments_r(mom)
    if r is None:
        r = design_r(xa, mom.mean[:-1])
    return _finish(Problem(np.ascontiguousarray(xa), np.ascontiguousarray(ya), r, mom), r)


def _streamed_problem(source, y, max_predictors: int | None, route: str) -> Problem:
    """A Problem of streamed (x, y) chunks: the same checks, one pass, only moments kept."""
    if y is not None:
        raise ValueError(
            f"{source.name} yields (x, y) chunks itself; pass y=None (got y of type "
            f"{type(y).__name__})"
        )
    _require_moments_route(route, source.name)
    mom: _moments.Moments | None = None
    for x_chunk, y_chunk in source.chunks():
        xa, ya, one_d = _shaped(x_chunk, y_chunk)
        if mom is not None and xa.shape[1] != mom.p:
            raise ValueError(
                f"{source.name}: a chunk at row {mom.n} has {xa.shape[1]} predictor "
                f"columns, earlier chunks {mom.p}; every chunk needs the same columns"
            )
        part = _moments.of_arrays(xa, ya, None if mom is None else mom.shift)
        if not part.finite:  # name the row while the chunk is still in memory
            _raise_if_nonfinite(xa, ya, one_d, 0 if mom is None else mom.n)
        mom = part if mom is None else mom.combine(part)
    if mom is None:
        raise ValueError(f"{source.name} yielded no rows; need at least 2 observations")
    blocks = source.chunks if source.reiterable else None
    return problem_from_moments(mom, source.name, blocks, max_predictors, route)


def problem_from_moments(
    mom: _moments.Moments,
    name: str,
    blocks=None,
    max_predictors: int | None = None,
    route: str = "fit",
) -> Problem:
    """Validate data known only by their one-pass moments (streamed, or summed by Dask).

    The rows are gone, so |values| are bounded by root sums of squares (conservative) and
    a constant column is one whose centred sum of squares is zero up to its rounding.
    ``blocks()`` (optional) re-reads the (x, y) chunks for a blocked QR when the moments are
    too ill-conditioned to give the spectrum as accurately as a QR.
    """
    _require_moments_route(route, name)
    if not mom.finite:
        raise ValueError(
            f"{name}: the sums of squares are not finite: a value is NaN or infinite, or so "
            "large that X'X overflows float64; remove or impute those rows, or rescale"
        )
    _check_counts(mom.n, mom.p, max_predictors, route)

    def upper_bound_abs() -> tuple[np.ndarray, float]:
        with np.errstate(over="ignore"):
            return np.sqrt(np.diag(mom.raw_gram)[:-1]), float(np.sqrt(mom.raw_gram[-1, -1]))

    _check_moments(mom, upper_bound_abs, None)
    pb = Problem(None, None, None, mom, blocks, name)
    return _finish(pb, pb.r_factor)


def _require_moments_route(route: str, name: str) -> None:
    """Streamed data reach only routes on sufficient statistics (and the reference)."""
    from .registry import ROUTES

    found = ROUTES.get(route)
    if found is not None and not found.sufficient_statistics:
        raise ValueError(
            f"{route} holds the design X = [1 x] as a tensor (the lecture's formulation), so "
            f"it needs x and y as arrays in memory; {name} is streamed in chunks. Fit it with "
            "a route on sufficient statistics (compiled_core) or fitters.reference."
            "normal_equation, or load the data with numpy first"
        )


def _check_moments(
    mom: _moments.Moments,
    max_abs: Callable[[], tuple[np.ndarray, float]],
    constant: Callable[[int], bool] | None,
) -> None:
    """Magnitude and constant-column checks read off the one-pass sums."""
    n, p = mom.n, mom.p
    # X'X, X'y, y'y hold sums of n products: they must fit in float64, whatever the order
    limits = {"x": math.sqrt(_HUGE / (n * (p + 1))), "y": math.sqrt(_HUGE / n)}
    squares = np.diag(mom.raw_gram) * (1 + 2.0**-40)  # covers the sums' own rounding
    # max|v|^2 <= sum v^2: below the limit squared, no value can reach the limit
    if (
        not (np.all(squares[:-1] < limits["x"] ** 2) and squares[-1] < limits["y"] ** 2)
        or not mom.finite
    ):
        big_x, big_y = max_abs()
        for name, big in (("x", float(np.max(big_x))), ("y", big_y)):
            limit = limits[name]
            if not big < limit:
                raise ValueError(
                    f"{name} is too large in magnitude (|{name}| up to {big:.3g}): sums of n={n} "
                    f"squares overflow float64 beyond {limit:.3g}; rescale {name} "
                    "(e.g. divide by its standard deviation)"
                )
    centred = np.diag(mom.centred_gram)[:-1]
    shifted = np.diag(mom.shifted_gram)[:-1]
    rounding = 4 * (mom.depth + 3) * 2.0**-53  # a zero centred sum, up to its rounding
    for j in range(p):
        if centred[j] > rounding * shifted[j]:
            continue
        if constant is not None and not constant(j):
            continue  # varies, below float64's resolution of its sums: the spectrum decides
        value = float(mom.mean[j])
        if value == 1.0:
            raise ValueError(
                f"predictor x{j + 1} is a column of ones: the routes add the intercept b0 "
                f"themselves, so b{j + 1} would duplicate it (X'X is singular); pass x "
                "without that column (e.g. x[:, 1:] for the lecture's X = np.c_[np.ones(n), x])"
            )
        raise ValueError(
            f"coefficient b{j + 1} is not identifiable: predictor x{j + 1} is constant "
            f"(every value is {value:g}), so X'X is singular"
        )


def _finish(pb: Problem, r: np.ndarray) -> Problem:
    _check_identifiable(r, pb.n)
    # the SVD finds a tiny curvature only to within eps times the largest (a predictor of
    # spread 1e-170 beside one of size 1 came out at 1e-38); each centred column's Rayleigh
    # quotient, 2 ||x_j - mean||^2 / n, bounds the smallest curvature from above whatever R is
    centred = np.linalg.norm(r[1:, 1:], axis=0)
    lam_min = min(float(pb.hessian_eigenvalues[-1]), 2.0 / pb.n * float(np.min(centred)) ** 2)
    if not lam_min >= _TINY:
        spread = float(np.sqrt(np.min(np.diag(pb.moments.centred_gram)[:-1]) / pb.n))
        if spread**2 >= _TINY:  # every spread is representable: the scales are too far apart
            raise ValueError(
                "the predictors' scales are too far apart for float64 (X'X's smallest "
                f"curvature {lam_min:.3g} is below its normal range, although every predictor "
                f"varies by {spread:.3g} or more); rescale each predictor (e.g. divide it by "
                "its standard deviation)"
            )
        raise ValueError(
            f"x varies too little in magnitude (spread down to {spread:.3g}): "
            "X'X underflows float64; rescale x (e.g. divide by its standard deviation)"
        )
    return pb


def _check_identifiable(r: np.ndarray, n: int) -> None:
    """Raise if X'X is singular, naming the first coefficient the data cannot identify.

    With X = [1 x] = QR, R22 = R[1:, 1:] is the R of the centred predictors x - mean(x), and
    |R22_jj| / ||R22[:, j]|| is the sine of the angle between centred x_j and the span of
    the intercept and x_1..x_{j-1}. The data determine that angle only down to their own
    rounding: each x_ij is stored to u|x_ij|, a perturbation of size u ||x_j|| against a
    centred column of size ||x_j - mean|| (= ||R22[:, j]||), and the centring and the blocked
    QR add a few roundings per entry. So b_j is not identifiable when

        |R22_jj| / ||R22[:, j]||  <=  (p + 1 + sqrt(n)) eps ||x_j|| / ||x_j - mean(x_j)||,

    with ||x_j|| = ||R[:, j]||. Nearly collinear predictors above that floor are identifiable
    (and ill-conditioned: the routes warn, see ``Route``).
    """
    r22 = r[1:, 1:]
    p = r22.shape[0]
    if p == 1:
        return  # a single non-constant predictor is always identifiable
    centred = np.linalg.norm(r22, axis=0)
    whole = np.linalg.norm(r[:, 1:], axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        sine = np.abs(np.diag(r22)) / centred
        floor = (p + 1 + math.sqrt(n)) * _EPS * whole / centred
    for j in range(p):
        if not centred[j] > 0:
            continue  # its spread underflowed: _finish's curvature test names it
        if sine[j] <= floor[j]:
            earlier = "the intercept" + ("", " and x1", f" and x1..x{j}")[min(j, 2)]
            raise ValueError(
                f"coefficient b{j + 1} is not identifiable: predictor x{j + 1} is a linear "
                f"combination of {earlier} (collinear), so X'X is singular; drop x{j + 1} "
                "or combine the collinear predictors"
            )


def check_init(init, p: int, name: str = "init") -> np.ndarray:
    """Starting coefficients: the lecture's (-5, 10) for p == 1, zeros otherwise.

    Any array-like of p+1 finite reals (integers included, as the lecture's
    ``tnp.array([-5, 10])``), flat or as a (p+1, 1) column, intercept first.
    """
    if init is None:
        if name != "init":
            raise ValueError(f"{name} must hold p+1 = {p + 1} coefficients, got None")
        return np.array([-5.0, 10.0]) if p == 1 else np.zeros(p + 1)
    arr = _as_float_array(init, name).reshape(-1)
    if arr.shape != (p + 1,):
        raise ValueError(
            f"{name} must hold p+1 = {p + 1} coefficients (intercept first), got {arr.size}"
        )
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity: {arr}")
    return arr


def check_lr(lr) -> float:
    """Learning rate: the lecture's 0.1 by default; must be a finite positive real."""
    if lr is None:
        return 0.1
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise ValueError(f"lr must be a real number, got {type(lr).__name__} {lr!r}")
    lr = float(lr)
    if not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be finite and > 0, got {lr}")
    return lr


def check_epochs(epochs, name: str = "epochs") -> int:
    """Number of gradient steps: the lecture's 1000 by default; a non-negative integer."""
    if epochs is None:
        return 1000
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral):
        raise ValueError(f"{name} must be a non-negative integer, got {epochs!r}")
    if epochs < 0:
        raise ValueError(f"{name} must be >= 0, got {epochs}")
    return int(epochs)
