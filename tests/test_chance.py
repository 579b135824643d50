"""Repeats chance explains (coarse columns) are info; copies beyond chance are warnings."""

from __future__ import annotations

import numpy as np
import pandas as pd

import preflight
from preflight.analysis.chance import chance_matches, expected_repeats
from preflight.data.dataset import load_dataset
from preflight.data.profile import Profile


def _survey(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "income_band": rng.choice(["<10k", "10-20k", "20-40k", ">40k"], n, p=[0.3, 0.3, 0.3, 0.1]),
            "smokes": rng.choice(["yes", "no"], n, p=[0.25, 0.75]),
            "region": rng.choice(["north", "south", "london"], n),
            "children": rng.integers(0, 3, n),
        }
    )


def test_expected_repeats_follow_the_value_frequencies() -> None:
    frame = _survey(2000)
    profile = Profile(load_dataset(frame))
    expected = expected_repeats(profile, list(frame.columns), len(frame))
    observed = int(frame.duplicated().sum())
    # 72 combinations for 2,000 rows: nearly every row repeats another, and the
    # estimate knows it (capped at n - 1).
    assert observed > 1900 and expected == len(frame) - 1
    row = frame.iloc[0]
    assert chance_matches(profile, list(frame.columns), row, len(frame)) > 10
    # A column to the cent makes repeats rare (a few amounts coincide by chance).
    frame["amount"] = np.random.default_rng(1).lognormal(5, 1, len(frame)).round(2)
    profile = Profile(load_dataset(frame))
    assert expected_repeats(profile, list(frame.columns), len(frame)) < 2


def test_coarse_survey_repeats_are_info_and_appended_copies_are_warnings() -> None:
    survey = _survey(1500)
    (honest,) = preflight.check(survey, select="DQ003").findings
    assert honest.severity is preflight.Severity.INFO
    assert honest.evidence["expected_by_chance"] >= honest.evidence["duplicates"]
    assert "chance alone" in honest.message

    rng = np.random.default_rng(2)
    table = pd.DataFrame({"price": rng.lognormal(4, 1, 1000).round(2), "qty": rng.integers(1, 9, 1000)})
    copied = pd.concat([table, table.iloc[:60]], ignore_index=True)  # a re-sent batch
    (copies,) = preflight.check(copied, select="DQ003").findings
    assert copies.severity is preflight.Severity.WARNING
    assert set(range(1000, 1060)) <= set(copies.rows)
    assert copies.evidence["excess"] > 45  # the copies inflate the value counts chance is read from
