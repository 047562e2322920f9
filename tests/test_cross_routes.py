"""Routes that compute the same arithmetic agree with each other step for step.

On one drawn data set (p = 1, so every route applies) every iterative route runs the same k
steps; any two must agree within the sum of their bounds against the shared oracle, so a
float32 route agrees with its float64 twin to float32 resolution and float64 routes agree
to float64 resolution. The closed forms agree likewise.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import fitters
from fitters.testing import strategies as S
from fitters.tolerances import MAX_CONDITION, closed_form_bound, trajectory_bound

ITERATIVE = [r for r in fitters.ROUTES.values() if r.iterative and r.unavailable is None]
CLOSED = [r for r in fitters.ROUTES.values() if not r.iterative]


def _assert_pairwise(results, ds, what):
    for (a, (ca, ba)), (b, (cb, bb)) in itertools.combinations(results.items(), 2):
        gap = float(np.linalg.norm(ca - cb))
        gap_oracles = float(np.linalg.norm(ba.expected - bb.expected))
        allowed = ba.max_l2_error + bb.max_l2_error + gap_oracles
        assert gap <= allowed, f"{a} vs {b} ({what}): {gap:.3g} > {allowed:.3g}; {ds.describe()}"


@settings(max_examples=max(2, settings().max_examples // 4))
@given(data=st.data())
def test_iterative_routes_agree_step_for_step(data):
    # all gradient routes, same data, init, lr and k: pairwise within their bounds
    ds = data.draw(
        S.linear_datasets(max_p=1, max_condition=MAX_CONDITION["float32"]), label="dataset"
    )
    init = data.draw(S.initial_coefficients(1), label="init")
    lr = data.draw(S.stable_learning_rates(ds.problem), label="lr")
    k = data.draw(st.integers(1, 6), label="k")
    results = {
        r.name: (
            r.fit(ds.x, ds.y, init=init, lr=lr, epochs=k).coef,
            trajectory_bound(r, ds.problem, init, lr, k),
        )
        for r in ITERATIVE
    }
    _assert_pairwise(results, ds, f"k={k} lr={lr:.4g}")


@given(ds=S.linear_datasets(max_p=1))
def test_closed_forms_agree(ds):
    # the three closed forms agree within the sum of their perturbation bounds
    results = {r.name: (r.fit(ds.x, ds.y).coef, closed_form_bound(r, ds.problem)) for r in CLOSED}
    _assert_pairwise(results, ds, "closed form")
