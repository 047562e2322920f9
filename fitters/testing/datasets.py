"""Data sets a check runs on, each able to say how to get it back.

A check is a plain function of a route and a :class:`Dataset`, so it can be replayed on the
lecture's data (:func:`lecture`), on a user's arrays (:func:`from_arrays`) or CSV
(:func:`from_csv`), or on a drawn example: every drawn data set is made by
:func:`make_dataset` from a handful of parameters, and its ``source`` is that call, verbatim,
so a failure message carries the exact recipe to rebuild it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..problem import Problem
from ..validation import problem

__all__ = ["LAYOUTS", "Dataset", "from_arrays", "from_csv", "lecture", "make_dataset"]

#: how the predictors of a drawn data set are laid out before offset and scale
LAYOUTS = ("grid", "uniform", "duplicated")


@dataclass(frozen=True)
class Dataset:
    """x ((n,) for one predictor, else (n, p)), y (n,), and where they came from.

    ``source`` rebuilds the data (a ``make_dataset(...)`` call, ``lecture()``, a file);
    ``coef_true`` and ``noise`` are the generating line and noise level when known.
    """

    x: np.ndarray
    y: np.ndarray
    source: str
    coef_true: np.ndarray | None = None
    noise: float | None = None
    problem: Problem = field(default=None, repr=False, compare=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.problem is None:
            object.__setattr__(self, "problem", problem(self.x, self.y, route="dataset"))

    def __repr__(self) -> str:
        # the recipe, not the arrays: a failing example then reads as the call that rebuilds it
        return self.source

    @property
    def n(self) -> int:
        return self.problem.n

    @property
    def p(self) -> int:
        return self.problem.p

    def describe(self) -> str:
        """One line for a failure message: size, conditioning and the recipe."""
        return f"n={self.n} p={self.p} cond(X)={self.problem.condition_number:.3g}; {self.source}"


def make_dataset(
    *,
    p: int,
    n: int,
    layout: str,
    seed: int,
    offset: float,
    scale: float,
    coef: tuple[float, ...],
    noise: float,
    distinct: int = 8,
) -> Dataset:
    """A data set y = coef[0] + x @ coef[1:] + noise * N(0, 1), x = offset + scale * base.

    base is, per layout: "grid", each column a random permutation of linspace(-1, 1, n);
    "uniform", U(-1, 1); "duplicated", ``distinct`` values of linspace(-1, 1) drawn with
    repetition. All randomness comes from ``numpy.random.default_rng(seed)``, so the same
    arguments give the same arrays, bit for bit. Raises ValueError (from validation) when the
    draw is not identifiable (e.g. a duplicated layout that came out constant).
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    coef_arr = np.asarray(coef, dtype=np.float64)
    if coef_arr.shape != (p + 1,):
        raise ValueError(f"coef must hold p+1 = {p + 1} values, got {coef_arr.size}")
    rng = np.random.default_rng(seed)
    if layout == "grid":
        base = np.stack([rng.permutation(np.linspace(-1, 1, n)) for _ in range(p)], axis=1)
    elif layout == "uniform":
        base = rng.uniform(-1, 1, size=(n, p))
    else:
        values = np.linspace(-1, 1, max(2, min(distinct, n)))
        base = values[rng.integers(0, values.size, size=(n, p))]
    x = offset + scale * base
    y = coef_arr[0] + x @ coef_arr[1:] + noise * rng.standard_normal(n)
    recipe = (
        f"make_dataset(p={p}, n={n}, layout={layout!r}, seed={seed}, offset={offset!r}, "
        f"scale={scale!r}, coef={tuple(float(c) for c in coef_arr)!r}, noise={noise!r}"
        + (f", distinct={distinct}" if layout == "duplicated" else "")
        + ")"
    )
    return Dataset(x if p > 1 else x[:, 0], y, recipe, coef_arr, float(noise))


def lecture() -> Dataset:
    """The lecture's 200 points (``fitters.lecture_dataset()``), drawn around y = 2.5 + 4x."""
    from ..data import lecture_dataset

    x, y = lecture_dataset()
    return Dataset(x, y, "lecture()", np.array([2.5, 4.0]), 0.5)


def from_arrays(x, y, source: str = "from_arrays(x, y)") -> Dataset:
    """A user's own arrays (validated as every route validates them)."""
    return Dataset(np.asarray(x), np.asarray(y), source)


def from_csv(path: str | Path) -> Dataset:
    """A CSV file with columns x (or x1, x2, ...) and y, read as the command line reads it."""
    from ..datafiles import load_csv

    data = load_csv(path)
    x = data.x[:, 0] if data.x.shape[1] == 1 else data.x
    return Dataset(x, data.y, f"from_csv({str(path)!r})")
