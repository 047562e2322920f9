"""The ratio gate: fails when the compiled core loses the lead its targets demand.

Each target is a ratio of medians measured interleaved in this one process
(``harness.median_times``), so a slower or busier machine moves both sides alike; no
absolute time is ever asserted. The targets, all for ``compiled_core``:

- n = 200, 1000 epochs: at least 1000x faster than ``tape_scalar``, the fastest of the
  lecture's scalar routes, and at least 5x faster than the plain NumPy loop
  (``baselines.numpy_gd``, the eager routes' arithmetic);
- n = 200, 1000 epochs, each side computing its own moments from x and y: the compiled core
  (its one pass, then the epochs) at least 5x faster than the NumPy loop on the same
  algorithm, ``numpy_gd_moments``; ``compiled_core.fit(x, y)`` with validation's checks too
  is reported beside it (at n = 200 validation's fixed costs, ~0.3 ms of small NumPy calls,
  weigh as much as the epochs);
- n = 1e6, 1000 epochs, end to end: ``compiled_core.fit(x, y)`` (validation included) at
  most 3x one bare read of x and y (``baselines.read_once``), the memory-bandwidth floor;
  the ratio to computing X'X once (NumPy's and TensorFlow's ``X.T @ X`` on the prebuilt
  design) is reported beside it;
- n = 1e6, end to end: 10000 epochs cost at most 2x what 10 epochs cost (flat in epochs
  after the one pass, which validation now makes).

A ratio that misses its target is measured again, up to ATTEMPTS times in all: a real
regression misses every time, a burst of load from other processes on a 2-core machine
rarely does (preemption lands on whichever side is running). Every attempt is kept in the
benchmark's extra_info.

Run (CI): ``pytest benchmarks --benchmark-enable --benchmark-only -m ratio_gate``.
In the default (smoke) run the measurements run once at a toy size and the test is skipped:
only a timed run can judge a ratio.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
import tensorflow as tf

import fitters
from fitters.losslog import LossLog
from fitters.problem import Problem

from . import baselines
from .harness import GATES, LR, SMOKE_EPOCHS, dataset, median_times, smoke, validated

pytestmark = pytest.mark.ratio_gate

CORE = "compiled_core"
SCALAR_RIVAL = "tape_scalar"
ATTEMPTS = 3


@dataclass(frozen=True)
class Target:
    """A ratio and its bound: ``ratio >= bound`` for a speed-up, ``<=`` for a cost ratio."""

    label: str
    bound: float
    at_least: bool

    def met(self, ratio: float) -> bool:
        return ratio >= self.bound if self.at_least else ratio <= self.bound

    @property
    def required(self) -> str:
        return f"{'>=' if self.at_least else '<='} {self.bound:g}"


#: a measurement: (the gated ratio, {label: ratio reported beside it}, {name: median seconds})
Result = tuple[float, dict[str, float], dict[str, float]]
Measure = Callable[[], Result]


def _fit(name: str, n: int, epochs: int) -> Callable[[], fitters.Fit]:
    route, pb = fitters.ROUTES[name], validated(n)
    return lambda: route.fit_problem(pb, lr=LR, epochs=epochs)


def _sizes(benchmark, n: int, epochs: int, rounds: int) -> tuple[int, int, int]:
    """(n, epochs, rounds) to measure with: the target's, or a toy size in smoke mode."""
    return (200, SMOKE_EPOCHS, 1) if smoke(benchmark) else (n, epochs, rounds)


def _gate(benchmark, target: Target, measure: Measure, core: Callable[[], object]) -> None:
    """Measure (again, while the target is missed), record, time the core for the table, judge."""
    benchmark.group = "ratio gate"
    if smoke(benchmark):
        measure()
        benchmark.pedantic(core)
        pytest.skip("ratio gate: smoke run only; timings need --benchmark-enable")
    attempts: list[float] = []
    for _ in range(ATTEMPTS):
        ratio, reported, medians = measure()
        attempts.append(ratio)
        if target.met(ratio):
            break
    benchmark.extra_info.update(target=target.label, required=target.required, attempts=attempts)
    benchmark.extra_info.update(reported)
    benchmark.extra_info["medians_ms"] = {name: t * 1e3 for name, t in medians.items()}
    benchmark.pedantic(core, rounds=20, warmup_rounds=1)
    GATES.extend((label, value, "(reported)", True) for label, value in reported.items())
    GATES.append((target.label, ratio, target.required, target.met(ratio)))
    assert target.met(ratio), f"{target.label}: measured {attempts}, required {target.required}"


