"""The command line: parsing and wiring only. Commands return an exit code.

Exit codes: 0 passed · 1 a finding at or above --fail-on · 2 usage or input error
(one line on stderr, no traceback) · 3 a check crashed.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from preflight import __version__
from preflight.config import ENGINES, FAIL_ON, MODEL_FAMILIES, MODES, TASKS, Config, load_config
from preflight.errors import PreflightError
from preflight.escape import SafeFormatter, safe, safe_lines, safe_path
from preflight.reporters import FORMATS

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_CRASH = 0, 1, 2, 3
F = TypeVar("F", bound=Callable[..., Any])


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``preflight`` console script."""
    try:
        code = cli.main(args=argv, prog_name="preflight", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        _show(exc)
        code = EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("preflight: aborted", err=True)
        code = 130
    except PreflightError as exc:
        _error(str(exc))
        code = EXIT_USAGE
    except KeyboardInterrupt:
        click.echo("preflight: interrupted", err=True)
        code = 130
    except Exception as exc:  # a bug outside the checks (they are isolated by the engine)
        if isinstance(exc, OSError) and _from_stdout(exc):
            code = _stdout_failed(exc)
        else:
            args = sys.argv[1:] if argv is None else list(argv)
            if "-v" in args or "--verbose" in args:
                raise
            _error(f"internal error: {type(exc).__name__}: {exc} (-v shows the traceback; please report it)")
            code = EXIT_CRASH
    try:
        sys.stdout.flush()
    except OSError as exc:
        code = _stdout_failed(exc)
    sys.exit(code if isinstance(code, int) else EXIT_OK)


# 128 + SIGPIPE, what a shell reports for `... | head -1`. (A pipe that breaks inside a
# command is click's: it exits 1 quietly; this is for the pipes that break after it.)
EXIT_BROKEN_PIPE = 141


def _from_stdout(exc: OSError) -> bool:
    """True when ``exc`` was raised writing the terminal output (click.echo to stdout)."""
    if isinstance(exc, BrokenPipeError):
        return True
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name == "echo" and "click" in code.co_filename:
            return tb.tb_frame.f_locals.get("err") is not True
        tb = tb.tb_next
    return False


def _stdout_failed(exc: OSError) -> int:
    """A reader that went away (``| head``) is no error; a full disk behind ``>`` is the
    user's (exit 2). Either way stdout is pointed at /dev/null so that the interpreter's
    last flush cannot print a traceback."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # pragma: no cover - stdout without a descriptor
        pass
    if isinstance(exc, BrokenPipeError):
        return EXIT_BROKEN_PIPE
    _error(f"cannot write to stdout: {exc.strerror or exc}")
    return EXIT_USAGE


def _error(message: str) -> None:
    click.echo(f"preflight: error: {safe(message)}", err=True)


def _show(exc: click.ClickException) -> None:
    """Click's usage error, its lines escaped (it quotes the arguments it rejects)."""
    import io

    buffer = io.StringIO()
    exc.show(file=buffer)
    click.echo(safe_lines(buffer.getvalue().rstrip("\n")), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="preflight")
def cli() -> None:
    """A linter for training data: find what will stop a model from training, before training."""


def _codes_option(name: str, help_text: str) -> Callable[[F], F]:
    return click.option(name, metavar="CODES", help=help_text)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--target", "-t", help="The label column.")
@click.option("--task", type=click.Choice(TASKS), help="Classification or regression (default: inferred).")
@click.option(
    "--id-column",
    "id_columns",
    multiple=True,
    help="A row-identifier column, kept out of the features (repeatable).",
)
@click.option("--test", "test", type=click.Path(), help="A test file, for the split checks.")
@click.option("--valid", "valid", type=click.Path(), help="A validation file, checked like --test.")
@click.option("--schema", type=click.Path(), help="A pandera YAML contract to validate against.")
@click.option(
    "--pred-probs", type=click.Path(), help="Out-of-sample predicted probabilities (npy/parquet/csv)."
)
@_codes_option("--select", "Run only these codes, families or prefixes (starts over).")
@_codes_option("--ignore", "Skip these codes, families or prefixes.")
@_codes_option("--extend-select", "Add these to the selection.")
@click.option(
    "--fail-on", type=click.Choice(FAIL_ON), help="Lowest severity that fails the run (default: error)."
)
@click.option(
    "--format",
    "fmt",
    default="text",
    metavar="FORMAT",
    help=f"Report format: {', '.join(FORMATS)}.",
)
@click.option("--output", "-o", type=click.Path(), help="Write the report here ({stem} = input file stem).")
@click.option(
    "--rows-out", type=click.Path(), help="Write every flagged row with its codes (CSV or parquet)."
)
@click.option(
    "--model-family", type=click.Choice(MODEL_FAMILIES), help="The model you will train (default: nn)."
)
@click.option("--sample", type=int, help="Fit model-based checks on at most N rows.")
@click.option("--models/--no-models", default=None, help="Run or leave out model-based checks (default: on).")
@click.option("--seed", type=int, help="Random seed (default 0).")
@click.option("--engine", type=click.Choice(ENGINES), help="Execution engine (default: local).")
@click.option("--scheduler", help="Dask scheduler address for --engine dask (default: a local cluster).")
@click.option(
    "--mode",
    type=click.Choice(MODES),
    help="Read the file into memory, or stream it in batches (default auto: stream when it would not fit).",
)
@click.option("--config", "config_path", type=click.Path(), help="A TOML file instead of pyproject.toml.")
@click.option("--quiet", "-q", is_flag=True, help="Only the verdict line (and errors).")
@click.option("--verbose", "-v", is_flag=True, help="List skipped checks; debug logging.")
@click.option("--no-progress", is_flag=True, help="Never show the progress line.")
@click.option(
    "--pre-commit",
    "pre_commit",
    is_flag=True,
    help="Run as the pre-commit hook: no model-based checks unless [tool.preflight.pre-commit] or --models "
    "asks, Git LFS pointers skipped with a notice, full reports only for failing files.",
)
def check(
    paths: tuple[str, ...],
    fmt: str,
    output: str | None,
    rows_out: str | None,
    config_path: str | None,
    quiet: bool,
    verbose: bool,
    no_progress: bool,
    pre_commit: bool,
    **overrides: Any,
) -> int:
    """Check one or more data files (parquet, csv, jsonl, feather/arrow, or a directory/glob of parts)."""
    if fmt not in FORMATS:
        raise PreflightError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    _logging(verbose)
    if output and len(paths) > 1 and "{stem}" not in output:
        raise PreflightError(
            "with several inputs, --output needs {stem} in its name, e.g. reports/{stem}.json"
        )
    config = _config(config_path, overrides, pre_commit=pre_commit)
    _refuse_overwriting_inputs(paths, output, rows_out, config, config_path)
    # pre-commit runs hooks in a pseudo-terminal when colour is on: no progress line there.
    progress = not no_progress and not quiet and not pre_commit and sys.stderr.isatty()
    exit_code = EXIT_OK
    for path in paths:
        if pre_commit and _is_lfs_pointer(path):
            notice = "skipped: a Git LFS pointer, not the data (`git lfs pull` fetches it)"
            click.echo(f"{safe_path(path)}: {notice}")
            continue
        code = _check_one(
            path, config, fmt, output, rows_out, quiet, verbose, progress,
            multiple=len(paths) > 1, verdict_if_passed=pre_commit,
        )  # fmt: skip
        exit_code = max(exit_code, code)
    return exit_code


def _destination(template: str, path: str) -> Path:
    return Path(template.replace("{stem}", Path(path).stem))


def _refuse_overwriting_inputs(
    paths: Sequence[str], output: str | None, rows_out: str | None, config: Config, config_path: str | None
) -> None:
    """Before any file is read: no report or rows file may replace (or sit among) an
    input of any of the runs, and no two runs may write the same file."""
    from preflight.io import OutputError, refuse_overwriting_inputs

    templates = [t for t in (output, rows_out) if t]
    destinations = [_destination(t, path) for t in templates for path in paths]
    inputs = [*paths, config.test, config.valid, config.schema, config.pred_probs, config_path]
    refuse_overwriting_inputs(destinations, inputs)
    for template in templates:
        owners: dict[str, str] = {}
        for path in paths:
            destination = _destination(template, path)
            owner = owners.setdefault(str(destination.resolve()), path)
            if owner != path:
                raise OutputError(
                    f"{str(destination)!r} would hold the reports of both {owner!r} and {path!r}; "
                    "put {stem} (or another folder) in the output name"
                )


def _is_lfs_pointer(path: str) -> bool:
    from preflight.dataset import is_lfs_pointer

    return is_lfs_pointer(path)


def _logging(verbose: bool) -> None:
    """Log records on stderr, escaped like everything else printed (a warning may quote
    a column name); -v shows debug records, named by logger."""
    handler = logging.StreamHandler()
    handler.setFormatter(SafeFormatter("preflight: %(name)s: %(message)s" if verbose else "%(message)s"))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, handlers=[handler])


