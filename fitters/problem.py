"""The validated regression problem: data, design, moments and spectrum, computed lazily.

A :class:`Problem` is what :func:`fitters.validation.problem` returns and what every route,
oracle and bound reads: x (n, p) and y (n,) as float64, finite and identifiable, or, for
data streamed in chunks, only their second moments (:mod:`fitters.moments`). It holds no
validation logic (that is :mod:`fitters.validation`), only the derived quantities, each
computed on first use: the design X = [1 x], X'X, X'y, and the singular values of X from an
R with R'R = X'X. That R comes from the one-pass moments (:func:`moments_r`, O(p^3)) when
their derived error is no larger than a QR's, else from a blocked QR (:func:`design_r`),
whose working memory does not grow with n either. Pure NumPy: importing it does not import
TensorFlow.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .moments import Moments

__all__ = ["BLOCK_ROWS", "Problem", "design_r", "design_r_blocks", "moments_r"]

#: rows per block of the blocked QR of the design (bounded working memory for any n)
BLOCK_ROWS = 1 << 16


@dataclass(frozen=True, eq=False)
class Problem:
    """A validated regression problem: x (n, p) and y (n,), float64, finite, identifiable.

    ``r`` (optional) is a (p+1, p+1) upper-triangular R with R'R = X'X for X = [1 x],
    computed once by :func:`fitters.validation.problem`; recomputed from x when absent.
    ``moments`` (optional) are the one-pass sums of [x y]. Streamed data have x = y = None
    and ``moments`` set; ``blocks`` then re-reads the (x, y) chunks for a second pass (a QR),
    or is None for a one-shot iterator.
    """

    x: np.ndarray | None
    y: np.ndarray | None
    r: np.ndarray | None = field(default=None, repr=False)
    moments: Moments | None = field(default=None, repr=False)
    blocks: Callable[[], Iterable[tuple[np.ndarray, np.ndarray]]] | None = field(
        default=None, repr=False
    )
    source: str = field(default="", repr=False)

    @property
    def n(self) -> int:
        return self.x.shape[0] if self.x is not None else self.moments.n

    @property
    def p(self) -> int:
        return self.x.shape[1] if self.x is not None else self.moments.p

    @property
    def streamed(self) -> bool:
        """True when the rows are not held in memory (only their moments are)."""
        return self.x is None

    def _in_memory(self, what: str) -> None:
        if self.x is None:
            raise ValueError(
                f"{what} needs the data as arrays in memory, but they were streamed "
                f"({self.source or 'chunks'}); only their second moments were kept. Fit "
                "streamed data with compiled_core or fitters.reference.normal_equation"
            )

    @cached_property
    def design(self) -> np.ndarray:
        """X = [1 x], shape (n, p+1), float64 (formed on first use, then cached)."""
        self._in_memory("the design X = [1 x]")
        design = np.empty((self.n, self.p + 1))
        design[:, 0] = 1.0
        design[:, 1:] = self.x
        return design

    @cached_property
    def gram(self) -> np.ndarray:
        """X'X, (p+1, p+1), float64, accumulated without forming [1 x] for large n."""
        p1 = self.p + 1
        if self.moments is not None:
            mom, p = self.moments, self.p
            gram = np.empty((p1, p1))
            gram[0, 0] = self.n
            gram[0, 1:] = gram[1:, 0] = mom.raw_sum[:p]
            gram[1:, 1:] = mom.raw_gram[:p, :p]
            return gram
        gram = np.empty((p1, p1))
        gram[0, 0] = self.n
        gram[0, 1:] = gram[1:, 0] = self.x.sum(axis=0)
        gram[1:, 1:] = self.x.T @ self.x
        return gram

    @cached_property
    def moment(self) -> np.ndarray:
        """X'y, (p+1,), float64."""
        if self.moments is not None:
            return np.append(self.moments.raw_sum[-1:], self.moments.raw_gram[:-1, -1])
        return np.concatenate([[self.y.sum()], self.x.T @ self.y])

    @cached_property
    def r_factor(self) -> np.ndarray:
        """``r`` if given, else from the moments when certified (:func:`moments_r`), else QR."""
        if self.r is not None:
            return self.r
        if self.moments is not None:
            r = moments_r(self.moments)
            if r is not None:
                return r
        if self.x is not None:
            return design_r(self.x)
        if self.blocks is None:
            raise ValueError(
                "the one-pass moments of these streamed data are too ill-conditioned to give "
                "the design's singular values as accurately as a QR, and a one-shot iterator "
                "cannot be read twice; pass a file path or a re-iterable source"
            )
        xs = (np.asarray(x, dtype=np.float64).reshape(len(x), -1) for x, _ in self.blocks())
        return design_r_blocks(xs, self.moments.mean[:-1])

    @cached_property
    def spectrum(self) -> tuple[np.ndarray, np.ndarray]:
        """(s, V): singular values (descending) and right singular vectors of X = [1 x].

        From the SVD of the small R of X = QR, so H = 2X'X/n = V diag(2 s^2/n) V' is known
        to float64 accuracy even when X'X itself would square away the small eigenvalues.
        """
        _, s, vt = np.linalg.svd(self.r_factor)
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
        r = self.r_factor
        s = np.linalg.svd(r / np.linalg.norm(r, axis=0), compute_uv=False)
        return math.inf if s[-1] == 0 else float(s[0] / s[-1])


