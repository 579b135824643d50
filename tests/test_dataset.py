"""Reading every supported format once, and assigning roles."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from preflight.core.errors import PreflightError
from preflight.data.dataset import load_dataset
from preflight.data.roles import infer_task
from tests.conftest import EXAMPLES

FRAME = pd.DataFrame({"a": [1.5, 2.5, None], "b": ["x", "y", "z"], "label": [0, 1, 0]})


@pytest.mark.parametrize("suffix", [".parquet", ".feather", ".jsonl", ".csv"])
def test_formats_read_the_same_table(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"d{suffix}"
    if suffix == ".parquet":
        FRAME.to_parquet(path)
    elif suffix == ".feather":
        FRAME.to_feather(path)
    elif suffix == ".jsonl":
        FRAME.to_json(path, orient="records", lines=True)
    else:
        FRAME.to_csv(path, index=False)
    ds = load_dataset(path, target="label")
    assert list(ds.frame.columns) == ["a", "b", "label"]
    assert ds.frame["b"].tolist() == ["x", "y", "z"]
    assert ds.frame["a"].isna().tolist() == [False, False, True]
    assert ds.task == "classification" and ds.features == ("a", "b")


def test_directory_and_glob_of_parquet_parts(tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    FRAME.iloc[:2].to_parquet(parts / "part-0.parquet")
    FRAME.iloc[2:].to_parquet(parts / "part-1.parquet")
    for spec in (parts, str(parts / "*.parquet")):
        ds = load_dataset(spec)
        assert ds.n_rows == 3 and ds.frame["b"].tolist() == ["x", "y", "z"]  # sorted part order


def test_csv_dialects_and_encodings(tmp_path: Path) -> None:
    semicolon = tmp_path / "s.csv"
    semicolon.write_text("a;b\n1,5;x\n2,5;y\n")
    assert list(load_dataset(semicolon).frame.columns) == ["a", "b"]
    latin = tmp_path / "l.csv"
    latin.write_bytes("name,v\nJosé,1\nZoë,2\n".encode("cp1252"))
    assert load_dataset(latin).frame["name"].tolist() == ["José", "Zoë"]
    bom = tmp_path / "b.csv"
    bom.write_bytes(b"\xef\xbb\xbfa,b\n1,2\n")
    assert list(load_dataset(bom).frame.columns) == ["a", "b"]


def test_duplicate_header_names_are_kept_apart(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("a,a,a\n1,2,3\n")
    ds = load_dataset(path)
    assert list(ds.frame.columns) == ["a", "a.1", "a.2"]
    assert ds.renamed_columns == {"a.1": "a", "a.2": "a"}


def test_task_inference() -> None:
    assert infer_task(pd.Series(["a", "b"])) == "classification"
    assert infer_task(pd.Series([0, 1, 2, 1])) == "classification"
    assert infer_task(pd.Series([True, False])) == "classification"
    assert infer_task(pd.Series([0.5, 1.7, 2.2])) == "regression"
    assert infer_task(pd.Series(range(100))) == "regression"
    assert infer_task(pd.Series([0, 1]), "regression") == "regression"
    with pytest.raises(PreflightError):
        infer_task(pd.Series([0, 1]), "clustering")


def test_unknown_id_column_and_target() -> None:
    with pytest.raises(PreflightError, match="did you mean 'species'"):
        load_dataset(EXAMPLES / "penguins.csv", target="Species")
    with pytest.raises(PreflightError, match="id column 'ident' not found"):
        load_dataset(EXAMPLES / "penguins.csv", id_columns=["ident"])
