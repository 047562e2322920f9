"""Input validation shared by every route and by the reference (one place, not per route).

Everything a route receives has passed through :func:`problem`; every error names what was
wrong and what to do. Data are converted to float64 once here; each route then casts to its own
dtype (see the route table), so float32 data given to a float64 route are upcast exactly and
float64 data given to a float32 route are rounded to float32, as documented in the README.

Copies: float64, C-contiguous input is used as is (no copy); anything else is converted once.
Validation itself never forms the n x (p+1) design matrix: the finiteness, magnitude and
constant-column checks read the column minima and maxima, and the R factor of X = [1 x]
(from which the condition number, the Hessian's eigenvalues and the identifiability test
come) is accumulated over row blocks of at most ``BLOCK_ROWS`` rows (TSQR), so its working
memory is independent of n. ``Problem.design`` is formed only when a route asks for it.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .problem import Problem, design_r

__all__ = ["Problem", "check_epochs", "check_init", "check_lr", "problem"]

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


def _first_nonfinite(arr: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])


def problem(x, y, max_predictors: int | None = None, route: str = "fit") -> Problem:
    """Validate (x, y) and return a :class:`Problem`; raise ``ValueError`` naming the problem.

    Accepts x of shape (n,) or (n, p), y of shape (n,) or (n, 1) (the lecture's column y),
    integer, boolean or float dtypes. Rejects non-numeric data, empty arrays, 0-d and 3-d
    arrays, NaN/inf, mismatched lengths, too few rows, values so large (or a spread so small)
    that X'X over- or underflows float64, and constant or collinear predictors (a coefficient
    that the data cannot identify).
    """
    xa = _as_float_array(x, "x")
    ya = _as_float_array(y, "y")
    if xa.ndim == 1:
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
    if max_predictors is not None and p > max_predictors:
        raise ValueError(
            f"{route} fits {max_predictors} predictor(s); x has {p} columns. "
            "Use a vector route (e.g. normal_equation_solve) for several predictors."
        )
    if n < p + 1 or n < 2:
        raise ValueError(
            f"need at least {max(p + 1, 2)} observations to fit {p + 1} coefficients, got n={n}"
        )
    # min/max propagate NaN and expose +-inf: all finite extremes <=> all values finite
    lo, hi = xa.min(axis=0), xa.max(axis=0)
    ylo, yhi = float(ya.min()), float(ya.max())
    for name, arr, extremes in (("x", xa, (lo, hi)), ("y", ya, (ylo, yhi))):
        if not np.isfinite(extremes).all():
            raise ValueError(
                f"{name} contains NaN or infinity (first at index {_first_nonfinite(arr)}); "
                "remove or impute those rows"
            )
    # X'X, X'y, y'y hold sums of n products: they must fit in float64
    limits = {"x": math.sqrt(_HUGE / (n * (p + 1))), "y": math.sqrt(_HUGE / n)}
    for name, big in (("x", float(np.max(np.maximum(-lo, hi)))), ("y", max(-ylo, yhi))):
        limit = limits[name]
        if big >= limit:
            raise ValueError(
                f"{name} is too large in magnitude (|{name}| up to {big:.3g}): sums of n={n} "
                f"squares overflow float64 beyond {limit:.3g}; rescale {name} "
                "(e.g. divide by its standard deviation)"
            )
    for j in range(p):
        if lo[j] == hi[j]:
            raise ValueError(
                f"coefficient b{j + 1} is not identifiable: predictor x{j + 1} is constant "
                f"(every value is {lo[j]:g}), so X'X is singular"
            )
    shift = (lo + hi) / 2.0  # centre of the range: keeps the blocks at the size of the spread
    r = design_r(xa, shift)
    _check_identifiable(r, n)
    pb = Problem(np.ascontiguousarray(xa), np.ascontiguousarray(ya), r)
    lam_min = float(pb.hessian_eigenvalues[-1])
    if not lam_min >= _TINY:
        raise ValueError(
            f"x varies too little in magnitude (spread down to {float(np.min(hi - lo)):.3g}): "
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
    sine = np.abs(np.diag(r22)) / centred
    floor = (p + 1 + math.sqrt(n)) * _EPS * whole / centred
    for j in range(p):
        if sine[j] <= floor[j]:
            earlier = "the intercept" + (f" and x1..x{j}" if j > 1 else " and x1")
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
