"""Probe this TensorFlow: which routes run, which give the lecture's numbers, what they cost.

Run once per TensorFlow version (``tox -m compat`` does, one env per version); writes
``compat/results/tf<major.minor>.json``, which ``tools/compat_table.py`` merges into
``docs/compat.md``. Nothing here is a test: the probe records what happens, the golden and
pitfall tests (run by the same tox env) decide what must happen.

Per route, on the lecture's data with the lecture's defaults (init (-5, 10), lr 0.1, 1000 epochs):

- ``reproduced``: the lecture's printed numbers (tests/golden.py): float64 routes to the printed
  8 decimals, float32 routes bit for bit, 이론적 풀이 1 within its derived closed-form bound;
- ``within_bound``: not the printout, but within ``fitters.tolerances.route_bound`` of the
  exact 1000th iterate (or of the normal equation, for closed forms);
- ``outside_bound``: runs, but farther from the oracle than the derived bound allows;
- ``error``: raised (type and message kept); ``not_available``: ``Route.unavailable``.

Cost: ms per epoch of each iterative route, as (t(50 + span epochs) - t(50 epochs)) / span
after a warm-up fit, so model building and tf.function tracing (paid once per fit) cancel out;
span (200 to 5000 epochs) lasts about 1.5 s. Wall clock and process CPU time, each fit the best
of ``--repeats``. The reference computation of ``fitters.compare`` is timed in the same
process, so ``python -m fitters compare`` can set the costs of two runs (two machines, two
loads) on one scale; a plain-NumPy GD step is timed as a yardstick for the table.

Where the run happens is recorded with it: the numeric environment (``FITTERS_NUMERIC_ENV``,
``tools/numeric_env.py``), the Keras backend (``KERAS_BACKEND``), a nightly's build date, the
Python version; ``--name``, ``--group`` and ``--label`` place the file in ``docs/compat.md``.

Pitfalls: the lecture's ``opt.minimize(loss_fn, beta)`` (bare Variable, scalar and (2, 1)
vector) and ``opt.minimize(loss_fn, [beta])``, on ``tf.keras``'s SGD (the lecture's spelling)
and on the Keras 2 SGD the minimize routes use; each outcome is compared with the lecture and
with what ``fitters.compat.PITFALLS`` pins for this version.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import sys
import time
import traceback
from importlib import metadata
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if __name__ == "__main__" and os.environ.get("COMPAT_PROBE") == "skip":  # before importing TF
    print("compat probe skipped (COMPAT_PROBE=skip): compat/results/ keeps its last results")
    raise SystemExit(0)

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout: import fitters and tests/
    sys.path.insert(0, str(ROOT))

from tools import numeric_env  # noqa: E402

NUMERIC_ENV = numeric_env.selected()
if NUMERIC_ENV is not None:  # before TensorFlow starts: some settings are read at import
    numeric_env.apply(NUMERIC_ENV)

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import fitters  # noqa: E402
from fitters import compat  # noqa: E402
from fitters.compare import REFERENCE, reference_seconds  # noqa: E402
from fitters.tolerances import closed_form_bound, route_bound  # noqa: E402
from fitters.validation import problem  # noqa: E402
from tests import golden  # noqa: E402

LECTURE_EPOCHS = 1000
#: per-epoch cost: t(TIMING_SHORT + span) - t(TIMING_SHORT), span in TIMING_SPAN epochs,
#: chosen to last about TIMING_SECONDS
TIMING_SHORT, TIMING_SPAN, TIMING_SECONDS = 50, (200, 5000), 1.5
#: runs of the reference computation, at the start and at the end (median of each)
REFERENCE_RUNS = 7
#: package -> its distribution names, release first (a nightly installs under another name)
PACKAGES = {
    "tensorflow": ("tensorflow", "tf-nightly", "tensorflow-cpu"),
    "keras": ("keras", "keras-nightly"),
    "tf_keras": ("tf_keras", "tf-keras-nightly"),
    "numpy": ("numpy",),
    "protobuf": ("protobuf",),
    "ml_dtypes": ("ml_dtypes",),
    "jax": ("jax",),
    "torch": ("torch",),
}
NIGHTLY = re.compile(r"\.dev(\d{4})(\d{2})(\d{2})")


def _distribution_version(names: tuple[str, ...]) -> str | None:
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def _versions() -> dict[str, str | None]:
    found = {package: _distribution_version(names) for package, names in PACKAGES.items()}
    found["tf.keras"] = f"Keras {compat.keras_major()}"
    found["keras backend"] = compat.keras_backend()
    found["python"] = platform.python_version()
    return found


def _nightly_date(version: str | None) -> str | None:
    """``2026-10-26`` for a nightly build ``2.23.0.dev20261026``, else None."""
    match = NIGHTLY.search(version or "")
    return None if match is None else "-".join(match.groups())


def _error(exc: BaseException) -> dict[str, str]:
    """The error's type and the first non-empty line of its message (TF's run to pages)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return {"type": type(exc).__name__, "message": (lines[0] if lines else "")[:300]}


