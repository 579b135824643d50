"""The frozen run configuration: ``[tool.preflight]`` in pyproject.toml, then CLI flags.

Keys are kebab-case in TOML and snake_case here. Unknown keys are an error with a
did-you-mean, so a typo never silently disables a setting.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from preflight.core.columns import ColumnOverride, parse_columns
from preflight.core.errors import PreflightError, did_you_mean
from preflight.core.findings import Severity

FAIL_ON = ("error", "warning", "info", "never")
TASKS = ("auto", "classification", "regression")
MODEL_FAMILIES = ("nn", "linear", "knn", "svm", "tree")
ENGINES = ("local", "dask")
MODES = ("auto", "memory", "stream")


@dataclass(frozen=True)
class Config:
    """Everything a run needs besides the data. Immutable; build with :func:`load_config`."""

    target: str | None = None
    task: str = "auto"
    id_columns: tuple[str, ...] = ()
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    fail_on: str = "error"
    schema: str | None = None
    test: str | None = None
    valid: str | None = None
    pred_probs: str | None = None
    # A baseline of accepted findings (``preflight baseline``, or a JSON report): only the
    # findings it does not hold fail the run. In a config file, relative to that file.
    baseline: str | None = None
    model_family: str = "nn"
    seed: int = 0
    sample: int | None = None
    # Threads the model-based checks may use (tree fitting, neighbour queries); None:
    # every CPU this process may run on (worker_threads). Results do not depend on it.
    jobs: int | None = None
    max_rows: int = 1000
    engine: str = "local"
    scheduler: str | None = None
    # auto: read into memory unless the audit would not fit (preflight.data.engines.choose_mode).
    mode: str = "auto"
    # Rows of the seeded sample that streaming (and Dask) keep for value-level checks
    # and the model-based checks (docs/limits.md: memory stays under 512 MB at 50,000).
    stream_sample: int = 50_000
    # A classification target with more classes than this skips the model-based checks
    # (with the reason in the report): their probabilities take rows x classes memory
    # and the trees' leaves classes each (docs/limits.md has the measurements).
    max_classes: int = 200
    per_column_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    targets: Mapping[str, str] = field(default_factory=dict)
    checks: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # [tool.preflight.columns]: what a column is, when the data alone would mislead.
    columns: Mapping[str, ColumnOverride] = field(default_factory=dict)
    # False leaves out the checks that fit models (Check.model_based): the pre-commit default.
    models: bool = True
    # [tool.preflight.pre-commit]: overrides applied only when run as the pre-commit hook.
    pre_commit: Mapping[str, Any] = field(default_factory=dict)

    @property
    def fail_severity(self) -> Severity | None:
        return None if self.fail_on == "never" else Severity(self.fail_on)

    def target_for(self, path: str | os.PathLike[str]) -> str | None:
        """The target of the file at ``path``: the column of the first ``targets`` glob
        that matches the path as given or the file's name alone (``*`` also crosses
        ``/``), else ``target``. One project config serves files whose label columns
        differ, and the CLI and the Python API pick a file's the same way."""
        text = os.fspath(path)
        for pattern, column in self.targets.items():
            if fnmatch(text, pattern) or fnmatch(Path(text).name, pattern):
                return column
        return self.target

    def replace(self, **changes: Any) -> Config:
        """A copy with ``changes`` applied (None values are ignored) and validated."""
        clean = {k: v for k, v in changes.items() if v is not None}
        return validate(dataclasses.replace(self, **clean))

    def for_pre_commit(self) -> Config:
        """The configuration the pre-commit hook runs with.

        Commit time must stay fast, so model-based checks are off unless
        ``[tool.preflight.pre-commit]`` turns them back on (``models = true``); any
        other key in that table overrides the top-level one for the hook only.
        """
        changes = {"models": False, **self.pre_commit, "pre_commit": {}}
        return validate(dataclasses.replace(self, **changes))


_FIELDS = {f.name: f for f in dataclasses.fields(Config)}
_TUPLE_KEYS = {"id_columns", "select", "ignore", "extend_select"}


