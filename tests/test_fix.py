"""`preflight fix`: real subprocess runs on real and planted data."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from planted_penguins import MISSING_TARGET, N_DUPLICATES, planted_penguins
from sklearn.datasets import load_wine


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def wine_csv(tmp_path: Path) -> Path:
    path = tmp_path / "wine.csv"
    load_wine(as_frame=True).frame.to_csv(path, index=False)
    return path


def test_wine_fix_then_check_has_no_scale_finding(cli, wine_csv: Path, tmp_path: Path) -> None:
    before = cli("check", str(wine_csv), "--target", "target", "--format", "json")
    report = json.loads(before.stdout)
    sn001 = [f for f in report["findings"] if f["code"] == "SN001"]
    assert sn001 and {"proline", "magnesium"} == set(sn001[0]["evidence"]["dominant"])
    assert sn001[0]["evidence"]["ratio"] > 1000
    assert any(
        s["transformer"] == "sklearn.preprocessing.StandardScaler" for s in report["preprocessing"]["steps"]
    )

    original = digest(wine_csv)
    out = tmp_path / "out" / "wine_fixed.csv"
    done = cli("fix", str(wine_csv), "--target", "target", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "scale (StandardScaler)" in done.stdout
    assert digest(wine_csv) == original  # never touches PATH
    for name in (
        "wine_fixed.csv",
        "wine_fixed.removed.csv",
        "wine_fixed.pipeline.joblib",
        "wine_fixed.plan.py",
    ):
        assert (out.parent / name).is_file(), name
    assert not list(out.parent.glob(".*.tmp"))  # atomic writes leave no temporary files

    fixed = pd.read_csv(out)
    raw = pd.read_csv(wine_csv)
    assert list(fixed.columns) == list(raw.columns)
    assert fixed["target"].tolist() == raw["target"].tolist()
    np.testing.assert_allclose(fixed.drop(columns=["target"]).mean(), 0, atol=1e-9)

    after = cli("check", str(out), "--target", "target", "--format", "json")
    assert after.returncode == 0
    assert [f["code"] for f in json.loads(after.stdout)["findings"] if f["cause"] == 2] == []

    # The saved pipeline turns raw rows into the written features.
    pipeline = joblib.load(out.parent / "wine_fixed.pipeline.joblib")
    again = pipeline.transform(raw.drop(columns=["target"]))
    np.testing.assert_allclose(again.to_numpy(), fixed.drop(columns=["target"]).to_numpy(), rtol=1e-9)


def test_planted_fix_removes_rows_and_keeps_them(cli, tmp_path: Path) -> None:
    path = planted_penguins(tmp_path / "planted.csv")
    out = tmp_path / "clean.parquet"
    done = cli("fix", str(path), "--target", "species", "-o", str(out), "--drop-duplicates")
    assert done.returncode == 0, done.stderr
    assert "removed rows: 7 (DQ002: 3, DQ003: 4)" in done.stdout
    removed = pd.read_parquet(tmp_path / "clean.removed.parquet")
    n = 344 + N_DUPLICATES
    assert removed["preflight_row"].tolist() == [*MISSING_TARGET, *range(344, n)]
    assert removed["preflight_reason"].tolist() == ["DQ002"] * 3 + ["DQ003"] * N_DUPLICATES
    raw = pd.read_csv(path)
    assert removed["bill_length_mm"].tolist()[:3] == raw.loc[MISSING_TARGET, "bill_length_mm"].tolist()
    fixed = pd.read_parquet(out)
    assert len(fixed) == n - 7
    assert not fixed.isna().any().any()
    assert fixed["body_mass_g"].abs().max() < 5  # parsed from "3,750" and standardized
    after = json.loads(cli("check", str(out), "--target", "species", "--format", "json").stdout)
    assert [f["code"] for f in after["findings"] if f["severity"] != "info"] == []


def test_plan_code_written_by_fix_matches_its_output(cli, tmp_path: Path) -> None:
    path = planted_penguins(tmp_path / "planted.csv")
    out = tmp_path / "clean.csv"
    assert cli("fix", str(path), "--target", "species", "-o", str(out), "--drop-duplicates").returncode == 0
    namespace: dict[str, object] = {}
    exec((tmp_path / "clean.plan.py").read_text(), namespace)
    df = namespace["drop_rows"](pd.read_csv(path))  # type: ignore[operator]
    Xt = namespace["preprocess"].fit_transform(df.drop(columns=["species"]))  # type: ignore[attr-defined]
    fixed = pd.read_csv(out)
    assert list(fixed.columns) == [*Xt.columns, "species"]
    np.testing.assert_allclose(fixed.drop(columns=["species"]).to_numpy(), Xt.to_numpy(), atol=1e-9)


def test_the_written_plan_is_the_plan_fix_ran(cli, tmp_path: Path) -> None:
    """Without --drop-duplicates, fix keeps the repeats: its .plan.py and printed steps
    must not drop them either (the report's plan suggests it), and never relabel."""
    path = planted_penguins(tmp_path / "planted.csv")
    out = tmp_path / "clean.csv"
    done = cli("fix", str(path), "--target", "species", "-o", str(out))
    assert done.returncode == 0, done.stderr
    code = (tmp_path / "clean.plan.py").read_text()
    assert "drop_duplicates" not in code and "dropna(subset=[TARGET])" in code
    assert "rows that repeat an earlier row" not in done.stdout and "relabel" not in done.stdout
    namespace: dict[str, object] = {}
    exec(code, namespace)
    kept = namespace["drop_rows"](pd.read_csv(path))  # type: ignore[operator]
    assert len(kept) == len(pd.read_csv(out))
    suggested = json.loads(cli("check", str(path), "--target", "species", "--format", "json").stdout)
    assert "drop_duplicates" in suggested["preprocessing"]["code"]  # the report still suggests it


def test_drop_rows_by_code(cli, tmp_path: Path) -> None:
    path = planted_penguins(tmp_path / "planted.csv")
    out = tmp_path / "clean.csv"
    done = cli("fix", str(path), "--target", "species", "-o", str(out), "--drop-rows", "DQ004,DQ007")
    assert done.returncode == 0, done.stderr
    removed = pd.read_csv(tmp_path / "clean.removed.csv")
    reasons = dict(zip(removed["preflight_row"], removed["preflight_reason"], strict=True))
    assert reasons[10] == "DQ004" and reasons[40] == "DQ007" and reasons[5] == "DQ002"
    assert reasons[200] == "DQ004"


@pytest.mark.parametrize("same", ["same", "relative"])
def test_refuses_to_overwrite_the_input(cli, wine_csv: Path, same: str) -> None:
    original = digest(wine_csv)
    target = str(wine_csv) if same == "same" else str(wine_csv.parent / "." / wine_csv.name)
    done = cli("fix", str(wine_csv), "--target", "target", "-o", target)
    assert done.returncode == 2
    assert "overwrite the input" in done.stderr and "Traceback" not in done.stderr
    assert digest(wine_csv) == original


def test_bad_inputs_exit_2(cli, wine_csv: Path, tmp_path: Path) -> None:
    missing = cli("fix", str(tmp_path / "nope.csv"), "--target", "y", "-o", str(tmp_path / "o.csv"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    suffix = cli("fix", str(wine_csv), "--target", "target", "-o", str(tmp_path / "o.xlsx"))
    assert suffix.returncode == 2 and "unknown output format" in suffix.stderr
    column = cli("fix", str(wine_csv), "--target", "label", "-o", str(tmp_path / "o.csv"))
    assert column.returncode == 2 and "not found" in column.stderr
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl", ".feather"])
def test_output_format_follows_the_suffix_and_id_columns_stay(tmp_path: Path, suffix: str) -> None:
    from preflight.core.config import Config
    from preflight.plan.fix import fix

    frame = load_wine(as_frame=True).frame
    frame.insert(0, "wine_id", [f"w{i:03d}" for i in range(len(frame))])
    path = tmp_path / "wine.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / f"fixed{suffix}"
    fix(str(path), out, Config(target="target", id_columns=("wine_id",)))
    reader = {".parquet": pd.read_parquet, ".feather": pd.read_feather,
              ".jsonl": lambda p: pd.read_json(p, lines=True)}[suffix]  # fmt: skip
    fixed = reader(out)
    assert fixed["wine_id"].tolist() == frame["wine_id"].tolist()
    assert fixed.columns[0] == "wine_id" and fixed.columns[-1] == "target"
    assert (tmp_path / f"fixed.removed{suffix}").is_file()


def test_fix_without_target(tmp_path: Path) -> None:
    from preflight.core.config import Config
    from preflight.plan.fix import fix

    frame = load_wine(as_frame=True).data
    path = tmp_path / "features.parquet"
    frame.to_parquet(path)
    result = fix(str(path), tmp_path / "scaled.parquet", Config())
    fixed = pd.read_parquet(result.output)
    assert list(fixed.columns) == list(frame.columns)
    np.testing.assert_allclose(fixed.std(ddof=0), 1, atol=1e-9)


def test_a_crashing_check_writes_nothing(
    tmp_path: Path, wine_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from preflight.checks import REGISTRY
    from preflight.checks.base import Check
    from preflight.core.config import Config
    from preflight.plan.fix import ChecksCrashed, fix

    class Crashing(Check):
        """Crashes."""

        code = "SN001"
        name = "scale.crashing"
        category = "scale"
        cause = 2
        severity = REGISTRY["SN001"].severity

        def run(self, ctx):  # type: ignore[no-untyped-def]
            raise RuntimeError("boom")

    monkeypatch.setitem(REGISTRY, "SN001", Crashing)
    with pytest.raises(ChecksCrashed, match="SN001"):
        fix(str(wine_csv), tmp_path / "out.csv", Config(target="target"))
    assert not (tmp_path / "out.csv").exists()