def _golden_verdict(route, coef: np.ndarray) -> bool:
    """Whether ``coef`` is what the lecture printed for this route (tests/test_golden.py)."""
    if not route.iterative:
        if route.name == "closed_form_scalar":
            atol = closed_form_bound(route, problem(*fitters.lecture_dataset())).max_l2_error
            return bool(np.abs(coef - golden.CLOSED_FORM_SCALAR).max() <= atol)
        return bool(np.abs(coef - golden.NORMAL_EQUATION).max() <= golden.PRINTED_8_DECIMALS)
    if route.dtype == "float64":
        return bool(np.abs(coef - golden.GD_1000_FLOAT64).max() <= golden.PRINTED_8_DECIMALS)
    return bool(np.array_equal(coef.astype(np.float32), golden.GD_1000_FLOAT32))


def _timed_fit(route, x, y, epochs: int | None, options: dict):
    """The fit, and its (wall, process CPU) seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    fit = route.fit(x, y, epochs=epochs, **options)
    return fit, time.perf_counter() - wall, time.process_time() - cpu


def epoch_cost(route, x, y, options: dict, repeats: int, estimate: float) -> dict[str, float]:
    """ms per epoch, wall and process CPU: (t(short + span) - t(short)) / span, each time the
    best of ``repeats`` fits (the machine may be shared: the minimum is the least disturbed
    run). ``span`` is chosen from ``estimate`` (seconds per epoch) so that it lasts about
    TIMING_SECONDS: long enough that timer noise and load spikes are small against it.

    The reference computation is timed after each pair, best of ``repeats`` too, and stored
    with the cost: the load during this route's timing, not at the probe's start or end, is
    what ``python -m fitters compare`` divides out."""
    span = int(min(max(TIMING_SECONDS / max(estimate, 1e-9), TIMING_SPAN[0]), TIMING_SPAN[1]))
    best: dict[int, tuple[float, float]] = {}
    reference = math.inf
    for _ in range(repeats):
        for epochs in (TIMING_SHORT, TIMING_SHORT + span):
            _, wall, cpu = _timed_fit(route, x, y, epochs, options)
            old = best.get(epochs, (math.inf, math.inf))
            best[epochs] = (min(old[0], wall), min(old[1], cpu))
        reference = min(reference, reference_seconds(3))
    (wall_short, cpu_short), (wall_long, cpu_long) = best[TIMING_SHORT], best[TIMING_SHORT + span]
    return {
        "ms_per_epoch": 1000 * max(wall_long - wall_short, 0.0) / span,
        "cpu_ms_per_epoch": 1000 * max(cpu_long - cpu_short, 0.0) / span,
        "timing_epochs": [TIMING_SHORT, TIMING_SHORT + span],
        "reference_seconds": reference,
    }


def numpy_baseline(repeats: int) -> float:
    """ms per epoch of the same full-batch GD step in plain NumPy float64: a yardstick of how
    fast (and how loaded) the machine was during this version's run, independent of TF."""
    x, y = fitters.lecture_dataset()
    X, Y = np.c_[np.ones_like(x), x], y[:, None]
    best = float("inf")
    for _ in range(repeats):
        b = np.array([[-5.0], [10.0]])
        start = time.perf_counter()
        for _ in range(LECTURE_EPOCHS):
            b = b - 0.1 * (-2 * X.T @ Y + 2 * X.T @ X @ b) / len(x)
        best = min(best, (time.perf_counter() - start) / LECTURE_EPOCHS)
    return 1000 * best


