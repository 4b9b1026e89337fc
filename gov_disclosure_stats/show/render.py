"""Rendering a :class:`Report` as text: the plain-text format that :mod:`.readers.text` reads, and tables
for the terminal.

The plain-text layout is the one of a table copied out of a web page (the
石景山区 sample): one cell per tab-indented line, rows separated by blank
lines, a lone tab for an empty cell. The terminal tables (``rich``) draw the
printed layout of :mod:`.printed` with the cells of failing rules marked.
Labels come from :mod:`.layouts`, never re-typed here.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..core.errors import bilingual_place
from ..core.layouts import TABLES, TableLayout
from ..core.values import Status, format_number
from ..model.matrix import unique_ids
from ..model.report import Report
from .printed import (
    MARK,
    SUBTOTAL,
    anchor_code,
    cell_notes,
    cell_texts,
    column_paths,
    number_text,
    row_paths,
    sheet,
    unsolved_notes,
    verdict_text,
)

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table
    from rich.text import Text

    from ..model.result import ValidationResult

Row = list[str]


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
            text = format_number(value)
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


# -- terminal tables (rich) -----------------------------------------------------------------------------

_RICH_STYLE = {"hard": "bold white on red3", "soft": "black on yellow3"}


def _rich_cell(key: tuple[str, str, str], texts: dict, notes: dict) -> Text:
    """A data cell: the number (a mark or text dimmed), the suggestion, the failing-rule marker."""
    from rich.text import Text

    text, note = texts.get(key), notes.get(key)
    shown = text.text if text is not None else ""
    cell = Text(shown, style="" if text is not None and text.is_number else "dim italic")
    if note is None:
        return cell
    fix = note.suggestion
    if fix is not None:
        suggested = number_text(fix["suggested"])  # blank: the rules do not determine the value
        cell = Text.assemble(
            (number_text(fix["current"]) or shown, "strike"),
            " → ",
            (suggested, "bold green") if suggested else ("?", "bold yellow"),
        )
    refs = sorted({f.number for f in note.findings if f.anchor})
    if refs:  # the cell a violation is reported at: its number
        cell.stylize(_RICH_STYLE[note.severity])
        cell.append(f" {MARK[note.severity]}{','.join(map(str, refs))}", style=_RICH_STYLE[note.severity])
    elif note.severity:  # another cell the failing rule reads
        cell.stylize("red" if note.severity == "hard" else "yellow")
    return cell


def _column_header(paths: list, j: int, depth: int) -> str:
    """The headings over column ``j``, one per line: a group's label over the first of its columns only."""
    path = paths[j]
    lines = []
    for level, (key, label) in enumerate(path[:-1]):
        first = j == 0 or len(paths[j - 1]) <= level + 1 or paths[j - 1][level][0] != key
        lines.append(label if first else "")
    return "\n".join([*lines, *[""] * (depth - len(path)), path[-1][1]])


def _fold(text: str, width: int) -> str:
    """Each line of ``text`` broken into pieces of at most ``width`` terminal cells (Chinese has no spaces to
    break at, so a table could not otherwise narrow its headings)."""
    from rich.cells import cell_len

    pieces: list[str] = []
    for line in text.split("\n"):
        piece = ""
        for ch in line:
            if piece and cell_len(piece + ch) > width:
                pieces.append(piece)
                piece = ""
            piece += ch
        pieces.append(piece)
    return "\n".join(pieces)