def test_core_vs_scalar_route(benchmark) -> None:
    n, epochs, rounds = _sizes(benchmark, 200, 1000, 5)
    core, rival = _fit(CORE, n, epochs), _fit(SCALAR_RIVAL, n, epochs)

    def measure() -> Result:
        t = median_times({"core": core, "rival": rival}, rounds=rounds, repeats={"core": 20})
        return t["rival"] / t["core"], {}, t

    target = Target(f"n={n}, {epochs} epochs: {SCALAR_RIVAL} / {CORE}", 1000.0, at_least=True)
    _gate(benchmark, target, measure, core)


def test_core_vs_numpy_loop(benchmark) -> None:
    n, epochs, rounds = _sizes(benchmark, 200, 1000, 15)
    x, y = dataset(n)
    init = np.array([-5.0, 10.0])
    core = _fit(CORE, n, epochs)
    candidates = {
        "core": core,
        "numpy_gd": lambda: baselines.numpy_gd(x, y, init, LR, epochs),
        "numpy_gd_moments": lambda: baselines.numpy_gd_moments(x, y, init, LR, epochs),
    }

    def measure() -> Result:
        t = median_times(candidates, rounds=rounds, repeats={"core": 5})
        same = f"n={n}, {epochs} epochs: numpy_gd_moments / {CORE}"
        return t["numpy_gd"] / t["core"], {same: t["numpy_gd_moments"] / t["core"]}, t

    target = Target(f"n={n}, {epochs} epochs: numpy_gd / {CORE}", 5.0, at_least=True)
    _gate(benchmark, target, measure, core)


def test_core_vs_numpy_moments_loop(benchmark) -> None:
    n, epochs, rounds = _sizes(benchmark, 200, 1000, 15)
    x, y = dataset(n)
    init = np.array([-5.0, 10.0])
    route = fitters.ROUTES[CORE]
    checked = validated(n)
    raw = Problem(checked.x, checked.y)  # no moments: the core makes its own pass

    def core() -> np.ndarray:
        """The compiled core on the arrays: its one pass over x, y, then the epochs."""
        return route.impl(raw, init, LR, epochs, LossLog(CORE, raw, LR, epochs))

    candidates = {
        "core": core,
        "fit": lambda: route.fit(x, y, init=init, lr=LR, epochs=epochs),
        "numpy_gd_moments": lambda: baselines.numpy_gd_moments(x, y, init, LR, epochs),
    }

    def measure() -> Result:
        t = median_times(candidates, rounds=rounds, repeats={"core": 5, "fit": 5})
        whole = f"n={n}, {epochs} epochs: numpy_gd_moments / {CORE}.fit(x, y) (validation too)"
        return t["numpy_gd_moments"] / t["core"], {whole: t["numpy_gd_moments"] / t["fit"]}, t

    label = f"n={n}, {epochs} epochs, own moments: numpy_gd_moments / {CORE}"
    _gate(benchmark, Target(label, 5.0, at_least=True), measure, core)


def test_core_near_one_read(benchmark) -> None:
    n, epochs, rounds = _sizes(benchmark, 1_000_000, 1000, 21)
    x, y = dataset(n)
    X = baselines.design(x)
    X_tf = tf.constant(X)
    route = fitters.ROUTES[CORE]

    def core() -> fitters.Fit:
        return route.fit(x, y, lr=LR, epochs=epochs)

    candidates = {
        "core": core,
        "gram_numpy": lambda: baselines.gram_once(X),
        "gram_tf": lambda: baselines.gram_once_tf(X_tf).numpy(),
        "read": lambda: baselines.read_once(x, y),
    }

    def measure() -> Result:
        t = median_times(candidates, rounds=rounds)
        gram = f"n={n}, {epochs} epochs, end to end: {CORE}.fit / X'X once"
        return t["core"] / t["read"], {gram: t["core"] / min(t["gram_numpy"], t["gram_tf"])}, t

    label = f"n={n}, {epochs} epochs, end to end: {CORE}.fit / read x, y once"
    _gate(benchmark, Target(label, 3.0, at_least=False), measure, core)


def test_core_flat_in_epochs(benchmark) -> None:
    n, epochs, rounds = _sizes(benchmark, 1_000_000, 10_000, 21)
    x, y = dataset(n)
    route = fitters.ROUTES[CORE]  # end to end: the pass now happens in validation

    def few() -> fitters.Fit:
        return route.fit(x, y, lr=LR, epochs=10)

    def many() -> fitters.Fit:
        return route.fit(x, y, lr=LR, epochs=epochs)

    def measure() -> Result:
        t = median_times({"few": few, "many": many}, rounds=rounds)
        return t["many"] / t["few"], {}, t

    target = Target(f"n={n}: {CORE} {epochs} epochs / 10 epochs", 2.0, at_least=False)
    _gate(benchmark, target, measure, many)
