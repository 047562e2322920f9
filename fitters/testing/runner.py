"""Running the checks: which apply to a route, and how they run under Hypothesis or pytest.

``yield_checks(route)`` yields the :class:`Check` objects that apply to a route, decided by its
metadata (scikit-learn's ``_yield_checks``); each pairs a plain check function with the
strategy that draws its inputs. ``check_route(route)`` runs them all and raises on the first
failure; ``parametrize_with_checks(routes)`` turns route x check into pytest parameters with
readable ids (``tape_scalar-check_trajectory(dtype=float32)``), so ``pytest -k
check_trajectory`` runs one check over every route.

Every check of one route draws from the same seed, so checks with the same input strategy
see the same inputs and share one fit (see :mod:`fitters.testing.checks`); under xdist they
are grouped on one worker (``xdist_group``) for the same reason.
"""

from __future__ import annotations

import os
import random
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from hypothesis import Phase, example, given, reject, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from ..route_type import Route
from . import checks as C
from . import strategies as S
from .datasets import lecture

__all__ = [
    "CHECKS",
    "Check",
    "CheckResult",
    "check_route",
    "parametrize_with_checks",
    "route_seed",
    "yield_checks",
]

#: seeds the checks of non-derandomized profiles; FITTERS_SEED fixes it to repeat a run
SESSION_SEED = int(os.environ.get("FITTERS_SEED", random.SystemRandom().getrandbits(32)))


@dataclass(frozen=True)
class Check:
    """A check function, the strategy of its inputs, and the routes it applies to.

    ``examples`` scales the profile's ``max_examples`` (checks that run 1000 epochs draw
    fewer); slow routes draw a quarter, never fewer than ``min_examples``.
    """

    function: Callable[..., None]
    inputs: Callable[[Route], st.SearchStrategy[dict]]
    applies: Callable[[Route], bool]
    examples: float | Callable[[Route], float] = 1.0
    min_examples: int = 2
    max_examples: int | None = None
    #: inputs always tried first (e.g. the lecture's data), by route
    explicit: Callable[[Route], list[dict]] | None = None

    @property
    def name(self) -> str:
        return self.function.__name__

    @property
    def __name__(self) -> str:  # so pytest ids and reports read like functions
        return self.name

    def settings_for(self, route: Route, base: settings | None = None) -> settings:
        """The profile's settings, scaled; 0 examples means the explicit ones only."""
        base = base or settings()
        share = self.examples(route) if callable(self.examples) else self.examples
        scale = share * (0.25 if route.slow else 1.0)
        count = max(self.min_examples, int(base.max_examples * scale))
        if self.max_examples is not None:
            count = min(count, self.max_examples)
        if count == 0:
            phases = [p for p in base.phases if p not in (Phase.generate, Phase.target)]
            return settings(base, max_examples=1, phases=phases)
        return settings(base, max_examples=count)

    def __call__(self, route: Route, *, profile: str | None = None) -> None:
        """Run this check on ``route`` over drawn inputs (the named profile, else the loaded
        one if it is one of ours, else ``dev``: Hypothesis's own default has a 200 ms
        deadline, which TensorFlow's first trace always exceeds)."""
        base = _base_settings(profile)
        reasons: list[str] = []

        def run(kwargs: dict) -> None:
            try:
                self.function(route, **kwargs)
            except C.InputNotApplicable as exc:
                reasons.append(str(exc))
                reject()

        test = given(self.inputs(route))(run)
        for inputs in self.explicit(route) if self.explicit else ():
            test = example(inputs)(test)
        test = seed(route_seed(route, base))(self.settings_for(route, base)(test))
        test.hypothesis.inner_test.__qualname__ = f"{route.name}.{self.name}"
        try:
            test()
        except Unsatisfiable as exc:
            raise C.CheckNotApplicable(
                f"no drawn input could exercise {self.name}: {reasons[-1] if reasons else exc}"
            ) from exc


def _base_settings(profile: str | None) -> settings:
    if profile:
        return settings.get_profile(profile)
    current = settings()
    return settings.get_profile("dev") if current.deadline is not None else current


def route_seed(route: Route, base: settings | None = None) -> int:
    """The seed every check of ``route`` draws from: fixed under derandomized profiles."""
    base = base or settings()
    salt = 0 if base.derandomize else SESSION_SEED
    return zlib.crc32(route.name.encode()) ^ salt


def _iterative(route: Route) -> bool:
    return route.iterative


def _float32_iterative(route: Route) -> bool:
    return route.iterative and route.dtype == "float32"


