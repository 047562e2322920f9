"""Every route x every applicable check, on Hypothesis data sets (scikit-learn style ids).

``pytest -k check_trajectory`` runs one check over all routes; ``pytest -k tape_scalar``
all checks of one route. Slow routes (Keras fit) draw a quarter of the examples.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fitters

from .checks import yield_checks


def _cases():
    for route in fitters.ROUTES.values():
        for check in yield_checks(route):
            yield pytest.param(
                route, check, id=f"{route.name}-{check.__name__}(dtype={route.dtype})"
            )


def run_check(route, check, *, examples_scale: float = 1.0, **overrides) -> None:
    """Run one check as its own Hypothesis test, scaled for the route's cost."""
    base = settings()
    scale = examples_scale * (0.25 if route.slow else 1.0)
    config = settings(base, max_examples=max(2, int(base.max_examples * scale)), **overrides)

    @config
    @given(data=st.data())
    def inner(data):
        check(route, data)

    inner.hypothesis.inner_test.__qualname__ = f"{route.name}.{check.__name__}"
    inner()


@pytest.mark.parametrize(("route", "check"), list(_cases()))
def test_route_check(route, check):
    run_check(route, check)
