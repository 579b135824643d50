"""SN checks on real data: raw data is flagged, already-normalized data is not (the control set)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn import datasets
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

from preflight.api import check

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCALERS: dict[str, Callable[[], object]] = {
    "standard": StandardScaler,
    "minmax": MinMaxScaler,
    "robust": RobustScaler,
}


def scaled(frame: pd.DataFrame, target: str, scaler: str) -> pd.DataFrame:
    features = frame.drop(columns=[target])
    out = pd.DataFrame(SCALERS[scaler]().fit_transform(features), columns=features.columns)  # type: ignore[attr-defined]
    out[target] = frame[target].to_numpy()
    return out


def cause2(frame: pd.DataFrame, target: str | None) -> list[str]:
    report = check(frame, target=target, select="SN")
    return [f"{f.code}: {f.message}" for f in report.findings if f.cause == 2]


def _penguins() -> pd.DataFrame:
    df = pd.read_csv(EXAMPLES / "penguins.csv").dropna()
    return df[["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "species"]]


CONTROL = {
    "wine": (lambda: datasets.load_wine(as_frame=True).frame, "target"),
    "iris": (lambda: datasets.load_iris(as_frame=True).frame, "target"),
    "digits": (lambda: datasets.load_digits(as_frame=True).frame, "target"),
    "penguins": (_penguins, "species"),
}


@pytest.mark.parametrize("scaler", sorted(SCALERS))
@pytest.mark.parametrize("name", sorted(CONTROL))
def test_normalized_data_has_no_scale_finding(name: str, scaler: str) -> None:
    load, target = CONTROL[name]
    assert cause2(scaled(load(), target, scaler), target) == []


def test_sklearn_scaled_diabetes_with_a_standardized_target_is_clean() -> None:
    frame = datasets.load_diabetes(as_frame=True).frame  # features already centred and scaled
    frame["target"] = (frame["target"] - frame["target"].mean()) / frame["target"].std()
    assert cause2(frame, "target") == []


def test_raw_wine_names_the_dominant_columns() -> None:
    report = check(datasets.load_wine(as_frame=True).frame, target="target", select="SN")
    sn001 = next(f for f in report.findings if f.code == "SN001")
    assert sn001.severity.value == "warning"
    assert sn001.evidence["dominant"] == ["proline", "magnesium"]
    assert sn001.evidence["ratio"] > 1000
    assert "'proline'" in sn001.message and "dominate" in sn001.message
    assert sn001.fix is not None and sn001.fix.transformer == "sklearn.preprocessing.StandardScaler"
    # SN002 (far from zero) is the same root problem on the same columns: folded into SN001.
    assert {f.code for f in report.findings} == {"SN001", "SN008"}
    assert sn001.evidence["also"]["SN002"]["columns"]


def test_raw_breast_cancer_skew_is_the_standard_error_columns() -> None:
    frame = datasets.load_breast_cancer(as_frame=True).frame
    report = check(frame, target="target", select="SN003")
    flagged = sorted(c for f in report.findings for c in f.columns)
    assert flagged == sorted(
        ["radius error", "perimeter error", "area error", "smoothness error", "concavity error",
         "symmetry error", "fractal dimension error"]
    )  # fmt: skip


def test_digits_pixels_share_one_unit() -> None:
    # Raw 0-16 pixel intensities: same units, sparse edge pixels; not a scale mismatch.
    report = check(datasets.load_digits(as_frame=True).frame, target="target", select="SN001,SN003")
    assert report.findings == ()


def test_raw_diabetes_flags_target_and_binary_sex() -> None:
    frame = datasets.load_diabetes(as_frame=True, scaled=False).frame
    report = check(frame, target="target", select="SN")
    codes = {f.code: f for f in report.findings}
    assert set(codes) == {"SN001", "SN005", "SN007", "SN008"}  # SN002 folded into SN001
    assert codes["SN005"].columns == ("sex",)
    assert codes["SN007"].severity.value == "warning"
    tree = check(frame, target="target", select="SN", model_family="tree")
    assert {f.code: f.severity.value for f in tree.findings} == {"SN001": "info", "SN007": "info"}


def test_fixed_breast_cancer_is_clean(tmp_path: Path) -> None:
    from preflight.core.config import Config
    from preflight.plan.fix import fix

    path = tmp_path / "bc.csv"
    datasets.load_breast_cancer(as_frame=True).frame.to_csv(path, index=False)
    result = fix(str(path), tmp_path / "bc_fixed.csv", Config(target="target"))
    fixed = pd.read_csv(result.output)
    assert cause2(fixed, "target") == []
    assert np.isfinite(fixed.to_numpy()).all()
