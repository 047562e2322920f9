"""``python -m fitters compare OLD.json NEW.json``: what drifted between two runs of the routes.

Reads both kinds of result file: a compatibility probe's (``tools/compat_probe.py``, the files
in ``compat/results/``) and the report's (``python -m fitters --json``). Per route it sets side
by side:

- the coefficient change ``||b_new - b_old||`` against the route's derived bound: the larger
  of the bounds the two files recorded, so a file written before the bounds were tightened
  is judged by its own, looser allowance rather than failing on a bound it never promised;
- the outcome, ordered course numbers reproduced -> within bound -> outside bound -> error,
  plus not available (a report file records no reproduction, so against one the first two
  are merged);
- the cost ratio NEW / OLD, each side divided first by the reference computation
  (:func:`reference_seconds`) its run timed in the same process (beside the route's own
  timing where the file has it, else once for the file), so two machines or two loads compare
  fairly. A file without a reference timing makes cost "not comparable", not an error.

Exit status: 0 when no route moved beyond its bound, became worse than within bound, lost
availability or disappeared, and no cost grew beyond ``--threshold``; 1 otherwise; 2 for bad
input (unreadable file, unknown format, runs of different problems). TensorFlow is never
imported: the report compares files, it fits nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "DEFAULT_THRESHOLD",
    "REFERENCE",
    "BadInput",
    "Drift",
    "Run",
    "compare",
    "cost_comparable",
    "format_markdown",
    "format_text",
    "load",
    "main",
    "parse",
    "reference_seconds",
]

#: What the reference computation is; result files store its time beside their costs.
REFERENCE = "NumPy float64 gradient descent: 1000 steps on 200 points, one predictor"

#: Cost growth (normalized NEW / OLD) above which a route counts as drifted. A probe's
#: per-epoch costs repeat within about +-20% on one machine (docs/compat.md) and the
#: normalization leaves some load dependence, so 1.5 flags real slow-downs, not noise.
DEFAULT_THRESHOLD = 1.5

#: Outcomes, best first. "reproduced" needs a file that records reproduction (a probe's).
OUTCOMES = ("reproduced", "within_bound", "outside_bound", "error", "not_available")
SHORT = {
    "reproduced": "reproduced",
    "within_bound": "in bound",
    "outside_bound": "OUT of bound",
    "error": "error",
    "not_available": "n/a",
    None: "missing",
}
FAILED = ("outside_bound", "error")

#: Costs below these are timer noise and scheduling, not the route (a probe's per-epoch cost
#: is a difference of two fits lasting >= 1.5 s; a report's is one whole fit).
COST_FLOOR = {"ms per epoch": 0.01, "s per fit": 0.05}


class BadInput(ValueError):
    """A result file that cannot be compared; the message says which and why."""


def reference_seconds(runs: int = 7) -> float:
    """Median wall time of the reference computation: 1000 full-batch GD steps in NumPy on a
    fixed 200-point problem. Like the eager routes it is dominated by per-step dispatch, so a
    route's time divided by it is nearly independent of the machine's speed and load."""
    x = np.linspace(0.0, 1.0, 200)
    X = np.c_[np.ones_like(x), x]
    Y = (2.5 + 4.0 * x + 0.5 * np.cos(37.0 * x))[:, None]
    times = []
    for _ in range(runs):
        b = np.array([[-5.0], [10.0]])
        start = time.perf_counter()
        for _ in range(1000):
            b = b - 0.1 * (-2 * X.T @ Y + 2 * X.T @ X @ b) / len(x)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@dataclass(frozen=True)
class RouteRun:
    """One route in one file: outcome, coefficients, the bound recorded, cost, and why."""

    status: str
    coef: tuple[float, ...] | None = None
    bound: float | None = None
    cost: float | None = None
    detail: str = ""
    reference: float | None = None  # timed beside this route's cost; else the file's


@dataclass(frozen=True)
class Run:
    """One result file, read into the shape both kinds share."""

    path: str
    kind: str  # "probe" or "report"
    label: str
    problem: dict
    reference: float | None
    cost_unit: str
    knows_reproduction: bool
    routes: dict[str, RouteRun]


@dataclass
class Drift:
    """One route's comparison; ``reasons`` is empty when nothing drifted."""

    route: str
    old: str | None
    new: str | None
    change: float | None = None
    bound: float | None = None
    cost_ratio: float | None = None
    cost_note: str = ""
    notes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def drifted(self) -> bool:
        return bool(self.reasons)


