"""Mutation testing of the routes, the loss log, validation and the Route type, with mutmut.

mutmut 3 copies each function it mutates into variants behind a trampoline that picks the
variant named by MUTANT_UNDER_TEST at call time, so all mutants of a file live in one import
of it. It first runs the test pool once with the trampolines recording which test called which
function; each mutant then runs, in a process forked from a warm server (TensorFlow imported
and the tests collected once), only the tests of the pool that called its function, fastest
first, stopping at the first failure. Configuration: ``[tool.mutmut]`` in pyproject.toml.

The run happens in a staged copy (``build/mutation``: fitters/, tests/, docs/, conftest.py,
pyproject.toml), so mutmut's ``mutants/`` directory and cache stay out of the tree. The cache
keeps each mutant's verdict until its function changes; ``--fresh`` discards it.

Run:  python tools/mutation.py                    (tox -e mutation: every mutant)
      python tools/mutation.py 'fitters.validation*'   (re-run one file's mutants)
      python tools/mutation.py --summary          (only re-read the results)

Writes build/mutation/summary.md: per-file counts, the score, and every surviving mutant's
diff, marked as argued equivalent when it is in EQUIVALENT below (docs/power-mutation.md has
the arguments). An equivalent whose diff no longer matches is reported as stale.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "mutation"
STAGED = ("fitters", "tests", "docs", "examples", "conftest.py", "pyproject.toml")

#: property checks of these routes stand for all routes where the mutated code is shared:
#: an eager float64 route (LossLog.record), a float32 one, the compiled one (record_many)
_SHARED = "tape_vector or tape_scalar or compiled_core"


def _routes_group(files: list[str], routes: str, *extra: str) -> tuple[list[str], list[str], str]:
    """A route file's group: the property checks, golden, divergence and global-state tests
    of its routes."""
    pool = [
        "tests/test_properties.py",
        "tests/test_golden.py",
        "tests/test_divergence.py",
        "tests/test_global_state.py",  # e.g. a route's answer whatever Keras' floatx says
    ]
    return files, [*pool, *extra, "tests/test_mutants_routes.py"], f"{routes} or test_mutants"


#: group -> (files mutated, test pool, pytest -k over the pool). Each group runs in its own
#: staged copy with its own cache, so one group can be (re-)run alone; a route file's pool is
#: the tests of the routes it defines, shared code's pool the tests of representative routes.
GROUPS: dict[str, tuple[list[str], list[str], str]] = {
    "closed_form": _routes_group(
        ["fitters/routes/closed_form.py"],
        "closed_form_scalar or normal_equation_inv or normal_equation_solve",
    ),
    "gradient": _routes_group(
        ["fitters/routes/gradient.py", "fitters/routes/tensors.py"],
        "analytic_gradient or tape_vector or tape_scalar",
    ),
    "optimizer": _routes_group(
        ["fitters/routes/optimizer.py"],
        "apply_gradients_vector or apply_gradients_scalar or minimize_vector or minimize_scalar",
        "tests/test_pitfalls.py",
    ),
    "keras_fit": _routes_group(
        ["fitters/routes/keras_fit.py"], "keras_sequential or keras_dense_bias"
    ),
    "compiled": _routes_group(
        ["fitters/routes/compiled.py"], "compiled_core", "tests/test_compiled_core.py"
    ),
    "losslog": (
        ["fitters/losslog.py"],
        [
            "tests/test_properties.py",
            "tests/test_golden.py",
            "tests/test_divergence.py",
            "tests/test_compiled_core.py",
            "tests/test_mutants_losslog.py",
        ],
        f"not test_properties or {_SHARED}",
    ),
    "route_type": (
        ["fitters/route_type.py", "fitters/from_function.py"],
        [
            "tests/test_properties.py",
            "tests/test_golden.py",
            "tests/test_validation.py",
            "tests/test_plugin.py",
            "tests/test_mutants_route_type.py",
        ],
        # the plugin's subprocess tests import the unmutated package: they cannot kill; a
        # warning's attribution to the caller sees mutmut's trampoline as the caller
        f"(not test_properties or {_SHARED} or normal_equation_solve) and not test_plugin_ "
        "and not test_plain_functions_with_metadata and not test_testing_without_hypothesis "
        "and not test_the_warning_is_attributed_to_the_caller",
    ),
    "validation": (
        ["fitters/validation.py"],
        [
            "tests/test_properties.py",
            "tests/test_golden.py",
            "tests/test_validation.py",
            "tests/test_moments.py",  # the one-pass moments and streamed sources paths
            "tests/test_scale.py",
            "tests/test_mutants_validation.py",
        ],
        f"not test_properties or {_SHARED} or normal_equation_solve",
    ),
}

#: mutmut leaves decorated functions alone; in the staged copy these decorators are applied
#: after the def instead (the same function object), so the functions are mutated too:
#: (file, decorator line as written, the function's first line, where the call goes)
DESUGAR = (
    (
        "fitters/routes/compiled.py",
        "@tf.function(jit_compile=True)\n",
        "def _gd_chunk(",
        "\n_PROGRAMS: ",
        "_gd_chunk = tf.function(jit_compile=True)(_gd_chunk)\n",
    ),
    (
        "fitters/from_function.py",
        "    @functools.wraps(function)\n",
        "    def impl(",
        "\n    return impl\n",
        "    impl = functools.wraps(function)(impl)\n",
    ),
)

#: a pytest plugin for the staged run: in mutmut's traced run, re-trace the compiled loop in
#: every test (a fresh tf.function), so each test that runs it is recorded as covering it;
#: in a mutant's run, order its tests fastest first (the first failure ends the run)
SUPPORT = '''"""Staged by tools/mutation.py (mutation runs only)."""

import json
import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _retrace_the_compiled_loop_in_the_traced_run():
    if os.environ.get("MUTANT_UNDER_TEST") == "stats":
        import tensorflow as tf

        from fitters.routes import compiled

        compiled._PROGRAMS.clear()
        compiled._gd_chunk = tf.function(jit_compile=True)(compiled._gd_chunk.python_function)
    yield


def pytest_collection_modifyitems(items):
    # a mutant's tests fastest first, as mutmut orders them only without a fork server
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    stats = Path("mutmut-stats.json")
    if "__mutmut_" not in mutant or not stats.exists():
        return
    duration = json.loads(stats.read_text()).get("duration_by_test", {})
    items.sort(key=lambda item: duration.get(item.nodeid, float("inf")))
'''


#: what the fork server imports before forking mutants: libraries and the package, nothing
#: that runs TensorFlow (see pyproject.toml)
PRELOAD = (
    "tensorflow",
    "keras",
    "tf_keras",
    "numpy",
    "numba",
    "hypothesis",
    "pytest",
    "fitters.registry",
    "fitters.testing",
)


def _desugar(where: Path) -> None:
    for path, decorator, first, anchor, call in DESUGAR:
        text = (where / path).read_text()
        count = text.count(decorator + first)
        if count == 0 or text.count(anchor) < count:
            print(f"warning: {path}: {decorator.strip()} not found; its function is not mutated")
            continue
        text = text.replace(decorator + first, first)
        if anchor.startswith("\n    return"):  # nested: before each return of the closure
            text = text.replace(anchor, "\n" + call + anchor[1:])
        else:
            text = text.replace(anchor, "\n" + call + anchor, 1)
        mtime = (ROOT / path).stat().st_mtime  # as the source's: mutmut compares mtimes
        (where / path).write_text(text)
        os.utime(where / path, (mtime, mtime))


#: mutant name -> (the mutated line as mutmut shows it, one-line reason); the full argument
#: for each is in docs/power-mutation.md
EQUIVALENT: dict[str, tuple[str, str]] = {
    "fitters.routes.compiled.x__gd_chunk__mutmut_7": (
        "p2 = (math.isqrt(4 * length + 3) - 1) // 2",
        "4 length - 3 = (2 p2 + 1)^2 and (2 p2 + 1)^2 + 6 < (2 p2 + 2)^2 for p2 >= 1: same isqrt",
    ),
    "fitters.routes.compiled.x__gd_chunk__mutmut_98": (
        "taken, beta, losses, _ = tf.while_loop(cond, body, init, maximum_iterations=None)",
        "the loop already stops at steps <= CHUNK (compiled_core's min(CHUNK, ...))",
    ),
    "fitters.routes.compiled.x__gd_chunk__mutmut_102": (
        "taken, beta, losses, _ = tf.while_loop(cond, body, init, )",
        "as maximum_iterations=None: the loop already stops at steps <= CHUNK",
    ),
    "fitters.routes.compiled.x__program__mutmut_1": (
        "program = None",
        "no cache: get_concrete_function returns tf.function's cached trace, the same program",
    ),
    "fitters.routes.compiled.x__program__mutmut_2": (
        "program = _PROGRAMS.get(None)",
        "always None: as mutmut_1, the same program from tf.function's own trace cache",
    ),
    "fitters.routes.compiled.x__program__mutmut_13": (
        "tf.TensorSpec([p2 * p2 + p2 + 2], tf.float64)",
        "traced one longer: same p2 (isqrt), the extra slot never read; XLA runs the real shape",
    ),
    "fitters.routes.compiled.x_second_moments__mutmut_2": (
        "mom = pb.moments if (pb.moments is not None) and False else "
        "_moments.of_arrays(pb.x, pb.y)",
        "recomputes the moments by the call validation made on the same arrays: the same bits",
    ),
    "fitters.routes.compiled.x_compiled_core__mutmut_4": (
        "return np.asarray(init, dtype=None)",
        "init is already check_init's float64 (p+1,) array: the same array either way",
    ),
    "fitters.routes.compiled.x_compiled_core__mutmut_6": (
        "return np.asarray(init, )",
        "as mutmut_4",
    ),
    "fitters.routes.compiled.x_compiled_core__mutmut_10": (
        "p2 = moments.shape[1]",
        "M is square",
    ),
    "fitters.routes.compiled.x_compiled_core__mutmut_23": (
        "packed[: p2 * p2] = moments.reshape(-2)",
        "NumPy (1.26 to 2.x) reads any negative size as the unknown one: reshape(-1)",
    ),
    "fitters.routes.compiled.x_compiled_core__mutmut_26": (
        "beta = np.asarray(init, dtype=None)",
        "as mutmut_4: init is already float64",
    ),
    "fitters.routes.compiled.x_compiled_core__mutmut_28": (
        "beta = np.asarray(init, )",
        "as mutmut_4: init is already float64",
    ),
    "fitters.losslog.xǁLossLogǁrecord_many__mutmut_10": (
        "values = np.asarray(losses, dtype=np.float64).reshape(-2)",
        "NumPy (1.26 to 2.x) reads any negative size as the unknown one: reshape(-1)",
    ),
    "fitters.routes.gradient.x_tape_scalar__mutmut_26": (
        "return np.array([beta0.numpy(), beta1.numpy()], dtype=None)",
        "a float32 array instead; Route._coef casts it to float64 exactly, nothing else reads it",
    ),
    "fitters.routes.gradient.x_tape_scalar__mutmut_28": (
        "return np.array([beta0.numpy(), beta1.numpy()], )",
        "as mutmut_26",
    ),
    "fitters.routes.optimizer.x_apply_gradients_scalar__mutmut_28": (
        "return np.array([beta0.numpy(), beta1.numpy()], dtype=None)",
        "as gradient.x_tape_scalar__mutmut_26: float32 values, cast exactly by Route._coef",
    ),
    "fitters.routes.optimizer.x_apply_gradients_scalar__mutmut_30": (
        "return np.array([beta0.numpy(), beta1.numpy()], )",
        "as gradient.x_tape_scalar__mutmut_26",
    ),
    "fitters.routes.optimizer.x_minimize_scalar__mutmut_29": (
        "return np.array([beta0.numpy(), beta1.numpy()], dtype=None)",
        "as gradient.x_tape_scalar__mutmut_26",
    ),
    "fitters.routes.optimizer.x_minimize_scalar__mutmut_31": (
        "return np.array([beta0.numpy(), beta1.numpy()], )",
        "as gradient.x_tape_scalar__mutmut_26",
    ),
    "fitters.routes.keras_fit.x__fit__mutmut_28": (
        "common = dict(epochs=epochs, shuffle=None, verbose=0, callbacks=[Monitor()])",
        "Keras' data adapters test shuffle for truth: None is False, the same one full batch",
    ),
    "fitters.routes.keras_fit.x__fit__mutmut_29": (
        "common = dict(epochs=epochs, shuffle=False, verbose=None, callbacks=[Monitor()])",
        "Keras' Progbar prints only for verbose 1 or 2: None prints nothing, as 0",
    ),
    "fitters.routes.keras_fit.x__fit__mutmut_20": (
        "x, y = inputs.astype(None), pb.y[:, None].astype(np.float32)",
        "float64 inputs: the float32 model casts them on the way in, the same rounding",
    ),
    "fitters.routes.keras_fit.x__fit__mutmut_21": (
        "x, y = inputs.astype(np.float32), pb.y[:, None].astype(None)",
        "float64 targets: the loss casts y_true to the prediction's float32, the same rounding",
    ),
    "fitters.routes.keras_fit.x_keras_sequential__mutmut_10": (
        '[keras.Input(shape=(pb.p + 1,)), keras.layers.Dense(1, use_bias=None, dtype="float32")]',
        "Keras tests use_bias for truth: None builds the same layer without a bias",
    ),
    "fitters.routes.keras_fit.x_keras_dense_bias__mutmut_11": (
        '[keras.Input(shape=(pb.p,)), keras.layers.Dense(1, dtype="float32")]',
        "use_bias=True is Dense's default",
    ),
    "fitters.routes.keras_fit.x_keras_dense_bias__mutmut_18": (
        "model.set_weights([init[1:, None].astype(None), init[:1].astype(np.float32)])",
        "float64 weights: set_weights casts them to the float32 variable, the same rounding",
    ),
    "fitters.routes.keras_fit.x_keras_dense_bias__mutmut_20": (
        "model.set_weights([init[1:, None].astype(np.float32), init[:1].astype(None)])",
        "as mutmut_18",
    ),
    "fitters.routes.keras_fit.x_keras_dense_bias__mutmut_37": (
        "return np.concatenate([bias, kernel[:, 0]]).astype(None)",
        "astype(None) is astype(float64)",
    ),
    "fitters.routes.keras_fit.x_keras_sequential__mutmut_20": (
        "model.set_weights([init[:, None].astype(None)])",
        "float64 weights: set_weights casts them to the float32 variable, the same rounding",
    ),
    "fitters.routes.keras_fit.x_keras_sequential__mutmut_35": (
        "return model.get_weights()[0][:, 0].astype(None)",
        "astype(None) is astype(float64)",
    ),
    "fitters.from_function.x__read_only__mutmut_2": (
        "view.flags.writeable = None",
        "NumPy sets the flag to the value's truth: None makes the view read-only, as False",
    ),
    "fitters.from_function.x__iterative__mutmut_22": (
        "losses = np.asarray(losses, dtype=np.float64).reshape(None)",
        "reshape(None) is a view of the same shape; only .size and record_many (which flattens "
        "itself) read it",
    ),
    "fitters.from_function.x__iterative__mutmut_28": (
        "losses = np.asarray(losses, dtype=np.float64).reshape(-2)",
        "NumPy takes any negative size as the unknown one",
    ),
    "fitters.from_function.x_route__mutmut_66": (
        "records_loss=loss_history if iterative else True,",
        "Route.__post_init__ sets records_loss to False for every closed form",
    ),
    "fitters.route_type.x__in_package__mutmut_3": (
        'return module == "XXfittersXX" or module.startswith("fitters.")',
        "no code of fitters/__init__.py is on the stack when the warning is issued",
    ),
    "fitters.route_type.x__in_package__mutmut_4": (
        'return module == "FITTERS" or module.startswith("fitters.")',
        "as mutmut_3",
    ),
    "fitters.route_type.xǁRouteǁ_coef__mutmut_17": (
        "return coef.reshape(-2)",
        "NumPy takes any negative size as the unknown one",
    ),
    "fitters.route_type.xǁRouteǁ_warn_if_ill_conditioned__mutmut_31": (
        'while frame is not None and _in_package(frame.f_globals.get("__name__", "XXXX")):',
        'a frame without __name__ is outside fitters by "XXXX" as by ""',
    ),
}

#: mutmut's exit codes, grouped as the summary reports them
STATUS = {
    1: "killed",
    3: "killed",
    0: "survived",
    5: "no tests",
    33: "no tests",
    -24: "timeout",
    24: "timeout",
    36: "timeout",
    152: "timeout",
    255: "timeout",
    None: "not checked",
}


def stage(group: str, timeout_scale: float = 1.0) -> Path:
    """Copy the sources and tests into the group's stage, keeping mtimes (mutmut regenerates
    a file's mutants only when its source is newer than them), and write the group's
    only_mutate and test pool into the staged [tool.mutmut]."""
    files, pool, keyword = GROUPS[group]
    where = BUILD / group
    where.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in STAGED:
        src, dst = ROOT / name, where / name
        if dst.is_dir():
            shutil.rmtree(dst)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=ignore)
        else:
            shutil.copy2(src, dst)
    _desugar(where)
    (where / "mutmut_support.py").write_text(SUPPORT)
    (where / "mutmut_preload.txt").write_text("\n".join(PRELOAD) + "\n")
    selection = [test for test in pool if (ROOT / test).exists()] + ["-k", keyword]
    header = "[tool.mutmut]\n"
    text = (where / "pyproject.toml").read_text()
    if header not in text:
        raise SystemExit("pyproject.toml has no [tool.mutmut] section")
    if timeout_scale != 1.0:
        key = re.search(r"^timeout_multiplier = ([0-9.]+)$", text, re.M)
        if key is None:
            raise SystemExit("[tool.mutmut] has no timeout_multiplier to scale")
        scaled = f"timeout_multiplier = {float(key.group(1)) * timeout_scale}"
        text = text.replace(key.group(0), scaled)
    added = (
        f"only_mutate = {json.dumps(files)}\n"
        f"pytest_add_cli_args_test_selection = {json.dumps(selection)}\n"
    )
    (where / "pyproject.toml").write_text(text.replace(header, header + added, 1))
    return where


def run_mutmut(where: Path, patterns: list[str], children: int) -> int:
    env = dict(os.environ, HYPOTHESIS_PROFILE="mutation", TF_CPP_MIN_LOG_LEVEL="2")
    mutmut = Path(sys.executable).with_name("mutmut")
    cmd = [str(mutmut), "run", "--max-children", str(children), *patterns]
    return subprocess.call(cmd, cwd=where, env=env)


def _results(where: Path) -> dict[str, dict[str, int | None]]:
    """{source file: {mutant name: exit code}} from mutmut's .meta files of mutated files."""
    files = GROUPS[where.name][0]
    out = {}
    for meta in sorted((where / "mutants").rglob("*.py.meta")):
        source = str(meta.relative_to(where / "mutants"))[: -len(".meta")]
        if any(fnmatch.fnmatch(source, pattern) for pattern in files):
            out[source] = json.loads(meta.read_text()).get("exit_code_by_key", {})
    return out


