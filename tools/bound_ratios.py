"""How tight the derived bounds are: bound / observed error over a profile's examples.

Runs every check on every route (``check_route`` with the named profile, ``ci`` by default)
while ``fitters.testing.checks`` records each comparison against a bound, then prints, per
route, the median and maximum of bound / observed error. An observed error of 0 (a float64
route that lands on the oracle's last bit) is counted as one unit roundoff of the answer's
size, so the ratio stays finite: that is the smallest error a route in that dtype can show.
Left out: zero-step comparisons (the answer is init itself, trivially tight),
comparisons whose bound is 0 (data a route must fit exactly, such as y = 0: a ratio 0/0 says
nothing of tightness; their number is reported as ``exact``) and check_convergence (its
bound is mostly the contraction rho^k, not rounding).

Run:  python tools/bound_ratios.py [--profile ci] [--routes a,b] [--out ratios.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import fitters  # noqa: E402
from fitters.testing import check_route, checks  # noqa: E402
from fitters.testing.profiles import load_package  # noqa: E402
from fitters.tolerances import underflow_unit, unit_roundoff  # noqa: E402


def ratios(profile: str, names: list[str]) -> dict[str, dict]:
    checks.OBSERVED = []
    for name in names:
        route = fitters.ROUTES[name]
        if route.unavailable is None:
            check_route(route, profile=profile)
    out: dict[str, dict] = {}
    for name in names:
        mine = [
            r for r in checks.OBSERVED if r[0] == name and r[6] != 0 and r[1] != "check_convergence"
        ]
        rows = [r for r in mine if r[4] > 0]
        if not rows:
            continue
        values = []
        for _, _, dtype, err, bound, size, _ in rows:
            floor = max(unit_roundoff(dtype) * size, underflow_unit(dtype))
            values.append(bound / max(err, floor))
        per_check: dict[str, list[float]] = {}
        for (_, check, *_), value in zip(rows, values, strict=True):
            per_check.setdefault(check, []).append(value)
        out[name] = {
            "dtype": rows[0][2],
            "comparisons": len(values),
            "exact": len(mine) - len(rows),
            "median": statistics.median(values),
            "max": max(values),
            "min": min(values),
            "by_check": {c: statistics.median(v) for c, v in per_check.items()},
        }
    checks.OBSERVED = None
    return out


def markdown(table: dict[str, dict]) -> str:
    """The table as docs/power.md shows it: per route, comparisons, median, max, by check."""
    lines = [
        "| route | dtype | comparisons | median | max | median by check |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, row in table.items():
        by = ", ".join(f"{c.removeprefix('check_')} {v:.3g}" for c, v in row["by_check"].items())
        lines.append(
            f"| `{name}` | {row['dtype']} | {row['comparisons']}"
            + (f" (+{row['exact']} exact)" if row.get("exact") else "")
            + f" | {row['median']:.3g} "
            f"| {row['max']:.3g} | {by} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="ci")
    parser.add_argument("--routes", help="comma-separated route names (default: all)")
    parser.add_argument("--out", type=Path, help="write the table as JSON too")
    parser.add_argument(
        "--markdown", type=Path, metavar="JSON", help="print a saved table as markdown; no run"
    )
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown(json.loads(args.markdown.read_text())))
        return 0
    load_package()  # the same draws whatever ran before (profiles.py)
    names = args.routes.split(",") if args.routes else list(fitters.ROUTES)
    table = ratios(args.profile, names)
    print(f"{'route':24} {'dtype':8} {'n':>5} {'median':>10} {'max':>10} {'min':>8}")
    for name, row in table.items():
        print(
            f"{name:24} {row['dtype']:8} {row['comparisons']:5d} {row['median']:10.3g} "
            f"{row['max']:10.3g} {row['min']:8.3g}"
        )
    if args.out:
        args.out.write_text(json.dumps(table, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
