"""The report's pictures, drawn with matplotlib's object API on the Agg canvas, and the
bookkeeping that keeps the output folder holding only this run's pictures.

``Figure`` objects are built directly (no ``pyplot``), and the font sizes are set in an
``rc_context`` around each drawing, so writing the report neither needs a display nor
changes the caller's pyplot backend, open figures or rcParams. The exact gradient-descent
path and its losses come from :mod:`fitters.reference` (``gd_path``, ``mse_extended``), the
one home of that arithmetic.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from . import reference
from .report import Report, RouteResult

__all__ = ["DPI", "FIGURES", "Drawn", "remove_stale", "write_figures"]

#: Sharp on a high-density screen and when a page scales the picture down to ~900 px.
DPI = 150

#: Every picture the report can write, in the order it writes them.
FIGURES = ("fit.png", "loss.png", "path.png", "timing.png")

#: Font sizes for pictures about 9-12 inches wide, shown at ~900 px in a README.
_RC = {
    "font.size": 11,
    "axes.titlesize": 11.5,
    "axes.labelsize": 11,
    "legend.fontsize": 9.5,
    "legend.title_fontsize": 9.5,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
}


@dataclass
class Drawn:
    """What :func:`write_figures` did: the pictures written, and the others with the reason."""

    written: list[Path] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


_MARKERS = "os^vD<>phH*Xd"
#: tab10 and three dark extras: thirteen routes, thirteen distinguishable colours.
_COLOURS = [f"C{k}" for k in range(10)] + ["#1b9e77", "#7570b3", "#e6ab02"]


def _style(i: int, result: RouteResult) -> dict:
    """One colour per route; the line style says the route's precision and kind."""
    if not result.route.iterative:
        dashes = (1, 1.5)
    elif result.route.dtype == "float32":
        dashes = (5, 2)
    else:
        dashes = ()
    return {
        "color": _COLOURS[i % len(_COLOURS)],
        "dashes": dashes,
        "marker": _MARKERS[i % len(_MARKERS)],
    }


def _ran(report: Report) -> list[tuple[int, RouteResult]]:
    return [(i, r) for i, r in enumerate(report.results) if r.coef is not None]


def _save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, dpi=DPI)
    return path


def _labels(report: Report) -> tuple[str, str]:
    """Axis names: the data's own column names."""
    return report.data.x_names[0], report.data.y_name


def fit_figure(report: Report, path: Path) -> Path:
    """The data with the true line and every route's fitted line (one predictor), or
    observed against fitted values (several predictors)."""
    pb, star = report.problem, report.star
    ran = _ran(report)
    if pb.p > 1:
        fig = Figure(figsize=(7, 5.5), layout="constrained")
        ax = fig.add_subplot()
        lo, hi = float(pb.y.min()), float(pb.y.max())
        ax.plot([lo, hi], [lo, hi], color="black", lw=1, label="y = fitted (perfect fit)")
        for i, r in ran:
            style = _style(i, r)
            ax.plot(
                pb.y,
                pb.design @ r.coef,
                ls="none",
                marker=style["marker"],
                ms=4,
                color=style["color"],
                alpha=0.6,
                label=r.name,
            )
        ax.set(
            xlabel=f"observed {report.data.y_name}",
            ylabel="fitted b0 + x·b",
            title=f"Observed against fitted, n={pb.n}, p={pb.p} predictors",
        )
        ax.legend(ncols=2, fontsize=8.5)
        return _save(fig, path)

    xname, yname = _labels(report)
    fig = Figure(figsize=(12, 5.2), layout="constrained")
    ax, diff = fig.subplots(1, 2)
    x = pb.x[:, 0]
    grid = np.linspace(x.min(), x.max(), 50)
    ax.scatter(x, pb.y, s=10, color="0.6", label=f"data (n={pb.n})")
    if report.data.true_coef is not None:
        b0, b1 = report.data.true_coef
        ax.plot(
            grid,
            b0 + b1 * grid,
            color="black",
            lw=2.5,
            ls="--",
            label=f"true line y = {b0:g} + {b1:g}x",
        )
    ax.plot(
        grid,
        star[0] + star[1] * grid,
        color="tab:red",
        lw=5,
        alpha=0.35,
        label=f"normal equation b* = ({star[0]:.4f}, {star[1]:.4f})",
    )
    for i, r in ran:
        style = _style(i, r)
        ax.plot(
            grid, r.coef[0] + r.coef[1] * grid, color=style["color"], dashes=style["dashes"], lw=1
        )
    ax.plot([], [], color="0.3", lw=1, label=f"the {len(ran)} routes' lines (they coincide)")
    ax.set(xlabel=xname, ylabel=yname, title="Data and every route's fitted line")
    ax.legend(loc="upper left")

    diff.axhline(0.0, color="tab:red", lw=5, alpha=0.35)
    for i, r in ran:
        style = _style(i, r)
        delta = (r.coef[0] - star[0]) + (r.coef[1] - star[1]) * grid
        diff.plot(
            grid,
            delta,
            color=style["color"],
            dashes=style["dashes"],
            lw=1.6,
            label=r.name,
        )
    diff.set(
        xlabel=xname,
        ylabel="route's line − normal-equation line",
        title="Each line minus the normal-equation line",
    )
    diff.legend(
        ncols=2,
        fontsize=8.5,
        loc="best",
        title="dotted: closed form, solid: float64 GD, dashed: float32 GD",
    )
    return _save(fig, path)


