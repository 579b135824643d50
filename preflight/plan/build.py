"""Findings -> suggested preprocessing: ordered steps and runnable scikit-learn code.

Each finding's :class:`~preflight.findings.Fix` may name a plan ``step`` (impute,
drop-columns, scale, ...). :func:`build_plan` merges the steps of all findings, one
entry per (step, transformer, params), in the order preprocessing must happen, and
gives each column at most one imputer, clip, transform, scaler and encoder (the
first step that claims it wins; a dropped column leaves every later step).

:func:`render_code` turns the steps into plain pandas + scikit-learn code: a
``drop_rows(df)`` function for the training file, a ``clean_cells`` function for
cell fixes, a ``ColumnTransformer`` and the ``preprocess`` pipeline. The code does
not import preflight; ``preflight fix`` runs exactly this code.
"""

from __future__ import annotations

import inspect
import json
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from preflight.dataset import Dataset
from preflight.escape import json_safe
from preflight.findings import Finding, jsonable
from preflight.profile import Profile

log = logging.getLogger(__name__)

# Cleaning before imputation before transforms before scaling before encoding.
STEP_ORDER: tuple[str, ...] = (
    "drop-rows",
    "drop-columns",
    "replace-values",
    "parse-numbers",
    "replace-infinite",
    "impute",
    "clip",
    "transform",
    "scale",
    "encode",
    "transform-target",
    "relabel",
)

# Steps that give one column at most one treatment of their kind.
_PER_COLUMN = ("impute", "clip", "transform", "scale", "encode")
# Steps about the target, which keep the target column in their column list.
_TARGET_STEPS = ("transform-target", "relabel")

# One-hot encoders keep this many categories of a column when no finding chose.
DEFAULT_MAX_CATEGORIES = 20


def build_plan(findings: Sequence[Finding], dataset: Dataset) -> dict[str, Any]:
    """``{"steps": [...], "code": ...}`` for the report's ``preprocessing`` section."""
    steps = merge_steps(findings, dataset)
    try:
        code: str | None = render_code(steps, dataset)
    except (TypeError, ValueError, KeyError) as exc:
        # A fix this generator cannot express must not cost the user the report.
        log.warning("no preprocessing code for this plan: %s", exc)
        code = None
    return {"steps": steps, "code": code}


def merge_steps(findings: Sequence[Finding], dataset: Dataset) -> list[dict[str, Any]]:
    """The findings' fixes as ordered steps, with per-column conflicts resolved."""
    merged: dict[tuple[str, str | None, str], dict[str, Any]] = {}
    for f in findings:
        fix = f.fix
        if fix is None or fix.step is None:
            continue
        params = jsonable(fix.params)
        if fix.step == "drop-rows" and dataset.target is not None and dataset.target in f.columns:
            params = {**params, "missing_target": True}  # rows dropped for their label
        key = (fix.step, fix.transformer, json.dumps(params, sort_keys=True))
        entry = merged.setdefault(
            key,
            {"step": fix.step, "columns": [], "transformer": fix.transformer, "params": params, "reason": ""},
        )
        reasons = entry["reason"].split(",") if entry["reason"] else []
        if f.code not in reasons:
            entry["reason"] = ",".join(sorted([*reasons, f.code]))
        for col in f.columns:
            keep = col != dataset.target or fix.step in _TARGET_STEPS
            if keep and col not in entry["columns"]:
                entry["columns"].append(col)
    order = {s: i for i, s in enumerate(STEP_ORDER)}
    steps = sorted(merged.values(), key=lambda e: (order.get(e["step"], len(order)), e["reason"]))
    dropped: set[str] = set()
    claimed: dict[str, set[str]] = {s: set() for s in _PER_COLUMN}
    out: list[dict[str, Any]] = []
    for step in steps:
        if step["step"] != "drop-columns":
            step["columns"] = [c for c in step["columns"] if c not in dropped]
        if step["step"] in claimed:
            taken = claimed[step["step"]]
            step["columns"] = [c for c in step["columns"] if c not in taken]
            taken.update(step["columns"])
            if not step["columns"]:
                continue
        if step["step"] == "drop-columns":
            step["columns"] = [c for c in step["columns"] if c not in dropped]
            dropped.update(step["columns"])
            if not step["columns"]:
                continue
        out.append(step)
    return out


