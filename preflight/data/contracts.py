"""pandera contracts: infer one from data, load one safely, validate lazily.

Three stages, as in pandera itself: statistics of a :class:`~preflight.data.dataset.Dataset`
-> a ``pandera.pandas.DataFrameSchema`` -> YAML; and back: YAML -> schema -> a tidy
list of :class:`Violation` objects (one per column and check) that SC003 turns into
findings.

Loading never executes anything from the file: the text is parsed with
``yaml.safe_load`` (plain mappings, lists, strings and numbers only), every key is
checked against the keys pandera's pandas API documents, and checks may only name
pandera's built-in checks (``in_range``, ``isin``, ...), so a contract cannot reach
any other attribute of ``pandera.Check`` or a custom registered check. Nothing is
pickled or evaluated. Any problem with the file is a :class:`PreflightError`.

pandera is imported inside the functions that need it (about 0.6 s of start-up on
this project's machines), so ``preflight rules`` and runs without ``--schema`` never
import it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from preflight.core.errors import PreflightError, did_you_mean
from preflight.core.escape import UNSAFE, safe
from preflight.data.dataset import Dataset
from preflight.data.profile import ColumnProfile, Profile

# Defaults of the inference, documented in docs/schema.md and `infer-schema --help`.
MAX_CATEGORIES = 20
MAX_UNIQUE_SHARE = 0.5
RANGE_MARGIN = 0.1

# pandera's built-in checks that apply to pandas columns. A contract may name only
# these: pandera resolves a check name with getattr() on its Check class, which
# would otherwise reach any callable attribute of that class.
BUILTIN_CHECKS: frozenset[str] = frozenset(
    ["equal_to", "eq", "not_equal_to", "ne", "greater_than", "gt", "greater_than_or_equal_to", "ge",
     "less_than", "lt", "less_than_or_equal_to", "le", "in_range", "between", "isin", "notin",
     "str_matches", "str_contains", "str_startswith", "str_endswith", "str_length", "unique_values_eq"]
)  # fmt: skip
# Options a serialized check may carry besides its statistics (pandera's own list).
_CHECK_OPTIONS = frozenset(
    ["check_name", "ignore_na", "raise_warning", "n_failure_cases", "groupby", "groups", "error", "name"]
)
_SCHEMA_KEYS = frozenset(
    ["schema_type", "version", "api", "dataframe_library", "columns", "checks", "index", "multiindex",
     "dtype", "coerce", "strict", "name", "ordered", "unique", "report_duplicates", "unique_column_names",
     "add_missing_columns", "title", "description", "metadata", "drop_invalid_rows"]
)  # fmt: skip
_COMPONENT_KEYS = frozenset(
    ["title", "description", "dtype", "nullable", "checks", "name", "unique", "coerce", "required",
     "regex", "default", "report_duplicates", "drop_invalid_rows"]
)  # fmt: skip


@dataclass(frozen=True)
class Violation:
    """All failures of one check on one column (or of one dataframe-level check).

    ``rows`` are 0-based row positions (empty for column-level failures such as a
    missing column or a wrong dtype); ``examples`` are a few failing values, in row
    order, without repeats.
    """

    kind: str  # nullable, isin, range, dtype, missing-column, extra-column, unique, check
    check: str  # pandera's name of the failing check, e.g. "isin(['Biscoe', 'Dream'])"
    column: str | None
    rows: tuple[int, ...] = ()
    count: int = 0
    examples: tuple[Any, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)


# ---- inference -----------------------------------------------------------------


def infer_contract(
    dataset: Dataset,
    *,
    max_categories: int = MAX_CATEGORIES,
    max_unique_share: float = MAX_UNIQUE_SHARE,
    range_margin: float = RANGE_MARGIN,
) -> Any:
    """A strict ``DataFrameSchema`` describing ``dataset`` (target and id columns included).

    Per column: the dtype (numbers, booleans, dates and text are coerced on
    validation, so ``3`` and ``3.0`` or a parquet categorical and CSV text match);
    ``nullable`` only if the data has nulls; for numeric columns the observed
    ``in_range``, widened on each side by ``range_margin`` times the observed range
    (never across zero, rounded outward); for text columns with at most
    ``max_categories`` distinct values, which also make up at most
    ``max_unique_share`` of the non-null cells, an ``isin`` of the observed values;
    for a classification target, an ``isin`` of its classes; ``unique`` (and no
    value checks) for id columns. The contract is ``strict``: extra columns fail.
    """
    import pandera.pandas as pa

    if max_categories < 0 or not 0.0 <= max_unique_share <= 1.0 or range_margin < 0:
        raise PreflightError("max-categories and range-margin must be >= 0, max-unique-share in [0, 1]")
    profile = Profile(dataset)
    columns: dict[str, Any] = {}
    for name in dataset.frame.columns:
        col = profile[name]
        is_target = name == dataset.target
        classes = is_target and dataset.task == "classification"
        dtype, coerce = _contract_dtype(col)
        checks: list[Any] = []
        # An id column is only unique: the next batch's ids lie outside today's range.
        if name not in dataset.id_columns:
            categories = _categories(col, max_categories, max_unique_share, force=classes)
            if categories is not None:
                checks.append(pa.Check.isin(categories))
            elif col.kind == "numeric":
                checks.extend(_range_checks(pa, col, range_margin))
        columns[name] = pa.Column(
            dtype,
            checks=checks or None,
            nullable=col.n_missing > 0,
            unique=name in dataset.id_columns,
            coerce=coerce,
        )
    return pa.DataFrameSchema(columns, strict=True)


def _contract_dtype(col: ColumnProfile) -> tuple[str | None, bool]:
    """The dtype to write for a column, and whether to coerce to it on validation."""
    s = col.series
    if isinstance(s.dtype, pd.CategoricalDtype):
        inner = s.dtype.categories.dtype
        if pd.api.types.is_numeric_dtype(inner) and not pd.api.types.is_bool_dtype(inner):
            return ("Int64" if pd.api.types.is_integer_dtype(inner) else "float64"), True
        return "str", True
    if col.kind == "numeric":
        # The nullable Int64 keeps a whole-number column an integer column in a file
        # where a null turns it into floats (CSV and parquet readers do that).
        return ("Int64" if pd.api.types.is_integer_dtype(s.dtype) else "float64"), True
    if col.kind == "boolean":
        return "boolean", True
    if col.kind == "datetime" and pd.api.types.is_datetime64_any_dtype(s.dtype):
        return str(s.dtype), True
    if col.kind in ("string", "categorical"):
        return "str", True
    return None, False  # mixed or unusual cells: the contract only asks for the column


def _categories(
    col: ColumnProfile, max_categories: int, max_unique_share: float, *, force: bool
) -> list[Any] | None:
    """Sorted allowed values for a low-cardinality text column (or a class target)."""
    if col.n_present == 0:
        return None
    text = col.kind in ("string", "categorical")
    if not (force or text):
        return None
    if not force and (col.n_unique > max_categories or col.n_unique > max_unique_share * col.n_present):
        return None
    values = [_plain(v) for v in col.value_counts.index]
    try:
        return sorted(values)
    except TypeError:  # values of several types: keep a stable order anyway
        return sorted(values, key=repr)


def _range_checks(pa: Any, col: ColumnProfile, margin: float) -> list[Any]:
    finite = col.finite
    if finite.size == 0:
        return []
    low, high = float(finite.min()), float(finite.max())
    integral = pd.api.types.is_integer_dtype(col.series.dtype)
    lower: float | None = _widen(low, high, margin, down=True, integral=integral)
    upper: float | None = _widen(low, high, margin, down=False, integral=integral)
    values = col.values
    # A column that holds infinities keeps them legal: bounding it would make the
    # contract fail the very data it was inferred from (DQ flags the infinities).
    if np.isneginf(values).any():
        lower = None
    if np.isposinf(values).any():
        upper = None
    if lower is not None and upper is not None:
        return [pa.Check.in_range(lower, upper)]
    if lower is not None:
        return [pa.Check.greater_than_or_equal_to(lower)]
    if upper is not None:
        return [pa.Check.less_than_or_equal_to(upper)]
    return []


def _widen(low: float, high: float, margin: float, *, down: bool, integral: bool) -> float:
    """Move one bound out by ``margin`` x range, rounded outward to a readable step.

    A bound never crosses zero: a column observed non-negative stays non-negative
    (a negative mass or count is a real error, not drift).
    """
    value = low if down else high
    # Scaled before subtracting: (high - low) overflows to inf for +-1e308.
    pad = high * margin - low * margin
    if not math.isfinite(pad) or not math.isfinite(value + pad) or not math.isfinite(value - pad):
        # No room to widen within floats: the bound is the largest float on that side.
        pad = 0.0
        value = -_FLOAT_MAX if down else _FLOAT_MAX
    if pad > 0:
        step = 10.0 ** math.floor(math.log10(pad))
        moved = value - pad if down else value + pad
        moved = math.floor(moved / step) * step if down else math.ceil(moved / step) * step
        if step < 1:
            moved = round(moved, -math.floor(math.log10(step)))
        if down and low >= 0 > moved:
            moved = 0.0
        if not down and high <= 0 < moved:
            moved = 0.0
        value = moved
    if integral:
        value = float(math.floor(value) if down else math.ceil(value))
        # An int64 column's bound stays an int64 (pandera compares in the column's dtype).
        if value >= 2.0**63:
            return _INT64_MAX
        if value <= -(2.0**63):
            return _INT64_MIN
        return int(value)
    return value


_FLOAT_MAX = float(np.finfo(np.float64).max)
_INT64_MIN, _INT64_MAX = int(np.iinfo(np.int64).min), int(np.iinfo(np.int64).max)


def _plain(value: Any) -> Any:
    """numpy scalars -> Python scalars, so YAML's safe dumper can write them."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def contract_to_yaml(schema: Any, *, source: str | None = None) -> str:
    """The contract as YAML, with a header saying where it came from."""
    from preflight.core.version import __version__

    body: str = _quote_unsafe_strings(schema.to_yaml())
    origin = f" from {safe(source)}" if source else ""
    header = (
        f"# pandera contract inferred by preflight {__version__}{origin}.\n"
        "# Edit freely: widen ranges, add allowed values, set nullable, drop columns.\n"
        "# Validate with: preflight check DATA --schema THIS_FILE\n"
    )
    return header + body


