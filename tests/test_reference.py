"""The oracles checked against independent computations, and the bounds against what
rounding really does (a bound that is never approached is as useless as one that fails)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from fitters import reference, tolerances
from fitters.testing import strategies as S
from fitters.tolerances import closed_form_error, gd_rounding_bound, unit_roundoff
from fitters.validation import problem


@given(ds=S.linear_datasets())
def test_normal_equation_matches_numpy_qr(ds):
    # b* from lstsq (SVD) equals a Householder-QR solve in numpy, within the QR bound
    X = ds.problem.design
    q, r = np.linalg.qr(X)
    independent = np.linalg.solve(r, q.T @ ds.y)
    star = reference.normal_equation(ds.x, ds.y)
    allowed = 2 * closed_form_error(ds.problem, star, "float64", gram=False, model="worst_case")
    err = np.linalg.norm(star - independent)
    assert err <= allowed, f"{ds.describe()}: {err:.3g} > {allowed:.3g}"


@given(ds=S.linear_datasets())
def test_extended_normal_equation_agrees_with_float64(ds):
    # the extended-precision solve agrees with the float64 one within the float64 one's bound
    star = reference.normal_equation(ds.x, ds.y)
    ext = reference.normal_equation_extended(ds.x, ds.y)
    allowed = closed_form_error(ds.problem, ext, "float64", gram=False, model="worst_case")
    assert np.linalg.norm(star - ext) <= allowed, ds.describe()


def _centred_slope_in_rationals(x, y) -> tuple[Fraction, Fraction]:
    """b0, b1 of a one-predictor fit by the centred formula, exactly (not the oracle's route:
    no normal equations, no elimination)."""
    fx, fy = [Fraction(v) for v in x], [Fraction(v) for v in y]
    xbar, ybar = sum(fx) / len(fx), sum(fy) / len(fy)
    sxy = sum((a - xbar) * (b - ybar) for a, b in zip(fx, fy, strict=True))
    sxx = sum((a - xbar) ** 2 for a in fx)
    b1 = sxy / sxx
    return ybar - xbar * b1, b1


@given(ds=S.linear_datasets(max_p=1, max_n=300, max_log10_offset=8))
def test_exact_normal_equation_is_the_rational_solution_rounded_once(ds):
    # offsets up to 1e8 make cond(X) ~ 1e16: only an exact solve lands on the last bit
    b0, b1 = _centred_slope_in_rationals(ds.problem.x[:, 0], ds.y)
    got = reference.normal_equation_exact(ds.x, ds.y)
    assert got.tolist() == [float(b0), float(b1)], ds.describe()


def test_exact_normal_equation_on_tiny_huge_and_p_greater_than_one():
    # exponents far apart (integers 2^200 apart) and p = 2, by hand:
    # y = 3 + 2^-200 x1 - 5 x2 exactly, so b* = (3, 2^-200, -5)
    x = np.array([[2.0**200, 1.0], [0.0, 2.0], [2.0**199, -1.0], [3 * 2.0**198, 0.5]])
    y = 3 + 2.0**-200 * x[:, 0] - 5 * x[:, 1]
    assert reference.normal_equation_exact(x, y).tolist() == [3.0, 2.0**-200, -5.0]


def test_the_checks_oracle_is_exact_within_its_budget_and_extended_beyond():
    # the closed forms are judged against the exact b* (its own error u ||b*||, nothing
    # more); past EXACT_BUDGET the extended QR stands in, with its own error bound
    rng = np.random.default_rng(7)
    x = 1e6 + rng.normal(size=200)
    y = 0.5 * x + rng.normal(size=200)
    b0, b1 = _centred_slope_in_rationals(x, y)
    pb = problem(x, y)
    assert tolerances._magnitudes(pb).star.tolist() == [float(b0), float(b1)]
    assert tolerances._star_error(pb) <= 2.0**-53 * float(np.hypot(float(b0), float(b1))) * 1.01
    n = reference.EXACT_BUDGET // 6 + 1  # n (p+2)(p+3)/2 products, p = 1
    x = rng.normal(size=n)
    big = problem(x, 2 * x + rng.normal(size=n))
    assert not tolerances._magnitudes(big).star_exact
    assert tolerances._star_error(big) > 2.0**-53 * np.linalg.norm(tolerances._magnitudes(big).star)


@given(ds=S.linear_datasets(), data=st.data())
def test_gd_path_matches_a_plain_float64_loop(ds, data):
    # the extended path equals k steps of b -= lr * 2X'(Xb - y)/n in float64, within the
    # worst-case float64 bound for that loop
    pb = ds.problem
    lr = data.draw(S.stable_learning_rates(pb), label="lr")
    k = data.draw(st.integers(0, 60), label="k")
    init = np.zeros(pb.p + 1)
    b = init.copy()
    for _ in range(k):
        b = b - lr * 2 * pb.design.T @ (pb.design @ b - pb.y) / pb.n
    bound = gd_rounding_bound("float64", pb, init, lr, k, model="worst_case")
    assert bound.error(b) <= bound.max_l2_error, (
        f"{ds.describe()} k={k}: {bound.error(b):.3g} > {bound.max_l2_error:.3g}"
    )
    path = reference.gd_path(pb, None, init, lr, k)
    np.testing.assert_array_equal(path[-1], bound.expected)


@given(ds=S.linear_datasets(), data=st.data())
def test_gd_path_matches_the_closed_form_iterate(ds, data):
    # gd_path (a loop in extended precision) and gd_iterate (closed form, float64) agree to
    # the closed form's own accuracy: eigenvector rounding, ~u64 cond(X)^2 ||b0 - b*||
    pb = ds.problem
    lr = data.draw(S.stable_learning_rates(pb), label="lr")
    k = data.draw(st.integers(0, 200), label="k")
    init = np.zeros(pb.p + 1)
    loop = reference.gd_path(pb, None, init, lr, k)[-1]
    closed = reference.gd_iterate(pb, None, init, lr, k)
    scale = np.linalg.norm(reference.normal_equation(pb)) + np.linalg.norm(init)
    allowed = 64 * unit_roundoff(np.float64) * pb.condition_number**2 * scale * (pb.p + 1)
    assert np.linalg.norm(loop - closed) <= allowed, ds.describe()


@given(ds=S.linear_datasets(), data=st.data())
def test_gd_error_bound_holds_and_is_tight(ds, data):
    # ||b_k - b*|| <= rho^k ||b0 - b*||, with equality when b0 - b* is the slowest eigenvector
    pb = ds.problem
    lr = data.draw(S.stable_learning_rates(pb), label="lr")
    k = data.draw(st.integers(0, 200), label="k")
    star = reference.normal_equation(pb)
    init = np.zeros(pb.p + 1)
    dist = np.linalg.norm(reference.gd_iterate(pb, None, init, lr, k) - star)
    bound = reference.gd_error_bound(pb, None, init, lr, k)
    assert dist <= bound * (1 + 1e-9) + 1e-12 * np.linalg.norm(star)
    rho = reference.contraction_factor(pb, None, lr)
    _, v = pb.spectrum
    lam = pb.hessian_eigenvalues
    slowest = v[:, int(np.argmax(np.abs(1 - lr * lam)))]
    tight = reference.gd_iterate(pb, None, star + slowest, lr, k) - star
    np.testing.assert_allclose(np.linalg.norm(tight), rho**k, rtol=1e-9 * (k + 1), atol=1e-12)


def test_lecture_numbers_from_the_reference():
    # the oracles themselves give the lecture's printed normal equation and 1000th iterate
    from fitters import lecture_dataset

    from . import golden

    x, y = lecture_dataset()
    for solve in (reference.normal_equation, reference.normal_equation_extended):
        np.testing.assert_allclose(
            solve(x, y), golden.NORMAL_EQUATION, atol=golden.PRINTED_8_DECIMALS
        )
    for path in (
        reference.gd_iterate(x, y, [-5, 10], 0.1, 1000),
        reference.gd_path(x, y, [-5, 10], 0.1, 1000)[-1],
    ):
        np.testing.assert_allclose(path, golden.GD_1000_FLOAT64, atol=golden.PRINTED_8_DECIMALS)
