"""Write an inferred contract as YAML: the text ``preflight infer-schema`` prints.

pandera serializes the schema; preflight adds a header saying where it came from and
re-quotes any string that holds a control or bidi character, so a column name from the
data cannot break a line of the file (or of a CI log that shows it).
"""

from __future__ import annotations

from typing import Any

from preflight.core.escape import UNSAFE, safe


def contract_to_yaml(schema: Any, *, source: str | None = None) -> str:
    """The contract as YAML, with a header saying where it came from."""
    from preflight.core.version import __version__

    body: str = _quote_unsafe_strings(schema.to_yaml())
    origin = f" from {safe(source)}" if source else ""
    header = (
        f"# pandera contract inferred by preflight {__version__}{origin}.\n"
        "# Edit freely: widen ranges, add allowed values, set nullable, drop columns.\n"
        "# Validate with: preflight check DATA --schema THIS_FILE\n"
    )
    return header + body


def _quote_unsafe_strings(body: str) -> str:
    """pandera's YAML with every string that holds a control or bidi character (a column
    name with a newline, say) written double-quoted, so the character is an escape
    (``"\\n"``) rather than a line break that could start a CI workflow command."""
    import yaml

    data = yaml.safe_load(body)
    if not _holds_unsafe(data):
        return body  # the usual case: pandera's own text, unchanged

    # A subclass, because add_representer changes the class it is called on: yaml.SafeDumper
    # itself stays as every other caller expects it.
    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = '"' if UNSAFE.search(value) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    dumped: str = yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=False)
    return dumped


def _holds_unsafe(value: Any) -> bool:
    """Whether any string in parsed YAML (keys included) holds a control or bidi character."""
    if isinstance(value, str):
        return UNSAFE.search(value) is not None
    if isinstance(value, dict):
        return any(_holds_unsafe(k) or _holds_unsafe(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_unsafe(v) for v in value)
    return False
