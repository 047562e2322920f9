"""Hypothesis settings profiles for the checks, registered when ``fitters.testing`` loads.

- ``dev`` (default): few examples, quick feedback while editing.
- ``ci``: derandomized (the same examples every run, so a red CI reproduces), ``print_blob``
  so a failure prints the blob that replays it, more examples than dev.
- ``thorough``: many examples, for a nightly run or before a release (``pytest -n auto``).
- ``mutation``: generation only, no shrinking or database: a mutation run wants a verdict per
  mutant, fast, not a minimal example.

Pick one with ``--hypothesis-profile NAME`` or ``HYPOTHESIS_PROFILE=NAME``. TensorFlow traces
and compiles on first call, so no profile has a deadline.

Derandomized is not yet reproducible: Hypothesis mixes into its draws the constants of every
local module loaded so far, so the same profile draws other examples once a lazily imported
module of the package has loaded. ``load_package`` loads them all first; the tools that
compare runs (``tools/power.py``, ``tools/bound_ratios.py``) call it.
"""

from __future__ import annotations

import importlib
import os
import pkgutil

from hypothesis import HealthCheck, Phase, settings

__all__ = ["PROFILES", "load_from_environment", "load_package"]

_COMMON = dict(
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.differing_executors,
    ],
)

PROFILES = {
    "dev": dict(max_examples=10, **_COMMON),
    "ci": dict(max_examples=25, derandomize=True, print_blob=True, **_COMMON),
    "thorough": dict(max_examples=300, **_COMMON),
    "mutation": dict(
        max_examples=25,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        **_COMMON,
    ),
}

for _name, _values in PROFILES.items():
    settings.register_profile(_name, **_values)


def load_from_environment(default: str = "dev") -> str:
    """Load ``HYPOTHESIS_PROFILE`` (or ``default``) and return its name."""
    name = os.environ.get("HYPOTHESIS_PROFILE", default)
    if name not in PROFILES:
        raise ValueError(
            f"HYPOTHESIS_PROFILE={name!r} is not one of the registered profiles "
            f"{', '.join(PROFILES)}"
        )
    settings.load_profile(name)
    return name


def load_package() -> None:
    """Import every module of ``fitters`` (not ``__main__``), so that the set of local modules
    Hypothesis takes constants from, and with it a derandomized profile's draws, no longer
    depends on what ran before in the process."""
    import fitters

    for module in pkgutil.walk_packages(fitters.__path__, "fitters."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
