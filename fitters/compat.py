"""Where the TensorFlow/Keras API moved between the lecture's TF 2.12 and today: one place.

- TF <= 2.15 ships Keras 2 as ``tf.keras``; its optimizers have ``minimize``.
- TF >= 2.16 ships Keras 3 as ``tf.keras``; its optimizers have no ``minimize``. The Keras 2
  stack lives on as the ``tf_keras`` package (same version as TensorFlow, published from
  TF 2.15 on), and is what the lecture's ``opt.minimize`` routes need there.
- TF 2.12 has no dtype-conversion mode (``ops.get_dtype_conversion_mode``, TF >= 2.14):
  NumPy-style promotion is the boolean ``ops._numpy_style_type_promotion`` there.

Everything else the routes call (``GradientTape``, ``Variable.assign_sub``, ``apply_gradients``
on a ``tf.Variable``, ``keras.Input``, ``Dense(dtype=...)``, ``Sequential.fit``, the MSE losses)
runs unchanged on TF 2.12, 2.15, 2.16 and 2.21; ``docs/compat.md`` is the evidence, generated
by ``tox -m compat``.

The errors the lecture shows for ``opt.minimize(loss_fn, beta)`` are pinned per TensorFlow
version in :data:`PITFALLS`, as each version really raises them.
"""

from __future__ import annotations

import functools
import re
from types import ModuleType

import tensorflow as tf


def _parse_version(text: str) -> tuple[int, int]:
    match = re.match(r"(\d+)\.(\d+)", text)
    if match is None:  # pragma: no cover - every TF release has a major.minor
        raise ValueError(f"cannot read a version from {text!r}")
    return int(match.group(1)), int(match.group(2))


#: (major, minor) of the TensorFlow this process runs.
TF_VERSION: tuple[int, int] = _parse_version(tf.__version__)


def tf_minor() -> str:
    """``"2.12"``, ``"2.21"``...: the TensorFlow release line, the key of :data:`PITFALLS`."""
    return f"{TF_VERSION[0]}.{TF_VERSION[1]}"


def has_minimize(optimizer_class: type) -> bool:
    """Whether a Keras optimizer class offers ``minimize(loss, var_list)``."""
    return callable(getattr(optimizer_class, "minimize", None))


@functools.cache
def keras() -> ModuleType:
    """``tf.keras`` as this TensorFlow ships it (Keras 3 on TF >= 2.16)."""
    return tf.keras


def _module_version(module: ModuleType) -> str | None:
    version = getattr(module, "__version__", None)
    if version is None and callable(getattr(module, "version", None)):
        version = module.version()
    return None if version is None else str(version)


def keras_major() -> int:
    """Major version of ``tf.keras``: 2 up to TF 2.15, 3 from TF 2.16.

    TF 2.15's lazily loaded ``tf.keras`` carries no ``__version__``; the ``keras`` package
    it loads from does.
    """
    version = _module_version(keras())
    if version is None:
        import keras as keras_package

        version = keras_package.__version__
    return _parse_version(version)[0]


def keras_backend() -> str:
    """The backend ``tf.keras`` computes with: ``"tensorflow"``, or under Keras 3 the one
    ``KERAS_BACKEND`` selects (``"jax"``, ``"torch"``), which the Keras ``fit`` routes then
    run on (the matrix's backend columns)."""
    backend = getattr(keras().backend, "backend", None)
    return str(backend()) if callable(backend) else "tensorflow"


@functools.cache
def minimize_keras() -> ModuleType:
    """The Keras whose optimizers still have ``minimize``: ``tf.keras`` if it does, else
    ``tf_keras`` (Keras 2, installed as a dependency for TF >= 2.16).

    Raises ImportError with the fix when neither has it.
    """
    if has_minimize(keras().optimizers.SGD):
        return keras()
    try:
        import tf_keras
    except ImportError as exc:
        raise ImportError(
            f"tf.keras {keras_major()} (TensorFlow {tf.__version__}) optimizers have no "
            "minimize(); install the matching Keras 2 package: "
            f"pip install 'tf_keras~={tf_minor()}.0'"
        ) from exc
    return tf_keras


def _has_minimize_keras() -> str | None:
    try:
        minimize_keras()
    except ImportError as exc:
        return str(exc)
    return None


#: Features a route may need beyond TensorFlow itself (``Route.needs``), each with a probe
#: that returns why it is missing (with the fix), or None when this installation has it.
FEATURES = {"optimizer.minimize": _has_minimize_keras}


def missing(needs) -> str | None:
    """Why something that needs these features cannot run on this TensorFlow
    (``"not available on TF 2.21: ..."``), or None when it can. Tests turn the reason into a
    skip; the compatibility table prints it.
    """
    for feature in needs:
        if feature not in FEATURES:
            raise ValueError(f"unknown feature {feature!r}; known: {', '.join(FEATURES)}")
        problem = FEATURES[feature]()
        if problem is not None:
            return f"not available on TF {tf_minor()}: {problem}"
    return None


