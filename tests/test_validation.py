"""Bad input meets a clear error, on every route and on the reference (issue 6, item 1).

The cases are data (``tests/bad_inputs.py``); the route list parametrizes, so ids read
``tape_scalar-nan_in_x`` and ``pytest -k nan_in_x`` runs one case over every route.
Each check asserts the exception type and that the message names the problem.
"""

from __future__ import annotations

import numpy as np
import pytest

import fitters
from fitters import ROUTES, DivergenceError
from fitters.problem import Problem
from fitters.validation import check_epochs, check_init, check_lr, problem

from . import bad_inputs
from .bad_inputs import ACCEPTED, BAD_ARGUMENTS, BAD_DATA, CASES, REFERENCE_ARGUMENTS, Case


def _params(cases, *, error: bool):
    for case in cases:
        if (case.error is not None) != error:
            continue
        for route in ROUTES.values():
            if case.applies(route):
                yield pytest.param(case, route, id=f"{route.name}-{case.id}")


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
@pytest.mark.parametrize(("case", "route"), list(_params(CASES, error=True)))
def test_bad_input_raises_naming_the_problem(case: Case, route):
    # the route raises the case's error type, with a message that names what was wrong
    with pytest.raises(case.error) as info:
        case.fit(route)
    exc = info.value
    if case.error is ValueError:
        assert not isinstance(exc, DivergenceError), f"{route.name}/{case.id}: {exc}"
    assert info.match(case.match), f"{route.name}/{case.id}: message {str(exc)!r}"


_CANONICAL: dict = {}


def _canonical_fit(route, x, y, kwargs):
    key = (route.name, id(x), id(y), repr(sorted(kwargs.items())))
    if key not in _CANONICAL:
        _CANONICAL[key] = Case("canonical", "", x=x, y=y, kwargs=kwargs, error=None).fit(route)
    return _CANONICAL[key]


_PER_ROUTE = [c for c in ACCEPTED if c.per_route]


@pytest.mark.parametrize(("case", "route"), list(_params(_PER_ROUTE, error=False)))
def test_unusual_valid_input_is_accepted(case: Case, route):
    # integer data / init and a column y give bit-identical results to the float64 form
    fit = case.fit(route)
    if case.same_as is None:  # epochs = 0: no step, the answer is init
        assert fit.epochs == 0 and fit.loss_history.shape == (0,), route.name
        assert np.array_equal(fit.coef, [-5.0, 10.0]), f"{route.name}: {fit.coef}"
        return
    expected = _canonical_fit(route, *case.same_as)
    assert np.array_equal(fit.coef, expected.coef), (
        f"{route.name}/{case.id}: {fit.coef} != {expected.coef}"
    )
    assert fit.epochs == expected.epochs


@pytest.mark.parametrize("case", [c for c in ACCEPTED if not c.per_route], ids=lambda c: c.id)
def test_valid_input_decided_in_validation(case: Case):
    # inputs no route handles itself: validation turns them into the canonical float64 form
    x, y, kwargs = case.same_as
    got, want = problem(case.x, case.y), problem(x, y)
    assert got.x.dtype == want.x.dtype == np.float64
    assert np.array_equal(got.x, want.x) and np.array_equal(got.y, want.y), case.id
    for name, check in (("init", check_init), ("lr", check_lr), ("epochs", check_epochs)):
        if name in case.kwargs:
            args = (got.p,) if name == "init" else ()
            got_arg, want_arg = check(case.kwargs[name], *args), check(kwargs[name], *args)
            assert np.array_equal(got_arg, want_arg) and type(got_arg) is type(want_arg), name


_CLOSED = [r for r in ROUTES.values() if not r.iterative]
_ARGUMENT_CASES = [c for c in BAD_ARGUMENTS if c.kind != "data"]


@pytest.mark.parametrize("route", _CLOSED, ids=lambda r: r.name)
@pytest.mark.parametrize("case", _ARGUMENT_CASES, ids=lambda c: c.id)
def test_closed_forms_ignore_gradient_arguments(case: Case, route):
    # the contract: closed forms ignore init, lr and epochs, whatever their values
    fit = route.fit(case.x, case.y, **case.kwargs)
    expected = route.fit(case.x, case.y)
    assert np.array_equal(fit.coef, expected.coef), f"{route.name}/{case.id}"
    assert fit.epochs == 0 and fit.loss_history is None


