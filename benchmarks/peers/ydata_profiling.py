"""ydata-profiling in minimal mode: the profile's description and its alerts.

    benchmarks/.venvs/ydata-profiling/bin/python benchmarks/peers/ydata_profiling.py FILE

``ProfileReport(df, minimal=True).get_description()`` computes everything the minimal
report shows (per-column statistics, missing values, duplicates, the alerts); rendering
it to HTML is left out, which only flatters ydata-profiling's time. What it found: its
alerts, by type (a column can carry several).
"""

from __future__ import annotations

import _common

_common.hide_own_folder()


def main() -> None:
    args = _common.parse_args(__doc__ or "")
    import ydata_profiling
    from ydata_profiling import ProfileReport

    frame, read_s = _common.read(args.path)
    report = ProfileReport(frame, minimal=True, progress_bar=False)
    description = report.get_description()
    alerts = [str(alert.alert_type.name) for alert in description.alerts]
    _common.emit("ydata-profiling", ydata_profiling.__version__, "alerts", alerts, read_s)


if __name__ == "__main__":
    main()