def _config(config_path: str | None, overrides: dict[str, Any], *, pre_commit: bool = False) -> Config:
    from preflight.selection import parse_codes

    base = load_config(config_path)
    if pre_commit:
        base = base.for_pre_commit()
    select = parse_codes(overrides.pop("select"))
    ignore = parse_codes(overrides.pop("ignore"))
    extend = parse_codes(overrides.pop("extend_select"))
    id_columns = overrides.pop("id_columns")
    return base.replace(
        select=select or None,  # --select starts over, as in ruff
        ignore=(*base.ignore, *ignore) if ignore else None,
        extend_select=(*base.extend_select, *extend) if extend else None,
        id_columns=id_columns or None,
        **overrides,
    )


def _check_one(
    path: str,
    config: Config,
    fmt: str,
    output: str | None,
    rows_out: str | None,
    quiet: bool,
    verbose: bool,
    progress: bool,
    *,
    multiple: bool,
    verdict_if_passed: bool = False,
) -> int:
    from preflight import engine
    from preflight.engines import load
    from preflight.reporters import render

    target = _target_for(path, config)
    line = _ProgressLine(enabled=progress)
    try:
        line.show(f"reading {path}")
        dataset = load(path, config, target=target, progress=line.rows)
        report = engine.run(
            dataset, config.replace(target=target), progress=line.check, rows_progress=line.rows
        )
    except PreflightError as exc:
        line.clear()
        _error(str(exc))
        return EXIT_USAGE
    finally:
        line.clear()
    color = sys.stdout.isatty()
    # The hook shows whole reports only for the files that stop the commit.
    quiet = quiet or (verdict_if_passed and report.exit_code == EXIT_OK and fmt == "text" and not output)
    if output:
        destination = _destination(output, path)
        text = render(report, fmt, color=False, verbose=verbose)
        _write_atomic(destination, text)
        if fmt != "text" and not quiet:
            click.echo(render(report, "text", color=color, verbose=verbose), nl=False)
    elif quiet:
        pass
    else:
        click.echo(
            render(report, fmt, color=color and fmt == "text", verbose=verbose, compact=multiple), nl=False
        )
    if quiet:
        verdict = "crashed" if report.errors else report.status
        counts = f"{report.summary['error']} errors, {report.summary['warning']} warnings"
        click.echo(f"{safe_path(path)}: {verdict} ({counts})")
    if rows_out:
        from preflight.rows_out import write_rows

        write_rows(report, _destination(rows_out, path))  # preflight.io: errors are OutputError
    return report.exit_code


