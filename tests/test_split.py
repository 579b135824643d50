"""The split checks (SP) on real data: planted leaks, shifts, unseen labels, honest splits."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_digits, load_wine

from preflight import api
from preflight.analysis.drift import binned_counts, population_stability
from preflight.analysis.overlap import drop_leaked_rows, overlapping_rows
from preflight.analysis.split import aligned_frames, load_heldout
from preflight.checks import REGISTRY
from preflight.core.config import from_mapping
from preflight.core.errors import PreflightError
from preflight.core.findings import Finding, Report, Severity
from preflight.core.outputs.rows import flagged_rows
from preflight.data.dataset import load_dataset
from tests.conftest import EXAMPLES, ROOT, run_cli


def _honest_split(
    df: pd.DataFrame, seed: int = 0, test_share: float = 0.25
) -> tuple[pd.DataFrame, pd.DataFrame]:
    order = np.random.default_rng(seed).permutation(len(df))
    cut = int(len(df) * (1 - test_share))
    return (
        df.iloc[np.sort(order[:cut])].reset_index(drop=True),
        df.iloc[np.sort(order[cut:])].reset_index(drop=True),
    )


def _with_copies(
    train: pd.DataFrame, test: pd.DataFrame, n: int, seed: int = 1
) -> tuple[pd.DataFrame, np.ndarray]:
    """``test`` plus ``n`` training rows copied into it at random places; returns the
    new test frame and the positions of the copies in it."""
    rng = np.random.default_rng(seed)
    copies = train.iloc[rng.choice(len(train), size=n, replace=False)]
    combined = pd.concat([test, copies], ignore_index=True)
    is_copy = np.r_[np.zeros(len(test), bool), np.ones(n, bool)]
    order = rng.permutation(len(combined))
    return combined.iloc[order].reset_index(drop=True), np.flatnonzero(is_copy[order])


def _check(
    train: pd.DataFrame, test: pd.DataFrame, tmp_path: Path, target: str | None = "target", **kw: object
) -> Report:
    path = tmp_path / "test.csv"
    test.to_csv(path, index=False)
    kw.setdefault("select", "SP")
    return api.check(train, target=target, test=str(path), fail_on="never", **kw)  # type: ignore[arg-type]


def _above_info(report: Report) -> list[Finding]:
    return [f for f in report.findings if f.severity > Severity.INFO]


def _frame(loader: object) -> pd.DataFrame:
    frame: pd.DataFrame = loader(as_frame=True).frame  # type: ignore[operator]
    return frame


def _penguins() -> pd.DataFrame:
    return pd.read_csv(EXAMPLES / "penguins.csv")


# ---- the planted cases of the issue ----------------------------------------------


def test_ninety_copied_rows_are_found_and_nothing_else(tmp_path: Path) -> None:
    train, test = _honest_split(_frame(load_breast_cancer))
    leaky, planted = _with_copies(train, test, 90)
    report = _check(train, leaky, tmp_path)
    assert not report.errors
    assert [f.code for f in report.findings] == ["SP001"]
    leak = report.findings[0]
    assert leak.severity is Severity.ERROR
    assert list(leak.rows) == planted.tolist()  # all 90, nothing else
    assert leak.flagged_rows == 90
    assert leak.evidence["rows_refer_to"] == "test"
    assert leak.evidence["same_label"] == 90
    # each example pairs a test row with the train row it repeats
    for test_pos, train_pos in leak.evidence["examples"]:
        assert leaky.iloc[test_pos].equals(train.iloc[train_pos])


def test_shifted_feature_is_named(tmp_path: Path) -> None:
    train, test = _honest_split(_frame(load_breast_cancer))
    shifted = test.copy()
    shifted["mean texture"] = shifted["mean texture"] + 3 * train["mean texture"].std()
    report = _check(train, shifted, tmp_path)
    drift = [f for f in report.findings if f.code == "SP004"]
    assert [f.columns for f in drift] == [("mean texture",)]
    assert drift[0].severity is Severity.WARNING
    assert drift[0].evidence["rank"] == 1
    assert drift[0].evidence["other_median"] > drift[0].evidence["train_median"]
    # nothing else rises above info: only the shifted feature is named
    assert {f.columns for f in _above_info(report)} == {("mean texture",)}


@pytest.mark.parametrize(
    "name",
    ["penguins", "penguins_raw", "breast_cancer", "wine", "digits"],
)
def test_honest_random_split_passes(name: str, tmp_path: Path) -> None:
    df = {
        "penguins": _penguins,
        "penguins_raw": lambda: pd.read_csv(EXAMPLES / "penguins-raw.csv"),
        "breast_cancer": lambda: _frame(load_breast_cancer),
        "wine": lambda: _frame(load_wine),
        "digits": lambda: _frame(load_digits),
    }[name]()
    target = {"penguins": "species", "penguins_raw": "Species"}.get(name, "target")
    train, test = _honest_split(df, seed=7)
    report = _check(train, test, tmp_path, target=target)
    assert not report.errors
    assert set(report.checks_run) == {c for c in REGISTRY if c.startswith("SP")}
    assert _above_info(report) == [], [f.message for f in report.findings]


@pytest.mark.slow
def test_honest_splits_stay_quiet_across_seeds(tmp_path: Path) -> None:
    """False-alarm rate: ten honest splits of two real datasets raise nothing above info."""
    for seed in range(10):
        for df, target in (
            (_penguins(), "species"),
            (pd.read_csv(EXAMPLES / "penguins-raw.csv"), "Species"),
            (_frame(load_breast_cancer), "target"),
        ):
            train, test = _honest_split(df, seed=seed)
            report = _check(train, test, tmp_path, target=target, select="SP001,SP002,SP003,SP004,SP005")
            assert _above_info(report) == [], (seed, [f.message for f in report.findings])


# ---- the other checks on planted problems ---------------------------------------------


def test_leak_matches_after_normalising_types(tmp_path: Path) -> None:
    """An int column read as floats (a gap in the test file) and numbers stored as text
    still match their training twins; the target is ignored, so a relabelled copy leaks too."""
    train, test = _honest_split(_penguins())
    leaky, planted = _with_copies(train, test, 12, seed=5)
    leaky.loc[0 if 0 not in planted else 1, "year"] = np.nan  # year becomes float64 in the test file
    leaky["body_mass_g"] = leaky["body_mass_g"].map(lambda v: "" if pd.isna(v) else f"{v:.1f}").astype(object)
    leaky.loc[planted[0], "species"] = "Gentoo" if leaky.loc[planted[0], "species"] != "Gentoo" else "Adelie"
    report = _check(train, leaky, tmp_path, target="species")
    leak = [f for f in report.findings if f.code == "SP001"]
    assert len(leak) == 1
    assert list(leak[0].rows) == planted.tolist()
    assert leak[0].evidence["same_label"] == 11


def test_iris_duplicate_across_an_honest_split_is_a_warning(tmp_path: Path) -> None:
    """Iris holds one duplicated flower; when the split puts one copy on each side it
    is a real (small) leak: listed, but a warning, not an error."""
    from sklearn.datasets import load_iris

    df = _frame(load_iris)
    train, test = _honest_split(df, seed=0, test_share=0.4)
    (leak,) = [f for f in _check(train, test, tmp_path).findings if f.code == "SP001"]
    assert leak.severity is Severity.WARNING and leak.flagged_rows == 1
    (test_pos, train_pos) = leak.evidence["examples"][0]
    assert test.iloc[test_pos].equals(train.iloc[train_pos])


def test_coarse_features_overlap_honestly(tmp_path: Path) -> None:
    """With a few discrete features, an honest split repeats rows across the files as
    often as within train: SP001 says so as info, never as an error."""
    coarse = _penguins()[["species", "island", "sex", "year"]]
    train, test = _honest_split(coarse)
    (leak,) = [f for f in _check(train, test, tmp_path, target="species").findings if f.code == "SP001"]
    assert leak.severity is Severity.INFO
    assert leak.evidence["share"] > 0.5 and leak.evidence["reference_repeat_share"] > 0.5


def test_near_duplicates_only_when_asked(tmp_path: Path) -> None:
    """Copies re-exported with a tiny numeric jitter escape exact matching; with
    near-tolerance they are found, all of them and nothing else."""
    train, test = _honest_split(_frame(load_breast_cancer))
    leaky, planted = _with_copies(train, test, 20, seed=4)
    features = [c for c in leaky.columns if c != "target"]
    jitter = np.random.default_rng(0).normal(size=(len(planted), len(features))) * 1e-4
    leaky.loc[planted, features] = leaky.loc[planted, features].to_numpy() * (1 + jitter)
    assert not [f for f in _check(train, leaky, tmp_path, select="SP001").findings]
    near = {"SP001": {"near-tolerance": 0.01}}
    (leak,) = _check(train, leaky, tmp_path, select="SP001", checks=near).findings
    assert list(leak.rows) == planted.tolist() and leak.evidence["near_duplicates"] == 20
    assert not _check(train, test, tmp_path, select="SP001", checks=near).findings


def test_a_row_counter_that_separates_the_files_is_an_identifier_not_a_feature(tmp_path: Path) -> None:
    """A row number follows the split perfectly; the semantics stage reads it as a row
    counter (DQ006), so it is never a feature and SP006 does not have to catch it."""
    df = _frame(load_breast_cancer).sample(frac=1.0, random_state=0).reset_index(drop=True)
    df.insert(0, "row_number", np.arange(len(df)))
    cut = int(len(df) * 0.75)
    report = _check(df.iloc[:cut], df.iloc[cut:].reset_index(drop=True), tmp_path, select="SP,DQ006")
    (key,) = [f for f in report.findings if f.code == "DQ006"]
    assert key.columns == ("row_number",) and "row counter" in key.message
    assert not [f for f in report.findings if f.code == "SP006"]
    assert not _above_info(report)
    # seeded: the same input gives the same report
    again = _check(df.iloc[:cut], df.iloc[cut:].reset_index(drop=True), tmp_path, select="SP,DQ006")
    assert json.dumps(again.to_dict()) == json.dumps(report.to_dict())


def test_split_by_date_names_the_date_column(tmp_path: Path) -> None:
    """penguins-raw split at a date: the (ISO text) date column separates the files."""
    df = pd.read_csv(EXAMPLES / "penguins-raw.csv").sort_values("Date Egg", kind="stable")
    cut = int(len(df) * 0.75)
    train_path = tmp_path / "train.csv"
    df.iloc[:cut].to_csv(train_path, index=False)
    report = _check(load_dataset(train_path).frame, df.iloc[cut:], tmp_path, target="Species")
    separable = [f for f in report.findings if f.code == "SP006"]
    assert [f.columns for f in separable] == [("Date Egg",)]
    (drift,) = [f for f in report.findings if f.code == "SP004" and f.columns == ("Date Egg",)]
    assert drift.evidence["train_median"] < drift.evidence["other_median"]  # ISO dates compare as text
    assert "median 2008-" in drift.message


def test_unseen_and_missing_classes(tmp_path: Path) -> None:
    df = _frame(load_digits)
    train, test = _honest_split(df)
    train = train[train["target"] != 9].reset_index(drop=True)  # 9 is never seen in training
    test = test[test["target"] != 3].reset_index(drop=True)  # 3 never appears in the test file
    report = _check(train, test, tmp_path)
    unseen = [f for f in report.findings if f.code == "SP002" and f.rows]
    assert len(unseen) == 1
    assert list(unseen[0].rows) == np.flatnonzero(test["target"].to_numpy() == 9).tolist()
    assert unseen[0].severity is Severity.ERROR
    missing = [f for f in report.findings if f.code == "SP002" and not f.rows]
    assert len(missing) == 1 and missing[0].evidence["missing_classes"] == [3]
    assert missing[0].severity is Severity.WARNING


def test_label_shift(tmp_path: Path) -> None:
    train, test = _honest_split(_frame(load_breast_cancer))
    benign = np.flatnonzero(test["target"].to_numpy() == 1)
    skewed = test.drop(index=benign[: int(len(benign) * 0.8)]).reset_index(drop=True)
    report = _check(train, skewed, tmp_path)
    shift = [f for f in report.findings if f.code == "SP005"]
    assert len(shift) == 1 and shift[0].severity is Severity.WARNING
    assert shift[0].evidence["other_shares"]["1"] < shift[0].evidence["train_shares"]["1"]


def test_unseen_categories_list_the_test_rows(tmp_path: Path) -> None:
    train, test = _honest_split(_penguins())
    planted = np.array([3, 10, 20, 40, 41])
    test.loc[planted, "island"] = "Atlantis"
    report = _check(train, test, tmp_path, target="species")
    found = [f for f in report.findings if f.code == "SP003"]
    assert [f.columns for f in found] == [("island",)]
    assert list(found[0].rows) == planted.tolist()
    assert found[0].evidence["values"] == {"Atlantis": 5}


def test_test_file_without_target_or_a_feature(tmp_path: Path) -> None:
    train, test = _honest_split(_frame(load_breast_cancer))
    leaky, planted = _with_copies(train, test, 30)
    unlabelled = leaky.drop(columns=["target", "worst area"])
    report = _check(train, unlabelled, tmp_path)
    assert not report.errors
    mismatch = {f.severity: f for f in report.findings if f.code == "SP007"}
    assert mismatch[Severity.ERROR].columns == ("worst area",)
    assert mismatch[Severity.INFO].columns == ("target",)
    assert not [f for f in report.findings if f.code in ("SP002", "SP005")]
    # the leak is still found on the features both files share
    leak = [f for f in report.findings if f.code == "SP001"]
    assert list(leak[0].rows) == planted.tolist() and "same_label" not in leak[0].evidence


def test_valid_file(tmp_path: Path) -> None:
    train, rest = _honest_split(_frame(load_breast_cancer), test_share=0.4)
    valid, test = _honest_split(rest, seed=3, test_share=0.5)
    test_leaky, planted = _with_copies(valid, test, 15)
    valid_path = tmp_path / "valid.csv"
    valid.to_csv(valid_path, index=False)
    report = _check(train, test_leaky, tmp_path, valid=str(valid_path))
    leak = [f for f in report.findings if f.code == "SP001"]
    assert len(leak) == 1
    assert leak[0].evidence["against"] == "valid" and leak[0].evidence["rows_refer_to"] == "test"
    assert list(leak[0].rows) == planted.tolist()
    with pytest.raises(PreflightError, match="valid needs test"):
        api.check(train, target="target", valid=str(valid_path))
    with pytest.raises(PreflightError, match="valid needs test"):
        from_mapping({"valid": "valid.csv"})
    assert from_mapping({"valid": "v.csv", "test": "t.csv"}).valid == "v.csv"


# ---- building blocks ---------------------------------------------------------------


def test_drop_leaked_rows_agrees_with_sp001(tmp_path: Path) -> None:
    train_df, test_df = _honest_split(_frame(load_wine), seed=2)
    leaky, planted = _with_copies(train_df, test_df, 20)
    path = tmp_path / "test.csv"
    leaky.to_csv(path, index=False)
    train = load_dataset(train_df, target="target")
    heldout = load_heldout(str(path), train).dataset
    before = heldout.frame.copy()
    result = drop_leaked_rows(train, heldout)
    assert result.positions.tolist() == planted.tolist()
    assert result.removed.index.tolist() == planted.tolist()
    assert len(result.kept) + len(result.removed) == len(leaky)
    assert list(result.kept.columns) == list(leaky.columns)
    # the kept rows are exactly the honest test rows (in file order), none of them in train
    pd.testing.assert_frame_equal(result.kept.astype(float), leaky.drop(index=planted).astype(float))
    assert len(result.kept) == len(test_df)
    for pos, train_pos in zip(result.positions, result.train_positions, strict=True):
        assert heldout.frame.iloc[pos].equals(train.frame.iloc[train_pos])
    pd.testing.assert_frame_equal(heldout.frame, before)  # the input is never modified
    report = api.check(train_df, target="target", test=str(path), select="SP001")
    assert list(report.findings[0].rows) == result.positions.tolist()


def test_overlap_confirms_hash_matches_and_treats_missing_as_equal() -> None:
    left = pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": ["x", None, "z"]})
    right = pd.DataFrame({"a": [np.nan, 3.0, 3.0, -0.0], "b": [None, "z", "y", "x"]})
    overlap = overlapping_rows(left, right)
    assert overlap.positions.tolist() == [0, 1]
    assert overlap.matches.tolist() == [1, 2]


def test_normalising_types_aligns_numbers_and_text() -> None:
    a = load_dataset(
        pd.DataFrame({"n": [1, 2, 3], "t": ["1", "2", "x"], "c": pd.Categorical(["u", "v", "u"])})
    )
    b = load_dataset(pd.DataFrame({"n": [1.0, None, 3.0], "t": [1, 2, 3], "c": ["u", "w", None]}))
    al = aligned_frames(a, b)
    assert al.numeric("n") and not al.numeric("t") and not al.numeric("c")
    assert al.other["t"].tolist() == ["1", "2", "3"]  # text vs numbers that do not all parse: text
    assert al.train["c"].tolist() == ["u", "v", "u"] and al.other["c"].tolist()[:2] == ["u", "w"]
    assert al.other["c"].isna().tolist() == [False, False, True]


def test_psi_noise_floor_holds_for_one_distribution() -> None:
    """Two samples of one distribution stay under the noise floor; a real shift clears it."""
    rng = np.random.default_rng(0)
    above = 0
    for _ in range(200):
        a, b = rng.normal(size=300), rng.normal(size=80)
        shift = population_stability(*binned_counts(a, b, max_bins=10, min_per_bin=20), noise_z=4.0)
        above += shift.psi > shift.noise_floor
    assert above == 0
    a, b = rng.normal(size=300), rng.normal(loc=1.0, size=80)
    shift = population_stability(*binned_counts(a, b, max_bins=10, min_per_bin=20), noise_z=4.0)
    assert shift.psi > max(shift.noise_floor, 0.25)


def test_rows_out_keeps_train_columns_and_adds_file() -> None:
    base = dict(name="x", category="split", cause=None, severity=Severity.ERROR, message="m")
    train_f = Finding(code="DQ003", rows=(1, 4), **base)  # type: ignore[arg-type]
    test_f = Finding(code="SP001", rows=(1, 2), evidence={"rows_refer_to": "test"}, **base)  # type: ignore[arg-type]
    from preflight.core.findings import DatasetInfo

    report = Report(DatasetInfo("p", 5, 2, None, None), (test_f, train_f), fail_on=None)
    table = flagged_rows(report)
    assert list(table.columns) == ["row", "codes", "columns", "file"]
    assert table[["file", "row", "codes"]].values.tolist() == [
        ["train", 1, "DQ003"],
        ["train", 4, "DQ003"],
        ["test", 1, "SP001"],
        ["test", 2, "SP001"],
    ]


# ---- the command line ---------------------------------------------------------------


def test_cli_reports_leaked_test_rows_and_writes_rows_out(tmp_path: Path) -> None:
    import jsonschema

    train, test = _honest_split(_frame(load_breast_cancer))
    leaky, planted = _with_copies(train, test, 90)
    train_path, test_path = tmp_path / "train.csv", tmp_path / "test.csv"
    train.to_csv(train_path, index=False)
    leaky.to_csv(test_path, index=False)
    out, rows_out = tmp_path / "report.json", tmp_path / "rows.csv"
    result = run_cli(
        "check", str(train_path), "--target", "target", "--test", str(test_path), "--select", "SP",
        "--format", "json", "--output", str(out), "--rows-out", str(rows_out), "--no-progress",
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "test rows" in result.stdout  # the text summary says whose rows these are
    report = json.loads(out.read_text())
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text())
    jsonschema.validate(report, schema)
    (leak,) = [f for f in report["findings"] if f["code"] == "SP001"]
    assert leak["rows"] == planted.tolist() and leak["row_count"] == 90
    assert leak["evidence"]["rows_refer_to"] == "test"
    assert report["skipped"] == []
    table = pd.read_csv(rows_out)
    assert table.loc[table["file"] == "test", "row"].tolist() == planted.tolist()
    assert (table["codes"] == "SP001").all()


def test_cli_bad_test_file_is_a_usage_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("a,b\n")
    result = run_cli("check", str(EXAMPLES / "penguins.csv"), "--target", "species", "--test", str(empty))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "test file" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_without_test_skips_the_split_checks(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = run_cli(
        "check", str(EXAMPLES / "penguins.csv"), "--target", "species", "--select", "SP",
        "--format", "json", "--output", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    skipped = json.loads(out.read_text())["skipped"]
    assert {s["code"] for s in skipped} == {c for c in REGISTRY if c.startswith("SP")}
    assert {s["reason"] for s in skipped} == {"needs --test"}


def test_fix_drops_leaked_test_rows_into_a_separate_file(tmp_path: Path) -> None:
    train, test = _honest_split(_frame(load_breast_cancer))
    leaky, planted = _with_copies(train, test, 90)
    train_path, test_path = tmp_path / "train.csv", tmp_path / "test.csv"
    train.to_csv(train_path, index=False)
    leaky.to_csv(test_path, index=False)
    before = (train_path.read_bytes(), test_path.read_bytes())
    out = tmp_path / "out" / "clean.csv"
    proc = run_cli("fix", str(train_path), "--target", "target", "-o", str(out), "--test", str(test_path))
    assert proc.returncode == 0, proc.stderr
    assert "90 of" in proc.stdout
    removed = pd.read_csv(out.with_name("clean.test.removed.csv"))
    assert removed["preflight_row"].tolist() == planted.tolist()  # exactly the 90 copies
    assert set(removed["preflight_reason"]) == {"SP001"}
    kept = pd.read_csv(out.with_name("clean.test.csv"))
    clean = pd.read_csv(out)
    assert len(kept) == len(leaky) - 90
    assert list(kept.columns) == list(clean.columns)  # the same preprocessing as train
    # Nothing of the held-out rows went into fitting: the training output is the same
    # with or without --test.
    alone = tmp_path / "alone" / "clean.csv"
    assert run_cli("fix", str(train_path), "--target", "target", "-o", str(alone)).returncode == 0
    pd.testing.assert_frame_equal(pd.read_csv(alone), clean)
    assert (train_path.read_bytes(), test_path.read_bytes()) == before
