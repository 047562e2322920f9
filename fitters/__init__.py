"""Every route by which the STBDA 05wk lecture fits y ~ b0 + b1 x in TensorFlow, behind one
contract (see README.md and shared/contract.md)."""

from __future__ import annotations

import os as _os

_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from . import reference, tolerances, toy, validation
from .core import DivergenceError, Fit, IllConditionedWarning
from .data import lecture_dataset
from .registry import ROUTES
from .route import Route

__all__ = [
    "ROUTES",
    "DivergenceError",
    "Fit",
    "IllConditionedWarning",
    "Route",
    "lecture_dataset",
    "reference",
    "tolerances",
    "toy",
    "validation",
]
