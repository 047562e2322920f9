"""``python -m fitters --data big.npy``: data bigger than memory go through the streamed pass.

The routes on sufficient statistics fit from the one-pass moments; the routes that hold X as a
tensor are listed as not applicable; the answer is the in-memory fit's.
"""

from __future__ import annotations

import numpy as np

import fitters
from fitters.cli import main
from fitters.tolerances import trajectory_bound
from fitters.validation import problem


def _write(tmp_path, n=5000):
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 1, n)
    y = 2.5 + 4 * x + 0.5 * rng.standard_normal(n)
    np.save(tmp_path / "data.npy", np.column_stack([x, y]))
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    return x, y


def test_streamed_npy_fits_as_in_memory(tmp_path, capsys):
    # one file (y last) and a pair give the compiled core's in-memory answer, within its bound
    x, y = _write(tmp_path)
    pb = problem(x, y)
    bound = trajectory_bound(fitters.ROUTES["compiled_core"], pb, [-5.0, 10.0], 0.1, 300)
    for data in (tmp_path / "data.npy", f"{tmp_path / 'x.npy'},{tmp_path / 'y.npy'}"):
        status = main(["--data", str(data), "--epochs", "300", "--no-plots"])
        out = capsys.readouterr().out
        assert status == 0, out
        assert "n=5000, p=1, streamed" in out
        line = next(row for row in out.splitlines() if row.startswith("compiled_core"))
        coef = np.array([float(v) for v in line.split("b=(")[1].split(")")[0].split(",")])
        # the table prints 10 significant digits
        assert np.linalg.norm(coef - bound.expected) <= bound.max_l2_error + 1e-9 * np.linalg.norm(
            coef
        )
        assert "tape_vector" in out and "n/a: holds X = [1 x] as a tensor" in out


def test_streamed_with_column_options_is_a_usage_error(tmp_path, capsys):
    # --x/--y name columns of a delimited file, not of an .npy array
    _write(tmp_path, n=50)
    assert main(["--data", str(tmp_path / "data.npy"), "--x", "a", "--no-plots"]) == 2
    assert "apply to a delimited --data file" in capsys.readouterr().err
