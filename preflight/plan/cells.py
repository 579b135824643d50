"""The steps that are not per-column transformers: cell fixes, rows, the target.

Cell fixes (drop, replace, parse, infinities) become the ``CLEAN`` spec that
:func:`preflight.plan.clean.clean_cells` runs; row steps become the body of the
generated ``drop_rows(df)``; a target transform becomes ``with_target_transform``;
relabelling becomes a note.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from preflight.plan.emit import Imports
from preflight.plan.steps import Step


def _empty_spec() -> dict[str, Any]:
    return {
        "drop_columns": [],
        "to_missing": {},
        "replace": {},
        "parse_numbers": [],
        "infinite_to_missing": [],
        "decimal_comma": [],
        "date_features": {},
        "outside_to_missing": {},
        "censor_indicators": {},
    }


@dataclass
class Cells:
    """What :func:`cell_fixes` makes of the steps."""

    spec: dict[str, Any] = field(default_factory=_empty_spec)  # clean_cells' spec, drop_columns included
    rows: list[str] = field(default_factory=list)  # the body lines of drop_rows(df)
    target: list[str] = field(default_factory=list)  # with_target_transform, if any
    notes: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # identifiers: passed through, never features


def _extend(values: list[Any], more: Sequence[Any]) -> None:
    values.extend(v for v in more if v not in values)


def cell_fixes(steps: Sequence[Step], code: Imports) -> Cells:
    out = Cells()
    spec = out.spec
    for step in steps:
        kind, cols, params, reason = step.step, step.columns, step.params, step.reason
        if kind == "drop-columns":
            _extend(spec["drop_columns"], cols)
        elif kind == "keep-as-key":
            _extend(out.keys, cols)
        elif kind == "replace-values":
            for col in cols:
                if "to_missing" in params:
                    # A list for every column of the step, or a list per column.
                    values = params["to_missing"]
                    values = values.get(col, []) if isinstance(values, Mapping) else values
                    _extend(spec["to_missing"].setdefault(col, []), values)
                if "mapping" in params:
                    spec["replace"].setdefault(col, {}).update(params["mapping"])
                if col in params.get("outside", {}):
                    spec["outside_to_missing"][col] = list(params["outside"][col])
        elif kind == "parse-numbers":
            _extend(spec["parse_numbers"], cols)
            if params.get("decimal") == ",":
                _extend(spec["decimal_comma"], cols)
        elif kind == "censor-indicator":
            for col in cols:
                spec["censor_indicators"][col] = params.get("value")
        elif kind == "date-features":
            for col in cols:
                month = params.get("month", True)
                fmt = params.get("format")
                spec["date_features"][col] = fmt if month else {"format": fmt, "month": False}
        elif kind == "replace-infinite":
            _extend(spec["infinite_to_missing"], cols)
        elif kind == "drop-rows":
            out.rows.append(_drop_rows(params, reason))
        elif kind == "transform-target":
            out.target += _target_transform(params, reason, code)
        elif kind == "relabel":
            out.notes.append(
                f"labels: review the rows {reason} lists (preflight check --rows-out) before training"
            )
    return out


def _drop_rows(params: Mapping[str, Any], reason: str) -> str:
    if params.get("missing_target"):
        return f"    df = df.dropna(subset=[TARGET])  # rows without a label ({reason})"
    if params.get("duplicates"):
        return f"    df = df.drop_duplicates()  # exact repeats ({reason})"
    return (
        f"    # rows flagged by {reason}: list them with `preflight check --rows-out`, "
        f"drop them with `preflight fix --drop-rows {reason}`"
    )


def _target_transform(params: Mapping[str, Any], reason: str, code: Imports) -> list[str]:
    ttr = code.use("sklearn.compose", "TransformedTargetRegressor")
    pipe = code.use("sklearn.pipeline", "make_pipeline")
    if params.get("func") == "log1p":
        how = "func=np.log1p, inverse_func=np.expm1"
    else:
        scaler = code.use("sklearn.preprocessing", str(params.get("transformer", "StandardScaler")))
        how = f"transformer={scaler}()"
    return [
        "def with_target_transform(estimator):",
        f'    """Train on a transformed target, predict in raw units ({reason})."""',
        f"    return {ttr}(regressor={pipe}(preprocess, estimator), {how})",
    ]
