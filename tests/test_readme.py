"""The README and the docs stay true: their Python runs, their commands parse, their links and
API names exist, and the README's test command is the one CI runs.

Python blocks with ``>>>`` run as doctests, others are executed; every ``python -m fitters``
command in a shell block is parsed by the command's own parser (the long runs themselves are
exercised by tests/test_cli.py), and its data files must exist.
"""

from __future__ import annotations

import doctest
import importlib
import re
import shlex
from pathlib import Path

import pytest

from fitters.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
#: the docs pages this project writes by hand (compat.md and robustness.md are generated)
DOCS = ["api.md", "benchmarks.md", "limits.md", "report.md", "routes.md", "testing.md"]
PAGES = [README, *(ROOT / "docs" / name for name in DOCS)]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def blocks(path: Path, language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(path.read_text()) if lang == language]


def readme_id(body: str) -> str:
    return body.strip().splitlines()[0][:40]


# the README's Python runs as written: doctests compare their output, others must not raise
@pytest.mark.parametrize("body", blocks(README, "python"), ids=readme_id)
def test_readme_python_block_runs(body, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if ">>>" in body:
        parser = doctest.DocTestParser()
        test = parser.get_doctest(body, {}, "README.md", str(README), 0)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        runner.run(test)
        result = runner.summarize(verbose=False)
        assert result.attempted > 0 and result.failed == 0, f"{result.failed} example(s) failed"
    else:
        exec(compile(body, "README.md", "exec"), {"__name__": "readme"})


def shell_commands(path: Path) -> list[list[str]]:
    """Every command of the shell blocks, split at && and with comments and redirects gone."""
    commands = []
    for body in blocks(path, "bash"):
        for line in body.splitlines():
            line = line.split("  #", 1)[0].split(" # ", 1)[0].strip()
            for part in line.split("&&"):
                words = shlex.split(part.split(" > ", 1)[0])
                if words:
                    commands.append(words)
    return commands


def fitters_commands() -> list[list[str]]:
    found = []
    for words in shell_commands(README):
        for i in range(len(words) - 2):
            if words[i].endswith("python") and words[i + 1 : i + 3] == ["-m", "fitters"]:
                found.append(words[i + 3 :])
    return found


# every `python -m fitters ...` in the README parses, and names files that exist
@pytest.mark.parametrize("argv", fitters_commands(), ids=" ".join)
def test_readme_fitters_command_parses(argv):
    if argv[:1] == ["compare"]:
        compare = importlib.import_module("fitters.compare")
        assert callable(compare.main)
        return
    args = build_parser().parse_args(argv)
    if args.data is not None:
        assert (ROOT / args.data).is_file(), f"README names {args.data}, which does not exist"


# the cheap README commands run for real
def test_readme_list_routes_runs(capsys):
    assert ["--list-routes"] in fitters_commands()
    assert main(["--list-routes"]) == 0
    assert "keras_sequential" in capsys.readouterr().out


# CI runs the README's test command verbatim
def test_readme_test_command_is_what_ci_runs():
    tests = [body.strip() for body in blocks(README, "bash") if "pytest" in body]
    ci = (ROOT / ".ci" / "run").read_text()
    assert tests and tests[0] in ci, tests


# every relative link of the README and the hand-written docs resolves in the repository
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_links_resolve(page):
    text = page.read_text()
    for target in LINK.findall(text):
        if re.match(r"[a-z]+://", target):
            continue
        file, _, anchor = target.partition("#")
        path = (page.parent / file).resolve() if file else page
        assert path.exists(), f"{page.name} links {target}, which is not in the repository"
        if anchor and path.suffix == ".md":
            headings = {
                re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
                for h in re.findall(r"^#+ (.*)$", path.read_text(), re.M)
            }
            assert anchor in headings, f"{page.name}: no heading for #{anchor} in {file}"


# every fitters.<name> the API page mentions exists
def test_api_page_names_exist():
    text = (ROOT / "docs" / "api.md").read_text()
    names = set(re.findall(r"\bfitters(?:\.\w+)+", text))
    assert len(names) > 15, names
    for dotted in sorted(names):
        parts = dotted.split(".")
        obj = importlib.import_module("fitters")
        for i, part in enumerate(parts[1:], 2):
            try:
                obj = getattr(obj, part)
            except AttributeError:
                obj = importlib.import_module(".".join(parts[:i]))
        assert obj is not None, dotted


# the Python range the README states is the one pyproject.toml declares
def test_python_range_matches_pyproject():
    stated = re.search(r"Python (3\.\d+)–(3\.\d+)", README.read_text())
    assert stated, "the README must state the supported Python versions"
    low, high = stated.groups()
    pyproject = (ROOT / "pyproject.toml").read_text()  # tomllib is 3.11+: read the one line
    spec = re.search(r'^requires-python = "([^"]+)"', pyproject, re.M).group(1)
    upper = int(high.split(".")[1]) + 1
    assert spec.replace(" ", "") == f">={low},<3.{upper}", (spec, low, high)


# the README stays short: depth lives in docs/
def test_readme_is_short():
    assert len(README.read_text().splitlines()) <= 170