def _quote_unsafe_strings(body: str) -> str:
    """pandera's YAML with every string that holds a control or bidi character (a column
    name with a newline, say) written double-quoted, so the character is an escape
    (``"\\n"``) rather than a line break that could start a CI workflow command."""
    import yaml

    data = yaml.safe_load(body)
    if not _holds_unsafe(data):
        return body  # the usual case: pandera's own text, unchanged

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = '"' if UNSAFE.search(value) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    dumped: str = yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=False)
    return dumped


def _holds_unsafe(value: Any) -> bool:
    if isinstance(value, str):
        return UNSAFE.search(value) is not None
    if isinstance(value, dict):
        return any(_holds_unsafe(k) or _holds_unsafe(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_unsafe(v) for v in value)
    return False


# ---- loading -------------------------------------------------------------------


def load_contract(path: str | Path) -> Any:
    """Read a pandera YAML contract safely. Every problem is one-line PreflightError."""
    import yaml

    file = Path(path)
    label = str(path)
    if not file.exists():
        raise PreflightError(f"schema file {label!r} not found")
    if not file.is_file():
        raise PreflightError(f"schema file {label!r} is not a file")
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PreflightError(f"{label}: schema file is not UTF-8 text") from None
    except OSError as exc:
        raise PreflightError(f"{label}: cannot read schema file: {exc.strerror or exc}") from None
    try:
        raw = yaml.load(text, Loader=_loader_without_aliases())
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" (line {where.line + 1})" if where is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise PreflightError(f"{label}: invalid YAML{at}: {problem}") from None
    return contract_from_mapping(raw, label)


def _loader_without_aliases() -> type:
    """yaml's SafeLoader, refusing anchors and aliases.

    An alias is a reference: nine of them nested nine deep (the "billion laughs")
    make a 300-byte file that expands to 10^9 strings when anything walks it. A
    contract never needs them, so composing one is an error, before any expansion.
    Nesting is bounded too (a deeply nested file would exhaust the stack).
    """
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.composer.ComposerError(
                    None, None, "aliases (*name) are not allowed in a contract", event.start_mark
                )
            event = self.peek_event()  # type: ignore[no-untyped-call]
            if getattr(event, "anchor", None) is not None:
                raise yaml.composer.ComposerError(
                    None, None, "anchors (&name) are not allowed in a contract", event.start_mark
                )
            self.depth += 1
            if self.depth > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_YAML_DEPTH} levels deep", event.start_mark
                )
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    return NoAliasLoader


