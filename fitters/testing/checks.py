"""The checks: plain functions, each asserting one property of a route on the inputs it is given.

Every check takes the route and a :class:`~fitters.testing.datasets.Dataset` (and, for gradient
routes, ``init``, ``lr`` and ``k``), so it can be replayed by hand on the lecture's data, a CSV
or a failing example. A failure raises ``AssertionError`` whose message names the check, the
route, the data set (with the recipe that rebuilds it), the oracle, the bound and the error,
and, where the numbers point to a common mistake (one step short, the intercept never updated,
the loss summed instead of averaged...), says which.

Fits are shared between checks run on the same route, data and arguments (the runner draws
the same inputs for them), so several properties cost one fit; ``check_repeatable`` refits
without the cache, since sharing is only sound for a route that gives the same answer twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import unittest
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from .. import reference
from ..core import DivergenceError, Fit
from ..route_type import Route
from ..tolerances import (
    Bound,
    closed_form_bound,
    convergence_bound,
    loss_history_bound,
    overflow_window,
    trajectory_bound,
)
from ..validation import check_init
from .datasets import Dataset

__all__ = [
    "CheckNotApplicable",
    "InputNotApplicable",
    "check_closed_form",
    "check_closed_form_ignores_gradient_arguments",
    "check_convergence",
    "check_defaults",
    "check_divergence_reported",
    "check_float32_coefficients",
    "check_float32_rounds_data",
    "check_inputs_unchanged",
    "check_loss_history",
    "check_repeatable",
    "check_trajectory",
    "check_variants_agree",
    "fit_once",
]

#: the contract's defaults, as a route must apply them when given None
DEFAULT_LR = 0.1
DEFAULT_EPOCHS = 1000


class CheckNotApplicable(unittest.SkipTest):
    """The check does not apply to what this route turned out to do (a skip, not a pass)."""


class InputNotApplicable(Exception):
    """These inputs cannot exercise the check (e.g. a path that never overflows); the runner
    draws others. Raised to a caller who replays a check by hand on such inputs."""


# --- shared machinery ----------------------------------------------------------------------

#: key -> (route, fit). The entry holds its route: a key names the route by id(), which a
#: new object may reuse once the old one is gone, and a live route's id is its own
_FITS: OrderedDict = OrderedDict()
#: fits kept per process: enough for every example of a route's checks (25 in the ci profile,
#: several checks) plus the lecture's 1000-epoch fit that check_defaults and the golden share
_FIT_CACHE_SIZE = 256

#: when a list, every comparison against a bound appends (route, check, dtype, error, bound,
#: ||expected||, steps): how tight the bounds are in practice (tools/bound_ratios.py)
OBSERVED: list[tuple[str, str, str, float, float, float, int | None]] | None = None


def _key(route: Route, ds: Dataset, init, lr, k, options) -> tuple:
    digest = hashlib.blake2b(digest_size=16)
    for part in (ds.x, ds.y) if init is None else (ds.x, ds.y, np.asarray(init, dtype=float)):
        digest.update(np.ascontiguousarray(part).tobytes())
        digest.update(repr(part.shape).encode())
    return (
        id(route),
        route.name,
        init is None,
        digest.digest(),
        lr,
        k,
        tuple(sorted(options.items())),
    )


def fit_once(route: Route, dataset: Dataset, init=None, lr=None, k=None, **options) -> Fit:
    """The fit the checks share: ``route.fit`` on ``dataset`` with these arguments, computed
    once per process (a small LRU cache) and then reused, e.g. by a golden test."""
    return _fit("fit_once", route, dataset, init, lr, k, **options)


def _fit(check: str, route: Route, ds: Dataset, init=None, lr=None, k=None, **options) -> Fit:
    """route.fit on ``ds`` (cached per route and arguments); an unexpected exception becomes
    this check's failure, with the context a reader needs."""
    key = _key(route, ds, init, lr, k, options)
    if key in _FITS and _FITS[key][0] is route:
        _FITS.move_to_end(key)
        return _FITS[key][1]
    fit = _fresh_fit(check, route, ds, init, lr, k, **options)
    _FITS[key] = (route, fit)
    if len(_FITS) > _FIT_CACHE_SIZE:
        _FITS.popitem(last=False)
    return fit


