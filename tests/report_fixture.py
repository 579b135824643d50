"""One fixed, realistic Report for reporter tests (built by hand, not by running checks).

The golden files in tests/golden/ are rendered from :func:`fixed_report` with the
fixed rule documentation :data:`RULES`, so they change only when a reporter
changes, not when a check's wording or the registry does. The values mirror what
preflight finds on a wine-like table (178 rows, a ``proline`` column in the
thousands, a few flipped labels, two outliers).

:func:`hostile_report` is the same shape with HTML/JS and control characters in
every string that can come from the data (path, column names, values, labels).
"""

from __future__ import annotations

from typing import Any

from preflight.core.columns import Censored, ColumnSemantics
from preflight.core.findings import (
    CheckError,
    DatasetInfo,
    Finding,
    Fix,
    Report,
    Severity,
    Skipped,
    SkippedColumns,
)
from preflight.reporters.common import RuleInfo

GOLDEN_VERSION = "0.0.0+golden"

_DOCS = {
    "DQ001": (
        "data-quality.missing-values",
        "data-quality",
        1,
        "warning",
        "Feature columns with missing values.",
    ),
    "DQ003": (
        "data-quality.duplicate-rows",
        "data-quality",
        1,
        "warning",
        "Rows that repeat another row exactly.",
    ),
    "SN001": (
        "scale.scale-spread",
        "scale",
        2,
        "warning",
        "Features whose scales differ by orders of magnitude.",
    ),
    "CP003": ("capacity.rows-per-class", "capacity", 3, "info", "Classes with few rows to learn from."),
    "LB001": (
        "labels.label-issues",
        "labels",
        4,
        "error",
        "Rows whose label looks wrong (confident learning).",
    ),
    "OL001": ("outliers.multivariate", "outliers", 1, "warning", "Rows far from the rest in feature space."),
    "SP001": ("split.train-test-overlap", "split", None, "error", "Rows present in both train and test."),
}

RULES: dict[str, RuleInfo] = {
    code: RuleInfo(
        code=code,
        name=name,
        category=category,
        cause=cause,
        severity=severity,
        summary=summary,
        doc=f"{summary}\n\n**What it does.** A fixed description of {code} for golden tests.\n\n"
        f"**Fix.** What a user should do about {name}.",
    )
    for code, (name, category, cause, severity, summary) in _DOCS.items()
}

CLASSES = ("class_0", "class_1", "class_2")


def _numeric(
    lo: float, q05: float, q25: float, med: float, q75: float, q95: float, hi: float, mean: float, std: float
) -> dict[str, float]:
    return {
        "min": lo,
        "q05": q05,
        "q25": q25,
        "median": med,
        "q75": q75,
        "q95": q95,
        "max": hi,
        "mean": mean,
        "std": std,
        "iqr": round(q75 - q25, 6),
    }


def _profile(names: dict[str, str], target: str, labels: tuple[str, ...]) -> dict[str, Any]:
    n = names
    columns = [
        {
            "name": n["alcohol"],
            "role": "feature",
            "kind": "numeric",
            "missing": 0,
            "numeric": _numeric(11.03, 11.65, 12.36, 13.05, 13.68, 14.22, 14.83, 13.0, 0.81),
        },
        {
            "name": n["malic_acid"],
            "role": "feature",
            "kind": "numeric",
            "missing": 4,
            "numeric": _numeric(0.74, 1.06, 1.6, 1.87, 3.08, 4.46, 5.8, 2.34, 1.12),
        },
        {
            "name": n["magnesium"],
            "role": "feature",
            "kind": "numeric",
            "missing": 0,
            "numeric": _numeric(70.0, 80.85, 88.0, 98.0, 107.0, 124.3, 162.0, 99.74, 14.24),
        },
        {
            "name": n["hue"],
            "role": "feature",
            "kind": "numeric",
            "missing": 0,
            "numeric": _numeric(0.48, 0.58, 0.78, 0.965, 1.12, 1.29, 1.71, 0.957, 0.228),
        },
        {
            "name": n["proline"],
            "role": "feature",
            "kind": "numeric",
            "missing": 0,
            "numeric": _numeric(278.0, 354.1, 500.5, 673.5, 985.0, 1297.0, 1680.0, 746.9, 314.0),
        },
        {
            "name": n["region"],
            "role": "feature",
            "kind": "string",
            "missing": 11,
            "numeric": None,
        },
        {"name": target, "role": "target", "kind": "string", "missing": 0, "numeric": None},
    ]
    return {
        "columns_total": len(columns),
        "columns_listed": len(columns),
        "columns": columns,
        "target": {
            "name": target,
            "task": "classification",
            "missing": 0,
            "classes_total": 3,
            "class_counts": {labels[1]: 71, labels[0]: 59, labels[2]: 48},
        },
    }


