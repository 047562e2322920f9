"""The report's pictures, drawn with matplotlib's object API on the Agg canvas.

``Figure`` objects are built directly (no ``pyplot``), so writing the report neither needs
a display nor changes the caller's pyplot backend or open figures.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .report import Report, RouteResult

__all__ = ["DPI", "write_figures"]

#: Small enough for committed PNGs (each well under 150 KB), sharp enough to read.
DPI = 90

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


def fit_figure(report: Report, path: Path) -> Path:
    """The data with the true line and every route's fitted line (one predictor), or
    observed against fitted values (several predictors)."""
    pb, star = report.problem, report.star
    ran = _ran(report)
    if pb.p > 1:
        fig = Figure(figsize=(6.5, 5), layout="constrained")
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
                ms=3,
                color=style["color"],
                alpha=0.6,
                label=r.name,
            )
        ax.set(
            xlabel="observed y",
            ylabel="fitted y = b0 + x·b",
            title=f"Observed against fitted, n={pb.n}, p={pb.p} predictors",
        )
        ax.legend(fontsize=7, ncols=2)
        return _save(fig, path)

    fig = Figure(figsize=(12, 4.8), layout="constrained")
    ax, diff = fig.subplots(1, 2)
    x = pb.x[:, 0]
    grid = np.linspace(x.min(), x.max(), 50)
    ax.scatter(x, pb.y, s=8, color="0.6", label=f"data (n={pb.n})")
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
        lw=4,
        alpha=0.35,
        label=f"normal equation b* = ({star[0]:.4f}, {star[1]:.4f})",
    )
    for i, r in ran:
        style = _style(i, r)
        ax.plot(
            grid, r.coef[0] + r.coef[1] * grid, color=style["color"], dashes=style["dashes"], lw=1
        )
    ax.plot([], [], color="0.3", lw=1, label="each route's line (colours as on the right)")
    ax.set(
        xlabel="x",
        ylabel="y",
        title="Data and every route's fitted line (they coincide at this scale)",
    )
    ax.legend(loc="upper left", fontsize=8)

    diff.axhline(0.0, color="tab:red", lw=4, alpha=0.35)
    for i, r in ran:
        style = _style(i, r)
        delta = (r.coef[0] - star[0]) + (r.coef[1] - star[1]) * grid
        diff.plot(
            grid,
            delta,
            color=style["color"],
            dashes=style["dashes"],
            lw=1.5,
            label=f"{r.name} ({r.route.dtype})",
        )
    diff.set(
        xlabel="x",
        ylabel="route's line − normal-equation line",
        title="The same lines minus the normal-equation line",
    )
    diff.legend(
        fontsize=7,
        ncols=2,
        loc="best",
        title="dotted: closed form, solid: float64 GD, dashed: float32 GD",
        title_fontsize=7,
    )
    return _save(fig, path)


def loss_figure(report: Report, path: Path) -> Path | None:
    """Loss against epoch for every iterative route that ran: the loss itself, and its
    excess over the minimum, which shows the geometric decay and each dtype's floor."""
    runs = [(i, r) for i, r in _ran(report) if r.loss_history is not None and len(r.loss_history)]
    if not runs:
        return None
    pb, star = report.problem, report.star
    resid = pb.y - pb.design @ star
    loss_star = float(resid @ resid / pb.n)
    steps = max(len(r.loss_history) for _, r in runs)
    exact = _exact_excess(report, steps)

    fig = Figure(figsize=(12, 4.8), layout="constrained")
    ax, ex = fig.subplots(1, 2)
    for i, r in runs:
        style = _style(i, r)
        epochs = np.arange(len(r.loss_history))
        label = f"{r.name} ({r.route.dtype})"
        ax.plot(
            epochs,
            r.loss_history,
            color=style["color"],
            dashes=style["dashes"],
            lw=1.2,
            label=label,
        )
        excess = np.asarray(r.loss_history, dtype=np.float64) - loss_star
        excess[excess <= 0] = np.nan  # rounding below the minimum: no point on a log scale
        ex.plot(epochs, excess, color=style["color"], dashes=style["dashes"], lw=1.2, label=label)
    ax.axhline(loss_star, color="black", lw=1, ls=":", label=f"minimum L(b*) = {loss_star:.6g}")
    ex.plot(
        np.arange(steps),
        exact,
        color="black",
        lw=2,
        alpha=0.5,
        label="exact GD in float64: L(b_k) − L(b*)",
    )
    ax.set(
        yscale="log",
        xlabel="epoch k (loss measured before step k+1)",
        ylabel="MSE loss L(b_k), log scale",
        title=f"Loss per epoch, lr={report.lr:g}, from b_0 = {_vec(report.init)}",
    )
    ex.set(
        yscale="log",
        xlabel="epoch k",
        ylabel="L(b_k) − L(b*), log scale",
        title="Excess loss: straight = geometric rate, flat = dtype floor",
    )
    ax.legend(fontsize=7, ncols=2)
    ex.legend(fontsize=7, ncols=2, loc="lower left")
    return _save(fig, path)


