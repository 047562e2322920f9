"""Second moments of Dask arrays, by Dask's own reductions, for the moments-based routes.

The compiled core needs only Z'Z for Z = [1 x y], a sum over rows that any engine can
compute: here Dask's blocked ``z.T @ z`` and ``z.sum(axis=0)`` (a per-chunk NumPy product,
then Dask's tree reduction of the chunk results), raw and shifted (by the mean of the first
rows, as :mod:`fitters.moments` does), all in one ``dask.compute`` so every chunk is read
once. Whatever scheduler is active runs it: the threaded one by default, a
``dask.distributed`` cluster when a ``Client`` exists (the same code on a laptop's
``LocalCluster`` or on a real cluster: only the ``Client(address)`` line changes).

Rounding: a chunk's products are summed by BLAS in some order (at most ``rows`` terms),
then at most ``chunks`` chunk results are added, so ``Moments.depth`` = largest chunk rows
+ number of chunks bounds every sum's rounding chain, as for the fused pass; the raw sums
remain sums of n products, what ``fitters.tolerances`` models for the compiled core.
Needs the ``dask`` extra: ``pip install 'tf-linreg-routes[dask]'``.
"""

from __future__ import annotations

import numpy as np

from .moments import SHIFT_ROWS, Moments
from .problem import Problem
from .validation import problem_from_moments

__all__ = ["moments_of", "problem"]


def _dask():
    try:
        import dask
        import dask.array as da
    except ImportError as exc:
        raise ImportError(
            "fitters.distributed needs Dask: pip install 'tf-linreg-routes[dask]'"
        ) from exc
    return dask, da


def _columns(x, y):
    """Z = [x y] as one (n, p+1) Dask array with the columns in one chunk."""
    _, da = _dask()
    x, y = da.asarray(x), da.asarray(y)
    if x.ndim == 1:
        x = x[:, None]
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if x.ndim != 2 or y.ndim != 1:
        raise ValueError(
            f"x must have shape (n,) or (n, p) and y (n,), got {x.shape} and {y.shape}"
        )
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y have different lengths: {x.shape[0]} and {y.shape[0]}")
    y = y.rechunk({0: x.chunks[0]})
    z = da.concatenate([x.astype(np.float64), y.astype(np.float64)[:, None]], axis=1)
    return z.rechunk({1: -1})


def moments_of(x, y) -> Moments:
    """The one-pass moments of Dask (or array-like) x (n,) / (n, p) and y (n,)."""
    dask, _ = _dask()
    z = _columns(x, y)
    n = int(z.shape[0])
    head = z[: min(n, SHIFT_ROWS)].mean(axis=0)
    with np.errstate(all="ignore"):
        shift = np.asarray(head.compute(), dtype=np.float64)
    shift = np.where(np.isfinite(shift), shift, 0.0)
    d = z - shift
    raw_s, raw_g, sh_s, sh_g = dask.compute(z.sum(axis=0), z.T @ z, d.sum(axis=0), d.T @ d)
    rows = max(z.chunks[0])
    depth = rows + len(z.chunks[0])
    return Moments(n, shift, raw_s, raw_g, sh_s, sh_g, depth)


def problem(x, y, *, route: str = "fit", name: str = "a Dask array") -> Problem:
    """A validated, moments-only Problem of Dask arrays: fit it with ``route.fit_problem``.

    A very ill-conditioned design (where the moments' spectrum is less accurate than a QR)
    gets its blocked QR from a second pass, one chunk at a time.
    """
    z = _columns(x, y)

    def blocks():
        for block in z.to_delayed()[:, 0]:
            values = np.asarray(block.compute())
            yield values[:, :-1], values[:, -1]

    return problem_from_moments(moments_of(x, y), name, blocks, None, route)
