"""The numbers the lecture printed, as data (the contract's list), with their printed precision.

Each value carries ``atol``: half a unit in the last place the lecture printed, the
precision the printout itself has. float32 values are the shortest repr of a float32, so the
matching float32 is unique and compared bit for bit.
"""

from __future__ import annotations

import os

import numpy as np

# toy problem (beta/2 - 1)^2, SGD lr = 0.01/6 from beta = -10, float32
TOY = {1: np.float32(-9.99), 2: np.float32(-9.980008), 10000: np.float32(1.9971251)}

# 이론적 풀이 1: printed as full float64 reprs (17 significant digits)
CLOSED_FORM_SCALAR = np.array([2.583667211565867, 3.9330345167331697])
# 이론적 풀이 2: printed with 8 decimals
NORMAL_EQUATION = np.array([2.58366721, 3.93303452])
PRINTED_8_DECIMALS = 0.5e-8
# 이론적 풀이 3: first slope from b = (-5, 10), and the step lr * slope with lr = 0.1
FIRST_SLOPE = np.array([-9.10036894, -3.52886113])
FIRST_STEP = np.array([-0.91003689, -0.35288611])
# 1000 epochs, lr 0.1 from (-5, 10)
GD_1000_FLOAT64 = np.array([2.58366061, 3.93304684])
GD_1000_FLOAT32 = np.array([2.58366, 3.933048], dtype=np.float32)

# opt.minimize(loss_fn, beta) with a bare Variable, on the lecture's Keras 2 optimizer
BARE_VARIABLE_ERRORS = {
    "scalar": (TypeError, "Cannot iterate over a scalar tensor."),
    "vector": (
        AttributeError,
        "'tensorflow.python.framework.ops.EagerTensor' object has no attribute '_unique_id'",
    ),
}

# Numeric environments (tools/numeric_env.py, named by FITTERS_NUMERIC_ENV) that legitimately
# change the float32 bits of a printed result, as measured by the matrix (docs/compat.md):
# {environment: {route or toy name: reason}}. There the bit-for-bit assertion becomes the
# within-bound one (and fails if the bits no longer differ: the entry would be stale).
FLOAT32_BITS_CHANGED: dict[str, dict[str, str]] = {
    "keras-jax": {
        "keras_sequential": "Keras 3 on JAX runs the Dense layer's matmul and its gradient "
        "through XLA, which sums the 200 products in another order than TensorFlow's kernel; "
        "after 1000 float32 steps b1 is one ulp (2.4e-7) from the printout",
    },
    "keras-torch": {
        "keras_sequential": "Keras 3 on PyTorch runs the Dense layer's matmul and its gradient "
        "with torch's CPU kernels, which sum the 200 products in another order than "
        "TensorFlow's; after 1000 float32 steps b1 is one ulp (2.4e-7) from the printout",
    },
}


def float32_bits_changed(name: str) -> str | None:
    """Why this process's numeric environment changes the float32 golden ``name``, or None."""
    return FLOAT32_BITS_CHANGED.get(os.environ.get("FITTERS_NUMERIC_ENV", ""), {}).get(name)
