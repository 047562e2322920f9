"""Merge the probe results (compat/results/*.json) into docs/compat.md.

``tox -m compat`` runs this last, after ``tools/compat_probe.py`` ran in every env of the
matrix. Each result file names its group: TensorFlow versions (with the nightly canary),
numeric environments and Keras backends (columns set against TF 2.21), Python versions
(rows). It only reads JSON (no TensorFlow needed), so it also runs on its own:

    python tools/compat_table.py --results compat/results --out docs/compat.md
    python tools/compat_table.py --check    # exit 1 when docs/compat.md is stale
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout: import fitters.compare
    sys.path.insert(0, str(ROOT))

from fitters import compare  # noqa: E402  (reads JSON only; imports no TensorFlow)
from tools.numeric_env import ENVIRONMENTS  # noqa: E402

#: The baseline the numeric-environment, backend and Python groups are set against.
BASELINE = "tf2.21.json"
#: The canary the drift section compares with the baseline.
CANARY = "tf-nightly.json"

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
    nightly = bool(run.get("nightly"))
    return (*(int(part) for part in run["tf"].split(".")), nightly, run.get("variant", ""))


def column(run: dict) -> str:
    if run.get("nightly"):
        return f"TF {run['tf']} nightly ({run['nightly']})"
    variant = run.get("variant")
    return f"TF {run['tf']}" + (f" {variant}" if variant else "")


def group(run: dict) -> str:
    return run.get("group", "version")


def load(results: Path) -> list[dict]:
    """Every result file, sorted by TensorFlow version; each remembers its file name."""
    runs = []
    for path in sorted(results.glob("*.json")):
        run = json.loads(path.read_text(encoding="utf-8"))
        run["file"] = path.name
        runs.append(run)
    if not runs:
        raise SystemExit(f"no results in {results}: run `tox -m compat` (or tools/compat_probe.py)")
    return sorted(runs, key=_version_key)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [_row(header), _row(["---"] * len(header)), *(_row(r) for r in rows), ""]


def _short(message: str, limit: int = 110) -> str:
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
        ratio = _norm_ratio(runs[-1], runs[0], name)
        rows.append([f"`{name}`", *(_cost(r) for r in results), _x(ratio)])
    base = [run.get("numpy_baseline_ms_per_epoch") for run in runs]
    rows.append(["*NumPy GD step (yardstick)*", *(_ms(b) for b in base), "–"])
    rows += machine_rows(runs)
    return rows


def _x(ratio: float | None) -> str:
    return "–" if ratio is None else f"{ratio:.2g}x"


def machine_rows(runs: list[dict]) -> list[list[str]]:
    """The reference computation's time and the load average during each run."""
    refs = [(run.get("reference") or {}).get("seconds") for run in runs]
    loads = [(run.get("machine") or {}).get("load_average") for run in runs]
    ref_cells = ["–" if r is None else f"{1e3 * r:.3g}" for r in refs]
    load_cells = ["–" if not ld else f"{ld[0]:g}–{ld[1]:g}" for ld in loads]
    return [
        ["*reference computation, ms*", *ref_cells, "–"],
        ["*load average (1 min), start–end*", *load_cells, "–"],
    ]


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


# --- columns set against TF 2.21: numeric environments, Keras backends, Python versions -----


def _outcome(result: dict | None) -> str:
    """A short outcome: reproduced / within bound (error vs allowance) / error / n/a."""
    if result is None:
        return "–"
    status = result["status"]
    if status == "error":
        return f"**error**: {result['error']['type']}: {_short(result['error']['message'])}"
    if status == "not_available":
        return "not available"
    if status == "reproduced":
        return "reproduced"
    if status == "differs":
        return "**differs from the course**"
    cell = "within bound" if status == "within_bound" else "**outside the bound**"
    return f"{cell} ({result['bound_error']:.2g} vs {result['bound_atol']:.2g})"


def _against(result: dict | None, base: dict | None, key: str = "coef") -> str:
    """How a result's numbers compare with the baseline's: bit-identical, or by how much."""
    if not result or not base or key not in result or key not in base:
        return ""
    mine, theirs = result[key], base[key]
    if key == "beta":
        mine, theirs = list(mine.values()), list(theirs.values())
    if mine == theirs:
        return "bit-identical"
    diff = sum((a - b) ** 2 for a, b in zip(mine, theirs, strict=True)) ** 0.5
    return f"differs by {diff:.2g}"