# A pandera contract nests about six levels (columns > name > checks > check > options).
MAX_YAML_DEPTH = 50


def contract_from_mapping(raw: Any, label: str = "schema") -> Any:
    """A ``DataFrameSchema`` from an already parsed mapping, after checking its keys."""
    from pandera.io import pandas_io

    _check_serialized(raw, label)
    deserialize: Any = pandas_io.deserialize_schema  # untyped in pandera
    try:
        return deserialize(raw)
    except Exception as exc:
        # Whatever pandera raises while building from this file is a fault of the file:
        # SchemaInitError, bad check arguments (TypeError), an unknown dtype name
        # (TypeError/ValueError), a list where a mapping belongs (AttributeError).
        raise PreflightError(f"{label}: not a valid pandera schema: {_one_line(exc)}") from None


def _check_serialized(raw: Any, label: str) -> None:
    if not isinstance(raw, dict):
        raise PreflightError(f"{label}: not a pandera schema (expected a mapping with 'columns')")
    if raw.get("schema_type", "dataframe") != "dataframe":
        raise PreflightError(f"{label}: schema_type must be 'dataframe', not {raw.get('schema_type')!r}")
    _known_keys(raw, _SCHEMA_KEYS, label, "the schema")
    if "columns" not in raw:
        raise PreflightError(f"{label}: not a pandera schema (no 'columns' key)")
    columns = raw["columns"]
    if columns is None:
        columns = {}
    if isinstance(columns, list):
        items = [(str(c.get("name")) if isinstance(c, dict) else "?", c) for c in columns]
    elif isinstance(columns, dict):
        items = [(str(k), v) for k, v in columns.items()]
    else:
        raise PreflightError(f"{label}: 'columns' must be a mapping of column name to its rules")
    for name, spec in items:
        if spec is None:
            continue
        if not isinstance(spec, dict):
            raise PreflightError(f"{label}: column {name!r} must be a mapping of rules")
        allowed = _COMPONENT_KEYS | BUILTIN_CHECKS
        _known_keys(spec, allowed, label, f"column {name!r}")
        _check_check_list(spec.get("checks"), label, f"column {name!r}")
    index = raw.get("index")
    if index is not None and not isinstance(index, list):
        raise PreflightError(f"{label}: 'index' must be a list of index components")
    for entry in index or []:
        if isinstance(entry, dict):
            _known_keys(entry, _COMPONENT_KEYS | BUILTIN_CHECKS, label, "the index")
            _check_check_list(entry.get("checks"), label, "the index")
    _check_check_list(raw.get("checks"), label, "the schema")


