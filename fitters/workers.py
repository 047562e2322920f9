"""Worker processes for the report: routes fitted side by side, each worker with its own
TensorFlow, imported once.

The lecture's report spends most of its time in two Keras ``fit`` routes that each keep one
core busy, so on two cores running routes in two processes halves the wait. Workers are
*spawned*, never forked (a forked TensorFlow runtime or OpenBLAS thread pool is not safe),
so each starts clean: it imports TensorFlow quietly, starts its runtime, reads the data it
was given (or draws the lecture's, bit-identical) and validates them once; that data and
its :class:`~fitters.problem.Problem` are the process's own global state, not shared. A
route's arithmetic does not depend on which process runs it, so the coefficients equal a
sequential run's bit for bit (tested). Workers ignore Ctrl-C: the parent stops them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .datafiles import Dataset, lecture_data
from .quiet import retracing_notices_hidden
from .registry import ROUTES
from .report import Report, RouteResult, run_route, warm_up
from .validation import problem

__all__ = ["MAX_DEFAULT_JOBS", "Workers", "default_jobs"]

#: Default worker count on a machine with many cores: two Keras routes dominate the lecture's
#: report, so more workers mostly add TensorFlow imports (about 4 s of CPU and 0.4 GB each).
MAX_DEFAULT_JOBS = 2

#: This process's data and problem, when it is a worker.
_STATE: dict[str, Any] = {}


def default_jobs() -> int:
    """Worker processes to use by default: the usable cores, at most MAX_DEFAULT_JOBS."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_JOBS))


def _start(data: Dataset | None) -> None:
    """Worker initializer: TensorFlow, the data and their Problem, once per process."""
    try:
        retracing_notices_hidden()
        warm_up()
        data = lecture_data() if data is None else data
        _STATE["data"] = data
        _STATE["problem"] = problem(data.x, data.y, route="data")
    except BaseException:  # a failing initializer would be restarted forever: keep the error
        _STATE["error"] = traceback.format_exc()


def _checked() -> None:
    if "error" in _STATE:
        raise RuntimeError(f"a worker process could not start:\n{_STATE['error']}")


def _dataset() -> Dataset:
    _checked()
    return _STATE["data"]


def _ready() -> int:
    _checked()
    return os.getpid()


def _run(task: tuple) -> RouteResult:
    _checked()
    name, init, lr, epochs, checkpoints = task
    return run_route(ROUTES[name], _STATE["problem"], init, lr, epochs, checkpoints)


class Workers:
    """A pool of ``jobs`` spawned worker processes fitting routes on one data set.

    ``data=None`` means the lecture's data, drawn in each worker (see :meth:`dataset`).
    Use as a context manager: leaving normally waits for the workers to exit, leaving by an
    exception (Ctrl-C included) terminates them at once.
    """

    def __init__(self, jobs: int, data: Dataset | None = None) -> None:
        if jobs < 2:
            raise ValueError(f"Workers needs at least 2 processes, got jobs={jobs}")
        self.jobs = jobs
        context = multiprocessing.get_context("spawn")
        # A spawned interpreter keeps SIGINT ignored if it starts that way: Ctrl-C then
        # reaches only the parent, which stops the workers, and no worker prints a traceback.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            self._pool = context.Pool(jobs, initializer=_start, initargs=(data,))
        finally:
            signal.signal(signal.SIGINT, previous)

    def dataset(self) -> Dataset:
        """The data the workers fit (the lecture's, when started with ``data=None``)."""
        return self._pool.apply(_dataset)

    def wait_ready(self) -> None:
        """Block until a worker has TensorFlow running (raises if a worker failed to start)."""
        self._pool.apply(_ready)

    def run(
        self,
        report: Report,
        names: Sequence[str],
        checkpoints: Sequence[int] = (),
        on_start: Callable[[str], None] | None = None,
    ) -> Iterator[RouteResult]:
        """Fit ``names`` in this order of starting; yield each result as it finishes.

        ``on_start(name)`` is called when a worker takes a route: workers take tasks one at
        a time, first come first served, so a route starts when the one before it in the
        queue has been taken and a worker is free.
        """
        tasks = [
            (name, report.init, report.lr, report.epochs, tuple(checkpoints)) for name in names
        ]
        results = self._pool.imap_unordered(_run, tasks, chunksize=1)
        started = 0
        for _ in range(min(self.jobs, len(names))):
            if on_start is not None:
                on_start(names[started])
            started += 1
        for result in results:
            if started < len(names):
                if on_start is not None:
                    on_start(names[started])
                started += 1
            yield result

    def close(self) -> None:
        """Let the workers finish and exit."""
        self._pool.close()
        self._pool.join()

    def terminate(self) -> None:
        """Stop the workers now (their unfinished routes are lost)."""
        self._pool.terminate()
        self._pool.join()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.terminate()
