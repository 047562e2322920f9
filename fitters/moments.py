"""The one pass over the data: second moments of Z = [x y], raw and shifted, in one read.

Everything a moments-based fit needs from n rows is a (p+1)-vector and a (p+1) x (p+1)
matrix of sums, so one pass over the data suffices, chunk by chunk, on any engine. The pass
reads each row once and accumulates, for the columns z = [x_1..x_p, y]:

- the raw sums sum z and sum z z' (what the compiled core iterates on: M = [1 z]'[1 z]/n);
- the same sums of d = z - s for a shift s (the mean of the first ``SHIFT_ROWS`` rows), from
  which the centred moments follow by Chan's update with no cancellation for data far
  from the origin (x in [1e7, 1e7 + 1] has d of the size of the spread, not the offset).

Finiteness needs no separate test: a NaN or an infinity makes every sum it enters non-finite
(and so does a sum that overflows, which validation tells apart on its error path).

Rounding. Rows are summed in blocks of ``BLOCK`` rows, then the block sums are added, so
every sum is a sum of at most ``depth = BLOCK + blocks + chunks`` rounded additions in some
order, whatever the engine reorders inside a block (Higham, ch. 4: any order errs by at
most gamma_{m-1} of the sum of magnitudes; two levels multiply). ``Moments.depth`` carries
that count to whoever derives an error bound (``fitters.problem``). The raw sums are sums
of n products in some order, exactly what ``fitters.tolerances`` models for the compiled
core (``sufficient_statistics``): the blocked order is one such order, FMA contraction
only removes roundings. The shifted sums are never used for the core's M.

The kernel is compiled with Numba (the ``fast`` extra) when it is installed: one loop over
the rows that LLVM vectorizes, about one read of the data; NumPy has no fused multi-output
reduction (each sum would be one more read), and TensorFlow's XLA compiles one program per
shape and ran this reduction 40x slower than a read here. Without Numba the same blocks are
summed by NumPy (same outputs, same rounding model, several reads).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BLOCK",
    "SHIFT_ROWS",
    "Moments",
    "accumulate",
    "fused_available",
    "of_arrays",
    "shift_of",
]

#: rows summed into one block sum before the block sums are added (bounds the summation depth)
BLOCK = 1024
#: the shift is the mean of this many first rows (the exact mean when n is at most this)
SHIFT_ROWS = 1024

try:  # the optional fused kernel
    import numba
except ImportError:  # pragma: no cover - exercised where the extra is not installed
    numba = None

#: LLVM may reassociate (vectorize the sums) and contract to FMA; never assume finite values
_FASTMATH = {"reassoc", "contract"}


def fused_available() -> bool:
    """True when the Numba kernel is installed (the ``fast`` extra)."""
    return numba is not None


# --- the kernels: out = [raw sums (q), shifted sums (q), raw gram (q*q), shifted gram (q*q)] --


def _block_one_py(x, y, sx, sy):  # pragma: no cover - compiled by numba
    """One block, p = 1: scalar accumulators over a slice from 0, which LLVM vectorizes."""
    r0 = r1 = r2 = r3 = r4 = 0.0
    c0 = c1 = c2 = c3 = c4 = 0.0
    for i in range(x.shape[0]):
        xi = x[i]
        yi = y[i]
        r0 += xi
        r1 += yi
        r2 += xi * xi
        r3 += xi * yi
        r4 += yi * yi
        dx = xi - sx
        dy = yi - sy
        c0 += dx
        c1 += dy
        c2 += dx * dx
        c3 += dx * dy
        c4 += dy * dy
    return r0, r1, c0, c1, r2, r3, r4, c2, c3, c4


def _pass_one_py(x, y, sx, sy, block):  # pragma: no cover - compiled by numba
    """p = 1: block sums of ``_block_one``, added in order."""
    n = x.shape[0]
    out = np.zeros(10)
    for start in range(0, n, block):
        stop = min(n, start + block)
        sums = _block_one(x[start:stop], y[start:stop], sx, sy)
        for k in range(10):
            out[k] += sums[k]
    return out


def _pass_many_py(x, y, shift, block):  # pragma: no cover - compiled by numba
    """Any p: per-block (q, q) accumulators over rows (O(n q^2) work, one read)."""
    n, p = x.shape
    q = p + 1
    raw_s = np.zeros(q)
    sh_s = np.zeros(q)
    raw_g = np.zeros((q, q))
    sh_g = np.zeros((q, q))
    z = np.empty(q)
    d = np.empty(q)
    for start in range(0, n, block):
        stop = min(n, start + block)
        b_raw_s = np.zeros(q)
        b_sh_s = np.zeros(q)
        b_raw_g = np.zeros((q, q))
        b_sh_g = np.zeros((q, q))
        for i in range(start, stop):
            for j in range(p):
                z[j] = x[i, j]
            z[p] = y[i]
            for j in range(q):
                d[j] = z[j] - shift[j]
                b_raw_s[j] += z[j]
                b_sh_s[j] += d[j]
            for j in range(q):
                for k in range(j + 1):
                    b_raw_g[j, k] += z[j] * z[k]
                    b_sh_g[j, k] += d[j] * d[k]
        raw_s += b_raw_s
        sh_s += b_sh_s
        raw_g += b_raw_g
        sh_g += b_sh_g
    return raw_s, sh_s, raw_g, sh_g


if numba is not None:
    _block_one = numba.njit(fastmath=_FASTMATH, nogil=True, cache=True)(_block_one_py)
    _pass_one = numba.njit(fastmath=_FASTMATH, nogil=True, cache=True)(_pass_one_py)
    _pass_many = numba.njit(fastmath=_FASTMATH, nogil=True, cache=True)(_pass_many_py)


def _pass_numpy(x: np.ndarray, y: np.ndarray, shift: np.ndarray, block: int):
    """The same sums by NumPy, block by block (each product one more read of the block)."""
    n, p = x.shape
    q = p + 1
    raw_s, sh_s = np.zeros(q), np.zeros(q)
    raw_g, sh_g = np.zeros((q, q)), np.zeros((q, q))
    z = np.empty((min(n, block), q))
    d = np.empty_like(z)
    for start in range(0, n, block):
        rows = min(n, start + block) - start
        zb, db = z[:rows], d[:rows]
        zb[:, :p] = x[start : start + rows]
        zb[:, p] = y[start : start + rows]
        np.subtract(zb, shift, out=db)
        raw_s += zb.sum(axis=0)
        sh_s += db.sum(axis=0)
        raw_g += zb.T @ zb
        sh_g += db.T @ db
    return raw_s, sh_s, raw_g, sh_g


def _symmetric(lower: np.ndarray) -> np.ndarray:
    """The full symmetric matrix from its lower triangle (the kernels fill only that)."""
    return np.tril(lower) + np.tril(lower, -1).T


# --- the result ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Moments:
    """Sums over n rows of z = [x_1..x_p, y] (q = p+1 columns): raw and shifted by ``shift``.

    ``depth`` bounds the number of rounded additions along any sum (see the module
    docstring): each sum of magnitudes S errs by at most gamma_depth S, in any order.
    """

    n: int
    shift: np.ndarray  # (q,)
    raw_sum: np.ndarray  # sum z, (q,)
    raw_gram: np.ndarray  # sum z z', (q, q)
    shifted_sum: np.ndarray  # sum (z - s), (q,)
    shifted_gram: np.ndarray  # sum (z - s)(z - s)', (q, q)
    depth: int

    @property
    def p(self) -> int:
        return self.shift.shape[0] - 1

    @property
    def finite(self) -> bool:
        """False when a value was NaN or infinite, or a sum overflowed."""
        return bool(
            np.isfinite(self.raw_gram).all()
            and np.isfinite(self.shifted_gram).all()
            and np.isfinite(self.raw_sum).all()
            and np.isfinite(self.shifted_sum).all()
        )

    @property
    def mean(self) -> np.ndarray:
        """Column means of [x y] (shift plus the mean of the shifted values)."""
        return self.shift + self.shifted_sum / self.n

    @property
    def centred_gram(self) -> np.ndarray:
        """sum (z - mean)(z - mean)' by Chan's update of the shifted sums: C - D D'/n."""
        d = self.shifted_sum
        return self.shifted_gram - np.outer(d, d) / self.n

    def second_moments(self) -> np.ndarray:
        """M = Z'Z/n for Z = [1 x y], (p+2, p+2), from the raw sums (the compiled core's M)."""
        q = self.p + 1
        m = np.empty((q + 1, q + 1))
        m[0, 0] = self.n
        m[0, 1:] = m[1:, 0] = self.raw_sum
        m[1:, 1:] = self.raw_gram
        return m / self.n

    def combine(self, other: Moments) -> Moments:
        """The moments of both row sets (same shift): sums add, one more addition deep."""
        if not np.array_equal(self.shift, other.shift):
            raise ValueError("moments with different shifts cannot be added; use one shift")
        return Moments(
            self.n + other.n,
            self.shift,
            self.raw_sum + other.raw_sum,
            self.raw_gram + other.raw_gram,
            self.shifted_sum + other.shifted_sum,
            self.shifted_gram + other.shifted_gram,
            max(self.depth, other.depth) + 1,
        )


