"""The statistical tables as the official template prints them, and what validation says about each cell.

A :class:`Sheet` is one table as rows of printed boxes: headings with their
spans, row labels spanning the rows they head, data cells. :func:`cell_notes`
gathers, per cell, the failing rules that involve it and the corrections
suggested for it. The HTML display (:mod:`.display`) and the terminal tables
(:mod:`.render`) draw from these; labels and the row and column hierarchy
come from :mod:`.layouts`, never typed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..core.layouts import TableLayout, split_code
from ..core.rules import PREVIOUS
from ..core.values import Status, format_number
from ..model.report import REQUIRED_CORRECTION_COLUMNS

if TYPE_CHECKING:
    from ..model.report import Report
    from ..model.result import ValidationResult

SUBTOTAL = "小计"
"""The label of a group's subtotal row where a report prints one (the group's label heads its items)."""
MARK = {"hard": "✗", "soft": "!"}
"""The mark of a failing rule instance by severity, in every display."""
VERDICT = {True: ("通过", "PASS"), False: ("不通过", "FAIL")}
"""A report's verdict (every hard rule holds, or not) in Chinese and English."""


def verdict_text(ok: bool) -> str:
    """``通过 PASS`` or ``不通过 FAIL``."""
    return " ".join(VERDICT[bool(ok)])


STATUS_TEXT: dict[str, tuple[str, str]] = {
    Status.NUMBER: ("数值", "number"),
    Status.BLANK: ("空白", "blank"),
    Status.NOT_APPLICABLE: ("不适用标记", "not-applicable mark"),
    Status.TEXT: ("文字，不是数值", "text, not a number"),
    Status.OMITTED: ("报告未列出此行", "the report left the row out"),
    Status.AMBIGUOUS: ("数字连在一起，拆法不唯一", "digits run together, split ambiguous"),
    Status.UNPLACED: ("无法确定此格的数值（见载入问题）", "value could not be placed (see the load issues)"),
    Status.OUT_OF_RANGE: ("数值超出可精确表示的范围（±2^53），未读作数字", "number beyond ±2**53, not read as a value"),
}

Path = list[tuple[Any, str]]
"""A heading path: (key, label) from the outermost heading to the node itself."""


@dataclass(frozen=True)
class Box:
    """One printed cell: a heading or label (``text``) or a data cell (``cell`` = row code, column code).

    ``kind`` is ``corner`` (the top-left note), ``heading`` (column headings),
    ``block`` (a proactive block heading), ``label`` (row labels) or ``data``.
    """

    text: str = ""
    kind: str = "label"
    colspan: int = 1
    rowspan: int = 1
    cell: tuple[str, str] | None = None


@dataclass(frozen=True)
class Sheet:
    """One table laid out as printed: ``head`` rows over ``body`` rows, ``width`` grid columns."""

    table: str
    title: str
    width: int
    head: tuple[tuple[Box, ...], ...]
    body: tuple[tuple[Box, ...], ...]

    @property
    def cells(self) -> list[tuple[str, str]]:
        """The data cells in printed order."""
        return [b.cell for row in (*self.head, *self.body) for b in row if b.cell is not None]


# -- paths: the headings above a column, the labels beside a row ------------------------------------


def _chain(layout: TableLayout, code: str, axis: str) -> list[Any]:
    get = layout.row if axis == "rows" else layout.column
    chain = [get(code)]
    while chain[0].parent is not None:
        chain.insert(0, get(chain[0].parent))
    return chain


def row_paths(layout: TableLayout, rows: Sequence[str]) -> list[Path]:
    """The labels of each row from the outermost group (三、本年度办理结果, 行政诉讼) to the row itself.

    A printed group subtotal followed by its items becomes ``[…, group, 小计]``,
    so that the group's label heads its subtotal and its items alike.
    """
    printed = set(rows)
    paths: list[Path] = []
    for code in rows:
        node = layout.row(code)
        path: Path = [(("row", n.code), n.label) for n in _chain(layout, code, "rows")]
        if node.parent_label:
            path.insert(0, (("heading", node.parent_label), node.parent_label))
        if node.group and any(layout.row(r).parent == code for r in printed):
            path.append((("subtotal", code), SUBTOTAL))
        paths.append(path)
    return paths


