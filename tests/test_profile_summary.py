"""The report's ``profile`` section: what the HTML plots are drawn from."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLES, ROOT, run_cli

from preflight.core.config import Config
from preflight.data.dataset import load_dataset
from preflight.data.profile import Profile
from preflight.data.profile.summary import summarize
from preflight.run import run


def test_penguins_profile_matches_the_data() -> None:
    path = EXAMPLES / "penguins-raw.csv"
    ds = load_dataset(str(path), target="Species", id_columns=["Individual ID"])
    section = summarize(Profile(ds), ds)
    raw = pd.read_csv(path)
    assert section["columns_total"] == section["columns_listed"] == raw.shape[1]
    cols = {c["name"]: c for c in section["columns"]}
    assert [c["name"] for c in section["columns"]] == list(raw.columns)  # file order
    assert cols["Species"]["role"] == "target" and cols["Individual ID"]["role"] == "id"
    assert cols["Body Mass (g)"]["role"] == "feature" and cols["Body Mass (g)"]["kind"] == "numeric"
    for name in ("Comments", "Sex", "Delta 15 N (o/oo)", "Body Mass (g)"):
        assert cols[name]["missing"] == int(raw[name].isna().sum()), name
    mass = raw["Body Mass (g)"].dropna().to_numpy()
    stats = cols["Body Mass (g)"]["numeric"]
    assert stats["median"] == pytest.approx(np.median(mass), rel=1e-5)
    assert stats["q95"] == pytest.approx(np.quantile(mass, 0.95), rel=1e-5)
    assert stats["std"] == pytest.approx(mass.std(), rel=1e-5)
    assert stats["iqr"] == pytest.approx(np.quantile(mass, 0.75) - np.quantile(mass, 0.25), rel=1e-5)
    assert cols["Species"]["numeric"] is None
    target = section["target"]
    assert target["classes_total"] == 3
    assert list(target["class_counts"].items()) == [
        ("Adelie Penguin (Pygoscelis adeliae)", 152),
        ("Gentoo penguin (Pygoscelis papua)", 124),
        ("Chinstrap penguin (Pygoscelis antarctica)", 68),
    ]


def test_wide_tables_are_capped_but_keep_the_target() -> None:
    frame = pd.DataFrame({f"c{i}": np.arange(5.0) + i for i in range(300)})
    frame["label"] = ["a", "b", "a", "b", "a"]
    ds = load_dataset(frame, target="label")
    section = summarize(Profile(ds), ds, max_columns=200)
    assert section["columns_total"] == 301
    assert section["columns_listed"] == 201
    assert section["columns"][199]["name"] == "c199"
    assert section["columns"][-1] == {
        "name": "label",
        "role": "target",
        "kind": "string",
        "missing": 0,
        "markers": 0,
        "numeric": None,
    }


def test_class_counts_are_capped_and_ordered_by_count_then_label() -> None:
    labels = [f"k{i:02d}" for i in range(60) for _ in range(2)] + ["k59"] * 3 + ["k07"]
    frame = pd.DataFrame({"x": np.arange(len(labels), dtype=float), "y": labels})
    ds = load_dataset(frame, target="y", task="classification")
    target = summarize(Profile(ds), ds, max_classes=5)["target"]
    assert target["classes_total"] == 60
    assert list(target["class_counts"].items()) == [
        ("k59", 5),
        ("k07", 3),
        ("k00", 2),
        ("k01", 2),
        ("k02", 2),
    ]


def test_regression_target_has_no_class_counts() -> None:
    frame = pd.DataFrame({"x": np.linspace(0, 1, 50), "y": np.linspace(-3.5, 7.25, 50)})
    ds = load_dataset(frame, target="y")
    target = summarize(Profile(ds), ds)["target"]
    assert (
        target["task"] == "regression" and target["class_counts"] is None and target["classes_total"] is None
    )


def test_engine_report_carries_the_profile_and_it_is_deterministic() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, None, 4.0], "y": ["a", "b", "a", "b"]})
    reports = [run(load_dataset(frame, target="y"), Config(target="y")) for _ in range(2)]
    assert reports[0].profile == reports[1].profile
    assert reports[0].profile is not None
    assert reports[0].to_dict()["profile"]["columns"][0]["missing"] == 1


def test_cli_json_report_with_profile_validates(tmp_path: object) -> None:
    import jsonschema

    proc = run_cli("check", str(EXAMPLES / "penguins-raw.csv"), "--target", "Species", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert doc["profile"]["target"]["class_counts"]["Gentoo penguin (Pygoscelis papua)"] == 124
