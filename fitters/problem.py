"""The validated regression problem: data, design, moments and spectrum, computed lazily.

A :class:`Problem` is what :func:`fitters.validation.problem` returns and what every route,
oracle and bound reads: x (n, p) and y (n,) as float64, finite and identifiable. It holds no
validation logic (that is :mod:`fitters.validation`), only the derived quantities, each
computed on first use: the design X = [1 x], X'X, X'y, and the singular values of X from
the R factor of a blocked QR (:func:`design_r`), whose working memory does not grow with n.
Pure NumPy: importing it does not import TensorFlow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

__all__ = ["BLOCK_ROWS", "Problem", "design_r"]

#: rows per block of the blocked QR of the design (bounded working memory for any n)
BLOCK_ROWS = 1 << 16


@dataclass(frozen=True, eq=False)
class Problem:
    """A validated regression problem: x (n, p) and y (n,), float64, finite, identifiable.

    ``r`` (optional) is the (p+1, p+1) upper-triangular R of the design X = [1 x] = QR,
    computed once by :func:`problem`; it is recomputed from x when absent.
    """

    x: np.ndarray
    y: np.ndarray
    r: np.ndarray | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return self.x.shape[0]

    @property
    def p(self) -> int:
        return self.x.shape[1]

    @cached_property
    def design(self) -> np.ndarray:
        """X = [1 x], shape (n, p+1), float64 (formed on first use, then cached)."""
        design = np.empty((self.n, self.p + 1))
        design[:, 0] = 1.0
        design[:, 1:] = self.x
        return design

    @cached_property
    def gram(self) -> np.ndarray:
        """X'X, (p+1, p+1), float64, accumulated without forming [1 x] for large n."""
        p1 = self.p + 1
        gram = np.empty((p1, p1))
        gram[0, 0] = self.n
        gram[0, 1:] = gram[1:, 0] = self.x.sum(axis=0)
        gram[1:, 1:] = self.x.T @ self.x
        return gram

    @cached_property
    def moment(self) -> np.ndarray:
        """X'y, (p+1,), float64."""
        return np.concatenate([[self.y.sum()], self.x.T @ self.y])

    @cached_property
    def spectrum(self) -> tuple[np.ndarray, np.ndarray]:
        """(s, V): singular values (descending) and right singular vectors of X = [1 x].

        From the SVD of the small R of X = QR, so H = 2X'X/n = V diag(2 s^2/n) V' is known
        to float64 accuracy even when X'X itself would square away the small eigenvalues.
        """
        r = self.r if self.r is not None else design_r(self.x)
        _, s, vt = np.linalg.svd(r)
        return s, vt.T

    @property
    def hessian_eigenvalues(self) -> np.ndarray:
        """Eigenvalues of H = 2X'X/n, descending: the curvature of the MSE loss."""
        return 2.0 * self.spectrum[0] ** 2 / self.n

    @property
    def stable_lr(self) -> float:
        """2 / lambda_max(H): gradient descent converges for 0 < lr < this."""
        return 2.0 / float(self.hessian_eigenvalues[0])

    @property
    def condition_number(self) -> float:
        """cond_2(X) = s_max / s_min of the design matrix (cond(H) is its square)."""
        s = self.spectrum[0]
        return math.inf if s[-1] == 0 else float(s[0] / s[-1])

    @cached_property
    def scaled_condition_number(self) -> float:
        """cond_2(X S), S = diag(1 / ||X_j||): the condition number of X with unit columns.

        This is the one that governs rounding (van der Sluis: within sqrt(p+1) of the best
        column scaling). Householder QR is column-wise backward stable, so a QR solve errs by
        about eps * cond(XS); forming X'X (or iterating on its gradient) squares it. A large
        offset in x inflates cond(X) ~ offset^2 / spread but cond(XS) only ~ offset / spread.
        """
        r = self.r if self.r is not None else design_r(self.x)
        s = np.linalg.svd(r / np.linalg.norm(r, axis=0), compute_uv=False)
        return math.inf if s[-1] == 0 else float(s[0] / s[-1])


def design_r(x: np.ndarray, shift: np.ndarray | None = None) -> np.ndarray:
    """The R of X = [1 x] = QR, (p+1, p+1), by Householder QR over row blocks (TSQR).

    The predictors are shifted by ``shift`` (default: their mean) so that the blocks hold
    [1, x - shift], whose columns are of the size of the spread of x rather than its offset;
    stacking [R_so_far; block] and re-factorizing keeps the working memory at
    BLOCK_ROWS x (p+1) whatever n is. The shift is undone exactly on R:
    [1 x] = [1, x - m] T with T = [[1, m'], [0, I]], so R = R_c T, i.e. R[:, j] += m_j R[:, 0].
    The result is as accurate as one Householder QR of X (backward error ~ eps ||X||).
    """
    n, p = x.shape
    shift = x.mean(axis=0) if shift is None else shift
    r = np.empty((0, p + 1))
    block = np.empty((min(n, BLOCK_ROWS), p + 1))
    block[:, 0] = 1.0
    for start in range(0, n, BLOCK_ROWS):
        rows = min(n, start + BLOCK_ROWS) - start
        np.subtract(x[start : start + rows], shift, out=block[:rows, 1:])
        r = np.linalg.qr(np.concatenate([r, block[:rows]]), mode="r")
    r[:, 1:] += np.outer(r[:, 0], shift)
    return r