def column_paths(layout: TableLayout, columns: Sequence[str]) -> list[Path]:
    """The headings over each ``requests`` column: 申请人情况 over all of them (总计 too, as printed),
    法人或其他组织 over its five columns and the subtotal a report may print beside them."""
    roots = [c for c in layout.columns if c.group and c.parent is None]
    paths: list[Path] = []
    for code in columns:
        node = layout.column(code)
        chain = (
            [*_chain(layout, node.subtotal_of, "columns"), node]
            if node.subtotal_of
            else _chain(layout, code, "columns")
        )
        if len(roots) == 1 and chain[0] is not roots[0]:
            chain.insert(0, roots[0])
        paths.append([(("column", n.code), n.label) for n in chain])
    return paths


def _heads(paths: Sequence[Path]) -> list[list[Box]]:
    """Heading rows over grid columns with these paths: equal neighbours merge, a leaf spans down to the bottom."""
    depth = max(len(p) for p in paths)
    rows: list[list[Box]] = []
    for level in range(depth):
        boxes: list[Box] = []
        j = 0
        while j < len(paths):
            path = paths[j]
            if len(path) <= level:  # under a leaf that spans down from above
                j += 1
                continue
            key, text = path[level]
            leaf = level == len(path) - 1
            k = j + 1
            while not leaf and k < len(paths) and len(paths[k]) > level + 1 and paths[k][level][0] == key:
                k += 1
            boxes.append(Box(text, "heading", colspan=k - j, rowspan=depth - level if leaf else 1))
            j = k
        rows.append(boxes)
    return rows


def _labels(paths: Sequence[Path], width: int) -> list[list[Box]]:
    """Row labels: a group's label spans the rows under it, a row's own label the label columns left."""
    out: list[list[Box]] = []
    for i, path in enumerate(paths):
        boxes: list[Box] = []
        for level, (key, text) in enumerate(path[:-1]):
            if i and len(paths[i - 1]) > level + 1 and paths[i - 1][level][0] == key:
                continue  # spanned from the row above
            n = 1
            while i + n < len(paths) and len(paths[i + n]) > level + 1 and paths[i + n][level][0] == key:
                n += 1
            boxes.append(Box(text, "label", rowspan=n))
        boxes.append(Box(path[-1][1], "label", colspan=width - len(path) + 1))
        out.append(boxes)
    return out


# -- the three tables ---------------------------------------------------------------------------------


def _requests(layout: TableLayout, rows: Sequence[str], columns: Sequence[str]) -> tuple[list, list, int]:
    head = _heads(column_paths(layout, columns))
    paths = row_paths(layout, rows)
    labels = max(len(p) for p in paths)
    head[0].insert(0, Box(layout.note or "", "corner", colspan=labels, rowspan=len(head)))
    body = [
        [*boxes, *(Box(kind="data", cell=(r, c)) for c in columns)]
        for r, boxes in zip(rows, _labels(paths, labels), strict=True)
    ]
    return head, body, labels + len(columns)


def _review(layout: TableLayout, rows: Sequence[str], columns: Sequence[str]) -> tuple[list, list, int]:
    """One data row under the rows as headings (行政复议 | 行政诉讼: 未经复议直接起诉, 复议后起诉), as printed."""
    paths = [
        [*path, (("cell", r, c), layout.column(c).label)]
        for r, path in zip(rows, row_paths(layout, rows), strict=True)
        for c in columns
    ]
    body = [[Box(kind="data", cell=(r, c)) for r in rows for c in columns]]
    return _heads(paths), body, len(paths)


