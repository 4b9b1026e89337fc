"""The three tables as the official template prints them, merged cells and all, built from known values.

Labels come from :mod:`gov_disclosure_stats.core.layouts` (never re-typed); values
from an ``expected.json`` dict. :func:`document` gives the report as paragraphs
and :class:`PrintedTable` objects in reading order; the docx and xlsx test
fixtures render it with python-docx and openpyxl.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import docx
import openpyxl

from gov_disclosure_stats.core.layouts import table_layout

Value = str | int | float | None


@dataclass(frozen=True)
class Placed:
    """One printed cell: its top-left and bottom-right grid positions (0-based, inclusive) and its content."""

    r0: int
    c0: int
    r1: int
    c1: int
    value: Value

    @property
    def merged(self) -> bool:
        return (self.r0, self.c0) != (self.r1, self.c1)


@dataclass
class PrintedTable:
    """A table grid of ``rows`` × ``cols`` positions and the cells printed on it."""

    rows: int
    cols: int
    cells: list[Placed] = field(default_factory=list)

    def put(self, r0: int, c0: int, value: Value, r1: int | None = None, c1: int | None = None) -> None:
        self.cells.append(Placed(r0, c0, r0 if r1 is None else r1, c0 if c1 is None else c1, value))


Parts = list[str | PrintedTable]
"""A report in reading order: paragraphs (str) and tables."""


def heading(table: str, version: str = "2021") -> str:
    """The section heading of a table, e.g. ``二、主动公开政府信息情况``."""
    layout = table_layout(table, version)
    return f"{layout.section}、{layout.label}"


def proactive(values: dict[str, Any], version: str = "2021") -> PrintedTable:
    """Table 二: a block title row across the four columns, a header row and the rows of each block.

    A block with one value column prints that column's label and values across
    the three value columns (merged).
    """
    layout = table_layout("proactive", version)
    blocks: dict[str, list[str]] = {}
    for node in layout.cell_rows:
        blocks.setdefault(node.block or "", []).append(node.code)
    width = 1 + max(len(layout.row_columns(code)) for codes in blocks.values() for code in codes)
    table = PrintedTable(sum(2 + len(codes) for codes in blocks.values()), width)
    r = 0
    for block, codes in blocks.items():
        table.put(r, 0, block, c1=width - 1)
        columns = layout.row_columns(codes[0])
        table.put(r + 1, 0, layout.header)
        last = width - 1 if len(columns) == 1 else None
        for j, column in enumerate(columns):
            table.put(r + 1, 1 + j, layout.column(column).label, c1=last)
        r += 2
        for code in codes:
            table.put(r, 0, layout.row(code).label)
            for j, column in enumerate(layout.row_columns(code)):
                table.put(r, 1 + j, values[code][column], c1=last)
            r += 1
    return table


def requests(values: dict[str, Any], version: str = "2021") -> PrintedTable:
    """Table 三: three label columns and seven value columns under a three-row header.

    The note fills the 3 × 3 top-left corner; 申请人情况 spans the seven value
    columns; 自然人 and 总计 span two header rows; 法人或其他组织 spans five
    columns; 三、本年度办理结果 runs down every outcome row and each group
    label （三）…（六） down its numbered sub-rows.
    """
    layout = table_layout("requests", version)
    columns = [c.code for c in layout.cell_columns if not c.is_optional]
    rows = [n for n in layout.cell_rows if not n.is_optional]
    table = PrintedTable(3 + len(rows), 3 + len(columns))
    last = 2 + len(columns)
    table.put(0, 0, layout.note, r1=2, c1=2)
    table.put(0, 3, layout.column("applicants").label, c1=last)
    organisations = layout.leaves("organisations", "columns")
    for j, column in enumerate(columns):
        node = layout.column(column)
        if column in organisations:
            table.put(2, 3 + j, node.label)
        else:
            table.put(1, 3 + j, node.label, r1=2)
    first_org = 3 + columns.index(organisations[0])
    table.put(1, first_org, layout.column("organisations").label, c1=first_org + len(organisations) - 1)
    groups: dict[str, list[int]] = {}
    outcome_rows: list[int] = []
    for i, node in enumerate(rows, start=3):
        if node.parent is None:
            table.put(i, 0, node.label, c1=2)
        elif node.parent == "outcomes":
            table.put(i, 1, node.label, c1=2)
        else:
            groups.setdefault(node.parent, []).append(i)
            table.put(i, 2, node.label)
        if node.parent is not None:
            outcome_rows.append(i)
        for j, column in enumerate(columns):
            table.put(i, 3 + j, values[node.code][column])
    table.put(outcome_rows[0], 0, layout.row("outcomes").label, r1=outcome_rows[-1])
    for group, at in groups.items():
        table.put(at[0], 1, layout.row(group).label, r1=at[-1])
    return table


def review_litigation(values: dict[str, Any], version: str = "2021", wrap: bool = True) -> PrintedTable:
    """Table 四: one data row of 15 numbers under the three-level header (行政复议 | 行政诉讼 …).

    With ``wrap`` the column labels print on two lines ("结果\\n纠正") as many reports do.
    """
    layout = table_layout("review_litigation", version)
    columns = [c.code for c in layout.cell_columns]
    rows = [r.code for r in layout.cell_rows]
    n = len(columns)
    table = PrintedTable(4, n * len(rows))

    def label(column: str) -> str:
        text = layout.column(column).label
        return f"{text[:2]}\n{text[2:]}" if wrap and len(text) == 4 else text

    review, *suits = rows
    table.put(0, 0, layout.row(review).label, c1=n - 1)
    table.put(0, n, layout.row(suits[0]).parent_label, c1=len(rows) * n - 1)
    for j, column in enumerate(columns):
        table.put(1, j, label(column), r1=2)
    for k, row in enumerate(suits, start=1):
        table.put(1, k * n, layout.row(row).label, c1=(k + 1) * n - 1)
        for j, column in enumerate(columns):
            table.put(2, k * n + j, label(column))
    for k, row in enumerate(rows):
        for j, column in enumerate(columns):
            table.put(3, k * n + j, values[row][column])
    return table


PROSE = "2022年，全区共受理依申请530件，因政府信息公开工作被申请行政复议12件。"


def document(expected: dict[str, Any]) -> Parts:
    """A whole report: title, prose, the three headings each followed by its table, closing sections."""
    tables = expected["tables"]
    version = expected["template"]
    return [
        expected["agency"],
        f"{expected['year']}年政府信息公开工作年度报告",
        "一、总体情况",
        PROSE,
        heading("proactive", version),
        proactive(tables["proactive"], version),
        heading("requests", version),
        requests(tables["requests"], version),
        heading("review_litigation", version),
        review_litigation(tables["review_litigation"], version),
        "五、存在的主要问题及改进情况",
        "一是依申请公开工作能力仍需提升。",
        "六、其他需要报告的事项",
        "本年度收取信息处理费0元。",
    ]


def as_text(value: Value) -> str:
    """A value as a Word cell prints it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- rendering: Word and Excel ---------------------------------------------------------------------------


