"""Property-based tests: Hypothesis generates awkward mixed tables; every check and format survives.

Each generated table has 1-30 rows and 1-6 columns drawn from the column types real
files hold (floats with NaN/inf/values near the float limits, nullable ints, booleans,
unicode text with control characters, categoricals, timezone-aware timestamps, mixed
Python objects including raw bytes, all-null and constant columns), under arbitrary
unicode column names (duplicates included). For every table, with and without a
target:

- no check crashes (``report.errors`` is empty) and no exception escapes;
- every --format is well-formed (tests/well_formed.py; JSON valid against the schema);
- the DataFrame passed in is unchanged;
- a second run gives a byte-identical JSON report;
- written to parquet, the streamed report has the in-memory findings.

The cheap checks run on every example; the model-based checks on a smaller set of
larger tables (they cost about a second per table). ``derandomize=True`` makes the
examples the same on every CI run, so a failure is reproducible from the log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from well_formed import render_all

import preflight
from preflight.reporters import render

FLOAT_MAX = float(np.finfo(float).max)

floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.0, FLOAT_MAX, -FLOAT_MAX, 5e-324, 1e-300, 1e300, float("nan")]),
    st.floats(-1e3, 1e3),
)
texts = st.one_of(
    st.sampled_from(["a", "b", "NA", "?", "", " ", "3,750", "$12.50", "45%", "x\ny", "é", "🙂", "a|b"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6),
)
stamps = st.datetimes(
    min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1), timezones=st.just(dt.UTC)
)
objects = st.one_of(
    st.none(), st.integers(-(2**70), 2**70), floats, texts, st.binary(max_size=3), st.booleans()
)

KINDS = (
    "float",
    "int",
    "nullable_int",
    "bool",
    "text",
    "category",
    "datetime",
    "object",
    "all_null",
    "constant",
)


def _column(draw: st.DrawFn, kind: str, n: int) -> Any:
    if kind == "float":
        return np.array(draw(st.lists(floats, min_size=n, max_size=n)), dtype=float)
    if kind == "int":
        return np.array(draw(st.lists(st.integers(-(2**62), 2**62), min_size=n, max_size=n)), dtype=np.int64)
    if kind == "nullable_int":
        values = draw(st.lists(st.one_of(st.none(), st.integers(-1000, 1000)), min_size=n, max_size=n))
        return pd.array(values, dtype="Int64")
    if kind == "bool":
        return np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    if kind == "text":
        return pd.array(draw(st.lists(st.one_of(st.none(), texts), min_size=n, max_size=n)), dtype="str")
    if kind == "category":
        values = draw(
            st.lists(st.one_of(st.none(), st.sampled_from(["u", "v", "w"])), min_size=n, max_size=n)
        )
        return pd.Categorical(values)
    if kind == "datetime":
        values = draw(st.lists(st.one_of(st.none(), stamps), min_size=n, max_size=n))
        return pd.to_datetime(pd.Series(values, dtype=object), utc=True).to_numpy()
    if kind == "object":
        return pd.Series(draw(st.lists(objects, min_size=n, max_size=n)), dtype=object).to_numpy()
    if kind == "all_null":
        return np.full(n, np.nan)
    return np.full(n, draw(st.sampled_from([0.0, 7.0])))


names = st.one_of(
    st.sampled_from(["x", "x", "", "0", "名前", "<b>", "a|b", "line\nbreak"]), st.text(max_size=4)
)


@st.composite
def tables(draw: st.DrawFn, min_rows: int = 1, max_rows: int = 30) -> tuple[pd.DataFrame, str | None]:
    n = draw(st.integers(min_rows, max_rows))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=6))
    columns = {f"c{i}": _column(draw, kind, n) for i, kind in enumerate(kinds)}
    target_kind = draw(st.sampled_from(["none", "labels", "numbers", "column"]))
    target: str | None = None
    if target_kind == "labels":
        target = "target"
        columns[target] = np.array(draw(st.lists(st.sampled_from(["p", "q", "r"]), min_size=n, max_size=n)))
    elif target_kind == "numbers":
        target = "target"
        columns[target] = np.array(draw(st.lists(floats, min_size=n, max_size=n)), dtype=float)
    elif target_kind == "column":
        target = "c0"
    frame = pd.DataFrame(columns)
    # Arbitrary (possibly duplicated, empty, hostile) names, except the target's.
    labels = [name if name == target else draw(names) for name in frame.columns]
    frame.columns = labels
    return frame, target


def _check(frame: pd.DataFrame, target: str | None, *, models: bool) -> None:
    before = frame.copy(deep=True)
    report = preflight.check(frame, target=target, seed=0, models=models)
    assert report.errors == (), report.errors
    pd.testing.assert_frame_equal(frame, before)
    outputs = render_all(report)
    again = preflight.check(frame, target=target, seed=0, models=models)
    assert render(again, "json") == outputs["json"]


COMMON = {
    "deadline": None,
    "derandomize": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "database": None,
    # No shrinking: a failure prints the generated table as drawn, and a failing CI run
    # stays bounded in time instead of spending minutes minimising it.
    "phases": (Phase.explicit, Phase.generate),
}


@pytest.mark.slow
@settings(max_examples=40, **COMMON)
@given(tables())
def test_cheap_checks_survive_generated_tables(case: tuple[pd.DataFrame, str | None]) -> None:
    frame, target = case
    _check(frame, target, models=False)


@pytest.mark.slow
@settings(max_examples=8, **COMMON)
@given(tables(min_rows=12, max_rows=40))
def test_model_checks_survive_generated_tables(case: tuple[pd.DataFrame, str | None]) -> None:
    frame, target = case
    _check(frame, target, models=True)


@pytest.mark.slow
@settings(max_examples=60, **COMMON)
@given(tables(min_rows=1, max_rows=40))
def test_streaming_gives_the_in_memory_findings(case: tuple[pd.DataFrame, str | None]) -> None:
    """Written to parquet and streamed, a generated table gets the in-memory findings
    (the sample holds every row here, so the scan's own paths are what is compared)."""
    import tempfile
    from pathlib import Path

    import pyarrow as pa
    import pyarrow.parquet as pq
    from hypothesis import assume

    frame, target = case
    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError):
        assume(False)  # parquet cannot hold this table (mixed-type objects, say)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.parquet"
        pq.write_table(table, path, row_group_size=7)  # several row groups
        before = path.read_bytes()
        memory = preflight.check(path, target=target, seed=0, mode="memory", models=False)
        streamed = preflight.check(path, target=target, seed=0, mode="stream", models=False)
        assert path.read_bytes() == before
    assert streamed.errors == (), streamed.errors

    def key(report: preflight.Report) -> list[tuple[object, ...]]:
        return [(f.code, f.severity, f.columns, f.rows, f.message) for f in report.findings]

    assert key(streamed) == key(memory)
    render_all(streamed)
