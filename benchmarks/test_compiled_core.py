"""What the benchmarks' fastest route must keep while being fast (run in the default pytest).

``compiled_core`` buys its speed with a different loop (second moments, chunks of CHUNK
epochs in one XLA program, a vectorized loss log); these checks pin that the speed costs
nothing: the float64 iterate and loss match the closed-form GD oracle, divergence is caught
at the same epoch as a plain loop would catch it, across chunk boundaries, and the XLA
program is traced once per p, never per call.
"""

from __future__ import annotations

import numpy as np
import pytest

import fitters
from fitters import reference
from fitters.routes import compiled
from fitters.validation import problem

from . import baselines

ROUTE = fitters.ROUTES["compiled_core"]
#: float64 GD on the lecture data (cond(X) ~ 4, contraction ~0.98) stays within a few
#: hundred ulps of the exact iterate; 1e-12 is the bar the route was specified against
ATOL = 1e-12


def test_lecture_iterate_matches_oracle() -> None:
    # 1000 epochs from (-5, 10) at lr 0.1: the exact k-th GD iterate, to ~1e-12
    x, y = fitters.lecture_dataset()
    fit = ROUTE.fit(x, y)
    expected = reference.gd_iterate(x, y, (-5.0, 10.0), 0.1, 1000)
    np.testing.assert_allclose(fit.coef, expected, rtol=0, atol=ATOL)


def test_chunk_boundaries_and_loss_history() -> None:
    # epochs spanning several XLA calls: iterate and every logged loss match the oracle
    x, y = fitters.lecture_dataset()
    pb = problem(x, y)
    epochs = 2 * compiled.CHUNK + 3
    fit = ROUTE.fit_problem(pb, epochs=epochs)
    assert fit.loss_history.shape == (epochs,)
    for k in (0, 1, compiled.CHUNK - 1, compiled.CHUNK, compiled.CHUNK + 1, epochs - 1):
        b_k = reference.gd_iterate(pb, None, (-5.0, 10.0), 0.1, k)
        expected = reference.mse(pb, None, b_k)
        assert fit.loss_history[k] == pytest.approx(expected, rel=1e-12), f"loss at epoch {k}"
    expected = reference.gd_iterate(pb, None, (-5.0, 10.0), 0.1, epochs)
    np.testing.assert_allclose(fit.coef, expected, rtol=0, atol=ATOL)


def test_several_predictors_match_oracle() -> None:
    # p = 3 takes the BLAS branch of second_moments and a separate trace
    rng = np.random.default_rng(5)
    x = rng.standard_normal((500, 3))
    y = 1.0 + x @ np.array([2.0, -1.0, 0.5]) + 0.1 * rng.standard_normal(500)
    fit = ROUTE.fit(x, y, lr=0.2, epochs=300)
    expected = reference.gd_iterate(x, y, np.zeros(4), 0.2, 300)
    np.testing.assert_allclose(fit.coef, expected, rtol=0, atol=ATOL)


@pytest.mark.parametrize("factor", [1.03, 10.0], ids=["slow-divergence", "fast-divergence"])
def test_divergence_caught_at_the_loops_epoch(factor: float) -> None:
    # lr above 2/lambda_max: DivergenceError at the epoch a plain float64 loop overflows
    x, y = fitters.lecture_dataset()
    pb = problem(x, y)
    lr = factor * pb.stable_lr
    epochs = 3 * compiled.CHUNK
    with pytest.raises(fitters.DivergenceError) as caught:
        ROUTE.fit_problem(pb, lr=lr, epochs=epochs)
    with pytest.raises(baselines.Diverged) as plain, np.errstate(over="ignore", invalid="ignore"):
        baselines.numpy_gd_moments(x, y, np.array([-5.0, 10.0]), lr, epochs)
    plain_epoch = plain.value.epoch
    # the overflow epoch may differ by one: XLA may fuse the products differently
    assert abs(caught.value.epoch - plain_epoch) <= 1, (caught.value.epoch, plain_epoch)
    if factor < 2:
        assert caught.value.epoch > compiled.CHUNK, "slow divergence should cross a chunk"


def test_program_traced_once_per_p() -> None:
    # new n, lr, init and epoch counts reuse the traced XLA program: no retracing per call
    x, y = fitters.lecture_dataset()
    ROUTE.fit(x, y, epochs=3)
    before = compiled._gd_chunk.experimental_get_tracing_count()
    for n, lr, epochs in [(50, 0.05, 1), (200, 0.3, 17), (1000, 0.1, compiled.CHUNK + 1)]:
        xs = np.linspace(-1.0, 2.0, n)
        ROUTE.fit(xs, 1.0 + 3.0 * xs, init=(lr, -lr), lr=lr, epochs=epochs)
    assert compiled._gd_chunk.experimental_get_tracing_count() == before
