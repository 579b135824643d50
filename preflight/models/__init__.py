"""Shared model artifacts (computed once per run through ``Context.shared``)."""