def _fresh_fit(check: str, route: Route, ds: Dataset, init=None, lr=None, k=None, **options):
    kwargs = dict(options)
    if route.iterative:
        kwargs.update(init=init, lr=lr, epochs=k)
    try:
        return route.fit(ds.x, ds.y, **kwargs)
    except AssertionError:
        raise
    except Exception as exc:
        raise AssertionError(
            f"{route.name} failed {check}: fit raised {type(exc).__name__}: {exc}\n"
            f"  {_context(ds, init, lr, k)}"
        ) from exc


def _context(ds: Dataset, init=None, lr=None, k=None) -> str:
    parts = [f"data: {ds.describe()}"]
    if init is not None:
        parts.append(f"init={np.array2string(np.asarray(init, dtype=float), precision=6)}")
    if lr is not None:
        parts.append(f"lr={lr!r}")
    if k is not None:
        parts.append(f"k={k}")
    return "; ".join(parts)


def _replay(check: str, ds: Dataset, **args) -> str:
    shown = ", ".join(
        f"{name}={np.asarray(v).tolist()!r}" if isinstance(v, np.ndarray) else f"{name}={v!r}"
        for name, v in args.items()
    )
    sep = ", " if shown else ""
    return f"replay: fitters.testing.{check}(route, {ds.source}{sep}{shown})"


def _fail(check: str, route: Route, what: str, ds: Dataset, replay: str, *lines: str):
    body = "\n".join(f"  {line}" for line in (*lines, f"data: {ds.describe()}", replay) if line)
    raise AssertionError(f"{route.name} failed {check}: {what}\n{body}")


def _assert_within(
    check: str,
    route: Route,
    ds: Dataset,
    bound: Bound,
    coef,
    *,
    oracle: str,
    replay: str,
    hint: Callable[[], str] | None = None,
    steps: int | None = None,
) -> None:
    err = bound.error(coef)
    if OBSERVED is not None:
        size = float(np.linalg.norm(bound.expected))
        OBSERVED.append((route.name, check, route.dtype, err, bound.max_l2_error, size, steps))
    if err <= bound.max_l2_error:  # also False for NaN
        return
    _fail(
        check,
        route,
        f"||coef - oracle|| = {err:.3g} > bound {bound.max_l2_error:.3g}",
        ds,
        replay,
        f"oracle: {oracle}",
        f"bound: {bound.formula}",
        f"coef   = {np.array2string(np.asarray(coef), precision=12)}",
        f"oracle = {np.array2string(bound.expected, precision=12)}",
        hint() if hint is not None else "",
    )


def _check_fit_shape(check: str, route: Route, ds: Dataset, fit: Fit, k: int, replay: str):
    """The contract's return types: float64 (p+1,) coef, int epochs, (k,) float64 history."""
    problems = []
    if not (isinstance(fit.coef, np.ndarray) and fit.coef.dtype == np.float64):
        problems.append(f"coef is {type(fit.coef).__name__} {getattr(fit.coef, 'dtype', '')}")
    elif fit.coef.shape != (ds.p + 1,):
        problems.append(f"coef has shape {fit.coef.shape}, not ({ds.p + 1},)")
    if not isinstance(fit.epochs, int) or isinstance(fit.epochs, bool) or fit.epochs != k:
        problems.append(f"epochs is {fit.epochs!r}, not the {k} steps asked for")
    history = fit.loss_history
    if route.records_loss and history is None:
        problems.append("loss_history is None for a route that records its losses")
    if history is not None and (
        not isinstance(history, np.ndarray) or history.dtype != np.float64 or history.shape != (k,)
    ):
        problems.append(
            f"loss_history has shape {getattr(history, 'shape', '?')} and dtype "
            f"{getattr(history, 'dtype', '?')}, not ({k},) float64: one loss before each step"
        )
    if problems:
        _fail(check, route, "; ".join(problems), ds, replay)


def _gd_oracle(route: Route, lr: float) -> str:
    lr_eff = route.effective_lr(lr)
    shown = f"{lr!r}" if lr_eff == lr else f"{lr!r} applied as {route.lr_dtype} {lr_eff!r}"
    return f"exact gradient-descent iterate (fitters.reference.gd_path), lr={shown}"


