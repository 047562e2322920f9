"""The strategies themselves: they must keep producing valid data and the hard cases.

A strategy that silently stopped producing n in the thousands, exact fits, zero slopes,
duplicated x or poor conditioning would weaken every property check without a sign.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import find, given, settings

from fitters.validation import problem

from .strategies import linear_datasets

REGIONS = {
    "n in the thousands": lambda d: d.n >= 1000,
    "five predictors": lambda d: d.p == 5,
    "zero noise (exact fit)": lambda d: d.noise == 0,
    "zero slope": lambda d: np.any(d.coef_true[1:] == 0),
    "negative slope": lambda d: np.any(d.coef_true[1:] < 0),
    "duplicated x": lambda d: d.layout == "duplicated",
    "poor conditioning (cond >= 100)": lambda d: d.problem.condition_number >= 100,
    "large offset (offset >= 10 x spread)": lambda d: abs(d.offset) >= 10 * d.scale,
}


@pytest.mark.parametrize("region", list(REGIONS))
def test_strategy_reaches(region):
    # find() raises if no example in the budget lands in the region
    find(linear_datasets(), REGIONS[region], settings=settings(max_examples=2000, database=None))


@given(ds=linear_datasets(max_condition=50.0))
def test_datasets_are_valid(ds):
    # every draw passes validation and respects the requested conditioning and shapes
    pb = problem(ds.x, ds.y)
    assert pb.condition_number <= 50.0
    assert ds.x.shape[0] == ds.y.shape[0] == ds.n >= ds.p + 1
    assert np.isfinite(ds.y).all()
    if ds.noise == 0:  # exact fits really are exact, up to the rounding of y's construction
        resid = np.abs(ds.y - ds.problem.design @ ds.coef_true).max()
        assert (
            resid
            <= 4 * np.finfo(float).eps * (np.abs(ds.problem.design) @ np.abs(ds.coef_true)).max()
        )
