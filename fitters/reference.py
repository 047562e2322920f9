"""The float64 oracles every route is checked against.

normal_equation: b* = argmin ||y - Xb||^2 by LAPACK least squares (SVD based, never an
explicit inverse) on the centred predictors with unit-norm columns, so its error is about
eps64 * cond(XS) (XS: X with unit columns) rather than eps64 * cond(X)^2, and a large offset
in x (which inflates cond(X) by offset^2 / spread) costs no more than the data's own rounding.

gd_iterate: full-batch gradient descent on L(b) = ||y - Xb||^2 / n has gradient
H (b - b*) with H = 2X'X/n, so b_k = b* + (I - lr H)^k (b_0 - b*) exactly. With
H = V diag(lambda) V' this is b* + V diag((1 - lr lambda)^k) V' (b_0 - b*): no loop over k.

gd_error_bound: ||b_k - b*||_2 <= rho^k ||b_0 - b*||_2 with rho = max_i |1 - lr lambda_i|,
tight because H is symmetric.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .problem import Problem
from .validation import check_epochs, check_init, check_lr, problem

__all__ = [
    "contraction_factor",
    "gd_error_bound",
    "gd_iterate",
    "mse",
    "normal_equation",
]


def _problem(x, y) -> Problem:
    return x if isinstance(x, Problem) else problem(x, y, route="reference")


def normal_equation(x: ArrayLike, y: ArrayLike | None = None) -> np.ndarray:
    """float64 coefficients [b0, b1, ..., bp] minimizing the MSE (numpy.linalg.lstsq).

    Solved on Z = [1/sqrt(n), (x - m) / d] (m: column means, d: norms of x - m), which spans
    the same space as X = [1 x]: b_j = c_j / d_j, b0 = c_0 / sqrt(n) - m'b. Z has unit-norm,
    nearly orthogonal columns, so lstsq's error is eps * cond(Z) ~ eps * cond(XS); on X itself
    an offset of 1e7 in x (cond(X) ~ 1e14) made lstsq's cutoff drop a direction and return a
    minimum-norm answer with no correct digit (tests/test_conditioning.py).
    """
    pb = _problem(x, y)
    shift = pb.x.mean(axis=0)
    z = np.empty((pb.n, pb.p + 1))
    z[:, 0] = 1.0 / np.sqrt(pb.n)
    np.subtract(pb.x, shift, out=z[:, 1:])
    scale = np.linalg.norm(z[:, 1:], axis=0)
    z[:, 1:] /= scale
    c, *_ = np.linalg.lstsq(z, pb.y, rcond=None)
    slopes = c[1:] / scale
    return np.concatenate([[c[0] / np.sqrt(pb.n) - shift @ slopes], slopes])


def contraction_factor(x: ArrayLike, y: ArrayLike | None, lr: float) -> float:
    """rho = max_i |1 - lr * lambda_i(H)|: the error shrinks by at least rho per step."""
    lam = _problem(x, y).hessian_eigenvalues
    return float(np.max(np.abs(1.0 - check_lr(lr) * lam)))


def gd_iterate(x: ArrayLike, y: ArrayLike | None, init: ArrayLike, lr: float, k: int) -> np.ndarray:
    """Exact k-th full-batch gradient-descent iterate, float64, in closed form.

    b_k = b* + V diag((1 - lr lambda)^k) V' (b_0 - b*), with (s, V) from the SVD of X.
    Raises ValueError for negative k; returns non-finite values only when the true iterate
    overflows float64 (lr far above 2/lambda_max).
    """
    pb = _problem(x, y)
    k = check_epochs(k, "k")
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
    k = check_epochs(k, "k")
    rho = contraction_factor(pb, None, check_lr(lr))
    return float(rho**k * np.linalg.norm(b0 - normal_equation(pb)))


def mse(x: ArrayLike, y: ArrayLike | None, coef: ArrayLike) -> float:
    """L(b) = ||y - Xb||^2 / n in float64."""
    pb = _problem(x, y)
    r = pb.y - pb.design @ check_init(coef, pb.p, name="coef")
    return float(r @ r / pb.n)