def _cell(result: dict | None, base: dict | None, key: str = "coef") -> str:
    against = _against(result, base, key)
    return _outcome(result) + (f", {against}" if against else "")


def _norm_ratio(run: dict, base: dict, name: str) -> float | None:
    """Cost of a route in ``run`` over its cost in ``base``, each divided by the reference
    computation (fitters.compare.reference_seconds) timed beside it, or else in its run."""
    mine, theirs = run["routes"].get(name, {}), base["routes"].get(name, {})
    a, b = mine.get("ms_per_epoch"), theirs.get("ms_per_epoch")
    ra = mine.get("reference_seconds") or (run.get("reference") or {}).get("seconds")
    rb = theirs.get("reference_seconds") or (base.get("reference") or {}).get("seconds")
    if not (a and b and ra and rb) or min(a, b) < 0.01:
        return None
    return (a / ra) / (b / rb)


def _cost_cell(run: dict, base: dict | None, name: str) -> str:
    result = run["routes"].get(name, {})
    if result.get("ms_per_epoch") is None:
        return "–"
    ratio = None if base is None or base is run else _norm_ratio(run, base, name)
    return _cost(result) + ("" if ratio is None else f" {ratio:.2g}x")


def _cpu_ratios(run: dict, base: dict, names: list[str]) -> list[float]:
    """Process CPU time per epoch over the baseline's: no reference needed, and far less
    sensitive than wall time to other processes on the machine (not to its speed)."""
    out = []
    for name in names:
        a = run["routes"][name].get("cpu_ms_per_epoch")
        b = base["routes"][name].get("cpu_ms_per_epoch")
        if a and b and min(a, b) >= 0.01:
            out.append(a / b)
    return out


def _changes(run: dict, base: dict) -> str:
    """One line: what this column changed against the baseline (numbers, errors, cost)."""
    names = [n for n in run["routes"] if n in base["routes"]]
    identical = [
        n for n in names if _against(run["routes"][n], base["routes"][n]) == "bit-identical"
    ]
    statuses = [run["routes"][n]["status"] for n in names]
    reproduced = statuses.count("reproduced")
    moved = [
        f"`{n}` {_against(run['routes'][n], base['routes'][n])}"
        for n in names
        if n not in identical and "coef" in run["routes"][n]
    ]
    errors = [
        f"`{n}` {run['routes'][n]['error']['type']}"
        for n in names
        if run["routes"][n]["status"] == "error"
    ]
    ratios = [r for n in names if (r := _norm_ratio(run, base, n)) is not None]
    toys = [
        f"toy.{how} {_outcome(run['toy'][how])}"
        for how in run.get("toy", {})
        if run["toy"][how]["status"] != "reproduced"
    ]
    parts = [
        f"{reproduced}/{len(names)} routes reproduce the course's numbers, "
        f"{len(identical)}/{len(names)} bit-identical to {column(base)}"
    ]
    if moved:
        parts.append("changed: " + ", ".join(moved))
    parts.append("errors: " + (", ".join(errors) if errors else "none"))
    if toys:
        parts.append(", ".join(toys))
    if ratios:
        cpu = _cpu_ratios(run, base, names)
        parts.append(
            f"cost per epoch {min(ratios):.2g}x–{max(ratios):.2g}x of {column(base)}'s "
            f"(wall, normalized), CPU time {min(cpu):.2g}x–{max(cpu):.2g}x"
        )
    return "; ".join(parts)


def _env_order(run: dict) -> int:
    names = list(ENVIRONMENTS)
    return names.index(run["numeric_env"]) if run.get("numeric_env") in names else len(names)