def _diagnose_trajectory(route: Route, ds: Dataset, init, lr: float, k: int, coef) -> str:
    """A likely cause, when the coefficients match a common mistake's exact answer."""
    pb = ds.problem
    lr_eff = route.effective_lr(lr)
    b0 = check_init(init, pb.p)
    tol = trajectory_bound(route, pb, b0, lr, k + 2).max_l2_error

    def near(a, b) -> bool:
        a, b = np.asarray(a), np.asarray(b)
        return bool(np.all(np.isfinite(a))) and float(np.linalg.norm(a - b)) <= tol

    path = reference.gd_path(pb, None, b0, lr_eff, k + 2)
    exact = path[k]
    if k and near(coef, b0) and not near(exact, b0):
        # where only some coefficients should have moved, a frozen part and a loop that takes
        # no step leave the same trace: name both
        no_step = "or no step was taken (check the loop's range)"
        if near(exact[1:], b0[1:]):
            return (
                f"hint: the intercept b0 never moved from init: is b0 updated each step, {no_step}?"
            )
        if near(exact[:1], b0[:1]):
            return f"hint: the slopes never moved from init: are they updated each step, {no_step}?"
        return (
            "hint: the coefficients never moved from init: no step was taken "
            "(check the loop's range)"
        )
    for steps in (k - 1, k + 1, k - 2, k + 2):
        if steps >= 0 and near(coef, path[steps]):
            which = "short" if steps < k else "too many"
            return (
                f"hint: coef match the exact iterate after {steps} steps: "
                f"{abs(k - steps)} step(s) {which}; check the loop's range"
            )
    if k and near(coef[:1], b0[:1]) and not near(exact[:1], b0[:1]):
        return "hint: the intercept b0 never moved from init: is b0 updated each step?"
    if k and near(coef[1:], b0[1:]) and not near(exact[1:], b0[1:]):
        return "hint: the slopes never moved from init: are they updated each step?"
    for factor, cause in (
        (pb.n, "the gradient is n times too large: is the loss summed instead of averaged?"),
        (1.0 / pb.n, "the gradient is n times too small: is the loss averaged twice?"),
        (0.5, "the gradient is half the true one: the factor 2 of d/db (y - Xb)^2 is missing"),
        (2.0, "the gradient is twice the true one"),
    ):
        with np.errstate(all="ignore"):
            other = reference.gd_path(pb, None, b0, lr_eff * factor, k)[-1]
        if near(coef, other):
            return f"hint: {cause}"
    other_lr = float(np.float32(lr)) if route.lr_dtype == "float64" else float(lr)
    if other_lr != lr_eff and near(coef, reference.gd_path(pb, None, b0, other_lr, k)[-1]):
        return (
            f"hint: the route steps by {other_lr!r}, i.e. applies lr in "
            f"{'float32' if route.lr_dtype == 'float64' else 'float64'}: declare lr_dtype"
        )
    return ""


# --- gradient routes -----------------------------------------------------------------------


def check_trajectory(route: Route, dataset: Dataset, init, lr: float, k: int) -> None:
    """After k steps the coefficients are the exact k-th gradient-descent iterate, within the
    derived rounding bound; ``fit`` reports k epochs and k losses in the contract's types."""
    name = "check_trajectory"
    replay = _replay(name, dataset, init=init, lr=lr, k=k)
    fit = _fit(name, route, dataset, init, lr, k)
    _check_fit_shape(name, route, dataset, fit, k, replay)
    bound = trajectory_bound(route, dataset.problem, init, lr, k)
    _assert_within(
        name,
        route,
        dataset,
        bound,
        fit.coef,
        oracle=f"{_gd_oracle(route, lr)}, k={k}, init={np.asarray(init).tolist()}",
        replay=replay,
        hint=lambda: _diagnose_trajectory(route, dataset, init, lr, k, fit.coef),
        steps=k,
    )


def _loss_steps(k: int) -> np.ndarray:
    """Every step up to 300, then a geometric selection plus the last."""
    if k <= 300:
        return np.arange(k)
    picks = np.unique(np.geomspace(1, k - 1, 200).astype(int))
    return np.unique(np.concatenate([np.arange(100), picks, [k - 1]]))