def _proactive(layout: TableLayout, rows: Sequence[str], columns: Sequence[str]) -> tuple[list, list, int]:
    """Blocks (第二十条第（一）项…), each with its own heading row; a block's last column spans what is left."""
    width = 1 + max(len(layout.row_columns(r)) for r in rows)
    body: list[list[Box]] = []
    block: str | None = None
    header: tuple[str, ...] | None = None
    for code in rows:
        node, cols = layout.row(code), layout.row_columns(code)
        spans = [1] * (len(cols) - 1) + [width - len(cols)]
        if node.block != block:
            block, header = node.block, None
            body.append([Box(node.block or "", "block", colspan=width)])
        if cols != header:
            header = cols
            body.append(
                [
                    Box(layout.header or "", "heading"),
                    *(Box(layout.column(c).label, "heading", colspan=s) for c, s in zip(cols, spans, strict=True)),
                ]
            )
        body.append(
            [
                Box(node.label, "label"),
                *(Box(kind="data", colspan=s, cell=(code, c)) for c, s in zip(cols, spans, strict=True)),
            ]
        )
    return [], body, width


_SHEETS = {"proactive": _proactive, "requests": _requests, "review_litigation": _review}


def sheet(report: Report, table: str) -> Sheet:
    """``table`` of ``report`` as the template prints it: the rows and columns ``report.tables[table]`` has."""
    layout = report.layout(table)
    frame = report.tables[table]
    head, body, width = _SHEETS[table](layout, list(frame.index), list(frame.columns))
    return Sheet(
        table=table,
        title=f"{layout.section}、{layout.label}",
        width=width,
        head=tuple(tuple(r) for r in head),
        body=tuple(tuple(r) for r in body),
    )


# -- what a cell holds, what is said about it ---------------------------------------------------------


@dataclass(frozen=True)
class CellText:
    """What a cell shows: ``text`` (the number, or the raw mark or text), its status and where it was printed."""

    text: str
    status: str | None
    raw: str
    where: str | None

    @property
    def is_number(self) -> bool:
        return self.status == Status.NUMBER

    def describe(self) -> str:
        """The status in Chinese and English, with the raw text where it differs from what is shown."""
        zh, en = STATUS_TEXT.get(self.status or "", ("报告中没有此单元格", "not in the report"))
        out = f"{zh} / {en}"
        if self.raw.strip() and self.raw.strip() != self.text:
            out += f"：「{self.raw.strip()}」"
        return out


def cell_texts(report: Report) -> dict[tuple[str, str, str], CellText]:
    """Every cell of the report by (table, row, column)."""
    cells = report.cells
    out: dict[tuple[str, str, str], CellText] = {}
    columns = ("table", "row", "column", "value", "raw", "status", "where")
    for table, row, col, value, raw, status, where in zip(*(cells[c] for c in columns), strict=True):
        raw = raw if isinstance(raw, str) else ""
        text = format_number(value) if status == Status.NUMBER and not pd.isna(value) else " ".join(raw.split())
        out[(table, row, col)] = CellText(text, status, raw, where if isinstance(where, str) else None)
    return out


@dataclass(frozen=True)
class Finding:
    """One failing rule instance as it concerns one cell."""

    number: int
    rule_id: str
    severity: str
    message_zh: str
    message_en: str
    anchor: bool
    """True for the cell the violation is reported at (a total, the cell itself)."""
    other_report: str | None = None
    """The report the rule compared with (a two-year rule), if not this one."""


@dataclass
class CellNote:
    """The findings and suggested corrections of one cell."""

    findings: list[Finding] = field(default_factory=list)
    corrections: list[dict[str, Any]] = field(default_factory=list)
    first_solution: Any = None
    """The report's first solution (its lowest number): the one shown beside the value."""

    @property
    def severity(self) -> str | None:
        """``hard`` when a hard rule fails on the cell, else ``soft`` when a soft one does, else None."""
        kinds = {f.severity for f in self.findings}
        return "hard" if "hard" in kinds else "soft" if kinds else None

    @property
    def suggestion(self) -> dict[str, Any] | None:
        """This cell's correction in the report's first solution, if that solution changes it."""
        return next((c for c in self.corrections if c["solution"] == self.first_solution), None)


