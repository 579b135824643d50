"""A check's documentation (the Markdown of its docstring) laid out for a terminal.

The docstrings use a small part of Markdown: paragraphs, ``**bold**`` lead-ins,
``*emphasis*``, code spans, bullet and numbered lists, now and then a heading, a
fenced or indented code block or a link. That part is rendered here, by hand rather
than with a rendering library, so ``preflight rule`` stays dependency-free and starts
fast: paragraphs and list items wrapped to the terminal width (list items with a
hanging indent), code blocks indented and never wrapped, links as ``text (URL)``.
Styles (bold, underline, colour) only when the output is a terminal that wants them;
piped, or with ``NO_COLOR`` set, the text is plain: no escape codes, no Markdown marks.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

import click

# Wider lines are hard to read even on a wide terminal.
MAX_WIDTH = 100

Style = Callable[[str], str]

_BULLET = re.compile(r"^([-*+])\s+(.*)$")
_NUMBERED = re.compile(r"^(\d+)[.)]\s+(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^(```|~~~)")
# Inline marks, in the order they are tried at one position.
_INLINE = re.compile(
    r"(?P<code>`+)(?P<code_text>.+?)(?P=code)"
    r"|\[(?P<link_text>[^\]]+)\]\((?P<url>[^)\s]+)\)"
    r"|<(?P<auto>https?://[^>\s]+)>"
    r"|\*\*(?P<bold>.+?)\*\*"
    r"|__(?P<bold2>.+?)__"
    r"|(?<![\w*])\*(?P<em>[^*\s](?:[^*]*[^*\s])?)\*(?![\w*])"
)


def use_color(stream: TextIO | None = None) -> bool:
    """True when ``stream`` (stdout by default) is a terminal and ``NO_COLOR`` is unset
    (https://no-color.org: any non-empty value turns colour off)."""
    stream = sys.stdout if stream is None else stream
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def terminal_width() -> int:
    """The terminal's width (80 when there is none, e.g. piped), at most :data:`MAX_WIDTH`."""
    return max(40, min(MAX_WIDTH, shutil.get_terminal_size((80, 24)).columns))


@dataclass(frozen=True)
class _Piece:
    text: str
    style: str | None  # None, "bold", "em", "code", "heading"


def render_markdown(text: str, *, width: int | None = None, color: bool = False) -> str:
    """``text`` (Markdown) as terminal lines, wrapped to ``width``; styled when ``color``."""
    width = terminal_width() if width is None else width
    out: list[str] = []
    for kind, payload in _blocks(text):
        if out and out[-1] != "":
            out.append("")
        if kind == "code":
            out.extend(("    " + line).rstrip() for line in payload)
        elif kind == "heading":
            title = _pieces(" ".join(payload))
            out.extend(_wrap(title, width, "", "", color, force="heading"))
        elif kind == "list":
            for marker, item in _items(payload):
                lead = f"  {marker} "
                out.extend(_wrap(_pieces(item), width, lead, " " * len(lead), color))
        else:
            out.extend(_wrap(_pieces(" ".join(line.strip() for line in payload)), width, "", "", color))
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


def _blocks(text: str) -> list[tuple[str, list[str]]]:
    """Paragraphs, lists, headings and code blocks, in order."""
    blocks: list[tuple[str, list[str]]] = []
    lines = text.replace("\t", "    ").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        if _FENCE.match(stripped):
            fence = stripped[:3]
            body = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence):
                body.append(lines[i])
                i += 1
            blocks.append(("code", body))
            i += 1
            continue
        heading = _HEADING.match(stripped)
        if heading and not line.startswith(" "):
            blocks.append(("heading", [heading.group(2)]))
            i += 1
            continue
        if line.startswith("    "):
            body = []
            while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
                body.append(lines[i][4:])
                i += 1
            while body and not body[-1].strip():
                body.pop()
            blocks.append(("code", body))
            continue
        is_list = bool(_BULLET.match(stripped) or _NUMBERED.match(stripped))
        body = []
        while i < len(lines) and lines[i].strip():
            current = lines[i].strip()
            if body and not is_list and (_BULLET.match(current) or _NUMBERED.match(current)):
                break  # a list right under a paragraph line starts its own block
            if body and (_FENCE.match(current) or _HEADING.match(current)):
                break
            body.append(lines[i])
            i += 1
        blocks.append(("list" if is_list else "paragraph", body))
    return blocks


