"""How ``fitters.tolerances`` adds the errors of many gradient steps.

Roundings that recur (storage near a fixed point, the casts of the data, the compiled core's
moments) add linearly; the gradient's own roundings on steps that must move the iterate add
in quadrature (Hoeffding over all of them at once), capped by the linear sum of their worst
cases. These tests pin the recurrence by hand and check that the split never gives more than
adding everything linearly, and that a run which converges stops counting its late steps as
independent.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import fitters
from fitters import tolerances
from fitters.tolerances import _accumulate, gd_trajectory
from fitters.validation import check_init, problem

LECTURE = problem(*fitters.lecture_dataset())


def _always(flag: bool):
    return lambda j, err: flag


def test_accumulate_worked_examples():
    rho, linear = 0.5, np.array([1.0, 2.0])
    prob, worst = np.array([3.0, 4.0]), np.array([100.0, 100.0])
    # all moving: linear 0.5 * 1 + 2 = 2.5, quadrature sqrt((0.5 * 3)^2 + 4^2)
    out = _accumulate(rho, linear, prob, worst, _always(True), 0.0)
    assert out[1] == pytest.approx(1.0 + 3.0)
    assert out[2] == pytest.approx(2.5 + math.sqrt(1.5**2 + 4.0**2))
    # none moving: everything linear, 0.5 (1 + 3) + (2 + 4)
    out = _accumulate(rho, linear, prob, worst, _always(False), 0.0)
    assert out[2] == pytest.approx(0.5 * 4.0 + 6.0)
    # the worst case caps the quadrature when it is smaller: 0.5 * 1 + 1 = 1.5
    out = _accumulate(rho, linear, prob, np.array([1.0, 1.0]), _always(True), 0.0)
    assert out[2] == pytest.approx(2.5 + 1.5)
    # the start's error contracts like the rest
    assert _accumulate(rho, linear, prob, worst, _always(False), 8.0)[2] == pytest.approx(
        0.25 * 8.0 + 0.5 * 4.0 + 6.0
    )


def test_moving_sees_the_error_so_far():
    seen = []

    def moving(j, err):
        seen.append((j, err))
        return True

    out = _accumulate(0.5, np.array([1.0, 1.0, 1.0]), np.zeros(3), np.zeros(3), moving, 2.0)
    assert [j for j, _ in seen] == [0, 1, 2]
    assert [err for _, err in seen] == list(out[:3])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("k", [5, 60, 1000])
def test_independent_steps_never_give_more_than_linear_ones(dtype, k, monkeypatch):
    init, lr = check_init(None, 1), 0.1
    split = gd_trajectory(dtype, LECTURE, init, lr, k).bounds
    monkeypatch.setattr(tolerances, "MOVING_ULPS", math.inf)  # no step moves: all linear
    linear = gd_trajectory(dtype, LECTURE, init, lr, k).bounds
    assert np.all(split <= linear * (1 + 1e-12))
    assert split[-1] < linear[-1]  # and the split buys something on the lecture's data


def test_a_converged_run_counts_its_late_steps_linearly(monkeypatch):
    # after 1000 float32 steps of lr 0.1 the lecture's exact path moves by less than 2^20
    # units of roundoff a step: the steps near the fixed point must be added linearly
    calls = []
    real = tolerances._accumulate

    def spy(rho, linear, prob, worst, moving, e0):
        out = real(rho, linear, prob, worst, moving, e0)
        calls.append([moving(j, out[j]) for j in range(linear.size)])
        return out

    monkeypatch.setattr(tolerances, "_accumulate", spy)
    gd_trajectory("float32", LECTURE, check_init(None, 1), 0.1, 1000)
    (flags,) = calls
    first_still = flags.index(False)
    assert 0 < first_still < 1000
    assert not any(flags[first_still:])  # once still, still: the exact steps only shrink
