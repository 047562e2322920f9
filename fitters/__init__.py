"""Every route by which the STBDA 05wk lecture fits y ~ b0 + b1 x in TensorFlow, behind one
contract (see README.md and shared/contract.md)."""

from __future__ import annotations

import os as _os

_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from . import reference, tolerances, toy, validation  # noqa: E402
from .core import DivergenceError, Fit, IllConditionedWarning  # noqa: E402
from .data import lecture_dataset  # noqa: E402
from .registry import ROUTES  # noqa: E402
from .route import Route  # noqa: E402

__all__ = [
    "ROUTES",
    "Route",
    "Fit",
    "DivergenceError",
    "IllConditionedWarning",
    "lecture_dataset",
    "reference",
    "toy",
]
