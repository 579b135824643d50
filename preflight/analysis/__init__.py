"""Shared statistics and models the checks read: the encoded matrix, out-of-fold
models, confident learning, conflict groups, row hashing, the row-outlier model,
leakage statistics and the split's statistics.

Below the checks: nothing here imports :mod:`preflight.checks`, the check
:class:`~preflight.checks.base.Context`, a reporter or the CLI. Functions take the
dataset, profile and config (or what they computed); :class:`~preflight.analysis.
artifacts.Artifacts` memoises what several checks share, once per run.
"""
