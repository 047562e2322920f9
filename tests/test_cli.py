"""The command line: exit status, table and --json agree, pictures are real PNGs, and a
malformed data file is one clear line and exit 2.

Kept fast: only closed forms and the quick float64 gradient routes run, with few epochs;
the Keras routes run in the README's real report, not here.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fitters import tolerances
from fitters.cli import Progress, main
from fitters.report import DataFileError, load_csv

DATA = Path(__file__).parent / "data"
FAST = "closed_form_scalar,normal_equation_inv,normal_equation_solve,tape_vector,compiled_core"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLUMNS = ["route", "form", "dtype", "epochs"]


def run(argv: list[str]) -> tuple[int, str, str]:
    """main(argv) in-process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


def table_rows(text: str) -> dict[str, dict[str, str]]:
    """Parse the printed table into {route: {column: cell}}."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("route "))
    header = lines[start].replace("time [s]", "time").split()
    rows = {}
    for line in lines[start + 2 :]:
        if not line.strip():
            break
        cells = line.split()
        assert len(cells) == len(header), f"ragged table row: {line!r}"
        rows[cells[0]] = dict(zip(header, cells, strict=True))
    return rows


@pytest.fixture(scope="module")
def lecture_run(tmp_path_factory):
    """One in-process run on the lecture's data with pictures: (status, stdout, outdir)."""
    outdir = tmp_path_factory.mktemp("report")
    status, out, err = run(["--routes", FAST, "--epochs", "200", "--output", str(outdir)])
    return status, out, err, outdir


# the default data, fast routes: exit 0, a row per route, every verdict pass
def test_lecture_run_passes(lecture_run):
    status, out, err, _ = lecture_run
    assert status == 0, out + err
    rows = table_rows(out)
    assert list(rows) == FAST.split(","), rows.keys()
    assert all(r["verdict"] == "pass" for r in rows.values()), out
    assert rows["tape_vector"]["epochs"] == "200"
    assert rows["closed_form_scalar"]["epochs"] == "0"
    assert "\r" not in err, "progress must stay quiet when stderr is not a terminal"


# the four pictures exist, are PNGs (signature and IHDR) and small enough to commit
@pytest.mark.parametrize("name", ["fit.png", "loss.png", "path.png", "timing.png"])
def test_pictures_are_png(lecture_run, name):
    path = lecture_run[3] / name
    assert path.is_file(), f"{name} was not written"
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE, f"{name} is not a PNG: {head[:8]!r}"
    assert head[12:16] == b"IHDR", f"{name}: no IHDR chunk"
    width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    assert 300 <= width <= 2000 and 150 <= height <= 1500, (name, width, height)
    assert 5_000 < path.stat().st_size < 150_000, (name, path.stat().st_size)


# report.json, written by the same run, holds the numbers the table printed
def test_report_json_matches_table(lecture_run):
    _, out, _, outdir = lecture_run
    doc = json.loads((outdir / "report.json").read_text())
    rows = table_rows(out)
    assert doc["exit_status"] == 0 and doc["passed"] is True
    assert doc["settings"] == {"init": [-5.0, 10.0], "lr": 0.1, "epochs": 200}
    assert sorted(Path(f).name for f in doc["figures"]) == [
        "fit.png",
        "loss.png",
        "path.png",
        "timing.png",
    ]
    for entry in doc["routes"]:
        row = rows[entry["route"]]
        for j, coef in enumerate(entry["coef"]):
            assert math.isclose(float(row[f"b{j}"]), coef, rel_tol=1e-9), (row, entry)
        for column, key in [
            ("|b-b*|", "error_vs_normal_equation"),
            ("|b-oracle|", "error_vs_oracle"),
            ("bound", "bound"),
        ]:
            assert math.isclose(float(row[column]), entry[key], rel_tol=6e-3), (column, entry)
        assert abs(float(row["time"]) - entry["seconds"]) <= 5e-4, entry
        assert row["verdict"] == entry["status"] == "pass"