def _report(
    path: str,
    names: dict[str, str],
    target: str,
    labels: tuple[str, ...],
    region_value: str,
    *,
    errors: tuple[CheckError, ...] = (),
) -> Report:
    n = names
    lb_rows = (5, 18, 41, 60, 73, 95, 110, 122, 131, 150, 163, 170)
    findings = [
        Finding(
            code="LB001",
            name="labels.label-issues",
            category="labels",
            cause=4,
            severity=Severity.ERROR,
            message=f"about 6.7% of labels look wrong (12 rows), most often {labels[1]!r} "
            f"given for {labels[0]!r}",
            columns=(target,),
            rows=lb_rows,
            row_count=12,
            evidence={"estimated_noise_rate": 0.0674, "threshold": 0.05},
            fix=Fix("review or relabel the listed rows", step="relabel"),
        ),
        Finding(
            code="SN001",
            name="scale.scale-spread",
            category="scale",
            cause=2,
            severity=Severity.WARNING,
            message=f"feature scales span 3.1 orders of magnitude: {n['proline']!r} (~1,300) "
            f"vs {n['hue']!r} (~1.3)",
            columns=(n["proline"], n["magnesium"]),
            evidence={"ratio": 1375.4, "largest": n["proline"], "smallest": n["hue"]},
            fix=Fix(
                "standardize the features", step="scale", transformer="sklearn.preprocessing.StandardScaler"
            ),
        ),
        Finding(
            code="DQ001",
            name="data-quality.missing-values",
            category="data-quality",
            cause=1,
            severity=Severity.WARNING,
            message=f"{n['region']!r} is missing in 11 of 178 rows (6.2%)",
            columns=(n["region"],),
            rows=(2, 9, 30, 44, 57, 88, 101, 119, 140, 152, 177),
            row_count=11,
            evidence={"missing": 11, "share": 0.0618, "example_value": region_value},
            fix=Fix(
                "impute with the most frequent and add a missing indicator",
                step="impute",
                transformer="sklearn.impute.SimpleImputer",
                params={"strategy": "most_frequent", "add_indicator": True},
            ),
        ),
        Finding(
            code="DQ001",
            name="data-quality.missing-values",
            category="data-quality",
            cause=1,
            severity=Severity.WARNING,
            message=f"{n['malic_acid']!r} is missing in 4 of 178 rows (2.2%)",
            columns=(n["malic_acid"],),
            rows=(12, 64, 69, 171),
            row_count=4,
            evidence={"missing": 4, "share": 0.0225},
            fix=Fix(
                "impute with the median",
                step="impute",
                transformer="sklearn.impute.SimpleImputer",
                params={"strategy": "median", "add_indicator": False},
            ),
        ),
        Finding(
            code="OL001",
            name="outliers.multivariate",
            category="outliers",
            cause=1,
            severity=Severity.WARNING,
            message="2 rows lie far from the rest (isolation forest score above 0.62)",
            columns=(n["proline"], n["magnesium"], n["malic_acid"]),
            rows=(69, 121),
            row_count=2,
            evidence={
                "method": "isolation forest",
                "threshold": 0.62,
                "scores": {"121": 0.71, "69": 0.66, "95": 0.58, "158": 0.55, "25": 0.53, "13": 0.52},
            },
            fix=Fix("inspect the rows; clip or drop them if they are errors"),
        ),
        Finding(
            code="CP003",
            name="capacity.rows-per-class",
            category="capacity",
            cause=3,
            severity=Severity.INFO,
            message=f"the smallest class, {labels[2]!r}, has 48 rows: enough, "
            "but 5-fold CV leaves about 38 to learn from",
            columns=(target,),
            evidence={"smallest_class": labels[2], "rows": 48},
        ),
    ]
    findings.sort(key=Finding.sort_key)
    health = {
        "method": "confident learning, 5-fold out-of-fold probabilities (logistic regression)",
        "estimated_noise_rate": 0.0674,
        "issue_rows": [110, 18, 73, 5, 150, 41, 131, 60, 95, 163, 122, 170],
        "suggested_labels": {
            "110": labels[0],
            "18": labels[0],
            "73": labels[2],
            "5": labels[1],
            "150": labels[0],
            "41": labels[1],
            "131": labels[2],
            "60": labels[0],
            "95": labels[1],
            "163": labels[1],
            "122": labels[0],
            "170": labels[1],
        },
        "given_labels": {
            "110": labels[1],
            "18": labels[1],
            "73": labels[1],
            "5": labels[0],
            "150": labels[2],
            "41": labels[0],
            "131": labels[1],
            "60": labels[1],
            "95": labels[2],
            "163": labels[0],
            "122": labels[1],
            "170": labels[2],
        },
        "label_quality": {
            "110": 0.031,
            "18": 0.044,
            "73": 0.058,
            "5": 0.071,
            "150": 0.09,
            "41": 0.102,
            "131": 0.118,
            "60": 0.131,
            "95": 0.155,
            "163": 0.171,
            "122": 0.189,
            "170": 0.2,
        },
        "noise_matrix": {
            labels[0]: {labels[0]: 55, labels[1]: 2, labels[2]: 0},
            labels[1]: {labels[0]: 5, labels[1]: 64, labels[2]: 2},
            labels[2]: {labels[0]: 1, labels[1]: 2, labels[2]: 45},
        },
    }
    code = (
        "from sklearn.compose import ColumnTransformer\n"
        "from sklearn.impute import SimpleImputer\n"
        "from sklearn.pipeline import make_pipeline\n"
        "from sklearn.preprocessing import OneHotEncoder, StandardScaler\n\n"
        "numeric = " + repr([n["alcohol"], n["malic_acid"], n["magnesium"], n["hue"], n["proline"]]) + "\n"
        "categorical = " + repr([n["region"]]) + "\n"
        "preprocess = ColumnTransformer([\n"
        "    ('num', make_pipeline(SimpleImputer(strategy='median'), StandardScaler()), numeric),\n"
        "    ('cat', make_pipeline(SimpleImputer(strategy='most_frequent', add_indicator=True),\n"
        "                          OneHotEncoder(handle_unknown='ignore')), categorical),\n"
        "])\n"
    )
    preprocessing = {
        "steps": [
            {
                "step": "impute",
                "columns": [n["region"]],
                "transformer": "sklearn.impute.SimpleImputer",
                "params": {"strategy": "most_frequent", "add_indicator": True},
                "reason": "DQ001",
            },
            {
                "step": "impute",
                "columns": [n["malic_acid"]],
                "transformer": "sklearn.impute.SimpleImputer",
                "params": {"strategy": "median", "add_indicator": False},
                "reason": "DQ001",
            },
            {
                "step": "scale",
                "columns": [n["proline"], n["magnesium"]],
                "transformer": "sklearn.preprocessing.StandardScaler",
                "params": {},
                "reason": "SN001",
            },
            {"step": "relabel", "columns": [], "transformer": None, "params": {}, "reason": "LB001"},
        ],
        "code": code,
    }
    return Report(
        dataset=DatasetInfo(path=path, rows=178, columns=7, target=target, task="classification"),
        findings=tuple(findings),
        fail_on=Severity.ERROR,
        skipped=(Skipped("SP001", "needs --test"),),
        errors=errors,
        checks_run=("CP003", "DQ001", "DQ003", "LB001", "OL001", "SN001", *(e.code for e in errors)),
        label_health=health,
        preprocessing=preprocessing,
        profile=_profile(names, target, labels),
        max_rows=1000,
        # OL001 models numeric columns only: the text column is named as not examined.
        skipped_columns=(SkippedColumns("OL001", (("string", (n["region"],)),)),),
        columns=(
            ColumnSemantics(n["alcohol"], "numeric", "numbers", 0.9),
            ColumnSemantics(n["malic_acid"], "numeric", "numbers", 0.9, missing_markers=(-999.0,)),
            ColumnSemantics(n["proline"], "numeric", "numbers", 0.9, censored=Censored("upper", 1680.0, 7)),
            ColumnSemantics(n["region"], "categorical", "3 levels", 0.9, missing_markers=("?",)),
        ),
    )


