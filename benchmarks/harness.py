"""Shared machinery of the benchmarks: data, smoke mode, cost calibration, timing, results.

Two modes, chosen by pytest-benchmark's own switch:

- smoke (``benchmark.disabled``: the default ``pytest`` run, whose addopts carry
  ``--benchmark-disable``): each benchmark runs once with SMOKE_EPOCHS epochs and checks its
  answer, so the suite stays fast and cannot rot;
- timed (``--benchmark-enable``): each benchmark first runs a short probe, which warms it up
  (tracing, XLA compilation), checks its answer and measures its fixed and per-epoch cost.
  From that estimate it gets enough rounds for a stable median, or is skipped when one round
  would exceed ROUND_BUDGET_S (Keras fit at 1000 epochs): that is how slow routes end up
  timed over fewer epochs without any list of names.
"""

from __future__ import annotations

import functools
import math
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pytest

import fitters
import fitters.data
from fitters.problem import Problem
from fitters.validation import problem

#: data sizes: the lecture's N, and two orders of magnitude steps beyond it
SIZES = (200, 10_000, 1_000_000)
#: epochs of a smoke run and of the correctness check before timing
SMOKE_EPOCHS = 2
#: skip a timed benchmark whose single round is estimated to take longer than this
ROUND_BUDGET_S = 15.0
#: calibration probes grow until they add this much time over a 1-epoch run
PROBE_S = 0.1
PROBE_MAX_EPOCHS = 1024
#: aim for this much timed work per benchmark, within [MIN_ROUNDS, MAX_ROUNDS] rounds
TARGET_S = 1.0
MIN_ROUNDS, MAX_ROUNDS = 3, 200
#: the lecture's learning rate, used by every benchmark (init is the contract's default)
LR = 0.1
SKIP_SLOW = f"a round would exceed {ROUND_BUDGET_S:.0f} s; timed at fewer epochs (see summary)"


@functools.cache
def dataset(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of size n: the lecture's data for n = 200, else the same model, seeded.

    x = linspace(0, 1, n), y = 2.5 + 4x + 0.5 N(0, 1): the Hessian 2X'X/n is nearly the same
    for every n, so the lecture's lr = 0.1 converges on all of them.
    """
    if n == fitters.data.LECTURE_N:
        return fitters.lecture_dataset()
    rng = np.random.default_rng(43052)
    x = np.linspace(0.0, 1.0, n)
    return x, 2.5 + 4.0 * x + 0.5 * rng.standard_normal(n)


@functools.cache
def validated(n: int) -> Problem:
    """The validated Problem for ``dataset(n)``, its spectrum computed, shared by all.

    Routes are timed through ``Route.fit_problem`` on this, so validation (a cost every
    route pays once per ``fit``) is timed separately, in the "validate" groups.
    """
    pb = problem(*dataset(n))
    _ = pb.condition_number
    return pb


def smoke(benchmark) -> bool:
    """True when benchmarks are disabled: run once, briefly, and check."""
    return bool(benchmark.disabled)


@dataclass(frozen=True)
class Cost:
    """A callable's measured cost model: fixed + per_epoch * epochs seconds."""

    fixed: float
    per_epoch: float

    def estimate(self, epochs: int) -> float:
        return self.fixed + self.per_epoch * epochs


#: calibrated costs by (benchmark name, n)
COSTS: dict[tuple[str, int], Cost] = {}
_CHECKED: set[tuple[str, int]] = set()


def _seconds(fn: Callable[..., object], *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def calibrate(key: str, n: int, run: Callable[[int], object]) -> Cost:
    """Cost of ``run(epochs)`` at size n (cached per key and n).

    One run of 1 epoch gives the fixed cost; then the epochs grow fourfold until the extra
    time over that run reaches PROBE_S (or PROBE_MAX_EPOCHS), so the per-epoch slope is
    read off a difference far above timer noise and preemption bursts, whether an epoch
    costs 30 ns (compiled core) or 100 ms (Keras at n = 1e6).
    """
    if (key, n) not in COSTS:
        base = _seconds(run, 1)
        epochs, extra = 1, 0.0
        while extra < PROBE_S and epochs < PROBE_MAX_EPOCHS:
            epochs *= 4
            extra = _seconds(run, epochs) - base
        per_epoch = max(extra, 0.0) / (epochs - 1)
        COSTS[key, n] = Cost(max(base - per_epoch, 0.0), per_epoch)
    return COSTS[key, n]


def rounds_for(seconds: float) -> int:
    """Rounds giving about TARGET_S of timed work, never fewer than MIN_ROUNDS."""
    wanted = math.ceil(TARGET_S / max(seconds, 1e-9))
    return max(MIN_ROUNDS, min(MAX_ROUNDS, wanted))


@dataclass(frozen=True)
class Timing:
    """One timed benchmark's median, kept for the end-of-run summary."""

    group: str
    name: str
    n: int
    epochs: int | None
    median: float


TIMINGS: list[Timing] = []
#: ratio-gate results: (target, measured, bound, passed), printed at the end of the run
GATES: list[tuple[str, float, str, bool]] = []


def bench(
    benchmark,
    *,
    group: str,
    name: str,
    n: int,
    run: Callable[[int], object],
    check: Callable[[object], None],
    epochs: int | None = None,
) -> None:
    """Time ``run(epochs)`` (``run(0)`` for callables without epochs) in ``group``.

    Correctness first: the answer of a short run is checked before anything is timed.
    Timed mode adds to the JSON's extra_info ``n``, ``epochs``, ``per_epoch_us`` (median /
    epochs) and the calibration's estimates ``fixed_ms`` and ``marginal_us`` (the cost of
    one more epoch; single probes, so rough on a busy machine).
    """
    benchmark.group = group
    benchmark.extra_info.update(n=n, epochs=epochs)
    if smoke(benchmark):
        k = SMOKE_EPOCHS if epochs is None else min(epochs, SMOKE_EPOCHS)
        check(benchmark.pedantic(run, args=(k,)))
        return
    if (name, n) not in _CHECKED:  # the first run also traces and compiles: never timed
        check(run(SMOKE_EPOCHS))
        _CHECKED.add((name, n))
    cost = calibrate(name, n, run)
    if epochs is not None:
        benchmark.extra_info.update(fixed_ms=cost.fixed * 1e3, marginal_us=cost.per_epoch * 1e6)
    estimate = cost.estimate(epochs or 0)
    if estimate > ROUND_BUDGET_S:
        pytest.skip(SKIP_SLOW)
    benchmark.pedantic(
        run, args=(epochs or 0,), rounds=rounds_for(estimate), warmup_rounds=int(estimate < 0.1)
    )
    median = benchmark.stats["median"]
    if epochs:
        benchmark.extra_info["per_epoch_us"] = median / epochs * 1e6
    TIMINGS.append(Timing(group, name, n, epochs, median))


def median_times(
    candidates: Mapping[str, Callable[[], object]],
    *,
    rounds: int,
    repeats: Mapping[str, int] | None = None,
) -> dict[str, float]:
    """Median seconds per call of each candidate, measured interleaved in this process.

    Each round calls every candidate (``repeats[name]`` times, default once) in turn, so a
    burst of load from elsewhere on the machine hits all of them alike: the medians' ratio
    is what the gate trusts, never a median alone.
    """
    repeats = repeats or {}
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    for fn in candidates.values():
        fn()  # warm-up: tracing and compilation are not timed
    for _ in range(rounds):
        for name, fn in candidates.items():
            for _ in range(repeats.get(name, 1)):
                samples[name].append(_seconds(fn))
    return {name: statistics.median(values) for name, values in samples.items()}
