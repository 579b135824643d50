"""Ways into preflight that belong to other programs (Airflow).

Nothing here is imported by the core: each integration imports its host program, which
is an optional extra (``pip install preflight[airflow]``).
"""