def describe_step(step: dict[str, Any], limit: int = 6) -> str:
    """One line for people: ``scale (StandardScaler): a, b +3`` or ``drop-rows: rows without a label``."""
    via = f" ({step['transformer'].rsplit('.', 1)[-1]})" if step.get("transformer") else ""
    columns = step["columns"]
    params = step.get("params") or {}
    if step["step"] == "drop-rows":
        what = (
            "rows without a label" if params.get("missing_target")
            else "rows that repeat an earlier row" if params.get("duplicates")
            else "the flagged rows"
        )  # fmt: skip
    else:
        what = ", ".join(columns[:limit]) + (f" +{len(columns) - limit}" if len(columns) > limit else "")
    return f"{step['step']}{via}: {what}"


# ---------------------------------------------------------------------------------
# Runtime helpers. Their source is copied verbatim into the generated code, and
# `preflight fix` pickles `clean_cells` by reference, so they must stay
# self-contained (re, numpy as np, pandas as pd only).


def to_number(value: Any) -> float:
    """``"$3,750.50"`` -> 3750.5, ``"12%"`` -> 0.12, ``"(5)"`` -> -5.0; NaN if not a number."""
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = str(value).strip()
    negative = text.startswith("(") and text.endswith(")")
    text = text.strip("()").strip()
    percent = text.endswith("%")
    text = re.sub(r"[$€£¥%\s\u00a0',]", "", text)
    try:
        number = float(text)
    except ValueError:
        return float("nan")
    if percent:
        number /= 100.0
    return -number if negative else number


def clean_cells(df: pd.DataFrame, spec: dict[str, Any]) -> pd.DataFrame:
    """Cell fixes that hold for training and new data alike; returns a new frame."""
    df = df.drop(columns=[c for c in spec.get("drop_columns", []) if c in df.columns])
    for col, values in spec.get("to_missing", {}).items():
        if col in df.columns:
            df[col] = df[col].mask(df[col].isin(values))
    for col, mapping in spec.get("replace", {}).items():
        if col in df.columns:
            df[col] = df[col].replace(mapping)
    for col in spec.get("parse_numbers", []):
        if col in df.columns:
            df[col] = pd.to_numeric(df[col].map(to_number, na_action="ignore"), errors="coerce")
    for col in spec.get("infinite_to_missing", []):
        if col in df.columns:
            df[col] = df[col].replace([np.inf, -np.inf], np.nan)
    return df


# ---------------------------------------------------------------------------------
# Code generation.


@dataclass
class _Column:
    """What the pipeline does to one feature column."""

    role: str  # numeric | boolean | categorical | unused
    impute: str | None = None  # code of the imputer
    indicator: bool = False
    chain: list[str] = field(default_factory=list)  # code of clip/transform/scale/encode
    notes: list[str] = field(default_factory=list)


@dataclass
class _Code:
    imports: dict[str, set[str]] = field(default_factory=dict)

    def use(self, module: str, name: str) -> str:
        self.imports.setdefault(module, set()).add(name)
        return name

    def header(self, typing: bool) -> list[str]:
        lines = [
            *(["import re", "from typing import Any", ""] if typing else []),
            "import numpy as np",
            "import pandas as pd",
        ]
        for module in sorted(self.imports):
            lines.append(f"from {module} import {', '.join(sorted(self.imports[module]))}")
        return lines


