"""The Route type and ``fitters.route``, tested directly (mutation testing found them implied).

Routes built at import time are valid by construction, so a broken metadata rule, an option
that ``fitters.route`` drops, a wrong default or an unchecked return shape go unseen by the
property suite. Each is asserted here on small hand-made routes (docs/power.md).
"""

from __future__ import annotations

import inspect
import math
import warnings

import numpy as np
import pytest

import fitters
from fitters.core import IllConditionedWarning
from fitters.losslog import LossLog
from fitters.problem import Problem
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


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        (
            {"stable_solve": True},
            "stable_solve describes a closed form; a gradient route cannot have it",
        ),
        (
            {"iterative": False, "centred_sums": True},
            "centred_sums describes a one-predictor closed form (max_predictors=1)",
        ),
        (
            {"iterative": False, "sufficient_statistics": True},
            "sufficient_statistics describes a gradient route's loss; closed forms have none",
        ),
    ],
    ids=["stable_solve", "centred_sums", "sufficient_statistics"],
)
def test_a_rule_broken_alone_is_the_whole_message(overrides, rule):
    # the message is the route's name and the rule, nothing else around it
    with pytest.raises(ValueError) as info:
        _route(**overrides)
    assert str(info.value) == f"Route 'r': {rule}"


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


#: what a one-predictor route says to x of two columns
TWO_COLUMNS = (
    "r fits 1 predictor(s); x has 2 columns. Use a vector route (e.g. normal_equation_solve) "
    "for several predictors."
)


@pytest.mark.parametrize(
    "second",
    [X, [0.0, np.nan, 2.0, 3.0], [1.0, 1.0, 1.0, 1.0]],
    ids=["collinear", "nan", "constant"],
)
def test_a_one_predictor_route_names_the_predictor_count_before_the_data(second):
    # the count is what to fix: a second column is refused as one too many, not for its values
    with pytest.raises(ValueError) as info:
        _route(max_predictors=1).fit(np.column_stack([X, second]), Y, epochs=0)
    assert str(info.value) == TWO_COLUMNS


def test_a_one_predictor_route_on_sufficient_statistics_fits_one_streamed_predictor():
    # streamed data reach such a route as moments only (pb.x is None); one predictor is
    # within its limit, so fit_problem goes straight on
    from fitters.sources import from_arrays

    r = _route(max_predictors=1, sufficient_statistics=True)
    pb = problem(from_arrays(X, Y), None)
    assert pb.streamed
    for fit in (r.fit(from_arrays(X, Y), None, epochs=0), r.fit_problem(pb, epochs=0)):
        np.testing.assert_array_equal(fit.coef, [-5.0, 10.0])


def test_fit_problem_names_the_predictor_count_of_streamed_data():
    # a streamed Problem (no rows, pb.x is None) of two predictors handed to a one-predictor
    # route gets the same message as arrays do
    from fitters.sources import from_arrays

    pb = problem(from_arrays(np.column_stack([X, X**2]), Y), None)
    with pytest.raises(ValueError) as info:
        _route(max_predictors=1, sufficient_statistics=True).fit_problem(pb, epochs=0)
    assert str(info.value) == TWO_COLUMNS


#: what a route that needs the rows says to streamed data
STREAMED = (
    "{} needs the data as arrays in memory, but they were streamed (arrays); only their "
    "second moments were kept. Fit streamed data with compiled_core or "
    "fitters.reference.normal_equation"
)


@pytest.mark.parametrize("iterative", [False, True])
def test_a_function_route_refuses_streamed_data_saying_what_fits_them(iterative):
    # a plain function takes x and y as arrays; streamed chunks keep only their moments
    from fitters.sources import from_arrays

    fn = _gd if iterative else _closed
    r = fitters.route(fn, dtype="float64", iterative=iterative, name="mine")
    with pytest.raises(ValueError) as info:
        r.fit(from_arrays(X, Y), None, epochs=1)
    assert str(info.value) == STREAMED.format("mine")
    with pytest.raises(ValueError) as info:
        r.fit_problem(problem(from_arrays(X, Y), None), epochs=1)
    assert str(info.value) == STREAMED.format("mine")


