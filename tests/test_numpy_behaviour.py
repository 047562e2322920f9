"""The lecture switches on tnp.experimental_enable_numpy_behavior(); routes must not care.

The switch cannot be turned off again in a process, so each setting runs in its own
subprocess, and the coefficients must be bit-identical.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

import fitters

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import tensorflow.experimental.numpy as tnp
    if sys.argv[1] == "on":
        tnp.experimental_enable_numpy_behavior()
    import fitters
    x, y = fitters.lecture_dataset()
    rng = np.random.default_rng(0)
    x2 = rng.uniform(-1, 1, size=(50, 2))
    y2 = 1.0 - 2.0 * x2[:, 0] + 0.5 * x2[:, 1] + 0.1 * rng.standard_normal(50)
    out = {"data": [x.tolist(), y.tolist()]}
    for name, route in fitters.ROUTES.items():
        epochs = 3 if route.slow else 25
        out[name] = route.fit(x, y, epochs=epochs).coef.tolist()
        if route.max_predictors is None:
            out[name + "/p=2"] = route.fit(x2, y2, epochs=epochs).coef.tolist()
    print(json.dumps(out))
    """
)


def _run(setting: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, setting], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, f"numpy behaviour {setting}: {proc.stderr[-2000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_routes_identical_with_numpy_behaviour_on_and_off():
    # every route, p = 1 and p = 2: bit-identical coefficients and the same lecture data
    off, on = _run("off"), _run("on")
    assert set(off) == set(on) and set(fitters.ROUTES) <= set(off)
    for key in off:
        assert off[key] == on[key], f"{key}: numpy behaviour changed the result"
