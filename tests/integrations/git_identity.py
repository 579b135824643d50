"""The git identity the pre-commit tests commit with: no user's git configuration is
read (GIT_CONFIG_NOSYSTEM, a fixed author), and fixed dates, so the snapshot commit of
a dirty working copy gets the same hash in every worker (test_pre_commit.py's workers
then share one pre-commit environment)."""

GIT_ENV = {
    "GIT_AUTHOR_NAME": "preflight tests",
    "GIT_AUTHOR_EMAIL": "tests@preflight.invalid",
    "GIT_COMMITTER_NAME": "preflight tests",
    "GIT_COMMITTER_EMAIL": "tests@preflight.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00+00:00",
    "GIT_CONFIG_NOSYSTEM": "1",
}