def _items(lines: list[str]) -> list[tuple[str, str]]:
    """A list block's items: (marker, the item's text with its continuation lines)."""
    items: list[tuple[str, list[str]]] = []
    for line in lines:
        stripped = line.strip()
        bullet, numbered = _BULLET.match(stripped), _NUMBERED.match(stripped)
        if bullet and not line.startswith("  "):
            items.append(("•", [bullet.group(2)]))
        elif numbered and not line.startswith("  "):
            items.append((numbered.group(1) + ".", [numbered.group(2)]))
        elif items:
            items[-1][1].append(stripped)
        else:
            items.append(("•", [stripped]))
    return [(marker, " ".join(parts)) for marker, parts in items]


def _pieces(text: str) -> list[_Piece]:
    """Inline Markdown as styled pieces; the marks themselves are dropped."""
    pieces: list[_Piece] = []
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            pieces.append(_Piece(text[pos : m.start()], None))
        if m.group("code") is not None:
            pieces.append(_Piece(m.group("code_text").strip(), "code"))
        elif m.group("link_text") is not None:
            pieces.extend(_pieces(m.group("link_text")))
            pieces.append(_Piece(f" ({m.group('url')})", None))
        elif m.group("auto") is not None:
            pieces.append(_Piece(m.group("auto"), None))
        elif m.group("bold") is not None or m.group("bold2") is not None:
            inner = m.group("bold") if m.group("bold") is not None else m.group("bold2")
            pieces.extend(_Piece(p.text, p.style or "bold") for p in _pieces(inner))
        else:
            pieces.append(_Piece(m.group("em"), "em"))
        pos = m.end()
    if pos < len(text):
        pieces.append(_Piece(text[pos:], None))
    return pieces


_STYLES: dict[str, dict[str, Any]] = {
    "bold": {"bold": True},
    "em": {"underline": True},
    "code": {"fg": "cyan"},
    "heading": {"bold": True, "underline": True},
}


def _wrap(
    pieces: list[_Piece], width: int, first: str, rest: str, color: bool, force: str | None = None
) -> list[str]:
    """Greedy word wrap on the visible text; styles applied word by word afterwards, so
    escape codes never count toward the width. A code span is never broken."""
    words: list[list[_Piece]] = []
    glue = False  # the next piece continues the last word (no space between them)
    for piece in pieces:
        style = force or piece.style
        parts = [piece.text] if piece.style == "code" else re.split(r"(\s+)", piece.text)
        for part in parts:
            if not part:
                continue
            if part.isspace():
                glue = False
                continue
            if glue and words:
                words[-1].append(_Piece(part, style))
            else:
                words.append([_Piece(part, style)])
            glue = True
    lines: list[str] = []
    line, length, lead = "", 0, first
    for word in words:
        size = sum(len(p.text) for p in word)
        if length and len(lead) + length + 1 + size > width:
            lines.append(lead + line)
            line, length, lead = "", 0, rest
        rendered = "".join(_styled(p, color) for p in word)
        line, length = (f"{line} {rendered}", length + 1 + size) if length else (rendered, size)
    if line or not lines:
        lines.append(lead + line)
    return [ln.rstrip() for ln in lines]


def _styled(piece: _Piece, color: bool) -> str:
    if not color or piece.style is None:
        return piece.text
    return click.style(piece.text, **_STYLES[piece.style])
