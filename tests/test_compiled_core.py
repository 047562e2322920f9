"""What the fastest route must keep while being fast: its loop boundaries, checked exactly.

``compiled_core`` buys its speed with a different loop (second moments, chunks of CHUNK
epochs in one XLA program, a vectorized loss log). Its property checks already draw runs
across chunks (``fitters.testing.strategies.epochs_for``); these pin the boundaries
themselves on the lecture's data: epochs at, just below and just above each chunk, the
losses at every boundary, both branches of the moments (p = 1 and p > 1), divergence caught
in the middle of a later chunk, and one trace per p, never per call.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import fitters
from fitters.routes import compiled
from fitters.tolerances import loss_history_bound, overflow_window, trajectory_bound
from fitters.validation import problem

ROUTE = fitters.ROUTES["compiled_core"]
LECTURE = problem(*fitters.lecture_dataset())
INIT = np.array([-5.0, 10.0])
C = compiled.CHUNK


@pytest.mark.parametrize("epochs", [C - 1, C, C + 1, 2 * C, 2 * C + 3])
def test_chunk_boundaries(epochs: int) -> None:
    # the iterate after epochs at and around each chunk boundary, and every boundary's loss
    fit = ROUTE.fit_problem(LECTURE, epochs=epochs)
    assert fit.epochs == epochs and fit.loss_history.shape == (epochs,)
    bound = trajectory_bound(ROUTE, LECTURE, INIT, 0.1, epochs)
    assert bound.holds(fit.coef), (epochs, bound.error(fit.coef), bound.max_l2_error)
    steps = [k for k in (0, 1, C - 1, C, C + 1, 2 * C - 1, 2 * C, epochs - 1) if k < epochs]
    exact, allowed = loss_history_bound(ROUTE, LECTURE, INIT, 0.1, steps)
    off = np.abs(fit.loss_history[steps] - exact)
    assert np.all(off <= allowed), dict(zip(steps, off / allowed, strict=True))


def test_several_predictors_take_the_matmul_branch() -> None:
    # p = 3 takes the BLAS branch of second_moments and a separate trace
    rng = np.random.default_rng(5)
    x = rng.standard_normal((500, 3))
    y = 1.0 + x @ np.array([2.0, -1.0, 0.5]) + 0.1 * rng.standard_normal(500)
    pb = problem(x, y)
    fit = ROUTE.fit(x, y, lr=0.2, epochs=C + 7)
    bound = trajectory_bound(ROUTE, pb, np.zeros(4), 0.2, C + 7)
    assert bound.holds(fit.coef), (bound.error(fit.coef), bound.max_l2_error)


@pytest.mark.parametrize("factor", [1.03, 10.0], ids=["slow-divergence", "fast-divergence"])
def test_divergence_caught_at_the_overflow_epoch(factor: float) -> None:
    # lr above 2/lambda_max: DivergenceError at the epoch the loss overflows float64, also
    # when that epoch lies in a later chunk
    lr = factor * LECTURE.stable_lr
    lo, hi = overflow_window(ROUTE, LECTURE, INIT, lr, 4 * C)
    assert math.isfinite(hi), (lo, hi)
    with pytest.raises(fitters.DivergenceError) as caught:
        ROUTE.fit_problem(LECTURE, lr=lr, epochs=3 * C)
    assert lo <= caught.value.epoch <= hi, (caught.value.epoch, lo, hi)
    if factor < 2:
        assert caught.value.epoch > C, "slow divergence should cross a chunk"


def test_program_traced_once_per_p() -> None:
    # new n, lr, init and epoch counts reuse the traced XLA program: no retracing per call
    x, y = fitters.lecture_dataset()
    ROUTE.fit(x, y, epochs=3)
    before = compiled._gd_chunk.experimental_get_tracing_count()
    for n, lr, epochs in [(50, 0.05, 1), (200, 0.3, 17), (1000, 0.1, C + 1)]:
        xs = np.linspace(-1.0, 2.0, n)
        ROUTE.fit(xs, 1.0 + 3.0 * xs, init=(lr, -lr), lr=lr, epochs=epochs)
    assert compiled._gd_chunk.experimental_get_tracing_count() == before