def shift_of(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The shift: the mean of the first ``SHIFT_ROWS`` rows of [x y] (all rows if fewer).

    Any shift gives exact moments in exact arithmetic; one near the mean keeps the shifted
    values at the size of the spread, so Chan's update C - D D'/n cancels nothing.
    """
    k = min(x.shape[0], SHIFT_ROWS)
    with np.errstate(all="ignore"):  # non-finite data: validation reports them from the sums
        shift = np.append(x[:k].mean(axis=0), y[:k].mean())
    return np.where(np.isfinite(shift), shift, 0.0)


def of_arrays(
    x: np.ndarray, y: np.ndarray, shift: np.ndarray | None = None, *, fused: bool | None = None
) -> Moments:
    """The moments of float64 x (n, p) and y (n,) in one pass (``fused``: force a kernel)."""
    n, p = x.shape
    shift = shift_of(x, y) if shift is None else np.asarray(shift, dtype=np.float64)
    use_fused = fused_available() if fused is None else fused
    if use_fused and not fused_available():
        raise ValueError(
            "the fused kernel needs Numba (a dependency of this package): pip install numba"
        )
    q = p + 1
    with np.errstate(all="ignore"):  # overflow and NaN are read off the sums by validation
        if use_fused and p == 1:
            out = _pass_one(x[:, 0], y, float(shift[0]), float(shift[1]), BLOCK)
            raw_s, sh_s = out[0:2], out[2:4]
            raw_g = np.array([[out[4], out[5]], [out[5], out[6]]])
            sh_g = np.array([[out[7], out[8]], [out[8], out[9]]])
        else:
            kernel = _pass_many if use_fused else _pass_numpy
            raw_s, sh_s, raw_g, sh_g = kernel(x, y, shift, BLOCK)
            if use_fused:
                raw_g, sh_g = _symmetric(raw_g), _symmetric(sh_g)
    depth = min(n, BLOCK) + math.ceil(n / BLOCK)
    return Moments(n, shift, raw_s, raw_g.reshape(q, q), sh_s, sh_g.reshape(q, q), depth)


def accumulate(chunks: Iterable[tuple[np.ndarray, np.ndarray]]) -> Moments:
    """The moments of every (x, y) chunk, one pass, the shift taken from the first chunk.

    Chunks are float64 x (rows, p) and y (rows,), already checked for shape; an empty
    iterable raises ValueError.
    """
    total: Moments | None = None
    for x, y in chunks:
        if x.shape[0] == 0:
            continue
        part = of_arrays(x, y, None if total is None else total.shift)
        total = part if total is None else total.combine(part)
    if total is None:
        raise ValueError("the data source yielded no rows; need at least 2 observations")
    return total