def _target_for(path: str, config: Config) -> str | None:
    """The target for this file: a matching ``targets`` glob, else ``target``."""
    from fnmatch import fnmatch

    for pattern, column in config.targets.items():
        if fnmatch(path, pattern) or fnmatch(Path(path).name, pattern):
            return column
    return config.target


def _write_atomic(destination: Path, text: str) -> None:
    """Write a report or contract (preflight.io: atomic, devices written in place, and
    every failure an exit-2 error naming the path and the reason)."""
    from preflight.io import write_text_atomic

    write_text_atomic(destination, text)


class _ProgressLine:
    """One self-erasing status line on stderr, only when stderr is a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.shown = False
        self.current = "reading"  # what the rows counted belong to: the read, or a check

    def show(self, text: str) -> None:
        if self.enabled:
            # The path and the names in the text are data: escaped, then cut to the line.
            sys.stderr.write("\r\x1b[K" + safe(text)[:100])
            sys.stderr.flush()
            self.shown = True

    def rows(self, done: int, total: int | None) -> None:
        of = f" of {total:,}" if total else ""
        self.show(f"{self.current}: {done:,}{of} rows")

    def check(self, code: str, index: int, total: int) -> None:
        from preflight.checks import REGISTRY

        name = REGISTRY[code].name if code in REGISTRY else ""
        self.current = f"[{index + 1}/{total}] {code} {name}"
        self.show(self.current)

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.shown = False


@cli.command()
def rules() -> int:
    """List every check: code, name, cause, default severity, summary."""
    from preflight.checks import REGISTRY

    for code in sorted(REGISTRY):
        c = REGISTRY[code]
        cause = str(c.cause) if c.cause is not None else "-"
        model = " [model]" if c.model_based else ""
        click.echo(f"{code}  {c.name:<40} cause {cause}  {c.severity.value:<7}  {c.summary()}{model}")
    return EXIT_OK


@cli.command()
@click.argument("code")
def rule(code: str) -> int:
    """Show one check's documentation."""
    import inspect

    from preflight.checks import REGISTRY
    from preflight.errors import did_you_mean

    c = REGISTRY.get(code.upper())
    if c is None:
        raise PreflightError(f"unknown check {code!r}" + did_you_mean(code.upper(), list(REGISTRY)))
    click.echo(f"{c.code} · {c.name}")
    cause = f"cause {c.cause}" if c.cause is not None else "beyond the four causes"
    click.echo(
        f"category {c.category} · {cause} · default severity {c.severity.value}"
        + (" · model-based" if c.model_based else "")
    )
    if c.needs:
        click.echo("needs: " + ", ".join(sorted(c.needs)))
    click.echo("")
    click.echo(inspect.cleandoc(c.__doc__ or "").replace("``", "`"))
    if c.options:
        click.echo("\noptions ([tool.preflight.checks." + c.code + "]):")
        for key, value in c.options.items():
            click.echo(f"  {key.replace('_', '-')} = {value!r}")
    return EXIT_OK


