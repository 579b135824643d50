"""Label checks (LB) on real data with planted problems: noise, conflicts, leakage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn import datasets

import preflight
from preflight import Severity
from preflight.analysis.conflicts import find_conflict_groups
from preflight.analysis.pred_probs import load_pred_probs
from preflight.core.config import Config
from preflight.data.dataset import load_dataset

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _check(df: pd.DataFrame, target: str, select: str, **options: Any) -> preflight.Report:
    report = preflight.check(df, target=target, select=select, config=Config(), **options)
    assert not report.errors, report.errors
    return report


def _frame(loader: Any) -> pd.DataFrame:
    frame: pd.DataFrame = loader(as_frame=True).frame
    return frame.reset_index(drop=True)


def _flip(y: np.ndarray, rate: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    k = int(y.max()) + 1
    flip = rng.random(y.size) < rate
    noisy = y.copy()
    noisy[flip] = (y[flip] + rng.integers(1, k, size=y.size)[flip]) % k
    return noisy, flip


def _f1(rows: list[int] | tuple[int, ...], truth: np.ndarray) -> float:
    mask = np.zeros(truth.size, dtype=bool)
    mask[list(rows)] = True
    tp = int((mask & truth).sum())
    if tp == 0:
        return 0.0
    precision, recall = tp / mask.sum(), tp / truth.sum()
    return float(2 * precision * recall / (precision + recall))


# ---- LB001: label issues ------------------------------------------------------------


@pytest.mark.slow
def test_digits_with_ten_percent_flipped_labels() -> None:
    df = _frame(datasets.load_digits)
    y = df["target"].to_numpy()
    noisy, flip = _flip(y, 0.10, seed=0)
    df["target"] = noisy
    report = _check(df, "target", "LB001")
    [finding] = report.findings
    assert finding.severity.value == "error"
    assert _f1(finding.rows, flip) >= 0.8
    health = report.label_health
    assert health is not None
    assert abs(health["estimated_noise_rate"] - flip.mean()) <= 0.03
    # The suggested label of a truly flipped row is mostly its original label.
    caught = [r for r in health["issue_rows"] if flip[r]]
    right = sum(health["suggested_labels"][str(r)] == y[r] for r in caught)
    assert right / len(caught) >= 0.8
    # Ranked worst first, with the report's documented shape.
    qualities = [health["label_quality"][str(r)] for r in health["issue_rows"]]
    assert qualities == sorted(qualities)
    assert {"method", "noise_matrix", "top_confused_pairs", "per_class"} <= set(health)
    assert len(health["per_class"]) == 10


@pytest.mark.slow
@pytest.mark.parametrize("loader", [datasets.load_iris, datasets.load_wine, datasets.load_breast_cancer])
def test_clean_real_data_has_no_label_error(loader: Any) -> None:
    report = _check(_frame(loader), "target", "LB001")
    assert all(f.severity.value != "error" for f in report.findings)
    assert report.label_health is not None
    assert report.label_health["estimated_noise_rate"] < 0.05


@pytest.mark.slow
def test_clean_penguins_csv_has_no_label_or_leakage_error(cli: Any) -> None:
    result = cli(
        "check", str(EXAMPLES / "penguins.csv"), "--target", "species", "--select", "LB", "--format", "json"
    )
    report = json.loads(result.stdout)
    assert [f for f in report["findings"] if f["severity"] == "error"] == []
    assert result.returncode == 0


@pytest.mark.slow
def test_sample_cap_scores_every_row_with_unseen_models() -> None:
    df = _frame(datasets.load_digits)
    noisy, flip = _flip(df["target"].to_numpy(), 0.10, seed=1)
    df["target"] = noisy
    report = _check(df, "target", "LB001", sample=600)
    assert report.dataset.sampled_rows is not None
    assert report.dataset.sampled_rows == 600
    [finding] = report.findings
    assert _f1(finding.rows, flip) >= 0.7
    health = report.label_health
    assert health is not None
    assert "stratified sample" in health["method"]
    # Rows outside the fit sample are judged too, so flips are found all over the file.
    assert health["rows_judged"] == len(df)


@pytest.mark.slow
def test_same_seed_same_label_report() -> None:
    df = _frame(datasets.load_wine)
    df["target"], _ = _flip(df["target"].to_numpy(), 0.1, seed=2)
    first = _check(df, "target", "LB001", seed=3).to_dict()
    second = _check(df, "target", "LB001", seed=3).to_dict()
    assert json.dumps(first) == json.dumps(second)


def test_user_pred_probs_are_used_and_checked(tmp_path: Path, cli: Any) -> None:
    df = _frame(datasets.load_iris)
    y = df["target"].to_numpy()
    noisy, flip = _flip(y, 0.1, seed=4)
    df["target"] = noisy
    data = tmp_path / "iris.csv"
    df.to_csv(data, index=False)
    # A perfect model's probabilities: confident learning flags exactly the flips.
    probs = np.full((len(y), 3), 0.02)
    probs[np.arange(len(y)), y] = 0.96
    np.save(tmp_path / "p.npy", probs)
    result = cli(
        "check",
        str(data),
        "--target",
        "target",
        "--select",
        "LB001",
        "--pred-probs",
        str(tmp_path / "p.npy"),
        "--format",
        "json",
    )
    report = json.loads(result.stdout)
    [finding] = report["findings"]
    assert finding["rows"] == np.flatnonzero(flip).tolist()
    assert "your model" in report["label_health"]["method"]
    # Columns named after the classes may come in any order.
    named = pd.DataFrame(probs[:, ::-1], columns=["2", "1", "0"])
    named.to_parquet(tmp_path / "p.parquet")
    result = cli(
        "check",
        str(data),
        "--target",
        "target",
        "--select",
        "LB001",
        "--pred-probs",
        str(tmp_path / "p.parquet"),
        "--format",
        "json",
    )
    assert json.loads(result.stdout)["findings"][0]["rows"] == finding["rows"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (np.full((10, 3), 1 / 3), "has 10 rows but the data has 150"),
        (np.full((150, 2), 0.5), "has 2 columns but the target has 3 classes"),
        (np.full((150, 3), 0.5), "sums to 1.5"),
        (np.full((150, 3), np.nan), "missing or infinite"),
        (np.array([{"a": 1}] * 150, dtype=object), "not a numeric .npy array"),
    ],
)
def test_bad_pred_probs_exit_2_with_one_line(
    tmp_path: Path, cli: Any, content: np.ndarray, message: str
) -> None:
    data = tmp_path / "iris.csv"
    _frame(datasets.load_iris).to_csv(data, index=False)
    np.save(tmp_path / "p.npy", content, allow_pickle=True)
    result = cli(
        "check", str(data), "--target", "target", "--select", "LB001", "--pred-probs", str(tmp_path / "p.npy")
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_binary_pred_probs_may_be_one_column(tmp_path: Path) -> None:
    probs = pd.DataFrame({"p": [0.1, 0.9, 0.8]})
    probs.to_csv(tmp_path / "p.csv", index=False)
    loaded = load_pred_probs(str(tmp_path / "p.csv"), 3, ("no", "yes"))
    assert np.allclose(loaded, [[0.9, 0.1], [0.1, 0.9], [0.2, 0.8]])


# ---- LB002: conflicting labels ----------------------------------------------------------


def test_conflict_groups_are_found_and_bound_the_fit() -> None:
    iris = _frame(datasets.load_iris)
    # Re-append rows 0, 60, 120 with another label: three conflicting pairs.
    planted = iris.iloc[[0, 60, 120]].assign(target=[1, 2, 1])
    df = pd.concat([iris, planted], ignore_index=True)
    groups = find_conflict_groups(load_dataset(df, target="target"))
    # Iris itself repeats a flower (rows 101 and 142, both virginica): a duplicate,
    # not a conflict, so the planted pairs are the only groups.
    assert [g.tolist() for g in groups] == [[0, 150], [60, 151], [120, 152]]
    report = _check(df, "target", "LB002")
    [finding] = report.findings
    assert list(finding.rows) == [0, 60, 120, 150, 151, 152]
    assert finding.evidence["unavoidable_errors"] == 3
    assert finding.evidence["fit_ceiling"] == pytest.approx(1 - 3 / 153)
    first = finding.evidence["largest_groups"][0]
    assert (first["rows"], first["labels"], first["by_chance"]) == ([0, 150], [0, 1], False)
    # Four continuous measures to the millimetre: iris rows do not repeat by chance.
    assert first["chance_matches"] < 0.1 and finding.severity is Severity.WARNING


def test_largest_conflict_group_first_with_majority_label_first() -> None:
    df = pd.DataFrame({"a": [1, 2, 2, 2, 1, 3], "y": ["x", "y", "z", "y", "w", "x"]})
    [finding] = _check(df, "y", "LB002").findings
    assert [(g["rows"], g["labels"]) for g in finding.evidence["largest_groups"]] == [
        ([1, 2, 3], ["y", "z"]),
        ([0, 4], ["x", "w"]),
    ]
    assert finding.evidence["unavoidable_errors"] == 2


def test_coarse_features_that_repeat_by_chance_are_a_hard_outcome_not_wrong_labels() -> None:
    # Titanic-like: sex, class and age in years decide survival only in part.
    rng = np.random.default_rng(0)
    n = 1300
    df = pd.DataFrame(
        {
            "sex": rng.choice(["male", "female"], n, p=[0.64, 0.36]),
            "pclass": rng.choice([1, 2, 3], n, p=[0.25, 0.21, 0.54]),
            "age": np.round(rng.normal(30, 12, n).clip(1, 80)),
        }
    )
    logit = 1.5 * (df["sex"] == "female") - 0.8 * (df["pclass"] - 2) - 0.02 * (df["age"] - 30)
    df["survived"] = rng.random(n) < 1 / (1 + np.exp(-logit))
    [finding] = _check(df, "survived", "LB002").findings
    assert finding.severity is Severity.INFO
    assert finding.evidence["groups_by_chance"] >= 0.9 * finding.evidence["groups"]
    assert "hard outcome" in finding.message or "by chance" in finding.message


def test_clean_real_data_has_no_conflicts() -> None:
    for loader in (datasets.load_wine, datasets.load_breast_cancer, datasets.load_digits):
        report = _check(_frame(loader), "target", "LB002")
        assert report.findings == ()


# ---- LB003: leakage -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loader", "target"),
    [
        (datasets.load_iris, "target"),
        (datasets.load_wine, "target"),
        (datasets.load_breast_cancer, "target"),
        (datasets.load_digits, "target"),
        (datasets.load_diabetes, "target"),
    ],
)
def test_no_leakage_on_clean_real_data(loader: Any, target: str) -> None:
    assert _check(_frame(loader), target, "LB003").findings == ()


def test_no_leakage_on_penguins() -> None:
    df = pd.read_csv(EXAMPLES / "penguins.csv")
    assert _check(df, "species", "LB003").findings == ()


def test_planted_leaks_in_iris() -> None:
    df = _frame(datasets.load_iris)
    # Kaggle's iris has a row-number Id; the file is sorted by species.
    df.insert(0, "Id", np.arange(1, len(df) + 1))
    df["sample_code"] = [f"S{i:04d}" for i in range(len(df))]
    df["species_code"] = df["target"].map({0: "se", 1: "ve", 2: "vi"})
    df["label_copy"] = df["target"]
    report = _check(df, "target", "LB003,DQ006")
    found = {f.columns[0]: f for f in report.findings if f.code == "LB003"}
    assert set(found) == {"species_code", "label_copy"}
    assert found["label_copy"].severity.value == "error"
    assert "equals the target" in found["label_copy"].message
    assert found["species_code"].severity.value == "error"
    assert "recoding" in found["species_code"].message
    # The row number and the codes are identifiers: never features, so no model (and no
    # leak check) sees the order they carry; DQ006 names them.
    keys = {f.columns[0] for f in report.findings if f.code == "DQ006"}
    assert keys == {"Id", "sample_code"}


def test_near_perfect_feature_and_missingness_leaks() -> None:
    df = _frame(datasets.load_breast_cancer)
    rng = np.random.default_rng(0)
    df["after_diagnosis"] = df["target"] * 3 + rng.normal(0, 0.1, len(df))
    df.loc[df["target"] == 1, "mean radius"] = np.nan
    found = {f.columns[0]: f for f in _check(df, "target", "LB003").findings}
    assert set(found) == {"after_diagnosis", "mean radius"}
    assert "alone predicts" in found["after_diagnosis"].message
    assert "missing" in found["mean radius"].message
    assert all(f.severity.value == "warning" for f in found.values())
    # Missing exactly for one class: the missingness is the label, so drop (imputing keeps it).
    fix = found["mean radius"].fix
    assert fix is not None and fix.step == "drop-columns"


def test_leaks_no_single_column_shows() -> None:
    # A regression target rebuilt from two features: a midpoint, and a ratio (on logs).
    df = _frame(datasets.load_diabetes)
    rng = np.random.default_rng(1)
    spread = rng.uniform(5, 40, len(df))
    df["low_estimate"], df["high_estimate"] = df["target"] - spread, df["target"] + spread
    [midpoint] = _check(df, "target", "LB003").findings
    assert set(midpoint.columns) == {"low_estimate", "high_estimate"}
    assert midpoint.severity.value == "error" and midpoint.evidence["r2"] > 0.9999
    assert midpoint.fix is not None and midpoint.fix.step == "drop-columns"
    ratio = _frame(datasets.load_diabetes)
    ratio["budget"] = rng.uniform(100, 900, len(ratio))
    ratio["per_unit"] = ratio["target"] / ratio["budget"]
    [found] = _check(ratio, "target", "LB003").findings
    assert set(found.columns) == {"budget", "per_unit"} and found.evidence["scale"] == "log"
    # A spend recorded only for one class: its zero/non-zero split is the label.
    cls = _frame(datasets.load_breast_cancer)
    cls["spend"] = np.where(cls["target"] == 1, rng.lognormal(3, 1, len(cls)), 0.0)
    cls.loc[cls.index[cls["target"] == 1][:5], "spend"] = 0.0
    [zero] = _check(cls, "target", "LB003").findings
    assert zero.columns == ("spend",) and "is zero" in zero.message
    assert zero.severity.value == "warning"


def test_regression_target_transform_is_a_leak() -> None:
    df = _frame(datasets.load_diabetes)
    df["log_target"] = np.log(df["target"])
    [finding] = _check(df, "target", "LB003").findings
    assert finding.columns == ("log_target",)
    assert finding.severity.value == "error"
    assert "monotone transform" in finding.message


# ---- LB004: regression label issues ---------------------------------------------------------


@pytest.mark.slow
def test_regression_targets_off_by_a_factor_are_found() -> None:
    df = _frame(datasets.load_diabetes)
    assert _check(df, "target", "LB004").findings == ()
    rng = np.random.default_rng(0)
    bad = rng.random(len(df)) < 0.05
    df.loc[bad, "target"] = df.loc[bad, "target"] * 10
    [finding] = _check(df, "target", "LB004").findings
    flagged = np.zeros(len(df), dtype=bool)
    flagged[list(finding.rows)] = True
    assert (flagged & bad).sum() / flagged.sum() >= 0.9
    assert (flagged & bad).sum() / bad.sum() >= 0.8


def test_label_checks_skip_without_a_fitting_target() -> None:
    ds = load_dataset(pd.DataFrame({"a": [1, 2, 3]}))
    report = preflight.run.run(ds, Config(select=("LB",)))
    assert {s.code for s in report.skipped} == {"LB001", "LB002", "LB003", "LB004"}


def test_missing_value_pattern_across_columns_leaks() -> None:
    rng = np.random.default_rng(0)
    n = 200
    y = np.repeat(["ok", "bad"], n // 2)
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.normal(size=n), "y": y})
    # Each "bad" row misses exactly one of a and b: neither column alone gives it away.
    bad = np.flatnonzero(y == "bad")
    df.loc[bad[:50], "a"] = np.nan
    df.loc[bad[50:], "b"] = np.nan
    [finding] = _check(df, "y", "LB003").findings
    assert finding.columns == ("a", "b")
    assert "pattern of missing values" in finding.message
    assert finding.severity.value == "warning"


def test_shared_linear_out_of_fold_samples_and_scores_every_row() -> None:
    from preflight.checks.base import Context
    from preflight.data.profile import Profile

    df = _frame(datasets.load_digits)
    ds = load_dataset(df, target="target")
    ctx = Context(dataset=ds, profile=Profile(ds), config=Config(target="target", sample=500))
    linear = ctx.artifacts.out_of_fold
    assert linear.sampled_rows == 500
    assert linear.positions.tolist() == list(range(len(df)))
    assert np.allclose(linear.pred_probs.sum(axis=1), 1.0)
    # Every row, in the sample or not, is predicted far better than chance (0.1).
    assert np.mean(linear.pred_probs.argmax(axis=1) == linear.labels) > 0.85
    ensemble = ctx.artifacts.label_out_of_fold
    assert ensemble.classes == linear.classes and np.array_equal(ensemble.labels, linear.labels)
    # The ensemble's average covers the fit sample; the members LB001 weighs score the rest.
    in_fit = ctx.artifacts.folds.in_fit
    assert in_fit.sum() == 500 and np.isnan(ensemble.pred_probs[~in_fit]).all()
    assert np.mean(ensemble.pred_probs[in_fit].argmax(axis=1) == ensemble.labels[in_fit]) > 0.85
    for name in ("trees", "neighbours"):
        probs = ctx.artifacts.member(name)
        assert np.allclose(probs.sum(axis=1), 1.0)
        assert np.mean(probs[~in_fit].argmax(axis=1) == ensemble.labels[~in_fit]) > 0.85


def test_label_issues_outside_the_fit_sample_are_found() -> None:
    # 1,797 digits, 60 labels flipped, models fitted on a 600-row sample: the flipped
    # rows the sample left out are scored by fold models that never saw them.
    df = _frame(datasets.load_digits)
    rng = np.random.default_rng(3)
    flipped = np.sort(rng.choice(len(df), size=60, replace=False))
    df.loc[flipped, "target"] = (df.loc[flipped, "target"] + 1 + rng.integers(0, 9, size=60)) % 10
    report = preflight.check(df, target="target", select="LB001", sample=600)
    [finding] = report.findings
    ds = load_dataset(df, target="target")
    from preflight.checks.base import Context
    from preflight.data.profile import Profile

    ctx = Context(dataset=ds, profile=Profile(ds), config=Config(target="target", sample=600))
    outside = np.setdiff1d(flipped, ctx.artifacts.folds.positions[ctx.artifacts.folds.fit])
    found = np.intersect1d(np.asarray(finding.rows), outside)
    assert outside.size > 30 and found.size >= 0.8 * outside.size
    assert finding.severity.value in ("warning", "error")


@pytest.mark.slow
def test_unlearnable_labels_are_not_called_wrong_labels() -> None:
    # Random labels: a flagger can call many of them wrong, but labels drawn from the
    # calibrated model (the null) are called wrong as often: no warning, no error.
    df = _frame(datasets.load_breast_cancer)
    df["target"] = np.random.default_rng(0).integers(0, 2, len(df))
    report = _check(df, "target", "LB001")
    assert all(f.severity.value == "info" for f in report.findings)


@pytest.mark.parametrize("n", [500, 2000])
def test_labels_from_a_noisy_but_correct_process_give_no_warning(n: int) -> None:
    # y ~ Bernoulli(sigmoid(Xw)): a hard outcome (skill about 0.5), every label right.
    rng = np.random.default_rng(n)
    x = rng.normal(size=(n, 5))
    p = 1 / (1 + np.exp(-(x @ np.array([1.0, -0.8, 0.5, 0.0, 0.3]))))
    df = pd.DataFrame(x, columns=list("abcde"))
    df["y"] = (rng.random(n) < p).astype(int)
    report = _check(df, "y", "LB001")
    assert all(f.severity.value == "info" for f in report.findings)


def test_separable_labels_are_not_outvoted_by_weak_members() -> None:
    # A linear rule classifies every row: the logistic member takes the weight.
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1000, 5))
    df = pd.DataFrame(x, columns=list("abcde"))
    df["y"] = (x @ np.array([1.0, -0.8, 0.5, 0.0, 0.3]) > 0).astype(int)
    report = _check(df, "y", "LB001")
    assert report.findings == ()


def test_flipped_labels_on_a_sharp_process_are_beyond_the_null() -> None:
    # The same linear rule, 10% of labels flipped: contrary labels where the model is sure.
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2000, 5))
    clean = (x @ np.array([1.0, -0.8, 0.5, 0.0, 0.3]) > 0).astype(int)
    flip = rng.random(2000) < 0.1
    df = pd.DataFrame(x, columns=list("abcde"))
    df["y"] = np.where(flip, 1 - clean, clean)
    [finding] = _check(df, "y", "LB001").findings
    assert finding.severity.value == "error"
    assert _f1(finding.rows, flip) >= 0.9
    assert finding.evidence["ratio_z"] >= 3
    assert finding.evidence["null_flagged_mean"] < 0.1 * finding.evidence["calibration_flagged"]