def numeric_section(base: dict, envs: list[dict]) -> list[str]:
    if not envs:
        return []
    envs = sorted(envs, key=_env_order)
    columns = [base, *envs]
    header = ["route", "TF 2.21", *(run["variant"] for run in envs)]
    names = list(base["routes"])
    rows = [
        [f"`{n}`", *(_cell(r["routes"].get(n), base["routes"].get(n)) for r in columns)]
        for n in names
    ]
    rows += [
        [
            f"`fitters.toy.{how}`",
            *(_cell(r["toy"].get(how), base["toy"].get(how), "beta") for r in columns),
        ]
        for how in base.get("toy", {})
    ]
    # the baseline's own cells name no comparison
    for row in rows:
        row[1] = row[1].replace(", bit-identical", "")
    costs = [
        [f"`{n}`", *(_cost_cell(r, base, n) for r in columns)]
        for n in names
        if "ms_per_epoch" in base["routes"][n]
    ]
    lines = [
        "## Numeric environments (TF 2.21)",
        "",
        "TF 2.21 run the ways real users run it (`tools/numeric_env.py`; `tox -m numeric`):",
        "oneDNN off (`TF_ENABLE_ONEDNN_OPTS=0`), XLA auto-clustering",
        "(`TF_XLA_FLAGS=--tf_xla_auto_jit=2`), one intra- and one inter-op thread, op",
        "determinism (`tf.config.experimental.enable_op_determinism()`), the NumPy-behaviour",
        "switch on. Cells: the outcome, and the coefficients against the TF 2.21 column's:",
        "**bit-identical**, or the distance ||b - b_TF2.21||. A float32 golden an environment",
        "legitimately changes is checked within its bound there (`tests/golden.py`).",
        "",
    ]
    lines += _table(header, rows)
    lines += [
        "Cost, ms per epoch: wall clock (process CPU time), then wall against TF 2.21, each",
        "divided by the reference computation timed beside it, so load differences between",
        "runs partly cancel (CPU time is the steadier measure on a shared machine):",
        "",
    ]
    lines += _table(header, costs)
    lines += ["What each environment changed against TF 2.21:", ""]
    lines += [f"- **{run['variant']}**: {_changes(run, base)}." for run in envs]
    return [*lines, ""]


KERAS_ROUTES = ("keras_sequential", "keras_dense_bias")


def backend_section(everything: list[dict], backends: list[dict]) -> list[str]:
    if not backends:
        return []
    by_file = {run["file"]: run for run in everything}
    base = by_file[BASELINE]
    backends = sorted(backends, key=_env_order)
    keras2 = next(
        (
            r
            for r in everything
            if group(r) == "version"
            and r["versions"].get("tf.keras") == "Keras 2"
            and "ms_per_epoch" in r["routes"].get(KERAS_ROUTES[0], {})
        ),
        None,
    )
    columns = ([keras2] if keras2 else []) + [base, *backends]
    header = ["route"] + [
        f"{column(r)} (Keras 2)"
        if r is keras2
        else ("Keras 3 on TensorFlow (TF 2.21)" if r is base else r["variant"])
        for r in columns
    ]
    rows = [
        [f"`{n}`", *(_cell(r["routes"].get(n), base["routes"].get(n)) for r in columns)]
        for n in KERAS_ROUTES
    ]
    for row in rows:
        row[1 + columns.index(base)] = row[1 + columns.index(base)].replace(", bit-identical", "")
    costs = [
        [f"`{n}` ms per epoch", *(_cost_cell(r, base, n) for r in columns)] for n in KERAS_ROUTES
    ]
    lines = [
        "## Keras backends",
        "",
        "The two Keras `fit` routes under Keras 3 with another backend (`KERAS_BACKEND`, `tox -m",
        "backends`), against Keras 3 on TensorFlow and against Keras 2. Cost cells: wall ms per",
        "epoch (process CPU time), then wall against Keras 3 on TensorFlow, each divided by the",
        "reference computation timed beside it.",
        "",
    ]
    lines += _table(header, rows + costs)
    lines += ["Per epoch against Keras 3 on TensorFlow (TF 2.21), CPU time:", ""]
    for run in columns:
        if run is base:
            continue
        ratios = _cpu_ratios(run, base, [n for n in KERAS_ROUTES if n in run["routes"]])
        label = f"{column(run)} (Keras 2)" if run is keras2 else run["variant"]
        if ratios:
            lines.append(
                f"- {label}: {min(ratios):.2g}x–{max(ratios):.2g}x "
                f"({1 / max(ratios):.0f}–{1 / min(ratios):.0f} times cheaper)"
            )
    return [*lines, ""]