def _check_check_list(checks: Any, label: str, where: str) -> None:
    if checks is None:
        return
    if isinstance(checks, dict):  # legacy form: {check_name: statistics}
        entries = [(str(name), stats) for name, stats in checks.items()]
    elif isinstance(checks, list):
        entries = []
        for item in checks:
            options = item.get("options") if isinstance(item, dict) else None
            if not isinstance(options, dict) or "check_name" not in options:
                raise PreflightError(f"{label}: each check of {where} needs options.check_name")
            entries.append((str(options["check_name"]), item))
    else:
        raise PreflightError(f"{label}: 'checks' of {where} must be a list or a mapping")
    for name, stats in entries:
        if name not in BUILTIN_CHECKS:
            raise PreflightError(
                f"{label}: {where} names {name!r}, which is not a pandera built-in check"
                + did_you_mean(name, sorted(BUILTIN_CHECKS))
            )
        options = stats.get("options") if isinstance(stats, dict) else None
        if isinstance(options, dict):
            _known_keys(options, _CHECK_OPTIONS, label, f"check {name!r} of {where}")


def _known_keys(mapping: Mapping[Any, Any], allowed: Iterable[str], label: str, where: str) -> None:
    pool = sorted(allowed)
    for key in mapping:
        if not isinstance(key, str) or key not in pool:
            raise PreflightError(f"{label}: unknown key {key!r} in {where}" + did_you_mean(str(key), pool))


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


