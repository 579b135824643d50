"""The Python API: ``preflight.check(df_or_path, target=...) -> Report``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from preflight.core.baseline import accept, load_baseline
from preflight.core.config import Config, load_config
from preflight.core.findings import Report
from preflight.core.selection import parse_codes
from preflight.data.engines import load
from preflight.run import run


def check(
    data: str | os.PathLike[str] | pd.DataFrame,
    *,
    target: str | None = None,
    task: str | None = None,
    id_columns: Sequence[str] | None = None,
    select: str | Sequence[str] | None = None,
    ignore: str | Sequence[str] | None = None,
    extend_select: str | Sequence[str] | None = None,
    fail_on: str | None = None,
    config: Config | str | os.PathLike[str] | None = None,
    **options: Any,
) -> Report:
    """Run preflight on a DataFrame or a file and return the :class:`Report`.

    ``config`` is a :class:`Config`, a path to a TOML file, or None to use
    ``[tool.preflight]`` from the nearest pyproject.toml. Keyword arguments override
    it (``schema=``, ``seed=``, ``model_family=``, ``checks={"DQ001": {...}}``, ...).
    A file takes its target as the CLI gives it one (:meth:`Config.target_for`): the
    first ``targets`` glob matching its path wins, so a notebook checks a project's
    files with the labels the pre-commit hook uses. With ``baseline=`` (or ``baseline``
    in the config) the findings that baseline holds are marked accepted and fail nothing.
    The input is never modified.
    Raises :class:`PreflightError` on bad input.
    """
    base = config if isinstance(config, Config) else load_config(None if config is None else Path(config))
    cfg = base.replace(
        target=target,
        task=task,
        id_columns=tuple(id_columns) if id_columns is not None else None,
        select=parse_codes(select) or None,
        ignore=(*base.ignore, *parse_codes(ignore)) if ignore else None,
        extend_select=(*base.extend_select, *parse_codes(extend_select)) if extend_select else None,
        fail_on=fail_on,
        **options,
    )
    if not isinstance(data, pd.DataFrame):
        cfg = cfg.replace(target=cfg.target_for(data))
    # A bad baseline is bad input, found before the data is read.
    baseline = load_baseline(cfg.baseline) if cfg.baseline else None
    dataset = load(data, cfg, target=cfg.target)
    report = run(dataset, cfg)
    return report if baseline is None else accept(report, baseline)
