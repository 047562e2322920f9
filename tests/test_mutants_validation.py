"""Validation's decisions at their boundaries, written from the mutation run's survivors
(docs/power-mutation.md): the overflow limit itself, an underflowing spread in a later
predictor, collinearity judged column by column at scales far from 1, the identifiability
floor met exactly, and the curvature and spread tests at exactly 2^-1022."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from fitters.validation import problem
from tests import bad_inputs

N = 200
RNG = np.random.default_rng(20261128)
X1, X2 = RNG.normal(size=N), RNG.normal(size=N)
Y = RNG.normal(size=N)


@pytest.mark.parametrize(("p", "column"), [(1, "x1"), (1, "y"), (2, "x1"), (2, "x2"), (2, "y")])
@pytest.mark.filterwarnings("error::RuntimeWarning")  # no overflow on the way
def test_a_value_exactly_at_the_overflow_limit_is_refused(p, column):
    # X'X holds sums of n (p+1) products of x, y'y sums of n squares: |x| must stay below
    # sqrt(max / (n (p+1))), |y| below sqrt(max / n). One value exactly there is refused, in
    # any column, although the sum of squares rounds to the limit itself (the fast test on
    # the sums must not skip the exact one); just below it passes the magnitude test
    huge = float(np.finfo(np.float64).max)
    limit = math.sqrt(huge / (N * (p + 1))) if column != "y" else math.sqrt(huge / N)
    x = np.column_stack([np.linspace(0.0, 1.0, N), X2][:p])
    y = Y.copy()
    target = y if column == "y" else x[:, int(column[1]) - 1]
    target[7] = limit
    name = "y" if column == "y" else "x"
    with pytest.raises(ValueError, match=rf"{name} is too large in magnitude \(\|{name}\| up to"):
        problem(x, y)
    target[7] = np.nextafter(limit, 0.0)
    try:
        assert problem(x, y).n == N
    except ValueError as exc:  # a predictor at 1e152 beside one of size 1 may be singular
        assert p == 2 and column != "y" and "too large" not in str(exc), str(exc)


@pytest.mark.filterwarnings("error::RuntimeWarning")  # no 0/0 on the way
def test_an_underflowing_second_predictor_is_named_by_its_spread():
    # x2's spread 5e-155: its curvature 2 spread^2 ~ 1e-308 is below float64's normal range,
    # its sums not yet. The smallest curvature decides (not the middle one), and the message
    # gives x2's spread (sqrt of its centred sum over n), not x1's
    x = np.column_stack([X1, 5e-155 * X2])
    spread = float(np.std(1e150 * x[:, 1])) * 1e-150
    with pytest.raises(ValueError, match=r"x varies too little in magnitude") as info:
        problem(x, Y)
    shown = float(re.search(r"spread down to ([0-9.e+-]+)\)", str(info.value)).group(1))
    assert shown == pytest.approx(spread, rel=0.01, abs=0), str(info.value)
    # a spread of 1e-170 underflows its column's norm in R to 0: still named, no 0/0
    with pytest.raises(ValueError, match=r"x varies too little in magnitude \(spread down to 0\)"):
        problem(np.column_stack([X1, 1e-170 * X2]), Y)


def test_an_underflowing_first_predictor_is_refused_by_its_spread():
    # x1's spread 1e-160 beside x2 of size 1: X'X's curvature along x1 (~1e-320) underflows,
    # but the SVD of R found 1e-38 (it resolves a small singular value only to eps times
    # the largest), and the data were accepted. Each centred column's Rayleigh quotient
    # bounds the smallest curvature too
    for scale in (1e-155, 1e-160, 1e-170):  # 1e-155: 2 ||x1 - mean||^2 / n just underflows
        with pytest.raises(ValueError, match=r"x varies too little in magnitude"):
            problem(np.column_stack([scale * X1, X2]), Y)


def test_a_collinear_predictor_after_an_underflowing_one_is_named():
    # x1 underflows (left to the curvature test), x3 = x2: the columns after x1 are still
    # judged, and b3 is named as the first coefficient the data cannot identify
    x = np.column_stack([1e-170 * X1, X2, X2])
    with pytest.raises(ValueError, match=r"b3 is not identifiable"):
        problem(x, Y)


def test_scales_too_far_apart_when_every_spread_squares_to_a_normal_number():
    # the robustness case scales_far_apart (size 1 beside one value at 1e152) scaled by
    # 1e-130: every spread (3e-131 and up) squares to a normal float64, X'X's smallest
    # curvature does not. The scales are too far apart; x does not vary too little (the
    # spread's cube, 3e-393, would underflow)
    scale = 1e-130
    x2 = np.where(np.arange(10) == 3, 1e152, bad_inputs.X2[:, 1])
    x = scale * np.column_stack([bad_inputs.X, x2])
    with pytest.raises(ValueError, match=r"scales are too far apart"):
        problem(x, bad_inputs.Y2)


def test_exactly_collinear_predictors_far_from_unit_scale_are_refused():
    # the sine of x2's angle to span(1, x1) is the rounding's, at any scale
    for scale in (1e-3, 1e3, 1e8):
        x = np.column_stack([scale * X1, 2 * scale * X1])
        with pytest.raises(ValueError, match=r"b2 is not identifiable.*collinear"):
            problem(x, Y)


def test_nearly_collinear_predictors_far_from_unit_scale_are_accepted():
    # x2 = x1 + 1e-6 scale * noise: a sine of ~1e-6, far above the rounding floor (~4e-15)
    for scale in (1e-3, 1e3, 1e8):
        x = np.column_stack([scale * X1, scale * (X1 + 1e-6 * X2)])
        assert problem(x, Y).p == 2


def test_a_small_column_beside_a_huge_one_is_judged_by_its_own_norm():
    # x2 of size 1 leaning on x1 of size 1e8 (sine ~1e-9): identifiable, since each column's
    # rounding floor follows its own norm, not the design's
    x = np.column_stack([1e8 * X1, X1 + 1e-9 * X2])
    assert problem(x, Y).p == 2


def test_predictors_too_far_apart_in_scale_are_told_so():
    # x2 of size 1 but with one value at 1e152: X'X is singular in float64 though every
    # predictor varies; the message says so, not that x varies too little
    x = np.column_stack([X1, X2])
    x[7, 1] = 1e152
    with pytest.raises(ValueError, match=r"scales are too far apart for float64") as info:
        problem(x, Y)
    assert "varies too little" not in str(info.value)


def test_a_predictor_limit_is_named_with_the_default_caller():
    # problem(..., max_predictors=1) without a route names the generic caller "fit", for
    # arrays and for streamed chunks alike
    from fitters import sources

    x = np.column_stack([X1, X2])
    expected = r"^fit fits 1 predictor\(s\); x has 2 columns\."
    with pytest.raises(ValueError, match=expected):
        problem(x, Y, max_predictors=1)
    with pytest.raises(ValueError, match=expected):
        problem(sources.from_arrays(x, Y, chunk_rows=64), max_predictors=1)


def test_a_streamed_source_with_a_separate_y_is_refused():
    from fitters import sources

    with pytest.raises(ValueError, match=r"yields \(x, y\) chunks itself; pass y=None"):
        problem(sources.from_arrays(X1, Y), Y)


def test_the_row_vector_hint_only_for_a_row_vector():
    # x of shape (1, n) beside y of length n gets "pass x.T"; other length mismatches do not
    with pytest.raises(ValueError, match=r"x looks like a row vector, pass x\.T"):
        problem(X1[None, :], Y)
    # one row but 5 columns against 200 values; 3 rows of 2 columns against 2 values
    for x, y in ((X1[None, :5], Y), (np.column_stack([X1, X2])[:3], Y[:2])):
        with pytest.raises(ValueError, match="different lengths") as info:
            problem(x, y)
        assert "row vector" not in str(info.value), str(info.value)


def test_well_conditioned_data_are_read_once(monkeypatch):
    # the spectrum comes from the one-pass moments when they are certified (the lecture's
    # data are): validation never starts the QR, which would read x a second time
    import fitters
    from fitters import validation

    def no_qr(*args, **kwargs):
        raise AssertionError("validation ran the QR on data the moments certify")

    monkeypatch.setattr(validation, "design_r", no_qr)
    pb = problem(*fitters.lecture_dataset())
    assert pb.r is not None and pb.r.shape == (2, 2)


def _streamed_moments(x, y):
    from fitters import moments

    return moments.of_arrays(np.asarray(x, dtype=float).reshape(len(x), -1), y)


def test_moments_only_data_are_checked_as_arrays_are():
    # problem_from_moments (streamed or Dask-summed data: no rows left) refuses what
    # validation refuses, naming the source
    from fitters.validation import problem_from_moments

    huge = float(np.finfo(np.float64).max)
    # values whose squares overflow: the sums are not finite
    message = (
        "big.npy: the sums of squares are not finite: a value is NaN or infinite, or so large "
        "that X'X overflows float64; remove or impute those rows, or rescale"
    )
    with pytest.raises(ValueError) as info:
        problem_from_moments(_streamed_moments(1e200 * X1, Y), "big.npy")
    assert str(info.value) == message

    # one value at the limit: finite sums, refused from the root sum of squares (a bound on
    # |value| at least as large as the value), in x1, x2 or y, for p = 1 and 2
    def shown(info) -> float:
        return float(re.search(r"up to ([0-9.e+-]+)\)", str(info.value)).group(1))

    for p, column in ((1, 0), (1, "y"), (2, 0), (2, 1), (2, "y")):
        x = np.column_stack([np.linspace(0.0, 1.0, N), X2][:p])
        y = Y.copy()
        if column == "y":
            limit = math.sqrt(huge / N)
            y[7] = limit
        else:
            limit = math.sqrt(huge / (N * (p + 1)))
            x[7, column] = limit
        name = "y" if column == "y" else "x"
        with pytest.raises(ValueError, match=rf"^{name} is too large in magnitude") as info:
            problem_from_moments(_streamed_moments(x, y), "big.npy")
        assert shown(info) >= limit * (1 - 1e-3), (p, column, str(info.value))
    # a route that needs the rows, named with the source; the default caller's limit
    with pytest.raises(ValueError, match=r"^tape_vector holds the design .* big\.npy is streamed"):
        problem_from_moments(_streamed_moments(X1, Y), "big.npy", route="tape_vector")
    two = _streamed_moments(np.column_stack([X1, X2]), Y)
    with pytest.raises(ValueError, match=r"^fit fits 1 predictor\(s\); x has 2 columns\."):
        problem_from_moments(two, "big.npy", max_predictors=1)
    pb = problem_from_moments(two, "big.npy")
    assert pb.source == "big.npy" and pb.x is None and pb.p == 2


def test_streamed_chunks_are_checked_and_named():
    # a Source of (x, y) chunks goes through the same checks, naming the source and the row
    from fitters import sources

    def stream(x, y, rows=64):
        return sources.from_arrays(x, y, chunk_rows=rows)

    with pytest.raises(ValueError) as info:
        problem(stream(X1, Y), Y)
    assert str(info.value) == (
        "arrays yields (x, y) chunks itself; pass y=None (got y of type ndarray)"
    )
    with pytest.raises(ValueError) as info:
        problem(stream(X1, Y), route="tape_vector")
    assert str(info.value) == (
        "tape_vector holds the design X = [1 x] as a tensor (the lecture's formulation), so "
        "it needs x and y as arrays in memory; arrays is streamed in chunks. Fit it with a "
        "route on sufficient statistics (compiled_core) or fitters.reference.normal_equation, "
        "or load the data with numpy first"
    )
    ragged = sources.from_iterable(
        [(X1[:100], Y[:100]), (np.column_stack([X1, X2])[100:], Y[100:])]
    )
    with pytest.raises(ValueError) as info:
        problem(ragged)
    assert str(info.value) == (
        "an iterator of (x, y) chunks: a chunk at row 100 has 2 predictor columns, earlier "
        "chunks 1; every chunk needs the same columns"
    )
    for row in (5, 100):  # in the first chunk and in a later one
        y = Y.copy()
        y[row] = np.nan
        with pytest.raises(ValueError) as info:
            problem(stream(X1, y))
        assert str(info.value).startswith(f"y contains NaN or infinity (first at row {row})")
    with pytest.raises(ValueError) as info:
        problem(sources.from_iterable([]))
    assert str(info.value) == (
        "an iterator of (x, y) chunks yielded no rows; need at least 2 observations"
    )
    two = stream(np.column_stack([X1, X2]), Y)
    with pytest.raises(ValueError, match=r"^compiled_core fits 1 predictor\(s\); x has 2"):
        problem(two, max_predictors=1, route="compiled_core")
    assert problem(stream(X1, Y)).source == "arrays"


def test_a_stream_is_refused_for_a_row_route_before_any_chunk_is_read():
    # a route that needs the rows cannot take a stream: say so before reading it (it may be
    # far larger than memory), not after a whole pass over it
    from fitters import sources

    read = []

    def chunks():
        for start in range(0, len(Y), 50):
            read.append(start)
            yield X1[start : start + 50], Y[start : start + 50]

    with pytest.raises(ValueError, match=r"tape_vector holds the design X"):
        problem(sources.from_iterable(chunks()), route="tape_vector")
    assert read == []


_TINY = float(np.finfo(np.float64).tiny)  # 2^-1022, the smallest normal float64


def _offset_design(m: float) -> np.ndarray:
    # n = 16, p = 3: x1, x2 and the variation of x3 on disjoint pairs of rows (+1, -1), so
    # each is orthogonal to the intercept and to the others, and the QR of [1 x] has no
    # rounding in R22 (each sum of products is c - c): x3's sine is exactly 1
    cols = np.zeros((16, 3))
    for j in range(3):
        cols[2 * j + 1, j], cols[2 * j + 2, j] = 1.0, -1.0
    cols[:, 2] += m
    return cols


def test_a_predictor_exactly_at_the_identifiability_floor_is_refused():
    """b_j is refused when its sine equals (p + 1 + sqrt(n)) eps ||x_j|| / ||x_j - mean||."""
    # _check_identifiable's floor (its factor p + 1 and its <=). Here p + 1 + sqrt(n) = 8, so
    # x3's floor is 2^-49 ||R[:, 3]|| / ||R22[:, 3]||: exactly its sine, 1, when the offset m
    # makes R[0, 3] = R[0, 0] m equal to 2^49 |R[3, 3]|. R[0, 0] (-sqrt(16), as the QR
    # rounds it) and R[3, 3] (-sqrt(2)) do not depend on m; read them off an accepted offset
    y = np.arange(16.0)
    r = problem(_offset_design(2.0**40), y).r
    r00, r33 = abs(float(r[0, 0])), abs(float(r[3, 3]))
    target = 2.0**49 * r33
    m = target / r00
    while r00 * m < target:
        m = np.nextafter(m, math.inf)
    while r00 * np.nextafter(m, 0.0) >= target:
        m = np.nextafter(m, 0.0)
    assert r00 * m == target, (r00, r33, m)  # the floor is met exactly at m, not crossed
    refused = r"^coefficient b3 is not identifiable: predictor x3 is a linear combination"
    for at_or_above in (m, 1.1 * m):  # floor 1 and 1.1 against a sine of 1
        with pytest.raises(ValueError, match=refused):
            problem(_offset_design(at_or_above), y)
    for below in (np.nextafter(m, 0.0), 0.9 * m):  # floor 1 - 2^-53 and 0.9
        assert problem(_offset_design(below), y).p == 3


def test_a_curvature_of_exactly_the_smallest_normal_float64_is_accepted():
    """X'X's smallest curvature at exactly 2^-1022 is accepted; one rounding below, refused."""
    # _finish's lam_min >= tiny. x = 2^-511 (1, -1, 1, -1, 0, 0, 0, 0): mean 0, R diagonal,
    # 2 ||x - mean||^2 / n = 2^-1022 exactly, and the SVD of a diagonal R is exact
    pattern = np.array([1.0, -1.0, 1.0, -1.0, 0.0, 0.0, 0.0, 0.0])
    y = np.arange(8.0)
    pb = problem(2.0**-511 * pattern, y)
    assert float(pb.hessian_eigenvalues[-1]) == _TINY
    with pytest.raises(ValueError, match=r"^x varies too little in magnitude"):
        problem(2.0**-511 * (1 - 2.0**-52) * pattern, y)


def test_a_spread_whose_square_is_exactly_the_smallest_normal_float64_is_representable():
    """A curvature below 2^-1022 with every spread^2 >= 2^-1022 is "scales too far apart"."""
    # _finish's spread**2 >= tiny. x1 = 2^-511 (+-1 alternating): spread exactly 2^-511;
    # x2 = x1 + 2^-512 w (w orthogonal) leans on x1, so X'X's smallest curvature is ~0.23 tiny
    # while each predictor's own is 2 tiny or more. Just below, x varies too little
    alternating = np.array([1.0, -1.0] * 4)
    w = np.array([1.0, 1.0, -1.0, -1.0] * 2)
    x = 2.0**-511 * np.column_stack([alternating, alternating + 0.5 * w])
    y = np.arange(8.0)
    with pytest.raises(ValueError, match=r"scales are too far apart .* varies by 1\.49e-154 or"):
        problem(x, y)
    with pytest.raises(ValueError, match=r"^x varies too little in magnitude"):
        problem((1 - 2.0**-52) * x, y)


def test_the_rayleigh_bound_refuses_a_first_predictor_just_below_the_normal_range():
    """x1 with 2 var(x1) = 0.78 * 2^-1022 beside x2 of size 1 is refused; 1.125 is accepted."""
    # _finish's 2.0 / n: the SVD of this graded R puts the smallest curvature near 1e-39, so
    # only 2 ||x1 - mean||^2 / n (not 3 / n: 1.17 tiny) finds it below the normal range
    alternating = np.where(np.arange(N) % 2 == 0, 1.0, -1.0)
    small = np.column_stack([0.625 * 2.0**-511 * alternating, X2])  # spread^2 = 0.39 tiny
    with pytest.raises(ValueError, match=r"^x varies too little in magnitude \(spread down to 9"):
        problem(small, Y)
    assert problem(np.column_stack([0.75 * 2.0**-511 * alternating, X2]), Y).p == 2


def test_a_first_predictor_varying_in_its_last_bit_near_1e_150_is_named_by_its_spread():
    """A first predictor whose spread underflows X'X is named by its spread, not as collinear."""
    # _check_identifiable's norm(R22, axis=0): x1 = 2^-500 plus one ulp on every other row.
    # R22's column for x1 (~1e-165) squares to 0, so it is left to the curvature test; its
    # row keeps x2's projection (~1e-2), and judged by that row x1 would be "collinear"
    x1 = 2.0**-500 + np.spacing(2.0**-500) * (np.arange(N) % 2)
    with pytest.raises(ValueError, match=r"^x varies too little in magnitude \(spread down to 0\)"):
        problem(np.column_stack([x1, X2]), Y)


def test_a_constant_predictor_after_an_underflowing_one_is_named():
    """A constant column after one whose sums underflow is still named as constant."""
    # _check_moments' continue after a column that varies below its sums' resolution: x1's
    # squares (1e-340) underflow to 0, yet x1 is not constant; x2 is still checked
    for value, message in (
        (1.0, r"^predictor x2 is a column of ones"),
        (3.0, r"^coefficient b2 is not identifiable: .* x2 is constant \(every value is 3\)"),
    ):
        with pytest.raises(ValueError, match=message):
            problem(np.column_stack([1e-170 * X1, np.full(N, value)]), Y)


def test_a_first_predictor_varying_only_in_its_last_bit_is_named_against_the_intercept():
    """x1 that varies only in its last bit is collinear with the intercept alone."""
    # before any other predictor, "a linear combination of the intercept and x1" named x1
    # against itself
    x1 = 1.0 + np.spacing(1.0) * (np.arange(N) % 2)
    with pytest.raises(ValueError, match=r"x1 is a linear combination of the intercept \(") as e:
        problem(np.column_stack([x1, X2]), Y)
    assert "and x1" not in str(e.value)
