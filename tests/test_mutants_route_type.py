"""The Route type and ``fitters.route``, tested directly (mutation testing found them implied).

Routes built at import time are valid by construction, so a broken metadata rule, an option
that ``fitters.route`` drops, a wrong default or an unchecked return shape go unseen by the
property suite. Each is asserted here on small hand-made routes (docs/power.md).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import fitters
from fitters.core import IllConditionedWarning
from fitters.losslog import LossLog
from fitters.route_type import ILL_CONDITIONED, Route
from fitters.validation import problem

X = np.array([0.0, 1.0, 2.0, 3.0])
Y = 1.0 + 2.0 * X


def _closed(x, y):
    return [1.0, 2.0]


def _gd(x, y, init, lr, epochs):
    return init


def _impl(pb, init, lr, epochs, log, **options):
    return init


def _route(**overrides) -> Route:
    kwargs = dict(name="r", iterative=True, dtype="float64", max_predictors=None, impl=_impl)
    kwargs.update(overrides)
    return Route(**kwargs)


# --- fitters.route: options reach the Route, defaults are the documented ones --------------


def test_every_option_of_fitters_route_reaches_the_route():
    def gd_with_spellings(x, y, init, lr, epochs, *, loss="a"):
        return init

    r = fitters.route(
        gd_with_spellings,
        dtype="float32",
        iterative=True,
        lr_dtype="float64",
        max_predictors=1,
        name="mine",
        loss_history=True,
        slow=True,
        cheap_epochs=True,
        variants={"loss": ("a", "b")},
        needs=("optimizer.minimize",),
        expected_failed_checks={"check_defaults": "known"},
        section="my section",
        calls="my calls",
    )
    assert (r.name, r.dtype, r.lr_dtype, r.iterative, r.max_predictors) == (
        "mine",
        "float32",
        "float64",
        True,
        1,
    )
    assert (r.form, r.slow, r.cheap_epochs, r.records_loss) == ("scalar", True, True, True)
    assert dict(r.variants) == {"loss": ("a", "b")}
    assert r.needs == ("optimizer.minimize",)
    assert dict(r.expected_failed_checks) == {"check_defaults": "known"}
    assert (r.section, r.calls) == ("my section", "my calls")


def test_fitters_route_defaults():
    r = fitters.route(_gd, dtype="float32", iterative=True)
    assert r.name == "_gd"
    assert r.lr_dtype == "float32"  # the dtype lr is applied in defaults to the route's
    assert (r.max_predictors, r.form) == (None, "vector")
    assert r.records_loss is None  # decided by what the function returns
    assert (r.slow, r.cheap_epochs) == (False, False)
    assert (dict(r.variants), r.needs, dict(r.expected_failed_checks)) == ({}, (), {})
    assert r.section == ""
    assert r.calls == f"{__name__}._gd"


def test_fitters_route_as_a_decorator():
    r = fitters.route(dtype="float64", iterative=False)(_closed)
    assert isinstance(r, Route)
    assert (r.name, r.iterative, r.records_loss) == ("_closed", False, False)
    np.testing.assert_array_equal(r.fit(X, Y).coef, [1.0, 2.0])


def test_closed_form_routes_never_record_losses():
    r = fitters.route(_closed, dtype="float64", iterative=False, loss_history=True)
    assert r.records_loss is False
    assert r.fit(X, Y).loss_history is None


class _Anonymous:
    """A callable without __name__ or __module__ (as some C callables are)."""

    def __getattribute__(self, name):
        if name in ("__name__", "__module__"):
            raise AttributeError(name)
        return object.__getattribute__(self, name)

    def __call__(self, x, y):
        return [1.0, 2.0]


def test_a_callable_without_a_name_is_called_route():
    r = fitters.route(_Anonymous(), dtype="float64", iterative=False)
    assert r.name == "route"
    assert r.calls == "?.route"


def test_fitters_route_wraps_closed_forms_and_gradient_functions_differently():
    closed = fitters.route(_closed, dtype="float64", iterative=False)
    grad = fitters.route(_gd, dtype="float64", iterative=True)
    np.testing.assert_array_equal(closed.fit(X, Y, epochs=5).coef, [1.0, 2.0])
    np.testing.assert_array_equal(grad.fit(X, Y, init=[3.0, 4.0], epochs=5).coef, [3.0, 4.0])


def test_inputs_reach_the_function_read_only():
    seen = {}

    def spy(x, y):
        seen["x"], seen["y"] = x, y
        return [1.0, 2.0]

    fitters.route(spy, dtype="float64", iterative=False).fit(X, Y)
    assert seen["x"].flags.writeable is False and seen["y"].flags.writeable is False
    np.testing.assert_array_equal(seen["x"][:, 0], X)
    np.testing.assert_array_equal(seen["y"], Y)


# --- Route metadata: each rule, and what it lets through -----------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "two words"}, "name must be an identifier"),
        ({"name": "class"}, "name must be an identifier"),
        ({"name": 7}, "name must be an identifier"),
        ({"iterative": 1}, "iterative must be True or False, got 1"),
        ({"dtype": "float16"}, "dtype must be 'float32' or 'float64', got 'float16'"),
        ({"lr_dtype": "half"}, "lr_dtype must be 'float32' or 'float64', got 'half'"),
        ({"max_predictors": 0}, "max_predictors must be None (any p) or an integer >= 1, got 0"),
        ({"max_predictors": 1.0}, "max_predictors must be None"),
        ({"max_predictors": True}, "max_predictors must be None"),
        (
            {"form": "scalar"},
            "form 'scalar' contradicts max_predictors=None (scalar routes, and only they, "
            "fit one predictor); leave form out to derive it",
        ),
        ({"max_predictors": 1, "form": "vector"}, "form 'vector' contradicts max_predictors=1"),
        ({"impl": 3}, "impl must be callable, got int"),
        (
            {"stable_solve": True},
            "stable_solve describes a closed form; a gradient route cannot have it",
        ),
        (
            {"centred_sums": True, "max_predictors": 1},
            "centred_sums describes a one-predictor closed form (max_predictors=1)",
        ),
        (
            {"iterative": False, "centred_sums": True},
            "centred_sums describes a one-predictor closed form (max_predictors=1)",
        ),
        (
            {"iterative": False, "sufficient_statistics": True},
            "sufficient_statistics describes a gradient route's loss; closed forms have none",
        ),
        ({"variants": {"loss": ()}}, "variants['loss'] must be a non-empty tuple"),
        ({"variants": {"loss": ("a", 1)}}, "variants['loss'] must be a non-empty tuple"),
        ({"impl": lambda pb: None, "variants": {"loss": ("a",)}}, "impl takes no keyword 'loss'"),
        ({"needs": "optimizer.minimize"}, "needs must be a tuple of feature names"),
        ({"needs": ("a", 2)}, "needs must be a tuple of feature names"),
    ],
)
def test_inconsistent_metadata_is_refused_with_the_rule(overrides, message):
    with pytest.raises(ValueError) as info:
        _route(**overrides)
    assert str(info.value).startswith(f"Route {overrides.get('name', 'r')!r}: ")
    assert message in str(info.value)


def test_every_broken_rule_is_listed():
    with pytest.raises(ValueError) as info:
        _route(dtype="f", lr_dtype="g")
    assert str(info.value) == (
        "Route 'r': dtype must be 'float32' or 'float64', got 'f'; "
        "lr_dtype must be 'float32' or 'float64', got 'g'"
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"max_predictors": 1},
        {"max_predictors": 2},
        {"max_predictors": 1, "form": "scalar"},
        {"max_predictors": 3, "form": "vector"},
        {"sufficient_statistics": True},
        {"iterative": False, "stable_solve": True},
        {"iterative": False, "centred_sums": True, "max_predictors": 1},
        {"variants": {"loss": ("a", "b")}},
        {"impl": lambda pb, *, loss: None, "variants": {"loss": ("a",)}},
        {"needs": ("optimizer.minimize",)},
    ],
)
def test_consistent_metadata_is_accepted(overrides):
    r = _route(**overrides)
    assert r.form == ("scalar" if r.max_predictors == 1 else "vector")


def test_a_positional_only_parameter_is_not_a_variant_keyword():
    def impl(pb, loss, /):
        return None

    with pytest.raises(ValueError, match="impl takes no keyword 'loss'"):
        _route(impl=impl, variants={"loss": ("a",)})


def test_a_builtin_without_signature_is_trusted_with_variants():
    assert _route(impl=max, variants={"loss": ("a",)}).variants == {"loss": ("a",)}


def test_a_closed_form_never_declares_recorded_losses():
    assert _route(iterative=False).records_loss is False
    assert _route(iterative=True).records_loss is True
    assert _route(iterative=True, records_loss=None).records_loss is None


@pytest.mark.parametrize(
    ("lr_dtype", "expected"), [("float64", 0.1), ("float32", 0.10000000149011612)]
)
def test_effective_lr_is_lr_in_the_routes_lr_dtype(lr_dtype, expected):
    assert _route(lr_dtype=lr_dtype).effective_lr(0.1) == expected


# --- Route.fit: what the impl receives and what fit makes of its answer ---------------------


def test_an_iterative_impl_receives_the_validated_arguments():
    seen = {}

    def impl(pb, init, lr, epochs, log, **options):
        seen.update(pb=pb, init=init, lr=lr, epochs=epochs, log=log, options=options)
        log.record_many([5.0] * epochs)
        return np.array([[7.0], [8.0]])  # a (p+1, 1) column is accepted

    fit = _route(impl=impl).fit(X, Y, init=[1, 2], lr=0.5, epochs=3, extra="x")
    np.testing.assert_array_equal(seen["pb"].x[:, 0], X)
    assert seen["init"].dtype == np.float64
    np.testing.assert_array_equal(seen["init"], [1.0, 2.0])
    assert (seen["lr"], seen["epochs"], seen["options"]) == (0.5, 3, {"extra": "x"})
    assert isinstance(seen["log"], LossLog) and seen["log"].route == "r"
    assert seen["log"].lr == 0.5 and seen["log"].problem is seen["pb"]
    np.testing.assert_array_equal(fit.coef, [7.0, 8.0])
    assert fit.coef.shape == (2,) and fit.coef.dtype == np.float64
    assert fit.epochs == 3
    np.testing.assert_array_equal(fit.loss_history, [5.0, 5.0, 5.0])


def test_an_iterative_fit_applies_the_contracts_defaults():
    seen = {}

    def impl(pb, init, lr, epochs, log):
        seen.update(init=init, lr=lr, epochs=epochs)
        log.record_many(np.zeros(epochs))
        return init

    fit = _route(impl=impl).fit(X, Y)
    np.testing.assert_array_equal(seen["init"], [-5.0, 10.0])
    assert (seen["lr"], seen["epochs"], fit.epochs) == (0.1, 1000, 1000)


def test_a_closed_form_impl_receives_the_problem_and_its_options():
    seen = {}

    def impl(pb, **options):
        seen.update(pb=pb, options=options)
        return [[1.0], [2.0]]

    fit = _route(iterative=False, impl=impl).fit(X, Y, method="qr")
    np.testing.assert_array_equal(seen["pb"].y, Y)
    assert seen["options"] == {"method": "qr"}
    np.testing.assert_array_equal(fit.coef, [1.0, 2.0])
    assert (fit.epochs, fit.loss_history) == (0, None)


@pytest.mark.parametrize("iterative", [False, True])
def test_coefficients_of_the_wrong_shape_are_refused(iterative):
    def impl(pb, *args, **options):
        return np.zeros(3)

    with pytest.raises(ValueError) as info:
        _route(iterative=iterative, impl=impl).fit(X, Y, **({"epochs": 0} if iterative else {}))
    assert str(info.value) == (
        "r: returned coefficients of shape (3,); a route returns p+1 = 2 values "
        "[b0, b1, ..., bp], intercept first"
    )


@pytest.mark.parametrize("shape", [(1,), (3, 1), (2, 2)])
def test_near_miss_shapes_are_refused(shape):
    def impl(pb):
        return np.zeros(shape)

    with pytest.raises(ValueError, match="returned coefficients of shape"):
        _route(iterative=False, impl=impl).fit(X, Y)


def test_non_finite_closed_form_coefficients_are_an_error_naming_the_conditioning():
    def impl(pb):
        return [np.nan, 1.0]

    pb = problem(X, Y)
    with pytest.raises(ValueError) as info:
        _route(iterative=False, impl=impl).fit(X, Y)
    assert str(info.value) == (
        f"r: the solve produced non-finite coefficients (cond(X) = "
        f"{pb.condition_number:.3g} is beyond float64)"
    )


@pytest.mark.parametrize(
    ("declared", "records", "expected"),
    [
        (None, True, [1.0, 2.0]),
        (None, False, None),
        (True, False, []),
        (False, True, [1.0, 2.0]),
        (False, False, None),
    ],
)
def test_loss_history_follows_the_declaration_or_what_was_recorded(declared, records, expected):
    def impl(pb, init, lr, epochs, log):
        if records:
            log.record(1.0)
            log.record(2.0)
        return init

    fit = _route(impl=impl, records_loss=declared).fit(X, Y, epochs=2)
    if expected is None:
        assert fit.loss_history is None
    else:
        np.testing.assert_array_equal(fit.loss_history, expected)


def test_fit_problem_on_a_one_predictor_route_accepts_one_predictor():
    r = _route(max_predictors=1)
    fit = r.fit_problem(problem(X, Y), epochs=0)
    np.testing.assert_array_equal(fit.coef, [-5.0, 10.0])


def test_fit_problem_refuses_more_predictors_than_the_route_fits():
    pb = problem(np.column_stack([X, X**2]), Y)
    with pytest.raises(ValueError, match=r"^r fits 1 predictor\(s\); x has 2 columns"):
        _route(max_predictors=1).fit_problem(pb, epochs=0)


# --- the ill-conditioning warning --------------------------------------------------------

#: x = 1000 + a spread of 3: cond(XS) about 700, so float32 (eps 1.2e-7) squared is 0.06
X_OFFSET = 1000.0 + X


def _warning(route: Route, x, y) -> warnings.WarningMessage | None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        route.fit(x, y, **({"epochs": 0} if route.iterative else {}))
    found = [w for w in caught if issubclass(w.category, IllConditionedWarning)]
    assert len(found) <= 1
    return found[0] if found else None


def test_the_warning_names_the_route_the_conditioning_and_the_fix():
    pb = problem(X_OFFSET, Y)
    kappa = pb.scaled_condition_number
    eps = float(np.finfo(np.float32).eps)
    assert eps * kappa**2 > ILL_CONDITIONED > float(np.finfo(np.float64).eps) * kappa**2
    w = _warning(_route(dtype="float32"), X_OFFSET, Y)
    assert w is not None
    assert str(w.message) == (
        f"r: cond(X) = {kappa:.3g} (columns scaled to unit norm), so float32 (eps "
        f"{eps:.2g} * cond^2 = {eps * kappa**2:.2g}) cannot resolve the coefficients; centre "
        "or rescale x, drop nearly collinear predictors, or use a float64 route that does not "
        "form X'X (normal_equation_solve)"
    )


def test_the_warning_is_attributed_to_the_caller():
    # the frame walk skips fitters' own frames (under mutmut its trampoline is a frame outside
    # fitters, so tools/mutation.py leaves this test out of the route_type pool)
    w = _warning(_route(dtype="float32"), X_OFFSET, Y)
    assert w is not None and w.filename == __file__


def test_no_warning_where_the_dtype_resolves_the_answer():
    assert _warning(_route(dtype="float64"), X_OFFSET, Y) is None
    assert _warning(_route(dtype="float32"), X, Y) is None


def test_a_qr_solve_is_warned_at_eps_times_cond_not_its_square():
    # cond(XS) about 7e5 (an offset of 1e6): float32 eps * cond = 0.08, eps * cond^2 = 6e4
    x = 1e6 + X
    pb = problem(x, Y)
    kappa = pb.scaled_condition_number
    eps = float(np.finfo(np.float32).eps)
    qr = _route(iterative=False, impl=lambda pb: [0.0, 1.0], dtype="float32", stable_solve=True)
    w = _warning(qr, x, Y)
    assert w is not None
    assert str(w.message) == (
        f"r: cond(X) = {kappa:.3g} (columns scaled to unit norm), so float32 (eps "
        f"{eps:.2g} * cond = {eps * kappa:.2g}) cannot resolve the coefficients; centre or "
        "rescale x, drop nearly collinear predictors, or use a float64 route"
    )
    # below eps * cond = 1e-2 a QR solve is not warned, though eps * cond^2 is far above it
    x_mild = 1e3 + X
    kappa_mild = problem(x_mild, Y).scaled_condition_number
    assert eps * kappa_mild < ILL_CONDITIONED < eps * kappa_mild**2
    assert _warning(qr, x_mild, Y) is None
