"""Capacity audits (CP, cause 3) on planted cases and on real clean data.

The planted cases are the issue's: 120 rows x 60 features with a 5% minority
class, labels shuffled at random, a large clean dataset. The clean bundled
datasets must produce nothing above info.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from preflight.analysis import conflicts
from preflight.analysis.features import encode
from preflight.analysis.flexible import FRACTIONS
from preflight.checks.base import Context
from preflight.core.config import Config
from preflight.core.findings import Finding, Severity
from preflight.data.dataset import load_dataset
from preflight.data.profile import Profile
from preflight.run import run

ROOT = Path(__file__).resolve().parent.parent
PENGUINS = ROOT / "examples" / "penguins.csv"


def _context(frame: pd.DataFrame, target: str | None, **config: Any) -> Context:
    ds = load_dataset(frame, target=target, task=config.pop("task", "auto"))
    return Context(dataset=ds, profile=Profile(ds), config=Config(target=target, **config))


def _run(frame: pd.DataFrame | Path, target: str, select: str = "CP", **config: Any) -> list[Finding]:
    ds = load_dataset(frame, target=target, task=config.pop("task", "auto"))
    report = run(ds, Config(target=target, select=tuple(select.split(",")), **config))
    assert not report.errors, report.errors
    return list(report.findings)


def _by_code(findings: list[Finding]) -> dict[str, Finding]:
    out: dict[str, Finding] = {}
    for f in findings:
        assert f.code not in out, f"two {f.code} findings: {findings}"
        out[f.code] = f
    return out


def _bundled(name: str) -> pd.DataFrame:
    from sklearn import datasets

    loader = {
        "iris": datasets.load_iris,
        "wine": datasets.load_wine,
        "breast_cancer": datasets.load_breast_cancer,
        "digits": datasets.load_digits,
        "diabetes": datasets.load_diabetes,
    }[name]
    frame: pd.DataFrame = loader(as_frame=True).frame
    return frame


def planted_small(seed: int = 0) -> pd.DataFrame:
    """The issue's case: 120 rows x 60 features, a 5% minority class with real signal."""
    rng = np.random.default_rng(seed)
    n, p = 120, 60
    label = np.where(np.arange(n) < 6, "fraud", "normal")
    x = rng.normal(size=(n, p))
    x[:, :3] += (label == "fraud")[:, None] * 3.0
    frame = pd.DataFrame(x, columns=[f"f{i}" for i in range(p)])
    frame["label"] = label
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


# ---- conflict groups (shared with LB) -------------------------------------------


def test_conflict_groups_are_identical_rows_with_different_labels() -> None:
    frame = pd.DataFrame(
        {
            "a": [1.0, 1.0, 2.0, 1.0, np.nan, np.nan, 3.0, 3.0, 4.0],
            "b": ["x", "x", "x", "x", "y", "y", "z", "z", "w"],
            "label": ["p", "q", "p", "p", "p", "q", "p", "p", None],
        }
    )
    ctx = _context(frame, "label")
    groups = ctx.artifacts.conflict_groups
    # (1, x) at rows 0, 1, 3 disagree; (NaN, y) at 4, 5 disagree (missing equals missing);
    # (3, z) at 6, 7 agree; row 8 has no label.
    assert [g.tolist() for g in groups] == [[0, 1, 3], [4, 5]]
    assert ctx.artifacts.conflict_groups is groups  # memoised for LB to reuse


def test_conflict_groups_skip_ids_and_confirm_hash_collisions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frame = pd.DataFrame({"id": [1, 2, 3, 4], "a": [5, 5, 6, 7], "label": ["p", "q", "p", "q"]})
    ds = load_dataset(frame, target="label", id_columns=["id"])

    # Every row hashes alike: only rows that are really equal may still form a group.
    def colliding(obj: pd.DataFrame, index: bool = True) -> pd.Series:
        return pd.Series(np.zeros(len(obj), dtype=np.uint64), index=obj.index)

    monkeypatch.setattr(conflicts.pd.util, "hash_pandas_object", colliding)
    groups = conflicts.find_conflict_groups(ds)
    assert [g.tolist() for g in groups] == [[0, 1]]