def _gradient_runs(report: Report) -> list[tuple[int, RouteResult]]:
    return [(i, r) for i, r in _ran(report) if r.loss_history is not None and len(r.loss_history)]


def _identical_groups(runs: list[tuple[int, RouteResult]]) -> list[list[tuple[int, RouteResult]]]:
    """Routes whose loss histories are equal bit for bit, grouped (one curve, one label)."""
    groups: list[list[tuple[int, RouteResult]]] = []
    for i, r in runs:
        for group in groups:
            other = group[0][1].loss_history
            if len(other) == len(r.loss_history) and np.array_equal(other, r.loss_history):
                group.append((i, r))
                break
        else:
            groups.append([(i, r)])
    return groups


def loss_figure(report: Report, path: Path) -> Path | None:
    """The loss per epoch, and each route's deviation from the exact curve, per dtype.

    On the loss itself every route lies on the exact curve, so the left panel shows that
    curve once; the other panels separate what coincides there: |L_route(k) - L(b_k)|, one
    panel per precision, with routes whose histories agree bit for bit drawn as one curve.
    b_k is the exact iterate at the step the route really takes (``Route.effective_lr``:
    Keras optimizers hold lr = 0.1 as float32(0.1)).
    """
    runs = _gradient_runs(report)
    if not runs:
        return None
    pb = report.problem
    steps = max(len(r.loss_history) for _, r in runs)
    exact_by_lr: dict[float, np.ndarray] = {}  # Keras keeps lr in float32: its own curve

    def exact_loss(r: RouteResult) -> np.ndarray:
        lr = r.route.effective_lr(report.lr)
        if lr not in exact_by_lr:
            path = reference.gd_path(pb, None, report.init, lr, steps - 1)
            exact_by_lr[lr] = reference.mse_extended(pb, None, path)
        return exact_by_lr[lr]

    exact = exact_loss(runs[0][1])
    loss_star = float(reference.mse_extended(pb, None, report.star[None, :])[0])
    dtypes = sorted({r.route.dtype for _, r in runs}, reverse=True)  # float64 first

    fig = Figure(figsize=(6 + 4.5 * len(dtypes), 5.2), layout="constrained")
    axes = fig.subplots(1, 1 + len(dtypes), squeeze=False)[0]
    ax = axes[0]
    k = np.arange(steps)
    ax.plot(k, exact, color="black", lw=2.5, label="exact gradient descent L(b_k)")
    for i, r in runs:
        style = _style(i, r)
        ax.plot(np.arange(len(r.loss_history)), r.loss_history, color=style["color"], lw=0.8)
    ax.plot([], [], color="0.4", lw=0.8, label=f"the {len(runs)} routes (on top of it)")
    ax.axhline(loss_star, color="tab:red", lw=1, ls=":", label=f"minimum L(b*) = {loss_star:.6g}")
    ax.set(
        yscale="log",
        xlabel="epoch k (loss recorded before step k+1)",
        ylabel="MSE loss, log scale",
        title=f"Loss per epoch, lr={report.lr:g}, from b_0 = {_vec(report.init)}",
    )
    ax.legend(loc="upper right")

    for ax, dtype in zip(axes[1:], dtypes, strict=True):
        mine = [(i, r) for i, r in runs if r.route.dtype == dtype]
        floor = float(np.finfo(dtype).eps) / 2 * loss_star
        for group in _identical_groups(mine):
            i, r = group[0]
            style = _style(i, r)
            n = len(r.loss_history)
            dev = np.abs(np.asarray(r.loss_history, dtype=np.float64) - exact_loss(r)[:n])
            at, dev = _envelope(dev)
            dev[dev == 0] = np.nan  # equal to the last bit: no point on a log scale
            label = " = ".join(g.name for _, g in group)
            ax.plot(at, dev, color=style["color"], dashes=style["dashes"], lw=1.5, label=label)
        ax.axhline(floor, color="black", lw=1, ls=":", label=f"u({dtype})·L(b*): one rounding")
        ax.set(
            yscale="log",
            xlabel="epoch k",
            ylabel="|route's loss − exact L(b_k)|, max per block",
            title=f"{dtype} routes: distance from the exact curve",
        )
        ax.legend(loc="best", fontsize=8.5)
    return _save(fig, path)


