"""``python -m fitters``: the report of every route on the lecture's data (see fitters.cli)."""

from .cli import main

raise SystemExit(main(prog="python -m fitters"))