def check_loss_history(route: Route, dataset: Dataset, init, lr: float, k: int) -> None:
    """loss_history[j] is the MSE at the exact j-th iterate (the loss *before* step j),
    within the rounding of evaluating it and the iterate's own bound."""
    name = "check_loss_history"
    replay = _replay(name, dataset, init=init, lr=lr, k=k)
    fit = _fit(name, route, dataset, init, lr, k)
    history = fit.loss_history
    if history is None:
        raise CheckNotApplicable(f"{route.name} returns no loss history")
    _check_fit_shape(name, route, dataset, fit, k, replay)
    if k == 0:
        return
    steps = _loss_steps(k)
    exact, allowance = loss_history_bound(route, dataset.problem, init, lr, steps)
    off = np.abs(history[steps] - exact)
    bad = ~(off <= allowance)
    if not bad.any():
        return
    j = int(steps[np.argmax(bad)])
    i = int(np.argmax(bad))
    hint = ""
    pb = dataset.problem
    path = reference.gd_path(pb, None, init, route.effective_lr(lr), k)
    after = reference.mse_extended(pb, None, path[1:])
    if np.allclose(history, after, rtol=1e-4, atol=0):
        hint = "hint: the losses are those after each step: record the loss before the step"
    elif np.allclose(history[steps], exact * pb.n, rtol=1e-4, atol=0):
        hint = "hint: the losses are n times the MSE: sum of squares, not its mean"
    elif np.allclose(history[steps], exact / 2, rtol=1e-4, atol=0):
        hint = "hint: the losses are half the MSE"
    _fail(
        name,
        route,
        f"loss_history[{j}] = {history[j]!r}, but the MSE at the exact iterate b_{j} is "
        f"{exact[i]!r} (|difference| {off[i]:.3g} > allowed {allowance[i]:.3g})",
        dataset,
        replay,
        f"oracle: MSE ||y - X b_j||^2 / n at the {_gd_oracle(route, lr)} (extended precision)",
        f"{int(bad.sum())} of the {steps.size} losses checked are off",
        hint,
    )


def check_convergence(route: Route, dataset: Dataset, init, lr: float, k: int) -> None:
    """||b_k - b*|| <= rho^k ||b_0 - b*|| + rounding, for any lr inside the stable range."""
    name = "check_convergence"
    replay = _replay(name, dataset, init=init, lr=lr, k=k)
    fit = _fit(name, route, dataset, init, lr, k)
    bound = convergence_bound(route, dataset.problem, init, lr, k)
    _assert_within(
        name,
        route,
        dataset,
        bound,
        fit.coef,
        oracle=f"the least-squares solution b* (extended precision); lr={lr!r}, k={k}",
        replay=replay,
    )


def check_float32_coefficients(route: Route, dataset: Dataset, init, lr: float, k: int) -> None:
    """A float32 route's coefficients are float32 numbers: it holds them in float32."""
    name = "check_float32_coefficients"
    fit = _fit(name, route, dataset, init, lr, k)
    as32 = fit.coef.astype(np.float32).astype(np.float64)
    if not np.array_equal(as32, fit.coef):
        _fail(
            name,
            route,
            f"declared dtype float32, but coef {fit.coef.tolist()} are not float32 numbers: "
            "does it compute (or hold its coefficients) in float64? declare dtype='float64' "
            "or cast the data and the coefficients to float32",
            dataset,
            _replay(name, dataset, init=init, lr=lr, k=k),
        )


def check_float32_rounds_data(route: Route, dataset: Dataset, init, lr: float, k: int) -> None:
    """A float32 route sees float64 data as their float32 rounding: the same fit, bit for bit."""
    name = "check_float32_rounds_data"
    fit = _fit(name, route, dataset, init, lr, k)
    x32 = dataset.x.astype(np.float32).astype(np.float64)
    y32 = dataset.y.astype(np.float32).astype(np.float64)
    try:
        rounded = Dataset(x32, y32, f"{dataset.source} rounded to float32")
    except ValueError as exc:  # float32 rounding made the data degenerate: not this check's
        raise InputNotApplicable(f"the float32-rounded data are not fittable: {exc}") from exc
    other = _fit(name, route, rounded, init, lr, k)
    if not np.array_equal(fit.coef, other.coef):
        _fail(
            name,
            route,
            f"float64 data gave {fit.coef.tolist()}, the same data rounded to float32 gave "
            f"{other.coef.tolist()}: a float32 route must cast x and y to float32 first",
            dataset,
            _replay(name, dataset, init=init, lr=lr, k=k),
        )


