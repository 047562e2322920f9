"""Where the TensorFlow/Keras API moved between the lecture's TF 2.12 and today: one place.

- TF <= 2.15 ships Keras 2 as ``tf.keras``; its optimizers have ``minimize``.
- TF >= 2.16 ships Keras 3 as ``tf.keras``; its optimizers have no ``minimize``. The Keras 2
  stack lives on as the ``tf_keras`` package (same version as TensorFlow), and is what the
  lecture's ``opt.minimize`` routes need there.
"""

from __future__ import annotations

import functools
from types import ModuleType

import tensorflow as tf


def has_minimize(optimizer_class: type) -> bool:
    """Whether a Keras optimizer class offers ``minimize(loss, var_list)``."""
    return callable(getattr(optimizer_class, "minimize", None))


@functools.cache
def keras() -> ModuleType:
    """``tf.keras`` as this TensorFlow ships it (Keras 3 on TF >= 2.16)."""
    return tf.keras


def keras_major() -> int:
    """Major version of ``tf.keras``: 2 up to TF 2.15, 3 from TF 2.16."""
    version = getattr(tf.keras, "__version__", None) or tf.keras.version()
    return int(str(version).split(".")[0])


@functools.cache
def minimize_keras() -> ModuleType:
    """The Keras whose optimizers still have ``minimize``: ``tf.keras`` if it does, else
    ``tf_keras`` (Keras 2, installed as a dependency for TF >= 2.16).

    Raises ImportError with the fix when neither has it.
    """
    if has_minimize(tf.keras.optimizers.SGD):
        return tf.keras
    try:
        import tf_keras
    except ImportError as exc:  # pragma: no cover - tf_keras is a declared dependency
        raise ImportError(
            f"tf.keras {tf.keras.__name__} (TensorFlow {tf.__version__}) optimizers have no "
            "minimize(); install the matching Keras 2 package: pip install tf_keras"
        ) from exc
    return tf_keras