def test_conflict_groups_regression_and_no_target() -> None:
    frame = pd.DataFrame({"a": [1, 1, 2, 2, 3], "y": [0.5, 0.5, 1.0, 2.0, 3.0]})
    assert [g.tolist() for g in _context(frame, "y", task="regression").artifacts.conflict_groups] == [[2, 3]]
    assert _context(frame, None).artifacts.conflict_groups == []


# ---- regression out-of-fold predictions (shared with LB) --------------------------


def test_out_of_fold_regression_is_out_of_sample_and_sampled() -> None:
    frame = _bundled("diabetes")
    frame.loc[[3, 10], "target"] = np.nan
    ctx = _context(frame, "target", sample=200)
    oof = ctx.artifacts.out_of_fold_regression
    assert oof.positions.tolist() == [i for i in range(len(frame)) if i not in (3, 10)]
    assert oof.sampled_rows == 200
    assert np.all(np.isfinite(oof.predictions))
    assert np.allclose(oof.targets, frame["target"].to_numpy()[oof.positions])
    # Out-of-sample predictions of a real signal: clearly better than the mean, short of perfect.
    r2 = 1 - np.sum((oof.targets - oof.predictions) ** 2) / np.sum((oof.targets - oof.targets.mean()) ** 2)
    assert 0.3 < r2 < 0.7
    again = _context(frame, "target", sample=200).artifacts.out_of_fold_regression
    assert np.array_equal(oof.predictions, again.predictions)  # seeded


# ---- the planted cases ---------------------------------------------------


@pytest.mark.slow
def test_planted_small_data_with_rare_minority() -> None:
    found = _by_code(_run(planted_small(), "label"))
    ratio = found["CP001"]
    assert ratio.severity is Severity.WARNING
    assert "120 rows for 60 encoded features" in ratio.message
    assert "2.0 rows per feature" in ratio.message
    assert ratio.evidence["rows_per_feature"] == pytest.approx(2.0)
    imbalance = found["CP003"]
    assert imbalance.severity is Severity.WARNING
    assert "minority class 'fraud'" in imbalance.message and "5.0%" in imbalance.message
    assert imbalance.evidence["minority_class"] == "fraud"
    assert imbalance.evidence["minority_share"] == pytest.approx(0.05)
    # Six rows: enough to stratify 5 folds, too few to learn reliably.
    assert found["CP002"].severity is Severity.INFO
    assert "'fraud' (6)" in found["CP002"].message
    # Small data that a memorising model overfits: the article's "train falls, test flat".
    gap = found["CP006"]
    assert gap.severity is Severity.WARNING
    assert gap.evidence["gap"] >= 0.2 and gap.evidence["rows_per_feature"] == pytest.approx(2.0)
    # The minority class does carry signal: it is not an unlearnable dataset.
    assert found["CP004"].severity is Severity.INFO


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_shuffled_labels_are_unlearnable(seed: int) -> None:
    frame = _bundled("breast_cancer")
    frame["target"] = np.random.default_rng(seed).permutation(frame["target"].to_numpy())
    found = _by_code(_run(frame, "target", select="CP004", seed=seed))
    finding = found["CP004"]
    assert finding.severity is Severity.ERROR
    assert "no better than chance" in finding.message
    assert "wrong target column" in finding.message
    assert finding.evidence["combined_p_value"] >= 0.01
    assert "flexible" in finding.evidence  # confirmed by the non-linear model too


@pytest.mark.slow
def test_shuffled_regression_target_is_unlearnable() -> None:
    frame = _bundled("diabetes")
    frame["target"] = np.random.default_rng(0).permutation(frame["target"].to_numpy())
    finding = _by_code(_run(frame, "target", select="CP004"))["CP004"]
    assert finding.severity is Severity.ERROR
    assert finding.evidence["metric"] == "R²"


