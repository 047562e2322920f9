"""The oracles checked against independent float64 computations."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from fitters import reference
from fitters.tolerances import closed_form_error, gd_rounding_bound

from .strategies import linear_datasets, stable_learning_rates


@given(ds=linear_datasets())
def test_normal_equation_matches_numpy_qr(ds):
    # b* from lstsq (SVD) equals a Householder-QR solve in numpy, within the QR bound
    X = ds.problem.design
    q, r = np.linalg.qr(X)
    independent = np.linalg.solve(r, q.T @ ds.y)
    star = reference.normal_equation(ds.x, ds.y)
    allowed = 2 * closed_form_error(ds.problem, star, "float64", gram=False)
    err = np.linalg.norm(star - independent)
    assert err <= allowed, f"{ds.describe()}: {err:.3g} > {allowed:.3g}"


@given(ds=linear_datasets(), data=st.data())
def test_gd_iterate_matches_a_plain_loop(ds, data):
    # the closed-form k-th iterate equals k steps of b -= lr * 2X'(Xb - y)/n in float64
    pb = ds.problem
    lr = data.draw(stable_learning_rates(pb), label="lr")
    k = data.draw(st.integers(0, 60), label="k")
    init = np.zeros(pb.p + 1)
    b = init.copy()
    for _ in range(k):
        b = b - lr * 2 * pb.design.T @ (pb.design @ b - pb.y) / pb.n
    bound = gd_rounding_bound("float64", pb, init, lr, k)
    assert bound.error(b) <= bound.max_l2_error, (
        f"{ds.describe()} k={k}: {bound.error(b):.3g} > {bound.max_l2_error:.3g}"
    )


@given(ds=linear_datasets(), data=st.data())
def test_gd_error_bound_holds_and_is_tight(ds, data):
    # ||b_k - b*|| <= rho^k ||b0 - b*||, with equality when b0 - b* is the slowest eigenvector
    pb = ds.problem
    lr = data.draw(stable_learning_rates(pb), label="lr")
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
    # the oracle itself gives the lecture's printed normal equation and 1000th iterate
    from fitters import lecture_dataset

    from . import golden

    x, y = lecture_dataset()
    np.testing.assert_allclose(
        reference.normal_equation(x, y), golden.NORMAL_EQUATION, atol=golden.PRINTED_8_DECIMALS
    )
    np.testing.assert_allclose(
        reference.gd_iterate(x, y, [-5, 10], 0.1, 1000),
        golden.GD_1000_FLOAT64,
        atol=golden.PRINTED_8_DECIMALS,
    )