def load_config(path: str | Path | None = None, *, start: Path | None = None) -> Config:
    """Read ``[tool.preflight]`` from ``path``, or from the nearest pyproject.toml above
    ``start`` (default: the working directory). No file or no table gives the defaults."""
    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise PreflightError(f"config file {str(file)!r} not found")
        table = _read_toml(file)
        # A dedicated preflight.toml may hold the keys at top level.
        if "tool" in table:
            section = _table(
                _table(table["tool"], "tool", str(file)).get("preflight", {}), "tool.preflight", str(file)
            )
        else:
            section = table
        return _relative_baseline(from_mapping(section, source=str(file)), file.parent)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            tool = _read_toml(candidate).get("tool", {})
            found = tool.get("preflight") if isinstance(tool, Mapping) else None
            if found is not None:
                config = from_mapping(_table(found, "tool.preflight", str(candidate)), source=str(candidate))
                return _relative_baseline(config, folder)
            break  # the nearest pyproject.toml owns this project, even without our table
    return Config()


def _relative_baseline(config: Config, folder: Path) -> Config:
    """A config file's ``baseline`` (top level and in its pre-commit table) is relative to
    the file, as a project's accepted findings sit beside its pyproject.toml; a relative
    ``--baseline`` on the command line stays relative to the working directory."""

    def resolve(path: Any) -> Any:
        if not isinstance(path, str) or Path(path).is_absolute() or folder.resolve() == Path.cwd().resolve():
            return path  # (beside the working directory: kept short, as messages show it)
        return str(folder / path)

    pre_commit = dict(config.pre_commit)
    if "baseline" in pre_commit:
        pre_commit["baseline"] = resolve(pre_commit["baseline"])
    return dataclasses.replace(config, baseline=resolve(config.baseline), pre_commit=pre_commit)


def from_mapping(raw: Mapping[str, Any], source: str = "config") -> Config:
    """Build a Config from kebab-case keys, rejecting unknown ones."""
    try:
        config = Config(**_values(raw, source))
    except TypeError as exc:  # pragma: no cover - guarded by the key check in _values
        raise PreflightError(f"{source}: {exc}") from exc
    return validate(config, source)


def _values(raw: Mapping[str, Any], source: str) -> dict[str, Any]:
    """Snake_case field values from a kebab-case table, each converted and type-checked."""
    values: dict[str, Any] = {}
    known = [k.replace("_", "-") for k in _FIELDS]
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name not in _FIELDS or "_" in key:
            raise PreflightError(f"{source}: unknown key {key!r}" + did_you_mean(key, known))
        if name in _TUPLE_KEYS:
            value = _as_tuple(value, key, source)
        elif name == "per_column_ignores":
            value = {
                str(col): _as_tuple(codes, key, source) for col, codes in _table(value, key, source).items()
            }
        elif name == "checks":
            value = {
                str(code).upper(): dict(_table(opts, f"checks.{code}", source))
                for code, opts in _table(value, key, source).items()
            }
        elif name == "columns":
            value = parse_columns(_table(value, key, source), source)
        elif name == "targets":
            value = dict(_table(value, key, source))
        elif name == "pre_commit":
            value = _pre_commit_table(_table(value, key, source), f"{source} [pre-commit]")
        values[name] = value
    return values


def _pre_commit_table(raw: Mapping[str, Any], source: str) -> dict[str, Any]:
    if "pre-commit" in raw:
        raise PreflightError(f"{source}: a pre-commit table cannot hold another one")
    values = _values(raw, source)
    validate(Config(**values), source)  # fail at load time, not at the first commit
    return values


# Seeds reach numpy and scikit-learn, which take 0 <= seed < 2**32.
MAX_SEED = 2**32 - 1
# Fields holding a file path, a column name or an address: a string (or unset).
_STRING_FIELDS = ("target", "schema", "test", "valid", "pred_probs", "baseline", "scheduler")
_CHOICE_FIELDS = ("task", "fail_on", "model_family", "engine", "mode")


def _type_name(value: Any) -> str:
    return {
        bool: "a boolean", int: "an integer", float: "a number", str: "a string",
        list: "a list", tuple: "a list", dict: "a table",
    }.get(type(value), type(value).__name__)  # fmt: skip


