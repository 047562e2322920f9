"""tf.keras.Sequential(...).fit routes: one Dense unit, SGD, MSE, full-batch epochs.

The network is float32 (``dtype="float32"`` on the layer, whatever Keras' floatx says),
as the lecture's; the optimizer keeps lr as float32. Each epoch is exactly one full-batch
gradient step. The lecture writes ``fit(X, y, batch_size=n)``; with arrays Keras builds a new
data iterator every epoch, which costs ~60 ms an epoch here against ~4 ms for the step itself.
So by default the routes feed the same full batch as one repeated ``tf.data`` element with
``steps_per_epoch=1``: the same steps, the same per-epoch losses, bit for bit (a test holds
the two feeds equal; ``feed="arrays"`` runs the lecture's call as written).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from .. import compat
from ..losslog import LossLog
from ..problem import Problem
from ..registry import KERAS_FEEDS  # route metadata: the table declares the feeds


def _fit(
    model, inputs: np.ndarray, pb: Problem, lr: float, epochs: int, log: LossLog, feed: str
) -> None:
    if feed not in KERAS_FEEDS:
        raise ValueError(f"feed must be one of {', '.join(KERAS_FEEDS)}; got {feed!r}")
    keras = compat.keras()

    class Monitor(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            log.record((logs or {})["loss"])

    model.compile(optimizer=compat.sgd(keras, lr), loss=keras.losses.MSE)
    if not epochs:
        return
    x, y = inputs.astype(np.float32), pb.y[:, None].astype(np.float32)
    common = dict(epochs=epochs, shuffle=False, verbose=0, callbacks=[Monitor()])
    if feed == "arrays":
        model.fit(x, y, batch_size=pb.n, **common)
    else:
        batches = tf.data.Dataset.from_tensors((x, y)).repeat()
        model.fit(batches, steps_per_epoch=1, **common)


def keras_sequential(
    pb: Problem, init: np.ndarray, lr: float, epochs: int, log: LossLog, feed: str = "dataset"
) -> np.ndarray:
    """tf.keras.Sequential 풀이 1: Dense(1, use_bias=False) on X = [1 x], weights set to init."""
    keras = compat.keras()
    model = keras.Sequential(
        [keras.Input(shape=(pb.p + 1,)), keras.layers.Dense(1, use_bias=False, dtype="float32")]
    )
    model.set_weights([init[:, None].astype(np.float32)])
    _fit(model, pb.design, pb, lr, epochs, log, feed)
    return model.get_weights()[0][:, 0].astype(np.float64)


def keras_dense_bias(
    pb: Problem, init: np.ndarray, lr: float, epochs: int, log: LossLog, feed: str = "dataset"
) -> np.ndarray:
    """The lecture's second diagram: Dense(1, use_bias=True) on x alone; bias = b0."""
    keras = compat.keras()
    model = keras.Sequential(
        [keras.Input(shape=(pb.p,)), keras.layers.Dense(1, use_bias=True, dtype="float32")]
    )
    model.set_weights([init[1:, None].astype(np.float32), init[:1].astype(np.float32)])
    _fit(model, pb.x, pb, lr, epochs, log, feed)
    kernel, bias = model.get_weights()
    return np.concatenate([bias, kernel[:, 0]]).astype(np.float64)
