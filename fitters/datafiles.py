"""The data the report fits: the lecture's 200 points, or a user's delimited text file.

A user's file is the one input no test suite has seen, so :func:`load_csv` says what it did
and names every problem with its line. The separator (comma, semicolon, tab or whitespace)
and the quoting are detected by the standard library's :class:`csv.Sniffer` and the rows read
by :mod:`csv` (no extra dependency: the files this tool meets are small, and the errors must
name lines, which a dataframe reader hides). Columns are picked by header name (``x`` or
``x1, x2, ...`` and ``y`` by default, any others with ``x=``/``y=``; the rest are ignored), or
by 1-based position in a file without a header.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "LECTURE_TRUE_COEF",
    "MISSING",
    "DataFileError",
    "Dataset",
    "lecture_data",
    "load_csv",
]

#: The line the lecture's data were drawn around: y = 2.5 + 4x + noise.
LECTURE_TRUE_COEF = (2.5, 4.0)

#: Cells read as a missing value (compared without case or padding).
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none"})

#: Incomplete rows listed by line in an error, before "and N more".
LISTED_ROWS = 10

_SEPARATORS = ",;\t "
_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", " ": "whitespace"}
_X_NAME = re.compile(r"x(\d*)")


class DataFileError(ValueError):
    """A data file that cannot be read as predictor and response columns; says why and where."""


@dataclass(frozen=True)
class Dataset:
    """The x (n, p) and y (n,) to fit, where they came from, and what reading them did.

    ``true_coef`` is the line the data were drawn around, when known (the lecture's).
    ``x_names``/``y_name`` are the columns used, ``ignored`` the columns left out,
    ``dropped_lines`` the file lines dropped as incomplete, ``separator`` the one detected.
    """

    x: np.ndarray
    y: np.ndarray
    source: str
    true_coef: tuple[float, ...] | None = None
    x_names: tuple[str, ...] = ("x",)
    y_name: str = "y"
    ignored: tuple[str, ...] = ()
    dropped_lines: tuple[int, ...] = field(default=())
    separator: str | None = None

    @property
    def is_lecture(self) -> bool:
        return self.true_coef is not None

    def describe(self) -> str:
        """One line: source, size, the columns used and what was left out."""
        n, p = self.x.shape
        parts = [f"{self.source} (n={n}, p={p}"]
        if self.separator is not None:
            parts.append(
                f"{_SEPARATOR_NAMES[self.separator]}-separated; "
                f"x = {', '.join(self.x_names)}, y = {self.y_name}"
            )
        if self.ignored:
            parts.append(f"ignored column(s): {', '.join(self.ignored)}")
        if self.dropped_lines:
            parts.append(
                f"dropped {len(self.dropped_lines)} incomplete row(s): "
                + _lines(self.dropped_lines)
            )
        return "; ".join(parts) + ")"


def lecture_data() -> Dataset:
    """The lecture's N = 200 points, with the line they were drawn around (imports TF)."""
    from .data import lecture_dataset

    x, y = lecture_dataset()
    return Dataset(x[:, None], y, "fitters.lecture_dataset()", LECTURE_TRUE_COEF)


def load_csv(
    path: str | Path,
    *,
    x: str | Sequence[str] | None = None,
    y: str | None = None,
    dropna: bool = False,
) -> Dataset:
    """Read predictor and response columns from a delimited text file.

    ``x``: the predictor column(s), a name, a comma-separated string or a sequence of names
    (default ``x``, or ``x1, x2, ...``); ``y``: the response column (default ``y``). A column
    may also be given by its 1-based number, which is how a file without a header is read.
    Other columns are ignored. A row with a missing value (an empty cell, ``NA``, ``nan``,
    ...) in a used column stops the read, listing such rows by line, unless ``dropna``.
    Raises :class:`DataFileError` naming the file, and the line where there is one.
    """
    path = Path(path)
    lines = _read_lines(path)
    if not lines:
        raise DataFileError(f"{path}: the file is empty; expected a header line such as 'x,y'")
    separator, rows = _parse(path, lines)
    first_line, first = rows[0]
    wanted_x = _names(x)
    wanted_y = None if y is None else str(y).strip()
    if all(_is_number(cell) for cell in first):
        header: list[str] = []
        if wanted_x is None or wanted_y is None:
            raise DataFileError(
                f"{path}: the first line looks like data ({', '.join(c.strip() for c in first)})"
                ", not a header; add a header naming the columns (e.g. 'x,y') or pass the "
                "columns' numbers with --x/--y (e.g. --x 1 --y 2)"
            )
        data = rows
        width = len(first)
    else:
        header = [cell.strip() for cell in first]
        data = rows[1:]
        width = len(header)
    x_cols, y_col = _select(path, header, width, wanted_x, wanted_y)
    used = [*x_cols, y_col]
    values = np.empty((len(data), len(used)))
    incomplete: list[tuple[int, list[str]]] = []
    for i, (line, row) in enumerate(data):
        if len(row) > width:
            what = "the header" if header else "the first line"
            raise DataFileError(
                f"{path} line {line}: {len(row)} fields, but {what} (line {first_line}) has {width}"
            )
        missing = []
        for j, col in enumerate(used):
            cell = row[col].strip() if col < len(row) else ""
            if cell.lower() in MISSING:
                missing.append(_label(header, col))
                values[i, j] = math.nan
            else:
                values[i, j] = _number(path, line, _label(header, col), cell, separator)
        if missing:
            incomplete.append((line, missing))
    if incomplete and not dropna:
        shown = "; ".join(
            f"line {line} ({', '.join(cols)})" for line, cols in incomplete[:LISTED_ROWS]
        )
        more = len(incomplete) - LISTED_ROWS
        raise DataFileError(
            f"{path}: {len(incomplete)} row(s) with missing values: {shown}"
            + (f"; and {more} more" if more > 0 else "")
            + ". Fill them in, or pass --dropna (dropna=True) to drop such rows"
        )
    values = values[~np.isnan(values).any(axis=1)]
    need = max(2, len(x_cols) + 1)
    if len(values) < need:
        dropped = f" after dropping {len(incomplete)} incomplete row(s)" if incomplete else ""
        raise DataFileError(
            f"{path}: {len(values)} data row(s){dropped}; need at least {need} "
            f"to fit {len(x_cols) + 1} coefficients"
        )
    ignored = tuple(_label(header, j) for j in range(width) if j not in used)
    return Dataset(
        values[:, :-1],
        values[:, -1],
        str(path),
        x_names=tuple(_label(header, c) for c in x_cols),
        y_name=_label(header, y_col),
        ignored=ignored,
        dropped_lines=tuple(line for line, _ in incomplete),
        separator=separator,
    )


def _read_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, text) of the non-blank lines."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataFileError(f"{path}: is a folder, not a data file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: cannot read the file ({exc})") from None
    return [(i, line.strip()) for i, line in enumerate(text.splitlines(), 1) if line.strip()]


