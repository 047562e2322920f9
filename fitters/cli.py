"""``python -m fitters`` / ``fitters-report``: every route on one data set, judged and drawn.

Exit status makes the command a CI gate: 0 when every selected route that applies to the
data lies within its derived bound, 1 when one does not (or diverges, or raises), 2 for bad
usage (unknown route, bad option value, malformed data file).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .registry import ROUTES
from .report import (
    CHECKPOINTS,
    DataFileError,
    Dataset,
    Report,
    RouteResult,
    checkpoint_path,
    lecture_data,
    load_csv,
    run_report,
)
from .validation import check_epochs, check_lr, problem

__all__ = ["Progress", "build_parser", "format_table", "main"]

VERDICTS = {"pass": "pass", "fail": "FAIL", "diverged": "DIVERGED", "error": "ERROR", "n/a": "n/a"}


class Progress:
    """A one-line ticker on stderr (label and elapsed seconds) while a route runs.

    Enabled only when the stream is a terminal, so logs, pipes and CI output stay clean. A
    background thread redraws the line, because a Keras fit gives no control back for seconds.
    """

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.enabled = _isatty(self.stream) if enabled is None else enabled
        self._label = ""
        self._start = 0.0
        self._width = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def update(self, label: str) -> None:
        """Show ``label`` and restart the elapsed-time counter."""
        if not self.enabled:
            return
        with self._lock:
            self._label, self._start = label, time.perf_counter()
        if self._thread is None:
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()
        self._draw()

    def _tick(self) -> None:
        while not self._stop.wait(0.2):
            self._draw()

    def _draw(self) -> None:
        with self._lock:
            text = f"{self._label}  {time.perf_counter() - self._start:5.1f} s"
            pad = max(self._width - len(text), 0)
            self.stream.write("\r" + text + " " * pad)
            self.stream.flush()
            self._width = len(text)

    def close(self) -> None:
        """Stop the ticker and erase its line."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _route_names(text: str) -> list[str]:
    """argparse type: comma-separated route names, each checked against ROUTES."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("empty route list")
    for name in names:
        if name not in ROUTES:
            close = difflib.get_close_matches(name, ROUTES, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise argparse.ArgumentTypeError(
                f"unknown route {name!r}{hint} (choose from {', '.join(ROUTES)}; see --list-routes)"
            )
    return names


def _argument(text: str, parse, kind: str, check):
    """Parse a command-line value, then apply the rule every route applies (validation)."""
    try:
        value = parse(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {kind}") from None
    try:
        return check(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _epochs(text: str) -> int:
    return _argument(text, int, "an integer", check_epochs)


def _lr(text: str) -> float:
    return _argument(text, float, "a number", check_lr)


def _checkpoints(text: str) -> tuple[int, ...]:
    if text.strip().lower() == "none":
        return ()
    try:
        ks = tuple(sorted({_epochs(k.strip()) for k in text.split(",") if k.strip()}))
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"checkpoints: {exc}") from None
    return ks


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The command's options; defaults are the lecture's (its data, lr 0.1, 1000 epochs)."""
    parser = argparse.ArgumentParser(
        prog=prog or "fitters-report",
        description=(
            "Fit linear regression by every TensorFlow/Keras route of the lecture, compare each "
            "with the normal equation and with its derived error bound, and draw the pictures. "
            "Exit status: 0 all within bounds, 1 otherwise, 2 bad usage."
        ),
    )
    parser.add_argument(
        "--routes",
        nargs="+",
        type=_route_names,
        metavar="NAME",
        help="routes to run (space- or comma-separated; default: all, in the contract's order)",
    )
    parser.add_argument("--epochs", type=_epochs, help="gradient steps (default 1000)")
    parser.add_argument("--lr", type=_lr, help="learning rate (default 0.1)")
    parser.add_argument(
        "--data",
        type=Path,
        metavar="FILE",
        help="CSV with a header naming x (or x1, x2, ...) and y (default: the lecture's data)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the report as JSON instead of the table",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("report"),
        metavar="DIR",
        help="folder for the pictures and report.json (default: report/)",
    )
    parser.add_argument("--no-plots", action="store_true", help="skip the pictures")
    parser.add_argument(
        "--checkpoints",
        type=_checkpoints,
        default=CHECKPOINTS,
        metavar="K,K,...",
        help="epoch counts at which the path picture re-runs each gradient route "
        f"(default {','.join(map(str, CHECKPOINTS))}; 'none' to skip the re-runs)",
    )
    parser.add_argument(
        "--list-routes",
        action="store_true",
        help="list the routes and exit",
    )
    return parser


def _columns(report: Report) -> list[str]:
    coefs = [f"b{j}" for j in range(report.problem.p + 1)]
    return [
        "route",
        "form",
        "dtype",
        "epochs",
        *coefs,
        "|b-b*|",
        "|b-oracle|",
        "bound",
        "verdict",
        "time [s]",
    ]


def _row(result: RouteResult, p: int) -> list[str]:
    r = result.route
    blank = ["-"] * (p + 1)
    coefs = blank if result.coef is None else [f"{c:.10g}" for c in result.coef]

    def sci(value):
        return "-" if value is None else f"{value:.2e}"

    return [
        r.name,
        r.form,
        r.dtype,
        "-" if result.epochs is None else str(result.epochs),
        *coefs,
        sci(result.error_ne),
        sci(result.error_oracle),
        sci(result.bound),
        VERDICTS[result.status],
        "-" if result.seconds is None else f"{result.seconds:.3f}",
    ]


