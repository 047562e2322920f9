"""The strategies themselves: they must keep producing valid data, the hard cases and every
implementation boundary the routes have (docs/power.md lists them).

A strategy that silently stopped producing n in the thousands, exact fits, zero slopes,
duplicated x, poor conditioning, zero epochs or runs past the compiled core's chunk would
weaken every check without a sign; each ``find`` below fails if the region is not reached.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

import fitters
from fitters.routes.compiled import CHUNK
from fitters.testing import strategies as S
from fitters.validation import problem

REGIONS = {
    "n in the thousands": lambda d: d.n >= 1000,
    "n at its minimum, p + 1": lambda d: d.n == d.p + 1,
    "one predictor": lambda d: d.p == 1,
    "two predictors": lambda d: d.p == 2,
    "five predictors": lambda d: d.p == 5,
    "zero noise (exact fit)": lambda d: d.noise == 0,
    "zero slope": lambda d: np.any(d.coef_true[1:] == 0),
    "negative slope": lambda d: np.any(d.coef_true[1:] < 0),
    "zero intercept": lambda d: d.coef_true[0] == 0,
    "duplicated x": lambda d: "duplicated" in d.source,
    "poor conditioning (cond >= 100)": lambda d: d.problem.condition_number >= 100,
    "large offset (|mean x| >= 10 x spread)": lambda d: bool(
        np.all(np.abs(d.problem.x.mean(axis=0)) >= 10 * d.problem.x.std(axis=0))
    ),
}

#: generation only: find() returns the first example in the region instead of shrinking it
CONFIG = settings(max_examples=2000, database=None, phases=[Phase.generate])


@pytest.mark.parametrize("region", list(REGIONS))
def test_strategy_reaches(region):
    # find() raises if no example in the budget lands in the region
    find(S.linear_datasets(), REGIONS[region], settings=CONFIG)


ITERATION_REGIONS = {
    # (route, what the inputs must reach)
    "zero epochs (epochs = 0 returns init)": ("tape_vector", lambda i: i["k"] == 0),
    "one epoch": ("tape_vector", lambda i: i["k"] == 1),
    "default init, one predictor": (
        "tape_vector",
        lambda i: i["dataset"].p == 1 and list(i["init"]) == [-5.0, 10.0],
    ),
    "default init, several predictors (zeros)": (
        "tape_vector",
        lambda i: i["dataset"].p > 1 and not np.any(i["init"]),
    ),
    "drawn init": ("tape_vector", lambda i: list(i["init"]) not in ([-5.0, 10.0],)),
    "lr near the stable limit (>= 0.9 x 2/lambda_max)": (
        "tape_vector",
        lambda i: i["lr"] >= 0.9 * i["dataset"].problem.stable_lr,
    ),
    "lr far below the stable limit (<= 0.1 x 2/lambda_max)": (
        "tape_vector",
        lambda i: i["lr"] <= 0.1 * i["dataset"].problem.stable_lr,
    ),
    "vector route: five predictors": ("analytic_gradient", lambda i: i["dataset"].p == 5),
    "scalar route: n in the hundreds": ("tape_scalar", lambda i: i["dataset"].n >= 200),
    "compiled core: more epochs than one chunk": ("compiled_core", lambda i: i["k"] > CHUNK),
    "compiled core: more than two chunks": ("compiled_core", lambda i: i["k"] > 2 * CHUNK),
    "compiled core: several predictors (matmul moments)": (
        "compiled_core",
        lambda i: i["dataset"].p >= 2,
    ),
    "compiled core: one predictor (einsum moments)": (
        "compiled_core",
        lambda i: i["dataset"].p == 1,
    ),
    "Keras route: several epochs": ("keras_sequential", lambda i: i["k"] >= 5),
    # a perturbation growing slowly with the epochs needs long runs on the Keras routes too
    "Keras route: fifty epochs or more": ("keras_dense_bias", lambda i: i["k"] >= 50),
    "Keras route: zero epochs (fit is not called)": ("keras_sequential", lambda i: i["k"] == 0),
    "Keras route: several predictors": ("keras_dense_bias", lambda i: i["dataset"].p >= 2),
}


@pytest.mark.parametrize("region", list(ITERATION_REGIONS))
def test_iteration_inputs_reach(region):
    # the per-route input strategy crosses each boundary the route's code has
    name, predicate = ITERATION_REGIONS[region]
    find(S.iteration_inputs(fitters.ROUTES[name]), predicate, settings=CONFIG)


def _offset_over_spread(ds) -> float:
    x = ds.problem.x[:, 0]
    return abs(float(np.mean(x))) / float(np.std(x))


@pytest.mark.parametrize("name", ["closed_form_scalar"])
def test_closed_form_inputs_reach_x_far_from_the_origin(name):
    # x's mean 300 standard deviations from 0: where centred and raw sums part ways
    strategy = S.closed_form_inputs(fitters.ROUTES[name])
    find(strategy, lambda i: _offset_over_spread(i["dataset"]) > 300, settings=CONFIG)


def test_default_inputs_reach_one_and_two_predictors():
    # check_defaults sees both default inits: (-5, 10) for p = 1 and zeros for p = 2
    strategy = S.default_inputs(fitters.ROUTES["compiled_core"])
    find(strategy, lambda i: i["dataset"].p == 1, settings=CONFIG)
    find(strategy, lambda i: i["dataset"].p == 2, settings=CONFIG)


@given(data=st.data())
def test_default_inputs_make_the_defaults_stable(data):
    # the contract's lr = 0.1 lies inside the stable range of every default-check data set
    inputs = data.draw(S.default_inputs(fitters.ROUTES["compiled_core"]))
    assert inputs["dataset"].problem.stable_lr > 0.1


@given(data=st.data())
def test_divergence_inputs_are_unstable(data):
    # check_divergence_reported's rates are 3 to 6 times the stable bound
    inputs = data.draw(S.divergence_inputs(fitters.ROUTES["tape_vector"]))
    ratio = inputs["lr"] / inputs["dataset"].problem.stable_lr
    u = np.finfo(np.float64).eps / 2  # two roundings: lr = f * s, then lr / s
    assert 3.0 * (1 - 2 * u) <= ratio <= 6.0 * (1 + 2 * u)


@given(ds=S.linear_datasets(max_condition=50.0))
def test_datasets_are_valid_and_replayable(ds):
    # every draw passes validation, respects the conditioning, and its recipe rebuilds it
    pb = problem(ds.x, ds.y)
    assert pb.condition_number <= 50.0
    assert ds.x.shape[0] == ds.y.shape[0] == ds.n >= ds.p + 1
    assert np.isfinite(ds.y).all()
    rebuilt = eval(ds.source, {"make_dataset": fitters.testing.make_dataset})
    np.testing.assert_array_equal(rebuilt.x, ds.x)
    np.testing.assert_array_equal(rebuilt.y, ds.y)
    if ds.noise == 0:  # exact fits really are exact, up to the rounding of y's construction
        resid = np.abs(ds.y - ds.problem.design @ ds.coef_true).max()
        assert (
            resid
            <= 4 * np.finfo(float).eps * (np.abs(ds.problem.design) @ np.abs(ds.coef_true)).max()
        )


def test_unstable_rate_strategy_stays_above_the_bound():
    # the divergence tests' rates are all beyond the bound by the documented margin
    pb = problem(*fitters.lecture_dataset())

    @given(lr=S.unstable_learning_rates(pb))
    def inner(lr):
        assert 1.05 * pb.stable_lr <= lr <= 3.0 * pb.stable_lr

    inner()


@pytest.mark.slow  # two fresh processes that import the whole package: ~13 s
def test_load_package_fixes_the_draws_of_a_derandomized_profile():
    # Hypothesis mixes the constants of the loaded local modules into its draws: a process
    # that loads a module of the package first (as `python -m fitters` or a lazy import does)
    # must draw what a process that did not draws, once both have called load_package
    # (without it these two draw differently: tried)
    import subprocess
    import sys

    script = (
        "import sys\n"
        "if sys.argv[1] == 'cli': import fitters.cli\n"
        "from fitters.testing.profiles import load_package\n"
        "load_package()\n"
        "from hypothesis import given, settings, strategies as st\n"
        "seen = []\n"
        "@settings(max_examples=30, derandomize=True, database=None)\n"
        "@given(st.floats(-1e3, 1e3), st.integers(0, 10**6))\n"
        "def draw(a, b):\n"
        "    seen.append((a, b))\n"
        "draw()\n"
        "print(seen)\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, first], capture_output=True, text=True, check=True
        ).stdout
        for first in ("plain", "cli")
    ]
    assert runs[0] == runs[1]
