"""The suite's power, tested: deliberately broken routes must fail the checks.

Each mutant is a copy of a real route (``dataclasses.replace``) with one classic bug; the
check that should catch it runs on it and must raise. A suite that passes a mutant is too weak.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import Phase

import fitters
from fitters.problem import Problem

from .checks import check_closed_form, check_trajectory
from .test_properties import run_check


def _lr_off_by_factor(impl):
    def mutant(pb, init, lr, epochs, log, **kw):
        return impl(pb, init, lr * 1.01, epochs, log, **kw)

    return mutant


def _float32_cast(impl):
    def mutant(pb, *args, **kw):
        pb32 = Problem(
            pb.x.astype(np.float32).astype(np.float64), pb.y.astype(np.float32).astype(np.float64)
        )
        return impl(pb32, *args, **kw).astype(np.float32).astype(np.float64)

    return mutant


def _transposed_design(impl):
    # a design whose columns come out in the wrong order: [x 1] instead of [1 x]
    def mutant(pb, *args, **kw):
        return impl(pb, *args, **kw)[::-1].copy()

    return mutant


def _one_epoch_short(impl):
    def mutant(pb, init, lr, epochs, log, **kw):
        return impl(pb, init, lr, max(epochs - 1, 0), log, **kw)

    return mutant


MUTANTS = {
    "lr*1.01": ("tape_vector", _lr_off_by_factor, check_trajectory),
    "lr*1.01 (float32 route)": ("tape_scalar", _lr_off_by_factor, check_trajectory),
    "float32 cast in float64 route": ("compiled_core", _float32_cast, check_trajectory),
    "float32 cast in closed form": ("normal_equation_solve", _float32_cast, check_closed_form),
    "transposed design": ("analytic_gradient", _transposed_design, check_trajectory),
    "transposed design (closed form)": (
        "normal_equation_inv",
        _transposed_design,
        check_closed_form,
    ),
    "one epoch short": ("apply_gradients_vector", _one_epoch_short, check_trajectory),
}


@pytest.mark.parametrize("mutation", list(MUTANTS))
def test_broken_route_fails_the_suite(mutation):
    # the check that covers the bug must catch it (no shrinking: only the verdict matters)
    name, mutate, check = MUTANTS[mutation]
    route = fitters.ROUTES[name]
    mutant = dataclasses.replace(route, impl=mutate(route.impl))
    with pytest.raises(AssertionError, match=rf"{name} failed {check.__name__}"):
        run_check(mutant, check, database=None, phases=[Phase.generate], derandomize=True)
