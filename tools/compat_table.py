"""Merge the per-version probe results (compat/results/tf*.json) into docs/compat.md.

``tox -m compat`` runs this last, after ``tools/compat_probe.py`` ran in every TensorFlow env.
It only reads JSON (no TensorFlow needed), so it also runs on its own:

    python tools/compat_table.py --results compat/results --out docs/compat.md
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CELL = {
    "reproduced": "course numbers reproduced",
    "within_bound": "agrees within bound",
    "outside_bound": "outside the derived bound",
    "not_available": "not available",
    "differs": "differs from the course",
}

PITFALL_ROWS = {
    "tf.keras/scalar": "`tf.keras` SGD `.minimize(loss_fn, beta)`, scalar `beta` (the lecture)",
    "tf.keras/vector": "`tf.keras` SGD `.minimize(loss_fn, beta_hat)`, (2, 1) `beta_hat`",
    "tf.keras/list": "`tf.keras` SGD `.minimize(loss_fn, [beta])`, the working form",
    "keras2/scalar": "Keras 2 `SGD(lr).minimize(loss_fn, beta)`, scalar `beta`",
    "keras2/vector": "Keras 2 `SGD(lr).minimize(loss_fn, beta_hat)`, (2, 1) `beta_hat`",
    "keras2/list": "Keras 2 `SGD(lr).minimize(loss_fn, [beta])`, the working form",
}


def _version_key(run: dict) -> tuple:
    return (*(int(part) for part in run["tf"].split(".")), run.get("variant", ""))


def column(run: dict) -> str:
    variant = run.get("variant")
    return f"TF {run['tf']}" + (f" {variant}" if variant else "")


def load(results: Path) -> list[dict]:
    runs = [json.loads(path.read_text(encoding="utf-8")) for path in results.glob("tf*.json")]
    if not runs:
        raise SystemExit(f"no results in {results}: run `tox -m compat` (or tools/compat_probe.py)")
    return sorted(runs, key=_version_key)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [_row(header), _row(["---"] * len(header)), *(_row(r) for r in rows), ""]


def _short(message: str, limit: int = 70) -> str:
    message = message.replace("|", "\\|")
    return message if len(message) <= limit else message[: limit - 1] + "…"


def route_cell(result: dict | None) -> str:
    if result is None:
        return "–"
    status = result["status"]
    if status == "error":
        return f"error: {result['error']['type']} ({_short(result['error']['message'])})"
    if status == "not_available":
        return "not available"
    cell = CELL[status]
    if status in ("within_bound", "outside_bound"):
        cell += f" ({result['bound_error']:.2g} vs {result['bound_atol']:.2g})"
    return cell


def pitfall_cell(result: dict | None) -> str:
    if result is None:
        return "–"
    status = result["status"]
    if status == "not_available":
        cell = "not available"
    elif result.get("works"):
        cell = f"{CELL[status]} (works, beta = {result['beta_1']:.7g})"
    elif status == "reproduced":
        cell = f"course error reproduced: {result['error']['type']}"
    else:
        cell = f"error: {result['error']['type']} ({_short(result['error']['message'])})"
    if result.get("as_pinned") is False:
        cell += " **(not as pinned in compat.PITFALLS)**"
    return cell


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    if value == 0:
        return "≈ 0"
    return f"{value:.2g}" if value < 0.01 else f"{value:.3g}"


def _cost(result: dict) -> str:
    wall, cpu = result.get("ms_per_epoch"), result.get("cpu_ms_per_epoch")
    if wall is None:
        return "–"
    return _ms(wall) if cpu is None else f"{_ms(wall)} ({_ms(cpu)})"


def timed(runs: list[dict]) -> list[dict]:
    """The runs that measured cost (a --no-timing run has no column in the cost table)."""
    return [run for run in runs if any("ms_per_epoch" in v for v in run["routes"].values())]


def cost_rows(runs: list[dict]) -> list[list[str]]:
    names = [n for n in runs[-1]["routes"] if "ms_per_epoch" in runs[-1]["routes"][n]]
    for run in runs[:-1]:
        names += [n for n, v in run["routes"].items() if "ms_per_epoch" in v and n not in names]
    rows = []
    for name in names:
        results = [run["routes"].get(name, {}) for run in runs]
        first, last = results[0].get("ms_per_epoch"), results[-1].get("ms_per_epoch")
        ratio = f"{last / first:.2g}x" if first and last and first >= 0.01 else "–"
        rows.append([f"`{name}`", *(_cost(r) for r in results), ratio])
    base = [run.get("numpy_baseline_ms_per_epoch") for run in runs]
    rows.append(["*NumPy GD step (yardstick)*", *(_ms(b) for b in base), "–"])
    return rows


def keras_fit_ratio(runs: list[dict]) -> str:
    """Keras 3 fit cost over Keras 2 fit cost, per Keras route (the issue's 20x hypothesis)."""
    lines = []
    for name in ("keras_sequential", "keras_dense_bias"):
        for key, what in (("ms_per_epoch", "wall"), ("cpu_ms_per_epoch", "CPU")):
            by_major: dict[str, list[float]] = {"Keras 2": [], "Keras 3": []}
            for run in runs:
                value = run["routes"].get(name, {}).get(key)
                if value and run["versions"]["tf.keras"] in by_major:
                    by_major[run["versions"]["tf.keras"]].append(value)
            k2, k3 = by_major["Keras 2"], by_major["Keras 3"]
            if not (k2 and k3):
                continue
            lines.append(
                f"- `{name}` ({what}): Keras 2 `fit` {min(k2):.3g}–{max(k2):.3g} ms/epoch, "
                f"Keras 3 `fit` {min(k3):.3g}–{max(k3):.3g} ms/epoch: Keras 3 costs "
                f"{min(k3) / max(k2):.2g}x–{max(k3) / min(k2):.2g}x as much per epoch."
            )
    return "\n".join(lines)


def differences(runs: list[dict], rows: dict[str, list[str]]) -> list[str]:
    """Rows whose outcome is not the same in every column, with the columns grouped by outcome
    (the outcome without its parenthesised detail, e.g. the measured error)."""
    out = []
    for label, cells in rows.items():
        plain = [re.sub(r" \(.*", "", cell) for cell in cells]
        if len(set(plain)) == 1:
            continue
        groups: dict[str, list[str]] = {}
        for run, cell in zip(runs, plain, strict=True):
            groups.setdefault(cell, []).append(column(run))
        parts = "; ".join(f"{', '.join(cols)}: {cell}" for cell, cols in groups.items())
        out.append(f"- {label} — {parts}")
    return out or ["- none: every row has the same outcome in every column"]


def render(runs: list[dict]) -> str:
    versions = [column(run) for run in runs]
    lines = [
        "# TensorFlow compatibility matrix",
        "",
        "<!-- generated by tools/compat_table.py from compat/results/*.json: do not edit -->",
        "",
        "Which route of the lecture runs on which TensorFlow, and whether it gives the",
        "course's numbers. Regenerate with `tox -m compat` (one env per version:",
        "`tools/compat_probe.py` writes `compat/results/tfX.Y.json`, then",
        "`tools/compat_table.py` writes this page). The same envs run the version-aware",
        "golden and pitfall tests.",
        "",
        "Cells: **course numbers reproduced** = the lecture's printout (float64 routes to its 8",
        "printed decimals, float32 routes bit for bit, 이론적 풀이 1 within its derived bound);",
        "**agrees within bound** = not the printout, but within",
        "`fitters.tolerances.route_bound` of the exact iterate (error vs allowance shown);",
        "**error: <type>** = raised;",
        "**not available** = the API the route needs does not exist on that version",
        "(`Route.unavailable`, from the route's `needs`; the tests skip with that reason).",
        "",
        "## Versions",
        "",
    ]
    keys = (
        "tensorflow",
        "tf.keras",
        "keras",
        "tf_keras",
        "numpy",
        "protobuf",
        "ml_dtypes",
        "python",
    )
    rows = [[f"`{k}`", *((run["versions"].get(k) or "–") for run in runs)] for k in keys]
    rows.append(["minimize routes use", *(run.get("minimize_keras", "–") for run in runs)])
    lines += _table(["package", *versions], rows)

    route_names = list(runs[-1]["routes"])
    for run in runs[:-1]:
        route_names += [n for n in run["routes"] if n not in route_names]
    route_rows = {f"`{n}`": [route_cell(run["routes"].get(n)) for run in runs] for n in route_names}
    lines += [
        "## Routes",
        "",
        "The lecture's data, init (-5, 10), lr 0.1, 1000 epochs (closed forms: no iteration).",
        "`minimize_vector (loss=...)` are the lecture's other loss spellings (풀이 3–6).",
        "",
    ]
    lines += _table(["route", *versions], [[k, *v] for k, v in route_rows.items()])

    toy_rows = {
        f"`fitters.toy.{how}`": [route_cell(run["toy"].get(how)) for run in runs]
        for how in ("apply_gradients", "minimize")
    }
    lines += [
        "## The warm-up problem",
        "",
        "(beta/2 - 1)^2 from beta = -10, SGD lr 0.01/6: beta after 1, 2 and 10000 steps",
        "(-9.99, -9.980008, 1.9971251 in float32).",
        "",
    ]
    lines += _table(["route", *versions], [[k, *v] for k, v in toy_rows.items()])

    pitfall_rows = {
        label: [pitfall_cell(run["pitfalls"].get(key)) for run in runs]
        for key, label in PITFALL_ROWS.items()
    }
    lines += [
        "## Pitfalls",
        "",
        'The lecture\'s `opt.minimize(loss_fn, beta)` with a bare Variable. "Keras 2" is the',
        "optimizer the minimize routes use (`fitters.compat.minimize_keras()`: `tf.keras` up to",
        "TF 2.15, `tf_keras` from 2.16). Expected outcomes are pinned per version in",
        "`fitters.compat.PITFALLS`; a cell that disagrees with the pin is flagged.",
        "",
    ]
    lines += _table(["call", *versions], [[k, *v] for k, v in pitfall_rows.items()])

    lines += [
        "## Cost: milliseconds per epoch",
        "",
        "On the lecture's problem (n = 200, p = 1): (t(50 + k epochs) - t(50 epochs)) / k after a",
        "warm-up fit, so model building and tracing cancel out; k (200 to 5000) makes the",
        "difference last about 1.5 s, each fit the best of 3. Cells: wall clock",
        "(process CPU time, all threads). The machine may have been shared during the run: the",
        "NumPy row times the same GD step without TensorFlow, as a yardstick of its speed and",
        "load. Last column: wall clock, newest over oldest version.",
        "",
    ]
    costed = timed(runs)
    if costed:
        ratio_header = f"{column(costed[-1])} / {column(costed[0])}"
        lines += _table(["route", *map(column, costed), ratio_header], cost_rows(costed))
        machine = costed[-1].get("machine", {})
        lines += [f"Machine: {machine.get('cpus', '?')} CPUs, {machine.get('platform', '?')}.", ""]
        ratio = keras_fit_ratio(costed)
        if ratio:
            lines += ["Keras `fit`, Keras 3 against Keras 2:", "", ratio, ""]
    else:
        lines += ["(no run measured cost)", ""]

    lines += ["## What differs between versions", ""]
    lines += differences(runs, {**route_rows, **toy_rows, **pitfall_rows})
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=ROOT / "compat" / "results")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "compat.md")
    args = parser.parse_args(argv)
    text = render(load(args.results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
