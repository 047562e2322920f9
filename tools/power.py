"""Measured detection thresholds: the smallest perturbation of each kind the checks catch.

For every route and every kind of perturbation below, the route's implementation is wrapped
so that it computes a slightly wrong answer of size e, and the route's default suite (every
check that applies, ``fitters.testing.check_route`` with the ``mutation`` profile: the ci
profile's examples without shrinking) is run on it. The threshold is the smallest e on a grid
of half-decades that fails the suite; detection is monotone in e for these kinds, so the grid
is searched from the target down and up, a handful of runs per route and kind.

Kinds (iterative routes unless said):
  lr        the step size off by a relative e: lr (1 + e)
  decay     a per-step multiplicative decay: b_{j+1} = (1 - e) step(b_j)
  one-off   one step (the middle one) off by a relative e
  momentum  heavy-ball momentum of size e left on: + e (b_j - b_{j-1})
  init      the starting point off by a relative e
  drop-row  one data row of n dropped (e is not used; every route, closed forms too)
  default   each contract default changed a little: lr 0.1 -> 0.1001, 1000 -> 999 epochs,
            init (-5, 10) -> (-5, 10.001) and zeros -> 1e-3 for p > 1 (e is not used)
  output    closed forms: the coefficients off by a relative e

The wrappers run a route's own implementation, one call per step where a kind needs access
between steps (decay, momentum): full-batch gradient descent keeps no state between steps,
so k calls of one step are the same k steps (the suite's own check_repeatable holds every
route to that).

Run:  python tools/power.py --out docs/power-thresholds.json    (tox -e power)
      python tools/power.py --routes tape_vector --kinds lr,decay   (a subset)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import fitters  # noqa: E402
from fitters.losslog import LossLog  # noqa: E402
from fitters.problem import Problem  # noqa: E402
from fitters.route_type import Route  # noqa: E402
from fitters.testing import check_route  # noqa: E402
from fitters.testing.profiles import load_package  # noqa: E402

#: half-decades from 1e-13 to 1e-1
GRID = [10.0 ** (-k / 2) for k in range(26, 1, -1)]
#: the targets of the issue: float64 routes catch 1e-9, float32 and Keras routes 1e-5
TARGET = {"float64": 1e-9, "float32": 1e-5}
KINDS = ("lr", "decay", "one-off", "momentum", "init", "drop-row", "default", "output")


def _held(route: Route, b) -> np.ndarray:
    """Coefficients as the route holds them (a float32 route rounds what it stores)."""
    return np.asarray(b, dtype=np.float64).astype(route.dtype).astype(np.float64)


def _stepwise(route: Route, per_step: Callable[[int, np.ndarray, np.ndarray], np.ndarray]):
    """A route that takes its steps one call at a time, ``per_step`` applied after each (in
    the precision the route holds its coefficients in)."""
    impl = route.impl

    def mutant(pb: Problem, init, lr, epochs, log: LossLog, **kw):
        b = _held(route, init)  # the route holds init in its dtype, also at 0 steps
        previous = b
        for j in range(epochs):
            stepped = np.asarray(impl(pb, b, lr, 1, log, **kw), dtype=np.float64)
            b, previous = _held(route, per_step(j, stepped, previous)), b
        return b

    return mutant


def perturb(route: Route, kind: str, e: float) -> Route | None:
    """``route`` with a perturbation of this kind and size, or None where it does not apply."""
    impl = route.impl
    if kind == "drop-row":

        def dropped(pb: Problem, *args, **kw):
            return impl(Problem(pb.x[1:], pb.y[1:]), *args, **kw)

        return dataclasses.replace(route, impl=dropped)
    if not route.iterative:
        if kind != "output":
            return None

        def output(pb, **kw):
            return _held(route, np.asarray(impl(pb, **kw), dtype=np.float64) * (1 + e))

        return dataclasses.replace(route, impl=output)
    if kind == "lr":

        def lr_off(pb, init, lr, epochs, log, **kw):
            return impl(pb, init, lr * (1 + e), epochs, log, **kw)

        return dataclasses.replace(route, impl=lr_off)
    if kind == "init":

        def init_off(pb, init, lr, epochs, log, **kw):
            return impl(pb, _held(route, np.asarray(init) * (1 + e)), lr, epochs, log, **kw)

        return dataclasses.replace(route, impl=init_off)
    if kind == "decay":
        return dataclasses.replace(route, impl=_stepwise(route, lambda j, b, prev: (1 - e) * b))
    if kind == "momentum":
        return dataclasses.replace(
            route, impl=_stepwise(route, lambda j, b, prev: b + e * (b - prev))
        )
    if kind == "one-off":

        def one_off(pb, init, lr, epochs, log, **kw):
            middle = epochs // 2
            b = np.asarray(impl(pb, init, lr, middle, log, **kw), dtype=np.float64)
            if epochs:
                b = _held(route, b * (1 + e))
            return impl(pb, b, lr, epochs - middle, log, **kw)

        return dataclasses.replace(route, impl=one_off)
    if kind == "default":
        return None  # handled by default_mutants
    return None


def default_mutants(route: Route) -> dict[str, Route]:
    """The route with each contract default changed, as a wrapper that sees None arguments."""
    if not route.iterative:
        return {}
    original = route.fit_problem

    def changed(what: str):
        def fit_problem(pb, *, init=None, lr=None, epochs=None, **options):
            if what == "lr" and lr is None:
                lr = 0.1001
            if what == "epochs" and epochs is None:
                epochs = 999
            if what == "init" and init is None:
                init = np.array([-5.0, 10.001]) if pb.p == 1 else np.full(pb.p + 1, 1e-3)
            return original(pb, init=init, lr=lr, epochs=epochs, **options)

        return fit_problem

    out = {}
    for what in ("lr", "epochs", "init"):
        mutant = dataclasses.replace(route)
        object.__setattr__(mutant, "fit_problem", changed(what))
        object.__setattr__(mutant, "fit", _fit_through(mutant))
        out[what] = mutant
    return out


def _fit_through(route: Route):
    def fit(x, y, *, init=None, lr=None, epochs=None, **options):
        from fitters.validation import problem

        pb = problem(x, y, route.max_predictors, route=route.name)
        return route.fit_problem(pb, init=init, lr=lr, epochs=epochs, **options)

    return fit


def caught(route: Route) -> tuple[bool, str]:
    """Whether the route's default suite fails it, and the first failing check."""
    try:
        check_route(route, profile="mutation")
    except AssertionError as exc:
        return True, str(exc).split(":", 1)[0].split(" failed ")[-1]
    return False, ""


