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


# A check's options are validated by the fields of its Options dataclass: their names,
# types and declared meanings (a share, a least count, else a non-negative number).
@pytest.mark.parametrize(
    ("code", "overrides", "message"),
    [
        ("DQ005", {"near-shar": 0.5}, "DQ005: unknown option 'near-shar'; did you mean 'near_share'?"),
        ("CP002", {"bogus": 1}, "CP002: unknown option 'bogus'"),
        ("DQ007", {"bogus": 1}, "DQ007: unknown option 'bogus'"),
        ("DQ005", {"near-share": "x"}, "DQ005: option 'near-share' must be float, got 'x'"),
        ("DQ005", {"near-share": True}, "DQ005: option 'near-share' must be float, got True"),
        ("DQ005", {"min-rows": 1.5}, "DQ005: option 'min-rows' must be int, got 1.5"),
        ("DQ001", {"drop-share": 1.5}, "DQ001: option 'drop-share' must be a share from 0 to 1, got 1.5"),
        ("CP004", {"alpha": -0.1}, "CP004: option 'alpha' must be a share from 0 to 1, got -0.1"),
        ("OL001", {"threshold": float("inf")}, "OL001: option 'threshold' must be a finite number, got inf"),
        ("SN001", {"ratio": float("nan")}, "SN001: option 'ratio' must be a finite number, got nan"),
        ("SN001", {"ratio": -1}, "SN001: option 'ratio' must be a non-negative number, got -1"),
        ("CP002", {"folds": 1}, "CP002: option 'folds' must be at least 2, got 1"),
        ("OL002", {"neighbors": 0}, "OL002: option 'neighbors' must be at least 1, got 0"),
        ("SP004", {"min-per-bin": 0}, "SP004: option 'min-per-bin' must be at least 1, got 0"),
    ],
)
def test_check_options_are_validated_by_their_dataclass(
    code: str, overrides: dict[str, object], message: str
) -> None:
    from preflight.checks import REGISTRY

    with pytest.raises(PreflightError) as raised:
        REGISTRY[code](overrides)
    assert str(raised.value) == message


def test_check_options_are_typed_and_frozen() -> None:
    import dataclasses

    from preflight.checks import REGISTRY

    check = REGISTRY["DQ005"]({"near-share": 1, "min_rows": 10})  # kebab or snake; an int is a float
    assert check.opts == REGISTRY["DQ005"].Options(near_share=1, min_rows=10)
    assert REGISTRY["DQ005"]().opts.near_share == 0.995
    with pytest.raises(dataclasses.FrozenInstanceError):
        check.opts.near_share = 0.5  # type: ignore[misc]


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
