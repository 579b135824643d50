"""cleanlab Datalab with its default issue types, on features it is given.

    benchmarks/.venvs/datalab/bin/python benchmarks/peers/datalab.py FILE

Datalab needs features or predicted probabilities; it gets ``features=`` the numeric matrix
``encode`` builds (below) and ``label_name=TARGET`` on a data dict that holds only the label,
then ``find_issues(features=X)`` runs every issue type it can on that input (its default:
label, outlier, near_duplicate, non_iid, class_imbalance, underperforming_group, null and
whatever else this cleanlab version adds). Its kNN graph grows about with the square of
the rows. What it found: the issue types with at least one flagged row, as
``type (rows)``.
"""

from __future__ import annotations

import _common

_common.hide_own_folder()

from typing import Any  # noqa: E402


def encode(frame: Any, target: str) -> Any:
    """Every column but the target, as float64, in this order:

    - numbers: missing values imputed with the median, then standardised, and one 0/1
      indicator per column that had missing values;
    - booleans: 0/1;
    - dates: days since 1970, standardised;
    - strings: one-hot, one column per value.

    (Datalab's docs advise numeric, scaled features; this is what preflight's own model
    checks give their models.)
    """
    import numpy as np
    import pandas as pd

    parts: list[Any] = []
    for name in frame.columns:
        if name == target:
            continue
        col = frame[name]
        if pd.api.types.is_bool_dtype(col):
            parts.append(col.to_numpy(dtype=float)[:, None])
        elif pd.api.types.is_datetime64_any_dtype(col):
            days = (col - pd.Timestamp("1970-01-01")).dt.days.to_numpy(dtype=float)
            parts.append(((days - days.mean()) / (days.std() or 1.0))[:, None])
        elif pd.api.types.is_numeric_dtype(col):
            x = col.to_numpy(dtype=float)
            missing = np.isnan(x)
            if missing.any():
                x = np.where(missing, np.nanmedian(x), x)
            parts.append(((x - x.mean()) / (x.std() or 1.0))[:, None])
            if missing.any():
                parts.append(missing.astype(float)[:, None])
        else:
            parts.append(pd.get_dummies(col.astype(str), dtype=float).to_numpy())
    return np.hstack(parts)


def main() -> None:
    args = _common.parse_args(__doc__ or "")
    import cleanlab
    from cleanlab import Datalab

    frame, read_s = _common.read(args.path)
    features = encode(frame, args.target)
    lab = Datalab(data={args.target: frame[args.target].to_numpy()}, label_name=args.target, verbosity=0)
    lab.find_issues(features=features)
    summary = lab.get_issue_summary()
    found = [
        f"{row.issue_type} ({int(row.num_issues):,})"
        for row in summary.itertuples()
        if int(row.num_issues) > 0
    ]
    _common.emit(
        "cleanlab Datalab",
        cleanlab.__version__,
        "issue types",
        found,
        read_s,
        issue_types_run=sorted(str(t) for t in summary["issue_type"]),
        feature_columns=int(features.shape[1]),
    )


if __name__ == "__main__":
    main()
