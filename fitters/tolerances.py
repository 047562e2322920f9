"""Derived error bounds: how far a route's answer may lie from its oracle. Every bound lives here.

Each bound is computed per data set from its mathematics; none is a constant chosen to make
a test pass. Notation (2-norms unless said; |.| elementwise):

    u            unit roundoff of a dtype (float32 2^-24, float64 2^-53; EXTENDED 2^-64)
    X = [1 x]    design (n, p+1); H = 2X'X/n with eigenvalues lambda_i; b* the LS solution
    r(b)         y - Xb;  g(b) = H (b - b*) = -2X'r(b)/n, the exact gradient
    rho          max_i |1 - lr lambda_i|: gradient descent's contraction factor
    m_i(b)       |y_i| + |X_i| |b| + |r_i(b)|: the size of what computing r_i rounds

Two models of rounding, and where each is used
----------------------------------------------
*Worst case* (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., ch. 3):
m accumulated roundings err by at most gamma_m = m u / (1 - m u) of the magnitudes involved.
It holds always, and is what a proof needs; it overstates real errors by ~m/sqrt(m).

*Probabilistic* (Higham & Mary, "A new approach to probabilistic rounding error analysis",
SIAM J. Sci. Comput. 41 (2019); Ipsen & Zhou, "Probabilistic error analysis for inner
products", SIAM J. Matrix Anal. Appl. 41 (2020)): the rounding errors delta_t (|delta_t| <= u)
of distinct operations are independent with mean zero, so by Hoeffding's inequality a first-
order error sum_t delta_t c_t satisfies |sum_t delta_t c_t| <= LAMBDA u ||c||_2 except with
probability at most 2 exp(-LAMBDA^2 / 2) = FAILURE_PER_USE (3.9e-22 at LAMBDA = 10).
A check makes at most ~10^6 such uses (k steps x p+1 components x 3 sums), so a check fails
spuriously with probability below 4e-16; at 10^4 checks a CI run and 10^5 runs in the
project's life that is 4e-7: no flake is expected, ever. Every probabilistic term is capped by
its worst-case counterpart (the smaller of two valid bounds is valid), so for small n the
worst case simply applies; the closed forms' sums are also capped by the worst case in the
ordered model's orders, u sum_a |s_a| (``partial_sum_squares(linear=True)``), which is the
smaller where a few distinct values repeat (their roundings add linearly anyway). Across
gradient steps the model is applied only where it holds: near a fixed point each step may
repeat the same roundings, and roundings of the data (casts, the compiled core's moments)
recur at every step, so those add linearly; a step that must move the iterate by
MOVING_ULPS rounds values no other step does (``_accumulate``).

Gradient routes (``trajectory_bound``)
--------------------------------------
The computed iterate obeys b^_{j+1} = b^_j - lr g(b^_j) + d_j, so e_j = b^_j - b_j satisfies
e_{j+1} = (I - lr H) e_j + d_j and ||e_k|| <= rho^k ||e_0|| + sum_{j<k} rho^{k-1-j} ||d_j||.
The gradient's own roundings on moving steps (below) are the exception: their sum over
those steps is one linear form in independent roundings, bounded by Hoeffding once,
sqrt(sum_j rho^(2(k-1-j)) ||d_j||^2), or by the linear sum of their worst cases if smaller.
A step moves when its exact size, less what the error so far and the step's own rounding
can take off (lr lambda_max E_j + lr |dg_j|), is at least MOVING_ULPS u ||b_j||.
One step's error d_j, evaluated along the exact path b_j (first order: b^_j - b_j is itself
of rounding size), is
  storage   u_p (lr |g_l| + |b_{j+1,l}|) per component (the product and the subtraction), u_p
            the unit roundoff the coefficients are held in (the route's dtype), worst case;
  gradient  lr |dg_l|, the rounding of g computed in the route's dtype:
    residual form (every route but ``sufficient_statistics``): r_i costs p+2 roundings plus
    2 for casting x and y to the dtype (coefficient at most |X_il| m_i each), the products
    X_il r_i a few, and the sum of the n products, whose n-1 additions have partial sums
    at most T_l = sum_i |X_il r_i| in any order. Worst case:
        |dg_l| <= (2/n) (gamma_{p+4} sum_i |X_il| m_i + gamma_{n+1} T_l) + 3 u |g_l|
    (3 u |g_l|: the scalings by 2 and by 1/n). Probabilistic, in any order, that would be
    (2/n) LAMBDA u sqrt((p+4) ||X_l o m||^2 + 2 ||X_l o r||^2 + (n-1) T_l^2) + 3 u |g_l|.
    *Ordered sums* (the probabilistic model, ``_ordered_gradient_errors``): "any order"
    lets every one of the n-1 additions carry a partial sum as large as T_l, which only
    an order that adds the terms sorted by sign reaches. TensorFlow's reductions and
    matrix products (Eigen's packet reductions, oneDNN's and XLA's dot kernels) and NumPy's
    visit the terms in index order: sequentially, or in L interleaved lanes (L the packet
    width times the unrolling, at most 64 on a CPU) whose totals are then combined. So the
    sum's coefficient vector is the partial sums s_a of that order, and sum_a s_a^2 is taken
    as the largest over ``SUM_ORDERS`` (sequential; L = 2..64 lanes combined by halving, a
    sequential tail), computed from the terms X_il r_i(b_j) along the exact path. With the
    path's terms at hand, the other coefficients are the roundings' own sizes, not m_i for
    each: r_i sums y_i and -b_l x_il (p+1 additions, p of whose partial sums are at most
    |y_i| + |X_i||b|, the last r_i; casts of y_i and x_il, products b_l x_il), and each
    product term X_il r_i takes 4 roundings (the cast of X_il, the upstream scaling an
    autodiff gradient applies, the product, one to spare):
        |dg_l| <= (2/n) LAMBDA u sqrt(sum_i X_il^2 (y_i^2 + 2 sum_{t>=1} (b_t x_it)^2
                  + p (|y_i| + |X_i||b|)^2 + r_i^2) + 4 ||X_l o r||^2 + max_orders sum_a s_a^2)
                  + 3 u |g_l|,
    capped by the worst case above, which assumes no order. It costs O(n p) a step, so past
    ``ORDERED_BUDGET`` terms (steps x n x (p+1)) the worst case applies: without the terms,
    repeated values (below) cannot be seen. A route whose
    sums take another order (sorted terms, a random permutation) is outside this model; its
    partial sums are still at most T_l, which ``model="worst_case"`` keeps.
    *Repeated values* break independence: equal rows compute equal values, so each per-row
    rounding is the same rounding on all of them, and additions of values congruent modulo
    the top partial sum's ulp round alike within a binade (TensorFlow's sequential sum of
    1024 copies of 1 + 2^-10-ish errs by 1.2x the ungrouped bound). So coefficients of equal
    rows (``row_classes``) and of such additions (``partial_sum_squares``) add before they
    are squared: sqrt(sum_groups (sum_group |c|)^2). Data with distinct values are
    unaffected; data with few values (x in {-1, 1}, a grid) get what their roundings do.
    sufficient statistics (``compiled_core``): M = Z'Z/n, Z = [X y], is rounded once, each
    entry a sum of n products: |dM_lt| <= LAMBDA u (sqrt(n-1) S_lt + ||Z_l o Z_t||) / n + u M_lt
    (S_lt = sum_i |Z_il Z_it|; worst case gamma_{n+1} S_lt / n; for one block of
    ``fitters.moments`` the ordered-sum model's partial sums replace sqrt(n-1) S_lt, for a
    column with repeated values or streamed rows (unseen) the linear (n-1) S_lt), and
    the gradient 2 (M w)[:p+1], w = [b, -1], adds gamma_{p+3} (|M| |w|):
    |dg| <= 2 (|dM| |w| + ...); M's share is counted once over all steps
    (``_moment_error_path``).
  The worst-case magnitudes along the path are bounded with delta = |b_j - b*| by triangle
  inequalities (m_i(b) <= m_i(b*) + 2 |X_i| delta, ...), so they cost O(p^2) a step; the
  ordered-sum model evaluates the terms themselves, O(n p) a step, within its budget.
  The route's starting point is init rounded to the coefficients' dtype: ||e_0|| <= u_p ||b_0||.
The oracle (``reference.gd_path``, extended precision, pairwise sums) errs by the same model
with EXTENDED's u and worst-case sums of depth log2(n) + 24 (NumPy's pairwise summation: blocks
of 128 summed by 8 interleaved accumulators, then halved); that is added.

Closed forms (``closed_form_bound``), least-squares perturbation theory (Higham ch. 20) with
the backward error eps = min(gamma_m, LAMBDA sqrt(m) u), m = n (p+1), in the route's dtype:
    QR / lstsq (``stable_solve``): the smaller of the normwise
        ||db|| <= eps (kappa + kappa^2 ||r*|| / (s_max ||b*||)) ||b*||
      and the columnwise (``_ls_columnwise_error``: each column's backward error at its
      worst alignment, r* orthogonal to the range of X, so kappa^2 only where columns align)
    X'X (inverse, solve): the smaller of eps kappa^2 ||b*|| + eps ||X'r*|| / lambda_min(X'X)
      and the componentwise ``gram_route_error``: G's roundings with m = X'y's (then a
      solve) or with the lecture's (inv(G) X') y, the larger of the two algorithms, each
      one Hoeffding over all its roundings (they are distinct operations)
    centred sums, p = 1 (``centred_sums``: b1 = Sxy / Sxx, b0 = ybar - xbar b1): first order
    in the roundings of the centred terms d_i e_i, d_i^2 and their sums, Sxy - b1 Sxx as one
    linear form (d_i's rounding is shared by both sums), offsets absent
    (``centred_route_error``)
against b* from ``reference.normal_equation_exact`` (rationals, rounded once: u ||b*||) within
``reference.EXACT_BUDGET``, else ``reference.normal_equation_extended``, whose own error (the
QR formula in EXTENDED, on centred columns) is what is added. Where the worst case stays:
the LU's inverse or solve (gamma_{3(p+1)} with |L||U|: for p + 1 <= 6 it is smaller than
LAMBDA sqrt(3(p+1)) u), and the extended oracle past the budget. The QR bounds assume no
operation order: one tied to Eigen's Householder order would turn a correct QR from another
library, or TensorFlow's next, red.

Loss histories (``loss_history_bound``): the loss a route records before step j is L at its
own iterate, evaluated with rounding: |L^_j - L(b_j)| <= ||g(b_j)|| E_j + lambda_max E_j^2 / 2
+ (rounding of L at b_j), E_j the trajectory bound at step j; the evaluation rounds r_i
(p+4, as above), squares and sums n terms (residual form), or forms w'Mw (sufficient
statistics). ``convergence_bound``: ||b^_k - b*|| <= rho^k ||b_0 - b*|| + E_k.

The warm-up problem (``toy_bound``): beta_{j+1} = beta_j - lr (beta_j / 2 - 1) in float32,
from float32(beta_0) with float32(lr). Halving and the gradient's factors 2 and 1/2 are exact,
so a step rounds three times: beta/2 - 1, lr times it, the subtraction. Worst case, first
order along the exact path: d_j = gamma_2 |lr g_j| + u |beta_{j+1}| + 3 eta, accumulated
with rho = |1 - lr/2| as above; the exact path is computed in rationals.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from . import reference
from .moments import BLOCK as MOMENTS_BLOCK
from .problem import Problem
from .route_type import Route
from .validation import check_epochs, check_init, check_lr

__all__ = [
    "FAILURE_PER_USE",
    "LAMBDA",
    "MAX_CONDITION",
    "MAX_CONDITION_CLOSED_FORM",
    "MOVING_ULPS",
    "ORDERED_BUDGET",
    "SUM_ORDERS",
    "Bound",
    "backward_stable_allowance",
    "centred_route_error",
    "closed_form_bound",
    "convergence_bound",
    "gamma",
    "gd_rounding_bound",
    "gram_route_error",
    "log_losses",
    "loss_history_bound",
    "overflow_window",
    "partial_sum_squares",
    "route_bound",
    "row_classes",
    "toy_bound",
    "trajectory_bound",
    "underflow_unit",
    "unit_roundoff",
]

#: Hoeffding multiplier of the probabilistic model (see the module docstring)
LAMBDA = 10.0
#: probability that one use of the probabilistic model fails: 2 exp(-LAMBDA^2 / 2)
FAILURE_PER_USE = 2.0 * math.exp(-(LAMBDA**2) / 2.0)

#: Largest cond(X) at which the property checks' bounds stay informative, by dtype: gradient
#: descent needs ~cond(X)^2 steps to converge, and a float32 fixed point sits
#: ~u32 cond(X)^2 |b| from b*, so beyond these a check would test only that nothing converges.
#: Ill-conditioning has its own tests against exact rational solutions.
MAX_CONDITION = {"float64": 1e3, "float32": 30.0}

#: The same for closed forms, which converge in one solve: the X'X bounds grow like
#: u cond(X)^2 and stay below 1e-4 relative here (float64 1e6, float32 100), so data with
#: x offset 10^3 times its spread (where centring and raw sums differ most) are checked.
MAX_CONDITION_CLOSED_FORM = {"float64": 1e6, "float32": 100.0}

#: relative slack on magnitudes computed in float64 to bound rounding (they are upper bounds
#: computed with rounding themselves; 2^-30 covers that many times over)
_SLACK = 1.0 + 2.0**-30

MODELS = ("probabilistic", "worst_case")

#: summation orders the ordered-sum model takes the worst of: 1 is sequential in index order,
#: L > 1 is L interleaved lanes (term i in lane i mod L) combined by halving, the last n mod L
#: terms summed sequentially and added at the end (Eigen's packet reduction, L up to 64)
SUM_ORDERS = (1, 2, 4, 8, 16, 32, 64)

#: a step whose computed update must exceed this many units of roundoff of the iterate's
#: size computes values no other step does, so its roundings count as independent of other
#: steps' (``_accumulate``); at 2^20 units no value a step rounds comes back at a later one
MOVING_ULPS = 2.0**20

#: most terms (steps x n x (p+1)) for which the ordered-sum model forms the per-step terms;
#: beyond it the O(p^2)-per-step any-order bound applies (memory and time stay bounded)
ORDERED_BUDGET = 1_000_000


def underflow_unit(dtype) -> float:
    """eta: the absolute error a rounding may add below the normal range, the second term of
    Higham's model fl(x) = x (1 + delta) + eta. TensorFlow runs with subnormals flushed to zero
    on the CPU (FTZ/DAZ), so a result below the normal range may become 0: eta is the
    smallest normal number, not half the subnormal spacing."""
    return float(np.finfo(np.dtype(dtype)).tiny)


def unit_roundoff(dtype) -> float:
    """u = eps / 2 of a floating dtype (``reference.EXTENDED`` included)."""
    return float(np.finfo(np.dtype(dtype)).eps) / 2.0


def gamma(m: float, dtype) -> float:
    """gamma_m = m u / (1 - m u): worst-case relative error of m accumulated roundings."""
    mu = m * unit_roundoff(dtype)
    return math.inf if mu >= 1 else mu / (1.0 - mu)


def _hoeffding(u: float, norm2) -> np.ndarray | float:
    """LAMBDA u ||c||_2 for coefficients of 2-norm ``norm2``: the probabilistic error size."""
    return LAMBDA * u * norm2


@dataclass(frozen=True)
class Bound:
    """An oracle value and the derived limit on the 2-norm of a route's distance from it.

    ``max_l2_error`` bounds ||coef - expected||_2 (a radius, not a per-component tolerance).
    """

    expected: np.ndarray
    max_l2_error: float
    formula: str

    def error(self, coef) -> float:
        return float(np.linalg.norm(np.asarray(coef, dtype=np.float64) - self.expected))

    def holds(self, coef) -> bool:
        return self.error(coef) <= self.max_l2_error


# --- per-data-set magnitudes (computed once per Problem) ---------------------------------


@dataclass(frozen=True)
class _Magnitudes:
    """Sums of magnitudes the per-step model needs, at b* (float64, inflated by _SLACK)."""

    star: np.ndarray  # b*: exact and rounded once, or the extended-precision solve
    star_exact: bool  # which of the two
    abs_x: np.ndarray  # |X|, (n, p+1)
    m_star: np.ndarray  # m_i(b*) = |y_i| + |X_i||b*| + |r*_i|
    r_star: np.ndarray  # |r*_i|
    w_star: np.ndarray  # sum_i |X_il| m*_i
    s: np.ndarray  # sum_i |X_il X_it|, (p+1, p+1)
    t_star: np.ndarray  # sum_i |X_il r*_i|
    sz: np.ndarray  # sum_i |Z_il Z_it|, Z = [X y], (p+2, p+2)
    mz: np.ndarray  # |Z'Z| / n
    norm_x_rows_y: np.ndarray  # sum_i |X_il| |y_i| (the oracle's h)
    col_sums: np.ndarray  # sum_i |X_il|


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _oracle_star(pb: Problem) -> tuple[np.ndarray, bool]:
    """b*, and whether it is the exact solution rounded once (else the extended QR's)."""
    if pb.n * (pb.p + 2) * (pb.p + 3) // 2 <= reference.EXACT_BUDGET:
        try:
            return reference.normal_equation_exact(pb), True
        except OverflowError:  # b* beyond float64's range: the extended solve says inf
            pass
    return reference.normal_equation_extended(pb), False


def _magnitudes(pb: Problem) -> _Magnitudes:
    found = _CACHE.get(pb)
    if found is not None:
        return found
    star, star_exact = _oracle_star(pb)
    x = pb.design
    ax = np.abs(x)
    ay = np.abs(pb.y)
    r_star = np.abs(pb.y - x @ star)
    m_star = ay + ax @ np.abs(star) + r_star
    z = np.column_stack([x, pb.y])
    az = np.abs(z)
    found = _Magnitudes(
        star=star,
        star_exact=star_exact,
        abs_x=ax,
        m_star=m_star * _SLACK,
        r_star=r_star,
        w_star=(ax.T @ m_star) * _SLACK,
        s=(ax.T @ ax) * _SLACK,
        t_star=(ax.T @ r_star) * _SLACK,
        sz=(az.T @ az) * _SLACK,
        mz=np.abs(z.T @ z) / pb.n * _SLACK,
        norm_x_rows_y=(ax.T @ ay) * _SLACK,
        col_sums=ax.sum(axis=0) * _SLACK,
    )
    _CACHE[pb] = found
    return found


def _root_sum_squares(*terms: tuple[float, np.ndarray]) -> np.ndarray:
    """sqrt(sum_i w_i a_i^2) for (w_i, a_i) pairs, scaled so that huge a_i do not overflow."""
    scale = np.maximum.reduce([np.abs(a) for _, a in terms])
    safe = np.where(scale > 0, scale, 1.0)
    total = sum(w * (a / safe) ** 2 for w, a in terms)
    return scale * np.sqrt(total)


def _independent(u: float, model: str, *pieces: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Error of a sum of first-order pieces over distinct roundings, each given as (the 2-norm
    of its coefficients, its worst case): Hoeffding once over all of them, or the pieces'
    own smaller bounds added, whichever is smaller (both hold); the worst cases added under
    ``model="worst_case"``."""
    together = _hoeffding(u, _root_sum_squares(*((1.0, norm) for norm, _ in pieces)))
    apart = sum(_cap(_hoeffding(u, norm), worst, model) for norm, worst in pieces)
    return _cap(together, apart, model)


def _row_norms(a: np.ndarray) -> np.ndarray:
    """2-norm of each row, scaled so that entries near sqrt(MAX) do not overflow."""
    scale = np.max(np.abs(a), axis=1)
    safe = np.where(scale > 0, scale, 1.0)
    return scale * np.sqrt(np.sum((a / safe[:, None]) ** 2, axis=1))


def _cap(probabilistic, worst, model: str):
    """The smaller of two valid bounds (the worst case alone under ``model="worst_case"``)."""
    if model == "worst_case":
        return worst
    return np.minimum(probabilistic, worst)


# --- gradient routes ---------------------------------------------------------------------


def _pow2(a) -> np.ndarray:
    """The least power of two >= a (1 where a is 0 or not finite): a scale that is exact."""
    a = np.asarray(a, dtype=np.float64)
    ok = (a > 0) & np.isfinite(a)
    safe = np.where(ok, a, 1.0)
    return np.where(ok, np.exp2(np.ceil(np.log2(safe))), 1.0)


def _squared_group_sums(weights: np.ndarray, end: np.ndarray) -> np.ndarray:
    """sum over groups of (the group's sum of weights)^2, for weights already in group order
    (last axis) and ``end`` marking each group's last element."""
    total = np.cumsum(weights, axis=-1)
    before = np.zeros_like(total)
    before[..., 1:] = np.maximum.accumulate(np.where(end, total, 0.0), axis=-1)[..., :-1]
    return np.sum(np.where(end, total - before, 0.0) ** 2, axis=-1)  # totals never fall


def _group_order(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the order that sorts ``keys`` along the last axis, the marks of each group's end)."""
    order = np.argsort(keys, axis=-1, kind="stable")
    k = np.take_along_axis(keys, order, axis=-1)
    end = np.ones(k.shape, dtype=bool)
    end[..., :-1] = k[..., 1:] != k[..., :-1]
    return order, end


def _addition_keys(values: np.ndarray, dtype, ulp: np.ndarray) -> np.ndarray:
    """What decides an addition's rounding: the added value, in ``dtype``, modulo the ulp
    of the largest partial sum. Two additions of values congruent modulo that ulp round
    alike in its binade (and in every lower one), so they form one group. A multiple of
    that ulp adds exactly within a binade and rounds only where the sum crosses into the
    next, each time differently: it gets a key of its own (a negative one)."""
    rounded = np.asarray(values, dtype=np.float64).astype(dtype).astype(np.float64)
    keys = np.mod(rounded, ulp)
    return np.where(keys == 0, -1.0 - np.arange(keys.shape[-1]), keys)


def partial_sum_squares(terms: np.ndarray, dtype=np.float64, *, linear: bool = False) -> np.ndarray:
    """max over ``SUM_ORDERS`` of sum over rounding groups of (sum of |s_a| in the group)^2,
    s_a the partial sum each addition of the last axis's terms makes (the first term of a
    lane is not an addition), first order, the terms rounded to ``dtype``. With ``linear``,
    max over the orders of sum_a |s_a|: u times it bounds the sum's error in any of those
    orders without assuming independent roundings (the worst case, given the order).

    With distinct terms every addition is its own group and this is sum_a s_a^2. Repeated
    values (data with few distinct values: x in {-1, 1} + c) make the same rounding at every
    addition of the same binade, which then adds linearly: grouping the additions by
    ``_addition_keys`` keeps the model true for them (the summation tests hold TensorFlow's
    sums of constant and two-valued terms to it). The lanes' totals, combined at the end,
    are grouped among themselves the same way.
    """
    terms = np.asarray(terms, dtype=np.float64)
    n = terms.shape[-1]
    if n < 2:
        return np.zeros(terms.shape[:-1])
    top = np.sum(np.abs(terms), axis=-1, keepdims=True)  # bounds every partial sum
    # the ulp of top's binade, which every smaller partial sum's ulp divides
    binade = np.where(top > 0, np.exp2(np.floor(np.log2(np.where(top > 0, top, 1.0)))), 1.0)
    ulp = binade * (2.0 * unit_roundoff(dtype))
    keys = _addition_keys(terms, dtype, ulp)
    perm, end = _group_order(keys)  # one sort: an addition's group is its term's
    repeats = not bool(end.all())

    def by_term(weight: np.ndarray) -> np.ndarray:
        """sum over groups of (sum of the weights of the additions adding its terms)^2."""
        if linear:
            return np.sum(weight, axis=-1)
        if not repeats:
            return np.sum(weight**2, axis=-1)
        return _squared_group_sums(np.take_along_axis(weight, perm, axis=-1), end)

    prefix = np.cumsum(terms, axis=-1)
    weight = np.abs(prefix)
    weight[..., 0] = 0.0  # the first term starts the sum: no addition
    worst = by_term(weight)  # sequential
    batch = terms.shape[:-1]
    for lanes in SUM_ORDERS[1:]:
        rows = n // lanes
        if rows < 1:
            break
        running = np.cumsum(terms[..., : rows * lanes].reshape(*batch, rows, lanes), axis=-2)
        weight = np.zeros(terms.shape)
        body = np.abs(running)
        body[..., 0, :] = 0.0  # each lane's first term: no addition
        weight[..., : rows * lanes] = body.reshape(*batch, -1)
        tail = terms[..., rows * lanes :]
        if tail.shape[-1] > 1:
            weight[..., rows * lanes + 1 :] = np.abs(np.cumsum(tail, axis=-1)[..., 1:])
        total = by_term(weight)
        added, partial = [], []  # the combination of the lanes' totals, then the tail's
        combined = running[..., -1, :]
        while combined.shape[-1] > 1:  # lane q + lane q + L/2, down to one
            half = combined.shape[-1] // 2
            added.append(combined[..., half:])
            combined = combined[..., :half] + combined[..., half:]
            partial.append(combined)
        if tail.shape[-1]:
            added.append(combined)
            partial.append(prefix[..., -1:])
        if added:
            weight = np.abs(np.concatenate(partial, axis=-1))
            if linear:
                total = total + np.sum(weight, axis=-1)
            else:
                keys = _addition_keys(np.concatenate(added, axis=-1), dtype, ulp)
                order, ends = _group_order(keys)
                total = total + _squared_group_sums(
                    np.take_along_axis(weight, order, axis=-1), ends
                )
        worst = np.maximum(worst, total)
    return worst


def row_classes(pb: Problem, dtype) -> np.ndarray | None:
    """Labels of the rows (x_i, y_i) that are equal in ``dtype``, or None if all differ.

    Equal rows compute equal values, so every per-row rounding (a cast, a residual, a
    product) is the same rounding on all of them: their coefficients add (``_class_squares``).
    """
    key = (np.dtype(dtype).name,)
    found = _ROW_CLASSES.setdefault(pb, {})
    if key not in found:
        rows = np.column_stack([pb.x, pb.y]).astype(dtype)
        _, first, labels = np.unique(rows, axis=0, return_index=True, return_inverse=True)
        found[key] = None if first.size == pb.n else labels.reshape(-1)
    return found[key]


_ROW_CLASSES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _x_classes(pb: Problem, dtype) -> np.ndarray | None:
    """Labels of the rows x_i that are equal in ``dtype`` (what depends on x alone rounds
    alike on them), or None if all differ."""
    _, first, labels = np.unique(pb.x.astype(dtype), axis=0, return_index=True, return_inverse=True)
    return None if first.size == pb.n else labels.reshape(-1)


def _class_squares(c: np.ndarray, labels: np.ndarray | None) -> np.ndarray:
    """sum over row classes of (sum of |c_i| in the class)^2, along the last axis (rows)."""
    c = np.abs(np.asarray(c, dtype=np.float64))
    if labels is None:
        return np.sum(c * c, axis=-1)
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    starts = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
    sums = np.add.reduceat(c[..., order], starts, axis=-1)
    return np.sum(sums * sums, axis=-1)


def _ordered_gradient_errors(pb: Problem, path: np.ndarray, dtype) -> tuple[np.ndarray, np.ndarray]:
    """The probabilistic |dg_l| of the ordered-sum model (module docstring), (J, p+1) each:
    (the casts of x and y to ``dtype``, the same roundings every step; all the others)."""
    n, p = pb.n, pb.p
    x, y = pb.design, pb.y
    ax, ay = np.abs(x), np.abs(y)
    cast = float(np.dtype(dtype) != np.dtype(np.float64))  # float64 data enter exactly
    labels = row_classes(pb, dtype)
    casts, rest = np.empty(path.shape), np.empty(path.shape)
    rows = max(1, ORDERED_BUDGET // (n * (p + 1) * 4))  # steps per slice: bounded memory
    # in units of a power of two per column (at least its largest |X_il|) and per step (at
    # least its largest |y_i| + |X_i||b|): squares stay finite along a diverging path, and
    # the scaled terms round to the dtype as the terms do
    col = _pow2(np.max(ax, axis=0))
    xs = x / col
    scale = (2.0 / n) * LAMBDA * unit_roundoff(dtype)

    def by_rows(c: np.ndarray) -> np.ndarray:  # (J, n) coefficients -> (J, p+1)
        return _class_squares(xs.T[None, :, :] * c[:, None, :], labels)

    for start in range(0, len(path), rows):
        b = path[start : start + rows]
        with np.errstate(over="ignore", invalid="ignore"):
            size = _pow2(np.max(ay[None, :] + np.abs(b) @ ax.T, axis=1))[:, None]  # (J, 1)
        bs = b * col / size  # so that X b / size = xs bs
        r = (y[None, :] - b @ x.T) / size  # (J, n), at most ~2
        ys = ay[None, :] / size
        parts = np.abs(bs[:, None, 1:] * xs[None, :, 1:])  # |b_t x_it| / size, (J, n, p)
        yhat = np.abs(bs[:, :1]) + parts.sum(axis=-1)  # |X_i||b| / size
        terms = xs.T[None, :, :] * r[:, None, :]  # X_il r_i, scaled, (J, p+1, n)
        products = sum(by_rows(parts[..., t]) for t in range(p))
        own = _class_squares(terms, labels)
        # casts: y_i, x_it (coefficient b_t x_it) inside r_i; X_il in the product X_il r_i
        in_casts = (by_rows(ys) + products) * _SLACK + own
        # the rest: the products b_t x_it, the p + 1 additions of r_i (p partial sums at
        # most |y_i| + |X_i||b|, the last r_i), three roundings of each term X_il r_i
        # (upstream scaling, product, one to spare) and the sum's additions
        in_rest = (products + p * by_rows(ys + yhat) + by_rows(r)) * _SLACK + 3 * own
        in_rest = in_rest + partial_sum_squares(terms, dtype) * _SLACK
        unit = col[None, :] * size * scale
        casts[start : start + rows] = cast * np.sqrt(in_casts) * unit
        rest[start : start + rows] = np.sqrt(in_rest) * unit
    return casts, rest


def _moment_spreads(pb: Problem, mag: _Magnitudes, dtype) -> tuple[np.ndarray, np.ndarray]:
    """(sqrt of the squared partial sums, sqrt of the products' own squared roundings) of
    each sum of n products Z_il Z_it that forms M, (p+2, p+2) each (``_product_sums``).

    The ordered-sum model when the moments are one block of ``fitters.moments`` (n at most
    its BLOCK rows, one pass: its loop visits the rows in order, which LLVM vectorizes into
    lanes); any order otherwise (blocks, chunks, Dask's combine).
    """
    if pb.streamed:  # no rows to look at, so no way to see repeated values: linear sums
        return (pb.n - 1) * mag.sz, mag.sz
    single = pb.moments is None or pb.moments.depth == pb.n + 1
    z = np.column_stack([pb.design, pb.y])
    partial, own = _product_sums(
        z, dtype, row_classes(pb, dtype), ordered=single and pb.n <= MOMENTS_BLOCK
    )
    return np.sqrt(partial), np.sqrt(own)


def _gradient_errors(
    pb: Problem, mag: _Magnitudes, path: np.ndarray, dtype, sufficient: bool, model: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """|dg_l| at each b_j of ``path``, (J, p+1) each, in three parts: (roundings that repeat
    whenever the iterate does: M, the casts of the data, the scalings; the others'
    probabilistic size; their worst case). See ``_accumulate`` for why they are kept apart."""
    n, p = pb.n, pb.p
    u = unit_roundoff(dtype)
    delta = np.abs(path - mag.star)  # (J, p+1)
    grad = np.abs((path - mag.star) @ (2.0 / n * pb.gram).T)
    if sufficient:  # the matvec's roundings; M's own, made once, are _moment_error_path's
        w = np.column_stack([np.abs(path), np.ones(len(path))])  # |w|, w = [b, -1]
        mw = w @ mag.mz.T
        eta = underflow_unit(dtype) * (2.0 * (p + 3) + 1.0)
        fixed = 2.0 * (gamma(p + 3, dtype) * mw)[:, : p + 1] + u * grad + eta
        zero = np.zeros_like(fixed)
        return fixed, zero, zero
    t = mag.t_star + delta @ mag.s.T  # sum_i |X_il r_i(b_j)|
    w_abs = mag.w_star + 2.0 * delta @ mag.s.T  # sum_i |X_il| m_i(b_j)
    worst = (2.0 / n) * (gamma(p + 4, dtype) * w_abs + gamma(n + 1, dtype) * t)
    # below the normal range each rounding may also add eta: (p+4) per residual, 2n more
    # for the products and the sum, 3 for the scalings
    eta = underflow_unit(dtype) * ((2.0 / n) * ((p + 4) * mag.col_sums + 2 * n) + 3.0)
    fixed = 3.0 * u * grad + eta
    if model == "worst_case":
        return fixed, worst, worst
    if len(path) * n * (p + 1) <= ORDERED_BUDGET:
        casts, prob = _ordered_gradient_errors(pb, path, dtype)
        return fixed + np.minimum(casts, worst), prob, worst
    # beyond the budget the terms are not formed, so repeated values cannot be seen, and for
    # them (and for long float32 sums, whose additions take few distinct roundings) "any
    # order" with independent roundings does not hold: the worst case
    return fixed, worst, worst


def _moment_error_path(
    pb: Problem, mag: _Magnitudes, path: np.ndarray, lr: float, dtype, model: str, rho: float
) -> np.ndarray:
    """Bound on what M's rounding moves b_j, j = 0..k, for a sufficient-statistics route.

    M = Z'Z/n is rounded once and every step uses it, so its roundings recur: linearly,
    E_M,k = sum_j rho^(k-1-j) lr ||2 (dM |w_j|)[:p+1]||, dM each entry's bound. Since they are
    the same roundings at every step, their total effect is one linear form in them: the
    rounding delta of entry (l, t) (and of its mirror (t, l)) moves b_k by delta v_lt,k with
    v_lt,j+1 = (I - lr H) v_lt,j + 2 lr (E_lt + E_tl) w_j, so by Hoeffding, once,
    ||b^_k - b_k|| <= LAMBDA u sqrt(sum_lt sigma_lt^2 ||v_lt,k||^2), sigma_lt^2 the entry's
    coefficients' squares ((partial sums^2 + ||Z_l o Z_t||^2) / n^2 + M_lt^2, the last for
    the division by n). The smaller of the two is kept, step by step.
    """
    n, p1 = pb.n, pb.p + 1
    u = unit_roundoff(dtype)
    k = len(path) - 1
    dm_worst = gamma(n + 1, dtype) * mag.sz / n + u * mag.mz
    partial, own = _moment_spreads(pb, mag, dtype)
    dm = _cap(_hoeffding(u, partial + own) / n + u * mag.mz, dm_worst, model)
    w_abs = np.column_stack([np.abs(path[:-1]), np.ones(k)])
    per_step = _row_norms(lr * 2.0 * (w_abs @ dm.T)[:, :p1])
    linear = _accumulate(rho, per_step, np.zeros(k), np.zeros(k), lambda j, e: False, 0.0)
    if model == "worst_case" or k == 0:
        return linear
    q = p1 + 1
    left, right = np.triu_indices(q)
    sigma2 = ((partial**2 + own**2) / n**2 + mag.mz**2)[left, right]
    step = np.eye(p1) - lr * (2.0 / n) * pb.gram  # I - lr H
    w = np.column_stack([path[:-1], -np.ones(k)])
    in_l, in_r = left < p1, (right < p1) & (right != left)
    pairs = np.arange(left.size)
    v = np.zeros((left.size, p1))
    once = np.zeros(k + 1)
    for j in range(k):  # (p+2)(p+3)/2 vectors of p+1: cheap next to the path itself
        v = v @ step.T
        v[pairs[in_l], left[in_l]] += 2.0 * lr * w[j, right[in_l]]
        v[pairs[in_r], right[in_r]] += 2.0 * lr * w[j, left[in_r]]
        once[j + 1] = LAMBDA * u * math.sqrt(float(sigma2 @ np.sum(v * v, axis=1))) * _SLACK
    return np.minimum(linear, once)


def _oracle_step_errors(pb: Problem, mag: _Magnitudes, path: np.ndarray, lr: float) -> np.ndarray:
    """||d_j|| of ``reference.gd_path`` itself (EXTENDED, pairwise sums), worst case."""
    u = unit_roundoff(reference.EXTENDED)
    depth = math.ceil(math.log2(max(pb.n, 2))) + 24
    g_err = (
        (2.0 / pb.n)
        * gamma(depth + pb.p + 3, reference.EXTENDED)
        * (np.abs(path[:-1]) @ mag.s.T + mag.norm_x_rows_y)
    )
    storage = u * (np.abs(path[1:]) + np.abs(path[1:] - path[:-1]))  # |b_{j+1}|, |lr g|
    return _row_norms(storage + lr * g_err)


def _accumulate(
    rho: float,
    linear: np.ndarray,
    prob: np.ndarray,
    worst: np.ndarray,
    moving: np.ndarray,
    e0: float,
) -> np.ndarray:
    """E_j for j = 0..k: the error bound after each step (the module docstring).

    Roundings that repeat whenever the iterate repeats (``linear``: storage, casts, M, the
    oracle's) add linearly, E += rho^(k-1-j) d_j. So do the others (``prob``, capped by
    ``worst``) on steps where the computed iterate may stand still: near a fixed point every
    step makes the same roundings. On a step that must move the iterate (``moving(j, E_j)``
    says so; ``MOVING_ULPS``) they are roundings of values no other step computes, and the
    probabilistic model counts them as independent across those steps too: their effect
    on b_k, sum_j (I - lr H)^(k-1-j) lr dg_j, is one linear form in them, bounded by Hoeffding
    as the root sum of squares sqrt(sum_j rho^(2(k-1-j)) ||prob_j||^2), or by the linear sum
    of ``worst``, whichever is smaller.
    """
    out = np.empty(linear.size + 1)
    out[0] = fixed = e0
    squares = spread = 0.0
    for j in range(linear.size):  # a plain recurrence: k is at most a few thousand
        fixed = rho * fixed + linear[j]
        spread *= rho
        squares *= rho * rho
        if moving(j, out[j]):
            squares += prob[j] ** 2
            spread += worst[j]
        else:
            fixed += min(prob[j], worst[j])
        out[j + 1] = fixed + min(math.sqrt(squares), spread)
    return out


@dataclass(frozen=True)
class Trajectory:
    """The exact path of k steps with the derived bound E_j on a route's distance from b_j."""

    path: np.ndarray  # (k+1, p+1): b_0..b_k, extended precision, rounded to float64
    bounds: np.ndarray  # (k+1,): E_0..E_k
    rho: float
    lr_eff: float
    model: str

    def bound(self, j: int | None = None) -> Bound:
        j = len(self.path) - 1 if j is None else j
        return Bound(
            self.path[j],
            float(self.bounds[j]),
            f"{self.model} rounding sum_i rho^(k-1-i) d_i, rho={self.rho:.6g}, k={j}",
        )


def gd_trajectory(
    dtype,
    pb: Problem,
    init,
    lr_eff: float,
    k: int,
    *,
    sufficient: bool = False,
    model: str = "probabilistic",
) -> Trajectory:
    """The exact path and the per-step bound for k gradient steps computed in ``dtype``."""
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")
    init = check_init(init, pb.p)
    k = check_epochs(k, "k")
    mag = _magnitudes(pb)
    path = reference.gd_path(pb, None, init, lr_eff, k)
    lam = pb.hessian_eigenvalues
    rho = float(np.max(np.abs(1.0 - lr_eff * lam)))
    u_p = unit_roundoff(dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        steps = np.abs(path[1:] - path[:-1])  # |lr g|, exact
        storage = u_p * (steps + np.abs(path[1:])) + 2 * underflow_unit(dtype)
        if k:
            fixed, prob, worst = _gradient_errors(pb, mag, path[:-1], dtype, sufficient, model)
            linear = _row_norms(storage + lr_eff * fixed)
            linear = linear + _oracle_step_errors(pb, mag, path, lr_eff)
            prob, worst = _row_norms(lr_eff * prob), _row_norms(lr_eff * worst)
        else:
            linear = prob = worst = np.empty(0)
        step_norm, size = _row_norms(steps), _row_norms(path[:-1])
        lam_max = float(lam[0])
        independent = model != "worst_case" and len(path) * pb.n * (pb.p + 1) <= ORDERED_BUDGET

        def moving(j: int, err: float) -> bool:
            # the computed step differs from the exact one by at most lr lambda_max E_j
            # (its gradient) plus its own rounding; it moves the iterate by MOVING_ULPS
            return independent and bool(
                step_norm[j] - lr_eff * lam_max * err - worst[j] >= MOVING_ULPS * u_p * size[j]
            )

        e0 = u_p * float(np.linalg.norm(init)) if u_p > unit_roundoff(np.float64) else 0.0
        bounds = _accumulate(rho, linear, prob, worst, moving, e0)
        if sufficient:
            bounds = bounds + _moment_error_path(pb, mag, path, lr_eff, dtype, model, rho)
        # the path is rounded to float64 once, at the end: half an ulp of each iterate
        bounds = bounds + unit_roundoff(np.float64) * _row_norms(path)
    return Trajectory(path, bounds, rho, lr_eff, model)


def trajectory_bound(
    route: Route, pb: Problem, init, lr: float, k: int, *, model: str = "probabilistic"
) -> Bound:
    """Allowance for an iterative route after k steps against the exact k-th iterate.

    The oracle uses ``route.effective_lr(lr)``, the step size the route really applies.
    """
    return route_trajectory(route, pb, init, lr, k, model=model).bound()


def route_trajectory(
    route: Route, pb: Problem, init, lr: float, k: int, *, model: str = "probabilistic"
) -> Trajectory:
    """``gd_trajectory`` with the route's dtype, effective lr and gradient form."""
    return gd_trajectory(
        route.dtype,
        pb,
        init,
        route.effective_lr(check_lr(lr)),
        k,
        sufficient=route.sufficient_statistics,
        model=model,
    )


def gd_rounding_bound(
    dtype, pb: Problem, init, lr_eff: float, k: int, *, model: str = "probabilistic"
) -> Bound:
    """``trajectory_bound`` for any k-step GD computed in ``dtype`` with step size ``lr_eff``."""
    return gd_trajectory(dtype, pb, init, lr_eff, k, model=model).bound()


def convergence_bound(
    route: Route, pb: Problem, init, lr: float, k: int, *, model: str = "probabilistic"
) -> Bound:
    """Allowance on ||b^_k - b*||: the contraction rho^k ||b_0 - b*|| plus the rounding E_k."""
    traj = route_trajectory(route, pb, init, lr, k, model=model)
    mag = _magnitudes(pb)
    contraction = traj.rho**k * float(np.linalg.norm(check_init(init, pb.p) - mag.star))
    star_err = _star_error(pb)
    total = contraction + float(traj.bounds[-1]) + star_err
    return Bound(
        mag.star,
        total,
        f"rho^k||b0-b*|| {contraction:.3g} + rounding {traj.bounds[-1]:.3g}, rho={traj.rho:.6g}",
    )


def loss_history_bound(
    route: Route,
    pb: Problem,
    init,
    lr: float,
    steps,
    *,
    model: str = "probabilistic",
) -> tuple[np.ndarray, np.ndarray]:
    """(exact L(b_j), allowance) for the loss a route records before each step j in ``steps``.

    See the module docstring: the route's iterate is within E_j of b_j, which moves L by at
    most ||g(b_j)|| E_j + lambda_max E_j^2 / 2, and evaluating L rounds.
    """
    steps = np.asarray(steps, dtype=int)
    k = int(steps.max()) if steps.size else 0
    traj = route_trajectory(route, pb, init, lr, k, model=model)
    path = traj.path[steps]
    exact = reference.mse_extended(pb, None, path)
    err = traj.bounds[steps]
    lam_max = float(pb.hessian_eigenvalues[0])
    grad = np.linalg.norm((path - _magnitudes(pb).star) @ (2.0 / pb.n * pb.gram).T, axis=1)
    allowance = grad * err + lam_max * err**2 / 2 + _loss_rounding(route, pb, path, model)
    return exact, allowance


def _loss_rounding(route: Route, pb: Problem, path: np.ndarray, model: str) -> np.ndarray:
    """Rounding of evaluating L at each row of ``path`` in the route's dtype."""
    n, p = pb.n, pb.p
    u = unit_roundoff(route.dtype)
    mag = _magnitudes(pb)
    out = np.empty(len(path))
    if route.sufficient_statistics:
        partial, own = _moment_spreads(pb, mag, route.dtype)
        dm_prob = _hoeffding(u, partial + own) / n + u * mag.mz
        dm = _cap(dm_prob, gamma(n + 1, route.dtype) * mag.sz / n + u * mag.mz, model)
        for j, b in enumerate(path):
            w = np.append(np.abs(b), 1.0)
            out[j] = w @ dm @ w + gamma((p + 2) ** 2 + 1, route.dtype) * (w @ mag.mz @ w)
            out[j] += underflow_unit(route.dtype) * ((p + 2) ** 2 + 1)
        return out + _oracle_loss_rounding(pb, path)
    x = pb.design
    labels = row_classes(pb, route.dtype)
    ordered = len(path) * n <= ORDERED_BUDGET and model != "worst_case"
    for j, b in enumerate(path):
        r = pb.y - x @ b
        r2 = r * r
        m = np.abs(pb.y) + mag.abs_x @ np.abs(b) + np.abs(r)
        total = float(np.sum(r2))
        if ordered:  # the ordered-sum model, equal rows' roundings added (see the gradient)
            unit = float(_pow2(np.max(np.abs(r) * m)))
            spread = unit * math.sqrt(
                4 * (p + 4) * float(_class_squares(np.abs(r) * m / unit, labels))
                + float(_class_squares(r2 / unit, labels))
                + float(partial_sum_squares(r2 / unit, route.dtype))
            )
            prob = _hoeffding(u, spread * _SLACK)
        else:  # terms not formed: repeated values unseen, so the worst case
            prob = math.inf
        worst = (
            2 * gamma(p + 4, route.dtype) * float(np.abs(r) @ m) + gamma(n + 1, route.dtype) * total
        )
        second = gamma(p + 4, route.dtype) ** 2 * float(m @ m)
        underflow = underflow_unit(route.dtype) * ((p + 6) * n + 2 * float(np.abs(r).sum()))
        out[j] = (_cap(prob, worst, model) + second + underflow) / n * _SLACK + 2 * u * total / n
    return out + _oracle_loss_rounding(pb, path)


def _oracle_loss_rounding(pb: Problem, path: np.ndarray) -> np.ndarray:
    """Error of ``reference.mse_extended`` (residuals in EXTENDED, pairwise sum, float64 out)."""
    ext = reference.EXTENDED
    depth = math.ceil(math.log2(max(pb.n, 2))) + 24
    mag = _magnitudes(pb)
    out = np.empty(len(path))
    for j, b in enumerate(path):
        r = pb.y - pb.design @ b
        m = np.abs(pb.y) + mag.abs_x @ np.abs(b) + np.abs(r)
        total = float(r @ r)
        evaluation = 2 * gamma(pb.p + 2, ext) * float(np.abs(r) @ m) + gamma(depth, ext) * total
        out[j] = 2 * evaluation / pb.n + unit_roundoff(np.float64) * 2 * total / pb.n
    return out


# --- closed forms ------------------------------------------------------------------------


def _ls_error(pb: Problem, star: np.ndarray, eps: float, *, gram: bool) -> float:
    """Least-squares perturbation bound for a normwise backward error ``eps``."""
    s = pb.spectrum[0]
    kappa = pb.condition_number
    r = pb.y - pb.design @ star
    norm_b = float(np.linalg.norm(star))
    norm_r = float(np.linalg.norm(r))
    if gram:
        lam_min = float(s[-1]) ** 2
        return eps * kappa**2 * norm_b + eps * float(np.linalg.norm(pb.design.T @ r)) / lam_min
    tiny = np.finfo(float).tiny
    return eps * (kappa + kappa**2 * norm_r / (float(s[0]) * max(norm_b, tiny))) * norm_b


def _ls_columnwise_error(pb: Problem, star: np.ndarray, eps: float) -> float:
    """First-order ||db|| for a columnwise backward error of a QR solve (Higham, Thm 20.3:
    the computed b solves the problem of X + dX, y + dy, ||dX_j|| <= eps ||X_j||,
    ||dy|| <= eps ||y||), each column's perturbation aligned at its worst.

    db = X^+ (dy - dX b*) + (X'X)^-1 dX' r*, and r* is orthogonal to the rows of X^+, so
    column j reaches db_k by at most eps ||X_j|| sqrt(b*_j^2 C_kk + C_kj^2 ||r*||^2),
    C = (X'X)^-1, and y by eps ||y|| sqrt(C_kk). Unlike the normwise bound it follows the
    actual geometry: a column's own scale, and kappa^2 only where columns are aligned.
    """
    r = pb.r_factor
    r_inv = np.linalg.inv(r)
    c = r_inv @ r_inv.T  # (X'X)^-1 from X'X = R'R
    norms = np.linalg.norm(r, axis=0)  # ||X_j||
    res = float(np.linalg.norm(pb.y - pb.design @ star))
    cd = np.diag(c)
    share = norms[None, :] * np.sqrt(star[None, :] ** 2 * cd[:, None] + c**2 * res**2)
    per_k = eps * (float(np.linalg.norm(pb.y)) * np.sqrt(cd) + share.sum(axis=1))
    second = eps * pb.scaled_condition_number * math.sqrt(pb.p + 1)
    if second >= 0.25:
        return math.inf
    # 1 / (1 - 2 second): the second-order terms; 1e-6: C evaluated in float64 (cond <= 1e6)
    return float(np.linalg.norm(per_k)) / (1 - 2 * second) * (1 + 1e-6)


def _backward_error(pb: Problem, dtype, model: str) -> float:
    m = pb.n * (pb.p + 1)
    return float(_cap(_hoeffding(unit_roundoff(dtype), math.sqrt(m)), gamma(m, dtype), model))


def _star_error(pb: Problem) -> float:
    """Bound on the oracle's own ||b*^ - b*||: the rounding of exact b*, or the extended QR's."""
    mag = _magnitudes(pb)
    star = mag.star
    if mag.star_exact:  # each coefficient correctly rounded: |b*^_k - b*_k| <= u |b*^_k|
        return unit_roundoff(np.float64) * float(np.linalg.norm(star)) * _SLACK
    eps = gamma(pb.n * (pb.p + 2), reference.EXTENDED)
    kappa = pb.scaled_condition_number
    norms = np.linalg.norm(pb.r, axis=0)  # column norms of X
    r = float(np.linalg.norm(pb.y - pb.design @ star))
    scaled_b = float(np.linalg.norm(star * norms))
    if kappa * eps >= 0.5:
        return math.inf
    scaled = kappa * eps * (2 * scaled_b + (kappa + 1) * r) * 2  # 1/(1 - kappa eps) <= 2
    # plus half an ulp of each coefficient for the rounding of the result to float64
    return float(scaled / norms.min()) + unit_roundoff(np.float64) * float(np.linalg.norm(star))


def closed_form_error(
    pb: Problem, star: np.ndarray, dtype, *, gram: bool, model: str = "probabilistic"
) -> float:
    """Bound on ||b^ - b*|| for a closed form computing in ``dtype`` (module docstring)."""
    return _ls_error(pb, star, _backward_error(pb, dtype, model), gram=gram)


def _lu_magnitude(g: np.ndarray) -> np.ndarray:
    """P'|L||U| for the LU factorization with partial pivoting PG = LU of a small matrix."""
    a = np.array(g, dtype=np.float64)
    m = a.shape[0]
    perm = np.arange(m)
    lower = np.eye(m)
    for k in range(m - 1):
        pivot = k + int(np.argmax(np.abs(a[k:, k])))
        if pivot != k:
            a[[k, pivot]], perm[[k, pivot]] = a[[pivot, k]], perm[[pivot, k]]
            lower[[k, pivot], :k] = lower[[pivot, k], :k]
        if a[k, k] != 0:
            lower[k + 1 :, k] = a[k + 1 :, k] / a[k, k]
            a[k + 1 :] -= np.outer(lower[k + 1 :, k], a[k])
            a[k + 1 :, k] = 0.0
    product = np.abs(lower) @ np.abs(np.triu(a))
    out = np.empty_like(product)
    out[perm] = product  # row i of PG is row perm[i] of G
    return out * _SLACK


def _product_sums(
    z: np.ndarray, dtype, labels: np.ndarray | None, *, ordered: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """For the sums over the rows of the products z_l z_t (all pairs of columns of z):
    (the sum of the squared partial sums, the products' own squared roundings added over
    equal rows), each (q, q).

    The first is the ordered-sum model's when ``ordered`` and within ``ORDERED_BUDGET``;
    otherwise any order's (n-1) S^2, S = sum_i |z_il z_it|, or, where a column repeats a
    value (the model's independence fails for repeated terms), the linear (n-1)^2 S^2, which
    leaves the worst case to bound it.
    """
    n, q = z.shape
    scale = _pow2(np.max(np.abs(z), axis=0))
    zs = z / scale  # squares of huge entries stay finite; exact, so roundings are kept
    back = np.outer(scale, scale) ** 2 * _SLACK
    if ordered and n * q * q <= ORDERED_BUDGET:
        products = zs.T[:, None, :] * zs.T[None, :, :]  # (q, q, n)
        return partial_sum_squares(products, dtype) * back, _class_squares(products, labels) * back
    a = np.abs(zs)
    any_order = (n - 1) * (a.T @ a) ** 2
    repeats = np.array([np.unique(column).size < n for column in z.T])
    if labels is not None:
        repeats[:] = True
    partial = np.where(repeats[:, None] | repeats[None, :], any_order * (n - 1), any_order)
    if labels is None:
        own = (a * a).T @ (a * a)
    else:
        own = _class_squares(zs.T[:, None, :] * zs.T[None, :, :], labels)  # (q, q, n) -> (q, q)
    return partial * back, own * back


def gram_route_error(
    pb: Problem, star: np.ndarray, dtype, *, model: str = "probabilistic"
) -> np.ndarray:
    """Per-coefficient bound on |b^ - b*| for a closed form that forms X'X (module docstring).

    Covers an algorithm that forms G = X'X and either m = X'y followed by a solve, or the
    lecture's (inv(G) X') y, summing in any order, computing in ``dtype``. First order,
    db = G^-1 (dm - dG b*) + (the solve's own error), and each rounding of an entry of G or m
    (the n products and the n-1 additions of a tree of partial sums at most S_jl =
    sum_i |X_ij X_il|) reaches db_k with coefficient |G^-1_kj b*_l| (both of a symmetric pair,
    added), so by Hoeffding
        |db_k| <= LAMBDA u sqrt(sum_jl w_kjl^2 ((n-1) S_jl^2 + ||X_j o X_l||^2)
                               + sum_j G^-1_kj^2 ((n-1) Sy_j^2 + ||X_j o y||^2)),
    where the ordered-sum model (module docstring) puts the sum of its partial sums' squares
    in place of each (n-1) S^2,
    capped by the worst case sum_jl |G^-1_kj| |b*_l| gamma_n S_jl + ... . The lecture's order
    never forms m: in its place come the entries of B = inv(G) X' (p+1 products, p additions
    in any order, each partial sum at most A_ki = (|inv(G)| |X'|)_ki: coefficients
    sqrt(p+1) A_ki |y_i|, added over equal rows of x) and the n-term sum of B_ki y_i (the
    ordered model's partial sums, or (n-1) (sum_i |B_ki y_i|)^2). G's roundings go with
    either algorithm's own in one Hoeffding (or each part's smaller bound, added), and the
    larger of the two algorithms is kept; and
    inverting or solving the (p+1) x (p+1) system by LU with partial pivoting, PG = LU
    (TensorFlow's inverse and solve), adds gamma_{3(p+1)} (|G^-1| P'|L||U| |b*|)_k for a solve
    and gamma_{3(p+1)} (|G^-1| P'|L||U| |G^-1| |m|)_k for an inverse applied to m
    (Higham, Thm 9.4 and sec. 14.3: the computed inverse is within gamma_{3(p+1)} |G^-1| P'|L||U|
    |G^-1| of G^-1), the larger of the two; L and U of the exact G stand for the computed
    factors (first order). A route that centres first (the lecture's
    Sxy / Sxx, ``centred_sums``) is held to :func:`centred_route_error` instead.
    """
    u = unit_roundoff(dtype)
    n, p1 = pb.n, pb.p + 1
    x = pb.design
    ax, ay = np.abs(x), np.abs(pb.y)
    g = pb.gram
    g_inv = np.linalg.inv(g)
    s_xx = (ax.T @ ax) * _SLACK
    s_xy = (ax.T @ ay) * _SLACK
    labels = row_classes(pb, dtype)
    z = np.column_stack([x, pb.y])
    partial, own = _product_sums(z, dtype, labels)
    partial_xx, partial_xy = partial[:p1, :p1], partial[:p1, p1]
    own_xx, own_xy = own[:p1, :p1], own[:p1, p1]  # the products' own roundings
    b = np.abs(star)
    gi = np.abs(g_inv)
    # w[k, j, l] = |G^-1_kj b_l| + |G^-1_kl b_j| for j != l (one rounding, two entries)
    w = gi[:, :, None] * b[None, None, :] + gi[:, None, :] * b[None, :, None]
    diag = np.arange(p1)
    w[:, diag, diag] /= 2
    upper = np.triu(np.ones((p1, p1), dtype=bool))
    gram = (
        np.sqrt(w[:, upper] ** 2 @ (partial_xx + own_xx)[upper]),
        gamma(n + 1, dtype) * (gi * (s_xx @ b)[None, :]).sum(axis=1),
    )
    moment = (np.sqrt((g_inv**2) @ (partial_xy + own_xy)), gamma(n + 1, dtype) * (gi @ s_xy))
    # the lecture's order: B = inv(G) X', p+1 products and p additions per entry in any order
    # (each partial sum at most A_ki = (|inv(G)| |X'|)_ki; equal rows of x share them), then
    # the n-term sum of B_ki y_i
    a_y = (gi @ ax.T) * ay[None, :]
    top_a = _pow2(np.max(a_y, axis=1, keepdims=True))
    x_labels = _x_classes(pb, dtype)
    forming_b = np.sqrt(p1 * _class_squares(a_y / top_a, x_labels)) * top_a[:, 0]
    signed_by = (g_inv @ x.T) * pb.y[None, :]  # B_ki y_i, (p+1, n)
    by = np.abs(signed_by)
    top = _pow2(np.max(by, axis=1, keepdims=True))
    if by.size <= ORDERED_BUDGET:
        partial_by = np.sqrt(partial_sum_squares(signed_by / top, dtype) * _SLACK) * top[:, 0]
    elif labels is None:
        partial_by = math.sqrt(n - 1) * by.sum(axis=1)
    else:  # repeated rows beyond the budget: the linear sum (the worst case applies)
        partial_by = (n - 1) * by.sum(axis=1)
    own_by = np.sqrt(_class_squares(signed_by / top, labels)) * top[:, 0]
    lecture = (
        _root_sum_squares((1.0, partial_by), (1.0, own_by), (1.0, forming_b)),
        gamma(n + 1, dtype) * by.sum(axis=1) + gamma(p1, dtype) * a_y.sum(axis=1),
    )
    if model != "worst_case" and n * (p1 + 1) ** 2 + by.size <= ORDERED_BUDGET:
        # the worst case in the model's orders, u (sum_a |s_a| + sum_i |terms|) per sum: the
        # smaller where few values repeat (``_sum_parts``)
        scale = _pow2(np.max(np.abs(z), axis=0))
        zs = z / scale
        products = zs.T[:, None, :] * zs.T[None, :, :]
        linear = partial_sum_squares(products, dtype, linear=True) + np.abs(products).sum(-1)
        linear = linear * np.outer(scale, scale) * _SLACK / (1 - n * u)
        gram = (gram[0], np.minimum(gram[1], u * (w[:, upper] @ linear[:p1, :p1][upper])))
        moment = (moment[0], np.minimum(moment[1], u * (gi @ linear[:p1, p1])))
        by_linear = partial_sum_squares(signed_by / top, dtype, linear=True) * top[:, 0]
        by_linear = u * (by_linear + by.sum(axis=1)) * _SLACK / (1 - n * u)
        lecture = (
            lecture[0],
            np.minimum(lecture[1], by_linear + gamma(p1, dtype) * a_y.sum(axis=1)),
        )
    forming = np.maximum(
        _independent(u, model, gram, moment), _independent(u, model, gram, lecture)
    )
    lu = _lu_magnitude(g)
    solve = gamma(3 * p1, dtype) * (gi @ (lu @ np.maximum(b, gi @ np.abs(pb.moment))))
    return (forming + solve) * _SLACK


def _addition_norm(terms: np.ndarray, dtype, labels: np.ndarray | None) -> float:
    """2-norm of the coefficients of the n-1 additions summing ``terms``: the ordered-sum
    model's within its budget; beyond it sqrt(n-1) T, T = sum |c_i| (any order), or
    (n-1) T where terms or rows repeat (the model's independence fails for them)."""
    c = np.abs(terms)
    total = float(np.sum(c))
    if c.size <= ORDERED_BUDGET:  # in units of a power of two: squares stay finite
        big = float(_pow2(np.max(c))) if c.size else 1.0
        return big * math.sqrt(float(partial_sum_squares(terms / big, dtype)) * _SLACK)
    if labels is None and np.unique(terms).size == c.size:
        return math.sqrt(c.size - 1) * total
    return (c.size - 1) * total


def _sum_parts(
    terms: np.ndarray,
    per_term: float,
    extra: list[np.ndarray],
    dtype,
    labels: np.ndarray | None,
    model: str,
    own_linear: float | None = None,
) -> tuple[float, float]:
    """(2-norm of the rounding coefficients, worst case) of summing ``terms``, each carrying
    roundings of its own: ``per_term`` their squared coefficients in units of c_i^2,
    ``own_linear`` (default ``per_term``) the same unsquared.

    Hoeffding: LAMBDA u sqrt(per_term sum c_i^2 + sum_a s_a^2 + sum extra^2), s_a the partial
    sums of the ordered-sum model (``partial_sum_squares``; beyond its budget (n-1) T^2,
    T = sum |c_i|, which bounds every partial sum of any order, or (n-1)^2 T^2 when terms
    repeat); per-row roundings of equal rows (``labels``) add before they are squared.
    Worst case gamma_{n-1+per_term} T + u sum |extra| in any order; under the probabilistic
    model, within the budget, also u (max_orders sum_a |s_a| + own_linear T + sum |extra|)
    (the worst case in the model's orders: where few values repeat it is the smaller).
    ``extra`` holds further per-row first-order coefficients, one array per rounding.
    """
    c = np.abs(terms)
    total = float(np.sum(c))
    big = float(_pow2(np.max(c))) if c.size else 1.0
    own = big * math.sqrt(per_term * float(_class_squares(c / big, labels)))
    spread = [own, _addition_norm(terms, dtype, labels)]
    for e in extra:
        scale = float(_pow2(np.max(np.abs(e))))
        spread.append(scale * math.sqrt(float(_class_squares(e / scale, labels))))
    u = unit_roundoff(dtype)
    extras = sum(float(np.sum(np.abs(e))) for e in extra)
    worst = gamma(c.size - 1 + per_term, dtype) * total + u * extras
    if model != "worst_case" and c.size <= ORDERED_BUDGET:
        own_linear = per_term if own_linear is None else own_linear
        additions = big * float(partial_sum_squares(terms / big, dtype, linear=True))
        ordered = u * (additions + own_linear * total + extras) * _SLACK
        worst = min(worst, ordered / (1 - c.size * u))
    return _safe_norm(np.array(spread)), worst


def centred_route_error(
    pb: Problem, star: np.ndarray, dtype, *, model: str = "probabilistic"
) -> np.ndarray:
    """Per-coefficient bound on |b^ - b*| for the one-predictor closed form on centred sums.

    The algorithm: xbar, ybar (sums / n), d_i = x_i - xbar, e_i = y_i - ybar,
    Sxy = sum d_i e_i, Sxx = sum d_i^2, b1 = Sxy / Sxx, b0 = ybar - xbar b1, in ``dtype``.
    An error in xbar shifts every d_i alike and changes Sxy only by n dxbar dybar (the
    centred sums of the exact d, e vanish): second order. The rest, first order:
    |dSxy| <= sum error of d_i e_i, three roundings each (d_i, e_i, the product);
    |dSxx| <= that of d_i^2 with 2 |d_i^2| from d_i and up to two roundings of the square
    (TensorFlow's pow); a cast of x, y to a narrower dtype adds |x_i e_i|, |d_i y_i|.
    db1 = (dSxy - b1 dSxx) / Sxx + (the division), one linear form in the roundings (d_i's is
    shared by both sums: coefficient d_i (e_i - 2 b1 d_i)), bounded by one Hoeffding or by
    each sum's own bound added, whichever is smaller;
    db0 = dybar - b1 dxbar - xbar db1 + (the divisions, the product, the subtraction): the
    sums of y, of x and b1's form are distinct operations, one Hoeffding again, and the five
    single roundings their worst case u |.|. Each sum's worst case is the smaller of any
    order's gamma_{n-1} T and u sum_a |s_a| in the ordered model's orders (``_sum_parts``).
    Scaled by 1 + gamma_{n+4} for the higher-order terms. Neither offset appears: what an
    algorithm that lets xbar or ybar into a sum (x + xbar, raw sums) would round does, which
    is how such a change to this route is told apart from its own rounding (the X'X bound
    would let it pass).
    """
    u = unit_roundoff(dtype)
    n = pb.n
    x, y = pb.x[:, 0], pb.y
    cast = np.dtype(dtype) != np.dtype(np.float64)
    xbar, ybar = float(np.mean(x)), float(np.mean(y))
    d, e = x - xbar, y - ybar
    sxx = float(d @ d)
    b0, b1 = abs(float(star[0])), abs(float(star[1]))
    labels = row_classes(pb, dtype)
    per_value = 1.0 if cast else 0.0
    # the means: the sums' roundings / n (then the division's own, u |mean|)
    sum_x, sum_y = (_sum_parts(v, per_value, [], dtype, labels, model) for v in (x, y))
    mean_x = (sum_x[0] / n, sum_x[1] / n)
    mean_y = (sum_y[0] / n, sum_y[1] / n)
    err_x = float(_independent(u, model, mean_x)) + u * abs(xbar)
    err_y = float(_independent(u, model, mean_y)) + u * abs(ybar)
    # Sxy - b1 Sxx as one linear form: its roundings are distinct except d_i's, which both
    # sums share (coefficient d_i (e_i - 2 b1 d_i)); e_i's and the product's d_i e_i; the
    # square's two b1 d_i^2 (TensorFlow's pow); the casts of x_i and y_i
    de = d * e
    slope = float(star[1])
    shared = e - 2 * slope * d
    per_row = [d * shared, de, de, slope * d * d, slope * d * d]
    if cast:
        per_row += [x * shared, d * y]
    scale = float(_pow2(max(float(np.max(np.abs(c))) for c in per_row)))
    own = scale * math.sqrt(sum(float(_class_squares(c / scale, labels)) for c in per_row))
    sums = _root_sum_squares(
        (1.0, np.array(_addition_norm(de, dtype, labels))),
        (1.0, np.array(b1 * _addition_norm(d * d, dtype, labels))),
    )
    norm_s = float(_root_sum_squares((1.0, np.array(own)), (1.0, sums)))
    # apart: each sum on its own (d_i's rounding counted in both), which the worst case is
    sxy = _sum_parts(de, 3.0, [x * e, d * y] if cast else [], dtype, labels, model)
    sxx_ = _sum_parts(d * d, 6.0, [2 * x * d] if cast else [], dtype, labels, model, 4.0)
    apart = float(_independent(u, model, sxy)) + b1 * float(_independent(u, model, sxx_))
    forms = (norm_s / sxx, apart / sxx)
    # xbar's error enters Sxy and Sxx only through n dxbar dybar and n dxbar^2 (second order);
    # the division Sxy / Sxx rounds once more
    second = n * err_x * (err_y + b1 * err_x) / sxx
    db1 = float(_independent(u, model, forms)) + second + u * b1
    # b0 = ybar - xbar b1: the sums of y and x and the forms of b1 are distinct operations,
    # one Hoeffding; the divisions, the product and the subtraction round once each
    ax = abs(xbar)
    many = _independent(
        u,
        model,
        mean_y,
        (b1 * mean_x[0], b1 * mean_x[1]),
        (ax * forms[0], ax * forms[1]),
    )
    once = u * (abs(ybar) + b1 * ax + ax * b1 + ax * b1 + b0)
    db0 = float(many) + once + ax * second
    return np.array([db0, db1]) * (1 + gamma(n + 4, dtype)) * _SLACK


def closed_form_bound(route: Route, pb: Problem, *, model: str = "probabilistic") -> Bound:
    """Allowance for a closed-form route against the extended-precision b*.

    A QR-type solve (``stable_solve``) gets the normwise least-squares perturbation bound; a
    route that forms X'X the componentwise ``gram_route_error``, which follows the actual
    |X'X|^-1 rather than its worst alignment, kappa^2 (whichever is smaller is kept).
    """
    star = _magnitudes(pb).star
    if route.stable_solve:
        eps = _backward_error(pb, route.dtype, model)
        if np.dtype(route.dtype) != np.dtype(np.float64):
            eps += unit_roundoff(route.dtype)  # the cast of x and y: columnwise too
        err = min(
            closed_form_error(pb, star, route.dtype, gram=False, model=model),
            _ls_columnwise_error(pb, star, eps),
        )
        kind = "QR"
    elif route.centred_sums:
        err = float(np.linalg.norm(centred_route_error(pb, star, route.dtype, model=model)))
        kind = "centred-sums"
    else:
        normwise = closed_form_error(pb, star, route.dtype, gram=True, model=model)
        err = min(
            normwise, float(np.linalg.norm(gram_route_error(pb, star, route.dtype, model=model)))
        )
        kind = "X'X"
    return Bound(star, err + _star_error(pb), f"{model} {kind} perturbation bound in {route.dtype}")


def toy_bound(beta0: float, lr: float, steps: int) -> Bound:
    """Allowance for ``fitters.toy`` after ``steps`` float32 SGD steps on (beta/2 - 1)^2,
    against the exact iterate from float32(beta0) with float32(lr) (the module docstring)."""
    lr, steps = check_lr(lr), check_epochs(steps, "steps")
    f32 = np.float32
    lr32 = Fraction(float(f32(lr)))
    beta = Fraction(float(f32(beta0)))
    u, eta = unit_roundoff(f32), underflow_unit(f32)
    rho = float(abs(1 - lr32 / 2))
    bound = 0.0
    for _ in range(steps):
        step = lr32 * (beta / 2 - 1)
        beta -= step
        bound = rho * bound + gamma(2, f32) * float(abs(step)) + u * float(abs(beta)) + 3 * eta
    expected = float(beta)  # the rational iterate rounded once to float64
    bound += unit_roundoff(np.float64) * abs(expected)
    formula = f"worst case sum_j rho^(k-1-j) d_j, rho={rho:.6g}, k={steps}"
    return Bound(np.array([expected]), bound, formula)


def route_bound(
    route: Route, pb: Problem, init=None, lr=None, epochs=None, *, model: str = "probabilistic"
) -> Bound:
    """The bound that applies to ``route.fit`` with these arguments (contract defaults)."""
    if not route.iterative:
        return closed_form_bound(route, pb, model=model)
    return trajectory_bound(
        route, pb, check_init(init, pb.p), check_lr(lr), check_epochs(epochs), model=model
    )


def backward_stable_allowance(pb: Problem, exact: np.ndarray) -> np.ndarray:
    """Per-coefficient error a column-wise backward stable float64 solve may make (worst case).

    Householder QR (and LAPACK's SVD solve on unit-norm columns) returns the exact least-
    squares solution of (X + dX, y + dy) with ||dX_j|| <= e ||X_j||, ||dy|| <= e ||y||,
    e = gamma_{n(p+1)}(float64) (Higham, Thms 19.4, 20.3). With S = diag(1/||X_j||) that is a
    normwise perturbation of XS of at most e' = sqrt(p+1) e, and the least-squares
    perturbation bound (ibid., Thm 20.1) gives, kappa = cond(XS),

      ||S^-1 db|| <= kappa e' / (1 - kappa e')
                     * (2 + (kappa + 1) ||r|| / (||XS|| ||S^-1 b||)) ||S^-1 b||,

    so |db_j| <= that / ||X_j||; plus u |b_j| for rounding the exact answer to float64.
    Worst case on purpose: it is checked against exact rational solutions, where a proof is
    what the test asserts.
    """
    norms = np.linalg.norm(pb.r, axis=0)  # ||X_j||: R has the columns' norms
    kappa = pb.scaled_condition_number
    e = math.sqrt(pb.p + 1) * gamma(pb.n * (pb.p + 1), np.float64)
    if kappa * e >= 1:
        return np.full(pb.p + 1, np.inf)
    scaled_b = _safe_norm(exact * norms)
    r = _safe_norm(pb.y - pb.design @ exact)
    xs_norm = float(np.linalg.svd(pb.r / norms, compute_uv=False)[0])
    scaled_err = kappa * e / (1 - kappa * e) * (2 * scaled_b + (kappa + 1) * r / xs_norm)
    return scaled_err / norms + unit_roundoff(np.float64) * np.abs(exact)


def _safe_norm(v: np.ndarray) -> float:
    """2-norm without underflow (squares of 1e-200 are 0 in float64)."""
    big = float(np.max(np.abs(v)))
    return big * float(np.linalg.norm(v / big)) if big > 0 else 0.0


# --- divergence: when the loss must overflow ---------------------------------------------


def log_losses(pb: Problem, init, lr_eff: float, kmax: int) -> np.ndarray:
    """log L(b_k), k = 0..kmax, along the exact float64 GD path (log space: no overflow).

    L(b_k) = L* + sum_i (lambda_i / 2) c_i^2 (1 - lr lambda_i)^(2k), c = V'(b_0 - b*).
    """
    star = _magnitudes(pb).star
    _, v = pb.spectrum
    lam = pb.hessian_eigenvalues
    c = v.T @ (check_init(init, pb.p) - star)
    r = pb.y - pb.design @ star
    k = np.arange(kmax + 1)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        floor = np.full((kmax + 1, 1), np.log(r @ r / pb.n))
        growth = np.where(k == 0, 0.0, 2 * k * np.log(np.abs(1.0 - lr_eff * lam)))  # 0 log 0 = 0
        terms = np.log(lam / 2 * c**2) + growth
    return np.logaddexp.reduce(np.concatenate([floor, terms], axis=1), axis=1)


def overflow_window(route: Route, pb: Problem, init, lr: float, kmax: int) -> tuple[float, float]:
    """(first epoch whose loss may overflow, first epoch whose loss must), in route.dtype.

    Every route sums n squared residuals (or evaluates L from second moments), so its first
    non-finite loss comes at an epoch k where n L^(b^_k) >= MAX/2 is possible (the sum can
    overflow) and no later than where L^(b^_k) >= 2 MAX is certain (the mean itself cannot be
    represented); a factor 2 covers the sum's own rounding. The route's iterate b^_k lies
    within E_k (``trajectory_bound``) of the exact b_k, so with d_k = ||X (b_k - b*)||:
        sqrt(n L^) <= ||r*|| + d_k + s_max E_k,    sqrt(n L^) >= d_k - ||r*|| - s_max E_k.
    Rounding matters here: when b_0 - b* has (almost) no component along the fastest-growing
    eigenvector, rounding seeds one, and it overtakes the exact path. ``math.inf`` for the
    second epoch when the lower envelope never certifies an overflow within kmax (the first:
    when not even the upper one reaches it).
    """
    lr_eff = route.effective_lr(lr)
    ll = log_losses(pb, init, lr_eff, kmax)
    big = math.log(float(np.finfo(route.dtype).max))
    n = pb.n
    beyond = np.flatnonzero(ll >= big + math.log(2))
    k_end = int(beyond[0]) if beyond.size else kmax
    traj = route_trajectory(route, pb, init, lr, k_end)
    star = _magnitudes(pb).star
    r_star = float(np.linalg.norm(pb.y - pb.design @ star))
    s_max = float(pb.spectrum[0][0])
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        log_l_star = math.log(max(r_star**2 / n, np.finfo(float).tiny))
        excess = np.where(ll[: k_end + 1] > log_l_star, ll[: k_end + 1], log_l_star)
        # d_k = sqrt(n (L_k - L*)), in log space (L_k - L* ~ L_k where it matters)
        log_d = 0.5 * (
            math.log(n) + np.log(np.maximum(np.exp(np.minimum(excess, 700.0)) - r_star**2 / n, 0.0))
        )
        log_d = np.where(excess > 700.0, 0.5 * (math.log(n) + excess), log_d)
        slack = r_star + s_max * traj.bounds
        upper = np.logaddexp(log_d, np.log(np.maximum(slack, np.finfo(float).tiny)))
        lower_lin = np.exp(np.minimum(log_d, 700.0)) - slack
        lower = np.where(
            log_d > 700.0,
            log_d + np.log1p(-np.minimum(slack / np.exp(np.minimum(log_d, 700.0)), 1.0)),
            np.log(np.maximum(lower_lin, 0.0)),
        )
    may = np.flatnonzero(2 * upper >= big - math.log(2))
    must = np.flatnonzero(2 * lower - math.log(n) >= big + math.log(2))
    return (int(may[0]) if may.size else math.inf, int(must[0]) if must.size else math.inf)
