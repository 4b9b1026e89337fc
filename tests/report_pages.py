"""Render a report's known values in the official table layout, as an HTML page or as Markdown.

The labels, notes, headers and block titles all come from
:mod:`gov_disclosure_stats.core.layouts`; only the values come from the caller
(the ``tables`` part of an ``expected.json``). Tables are built as rows of
:class:`Cell` (with ``colspan``/``rowspan`` as the template merges them), then
written out as HTML (merges as attributes) or as Markdown pipe tables (merges
as empty cells).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gov_disclosure_stats.core.layouts import Node, TableLayout, table_layout

DATA = Path(__file__).parent / "data"
SAMPLE_NAME = "2022_beijing-shijingshan_district-government"
EXPECTED: dict[str, Any] = json.loads((DATA / f"{SAMPLE_NAME}.expected.json").read_text("utf-8"))

Values = Mapping[str, Mapping[str, Mapping[str, Any]]]
LabelFn = Callable[[str], str]
ValueFn = Callable[[str, str], str]  # (cell code, printed text) -> HTML


@dataclass(frozen=True)
class Cell:
    """One printed cell: a label (``code`` empty) or a value (``code`` is ``table.row.column``)."""

    text: str
    colspan: int = 1
    rowspan: int = 1
    code: str = ""


Grid = list[list[Cell]]


def printed(value: Any) -> str:
    """A value as a report prints it (``4934.0578``, ``36627``; None blank)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _value(values: Values, table: str, row: str, column: str) -> Cell:
    return Cell(printed(values[table][row][column]), code=f"{table}.{row}.{column}")


# -- the three tables in the template's layout -------------------------------------------------


def proactive_grids(values: Values, version: str = "2021", one_table: bool = True) -> list[Grid]:
    """Table 二: per block a title row, a header row (信息内容 + columns) and its rows; one table or one per block."""
    layout = table_layout("proactive", version)
    rows = [r for r in layout.cell_rows if r.code in values["proactive"]]
    width = 1 + max(len(layout.row_columns(r.code)) for r in rows) if one_table else 0
    grids: list[Grid] = []
    for block in dict.fromkeys(r.block for r in rows):
        members = [r for r in rows if r.block == block]
        columns = layout.row_columns(members[0].code)
        span = (width - 1) // len(columns) if one_table else 1
        title = [Cell(block or "", colspan=width)] if one_table else [Cell(block or "")] + [Cell("")] * len(columns)
        grid: Grid = [
            title,
            [Cell(layout.header or ""), *(Cell(layout.column(c).label, colspan=span) for c in columns)],
        ]
        for row in members:
            cells = [_value(values, "proactive", row.code, c) for c in columns]
            grid.append([Cell(row.label), *(Cell(c.text, colspan=span, code=c.code) for c in cells)])
        grids.append(grid)
    return [[row for grid in grids for row in grid]] if one_table else grids


def _chain(layout: TableLayout, node: Node) -> list[Node]:
    out = [node]
    while out[-1].parent:
        out.append(layout.row(out[-1].parent))
    return out[::-1]


def requests_grid(values: Values, version: str = "2021", drop: Collection[str] = ()) -> Grid:
    """Table 三: the three header rows of the template, then the rows with their group labels as rowspans."""
    layout = table_layout("requests", version)
    columns = [c for c in layout.cell_columns if not c.is_optional]
    orgs = [c for c in columns if c.parent == "organisations"]
    rows = [r for r in layout.rows if r.is_cell and not r.is_optional and r.code not in drop]
    chains = [_chain(layout, r) for r in rows]
    depth = max(len(c) for c in chains)
    first, total = columns[0], columns[-1]
    grid: Grid = [
        [Cell(layout.note or "", colspan=depth, rowspan=3), Cell(layout.column("applicants").label, len(columns))],
        [
            Cell(first.label, rowspan=2),
            Cell(layout.column("organisations").label, colspan=len(orgs)),
            Cell(total.label, rowspan=2),
        ],
        [Cell(c.label) for c in orgs],
    ]
    for i, chain in enumerate(chains):
        cells: list[Cell] = []
        for k, node in enumerate(chain):
            last = k == len(chain) - 1
            if not last and i and len(chains[i - 1]) > k and chains[i - 1][k].code == node.code:
                continue  # under the rowspan of the group label above
            if last:
                cells.append(Cell(node.label, colspan=depth - k))
            else:
                span = 0
                while i + span < len(chains) and len(chains[i + span]) > k and chains[i + span][k].code == node.code:
                    span += 1
                cells.append(Cell(node.label, rowspan=span))
        cells += [_value(values, "requests", chain[-1].code, c.code) for c in columns]
        grid.append(cells)
    return grid