def _check_types(config: Config, source: str) -> None:
    """Each key holds the type its setting needs, named in the error with what it got."""

    def wrong(name: str, expected: str) -> PreflightError:
        value = getattr(config, name)
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        key = name.replace("_", "-")
        return PreflightError(f"{source}: {key} must be {expected}, not {_type_name(value)} ({shown})")

    for name in _STRING_FIELDS:
        value = getattr(config, name)
        if value is not None and not isinstance(value, str):
            raise wrong(name, "a string")
        if isinstance(value, str) and not value.strip():
            raise PreflightError(f"{source}: {name.replace('_', '-')} must not be empty")
    for name in _CHOICE_FIELDS:
        if not isinstance(getattr(config, name), str):
            raise wrong(name, "a string")
    for name in ("seed", "max_rows", "stream_sample", "sample", "max_classes", "jobs"):
        value = getattr(config, name)
        if value is None and name in ("sample", "jobs"):
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise wrong(name, "an integer")
    if not isinstance(config.models, bool):
        raise wrong("models", "true or false")
    if not isinstance(config.targets, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in config.targets.items()
    ):
        raise PreflightError(f"{source}: targets must be a table of file pattern = column name (strings)")


def validate(config: Config, source: str = "options") -> Config:
    _check_types(config, source)

    def choice(name: str, allowed: tuple[str, ...]) -> None:
        value = getattr(config, name)
        if value not in allowed:
            raise PreflightError(
                f"{source}: {name.replace('_', '-')} must be one of {', '.join(allowed)}, not {value!r}"
            )

    choice("fail_on", FAIL_ON)
    choice("task", TASKS)
    choice("model_family", MODEL_FAMILIES)
    choice("engine", ENGINES)
    choice("mode", MODES)
    if config.scheduler is not None and config.engine != "dask":
        raise PreflightError(f"{source}: scheduler is for the Dask engine; add engine = dask (--engine dask)")
    if not isinstance(config.stream_sample, int) or config.stream_sample < 1000:
        raise PreflightError(f"{source}: stream-sample must be an integer of at least 1000")
    if config.max_rows < 0:
        raise PreflightError(f"{source}: max-rows must be a non-negative integer")
    if not 0 <= config.seed <= MAX_SEED:
        raise PreflightError(
            f"{source}: seed must be an integer from 0 to 2**32 - 1 ({MAX_SEED}), not {config.seed}"
        )
    if config.max_classes < 2:
        raise PreflightError(f"{source}: max-classes must be an integer of at least 2")
    if config.valid is not None and config.test is None:
        # The split checks compare held-out files with train; a lone validation file
        # is simply the held-out file, so it belongs in --test.
        raise PreflightError(f"{source}: valid needs test; with a single held-out file, pass it as test")
    if config.jobs is not None and config.jobs < 1:
        raise PreflightError(f"{source}: jobs must be an integer of at least 1")
    if config.sample is not None and (not isinstance(config.sample, int) or config.sample < 10):
        raise PreflightError(f"{source}: sample must be an integer of at least 10")
    return config


def _read_toml(file: Path) -> dict[str, Any]:
    try:
        with file.open("rb") as fh:
            return tomllib.load(fh)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PreflightError(f"{file}: invalid TOML: {exc}") from exc
    except RecursionError:
        raise PreflightError(f"{file}: invalid TOML: values nested too deeply") from None
    except OSError as exc:
        raise PreflightError(f"{file}: cannot read: {exc.strerror or exc}") from None


def _as_tuple(value: Any, key: str, source: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [v for v in value.split(",")]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise PreflightError(f"{source}: {key} must be a list of strings")
    return tuple(v.strip() for v in value if v.strip())


def _table(value: Any, key: str, source: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PreflightError(f"{source}: {key} must be a table")
    return value


def worker_threads(config: Config) -> int:
    """Threads for the model-based checks: ``jobs``, or every CPU this process may use."""
    if config.jobs is not None:
        return config.jobs
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS and Windows have no affinity call
        return os.cpu_count() or 1
