"""Keep the process's global TensorFlow/Keras state as it was around every route.

The lecture switches on ``tnp.experimental_enable_numpy_behavior()``; a route must neither rely
on that switch nor flip it, nor change Keras' floatx or TensorFlow's global random seed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def preserved_global_state() -> Iterator[None]:
    """Snapshot TF's global seed (and its op-seed stream), Keras floatx and TF's dtype
    promotion mode; restore all three on exit, even on error."""
    import keras
    from tensorflow.python.eager import context
    from tensorflow.python.framework import ops

    ctx = context.context()
    seed = ctx._seed  # noqa: SLF001 - no public getter for the eager global seed
    rng = getattr(ctx, "_rng", None)
    rng_state = rng.getstate() if rng is not None else None
    floatx = keras.backend.floatx()
    promo = ops.get_dtype_conversion_mode()
    try:
        yield
    finally:
        ctx._seed = seed  # noqa: SLF001
        if rng is not None:
            rng.setstate(rng_state)
        ctx._rng = rng  # noqa: SLF001
        keras.backend.set_floatx(floatx)
        ops._dtype_conversion_mode = promo  # noqa: SLF001 - the setter takes only names
