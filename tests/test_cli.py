"""The command line: exit status, table and --json agree, rows stream as routes finish,
worker processes give the sequential run's numbers, pictures hold only this run's files,
and usage errors come before TensorFlow, without its log lines.

Kept fast: only closed forms and the quick float64 gradient routes run, with few epochs;
the Keras routes run in the README's real report, not here. Three tests start TensorFlow in
other processes (the streaming test, the entry point, workers against a sequential run).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fitters import tolerances
from fitters.cli import Progress, main
from fitters.quiet import is_tensorflow_log
from fitters.report import RouteResult, schedule

DATA = Path(__file__).parent / "data"
FAST = "closed_form_scalar,normal_equation_inv,normal_equation_solve,tape_vector,compiled_core"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: lines TensorFlow prints at start-up, should one slip past the filter's pattern
TF_NOISE = ("oneDNN", "cuda", "cuInit", "absl::InitializeLog", "cpu_feature_guard")


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


def tf_lines(stderr: str) -> list[str]:
    return [
        line
        for line in stderr.splitlines()
        if is_tensorflow_log(line) or any(word in line for word in TF_NOISE)
    ]


def python_m_fitters(*argv: str, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL",)}
    env.pop("FITTERS_TF_LOGS", None)
    return subprocess.run(
        [sys.executable, "-m", "fitters", *argv],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
        cwd=cwd,
        **kwargs,
    )


@pytest.fixture(scope="module")
def lecture_run(tmp_path_factory):
    """One in-process run on the lecture's data with pictures: (status, stdout, outdir)."""
    outdir = tmp_path_factory.mktemp("report")
    status, out, err = run(
        ["--routes", FAST, "--epochs", "200", "--output", str(outdir), "--jobs", "1"]
    )
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
    assert "\r" not in err and "\x1b" not in err, "no terminal display when stderr is not one"


# the four pictures exist, are PNGs at 150 dpi (pHYs) and of a size fit to commit
@pytest.mark.parametrize("name", ["fit.png", "loss.png", "path.png", "timing.png"])
def test_pictures_are_png_at_150_dpi(lecture_run, name):
    path = lecture_run[3] / name
    assert path.is_file(), f"{name} was not written"
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{name} is not a PNG: {data[:8]!r}"
    assert data[12:16] == b"IHDR", f"{name}: no IHDR chunk"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert 900 <= width <= 2400 and 300 <= height <= 1500, (name, width, height)
    phys = data.index(b"pHYs")
    per_metre = int.from_bytes(data[phys + 4 : phys + 8], "big")
    assert round(per_metre * 0.0254) == 150, (name, per_metre)
    assert 10_000 < len(data) < 450_000, (name, len(data))


# report.json, written by the same run, holds the numbers the table printed
def test_report_json_matches_table(lecture_run):
    _, out, _, outdir = lecture_run
    doc = json.loads((outdir / "report.json").read_text())
    rows = table_rows(out)
    assert doc["exit_status"] == 0 and doc["passed"] is True and doc["jobs"] == 1
    assert doc["settings"] == {"init": [-5.0, 10.0], "lr": 0.1, "epochs": 200}
    assert sorted(Path(f).name for f in doc["figures"]) == [
        "fit.png",
        "loss.png",
        "path.png",
        "timing.png",
    ]
    assert doc["skipped_figures"] == {}
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
        assert entry["diverged_at_epoch"] is None


# the output folder holds exactly this run's files: the only files are the ones listed
def test_output_folder_holds_this_runs_files(lecture_run):
    outdir = lecture_run[3]
    doc = json.loads((outdir / "report.json").read_text())
    listed = {Path(f).name for f in doc["figures"]} | {"report.json"}
    assert {p.name for p in outdir.iterdir()} == listed


# --json prints the same numbers as the table run; --no-plots creates no folder at all
def test_json_flag_matches_table_and_no_plots_writes_nothing(lecture_run, tmp_path):
    outdir = tmp_path / "not-created"
    status, out, err = run(
        [
            *("--routes", FAST, "--epochs", "200", "--json", "--no-plots", "--jobs", "1"),
            *("--output", str(outdir)),
        ]
    )
    assert status == 0, err
    doc = json.loads(out)
    rows = table_rows(lecture_run[1])
    for entry in doc["routes"]:
        row = rows[entry["route"]]
        assert [float(row["b0"]), float(row["b1"])] == pytest.approx(entry["coef"], rel=1e-9)
        assert float(row["bound"]) == pytest.approx(entry["bound"], rel=6e-3)
    assert doc["figures"] == []
    assert not outdir.exists(), "--no-plots must not create the output folder"


