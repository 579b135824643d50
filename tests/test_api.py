"""The Python API, ``preflight.check``: what it reads from the project config."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import preflight

PYPROJECT = '[tool.preflight]\ntarget = "species"\ntargets = { "data/iris*" = "variety" }\n'


def _project(root: Path) -> None:
    """A project whose iris files name their label ``variety``, the rest ``species``."""
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "data").mkdir()
    rows = {"petal": [1.0, 1.2, 4.5, 4.7, 5.9, 6.1]}
    labels = ["setosa", "setosa", "versicolor", "versicolor", "virginica", "virginica"]
    pd.DataFrame({**rows, "variety": labels}).to_csv(root / "data" / "iris.csv", index=False)
    pd.DataFrame({**rows, "species": labels}).to_csv(root / "data" / "penguins.csv", index=False)


def test_check_takes_a_files_target_from_the_targets_globs_as_the_cli_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path)
    monkeypatch.chdir(tmp_path)  # the nearest pyproject.toml, paths relative to the project
    assert preflight.check("data/iris.csv", select="DQ").dataset.target == "variety"
    assert preflight.check(Path("data/penguins.csv"), select="DQ").dataset.target == "species"
    # As on the command line, a matching glob wins over an explicit target.
    assert preflight.check("data/iris.csv", target="species", select="DQ").dataset.target == "variety"
    # A glob may match the file name alone; a config given by path applies its globs too.
    (tmp_path / "pyproject.toml").write_text(PYPROJECT.replace("data/iris*", "iris*"))
    iris = tmp_path / "data" / "iris.csv"
    assert preflight.check(iris, config=tmp_path / "pyproject.toml", select="DQ").dataset.target == "variety"
    # A DataFrame has no path: it gets ``target``.
    frame = pd.read_csv(tmp_path / "data" / "penguins.csv")
    assert preflight.check(frame, select="DQ").dataset.target == "species"
