"""The lecture's one-parameter warm-up (fitters.toy) against its exact iterate, on drawn
starting points, rates and step counts (the printed numbers are in test_golden.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fitters
from fitters import compat
from fitters.tolerances import toy_bound


@pytest.mark.parametrize("how", ["apply_gradients", "minimize"])
@settings(max_examples=max(4, settings().max_examples // 2), deadline=None)
@given(
    beta=st.floats(-20.0, 20.0),
    # stable for lr < 4 (the curvature is 1/2); near 4 the iterates oscillate
    lr=st.floats(1e-3, 3.9),
    steps=st.integers(0, 40),
)
def test_toy_follows_the_exact_iterate(how, beta, lr, steps):
    if (reason := compat.missing(fitters.toy.NEEDS[how])) is not None:
        pytest.skip(reason)
    got = getattr(fitters.toy, how)(steps=steps, beta=beta, lr=lr)
    assert isinstance(got, float) and np.float32(got) == got  # a float32 value, as a float
    bound = toy_bound(beta, lr, steps)
    err = bound.error([got])
    assert err <= bound.max_l2_error, (
        f"toy.{how}(steps={steps}, beta={beta!r}, lr={lr!r}) = {got!r}: {err:.3g} from "
        f"the exact {bound.expected[0]!r} > {bound.max_l2_error:.3g} ({bound.formula})"
    )