def _diff(where: Path, name: str, source: str) -> str:
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    cwd = os.getcwd()
    os.chdir(where)
    try:
        return get_diff_for_mutant(name, path=source)
    finally:
        os.chdir(cwd)


def _changed_lines(diff: str) -> list[str]:
    return [
        line[1:].strip()
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def summarize(groups: list[str]) -> tuple[str, float]:
    """The summary (markdown) and the score: (killed + timeout) / (total - equivalent)."""
    rows, survivors, stale = [], [], []
    totals: Counter = Counter()
    results = [
        (BUILD / group, source, codes)
        for group in groups
        if (BUILD / group / "mutants").exists()
        for source, codes in _results(BUILD / group).items()
    ]
    for where, source, codes in results:
        counts = Counter(STATUS.get(code, "suspicious") for code in codes.values())
        equivalent = 0
        for name, code in sorted(codes.items()):
            if STATUS.get(code, "suspicious") in ("killed", "timeout", "not checked"):
                continue
            diff = _diff(where, name, source)
            argued = EQUIVALENT.get(name)
            if argued is not None and argued[0] in _changed_lines(diff):
                equivalent += 1
                survivors.append((name, "equivalent", argued[1], diff))
                continue
            if argued is not None:
                stale.append(name)
            survivors.append((name, STATUS.get(code, "suspicious"), "", diff))
        counts["equivalent"] = equivalent
        counts["total"] = len(codes)
        totals.update(counts)
        rows.append((source, counts))
    header = "| file | total | killed | timeout | survived | equivalent | no tests |"
    lines = [header, "|" + " --- |" * 7]
    for source, c in [*rows, ("**all**", totals)]:
        lines.append(
            f"| {source} | {c['total']} | {c['killed']} | {c['timeout']} | "
            f"{c['survived'] + c['suspicious'] - c['equivalent']} | {c['equivalent']} | "
            f"{c['no tests']} |"
        )
    denominator = totals["total"] - totals["equivalent"] - totals["not checked"]
    score = (totals["killed"] + totals["timeout"]) / denominator if denominator else 0.0
    lines += ["", f"score: {score:.1%} (killed + timeout) / (total - equivalent)", ""]
    if totals["not checked"]:
        lines.append(f"not checked yet: {totals['not checked']}")
    for name in stale:
        lines.append(f"STALE equivalent (its diff changed; re-argue or kill): {name}")
    for name, status, reason, diff in survivors:
        lines += [f"### {name}: {status}", *([reason] if reason else []), "```diff", diff, "```"]
    return "\n".join(lines) + "\n", score


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("patterns", nargs="*", help="mutant names or globs to (re-)run")
    parser.add_argument(
        "--group", action="append", choices=list(GROUPS), help="run these groups (default: all)"
    )
    parser.add_argument("--fresh", action="store_true", help="discard cached verdicts")
    parser.add_argument("--summary", action="store_true", help="only summarize the last run")
    parser.add_argument("--children", type=int, default=2, help="mutants tested at once")
    parser.add_argument("--nice", type=int, default=19, help="niceness of the run")
    parser.add_argument(
        "--no-confirm-timeouts",
        dest="confirm_timeouts",
        action="store_false",
        help="count timeouts as they are, without re-running them with more time",
    )
    args = parser.parse_args(argv)
    groups = args.group or list(GROUPS)
    if not args.summary:
        os.nice(args.nice)
        for group in groups:
            if args.fresh and (BUILD / group / "mutants").exists():
                shutil.rmtree(BUILD / group / "mutants")
            where = stage(group)
            start = time.monotonic()
            code = run_mutmut(where, args.patterns, args.children)
            load = os.getloadavg()
            print(
                f"{group}: mutmut finished in {time.monotonic() - start:.0f} s "
                f"(load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f})"
            )
            if code:
                return code
            timeouts = [
                name
                for codes in _results(where).values()
                for name, code in codes.items()
                if STATUS.get(code) == "timeout"
            ]
            if timeouts and args.confirm_timeouts:
                # a timeout counts as a kill only if it is a hang, not a starved process:
                # once more with four times the time
                print(f"{group}: confirming {len(timeouts)} timeout(s) with 4x the time")
                run_mutmut(stage(group, timeout_scale=4.0), timeouts, args.children)
                stage(group)  # back to the normal limits for the next run
    text, _ = summarize(groups)
    (BUILD / "summary.md").write_text(text)
    print(text)
    print(f"written to {BUILD / 'summary.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
