"""The numeric environments of the compatibility matrix, applied to this process by name.

Each is a way real users run TensorFlow that may change its arithmetic or its cost: oneDNN
off, XLA auto-clustering, one intra-/inter-op thread, op determinism, the lecture's
NumPy-behaviour switch, and Keras 3 on the JAX or PyTorch backend. ``FITTERS_NUMERIC_ENV=NAME``
selects one (the matrix's tox envs set it). ``tools/compat_probe.py`` applies it; loaded as a
pytest plugin (``pytest -p tools.numeric_env``) it is applied before any test imports
TensorFlow, so the golden tests run under the same setting.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

#: The environment variable that names the numeric environment of this process.
ENV_VAR = "FITTERS_NUMERIC_ENV"


@dataclass(frozen=True)
class NumericEnv:
    """A named setting: environment variables read when TensorFlow starts, and/or a call."""

    name: str
    title: str
    variables: dict[str, str] = field(default_factory=dict)
    setup: Callable[[], None] | None = None


def _one_thread() -> None:
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)


def _op_determinism() -> None:
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()


def _numpy_behavior() -> None:
    import tensorflow.experimental.numpy as tnp

    tnp.experimental_enable_numpy_behavior()


ENVIRONMENTS: dict[str, NumericEnv] = {
    env.name: env
    for env in (
        NumericEnv("onednn-off", "oneDNN off", {"TF_ENABLE_ONEDNN_OPTS": "0"}),
        NumericEnv("xla-auto-jit", "XLA auto-jit", {"TF_XLA_FLAGS": "--tf_xla_auto_jit=2"}),
        NumericEnv("one-thread", "1 intra/inter-op thread", setup=_one_thread),
        NumericEnv("determinism", "op determinism", setup=_op_determinism),
        NumericEnv("numpy-behavior", "NumPy behaviour on", setup=_numpy_behavior),
        NumericEnv("keras-jax", "Keras 3 on JAX", {"KERAS_BACKEND": "jax"}),
        NumericEnv("keras-torch", "Keras 3 on PyTorch", {"KERAS_BACKEND": "torch"}),
    )
}


def selected() -> NumericEnv | None:
    """The environment ``FITTERS_NUMERIC_ENV`` names, or None when it is unset or empty."""
    name = os.environ.get(ENV_VAR, "").strip()
    if not name:
        return None
    if name not in ENVIRONMENTS:
        raise ValueError(
            f"{ENV_VAR}={name!r} is not a numeric environment; use one of {', '.join(ENVIRONMENTS)}"
        )
    return ENVIRONMENTS[name]


def apply(env: NumericEnv) -> None:
    """Set the environment's variables, then run its call; the variables only take effect if
    TensorFlow has not started yet, so a late call is an error rather than a silent no-op."""
    late = [k for k, v in env.variables.items() if os.environ.get(k) != v]
    if late and "tensorflow" in sys.modules:
        raise RuntimeError(
            f"numeric environment {env.name!r}: TensorFlow was imported before "
            f"{', '.join(late)} could be set; set them in the environment that starts Python"
        )
    os.environ.update(env.variables)
    if env.setup is not None:
        env.setup()


def pytest_configure(config) -> None:
    """Apply the selected environment before the test modules import TensorFlow."""
    env = selected()
    if env is not None:
        apply(env)


def pytest_report_header(config) -> str | None:
    env = selected()
    return None if env is None else f"numeric environment: {env.name} ({env.title})"