PLAIN_NAMES = {k: k for k in ("alcohol", "malic_acid", "magnesium", "hue", "proline", "region")}


def fixed_report() -> Report:
    return _report("data/wine.csv", PLAIN_NAMES, "cultivar", CLASSES, "north")


# Payloads a browser would run or a CI system would act on if printed raw.
SCRIPT = "<script>console.error('xss-script')</script>"
IMG = "<img src=x onerror=console.error('xss-img')>"
SVG = "\"><svg onload=console.error('xss-svg')>"
HOSTILE_STRINGS = (SCRIPT, IMG, SVG)


def hostile_report(*, crashed: bool = True) -> Report:
    """Every data string is markup, a table pipe, a workflow command or a control character."""
    names = {
        "alcohol": f"alcohol{SCRIPT}",
        "malic_acid": f"acid|pipe`tick`{IMG}",
        "magnesium": "mg\n::error::injected,title=x:y",
        "hue": "hue%0A%25\r\n@org/team [link](javascript:alert(1))",
        "proline": f"proline{SVG}",
        "region": "region\x1b[31m\x00\x07</details>```",
    }
    labels = (f"<b>{SCRIPT}</b>", f"cls{IMG}", "cls_2 & <i>")
    errors = (CheckError("DQ003", f"ValueError: bad value {SCRIPT}\n::error::x"),) if crashed else ()
    return _report(f"data/{SVG}.csv", names, f"target{SCRIPT}", labels, IMG, errors=errors)
