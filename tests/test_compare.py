"""The drift report, ``python -m fitters compare``: one test per verdict, on hand-made files.

tests/data/compare/base.json is a probe's result for four routes; every other file changes
one thing in it (its name says what), or is the report's JSON, or is bad input.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fitters import compare

DATA = Path(__file__).parent / "data" / "compare"


def run(capsys, *args: str) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``compare.main`` on files of tests/data/compare."""
    argv = [str(DATA / a) if a.endswith(".json") else a for a in args]
    try:
        status = compare.main(argv)
    except SystemExit as exc:  # argparse's own exit on a bad option
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


def row(out: str, route: str) -> list[str]:
    """The table row of ``route``, split on runs of two or more spaces."""
    import re

    for line in out.splitlines():
        if line.startswith(route + " "):
            return re.split(r"\s{2,}", line.strip())
    raise AssertionError(f"no row for {route} in:\n{out}")


def test_identical_runs_do_not_drift(capsys):
    status, out, _ = run(capsys, "base.json", "base.json")
    assert status == 0, out
    assert row(out, "tape_vector") == [
        "tape_vector",
        "reproduced",
        "0.0e+00",
        "2.1e-11",
        "1x",
        "ok",
    ]
    assert "4 routes compared: nothing drifted (exit 0)." in out


def test_slower_machine_is_normalized_away(capsys):
    # every cost doubled, and so did the reference computation: the same relative cost
    status, out, _ = run(capsys, "base.json", "slower_machine.json")
    assert status == 0, out
    assert row(out, "keras_sequential")[4] == "1x"


def test_cost_growth_beyond_threshold_drifts(capsys):
    # keras_sequential twice as slow on the same machine: 2x > 1.5x
    status, out, _ = run(capsys, "base.json", "keras_slower.json")
    assert status == 1, out
    assert row(out, "keras_sequential")[4:] == ["2x", "DRIFT"]
    assert "keras_sequential: DRIFT: cost x2 > x1.5" in out
    assert row(out, "tape_vector")[-1] == "ok"


def test_reference_timed_beside_the_route_is_preferred(capsys):
    # keras_sequential twice as slow, but the reference timed beside it was too (the machine
    # got busy during that route's timing): the same relative cost
    status, out, _ = run(capsys, "base.json", "keras_slower_under_load.json")
    assert status == 0, out
    assert row(out, "keras_sequential")[4:] == ["1x", "ok"]


def test_threshold_option_sets_the_cost_gate(capsys):
    status, out, _ = run(capsys, "base.json", "keras_slower.json", "--threshold", "2.5")
    assert status == 0, out
    assert "drift above x2.5" in out


def test_last_bits_changed_within_bound_is_reported_not_failed(capsys):
    # float32 result one ulp off the printout: no longer reproduced, still within its bound
    status, out, _ = run(capsys, "base.json", "last_bits.json")
    assert status == 0, out
    cells = row(out, "keras_sequential")
    assert cells[1] == "reproduced -> in bound" and cells[-1] == "ok"
    assert float(cells[2]) == pytest.approx(2.38e-7, rel=0.01)
    assert "course numbers no longer reproduced (still within the bound)" in out


def test_move_beyond_the_bound_drifts_even_if_each_run_is_within_it(capsys):
    # both runs within 2.07e-11 of the oracle, on opposite sides: they differ by 3e-11
    status, out, _ = run(capsys, "base.json", "moved_beyond.json")
    assert status == 1, out
    assert row(out, "tape_vector")[1:] == [
        "reproduced -> in bound",
        "3.0e-11",
        "2.1e-11",
        "1x",
        "DRIFT",
    ]
    assert "tape_vector: DRIFT: moved 3e-11 > bound 2.1e-11" in out


@pytest.mark.parametrize(
    "files", [("base.json", "looser_bound.json"), ("looser_bound.json", "base.json")]
)
def test_the_larger_of_the_two_bounds_applies(capsys, files):
    # the same 3e-11 move, but one file recorded a looser bound (1e-10): within it, either way
    status, out, _ = run(capsys, *files)
    assert status == 0, out
    assert row(out, "tape_vector")[2:4] == ["3.0e-11", "1.0e-10"]
    assert "the larger of the two files' derived bounds" in out


def test_outside_bound_drifts(capsys):
    status, out, _ = run(capsys, "base.json", "outside.json")
    assert status == 1, out
    assert row(out, "tape_vector")[1] == "reproduced -> OUT of bound"
    assert "tape_vector: DRIFT: now OUT of bound" in out


