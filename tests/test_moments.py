"""The one pass (fitters.moments), streamed sources and the moments-based spectrum.

Boundaries the pass introduces, each crossed here and proved reached by ``find``:
- ``moments.BLOCK`` rows per block sum (n below, at and above it, several blocks, a
  partial last block), and ``moments.SHIFT_ROWS`` (the shift is the exact mean below it);
- the kernel branch by p (p = 1: scalar accumulators; p > 1: a (q, q) loop) and the NumPy
  fallback without Numba;
- chunked input (``sources``): chunk sizes below, at and across the block size, one-row
  chunks;
- ``problem.moments_r``'s certificate: accepted (spectrum from the moments) and refused
  (blocked QR), for in-memory and streamed data.

Expected values come from exact rational arithmetic (integer-valued data make every raw sum
exact in float64) or from the QR path, never from the pass under test.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

import fitters
from fitters import moments, reference, sources
from fitters.problem import design_r, moments_r
from fitters.tolerances import gamma, trajectory_bound
from fitters.validation import problem

CORE = fitters.ROUTES["compiled_core"]
KERNELS = ["fused", "numpy"] if moments.fused_available() else ["numpy"]


@st.composite
def integer_data(draw):
    """Integer-valued x (n, p) and y: every raw sum is exact in float64."""
    p = draw(st.integers(1, 3), label="p")
    n = draw(
        st.one_of(
            st.integers(p + 1, 40),
            st.integers(moments.BLOCK - 2, moments.BLOCK + 2),
            st.integers(2 * moments.BLOCK, 3 * moments.BLOCK + 7),
        ),
        label="n",
    )
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    offset = draw(st.sampled_from([0, 1000, -(10**5)]), label="offset")
    rng = np.random.default_rng(seed)
    x = (offset + rng.integers(-50, 51, size=(n, p))).astype(np.float64)
    y = (rng.integers(-50, 51, size=n) + x @ np.arange(1, p + 1)).astype(np.float64)
    chunk = draw(st.sampled_from([1, 7, moments.BLOCK, moments.BLOCK + 1, 10**6]), label="chunk")
    return x, y, chunk


def exact_sums(x, y, shift=None):
    """(sum z, sum z z') over rows of z = [x y] - shift, in rational arithmetic."""
    z = np.column_stack([x, y])
    s = [Fraction(0)] * z.shape[1] if shift is None else [Fraction(float(v)) for v in shift]
    rows = [[Fraction(float(v)) - s[j] for j, v in enumerate(r)] for r in z]
    q = z.shape[1]
    total = [sum(r[j] for r in rows) for j in range(q)]
    gram = [[sum(r[j] * r[k] for r in rows) for k in range(q)] for j in range(q)]
    return total, gram, [[sum(abs(r[j] * r[k]) for r in rows) for k in range(q)] for j in range(q)]


@pytest.mark.parametrize("kernel", KERNELS)
@settings(max_examples=15, deadline=None)
@given(data=integer_data())
def test_raw_sums_exact_and_shifted_within_the_depth_bound(kernel, data):
    # raw sums of integer data are exact; shifted ones within gamma_{depth+3} sum|d d'|
    x, y, _ = data
    mom = moments.of_arrays(x, y, fused=kernel == "fused")
    total, gram, _ = exact_sums(x, y)
    assert mom.raw_sum.tolist() == [float(v) for v in total]
    assert mom.raw_gram.tolist() == [[float(v) for v in row] for row in gram]
    s_total, s_gram, s_abs = exact_sums(x, y, mom.shift)
    bound = gamma(mom.depth + 3, np.float64)
    for j in range(len(s_total)):
        for k in range(len(s_total)):
            err = abs(Fraction(float(mom.shifted_gram[j, k])) - s_gram[j][k])
            assert err <= Fraction(bound) * s_abs[j][k] + Fraction(2.0**-1074), (j, k, err)


@settings(max_examples=15, deadline=None)
@given(data=integer_data())
def test_chunked_moments_fit_as_the_arrays_do(data):
    # streamed in chunks, the raw moments (exact here) and so the core's fit are identical,
    # and that fit lies within the derived bound of the exact gradient-descent iterate
    x, y, chunk = data
    pb = problem(x, y)
    streamed = problem(sources.from_arrays(x, y, chunk))
    assert streamed.streamed and streamed.n == pb.n
    np.testing.assert_array_equal(streamed.moments.raw_gram, pb.moments.raw_gram)
    lr = 0.5 * pb.stable_lr
    init = np.zeros(pb.p + 1)
    fit = CORE.fit_problem(streamed, init=init, lr=lr, epochs=50)
    bound = trajectory_bound(CORE, pb, init, lr, 50)
    assert bound.holds(fit.coef), (bound.error(fit.coef), bound.max_l2_error)
    assert np.array_equal(fit.coef, CORE.fit_problem(pb, init=init, lr=lr, epochs=50).coef)


def test_integer_data_reach_every_boundary():
    # meta: the strategy crosses the block size, several blocks, chunking and both branches
    config = settings(max_examples=300, database=None)
    block = moments.BLOCK
    find(integer_data(), lambda d: d[0].shape[0] == block, settings=config)
    find(integer_data(), lambda d: d[0].shape[0] == block + 1, settings=config)
    find(
        integer_data(),
        lambda d: d[0].shape[0] > 2 * block and d[0].shape[0] % block,
        settings=config,
    )
    find(integer_data(), lambda d: d[0].shape[0] > moments.SHIFT_ROWS, settings=config)
    find(integer_data(), lambda d: d[0].shape[1] == 1 and d[0].shape[0] > block, settings=config)
    find(integer_data(), lambda d: d[0].shape[1] > 1 and d[0].shape[0] > block, settings=config)
    find(integer_data(), lambda d: d[2] < d[0].shape[0] < 4 * d[2], settings=config)
    find(integer_data(), lambda d: d[2] == 1, settings=config)


def _offset(offset: float, n: int = 5000, seed: int = 1):
    rng = np.random.default_rng(seed)
    x = offset + rng.uniform(0.0, 1.0, n)
    return x, 2.0 + 3.0 * (x - offset) + 0.1 * rng.standard_normal(n)


@pytest.mark.parametrize(("offset", "certified"), [(0.0, True), (1e3, True), (1e7, False)])
def test_spectrum_from_moments_only_when_certified(offset, certified):
    # the moments give R when their error bound is no larger than a QR's; a far offset
    # (x in [1e7, 1e7 + 1]) falls back to the blocked QR. Either way the singular values
    # agree with one QR of the explicitly formed design
    x, y = _offset(offset)
    pb = problem(x, y)
    assert (moments_r(pb.moments) is not None) == certified
    direct = np.linalg.svd(np.linalg.qr(pb.design, mode="r"), compute_uv=False)
    np.testing.assert_allclose(pb.spectrum[0], direct, rtol=1e-9)
    np.testing.assert_allclose(
        pb.spectrum[0], np.linalg.svd(design_r(pb.x), compute_uv=False), rtol=1e-9
    )


def test_streamed_ill_conditioned_data_take_a_second_pass_or_say_why():
    # refused moments: a re-iterable source gives its QR from a second pass; a one-shot
    # iterator cannot, and the error says what to pass instead
    x, y = _offset(1e7)
    whole = problem(x, y)
    again = problem(sources.from_arrays(x, y, 1000))
    np.testing.assert_allclose(again.spectrum[0], whole.spectrum[0], rtol=1e-9)
    chunks = ((x[i : i + 1000], y[i : i + 1000]) for i in range(0, len(y), 1000))
    with pytest.raises(ValueError, match="one-shot iterator cannot be read twice"):
        problem(sources.from_iterable(chunks))


def test_reference_from_moments_matches_the_qr_solution():
    # normal_equation of a source solves from moments; on well-conditioned data it agrees
    # with the QR solve to the Gram's accuracy (eps cond(XcS)^2, cond ~ 1 here)
    rng = np.random.default_rng(3)
    x = 5.0 + rng.standard_normal((3000, 2))
    y = 1.0 + x @ [0.5, -2.0] + rng.standard_normal(3000)
    src = sources.from_arrays(x, y, 512)
    np.testing.assert_allclose(
        reference.normal_equation(src), reference.normal_equation(x, y), rtol=1e-11
    )
    with pytest.raises(ValueError, match="needs the data as arrays in memory"):
        reference.mse(problem(src), None, np.zeros(3))


@pytest.mark.parametrize("name", ["tape_vector", "normal_equation_inv", "keras_sequential"])
def test_tensor_routes_refuse_streamed_data(name):
    x, y = _offset(0.0, 100)
    with pytest.raises(ValueError, match=rf"{name} holds the design X = \[1 x\] as a tensor"):
        fitters.ROUTES[name].fit(sources.from_arrays(x, y, 10), None)


def test_streamed_nan_named_by_row(tmp_path):
    x, y = _offset(0.0, 3000)
    x[2345] = np.nan
    with pytest.raises(ValueError, match=r"x contains NaN or infinity \(first at row 2345\)"):
        CORE.fit(sources.from_arrays(x, y, 1000), None)


def test_open_data_reads_npy_pairs_and_csv(tmp_path):
    # every file form gives the same moments as the arrays (exact for integer data)
    rng = np.random.default_rng(4)
    x = rng.integers(-9, 10, size=(2500, 2)).astype(float)
    y = x @ [1.0, 2.0] + rng.integers(-3, 4, size=2500)
    np.save(tmp_path / "d.npy", np.column_stack([x, y]))
    np.save(tmp_path / "f.npy", np.asfortranarray(np.column_stack([x, y])))
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    header = "x1,x2,y"
    np.savetxt(
        tmp_path / "d.csv", np.column_stack([x, y]), delimiter=",", header=header, comments=""
    )
    want = problem(x, y).moments.raw_gram
    specs = (
        tmp_path / "d.npy",
        tmp_path / "f.npy",  # Fortran order: no contiguous rows, served from one map
        (tmp_path / "x.npy", tmp_path / "y.npy"),
        tmp_path / "d.csv",
    )
    for spec in specs:
        src = sources.open_data(spec, chunk_rows=700, progress=True)
        np.testing.assert_array_equal(problem(src).moments.raw_gram, want, err_msg=str(spec))
    with pytest.raises(ValueError, match="no such file"):
        sources.open_data(tmp_path / "missing.npy")
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="must name a column y"):
        sources.open_data(tmp_path / "bad.csv")