def _envelope(dev: np.ndarray, points: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """The largest deviation in each of ``points`` blocks of epochs (at the block's start):
    rounding noise drawn epoch by epoch hides which curve is which."""
    size = max(1, -(-len(dev) // points))
    starts = np.arange(0, len(dev), size)
    return starts, np.maximum.reduceat(dev, starts)


def _vec(values) -> str:
    return "(" + ", ".join(f"{v:g}" for v in values) + ")"


def path_figure(report: Report, path: Path) -> Path | None:
    """(b0, b1) over the epochs, over contours of the loss: the exact gradient-descent path
    (``reference.gd_path``, every k) and each gradient route's answer on it.

    With ``--checkpoints`` the routes were also re-run for k epochs, and their own iterates
    are marked along the path too.
    """
    runs = [(i, r) for i, r in _ran(report) if r.route.iterative and r.epochs]
    if report.problem.p != 1 or not runs:
        return None
    pb, star, init = report.problem, report.star, report.init
    steps = max(r.epochs for _, r in runs)
    exact = reference.gd_path(pb, None, init, report.lr, steps)

    fig = Figure(figsize=(12, 5.8), layout="constrained")
    ax, zoom = fig.subplots(1, 2)
    pts = np.vstack([exact, star[None, :]])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = 0.15 * (hi - lo) + 0.5
    g0 = np.linspace(lo[0] - pad[0], hi[0] + pad[0], 160)
    g1 = np.linspace(lo[1] - pad[1], hi[1] + pad[1], 160)
    b0, b1 = np.meshgrid(g0, g1)
    loss = _loss_grid(pb, b0, b1)
    floor = float(loss.min())
    levels = floor + np.geomspace(1e-3, float(loss.max() - floor), 14)
    cs = ax.contour(b0, b1, loss, levels=levels, cmap="Blues_r", linewidths=0.8)
    ax.clabel(cs, cs.levels[::3], fmt="%.3g", fontsize=8)
    ax.plot(
        exact[:, 0],
        exact[:, 1],
        color="black",
        lw=1.5,
        label=f"exact GD path b_k, k = 0..{steps}",
    )
    marks = [k for k in (1, 3, 10, 30, 100) if k < steps]
    ax.plot(*exact[marks].T, "k.", ms=7)
    for k in marks:
        ax.annotate(f"k={k}", exact[k], xytext=(6, -12), textcoords="offset points", fontsize=9)
    checked = [(i, r) for i, r in runs if len(r.path) > 2]
    for j, (i, r) in enumerate(checked):
        style = _style(i, r)
        own = np.array([r.path[k] for k in sorted(r.path)])
        ax.plot(
            own[:, 0],
            own[:, 1],
            ls="none",
            marker=style["marker"],
            mfc="none",
            mec=style["color"],
            ms=13 - 0.8 * j,
            mew=1.2,
        )
    if checked:
        ax.plot(
            [],
            [],
            ls="none",
            marker="o",
            mfc="none",
            mec="0.3",
            ms=9,
            label="routes re-run for k epochs (--checkpoints)",
        )
    ax.plot(*init, marker="s", color="black", ms=7, ls="none", label=f"start b_0 = {_vec(init)}")
    ax.plot(
        *star,
        marker="*",
        color="tab:red",
        ms=16,
        ls="none",
        label=f"normal equation b* = ({star[0]:.4f}, {star[1]:.4f})",
    )
    ax.set(
        xlabel="b0 (intercept)",
        ylabel="b1 (slope)",
        title=f"Gradient descent over the loss contours (lr={report.lr:g})",
    )
    ax.legend(loc="lower left")

    ends = [np.linalg.norm(r.coef - star) for _, r in runs] + [np.linalg.norm(exact[-1] - star)]
    radius = 1.6 * max(*ends, 1e-300)
    near = np.linalg.norm(exact - star, axis=1) <= radius
    first = int(np.argmax(near))
    tail = exact[first:] - star
    zoom.plot(
        tail[:, 0],
        tail[:, 1],
        color="black",
        lw=1.5,
        label=f"exact path, k = {first}..{steps}",
    )
    zoom.plot(0, 0, marker="*", color="tab:red", ms=16, ls="none", label="b* (origin)")
    zoom.plot(
        *(exact[-1] - star),
        marker="+",
        color="black",
        ms=18,
        mew=1.5,
        ls="none",
        label=f"exact b_{steps}",
    )
    for j, (i, r) in enumerate(runs):
        style = _style(i, r)
        zoom.plot(
            *(r.coef - star),
            ls="none",
            marker=style["marker"],
            mfc="none",
            mec=style["color"],
            ms=13 - 0.8 * j,
            mew=1.2,
            label=f"{r.name} ({r.route.dtype})",
        )
    zoom.set(
        xlabel="b0 − b0*",
        ylabel="b1 − b1*",
        title="Zoom on the end: each route's answer relative to b*",
    )
    zoom.legend(ncols=2, fontsize=8.5, loc="lower left", markerscale=0.6)
    return _save(fig, path)


def _loss_grid(pb, b0: np.ndarray, b1: np.ndarray) -> np.ndarray:
    """L(b0, b1) = (y'y - 2 b'X'y + b'X'X b) / n on a grid, from the sufficient statistics."""
    g, m, yy = pb.gram, pb.moment, float(pb.y @ pb.y)
    quad = g[0, 0] * b0**2 + 2 * g[0, 1] * b0 * b1 + g[1, 1] * b1**2
    return (yy - 2 * (m[0] * b0 + m[1] * b1) + quad) / pb.n


def timing_figure(report: Report, path: Path) -> Path | None:
    """Per-route wall time of this run, log scale, coloured by precision and kind."""
    timed = [r for r in report.results if r.seconds is not None]
    if not timed:
        return None
    kinds = {
        (False, "float64"): ("closed form (float64)", "tab:green"),
        (True, "float64"): ("gradient descent, float64", "tab:blue"),
        (True, "float32"): ("gradient descent, float32", "tab:orange"),
        (False, "float32"): ("closed form (float32)", "tab:olive"),
    }
    fig = Figure(figsize=(10, 0.4 * len(timed) + 1.8), layout="constrained")
    ax = fig.add_subplot()
    names = [r.name for r in timed][::-1]
    secs = [r.seconds for r in timed][::-1]
    colours = [kinds[(r.route.iterative, r.route.dtype)][1] for r in timed][::-1]
    ax.barh(names, secs, color=colours)
    verdicts = [r.status for r in timed][::-1]
    for y, (s, verdict) in enumerate(zip(secs, verdicts, strict=True)):
        flag = "" if verdict == "pass" else f"  ({verdict})"
        ax.text(s * 1.08, y, f"{s:.3f} s{flag}", va="center", fontsize=9.5)
    ax.set_xscale("log")
    ax.set_xlim(min(secs) / 2, max(secs) * 5)
    used = {(r.route.iterative, r.route.dtype) for r in timed}
    ax.legend(
        handles=[
            Line2D([], [], color=c, lw=8, label=lbl)
            for key, (lbl, c) in kinds.items()
            if key in used
        ],
        loc="lower right",
    )
    where = "this process" if report.jobs == 1 else f"{report.jobs} worker processes"
    ax.set(
        xlabel="wall time of route.fit, seconds (log scale)",
        title=f"Time per route (n={report.problem.n}, {report.epochs} epochs, "
        f"first-call tracing included; {where})",
    )
    return _save(fig, path)


def _why_not(name: str, report: Report) -> str:
    """Why the picture ``name`` does not apply to this run."""
    ran = _ran(report)
    if not ran:
        return "no route produced coefficients"
    if name == "loss.png":
        if report.epochs == 0:
            return "--epochs 0: the gradient routes took no step, so there is no loss curve"
        return "no gradient route ran"
    if name == "path.png":
        if report.problem.p != 1:
            return (
                f"{report.problem.p} predictors: the path is drawn in the (b0, b1) plane, "
                "for one predictor only"
            )
        if report.epochs == 0:
            return "--epochs 0: the gradient routes took no step, so there is no path"
        return "no gradient route ran"
    return "no route ran"


def remove_stale(outdir: Path, keep: Iterable[str]) -> list[Path]:
    """Delete the report's pictures in ``outdir`` that this run did not write (an earlier
    run's); other files are never touched. Returns the paths removed."""
    keep = set(keep)
    removed = []
    for name in FIGURES:
        stale = outdir / name
        if name not in keep and stale.is_file():
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
                removed.append(stale)
    return removed


def write_figures(report: Report, outdir: Path) -> Drawn:
    """Write every picture that applies to ``outdir``, remove the others' stale copies, and
    say which were skipped and why."""
    outdir.mkdir(parents=True, exist_ok=True)
    drawn = Drawn()
    makers = (fit_figure, loss_figure, path_figure, timing_figure)
    with mpl.rc_context(_RC):
        for name, make in zip(FIGURES, makers, strict=True):
            written = make(report, outdir / name) if _ran(report) or name == "timing.png" else None
            if written is None:
                drawn.skipped[name] = _why_not(name, report)
            else:
                drawn.written.append(written)
    removed = remove_stale(outdir, keep=[p.name for p in drawn.written])
    for stale in removed:
        drawn.skipped[stale.name] += " (an earlier run's copy was removed)"
    return drawn