def render_code(steps: Sequence[dict[str, Any]], dataset: Dataset) -> str:
    """Plain pandas + scikit-learn code that applies ``steps`` to ``dataset``'s features."""
    code = _Code()
    spec, row_lines, target_lines, notes = _cells_and_rows(steps, dataset, code)
    columns = _column_plans(steps, dataset, spec, code)
    groups = _groups(columns, code)
    ct = code.use("sklearn.compose", "ColumnTransformer")
    pipe = code.use("sklearn.pipeline", "make_pipeline")

    body: list[str] = []
    body.append(f"TARGET = {_literal(dataset.target)}")
    body.append("")
    body.append("")
    body.append("def drop_rows(df):")
    body.append('    """Training data only: drop the rows no model can learn from."""')
    body.extend(row_lines or ["    # no rows to drop"])
    body.append("    return df.reset_index(drop=True)")
    body.append("")
    body.append("")
    if spec["drop_columns"]:
        body.append(f"# dropped: {_literal(spec['drop_columns'])} (the ColumnTransformer leaves them out)")
    cells = {k: v for k, v in spec.items() if v and k != "drop_columns"}
    needs_clean = bool(cells)
    if needs_clean:
        body.append("# Cell fixes, for training and new data alike.")
        body.append(f"CLEAN = {_literal(cells)}")
        body.append("")
        body.append("")
        body.append(inspect.getsource(to_number).rstrip())
        body.append("")
        body.append("")
        body.append(inspect.getsource(clean_cells).rstrip())
        body.append("")
        body.append("")
    body.append(f"columns = {ct}(")
    body.append("    [")
    for name, transformer, cols, comment in groups:
        if comment:
            body.append(f"        # {comment}")
        body.append(f"        ({_literal(name)}, {transformer}, {_literal(cols)}),")
    body.append("    ],")
    body.append('    remainder="drop",')
    body.append("    verbose_feature_names_out=False,")
    body.append(")")
    body.append('columns.set_output(transform="pandas")')
    unused = [c for c, plan in columns.items() if plan.role == "unused"]
    if unused:
        body.append(f"# not used by the pipeline (no numeric or categorical meaning): {_literal(unused)}")
    if needs_clean:
        ft = code.use("sklearn.preprocessing", "FunctionTransformer")
        body.append(f'preprocess = {pipe}({ft}(clean_cells, kw_args={{"spec": CLEAN}}), columns)')
    else:
        body.append(f"preprocess = {pipe}(columns)")
    if target_lines:
        body.append("")
        body.append("")
        body.extend(target_lines)
    if notes:
        body.append("")
        body.extend(f"# {n}" for n in notes)

    # Comments, not a docstring: a path may hold quotes or backslashes.
    source = f" for {_literal(dataset.path)}" if dataset.path != "<dataframe>" else ""
    usage = [
        f"# Preprocessing suggested by preflight{source}. Usage:",
        "#",
        f"#     df = drop_rows({_reader(dataset)})  # the training data",
        "#     X, y = df.drop(columns=[TARGET]), df[TARGET]" if dataset.target else "#     X = df",
        "#     model = make_pipeline(preprocess, YourEstimator())"
        if not target_lines
        else "#     model = with_target_transform(YourRegressor())",
        "#     model.fit(X, y)" if dataset.target else "#     Xt = preprocess.fit_transform(X)",
        "",
    ]
    text = "\n".join([*usage, *code.header(typing=needs_clean), "", *body]) + "\n"
    return text


def _reader(dataset: Dataset) -> str:
    """The pandas call that reads the dataset's file (as plain text for the docstring)."""
    path = dataset.path
    if path == "<dataframe>" or any(ch in path for ch in "*?[\n\r"):
        return "df"
    quoted = _literal(path)
    return {
        "csv": f"pd.read_csv({quoted})",
        "parquet": f"pd.read_parquet({quoted})",
        "jsonl": f"pd.read_json({quoted}, lines=True)",
        "feather": f"pd.read_feather({quoted})",
    }.get(dataset.source_format, "df")


def _cells_and_rows(
    steps: Sequence[dict[str, Any]], dataset: Dataset, code: _Code
) -> tuple[dict[str, Any], list[str], list[str], list[str]]:
    spec: dict[str, Any] = {
        "drop_columns": [],
        "to_missing": {},
        "replace": {},
        "parse_numbers": [],
        "infinite_to_missing": [],
    }
    rows: list[str] = []
    target: list[str] = []
    notes: list[str] = []
    for step in steps:
        kind, cols, params, reason = step["step"], step["columns"], step.get("params") or {}, step["reason"]
        if kind == "drop-columns":
            spec["drop_columns"].extend(c for c in cols if c not in spec["drop_columns"])
        elif kind == "replace-values":
            for col in cols:
                if "to_missing" in params:
                    values = spec["to_missing"].setdefault(col, [])
                    values.extend(v for v in params["to_missing"] if v not in values)
                if "mapping" in params:
                    spec["replace"].setdefault(col, {}).update(params["mapping"])
        elif kind == "parse-numbers":
            spec["parse_numbers"].extend(c for c in cols if c not in spec["parse_numbers"])
        elif kind == "replace-infinite":
            spec["infinite_to_missing"].extend(c for c in cols if c not in spec["infinite_to_missing"])
        elif kind == "drop-rows":
            if params.get("missing_target"):
                rows.append(f"    df = df.dropna(subset=[TARGET])  # rows without a label ({reason})")
            elif params.get("duplicates"):
                rows.append(f"    df = df.drop_duplicates()  # exact repeats ({reason})")
            else:
                rows.append(
                    f"    # rows flagged by {reason}: list them with `preflight check --rows-out`, "
                    f"drop them with `preflight fix --drop-rows {reason}`"
                )
        elif kind == "transform-target":
            ttr = code.use("sklearn.compose", "TransformedTargetRegressor")
            pipe = code.use("sklearn.pipeline", "make_pipeline")
            if params.get("func") == "log1p":
                how = "func=np.log1p, inverse_func=np.expm1"
            else:
                scaler = code.use("sklearn.preprocessing", str(params.get("transformer", "StandardScaler")))
                how = f"transformer={scaler}()"
            target += [
                "def with_target_transform(estimator):",
                f'    """Train on a transformed target, predict in raw units ({reason})."""',
                f"    return {ttr}(regressor={pipe}(preprocess, estimator), {how})",
            ]
        elif kind == "relabel":
            notes.append(
                f"labels: review the rows {reason} lists (preflight check --rows-out) before training"
            )
    return spec, rows, target, notes


