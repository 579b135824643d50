"""The real-data corpus: tables as their packages ship them, run and judged (notes.md)."""