def review_grid(values: Values, version: str = "2021") -> Grid:
    """Table 四: one row of 15 numbers under the three-level header (复议 | 诉讼: 直接起诉, 复议后起诉)."""
    layout = table_layout("review_litigation", version)
    rows, columns = layout.cell_rows, layout.cell_columns
    width = len(columns)
    top: list[Cell] = []
    for row in rows:
        if row.parent_label is None:
            top.append(Cell(row.label, colspan=width))
        elif top and top[-1].text == row.parent_label:
            top[-1] = Cell(row.parent_label, colspan=top[-1].colspan + width)
        else:
            top.append(Cell(row.parent_label, colspan=width))
    middle: list[Cell] = []
    for row in rows:
        if row.parent_label is None:
            middle += [Cell(c.label, rowspan=2) for c in columns]
        else:
            middle.append(Cell(row.label, colspan=width))
    bottom = [Cell(c.label) for row in rows if row.parent_label for c in columns]
    data = [_value(values, "review_litigation", r.code, c.code) for r in rows for c in columns]
    return [top, middle, bottom, data]


# -- distortions real pages print ---------------------------------------------------------------


def positions(grid: Grid) -> list[list[tuple[int, Cell]]]:
    """Each row's cells with the grid column each starts at (merges expanded as a browser lays them out)."""
    taken: set[tuple[int, int]] = set()
    out: list[list[tuple[int, Cell]]] = []
    for r, row in enumerate(grid):
        c, placed = 0, []
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((c, cell))
            taken.update((r + dr, c + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan))
            c += cell.colspan
        out.append(placed)
    return out


def split_under(grid: Grid, header: str, half: str = "second", filler: str = "") -> Grid:
    """The column headed ``header`` printed two grid columns wide: the header cell (and every header cell over it)
    gets one more ``colspan``, while each value under it stays one cell with an empty cell (text ``filler``)
    beside it, so the value sits under the ``half`` ("first" or "second") of the merged header."""
    laid = positions(grid)
    column = next(c for row in laid for c, cell in row if cell.text == header and not cell.code)
    out: Grid = []
    for row in laid:
        cells: list[Cell] = []
        for c, cell in row:
            if not c <= column < c + cell.colspan:
                cells.append(cell)
            elif not cell.code:
                cells.append(Cell(cell.text, cell.colspan + 1, cell.rowspan, cell.code))
            else:
                pair = [cell, Cell(filler)] if half == "first" else [Cell(filler), cell]
                cells += pair
        out.append(cells)
    return out


# -- HTML ---------------------------------------------------------------------------------------


def plain_label(text: str) -> str:
    return html.escape(text)


def plain_value(code: str, text: str) -> str:
    return html.escape(text)


def html_table(grid: Grid, label: LabelFn = plain_label, value: ValueFn = plain_value, attrs: str = "") -> str:
    """A grid as an HTML ``<table>`` with its merges as ``colspan``/``rowspan``."""
    out = [f"<table border=1{attrs}>"]
    for row in grid:
        out.append("<tr>")
        for cell in row:
            spans = (f" colspan={cell.colspan}" if cell.colspan > 1 else "") + (
                f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else ""
            )
            body = value(cell.code, cell.text) if cell.code else label(cell.text)
            out.append(f"<td{spans}>{body}</td>")
        out.append("</tr>\n")
    out.append("</table>")
    return "".join(out)