def probe_route(route, options: dict, repeats: int, timing: bool) -> dict:
    """Run one route (with one variant's options) on the lecture's data; see module doc."""
    x, y = fitters.lecture_dataset()
    reason = route.unavailable
    if reason is not None:
        return {"status": "not_available", "reason": reason}
    cost: dict[str, float] = {}
    try:
        if not route.iterative:
            fit, seconds, _ = _timed_fit(route, x, y, None, options)
        else:
            route.fit(x, y, epochs=2, **options)  # warm-up: imports, first traces
            fit, seconds, _ = _timed_fit(route, x, y, LECTURE_EPOCHS, options)
            if timing:
                cost = epoch_cost(route, x, y, options, repeats, seconds / LECTURE_EPOCHS)
    except Exception as exc:  # the matrix records failures, it does not stop on them
        traceback.print_exc()
        return {"status": "error", "error": _error(exc)}
    coef = np.asarray(fit.coef, dtype=np.float64)
    bound = route_bound(route, problem(x, y))
    result = {
        "coef": [float(c) for c in coef],
        "bound_error": bound.error(coef),
        "bound_atol": bound.max_l2_error,
        "seconds_1000": None if not route.iterative else seconds,
        **cost,
    }
    if _golden_verdict(route, coef):
        result["status"] = "reproduced"
    elif bound.holds(coef):
        result["status"] = "within_bound"
    else:
        result["status"] = "outside_bound"
    return result


def probe_toy(how: str) -> dict:
    """fitters.toy: beta after 1, 2 and 10000 SGD steps, against the lecture's float32 printout."""
    reason = compat.missing(fitters.toy.NEEDS[how])
    if reason is not None:
        return {"status": "not_available", "reason": reason}
    func = getattr(fitters.toy, how)
    try:
        betas = {steps: float(func(steps=steps)) for steps in golden.TOY}
    except Exception as exc:
        traceback.print_exc()
        return {"status": "error", "error": _error(exc)}
    same = all(np.float32(betas[k]) == golden.TOY[k] for k in golden.TOY)
    return {
        "status": "reproduced" if same else "differs",
        "beta": {str(k): v for k, v in betas.items()},
    }


def _pitfall_call(optimizer: str, kind: str):
    """The lecture's call; returns the Variable it was given (to see whether it moved)."""
    if kind == "vector":
        x, y = fitters.lecture_dataset()
        X, Y = tf.constant(np.c_[np.ones_like(x), x]), tf.constant(y[:, None])
        beta = tf.Variable(np.array([[-5.0], [10.0]]))
        opt = compat.pitfall_optimizer(optimizer, 0.1)
        opt.minimize(lambda: tf.transpose(Y - X @ beta) @ (Y - X @ beta) / 200, beta)
        return beta
    beta = tf.Variable(-10.0)
    opt = compat.pitfall_optimizer(optimizer, 0.01 / 6)
    var_list = [beta] if kind == "list" else beta
    opt.minimize(lambda: (beta / 2 - 1) ** 2, var_list)
    return beta


def probe_pitfall(optimizer: str, kind: str) -> dict:
    """What ``opt.minimize`` does here, against the lecture and against compat.PITFALLS."""
    try:
        if optimizer == "keras2":
            compat.minimize_keras()
    except ImportError as exc:
        return {
            "status": "not_available",
            "reason": f"not available on TF {compat.tf_minor()}: {exc}",
        }
    lecture = {
        "scalar": golden.BARE_VARIABLE_ERRORS["scalar"],
        "vector": golden.BARE_VARIABLE_ERRORS["vector"],
    }
    try:
        beta = _pitfall_call(optimizer, kind)
        observed = None
    except Exception as exc:
        observed = exc
    pinned = compat.pitfall(optimizer, kind)
    as_pinned = (
        observed is None
        if pinned is None
        else isinstance(observed, pinned[0]) and pinned[1] in str(observed)
    )
    if observed is None:
        first_step = float(beta.numpy())
        status = "reproduced" if np.float32(first_step) == golden.TOY[1] else "differs"
        return {"status": status, "works": True, "beta_1": first_step, "as_pinned": as_pinned}
    expected = lecture.get(kind)
    is_lecture = (
        expected is not None and isinstance(observed, expected[0]) and expected[1] in str(observed)
    )
    return {
        "status": "reproduced" if is_lecture else "error",
        "works": False,
        "error": _error(observed),
        "as_pinned": as_pinned,
    }


GROUPS = ("version", "numeric", "backend", "python")


def _place(args: argparse.Namespace) -> dict:
    """Where this run sits in docs/compat.md: file name, table group and column label."""
    hidden = "".join(f" without {package}" for package in args.without)
    variant = args.label or hidden.strip()
    if NUMERIC_ENV is not None and not args.label:
        variant = NUMERIC_ENV.title
    name = args.name or f"tf{compat.tf_minor()}" + "".join(f"-no-{p}" for p in args.without)
    return {"name": name, "group": args.group, "variant": variant}


def _problem() -> dict:
    """The problem every route was run on: compare refuses to set runs of two problems side
    by side."""
    x, _ = fitters.lecture_dataset()
    return {
        "data": "fitters.lecture_dataset()",
        "n": len(x),
        "p": 1,
        "init": [-5.0, 10.0],
        "lr": 0.1,
        "epochs": LECTURE_EPOCHS,
    }


