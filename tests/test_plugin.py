"""Checking your own route: ``fitters.route``, ``check_route`` and the pytest plugin, on the
examples in ``examples/`` (one correct route, three plausible bugs) and on a module written
outside the project.

The correct route must pass every check that applies; each buggy one must fail, with a message
that names the check and says what is wrong in terms a student can act on.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import fitters
from fitters.testing import check_route, check_trajectory, lecture, make_dataset, yield_checks

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

#: each buggy example: (module, the check that must catch it, what its message must say)
BUGS = {
    "bug_frozen_intercept": ("check_trajectory", "the intercept b0 never moved"),
    "bug_broadcast_axis": ("check_trajectory", "||coef - oracle||"),
    "bug_one_epoch_short": ("check_trajectory", "check the loop's range"),
}


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"examples_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_student_route_passes_every_check():
    # the correct example passes everything that applies, nothing skipped
    route = _load("student_gd").ROUTES[0]
    results = check_route(route, profile="dev")
    assert {r.check for r in results} == {c.name for c in yield_checks(route)}
    assert all(r.outcome == "passed" for r in results), results


@pytest.mark.parametrize("name", list(BUGS))
def test_buggy_route_fails_with_an_actionable_message(name):
    # each plausible bug is caught by the check that covers it, with a message that says so
    check, says = BUGS[name]
    route = _load(name).ROUTES[0]
    with pytest.raises(AssertionError) as info:
        check_route(route, profile="ci")
    message = str(info.value)
    assert message.startswith(f"{route.name} failed {check}:"), message
    assert says in message, message
    assert "replay: fitters.testing." in message and "make_dataset(" in message, message


@pytest.mark.parametrize(
    "coef, frozen",
    [((0.0, -4.0), "the slopes never moved"), ((4.0, 0.0), "the intercept b0 never moved")],
    ids=["slopes-move", "intercept-moves"],
)
def test_no_step_where_only_part_moves_is_told_both_causes(coef, frozen):
    # on centred x, one of the intercept and the slope is optimal from init = 0, so a loop one
    # epoch short at k = 1 (no step) and that part frozen leave the same trace: the hint names
    # both (the slopes case is a draw a random run met)
    route = _load("bug_one_epoch_short").ROUTES[0]
    data = make_dataset(
        p=1, n=2, layout="grid", seed=0, offset=0.0, scale=1.0, coef=coef, noise=0.0
    )
    with pytest.raises(AssertionError) as info:
        check_trajectory(route, data, init=[0.0, 0.0], lr=0.25, k=1)
    message = str(info.value)
    assert f"{frozen} from init" in message, message
    assert "no step was taken (check the loop's range)" in message, message


def test_a_route_replays_on_the_lectures_data():
    # a check is a plain function: run it by hand on the lecture's data
    route = _load("student_gd").ROUTES[0]
    fitters.testing.check_trajectory(route, lecture(), init=[-5.0, 10.0], lr=0.1, k=25)
    broken = _load("bug_frozen_intercept").ROUTES[0]
    with pytest.raises(AssertionError, match="frozen_intercept failed check_trajectory"):
        fitters.testing.check_trajectory(broken, lecture(), init=[-5.0, 10.0], lr=0.1, k=25)


def test_a_fixed_route_under_the_old_name_is_judged_afresh():
    # a student checks a buggy version, drops it and checks the fix under the same name (a
    # notebook, or tools/power.py's mutants): the fix must be fitted, not served the old
    # one's fits. The checks' fit cache once keyed a route by id() alone, which a new object
    # reuses once the old one is gone: 12 to 14 of these 20 versions got a predecessor's fit
    from fitters.testing import from_arrays
    from fitters.testing.checks import fit_once

    x = np.linspace(0.0, 1.0, 20)
    ds = from_arrays(x, 2 * x + 1)
    stale = []
    for version in range(20):

        def fit(x, y, intercept=float(version)):
            return np.array([intercept, 0.0])

        mine = fitters.route(fit, dtype="float64", iterative=False, name="mine")
        if fit_once(mine, ds).coef[0] != version:
            stale.append(version)
        del mine, fit  # freed at once (no cycles): its id is free for the next version
    assert not stale, f"{len(stale)} versions were served an earlier version's fit"


def test_route_from_function_applies_the_contract():
    # defaults, validation and the loss log around a plain function
    route = _load("student_gd").ROUTES[0]
    x, y = fitters.lecture_dataset()
    fit = route.fit(x, y, epochs=3)
    assert fit.epochs == 3 and fit.loss_history.shape == (3,) and fit.coef.shape == (2,)
    assert route.form == "scalar" if route.max_predictors == 1 else route.form == "vector"
    with pytest.raises(ValueError, match="NaN"):
        route.fit(np.array([1.0, np.nan, 3.0]), np.array([1.0, 2.0, 3.0]))
    with pytest.raises(fitters.DivergenceError), np.errstate(over="ignore", invalid="ignore"):
        route.fit(x, y, lr=50.0, epochs=500)


def test_function_writing_into_its_inputs_fails_loudly():
    # x and y arrive read-only: an in-place edit is an error, not silently corrupted data
    def centring(x, y, init, lr, epochs):
        x -= x.mean()
        return init

    route = fitters.route(centring, dtype="float64", iterative=True)
    with pytest.raises(ValueError, match="read-only"):
        route.fit(*fitters.lecture_dataset(), epochs=1)


def test_route_metadata_is_checked():
    # inconsistent metadata is refused when the route is made, with the reason
    with pytest.raises(ValueError, match="dtype must be 'float32' or 'float64'"):
        fitters.route(lambda x, y: None, dtype="float16", iterative=False)
    with pytest.raises(ValueError, match="contradicts max_predictors"):
        fitters.Route(
            name="r", iterative=False, dtype="float64", max_predictors=None, impl=len, form="scalar"
        )
    with pytest.raises(ValueError, match="no keyword 'loss'"):
        fitters.route(
            lambda x, y, init, lr, epochs: init,
            dtype="float64",
            iterative=True,
            variants={"loss": ("a", "b")},
        )


def _pytest(args: list[str], cwd: Path, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "HYPOTHESIS_PROFILE": "dev", **env}
    environment.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        env=environment,
    )


# a child pytest running the whole suite on an outside module: in the slow run
@pytest.mark.slow
def test_plugin_runs_the_suite_on_a_module_outside_the_project(tmp_path):
    # a student's file in a temporary folder: pytest --fitters-routes MODULE passes
    shutil.copy(EXAMPLES / "student_gd.py", tmp_path / "my_routes.py")
    proc = _pytest(["--fitters-routes", "my_routes"], tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "fitters: checking 1 route(s) from my_routes: student_gd" in proc.stdout
    checks = {c.name for c in yield_checks(_load("student_gd").ROUTES[0])}
    assert f"{len(checks)} passed" in proc.stdout, proc.stdout[-2000:]


@pytest.mark.slow
def test_plugin_fails_each_buggy_example(tmp_path):
    # the same through pytest (environment variable form), all three bugs in one child run:
    # a failing exit, and each bug's own failure report names its check and what is wrong
    for name in BUGS:
        shutil.copy(EXAMPLES / f"{name}.py", tmp_path / f"{name}.py")
    imports = "".join(f"from {name} import ROUTES as {name}\n" for name in BUGS)
    combined = " + ".join(BUGS)
    (tmp_path / "bugs.py").write_text(f"{imports}\nROUTES = {combined}\n")
    proc = _pytest(["-rf"], tmp_path, FITTERS_ROUTES="bugs")
    assert proc.returncode == 1, proc.stdout[-3000:]
    # pytest's FAILURES section: one "____ test id ____" header per failed test
    reports = re.split(r"^_{3,} .+ _{3,}$", proc.stdout, flags=re.MULTILINE)[1:]
    for name, (check, says) in BUGS.items():
        route = _load(name).ROUTES[0].name
        own = [r for r in reports if f"{route} failed {check}:" in r]
        assert own, f"{name}: no report of {route} failing {check}\n{proc.stdout[-3000:]}"
        assert any(says in r for r in own), f"{name}: {says!r} not in\n{own[0][-3000:]}"


def test_plugin_refuses_a_module_without_routes(tmp_path):
    # a usage error names what is missing
    (tmp_path / "empty.py").write_text("X = 1\n")
    proc = _pytest(["--fitters-routes", "empty"], tmp_path)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "has no ROUTES" in proc.stderr


def test_plain_functions_with_metadata(tmp_path):
    # ROUTES may hold plain functions with metadata attributes or dicts
    (tmp_path / "plain.py").write_text(
        textwrap.dedent(
            """
            import numpy as np

            def lstsq(x, y):
                X = np.column_stack([np.ones(len(y)), x])
                return np.linalg.lstsq(X, y, rcond=None)[0]

            lstsq.dtype = "float64"
            lstsq.iterative = False
            ROUTES = {"numpy_lstsq": lstsq}
            """
        )
    )
    from fitters.pytest_plugin import load_routes

    sys.path.insert(0, str(tmp_path))
    try:
        (route,) = load_routes("plain")
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("plain", None)
    assert route.name == "numpy_lstsq" and not route.iterative
    assert all(r.outcome == "passed" for r in check_route(route, profile="dev"))


def test_testing_without_hypothesis_names_the_extra(tmp_path):
    # importing fitters.testing without Hypothesis says which extra to install
    (tmp_path / "hypothesis.py").write_text("raise ImportError('no hypothesis here')\n")
    proc = subprocess.run(
        [sys.executable, "-c", "import fitters.testing"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        timeout=120,
    )
    assert proc.returncode != 0
    assert "pip install 'tf-linreg-routes[testing]'" in proc.stderr, proc.stderr[-2000:]
