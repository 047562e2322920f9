"""``python -m fitters`` / ``fitters-report``: every route on one data set, judged and drawn.

The command checks everything it can before TensorFlow starts (options, the data file, the
output folder), so a usage error costs well under a second. Routes then run in worker
processes (``--jobs``; see :mod:`fitters.workers`) and each route's row is printed, and
flushed, as soon as it finishes, on a terminal or into a log; Ctrl-C keeps the rows printed
so far and exits 130. Progress goes to stderr: a rich display on a terminal, a plain line
every few seconds otherwise.

Exit status makes the command a CI gate: 0 when every selected route that applies to the
data lies within its derived bound, 1 when one does not (or diverges, or raises), 2 for bad
usage (unknown route, bad option value, malformed data file), 130 when interrupted.
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

import numpy as np

from .datafiles import DataFileError, Dataset, lecture_data, load_csv
from .quiet import LOGS_ENV, logs_shown
from .registry import ROUTES
from .report import CHECKPOINTS, Report, RouteResult, new_report, run_routes
from .validation import check_epochs, check_lr

__all__ = ["Progress", "TablePrinter", "build_parser", "main"]

VERDICTS = {"pass": "pass", "fail": "FAIL", "diverged": "DIVERGED", "error": "ERROR", "n/a": "n/a"}

#: Seconds between the plain progress lines written when stderr is not a terminal.
LOG_INTERVAL = 10.0

LEGEND = [
    "|b-b*|: distance to the normal-equation solution. |b-oracle|: distance to the route's",
    "oracle (b* for closed forms, the exact gradient-descent iterate b_k for gradient routes).",
    "bound: the derived allowance on |b-oracle| (fitters.tolerances.route_bound); pass when",
    "within it. Time: wall time of one route.fit, first-call tracing included.",
]


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class Progress:
    """Which routes are running, on stderr, while rows go to stdout.

    On a terminal: a rich progress display (a bar over the routes, one spinner and clock per
    running route), erased when done. Elsewhere (CI logs, pipes): a plain line every
    ``interval`` seconds naming the routes still running, so a log shows the run is alive.
    """

    def __init__(
        self,
        total: int,
        stream: TextIO | None = None,
        *,
        interactive: bool | None = None,
        interval: float = LOG_INTERVAL,
    ) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.interactive = _isatty(self.stream) if interactive is None else interactive
        self.total, self.done, self.interval = total, 0, interval
        self._running: dict[str, float] = {}
        self._start = time.perf_counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._rich = None
        if self.interactive:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import Progress as RichProgress

            self._rich = RichProgress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=self.stream),
                transient=True,
                # rows printed to a terminal stdout go above the display, not through it
                redirect_stdout=_isatty(sys.stdout),
                redirect_stderr=False,
            )
            self._rich.start()
            self._overall = self._rich.add_task("routes", total=total)
            self._tasks: dict[str, int] = {}

    def status(self, text: str) -> None:
        """Show what the run is doing besides routes (starting TensorFlow, drawing)."""
        if self._rich is not None:
            self._rich.update(self._overall, description=text)
        elif self.interactive is False and text:
            self._line(text)

    def started(self, name: str) -> None:
        with self._lock:
            self._running[name] = time.perf_counter()
        if self._rich is not None:
            self._rich.update(self._overall, description="routes")
            self._tasks[name] = self._rich.add_task(f"  {name}", total=None)
        elif self._thread is None:
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()

    def finished(self, result: RouteResult) -> None:
        with self._lock:
            self._running.pop(result.name, None)
            self.done += 1
        if self._rich is not None:
            task = self._tasks.pop(result.name, None)
            if task is not None:
                self._rich.remove_task(task)
            self._rich.advance(self._overall)

    def _tick(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                running = ", ".join(
                    f"{name} ({time.perf_counter() - t0:.0f} s)"
                    for name, t0 in self._running.items()
                )
                done = self.done
            if running:
                self._line(f"{done} of {self.total} routes done; running: {running}")

    def _line(self, text: str) -> None:
        elapsed = time.perf_counter() - self._start
        self.stream.write(f"[{elapsed:5.0f} s] {text}\n")
        self.stream.flush()

    def close(self) -> None:
        """Stop the display (or the periodic lines)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._rich is not None:
            self._rich.stop()
            self._rich = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


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


