"""What the pipeline does to each feature column, and the ColumnTransformer groups.

Every feature gets a role (numeric, boolean, categorical or unused) from its
profile, then the per-column steps in plan order: at most one imputer and a chain
of clip / transform / scale / encode. Defaults fill the gaps a model would trip on
(a NaN left unimputed, a log left off-centre, text left unencoded). Columns with
the same chain share one ColumnTransformer entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from preflight.data.dataset import Dataset
from preflight.data.profile import Profile
from preflight.plan import emit
from preflight.plan.emit import Imports, literal
from preflight.plan.steps import Step

# One-hot encoders keep this many categories of a column when no finding chose.
DEFAULT_MAX_CATEGORIES = 20


@dataclass
class Column:
    """What the pipeline does to one feature column."""

    role: str  # numeric | boolean | categorical | unused
    impute: str | None = None  # code of the imputer
    indicator: bool = False
    chain: list[str] = field(default_factory=list)  # code of clip/transform/scale/encode
    notes: list[str] = field(default_factory=list)


def column_plans(
    steps: Sequence[Step], dataset: Dataset, spec: dict[str, Any], code: Imports
) -> dict[str, Column]:
    """Each kept feature's plan. Adds to ``spec["parse_numbers"]`` the text columns a
    numeric step treats (the SN checks parse their numbers to measure them)."""
    profile = Profile(dataset)
    for step in steps:
        if step.step in ("clip", "transform", "scale"):
            for name in step.columns:
                if (
                    name in dataset.frame.columns
                    and profile[name].kind in ("string", "categorical")
                    and name not in spec["parse_numbers"]
                ):
                    spec["parse_numbers"].append(name)
    plans: dict[str, Column] = {}
    source: dict[str, str] = {}  # a derived column -> the column it comes from
    for name in dataset.features:
        if name in spec["drop_columns"]:
            continue
        if name in spec["censor_indicators"]:
            plans[f"{name} (capped)"] = Column(role="boolean", notes=["censoring indicators"])
            source[f"{name} (capped)"] = name
        if name in spec["date_features"]:
            how = spec["date_features"][name]
            month = not isinstance(how, dict) or how.get("month", True)
            for derived in (f"{name} (days)", f"{name} (month)") if month else (f"{name} (days)",):
                scaler = f"{code.use('sklearn.preprocessing', 'StandardScaler')}()"
                plans[derived] = Column(role="numeric", chain=[scaler], notes=["dates as numbers"])
                source[derived] = name
            continue
        kind = profile[name].kind
        if name in spec["parse_numbers"] or kind == "numeric":
            role = "numeric"
        elif kind == "boolean":
            role = "boolean"
        elif kind in ("string", "categorical"):
            role = "categorical"
        else:
            role = "unused"
        plans[name] = Column(role=role)
    for step in steps:
        for name in step.columns:
            plan = plans.get(name)
            if plan is not None and plan.role != "unused":
                _apply(step, plan, code)
    touched = (
        set(spec["to_missing"])
        | set(spec["outside_to_missing"])
        | set(spec["parse_numbers"])
        | set(spec["infinite_to_missing"])
    )
    for name, plan in plans.items():
        origin = source.get(name, name)
        _defaults(plan, bool(profile[origin].n_missing) or origin in touched, code)
    _scale_the_rest(plans, code)
    return plans


def _scale_the_rest(plans: dict[str, Column], code: Imports) -> None:
    """Once the plan scales some numeric features, it scales all of them: the ones left
    in raw units would dominate the scaled ones (a fixed file would fail SN001)."""
    numeric = [p for p in plans.values() if p.role == "numeric"]
    if not any(_scaled(p) for p in numeric):
        return
    for plan in numeric:
        if not _scaled(plan):
            plan.chain.append(f"{code.use('sklearn.preprocessing', 'StandardScaler')}()")
            plan.notes.append("scaled like the other features")


def _scaled(plan: Column) -> bool:
    return any("Scaler(" in step for step in plan.chain)


def _apply(step: Step, plan: Column, code: Imports) -> None:
    kind, params, transformer = step.step, step.params, step.transformer
    if kind == "impute":
        imputer = params
        if plan.role == "numeric" and params.get("strategy") == "most_frequent":
            # Seen as text before parse-numbers; as numbers the median is the fit.
            imputer = {**params, "strategy": "median"}
        elif plan.role == "boolean" and params.get("strategy") in ("median", "mean"):
            imputer = {**params, "strategy": "most_frequent"}  # stay True/False
        plan.impute = emit.estimator(transformer, imputer, code, skip=("add_indicator",))
        plan.indicator = bool(params.get("add_indicator"))
    elif kind == "clip" and plan.role == "numeric":
        plan.chain.append(emit.clip(params, code))
    elif kind == "transform" and plan.role == "numeric":
        plan.chain.append(emit.transform(transformer, params, code))
    elif kind == "scale" and plan.role in ("numeric", "boolean"):
        plan.chain.append(emit.estimator(transformer, params, code))
    elif kind == "encode" and plan.role == "categorical":
        plan.chain.append(emit.encoder(transformer, params, code))


def _defaults(plan: Column, may_be_missing: bool, code: Imports) -> None:
    if plan.role in ("numeric", "boolean") and plan.impute is None and may_be_missing:
        # A NaN stops most estimators; cells cleaned to missing need imputing too.
        strategy = "median" if plan.role == "numeric" else "most_frequent"
        plan.impute = f"{code.use('sklearn.impute', 'SimpleImputer')}(strategy={literal(strategy)})"
    if plan.role == "numeric" and plan.chain and "Scaler(" not in plan.chain[-1] and _off_centre(plan):
        plan.chain.append(f"{code.use('sklearn.preprocessing', 'StandardScaler')}()")
    if plan.role == "categorical" and not any("Encoder(" in c for c in plan.chain):
        ohe = code.use("sklearn.preprocessing", "OneHotEncoder")
        plan.chain.append(
            f'{ohe}(handle_unknown="infrequent_if_exist", max_categories={DEFAULT_MAX_CATEGORIES}, '
            "sparse_output=False)"
        )
        plan.notes.append("default encoding")


def _off_centre(plan: Column) -> bool:
    """A log or power transform leaves a column off-centre: standardize after it."""
    last = plan.chain[-1]
    return "log1p" in last or "PowerTransformer(" in last


def groups(plans: dict[str, Column], code: Imports) -> list[tuple[str, str, list[str], str]]:
    """ColumnTransformer entries (name, transformer code, columns, comment): columns
    with the same chain share one transformer."""
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
    out: list[tuple[str, str, list[str], str]] = []
    used: set[str] = set()
    for chain, cols in chains.items():
        name = _group_name(chain, used)
        if not chain:
            transformer = '"passthrough"'
        elif len(chain) == 1:
            transformer = chain[0]
        else:
            transformer = code.use("sklearn.pipeline", "make_pipeline") + "(" + ", ".join(chain) + ")"
        out.append((name, transformer, cols, ", ".join(sorted(notes[chain]))))
    for cols in indicator.values():
        mi = code.use("sklearn.impute", "MissingIndicator")
        name = _group_name(("missing",), used)
        out.append((name, f'{mi}(features="all")', cols, "missing-value indicators (add_indicator)"))
    return out


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
    """A short unique name from the chain: ``impute_standard``, ``onehot_2``."""
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
