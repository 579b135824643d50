"""Real data with planted problems: each check finds exactly what was planted.

Base data: the Palmer penguins (examples/penguins.csv, from the palmerpenguins
package) and scikit-learn's bundled real datasets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.preprocessing import StandardScaler

import preflight
from tests.conftest import EXAMPLES

CHEAP = "DQ,SC"


@pytest.fixture
def penguins() -> pd.DataFrame:
    # The two rows with no measurements at all are dropped, and sex imputed, so
    # that the base is clean and only the planted problems remain.
    frame = pd.read_csv(EXAMPLES / "penguins.csv")
    frame = frame.dropna(subset=["bill_length_mm"]).reset_index(drop=True)
    frame["sex"] = frame["sex"].fillna("female")
    return frame


def _by_code(report: preflight.Report) -> dict[str, list[preflight.Finding]]:
    out: dict[str, list[preflight.Finding]] = {}
    for f in report.findings:
        out.setdefault(f.code, []).append(f)
    return out


def test_clean_penguins_have_no_cleaning_findings(penguins: pd.DataFrame) -> None:
    report = preflight.check(penguins, target="species", select=CHEAP)
    assert report.findings == (), [f.message for f in report.findings]
    assert report.status == "pass"


def test_planted_problems_in_penguins(penguins: pd.DataFrame) -> None:
    bad = penguins.copy()
    bad["body_mass_g"] = bad["body_mass_g"].astype(float)
    bad.loc[[5, 77, 140], "body_mass_g"] = -999.0  # numeric sentinel
    bad.loc[[10, 200], "sex"] = "?"  # text null marker
    bad.loc[[3, 150], "island"] = ["biscoe ", "DREAM"]  # spelling variants
    bad.loc[[20], "bill_depth_mm"] = np.inf  # an infinity
    bad.loc[[30, 31], "flipper_length_mm"] = np.nan  # missing
    bad["station"] = "Palmer"  # constant column
    bad.insert(0, "record_id", np.arange(1000, 1000 + len(bad)))  # an id column
    bad = pd.concat([bad, bad.iloc[[40, 41]]], ignore_index=True)  # two duplicate rows
    n = len(bad)

    found = _by_code(preflight.check(bad, target="species", select=CHEAP))

    assert [(f.columns, list(f.rows)) for f in found.pop("DQ004")] == [
        (("body_mass_g",), [5, 77, 140]),
        (("sex",), [10, 200]),
    ]
    assert [(f.columns, list(f.rows)) for f in found.pop("DQ008")] == [(("island",), [3, 150])]
    assert [(f.columns, list(f.rows)) for f in found.pop("DQ007")] == [(("bill_depth_mm",), [20])]
    assert [(f.columns, list(f.rows)) for f in found.pop("DQ001")] == [(("flipper_length_mm",), [30, 31])]
    assert [f.columns for f in found.pop("DQ005")] == [("station",)]
    assert [f.columns for f in found.pop("DQ006")] == [("record_id",)]
    assert [list(f.rows) for f in found.pop("DQ003")] == [[n - 2, n - 1]]
    assert found == {}, {k: [f.message for f in v] for k, v in found.items()}


@pytest.mark.parametrize("loader", [load_wine, load_breast_cancer, load_iris])
def test_clean_standardized_sklearn_data_passes(loader) -> None:  # type: ignore[no-untyped-def]
    data = loader(as_frame=True)
    x = pd.DataFrame(StandardScaler().fit_transform(data.data), columns=data.data.columns)
    x["target"] = data.target.map(dict(enumerate(data.target_names)))
    report = preflight.check(x, target="target", select=CHEAP)
    assert not [f for f in report.findings if f.severity >= preflight.Severity.WARNING]
    assert report.status == "pass"


def test_numbers_as_text_and_mixed_types_on_penguins_csv(tmp_path, penguins: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    bad = penguins.copy()
    bad["body_mass_g"] = bad["body_mass_g"].map(lambda v: f"{v:,.0f}")  # "3,750"
    bad["year"] = bad["year"].astype(str)
    bad.loc[7, "year"] = "two thousand seven"
    path = tmp_path / "p.csv"
    bad.to_csv(path, index=False)
    found = _by_code(preflight.check(path, target="species", select=CHEAP))
    assert [f.columns for f in found.pop("SC002")] == [("body_mass_g",)]
    assert [(f.columns, list(f.rows)) for f in found.pop("SC001")] == [(("year",), [7])]
    assert found == {}


def test_single_class_target_and_missing_labels(penguins: pd.DataFrame) -> None:
    one = penguins[penguins.species == "Adelie"].reset_index(drop=True)
    found = _by_code(preflight.check(one, target="species", select=CHEAP))
    assert list(found) == ["DQ009"]
    labels = penguins.copy()
    labels.loc[[4, 9], "species"] = None
    report = preflight.check(labels, target="species", select=CHEAP)
    assert [(f.code, list(f.rows)) for f in report.findings] == [("DQ002", [4, 9])]
    assert report.status == "fail" and report.exit_code == 1