@pytest.mark.slow
def test_shuffled_labels_fail_the_cli(cli: Any, tmp_path: Path) -> None:
    frame = pd.read_csv(PENGUINS).dropna()
    frame["species"] = np.random.default_rng(0).permutation(frame["species"].to_numpy())
    path = tmp_path / "shuffled.csv"
    frame.to_csv(path, index=False)
    result = cli("check", str(path), "--target", "species", "--select", "CP004", "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert [(f["code"], f["severity"]) for f in report["findings"]] == [("CP004", "error")]


@pytest.mark.slow
def test_large_clean_dataset_has_nothing_above_info() -> None:
    from sklearn.datasets import make_classification

    x, y = make_classification(n_samples=20_000, n_features=10, n_informative=6, random_state=0)
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(10)])
    frame["y"] = y
    ds = load_dataset(frame, target="y")
    report = run(ds, Config(target="y", select=("CP",)))
    assert not report.errors and report.dataset.sampled_rows == 5000
    findings = list(report.findings)
    assert [f.code for f in findings if f.severity > Severity.INFO] == []
    found = _by_code(findings)
    assert found["CP004"].evidence["skill"] > 0.5
    # The forest is fitted on a seeded sample of the default cap, not all 20,000 rows.
    assert found["CP007"].evidence["curve"][-1]["rows"] == 4000


@pytest.mark.slow
@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "digits", "diabetes"])
def test_clean_bundled_data_has_nothing_above_info(name: str) -> None:
    findings = _run(_bundled(name), "target")
    assert [(f.code, f.message) for f in findings if f.severity > Severity.INFO] == []
    found = _by_code(findings)
    learn = found["CP004"]
    assert learn.severity is Severity.INFO and learn.evidence["skill"] > 0.3
    if name == "diabetes":
        # A noisy target memorised by the forest, but 44 rows per feature: info, not a warning.
        assert found["CP006"].severity is Severity.INFO and found["CP006"].evidence["gap"] > 0.2


@pytest.mark.slow
def test_penguins_species_has_nothing_above_info() -> None:
    findings = _run(PENGUINS, "species")
    assert [(f.code, f.message) for f in findings if f.severity > Severity.INFO] == []


@pytest.mark.slow
def test_non_linear_signal_is_not_called_unlearnable() -> None:
    # XOR: a linear quick model sees nothing; the forest does, so no error.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 4))
    frame = pd.DataFrame(x, columns=["p", "q", "r", "s"])
    frame["y"] = np.where((x[:, 0] > 0) ^ (x[:, 1] > 0), "a", "b")
    finding = _by_code(_run(frame, "y", select="CP004"))["CP004"]
    assert finding.severity is not Severity.ERROR
    assert finding.evidence["flexible"]["skill"] > 0.5


# ---- learning curve evidence (plotted by the HTML report) --------------------------


@pytest.mark.slow
def test_learning_curve_evidence_shape_and_determinism() -> None:
    frame = _bundled("digits")
    first = _by_code(_run(frame, "target", select="CP007"))["CP007"]
    curve = first.evidence["curve"]
    assert [p["fraction"] for p in curve] == list(FRACTIONS)
    rows = [p["rows"] for p in curve]
    assert rows == sorted(rows) and rows[-1] == pytest.approx(0.8 * len(frame), abs=2)
    assert all(0.0 <= p["score"] <= 1.0 and 0.0 <= p["train_score"] <= 1.0 for p in curve)
    assert first.evidence["metric"] == "balanced accuracy"
    # More digits help: the score grows from 10% to 100% of the data.
    assert curve[-1]["score"] > curve[0]["score"] + 0.03
    wine = _bundled("wine")
    runs = [_by_code(_run(wine, "target", select="CP006,CP007", seed=3)) for _ in range(2)]
    assert runs[0]["CP007"].evidence == runs[1]["CP007"].evidence


def test_flexible_fit_is_shared_and_skips_without_features() -> None:
    frame = pd.DataFrame({"y": ["a", "b"] * 20})
    assert _context(frame, "y").artifacts.flexible_fit is None


# ---- documentation --------------------------------------------------------------