def check_defaults(route: Route, dataset: Dataset) -> None:
    """fit(x, y) applies the contract's defaults: init (-5, 10) for one predictor (zeros
    otherwise), lr 0.1 and 1000 epochs. The early losses pin the start and the step size
    (a float32 route's last iterate alone cannot tell 1000 epochs of lr 0.1 from 999)."""
    name = "check_defaults"
    replay = _replay(name, dataset)
    fit = _fit(name, route, dataset)
    _check_fit_shape(name, route, dataset, fit, DEFAULT_EPOCHS, replay)
    init = check_init(None, dataset.p)
    bound = trajectory_bound(route, dataset.problem, init, DEFAULT_LR, DEFAULT_EPOCHS)
    _assert_within(
        name,
        route,
        dataset,
        bound,
        fit.coef,
        oracle=f"{_gd_oracle(route, DEFAULT_LR)}, k={DEFAULT_EPOCHS}, init={init.tolist()}",
        replay=replay,
        hint=lambda: _diagnose_trajectory(
            route, dataset, init, DEFAULT_LR, DEFAULT_EPOCHS, fit.coef
        ),
        steps=DEFAULT_EPOCHS,
    )
    if fit.loss_history is None:
        return
    steps = _loss_steps(DEFAULT_EPOCHS)
    exact, allowance = loss_history_bound(route, dataset.problem, init, DEFAULT_LR, steps)
    off = np.abs(fit.loss_history[steps] - exact)
    bad = ~(off <= allowance)
    if bad.any():
        i = int(np.argmax(bad))
        _fail(
            name,
            route,
            f"with the defaults, loss_history[{int(steps[i])}] = {fit.loss_history[steps[i]]!r}"
            f", but the MSE at the exact iterate with init {init.tolist()}, lr {DEFAULT_LR} is "
            f"{exact[i]!r} (|difference| {off[i]:.3g} > allowed {allowance[i]:.3g})",
            dataset,
            replay,
            "hint: a default changed (init, lr) or the losses are recorded differently",
        )


def check_variants_agree(route: Route, dataset: Dataset, init, lr: float, k: int) -> None:
    """Every value of every variant option (e.g. the lecture's loss spellings) gives the
    exact iterate within the same bound."""
    name = "check_variants_agree"
    bound = trajectory_bound(route, dataset.problem, init, lr, k)
    for option, values in route.variants.items():
        for value in values:
            fit = _fit(name, route, dataset, init, lr, k, **{option: value})
            _assert_within(
                name,
                route,
                dataset,
                bound,
                fit.coef,
                oracle=f"{_gd_oracle(route, lr)}, k={k}, with {option}={value!r}",
                replay=_replay(name, dataset, init=init, lr=lr, k=k),
            )


def check_divergence_reported(route: Route, dataset: Dataset, init, lr: float) -> None:
    """A rate above 2/lambda_max raises DivergenceError at the epoch the loss overflows the
    route's dtype (predicted from the exact path), naming the route, lr and the stable rate."""
    name = "check_divergence_reported"
    pb = dataset.problem
    replay = _replay(name, dataset, init=init, lr=lr)
    lo, hi = overflow_window(route, pb, init, lr, 4000)
    if not math.isfinite(hi):
        raise InputNotApplicable("the exact path does not overflow within 4000 epochs")
    epochs = int(hi) + 10
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run overflows
            fit = route.fit(dataset.x, dataset.y, init=init, lr=lr, epochs=epochs)
    except DivergenceError as exc:
        problems = []
        if exc.route != route.name or exc.lr != lr:
            problems.append(f"names route {exc.route!r} and lr {exc.lr!r}")
        if not math.isclose(exc.stable_lr, pb.stable_lr, rel_tol=1e-9):
            problems.append(f"stable lr {exc.stable_lr!r}, not 2/lambda_max = {pb.stable_lr!r}")
        exact_epoch = route.records_loss is not False and route.records_loss is not None
        if exact_epoch and not lo <= exc.epoch <= hi:
            problems.append(
                f"reported at epoch {exc.epoch}; the loss overflows {route.dtype} between "
                f"epochs {lo} and {hi}"
            )
        if problems:
            _fail(name, route, "; ".join(problems), dataset, replay, f"error: {exc}")
        return
    except Exception as exc:
        _fail(
            name,
            route,
            f"raised {type(exc).__name__}: {exc} instead of fitters.DivergenceError",
            dataset,
            replay,
        )
    _fail(
        name,
        route,
        f"returned {fit.coef.tolist()} after {epochs} epochs at lr = "
        f"{lr / pb.stable_lr:.3g} x 2/lambda_max, where the loss overflows {route.dtype} by "
        f"epoch {hi}: a diverging run must raise fitters.DivergenceError",
        dataset,
        replay,
    )


# --- every route ---------------------------------------------------------------------------


