"""The property checks: plain functions run over every route, gated by route metadata.

Each ``check_*(route, data)`` draws what it needs from a Hypothesis ``data`` object and
asserts one property; ``yield_checks(route)`` yields the checks that apply to a route
(scikit-learn's ``_yield_checks`` pattern). Registering a route in ``fitters.registry`` is
enough for every applicable check to cover it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from hypothesis import strategies as st

from fitters import reference
from fitters.route_type import Route
from fitters.tolerances import closed_form_bound, loss_atol, trajectory_bound

from .assertions import assert_within
from .strategies import (
    LinearDataset,
    initial_coefficients,
    linear_datasets,
    stable_learning_rates,
)

Check = Callable[[Route, st.DataObject], None]

#: max epochs per check; slow routes (Keras fit, ~25 ms/epoch) get fewer, not fewer checks
TRAJECTORY_STEPS = {False: 50, True: 6}
CONVERGENCE_STEPS = {False: 150, True: 20}
#: gradient descent needs ~cond(X)^2 steps; float32 fixed points sit u32 * cond^2 * |b| away
MAX_CONDITION = {"float64": 1e3, "float32": 30.0}


def draw_dataset(route: Route, data: st.DataObject, **kwargs) -> LinearDataset:
    max_p = route.max_predictors or 5
    kwargs.setdefault("max_condition", MAX_CONDITION[route.dtype])
    return data.draw(linear_datasets(max_p=max_p, **kwargs), label="dataset")


def draw_init(ds: LinearDataset, data: st.DataObject) -> np.ndarray:
    """The lecture's default init, or a drawn one (zeros included)."""
    if data.draw(st.booleans(), label="default init"):
        return np.array([-5.0, 10.0]) if ds.p == 1 else np.zeros(ds.p + 1)
    return data.draw(initial_coefficients(ds.p), label="init")


def check_closed_form(route: Route, data: st.DataObject) -> None:
    # the closed form equals the float64 least-squares solution within eps*cond bounds
    ds = draw_dataset(route, data)
    fit = route.fit(ds.x, ds.y)
    assert fit.epochs == 0 and fit.loss_history is None
    assert_within(route, "check_closed_form", ds, closed_form_bound(route, ds.problem), fit.coef)


def check_trajectory(route: Route, data: st.DataObject) -> None:
    # after k steps the route sits on the exact k-th GD iterate within the rounding bound
    ds = draw_dataset(route, data)
    init = draw_init(ds, data)
    lr = data.draw(stable_learning_rates(ds.problem), label="lr")
    k = data.draw(st.integers(1, TRAJECTORY_STEPS[route.slow]), label="k")
    fit = route.fit(ds.x, ds.y, init=init, lr=lr, epochs=k)
    assert fit.epochs == k and fit.loss_history.shape == (k,), (
        f"{route.name} failed check_trajectory: asked for {k} steps, took {fit.epochs} "
        f"with {fit.loss_history.shape[0]} losses; data: {ds.describe()}"
    )
    bound = trajectory_bound(route, ds.problem, init, lr, k)
    assert_within(route, "check_trajectory", ds, bound, fit.coef, lr=f"{lr:.4g}", k=k)


def check_loss_history(route: Route, data: st.DataObject) -> None:
    # loss_history[j] is the MSE at the exact j-th iterate, within the loss rounding bound
    ds = draw_dataset(route, data)
    init = draw_init(ds, data)
    lr = data.draw(stable_learning_rates(ds.problem), label="lr")
    k = data.draw(st.integers(1, TRAJECTORY_STEPS[route.slow]), label="k")
    history = route.fit(ds.x, ds.y, init=init, lr=lr, epochs=k).loss_history
    lr_eff = route.effective_lr(lr)
    for j in sorted({0, k // 2, k - 1}):
        b_j = reference.gd_iterate(ds.problem, None, init, lr_eff, j)
        expected = reference.mse(ds.problem, None, b_j)
        # the coefficients at step j are themselves off by the trajectory bound
        slack = trajectory_bound(route, ds.problem, init, lr, j).max_l2_error
        grad = 2 * np.sqrt(expected * ds.n) * ds.problem.spectrum[0][0] / ds.n
        # L(b + e) - L(b) = grad.e + e'He/2 with ||grad L|| <= 2 ||r|| ||X|| / n
        atol = (
            loss_atol(route, ds.problem, b_j)
            + grad * slack
            + slack**2 * ds.problem.hessian_eigenvalues[0] / 2
        )
        assert abs(history[j] - expected) <= atol, (
            f"{route.name} failed check_loss_history at step {j}: {history[j]!r} vs {expected!r} "
            f"(allowed {atol:.3g}); data: {ds.describe()} lr={lr:.4g}"
        )


def check_convergence(route: Route, data: st.DataObject) -> None:
    # ||b_k - b*|| <= rho^k ||b_0 - b*|| + rounding, for any lr inside the stable range
    ds = draw_dataset(route, data, max_condition=10.0)
    init = draw_init(ds, data)
    pb = ds.problem
    lr = data.draw(stable_learning_rates(pb, min_fraction=0.3), label="lr")
    k = data.draw(
        st.integers(CONVERGENCE_STEPS[route.slow] // 4, CONVERGENCE_STEPS[route.slow]), label="k"
    )
    fit = route.fit(ds.x, ds.y, init=init, lr=lr, epochs=k)
    lr_eff = route.effective_lr(lr)
    contraction = reference.gd_error_bound(pb, None, init, lr_eff, k)
    rounding = trajectory_bound(route, pb, init, lr, k)
    star = reference.normal_equation(pb)
    from fitters.tolerances import Bound

    bound = Bound(
        star,
        contraction + rounding.max_l2_error,
        f"rho^k||b0-b*|| {contraction:.3g} + rounding {rounding.max_l2_error:.3g}",
    )
    assert_within(route, "check_convergence", ds, bound, fit.coef, lr=f"{lr:.4g}", k=k)


def check_variants_agree(route: Route, data: st.DataObject) -> None:
    # every value of every variant option (e.g. the lecture's loss spellings) gives the same iterate
    ds = draw_dataset(route, data)
    lr = data.draw(stable_learning_rates(ds.problem), label="lr")
    k = data.draw(st.integers(1, TRAJECTORY_STEPS[route.slow]), label="k")
    init = draw_init(ds, data)
    bound = trajectory_bound(route, ds.problem, init, lr, k)
    for option, values in route.variants.items():
        for value in values:
            coef = route.fit(ds.x, ds.y, init=init, lr=lr, epochs=k, **{option: value}).coef
            assert_within(route, f"check_variants_agree[{option}={value}]", ds, bound, coef, k=k)


def yield_checks(route: Route) -> Iterator[Check]:
    """The checks that apply to ``route``, by its metadata."""
    if not route.iterative:
        yield check_closed_form
        return
    yield check_trajectory
    yield check_loss_history
    yield check_convergence
    if route.variants:
        yield check_variants_agree
