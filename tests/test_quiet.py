"""TensorFlow's start-up lines are kept off stderr, and nothing else is: other lines are
replayed, everything is replayed when the block raises, FITTERS_TF_LOGS=1 turns it off."""

from __future__ import annotations

import logging
import os

import numpy as np
import pytest

from fitters import Fit, quiet
from fitters.quiet import LOGS_ENV, captured_stderr, is_tensorflow_log, logs_wanted

TF_LINES = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1795802466.112676    3241 port.cc:153] oneDNN custom operations are on.\n"
    "I0000 00:00:1795802466.113018    3241 cudart_stub.cc:31] Could not find cuda drivers\n"
    "E0000 00:00:1795802473.424299    3241 cuda_platform.cc:52] failed call to cuInit: "
    "INTERNAL: CUDA error\n"
    "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow\n"
)


# what TensorFlow writes to fd 2 is dropped; a warning of someone else's comes through
def test_tensorflow_lines_dropped_others_kept(capfd):
    with captured_stderr():
        os.write(2, TF_LINES.encode())
        os.write(2, b"UserWarning: something the user must see\n")
    assert capfd.readouterr().err == "UserWarning: something the user must see\n"


# when the block raises, every captured line is written back: nothing hides a failure
def test_everything_replayed_on_error(capfd):
    with pytest.raises(ImportError), captured_stderr():
        os.write(2, TF_LINES.encode())
        raise ImportError("libtensorflow_framework.so.2: cannot open shared object file")
    assert capfd.readouterr().err == TF_LINES


# the pattern matches absl's lines, not ordinary text that mentions them
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("I0000 00:00:1795802466.112676    3241 port.cc:153] oneDNN custom ops", True),
        ("W1127 17:40:01.123456   12 env.cc:10] a warning", True),
        ("Traceback (most recent call last):", False),
        ("  File 'x.py', line 3, in <module>", False),
        ("E: the word ERROR alone is not a TensorFlow line", False),
    ],
)
def test_log_line_pattern(line, expected):
    assert is_tensorflow_log(line) is expected


# FITTERS_TF_LOGS=1 asks for the lines
@pytest.mark.parametrize(
    ("value", "wanted"), [("1", True), ("yes", True), ("0", False), ("", False)]
)
def test_logs_wanted(monkeypatch, value, wanted):
    monkeypatch.setenv(LOGS_ENV, value)
    assert logs_wanted() is wanted


# a Fit's repr is one short line: coefficients, epochs, final loss, the history summarized
def test_fit_repr_is_short():
    history = np.linspace(24.057, 0.2549, 1000)
    text = repr(Fit(np.array([2.5836606135, 3.9330468370]), 1000, history))
    assert text == (
        "Fit(coef=[2.583660614, 3.933046837], epochs=1000, final_loss=0.2549, "
        "loss_history=<1000 losses, 24.057 -> 0.2549>)"
    )
    assert (
        repr(Fit(np.array([1.0, 2.0]), 0, None)) == "Fit(coef=[1, 2], epochs=0, loss_history=None)"
    )
    wide = repr(Fit(np.arange(50.0), 3, np.ones(3)))
    assert "coef=[0, 1, 2, ..., 47, 48, 49]" in wide and len(wide) < 120


# --verbose's scope: the variable is set inside the block and the environment restored after
def test_logs_shown_is_scoped(monkeypatch):
    from fitters.quiet import logs_shown

    monkeypatch.delenv(LOGS_ENV, raising=False)
    before = dict(os.environ)
    with logs_shown():
        assert logs_wanted()
    assert dict(os.environ) == before


@pytest.mark.parametrize("wanted", ["", "1"])
def test_retracing_notices_hidden_unless_logs_wanted(monkeypatch, wanted):
    # the CLI's processes and the suite hide tf.function's retracing warnings; --verbose
    # (FITTERS_TF_LOGS=1) leaves TensorFlow's logger as it was
    logger = logging.getLogger("tensorflow")
    monkeypatch.setattr(logger, "level", logging.WARNING)
    monkeypatch.setenv(quiet.LOGS_ENV, wanted)
    quiet.retracing_notices_hidden()
    assert logger.level == (logging.WARNING if wanted else logging.ERROR)