def check_repeatable(route: Route, dataset: Dataset, init=None, lr=None, k=None) -> None:
    """Two fits with the same arguments give the same bits, even with another fit between
    them: no state survives a call (a reused Variable, optimizer slot or cache)."""
    name = "check_repeatable"
    first = _fresh_fit(name, route, dataset, init, lr, k)
    other_y = dataset.y[::-1].copy()
    reversed_y = Dataset(dataset.x, other_y, f"{dataset.source} with y reversed")
    with contextlib.suppress(AssertionError, ValueError):  # it only has to run, not to pass
        _fresh_fit(name, route, reversed_y, init, lr, k)
    second = _fresh_fit(name, route, dataset, init, lr, k)
    same_history = (first.loss_history is None and second.loss_history is None) or (
        first.loss_history is not None
        and second.loss_history is not None
        and np.array_equal(first.loss_history, second.loss_history)
    )
    if not (np.array_equal(first.coef, second.coef) and same_history):
        _fail(
            name,
            route,
            f"the same call gave {first.coef.tolist()} and then {second.coef.tolist()}"
            + ("" if same_history else " (and different loss histories)"),
            dataset,
            _replay(name, dataset, init=init, lr=lr, k=k),
            "a route must not keep state between calls (module-level Variables, optimizers,"
            " caches keyed too loosely)",
        )


def check_inputs_unchanged(route: Route, dataset: Dataset, init=None, lr=None, k=None) -> None:
    """fit leaves the caller's x, y and init arrays as they were."""
    name = "check_inputs_unchanged"
    x, y = dataset.x.copy(), dataset.y.copy()
    init_arr = None if init is None else np.array(init, dtype=np.float64)
    kwargs = {"init": init_arr, "lr": lr, "epochs": k} if route.iterative else {}
    try:
        route.fit(x, y, **kwargs)
    except Exception as exc:
        raise AssertionError(
            f"{route.name} failed {name}: fit raised {type(exc).__name__}: {exc}\n"
            f"  {_context(dataset, init, lr, k)}"
        ) from exc
    changed = [
        label
        for label, now, before in (
            ("x", x, dataset.x),
            ("y", y, dataset.y),
            ("init", init_arr, init),
        )
        if before is not None and not np.array_equal(now, np.asarray(before, dtype=now.dtype))
    ]
    if changed:
        _fail(
            name,
            route,
            f"fit modified the caller's {', '.join(changed)} in place",
            dataset,
            _replay(name, dataset, init=init, lr=lr, k=k),
            "work on copies (x = x - x.mean() rather than x -= x.mean())",
        )


# --- closed forms --------------------------------------------------------------------------


def check_closed_form(route: Route, dataset: Dataset) -> None:
    """The closed form equals the least-squares solution within its perturbation bound."""
    name = "check_closed_form"
    replay = _replay(name, dataset)
    fit = _fit(name, route, dataset)
    if fit.epochs != 0 or fit.loss_history is not None:
        _fail(
            name,
            route,
            f"a closed form reports epochs={fit.epochs!r} and loss_history="
            f"{type(fit.loss_history).__name__}; expected 0 and None",
            dataset,
            replay,
        )
    _check_fit_shape(name, route, dataset, fit, 0, replay)
    bound = closed_form_bound(route, dataset.problem)
    _assert_within(
        name,
        route,
        dataset,
        bound,
        fit.coef,
        oracle="the least-squares solution b* (exact and rounded once; extended QR for huge n)",
        replay=replay,
    )


def check_closed_form_ignores_gradient_arguments(route: Route, dataset: Dataset) -> None:
    """A closed form ignores init, lr and epochs: the same answer, bit for bit."""
    name = "check_closed_form_ignores_gradient_arguments"
    plain = _fit(name, route, dataset)
    try:
        other = route.fit(dataset.x, dataset.y, init=np.ones(dataset.p + 1), lr=0.5, epochs=7)
    except Exception as exc:
        _fail(
            name,
            route,
            f"fit(x, y, init=..., lr=0.5, epochs=7) raised {type(exc).__name__}: {exc}",
            dataset,
            _replay(name, dataset),
        )
    if not (np.array_equal(plain.coef, other.coef) and other.epochs == 0):
        _fail(
            name,
            route,
            f"with init/lr/epochs given it returned {other.coef.tolist()} "
            f"(epochs={other.epochs!r}), without them {plain.coef.tolist()}",
            dataset,
            _replay(name, dataset),
        )
