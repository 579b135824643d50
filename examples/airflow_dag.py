"""Gate model training on preflight: `train` runs only when the data passes.

The `preflight` task checks the file named by the `data` param and pushes its JSON
report to XCom; a failed report fails the task without retries, so `train` never starts
(state upstream_failed). `train` reads the report from XCom for the path and target.

Try it on one file (needs `pip install preflight[airflow]` and `airflow db migrate`):
    python examples/airflow_dag.py examples/penguins-raw.csv
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, Param, task

from preflight.integrations.airflow import PreflightOperator

DATA = str(Path(__file__).with_name("penguins.csv"))

with DAG(
    dag_id="train_with_preflight",
    schedule=None,
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    params={"data": Param(DATA, type="string", description="the training file to check")},
    tags=["preflight"],
    # Retries help with flaky I/O; preflight's gate skips them, since the same data
    # gives the same report.
    default_args={"retries": 2},
) as dag:
    gate = PreflightOperator(
        task_id="preflight",
        paths="{{ params.data }}",
        target="species",
        fail_on="error",  # warnings are logged and kept in the report, errors stop the run
    )

    @task
    def train(report: dict[str, Any]) -> float:
        """Fit a model on the checked file; returns the held-out accuracy."""
        import pandas as pd
        from sklearn.compose import make_column_selector, make_column_transformer
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import train_test_split
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler

        frame = pd.read_csv(report["dataset"]["path"])
        target = report["dataset"]["target"]
        x, y = frame.drop(columns=[target]), frame[target]
        # The preprocessing preflight's report suggests: impute, scale, encode.
        numbers = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
        categories = make_pipeline(
            SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")
        )
        prepare = make_column_transformer(
            (numbers, make_column_selector(dtype_include="number")),
            (categories, make_column_selector(dtype_exclude="number")),
        )
        model = make_pipeline(prepare, LogisticRegression(max_iter=1000))
        x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
        model.fit(x_train, y_train)
        return float(model.score(x_test, y_test))

    train(gate.output)


if __name__ == "__main__":
    import sys

    dag.test(run_conf={"data": str(Path(sys.argv[1]).resolve())} if len(sys.argv) > 1 else None)