def heading(table: str) -> str:
    """A table's section heading as the template prints it (二、主动公开政府信息情况)."""
    layout = table_layout(table, "2021")
    return f"{layout.section}、{layout.label}"


def report_body(
    values: Values = EXPECTED["tables"],
    *,
    agency: str = EXPECTED["agency"],
    year: int = EXPECTED["year"],
    label: LabelFn = plain_label,
    value: ValueFn = plain_value,
    drop: Collection[str] = (),
    prose: str = "",
    edit: Callable[[str, Grid], Grid] | None = None,
) -> str:
    """The report's title, prose sections and the three tables, as body HTML (``edit(table, grid)`` distorts a
    table's grid before it is written)."""
    tables = {
        "proactive": proactive_grids(values)[0],
        "requests": requests_grid(values, drop=drop),
        "review_litigation": review_grid(values),
    }
    if edit is not None:
        tables = {table: edit(table, grid) for table, grid in tables.items()}
    parts = [
        f"<h1>{html.escape(agency)}<br>{year}年政府信息公开工作年度报告</h1>",
        "<h2>一、总体情况</h2>",
        f"<p>{year}年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》。{prose}</p>",
    ]
    for table, grid in tables.items():
        parts.append(f"<h2>{heading(table)}</h2>")
        parts.append(html_table(grid, label, value))
    parts += [
        "<h2>五、存在的主要问题及改进情况</h2>",
        "<p>存在的问题：一是公开工作能力仍需进一步提升。</p>",
        "<h2>六、其他需要报告的事项</h2>",
        "<div>本机关未收取信息处理费。<br>无其他需要报告的事项。</div>",
    ]
    return "\n".join(parts)


def page(body: str, head: str = '<meta charset="utf-8">') -> str:
    """A whole page around ``body``."""
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        f"{head}\n<title>政府信息公开工作年度报告</title>\n"
        "<style>td { border: 1px solid #000 }</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def report_page(**options: Any) -> str:
    """The sample report as a whole UTF-8 HTML page (options as :func:`report_body`)."""
    return page(report_body(**options))


# -- Markdown ------------------------------------------------------------------------------------


def expand(grid: Grid) -> list[list[str]]:
    """A grid with its merges expanded: the text at the top-left, empty cells elsewhere."""
    taken: dict[tuple[int, int], str] = {}
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken[(r + dr, c + dc)] = ""
            taken[(r, c)] = cell.text
            c += cell.colspan
    width = 1 + max(c for _, c in taken)
    return [[taken.get((r, c), "") for c in range(width)] for r in range(len(grid))]


def markdown_table(grid: Grid) -> str:
    """A grid as a Markdown pipe table (the first row is the header row)."""
    rows = expand(grid)
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def report_markdown(values: Values = EXPECTED["tables"], one_proactive_table: bool = False) -> str:
    """The sample report as Markdown: headings, prose, and the tables as pipe tables (table 二 one per block)."""
    parts = [
        f"# {EXPECTED['agency']}{EXPECTED['year']}年政府信息公开工作年度报告",
        "## 一、总体情况",
        f"{EXPECTED['year']}年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》。",
        f"## {heading('proactive')}",
        *(markdown_table(grid) for grid in proactive_grids(values, one_table=one_proactive_table)),
        f"## {heading('requests')}",
        markdown_table(requests_grid(values)),
        f"## {heading('review_litigation')}",
        markdown_table(review_grid(values)),
        "## 五、存在的主要问题及改进情况",
        "存在的问题：一是公开工作能力仍需进一步提升。",
    ]
    return "\n\n".join(parts) + "\n"