def _column_plans(
    steps: Sequence[dict[str, Any]], dataset: Dataset, spec: dict[str, Any], code: _Code
) -> dict[str, _Column]:
    profile = Profile(dataset)
    dropped = set(spec["drop_columns"])
    # A numeric step (clip, transform, scale) on a text column means its text holds
    # numbers (the SN checks parse them to measure them): parse it first.
    for step in steps:
        if step["step"] in ("clip", "transform", "scale"):
            for name in step["columns"]:
                if (
                    name in dataset.frame.columns
                    and profile[name].kind in ("string", "categorical")
                    and name not in spec["parse_numbers"]
                ):
                    spec["parse_numbers"].append(name)
    plans: dict[str, _Column] = {}
    for name in dataset.features:
        if name in dropped:
            continue
        col = profile[name]
        if name in spec["parse_numbers"] or col.kind == "numeric":
            role = "numeric"
        elif col.kind == "boolean":
            role = "boolean"
        elif col.kind in ("string", "categorical"):
            role = "categorical"
        else:
            role = "unused"
        plans[name] = _Column(role=role)
    for step in steps:
        kind, params = step["step"], step.get("params") or {}
        for name in step["columns"]:
            plan = plans.get(name)
            if plan is None or plan.role == "unused":
                continue
            if kind == "impute":
                imputer = params
                if plan.role == "numeric" and params.get("strategy") == "most_frequent":
                    # Seen as text before parse-numbers; as numbers the median is the fit.
                    imputer = {**params, "strategy": "median"}
                elif plan.role == "boolean" and params.get("strategy") in ("median", "mean"):
                    imputer = {**params, "strategy": "most_frequent"}  # stay True/False
                plan.impute = _estimator(step["transformer"], imputer, code, skip=("add_indicator",))
                plan.indicator = bool(params.get("add_indicator"))
            elif kind == "clip" and plan.role == "numeric":
                plan.chain.append(_clip(params, code))
            elif kind == "transform" and plan.role == "numeric":
                plan.chain.append(_transform(step["transformer"], params, code))
            elif kind == "scale" and plan.role in ("numeric", "boolean"):
                plan.chain.append(_estimator(step["transformer"], params, code))
            elif kind == "encode" and plan.role == "categorical":
                plan.chain.append(_encoder(step["transformer"], params, code))
    touched = set(spec["to_missing"]) | set(spec["parse_numbers"]) | set(spec["infinite_to_missing"])
    for name, plan in plans.items():
        col = profile[name]
        if plan.role in ("numeric", "boolean") and plan.impute is None and (col.n_missing or name in touched):
            # A NaN stops most estimators; cells cleaned to missing need imputing too.
            strategy = "median" if plan.role == "numeric" else "most_frequent"
            plan.impute = f"{code.use('sklearn.impute', 'SimpleImputer')}(strategy={_literal(strategy)})"
        if plan.role == "numeric" and plan.chain and "Scaler(" not in plan.chain[-1] and _needs_scaling(plan):
            plan.chain.append(f"{code.use('sklearn.preprocessing', 'StandardScaler')}()")
        if plan.role == "categorical" and not any("Encoder(" in c for c in plan.chain):
            ohe = code.use("sklearn.preprocessing", "OneHotEncoder")
            plan.chain.append(
                f'{ohe}(handle_unknown="infrequent_if_exist", max_categories={DEFAULT_MAX_CATEGORIES}, '
                "sparse_output=False)"
            )
            plan.notes.append("default encoding")
    return plans