@cli.command("infer-schema")
@click.argument("path")
@click.option("--target", "-t", required=True, help="The label column (included in the contract).")
@click.option("--output", "-o", required=True, help="Where to write the YAML contract ('-' for stdout).")
@click.option(
    "--id-column",
    "id_columns",
    multiple=True,
    help="A row-identifier column; the contract makes it unique (repeatable).",
)
@click.option(
    "--task",
    type=click.Choice(TASKS),
    default="auto",
    help="Classification or regression (default: inferred).",
)
# The defaults mirror preflight.contracts (MAX_CATEGORIES, ...), not imported here so
# that `preflight --help` does not load pandas; a test keeps them equal.
@click.option(
    "--max-categories",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Text columns with at most this many distinct values get an allowed-values (isin) check.",
)
@click.option(
    "--max-unique-share",
    type=click.FloatRange(0.0, 1.0),
    default=0.5,
    show_default=True,
    help="... and only if distinct values are at most this share of the non-null cells.",
)
@click.option(
    "--range-margin",
    type=click.FloatRange(min=0.0),
    default=0.1,
    show_default=True,
    help="Widen each numeric range by this fraction of the observed range on each side.",
)
def infer_schema(
    path: str,
    target: str,
    output: str,
    id_columns: tuple[str, ...],
    task: str,
    max_categories: int,
    max_unique_share: float,
    range_margin: float,
) -> int:
    """Write a pandera YAML contract inferred from PATH (dtypes, nulls, ranges, categories)."""
    from preflight.contracts import contract_to_yaml, infer_contract
    from preflight.dataset import load_dataset
    from preflight.io import refuse_overwriting_inputs

    if output != "-":
        refuse_overwriting_inputs([output], [path])
    dataset = load_dataset(path, target=target, id_columns=id_columns, task=task)
    schema = infer_contract(
        dataset, max_categories=max_categories, max_unique_share=max_unique_share, range_margin=range_margin
    )
    text = contract_to_yaml(schema, source=Path(path).name)
    if output == "-":
        click.echo(text, nl=False)
    else:
        _write_atomic(Path(output), text)
        shape = f"{dataset.frame.shape[1]} columns, {dataset.n_rows} rows"
        click.echo(f"wrote {safe(output)} ({shape})", err=True)
    return EXIT_OK


