from __future__ import annotations

from pathlib import Path

import pytest

from preflight.core.config import Config, from_mapping, load_config
from preflight.core.errors import PreflightError


def test_kebab_keys_and_defaults() -> None:
    config = from_mapping(
        {"target": "y", "fail-on": "warning", "id-columns": ["id"], "per-column-ignores": {"a": ["DQ001"]}}
    )
    assert config.target == "y" and config.fail_on == "warning" and config.id_columns == ("id",)
    assert config.per_column_ignores == {"a": ("DQ001",)}
    assert Config().fail_on == "error" and Config().select == ("ALL",)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"taget": "y"}, "did you mean 'target'"),
        ({"fail_on": "error"}, "did you mean 'fail-on'"),
        ({"fail-on": "sometimes"}, "fail-on must be one of"),
        ({"select": 3}, "select must be a list"),
        ({"sample": 2}, "sample must be"),
    ],
)
def test_bad_config_is_a_clear_error(raw: dict[str, object], message: str) -> None:
    with pytest.raises(PreflightError, match=message):
        from_mapping(raw)


def test_nearest_pyproject_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.preflight]\ntarget = "outer"\n')
    inner = tmp_path / "pkg"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load_config(start=inner).target is None  # nearest pyproject has no table: defaults
    assert load_config(start=tmp_path).target == "outer"
    (tmp_path / "bad.toml").write_text("target = [")
    with pytest.raises(PreflightError, match="invalid TOML"):
        load_config(tmp_path / "bad.toml")


def test_target_for_a_file_is_the_first_matching_targets_glob_else_target() -> None:
    config = from_mapping({"target": "y", "targets": {"data/iris*": "variety", "*.parquet": "label"}})
    assert config.target_for("data/iris.csv") == "variety"
    assert config.target_for("data/iris/part-0.parquet") == "variety"  # the first match wins
    assert config.target_for(Path("deep/down/train.parquet")) == "label"  # ``*`` crosses ``/``
    assert config.target_for("/abs/path/data/other.csv") == "y"
    assert Config().target_for("data/iris.csv") is None
