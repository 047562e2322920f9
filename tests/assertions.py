"""The one comparison every check makes: a route's coefficients against a derived Bound."""

from __future__ import annotations

import numpy as np

from fitters.route_type import Route
from fitters.tolerances import Bound

from .strategies import LinearDataset


def assert_within(
    route: Route, check: str, ds: LinearDataset, bound: Bound, coef, **context
) -> None:
    """Fail with everything a reader needs: route, check, n, p, cond(X), bound, error."""
    err = bound.error(coef)
    if not err <= bound.max_l2_error:  # also catches NaN
        extra = " ".join(f"{k}={v}" for k, v in context.items())
        raise AssertionError(
            f"{route.name} failed {check}: ||coef - expected|| = {err:.3g} "
            f"> bound {bound.max_l2_error:.3g} "
            f"({bound.formula}); data: {ds.describe()} {extra}\n"
            f"  coef     = {np.array2string(np.asarray(coef), precision=12)}\n"
            f"  expected = {np.array2string(bound.expected, precision=12)}"
        )