def _rich_grid(report: Report, table: str, texts: dict, notes: dict, width: int) -> Table:
    """``requests`` or ``review_litigation``: rows × columns, labels indented under their groups; headings
    folded so that the table fits ``width`` terminal cells where it can."""
    from rich.cells import cell_len
    from rich.table import Table

    layout = report.layout(table)
    frame = report.tables[table]
    rows, columns = list(frame.index), list(frame.columns)
    heads = (
        column_paths(layout, columns)
        if table == "requests"  # the 结果 group of table 四 is not printed: its columns head the rows' groups
        else [[(c, layout.column(c).label)] for c in columns]
    )
    depth = max(len(p) for p in heads)
    grid = Table(title=f"{layout.section}、{layout.label}", title_justify="left", show_lines=False)
    borders = 1 + 3 * (len(columns) + 1)
    widest = max(cell_len(line) for path in heads for _, label in path for line in label.split("\n"))
    column_width = max(6, min(widest, (width - 16 - borders) // len(columns)))
    label_width = max(10, width - borders - column_width * len(columns))
    grid.add_column("", overflow="fold")
    for j in range(len(columns)):
        header = "\n".join(_fold(line, column_width) for line in _column_header(heads, j, depth).split("\n"))
        grid.add_column(header, justify="right", overflow="fold")
    shown: list = []
    for code, path in zip(rows, row_paths(layout, rows), strict=True):
        own = path[:-1] if path[-1][1] == SUBTOTAL and isinstance(path[-1][0], tuple) else path
        for level, (key, label) in enumerate(own[:-1]):  # a group's label once, over its rows
            if len(shown) <= level or shown[level] != key:
                del shown[level:]
                shown.append(key)
                grid.add_row(_fold("  " * level + label, label_width), *[""] * len(columns), style="bold")
        del shown[len(own) - 1 :]
        label = "  " * (len(own) - 1) + own[-1][1]
        grid.add_row(_fold(label, label_width), *(_rich_cell((table, code, c), texts, notes) for c in columns))
    return grid


def _rich_blocks(report: Report, table: str, texts: dict, notes: dict, width: int) -> Table:
    """``proactive``: its blocks and their heading rows, as printed."""
    from rich.table import Table
    from rich.text import Text

    printed = sheet(report, table)
    column_width = max(6, (width - 16 - 1 - 3 * printed.width) // (printed.width - 1))
    grid = Table(title=printed.title, title_justify="left", show_header=False)
    for j in range(printed.width):
        grid.add_column(justify="left" if j == 0 else "right", overflow="fold")
    for i, row in enumerate(printed.body):
        cells: list = []
        for box in row:
            if box.cell is not None:
                cells.append(_rich_cell((table, *box.cell), texts, notes))
            else:
                text = box.text if box.kind != "heading" or not cells else _fold(box.text, column_width)
                cells.append(Text(text, style="bold" if box.kind in ("block", "heading") else ""))
            cells += [""] * (box.colspan - 1)
        next_is_block = i + 1 < len(printed.body) and printed.body[i + 1][0].kind == "block"
        grid.add_row(*cells, end_section=next_is_block)
    return grid


def rich_tables(
    report: Report,
    result: ValidationResult | None = None,
    corrections: pd.DataFrame | None = None,
    width: int = 100,
    report_id: str | None = None,
) -> list[RenderableType]:
    """The report's tables as ``rich`` tables (headings folded to fit ``width`` terminal cells), then the
    numbered list of its violations.

    The cell a violation is reported at shows ✗ (hard) or ! (soft) and the violation's number on red or
    amber; the other cells the failing rule reads are coloured. A report ``corrections`` hold no change for
    (``localize`` found none) is said so first. ``report_id`` is the report's id in ``result`` and
    ``corrections`` where it differs from ``report.report_id`` (``id#2`` for the second of two reports with one id).
    """
    from rich.text import Text

    report_id = str(report.report_id) if report_id is None else report_id
    notes, found = cell_notes(report, result, corrections, report_id)
    texts = cell_texts(report)
    out: list[RenderableType] = [
        Text(f"更正 corrections: {note}", style="bold yellow") for note in unsolved_notes(corrections, report_id)
    ]
    for table in TABLES:
        if table in report.layouts:
            draw = _rich_blocks if table == "proactive" else _rich_grid
            out.append(draw(report, table, texts, notes, width))
    for number, v in enumerate(found.itertuples(index=False), start=1):
        head, body = footnote(v, report_id, number)
        out.append(Text.assemble((head, "red" if v.severity == "hard" else "yellow"), body))
    return out


def print_validation(result: ValidationResult, reports: Sequence[Report], console: Console | None = None) -> None:
    """What ``gds validate --format table`` prints: per report its verdict, its tables and its violations, then
    the unverifiable rules and the count of hard-rule checks.

    The lines between the tables are the lines of ``--format text`` (with the violations numbered), left for the
    terminal to wrap: Chinese has no spaces for ``rich`` to break lines at.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = console or Console()
    by_id = dict(zip(unique_ids([str(r.report_id) for r in reports]), reports, strict=True))  # X, X#2 as in result
    for meta in result.reports.itertuples(index=False):
        console.print(
            Text.assemble(report_heading(meta), (verdict_text(meta.ok), "bold green" if meta.ok else "bold red")),
            soft_wrap=True,
        )
        report = by_id.get(meta.report_id)
        if report is not None:
            for item in rich_tables(report, result, width=console.width, report_id=meta.report_id):
                console.print(item, soft_wrap=not isinstance(item, Table))
        for line in unverifiable_lines(result, meta.report_id):
            console.print(Text(line, style="dim"), soft_wrap=True)
    console.print(totals_line(result), soft_wrap=True)


# -- the lines both terminal outputs print (here and ``gds validate --format text``) --------------------------

QUOTE_WIDTH = 80
"""Terminal cells a quoted sentence of a message may take in a footnote (longer ones are cut with "…")."""
_QUOTED = re.compile(r"「(?P<zh>[^「」]*)」|“(?P<en>[^“”]*)”")


def display_width(text: str) -> int:
    """Terminal cells: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def shorten_quotes(text: str, width: int = QUOTE_WIDTH) -> str:
    """``text`` with each quoted passage (「…」, “…”) longer than ``width`` terminal cells cut short with "…"."""

    def cut(m: re.Match[str]) -> str:
        inner = m["zh"] if m["zh"] is not None else m["en"]
        if display_width(inner) <= width:
            return m.group()
        kept, used = [], display_width("…")
        for ch in inner:
            used += display_width(ch)
            if used > width:
                break
            kept.append(ch)
        return f"{m.group()[0]}{''.join(kept)}…{m.group()[-1]}"

    return _QUOTED.sub(cut, text)


def report_heading(meta: Any) -> str:
    """The start of a report's verdict line: ``id  agency 2022年  模板 template 2021: `` (a ``result.reports`` row)."""
    year = "" if pd.isna(meta.year) else f" {meta.year}年"
    agency = meta.agency if isinstance(meta.agency, str) else ""
    return f"{meta.report_id}  {agency}{year}  模板 template {meta.template}: "


def footnote(violation: Any, report_id: str, number: int | None = None) -> tuple[str, str]:
    """A violation under its report: the head (mark, ``number``, rule id, severity) and the rest (the cell,
    the place in the file or the other report of a two-year rule, both messages with long quotes cut short)."""
    v = violation
    mine = v.report_id == report_id
    where = getattr(v, "where", None)
    place = f"  ({bilingual_place(where)})" if isinstance(where, str) and mine else ""
    about = "" if mine else f"  — {v.report_id}"
    head = f"  {MARK.get(v.severity, '?')}{'' if number is None else number} {v.rule_id} [{v.severity}] "
    messages = "".join(f"\n      {shorten_quotes(str(m))}" for m in (v.message_zh, v.message_en))
    return head, f"{anchor_code(v)}{place}{about}{messages}"


def unverifiable_lines(result: ValidationResult, report_id: str) -> list[str]:
    """``?`` lines: per rule, how many of its instances in a report could not be checked and which cells were
    missing."""
    unv = result.unverifiable
    if not unv.shape[0]:
        return []
    lines = []
    for rule_id, group in unv[unv["report_id"] == report_id].groupby("rule_id", sort=False):
        missing = sorted({c for cells in group["missing"] for c in cells})
        lines.append(f"  ? {rule_id}: {len(group)} 项无法核验 unverifiable (missing: {', '.join(missing[:6])})")
    return lines


def totals_line(result: ValidationResult) -> str:
    """The closing line: reports, hard-rule checks, failures, unverifiable items and the reading of blanks."""
    summary = result.summary()
    hard = summary[summary["severity"] == "hard"]
    return (
        f"{len(result.reports)} 份报告 report(s); 硬规则 hard rules: {int(hard['items'].sum())} 项检查 checked, "
        f"{int(hard['failed'].sum())} 项不通过 failed, {int(hard['unverifiable'].sum())} 项无法核验 unverifiable; "
        f"空白按0 blank_as_zero={result.blank_as_zero}"
    )
