"""The float64 oracles every route is checked against.

normal_equation: b* = argmin ||y - Xb||^2 by LAPACK least squares (SVD based, never an
explicit inverse), so its error is about eps64 * cond(X) rather than eps64 * cond(X)^2.

gd_iterate: full-batch gradient descent on L(b) = ||y - Xb||^2 / n has gradient
H (b - b*) with H = 2X'X/n, so b_k = b* + (I - lr H)^k (b_0 - b*) exactly. With
H = V diag(lambda) V' this is b* + V diag((1 - lr lambda)^k) V' (b_0 - b*): no loop over k.

gd_error_bound: ||b_k - b*||_2 <= rho^k ||b_0 - b*||_2 with rho = max_i |1 - lr lambda_i|,
tight because H is symmetric.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .validation import Problem, check_init, check_lr, problem

__all__ = [
    "normal_equation",
    "gd_iterate",
    "gd_error_bound",
    "contraction_factor",
    "mse",
]


def _problem(x, y) -> Problem:
    return x if isinstance(x, Problem) else problem(x, y, route="reference")


def normal_equation(x: ArrayLike, y: ArrayLike | None = None) -> np.ndarray:
    """float64 coefficients [b0, b1, ..., bp] minimizing the MSE (numpy.linalg.lstsq)."""
    pb = _problem(x, y)
    coef, *_ = np.linalg.lstsq(pb.design, pb.y, rcond=None)
    return coef


def contraction_factor(x: ArrayLike, y: ArrayLike | None, lr: float) -> float:
    """rho = max_i |1 - lr * lambda_i(H)|: the error shrinks by at least rho per step."""
    lam = _problem(x, y).hessian_eigenvalues
    return float(np.max(np.abs(1.0 - lr * lam)))


def gd_iterate(x: ArrayLike, y: ArrayLike | None, init: ArrayLike, lr: float, k: int) -> np.ndarray:
    """Exact k-th full-batch gradient-descent iterate, float64, in closed form.

    b_k = b* + V diag((1 - lr lambda)^k) V' (b_0 - b*), with (s, V) from the SVD of X.
    Raises ValueError for negative k; returns non-finite values only when the true iterate
    overflows float64 (lr far above 2/lambda_max).
    """
    pb = _problem(x, y)
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    b0 = check_init(init, pb.p)
    lr = check_lr(lr)
    star = normal_equation(pb)
    _, v = pb.spectrum
    factors = (1.0 - lr * pb.hessian_eigenvalues) ** k
    return star + v @ (factors * (v.T @ (b0 - star)))


def gd_error_bound(x: ArrayLike, y: ArrayLike | None, init: ArrayLike, lr: float, k: int) -> float:
    """Bound on ||b_k - b*||_2 after k steps: rho^k * ||b_0 - b*||_2 (rho: contraction_factor)."""
    pb = _problem(x, y)
    b0 = check_init(init, pb.p)
    rho = contraction_factor(pb, None, check_lr(lr))
    return float(rho**k * np.linalg.norm(b0 - normal_equation(pb)))


def mse(x: ArrayLike, y: ArrayLike | None, coef: ArrayLike) -> float:
    """L(b) = ||y - Xb||^2 / n in float64."""
    pb = _problem(x, y)
    r = pb.y - pb.design @ np.asarray(coef, dtype=np.float64)
    return float(r @ r / pb.n)
