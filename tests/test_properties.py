"""Every route x every check that applies to it, through the public API (fitters.testing).

``pytest -k check_trajectory`` runs one check over every route; ``pytest -k tape_scalar``
every check of one route. This is the same runner a user's route gets from
``pytest --fitters-routes MODULE``.
"""

from __future__ import annotations

import fitters
from fitters.testing import parametrize_with_checks


@parametrize_with_checks(fitters.ROUTES)
def test_route(route, check):
    check(route)