def _blocks_of(x: np.ndarray) -> Iterator[np.ndarray]:
    for start in range(0, x.shape[0], BLOCK_ROWS):
        yield x[start : start + BLOCK_ROWS]


def design_r(x: np.ndarray, shift: np.ndarray | None = None) -> np.ndarray:
    """The R of X = [1 x] = QR, (p+1, p+1), by Householder QR over row blocks (TSQR).

    The predictors are shifted by ``shift`` (default: their mean) so that the blocks hold
    [1, x - shift], whose columns are of the size of the spread of x rather than its offset;
    stacking [R_so_far; block] and re-factorizing keeps the working memory at
    BLOCK_ROWS x (p+1) whatever n is. The shift is undone exactly on R:
    [1 x] = [1, x - m] T with T = [[1, m'], [0, I]], so R = R_c T, i.e. R[:, j] += m_j R[:, 0].
    The result is as accurate as one Householder QR of X (backward error ~ eps ||X||).
    """
    shift = x.mean(axis=0) if shift is None else shift
    return design_r_blocks(_blocks_of(x), shift)


def design_r_blocks(blocks: Iterable[np.ndarray], shift: np.ndarray) -> np.ndarray:
    """:func:`design_r` over x given as row blocks (streamed data: a second pass)."""
    shift = np.asarray(shift, dtype=np.float64)
    p = shift.shape[0]
    r = np.empty((0, p + 1))
    for x in blocks:
        for start in range(0, x.shape[0], BLOCK_ROWS):
            part = x[start : start + BLOCK_ROWS]
            block = np.empty((part.shape[0], p + 1))
            block[:, 0] = 1.0
            np.subtract(part, shift, out=block[:, 1:])
            r = np.linalg.qr(np.concatenate([r, block]), mode="r")
    r[:, 1:] += np.outer(r[:, 0], shift)
    return r


def _gamma(m: float) -> float:
    """gamma_m = m u / (1 - m u) in float64 (Higham's bound on m accumulated roundings)."""
    mu = m * 2.0**-53
    return math.inf if mu >= 1 else mu / (1.0 - mu)


