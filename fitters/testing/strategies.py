"""Hypothesis strategies: the one place every check and test draws its inputs from.

Distribution (what is explored):
- p from 1 to 5 for routes with any p, 1 for one-predictor routes; n from p+1, mostly up to
  64 (where float32 bounds are tightest, so the checks are most sensitive) and up to 2000;
- x = offset + scale * base, base an even grid, uniform noise, or a few distinct values
  repeated (duplicated x); offset and scale move cond(X) from ideal to poor;
- true coefficients 0 or 1e-3 <= |c| <= 10, zero and negative slopes included; noise 0
  (exact fits) or in [1e-3, 2]; bulk values come from ``make_dataset``'s seeded generator, so
  n in the thousands stays cheap and every draw has a replayable recipe.

Deliberately excluded (and why):
- cond(X) above ``fitters.tolerances.MAX_CONDITION[dtype]``: gradient descent needs about
  cond(X)^2 steps and a float32 fixed point sits ~u32 cond(X)^2 |b| from b*, so larger
  values test only that nothing converges; ill-conditioning has its own strategy below;
- coefficient magnitudes in (0, 1e-3): they underflow float32 (y ~ 1e-243 squared is 0 even
  in float64), where rounding stops being relative: an underflow test, not an agreement test;
- singular designs (constant or collinear x): validation rejects them, tested there.

The per-check input strategies at the end (``iteration_inputs`` ...) size the epochs by the
route's metadata: ``cheap_epochs`` routes (a compiled loop) draw thousands as well, so loop
boundaries such as the compiled core's chunk of 4096 epochs are crossed. ``slow`` routes
(a large fixed cost per fit) draw fewer examples, half of them runs of up to 8 epochs (where
an error made in one step still shows) and half up to ``short`` (where an error that grows
with the epochs shows).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from ..problem import Problem
from ..route_type import Route
from ..tolerances import MAX_CONDITION, MAX_CONDITION_CLOSED_FORM
from ..validation import problem
from .datasets import LAYOUTS, Dataset, make_dataset

__all__ = [
    "IllConditionedDataset",
    "closed_form_inputs",
    "coefficients",
    "convergence_inputs",
    "default_inputs",
    "divergence_inputs",
    "epochs_for",
    "ill_conditioned_datasets",
    "initial_coefficients",
    "iteration_inputs",
    "linear_datasets",
    "noise_levels",
    "stable_learning_rates",
    "unstable_learning_rates",
]

#: 0 exactly, or 1e-3 <= |c| <= 10 (see the module docstring); the lecture's scale is 1..10
coefficients = st.one_of(
    st.just(0.0),
    st.builds(
        lambda magnitude, sign: sign * magnitude,
        st.floats(1e-3, 10),
        st.sampled_from([-1.0, 1.0]),
    ),
    st.sampled_from([-4.0, -1.0, 1.0, 2.5, 4.0]),
)
noise_levels = st.one_of(st.just(0.0), st.floats(1e-3, 2.0))

#: most draws stay at or below this n, where float32 rounding bounds are tightest
SMALL_N = 64


@st.composite
def linear_datasets(
    draw,
    *,
    min_p: int = 1,
    max_p: int = 5,
    max_n: int = 2000,
    max_condition: float = 1e3,
    scales=(1.0, 0.1, 3.0, 10.0),
    max_log10_offset: float | None = None,
) -> Dataset:
    """A valid, identifiable linear data set with cond(X) <= max_condition.

    The x offset is 0 or uniform in [-50, 50]; ``max_log10_offset`` adds offsets of
    magnitude 10^U(0, max_log10_offset) (far from the origin relative to the spread).
    """
    p = draw(st.integers(min_p, max_p), label="p")
    small = min(max_n, max(SMALL_N, p + 1))
    n = draw(st.one_of(st.integers(p + 1, small), st.integers(p + 1, max_n)), label="n")
    layout = draw(st.sampled_from(LAYOUTS), label="x layout")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    distinct = draw(st.integers(2, max(2, min(n, 8))), label="distinct x values")
    offsets = [st.just(0.0), st.floats(-50, 50)]
    if max_log10_offset is not None:
        offsets.append(
            st.builds(
                lambda e, sign: sign * 10.0**e,
                st.floats(0.0, max_log10_offset),
                st.sampled_from([-1.0, 1.0]),
            )
        )
    offset = draw(st.one_of(*offsets), label="x offset")
    scale = draw(st.sampled_from(scales), label="x scale")
    coef = tuple(draw(st.lists(coefficients, min_size=p + 1, max_size=p + 1), label="coef"))
    noise = draw(noise_levels, label="noise sigma")
    try:
        ds = make_dataset(
            p=p,
            n=n,
            layout=layout,
            seed=seed,
            offset=offset,
            scale=scale,
            coef=coef,
            noise=noise,
            distinct=distinct,
        )
    except ValueError:  # constant or collinear draw (duplicated layout, tiny n): not ours
        assume(False)
    assume(ds.problem.condition_number <= max_condition)
    return ds


def initial_coefficients(p: int):
    """Starting points b_0 of length p + 1, from the same magnitudes as ``coefficients``.

    Tiny starting values (Hypothesis likes 1e-80) would make the float32 loss underflow to 0
    at the first step, outside every relative rounding bound: see ``coefficients``.
    """
    return st.lists(coefficients, min_size=p + 1, max_size=p + 1).map(np.array)


def stable_learning_rates(pb: Problem, *, min_fraction: float = 0.05, max_fraction: float = 0.95):
    """lr = f * 2/lambda_max(H) for f in [min_fraction, max_fraction]: inside the stable range.

    The edges are excluded: f -> 0 makes no progress and f -> 1 makes rho -> 1 along the top
    eigenvector, both of which only slow a check without testing anything new.
    """
    return st.floats(min_fraction, max_fraction).map(lambda f: f * pb.stable_lr)


def unstable_learning_rates(pb: Problem, *, min_factor: float = 1.05, max_factor: float = 3.0):
    """lr = f * 2/lambda_max(H) for f in [min_factor, max_factor]: above the stable bound.

    Along the top eigenvector the error then grows by rho = 2f - 1 >= 1.1 per step. The
    margin f >= 1.05 is deliberate: as f -> 1, rho -> 1 and the iterates neither converge
    nor visibly diverge within any affordable number of epochs.
    """
    return st.floats(min_factor, max_factor).map(lambda f: f * pb.stable_lr)


@dataclass(frozen=True)
class IllConditionedDataset:
    """A drawn ill-conditioned data set: an offset in x, or nearly collinear predictors.

    level: the offset over the spread of x ("offset"), or the size of the independent part
    of the last predictor ("collinear"; the sine of its angle to the span of the others).
    """

    x: np.ndarray
    y: np.ndarray
    kind: str
    level: float
    problem: Problem = field(repr=False, compare=False)

    @property
    def n(self) -> int:
        return self.problem.n

    @property
    def p(self) -> int:
        return self.problem.p

    def describe(self) -> str:
        pb = self.problem
        return (
            f"{self.kind} level={self.level:.3g} n={pb.n} p={pb.p} "
            f"cond(X)={pb.condition_number:.3g} cond(XS)={pb.scaled_condition_number:.3g}"
        )


@st.composite
def ill_conditioned_datasets(
    draw, *, kinds=("offset", "collinear"), max_n: int = 40, max_log10_offset: float = 8.0
) -> IllConditionedDataset:
    """Hard but identifiable data sets, small enough for an exact rational solve.

    - "offset": x = spread * (offset + u), u ~ U(0, 1), offset in [1, 10^max_log10_offset],
      spread in {1e-3, 1, 1e3}: cond(X) ~ offset^2, cond(XS) ~ offset.
    - "collinear": p in {2, 3}; the last predictor is a fixed combination of the others
      plus level * N(0, 1), level in [1e-8, 1e-1]: cond(XS) ~ 1 / level.
    Draws that validation rejects as exactly collinear (the independent part lost to
    rounding) are excluded: they belong to the validation tests.
    """
    kind = draw(st.sampled_from(kinds), label="kind")
    n = draw(st.integers(4, max_n), label="n")
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed"))
    if kind == "offset":
        level = 10 ** draw(st.floats(0.0, max_log10_offset), label="log10 offset")
        spread = draw(st.sampled_from([1.0, 1e-3, 1e3]), label="spread")
        x = spread * (level + rng.uniform(0.0, 1.0, size=n))
    else:
        p = draw(st.integers(2, 3), label="p")
        level = 10 ** draw(st.floats(-8.0, -1.0), label="log10 collinearity")
        base = rng.uniform(-1.0, 1.0, size=(n, p - 1))
        weights = rng.uniform(0.5, 2.0, size=p - 1)
        x = np.column_stack([base, base @ weights + level * rng.standard_normal(n)])
    coef = np.array(draw(st.lists(coefficients, min_size=2, max_size=4), label="coef"))
    p_all = 1 if x.ndim == 1 else x.shape[1]
    coef = np.resize(coef, p_all + 1)
    # coefficients near float64's underflow make y subnormal, where relative precision (and
    # every rounding bound) is lost: that is not ill-conditioning, so it is excluded
    assume(np.all((coef == 0) | (np.abs(coef) > 1e-290)))
    noise = draw(noise_levels, label="noise sigma")
    fitted = coef[0] + (coef[1] * x if x.ndim == 1 else x @ coef[1:])
    y = fitted + noise * rng.standard_normal(n)
    try:
        pb = problem(x, y)
    except ValueError:  # collinear to rounding (validation's job) or a constant draw
        assume(False)
    return IllConditionedDataset(x, y, kind, level, pb)


# --- what each check draws, by the route's metadata ------------------------------------

#: the compiled core runs CHUNK epochs per XLA call; cheap routes draw past several chunks
CHEAP_MAX_EPOCHS = 3 * 4096 + 5


def epochs_for(route: Route, *, short: int = 60) -> st.SearchStrategy[int]:
    """Epochs a check runs: up to ``short``, and for routes with ``cheap_epochs`` also runs
    long enough to cross loop boundaries (chunking). Slow routes, drawing few examples, mix
    in short runs: an error made in one step is contracted away by many more."""
    if route.slow:
        return st.one_of(st.integers(0, 8), st.integers(0, short))
    if route.cheap_epochs:
        return st.one_of(st.integers(0, short), st.integers(short, CHEAP_MAX_EPOCHS))
    return st.integers(0, short)


def _datasets_for(route: Route, **kwargs) -> st.SearchStrategy[Dataset]:
    kwargs.setdefault("max_p", route.max_predictors or 5)
    kwargs.setdefault("max_condition", MAX_CONDITION[route.dtype])
    return linear_datasets(**kwargs)


def _init(draw, ds: Dataset) -> np.ndarray:
    """The contract's default init, or a drawn one (zeros included)."""
    if draw(st.booleans(), label="default init"):
        return np.array([-5.0, 10.0]) if ds.p == 1 else np.zeros(ds.p + 1)
    return draw(initial_coefficients(ds.p), label="init")


