"""Keep TensorFlow's start-up log lines off the user's terminal, and nothing else.

TensorFlow's C++ core writes lines such as ``oneDNN custom operations are on``, ``Could not
find cuda drivers`` and ``failed call to cuInit: INTERNAL: CUDA error`` straight to file
descriptor 2, while its shared libraries load and when its runtime first starts, before
absl's logging is initialized: ``TF_CPP_MIN_LOG_LEVEL`` cannot reach them, and students read
"ERROR" and stop. So the first import of ``tensorflow`` after ``import fitters`` runs with
descriptor 2 pointed at a temporary file (:func:`captured_stderr`), together with the
runtime's initialization when fitters itself imports it (a user's own ``import tensorflow``
leaves the runtime unstarted, so that thread and device settings can still be made);
afterwards every captured line that is not a TensorFlow log line
(a Python warning, a message from another library) is written back to the real stderr.
Python tracebacks are never hidden: an exception leaves the capture before Python prints it,
and everything captured up to then is replayed unfiltered.

``FITTERS_TF_LOGS=1`` (what ``python -m fitters --verbose`` sets) lets every line through.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import os
import re
import sys
from collections.abc import Iterator

__all__ = [
    "LOGS_ENV",
    "captured_stderr",
    "import_tensorflow",
    "install",
    "is_tensorflow_log",
    "logs_shown",
    "logs_wanted",
    "retracing_notices_hidden",
]

#: set to 1 to see TensorFlow's own log lines (hidden by default)
LOGS_ENV = "FITTERS_TF_LOGS"

#: absl/glog line format: severity letter and MMDD, time, thread id, file:line]
_LOG_LINE = re.compile(r"^[IWEF]\d{4} [\d:.]+\s+\d+ [^ \]]+:\d+\] ")
_KNOWN_LINES = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "To enable the following instructions:",  # second line of cpu_feature_guard's message
)


def logs_wanted() -> bool:
    """Whether the user asked to see TensorFlow's log lines (``FITTERS_TF_LOGS=1``)."""
    return os.environ.get(LOGS_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def is_tensorflow_log(line: str) -> bool:
    """Whether ``line`` is one of TensorFlow's C++ log lines (absl/glog format)."""
    return bool(_LOG_LINE.match(line)) or line.startswith(_KNOWN_LINES)


@contextlib.contextmanager
def captured_stderr() -> Iterator[None]:
    """Point file descriptor 2 at a temporary file; on exit, restore it and write back every
    captured line except TensorFlow's log lines (all of them if the block raised)."""
    import tempfile

    sys.stderr.flush()
    with tempfile.TemporaryFile() as capture:
        saved = os.dup(2)
        os.dup2(capture.fileno(), 2)
        failed = True
        try:
            yield
            failed = False
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            text = capture.read().decode("utf-8", "replace")
            kept = [
                line
                for line in text.splitlines(keepends=True)
                if failed or not is_tensorflow_log(line)
            ]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()


def _start_runtime(tf) -> None:
    """Initialize TensorFlow's eager runtime (device discovery: the cuInit line)."""
    from tensorflow.python.eager import context

    del tf
    context.ensure_initialized()


def import_tensorflow():
    """``import tensorflow`` with its runtime started, start-up log lines hidden unless
    wanted; the module is returned. Cheap when TensorFlow is already imported."""
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    if logs_wanted():
        import tensorflow as tf

        return tf
    with captured_stderr():
        import tensorflow as tf

        _start_runtime(tf)
    return tf


class _QuietLoader(importlib.abc.Loader):
    """Wraps TensorFlow's own loader: execute the package (and start the runtime) inside
    :func:`captured_stderr`."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        ours = _imported_by_fitters()
        with captured_stderr():
            self._loader.exec_module(module)
            if ours:  # fitters runs ops next anyway; a user may still want to configure it
                _start_runtime(module)


def _imported_by_fitters() -> bool:
    """Whether the code importing TensorFlow is fitters' own (not the user's ``import``)."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if not (name.startswith(("importlib", "_frozen_importlib")) or name == __name__):
            return name == "fitters" or name.startswith("fitters.")
        frame = frame.f_back
    return False


class _TensorFlowFinder(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` once, through the other finders, and gives it the quiet loader."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "tensorflow":
            return None
        _uninstall()
        if logs_wanted():
            return None
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _QuietLoader(spec.loader)
        return spec


_FINDER = _TensorFlowFinder()
#: environment variables install() set because the user had not
_DEFAULTED: list[str] = []


def _uninstall() -> None:
    with contextlib.suppress(ValueError):
        sys.meta_path.remove(_FINDER)


def install() -> None:
    """Hide TensorFlow's start-up lines for this process (``import fitters`` calls this).

    Sets ``TF_CPP_MIN_LOG_LEVEL=2`` unless the user set it (INFO and WARNING lines after
    absl's initialization, e.g. XLA's ``Compiled cluster``), and, if TensorFlow is not yet
    imported, puts a finder on ``sys.meta_path`` that quiets its first import and removes
    itself. Nothing is changed when ``FITTERS_TF_LOGS=1``.
    """
    if logs_wanted():
        return
    if "TF_CPP_MIN_LOG_LEVEL" not in os.environ:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
        _DEFAULTED.append("TF_CPP_MIN_LOG_LEVEL")
    if "tensorflow" not in sys.modules and _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


def retracing_notices_hidden() -> None:
    """In this process (the CLI's or one of its workers), keep TensorFlow's Python warnings
    ("N out of the last N calls ... triggered tf.function retracing") off stderr unless logs
    are wanted: every Keras ``fit`` builds a new model, as the lecture's code does, so a run
    that fits the Keras routes several times triggers them by design. Never called on
    ``import fitters``: a library leaves the user's logging alone."""
    if not logs_wanted():
        import logging

        logging.getLogger("tensorflow").setLevel(logging.ERROR)


@contextlib.contextmanager
def logs_shown() -> Iterator[None]:
    """Within the block, TensorFlow's log lines reach stderr (``FITTERS_TF_LOGS=1``, and the
    log level fitters defaulted taken back), in this process and in processes it starts."""
    saved = {name: os.environ.get(name) for name in (LOGS_ENV, *_DEFAULTED)}
    os.environ[LOGS_ENV] = "1"
    for name in _DEFAULTED:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
