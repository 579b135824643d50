"""Load a pandera YAML contract safely: the contract half of ``check --schema`` (SC003).

Loading never executes anything from the file: the text is parsed with yaml's safe
loader (plain mappings, lists, strings and numbers only) with anchors, aliases and deep
nesting refused, every key is checked against the keys pandera's pandas API documents,
and checks may only name pandera's built-in checks (``in_range``, ``isin``, ...), so a
contract cannot reach any other attribute of ``pandera.Check`` or a custom registered
check. Nothing is pickled or evaluated. Any problem with the file is a
:class:`PreflightError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from preflight.core.columns import SEMANTICS, ColumnOverride
from preflight.core.errors import PreflightError, did_you_mean, first_line

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
# pandera also reads a built-in check named as a key of a column or index component (its
# "flat" form, `in_range: {min_value: 0, max_value: 10}`), so those names are keys too.
_COMPONENT_KEYS_OR_CHECKS = _COMPONENT_KEYS | BUILTIN_CHECKS
# A pandera contract nests about six levels (columns > name > checks > check > options).
MAX_YAML_DEPTH = 50


def load_contract(path: str | Path) -> Any:
    """Read a pandera YAML contract safely. Every problem is one-line PreflightError."""
    return contract_from_mapping(read_contract_yaml(path), str(path))


# A column's description written by ``infer-schema``: "semantic: identifier".
_SEMANTIC = re.compile(r"^semantic:\s*([a-z]+)\b")


def contract_semantics(path: str | Path) -> dict[str, ColumnOverride]:
    """The semantic types a contract states for its columns (``description:
    "semantic: TYPE"``, as ``infer-schema`` writes them): overrides for the stage."""
    raw = read_contract_yaml(path)
    columns = raw.get("columns") if isinstance(raw, Mapping) else None
    out: dict[str, ColumnOverride] = {}
    for name, spec in (columns or {}).items():
        description = spec.get("description") if isinstance(spec, Mapping) else None
        found = _SEMANTIC.match(description) if isinstance(description, str) else None
        if found is not None and found.group(1) in SEMANTICS:
            out[str(name)] = ColumnOverride(semantic=found.group(1))  # type: ignore[arg-type]
    return out


def read_contract_yaml(path: str | Path) -> Any:
    """The YAML of a contract file, read safely (no aliases); one-line errors."""
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
    return raw


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
        raise PreflightError(f"{label}: not a valid pandera schema: {first_line(exc)}") from None


def _check_serialized(raw: Any, label: str) -> None:
    """Refuse a parsed contract whose shape or keys pandera's pandas API does not document."""
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
        _known_keys(spec, _COMPONENT_KEYS_OR_CHECKS, label, f"column {name!r}")
        _check_check_list(spec.get("checks"), label, f"column {name!r}")
    index = raw.get("index")
    if index is not None and not isinstance(index, list):
        raise PreflightError(f"{label}: 'index' must be a list of index components")
    for entry in index or []:
        if isinstance(entry, dict):
            _known_keys(entry, _COMPONENT_KEYS_OR_CHECKS, label, "the index")
            _check_check_list(entry.get("checks"), label, "the index")
    _check_check_list(raw.get("checks"), label, "the schema")


def _check_check_list(checks: Any, label: str, where: str) -> None:
    """Refuse checks (list or legacy mapping form) that are not built-in or carry unknown options."""
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
    """Refuse the first key of ``mapping`` not in ``allowed``, suggesting the nearest one."""
    pool = sorted(allowed)
    for key in mapping:
        if not isinstance(key, str) or key not in pool:
            raise PreflightError(f"{label}: unknown key {key!r} in {where}" + did_you_mean(str(key), pool))