# ---- validation ----------------------------------------------------------------


def validate_contract(frame: pd.DataFrame, schema: Any) -> list[Violation]:
    """Validate ``frame`` lazily against ``schema``; every failure, grouped per column and check.

    ``frame`` is never modified (pandera validates a copy when it coerces). Rows are
    0-based positions: ``frame`` must have a RangeIndex, as every Dataset frame does.
    """
    import pandera.errors

    try:
        with warnings.catch_warnings():
            # pandas casting warnings from coercion: the failures are reported as findings.
            warnings.simplefilter("ignore")
            schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        found = [_locate(v, frame) for v in violations_from_failure_cases(exc.failure_cases, schema)]
    except pandera.errors.SchemaDefinitionError as exc:
        raise PreflightError(f"schema cannot be applied to this data: {_one_line(exc)}") from None
    else:
        return []
    for v in [v for v in found if v.kind == "dtype"]:
        found.extend(_value_checks_on_numbers(frame, schema, v.column))
    found.sort(key=lambda v: (v.column or "", v.kind, v.check))
    return found


def _value_checks_on_numbers(frame: pd.DataFrame, schema: Any, column: str | None) -> list[Violation]:
    """The value checks of a numeric column that holds some text, run on its numbers.

    When a cell such as ``"heavy"`` stops a column from converting, pandera cannot run
    the column's range checks at all; a negative mass beside it would go unreported
    until the text is fixed. Here the text cells count as missing (they are reported
    already) and the column's own checks run on the numbers that remain.
    """
    import pandera.errors
    import pandera.pandas as pa

    spec = schema.columns.get(column) if column is not None else None
    if spec is None or not spec.checks or column not in frame.columns:
        return []
    series = frame[column]
    expected = str(spec.dtype or "").lower()
    if not expected.startswith(("int", "uint", "float")) or pd.api.types.is_numeric_dtype(series.dtype):
        return []
    numbers = pd.to_numeric(series, errors="coerce")
    sub = pa.DataFrameSchema({column: pa.Column(None, checks=spec.checks, nullable=True)})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sub.validate(pd.DataFrame({column: numbers}), lazy=True)
    except pandera.errors.SchemaErrors as exc:
        return [v for v in violations_from_failure_cases(exc.failure_cases, sub) if v.rows]
    except pandera.errors.SchemaDefinitionError:
        return []
    return []


