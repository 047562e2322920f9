"""The loss log's own contract, tested directly (mutation testing found it only implied).

The property checks see the log through routes that record exactly one finite loss per epoch;
what the log does with a block, with too many losses, with a non-finite loss at epoch 0 or
later, and what it says then, is asserted here on hand-made inputs (docs/power.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from fitters.core import DivergenceError
from fitters.losslog import LossLog
from fitters.validation import problem

PB = problem(np.arange(5.0), 2.0 * np.arange(5.0) + 1.0)


def _log(epochs: int = 4) -> LossLog:
    return LossLog("demo", PB, 0.25, epochs)


def test_a_new_log_is_empty_and_unused():
    log = _log()
    assert log.count == 0
    assert log.used is False
    assert log.history.shape == (0,)


def test_record_appends_scalars_and_one_element_arrays_in_order():
    log = _log()
    log.record(3.0)
    log.record(np.array([[2.5]]))
    log.record(np.float32(0.5))
    assert log.used is True
    assert log.count == 3
    np.testing.assert_array_equal(log.history, [3.0, 2.5, 0.5])


def test_record_many_appends_a_block_after_single_records():
    log = _log(5)
    log.record(9.0)
    log.record_many(np.array([[4.0], [2.0]]))  # a column block is flattened
    log.record_many([1.0])
    assert log.used is True
    assert log.count == 4
    np.testing.assert_array_equal(log.history, [9.0, 4.0, 2.0, 1.0])


def test_an_empty_block_marks_the_log_used():
    # a route that records nothing still told the log it keeps losses
    log = _log()
    log.record_many([])
    assert log.used is True
    assert log.count == 0


def test_a_log_fills_to_exactly_its_epochs():
    log = _log(2)
    log.record(1.0)
    log.record(0.5)
    log2 = _log(3)
    log2.record_many([3.0, 2.0, 1.0])
    np.testing.assert_array_equal(log.history, [1.0, 0.5])
    np.testing.assert_array_equal(log2.history, [3.0, 2.0, 1.0])


@pytest.mark.parametrize("how", ["record", "record_many"])
def test_more_losses_than_epochs_is_an_error_that_names_the_rule(how):
    log = _log(2)
    log.record(1.0)
    log.record(0.5)
    expected = "demo: recorded 3 losses for 2 epochs; a gradient route records exactly one loss "
    with pytest.raises(RuntimeError) as info:
        getattr(log, how)(0.25 if how == "record" else [0.25])
    assert str(info.value) == expected + "per epoch"


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_a_non_finite_loss_after_a_step_is_a_divergence_at_that_epoch(bad):
    log = _log()
    log.record(2.0)
    log.record(1.0)
    with pytest.raises(DivergenceError) as info:
        log.record(bad)
    err = info.value
    assert (err.route, err.lr, err.epoch) == ("demo", 0.25, 2)
    assert err.stable_lr == PB.stable_lr
    np.testing.assert_array_equal(log.history, [2.0, 1.0])


def test_a_block_keeps_the_finite_losses_before_the_first_non_finite_one():
    log = _log(6)
    log.record(8.0)
    with pytest.raises(DivergenceError) as info:
        log.record_many([4.0, 2.0, np.inf, 1.0, np.nan])
    assert info.value.epoch == 3
    np.testing.assert_array_equal(log.history, [8.0, 4.0, 2.0])


@pytest.mark.skipif(
    np.finfo(np.longdouble).max <= np.finfo(np.float64).max,
    reason="long double is float64 here: no loss beyond float64's range to give",
)
def test_a_block_loss_beyond_float64_is_not_finite_in_the_log():
    # the log holds float64: a loss computed in extended precision that float64 cannot
    # hold is an overflow, reported as such, not stored as inf
    log = _log(3)
    block = np.array([np.longdouble(2), np.longdouble("1e400")])
    assert np.isfinite(block).all()  # finite as given
    with pytest.raises(DivergenceError) as info, np.errstate(over="ignore"):
        log.record_many(block)
    assert info.value.epoch == 1
    np.testing.assert_array_equal(log.history, [2.0])


@pytest.mark.parametrize("how", ["record", "record_many"])
def test_a_non_finite_first_loss_blames_the_data_not_the_rate(how):
    log = _log()
    with pytest.raises(ValueError) as info:
        getattr(log, how)(np.inf if how == "record" else [np.inf, 1.0])
    assert not isinstance(info.value, DivergenceError)
    assert str(info.value) == (
        "demo: the loss at the starting coefficients is not finite in the route's precision: "
        "x, y or init are too large in magnitude for it; rescale the data (or use a float64 "
        "route) or start from a smaller init"
    )


def test_check_coef_passes_finite_coefficients_through():
    coef = np.array([1.0, -2.0])
    assert _log().check_coef(coef) is coef


def test_check_coef_reports_non_finite_coefficients_at_the_current_epoch():
    log = _log()
    log.record_many([3.0, 2.0])
    with pytest.raises(DivergenceError) as info:
        log.check_coef(np.array([1.0, np.nan]))
    assert info.value.epoch == 2