def _needs_scaling(plan: _Column) -> bool:
    """A log or power transform leaves a column off-centre: standardize after it."""
    last = plan.chain[-1]
    return "log1p" in last or "PowerTransformer(" in last


def _groups(plans: dict[str, _Column], code: _Code) -> list[tuple[str, str, list[str], str]]:
    """ColumnTransformer entries: columns with the same chain share one transformer."""
    chains: dict[tuple[str, ...], list[str]] = {}
    notes: dict[tuple[str, ...], set[str]] = {}
    # One MissingIndicator per role: given text and numbers together it casts all to float.
    indicator: dict[str, list[str]] = {}
    for name, plan in plans.items():
        if plan.role == "unused":
            continue
        chain = tuple([plan.impute] if plan.impute else []) + tuple(plan.chain)
        chains.setdefault(chain, []).append(name)
        notes.setdefault(chain, set()).update(plan.notes)
        if plan.indicator:
            indicator.setdefault("text" if plan.role == "categorical" else "numbers", []).append(name)
    groups: list[tuple[str, str, list[str], str]] = []
    used: set[str] = set()
    for chain, cols in chains.items():
        name = _group_name(chain, used)
        if not chain:
            transformer = '"passthrough"'
        elif len(chain) == 1:
            transformer = chain[0]
        else:
            transformer = code.use("sklearn.pipeline", "make_pipeline") + "(" + ", ".join(chain) + ")"
        groups.append((name, transformer, cols, ", ".join(sorted(notes[chain]))))
    for cols in indicator.values():
        mi = code.use("sklearn.impute", "MissingIndicator")
        name = _group_name(("missing",), used)
        groups.append((name, f'{mi}(features="all")', cols, "missing-value indicators (add_indicator)"))
    return groups


_SHORT = {
    "SimpleImputer": "impute",
    "StandardScaler": "standard",
    "RobustScaler": "robust",
    "MinMaxScaler": "minmax",
    "MaxAbsScaler": "maxabs",
    "PowerTransformer": "power",
    "QuantileTransformer": "quantile",
    "OneHotEncoder": "onehot",
    "OrdinalEncoder": "ordinal",
    "TargetEncoder": "target",
}


def _group_name(chain: tuple[str, ...], used: set[str]) -> str:
    parts: list[str] = []
    for element in chain:
        head = element.split("(", 1)[0]
        if head == "FunctionTransformer":
            part = "log1p" if "log1p" in element else "clip" if "clip" in element else "function"
        else:
            part = _SHORT.get(head, head.lower())
        if part not in parts:
            parts.append(part)
    base = "_".join(parts) or "passthrough"
    name, k = base, 2
    while name in used:
        name, k = f"{base}_{k}", k + 1
    used.add(name)
    return name


def _split(transformer: str | None, default: str) -> tuple[str, str]:
    dotted = transformer or default
    module, _, cls = dotted.rpartition(".")
    return module or "sklearn.preprocessing", cls


def _estimator(
    transformer: str | None, params: dict[str, Any], code: _Code, skip: tuple[str, ...] = ()
) -> str:
    module, cls = _split(transformer, "sklearn.preprocessing.StandardScaler")
    name = code.use(module, cls)
    args = ", ".join(f"{k}={_literal(v)}" for k, v in sorted(params.items()) if k not in skip)
    return f"{name}({args})"


def _clip(params: dict[str, Any], code: _Code) -> str:
    ft = code.use("sklearn.preprocessing", "FunctionTransformer")
    lo, hi = params.get("lower"), params.get("upper")
    return (
        f'{ft}(np.clip, kw_args={{"a_min": {_literal(lo)}, "a_max": {_literal(hi)}}}, '
        'feature_names_out="one-to-one")'
    )


def _transform(transformer: str | None, params: dict[str, Any], code: _Code) -> str:
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
    return _estimator(transformer, params, code)


def _encoder(transformer: str | None, params: dict[str, Any], code: _Code) -> str:
    module, cls = _split(transformer, "sklearn.preprocessing.OneHotEncoder")
    if cls == "OneHotEncoder":
        params = {"handle_unknown": "ignore", **params, "sparse_output": False}
    elif cls == "OrdinalEncoder":
        params = {"handle_unknown": "use_encoded_value", "unknown_value": -1, **params}
    elif cls == "TargetEncoder":
        params = {**params, "random_state": 0}
    return _estimator(f"{module}.{cls}", params, code)


def _literal(value: Any) -> str:
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
        return _literal(value.item())
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as a literal")
