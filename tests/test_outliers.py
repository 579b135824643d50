"""OL001/OL002 on real data: planted gross errors are found, honest data stays quiet."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine

import preflight
from preflight.analysis.column_model import fit_column
from preflight.checks.base import Context
from preflight.core.config import Config
from preflight.data.dataset import load_dataset
from preflight.data.profile import Profile
from tests.conftest import EXAMPLES, ROOT, run_cli


def _outlier_findings(data: pd.DataFrame | str, select: str = "OL", **kw: object) -> list[preflight.Finding]:
    report = preflight.check(data, select=select, **kw)  # type: ignore[arg-type]
    assert not report.errors, report.errors
    return [f for f in report.findings if f.code.startswith("OL")]


def _flagged(findings: list[preflight.Finding], code: str | None = None) -> set[int]:
    return {r for f in findings if code is None or f.code == code for r in f.rows}


def plant_gross_errors(seed: int, n_rows: int = 10) -> tuple[pd.DataFrame, np.ndarray]:
    """Breast-cancer data with 3 values of each of ``n_rows`` rows multiplied by 20-30."""
    rng = np.random.default_rng(seed)
    frame = load_breast_cancer(as_frame=True).frame
    rows = rng.choice(len(frame), n_rows, replace=False)
    for row in rows:
        for col in rng.choice(frame.shape[1] - 1, 3, replace=False):
            frame.iloc[row, col] *= rng.uniform(20, 30)
    return frame, rows


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_gross_errors_in_breast_cancer(seed: int) -> None:
    frame, planted = plant_gross_errors(seed)
    findings = _outlier_findings(frame, target="target")
    warnings = [f for f in findings if f.severity is preflight.Severity.WARNING]
    for code in ("OL001", None):
        flagged = _flagged(warnings, code)
        hits = len(flagged & set(planted.tolist()))
        assert hits / len(planted) >= 0.9, (code, sorted(flagged), sorted(planted))
        assert hits / len(flagged) >= 0.5, (code, sorted(flagged), sorted(planted))
    # One finding per broken record: a planted row OL002 also sees is folded into OL001's
    # finding with OL002's evidence, and not reported twice.
    also = {
        r
        for f in warnings
        if f.code == "OL001"
        for r in f.evidence.get("also", {}).get("OL002", {}).get("rows", [])
    }
    assert len(also & set(planted.tolist())) >= 5, sorted(also)
    assert not also & _flagged(warnings, "OL002")


def test_per_column_finding_names_rows_values_and_fences() -> None:
    frame, planted = plant_gross_errors(0)
    clean = load_breast_cancer(as_frame=True).frame
    findings = [
        f
        for f in _outlier_findings(frame, target="target")
        if f.code == "OL001" and f.severity is preflight.Severity.WARNING
    ]
    assert findings
    for f in findings:
        assert set(f.evidence["by_column"]) == set(f.columns)
        for col, evidence in f.evidence["by_column"].items():
            for row, value in evidence["values"].items():
                assert row in planted and row in f.rows
                # The listed value is the planted (multiplied) one, far above the clean value.
                assert value == frame.loc[row, col]
                assert frame.loc[row, col] > 15 * clean.loc[row, col]
                assert evidence["why"][row] == "isolated"
            assert evidence["isolation"]["upper"]["gap"] >= 3.0
        # Set missing (then impute), never clipped to a fence that keeps them: every
        # listed value lies beyond the edge the fix sets, halfway across the gap.
        assert f.fix is not None and f.fix.step == "replace-values"
        for col, evidence in f.evidence["by_column"].items():
            low, high = f.fix.params["outside"][col]
            assert low is None and high is not None
            assert all(v > high for v in evidence["values"].values())
            assert (clean[col] < high).all()


def test_rows_both_checks_see_are_one_finding_with_both_evidences() -> None:
    frame, planted = plant_gross_errors(1)
    findings = _outlier_findings(frame, target="target")
    clean = load_breast_cancer(as_frame=True).frame
    folded = [f for f in findings if f.code == "OL001" and "OL002" in f.evidence.get("also", {})]
    assert folded
    seen: set[int] = set()
    for f in folded:
        also = f.evidence["also"]["OL002"]
        assert set(also["rows"]) <= set(f.rows)
        seen |= set(also["rows"])
        for row in also["rows"]:
            assert also["scores"][row] > 1.0
            # The column that sets a planted row apart most is one whose value was multiplied.
            top = also["contributors"][row][0]
            assert frame.loc[row, top] > 15 * clean.loc[row, top]
    assert seen <= set(planted.tolist()) and len(seen) >= 8
    # Not reported a second time by OL002.
    assert not seen & _flagged([f for f in findings if f.code == "OL002"])


@pytest.mark.parametrize("name", ["diabetes", "wine", "penguins", "penguins-raw"])
def test_honest_real_data_gives_no_outlier_warning(name: str) -> None:
    if name.startswith("penguins"):
        data: pd.DataFrame | str = str(EXAMPLES / f"{name}.csv")
        target = "species" if name == "penguins" else "Species"
    else:
        loader = {"diabetes": load_diabetes, "wine": load_wine}[name]
        data, target = loader(as_frame=True).frame, "target"
    findings = _outlier_findings(data, target=target)
    assert [f for f in findings if f.severity >= preflight.Severity.WARNING] == []


def test_clean_breast_cancer_rows_that_break_its_geometry() -> None:
    """The bundled data hold rows whose values are each plausible but inconsistent:
    row 376's perimeter error is 21x its radius error (median ratio 6.9, about 2 pi; the
    next highest 14.9): a broken relation beyond a gap, a warning. Row 3's worst area is
    0.81 of pi * worst radius^2 (median 0.976, sd 0.02): rare, but without a gap to the
    next rows, so info."""
    frame = load_breast_cancer(as_frame=True).frame
    findings = _outlier_findings(frame, target="target")
    assert {f.code for f in findings} == {"OL002"}
    (broken,) = [f for f in findings if f.severity is preflight.Severity.WARNING]
    assert 376 in broken.rows and len(broken.rows) <= 3
    assert broken.evidence["kind"][376] == "relation"
    assert {"perimeter error", "radius error"} <= set(broken.evidence["contributors"][376])
    (rare,) = [f for f in findings if f.severity is preflight.Severity.INFO]
    assert 3 in rare.rows and rare.evidence["rare"] is True
    assert rare.fix is not None and rare.fix.step is None  # rare rows are kept
    ratio = frame["perimeter error"] / frame["radius error"]
    assert ratio[376] > 2.5 * ratio.median()


def test_impossible_combination_of_plausible_values() -> None:
    rng = np.random.default_rng(8)
    n = 3000
    height = rng.normal(170, 10, n)
    weight = 70 + 9 * (height - 170) / 10 + rng.normal(0, 4.4, n)
    frame = pd.DataFrame({"height_cm": height, "weight_kg": weight, "age": rng.integers(18, 90, n)})
    frame["city"] = rng.choice(["Oslo", "Lima", "Pune"], n)
    planted = [5, 700, 2999]
    # Tall and light: each value within 2.5 SD of its column, the pair impossible.
    frame.loc[planted, "height_cm"] = [194.0, 195.0, 193.0]
    frame.loc[planted, "weight_kg"] = [49.0, 50.0, 48.0]
    findings = _outlier_findings(frame)
    assert [f.code for f in findings] == ["OL002"]
    (finding,) = findings
    assert list(finding.rows) == planted
    for row in planted:
        assert set(finding.evidence["contributors"][row][:2]) == {"height_cm", "weight_kg"}


def test_log_normal_and_skewed_columns_are_judged_on_their_own_scale() -> None:
    rng = np.random.default_rng(4)
    n = 20_000
    frame = pd.DataFrame(
        {
            "income": rng.lognormal(10, 1, n),
            "wait_s": rng.exponential(30, n),
            "size": rng.gamma(2, 3, n),
            "visits": rng.poisson(3, n),
            "score": rng.normal(0, 1, n),
            "group": rng.choice(["a", "b", "c"], n),
        }
    )
    assert [f for f in _outlier_findings(frame) if f.severity >= preflight.Severity.WARNING] == []
    ds = load_dataset(frame)
    profile = Profile(ds)
    income = fit_column(profile["income"])
    assert income is not None and income.scale_name == "log"
    score = fit_column(profile["score"])
    assert score is not None and score.scale_name == "linear"


def test_heavy_tails_are_info_and_never_clipped() -> None:
    # Student-t with 2 degrees of freedom: thousands of values beyond 6 robust SDs, none an error.
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"returns": rng.standard_t(2, 100_000), "x": rng.normal(size=100_000)})
    findings = [f for f in _outlier_findings(frame, select="OL001") if f.code == "OL001"]
    (finding,) = findings
    assert finding.severity is preflight.Severity.INFO and finding.columns == ("returns",)
    assert finding.evidence["by_column"]["returns"]["beyond_fence"] > 100
    assert finding.fix is not None and finding.fix.step is None  # no clip, no dropped row


def test_options_change_threshold_and_cap() -> None:
    frame, _ = plant_gross_errors(2)
    loose = _outlier_findings(
        frame, target="target", checks={"OL002": {"threshold": 50.0, "relation_threshold": 1000.0}}
    )
    assert not [f for f in loose if f.code == "OL002"]
    capped = _outlier_findings(frame, target="target", checks={"OL002": {"min_cap": 3, "max_share": 0.0}})
    (row_finding,) = [f for f in capped if f.code == "OL002"]
    assert row_finding.flagged_rows == 3 and row_finding.severity is preflight.Severity.INFO


def test_sampling_scores_every_row_and_is_deterministic() -> None:
    rng = np.random.default_rng(6)
    n = 6000
    frame = pd.DataFrame(rng.normal(size=(n, 4)), columns=list("abcd"))
    planted = [10, 2500, 5999]
    frame.loc[planted, "a"] = 40.0
    frame.loc[planted, "b"] = -35.0
    first = preflight.check(frame, select="OL002", sample=500, seed=3)
    second = preflight.check(frame, select="OL002", sample=500, seed=3)
    assert first.dataset.sampled_rows == 500
    (finding,) = first.findings
    assert set(planted) <= set(finding.rows)
    assert json.dumps(first.to_dict()) == json.dumps(second.to_dict())


def test_coarse_bound_flags_the_rows_the_exact_search_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows cleared by the coarse bound are never searched exactly; the report must be
    the one an exact search of every row gives (the coarse set as large as the sample
    makes every bound exact), while the exact search sees only a few rows."""
    from preflight.analysis import row_outliers

    rng = np.random.default_rng(11)
    n = 30_000
    # Categories that mostly agree: a row whose categories disagree is far in distance
    # only (no linear relation predicts a category), the case the bound decides.
    frame = pd.DataFrame(rng.normal(size=(n, 3)), columns=list("abc"))
    shared = rng.integers(0, 5, n)
    for j in range(4):
        level = np.where(rng.random(n) < 0.995, shared, rng.integers(0, 5, n))
        frame[f"c{j}"] = np.array(list("vwxyz"))[level]
    from sklearn.neighbors import NearestNeighbors

    searched: list[int] = []
    real_query = NearestNeighbors.kneighbors

    def counting(self: NearestNeighbors, x: np.ndarray, *args: object, **kw: object) -> object:
        searched.append(len(x))
        return real_query(self, x, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(NearestNeighbors, "kneighbors", counting)
    bounded = preflight.check(frame, select="OL002", sample=2000).to_dict()["findings"]
    # The fit sample calibrates on itself, then its own rows and a few candidates are searched.
    assert 4000 < sum(searched) < 4000 + n // 20
    monkeypatch.setattr(row_outliers, "COARSE_ROWS", 10**9)
    exact = preflight.check(frame, select="OL002", sample=2000).to_dict()["findings"]
    assert bounded == exact
    (finding,) = bounded
    assert finding["evidence"]["above_threshold"] > 100  # many rows judged, not a trivial case


def test_coarse_bound_is_an_upper_bound_of_the_exact_distance() -> None:
    from sklearn.neighbors import NearestNeighbors

    from preflight.analysis.row_outliers import _mean_nearest

    rng = np.random.default_rng(3)
    reference = rng.standard_t(3, size=(2000, 8))
    rows = rng.standard_t(3, size=(5000, 8))
    exact = NearestNeighbors(n_neighbors=10).fit(reference).kneighbors(rows)[0].mean(axis=1)
    subset = reference[rng.choice(2000, 200, replace=False)]
    assert np.all(_mean_nearest(rows, subset, 10) >= exact - 1e-9)
    np.testing.assert_allclose(_mean_nearest(rows, reference, 10), exact, rtol=1e-9)


def test_too_small_or_text_only_tables_are_skipped() -> None:
    tiny = pd.DataFrame({"a": [1.0, 2.0, 3.0, 1000.0]})
    assert _outlier_findings(tiny) == []
    text = pd.DataFrame({"name": [f"n{i}" for i in range(100)]})
    assert _outlier_findings(text) == []


def test_inputs_are_not_mutated_and_shared_matrix_untouched() -> None:
    frame, _ = plant_gross_errors(0)
    before = frame.copy()
    ds = load_dataset(frame, target="target")
    ctx = Context(ds, Profile(ds), Config(target="target"))
    from preflight.checks.ol.row_outliers import RowOutliers

    matrix = ctx.artifacts.encoded.matrix.copy()
    list(RowOutliers().run(ctx))
    pd.testing.assert_frame_equal(frame, before)
    np.testing.assert_array_equal(ctx.artifacts.encoded.matrix, matrix)


@pytest.mark.slow
def test_clean_gaussian_100k_rows_gives_no_outlier_finding() -> None:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(rng.normal(size=(100_000, 10)), columns=[f"x{i}" for i in range(10)])
    frame["y"] = rng.integers(0, 2, len(frame))
    assert _outlier_findings(frame, target="y") == []


def test_cli_json_report_validates_and_fails_on_warning(tmp_path: Path) -> None:
    import jsonschema

    frame, planted = plant_gross_errors(3)
    path = tmp_path / "cancer.csv"
    frame.to_csv(path, index=False)
    passed = run_cli("check", str(path), "--target", "target", "--select", "OL", "--format", "json")
    assert passed.returncode == 0, passed.stderr  # warnings do not fail by default
    report = json.loads(passed.stdout)
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text())
    jsonschema.validate(report, schema)
    warned = [f for f in report["findings"] if f["severity"] == "warning"]
    assert {f["code"] for f in warned} >= {"OL001"}
    assert set(planted.tolist()) <= {r for f in warned for r in f["rows"]}
    for f in warned:
        also = f["evidence"].get("also", {}).get("OL002")
        if also:
            # JSON object keys are strings: row positions as text.
            assert set(also["scores"]) == {str(r) for r in also["rows"]}
    steps = {s["step"] for s in report["preprocessing"]["steps"]}
    assert "replace-values" in steps and "clip" not in steps
    failed = run_cli("check", str(path), "--target", "target", "--select", "OL", "--fail-on", "warning")
    assert failed.returncode == 1
    assert "OL001" in failed.stdout and "row " in failed.stdout
