"""Reading a user's data file: separators detected, columns picked by name or number, extra
columns ignored, incomplete rows listed (or dropped and counted), every problem named."""

from __future__ import annotations

import re

import pytest

from fitters.datafiles import LISTED_ROWS, DataFileError, load_csv


def write(tmp_path, text: str):
    path = tmp_path / "user.csv"
    path.write_text(text)
    return path


# the separator is detected: comma, semicolon, tab, whitespace (runs of spaces too), quotes
@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("x,y\n1,2\n2,3\n3,5\n", "comma"),
        ("x;y\n1;2\n2;3\n3;5\n", "semicolon"),
        ("x\ty\n1\t2\n2\t3\n3\t5\n", "tab"),
        ("x y\n1 2\n2 3\n3 5\n", "whitespace"),
        ("  x    y\n  1    2\n2  3\n3 5\n", "whitespace"),
        ('"x","y"\n"1","2"\n"2","3"\n"3","5"\n', "comma"),
        ("x, y\n1, 2\n2, 3\n3, 5\n", "comma"),
    ],
)
def test_separator_detected(tmp_path, text, name):
    data = load_csv(write(tmp_path, text))
    assert data.x[:, 0].tolist() == [1, 2, 3] and data.y.tolist() == [2, 3, 5]
    assert f"{name}-separated" in data.describe()


# columns picked by name (any case), the others ignored and reported
def test_columns_by_name_others_ignored(tmp_path):
    path = write(tmp_path, "id,Hours,note,score\n1,0,a,2\n2,1,b,4\n3,2,c,7\n")
    data = load_csv(path, x="hours", y="Score")
    assert data.x[:, 0].tolist() == [0, 1, 2] and data.y.tolist() == [2, 4, 7]
    assert data.x_names == ("Hours",) and data.y_name == "score"
    assert data.ignored == ("id", "note")
    multi = load_csv(path, x="id,hours", y="score")
    assert multi.x.tolist() == [[1, 0], [2, 1], [3, 2]] and multi.x_names == ("id", "Hours")


# the default names: x (or x1..xp in numeric order) and y; an extra id column is ignored
def test_default_names_in_numeric_order(tmp_path):
    data = load_csv(write(tmp_path, "\ufeff Y , X2,x1,id\n1,10,100,a\n2,20,200,b\n\n3,30,300,c\n"))
    assert data.y.tolist() == [1, 2, 3]
    assert data.x.tolist() == [[100, 10], [200, 20], [300, 30]]
    assert data.ignored == ("id",) and not data.is_lecture


# a file without a header: named as such, and readable by column numbers
def test_headerless_file(tmp_path):
    path = write(tmp_path, "1,2\n2,3\n3,5\n")
    with pytest.raises(DataFileError, match=r"the first line looks like data .*--x/--y"):
        load_csv(path)
    data = load_csv(path, x="1", y="2")
    assert data.x[:, 0].tolist() == [1, 2, 3] and data.y_name == "column 2"


# incomplete rows: every one listed by line (first ten, then a count), or dropped on request
def test_incomplete_rows_listed_then_dropped(tmp_path):
    rows = [f"{i},{'' if i % 2 else i}" for i in range(30)]
    path = write(tmp_path, "x,y\n" + "\n".join(rows) + "\n")
    with pytest.raises(DataFileError) as info:
        load_csv(path)
    message = str(info.value)
    assert message.startswith(f"{path}: 15 row(s) with missing values: line 3 (y); line 5 (y)")
    assert message.count("line ") == LISTED_ROWS and "; and 5 more." in message
    assert "--dropna" in message
    data = load_csv(path, dropna=True)
    assert len(data.y) == 15 and data.dropped_lines[:2] == (3, 5)
    assert "dropped 15 incomplete row(s): line 3, line 5," in data.describe()


# every missing-value spelling counts, in used columns only
def test_missing_spellings_in_used_columns_only(tmp_path):
    path = write(tmp_path, "x,y,z\n1,NA,\n2,nan,\n3,,\n4,null,\n5,6,\n6,7,\n7,9,\n")
    data = load_csv(path, dropna=True)
    assert data.y.tolist() == [6, 7, 9] and len(data.dropped_lines) == 4


# every way a file can be malformed is named, with its line where there is one
@pytest.mark.parametrize(
    ("text", "kwargs", "expected"),
    [
        ("y\n1\n2\n", {}, "no column 'x' (or x1, x2, ...) (the header has 'y'); name the columns"),
        ("hours,score\n1,2\n2,3\n", {}, "no column 'y' (the header has 'hours', 'score')"),
        ("x2,y\n1,2\n2,3\n3,5\n", {}, "missing column 'x1'"),
        ("x,x1,y\n1,2,3\n2,3,5\n4,4,4\n", {}, "either one column 'x' or x1"),
        ("x,x,y\n1,2,3\n", {}, "appears twice"),
        ("a,b\n1,2\n2,3\n", {"x": "c", "y": "b"}, "no column 'c' for --x (the file has 'a', 'b')"),
        ("a,b\n1,2\n2,3\n", {"x": "a", "y": "a"}, "both a predictor and the response"),
        ("x,y\n1,2\n2,3,4\n3,4\n", {}, "line 3: 3 fields, but the header (line 1) has 2"),
        ("x,y\n1,2\n2,abc\n3,4\n", {}, "line 3: column 'y' value 'abc' is not a number"),
        ("x;y\n1,5;2\n2;3\n", {}, "decimal commas are not read"),
        ("x,y\n1,2\ninf,3\n3,4\n", {}, "line 3: column 'x' value 'inf' is not a finite number"),
        ("x1,x2,y\n1,2,3\n2,1,5\n", {}, "need at least 3"),
        ("x,y\n1,2\n2,\n", {"dropna": True}, "after dropping 1 incomplete row(s)"),
        ("", {}, "the file is empty"),
    ],
)
def test_errors_name_the_problem(tmp_path, text, kwargs, expected):
    with pytest.raises(DataFileError, match=re.escape(expected)):
        load_csv(write(tmp_path, text), **kwargs)


# a missing file and a folder are named as such
def test_missing_file_and_folder(tmp_path):
    with pytest.raises(DataFileError, match="no such file"):
        load_csv(tmp_path / "nope.csv")
    with pytest.raises(DataFileError, match="is a folder"):
        load_csv(tmp_path)
