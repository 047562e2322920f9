"""The ordered-sum model of ``fitters.tolerances``, checked against the reductions it stands for.

The probabilistic bounds take a sum's rounding coefficients to be the partial sums of an
index-order reduction (sequential, or interleaved lanes combined by halving), the largest
over ``SUM_ORDERS``, instead of letting every addition carry the whole sum of magnitudes.
These tests pin that computation by hand and check that the installed TensorFlow's own
reductions (``tf.reduce_sum``, ``tf.linalg.matmul`` over the rows, as the gradient routes
use them) stay inside it on orders of terms chosen to make partial sums large, and on
repeated values, whose roundings repeat (the model groups them): if an upgrade changed how
TensorFlow orders a sum, this file says so before a route check flakes.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import fitters
from fitters.tolerances import (
    LAMBDA,
    SUM_ORDERS,
    _class_squares,
    _lu_magnitude,
    partial_sum_squares,
    row_classes,
    trajectory_bound,
)
from fitters.validation import problem


def _sequential(terms: np.ndarray) -> float:
    """sum over the additions of a left-to-right sum of (partial sum)^2, by a plain loop."""
    total, out = terms[0], 0.0
    for value in terms[1:]:
        total += value
        out += total * total
    return out


def test_partial_sum_squares_worked_example():
    # [1, 2, 3, 4, 5]: sequential 3^2 + 6^2 + 10^2 + 15^2 = 370; two lanes (1, 3 | 2, 4) add
    # to 4 and 6, combined to 10, then the tail 5 makes 15: 16 + 36 + 100 + 225 = 377; four
    # lanes (no additions inside) combine 1+3, 2+4, then 4+6, then the tail: 16+36+100+225
    assert partial_sum_squares(np.array([1.0, 2, 3, 4, 5])) == 377.0
    assert partial_sum_squares(np.array([1.0, 1.0])) == 4.0  # one addition, partial sum 2
    # linear: sequential 3 + 6 + 10 + 15 = 34; two lanes 4 + 6 + 10 + 15 = 35 (the largest)
    assert partial_sum_squares(np.array([1.0, 2, 3, 4, 5]), linear=True) == 35.0
    # +1, -1 alternating: sequential partial sums 0, 1, 0 (sum 1); two lanes gather the signs,
    # 2 and -2, then combine to 0: 2 + 2 + 0 = 4
    assert partial_sum_squares(np.array([1.0, -1, 1, -1]), linear=True) == 4.0


@given(
    arrays(np.float64, st.integers(2, 300), elements=st.floats(-1e3, 1e3, allow_nan=False)),
)
def test_partial_sum_squares_lies_between_sequential_and_linear(terms):
    value = float(partial_sum_squares(terms))
    seq = _sequential(terms)
    linear = ((terms.size - 1) * float(np.sum(np.abs(terms)))) ** 2
    assert value >= seq * (1 - 1e-12)  # the sequential order is one of SUM_ORDERS
    # groups only add coefficients that are squared separately otherwise, and every
    # partial sum is at most sum |terms|: at most (n-1)^2 (sum |terms|)^2
    assert value <= linear * (1 + 1e-12)


def test_partial_sum_squares_batches_over_leading_axes():
    rng = np.random.default_rng(3)
    terms = rng.normal(size=(4, 3, 37))
    batched = partial_sum_squares(terms)
    assert batched.shape == (4, 3)
    for i in range(4):
        for j in range(3):
            assert batched[i, j] == partial_sum_squares(terms[i, j])


def _orders(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Term orders that make an index-order sum's partial sums large or its lanes uneven."""
    positive = rng.uniform(0.5, 1.5, n)
    mixed = rng.normal(size=n)
    c = 1.0 + rng.uniform(0.0, 1e-3)  # low bits that round differently in each binade
    coin = rng.random(n) < 0.5
    return {
        "constant": np.full(n, c),
        "two values": np.where(coin, c, 1.37 * c),
        "plus or minus": np.where(coin, c, -c + 2e-5),
        "positive": positive,
        "ascending": np.sort(positive),
        "descending": np.sort(positive)[::-1],
        "signs sorted": np.sort(mixed),
        "alternating": np.where(np.arange(n) % 2 == 0, 1.0, -1.0) * positive,
        "drift": mixed + 0.3,
        "one big": np.concatenate([[1e4], mixed[1:]]),
    }


