"""Learning rates above 2/lambda_max(H) are reported, below it they converge (issue 6, item 2).

Gradient descent on the MSE has the exact trajectory (``fitters.reference``)

    b_k - b* = V diag(f_i^k) V' (b_0 - b*),   f_i = 1 - lr lambda_i(H),
    L(b_k)  = L* + sum_i (lambda_i / 2) c_i^2 f_i^(2k),   c = V'(b_0 - b*),

so for lr > 2/lambda_max the loss grows by rho^2 = (lr lambda_max - 1)^2 per epoch and the
epoch at which it overflows the route's dtype is *computable*. "Diverges or is reported"
therefore means, honestly: a route raises ``DivergenceError`` exactly at that epoch (not after
wasting the remaining ones), and before it follows the exact, growing trajectory within the
rounding bound of ``fitters.tolerances``. Where the overflow epoch lies beyond the epochs run,
the finite answer must sit on that growing trajectory.

Which computed quantity overflows first: every route sums n squared residuals (or, for
``compiled_core``, evaluates L from the second moments), so the first non-finite loss is at an
epoch k with n L(b_k) >= MAX/2 (the sum can overflow) and no later than the first k with
L(b_k) >= 2 MAX (the mean itself cannot be represented). A factor 2 covers rounding and the
float32 routes' rounded data.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st

import fitters
from fitters import ROUTES, DivergenceError, reference
from fitters.problem import Problem
from fitters.route_type import Route
from fitters.testing import strategies as S
from fitters.tolerances import (
    MAX_CONDITION,
    convergence_bound,
    log_losses,
    loss_history_bound,
    overflow_window,
    trajectory_bound,
)
from fitters.validation import check_init, problem

ITERATIVE = [r for r in ROUTES.values() if r.iterative and r.unavailable is None]
#: epochs a Hypothesis example may spend (Keras fit costs ~25 ms an epoch, the rest 1-2.5 ms)
#: (above the bound: long enough for float64 to overflow at rho >= 3.2, float32 at rho >= 1.15;
#: below it, the contraction shows within a hundred epochs)
EPOCH_CAP = {False: 300, True: 30}
CONVERGE_CAP = {False: 100, True: 20}
LOG_MAX = {d: math.log(float(np.finfo(d).max)) for d in ("float32", "float64")}


def assert_reported(route: Route, pb: Problem, exc: DivergenceError, lr: float, window) -> None:
    """The error names the route, the lr, the stable bound, and came at the overflow epoch."""
    lo, hi = window
    assert isinstance(exc, ValueError)
    assert exc.route == route.name and exc.lr == lr, f"{route.name}: {exc!r}"
    assert exc.stable_lr == pb.stable_lr, f"{route.name}: {exc.stable_lr} != {pb.stable_lr}"
    assert f"2/lambda_max(H) = {pb.stable_lr:.6g}" in str(exc), f"{route.name}: {exc}"
    assert lo <= exc.epoch <= hi, (
        f"{route.name} reported divergence at epoch {exc.epoch}; the loss overflows "
        f"{route.dtype} between epochs {lo} and {hi} (lr = {lr:.6g})"
    )


# --- a deterministic check per route: the lecture's data, lr five times the bound -------

LECTURE = problem(*fitters.lecture_dataset())
FACTOR = 5.0  # rho = 9: float32 overflows after ~20 epochs, float64 after ~160
REQUESTED = 100_000


@pytest.mark.parametrize("route", ITERATIVE, ids=lambda r: f"{r.name}(dtype={r.dtype})")
def test_divergence_is_reported_at_the_overflow_epoch(route: Route):
    # lr = 5 * 2/lambda_max: DivergenceError at the epoch the loss overflows, far below REQUESTED
    pb, lr = LECTURE, FACTOR * LECTURE.stable_lr
    init = check_init(None, 1)
    window = overflow_window(route, pb, init, lr, 2000)
    assert window[1] < 250, window  # the prediction itself: float64 ~160, float32 ~20
    with pytest.raises(DivergenceError) as info:
        route.fit(pb.x[:, 0], pb.y, lr=lr, epochs=REQUESTED)
    assert_reported(route, pb, info.value, lr, window)
    assert info.value.epoch <= REQUESTED / 100
    if route.dtype == "float32":  # float32 overflows ~8x earlier than float64 would
        assert window[1] < overflow_window_float64(pb, init, route.effective_lr(lr))[0]


def overflow_window_float64(pb: Problem, init, lr: float) -> tuple[int, int]:
    ll = log_losses(pb, init, lr, 2000)
    big = LOG_MAX["float64"]
    return (
        int(np.flatnonzero(ll + math.log(pb.n) >= big - math.log(2))[0]),
        int(np.flatnonzero(ll >= big + math.log(2))[0]),
    )


# --- Hypothesis: every rate above the bound diverges or is reported ----------------------

iterative_routes = st.sampled_from(ITERATIVE)


#: smallest nonzero magnitude kept: sqrt(tiny) / eps of the dtype. Below it squares and
#: products underflow, rounding stops being relative, and every bound here (and the norms
#: that compute them) loses its meaning: underflow, not divergence, is then being tested.
NO_UNDERFLOW = {
    d: math.sqrt(float(np.finfo(d).tiny)) / float(np.finfo(d).eps) for d in ("float32", "float64")
}


def _draw(data, route: Route):
    ds = data.draw(
        S.linear_datasets(
            max_p=route.max_predictors or 3, max_n=200, max_condition=MAX_CONDITION[route.dtype]
        ),
        label="dataset",
    )
    floor = NO_UNDERFLOW[route.dtype]
    values = np.concatenate([ds.coef_true, ds.y])
    assume(np.all((values == 0) | (np.abs(values) >= floor)))
    init = check_init(None, ds.p)
    return ds, ds.problem, init


@pytest.mark.slow
@given(data=st.data())
def test_rate_above_bound_diverges_or_is_reported(data):
    # lr in [1.05, 3] x 2/lambda_max: DivergenceError at the overflow epoch, or (overflow
    # beyond the epochs run) a finite answer on the exact, growing trajectory
    route = data.draw(iterative_routes, label="route")
    ds, pb, init = _draw(data, route)
    lr = data.draw(S.unstable_learning_rates(pb), label="lr")
    cap = EPOCH_CAP[route.slow]
    window = overflow_window(route, pb, init, lr, cap + 1)
    epochs = cap if window[1] == math.inf else min(cap, window[1] + 1)
    try:
        fit = route.fit(ds.x, ds.y, lr=lr, epochs=epochs)
    except DivergenceError as exc:
        event(f"reported ({route.dtype})")
        assert_reported(route, pb, exc, lr, window)
        return
    event(f"finite: overflow beyond the epochs run ({route.dtype})")
    assert window[1] >= epochs, (
        f"{route.name} ran {epochs} epochs without reporting, but the loss overflows "
        f"{route.dtype} by epoch {window[1]}; {ds.describe()} lr={lr:.6g}"
    )
    bound = trajectory_bound(route, pb, init, lr, epochs)
    assert bound.holds(fit.coef), (
        f"{route.name}: off the diverging trajectory by {bound.error(fit.coef):.3g} > "
        f"{bound.max_l2_error:.3g} after {epochs} epochs; {ds.describe()} lr={lr:.6g}"
    )
    # the component along the top eigenvector grew by rho per step (rho = lr lambda_max - 1)
    star, v = reference.normal_equation(pb), pb.spectrum[1][:, 0]
    rho = abs(1 - route.effective_lr(lr) * pb.hessian_eigenvalues[0])
    grown = abs(v @ (fit.coef - star))
    assert grown >= rho**epochs * abs(v @ (init - star)) - bound.max_l2_error, route.name


# --- Hypothesis: every rate below the bound converges ------------------------------------


@pytest.mark.slow
@given(data=st.data())
def test_rate_below_bound_converges(data):
    # lr in [0.05, 0.95] x 2/lambda_max: ||b_k - b*|| <= rho^k ||b_0 - b*|| + rounding, and
    # the loss history never increases by more than its rounding allowance
    route = data.draw(iterative_routes, label="route")
    ds, pb, init = _draw(data, route)
    lr = data.draw(S.stable_learning_rates(pb), label="lr")
    k = data.draw(st.integers(1, CONVERGE_CAP[route.slow]), label="epochs")
    fit = route.fit(ds.x, ds.y, lr=lr, epochs=k)
    bound = convergence_bound(route, pb, init, lr, k)
    assert bound.holds(fit.coef), (
        f"{route.name}: ||b_k - b*|| = {bound.error(fit.coef):.3g} > {bound.max_l2_error:.3g} "
        f"({bound.formula}); {ds.describe()} lr={lr:.6g} k={k}"
    )
    history = fit.loss_history
    exact, allowed = loss_history_bound(route, pb, init, lr, np.arange(k))
    off = np.abs(history - exact)
    assert np.all(off <= allowed), (
        f"{route.name}: loss history off the exact (non-increasing) losses by "
        f"{off.max():.3g} at epoch {int(np.argmax(off - allowed))}; {ds.describe()}"
    )
    rise = np.diff(history)
    assert np.all(rise <= allowed[1:] + allowed[:-1]), (
        f"{route.name}: loss rose by {rise.max():.3g} at epoch {int(np.argmax(rise)) + 1}, more "
        f"than rounding allows; {ds.describe()} lr={lr:.6g}"
    )