def test_error_drifts_and_says_what_broke(capsys):
    status, out, _ = run(capsys, "base.json", "keras_error.json")
    assert status == 1, out
    assert row(out, "keras_sequential")[1] == "reproduced -> error"
    assert "keras_sequential: DRIFT: now error" in out
    assert "NEW error: ValueError: Input 0 of layer" in out


def test_lost_availability_drifts_and_regained_does_not(capsys):
    status, out, _ = run(capsys, "base.json", "minimize_unavailable.json")
    assert status == 1, out
    assert row(out, "minimize_scalar")[1] == "reproduced -> n/a"
    assert "minimize_scalar: DRIFT: no longer available" in out
    assert "pip install 'tf_keras~=2.21.0'" in out
    status, out, _ = run(capsys, "minimize_unavailable.json", "base.json")
    assert status == 0, out
    assert row(out, "minimize_scalar")[1] == "n/a -> reproduced"


def test_route_missing_from_new_drifts_and_a_new_route_does_not(capsys):
    status, out, _ = run(capsys, "base.json", "route_missing.json")
    assert status == 1, out
    assert row(out, "normal_equation_inv")[1] == "reproduced -> missing"
    status, out, _ = run(capsys, "route_missing.json", "base.json")
    assert status == 0, out
    assert "normal_equation_inv: new in" in out


def test_routes_option_limits_the_comparison(capsys):
    status, out, _ = run(capsys, "base.json", "keras_slower.json", "--routes", "tape_vector")
    assert status == 0, out
    assert "1 routes compared" in out and "keras_sequential" not in out


def test_report_json_without_reference_makes_cost_not_comparable(capsys):
    # a probe against the report's JSON of the same problem: the report records neither a
    # reference timing nor reproduction, so cost is skipped and reproduced == within bound
    status, out, _ = run(capsys, "base.json", "report.json")
    assert status == 0, out
    assert "cost: not comparable: no reference timing in" in out
    assert "report.json" in out
    assert row(out, "keras_sequential")[1:] == ["in bound", "0.0e+00", "9.2e-03", "–", "ok"]


def test_json_output_carries_the_verdicts(capsys):
    status, out, _ = run(capsys, "base.json", "keras_error.json", "--json")
    assert status == 1
    data = json.loads(out)
    assert data["drifted"] == ["keras_sequential"] and data["exit_status"] == 1
    by_route = {r["route"]: r for r in data["routes"]}
    assert by_route["keras_sequential"]["new"] == "error"
    assert by_route["tape_vector"]["cost_ratio"] == pytest.approx(1.0)


def test_markdown_is_appended(capsys, tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    status, _, _ = run(capsys, "base.json", "keras_slower.json", "--markdown", str(summary))
    text = summary.read_text(encoding="utf-8")
    assert status == 1 and text.startswith("earlier step\n## Drift report")
    assert "| keras_sequential | reproduced | 0.0e+00 | 9.2e-03 | 2x | DRIFT |" in text


def test_table_fits_100_columns(capsys):
    for new in ("keras_error.json", "minimize_unavailable.json", "report.json"):
        _, out, _ = run(capsys, "base.json", new)
        wide = [line for line in out.splitlines() if len(line) > 100]
        assert not wide, f"{new}: lines over 100 columns: {wide}"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("base.json", "nonexistent.json", "nonexistent.json: no such file"),
        ("base.json", "broken.json", "broken.json: not JSON"),
        ("not_a_result.json", "base.json", "not a result file; expected what tools/compat_probe"),
        ("report.json", "report_other_data.json", "ran different problems (data:"),
    ],
)
def test_bad_input_exits_2_with_the_reason(capsys, old, new, message):
    status, out, err = run(capsys, old, new)
    assert status == 2 and out == ""
    assert err.startswith("python -m fitters compare: error: ") and message in err, err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--threshold", "0.9"], "give a number above 1"),
        (["--threshold", "fast"], "'fast' is not a number"),
        (["--routes", "no_such_route"], "route(s) no_such_route in neither file"),
    ],
)
def test_bad_options_exit_2(capsys, args, message):
    status, _, err = run(capsys, "base.json", "base.json", *args)
    assert status == 2 and message in err, err


def test_python_m_fitters_compare_routes_here_without_tensorflow():
    # the subcommand is dispatched before the report's argparse, and imports no TensorFlow
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['fitters', 'compare', {str(DATA / 'base.json')!r}, "
        f"{str(DATA / 'keras_error.json')!r}]\n"
        "try:\n"
        "    runpy.run_module('fitters', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    print('exit', exc.code, 'tensorflow' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "keras_sequential: DRIFT: now error" in proc.stdout
    assert proc.stdout.strip().endswith("exit 1 False"), proc.stdout[-300:]
