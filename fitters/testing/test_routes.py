"""The test module ``pytest --fitters-routes MODULE`` collects: every check on every route.

The plugin (``fitters.pytest_plugin``) parametrizes ``fitters_route`` x ``fitters_check``
from MODULE.ROUTES with ``parametrize_with_checks``; this module only runs them.
"""

from __future__ import annotations


def test_route_check(fitters_route, fitters_check) -> None:
    fitters_check(fitters_route)
