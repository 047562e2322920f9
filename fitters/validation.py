"""Input validation shared by every route and by the reference (one place, not per route).

Everything a route receives has passed through :func:`problem`; every error names what was
wrong and what to do. Data are converted to float64 once here; each route then casts to its own
dtype (see the route table), so float32 data given to a float64 route are upcast exactly and
float64 data given to a float32 route are rounded to float32, as documented in the README.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from functools import cached_property

import numpy as np

__all__ = ["Problem", "problem", "check_init", "check_lr", "check_epochs"]


@dataclass(frozen=True, eq=False)
class Problem:
    """A validated regression problem: x (n, p) and y (n,), float64, finite, identifiable."""

    x: np.ndarray
    y: np.ndarray

    @property
    def n(self) -> int:
        return self.x.shape[0]

    @property
    def p(self) -> int:
        return self.x.shape[1]

    @cached_property
    def design(self) -> np.ndarray:
        """X = [1 x], shape (n, p+1), float64."""
        design = np.empty((self.n, self.p + 1))
        design[:, 0] = 1.0
        design[:, 1:] = self.x
        return design

    @cached_property
    def gram(self) -> np.ndarray:
        """X'X, (p+1, p+1), float64, accumulated without forming [1 x] for large n."""
        p1 = self.p + 1
        gram = np.empty((p1, p1))
        gram[0, 0] = self.n
        gram[0, 1:] = gram[1:, 0] = self.x.sum(axis=0)
        gram[1:, 1:] = self.x.T @ self.x
        return gram

    @cached_property
    def moment(self) -> np.ndarray:
        """X'y, (p+1,), float64."""
        return np.concatenate([[self.y.sum()], self.x.T @ self.y])

    @cached_property
    def spectrum(self) -> tuple[np.ndarray, np.ndarray]:
        """(s, V): singular values (descending) and right singular vectors of X = [1 x].

        From the SVD of the small R of X = QR, so H = 2X'X/n = V diag(2 s^2/n) V' is known
        to float64 accuracy even when X'X itself would square away the small eigenvalues.
        """
        r = np.linalg.qr(self.design, mode="r")
        _, s, vt = np.linalg.svd(r)
        return s, vt.T

    @property
    def hessian_eigenvalues(self) -> np.ndarray:
        """Eigenvalues of H = 2X'X/n, descending: the curvature of the MSE loss."""
        return 2.0 * self.spectrum[0] ** 2 / self.n

    @property
    def stable_lr(self) -> float:
        """2 / lambda_max(H): gradient descent converges for 0 < lr < this."""
        return 2.0 / float(self.hessian_eigenvalues[0])

    @property
    def condition_number(self) -> float:
        """cond_2(X) = s_max / s_min of the design matrix (cond(H) is its square)."""
        s = self.spectrum[0]
        return math.inf if s[-1] == 0 else float(s[0] / s[-1])


def _as_float_array(value, name: str) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except Exception as exc:  # e.g. ragged nested lists
        raise ValueError(f"{name} could not be read as an array: {exc}") from exc
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_
    ):
        raise ValueError(
            f"{name} must hold real numbers, got dtype {arr.dtype}; "
            "convert it with numpy.asarray(..., dtype=float) first"
        )
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"{name} must be real, got complex dtype {arr.dtype}")
    return arr.astype(np.float64, copy=False)


def problem(x, y, max_predictors: int | None = None, route: str = "fit") -> Problem:
    """Validate (x, y) and return a :class:`Problem`; raise ``ValueError`` naming the problem.

    Accepts x of shape (n,) or (n, p), y of shape (n,) or (n, 1) (the lecture's column y),
    integer or float dtypes. Rejects NaN/inf, mismatched lengths, too few rows, constant or
    collinear predictors (a coefficient that the data cannot identify).
    """
    xa = _as_float_array(x, "x")
    ya = _as_float_array(y, "y")
    if xa.ndim == 1:
        xa = xa[:, None]
    elif xa.ndim != 2:
        raise ValueError(f"x must have shape (n,) or (n, p), got shape {xa.shape}")
    if ya.ndim == 2 and ya.shape[1] == 1:
        ya = ya[:, 0]
    elif ya.ndim != 1:
        raise ValueError(
            f"y must have shape (n,) or (n, 1) (one response), got shape {ya.shape}"
        )
    n, p = xa.shape
    if ya.shape[0] != n:
        raise ValueError(f"x and y have different lengths: x has {n} rows, y has {ya.shape[0]}")
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
    for name, arr in (("x", xa), ("y", ya)):
        finite = np.isfinite(arr)
        if not finite.all():
            where = np.argwhere(~finite)[0]
            raise ValueError(
                f"{name} contains NaN or infinity (first at index {tuple(int(i) for i in where)}); "
                "remove or impute those rows"
            )
    _check_identifiable(xa)
    return Problem(np.ascontiguousarray(xa), np.ascontiguousarray(ya))


def _check_identifiable(x: np.ndarray) -> None:
    """Raise if X'X is singular, naming the first coefficient the data cannot identify.

    A predictor is constant (max == min) -> its slope is confounded with the intercept.
    Otherwise the centred, unit-scaled predictors are QR-factorized; the first |R_jj| at or
    below max|R_ii| * max(n, p) * eps (numpy.linalg.matrix_rank's rule) marks b_j as a linear
    combination of the earlier predictors.
    """
    lo, hi = x.min(axis=0), x.max(axis=0)
    for j in range(x.shape[1]):
        if lo[j] == hi[j]:
            raise ValueError(
                f"coefficient b{j + 1} is not identifiable: predictor x{j + 1} is constant "
                f"(every value is {lo[j]:g}), so X'X is singular"
            )
    if x.shape[1] == 1:
        return
    centred = x - x.mean(axis=0)
    centred /= np.linalg.norm(centred, axis=0)
    diag = np.abs(np.diag(np.linalg.qr(centred, mode="r")))
    tol = diag.max() * max(x.shape) * np.finfo(np.float64).eps
    for j in range(x.shape[1]):
        if diag[j] <= tol:
            raise ValueError(
                f"coefficient b{j + 1} is not identifiable: predictor x{j + 1} is a linear "
                f"combination of the intercept and x1..x{j} (collinear), so X'X is singular"
            )


def check_init(init, p: int) -> np.ndarray:
    """Starting coefficients: the lecture's (-5, 10) for p == 1, zeros otherwise."""
    if init is None:
        return np.array([-5.0, 10.0]) if p == 1 else np.zeros(p + 1)
    arr = _as_float_array(init, "init").reshape(-1)
    if arr.shape != (p + 1,):
        raise ValueError(
            f"init must hold p+1 = {p + 1} coefficients (intercept first), got {arr.size}"
        )
    if not np.isfinite(arr).all():
        raise ValueError("init contains NaN or infinity")
    return arr


def check_lr(lr) -> float:
    """Learning rate: the lecture's 0.1 by default; must be a finite positive real."""
    if lr is None:
        return 0.1
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise ValueError(f"lr must be a real number, got {type(lr).__name__}")
    lr = float(lr)
    if not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be finite and > 0, got {lr}")
    return lr


def check_epochs(epochs) -> int:
    """Number of gradient steps: the lecture's 1000 by default; a non-negative integer."""
    if epochs is None:
        return 1000
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral):
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    if epochs < 0:
        raise ValueError(f"epochs must be >= 0, got {epochs}")
    return int(epochs)
