"""The pytest plugin: ``pytest --fitters-routes MODULE`` runs the checks on MODULE's routes.

Installed as a ``pytest11`` entry point, so it is active wherever this package is installed;
it stays out of the way otherwise (it imports neither TensorFlow nor Hypothesis until asked).
The module (also ``FITTERS_ROUTES=MODULE``, as array-api-tests takes its module from the
environment) exposes ``ROUTES``: a dict or list whose items are ``Route`` objects (e.g. made
with ``fitters.route``), or plain functions carrying their metadata as attributes
(``fn.dtype = "float64"; fn.iterative = True``) or given as dicts
(``{"fn": my_gd, "dtype": "float64", "iterative": True}``). The checks then run with the
loaded Hypothesis profile (``--hypothesis-profile ci``, ``HYPOTHESIS_PROFILE``), with ids
``ROUTE-check_NAME(dtype=...)``, and pytest's exit status is the verdict.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ENV = "FITTERS_ROUTES"
SUITE = Path(__file__).with_name("testing") / "test_routes.py"
_METADATA = (
    "dtype",
    "iterative",
    "lr_dtype",
    "max_predictors",
    "name",
    "loss_history",
    "slow",
    "cheap_epochs",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fitters", "linear-regression route checks (fitters.testing)")
    group.addoption(
        "--fitters-routes",
        metavar="MODULE",
        default=os.environ.get(ENV),
        help=f"run the route checks on MODULE.ROUTES instead of the collected tests ({ENV})",
    )


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """xdist (controller side): pass the grouping decision on to each worker."""
    if node.config.getoption("dist", "no") == "loadgroup":
        node.workerinput["fitters_loadgroup"] = True


def _load_profiles(default: str | None = None) -> None:
    """Register the profiles; load HYPOTHESIS_PROFILE if set (else ``default``, if given).

    Without either, the global Hypothesis settings are left alone: the plugin is active in
    every pytest run where this package is installed, the user's own tests included.
    """
    try:
        from .testing import profiles  # registers dev / ci / thorough / mutation
    except ImportError:  # Hypothesis not installed: the plugin has nothing to register
        return
    if os.environ.get("HYPOTHESIS_PROFILE") or default:
        profiles.load_from_environment(default or "dev")


_load_profiles()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    option = config.option
    # A route's checks share fits, so under xdist they go to one worker (``xdist_group``):
    # the controller schedules by group, and each worker is told to tag its items with the
    # group (xdist re-parses the command line on workers, where ``-n`` alone means "load").
    if getattr(option, "numprocesses", None) and getattr(option, "dist", "no") in ("no", "load"):
        option.dist = "loadgroup"
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and workerinput.get("fitters_loadgroup"):
        option.loadgroup = True
    module = getattr(option, "fitters_routes", None)
    if module:
        from .quiet import retracing_notices_hidden

        retracing_notices_hidden()  # the suite fits a route many times, by design
        if not getattr(option, "hypothesis_profile", None):
            _load_profiles(default="dev")
        config._fitters_routes = load_routes(module)  # type: ignore[attr-defined]
        given = config.args_source is pytest.Config.ArgsSource.ARGS
        config.args[:] = [str(SUITE), *(config.args if given else [])]


def pytest_report_header(config: pytest.Config) -> list[str]:
    routes = getattr(config, "_fitters_routes", None)
    if routes is None:
        return []
    from .testing.runner import SESSION_SEED

    names = ", ".join(r.name for r in routes)
    return [
        f"fitters: checking {len(routes)} route(s) from {config.option.fitters_routes}: {names}",
        f"fitters: check seed {SESSION_SEED} (FITTERS_SEED={SESSION_SEED} repeats a non-"
        "derandomized run)",
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if {"fitters_route", "fitters_check"} <= set(metafunc.fixturenames):
        routes = getattr(metafunc.config, "_fitters_routes", None)
        if routes is None:
            raise pytest.UsageError(
                f"{SUITE.name} runs only with --fitters-routes MODULE (or {ENV}=MODULE)"
            )
        from .testing.runner import parametrize_with_checks

        metafunc.parametrize(
            ("fitters_route", "fitters_check"), parametrize_with_checks(routes).args[1]
        )


def load_routes(module_name: str):
    """The routes ``module_name`` exposes as ``ROUTES``, as Route objects.

    Raises pytest.UsageError saying what is wrong (no such module, no ROUTES, an item that
    is neither a Route nor a function with metadata).
    """
    from .route_type import Route

    if str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))  # a module next to the user's tests
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise pytest.UsageError(
            f"--fitters-routes {module_name}: cannot import it ({exc}); give a module name "
            "importable from the current directory or sys.path, e.g. mypkg.routes"
        ) from exc
    found = getattr(module, "ROUTES", None)
    if found is None:
        raise pytest.UsageError(
            f"--fitters-routes {module_name}: the module has no ROUTES; define "
            "ROUTES = [route, ...] (Route objects from fitters.route, or plain functions "
            "with metadata)"
        )
    items: Iterable = found.items() if isinstance(found, Mapping) else enumerate(found)
    routes = []
    for key, item in items:
        label = key if isinstance(key, str) else None
        routes.append(_as_route(item, label, module_name, Route))
    if not routes:
        raise pytest.UsageError(f"--fitters-routes {module_name}: ROUTES is empty")
    return routes


def _as_route(item, label: str | None, module_name: str, route_type):
    import fitters

    if isinstance(item, route_type):
        return item
    if isinstance(item, Mapping):
        meta = dict(item)
        fn = meta.pop("fn", None)
    else:
        fn, meta = item, {k: getattr(item, k) for k in _METADATA if hasattr(item, k)}
    if not callable(fn) or "dtype" not in meta or "iterative" not in meta:
        raise pytest.UsageError(
            f"--fitters-routes {module_name}: ROUTES item {label or item!r} is not a Route "
            "nor a function with dtype and iterative metadata; wrap it: "
            "fitters.route(fn, dtype='float64', iterative=True)"
        )
    if label and "name" not in meta:
        meta["name"] = label
    try:
        return fitters.route(fn, **meta)
    except (TypeError, ValueError) as exc:
        raise pytest.UsageError(f"--fitters-routes {module_name}: {label or fn}: {exc}") from exc
