"""The semantics stage: what every column is, on real tables as shipped and on the
shapes the issue names (counters, names, free text, dates as text, markers, top-codes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from preflight.core.columns import ColumnOverride, ColumnSemantics
from preflight.data.dataset import load_dataset
from preflight.data.profile import Profile
from preflight.data.semantics.clean import cleaned_frame
from preflight.data.semantics.infer import infer_semantics

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "benchmarks" / "corpus" / "data"


def semantics_of(source: str | Path | pd.DataFrame, target: str | None = None, **kw: object):
    ds = load_dataset(source if isinstance(source, pd.DataFrame) else str(source), target=target)
    return infer_semantics(ds, Profile(ds), **kw)  # type: ignore[arg-type]


def kinds(sem: dict[str, ColumnSemantics]) -> dict[str, str]:
    return {name: s.semantic for name, s in sem.items()}


def test_penguins_raw_identifiers_text_dates_and_constants() -> None:
    sem = semantics_of(ROOT / "examples" / "penguins-raw.csv", target="Species")
    k = kinds(sem)
    assert k["Sample Number"] == "identifier"  # 1..152, 1..68, 1..124: a per-species counter
    assert "runs of rows" in sem["Sample Number"].evidence
    assert k["Individual ID"] == "identifier"  # N1A1, N1A2, ...: named like an id, 55% distinct
    assert k["Comments"] == "text"
    assert k["Date Egg"] == "datetime"
    assert k["Region"] == k["Stage"] == "constant"
    for measure in ("Culmen Length (mm)", "Flipper Length (mm)", "Body Mass (g)"):
        assert k[measure] == "numeric"
    assert k["Island"] == k["Sex"] == "categorical"


def test_row_counters_and_names_in_real_tables_are_identifiers() -> None:
    assert semantics_of(CORPUS / "birthwt.csv", "low")["rownames"].semantic == "identifier"
    assert semantics_of(CORPUS / "caschool.csv", "testscr")["district"].semantic == "identifier"
    auto = semantics_of(CORPUS / "auto.csv", "mpg")
    assert auto["name"].semantic == "identifier"  # car names, 301 distinct in 392
    assert auto["horsepower"].semantic == "numeric"


def test_calendar_counters_are_not_identifiers() -> None:
    # airquality: Day runs 1..31 within each Month, sorted: a time field, not a key.
    sem = semantics_of(CORPUS / "airquality.csv", "Ozone")
    assert sem["Day"].semantic == "numeric"


def test_a_date_column_is_a_date_in_the_cli_and_the_api_alike() -> None:
    path = CORPUS / "seattle_weather.csv"
    from_file = semantics_of(path, "weather")["date"]
    from_frame = semantics_of(pd.read_csv(path), "weather")["date"]
    assert from_file.semantic == from_frame.semantic == "datetime"


def test_day_first_dates_as_text_are_parsed_with_one_format() -> None:
    days = pd.date_range("2020-01-01", periods=60, freq="D")
    frame = pd.DataFrame({"when": days.strftime("%d/%m/%Y"), "y": np.arange(60) % 2})
    sem = semantics_of(frame, "y")["when"]
    assert (sem.semantic, sem.parsed, sem.date_format) == ("datetime", "dates-as-text", "%d/%m/%Y")
    cleaned = cleaned_frame(frame, {"when": sem})
    assert (cleaned["when"] == days).all()


def test_numeric_sentinel_is_a_marker_and_the_cleaned_view_drops_it() -> None:
    rng = np.random.default_rng(0)
    values = rng.normal(50, 5, 500)
    values[:20] = -999
    frame = pd.DataFrame({"x": values, "y": rng.integers(0, 2, 500)})
    sem = semantics_of(frame, "y")
    assert sem["x"].missing_markers == (-999.0,)
    cleaned = cleaned_frame(frame, sem)
    assert cleaned["x"].isna().sum() == 20 and cleaned["x"].min() > 0
    assert frame["x"].min() == -999  # the raw frame is untouched


def test_top_codes_are_censoring_not_missing() -> None:
    rng = np.random.default_rng(1)
    hours = np.clip(np.round(rng.normal(40, 12, 3000)), 1, 99)
    hours[:60] = 99  # capped at 99, next to 98, 97: continues the distribution
    sem = semantics_of(pd.DataFrame({"hours": hours, "y": rng.integers(0, 2, 3000)}), "y")["hours"]
    assert sem.missing_markers == ()
    assert sem.censored is not None and (sem.censored.side, sem.censored.value) == ("upper", 99.0)
    boston = semantics_of(CORPUS / "boston.csv", "medv")["medv"]
    assert boston.censored is not None and boston.censored.to_dict() == {
        "side": "upper",
        "value": 50.0,
        "rows": 16,
    }


def test_none_is_a_level_in_a_few_level_column_and_the_user_can_say_otherwise() -> None:
    sewer = semantics_of(CORPUS / "saratoga.csv", "price")["sewer"]
    assert sewer.semantic == "categorical" and sewer.missing_markers == () and sewer.none_is_value
    said = semantics_of(
        CORPUS / "saratoga.csv", "price", overrides={"sewer": ColumnOverride(none_is_value=False)}
    )
    assert said["sewer"].missing_markers == ("none",)


def test_question_marks_are_markers() -> None:
    frame = pd.DataFrame({"job": ["a", "b", "c", " ?"] * 30, "y": [0, 1] * 60})
    sem = semantics_of(frame, "y")["job"]
    assert sem.missing_markers == (" ?",)


def test_decimal_commas_are_numbers() -> None:
    rng = np.random.default_rng(2)
    text = [f"{v:.4f}".replace(".", ",") for v in rng.uniform(0, 1, 400)]
    frame = pd.DataFrame({"share": text, "y": rng.integers(0, 2, 400)})
    sem = semantics_of(frame, "y")["share"]
    assert (sem.semantic, sem.parsed) == ("numeric", "decimal-comma")
    cleaned = cleaned_frame(frame, {"share": sem})
    assert cleaned["share"].dtype == np.float64 and cleaned["share"].iloc[0] == pytest.approx(
        float(text[0].replace(",", "."))
    )


def test_thousands_separators_are_not_decimal_commas() -> None:
    frame = pd.DataFrame({"price": ["1,250", "3,400", "12,999", "7,000"] * 10, "y": [0, 1] * 20})
    sem = semantics_of(frame, "y")["price"]
    assert (sem.semantic, sem.parsed) == ("numeric", "numbers-as-text")
    assert cleaned_frame(frame, {"price": sem})["price"].iloc[0] == 1250.0


def test_unique_measurements_are_not_identifiers() -> None:
    sem = semantics_of(CORPUS / "breast_cancer.csv", "diagnosis")
    assert {s.semantic for n, s in sem.items() if n != "diagnosis"} == {"numeric"}


def test_overrides_win_and_say_so() -> None:
    sem = semantics_of(
        ROOT / "examples" / "penguins-raw.csv",
        "Species",
        overrides={"Comments": ColumnOverride(semantic="categorical")},
    )
    assert (sem["Comments"].semantic, sem["Comments"].source) == ("categorical", "config")


def test_semantics_are_deterministic() -> None:
    a = semantics_of(ROOT / "examples" / "penguins-raw.csv", "Species")
    b = semantics_of(ROOT / "examples" / "penguins-raw.csv", "Species")
    assert [s.to_dict() for s in a.values()] == [s.to_dict() for s in b.values()]