def render_docx(container: Any, parts: Parts) -> None:
    """Add paragraphs and tables (merged ranges merged with ``cell.merge``) to a document or a table cell."""
    for part in parts:
        if isinstance(part, str):
            container.add_paragraph(part)
            continue
        table = container.add_table(rows=part.rows, cols=part.cols)
        grid = table._cells  # looked up once: table.cell() rebuilds this list on every call
        for placed in part.cells:
            if not placed.merged:
                grid[placed.r0 * part.cols + placed.c0].text = as_text(placed.value)
        for placed in part.cells:
            if placed.merged:
                cell = table.cell(placed.r0, placed.c0).merge(table.cell(placed.r1, placed.c1))
                cell.text = as_text(placed.value)


def docx_bytes(parts: Parts, nested: bool = False) -> bytes:
    """A .docx of ``parts``; ``nested`` puts everything inside a one-cell layout table."""
    doc = docx.Document()
    render_docx(doc.add_table(rows=1, cols=1).cell(0, 0) if nested else doc, parts)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_sheet(sheet: Any, parts: Parts, row: int = 1, column: int = 1) -> int:
    """Write paragraphs (one cell each) and tables (merged ranges merged) from ``row``; the next free row."""
    for part in parts:
        if isinstance(part, str):
            sheet.cell(row, column, part)
            row += 1
            continue
        for placed in part.cells:
            if placed.value is not None:
                sheet.cell(row + placed.r0, column + placed.c0, placed.value)
            if placed.merged:
                sheet.merge_cells(
                    start_row=row + placed.r0,
                    start_column=column + placed.c0,
                    end_row=row + placed.r1,
                    end_column=column + placed.c1,
                )
        row += part.rows
    return row


def workbook_bytes(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_bytes(parts: Parts, column: int = 1, title: str = "报告") -> bytes:
    """A workbook with the whole report in one sheet, from ``column``."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    render_sheet(sheet, parts, column=column)
    return workbook_bytes(book)