def _parse(path: Path, lines: list[tuple[int, str]]) -> tuple[str, list[tuple[int, list[str]]]]:
    """The separator csv.Sniffer detects, and every line split by it."""
    sample = "\n".join(text for _, text in lines[:50])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=_SEPARATORS)
        separator = dialect.delimiter
    except csv.Error:
        widths = {len(text.split()) for _, text in lines[:50]}
        in_header = [sep for sep in ",;\t" if sep in lines[0][1]]
        if len(widths) == 1 and widths.pop() > 1:  # runs of spaces: whitespace-separated
            dialect, separator = csv.excel, " "
        elif len(in_header) == 1:  # rows disagree (a bad row): the header's separator
            dialect, separator = csv.excel, in_header[0]
        elif any(sep in sample for sep in _SEPARATORS):
            raise DataFileError(
                f"{path}: cannot tell how the columns are separated (tried comma, semicolon, "
                "tab and whitespace); use one separator throughout"
            ) from None
        else:
            dialect, separator = csv.excel, ","  # one column: nothing to separate
    options = {"skipinitialspace": True} if separator == " " else {}
    reader = csv.reader((text for _, text in lines), dialect, delimiter=separator, **options)
    try:
        rows = [(number, row) for (number, _), row in zip(lines, reader, strict=True)]
    except csv.Error as exc:
        raise DataFileError(f"{path} line {lines[reader.line_num - 1][0]}: {exc}") from None
    except ValueError:  # zip: a quoted field held a line break, so rows and lines diverged
        raise DataFileError(
            f"{path}: a quoted field spans lines; put each row on one line"
        ) from None
    return separator, rows