def test_fit_problem_refuses_streamed_data_for_a_route_that_needs_the_rows():
    # fit refuses them by the route's name in the registry; fit_problem by its metadata
    from fitters.sources import from_arrays

    pb = problem(from_arrays(X, Y), None)
    with pytest.raises(ValueError) as info:
        fitters.ROUTES["tape_scalar"].fit_problem(pb, epochs=1)
    assert str(info.value) == STREAMED.format("tape_scalar")


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
    # the frame walk skips fitters' own frames, to the line that called fit (under mutmut its
    # trampoline is a frame outside fitters, so tools/mutation.py leaves this test out of the
    # route_type pool)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = inspect.currentframe().f_lineno + 1
        _route(dtype="float32").fit(X_OFFSET, Y, epochs=0)
    (w,) = [w for w in caught if issubclass(w.category, IllConditionedWarning)]
    assert (w.filename, w.lineno) == (__file__, line)


def test_the_warning_reaches_code_run_without_a_module_name():
    # exec(script, {}) runs code whose globals have no __name__: it is a caller outside fitters
    code = "r.fit(x, y, epochs=0)"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exec(code, {"r": _route(dtype="float32"), "x": X_OFFSET, "y": Y})
    assert [w.category for w in caught] == [IllConditionedWarning]


def test_no_warning_where_the_dtype_resolves_the_answer():
    assert _warning(_route(dtype="float64"), X_OFFSET, Y) is None
    assert _warning(_route(dtype="float32"), X, Y) is None


class _Conditioned(Problem):
    """The four-point problem with cond(XS) set by hand: no data put eps * cond^k exactly on
    the threshold, since the bits of cond come from an SVD's rounding."""

    def __init__(self, kappa: float):
        pb = problem(X, Y)
        super().__init__(pb.x, pb.y)
        object.__setattr__(self, "kappa", kappa)

    @property
    def scaled_condition_number(self) -> float:
        return self.kappa


