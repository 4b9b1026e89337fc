"""The plain-text reader: tables copied out of a web page or a Word file.

Layout: a table cell is a line indented by a tab; rows are separated by blank
lines; an empty cell is a lone tab; a line without a tab that directly follows
a label cell continues that label ("\\t结果\\n纠正" is the one cell "结果纠正");
every other line is prose, one paragraph per line.
"""

from __future__ import annotations

from ...core.encoding import check_text, decode
from ...core.values import Status, parse_cell
from ...model.grid import Block, Paragraph, TableBuilder


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` whatever its line endings (numbered from 1 by position + 1)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _continues(cell_text: str) -> bool:
    """True when a following untabbed line can continue this cell (a label, not a number or a blank)."""
    return bool(cell_text) and parse_cell(cell_text).status is Status.TEXT


def read_text(text: str) -> list[Block]:
    """Blocks of a plain-text report: prose paragraphs and tables, every cell with its line number."""
    blocks: list[Block] = []
    builder = TableBuilder()
    lines_of_table: list[int] = []
    row: list[list[str]] = []  # [text, where] of the cells of the current row
    previous = "blank"  # what the previous line was: cell, blank or prose

    def end_row() -> None:
        builder.add_row([(text, where) for text, where in row])
        row.clear()

    def end_table() -> None:
        nonlocal builder
        end_row()
        if builder.rows:
            first, last = lines_of_table[0], lines_of_table[-1]
            blocks.append(builder.build(f"lines {first}-{last}"))
        builder = TableBuilder()
        lines_of_table.clear()

    for number, line in enumerate(split_lines(text), start=1):
        if line.startswith("\t"):
            row.append([line.strip(), f"line {number}"])
            lines_of_table.append(number)
            previous = "cell"
        elif not line.strip():
            end_row()
            previous = "blank"
        elif previous == "cell" and _continues(row[-1][0]):
            row[-1][0] += line.strip()
            lines_of_table.append(number)
        else:
            end_table()
            blocks.append(Paragraph(line.strip(), f"line {number}"))
            previous = "prose"
    end_table()
    return blocks


_BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff")


def sniff(data: bytes, suffix: str = "") -> bool:
    """The plain-text reader takes whatever no other reader recognised, but no known binary format."""
    return not data.lstrip().startswith(_BINARY_MAGIC)


def read(data: bytes, source: str | None = None) -> list[Block]:
    """Decode a plain-text file (its encoding detected) and read its blocks."""
    return read_text(check_text(decode(data, source), source))
