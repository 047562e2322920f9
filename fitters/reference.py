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

Streamed data (a :class:`fitters.sources.Source`, or a Problem built from moments): the rows
are gone, so ``normal_equation`` solves the centred normal equations from the one-pass
moments (``normal_equation_moments``; Cholesky of the centred Gram scaled to unit diagonal,
error ~ eps * cond(XcS)^2 with Xc the centred predictors, which for data far from the origin
is far smaller than cond(XS)^2), and ``gd_iterate``, ``gd_error_bound``,
``contraction_factor`` follow from it and the spectrum. The extended-precision oracles and
``mse`` need the rows and say so.

Extended precision (the oracles the checks compare against): ``gd_path`` runs the k steps in
NumPy's ``longdouble`` (80-bit on x86-64 Linux, u = 2^-64, 2048 times finer than float64) on
moments summed pairwise in that precision, and ``normal_equation_extended`` solves by
Householder QR in it, so a float64 route's own rounding, not the oracle's, is what a check
sees. Their own error is bounded in :mod:`fitters.tolerances` with ``EXTENDED``'s unit
roundoff (on platforms where ``longdouble`` is float64 the bounds simply grow accordingly).

Exact (the closed forms' oracle where it is affordable): float64 data are dyadic rationals, so
X'X and X'y are sums of integer products at a common power of two. ``normal_equation_exact``
forms them in Python integers and solves the normal equations in fractions: b* itself, rounded
once to float64, with an error of half an ulp per coefficient however ill-conditioned or
offset the data are. It costs n (p+2)(p+3)/2 integer products; past ``EXACT_BUDGET`` of them
the extended QR stands in.
"""

from __future__ import annotations

import operator
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike

from .moments import Moments
from .problem import Problem
from .validation import check_epochs, check_init, check_lr, problem

__all__ = [
    "EXACT_BUDGET",
    "EXTENDED",
    "contraction_factor",
    "gd_error_bound",
    "gd_iterate",
    "gd_path",
    "mse",
    "mse_extended",
    "normal_equation",
    "normal_equation_exact",
    "normal_equation_extended",
    "normal_equation_moments",
]

#: the precision of the extended oracles
EXTENDED = np.longdouble

#: integer products (n (p+2)(p+3)/2) up to which the closed forms' oracle is exact
EXACT_BUDGET = 300_000


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
    if pb.streamed:
        return normal_equation_moments(pb.moments)
    shift = pb.x.mean(axis=0)
    z = np.empty((pb.n, pb.p + 1))
    z[:, 0] = 1.0 / np.sqrt(pb.n)
    np.subtract(pb.x, shift, out=z[:, 1:])
    scale = np.linalg.norm(z[:, 1:], axis=0)
    z[:, 1:] /= scale
    c, *_ = np.linalg.lstsq(z, pb.y, rcond=None)
    slopes = c[1:] / scale
    return np.concatenate([[c[0] / np.sqrt(pb.n) - shift @ slopes], slopes])


def normal_equation_moments(moments: Moments) -> np.ndarray:
    """b* from one-pass moments alone: the centred normal equations, scaled, by Cholesky.

    With Cc the centred sums of [x y] (Chan's update of the shifted sums), the slopes solve
    (S Cxx S) c = S Cxy, b = S c (S: unit-diagonal scaling), and b0 = mean(y) - mean(x)'b.
    Forming the Gram squares the condition of the centred predictors (error ~ eps
    cond(XcS)^2), not of [1 x]; the QR-based ``normal_equation`` is used whenever the rows
    are in memory.
    """
    p = moments.p
    cc = moments.centred_gram
    scale = 1.0 / np.sqrt(np.diag(cc)[:p])
    a = cc[:p, :p] * np.outer(scale, scale)
    rhs = cc[:p, p] * scale
    lower = np.linalg.cholesky(a)
    slopes = np.linalg.solve(lower.T, np.linalg.solve(lower, rhs)) * scale
    mean = moments.mean
    return np.concatenate([[mean[p] - mean[:p] @ slopes], slopes])


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
    pb._in_memory("reference.mse")
    r = pb.y - pb.design @ check_init(coef, pb.p, name="coef")
    return float(r @ r / pb.n)


def _extended_columns(pb: Problem) -> np.ndarray:
    """[1, x_1..x_p, y] as contiguous extended-precision rows (p+2, n): pairwise sums."""
    pb._in_memory("the extended-precision oracles")
    z = np.empty((pb.p + 2, pb.n), dtype=EXTENDED)
    z[0] = 1
    z[1:-1] = pb.x.T
    z[-1] = pb.y
    return z


def _extended_gradient_terms(pb: Problem) -> tuple[np.ndarray, np.ndarray]:
    """(H, h) with grad L(b) = H b - h: H = 2X'X/n, h = 2X'y/n, in extended precision.

    Each entry is one pairwise ``np.sum`` of n products (error ~ log2(n) u_ext of the sum of
    magnitudes), so a step's gradient carries no cancellation error beyond that.
    """
    z = _extended_columns(pb)
    p1 = pb.p + 1
    two_over_n = EXTENDED(2) / EXTENDED(pb.n)
    h_mat = np.empty((p1, p1), dtype=EXTENDED)
    for i in range(p1):
        for j in range(i, p1):
            h_mat[i, j] = h_mat[j, i] = np.sum(z[i] * z[j]) * two_over_n
    h_vec = np.array([np.sum(z[i] * z[-1]) * two_over_n for i in range(p1)], dtype=EXTENDED)
    return h_mat, h_vec


def gd_path(x: ArrayLike, y: ArrayLike | None, init: ArrayLike, lr: float, k: int) -> np.ndarray:
    """Every full-batch gradient-descent iterate b_0, ..., b_k, shape (k+1, p+1).

    Computed step by step in extended precision (``EXTENDED``) and rounded to float64 at the
    end: as exact as ``gd_iterate`` where float64 suffices, and exact to float64's last bit
    where a float64 route's own rounding is being judged. The pictures' path and every
    check's gradient-descent oracle come from here.
    """
    pb = _problem(x, y)
    k = check_epochs(k, "k")
    b = check_init(init, pb.p).astype(EXTENDED)
    lr_ext = EXTENDED(check_lr(lr))
    h_mat, h_vec = _extended_gradient_terms(pb)
    out = np.empty((k + 1, pb.p + 1), dtype=EXTENDED)
    out[0] = b
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging path overflows: inf
        for j in range(k):
            b = b - lr_ext * (h_mat @ b - h_vec)
            out[j + 1] = b
        return out.astype(np.float64)


def mse_extended(x: ArrayLike, y: ArrayLike | None, coefs: ArrayLike) -> np.ndarray:
    """L(b) = ||y - Xb||^2 / n for each row b of ``coefs``, residuals in extended precision."""
    pb = _problem(x, y)
    b = np.atleast_2d(np.asarray(coefs, dtype=np.float64)).astype(EXTENDED)
    z = _extended_columns(pb)
    out = np.empty(b.shape[0])
    for j, row in enumerate(b):
        r = z[-1] - row[0] - row[1:] @ z[1:-1]
        out[j] = float(np.sum(r * r) / EXTENDED(pb.n))
    return out


def normal_equation_extended(x: ArrayLike, y: ArrayLike | None = None) -> np.ndarray:
    """b* by Householder QR in extended precision, on centred predictors; float64 result.

    Centring (exact in extended precision for float64 data of moderate offset) keeps the
    columns at the size of the spread of x, so the error is ~ u_ext cond(XS), far below
    anything a float64 route can resolve.
    """
    pb = _problem(x, y)
    n, p1 = pb.n, pb.p + 1
    z = _extended_columns(pb)
    shift = np.array([np.sum(row) / EXTENDED(n) for row in z[1:-1]], dtype=EXTENDED)
    a = np.empty((n, p1 + 1), dtype=EXTENDED)
    a[:, 0] = 1
    a[:, 1:p1] = (z[1:-1] - shift[:, None]).T
    a[:, p1] = z[-1]
    for j in range(p1):
        col = a[j:, j]
        norm = np.sqrt(np.sum(col * col))
        alpha = -norm if col[0] >= 0 else norm
        v = col.copy()
        v[0] -= alpha
        vnorm2 = np.sum(v * v)
        if vnorm2 == 0:
            continue
        a[j:, j:] -= np.outer(v, (EXTENDED(2) / vnorm2) * (v @ a[j:, j:]))
    c = np.zeros(p1, dtype=EXTENDED)
    for i in range(p1 - 1, -1, -1):
        c[i] = (a[i, p1] - a[i, i + 1 : p1] @ c[i + 1 :]) / a[i, i]
    slopes = c[1:]
    return np.concatenate([[c[0] - shift @ slopes], slopes]).astype(np.float64)


def _dyadic(column: np.ndarray) -> tuple[list[int], int]:
    """Integers N_i and one exponent E with column_i = N_i 2^E exactly (finite float64)."""
    mantissa, exponent = np.frexp(column)
    whole = np.ldexp(mantissa, 53).astype(np.int64)  # exact: 53-bit integers
    exponent = exponent.astype(np.int64) - 53
    low = int(exponent[whole != 0].min()) if np.any(whole != 0) else 0
    shifts = (exponent - low).clip(min=0).tolist()
    return [m << s for m, s in zip(whole.tolist(), shifts, strict=True)], low


def _exact_solve(g: list[list[Fraction]], m: list[Fraction]) -> list[Fraction]:
    """G b = m by Gaussian elimination in fractions (G symmetric positive definite)."""
    size = len(m)
    a = [[*row, rhs] for row, rhs in zip(g, m, strict=True)]
    for k in range(size):
        pivot = next(i for i in range(k, size) if a[i][k] != 0)
        a[k], a[pivot] = a[pivot], a[k]
        for i in range(k + 1, size):
            factor = a[i][k] / a[k][k]
            if factor:
                a[i] = [v - factor * w for v, w in zip(a[i], a[k], strict=True)]
    b = [Fraction(0)] * size
    for i in range(size - 1, -1, -1):
        b[i] = (a[i][size] - sum(a[i][t] * b[t] for t in range(i + 1, size))) / a[i][i]
    return b


def normal_equation_exact(x: ArrayLike, y: ArrayLike | None = None) -> np.ndarray:
    """b* = (X'X)^-1 X'y in exact rational arithmetic, each coefficient rounded once to float64.

    Half an ulp from the true least-squares solution, whatever cond(X); the cost grows as
    n (p+2)^2 / 2 integer products (``EXACT_BUDGET`` is where the checks stop using it).
    """
    pb = _problem(x, y)
    pb._in_memory("the exact oracle")
    columns = [_dyadic(np.ascontiguousarray(c)) for c in (*pb.x.T, pb.y)]
    ones = ([1] * pb.n, 0)
    z = [ones, *columns]

    def dot(a: tuple[list[int], int], b: tuple[list[int], int]) -> Fraction:
        total = sum(map(operator.mul, a[0], b[0]))
        shift = a[1] + b[1]
        return Fraction(total * 2**shift) if shift >= 0 else Fraction(total, 2**-shift)

    p1 = pb.p + 1
    g = [[Fraction(0)] * p1 for _ in range(p1)]
    for i in range(p1):
        for j in range(i, p1):
            g[i][j] = g[j][i] = dot(z[i], z[j])
    m = [dot(z[i], z[-1]) for i in range(p1)]
    return np.array([float(v) for v in _exact_solve(g, m)])
