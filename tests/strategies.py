"""Hypothesis strategies for linear data sets: the one place every test draws data from.

Distribution (what is explored):
- n from 2 (p + 1 at least) to 2000, biased to small n by Hypothesis, with a
  ``large`` switch up to 2000; predictors p from 1 to 5 for vector routes, 1 for scalar ones.
- x = offset + scale * base, where base is an even grid, uniform noise, or a few distinct
  values repeated (duplicated x). offset/scale vary the conditioning of X = [1 x] from ideal
  (centred, unit scale) to poor (offset many times the spread).
- true coefficients 0 or 1e-3 <= |c| <= 10, zero and negative slopes explicitly included; noise
  sigma 0 (exact fits) or in [1e-3, 2].

Deliberately excluded (and why):
- cond(X) above ``max_condition`` (default 1e3, 30 for float32 gradient routes via
  ``max_condition=...``): gradient descent needs about cond(X)^2 steps to converge and its
  float32 fixed point is off by about u32 * cond(X)^2 * |b|, so larger values test only that
  nothing converges. The robustness tests cover ill-conditioning separately.
- coefficient magnitudes in (0, 1e-3): tiny values underflow float32 (y ~ 1e-243 squared is
  0 even in float64), where rounding errors stop being relative; that region is an underflow
  test, not an agreement test.
- singular designs (constant or collinear x): they are rejected by validation, tested there.
- bulk values are drawn from a NumPy generator seeded by Hypothesis, so n in the thousands
  stays cheap; Hypothesis shrinks the seed and the shape parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from fitters.problem import Problem
from fitters.validation import problem


class _Shape:
    """n and p of a drawn data set, read off its validated ``problem``."""

    problem: Problem

    @property
    def n(self) -> int:
        return self.problem.n

    @property
    def p(self) -> int:
        return self.problem.p


@dataclass(frozen=True)
class LinearDataset(_Shape):
    """A drawn data set with the truth that generated it."""

    x: np.ndarray
    y: np.ndarray
    coef_true: np.ndarray
    noise: float
    layout: str
    offset: float
    scale: float
    problem: Problem = field(repr=False, compare=False)

    def describe(self) -> str:
        """One line a failure message can carry: n, p, cond(X), how x was drawn."""
        return (
            f"n={self.n} p={self.p} cond(X)={self.problem.condition_number:.3g} "
            f"x={self.offset:+g}{self.scale:+g}*{self.layout} noise={self.noise:g} "
            f"coef_true={np.round(self.coef_true, 4)}"
        )


#: 0 exactly, or 1e-3 <= |c| <= 10: magnitudes in between (Hypothesis likes 1e-243) would make
#: y underflow float32 (and, squared in the loss, float64), where rounding is no longer relative
#: and no bound of fitters.tolerances applies; the lecture's scale is |b| ~ 1..10.
coefficients = st.one_of(
    st.just(0.0),
    st.builds(
        lambda magnitude, sign: sign * magnitude,
        st.floats(1e-3, 10),
        st.sampled_from([-1.0, 1.0]),
    ),
    st.sampled_from([-4.0, -1.0, 1.0, 2.5, 4.0]),
)
noise_levels = st.one_of(st.just(0.0), st.floats(1e-3, 2.0))
x_layouts = st.sampled_from(["grid", "uniform", "duplicated"])


@st.composite
def linear_datasets(
    draw,
    *,
    min_p: int = 1,
    max_p: int = 5,
    max_n: int = 2000,
    max_condition: float = 1e3,
) -> LinearDataset:
    """A valid, identifiable linear data set with cond(X) <= max_condition."""
    p = draw(st.integers(min_p, max_p), label="p")
    n = draw(st.integers(p + 1, max_n), label="n")
    layout = draw(x_layouts, label="x layout")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    if layout == "grid":
        base = np.stack([rng.permutation(np.linspace(-1, 1, n)) for _ in range(p)], axis=1)
    elif layout == "uniform":
        base = rng.uniform(-1, 1, size=(n, p))
    else:
        distinct = draw(st.integers(2, max(2, min(n, 8))), label="distinct x values")
        values = np.linspace(-1, 1, distinct)
        base = values[rng.integers(0, distinct, size=(n, p))]
    offset = draw(st.one_of(st.just(0.0), st.floats(-50, 50)), label="x offset")
    scale = draw(st.sampled_from([1.0, 0.1, 3.0, 10.0]), label="x scale")
    x = offset + scale * base
    coef = np.array(draw(st.lists(coefficients, min_size=p + 1, max_size=p + 1), label="coef"))
    noise = draw(noise_levels, label="noise sigma")
    y = coef[0] + x @ coef[1:] + noise * rng.standard_normal(n)
    try:
        pb = problem(x, y)
    except (
        ValueError
    ):  # constant or collinear draw (duplicated layout, tiny n): not this test's job
        assume(False)
    assume(pb.condition_number <= max_condition)
    return LinearDataset(x if p > 1 else x[:, 0], y, coef, noise, layout, offset, scale, pb)


def initial_coefficients(p: int):
    """Starting points b_0 of length p + 1, from the same magnitudes as ``coefficients``.

    Tiny starting values (Hypothesis likes 1e-80) would make the float32 loss underflow to 0
    at the first step, outside every relative rounding bound: see ``coefficients``.
    """
    return st.lists(coefficients, min_size=p + 1, max_size=p + 1).map(np.array)


def stable_learning_rates(pb: Problem, *, min_fraction: float = 0.05, max_fraction: float = 0.95):
    """lr = f * 2/lambda_max(H) for f in [min_fraction, max_fraction]: inside the stable range.

    The edges are excluded: f -> 0 makes no progress and f -> 1 makes rho -> 1 along the top
    eigenvector, both of which only slow the check without testing anything new.
    """
    return st.floats(min_fraction, max_fraction).map(lambda f: f * pb.stable_lr)


# =====================================================================================
# Robustness strategies (issue 6). Appended by the robustness work; everything above this
# banner is the lead's. Meta-tests for these live in tests/test_divergence.py and
# tests/test_conditioning.py (test_*_strategy_reaches).
# =====================================================================================


def unstable_learning_rates(pb: Problem, *, min_factor: float = 1.05, max_factor: float = 3.0):
    """lr = f * 2/lambda_max(H) for f in [min_factor, max_factor]: above the stable bound.

    Along the top eigenvector the error then grows by rho = 2f - 1 >= 1.1 per step. The
    margin f >= 1.05 is deliberate: as f -> 1, rho -> 1 and the iterates neither converge
    nor visibly diverge within any affordable number of epochs (the overflow epoch is about
    log(MAX / L0) / (2 log rho), ~3600 for float64 at f = 1.05).
    """
    return st.floats(min_factor, max_factor).map(lambda f: f * pb.stable_lr)


@dataclass(frozen=True)
class IllConditionedDataset(_Shape):
    """A drawn ill-conditioned data set: an offset in x, or nearly collinear predictors.

    level: the offset over the spread of x ("offset"), or the size of the independent part
    of the last predictor ("collinear"; the sine of its angle to the span of the others).
    """

    x: np.ndarray
    y: np.ndarray
    kind: str
    level: float
    problem: Problem = field(repr=False, compare=False)

    def describe(self) -> str:
        pb = self.problem
        return (
            f"{self.kind} level={self.level:.3g} n={pb.n} p={pb.p} cond(X)={pb.condition_number:.3g} "
            f"cond(XS)={pb.scaled_condition_number:.3g}"
        )


@st.composite
def ill_conditioned_datasets(
    draw, *, kinds=("offset", "collinear"), max_n: int = 40, max_log10_offset: float = 8.0
) -> IllConditionedDataset:
    """Hard but identifiable data sets, small enough for an exact rational solve.

    - "offset": x = spread * (offset + u), u ~ U(0, 1), offset in [1, 10^max_log10_offset],
      spread in {1e-3, 1, 1e3}: cond(X) ~ offset^2, cond(XS) ~ offset (x in [1e6, 1e6+1] is
      offset 1e6, spread 1).
    - "collinear": p in {2, 3}; the last predictor is a fixed combination of the others
      plus level * N(0, 1), level in [1e-8, 1e-1]: cond(XS) ~ 1 / level.
    Draws that validation rejects as exactly collinear (the independent part lost to
    rounding) are excluded: they belong to the validation tests.
    """
    kind = draw(st.sampled_from(kinds), label="kind")
    n = draw(st.integers(4, max_n), label="n")
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed"))
    if kind == "offset":
        level = 10 ** draw(st.floats(0.0, max_log10_offset), label="log10 offset")
        spread = draw(st.sampled_from([1.0, 1e-3, 1e3]), label="spread")
        x = spread * (level + rng.uniform(0.0, 1.0, size=n))
    else:
        p = draw(st.integers(2, 3), label="p")
        level = 10 ** draw(st.floats(-8.0, -1.0), label="log10 collinearity")
        base = rng.uniform(-1.0, 1.0, size=(n, p - 1))
        weights = rng.uniform(0.5, 2.0, size=p - 1)
        x = np.column_stack([base, base @ weights + level * rng.standard_normal(n)])
    coef = np.array(draw(st.lists(coefficients, min_size=2, max_size=4), label="coef"))
    p_all = 1 if x.ndim == 1 else x.shape[1]
    coef = np.resize(coef, p_all + 1)
    # coefficients near float64's underflow make y subnormal, where relative precision (and
    # every rounding bound) is lost: that is not ill-conditioning, so it is excluded
    assume(np.all((coef == 0) | (np.abs(coef) > 1e-290)))
    noise = draw(noise_levels, label="noise sigma")
    fitted = coef[0] + (coef[1] * x if x.ndim == 1 else x @ coef[1:])
    y = fitted + noise * rng.standard_normal(n)
    try:
        pb = problem(x, y)
    except ValueError:  # collinear to rounding (validation's job) or a constant draw
        assume(False)
    return IllConditionedDataset(x, y, kind, level, pb)
