"""Project-wide pytest set-up: the Hypothesis profiles and a quiet TensorFlow.

Profiles (``--hypothesis-profile NAME`` or ``HYPOTHESIS_PROFILE=NAME``; defined in
``fitters/testing/profiles.py``): ``dev`` (default here), ``ci``, ``thorough``, ``mutation``.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from fitters.quiet import retracing_notices_hidden
from fitters.testing import profiles

retracing_notices_hidden()  # the suite fits the Keras routes hundreds of times, by design

# The fitters plugin (fitters/pytest_plugin.py) is loaded by its pytest11 entry point; it is
# not named here, because this conftest is also seen when pytest collects the plugin's suite
# from an editable install, where a pytest_plugins line outside the rootdir is an error.
profiles.load_from_environment(default="dev")