CHECKS: tuple[Check, ...] = (
    Check(C.check_closed_form, S.closed_form_inputs, lambda r: not r.iterative),
    Check(
        C.check_closed_form_ignores_gradient_arguments,
        S.closed_form_inputs,
        lambda r: not r.iterative,
        examples=0.2,
    ),
    Check(C.check_trajectory, S.iteration_inputs, _iterative),
    Check(
        C.check_loss_history,
        S.iteration_inputs,
        lambda r: r.iterative and r.records_loss is not False,
    ),
    Check(C.check_float32_coefficients, S.iteration_inputs, _float32_iterative),
    Check(C.check_float32_rounds_data, S.iteration_inputs, _float32_iterative, examples=0.4),
    Check(C.check_convergence, S.convergence_inputs, _iterative, examples=0.4),
    Check(
        C.check_defaults,
        S.default_inputs,
        _iterative,
        # the lecture's data, and drawn data too where 1000 epochs cost microseconds
        examples=lambda r: 0.12 if r.cheap_epochs else 0.0,
        min_examples=0,
        explicit=lambda r: [{"dataset": lecture()}],
    ),
    Check(C.check_divergence_reported, S.divergence_inputs, _iterative, examples=0.2),
    Check(
        C.check_variants_agree,
        S.iteration_inputs,
        lambda r: r.iterative and bool(r.variants),
        examples=0.2,
    ),
    Check(C.check_repeatable, lambda r: _repeat_inputs(r), lambda r: True, examples=0.2),
    Check(C.check_inputs_unchanged, lambda r: _repeat_inputs(r), lambda r: True, examples=0.2),
)


def _repeat_inputs(route: Route) -> st.SearchStrategy[dict]:
    return S.iteration_inputs(route) if route.iterative else S.closed_form_inputs(route)


def yield_checks(route: Route) -> Iterator[Check]:
    """The checks that apply to ``route``, decided by its metadata."""
    for check in CHECKS:
        if check.applies(route):
            yield check


@dataclass(frozen=True)
class CheckResult:
    """What ``check_route`` did with one check: "passed", "skipped" or "expected failure"."""

    check: str
    outcome: str
    reason: str = ""


def _expected(route: Route, extra: Mapping[str, str] | Callable[[Route], Mapping[str, str]] | None):
    known = dict(route.expected_failed_checks)
    if callable(extra):
        known.update(extra(route))
    elif extra:
        known.update(extra)
    return known


def check_route(
    route: Route,
    *,
    profile: str | None = None,
    expected_failed_checks: Mapping[str, str] | None = None,
) -> list[CheckResult]:
    """Run every check that applies to ``route``; raise AssertionError on the first failure.

    ``profile`` names a Hypothesis profile (``dev``, ``ci``, ``thorough``; default: the one
    loaded). Checks the route expects to fail (``route.expected_failed_checks`` and
    ``expected_failed_checks``) are not run; an unavailable route skips everything.
    Returns what happened to each check.
    """
    reason = route.unavailable
    results: list[CheckResult] = []
    expected = _expected(route, expected_failed_checks)
    for check in yield_checks(route):
        if reason is not None:
            results.append(CheckResult(check.name, "skipped", reason))
        elif check.name in expected:
            results.append(CheckResult(check.name, "expected failure", expected[check.name]))
        else:
            try:
                check(route, profile=profile)
            except C.CheckNotApplicable as exc:
                results.append(CheckResult(check.name, "skipped", str(exc)))
                continue
            results.append(CheckResult(check.name, "passed"))
    return results


def check_id(route: Route, check: Check) -> str:
    return f"{route.name}-{check.name}(dtype={route.dtype})"


def parametrize_with_checks(
    routes: Iterable[Route] | Mapping[str, Route],
    *,
    expected_failed_checks: Callable[[Route], Mapping[str, str]] | None = None,
):
    """A ``pytest.mark.parametrize("route, check", ...)`` over every route x applicable check.

    Use as::

        @parametrize_with_checks(list(fitters.ROUTES.values()))
        def test_route(route, check):
            check(route)

    An unavailable route's checks are skipped with its reason; a check named in the route's
    ``expected_failed_checks`` (or returned by ``expected_failed_checks(route)``) is a strict
    xfail with that reason.
    """
    import pytest

    values = routes.values() if isinstance(routes, Mapping) else routes
    params = []
    for route in values:
        expected = _expected(route, expected_failed_checks)
        unavailable = route.unavailable
        for check in yield_checks(route):
            marks = [pytest.mark.xdist_group(route.name)]
            if unavailable is not None:
                marks.append(pytest.mark.skip(reason=unavailable))
            elif check.name in expected:
                marks.append(pytest.mark.xfail(strict=True, reason=expected[check.name]))
            params.append(pytest.param(route, check, id=check_id(route, check), marks=marks))
    return pytest.mark.parametrize(("route", "check"), params)