# --- reading the two kinds of file -----------------------------------------------------------

#: The problem a probe runs (tools/compat_probe.py), for probe files written before it was
#: recorded in them.
LECTURE_PROBLEM = {
    "data": "fitters.lecture_dataset()",
    "n": 200,
    "p": 1,
    "init": [-5.0, 10.0],
    "lr": 0.1,
    "epochs": 1000,
}


def _number(value, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadInput(f"{where}: expected a number, got {value!r}")
    return float(value)


def _coef(value, where: str) -> tuple[float, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        raise BadInput(f"{where}: 'coef' must be a list of numbers, got {value!r}")
    return tuple(_number(v, f"{where} coef") for v in value)


def _reference(data: dict, where: str) -> float | None:
    reference = data.get("reference")
    if reference is None:
        return None
    seconds = _number(reference.get("seconds") if isinstance(reference, dict) else reference, where)
    return seconds if seconds is not None and seconds > 0 else None


def _probe_route(name: str, entry, where: str) -> RouteRun:
    if not isinstance(entry, dict) or entry.get("status") not in OUTCOMES:
        raise BadInput(f"{where}: route {name!r} has no known status ({', '.join(OUTCOMES)})")
    status = entry["status"]
    detail = ""
    if status == "error":
        error = entry.get("error") or {}
        detail = f"{error.get('type', '?')}: {error.get('message', '')}".strip()
    elif status == "not_available":
        detail = str(entry.get("reason", ""))
    return RouteRun(
        status,
        _coef(entry.get("coef"), f"{where} route {name!r}"),
        _number(entry.get("bound_atol"), f"{where} route {name!r} bound_atol"),
        _number(entry.get("ms_per_epoch"), f"{where} route {name!r} ms_per_epoch"),
        detail,
        _number(entry.get("reference_seconds"), f"{where} route {name!r} reference_seconds"),
    )


def _load_probe(path: str, data: dict) -> Run:
    routes = data["routes"]
    if not isinstance(routes, dict):
        raise BadInput(f"{path}: 'routes' must map route names to results")
    versions = data.get("versions") or {}
    label = f"probe: TF {versions.get('tensorflow') or data.get('tf', '?')}"
    if data.get("nightly"):
        label += f" (nightly {data['nightly']})"
    if data.get("variant"):
        label += f", {data['variant']}"
    label += f", Python {versions.get('python', '?')}"
    return Run(
        path,
        "probe",
        label,
        dict(data.get("problem") or LECTURE_PROBLEM),
        _reference(data, path),
        "ms per epoch",
        True,
        {name: _probe_route(name, entry, path) for name, entry in routes.items()},
    )


REPORT_STATUS = {
    "pass": "within_bound",
    "fail": "outside_bound",
    "diverged": "error",
    "error": "error",
    "n/a": "not_available",
}


def _load_report(path: str, data: dict) -> Run:
    routes: dict[str, RouteRun] = {}
    for i, entry in enumerate(data["routes"]):
        if not isinstance(entry, dict) or entry.get("status") not in REPORT_STATUS:
            raise BadInput(f"{path}: routes[{i}] has no known status ({', '.join(REPORT_STATUS)})")
        name = str(entry.get("route"))
        where = f"{path} route {name!r}"
        status = REPORT_STATUS[entry["status"]]
        routes[name] = RouteRun(
            status,
            _coef(entry.get("coef"), where),
            _number(entry.get("bound"), f"{where} bound"),
            _number(entry.get("seconds"), f"{where} seconds") if status != "error" else None,
            str(entry.get("note") or "") if status in ("error", "not_available") else "",
        )
    source = data.get("data") or {}
    settings = data.get("settings") or {}
    problem = {
        "data": source.get("source"),
        "n": source.get("n"),
        "p": source.get("p"),
        "init": settings.get("init"),
        "lr": settings.get("lr"),
        "epochs": settings.get("epochs"),
    }
    return Run(
        path,
        "report",
        f"report: {problem['data']} (n={problem['n']}, p={problem['p']})",
        problem,
        _reference(data, path),
        "s per fit",
        False,
        routes,
    )


def load(path: str | Path) -> Run:
    """Read a probe or report result file; raise :class:`BadInput` saying what is wrong."""
    path = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: cannot read it ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path}: not JSON ({exc})") from None
    return parse(data, path)


def parse(data, path: str) -> Run:
    """A result file's parsed JSON as a :class:`Run`; ``path`` names it in messages."""
    if isinstance(data, dict) and isinstance(data.get("routes"), dict):
        return _load_probe(path, data)
    if isinstance(data, dict) and isinstance(data.get("routes"), list):
        return _load_report(path, data)
    raise BadInput(
        f"{path}: not a result file; expected what tools/compat_probe.py writes "
        "(compat/results/*.json) or what `python -m fitters --json` writes"
    )


# --- comparing -------------------------------------------------------------------------------


def _same_problem(old: Run, new: Run) -> None:
    differ = [k for k in old.problem if old.problem.get(k) != new.problem.get(k)]
    if differ:
        shown = "; ".join(f"{k}: {old.problem.get(k)!r} vs {new.problem.get(k)!r}" for k in differ)
        raise BadInput(
            f"{old.path} and {new.path} ran different problems ({shown}); compare two runs "
            "of the same data and settings"
        )


def _outcome(run: Run, other: Run, route: RouteRun | None) -> str | None:
    if route is None:
        return None
    if route.status == "reproduced" and not other.knows_reproduction:
        return "within_bound"  # the other file cannot say; compare like with like
    return route.status


def cost_comparable(old: Run, new: Run) -> str | None:
    """Why the two files' costs cannot be set on one scale, or None when they can."""
    reasons = []
    missing = [run.path for run in (old, new) if run.reference is None]
    if missing:
        reasons.append(f"no reference timing in {' and '.join(missing)}")
    if old.cost_unit != new.cost_unit:
        reasons.append(f"{old.cost_unit} in {old.path}, {new.cost_unit} in {new.path}")
    return "not comparable: " + "; ".join(reasons) if reasons else None


def _cost(old: Run, new: Run, a: RouteRun, b: RouteRun) -> tuple[float | None, str]:
    if a.cost is None or b.cost is None or cost_comparable(old, new) is not None:
        return None, ""
    floor = COST_FLOOR[old.cost_unit]
    if min(a.cost, b.cost) < floor:
        return None, f"below {floor:g} {old.cost_unit}: timer noise, not compared"
    ref_a, ref_b = a.reference or old.reference, b.reference or new.reference
    return (b.cost / ref_b) / (a.cost / ref_a), ""


def _compare_route(name: str, old: Run, new: Run, threshold: float) -> Drift:
    a, b = old.routes.get(name), new.routes.get(name)
    drift = Drift(name, _outcome(old, new, a), _outcome(new, old, b))
    if b is None:
        drift.reasons.append(f"missing from {new.path}")
        return drift
    if a is None:
        drift.notes.append(f"new in {new.path}")
    for side, run in (("OLD", a), ("NEW", b)):
        if run is not None and run.detail:
            drift.notes.append(f"{side} {SHORT[run.status]}: {run.detail}")
    if a is not None and a.status != "not_available" and b.status == "not_available":
        drift.reasons.append("no longer available")
    if b.status in FAILED and (a is None or a.status != b.status):
        drift.reasons.append(f"now {SHORT[b.status]}")
    if a is not None and a.coef is not None and b.coef is not None:
        if len(a.coef) != len(b.coef):
            drift.reasons.append(f"{len(a.coef)} coefficients before, {len(b.coef)} now")
        else:
            drift.change = float(np.linalg.norm(np.subtract(b.coef, a.coef)))
            bounds = [x for x in (a.bound, b.bound) if x is not None]
            drift.bound = max(bounds) if bounds else None
            if drift.bound is not None and not drift.change <= drift.bound:
                drift.reasons.append(f"moved {drift.change:.2g} > bound {drift.bound:.2g}")
    if a is not None:
        drift.cost_ratio, drift.cost_note = _cost(old, new, a, b)
        if drift.cost_ratio is not None and drift.cost_ratio > threshold:
            drift.reasons.append(f"cost x{drift.cost_ratio:.2g} > x{threshold:g}")
    if (drift.old, drift.new) == ("reproduced", "within_bound"):
        drift.notes.append("course numbers no longer reproduced (still within the bound)")
    return drift


def compare(
    old: Run, new: Run, threshold: float = DEFAULT_THRESHOLD, routes: Sequence[str] | None = None
) -> list[Drift]:
    """One :class:`Drift` per route of OLD (then the routes new in NEW), in file order.

    ``routes`` limits the comparison to those names (e.g. a run that probed only some).
    Raises :class:`BadInput` when the two runs are of different problems or a named route is
    in neither file.
    """
    _same_problem(old, new)
    names = list(old.routes) + [n for n in new.routes if n not in old.routes]
    if routes is not None:
        unknown = [n for n in routes if n not in names]
        if unknown:
            raise BadInput(
                f"route(s) {', '.join(unknown)} in neither file; the files have {', '.join(names)}"
            )
        names = [n for n in names if n in routes]
    return [_compare_route(name, old, new, threshold) for name in names]


# --- output ----------------------------------------------------------------------------------


def _sci(value: float | None) -> str:
    return "–" if value is None else f"{value:.1e}"


def _ratio(drift: Drift) -> str:
    return "–" if drift.cost_ratio is None else f"{drift.cost_ratio:.2g}x"


def _cells(drift: Drift) -> list[str]:
    return [
        drift.route,
        SHORT[drift.old] if drift.old == drift.new else f"{SHORT[drift.old]} -> {SHORT[drift.new]}",
        _sci(drift.change),
        _sci(drift.bound),
        _ratio(drift),
        "DRIFT" if drift.drifted else "ok",
    ]


HEADER = ["route", "outcome (OLD -> NEW)", "|db|", "bound", "cost", "verdict"]


def _preamble(old: Run, new: Run, threshold: float) -> list[str]:
    def ref(run: Run) -> str:
        if run.reference is None:
            return "no reference timing"
        return f"reference {run.reference * 1e3:.3g} ms"

    why_not = cost_comparable(old, new)
    cost = (
        f"cost: ({new.cost_unit} / reference) NEW over OLD; drift above x{threshold:g}."
        if why_not is None
        else f"cost: {why_not}; only outcomes and coefficients are compared."
    )
    return [
        f"OLD {old.path}: {old.label}; {ref(old)}",
        f"NEW {new.path}: {new.label}; {ref(new)}",
        "|db| = ||b_NEW - b_OLD||; bound: the larger of the two files' derived bounds for it.",
        cost,
    ]


def _details(drifts: list[Drift]) -> list[str]:
    lines = []
    for d in drifts:
        items = [f"DRIFT: {r}" for r in d.reasons] + d.notes
        if d.cost_note:
            items.append(f"cost {d.cost_note}")
        lines += [f"{d.route}: {item}" for item in items]
    return lines


def _summary(drifts: list[Drift]) -> str:
    drifted = [d.route for d in drifts if d.drifted]
    if not drifted:
        return f"{len(drifts)} routes compared: nothing drifted (exit 0)."
    return f"{len(drifts)} routes compared: {len(drifted)} drifted: {', '.join(drifted)} (exit 1)."


def _wrap(text: str, width: int = 100, indent: str = "    ") -> list[str]:
    import textwrap

    return textwrap.wrap(text, width, subsequent_indent=indent, break_on_hyphens=False) or [""]


def format_text(old: Run, new: Run, drifts: list[Drift], threshold: float) -> str:
    """The drift table as plain text within 100 columns, details and summary below it."""
    rows = [_cells(d) for d in drifts]
    widths = [max(len(h), *(len(r[j]) for r in rows)) for j, h in enumerate(HEADER)]
    right = {2, 3, 4}

    def line(cells: list[str]) -> str:
        padded = zip(cells, widths, strict=True)
        return "  ".join(
            c.rjust(w) if j in right else c.ljust(w) for j, (c, w) in enumerate(padded)
        ).rstrip()

    out = [wrapped for text in _preamble(old, new, threshold) for wrapped in _wrap(text)]
    out += ["", line(HEADER), line(["-" * w for w in widths]), *(line(r) for r in rows)]
    details = _details(drifts)
    if details:
        out += ["", *(wrapped for text in details for wrapped in _wrap(text))]
    out += ["", *_wrap(_summary(drifts))]
    return "\n".join(out)


def format_markdown(
    old: Run, new: Run, drifts: list[Drift], threshold: float, title: str = "Drift report"
) -> str:
    """The same report as Markdown (a CI job summary, a section of docs/compat.md)."""

    def row(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    out = [f"## {title}", "", *(f"- {text}" for text in _preamble(old, new, threshold)), ""]
    out += [row(HEADER), row(["---"] * len(HEADER)), *(row(_cells(d)) for d in drifts), ""]
    out += [f"- {text}" for text in _details(drifts)]
    out += ["", f"**{_summary(drifts)}**", ""]
    return "\n".join(out)


def to_json(old: Run, new: Run, drifts: list[Drift], threshold: float) -> dict:
    """Everything the table shows, for machines."""
    return {
        "old": {"path": old.path, "label": old.label, "reference_seconds": old.reference},
        "new": {"path": new.path, "label": new.label, "reference_seconds": new.reference},
        "threshold": threshold,
        "bound_rule": "larger of the two files' bounds",
        "routes": [{**asdict(d), "drifted": d.drifted} for d in drifts],
        "drifted": [d.route for d in drifts if d.drifted],
        "exit_status": 1 if any(d.drifted for d in drifts) else 0,
    }


# --- command line ----------------------------------------------------------------------------


def _threshold(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(value) and value > 1):
        raise argparse.ArgumentTypeError(
            f"{text} is not a growth ratio; give a number above 1 (e.g. 1.5: 50% slower)"
        )
    return value


def build_parser(prog: str = "python -m fitters compare") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Compare two result files (compat/results/*.json or `python -m fitters "
        "--json`) route by route. Exit status: 0 nothing drifted, 1 something did, 2 bad input.",
    )
    parser.add_argument("old", metavar="OLD.json", help="the run before (e.g. the current TF)")
    parser.add_argument("new", metavar="NEW.json", help="the run after (e.g. the upgrade)")
    parser.add_argument(
        "--threshold",
        type=_threshold,
        default=DEFAULT_THRESHOLD,
        help="cost growth ratio (normalized NEW / OLD) above which a route drifted "
        f"(default {DEFAULT_THRESHOLD:g})",
    )
    parser.add_argument(
        "--routes",
        metavar="NAME,...",
        type=lambda text: [n.strip() for n in text.split(",") if n.strip()],
        help="compare only these routes (e.g. when NEW probed only the Keras fit routes)",
    )
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    parser.add_argument(
        "--markdown",
        metavar="FILE",
        type=Path,
        help="also append the report as Markdown to FILE (e.g. $GITHUB_STEP_SUMMARY)",
    )
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "python -m fitters compare") -> int:
    """Run the command; returns the exit status (argparse exits 2 itself on bad options)."""
    args = build_parser(prog).parse_args(argv)
    try:
        old, new = load(args.old), load(args.new)
        drifts = compare(old, new, args.threshold, args.routes)
    except BadInput as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(to_json(old, new, drifts, args.threshold), indent=1))
    else:
        print(format_text(old, new, drifts, args.threshold))
    if args.markdown is not None:
        with args.markdown.open("a", encoding="utf-8") as summary:
            summary.write(format_markdown(old, new, drifts, args.threshold))
    return 1 if any(d.drifted for d in drifts) else 0