@pytest.mark.parametrize("stable_solve", [False, True], ids=["cond^2", "cond"])
def test_the_warning_threshold_is_strict(stable_solve):
    # warned when eps(dtype) * cond(XS)^k > 1e-2 (k = 1 for a QR solve, else 2): exactly at
    # 1e-2 it is not, one rounding of cond above it is
    eps = float(np.finfo(np.float32).eps)
    at = ILL_CONDITIONED / eps if stable_solve else math.sqrt(ILL_CONDITIONED / eps)
    power = 1 if stable_solve else 2
    above = math.nextafter(at, math.inf)
    assert eps * at**power == ILL_CONDITIONED < eps * above**power
    r = _route(
        iterative=False, impl=lambda pb: [0.0, 1.0], dtype="float32", stable_solve=stable_solve
    )
    for kappa, warned in ((at, False), (above, True)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            r.fit_problem(_Conditioned(kappa))
        found = [w for w in caught if issubclass(w.category, IllConditionedWarning)]
        assert len(found) == warned, kappa


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


# --- fitters.route's wrappers: options, variants, what the function returns -----------------


@pytest.mark.parametrize("iterative", [False, True])
def test_options_of_fit_reach_the_function(iterative):
    # a route's variants are keyword options of fit, handed on to the plain function
    seen = {}

    def closed(x, y, *, loss="a"):
        seen["loss"] = loss
        return [1.0, 2.0]

    def gd(x, y, init, lr, epochs, *, loss="a"):
        seen["loss"] = loss
        return init

    fn = gd if iterative else closed
    r = fitters.route(fn, dtype="float64", iterative=iterative, variants={"loss": ("a", "b")})
    r.fit(X, Y, epochs=2, loss="b")
    assert seen == {"loss": "b"}


@pytest.mark.parametrize("iterative", [False, True])
def test_a_variant_the_function_does_not_take_is_refused(iterative):
    # variants are checked against the plain function's own signature, not the wrapper's
    def closed(x, y):
        return [1.0, 2.0]

    def gd(x, y, init, lr, epochs):
        return init

    with pytest.raises(ValueError) as info:
        fitters.route(
            gd if iterative else closed,
            dtype="float64",
            iterative=iterative,
            name="mine",
            variants={"loss": ("a", "b")},
        )
    assert (
        str(info.value) == "Route 'mine': variants names 'loss', but impl takes no keyword 'loss'"
    )


def test_a_tuple_of_other_than_two_items_is_refused_saying_what_to_return():
    def gd(x, y, init, lr, epochs):
        return init, [1.0] * epochs, "extra"

    r = fitters.route(gd, dtype="float64", iterative=True, name="mine")
    with pytest.raises(ValueError) as info:
        r.fit(X, Y, epochs=2)
    assert str(info.value) == (
        "mine: returned a tuple of 3 items; return coef or (coef, losses), losses holding the "
        "loss before each step"
    )


@pytest.mark.parametrize("count", [0, 2, 4])
def test_a_loss_list_of_the_wrong_length_is_refused_pointing_at_the_loop(count):
    # len(losses) == epochs: one loss before each step
    def gd(x, y, init, lr, epochs):
        return init, [1.0] * count

    r = fitters.route(gd, dtype="float64", iterative=True, name="mine")
    with pytest.raises(ValueError) as info:
        r.fit(X, Y, epochs=3)
    assert str(info.value) == (
        f"mine: returned {count} losses for epochs=3; return the loss before each of the "
        "epochs steps (check the loop's range)"
    )


@pytest.mark.parametrize(
    "losses",
    [[1 + 2j] * 3, np.full(3, 1 + 2j), ["low", "lower", "lowest"]],
    ids=["complex", "complex array", "text"],
)
def test_losses_that_are_not_real_numbers_are_refused_saying_so(losses):
    # the loss before each step is a real number; complex or text losses of the right length
    # are refused by name (they were accepted with their imaginary parts dropped, or failed
    # inside NumPy's conversion)
    def gd(x, y, init, lr, epochs):
        return init, losses

    r = fitters.route(gd, dtype="float64", iterative=True, name="mine")
    with pytest.raises(ValueError, match=r"^mine: returned losses that are not real numbers"):
        r.fit(X, Y, epochs=3)


@pytest.mark.parametrize("iterative", [False, True])
def test_a_float32_functions_coefficients_come_back_as_float64(iterative):
    # fit.coef is a float64 array whatever precision the route computed in (docs/api.md)
    def closed(x, y):
        return np.array([0.1, 2.0], dtype=np.float32)

    def gd(x, y, init, lr, epochs):
        return np.array([0.1, 2.0], dtype=np.float32)

    r = fitters.route(gd if iterative else closed, dtype="float32", iterative=iterative)
    coef = r.fit(X, Y, epochs=1).coef
    assert coef.dtype == np.float64
    np.testing.assert_array_equal(coef, [float(np.float32(0.1)), 2.0])


def test_coefficients_in_any_real_number_type_are_read_as_float64():
    # what the function returns is taken as float64 [b0, ..., bp], as for closed forms: an
    # exact-arithmetic route may return Fractions
    from fractions import Fraction

    def gd(x, y, init, lr, epochs):
        return [Fraction(1, 3), Fraction(2)], [Fraction(1, 2)] * epochs

    def closed(x, y):
        return [Fraction(1, 3), Fraction(2)]

    for r in (
        fitters.route(gd, dtype="float64", iterative=True),
        fitters.route(closed, dtype="float64", iterative=False),
    ):
        fit = r.fit(X, Y, epochs=2)
        assert fit.coef.dtype == np.float64
        np.testing.assert_array_equal(fit.coef, [1 / 3, 2.0])


@pytest.mark.parametrize("epochs", [1, 3])
def test_non_finite_coefficients_without_losses_are_a_divergence_at_the_last_epoch(epochs):
    # no loss history to say when: the divergence is reported at the end of the run, with
    # the lr, the epoch and the stable bound
    def gd(x, y, init, lr, epochs):
        return np.full_like(init, np.nan)

    r = fitters.route(gd, dtype="float64", iterative=True, name="mine")
    stable = problem(X, Y).stable_lr
    with pytest.raises(fitters.DivergenceError) as info:
        r.fit(X, Y, lr=0.5, epochs=epochs)
    err = info.value
    assert (err.route, err.lr, err.epoch, err.stable_lr) == ("mine", 0.5, epochs, stable)
    assert str(err) == (
        f"mine: iterates stopped being finite at epoch {epochs} with lr=0.5; gradient descent "
        f"on this data set is stable only for lr < 2/lambda_max(H) = {stable:.6g}. Use a "
        "smaller learning rate."
    )


def test_non_finite_coefficients_after_zero_epochs_blame_the_start_not_the_lr():
    # no step was taken, so lr cannot be the cause: a float32 route whose init overflows
    # float32 is told to start from a smaller init
    def gd(x, y, init, lr, epochs):
        return init.astype(np.float32)

    r = fitters.route(gd, dtype="float32", iterative=True, name="mine")
    with pytest.raises(ValueError) as info, np.errstate(over="ignore"):
        r.fit(X, Y, init=[1e39, 0.0], epochs=0)
    assert not isinstance(info.value, fitters.DivergenceError)
    assert str(info.value) == (
        "mine: the loss at the starting coefficients is not finite in the route's precision: "
        "x, y or init are too large in magnitude for it; rescale the data (or use a float64 "
        "route) or start from a smaller init"
    )
