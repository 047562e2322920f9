"""Derived error bounds: how far a route's answer may lie from the float64 oracle.

Every tolerance in the harness comes from here, computed per data set from its mathematics;
none is a constant chosen to make a test pass. Notation (all 2-norms unless said):

    u            unit roundoff of a dtype, eps/2 (float32 2^-24, float64 2^-53)
    gamma_m(u)   m u / (1 - m u): Higham's worst-case bound for m accumulated roundings
    X = [1 x]    design, n x (p+1); s_max, kappa = cond_2(X); F = ||X||_F
    H = 2X'X/n   Hessian of L(b) = ||y - Xb||^2 / n, eigenvalues lambda_i
    b*           the least-squares solution; r* = y - X b*
    rho          max_i |1 - lr lambda_i|: the contraction factor of gradient descent
    B            ||b*|| + ||b_0 - b*||, a bound on every iterate's norm when rho <= 1

Closed forms (``closed_form_bound``), standard least-squares perturbation theory:
    QR / lstsq:           ||db|| <= gamma_m (kappa + kappa^2 ||r*|| / (s_max ||b*||)) ||b*||
    X'X (inverse, sums):  ||db|| <= gamma_m kappa^2 ||b*|| + gamma_m ||X'r*|| / lambda_min(X'X)
with m = n (p + 1), in the route's dtype.

Gradient routes (``trajectory_bound``): the computed iterate is
    b_{k+1} = b_k - lr g(b_k) + d_k,  e_{k+1} = (I - lr H) e_k + d_k
so ||e_k|| <= delta * S_k with S_k = sum_{j<k} rho^j = (1 - rho^k)/(1 - rho), where one step's
rounding is at most
    delta = u_p (B + lr ||g||) + lr dg,   ||g|| <= lambda_max ||b_0 - b*||,
    dg    = (4/n) gamma_m (F B + ||y||) F, m = n + p + 4,
u_p the unit roundoff the parameters are stored in and gamma_m in the dtype the gradient is
computed in: residual r = y - Xb (p + 2 roundings per entry), X'r (n), casting the data to
the route's dtype (2 more), counted twice (residual and product) as the factor 4/n = 2 * 2/n.
The float64 oracle's own error, 2 ||db*|| + (k + p + 1) u_64 ||b_0 - b*||, is added.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import reference
from .problem import Problem
from .route_type import Route

__all__ = [
    "Bound",
    "closed_form_bound",
    "gamma",
    "gd_rounding_bound",
    "loss_atol",
    "route_bound",
    "trajectory_bound",
    "unit_roundoff",
]


def unit_roundoff(dtype) -> float:
    """u = eps / 2 of a floating dtype."""
    return float(np.finfo(np.dtype(dtype)).eps) / 2.0


def gamma(m: float, dtype) -> float:
    """gamma_m = m u / (1 - m u): worst-case relative error of m accumulated roundings."""
    mu = m * unit_roundoff(dtype)
    return math.inf if mu >= 1 else mu / (1.0 - mu)


@dataclass(frozen=True)
class Bound:
    """An oracle value and the derived allowance ``atol`` on ||coef - expected||_2."""

    expected: np.ndarray
    max_l2_error: float
    formula: str

    def error(self, coef) -> float:
        return float(np.linalg.norm(np.asarray(coef, dtype=np.float64) - self.expected))

    def holds(self, coef) -> bool:
        return self.error(coef) <= self.max_l2_error


def _star(pb: Problem) -> tuple[np.ndarray, float]:
    """b* and the bound on its float64 error (QR/lstsq formula)."""
    star = reference.normal_equation(pb)
    return star, closed_form_error(pb, star, "float64", gram=False)


def closed_form_error(pb: Problem, star: np.ndarray, dtype, *, gram: bool) -> float:
    """Bound on ||b_hat - b*|| for a closed form computing in ``dtype`` (module docstring)."""
    s = pb.spectrum[0]
    kappa = pb.condition_number
    g = gamma(pb.n * (pb.p + 1), dtype)
    r = pb.y - pb.design @ star
    norm_b = float(np.linalg.norm(star))
    norm_r = float(np.linalg.norm(r))
    if gram:
        lam_min = float(s[-1]) ** 2
        return g * kappa**2 * norm_b + g * float(np.linalg.norm(pb.design.T @ r)) / lam_min
    return (
        g * (kappa + kappa**2 * norm_r / (float(s[0]) * max(norm_b, np.finfo(float).tiny))) * norm_b
    )


def closed_form_bound(route: Route, pb: Problem) -> Bound:
    """Allowance for a closed-form route against ``reference.normal_equation``."""
    star, star_err = _star(pb)
    gram = not route.stable_solve
    err = closed_form_error(pb, star, route.dtype, gram=gram)
    kind = "X'X" if gram else "QR"
    return Bound(star, err + star_err, f"{kind} perturbation bound in {route.dtype}")


def trajectory_bound(route: Route, pb: Problem, init: np.ndarray, lr: float, k: int) -> Bound:
    """Allowance for an iterative route after k steps against ``reference.gd_iterate``.

    The oracle uses ``route.effective_lr(lr)``, the step size the route really applies.
    """
    return gd_rounding_bound(route.dtype, pb, init, route.effective_lr(lr), k)


def gd_rounding_bound(dtype, pb: Problem, init: np.ndarray, lr_eff: float, k: int) -> Bound:
    """``trajectory_bound`` for any k-step GD computed in ``dtype`` with step size ``lr_eff``."""
    star, star_err = _star(pb)
    expected = reference.gd_iterate(pb, None, init, lr_eff, k)
    lam = pb.hessian_eigenvalues
    rho = float(np.max(np.abs(1.0 - lr_eff * lam)))
    dist = float(np.linalg.norm(init - star))
    big_b = float(np.linalg.norm(star)) + dist * max(1.0, rho**k)
    frob = float(np.sqrt(np.sum(pb.spectrum[0] ** 2)))
    norm_y = float(np.linalg.norm(pb.y))
    u_p = unit_roundoff(dtype)
    dg = 4.0 / pb.n * gamma(pb.n + pb.p + 4, dtype) * (frob * big_b + norm_y) * frob
    grad = float(lam[0]) * dist * max(1.0, rho**k)
    delta = u_p * (big_b + lr_eff * grad) + lr_eff * dg
    s_k = float(k) if rho == 1.0 else (1.0 - rho**k) / (1.0 - rho)
    oracle_err = 2.0 * star_err + (k + pb.p + 1) * unit_roundoff(np.float64) * dist
    return Bound(expected, delta * s_k + oracle_err, f"delta*S_k, rho={rho:.6g}, k={k}")


def route_bound(route: Route, pb: Problem, init=None, lr=None, epochs=None) -> Bound:
    """The bound that applies to ``route.fit`` with these arguments (contract defaults)."""
    from .validation import check_epochs, check_init, check_lr

    if not route.iterative:
        return closed_form_bound(route, pb)
    return trajectory_bound(route, pb, check_init(init, pb.p), check_lr(lr), check_epochs(epochs))


def loss_atol(route: Route, pb: Problem, coef: np.ndarray) -> float:
    """Absolute error allowed in a route's loss L(b) = ||r||^2 / n at coefficients ``coef``.

    Each residual r_i = y_i - X_i b carries gamma_{p+4} (|y_i| + |X_i| |b|) (p+2 roundings,
    and the cast of the data to the route's dtype), so ||dr|| <= d = gamma_{p+4} (||y|| + F ||b||);
    then | ||r+dr||^2 - ||r||^2 | <= 2 ||r|| d + d^2, and the sum of n squares adds gamma_n:
        (2 ||r|| d + d^2 + gamma_n (||r|| + d)^2) / n.
    A route on sufficient statistics expands the square instead; each of its three terms
    carries gamma_{n+p+2} of its size: gamma (||y||^2 + 2 ||b|| ||X'y|| + F^2 ||b||^2) / n.
    """
    r = float(np.linalg.norm(pb.y - pb.design @ coef))
    frob = float(np.sqrt(np.sum(pb.spectrum[0] ** 2)))
    d = gamma(pb.p + 4, route.dtype) * (
        float(np.linalg.norm(pb.y)) + frob * float(np.linalg.norm(coef))
    )
    if route.sufficient_statistics:
        nb = float(np.linalg.norm(coef))
        terms = (
            float(pb.y @ pb.y)
            + 2 * nb * float(np.linalg.norm(pb.design.T @ pb.y))
            + (frob * nb) ** 2
        )
        return gamma(pb.n + pb.p + 2, route.dtype) * terms / pb.n
    return (2 * r * d + d * d + gamma(pb.n, route.dtype) * (r + d) ** 2) / pb.n
