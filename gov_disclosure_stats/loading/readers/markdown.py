"""The Markdown reader: pipe tables and the headings and paragraphs between them.

A table is a line with pipes followed by a delimiter line (``|---|:---:|``);
its rows run to the first line without a pipe, or to a line followed by a
delimiter line, which starts the next table (converters glue consecutive tables
together). Rows keep the cells they print: a row with more or fewer cells than
its header (a glued table, trailing empty cells) is left to the assembler, which
knows the template (Markdown has no merged cells: a merged position is an
empty cell, as in the plain-text format). Inside a cell, ``<br>`` is joined away,
``\\|`` is a literal pipe, HTML entities are decoded (``&nbsp;`` is blank) and
``**``/``__`` emphasis is dropped. Every other non-blank line is one paragraph,
its heading, quote or list marker removed.

Places: ``"line 12"`` for a paragraph, ``"line 12, column 3"`` for a cell.
"""

from __future__ import annotations

import html
import re

from ...core.encoding import check_text, decode
from ...model.grid import Block, Paragraph, TableBuilder
from .text import split_lines

_PIPE = re.compile(r"(?<!\\)\|")
_DELIMITER_CELL = re.compile(r":?-+:?")
_DELIMITER_LINE = re.compile(rb"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$", re.M)
_BR = re.compile(r"<br\s*/?>", re.I)
_EMPHASIS = re.compile(r"\*\*|__")
_MARKER = re.compile(r"^(?:#{1,6}(?:\s+|$)|>\s?|[-*+]\s+)+")
_CLOSING_HASHES = re.compile(r"\s+#+\s*$")
_RULE = re.compile(r"^\s*(?:[-=*_]\s*){3,}$")
_FENCE = re.compile(r"^\s*(?:```|~~~)")
_SNIFF_BYTES = 65536


def split_row(line: str) -> list[str]:
    """The raw cells of a pipe-table line (outer pipes optional, ``\\|`` kept inside a cell)."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return _PIPE.split(body)


def cell_text(raw: str) -> str:
    """A cell's text: ``<br>`` joined, ``\\|`` as a pipe, entities decoded, emphasis dropped, spaces collapsed."""
    text = html.unescape(_BR.sub("", raw.replace("\\|", "|")))
    return " ".join(_EMPHASIS.sub("", text).split())


def is_delimiter(line: str) -> bool:
    """True for a table's delimiter line (``| --- | :---: |``): at least one pipe, every cell dashes."""
    if "|" not in line:
        return False
    return all(_DELIMITER_CELL.fullmatch(cell.strip()) for cell in split_row(line))


def _has_pipe(line: str) -> bool:
    return _PIPE.search(line) is not None


def _paragraph(line: str) -> str:
    """A prose line without its heading, quote or list marker and emphasis."""
    text = _MARKER.sub("", line.strip())
    text = _CLOSING_HASHES.sub("", text)
    return " ".join(_EMPHASIS.sub("", text).split())


def _starts_table(lines: list[str], i: int) -> bool:
    """True when line ``i`` has a pipe and the next line is a delimiter line: a table's header row."""
    return _has_pipe(lines[i]) and i + 1 < len(lines) and is_delimiter(lines[i + 1])


def _cells(line: str, number: int) -> list[tuple[str, str]]:
    """The cells of a table line with their places."""
    return [(cell_text(c), f"line {number}, column {k + 1}") for k, c in enumerate(split_row(line))]


def read_markdown(text: str, source: str | None = None) -> list[Block]:
    """Blocks of a Markdown document: its pipe tables and its other lines as paragraphs."""
    lines = split_lines(text.removeprefix("\ufeff"))
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        line, number = lines[i], i + 1
        if _starts_table(lines, i):
            builder = TableBuilder()
            builder.add_row(_cells(line, number))
            last = number + 1
            i += 2
            while i < len(lines) and lines[i].strip() and _has_pipe(lines[i]) and not _starts_table(lines, i):
                builder.add_row(_cells(lines[i], i + 1))
                last = i + 1
                i += 1
            blocks.append(builder.build(f"lines {number}-{last}"))
            continue
        if not _FENCE.match(line) and not _RULE.match(line):
            paragraph = _paragraph(line)
            if paragraph:
                blocks.append(Paragraph(paragraph, f"line {number}"))
        i += 1
    return blocks


def _head(data: bytes) -> bytes:
    """The start of the content as ASCII-compatible bytes (UTF-16/32 decoded by their BOM)."""
    head = data[:_SNIFF_BYTES]
    for bom, encoding in (
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if head.startswith(bom):
            return head.decode(encoding, errors="ignore").encode("utf-8")
    return head


def sniff(data: bytes, suffix: str = "") -> bool:
    """True for a ``.md``/``.markdown`` file, or content holding a pipe-table delimiter line."""
    if suffix in {".md", ".markdown"}:
        return not data.lstrip().startswith((b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0"))
    return any(b"|" in m[0] for m in _DELIMITER_LINE.finditer(_head(data)))


def read(data: bytes, source: str | None = None) -> list[Block]:
    """Decode a Markdown file (its encoding detected) and read its blocks."""
    return read_markdown(check_text(decode(data, source), source), source)