_SIZES = (3, 17, 64, 200, 777, 1024)


def _reductions(values: np.ndarray, dtype) -> dict[str, float]:
    t = tf.constant(values, dtype=dtype)
    ones = tf.ones([values.size, 1], dtype=dtype)
    return {
        "reduce_sum": float(tf.reduce_sum(t)),
        "matmul": float(tf.linalg.matmul(ones, t[:, None], transpose_a=True)[0, 0]),
        "reduce_mean * n": float(tf.reduce_mean(t)) * values.size,
    }


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("n", _SIZES)
def test_tensorflow_sums_stay_inside_the_ordered_model(n, dtype):
    rng = np.random.default_rng(n)
    u = float(np.finfo(dtype).eps) / 2
    for name, values in _orders(n, rng).items():
        exact_terms = values.astype(dtype).astype(np.float64)  # what TensorFlow adds, exactly
        exact = math.fsum(exact_terms)
        allowed = LAMBDA * u * math.sqrt(float(partial_sum_squares(exact_terms)))
        for op, got in _reductions(exact_terms, dtype).items():
            if op == "reduce_mean * n":  # the division by n and the product round twice more
                allowed_here = allowed + 3 * u * abs(exact) + 2 * u * abs(got)
            else:
                allowed_here = allowed + 2.0**-53 * abs(exact)  # fsum's result rounds once
            assert abs(got - exact) <= allowed_here, (
                f"{op} of {n} {np.dtype(dtype).name} terms ordered '{name}' is off by "
                f"{abs(got - exact):.3g} > {allowed_here:.3g}: TensorFlow's summation order is "
                f"outside the ordered-sum model (SUM_ORDERS = {SUM_ORDERS})"
            )


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("n", _SIZES)
def test_tensorflow_sums_stay_inside_the_ordered_worst_case(n, dtype):
    # u max_orders sum_a |s_a| bounds a sum in any of the model's orders with no independence
    # assumed (it caps the probabilistic bound where few distinct values repeat): it must
    # hold TensorFlow's sums on the same adversarial orders
    rng = np.random.default_rng(n + 1)
    u = float(np.finfo(dtype).eps) / 2
    for name, values in _orders(n, rng).items():
        exact_terms = values.astype(dtype).astype(np.float64)
        exact = math.fsum(exact_terms)
        linear = float(partial_sum_squares(exact_terms, dtype, linear=True))
        allowed = u * linear * (1 + n * u) + 2.0**-53 * abs(exact)
        for op, got in _reductions(exact_terms, dtype).items():
            if op == "reduce_mean * n":
                allowed_here = allowed + 3 * u * abs(exact) + 2 * u * abs(got)
            else:
                allowed_here = allowed
            assert abs(got - exact) <= allowed_here, (
                f"{op} of {n} {np.dtype(dtype).name} terms ordered '{name}' is off by "
                f"{abs(got - exact):.3g} > u sum |s_a| = {allowed_here:.3g}: TensorFlow's "
                f"summation order is outside SUM_ORDERS = {SUM_ORDERS}"
            )


def test_repeated_terms_add_their_roundings_linearly():
    # 1000 copies of a value with low bits make the same rounding at each addition of a
    # binade: the model adds those coefficients before squaring, so its norm is close to
    # the linear sum of the partial sums (n^2 c / 2), not their root sum of squares
    c = 1.0 + 2.0**-20 + 2.0**-45
    terms = np.full(1000, c)
    partial = np.cumsum(terms)[1:]
    grouped = math.sqrt(float(partial_sum_squares(terms)))
    assert grouped >= 0.5 * float(np.sum(partial))
    assert grouped > 10 * math.sqrt(float(np.sum(partial**2)))
    # integers add exactly within a binade: they stay single
    ones = np.ones(1000)
    assert float(partial_sum_squares(ones)) == pytest.approx(_sequential(ones))