@st.composite
def iteration_inputs(draw, route: Route) -> dict:
    """{dataset, init, lr, k}: k steps from init at a stable rate (trajectory-type checks)."""
    ds = draw(_datasets_for(route), label="dataset")
    init = _init(draw, ds)
    lr = draw(stable_learning_rates(ds.problem), label="lr")
    k = draw(epochs_for(route), label="k")
    return {"dataset": ds, "init": init, "lr": lr, "k": k}


@st.composite
def convergence_inputs(draw, route: Route) -> dict:
    """{dataset, init, lr, k}: a well-conditioned set and a brisk rate, enough steps to
    contract visibly (cond(X) <= 10, lr >= 0.3 * 2/lambda_max)."""
    ds = draw(_datasets_for(route, max_condition=10.0), label="dataset")
    init = _init(draw, ds)
    lr = draw(stable_learning_rates(ds.problem, min_fraction=0.3), label="lr")
    k = draw(st.integers(25, 100), label="k")
    return {"dataset": ds, "init": init, "lr": lr, "k": k}


@st.composite
def default_inputs(draw, route: Route) -> dict:
    """{dataset}: data on which the contract's defaults (lr 0.1, 1000 epochs) are stable and
    still moving after 1000 epochs (rho(0.1)^1000 >= 1e-6), so that one epoch more or less,
    or another default init, shows in the answer.

    Predictors on the lecture's scale (|x| <= 1 before an offset) keep 2/lambda_max above
    0.1 for p <= 2; draws where it is not, or where GD has long converged, are excluded.
    """

    def informative(d: Dataset) -> bool:
        lam = d.problem.hessian_eigenvalues
        rho = float(np.max(np.abs(1.0 - 0.1 * lam)))
        return 0.95 * d.problem.stable_lr > 0.1 and rho**1000 >= 1e-6

    ds = draw(
        linear_datasets(
            max_p=min(route.max_predictors or 2, 2),
            max_n=400,
            max_condition=MAX_CONDITION[route.dtype],
            scales=(1.0, 0.5),
        ).filter(informative),
        label="dataset",
    )
    return {"dataset": ds}


@st.composite
def divergence_inputs(draw, route: Route) -> dict:
    """{dataset, init, lr}: a rate 3 to 6 times the stable bound, so the loss overflows the
    route's dtype within a few hundred epochs (rho >= 5), from a start away from b*."""
    ds = draw(_datasets_for(route, max_p=min(route.max_predictors or 3, 3), max_n=200))
    init = _init(draw, ds)
    star = ds.coef_true if ds.noise == 0 else None
    assume(star is None or not np.allclose(init, star))  # at b* itself nothing grows
    factor = draw(st.floats(3.0, 6.0), label="lr / (2/lambda_max)")
    return {"dataset": ds, "init": init, "lr": factor * ds.problem.stable_lr}


@st.composite
def closed_form_inputs(draw, route: Route) -> dict:
    """{dataset}: any data set in the closed forms' conditioning range, x offsets up to 10^4
    (where an algorithm's sums of raw values and of centred ones part ways)."""
    ds = _datasets_for(
        route, max_condition=MAX_CONDITION_CLOSED_FORM[route.dtype], max_log10_offset=4.0
    )
    return {"dataset": draw(ds, label="dataset")}
