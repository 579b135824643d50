"""The files ``preflight fix`` writes beside ``OUT``, and how it writes each.

For ``OUT`` = ``dir/clean.csv``: ``clean.removed.csv``, ``clean.pipeline.joblib``,
``clean.plan.py``, with ``--test`` ``clean.test.csv`` and
``clean.test.removed.csv``, and last ``clean.manifest.json``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from preflight.core.errors import PreflightError
from preflight.data.inputs import SUFFIXES, Format


def _beside(output: Path, tail: str) -> Path:
    """``output``'s stem (the name without its suffix) + ``tail``, in its directory."""
    stem = output.name[: -len(output.suffix)] if output.suffix else output.name
    return output.with_name(stem + tail)


def side_files(output: Path) -> tuple[Path, Path, Path]:
    """The removed-rows file, the pipeline file and the code file beside ``output``."""
    return (
        _beside(output, f".removed{output.suffix}"),
        _beside(output, ".pipeline.joblib"),
        _beside(output, ".plan.py"),
    )


def test_files(output: Path) -> tuple[Path, Path]:
    """The preprocessed test file and its removed (leaked) rows, beside ``output``."""
    return _beside(output, f".test{output.suffix}"), _beside(output, f".test.removed{output.suffix}")


def manifest_file(output: Path) -> Path:
    """The manifest of the set of outputs, beside ``output``: written last."""
    return _beside(output, ".manifest.json")


def all_outputs(output: Path) -> list[Path]:
    """Every file a ``fix`` to ``output`` may write (the test files only with ``--test``)."""
    return [output, *side_files(output), *test_files(output), manifest_file(output)]


def output_format(path: str, out: Path) -> Format:
    """The format of ``out``: its suffix's, else (no suffix) the input's."""
    suffix = out.suffix.lower()
    if suffix:
        fmt = SUFFIXES.get(suffix)
        if fmt is None:
            known = ", ".join(sorted(SUFFIXES))
            raise PreflightError(f"{out}: unknown output format {suffix!r}; use one of {known}")
        return fmt
    fmt = SUFFIXES.get(Path(path).suffix.lower())
    if fmt is None:
        raise PreflightError(f"{out}: give the output a suffix (.csv, .parquet, ...)")
    return fmt


def frame_writer(destination: Path, frame: pd.DataFrame, fmt: Format) -> Callable[[Path], object]:
    """A function writing ``frame`` to a path in ``fmt`` (for :meth:`FileSet.stage`)."""
    if fmt == "parquet":
        return lambda tmp: frame.to_parquet(tmp, index=False)
    if fmt == "feather":
        return lambda tmp: frame.reset_index(drop=True).to_feather(tmp)
    if fmt == "jsonl":
        return lambda tmp: frame.to_json(tmp, orient="records", lines=True)
    sep = "\t" if destination.suffix.lower() == ".tsv" else ","
    return lambda tmp: frame.to_csv(tmp, index=False, sep=sep)


def pipeline_writer(pipeline: Any) -> Callable[[Path], object]:
    """A function saving the fitted ``pipeline`` with joblib."""

    def write(tmp: Path) -> None:
        import joblib  # type: ignore[import-untyped]

        joblib.dump(pipeline, tmp)

    return write
