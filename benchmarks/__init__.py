"""Benchmarks and the real-data corpus (run as scripts; see benchmarks/README.md)."""