def _locate(v: Violation, frame: pd.DataFrame) -> Violation:
    """The rows of an integer column that fail because some cells are not whole numbers.

    pandera reports a float -> integer coercion that fails on fractions for the column
    only (it does name the infinite cells); the rows a user must fix are all the cells
    holding non-whole numbers.
    """
    expected = str(v.details.get("expected") or "")
    if v.kind != "dtype" or v.column not in frame.columns or "int" not in expected.lower():
        return v
    series = frame[v.column]
    if not pd.api.types.is_float_dtype(series.dtype):
        return v
    values = series.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(values) & ~(np.isfinite(values) & (values == np.round(values)))
    rows = tuple(sorted(set(v.rows) | {int(i) for i in np.flatnonzero(bad)}))
    if rows == v.rows:
        return v
    examples = tuple(dict.fromkeys(float(x) for x in values[list(rows)]))[:5]
    details = {k: val for k, val in v.details.items() if k != "actual"}
    return Violation(v.kind, v.check, v.column, rows, len(rows), examples, details)


def violations_from_failure_cases(cases: pd.DataFrame, schema: Any) -> list[Violation]:
    """pandera's failure-case table -> one :class:`Violation` per (column, check kind)."""
    groups: dict[tuple[str, str | None], list[tuple[str, Any, Any]]] = {}
    for check, column, failure, index in zip(
        cases["check"].astype(str), cases["column"], cases["failure_case"], cases["index"], strict=True
    ):
        kind = _kind(check)
        if kind in ("missing-column", "extra-column"):
            column = failure  # pandera names the column in the failure case
        col = None if _is_missing(column) else str(column)
        # A failed dtype check and the failed coercion to that dtype are one problem.
        groups.setdefault(("dtype" if kind == "dtype" else check, col), []).append((check, failure, index))
    wrong_type = {col for (name, col) in groups if name == "dtype"}
    out: list[Violation] = []
    for (name, col), items in groups.items():
        rows = sorted({int(i) for _, _, i in items if not _is_missing(i)})
        kind = _kind(name) if name != "dtype" else "dtype"
        if not rows and col in wrong_type and kind not in ("dtype", "missing-column", "extra-column"):
            continue  # a value check that could not run because the column has the wrong type
        examples = _examples(items, rows)
        details: dict[str, Any] = {}
        if kind == "dtype":
            expected = _expected_dtype(schema, col)
            details["expected"] = expected
            if not rows:
                details["actual"] = str(items[0][1])
            check = f"dtype({expected!r})"
        else:
            check = name
        count = len(rows) if rows else len(items)
        out.append(Violation(kind, check, col, tuple(rows), count, tuple(examples), details))
    out.sort(key=lambda v: (v.column or "", v.kind, v.check))
    return out


def _kind(check: str) -> str:
    if check.startswith(("dtype(", "coerce_dtype(")):
        return "dtype"
    if check == "not_nullable":
        return "nullable"
    if check == "column_in_dataframe":
        return "missing-column"
    if check == "column_in_schema":
        return "extra-column"
    if check.startswith("isin("):
        return "isin"
    if check.startswith(("in_range(", "greater_than", "less_than", "between(")):
        return "range"
    if check in ("field_uniqueness", "multiple_fields_uniqueness"):
        return "unique"
    return "check"


def _examples(items: Sequence[tuple[str, Any, Any]], rows: Sequence[int], limit: int = 5) -> list[Any]:
    ordered = sorted(items, key=lambda it: (_is_missing(it[2]), int(it[2]) if not _is_missing(it[2]) else 0))
    seen: list[Any] = []
    for _, failure, _ in ordered:
        value = None if _is_missing(failure) else _plain(failure)
        if value not in seen:
            seen.append(value)
        if len(seen) >= limit:
            break
    return seen


def _expected_dtype(schema: Any, column: str | None) -> str | None:
    spec = schema.columns.get(column) if column is not None else None
    return str(spec.dtype) if spec is not None and spec.dtype is not None else None


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists, arrays
        return False
