"""Check any linear-regression route, yours included: the harness's checks as a library.

    import fitters
    from fitters.testing import check_route

    @fitters.route(dtype="float64", iterative=True)
    def my_gd(x, y, init, lr, epochs):
        ...
        return coef

    check_route(my_gd)            # raises AssertionError naming the first property broken

Each ``check_*`` is a plain function of a route and given inputs (replay one by hand on the
lecture's data with ``datasets.lecture()``); ``strategies`` draws inputs with Hypothesis;
``yield_checks`` / ``check_route`` / ``parametrize_with_checks`` run them. The pytest plugin
(``pytest --fitters-routes MODULE``) runs the whole suite on a module's routes.
Needs the ``testing`` extra (Hypothesis and pytest).
"""

from __future__ import annotations

try:
    import hypothesis  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "fitters.testing needs Hypothesis (and pytest to run it as a test suite); install "
        "the testing extra: pip install 'tf-linreg-routes[testing]'"
    ) from exc

from . import profiles as _profiles  # registers the Hypothesis profiles
from . import strategies
from .checks import (
    CheckNotApplicable,
    check_closed_form,
    check_closed_form_ignores_gradient_arguments,
    check_convergence,
    check_defaults,
    check_divergence_reported,
    check_float32_coefficients,
    check_float32_rounds_data,
    check_inputs_unchanged,
    check_loss_history,
    check_repeatable,
    check_trajectory,
    check_variants_agree,
)
from .datasets import Dataset, from_arrays, from_csv, lecture, make_dataset
from .runner import CHECKS, Check, CheckResult, check_route, parametrize_with_checks, yield_checks

del _profiles

__all__ = [
    "CHECKS",
    "Check",
    "CheckNotApplicable",
    "CheckResult",
    "Dataset",
    "check_closed_form",
    "check_closed_form_ignores_gradient_arguments",
    "check_convergence",
    "check_defaults",
    "check_divergence_reported",
    "check_float32_coefficients",
    "check_float32_rounds_data",
    "check_inputs_unchanged",
    "check_loss_history",
    "check_repeatable",
    "check_route",
    "check_trajectory",
    "check_variants_agree",
    "from_arrays",
    "from_csv",
    "lecture",
    "make_dataset",
    "parametrize_with_checks",
    "strategies",
    "yield_checks",
]