def anchor_code(violation: Any) -> str:
    """The cell a violation is reported at: its table.row.column, else its first cell."""
    row, column = violation.row, violation.column
    if isinstance(row, str) and row and isinstance(column, str) and column:
        return f"{violation.table}.{row}.{column}"
    return str(violation.cells[0]).removeprefix(PREVIOUS)


def report_violations(report: Report, result: ValidationResult, report_id: str | None = None) -> pd.DataFrame:
    """The violations of ``report`` and those of the next year's report that read its cells (two-year rules).

    ``report_id`` is the report's id in ``result`` where it differs from ``report.report_id`` (the second of
    two reports with one id is ``id#2`` there).
    """
    report_id = str(report.report_id) if report_id is None else report_id
    v = result.violations
    related = v["related_report_id"] == report_id if "related_report_id" in v else False
    return v[(v["report_id"] == report_id) | related]


def _corrections_of(corrections: pd.DataFrame, report_id: str) -> pd.DataFrame:
    missing = [c for c in REQUIRED_CORRECTION_COLUMNS if c not in corrections.columns]  # reason, note: optional
    if missing:
        raise ValueError(
            f"更正表缺少列：{', '.join(missing)} / the corrections frame lacks the columns: {', '.join(missing)}"
        )
    return corrections[corrections["report_id"] == report_id]


def unsolved_notes(corrections: pd.DataFrame | None, report_id: str) -> list[str]:
    """The notes of a report's correction rows that name no cell: ``localize`` found no change that repairs it."""
    if corrections is None:
        return []
    mine = _corrections_of(corrections, report_id)
    open_ = mine[mine["cell"].isna()]
    notes = open_["note"] if "note" in open_ else [None] * len(open_)
    default = "未找到更正 / no correction found"
    return list(dict.fromkeys(n if isinstance(n, str) and n else default for n in notes))


def cell_notes(
    report: Report,
    result: ValidationResult | None = None,
    corrections: pd.DataFrame | None = None,
    report_id: str | None = None,
) -> tuple[dict[tuple[str, str, str], CellNote], pd.DataFrame]:
    """Per cell (table, row, column): the failing rules that involve it and the corrections suggested for it.

    Returns the notes and the report's violations (numbered 1… in ``number`` order, as the findings are).
    ``report_id`` is the report's id in ``result`` and ``corrections`` (default ``report.report_id``).
    Correction rows without a cell (a report ``localize`` could not repair) are left to :func:`unsolved_notes`.
    """
    report_id = str(report.report_id) if report_id is None else report_id
    notes: dict[tuple[str, str, str], CellNote] = {}
    found = report_violations(report, result, report_id) if result is not None else pd.DataFrame()
    for number, v in enumerate(found.itertuples(index=False), start=1):
        mine = v.report_id == report_id
        anchor = anchor_code(v)
        for code in v.cells:
            code = str(code)
            if code.startswith(PREVIOUS) == mine or code.count(".") != (3 if code.startswith(PREVIOUS) else 2):
                continue  # a cell of the other year's report (or not a cell code)
            cell = split_code(code.removeprefix(PREVIOUS))
            other = v.related_report_id if mine else v.report_id
            finding = Finding(
                number,
                v.rule_id,
                v.severity,
                v.message_zh,
                v.message_en,
                anchor=mine and ".".join(cell) == anchor,
                other_report=other if isinstance(other, str) and other else None,
            )
            notes.setdefault(cell, CellNote()).findings.append(finding)
    if corrections is not None:
        mine = _corrections_of(corrections, report_id)
        mine = mine[mine["cell"].notna()]
        first = mine["solution"].min() if len(mine) else None
        for record in mine.to_dict(orient="records"):
            note = notes.setdefault(split_code(str(record["cell"])), CellNote())
            note.corrections.append(record)
            note.first_solution = first
    return notes, found.reset_index(drop=True)


def number_text(value: Any) -> str:
    """A suggested or current value as printed (``297``, ``4934.0578``; blank for none: None, NaN, ``pd.NA``)."""
    return "" if value is None or pd.isna(value) else format_number(value)