def _exact_excess(report: Report, steps: int) -> np.ndarray:
    """L(b_k) - L(b*) = e_k' (X'X/n) e_k for the exact iterates, k = 0..steps-1, in float64."""
    pb = report.problem
    _, v = pb.spectrum
    lam = pb.hessian_eigenvalues
    coords = v.T @ (report.init - report.star)
    factors = (1.0 - report.lr * lam)[None, :] ** np.arange(steps)[:, None]
    return ((factors * coords) ** 2 @ (lam / 2.0)).astype(np.float64)


def _vec(values) -> str:
    return "(" + ", ".join(f"{v:g}" for v in values) + ")"


def path_figure(report: Report, path: Path) -> Path | None:
    """(b0, b1) over the epochs for the gradient routes, over contours of the loss.

    The line is the exact gradient-descent path b_k (float64, closed form, every k); the
    markers are the routes' own coefficients at the checkpoints in ``RouteResult.path``.
    """
    runs = [(i, r) for i, r in _ran(report) if r.route.iterative and r.path]
    if report.problem.p != 1 or not runs:
        return None
    pb, star, init = report.problem, report.star, report.init
    steps = max(r.epochs for _, r in runs)
    exact = _exact_path(report, steps)

    fig = Figure(figsize=(12, 5.4), layout="constrained")
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
    ax.clabel(cs, cs.levels[::3], fmt="%.3g", fontsize=7)
    ax.plot(
        exact[:, 0],
        exact[:, 1],
        color="black",
        lw=1.5,
        label=f"exact GD path b_k, k = 0..{steps} (float64)",
    )
    ks = sorted({k for _, r in runs for k in r.path})
    for j, (i, r) in enumerate(runs):
        style = _style(i, r)
        pts = np.array([r.path[k] for k in sorted(r.path)])
        ax.plot(
            pts[:, 0],
            pts[:, 1],
            ls="none",
            marker=style["marker"],
            mfc="none",
            mec=style["color"],
            ms=13 - 0.8 * j,
            mew=1.2,
        )
    ax.plot(
        [],
        [],
        ls="none",
        marker="o",
        mfc="none",
        mec="0.3",
        ms=9,
        label="routes' own iterates (markers as on the right)",
    )
    for k in ks:
        if 0 < k < steps:
            ax.annotate(f"k={k}", exact[k], xytext=(6, -10), textcoords="offset points", fontsize=7)
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
    ax.legend(fontsize=7, loc="lower left")

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
    zoom.legend(fontsize=7, ncols=2, loc="lower left", markerscale=0.6)
    shown = ", ".join(str(k) for k in ks if 0 < k < steps)
    fig.text(
        0.01,
        0.005,
        f"Markers: each route re-run with epochs = {shown} and its full {steps}-epoch run "
        "(hollow, concentric where they agree). Line: exact iterates from "
        "fitters.reference (b* + (I − lr H)^k (b_0 − b*)).",
        fontsize=7.5,
        ha="left",
        va="bottom",
    )
    fig.get_layout_engine().set(h_pad=0.25)
    return _save(fig, path)


def _exact_path(report: Report, steps: int) -> np.ndarray:
    """Exact GD iterates b_k for k = 0..steps, (steps+1, p+1), float64."""
    pb = report.problem
    _, v = pb.spectrum
    factors = (1.0 - report.lr * pb.hessian_eigenvalues)[None, :] ** np.arange(steps + 1)[:, None]
    coords = v.T @ (report.init - report.star)
    return report.star + (factors * coords) @ v.T


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
    fig = Figure(figsize=(10, 0.35 * len(timed) + 1.6), layout="constrained")
    ax = fig.add_subplot()
    names = [r.name for r in timed][::-1]
    secs = [r.seconds for r in timed][::-1]
    colours = [kinds[(r.route.iterative, r.route.dtype)][1] for r in timed][::-1]
    ax.barh(names, secs, color=colours)
    verdicts = [r.status for r in timed][::-1]
    for y, (s, verdict) in enumerate(zip(secs, verdicts, strict=True)):
        flag = "" if verdict == "pass" else f"  ({verdict})"
        ax.text(s * 1.08, y, f"{s:.3f} s{flag}", va="center", fontsize=8)
    ax.set_xscale("log")
    ax.set_xlim(min(secs) / 2, max(secs) * 4)
    used = {(r.route.iterative, r.route.dtype) for r in timed}
    ax.legend(
        handles=[
            Line2D([], [], color=c, lw=8, label=lbl)
            for key, (lbl, c) in kinds.items()
            if key in used
        ],
        fontsize=8,
        loc="lower right",
    )
    ax.set(
        xlabel="wall time of route.fit, seconds (log scale)",
        title=f"Time per route, this run (n={report.problem.n}, {report.epochs} epochs, "
        "first-call tracing included)",
    )
    return _save(fig, path)


def write_figures(report: Report, outdir: Path) -> list[Path]:
    """Write every picture that applies to ``outdir``; return the paths written."""
    outdir.mkdir(parents=True, exist_ok=True)
    written = [
        fit_figure(report, outdir / "fit.png"),
        loss_figure(report, outdir / "loss.png"),
        path_figure(report, outdir / "path.png"),
        timing_figure(report, outdir / "timing.png"),
    ]
    return [p for p in written if p is not None]