# pictures that do not apply are skipped with the reason, and an earlier run's copy removed
def test_stale_pictures_removed_and_skips_explained(tmp_path):
    base = ["--output", str(tmp_path), "--jobs", "1"]
    status, _, err = run(["--routes", "compiled_core", "--epochs", "20", *base])
    assert status == 0, err
    assert (tmp_path / "path.png").is_file() and (tmp_path / "loss.png").is_file()
    keep = tmp_path / "notes.txt"
    keep.write_text("a user's own file")

    status, out, err = run(["--routes", "compiled_core", "--epochs", "0", *base])
    assert status == 0, err
    assert "skipped loss.png: --epochs 0" in out and "earlier run's copy was removed" in out
    assert not (tmp_path / "loss.png").exists() and not (tmp_path / "path.png").exists()

    two = ["--data", str(DATA / "two_predictors.csv"), "--routes", "compiled_core"]
    status, out, err = run([*two, "--epochs", "20", *base])
    assert status == 0, err
    assert "skipped path.png: 2 predictors" in out, out
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {"fit.png", "loss.png", "timing.png", "report.json", "notes.txt"}, names
    doc = json.loads((tmp_path / "report.json").read_text())
    assert set(doc["skipped_figures"]) == {"path.png"}


# a user's CSV: no true line, the scalar route applies to p = 1
def test_csv_one_predictor(tmp_path):
    status, out, err = run(
        [
            *("--data", str(DATA / "line.csv"), "--routes", "closed_form_scalar,compiled_core"),
            *("--epochs", "50", "--output", str(tmp_path), "--jobs", "1"),
        ]
    )
    assert status == 0, out + err
    assert "line.csv (n=12, p=1; comma-separated; x = x, y = y)" in out
    assert (tmp_path / "fit.png").is_file() and (tmp_path / "path.png").is_file()


# columns named on the command line, others ignored, incomplete rows dropped and counted
def test_csv_columns_by_name_and_dropna(tmp_path):
    data = tmp_path / "study.csv"
    data.write_text(
        "id;hours;score\n1;0;2.4\n2;1;6.6\n3;;7\n4;2;10.4\n5;3;NA\n6;4;18.7\n7;5;22.4\n"
    )
    argv = ["--data", str(data), "--x", "hours", "--y", "score", "--routes"]
    argv += ["normal_equation_solve", "--no-plots", "--jobs", "1"]
    status, _, err = run(argv)
    assert status == 2 and "2 row(s) with missing values: line 4 (hours); line 6 (score)" in err
    assert "--dropna" in err
    status, out, err = run([*argv, "--dropna"])
    assert status == 0, err
    assert "semicolon-separated; x = hours, y = score; ignored column(s): id" in out
    assert "dropped 2 incomplete row(s): line 4, line 6" in out


# p = 2: one-predictor routes are "n/a", not failures; vector routes run
def test_csv_two_predictors_marks_scalar_routes_not_applicable(tmp_path):
    status, out, err = run(
        [
            *("--data", str(DATA / "two_predictors.csv"), "--output", str(tmp_path), "--json"),
            *("--routes", "closed_form_scalar,normal_equation_solve,tape_scalar,compiled_core"),
            *("--jobs", "1"),
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
            *("--data", str(DATA / "two_predictors.csv"), "--routes", "tape_scalar"),
            *("--output", str(tmp_path)),
        ]
    )
    assert status == 2 and "none of the selected routes" in err


# malformed CSVs: exit 2, one line naming the problem
@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("bad_missing_y.csv", "no column 'y'"),
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


# argparse errors: unknown route (with a suggestion), bad numbers, options without --data
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--routes", "tape_vectr"], "did you mean 'tape_vector'"),
        (["--epochs", "-3"], "must be >= 0"),
        (["--lr", "0"], "must be finite and > 0"),
        (["--lr", "fast"], "is not a number"),
        (["--jobs", "0"], "jobs must be >= 1"),
        (["--x", "hours"], "apply to a --data file"),
    ],
)
def test_bad_usage_exits_2(argv, expected):
    status, _, err = run(argv)
    assert status == 2 and expected in err, err


