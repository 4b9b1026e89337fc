"""Readers: each turns one input format into blocks (:mod:`gov_disclosure_stats.grid`).

A reader is registered with the content test that recognises its format;
:func:`pick_reader` asks them in order, so a file is read by what it holds,
not by its name. Adding a format is adding a module and one ``Reader`` line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...core.errors import LoadError
from ...model.grid import Block
from ...model.report import Report
from . import docx, html, json_reader, markdown, pdf, sheet, text
from .text import read_text


@dataclass(frozen=True)
class Reader:
    """One input format: its name, the suffixes it usually has, a content test and the reading function."""

    name: str
    suffixes: tuple[str, ...]
    sniff: Callable[[bytes, str], bool]  # (content, lower-case suffix such as ".html" or "")
    read: Callable[[bytes, str | None], list[Block] | Report]


READERS: list[Reader] = [
    Reader("pdf", (".pdf",), pdf.sniff, pdf.read),
    Reader("docx", (".docx",), docx.sniff, docx.read),
    Reader("xlsx", (".xlsx",), sheet.sniff_xlsx, sheet.read_xlsx),
    Reader("csv", (".csv", ".tsv"), sheet.sniff_csv, sheet.read_csv),
    Reader("json", (".json",), json_reader.sniff, json_reader.read),
    Reader("html", (".html", ".htm", ".xhtml"), html.sniff, html.read),
    Reader("markdown", (".md", ".markdown"), markdown.sniff, markdown.read),
    Reader("text", (".txt", ".text"), text.sniff, text.read),
]
"""In the order they are asked; the plain-text reader, which takes any text, comes last."""


def register(reader: Reader) -> None:
    """Add a reader before the plain-text fallback."""
    READERS.insert(len(READERS) - 1, reader)


def pick_reader(data: bytes, suffix: str = "", format: str | None = None, source: str | None = None) -> Reader:
    """The reader for ``data``: the one named by ``format``, else the first whose content test accepts it."""
    if format is not None:
        for reader in READERS:
            if reader.name == format:
                return reader
        names = ", ".join(r.name for r in READERS)
        raise LoadError(f"未知格式「{format}」 / unknown format {format!r}; known: {names}", path=source)
    for reader in READERS:
        if reader.sniff(data, suffix):
            return reader
    head = data[:8].decode("latin-1").strip()
    zh, en = f"无法识别的文件格式（文件头「{head}」）", f"unrecognised file format (starts with {head!r})"
    raise LoadError(f"{zh} / {en}", path=source)


__all__ = ["READERS", "Reader", "pick_reader", "read_text", "register"]
