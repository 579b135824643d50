"""Pieces of generated code: Python literals, the import list, estimator calls.

Every data value the generated code holds goes through :func:`literal`, so a column
name or category (quotes, backslashes, bidi controls) is always a quoted literal.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from preflight.core.escape import json_safe


@dataclass
class Imports:
    """The ``from module import name`` lines the generated code needs."""

    names: dict[str, set[str]] = field(default_factory=dict)

    def use(self, module: str, name: str) -> str:
        """Import ``name`` from ``module``; returns ``name`` to write in the code."""
        self.names.setdefault(module, set()).add(name)
        return name

    def header(self, typing: bool) -> list[str]:
        """The import lines (``re`` and ``Any`` too when ``typing``: for ``clean_cells``)."""
        lines = [
            *(["import re", "from typing import Any", ""] if typing else []),
            "import numpy as np",
            "import pandas as pd",
        ]
        for module in sorted(self.names):
            lines.append(f"from {module} import {', '.join(sorted(self.names[module]))}")
        return lines


def literal(value: Any) -> str:
    """A Python literal for JSON-like data (NaN and infinities included)."""
    if isinstance(value, str):
        # A JSON string (non-ASCII kept as is) is also a valid Python literal; bidi and
        # other invisible controls are \\u escapes, so the code reads as it runs.
        return json_safe(json.dumps(value, ensure_ascii=False))
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    if isinstance(value, float):
        if math.isnan(value):
            return 'float("nan")'
        if math.isinf(value):
            return 'float("inf")' if value > 0 else 'float("-inf")'
        return repr(value)
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return literal(value.item())
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as a literal")


def _split(transformer: str | None, default: str) -> tuple[str, str]:
    dotted = transformer or default
    module, _, cls = dotted.rpartition(".")
    return module or "sklearn.preprocessing", cls


def estimator(
    transformer: str | None, params: Mapping[str, Any], code: Imports, skip: tuple[str, ...] = ()
) -> str:
    """``Name(k=v, ...)`` for a dotted transformer class (a scaler when None)."""
    module, cls = _split(transformer, "sklearn.preprocessing.StandardScaler")
    name = code.use(module, cls)
    args = ", ".join(f"{k}={literal(v)}" for k, v in sorted(params.items()) if k not in skip)
    return f"{name}({args})"


def clip(params: Mapping[str, Any], code: Imports) -> str:
    ft = code.use("sklearn.preprocessing", "FunctionTransformer")
    lo, hi = params.get("lower"), params.get("upper")
    return (
        f'{ft}(np.clip, kw_args={{"a_min": {literal(lo)}, "a_max": {literal(hi)}}}, '
        'feature_names_out="one-to-one")'
    )


def transform(transformer: str | None, params: Mapping[str, Any], code: Imports) -> str:
    module, cls = _split(transformer, "sklearn.preprocessing.FunctionTransformer")
    if cls == "FunctionTransformer":
        func = str(params.get("func", "log1p"))
        if not re.fullmatch(r"[a-z0-9_]+", func) or not hasattr(np, func):
            raise ValueError(f"unknown transform function {func!r}")
        inverse = {"log1p": "np.expm1", "sqrt": "np.square", "log": "np.exp"}.get(func)
        ft = code.use(module, cls)
        inv = f", inverse_func={inverse}" if inverse else ""
        return f'{ft}(np.{func}{inv}, feature_names_out="one-to-one")'
    if cls == "PowerTransformer":
        # The plan standardizes afterwards, as its own step.
        params = {"standardize": False, **params}
    if cls == "QuantileTransformer":
        params = {**params, "random_state": 0}
    return estimator(transformer, params, code)


def encoder(transformer: str | None, params: Mapping[str, Any], code: Imports) -> str:
    module, cls = _split(transformer, "sklearn.preprocessing.OneHotEncoder")
    if cls == "OneHotEncoder":
        params = {"handle_unknown": "ignore", **params, "sparse_output": False}
    elif cls == "OrdinalEncoder":
        params = {"handle_unknown": "use_encoded_value", "unknown_value": -1, **params}
    elif cls == "TargetEncoder":
        params = {**params, "random_state": 0}
    return estimator(f"{module}.{cls}", params, code)