# usage errors and --help are answered before TensorFlow is imported
@pytest.mark.parametrize(
    "argv",
    [["--help"], ["--lr", "-1"], ["--data", "nope.csv"], ["--routes", "nope"], ["--list-routes"]],
)
def test_usage_answered_without_tensorflow(argv, tmp_path):
    code = (
        "import sys\nfrom fitters.cli import main\nstatus = main(sys.argv[1:])\n"
        "print('tensorflow imported:', 'tensorflow' in sys.modules)\nraise SystemExit(status)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode in (0, 2), proc.stderr
    assert "tensorflow imported: False" in proc.stdout, proc.stdout


# stderr of the real command for --help and a usage error: no TensorFlow log line
@pytest.mark.parametrize("argv", [["--help"], ["--lr", "-1"]])
def test_help_and_usage_error_stderr_has_no_tensorflow_line(argv, tmp_path):
    proc = python_m_fitters(*argv, cwd=tmp_path)
    assert proc.returncode == (0 if argv == ["--help"] else 2), proc.stderr
    assert tf_lines(proc.stderr) == [], proc.stderr
    if argv == ["--help"]:
        assert "--skip-slow" in proc.stdout and "--jobs" in proc.stdout
    else:
        assert proc.stderr.strip().endswith("lr must be finite and > 0, got -1.0"), proc.stderr


# a route outside its bound makes the run exit 1 (here: a bound of zero)
def test_failure_exits_1(tmp_path, monkeypatch):
    def zero_bound(*args, **kwargs):
        bound = tolerances.route_bound(*args, **kwargs)
        return tolerances.Bound(bound.expected, 0.0, "zero, for the test")

    monkeypatch.setattr("fitters.report.route_bound", zero_bound)
    status, out, _ = run(["--routes", "closed_form_scalar", "--no-plots", "--jobs", "1"])
    assert status == 1, out
    assert table_rows(out)["closed_form_scalar"]["verdict"] == "FAIL"


# a learning rate beyond 2/lambda_max diverges: reported with its epoch, exit 1, no crash
def test_divergence_exits_1_and_json_names_the_epoch():
    argv = ["--routes", "compiled_core", "--lr", "5", "--epochs", "2000", "--no-plots"]
    status, out, _ = run([*argv, "--jobs", "1"])
    assert status == 1, out
    row = table_rows(out)["compiled_core"]
    assert row["verdict"] == "DIVERGED" and row["epochs"].isdigit(), row
    assert "Use a smaller learning rate" in out
    status, out, _ = run([*argv, "--jobs", "1", "--json"])
    entry = json.loads(out)["routes"][0]
    assert entry["status"] == "diverged"
    assert isinstance(entry["epochs"], int) and entry["epochs"] == entry["diverged_at_epoch"]
    assert 0 < entry["epochs"] < 2000 and str(entry["epochs"]) == row["epochs"]


# worker processes give the sequential run's coefficients and losses, bit for bit
@pytest.mark.slow  # starts TensorFlow in two more processes: ~8 s on an idle machine
def test_workers_match_sequential_run():
    argv = ["--routes", "normal_equation_inv,analytic_gradient,tape_scalar,compiled_core"]
    argv += ["--epochs", "30", "--json", "--no-plots"]
    _, seq, _ = run([*argv, "--jobs", "1"])
    status, par, err = run([*argv, "--jobs", "2"])
    assert status == 0, err
    seq_doc, par_doc = json.loads(seq), json.loads(par)
    assert par_doc["jobs"] == 2 and seq_doc["jobs"] == 1
    for a, b in zip(seq_doc["routes"], par_doc["routes"], strict=True):
        assert a["route"] == b["route"]  # report.json keeps the contract's order
        assert a["coef"] == b["coef"] and a["final_loss"] == b["final_loss"], (a, b)


# off a terminal, progress is a plain line now and then; on one, rich draws (and erases)
def test_progress_plain_lines_off_a_terminal_rich_on_one():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    log = io.StringIO()
    with Progress(2, log, interactive=False, interval=0.05) as progress:
        progress.started("tape_vector")
        time.sleep(0.3)
        progress.finished(RouteResult(fake_route("tape_vector"), "pass"))
    lines = log.getvalue().splitlines()
    assert lines, "no progress line written to a log"
    assert all(
        re.fullmatch(r"\[\s*\d+ s\] 0 of 2 routes done; running: tape_vector \(\d+ s\)", ln)
        for ln in lines
    ), lines
    assert "\r" not in log.getvalue() and "\x1b" not in log.getvalue()

    tty = Terminal()
    with Progress(2, tty, interactive=True) as progress:
        progress.started("tape_vector")
        progress.finished(RouteResult(fake_route("tape_vector"), "pass"))
    assert "\x1b" in tty.getvalue(), "rich draws with terminal control sequences"


def fake_route(name: str):
    from fitters.registry import ROUTES

    return ROUTES[name]


# the real entry point in a fresh interpreter: TensorFlow starts, and says nothing
# (a fresh TensorFlow, ~10 s: in the slow run, which CI makes)
@pytest.mark.slow
def test_subprocess_module_entry_point_is_quiet(tmp_path):
    proc = python_m_fitters(
        "--data",
        str(DATA / "line.csv"),
        "--routes",
        "closed_form_scalar,normal_equation_solve,compiled_core",
        "--epochs",
        "20",
        "--output",
        str(tmp_path / "out"),
        "--jobs",
        "1",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = table_rows(proc.stdout)
    assert set(rows) == {"closed_form_scalar", "normal_equation_solve", "compiled_core"}
    assert json.loads((tmp_path / "out" / "report.json").read_text())["passed"] is True
    assert tf_lines(proc.stderr) == [], proc.stderr


# rows stream through a pipe as routes finish; Ctrl-C keeps them and exits 130
# (a fresh TensorFlow and the Keras routes, ~15 s: in the slow run, which CI makes)
@pytest.mark.slow
def test_rows_stream_through_a_pipe_and_ctrl_c_keeps_them(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "FITTERS_TF_LOGS"}
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "fitters", "--routes", "closed_form_scalar,tape_vector"),
            *("--epochs", "1000000", "--no-plots", "--jobs", "2"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=env,
        start_new_session=True,  # its own process group, so the test can press "Ctrl-C"
        # as from a terminal: a shell that runs the suite in the background ignores SIGINT,
        # and Python then installs no KeyboardInterrupt for a child that inherits that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if line.startswith("closed_form_scalar"):
                break
        assert seen and seen[-1].startswith("closed_form_scalar"), "".join(seen)
        # the first row came through the pipe while the last route (a million epochs) runs
        assert proc.poll() is None, "the command ended before its first row was read"
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole process group
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    assert not any(line.startswith("tape_vector") for line in out.splitlines()), out
    assert "interrupted: 1 of 2 routes finished (rows above)" in out, out
    assert "Traceback" not in err, err
    assert tf_lines(err) == [], err


def test_workers_start_the_longest_routes_first():
    # a permutation of the routes: the eager optimizer routes whose lr is float32 (5-8 s of
    # 1000 lecture epochs each) first, the closed forms (milliseconds) last
    import fitters

    order = schedule(list(fitters.ROUTES))
    assert sorted(order) == sorted(fitters.ROUTES)
    assert set(order[:2]) == {"apply_gradients_scalar", "minimize_scalar"}
    closed = {name for name, route in fitters.ROUTES.items() if not route.iterative}
    assert set(order[-len(closed) :]) == closed


def test_a_route_of_unknown_cost_starts_first(monkeypatch):
    # a gradient route whose cost was never measured (a user's) may be the longest: it starts
    # before the lecture's; a closed form of unknown cost still goes last
    import dataclasses

    import fitters
    from fitters import report

    theirs = dataclasses.replace(fitters.ROUTES["tape_vector"], name="theirs")
    closed = dataclasses.replace(fitters.ROUTES["normal_equation_solve"], name="their_solve")
    monkeypatch.setitem(report.ROUTES, "theirs", theirs)
    monkeypatch.setitem(report.ROUTES, "their_solve", closed)
    order = schedule(["their_solve", "tape_scalar", "theirs", "compiled_core"])
    assert order == ["theirs", "tape_scalar", "compiled_core", "their_solve"]