# --json prints the same numbers as the table run (deterministic routes, same arguments)
def test_json_flag_matches_table(lecture_run, tmp_path):
    status, out, err = run(
        ["--routes", FAST, "--epochs", "200", "--json", "--no-plots", "--output", str(tmp_path)]
    )
    assert status == 0, err
    doc = json.loads(out)
    rows = table_rows(lecture_run[1])
    for entry in doc["routes"]:
        row = rows[entry["route"]]
        assert [float(row["b0"]), float(row["b1"])] == pytest.approx(entry["coef"], rel=1e-9)
        assert float(row["bound"]) == pytest.approx(entry["bound"], rel=6e-3)
    assert doc["figures"] == []


# a user's CSV: no true line, the scalar route applies to p = 1
def test_csv_one_predictor(tmp_path):
    status, out, err = run(
        [
            "--data",
            str(DATA / "line.csv"),
            "--routes",
            "closed_form_scalar,compiled_core",
            "--epochs",
            "50",
            "--output",
            str(tmp_path),
            "--checkpoints",
            "none",
        ]
    )
    assert status == 0, out + err
    assert "line.csv (n=12, p=1)" in out
    assert (tmp_path / "fit.png").is_file() and (tmp_path / "path.png").is_file()


# p = 2: one-predictor routes are "n/a", not failures; vector routes run
def test_csv_two_predictors_marks_scalar_routes_not_applicable(tmp_path):
    status, out, err = run(
        [
            "--data",
            str(DATA / "two_predictors.csv"),
            "--output",
            str(tmp_path),
            "--json",
            "--routes",
            "closed_form_scalar,normal_equation_solve,tape_scalar,compiled_core",
        ]
    )
    assert status == 0, err
    doc = json.loads(out)
    status_of = {r["route"]: r["status"] for r in doc["routes"]}
    assert status_of == {
        "closed_form_scalar": "n/a",
        "normal_equation_solve": "pass",
        "tape_scalar": "n/a",
        "compiled_core": "pass",
    }
    assert len(doc["normal_equation"]) == 3
    assert not (tmp_path / "path.png").exists(), "no (b0, b1) plane for p = 2"
    assert (tmp_path / "fit.png").is_file()


# only one-predictor routes on p = 2 data: nothing to run is a usage error
def test_only_inapplicable_routes_is_usage_error(tmp_path):
    status, _, err = run(
        [
            "--data",
            str(DATA / "two_predictors.csv"),
            "--routes",
            "tape_scalar",
            "--output",
            str(tmp_path),
        ]
    )
    assert status == 2 and "none of the selected routes" in err


# malformed CSVs: exit 2, one line naming the problem
@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("bad_missing_y.csv", "missing column 'y'"),
        ("bad_non_numeric.csv", "line 4: column 'y' value 'abc' is not a number"),
        ("bad_one_row.csv", "1 data row(s)"),
        ("no_such_file.csv", "no such file"),
    ],
)
def test_malformed_csv(tmp_path, fixture, expected):
    status, out, err = run(["--data", str(DATA / fixture), "--output", str(tmp_path)])
    assert status == 2, (fixture, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"{fixture}: want one error line, got {lines}"
    assert expected in lines[0] and fixture in lines[0], lines[0]
    assert out == ""


# a readable file whose data cannot be fitted (constant x) is also bad usage
def test_constant_predictor_is_usage_error(tmp_path):
    bad = tmp_path / "flat.csv"
    bad.write_text("x,y\n1,2\n1,3\n1,4\n")
    status, _, err = run(["--data", str(bad), "--output", str(tmp_path)])
    assert status == 2 and "flat.csv" in err and "constant" in err, err


# argparse errors: unknown route (with a suggestion), bad numbers
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--routes", "tape_vectr"], "did you mean 'tape_vector'"),
        (["--epochs", "-3"], "must be >= 0"),
        (["--lr", "0"], "must be finite and > 0"),
        (["--lr", "fast"], "is not a number"),
    ],
)
def test_bad_usage_exits_2(argv, expected):
    status, _, err = run(argv)
    assert status == 2 and expected in err, err