def test_rule_documents_threshold_and_reasoning(cli: Any) -> None:
    from preflight.checks import REGISTRY
    from preflight.checks.options import option_specs

    codes = [code for code in REGISTRY if code.startswith("CP")]
    assert codes == [f"CP00{i}" for i in range(1, 8)]
    for code in codes:
        check = REGISTRY[code]
        doc = check.__doc__ or ""
        assert "Thresholds and why" in doc, code
        # Every option is documented under its kebab-case name.
        for spec in option_specs(check.Options):
            assert f"``{spec.key}``" in doc, (code, spec.key)
    result = cli("rule", "CP004")
    assert result.returncode == 0, result.stderr
    assert "Thresholds and why" in result.stdout and "alpha" in result.stdout


@pytest.mark.slow
def test_a_singleton_class_does_not_block_the_learnability_judgement() -> None:
    # The shared folds are stratified by hand, so a class with one row only sits in
    # one fold: the quick model is still fitted and judges the (learnable) data.
    frame = _bundled("wine")
    frame["target"] = frame["target"].astype(str)
    frame.loc[0, "target"] = "singleton"
    found = _by_code(_run(frame, "target", select="CP002,CP004"))
    assert found["CP002"].severity is Severity.ERROR and found["CP002"].rows == (0,)
    learn = found["CP004"]
    assert learn.severity is Severity.INFO
    assert learn.evidence["method"].startswith("logistic regression")


@pytest.mark.slow
def test_weak_signal_is_a_warning_not_an_error() -> None:
    # The label follows x0 through heavy noise: real signal (balanced accuracy about
    # 0.54 on 4,000 rows, far beyond chance) but too weak to train a useful network on.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4000, 5))
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(5)])
    frame["y"] = np.where(x[:, 0] + 8.0 * rng.normal(size=4000) > 0, "up", "down")
    finding = _by_code(_run(frame, "y", select="CP004"))["CP004"]
    assert finding.severity is Severity.WARNING, finding.message
    assert "barely predict" in finding.message
    assert finding.evidence["combined_p_value"] < 0.01
    assert 0.0 < finding.evidence["skill"] < 0.1


@pytest.mark.slow
def test_large_clean_regression_has_nothing_above_info() -> None:
    from sklearn.datasets import make_friedman1

    x, y = make_friedman1(n_samples=20_000, n_features=8, noise=1.0, random_state=0)
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(8)])
    frame["y"] = y
    findings = _run(frame, "y")
    assert [(f.code, f.message) for f in findings if f.severity > Severity.INFO] == []
    found = _by_code(findings)
    assert found["CP004"].evidence["metric"] == "R²" and found["CP004"].evidence["skill"] > 0.5
    assert "CP006" not in found  # enough rows: no overfitting gap


@pytest.mark.parametrize("source", ["penguins", "penguins-raw", "planted"])
def test_encoded_layout_matches_the_matrix(source: str) -> None:
    """CP001 counts features from the layout alone: it must name exactly the matrix's columns."""
    if source == "planted":
        rng = np.random.default_rng(3)
        n = 400
        frame = pd.DataFrame(
            {
                "normal": rng.normal(size=n),
                "constant": np.full(n, 0.1),  # std of repeated 0.1 is not exactly 0
                "mostly_one": np.where(rng.random(n) < 0.9, 1.0, rng.normal(size=n)),
                "with_inf": np.where(rng.random(n) < 0.05, np.inf, rng.normal(size=n)),
                "with_nan": np.where(rng.random(n) < 0.1, np.nan, rng.normal(size=n)),
                "all_nan": np.full(n, np.nan),
                "flag": rng.random(n) < 0.5,
                "const_text": ["x"] * n,
                "ids": [f"id{i}" for i in range(n)],
                "colour": rng.choice(["red", "green", None], size=n),
                "when": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 99, n), unit="D"),
                "y": rng.choice(["a", "b"], size=n),
            }
        )
        ctx = _context(frame, "y")
    else:
        ctx = _context(
            pd.read_csv(ROOT / "examples" / f"{source}.csv"), "species" if source == "penguins" else "Species"
        )
    layout = ctx.artifacts.layout
    matrix = encode(ctx.dataset, Profile(ctx.dataset))
    assert layout.names == matrix.names
    assert layout.sources == matrix.sources
