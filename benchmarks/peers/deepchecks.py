"""Deepchecks' tabular data_integrity suite, with its default conditions.

    benchmarks/.venvs/deepchecks/bin/python benchmarks/peers/deepchecks.py FILE

The table becomes ``deepchecks.tabular.Dataset(df, label=TARGET, cat_features=...)``
with the string and boolean columns named as categorical (the rest left to Deepchecks),
and ``data_integrity().run(dataset)`` runs every check of the suite. What it found: the
checks whose conditions did not pass (failed or warned), by their headers; checks that
could not run are listed apart (``not_run``).
"""

from __future__ import annotations

import _common

_common.hide_own_folder()


def main() -> None:
    args = _common.parse_args(__doc__ or "")
    import deepchecks
    import pandas as pd
    from deepchecks.tabular import Dataset
    from deepchecks.tabular.suites import data_integrity

    frame, read_s = _common.read(args.path)
    categorical = [
        name
        for name in frame.columns
        if name != args.target
        and (pd.api.types.is_bool_dtype(frame[name]) or pd.api.types.is_object_dtype(frame[name]))
    ]
    dataset = Dataset(frame, label=args.target, cat_features=categorical)
    result = data_integrity().run(dataset)
    failed = [check.get_header() for check in result.get_not_passed_checks()]
    not_run = [check.get_header() for check in result.get_not_ran_checks()]
    _common.emit(
        "Deepchecks",
        deepchecks.__version__,
        "failed checks",
        failed,
        read_s,
        not_run=_common.tally(not_run),
        checks=len(result.results),
    )


if __name__ == "__main__":
    main()
