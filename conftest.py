"""Project-wide pytest set-up: Hypothesis profiles and the quiet-TensorFlow environment.

Profiles (pick with ``--hypothesis-profile NAME`` or ``HYPOTHESIS_PROFILE=NAME``):

- ``dev`` (default): few examples, quick feedback while editing.
- ``ci``: derandomized (same examples every run, so a red CI reproduces), ``print_blob`` so a
  failure prints the blob to replay it, more examples than dev.
- ``thorough``: many examples, for a nightly run or before a release (spread it over cores
  with ``pytest -n auto``).

TensorFlow traces and compiles on first call, so no profile has a deadline.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from hypothesis import HealthCheck, settings

_COMMON = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", max_examples=10, **_COMMON)
settings.register_profile("ci", max_examples=25, derandomize=True, print_blob=True, **_COMMON)
settings.register_profile("thorough", max_examples=300, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