def python_section(base: dict, pythons: list[dict]) -> list[str]:
    if not pythons:
        return []
    rows = []
    for run in sorted(
        [base, *pythons], key=lambda r: tuple(map(int, r["versions"]["python"].split(".")))
    ):
        names = list(run["routes"])
        statuses = [run["routes"][n]["status"] for n in names]
        same = sum(
            _against(run["routes"][n], base["routes"].get(n)) == "bit-identical" for n in names
        )
        pins = [v.get("as_pinned") for v in run.get("pitfalls", {}).values()]
        errors = [
            f"`{n}` {run['routes'][n]['error']['type']}"
            for n in names
            if run["routes"][n]["status"] == "error"
        ]
        rows.append(
            [
                run["versions"]["python"],
                run["versions"]["tensorflow"],
                run["versions"]["keras"],
                run["versions"]["numpy"],
                f"{statuses.count('reproduced')}/{len(names)}",
                "(baseline)" if run is base else f"{same}/{len(names)}",
                ", ".join(f"{how} {_outcome(t)}" for how, t in run.get("toy", {}).items()),
                f"{pins.count(True)}/{len(pins)}",
                ", ".join(errors) or "none",
            ]
        )
    header = [
        "Python",
        "tensorflow",
        "keras",
        "numpy",
        "routes reproduced",
        f"bit-identical to Python {base['versions']['python']}",
        "toy",
        "pitfalls as pinned",
        "errors",
    ]
    lines = [
        "## Python versions (TF 2.21)",
        "",
        "The default TensorFlow on every Python it supports (`tox -m pythons`; Python 3.11 is",
        "the TF 2.21 column above; no timing).",
        "",
    ]
    return lines + _table(header, rows)


def drift_section(results: Path, old: str, new: str) -> list[str]:
    """``python -m fitters compare`` of the baseline and the canary, as this page shows it."""
    runs = []
    for name in (old, new):
        data = json.loads((results / name).read_text(encoding="utf-8"))
        runs.append(compare.parse(data, f"compat/results/{name}"))
    drifts = compare.compare(*runs)
    title = "Drift: TF 2.21 against the nightly"
    text = compare.format_markdown(*runs, drifts, compare.DEFAULT_THRESHOLD, title=title)
    lines = text.splitlines()
    lines[1:1] = [
        "",
        f"`python -m fitters compare compat/results/{old} compat/results/{new}` (exit status",
        f"{1 if any(d.drifted for d in drifts) else 0}; docs/upgrade.md reads it).",
    ]
    return [*lines, ""]


def render(everything: list[dict], results: Path) -> str:
    runs = [run for run in everything if group(run) == "version"]
    versions = [column(run) for run in runs]
    lines = [
        "# TensorFlow compatibility matrix",
        "",
        "<!-- generated by tools/compat_table.py from compat/results/*.json: do not edit -->",
        "",
        "Which route of the lecture runs on which TensorFlow, and whether it gives the",
        "course's numbers: per TensorFlow version (with the nightly canary, pinned to one",
        "day's build), per numeric environment and Keras backend on TF 2.21, per Python.",
        "Regenerate with `tox -p 2 -m compat` (one env per column: `tools/compat_probe.py`",
        "writes `compat/results/NAME.json`, then `tools/compat_table.py` writes this page);",
        "the same envs run the golden and pitfall tests under the same setting.",
        "[upgrade.md](upgrade.md) says how to gate an upgrade with it.",
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
        "load. Last column: newest over oldest version, each divided by the reference",
        "computation of `fitters.compare` timed in the same run (so load differences cancel).",
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

    by_file = {run["file"]: run for run in everything}
    baseline = by_file.get(BASELINE)
    if baseline is not None:
        lines += numeric_section(baseline, [r for r in everything if group(r) == "numeric"])
        lines += backend_section(everything, [r for r in everything if group(r) == "backend"])
        lines += python_section(baseline, [r for r in everything if group(r) == "python"])
        if CANARY in by_file:
            lines += drift_section(results, BASELINE, CANARY)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=ROOT / "compat" / "results")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "compat.md")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when --out differs from what the results give",
    )
    args = parser.parse_args(argv)
    text = render(load(args.results), args.results)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current == text:
            print(f"{args.out} is up to date with {args.results}")
            return 0
        diff = difflib.unified_diff(
            current.splitlines(), text.splitlines(), str(args.out), "regenerated", lineterm=""
        )
        print("\n".join(list(diff)[:40]))
        print(
            f"{args.out} is stale: it is not what {args.results}/*.json give. Regenerate it "
            "with `tox -e compat-table` (or python tools/compat_table.py) and commit it."
        )
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
