"""``PreflightOperator``: an Airflow 3 task that gates a pipeline on preflight.

Install with ``pip install preflight[airflow]``. The operator checks one or more data
files, pushes the JSON report to XCom (or the path it wrote the report to) and fails the
task when the report fails. It raises ``AirflowFailException``, which skips retries:
re-running a check on the same data gives the same report. Bad input (a missing file, a
target column that is not there) fails the task with an ordinary error, so retries still
apply while an upstream task may yet write the file.

Only the Airflow task SDK is imported here; preflight's own analysis (pandas, models) is
imported inside :meth:`PreflightOperator.execute`, so parsing a DAG file stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow.sdk import BaseOperator

from preflight.core.escape import safe

try:  # Airflow >= 3.1 exports it from the task SDK
    from airflow.sdk.exceptions import AirflowFailException
except ImportError:  # pragma: no cover - Airflow 3.0
    from airflow.exceptions import AirflowFailException

__all__ = ["PreflightOperator"]


class PreflightOperator(BaseOperator):  # type: ignore[misc,unused-ignore]
    """Check data files with preflight; fail the task (without retries) on a failed report.

    :param paths: a path, or a list of paths (file, directory of parquet parts, or glob).
        A string gives one report; a list gives a list of reports, in order. Templated.
    :param target: the label column. Templated. With ``None``, ``[tool.preflight]``
        (``target``, or ``targets`` by path glob) in the config decides.
    :param task: ``"classification"``, ``"regression"`` or ``None`` (inferred).
    :param select: codes, families or prefixes to run (``"DQ,SC"``), as ``--select``.
    :param ignore: codes, families or prefixes to skip, as ``--ignore``.
    :param fail_on: lowest severity that fails the report: error (default), warning,
        info or never.
    :param config: a TOML file with a ``[tool.preflight]`` table; ``None`` reads the
        nearest ``pyproject.toml`` above the worker's working directory. Templated.
    :param baseline: accepted findings (a file ``preflight baseline`` wrote, or a JSON
        report): the task fails only on findings it does not hold, or that got worse; the
        accepted ones stay in the report, marked ``accepted``. ``None`` leaves it to the
        config's ``baseline``. Templated.
    :param options: any other run option, as keyword arguments of ``preflight.check``:
        ``{"test": "...", "schema": "...", "seed": 0, "sample": 50000, "models": False,
        "checks": {"DQ001": {"drop-share": 0.5}}}``. Templated.
    :param json_path: also write the JSON report here, and push this path to XCom
        instead of the report itself (for large reports). With several paths it must
        hold ``{stem}`` (the input file's stem). Templated.
    :param html_path: also write the HTML report here (``{stem}`` as above). Templated.
    :param soft_fail: log a warning instead of failing the task on a failed report or a
        crashed check; the report still goes to XCom.

    XCom ``return_value`` holds the report (or its path) also when the task fails, so a
    downstream task with ``trigger_rule="all_done"`` can read what went wrong.
    """

    template_fields: Sequence[str] = (
        "paths", "target", "config", "baseline", "options", "json_path", "html_path",
    )  # fmt: skip
    ui_color = "#dff0d8"

    def __init__(
        self,
        *,
        paths: str | Sequence[str],
        target: str | None = None,
        task: str | None = None,
        select: str | Sequence[str] | None = None,
        ignore: str | Sequence[str] | None = None,
        fail_on: str | None = None,
        config: str | None = None,
        baseline: str | None = None,
        options: Mapping[str, Any] | None = None,
        json_path: str | None = None,
        html_path: str | None = None,
        soft_fail: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        # Kept as given: Airflow renders the templated fields before execute().
        self.paths = paths
        self.target = target
        self.task = task
        self.select = select
        self.ignore = ignore
        self.fail_on = fail_on
        self.config = config
        self.baseline = baseline
        self.options = dict(options or {})
        self.json_path = json_path
        self.html_path = html_path
        self.soft_fail = soft_fail

    def execute(self, context: Any) -> Any:
        import preflight
        from preflight.core.outputs.guard import output_for
        from preflight.core.outputs.write import write_text_atomic
        from preflight.reporters import FORMATS, render

        if self.html_path and "html" not in FORMATS:
            raise ValueError("html_path: this preflight has no HTML reporter; leave html_path out")
        single = isinstance(self.paths, str)
        paths = [self.paths] if isinstance(self.paths, str) else [str(p) for p in self.paths]
        for name in ("json_path", "html_path"):
            template = getattr(self, name)
            if template and len(paths) > 1 and "{stem}" not in template:
                raise ValueError(
                    f"{name} needs {{stem}} in it with several paths, e.g. reports/{{stem}}.json"
                )

        options = dict(self.options)
        if self.baseline:
            options["baseline"] = self.baseline
        payloads: list[Any] = []
        problems: list[str] = []
        for path in paths:
            report = preflight.check(
                path,
                target=self.target,
                task=self.task,
                select=self.select,
                ignore=self.ignore,
                fail_on=self.fail_on,
                config=self.config,
                **options,
            )
            data = report.to_dict()
            payload: Any = data
            if self.json_path:
                destination = output_for(self.json_path, path)
                write_text_atomic(destination, render(report, "json"))
                payload = str(destination)
            if self.html_path:
                destination = output_for(self.html_path, path)
                write_text_atomic(destination, render(report, "html"))
                shown = safe(str(destination))
                self.log.info("preflight: HTML report for %s written to %s", safe(path), shown)
            payloads.append(payload)
            counts = data["summary"]
            self.log.info(
                "preflight: %s: %s (%d errors, %d warnings, %d info)",
                safe(path), data["status"], counts["error"], counts["warning"], counts["info"],
            )  # fmt: skip
            for finding in data["findings"]:
                accepted = " (accepted)" if finding["accepted"] else ""
                shown = safe(finding["message"])
                self.log.info("  %s %s %s%s", finding["severity"], finding["code"], shown, accepted)
            if report.errors:
                problems.append(f"{path}: check(s) crashed: " + ", ".join(e.code for e in report.errors))
            elif report.failed:
                worst = [
                    f"{f.code} {f.message}"
                    for f in report.findings
                    if report.fail_on and f.severity >= report.fail_on and not f.accepted
                ]
                problems.append(f"{path}: failed ({'; '.join(worst[:3])}{' …' if len(worst) > 3 else ''})")

        result = payloads[0] if single else payloads
        if problems:
            # Column names and values reach these lines: escaped, as in every text output.
            message = "preflight: " + safe(" | ".join(problems))
            if self.soft_fail:
                self.log.warning("%s (soft_fail: the task goes on)", message)
                return result
            # Pushed by hand: a failing task pushes no return value, and the report is
            # what a notifier downstream needs.
            if self.do_xcom_push:
                context["ti"].xcom_push(key="return_value", value=result)
            raise AirflowFailException(message)
        return result