def keras_modules() -> list[ModuleType]:
    """Every distinct Keras this process has loaded whose global state a route could touch:
    ``tf.keras``, the ``keras`` package (the same on TF <= 2.15 and by default on >= 2.16)
    and ``tf_keras`` if imported."""
    import sys

    found: list[ModuleType] = [keras()]
    for name in ("keras", "tf_keras"):
        module = sys.modules.get(name)
        if module is not None and hasattr(module, "backend"):
            found.append(module)
    distinct: list[ModuleType] = []
    for module in found:
        floatx = getattr(module.backend, "floatx", None)
        if floatx is not None and all(other.backend.floatx is not floatx for other in distinct):
            distinct.append(module)
    return distinct


def dtype_promotion_state() -> tuple[str, object]:
    """A snapshot of TensorFlow's dtype promotion switch, for :func:`restore_dtype_promotion`.

    TF >= 2.14: the conversion mode (``PromoMode``) that ``tnp.experimental_enable_numpy_behavior``
    sets. TF <= 2.13: the boolean ``ops._numpy_style_type_promotion``.
    """
    from tensorflow.python.framework import ops

    if hasattr(ops, "get_dtype_conversion_mode"):
        return ("mode", ops.get_dtype_conversion_mode())
    return ("numpy_style", getattr(ops, "_numpy_style_type_promotion", False))


def restore_dtype_promotion(state: tuple[str, object]) -> None:
    """Put back what :func:`dtype_promotion_state` saw (the setters take only names)."""
    from tensorflow.python.framework import ops

    kind, value = state
    if kind == "mode":
        ops._dtype_conversion_mode = value
    else:
        ops._numpy_style_type_promotion = value


# --- the lecture's pitfall, pinned per version --------------------------------------------
#
# ``opt.minimize(loss_fn, beta)`` with a bare Variable, as the lecture calls it, on
#   - "tf.keras": the optimizer the lecture wrote, ``tf.keras.optimizers.SGD``;
#   - "keras2":   the Keras 2 optimizer the minimize routes use (:func:`minimize_keras`).
# and with ``[beta]`` ("list"), the working form. A value is (exception type, message text that
# str(error) contains), or None when the call works. Measured by tools/compat_probe.py on each
# version of the matrix; a TensorFlow that raises differently turns the pitfall tests red.

_SCALAR = (TypeError, "Cannot iterate over a scalar tensor.")
_VECTOR = (
    AttributeError,
    "'tensorflow.python.framework.ops.EagerTensor' object has no attribute '_unique_id'",
)
_NO_MINIMIZE = (AttributeError, "'SGD' object has no attribute 'minimize'")

_KERAS2 = {"scalar": _SCALAR, "vector": _VECTOR, "list": None}
_KERAS3 = {"scalar": _NO_MINIMIZE, "vector": _NO_MINIMIZE, "list": _NO_MINIMIZE}

#: PITFALLS[tf minor][optimizer][kind] -> (exception type, message) or None (works).
PITFALLS: dict[str, dict[str, dict[str, tuple[type[BaseException], str] | None]]] = {
    "2.12": {"tf.keras": _KERAS2, "keras2": _KERAS2},  # Keras 2.12: the lecture's errors
    "2.15": {"tf.keras": _KERAS2, "keras2": _KERAS2},  # Keras 2.15 and tf_keras 2.15: same
    "2.16": {"tf.keras": _KERAS3, "keras2": _KERAS2},  # Keras 3.3: no minimize at all
    "2.21": {"tf.keras": _KERAS3, "keras2": _KERAS2},  # Keras 3.15, tf_keras 2.21
}

PITFALL_OPTIMIZERS = ("tf.keras", "keras2")
PITFALL_KINDS = ("scalar", "vector", "list")


def pitfall_version() -> str:
    """The :data:`PITFALLS` key for this TensorFlow: its own line if measured, else the nearest
    measured one below it (a newer TF is expected to behave as the newest measured one until
    the matrix says otherwise)."""
    measured = sorted(PITFALLS, key=_parse_version)
    below = [v for v in measured if _parse_version(v) <= TF_VERSION]
    return below[-1] if below else measured[0]


def pitfall(optimizer: str, kind: str) -> tuple[type[BaseException], str] | None:
    """The pinned outcome of the lecture's ``opt.minimize`` call on this TensorFlow."""
    return PITFALLS[pitfall_version()][optimizer][kind]


def pitfall_optimizer(optimizer: str, lr: float):
    """The SGD the pitfall is about: ``tf.keras``'s (the lecture's) or the Keras 2 one."""
    module = keras() if optimizer == "tf.keras" else minimize_keras()
    return module.optimizers.SGD(lr)


def sgd(module: ModuleType, lr: float):
    """``module.optimizers.SGD(lr)`` with its learning rate held in float32, whatever floatx is.

    Keras 2 and 3 both create the learning-rate variable in floatx and cast it to each
    parameter's dtype, so under floatx float64 a float64 route would step by float64(lr)
    instead of float32(lr): the answer would depend on a global setting. Building the
    optimizer under floatx float32 pins it (the routes' ``lr_dtype = "float32"``).
    """
    saved = module.backend.floatx()
    module.backend.set_floatx("float32")
    try:
        return module.optimizers.SGD(lr)
    finally:
        module.backend.set_floatx(saved)