def _reference(before: float, after: float, runs: int) -> dict:
    """The reference computation, timed at the start and at the end of the probe (the load
    may change meanwhile); compare divides costs by their mean."""
    return {
        "what": REFERENCE,
        "seconds": (before + after) / 2,
        "seconds_before": before,
        "seconds_after": after,
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "compat" / "results")
    parser.add_argument("--repeats", type=int, default=3, help="timing pairs per route (best kept)")
    parser.add_argument("--no-timing", action="store_true", help="skip the per-epoch cost")
    parser.add_argument(
        "--without",
        metavar="PACKAGE",
        action="append",
        default=[],
        help="probe as if PACKAGE were not installed (e.g. tf_keras: what a TF >= 2.16 user "
        "without the Keras 2 package gets); the result file and column are named after it",
    )
    parser.add_argument("--name", help="result file stem (default tfX.Y[-no-PACKAGE])")
    parser.add_argument(
        "--group", choices=GROUPS, default="version", help="the docs/compat.md table it joins"
    )
    parser.add_argument("--label", help="column label after 'TF X.Y' (default: the variant)")
    parser.add_argument(
        "--routes",
        metavar="NAME,...",
        type=lambda text: [n.strip() for n in text.split(",") if n.strip()],
        help="probe only these routes, no toy or pitfalls (e.g. the Keras fit routes on "
        "another Keras backend)",
    )
    args = parser.parse_args(argv)
    unknown = sorted(set(args.routes or ()) - set(fitters.ROUTES))
    if unknown:
        known = ", ".join(fitters.ROUTES)
        parser.error(f"unknown route(s) {', '.join(unknown)}; choose from {known}")
    for package in args.without:
        if sys.modules.get(package) is not None:
            raise SystemExit(f"--without {package}: it was imported before the probe started")
        sys.modules[package] = None  # type: ignore[assignment]  # import raises ImportError

    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    place = _place(args)
    result: dict = {
        "kind": "compat-probe",
        "tf": compat.tf_minor(),
        "variant": place["variant"],
        "group": place["group"],
        "numeric_env": None if NUMERIC_ENV is None else NUMERIC_ENV.name,
        "versions": _versions(),
    }
    result["nightly"] = _nightly_date(result["versions"]["tensorflow"])
    result["problem"] = _problem()
    reference_before = reference_seconds(REFERENCE_RUNS)
    result.update(routes={}, toy={}, pitfalls={})
    for package in args.without:
        result["versions"][package] = "(hidden)"
    result["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform(terse=True)}
    try:
        legacy = compat.minimize_keras()
        result["minimize_keras"] = "tf.keras" if legacy is compat.keras() else legacy.__name__
    except ImportError:
        result["minimize_keras"] = "none (not available)"
    selected = args.routes or list(fitters.ROUTES)
    for name in selected:
        route = fitters.ROUTES[name]
        variants = [("", {})]
        for option, values in getattr(route, "variants", {}).items():
            default = values[0]
            variants += [(f"{option}={v}", {option: v}) for v in values if v != default]
        for label, options in variants:
            key = f"{name} ({label})" if label else name
            t0 = time.perf_counter()
            result["routes"][key] = probe_route(
                route, options, args.repeats, not (args.no_timing or label)
            )
            print(
                f"{key:40s} {result['routes'][key]['status']:14s} {time.perf_counter() - t0:6.1f}s",
                flush=True,
            )
    if args.routes is None:
        for how in ("apply_gradients", "minimize"):
            result["toy"][how] = probe_toy(how)
            print(f"toy.{how:35s} {result['toy'][how]['status']}", flush=True)
        result["pitfalls"] = {
            f"{optimizer}/{kind}": probe_pitfall(optimizer, kind)
            for optimizer in compat.PITFALL_OPTIMIZERS
            for kind in compat.PITFALL_KINDS
        }
        for key, value in result["pitfalls"].items():
            print(
                f"pitfall {key:32s} {value['status']:14s} as pinned: {value.get('as_pinned')}",
                flush=True,
            )
    result["numpy_baseline_ms_per_epoch"] = numpy_baseline(args.repeats)
    result["reference"] = _reference(
        reference_before, reference_seconds(REFERENCE_RUNS), REFERENCE_RUNS
    )
    result["probe_seconds"] = round(time.perf_counter() - started, 1)
    result["machine"]["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]

    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{place['name']}.json"
    path.write_text(json.dumps(result, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
