"""Steps -> runnable code: plain pandas + scikit-learn, no preflight import.

:func:`render_code` writes a ``drop_rows(df)`` function for the training file, a
``clean_cells`` function for cell fixes (the source of
:mod:`preflight.plan.clean`, copied), a ``ColumnTransformer`` and the
``preprocess`` pipeline. ``preflight fix`` runs exactly this code.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence

from preflight.data.dataset import Dataset
from preflight.data.numbers import to_number
from preflight.plan import clean
from preflight.plan.cells import cell_fixes
from preflight.plan.columns import column_plans, groups
from preflight.plan.emit import Imports, literal
from preflight.plan.steps import Step


def render_code(steps: Sequence[Step], dataset: Dataset) -> str:
    """Plain pandas + scikit-learn code that applies ``steps`` to ``dataset``'s features."""
    code = Imports()
    cells = cell_fixes(steps, code)
    spec = cells.spec
    columns = column_plans(steps, dataset, spec, code)
    entries = groups(columns, code)
    ct = code.use("sklearn.compose", "ColumnTransformer")
    pipe = code.use("sklearn.pipeline", "make_pipeline")

    body: list[str] = []
    body.append(f"TARGET = {literal(dataset.target)}")
    body.append("")
    body.append("")
    body.append("def drop_rows(df):")
    body.append('    """Training data only: drop the rows no model can learn from."""')
    body.extend(cells.rows or ["    # no rows to drop"])
    body.append("    return df.reset_index(drop=True)")
    body.append("")
    body.append("")
    if cells.keys:
        body.append(
            f"# keys: {literal(cells.keys)} identify rows: never features; `fix` keeps them as they are"
        )
    if spec["drop_columns"]:
        body.append(f"# dropped: {literal(spec['drop_columns'])} (the ColumnTransformer leaves them out)")
    fixes = {k: v for k, v in spec.items() if v and k != "drop_columns"}
    if fixes:
        body.append("# Cell fixes, for training and new data alike.")
        body.append(f"CLEAN = {literal(fixes)}")
        body.append("")
        body.append("")
        for helper in (to_number, clean.equals_any, clean.clean_cells):
            body.append(inspect.getsource(helper).rstrip())
            body.append("")
            body.append("")
    body.append(f"columns = {ct}(")
    body.append("    [")
    for name, transformer, cols, comment in entries:
        if comment:
            body.append(f"        # {comment}")
        body.append(f"        ({literal(name)}, {transformer}, {literal(cols)}),")
    body.append("    ],")
    body.append('    remainder="drop",')
    body.append("    verbose_feature_names_out=False,")
    body.append(")")
    body.append('columns.set_output(transform="pandas")')
    unused = [c for c, plan in columns.items() if plan.role == "unused"]
    if unused:
        body.append(f"# not used by the pipeline (no numeric or categorical meaning): {literal(unused)}")
    if fixes:
        ft = code.use("sklearn.preprocessing", "FunctionTransformer")
        body.append(f'preprocess = {pipe}({ft}(clean_cells, kw_args={{"spec": CLEAN}}), columns)')
    else:
        body.append(f"preprocess = {pipe}(columns)")
    if cells.target:
        body.append("")
        body.append("")
        body.extend(cells.target)
    if cells.notes:
        body.append("")
        body.extend(f"# {n}" for n in cells.notes)
    return (
        "\n".join([*_usage(dataset, bool(cells.target)), *code.header(typing=bool(fixes)), "", *body]) + "\n"
    )


def _usage(dataset: Dataset, target_transform: bool) -> list[str]:
    """The comment block on top. Comments, not a docstring: a path may hold quotes or backslashes."""
    source = f" for {literal(dataset.path)}" if dataset.path != "<dataframe>" else ""
    return [
        f"# Preprocessing suggested by preflight{source}. Usage:",
        "#",
        f"#     df = drop_rows({_reader(dataset)})  # the training data",
        "#     X, y = df.drop(columns=[TARGET]), df[TARGET]" if dataset.target else "#     X = df",
        "#     model = make_pipeline(preprocess, YourEstimator())"
        if not target_transform
        else "#     model = with_target_transform(YourRegressor())",
        "#     model.fit(X, y)" if dataset.target else "#     Xt = preprocess.fit_transform(X)",
        "",
    ]


def _reader(dataset: Dataset) -> str:
    """The pandas call that reads the dataset's file (as plain text for the usage comment)."""
    path = dataset.path
    if path == "<dataframe>" or any(ch in path for ch in "*?[\n\r"):
        return "df"
    quoted = literal(path)
    return {
        "csv": f"pd.read_csv({quoted})",
        "parquet": f"pd.read_parquet({quoted})",
        "jsonl": f"pd.read_json({quoted}, lines=True)",
        "feather": f"pd.read_feather({quoted})",
    }.get(dataset.source_format, "df")