# a route outside its bound makes the run exit 1 (here: a bound of zero)
def test_failure_exits_1(tmp_path, monkeypatch):
    def zero_bound(*args, **kwargs):
        bound = tolerances.route_bound(*args, **kwargs)
        return tolerances.Bound(bound.expected, 0.0, "zero, for the test")

    monkeypatch.setattr("fitters.report.route_bound", zero_bound)
    status, out, _ = run(
        ["--routes", "closed_form_scalar", "--no-plots", "--output", str(tmp_path)]
    )
    assert status == 1, out
    assert table_rows(out)["closed_form_scalar"]["verdict"] == "FAIL"


# a learning rate beyond 2/lambda_max diverges: reported, exit 1, not a crash
def test_divergence_exits_1(tmp_path):
    status, out, _ = run(
        [
            "--routes",
            "compiled_core",
            "--lr",
            "5",
            "--epochs",
            "2000",
            "--no-plots",
            "--output",
            str(tmp_path),
        ]
    )
    assert status == 1, out
    assert table_rows(out)["compiled_core"]["verdict"] == "DIVERGED"
    assert "Use a smaller learning rate" in out


# the progress ticker writes only to a terminal, and erases its line when done
def test_progress_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    quiet, tty = io.StringIO(), Terminal()
    for stream in (quiet, tty):
        with Progress(stream) as progress:
            progress.update("[1/2] tape_vector")
    assert quiet.getvalue() == ""
    assert "\r[1/2] tape_vector" in tty.getvalue() and tty.getvalue().endswith("\r")


# the real entry point in a fresh interpreter: python -m fitters on the CSV fixture
def test_subprocess_module_entry_point(tmp_path):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "fitters",
            "--data",
            str(DATA / "line.csv"),
            "--routes",
            "closed_form_scalar,normal_equation_solve,compiled_core",
            "--epochs",
            "20",
            "--output",
            str(tmp_path),
            "--no-plots",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = table_rows(proc.stdout)
    assert set(rows) == {"closed_form_scalar", "normal_equation_solve", "compiled_core"}
    assert json.loads((tmp_path / "report.json").read_text())["passed"] is True


# every way a CSV can be malformed is named, with its line where there is one
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("y\n1\n2\n", "missing column 'x'"),
        ("x2,y\n1,2\n2,3\n3,5\n", "missing column 'x1'"),
        ("x,x1,y\n1,2,3\n2,3,5\n4,4,4\n", "either one column 'x' or x1"),
        ("id,x,y\n1,2,3\n", "unexpected column 'id'"),
        ("x,x,y\n1,2,3\n", "appears twice"),
        ("x;y\n1;2\n2;3\n", "separate columns with commas"),
        ("x,y\n1,2\n2\n3,4\n", "line 3: 1 field(s)"),
        ("x,y\n1,2\n2,\n3,4\n", "line 3: column 'y' is empty"),
        ("x,y\n1,2\nnan,3\n3,4\n", "line 3: column 'x' value 'nan' is not a finite number"),
        ("x1,x2,y\n1,2,3\n2,1,5\n", "need at least 3"),
        ("", "the file is empty"),
    ],
)
def test_load_csv_errors(tmp_path, text, expected):
    path = tmp_path / "user.csv"
    path.write_text(text)
    with pytest.raises(DataFileError, match=re.escape(expected)):
        load_csv(path)


# headers are matched without case or padding; x1..xp are taken in their numeric order
def test_load_csv_reads_columns_by_name(tmp_path):
    path = tmp_path / "user.csv"
    path.write_text("\ufeff Y , X2,x1\n1,10,100\n2,20,200\n\n3,30,300\n")
    data = load_csv(path)
    assert data.y.tolist() == [1, 2, 3]
    assert data.x.tolist() == [[100, 10], [200, 20], [300, 30]]
    assert not data.is_lecture
