"""Project-wide pytest set-up: the fitters plugin, its Hypothesis profiles, a quiet TensorFlow.

Profiles (``--hypothesis-profile NAME`` or ``HYPOTHESIS_PROFILE=NAME``; defined in
``fitters/testing/profiles.py``): ``dev`` (default here), ``ci``, ``thorough``, ``mutation``.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from fitters.testing import profiles

# loaded by its pytest11 entry point when the package is installed; named here for runs from
# a bare checkout on PYTHONPATH (the TensorFlow matrix)
pytest_plugins = ["fitters.pytest_plugin"]

profiles.load_from_environment(default="dev")
