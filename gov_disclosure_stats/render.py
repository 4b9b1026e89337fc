"""Rendering a :class:`Report` back into the plain-text format that :mod:`.readers.text` reads.

The layout is the one of a table copied out of a web page (the 石景山区 sample):
one cell per tab-indented line, rows separated by blank lines, a lone tab for
an empty cell. Labels come from :mod:`.layouts`, never re-typed here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from .layouts import TableLayout
from .report import Report
from .values import Status

Row = list[str]


def _number(value: float) -> str:
    """A value as a report prints it: ``12`` not ``12.0``, decimals without exponent."""
    if float(value).is_integer():
        return str(int(value))
    text = repr(float(value))
    return text if "e" not in text else f"{value:.10f}".rstrip("0").rstrip(".")


def _cell_texts(report: Report, table: str) -> dict[tuple[str, str], str]:
    """The printed text of every cell of ``table``: the raw text when it is printable on one line."""
    part = report.cells[report.cells["table"] == table]
    out: dict[tuple[str, str], str] = {}
    for row, column, value, raw, status in zip(
        part["row"], part["column"], part["value"], part["raw"], part["status"], strict=True
    ):
        if isinstance(raw, str) and raw.strip() and not any(c in raw for c in "\t\r\n"):
            text = raw.strip()
        elif status == Status.NUMBER and not (value is None or pd.isna(value)):
            text = _number(float(value))
        else:
            text = "" if status == Status.BLANK or not isinstance(raw, str) else " ".join(raw.split())
        out[(row, column)] = text
    return out


def _block(rows: Iterable[Row]) -> list[str]:
    """Rows as lines: one ``\\t``-prefixed line per cell, a blank line after each row."""
    lines: list[str] = []
    for row in rows:
        lines += [f"\t{text}" for text in row]
        lines.append("")
    return lines


def _proactive(layout: TableLayout, cells: dict[tuple[str, str], str]) -> list[Row]:
    rows: list[Row] = []
    printed = {r for r, _ in cells}
    block, header = None, None
    for node in layout.cell_rows:
        if node.code not in printed:
            continue
        columns = layout.row_columns(node.code)
        if node.block != block:
            block, header = node.block, None
            rows.append([node.block or ""])
        if columns != header:
            header = columns
            rows.append([layout.header or "信息内容", *(layout.column(c).label for c in columns)])
        rows.append([node.label, *(cells.get((node.code, c), "") for c in columns)])
    return rows


def _requests(layout: TableLayout, cells: dict[tuple[str, str], str]) -> list[Row]:
    printed_rows = {r for r, _ in cells}
    printed_cols = {c for _, c in cells}
    columns = [c.code for c in layout.cell_columns if not c.is_optional or c.code in printed_cols]
    orgs = {c.code for c in layout.columns if c.parent == "organisations" or c.subtotal_of == "organisations"}
    top = [layout.column(c).label for c in columns if c not in orgs]
    top.insert(next(i for i, c in enumerate(columns) if c in orgs), layout.column("organisations").label)
    rows: list[Row] = [
        [layout.note or "", layout.column("applicants").label],
        ["", *top],
        ["", *(layout.column(c).label if c in orgs else "" for c in columns)],
    ]
    first_outcome = True
    for node in layout.cell_rows:
        if node.code not in printed_rows:
            continue
        values = [cells.get((node.code, c), "") for c in columns]
        if node.parent is None:
            labels = [node.label]
        else:
            lead = layout.row(node.parent)
            if lead.code == "outcomes":  # （一）… directly under 三、本年度办理结果
                labels = ["", node.label]
            elif node.code == layout.leaves(lead.code)[0] and lead.code not in printed_rows:
                labels = ["", lead.label, node.label]  # the first sub-item names its group
            else:
                labels = ["", "", node.label]
        if node.parent is not None and first_outcome:
            labels[0] = layout.row("outcomes").label
            first_outcome = False
        rows.append([*labels, *values])
    return rows


def _review(layout: TableLayout, cells: dict[tuple[str, str], str]) -> list[Row]:
    columns = [c.code for c in layout.cell_columns]
    review, *suits = layout.cell_rows
    labels = [layout.column(c).label for c in columns]
    return [
        [review.label, suits[0].parent_label or ""],
        [*labels, *(s.label for s in suits)],
        [*([""] * len(columns)), *(labels * len(suits))],
        [cells.get((node.code, c), "") for node in layout.cell_rows for c in columns],
    ]


_TABLES = {"proactive": _proactive, "requests": _requests, "review_litigation": _review}


def to_text(report: Report) -> str:
    """The report as a plain-text file (title, the three section headings and tables) that ``gds.load`` reads back.

    Values print as their raw text when it fits on one line, else as the number;
    blanks print as an empty cell.
    """
    year = "" if report.year is None or (isinstance(report.year, float) and math.isnan(report.year)) else report.year
    title = f"{report.agency or ''}{year}年政府信息公开工作年度报告" if year != "" else "政府信息公开工作年度报告"
    lines = [title, ""]
    for table, render in _TABLES.items():
        if table not in report.layouts:
            continue
        layout = report.layout(table)
        lines += [f"{layout.section}、{layout.label}", ""]
        lines += _block(render(layout, _cell_texts(report, table)))
        lines.append("")
    return "\n".join(lines)
