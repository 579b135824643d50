"""Findings -> suggested preprocessing (build.py) and `preflight fix` (fix.py)."""
