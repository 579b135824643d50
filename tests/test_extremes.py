"""OL001's evidence that a value is wrong: bounds from a column's meaning, isolation by a
gap; and the heavy tails it leaves alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import preflight
from preflight.analysis.bounds import bound_for, name_tokens
from preflight.analysis.isolation import isolated_top
from preflight.data.dataset import load_dataset
from preflight.data.profile import Profile


def _bound(values: list[float] | np.ndarray, name: str = "x") -> object:
    ds = load_dataset(pd.DataFrame({name: values}))
    return bound_for(Profile(ds)[name])


def _ol001(frame: pd.DataFrame, **kw: object) -> list[preflight.Finding]:
    report = preflight.check(frame, select="OL001", **kw)  # type: ignore[arg-type]
    assert not report.errors
    return list(report.findings)


def test_name_tokens_split_words_case_and_digits() -> None:
    assert name_tokens("Grad.Rate") == {"grad", "rate"}
    assert name_tokens("Top10perc") == {"top", "10", "perc"}
    assert name_tokens("n_children") == {"n", "children"}
    assert name_tokens("lotSize") == {"lot", "size"}


def test_isolated_values_beyond_a_gap_are_named_and_a_tail_is_not() -> None:
    rng = np.random.default_rng(0)
    bulk = rng.normal(size=2000)
    errors = np.array([14.0, 15.5])
    found = isolated_top(np.concatenate([bulk, errors]), 6.0)
    assert found is not None and found.count == 2 and found.gap > 9
    # A continuous heavy tail (log-normal on the linear scale's scores) has no gap.
    assert isolated_top(bulk, 6.0) is None
    assert isolated_top(np.exp(rng.normal(size=2000)), 6.0, max_count=20) is None
    # A gap that is only wide in bulk SDs but matches the tail's own spacing is not enough.
    tail = np.array([30.0, 20.0, 13.0, 9.0, 6.5, 5.0, 4.0, 3.2, 2.6, 2.1, 1.8, 1.5])
    assert isolated_top(tail, 6.0) is None


@pytest.mark.parametrize(
    ("name", "values", "kind"),
    [
        ("pct_done", [10.0, 55.0, 99.0, 100.0] * 30 + [104.0], "percent"),
        ("share_paid", [0.1, 0.5, 0.9, 0.95] * 30, "share"),
        ("age", [23.0, 41.0, 67.0, 138.0] * 30, "age"),
        ("turnaround_days", [3.0, 5.0, 8.0, 13.0] * 30 + [-2.0], "not negative"),
        ("width", [3.1, 4.7, 5.2, 6.5] * 30 + [0.0], "positive"),
    ],
)
def test_bounds_from_the_name(name: str, values: list[float], kind: str) -> None:
    bound = _bound(values, name)
    assert bound is not None and bound.kind == kind  # type: ignore[attr-defined]


def test_a_column_that_fills_up_to_100_and_stops_is_a_percentage() -> None:
    rng = np.random.default_rng(1)
    # PhD-like: dense up to 100 (many values on [95, 100]), then one 103.
    phd = np.minimum(np.round(rng.normal(80, 12, 777)), 100)
    phd[5] = 103
    bound = _bound(phd, "PhD")
    assert bound is not None and bound.kind == "percent" and bound.inferred  # type: ignore[attr-defined]
    findings = _ol001(pd.DataFrame({"PhD": phd}))
    (f,) = [f for f in findings if f.severity is preflight.Severity.WARNING]
    assert f.rows == (5,) and "percentage" in f.message
    # The fix sets missing what lies outside 0-100, on these rows and on new data alike.
    assert f.fix is not None and f.fix.params == {"outside": {"PhD": [0.0, 100.0]}}


def test_no_bound_is_guessed_from_values_that_do_not_stop_at_it() -> None:
    rng = np.random.default_rng(2)
    # Weights: few values near 100, so 100 is not a bound (the 68100 is isolation's).
    weight = rng.normal(70, 9, 400)
    assert _bound(np.append(weight, 68100.0), "weight_kg") is None
    # Counts of 0 and 1 with a few 2s and 6s are counts, not shares.
    counts = np.array([0.0] * 300 + [1.0] * 80 + [2.0] * 3 + [6.0])
    assert _bound(counts, "inherit") is None
    # Zero evening minutes on a phone bill is rare and real: no size by name, no bound.
    minutes = np.append(rng.normal(200, 50, 5000).clip(30), 0.0)
    assert _bound(minutes, "total_eve_minutes") is None


def test_target_values_outside_their_bound_are_reported_without_a_plan_step() -> None:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"x": rng.normal(size=300)})
    frame["grad_rate_pct"] = np.clip(np.round(70 + 15 * frame["x"] + rng.normal(0, 5, 300)), 0, 100)
    frame.loc[7, "grad_rate_pct"] = 118
    (f,) = _ol001(frame, target="grad_rate_pct")
    assert f.columns == ("grad_rate_pct",) and f.rows == (7,) and f.message.startswith("the target")
    assert f.fix is not None and f.fix.step is None


def test_a_record_broken_in_several_columns_is_one_finding() -> None:
    rng = np.random.default_rng(4)
    n = 3000
    frame = pd.DataFrame({c: rng.normal(5, 0.5, n) for c in ("x", "y", "z")})
    frame["carat"] = rng.gamma(4, 0.2, n)
    frame.loc[[11, 12], ["x", "y", "z"]] = [[58.9, 59.1, 31.8], [62.0, 60.0, 33.0]]
    findings = [f for f in _ol001(frame) if f.severity is preflight.Severity.WARNING]
    (f,) = findings
    assert f.columns == ("x", "y", "z") and f.rows == (11, 12)
    assert set(f.evidence["by_column"]) == {"x", "y", "z"}


def test_heavy_symmetric_tail_is_info_with_no_step() -> None:
    rng = np.random.default_rng(6)
    frame = pd.DataFrame({"weekly_return": rng.standard_t(4, 1089) * 2.0})
    frame.loc[500, "weekly_return"] = -18.2  # a crash week: far out, but the tail goes there
    for f in _ol001(frame):
        assert f.severity is preflight.Severity.INFO
        assert f.fix is not None and f.fix.step is None