def moments_r(mom: Moments) -> np.ndarray | None:
    """R with R'R = X'X from the one-pass moments, or None when a QR would be more accurate.

    Centred at the computed mean m, X = [1, x - m] T with T = [[1, m'], [0, I]], and the
    Gram of [1, x - m] is diag(n, Cc) (Cc: the centred predictor sums, Chan's update of the
    shifted sums); so R = [[sqrt(n), sqrt(n) m'], [0, chol(Cc)]], undone exactly as
    :func:`design_r` undoes its shift. Its accuracy, derived worst case (Higham chs. 3, 4,
    10) with g = ``mom.depth`` and s_l = sqrt(Cc_ll), as a perturbation F of the centred
    Gram scaled to unit diagonal:

    - C_lt = sum d_l d_t (d = z - shift, each rounded once, product once):
      |dC_lt| <= gamma_{g+3} sum |d_l d_t| <= gamma_{g+3} sqrt(C_ll C_tt) (Cauchy-Schwarz);
    - D_l = sum d_l: |dD_l| <= gamma_{g+1} sqrt(n C_ll) = e_l; D D'/n then errs by
      (|D_l| e_t + |D_t| e_l + e_l e_t)/n + gamma_2 |D_l D_t|/n, the subtraction by u |Cc_lt|;
    - the mean: |dm_l| <= (e_l + gamma_2 |D_l|)/n + u |m_l|, which leaves an off-diagonal
      n dm_l in the Gram of [1, x - m]: scaled, sqrt(n) |dm_l| / s_l;
    - Cholesky: R'R = Cc + dA with |dA_lt| <= gamma_{p+1} s_l s_t (Higham Thm 10.3).

    Weyl: each eigenvalue of the scaled Gram G moves by at most ||F||_F, so lambda_min is
    known to relative error eta_M = ||F||_F / (lambda_min - ||F||_F), and so is sigma_min of
    the scaled design (to half of it). A Householder QR of the same design has column-wise
    backward error gamma_{n(p+1)} (Higham Thm 19.4, its constant taken as 1, which favours
    the QR), so sigma_min to relative error eta_QR = sqrt(p+1) gamma_{n(p+1)} / sqrt(lambda_min).
    The moments are used when eta_M <= eta_QR: then every quantity derived from R (cond(X),
    cond(XS), the Hessian's eigenvalues, the identifiability test) is certified at least as
    accurate as from today's QR. For centred or moderately offset data (the shift, the mean
    of the first rows, is then near the mean) at any n this holds; a shift many standard
    deviations off the mean, or nearly collinear predictors, fall back to the QR.
    """
    n, p = mom.n, mom.p
    u = 2.0**-53
    g = mom.depth
    c = mom.shifted_gram[:p, :p]
    d = mom.shifted_sum[:p]
    cc = mom.centred_gram[:p, :p]
    diag_c, diag_cc = np.diag(c), np.diag(cc)
    if not (np.all(diag_cc > 0) and np.all(np.isfinite(cc))):
        return None
    scale = np.sqrt(diag_cc)
    e = _gamma(g + 1) * np.sqrt(n * diag_c)
    abs_d = np.abs(d)
    err = (
        _gamma(g + 3) / (1 - _gamma(g + 3)) * np.outer(np.sqrt(diag_c), np.sqrt(diag_c))
        + (np.outer(abs_d, e) + np.outer(e, abs_d) + np.outer(e, e)) / n
        + _gamma(2) * np.outer(abs_d, abs_d) / n
        + u * np.abs(cc)
    )
    f = np.zeros((p + 1, p + 1))
    f[0, 0] = _gamma(2)  # sqrt(n)^2 against n
    mean = mom.mean[:p]
    dm = (e + _gamma(2) * abs_d) / n + u * np.abs(mean)
    f[0, 1:] = f[1:, 0] = math.sqrt(n) * dm / scale
    f[1:, 1:] = err / np.outer(scale, scale) + _gamma(p + 1) / (1 - _gamma(p + 1))
    eps = float(np.linalg.norm(f)) * (1 + 1e-6)  # Frobenius >= 2-norm; slack for its rounding
    scaled = cc / np.outer(scale, scale)
    with np.errstate(all="ignore"):
        lam = np.linalg.eigvalsh(scaled)
    lam_min = min(1.0, float(lam[0])) - _gamma(p + 1) * (p + 1)  # eigvalsh's own rounding
    if not lam_min > 2 * eps:
        return None
    eta_m = eps / (lam_min - eps)
    eta_qr = math.sqrt(p + 1) * _gamma(n * (p + 1)) / math.sqrt(lam_min)
    if eta_m > eta_qr:
        return None
    try:
        upper = np.linalg.cholesky(cc).T
    except np.linalg.LinAlgError:
        return None
    r = np.zeros((p + 1, p + 1))
    r[0, 0] = math.sqrt(n)
    r[1:, 1:] = upper
    r[:, 1:] += np.outer(r[:, 0], mean)
    return r
