"""The lecture's failing calls, pinned: a TensorFlow upgrade that changes any of them turns red.

``opt.minimize(loss_fn, beta)`` with a bare Variable fails on the Keras 2 optimizer (the
lecture's); ``[beta]`` works; Keras 3 optimizers (TF >= 2.16) have no ``minimize`` at all.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import fitters
from fitters import compat

from . import golden


def _legacy_sgd(lr: float):
    return compat.minimize_keras().optimizers.SGD(lr)


def test_keras3_optimizers_have_no_minimize():
    # TF >= 2.16 ships Keras 3, whose optimizers dropped minimize(); Keras 2 kept it
    sgd = compat.keras().optimizers.SGD(0.1)
    if compat.keras_major() >= 3:
        assert not hasattr(sgd, "minimize"), (
            f"tf.keras {compat.keras_major()} SGD has minimize() again: the minimize routes "
            "could use tf.keras directly; update fitters.compat.minimize_keras"
        )
    else:
        assert callable(sgd.minimize)
    assert compat.has_minimize(type(_legacy_sgd(0.1))), "the minimize routes' optimizer lost minimize()"


def test_bare_scalar_variable_fails_as_in_the_lecture():
    # opt.minimize(loss_fn, beta) with beta = tf.Variable(-10.0): "Cannot iterate over a scalar tensor."
    beta = tf.Variable(-10.0)
    opt = _legacy_sgd(0.01 / 6)
    error, message = golden.BARE_VARIABLE_ERRORS["scalar"]
    with pytest.raises(error) as info:
        opt.minimize(lambda: (beta / 2 - 1) ** 2, beta)
    assert message in str(info.value), f"the error changed: {info.value!r}"
    assert beta.numpy() == np.float32(-10.0), "a failed minimize must not move beta"


def test_bare_vector_variable_fails_as_in_the_lecture():
    # opt.minimize(loss_fn, beta_hat) with a (2, 1) Variable: "... no attribute '_unique_id'"
    x, y = fitters.lecture_dataset()
    X = tf.constant(np.c_[np.ones_like(x), x])
    Y = tf.constant(y[:, None])
    beta = tf.Variable(np.array([[-5.0], [10.0]]))
    opt = _legacy_sgd(0.1)
    error, message = golden.BARE_VARIABLE_ERRORS["vector"]
    with pytest.raises(error) as info:
        opt.minimize(lambda: tf.transpose(Y - X @ beta) @ (Y - X @ beta) / 200, beta)
    assert message in str(info.value), f"the error changed: {info.value!r}"
    np.testing.assert_array_equal(beta.numpy(), [[-5.0], [10.0]])


def test_variable_in_a_list_works():
    # the working form opt.minimize(loss_fn, [beta]) takes the lecture's first step to -9.99
    beta = tf.Variable(-10.0)
    _legacy_sgd(0.01 / 6).minimize(lambda: (beta / 2 - 1) ** 2, [beta])
    assert beta.numpy() == golden.TOY[1]


def test_minimize_vector_loss_spellings_agree():
    # the five loss spellings of opt.minimize 풀이 1, 3-6 give the same 20-step iterate
    from fitters.routes.optimizer import LOSS_SPELLINGS

    x, y = fitters.lecture_dataset()
    route = fitters.ROUTES["minimize_vector"]
    coefs = {s: route.fit(x, y, epochs=20, loss=s).coef for s in LOSS_SPELLINGS}
    bound = fitters.tolerances.route_bound(route, fitters.validation.problem(x, y), epochs=20)
    for spelling, coef in coefs.items():
        err = bound.error(coef)
        assert err <= bound.atol, f"loss={spelling}: {err:.3g} > {bound.atol:.3g}"
    with pytest.raises(ValueError, match="loss must be one of"):
        route.fit(x, y, epochs=1, loss="nonsense")