def _jobs(text: str) -> int:
    def positive(value: int) -> int:
        if value < 1:
            raise ValueError(f"jobs must be >= 1 (1: no worker processes), got {value}")
        return value

    return _argument(text, int, "an integer", positive)


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
    from .workers import default_jobs  # no TensorFlow: workers import it in their processes

    parser = argparse.ArgumentParser(
        prog=prog or "fitters-report",
        description=(
            "Fit linear regression by every TensorFlow/Keras route of the lecture, compare each "
            "with the normal equation and with its derived error bound, and draw the pictures. "
            "Exit status: 0 all within bounds, 1 otherwise, 2 bad usage, 130 interrupted. "
            "The public API and these options are documented in docs/api.md and docs/report.md "
            "of the project's repository, and in help(fitters)."
        ),
    )
    pick = parser.add_argument_group("which routes")
    pick.add_argument(
        "--routes",
        nargs="+",
        type=_route_names,
        metavar="NAME",
        help="routes to run (space- or comma-separated; default: all, in the contract's order)",
    )
    pick.add_argument(
        "--skip-slow",
        action="store_true",
        help="leave out the slow routes (the two Keras fit routes)",
    )
    pick.add_argument("--list-routes", action="store_true", help="list the routes and exit")
    settings = parser.add_argument_group("settings of the gradient routes")
    settings.add_argument("--epochs", type=_epochs, help="gradient steps (default 1000)")
    settings.add_argument("--lr", type=_lr, help="learning rate (default 0.1)")
    data = parser.add_argument_group("data (default: the lecture's 200 points)")
    data.add_argument(
        "--data",
        type=Path,
        metavar="FILE",
        help="a delimited text file (comma, semicolon, tab or whitespace, detected) with a "
        "header; columns x (or x1, x2, ...) and y unless --x/--y name others. Data bigger "
        "than memory: FILE.npy ((n, p+1), y last) or X.npy,Y.npy, streamed in chunks through "
        "the routes on sufficient statistics (compiled_core)",
    )
    data.add_argument(
        "--x",
        metavar="COL[,COL...]",
        help="predictor column(s) of --data, by header name or 1-based number",
    )
    data.add_argument("--y", metavar="COL", help="response column of --data (default y)")
    data.add_argument(
        "--dropna",
        action="store_true",
        help="drop rows with a missing value in a used column (and say how many)",
    )
    out = parser.add_argument_group("output")
    out.add_argument(
        "--json",
        action="store_true",
        help="print the report as JSON instead of the table",
    )
    out.add_argument(
        "--output",
        type=Path,
        default=Path("report"),
        metavar="DIR",
        help="folder for the pictures and report.json, holding only this run's files "
        "(default: report/)",
    )
    out.add_argument(
        "--no-plots",
        action="store_true",
        help="no pictures and no output folder (the table or --json is the whole report)",
    )
    out.add_argument(
        "--checkpoints",
        type=_checkpoints,
        default=(),
        metavar="K,K,...",
        help="also re-run each gradient route for K epochs to mark its own iterates on the "
        f"path picture (e.g. {','.join(map(str, CHECKPOINTS))}; costs extra fits; default none)",
    )
    run = parser.add_argument_group("running")
    run.add_argument(
        "--jobs",
        type=_jobs,
        default=default_jobs(),
        metavar="N",
        help=f"worker processes to fit routes in (default {default_jobs()} here: the usable "
        "cores, at most 2); 1 runs every route in this process",
    )
    run.add_argument(
        "--verbose",
        action="store_true",
        help=f"show TensorFlow's own log lines (hidden by default; or set {LOGS_ENV}=1)",
    )
    return parser


class TablePrinter:
    """The report as aligned plain text, a row at a time as routes finish.

    Column widths are fixed before the first route finishes (they cannot depend on rows
    still to come), so every row lines up with the header printed first.
    """

    def __init__(self, report: Report, names: Sequence[str], stream: TextIO | None = None):
        self.report = report
        self._stream = stream
        p = report.problem.p
        self.header = [
            "route",
            "form",
            "dtype",
            "epochs",
            *(f"b{j}" for j in range(p + 1)),
            "|b-b*|",
            "|b-oracle|",
            "bound",
            "verdict",
            "time [s]",
        ]
        fixed = {"route": max(len("route"), *map(len, names)), "form": 6, "dtype": 7}
        fixed.update({"epochs": 6, "verdict": 8, "time [s]": 8, "bound": 8})
        fixed.update({"|b-b*|": 8, "|b-oracle|": 10})
        self.widths = [fixed.get(h, 12) for h in self.header]
        self.numeric = {h for h in self.header if h not in ("route", "form", "dtype", "verdict")}

    def _line(self, cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if h in self.numeric else c.ljust(w)
            for c, w, h in zip(cells, self.widths, self.header, strict=True)
        ).rstrip()

    @property
    def stream(self) -> TextIO:
        """The stream given, else sys.stdout as it is now (rich redirects it while it draws)."""
        return sys.stdout if self._stream is None else self._stream

    def _write(self, lines: Sequence[str]) -> None:
        self.stream.write("".join(line + "\n" for line in lines))
        self.stream.flush()

    def start(self) -> None:
        """Data, settings, b* and the column header."""
        self._write(
            [
                *_preamble(self.report),
                "",
                self._line(self.header),
                self._line(["-" * w for w in self.widths]),
            ]
        )

    def row(self, result: RouteResult) -> None:
        self._write([self._line(_row(result, self.report.problem.p))])

    def finish(self, total: int) -> None:
        self._write(["", *_footer(self.report, total)])