def _names(columns: str | Sequence[str] | None) -> list[str] | None:
    if columns is None:
        return None
    items = columns.split(",") if isinstance(columns, str) else list(columns)
    names = [str(c).strip() for c in items if str(c).strip()]
    if not names:
        raise DataFileError("no predictor column named: give at least one (e.g. --x hours)")
    return names


def _label(header: list[str], col: int) -> str:
    return header[col] if header else f"column {col + 1}"


def _find(path: Path, header: list[str], width: int, name: str, option: str) -> int:
    """Index of the column ``name`` (case-insensitive header match, or a 1-based number)."""
    folded = [h.lower() for h in header]
    if name.lower() in folded:
        if folded.count(name.lower()) > 1:
            raise DataFileError(f"{path}: column {name!r} appears twice in the header")
        return folded.index(name.lower())
    if name.isdigit() and 1 <= int(name) <= width:
        return int(name) - 1
    shown = ", ".join(repr(h) for h in header) if header else f"{width} unnamed columns"
    raise DataFileError(f"{path}: no column {name!r} for {option} (the file has {shown})")


def _select(
    path: Path, header: list[str], width: int, wanted_x: list[str] | None, wanted_y: str | None
) -> tuple[list[int], int]:
    """Indices of the predictor columns and of the response column."""
    shown = ", ".join(repr(h) for h in header)
    hint = "name the columns with --x COL[,COL...] and --y COL"
    if wanted_y is not None:
        y_col = _find(path, header, width, wanted_y, "--y")
    elif "y" in (h.lower() for h in header):
        y_col = _find(path, header, width, "y", "--y")
    else:
        raise DataFileError(f"{path}: no column 'y' (the header has {shown}); {hint}")
    if wanted_x is not None:
        x_cols = [_find(path, header, width, name, "--x") for name in wanted_x]
    else:
        x_cols = _default_predictors(path, header, shown, hint)
    if y_col in x_cols:
        raise DataFileError(
            f"{path}: column {_label(header, y_col)!r} is both a predictor and the response"
        )
    if len(set(x_cols)) != len(x_cols):
        raise DataFileError(f"{path}: a predictor column is named twice in --x")
    return x_cols, y_col


def _default_predictors(path: Path, header: list[str], shown: str, hint: str) -> list[int]:
    """``x`` alone, or ``x1..xp`` in numeric order, from the header."""
    folded = [h.lower() for h in header]
    xs = {name: j for j, name in enumerate(folded) if _X_NAME.fullmatch(name)}
    for name in xs:
        if folded.count(name) > 1:
            raise DataFileError(f"{path}: column {name!r} appears twice in the header")
    if not xs:
        raise DataFileError(
            f"{path}: no column 'x' (or x1, x2, ...) (the header has {shown}); {hint}"
        )
    if "x" in xs:
        if len(xs) > 1:
            raise DataFileError(
                f"{path}: use either one column 'x' or x1, x2, ..., not both (or pick with --x)"
            )
        return [xs["x"]]
    numbers = sorted(int(_X_NAME.fullmatch(name).group(1)) for name in xs)
    if numbers != list(range(1, len(xs) + 1)):
        missing = min(set(range(1, len(xs) + 1)) - set(numbers))
        raise DataFileError(f"{path}: missing column 'x{missing}' (the header has {shown})")
    return [xs[f"x{k}"] for k in numbers]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _number(path: Path, line: int, column: str, cell: str, separator: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        hint = (
            "; decimal commas are not read, write 2.5 rather than 2,5"
            if separator != "," and re.fullmatch(r"[-+]?\d+,\d+", cell)
            else ""
        )
        raise DataFileError(
            f"{path} line {line}: column {column!r} value {cell!r} is not a number{hint}"
        ) from None
    if not math.isfinite(value):
        raise DataFileError(
            f"{path} line {line}: column {column!r} value {cell!r} is not a finite number"
        )
    return value


def _lines(numbers: Sequence[int]) -> str:
    shown = ", ".join(f"line {n}" for n in numbers[:LISTED_ROWS])
    more = len(numbers) - LISTED_ROWS
    return shown + (f" and {more} more" if more > 0 else "")
