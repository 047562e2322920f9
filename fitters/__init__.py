"""Every route by which the STBDA 05wk lecture fits y ~ b0 + b1 x in TensorFlow, behind one
contract (``docs/api.md``), and the checks that tell whether a route gives the lecture's answer.

``import fitters`` is cheap: TensorFlow is imported when a route first runs or a module that
needs it is first used, so the route table, ``fitters.validation``, ``fitters.reference`` and
``fitters.tolerances`` (pure NumPy) work without it. When it is imported, its start-up log
lines are kept off the terminal (:mod:`fitters.quiet`; ``FITTERS_TF_LOGS=1`` shows them).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import quiet as _quiet
from .core import DivergenceError, Fit, IllConditionedWarning

_quiet.install()  # before anything can import TensorFlow

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from . import compat, reference, testing, tolerances, toy, validation
    from .data import lecture_dataset
    from .from_function import route
    from .registry import ROUTES
    from .route_type import Route

__all__ = [
    "ROUTES",
    "DivergenceError",
    "Fit",
    "IllConditionedWarning",
    "Route",
    "compat",
    "lecture_dataset",
    "reference",
    "route",
    "testing",
    "tolerances",
    "toy",
    "validation",
]

#: public name -> (module, attribute or None for the module itself), imported on first use
_LAZY = {
    "ROUTES": ("registry", "ROUTES"),
    "Route": ("route_type", "Route"),
    "route": ("from_function", "route"),
    "lecture_dataset": ("data", "lecture_dataset"),
    "compat": ("compat", None),
    "reference": ("reference", None),
    "testing": ("testing", None),
    "tolerances": ("tolerances", None),
    "toy": ("toy", None),
    "validation": ("validation", None),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'fitters' has no attribute {name!r}") from None
    module = importlib.import_module(f".{module_name}", __name__)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