def test_the_model_is_tighter_than_any_order_even_for_positive_terms():
    # for 1024 equal terms the sequential order is the model's worst, sqrt(n/3) sum |terms|:
    # below the any-order sqrt(n-1) sum |terms|, and above sum |terms|
    terms = np.ones(1024)
    model = math.sqrt(float(partial_sum_squares(terms)))
    assert 1024 < model < 0.6 * math.sqrt(1023) * 1024


def test_lu_magnitude_worked_examples():
    # no pivoting (a tie keeps the first row): L = [[1, 0], [-1, 1]], U = [[1, 1], [0, 2]]
    assert np.allclose(_lu_magnitude(np.array([[1.0, 1.0], [-1.0, 1.0]])), [[1, 1], [1, 3]])
    # pivoting: PG = [[3, 4], [1, 2]], L21 = 1/3, U22 = 2/3, |L||U| = |PG|, back in G's rows
    assert np.allclose(_lu_magnitude(np.array([[1.0, 2.0], [3.0, 4.0]])), [[1, 2], [3, 4]])


@given(arrays(np.float64, (4, 4), elements=st.floats(-10, 10, allow_nan=False)))
def test_lu_magnitude_bounds_the_matrix(g):
    # P'|L||U| >= |P'LU| = |G| entrywise: the backward error of LU is relative to it
    assert np.all(_lu_magnitude(g) >= np.abs(g) * (1 - 1e-12) - 1e-300)


def test_equal_rows_make_one_rounding():
    # per-row roundings of equal rows are one rounding: their coefficients add first
    c = np.array([1.0, 2.0, 3.0])
    assert _class_squares(c, None) == 14.0
    assert _class_squares(c, np.array([0, 1, 0])) == (1.0 + 3.0) ** 2 + 2.0**2
    x = np.array([[1.0], [2.0], [1.0], [3.0]])
    y = np.array([5.0, 6.0, 5.0, 7.0])
    labels = row_classes(problem(x, y), np.float64)
    assert labels is not None and labels[0] == labels[2] and len(set(labels)) == 3
    # rows equal only once rounded to float32 are equal for a float32 route
    x32 = np.array([[1.0], [1.0 + 2.0**-40], [2.0]])
    pb = problem(x32, np.array([1.0, 1.0, 2.0]))
    assert row_classes(pb, np.float64) is None
    assert row_classes(pb, np.float32) is not None


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_two_valued_predictors_stay_well_inside_the_bound(seed):
    # x in {-1, 1} + 3.6e-5 (a draw that once reached 45% of the compiled core's bound):
    # the moments repeat their roundings and err by ~50 ulps; counted as repeated, the
    # bound stays several times above that
    route = fitters.ROUTES["compiled_core"]
    rng = np.random.default_rng(seed)
    x = np.where(rng.random((368, 2)) < 0.5, -1.0, 1.0) + 3.572e-5
    y = 0.5 + 2.0 * x[:, 0] + 6.19 * x[:, 1]
    init, lr, epochs = np.zeros(3), 0.5, 3816
    fit = route.fit(x, y, init=init, lr=lr, epochs=epochs)
    bound = trajectory_bound(route, problem(x, y), init, lr, epochs)
    assert bound.error(fit.coef) <= bound.max_l2_error / 4


def test_congruent_terms_are_grouped_modulo_the_top_binades_ulp():
    # four terms near 1.1 sum to ~4.4, whose binade [4, 8) has ulp w = 2^-50: t and t + w
    # leave the same remainder below w, so adding either rounds alike. Sequentially all
    # three additions form one group: (s2 + s3 + s4)^2, not (s2 + s4)^2 + s3^2
    t, w = 1.1, 2.0**-50
    terms = np.array([t, t + w, t, t + w])
    s2, s3, s4 = np.cumsum(terms)[1:]
    assert float(partial_sum_squares(terms)) >= (s2 + s3 + s4) ** 2 * (1 - 1e-12)
