"""The lecture's failing calls, pinned: a TensorFlow upgrade that changes any of them turns red.

``opt.minimize(loss_fn, beta)`` with a bare Variable fails on the Keras 2 optimizer (the
lecture's); ``[beta]`` works; Keras 3 optimizers (TF >= 2.16) have no ``minimize`` at all.
What each TensorFlow version raises is pinned per version in ``fitters.compat.PITFALLS``
(measured by ``tox -m compat``, see docs/compat.md); the tests read the pin for the running one.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import fitters
from fitters import compat

from . import golden


def _legacy_sgd(lr: float):
    reason = fitters.ROUTES["minimize_scalar"].unavailable
    if reason is not None:
        pytest.skip(reason)
    return compat.minimize_keras().optimizers.SGD(lr)


def _pinned_error(optimizer: str, kind: str) -> tuple[type[BaseException], str]:
    pinned = compat.pitfall(optimizer, kind)
    assert pinned is not None, f"compat.PITFALLS[{compat.pitfall_version()!r}] pins no error here"
    return pinned


def test_course_era_pins_are_the_lectures_errors():
    # on the TensorFlow the course was written for, the pinned errors are the ones it printed
    for optimizer in compat.PITFALL_OPTIMIZERS:
        assert compat.PITFALLS["2.12"][optimizer]["scalar"] == golden.BARE_VARIABLE_ERRORS["scalar"]
        assert compat.PITFALLS["2.12"][optimizer]["vector"] == golden.BARE_VARIABLE_ERRORS["vector"]
        assert compat.PITFALLS["2.12"][optimizer]["list"] is None, "[beta] works in the lecture"


@pytest.mark.parametrize("kind", compat.PITFALL_KINDS)
def test_lecture_spelling_with_tf_keras_sgd_as_pinned(kind):
    # the lecture's own spelling, tf.keras.optimizers.SGD(lr).minimize(...): Keras 2 up to
    # TF 2.15 (the lecture's errors, [beta] works), Keras 3 from 2.16 (no minimize at all)
    pinned = compat.pitfall("tf.keras", kind)
    beta = tf.Variable(-10.0) if kind != "vector" else tf.Variable(np.array([[-5.0], [10.0]]))
    before = beta.numpy().copy()
    opt = compat.keras().optimizers.SGD(0.01 / 6)
    if kind == "vector":
        X = tf.constant(np.c_[np.ones(5), np.arange(5.0)])
        Y = tf.constant(np.arange(5.0)[:, None])
        loss_fn = lambda: tf.transpose(Y - X @ beta) @ (Y - X @ beta) / 5  # noqa: E731
    else:
        loss_fn = lambda: (beta / 2 - 1) ** 2  # noqa: E731
    var_list = [beta] if kind == "list" else beta
    if pinned is None:
        assert kind == "list", f"compat.PITFALLS says the bare-Variable {kind} call works"
        opt.minimize(loss_fn, var_list)
        assert beta.numpy() == golden.TOY[1], f"TF {compat.tf_minor()}: {beta.numpy()!r}"
        return
    error, message = pinned
    with pytest.raises(error) as info:
        opt.minimize(loss_fn, var_list)
    assert message in str(info.value), (
        f"TF {compat.tf_minor()} raised {info.value!r}; compat.PITFALLS pins {pinned!r}"
    )
    np.testing.assert_array_equal(beta.numpy(), before, err_msg="a failed minimize moved beta")


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
    assert compat.has_minimize(type(_legacy_sgd(0.1))), (
        "the minimize routes' optimizer lost minimize()"
    )


def test_bare_scalar_variable_fails_as_in_the_lecture():
    # opt.minimize(loss_fn, beta), beta = tf.Variable(-10.0): "Cannot iterate over a scalar tensor."
    beta = tf.Variable(-10.0)
    opt = _legacy_sgd(0.01 / 6)
    error, message = _pinned_error("keras2", "scalar")
    with pytest.raises(error) as info:
        opt.minimize(lambda: (beta / 2 - 1) ** 2, beta)
    assert message in str(info.value), (
        f"the error changed on TF {compat.tf_minor()}: {info.value!r}"
    )
    assert beta.numpy() == np.float32(-10.0), "a failed minimize must not move beta"


def test_bare_vector_variable_fails_as_in_the_lecture():
    # opt.minimize(loss_fn, beta_hat) with a (2, 1) Variable: "... no attribute '_unique_id'"
    x, y = fitters.lecture_dataset()
    X = tf.constant(np.c_[np.ones_like(x), x])
    Y = tf.constant(y[:, None])
    beta = tf.Variable(np.array([[-5.0], [10.0]]))
    opt = _legacy_sgd(0.1)
    error, message = _pinned_error("keras2", "vector")
    with pytest.raises(error) as info:
        opt.minimize(lambda: tf.transpose(Y - X @ beta) @ (Y - X @ beta) / 200, beta)
    assert message in str(info.value), (
        f"the error changed on TF {compat.tf_minor()}: {info.value!r}"
    )
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
    if route.unavailable is not None:
        pytest.skip(route.unavailable)
    coefs = {s: route.fit(x, y, epochs=20, loss=s).coef for s in LOSS_SPELLINGS}
    bound = fitters.tolerances.route_bound(route, fitters.validation.problem(x, y), epochs=20)
    for spelling, coef in coefs.items():
        err = bound.error(coef)
        assert err <= bound.max_l2_error, f"loss={spelling}: {err:.3g} > {bound.max_l2_error:.3g}"
    with pytest.raises(ValueError, match="loss must be one of"):
        route.fit(x, y, epochs=1, loss="nonsense")
