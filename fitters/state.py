"""Keep the process's global TensorFlow/Keras state as it was around every route.

The lecture switches on ``tnp.experimental_enable_numpy_behavior()``; a route must neither rely
on that switch nor flip it, nor change Keras' floatx or TensorFlow's global random seed.
What the promotion switch is, and which Keras packages are loaded, depends on the TensorFlow
version: :mod:`fitters.compat` knows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def preserved_global_state() -> Iterator[None]:
    """Snapshot TF's global seed (and its op-seed stream), Keras floatx and TF's dtype
    promotion mode; restore all three on exit, even on error."""
    from tensorflow.python.eager import context

    from . import compat

    ctx = context.context()
    seed = ctx._seed  # no public getter for the eager global seed
    rng = getattr(ctx, "_rng", None)
    rng_state = rng.getstate() if rng is not None else None
    floatx = [(module, module.backend.floatx()) for module in compat.keras_modules()]
    promo = compat.dtype_promotion_state()
    try:
        yield
    finally:
        ctx._seed = seed
        if rng is not None:
            rng.setstate(rng_state)
        ctx._rng = rng
        for module, value in floatx:
            module.backend.set_floatx(value)
        compat.restore_dtype_promotion(promo)
