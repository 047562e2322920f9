"""tf.keras.Sequential(...).fit routes: one Dense unit, SGD, MSE, full-batch epochs.

The network is float32 (``dtype="float32"`` on the layer, whatever Keras' floatx says),
as the lecture's; the optimizer keeps lr as float32. ``shuffle=False`` and
``batch_size=n`` make each epoch exactly one full-batch gradient step.
"""

from __future__ import annotations

import numpy as np

from .. import compat
from ..losslog import LossLog
from ..problem import Problem


def _fit(model, inputs: np.ndarray, pb: Problem, lr: float, epochs: int, log: LossLog) -> None:
    keras = compat.keras()

    class Monitor(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            log.record((logs or {})["loss"])

    model.compile(optimizer=compat.sgd(keras, lr), loss=keras.losses.MSE)
    if epochs:
        model.fit(
            inputs.astype(np.float32),
            pb.y[:, None].astype(np.float32),
            epochs=epochs,
            batch_size=pb.n,
            shuffle=False,
            verbose=0,
            callbacks=[Monitor()],
        )


def keras_sequential(
    pb: Problem, init: np.ndarray, lr: float, epochs: int, log: LossLog
) -> np.ndarray:
    """tf.keras.Sequential 풀이 1: Dense(1, use_bias=False) on X = [1 x], weights set to init."""
    keras = compat.keras()
    model = keras.Sequential(
        [keras.Input(shape=(pb.p + 1,)), keras.layers.Dense(1, use_bias=False, dtype="float32")]
    )
    model.set_weights([init[:, None].astype(np.float32)])
    _fit(model, pb.design, pb, lr, epochs, log)
    return model.get_weights()[0][:, 0].astype(np.float64)


def keras_dense_bias(
    pb: Problem, init: np.ndarray, lr: float, epochs: int, log: LossLog
) -> np.ndarray:
    """The lecture's second diagram: Dense(1, use_bias=True) on x alone; bias = b0."""
    keras = compat.keras()
    model = keras.Sequential(
        [keras.Input(shape=(pb.p,)), keras.layers.Dense(1, use_bias=True, dtype="float32")]
    )
    model.set_weights([init[1:, None].astype(np.float32), init[:1].astype(np.float32)])
    _fit(model, pb.x, pb, lr, epochs, log)
    kernel, bias = model.get_weights()
    return np.concatenate([bias, kernel[:, 0]]).astype(np.float64)
