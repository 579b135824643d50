"""The fast paths of the audit without models (issue 9) give the answers the slow ones gave.

Exact shortcuts (duplicate rows, conflict groups, OL001's preselection, text value
counts) are compared with the plain computation on planted data; the documented
approximations (sampled quantiles above EXACT_QUANTILE_LIMIT, LB003's screening
above SCREEN_ROWS) are checked against their stated bounds, and shown to leave
smaller data exact.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import preflight
from preflight.analysis import leakage, leakage_copies
from preflight.analysis.conflicts import find_conflict_groups
from preflight.checks.base import Context
from preflight.checks.ol.column_outliers import BeyondFence, _near_fences
from preflight.core.config import Config
from preflight.data.dataset import load_dataset
from preflight.data.hashing import _repeated, duplicate_mask
from preflight.data.profile import ColumnProfile, Profile
from preflight.data.profile.quantiles import EXACT_QUANTILE_LIMIT, QUANTILE_GRID


def _report(df: pd.DataFrame, target: str, select: str) -> preflight.Report:
    report = preflight.check(df, target=target, select=select, config=Config())
    assert not report.errors, report.errors
    return report


# ---- sampled quantiles ------------------------------------------------------------------


def test_quantiles_are_exact_up_to_the_limit() -> None:
    values = np.random.default_rng(1).lognormal(size=EXACT_QUANTILE_LIMIT)
    col = ColumnProfile("x", pd.Series(values))
    assert not col.quantiles_sampled
    expected = np.quantile(values, QUANTILE_GRID)
    assert [col.quantile_grid[p] for p in QUANTILE_GRID] == expected.tolist()


def test_sampled_quantiles_keep_the_documented_rank_bound() -> None:
    values = np.random.default_rng(2).standard_t(3, size=400_000)
    col = ColumnProfile("x", pd.Series(values))
    assert col.quantiles_sampled
    ordered = np.sort(values)
    for p, q in col.quantile_grid.items():
        rank = np.searchsorted(ordered, q) / ordered.size
        # DKW: +-0.74% at 1 - 1e-6 for 100,000 draws.
        assert abs(rank - p) <= 0.0074, (p, rank)
    # Counts, extremes and moments stay exact.
    assert col.min == values.min() and col.max == values.max()
    assert col.moments is not None
    assert col.moments[0] == pytest.approx(values.mean(), rel=1e-12)
    assert col.moments[1] == pytest.approx(values.std(), rel=1e-12)
    # Same values, same sample: the same quantiles in every run.
    again = ColumnProfile("x", pd.Series(values))
    assert again.quantile_grid == col.quantile_grid


@pytest.mark.parametrize("share", [0.505, 0.52, 0.49, 0.3])
def test_majority_value_is_exact_on_sampled_columns(share: float) -> None:
    rng = np.random.default_rng(3)
    n = 300_000
    values = rng.normal(size=n)
    held = rng.permutation(n)[: int(share * n)]
    values[held] = 7.0
    col = ColumnProfile("x", pd.Series(values))
    assert col.quantiles_sampled
    if share > 0.5:
        assert col.dominant == (7.0, held.size)
        assert col.top_count_exceeds(0.5 * n)
    else:
        assert col.dominant is None
        assert not col.top_count_exceeds(0.5 * n)


def test_text_value_counts_match_pandas() -> None:
    rng = np.random.default_rng(4)
    levels = np.array([f"v{i}" for i in range(40)] + ["", " a "])
    cells = pd.Series(levels[rng.integers(0, levels.size, 20_000)], dtype="str")
    cells[rng.random(cells.size) < 0.1] = None
    for s in (cells, pd.Series(["b", "a", "b", "a", "c"], dtype="str")):  # ties keep pandas' order
        pd.testing.assert_series_equal(ColumnProfile("x", s).value_counts, s.value_counts())


# ---- exact shortcuts ----------------------------------------------------------------------


def test_repeated_hashes_match_a_hash_table() -> None:
    rng = np.random.default_rng(5)
    hashes = rng.integers(0, 2**63, size=300_000, dtype=np.int64).astype(np.uint64)
    hashes[rng.integers(0, hashes.size, 500)] = hashes[rng.integers(0, hashes.size, 500)]
    expected = pd.Series(hashes).duplicated(keep=False).to_numpy()
    assert expected.sum() > 0
    np.testing.assert_array_equal(_repeated(hashes), expected)


def _planted_table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "k": rng.integers(0, 3, n),
            "s": pd.Series(rng.choice(["a", "b", None], n), dtype="str"),
            "f": rng.random(n) < 0.5,
        }
    )
    df.loc[rng.random(n) < 0.05, "x"] = np.nan
    copies = rng.integers(0, n, 300)
    df.iloc[rng.integers(0, n, 300)] = df.iloc[copies].to_numpy()
    return df


@pytest.mark.parametrize("n", [2_000, 120_000])
def test_duplicate_rows_match_pandas(n: int) -> None:
    df = _planted_table(n, seed=n)
    expected = df.duplicated(keep="first").to_numpy()
    assert expected.sum() > 100
    np.testing.assert_array_equal(duplicate_mask(df), expected)
    # Every row repeats on the first columns: the narrowing gives up, same answer.
    coarse = df[["k", "f", "s"]]
    np.testing.assert_array_equal(duplicate_mask(coarse), coarse.duplicated(keep="first").to_numpy())


def test_conflict_groups_match_a_groupby() -> None:
    n = 120_000
    df = _planted_table(n, seed=7)
    df["y"] = np.random.default_rng(8).integers(0, 2, n)
    groups = find_conflict_groups(load_dataset(df, target="y"))
    ids = df[["x", "k", "s", "f"]].groupby(["x", "k", "s", "f"], dropna=False, sort=False).ngroup()
    labels = df.groupby(ids)["y"].nunique()
    conflicting = labels.index[labels > 1]
    expected = sorted(np.flatnonzero(ids.isin(conflicting).to_numpy()).tolist())
    assert expected
    assert sorted(np.concatenate(groups).tolist()) == expected


def test_outlier_preselection_scores_like_every_row() -> None:
    rng = np.random.default_rng(9)
    n = 50_000
    df = pd.DataFrame(
        {
            "normal": rng.normal(size=n),
            "lognormal": rng.lognormal(0, 1, n),
            "zeros": np.where(rng.random(n) < 0.3, 0.0, rng.exponential(size=n)),
            "counts": rng.poisson(4, n).astype(float),
        }
    )
    for name in df.columns:
        df.loc[rng.integers(0, n, 15), name] = df[name].median() * 1e4 + 1e3
    df.loc[rng.integers(0, n, 30), "normal"] = np.nan
    ds = load_dataset(df)
    ctx = Context(dataset=ds, profile=Profile(ds), config=Config())
    for name, model in ctx.artifacts.column_models.items():
        full = np.abs(np.nan_to_num(ctx.artifacts.column_scores(name), nan=0.0))
        near = {name: _near_fences(ctx.profile[name], model, 6.0)}
        rows, magnitude, _ = BeyondFence({name: model}, 6.0, near)(ds.frame)[name]
        beyond = np.flatnonzero(full > 6.0)
        assert beyond.size > 0, name
        np.testing.assert_array_equal(rows, beyond)
        np.testing.assert_array_equal(magnitude, full[beyond])


# ---- LB003 screening ---------------------------------------------------------------------


def _leaky(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(10)
    y = rng.choice(["a", "b"], size=n, p=[0.6, 0.4])
    codes = (y == "b").astype(int)
    df = pd.DataFrame({f"x{i}": rng.normal(size=n) for i in range(4)})
    df["level"] = rng.choice([f"l{i}" for i in range(30)], size=n)
    df["after"] = codes * 10 + rng.integers(0, 5, n)  # alone predicts the label
    flip = rng.random(n) < 0.15
    df["weak"] = np.where(flip, 1 - codes, codes) + rng.normal(0, 0.05, n)  # ~0.85: screened, then scored
    df["gone"] = np.where(y == "b", np.nan, rng.normal(size=n))  # missingness leaks
    df["copy"] = y
    df["y"] = y
    return df


def test_screened_leakage_finds_what_scoring_every_row_finds(monkeypatch: Any) -> None:
    df = _leaky(150_000)
    target = leakage.encode_target(df["y"], True)
    folds = np.arange(df.shape[0]) % leakage.N_FOLDS
    assert leakage.screen_sample(target, folds, 0) is not None  # the screen is in play
    screened = _report(df, "y", "LB003")
    monkeypatch.setattr(leakage, "SCREEN_ROWS", 10**9)
    every_row = _report(df, "y", "LB003")
    found = {f.columns[0]: f.message for f in screened.findings}
    assert set(found) == {"after", "gone", "copy"}
    assert [f.message for f in screened.findings] == [f.message for f in every_row.findings]


def test_screen_is_off_for_small_files_and_rare_classes() -> None:
    rng = np.random.default_rng(11)
    target = leakage.encode_target(pd.Series(rng.choice(["a", "b"], 50_000)), True)
    folds = np.arange(target.present.size) % leakage.N_FOLDS
    assert leakage.screen_sample(target, folds, 0) is None  # not above SCREEN_ROWS
    y = np.where(rng.random(300_000) < 0.002, "rare", "common")  # ~60 rare rows in the sample
    target = leakage.encode_target(pd.Series(y), True)
    folds = np.arange(y.size) % leakage.N_FOLDS
    assert leakage.screen_sample(target, folds, 0) is None


def test_bin_assignment_matches_a_binary_search() -> None:
    rng = np.random.default_rng(12)
    for n in (0, 7, 70_000, 200_000):
        values = rng.standard_t(2, size=n)
        values[::5] = np.round(values[::5])
        inner = np.quantile(values, np.linspace(0, 1, 33)[1:-1]) if n else np.empty(0)
        edges = np.unique(np.concatenate([inner, [0.0, 1.0]]))
        np.testing.assert_array_equal(
            leakage.edges_at_or_below(edges, values), np.searchsorted(edges, values, side="right")
        )


def _loop_r2(codes: np.ndarray, y: np.ndarray, folds: np.ndarray) -> float:
    """The one-feature regression score fold by fold, as LB003 computed it before."""
    nb = int(codes.max()) + 1
    pred = np.empty(y.size)
    for fold in range(leakage.N_FOLDS):
        test, train = folds == fold, folds != fold
        sums = np.bincount(codes[train], weights=y[train], minlength=nb)
        counts = np.bincount(codes[train], minlength=nb)
        means = np.where(counts > 0, sums / np.maximum(counts, 1), y[train].mean())
        pred[test] = means[codes[test]]
    return 1.0 - float(np.sum((y - pred) ** 2)) / float(np.sum((y - y.mean()) ** 2))


def test_regression_one_feature_score_matches_the_fold_loop() -> None:
    rng = np.random.default_rng(13)
    n = 5_000
    y = rng.lognormal(size=n)
    target = leakage.encode_target(pd.Series(y), False)
    folds = rng.permutation(n) % leakage.N_FOLDS
    for codes in (rng.integers(0, 32, n), np.minimum(np.arange(n) // 7, 40), (y > 1).astype(np.int64)):
        fast = leakage.one_feature_score(codes, target, folds)
        assert fast == pytest.approx(_loop_r2(codes, y, folds), abs=1e-12)


def test_monotone_transform_found_on_a_large_regression_file() -> None:
    rng = np.random.default_rng(14)
    n = 60_000
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.exponential(size=n), "when": pd.Timestamp(0)})
    df["when"] = df["when"] + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    df["y"] = df["a"] * 2 + df["b"] + rng.normal(size=n)
    df["log_y"] = np.log(df["y"] - df["y"].min() + 1)  # monotone, not linear
    [finding] = _report(df, "y", "LB003").findings
    assert finding.columns == ("log_y",)
    assert "monotone transform" in finding.message


def test_recoding_mapping_from_codes_matches_the_groupby() -> None:
    rng = np.random.default_rng(15)
    y = pd.Series(rng.integers(0, 3, 500))
    cases = [
        (y.map({0: "se", 1: "ve", 2: "vi"}).astype("str"), y),
        (y * 10 + 1, y.map({0: "a", 1: "b", 2: "c"}).astype("str")),
        (pd.Timestamp("2020-01-01") + pd.to_timedelta(y, unit="D"), y),
    ]
    for x, t in cases:
        xc, xu = pd.factorize(x)
        tc, tu = pd.factorize(t)
        codes = (xc.astype(np.int8), pd.Index(xu), tc.astype(np.int8), pd.Index(tu))
        fast = leakage_copies.one_to_one(x, t, codes)
        slow = leakage_copies.one_to_one(x, t, None)
        assert fast == slow and fast is not None
        assert [type(v) for v in fast.values()] == [type(v) for v in slow.values()]
    noisy = y.copy()
    noisy.iloc[0] = (noisy.iloc[0] + 1) % 3
    xc, xu = pd.factorize(noisy)
    tc, tu = pd.factorize(y)
    assert leakage_copies.one_to_one(noisy, y, (xc, pd.Index(xu), tc, pd.Index(tu))) is None


def test_discrete_columns_keep_exact_quantiles_above_the_limit() -> None:
    # A sampled quantile of a count column can land a whole step off; counted ones cannot.
    values = np.random.default_rng(16).poisson(4, 300_000)
    col = ColumnProfile("x", pd.Series(values))
    assert col.counted_values is not None and not col.quantiles_sampled
    expected = np.quantile(values, QUANTILE_GRID)
    np.testing.assert_allclose([col.quantile_grid[p] for p in QUANTILE_GRID], expected, rtol=0, atol=1e-12)
    at = col.quantiles_at(np.array([0.001, 0.999]))
    assert at is not None
    np.testing.assert_allclose(at, np.quantile(values, [0.001, 0.999]), rtol=0, atol=1e-12)