def format_table(report: Report) -> str:
    """The report as aligned plain text: header, one row per route, legend and summary."""
    p = report.problem.p
    header = _columns(report)
    rows = [_row(r, p) for r in report.results]
    numeric = {h for h in header if h not in ("route", "form", "dtype", "verdict")}
    widths = [max(len(h), *(len(row[j]) for row in rows)) for j, h in enumerate(header)]

    def line(cells):
        return "  ".join(
            c.rjust(w) if h in numeric else c.ljust(w)
            for c, w, h in zip(cells, widths, header, strict=True)
        ).rstrip()

    star = ", ".join(repr(float(v)) for v in report.star)
    out = [
        f"data: {report.data.source} (n={report.problem.n}, p={p})",
        f"gradient routes: b_0 = ({', '.join(f'{v:g}' for v in report.init)}), "
        f"lr = {report.lr:g}, epochs = {report.epochs}",
        f"normal equation b* = ({star})",
        "",
        line(header),
        line(["-" * w for w in widths]),
        *(line(row) for row in rows),
        "",
        "|b-b*|: distance to the normal-equation solution. |b-oracle|: distance to the route's",
        "oracle (b* for closed forms, the exact gradient-descent iterate b_k for gradient routes).",
        "bound: the derived allowance on |b-oracle| (fitters.tolerances.route_bound); pass when",
        "within it. Time: wall time of one route.fit, first-call tracing included.",
    ]
    notes = [r for r in report.results if r.note and r.status != "n/a"]
    if notes:
        out += ["", "notes:", *(f"  {r.name}: {r.note.removeprefix(r.name + ': ')}" for r in notes)]
    applicable = [r for r in report.results if r.status != "n/a"]
    passed = sum(r.status == "pass" for r in applicable)
    skipped = len(report.results) - len(applicable)
    summary = f"{passed} of {len(applicable)} routes within their bounds"
    if skipped:
        summary += f" ({skipped} not applicable to p={p}: one-predictor routes)"
    out += ["", f"{summary}; routes took {report.seconds:.1f} s; exit status {report.exit_status}."]
    if report.figures:
        out.append("pictures: " + ", ".join(str(f) for f in report.figures))
    return "\n".join(out)


def _list_routes() -> str:
    width = max(map(len, ROUTES))
    lines = [f"{'route':<{width}}  form    dtype    kind         predictors"]
    for name, r in ROUTES.items():
        kind = "gradient" if r.iterative else "closed form"
        preds = "any" if r.max_predictors is None else str(r.max_predictors)
        lines.append(f"{name:<{width}}  {r.form:<6}  {r.dtype:<7}  {kind:<11}  {preds}")
    return "\n".join(lines)


def _error(prog: str, message: str) -> int:
    print(f"{prog}: error: {message}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """Run the report; return the exit status (0 pass, 1 a route outside its bound, 2 usage)."""
    parser = build_parser(prog)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse's usage errors (2) and --help (0)
        return exc.code if isinstance(exc.code, int) else 2
    prog = parser.prog
    if args.list_routes:
        print(_list_routes())
        return 0
    selected = list(ROUTES)
    if args.routes:
        chosen = {name for group in args.routes for name in group}
        selected = [name for name in ROUTES if name in chosen]

    try:
        data = load_csv(args.data) if args.data is not None else lecture_data()
        pb = problem(data.x, data.y, route="data")
    except DataFileError as exc:  # names the file and line already
        return _error(prog, str(exc))
    except ValueError as exc:  # the data read but cannot be fitted (constant x, ...)
        source = args.data if args.data is not None else "fitters.lecture_dataset()"
        return _error(prog, f"{source}: {exc}")
    if all(
        ROUTES[n].max_predictors is not None and pb.p > ROUTES[n].max_predictors for n in selected
    ):
        return _error(
            prog,
            f"none of the selected routes fits p={pb.p} predictors; "
            "choose vector routes (see --list-routes)",
        )

    try:
        args.output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return _error(prog, f"cannot create the output folder {args.output}: {exc}")

    try:
        report = _run(args, data, selected)
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    document = report.to_dict()
    (args.output / "report.json").write_text(json.dumps(document, indent=2) + "\n")
    if args.json:
        print(json.dumps(document, indent=2))
    else:
        print(format_table(report))
    return report.exit_status


def _run(args: argparse.Namespace, data: Dataset, selected: list[str]) -> Report:
    """Fit, re-run the path checkpoints and draw, with the ticker on a terminal."""
    with Progress() as progress:
        n = len(selected)
        report = run_report(
            data,
            selected,
            lr=args.lr,
            epochs=args.epochs,
            on_start=lambda i, name: progress.update(f"[{i + 1}/{n}] {name}"),
        )
        if not args.no_plots:
            pb = report.problem
            if pb.p == 1:
                for r in report.results:
                    if r.route.iterative and r.coef is not None:
                        progress.update(f"path checkpoints: {r.name}")
                        r.path = checkpoint_path(r, pb, report.init, report.lr, args.checkpoints)
            progress.update("drawing pictures")
            from .plots import write_figures  # matplotlib only when pictures are wanted

            report.figures = write_figures(report, args.output)
    return report
