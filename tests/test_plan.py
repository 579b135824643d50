"""The suggested preprocessing: merged steps, and code that runs on real data and trains a model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from planted_penguins import planted_penguins
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from preflight.api import check
from preflight.data.numbers import to_number
from preflight.plan.emit import literal

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_code(code: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(code, "<plan>", "exec"), namespace)
    return namespace


def steps_by_kind(report: Any) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for step in report.preprocessing["steps"]:
        out.setdefault(step["step"], []).append(step)
    return out


def test_wine_plan_scales_and_the_code_trains_a_model(tmp_path: Path) -> None:
    frame = load_wine(as_frame=True).frame
    path = tmp_path / "wine.csv"
    frame.to_csv(path, index=False)
    report = check(path, target="target")
    steps = steps_by_kind(report)
    assert [s["transformer"] for s in steps["scale"]] == ["sklearn.preprocessing.StandardScaler"]
    assert set(steps["scale"][0]["columns"]) == set(frame.columns) - {"target"}
    ns = run_code(report.preprocessing["code"])
    df = ns["drop_rows"](pd.read_csv(path))
    X, y = df.drop(columns=[ns["TARGET"]]), df[ns["TARGET"]]
    Xt = ns["preprocess"].fit_transform(X)
    assert list(Xt.columns) == list(X.columns)
    np.testing.assert_allclose(Xt.mean(), 0, atol=1e-9)
    np.testing.assert_allclose(Xt.std(ddof=0), 1, atol=1e-9)
    model = make_pipeline(ns["preprocess"], LogisticRegression(max_iter=200))
    assert cross_val_score(model, X, y, cv=5).mean() > 0.95


def test_penguins_raw_plan_runs_and_trains(tmp_path: Path) -> None:
    report = check(EXAMPLES / "penguins-raw.csv", target="Species")
    steps = steps_by_kind(report)
    assert steps["drop-columns"][0]["columns"] == ["Comments", "Region", "Stage"]
    encoded = {c for s in steps["encode"] for c in s["columns"]}
    assert {"Island", "Sex"} <= encoded
    assert "Comments" not in encoded  # dropped first: later steps forget it
    # The keys are never features: not one-hot encoded, not scaled, kept as they are.
    assert steps["keep-as-key"][0]["columns"] == ["Individual ID", "Sample Number"]
    touched = {
        c for kind, found in steps.items() if kind != "keep-as-key" for s in found for c in s["columns"]
    }
    assert not {"Individual ID", "Sample Number"} & touched
    ns = run_code(report.preprocessing["code"])
    df = ns["drop_rows"](pd.read_csv(EXAMPLES / "penguins-raw.csv"))
    X, y = df.drop(columns=[ns["TARGET"]]), df[ns["TARGET"]]
    Xt = ns["preprocess"].fit_transform(X)
    assert not Xt.isna().any().any()
    assert not {"Comments", "Region", "Stage", "Date Egg", "Individual ID", "Sample Number"} & set(Xt.columns)
    model = make_pipeline(ns["preprocess"], LogisticRegression(max_iter=500))
    assert cross_val_score(model, X, y, cv=5).mean() > 0.95


def test_planted_cell_fixes_are_applied_by_the_code(tmp_path: Path) -> None:
    path = planted_penguins(tmp_path / "planted.csv")
    report = check(path, target="species")
    steps = steps_by_kind(report)
    for kind in (
        "drop-rows",
        "replace-values",
        "parse-numbers",
        "replace-infinite",
        "impute",
        "scale",
        "encode",
    ):
        assert kind in steps, (kind, sorted(steps))
    code = report.preprocessing["code"]
    ns = run_code(code)
    raw = pd.read_csv(path)
    df = ns["drop_rows"](raw)
    assert len(df) == len(raw) - 3 - 4  # missing labels, then exact duplicates
    cleaned = ns["clean_cells"](df, ns["CLEAN"])
    assert cleaned["body_mass_g"].dtype.kind == "f" and cleaned["body_mass_g"].max() == 6300
    assert cleaned["bill_length_mm"].min() > 0  # -999 became missing
    assert not np.isinf(cleaned["flipper_length_mm"]).any()
    assert "biscoe " not in set(cleaned["island"].dropna())
    assert "?" not in set(cleaned["sex"].dropna())
    X, y = df.drop(columns=[ns["TARGET"]]), df[ns["TARGET"]]
    Xt = ns["preprocess"].fit_transform(X)
    assert not Xt.isna().any().any()
    assert {"island_Biscoe", "island_Dream", "island_Torgersen"} <= set(Xt.columns)
    assert not any("biscoe " in c or c.endswith("_?") for c in Xt.columns)
    model = make_pipeline(ns["preprocess"], LogisticRegression(max_iter=500))
    assert cross_val_score(model, X, y, cv=5).mean() > 0.95
    assert raw.equals(pd.read_csv(path))  # the code never mutates its input frame


def test_tree_family_plan_has_no_scaling(tmp_path: Path) -> None:
    frame = load_wine(as_frame=True).frame
    report = check(frame, target="target", model_family="tree")
    assert "scale" not in steps_by_kind(report)
    assert {f.severity.value for f in report.findings if f.code in ("SN001", "SN002")} == {"info"}
    ns = run_code(report.preprocessing["code"])
    Xt = ns["preprocess"].fit_transform(frame.drop(columns=["target"]))
    np.testing.assert_array_equal(Xt.to_numpy(), frame.drop(columns=["target"]).to_numpy())


def test_skewed_columns_get_transforms_then_standardized() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "income": rng.lognormal(3, 1, 400),
            "tiny": rng.lognormal(0, 1, 400) * 1e-3,
            "z": rng.normal(size=400),
        }
    )
    report = check(frame)
    transforms = {s["params"].get("func") or s["params"].get("method"): s["columns"] for s in
                  steps_by_kind(report)["transform"]}  # fmt: skip
    assert transforms == {"log1p": ["income"], "yeo-johnson": ["tiny"]}
    ns = run_code(report.preprocessing["code"])
    Xt = ns["preprocess"].fit_transform(frame)
    for col in ("income", "tiny"):
        assert abs(Xt[col].mean()) < 1e-6 and abs(Xt[col].std(ddof=0) - 1) < 1e-6
        assert abs(Xt[col].skew()) < 0.5
    after = check(Xt, select="SN")
    assert [f.code for f in after.findings] == []


def test_regression_plan_wraps_the_target() -> None:
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge

    frame = load_diabetes(as_frame=True, scaled=False).frame
    report = check(frame, target="target")
    step = steps_by_kind(report)["transform-target"][0]
    assert step["columns"] == ["target"] and step["reason"] == "SN007"
    ns = run_code(report.preprocessing["code"])
    X, y = frame.drop(columns=["target"]), frame["target"]
    model = ns["with_target_transform"](Ridge(alpha=1.0)).fit(X, y)
    assert model.predict(X).mean() == pytest.approx(y.mean(), rel=0.05)  # predictions in raw units


def test_report_json_carries_the_code_and_matches_the_schema(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(
        (Path(__file__).resolve().parent.parent / "schemas" / "report.schema.json").read_text()
    )
    report = check(EXAMPLES / "penguins-raw.csv", target="Species")
    data = json.loads(json.dumps(report.to_dict()))
    jsonschema.validate(data, schema)
    assert data["preprocessing"]["code"].startswith("# Preprocessing suggested by preflight")
    again = check(EXAMPLES / "penguins-raw.csv", target="Species")
    assert json.dumps(again.to_dict()) == json.dumps(report.to_dict())  # deterministic


@pytest.mark.parametrize(
    "value",
    ["plain", 'quote " and \' and \\', "new\nline", "ünïcode ✓", "emoji 😀", "\u2028", 1.5, float("nan"),
     float("-inf"), None, True, -3, ["a", 1.0], {"k": {"x": "y"}}],
)  # fmt: skip
def test_literals_round_trip(value: Any) -> None:
    back = eval(literal(value))
    if isinstance(value, float) and np.isnan(value):
        assert np.isnan(back)
    else:
        assert back == value and type(back) is type(value)


def test_awkward_column_names_survive_the_code() -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {'it\'s "big"': rng.normal(5000, 1000, 100), "tiny\\path": rng.normal(0, 0.01, 100), "y": [0, 1] * 50}
    )
    report = check(frame, target="y")
    ns = run_code(report.preprocessing["code"])
    Xt = ns["preprocess"].fit_transform(frame.drop(columns=["y"]))
    assert list(Xt.columns) == ['it\'s "big"', "tiny\\path"]


def test_to_number() -> None:
    assert to_number("$3,750.50") == 3750.5
    assert to_number("12%") == pytest.approx(0.12)
    assert to_number("(5)") == -5.0
    assert np.isnan(to_number("twelve"))
    assert to_number(7) == 7.0


def test_tree_family_encodes_categoricals_as_codes_and_trains() -> None:
    from sklearn.ensemble import RandomForestClassifier

    report = check(EXAMPLES / "penguins-raw.csv", target="Species", model_family="tree")
    kinds = steps_by_kind(report)
    assert "scale" not in kinds
    assert {s["transformer"] for s in kinds["encode"]} == {"sklearn.preprocessing.OrdinalEncoder"}
    ns = run_code(report.preprocessing["code"])
    df = ns["drop_rows"](pd.read_csv(EXAMPLES / "penguins-raw.csv"))
    X, y = df.drop(columns=[ns["TARGET"]]), df[ns["TARGET"]]
    model = make_pipeline(ns["preprocess"], RandomForestClassifier(n_estimators=30, random_state=0))
    assert cross_val_score(model, X, y, cv=3).mean() > 0.9


def test_verbose_text_report_prints_the_code(cli) -> None:
    done = cli("check", str(EXAMPLES / "penguins.csv"), "--target", "species", "-v")
    assert "preprocess = make_pipeline(" in done.stdout
    quiet = cli("check", str(EXAMPLES / "penguins.csv"), "--target", "species")
    assert "preprocess = " not in quiet.stdout and "-v prints the scikit-learn code" in quiet.stdout


def test_categorical_boolean_and_datetime_columns_from_parquet(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n = 200
    frame = pd.DataFrame(
        {
            "cat": pd.Categorical(rng.choice(["a", "b", "c", None], n)),
            "flag": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
            "x": rng.normal(1000, 300, n),
            "small": rng.normal(0, 0.01, n),
            "when": pd.date_range("2020-01-01", periods=n),
            "y": rng.integers(0, 2, n),
        }
    )
    path = tmp_path / "odd.parquet"
    frame.to_parquet(path)
    report = check(path, target="y")
    code = report.preprocessing["code"]
    assert 'pd.read_parquet("' in code and 'CLEAN = {"date_features": {"when": None}}' in code
    ns = run_code(code)
    Xt = ns["preprocess"].fit_transform(pd.read_parquet(path).drop(columns=["y"]))
    assert not Xt.isna().any().any()
    assert {"cat_a", "missingindicator_cat", "missingindicator_flag"} <= set(Xt.columns)
    # SN009: the date is a trend and a season, standardized, not dropped.
    assert {"when (days)", "when (month)"} <= set(Xt.columns) and "when" not in Xt.columns
    assert abs(Xt["when (days)"].mean()) < 1e-9
    assert set(Xt["flag"].unique()) <= {0.0, 1.0}  # imputed with the most frequent value, not 0.5


def test_a_fix_the_generator_cannot_express_still_gives_a_report() -> None:
    from preflight.core.findings import Finding, Fix, Severity
    from preflight.data.dataset import load_dataset
    from preflight.plan.build import build_plan

    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0, 1, 0]})
    dataset = load_dataset(frame, target="y")
    fix = Fix("f", step="transform", transformer="sklearn.preprocessing.FunctionTransformer",
              params={"func": "not_a_numpy_function"})  # fmt: skip
    odd = Finding(code="ZZ001", name="z.z", category="scale", cause=2, severity=Severity.INFO, message="m",
                  columns=("x",), fix=fix)  # fmt: skip
    plan = build_plan([odd], dataset)
    assert plan["code"] is None and plan["steps"][0]["columns"] == ["x"]


def test_a_step_round_trips_through_its_report_dict() -> None:
    from preflight.plan.steps import Step

    data = {"step": "scale", "columns": ["a", "b"], "transformer": "x.Y", "params": {"k": 1}}
    data["reason"] = "SN001"
    step = Step.from_dict(data)
    assert step.to_dict() == data and list(step.to_dict()) == list(data)
    assert step.describe() == "scale (Y): a, b"


def test_saved_pipelines_name_clean_cells_by_its_stable_path() -> None:
    import pickle

    from preflight.plan.clean import clean_cells

    assert b"preflight.plan\x94\x8c\x0bclean_cells" in pickle.dumps(clean_cells)
    assert pickle.loads(pickle.dumps(clean_cells)) is clean_cells