def threshold(route: Route, kind: str, log: Callable[[str], None]) -> dict:
    """The smallest grid e caught (searching from the target), with the runs it took."""
    start = min(range(len(GRID)), key=lambda i: abs(math.log10(GRID[i] / TARGET[route.dtype])))
    results: dict[int, tuple[bool, str]] = {}

    def run(i: int) -> bool:
        if i not in results:
            mutant = perturb(route, kind, GRID[i])
            t = time.perf_counter()
            results[i] = caught(mutant)
            log(
                f"  {route.name} {kind} e={GRID[i]:.1e}: "
                f"{'caught by ' + results[i][1] if results[i][0] else 'missed'} "
                f"({time.perf_counter() - t:.0f} s)"
            )
        return results[i][0]

    i = start
    if run(i):
        while i > 0 and run(i - 1):
            i -= 1
        smallest = i
    else:
        while i + 1 < len(GRID) and not run(i + 1):
            i += 1
        smallest = i + 1 if i + 1 < len(GRID) else None
    return {
        "threshold": None if smallest is None else GRID[smallest],
        "caught_by": None if smallest is None else results[smallest][1],
        "target": TARGET[route.dtype],
        "runs": {f"{GRID[j]:.1e}": results[j][0] for j in sorted(results)},
    }


def _cell(entry: dict | None, kind: str) -> str:
    """One table cell: the threshold (with the check that caught it), or the verdicts."""
    if entry is None:
        return "—"
    if "threshold" in entry:
        if entry["threshold"] is None:
            return f"missed up to {GRID[-1]:.0e}"
        value = entry["threshold"]
        shown = "≤ 1e-13" if value <= GRID[0] else f"{value:.1e}"
        targeted = kind in ("lr", "decay")  # the targets are for these two kinds
        flag = " (above target)" if targeted and value > entry["target"] else ""
        return f"{shown} `{entry['caught_by'].removeprefix('check_')}`{flag}"
    if "caught" in entry:
        return "caught" if entry["caught"] else "**missed**"
    missed = [what for what, v in entry.items() if not v["caught"]]
    return "all caught" if not missed else "**missed: " + ", ".join(missed) + "**"


def markdown(results: dict[str, dict]) -> str:
    """The thresholds as docs/power.md shows them: a row per route, a column per kind."""
    lines = [
        "| route | " + " | ".join(KINDS) + " |",
        "| --- | " + " | ".join("---" for _ in KINDS) + " |",
    ]
    for name, row in results.items():
        lines.append(f"| `{name}` | " + " | ".join(_cell(row.get(k), k) for k in KINDS) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routes", help="comma-separated route names (default: all available)")
    parser.add_argument("--kinds", help=f"comma-separated kinds (default: {','.join(KINDS)})")
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    parser.add_argument(
        "--markdown", type=Path, metavar="JSON", help="print saved results as markdown; no run"
    )
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown(json.loads(args.markdown.read_text())["results"]))
        return 0
    load_package()  # the same draws whatever kinds and routes ran before (profiles.py)
    names = args.routes.split(",") if args.routes else list(fitters.ROUTES)
    kinds = args.kinds.split(",") if args.kinds else list(KINDS)
    previous = json.loads(args.out.read_text()) if args.out and args.out.exists() else {}
    results = previous.get("results", {})

    def log(line: str) -> None:
        print(line, flush=True)

    start = time.perf_counter()
    for name in names:
        route = fitters.ROUTES[name]
        if route.unavailable:
            log(f"{name}: skipped, {route.unavailable}")
            continue
        row = results.setdefault(name, {})
        for kind in kinds:
            if kind == "default":
                verdicts = {}
                for what, mutant in default_mutants(route).items():
                    hit, by = caught(mutant)
                    verdicts[what] = {"caught": hit, "caught_by": by}
                    log(f"  {name} default {what}: {'caught by ' + by if hit else 'missed'}")
                if verdicts:
                    row["default"] = verdicts
            elif kind == "drop-row":
                hit, by = caught(perturb(route, kind, 0.0))
                row[kind] = {"caught": hit, "caught_by": by}
                log(f"  {name} drop-row: {'caught by ' + by if hit else 'missed'}")
            elif perturb(route, kind, 1e-6) is not None:
                row[kind] = threshold(route, kind, log)
            if args.out:
                args.out.write_text(json.dumps({"results": results}, indent=2) + "\n")
    log(f"done in {time.perf_counter() - start:.0f} s")
    if args.out:
        args.out.write_text(json.dumps({"results": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