@cli.command(name="fix")
@click.argument("path")
@click.option("--target", "-t", help="The label column.")
@click.option("--output", "-o", required=True, type=click.Path(), help="The new dataset (format by suffix).")
@click.option("--task", type=click.Choice(TASKS), help="Classification or regression (default: inferred).")
@click.option(
    "--id-column", "id_columns", multiple=True, help="A row-identifier column, kept as is (repeatable)."
)
@click.option(
    "--model-family", type=click.Choice(MODEL_FAMILIES), help="The model you will train (default: nn)."
)
@click.option("--drop-duplicates", is_flag=True, help="Also remove rows that repeat an earlier row.")
@click.option(
    "--test",
    "test",
    type=click.Path(),
    help="A test file: drop its rows that repeat training rows, preprocess the rest (STEM.test.SUFFIX).",
)
@click.option(
    "--drop-rows",
    "drop_codes",
    metavar="CODES",
    help="Also remove the rows these checks flag (e.g. OL,LB001).",
)
@_codes_option("--select", "Run only these codes, families or prefixes (starts over).")
@_codes_option("--ignore", "Skip these codes, families or prefixes.")
@click.option("--seed", type=int, help="Random seed (default 0).")
@click.option("--config", "config_path", type=click.Path(), help="A TOML file instead of pyproject.toml.")
def fix_command(
    path: str,
    output: str,
    drop_duplicates: bool,
    drop_codes: str | None,
    config_path: str | None,
    **overrides: Any,
) -> int:
    """Apply the suggested preprocessing to PATH and write the result to OUTPUT; never touches PATH.

    Also writes, next to OUTPUT: the removed rows (STEM.removed.SUFFIX), the fitted
    scikit-learn pipeline (STEM.pipeline.joblib), the plan's code (STEM.plan.py) and,
    last, STEM.manifest.json naming every file of the set with its sha256 and size.
    All appear together or none does; outputs of an earlier run this one does not
    write are removed.
    """
    from preflight.plan.fix import ChecksCrashed, fix
    from preflight.selection import parse_codes

    overrides.setdefault("extend_select", None)
    config = _config(config_path, overrides)
    try:
        result = fix(
            path,
            output,
            config,
            drop_duplicates=drop_duplicates,
            drop_codes=parse_codes(drop_codes),
            config_file=config_path,
        )
    except ChecksCrashed as exc:
        _error(str(exc))
        return EXIT_CRASH
    click.echo(
        f"preflight fix · {safe(path)} ({result.rows_in:,} rows × {result.columns_in} columns)"
        f" → {safe(str(result.output))} ({result.rows_out:,} rows × {result.columns_out} columns)"
    )
    for i, step in enumerate(result.steps, 1):
        click.echo(f"  {i}. {safe(step.describe())}  [{safe(step.reason)}]")
    removed = sum(result.removed.values())
    detail = ", ".join(f"{code}: {n}" for code, n in result.removed.items())
    detail = f" ({detail})" if detail else ""
    click.echo(f"  removed rows: {removed:,}{detail} → {safe(str(result.removed_file))}")
    click.echo(f"  fitted pipeline → {safe(str(result.pipeline_file))}")
    click.echo(f"  plan code → {safe(str(result.code_file))}")
    if result.test is not None:
        t = result.test
        click.echo(
            f"  test file: {t.leaked:,} of {t.rows_in:,} rows repeat training rows (SP001)"
            f" → {safe(str(t.removed_file))}; the other {t.rows_out:,} preprocessed → {safe(str(t.output))}"
        )
    click.echo(f"  manifest (sha256 of each file) → {safe(str(result.manifest_file))}")
    for note in result.notes:
        click.echo(f"  note: {safe(note)}")
    return EXIT_OK