def _reference_params():
    for case in BAD_DATA:
        if case.routes == bad_inputs.SCALAR:  # the reference takes any p
            continue
        for name, call in bad_inputs._reference_calls(case.x, case.y):
            yield pytest.param(case, call, id=f"reference.{name}-{case.id}")


@pytest.mark.parametrize(("case", "call"), list(_reference_params()))
def test_reference_rejects_bad_data(case: Case, call):
    # fitters.reference validates through the same function as the routes: same errors
    with pytest.raises(ValueError) as info:
        call()
    assert info.match(case.match), f"{case.id}: message {str(info.value)!r}"


@pytest.mark.parametrize(
    ("call", "match"),
    [
        pytest.param(call, match, id=f"reference.{name}-{what}")
        for name, what, call, match in REFERENCE_ARGUMENTS
    ],
)
def test_reference_rejects_bad_arguments(call, match):
    # the oracles' own arguments (k, lr, init, coef) are checked like the routes'
    with pytest.raises(ValueError, match=match):
        call()


def test_every_case_applies_somewhere():
    # a case that no route takes would silently test nothing
    for case in CASES:
        assert any(case.applies(r) for r in ROUTES.values()), case.id


def test_validation_does_not_copy_float64_input():
    # float64 C-contiguous data are used in place: at n = 1e7 a copy is 80 MB per array
    x = np.linspace(0.0, 1.0, 1000)
    y = 2.0 * x + np.sin(x)
    pb = problem(x, y)
    assert np.shares_memory(pb.x, x) and np.shares_memory(pb.y, y)
    x2 = np.column_stack([x, np.cos(3 * x)])
    assert np.shares_memory(problem(x2, y).x, x2)


def test_validation_converts_other_dtypes_once_to_float64():
    # float32 / int data become float64 exactly once, in validation (routes cast from there)
    x32 = np.linspace(0.0, 1.0, 50, dtype=np.float32)
    pb = problem(x32, np.arange(50))
    assert pb.x.dtype == np.float64 and pb.y.dtype == np.float64
    assert np.array_equal(pb.x[:, 0], x32.astype(np.float64))
    assert pb.x.flags.c_contiguous and pb.y.flags.c_contiguous


def test_problem_keeps_its_api():
    # other modules read these; a Problem built without validation still computes them
    x = np.linspace(-1.0, 1.0, 20)
    y = 1.0 - 3.0 * x
    pb = problem(x, y)
    bare = Problem(pb.x, pb.y)
    assert (pb.n, pb.p) == (bare.n, bare.p) == (20, 1)
    assert np.array_equal(pb.design, np.column_stack([np.ones(20), x]))
    np.testing.assert_allclose(pb.spectrum[0], bare.spectrum[0], rtol=1e-14)
    np.testing.assert_allclose(
        pb.spectrum[0], np.linalg.svd(pb.design, compute_uv=False), rtol=1e-14
    )
    np.testing.assert_allclose(pb.hessian_eigenvalues, 2 * pb.spectrum[0] ** 2 / 20, rtol=1e-15)
    assert pb.stable_lr == 2 / pb.hessian_eigenvalues[0]
    np.testing.assert_allclose(pb.condition_number, np.linalg.cond(pb.design), rtol=1e-12)
    np.testing.assert_allclose(pb.gram, pb.design.T @ pb.design, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(pb.moment, pb.design.T @ y, rtol=1e-14, atol=1e-14)


def test_blocked_qr_equals_one_qr():
    # the R accumulated over row blocks has the singular values of one QR of [1 x]
    rng = np.random.default_rng(0)
    n = 3 * fitters.problem.BLOCK_ROWS + 17
    x = 40.0 + rng.standard_normal((n, 2))
    y = rng.standard_normal(n)
    pb = problem(x, y)
    direct = np.linalg.svd(np.linalg.qr(pb.design, mode="r"), compute_uv=False)
    np.testing.assert_allclose(pb.spectrum[0], direct, rtol=1e-12)


def test_robustness_table_is_current():
    # docs/robustness.md is generated from the same cases; regenerate: python -m tests.bad_inputs
    assert bad_inputs.DOC.exists(), "run: python -m tests.bad_inputs"
    assert bad_inputs.DOC.read_text() == bad_inputs.table(), (
        "docs/robustness.md is stale; regenerate it with: python -m tests.bad_inputs"
    )