def _preamble(report: Report) -> list[str]:
    star = ", ".join(repr(float(v)) for v in report.star)
    return [
        f"data: {report.data.describe()}",
        f"gradient routes: b_0 = ({', '.join(f'{v:g}' for v in report.init)}), "
        f"lr = {report.lr:g}, epochs = {report.epochs}",
        f"normal equation b* = ({star})",
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


def _footer(report: Report, total: int) -> list[str]:
    """Legend, notes, the verdict line and the pictures written or skipped."""
    p = report.problem.p
    out = list(LEGEND)
    if report.jobs > 1:
        out.append(f"Routes ran in {report.jobs} worker processes, in the order rows appear.")
    notes = [r for r in report.results if r.note and r.status != "n/a"]
    if notes:
        out += ["", "notes:", *(f"  {r.name}: {r.note.removeprefix(r.name + ': ')}" for r in notes)]
    applicable = [r for r in report.results if r.status != "n/a"]
    passed = sum(r.status == "pass" for r in applicable)
    skipped = len(report.results) - len(applicable)
    summary = f"{passed} of {len(applicable)} routes within their bounds"
    if skipped:
        summary += f" ({skipped} not applicable to p={p}: one-predictor routes)"
    if report.interrupted:
        out += [
            "",
            f"interrupted: {len(report.results)} of {total} routes finished (rows above); "
            f"{summary}; exit status 130.",
        ]
        return out
    out += ["", f"{summary}; routes took {report.seconds:.1f} s; exit status {report.exit_status}."]
    if report.figures:
        out.append("pictures: " + ", ".join(str(f) for f in report.figures))
    for name, reason in report.skipped_figures.items():
        out.append(f"skipped {name}: {reason}")
    return out


def _list_routes() -> str:
    width = max(map(len, ROUTES))
    lines = [f"{'route':<{width}}  form    dtype    kind         predictors  slow"]
    for name, r in ROUTES.items():
        kind = "gradient" if r.iterative else "closed form"
        preds = "any" if r.max_predictors is None else str(r.max_predictors)
        slow = "yes" if r.slow else ""
        lines.append(f"{name:<{width}}  {r.form:<6}  {r.dtype:<7}  {kind:<11}  {preds:<10}  {slow}")
    return "\n".join(lines)


def _error(prog: str, message: str) -> int:
    print(f"{prog}: error: {message}", file=sys.stderr)
    return 2


def _load_data(args: argparse.Namespace) -> Dataset | None:
    """The user's data file, read and checked; None for the lecture's data (drawn later,
    with TensorFlow). Raises DataFileError or ValueError for data that cannot be used."""
    if args.data is None:
        if args.x is not None or args.y is not None or args.dropna:
            raise DataFileError("--x, --y and --dropna apply to a --data file")
        return None
    data = load_csv(args.data, x=args.x, y=args.y, dropna=args.dropna)
    new_report(data)  # validation (constant column, too few rows...) before TensorFlow
    return data


def _streamed_source(data: Path | None):
    """``FILE.npy`` or ``X.npy,Y.npy``: the path (or pair) to stream; None for anything else."""
    if data is None:
        return None
    parts = str(data).split(",")
    if len(parts) == 2 and all(part.lower().endswith(".npy") for part in parts):
        return tuple(parts)
    if len(parts) == 1 and str(data).lower().endswith(".npy"):
        return str(data)
    return None


def _run_streamed(args: argparse.Namespace, prog: str, path, selected: list[str]) -> int:
    """Data bigger than memory: one streamed pass for the moments, then the routes that need
    nothing else (sufficient statistics); the others are listed as not applicable. Bounds
    need the rows, so the rows report the fit and its distance to the normal equation
    (``tests/test_scale.py`` checks streamed fits against in-memory ones within the bound)."""
    if args.x is not None or args.y is not None or args.dropna:
        return _error(prog, "--x, --y and --dropna apply to a delimited --data file, not .npy")
    from . import reference, sources
    from .core import DivergenceError
    from .validation import check_epochs, check_init, check_lr, problem

    try:
        source = sources.open_data(path, progress=True)
        pb = problem(source, None, route="data")
    except ValueError as exc:
        return _error(prog, f"{args.data}: {exc}")
    init = check_init(None, pb.p)
    lr, epochs = check_lr(args.lr), check_epochs(args.epochs)
    star = reference.normal_equation(pb)
    print(f"data: {args.data} (n={pb.n}, p={pb.p}, streamed)", flush=True)
    print(f"normal equation b* = ({', '.join(repr(float(v)) for v in star)})", flush=True)
    status = 0
    for name in selected:
        route = ROUTES[name]
        if not route.sufficient_statistics:
            print(
                f"{name:24} n/a: holds X = [1 x] as a tensor; streamed data need "
                "sufficient statistics",
                flush=True,
            )
            continue
        try:
            fit = route.fit_problem(pb, init=init, lr=lr, epochs=epochs)
        except DivergenceError as exc:
            print(f"{name:24} DIVERGED: {exc}", flush=True)
            status = 1
            continue
        coefs = ", ".join(f"{c:.10g}" for c in fit.coef)
        gap = float(np.linalg.norm(fit.coef - star))
        print(f"{name:24} epochs={fit.epochs} b=({coefs}) |b-b*|={gap:.2e}", flush=True)
    return status


def _selected(args: argparse.Namespace) -> list[str]:
    selected = list(ROUTES)
    if args.routes:
        chosen = {name for group in args.routes for name in group}
        selected = [name for name in ROUTES if name in chosen]
    if args.skip_slow:
        selected = [name for name in selected if not ROUTES[name].slow]
    return selected


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """Run the report; return the exit status (0 pass, 1 a route outside its bound, 2 usage,
    130 interrupted)."""
    parser = build_parser(prog)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse's usage errors (2) and --help (0)
        return exc.code if isinstance(exc.code, int) else 2
    if args.verbose:  # read at TensorFlow's import, here and in the workers
        with logs_shown():
            return _main(args, parser.prog)
    return _main(args, parser.prog)


def _main(args: argparse.Namespace, prog: str) -> int:
    if args.list_routes:
        print(_list_routes())
        return 0
    selected = _selected(args)
    if not selected:
        return _error(prog, "--skip-slow left no route to run; choose routes with --routes")
    streamed = _streamed_source(args.data)
    if streamed is not None:
        return _run_streamed(args, prog, streamed, selected)
    try:
        data = _load_data(args)
    except DataFileError as exc:  # names the file and line already
        return _error(prog, str(exc))
    except ValueError as exc:  # the data read but cannot be fitted (constant x, ...)
        return _error(prog, f"{args.data}: {exc}")
    p = 1 if data is None else data.x.shape[1]
    if all(ROUTES[n].max_predictors is not None and p > ROUTES[n].max_predictors for n in selected):
        return _error(
            prog,
            f"none of the selected routes fits p={p} predictors; "
            "choose vector routes (see --list-routes)",
        )
    if not args.no_plots:
        try:
            args.output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return _error(prog, f"cannot create the output folder {args.output}: {exc}")
    return _run(args, data, selected)


def _run(args: argparse.Namespace, data: Dataset | None, selected: list[str]) -> int:
    """Fit (streaming each row), then draw and write; Ctrl-C keeps what finished."""
    from .workers import Workers

    jobs = min(args.jobs, len(selected))
    workers = Workers(jobs, data) if jobs > 1 else None
    report: Report | None = None
    printer: TablePrinter | None = None
    try:
        with Progress(len(selected)) as progress:
            progress.status("starting TensorFlow")
            if data is None:
                data = workers.dataset() if workers is not None else lecture_data()
            report = new_report(data, lr=args.lr, epochs=args.epochs)
            if not args.json:
                printer = TablePrinter(report, selected)
                printer.start()
            for result in run_routes(
                report,
                selected,
                checkpoints=args.checkpoints,
                workers=workers,
                on_start=progress.started,
            ):
                progress.finished(result)
                if printer is not None:
                    printer.row(result)
            if workers is not None:
                workers.close()
                workers = None
            if not args.no_plots:
                progress.status("drawing pictures")
                from .plots import write_figures  # matplotlib only when pictures are wanted

                drawn = write_figures(report, args.output)
                report.figures, report.skipped_figures = drawn.written, drawn.skipped
    except KeyboardInterrupt:
        if report is None:
            print("interrupted before any route ran", file=sys.stderr)
            return 130
        report.interrupted = True
        if not args.no_plots:
            from .plots import remove_stale  # the pictures of an earlier run are not this run's

            remove_stale(args.output, keep=())
    finally:
        if workers is not None:
            workers.terminate()
    _finish(args, report, printer, len(selected))
    return 130 if report.interrupted else report.exit_status


def _finish(
    args: argparse.Namespace, report: Report, printer: TablePrinter | None, total: int
) -> None:
    document = report.to_dict()
    if not args.no_plots:
        (args.output / "report.json").write_text(json.dumps(document, indent=2) + "\n")
    if printer is not None:
        printer.finish(total)
    else:
        print(json.dumps(document, indent=2), flush=True)
