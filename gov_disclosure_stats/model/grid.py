"""What every reader produces: a document as a sequence of prose paragraphs and tables of cells.

Readers (text, HTML, docx, PDF) only turn a file into these blocks; the label
matcher and :mod:`gov_disclosure_stats.assemble` turn blocks into a ``Report``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import NamedTuple


class GridCell(NamedTuple):
    """One printed cell: its raw text, its position in its table and where it came from.

    ``row`` and ``col`` are the cell's indices in its table as printed (merged
    cells are not expanded); ``where`` names the place in the source, e.g.
    ``"line 123"`` or ``"table 2, row 3, cell 4"``. (A named tuple: readers
    make hundreds per page, and tuples are the cheapest immutable records.)
    """

    text: str
    row: int
    col: int
    where: str

    @property
    def empty(self) -> bool:
        """True when the cell holds nothing but whitespace."""
        return not self.text.strip()


cell_of = partial(tuple.__new__, GridCell)
"""A :class:`GridCell` from a ``(text, row, col, where)`` tuple, skipping the named tuple's Python-level ``__new__``
(readers make hundreds of cells per page: this halves their cost)."""


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of prose (a heading, a title, a sentence)."""

    text: str
    where: str


@dataclass(frozen=True)
class Table:
    """A table: rows of cells, in reading order."""

    rows: tuple[tuple[GridCell, ...], ...]
    where: str = ""

    def cells(self) -> list[GridCell]:
        """Every cell, row by row."""
        return [cell for row in self.rows for cell in row]


Block = Paragraph | Table


@dataclass
class TableBuilder:
    """Collects rows of cell texts with their places and builds a :class:`Table`."""

    rows: list[list[tuple[str, str]]] = field(default_factory=list)

    def add_row(self, cells: Sequence[tuple[str, str]]) -> None:
        """Add a row given as ``(text, where)`` pairs; empty rows are skipped."""
        if cells:
            self.rows.append(list(cells))

    def build(self, where: str = "") -> Table:
        """The finished table (cells get their row and column indices here)."""
        rows = tuple(
            tuple([cell_of((text, r, c, place)) for c, (text, place) in enumerate(row)])
            for r, row in enumerate(self.rows)
        )
        return Table(rows, where)
