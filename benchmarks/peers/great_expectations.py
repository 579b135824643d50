"""Great Expectations: a suite of expectations built from the columns, validated in one run.

    benchmarks/.venvs/great-expectations/bin/python benchmarks/peers/great_expectations.py FILE

Great Expectations checks what it is told to expect; it has no default analysis (GX 1.x
dropped the old profilers). So the suite is what a user would write for a training table,
built from the table's own columns by fixed rules (``suite``), and validated with an
ephemeral context on a pandas dataframe asset. Building the suite (its quantiles, its
value sets) is timed with the rest: the suite does not exist before the data is seen.
What it found: the failed expectations, as ``kind(column)`` (``_SHORT``).
"""

from __future__ import annotations

import _common

_common.hide_own_folder()

from typing import Any  # noqa: E402


def suite(frame: Any, target: str) -> list[Any]:
    """The expectations, by the kind of each column:

    - the table: its columns, in this order (1);
    - every column: no missing values (one each);
    - numbers (not booleans): values inside Tukey's far-out fences from the quartiles,
      [Q1 - 3 IQR, Q3 + 3 IQR] (one each);
    - dates: between the first and last date seen (one each);
    - strings, booleans and the target: values in the set seen (one each);
    - the rows: no row repeated in full (1).
    """
    import great_expectations.expectations as gxe
    import pandas as pd

    out: list[Any] = [gxe.ExpectTableColumnsToMatchOrderedList(column_list=list(frame.columns))]
    for name in frame.columns:
        col = frame[name]
        out.append(gxe.ExpectColumnValuesToNotBeNull(column=name))
        if (
            pd.api.types.is_bool_dtype(col)
            or name == target
            or not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_datetime64_any_dtype(col))
        ):
            values = sorted(col.dropna().unique().tolist(), key=str)
            out.append(gxe.ExpectColumnValuesToBeInSet(column=name, value_set=values))
        elif pd.api.types.is_datetime64_any_dtype(col):
            out.append(
                gxe.ExpectColumnValuesToBeBetween(column=name, min_value=col.min(), max_value=col.max())
            )
        else:
            q1, q3 = (float(v) for v in col.quantile([0.25, 0.75]))
            fence = 3.0 * (q3 - q1)
            out.append(
                gxe.ExpectColumnValuesToBeBetween(column=name, min_value=q1 - fence, max_value=q3 + fence)
            )
    out.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(frame.columns)))
    return out


# Short names for the table: the expectation types the suite uses.
_SHORT = {
    "expect_table_columns_to_match_ordered_list": "columns",
    "expect_column_values_to_not_be_null": "not_null",
    "expect_column_values_to_be_between": "between",
    "expect_column_values_to_be_in_set": "in_set",
    "expect_compound_columns_to_be_unique": "unique_rows",
}


def _name(result: Any) -> str:
    config = result.expectation_config
    kind = _SHORT.get(config.type, config.type)
    column = config.kwargs.get("column")
    return f"{kind}({column})" if column is not None else kind


def main() -> None:
    args = _common.parse_args(__doc__ or "")
    import great_expectations as gx

    frame, read_s = _common.read(args.path)
    context = gx.get_context(mode="ephemeral")
    asset = context.data_sources.add_pandas("bench").add_dataframe_asset("table")
    batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(
        batch_parameters={"dataframe": frame}
    )
    expectations = suite(frame, args.target)
    checked = gx.ExpectationSuite(name="auto", expectations=expectations)
    result = batch.validate(checked)
    failed = [_name(r) for r in result.results if not r.success]
    _common.emit(
        "Great Expectations",
        gx.__version__,
        "failed expectations",
        failed,
        read_s,
        expectations=len(expectations),
    )


if __name__ == "__main__":
    main()
