"""Blocks → :class:`Report`: find the three tables by their headings and place every printed cell.

Format-independent: every reader's blocks go through here, with the one label
matcher (:mod:`.labels`) and the one cell parser (:func:`.values.parse_cell`).
A table whose template cells cannot all be placed raises :class:`LoadError`;
a half-filled report is never returned.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import NamedTuple, NoReturn

import pandas as pd

from ..core.errors import LoadError, zh_place
from ..core.labels import (
    candidates_any,
    chinese_number,
    has_numbering,
    is_section_heading,
    label_key,
    match_any,
    match_block,
    match_column,
    match_heading,
    match_row,
)
from ..core.layouts import TABLES, VERSIONS, TableLayout, table_layout, version_for_year
from ..core.values import Status, parse_cell
from ..model.grid import Block, GridCell, Paragraph, Table, TableBuilder
from ..model.issues import LoadIssue, issues_frame
from ..model.report import Report, detect_version, long_frame
from .digits import RunRow, resolve, run_together, unlabelled_run
from .flow import unflow

Row = tuple[GridCell, ...]

_TITLE = re.compile(
    r"(?P<agency>.*?)(?P<year>\d{4}|[〇零一二三四五六七八九]{4})年度?(?P<what>[^。]*?政府信息公开[^。]*?报告)[^。]{0,12}"
)
_COMPILER = re.compile(r"本报告(?:是)?由(?P<who>[^，。,（(《]{2,40}?)(?:根据|依据|按照|依照|编制|制作|负责)")
_JURISDICTION = re.compile(r"(?:[\u4e00-\u9fff]{2,12}?(?:省|自治区|市|自治州|州|盟|地区))+")
_FIELD = re.compile(
    r"^(?:标题|题目|名称|文章标题|title)[:：]", re.IGNORECASE
)  # a crawler's field name before the title
_TITLE_SEARCH = 40  # paragraphs before the first table heading searched for the title
_TITLE_MAX = 60  # a title broken over two paragraphs is no longer than this
_MAX_LISTED = 8  # missing rows named (in Chinese) in one message


@dataclass
class _Context:
    """What every table reader needs: the file (for errors), the template version to try first, and the issues.

    ``problem`` records what the loader could not read as printed (or raises it, when ``strict``).
    """

    path: str | None
    hint: str
    strict: bool = False
    issues: list[LoadIssue] = field(default_factory=list)
    prose: dict[str, list[str]] = field(default_factory=dict)  # per table: its section's lines before its values

    def fail(self, where: str, zh: str, en: str) -> NoReturn:
        """Raise a bilingual :class:`LoadError` at ``where``."""
        raise LoadError.at(self.path, where, zh, en)

    def problem(
        self,
        where: str,
        zh: str,
        en: str,
        kind: str,
        action: str,
        cell: tuple[str, ...] = (),
        raw: str = "",
        refuse: bool = True,
    ) -> None:
        """Record an issue at ``where`` (``cell`` = table, row, column codes as far as known); raise when strict
        (unless ``refuse`` is false: an ambiguous split loads, strict or not)."""
        if self.strict and refuse:
            self.fail(where, zh, en)
        table, row, column = (*cell, "", "", "")[:3]
        issue = LoadIssue(table, row, column, kind, raw, where, action, zh, en)
        if issue not in self.issues:
            self.issues.append(issue)

    def layouts(self, table: str) -> list[TableLayout]:
        """The layouts of ``table``, the hinted version first."""
        return [table_layout(table, v) for v in sorted(VERSIONS, key=lambda v: v != self.hint)]


@dataclass
class _Placed:
    """The cells of one table placed under (row, column) codes."""

    table: str
    ctx: _Context
    cells: dict[tuple[str, str], GridCell] = field(default_factory=dict)
    omitted: dict[tuple[str, str], str] = field(default_factory=dict)  # rows left out → the table's place
    ambiguous: set[tuple[str, str]] = field(default_factory=set)  # cells split from a run the rules leave open
    unplaced: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # cells not read → (raw, where)

    def put(self, row: str, column: str, cell: GridCell) -> None:
        prev = self.cells.get((row, column))
        if prev is not None:
            self.ctx.problem(
                cell.where,
                f"单元格 {self.table}.{row}.{column} 重复出现（另见{zh_place(prev.where)}）",
                f"cell {self.table}.{row}.{column} printed twice (also at {prev.where})",
                "duplicate_cell",
                "kept_first",
                (self.table, row, column),
                cell.text,
            )
            return
        self.cells[(row, column)] = cell

    def unplace_row(self, problem: _Problem, row: str, columns: Sequence[str], raw: str) -> None:
        """Record ``problem`` of a printed row and mark its cells unplaced."""
        self.ctx.problem(problem.where, problem.zh, problem.en, problem.kind, "marked_unplaced", (self.table, row), raw)
        self.unplace(row, columns, raw, problem.where)

    def unplace(self, row: str, columns: Sequence[str], raw: str, where: str) -> None:
        """Mark the cells of ``row`` under ``columns`` unplaced (their printed values could not be placed)."""
        for column in columns:
            if (row, column) not in self.cells:
                self.unplaced.setdefault((row, column), (raw, where))


class _Problem(NamedTuple):
    """Why a row cannot be placed as printed: its shape (short, long, no label) or its label (unknown, ambiguous)."""

    kind: str
    where: str
    zh: str
    en: str


# -- finding the tables and the title ---------------------------------------------------


def find_tables(blocks: Sequence[Block]) -> tuple[dict[str, list[Table]], dict[str, Paragraph]]:
    """The tables under each section heading, and the headings found (by table code).

    Inside a table's section: a sub-heading that names one of the table's rows (OCR Markdown cuts table 三 into
    small tables under ``### 一、本年新收…`` / ``### (三) 不予公开``) does not end the section, and labels the
    small table under it (:func:`_under`); a later small table repeating the header row of an earlier one loses
    that copy; a prose line holding a row label and its numbers (``行政许可 97``) is a one-row table.
    """
    found: dict[str, list[Table]] = {}
    headings: dict[str, Paragraph] = {}
    current: str | None = None
    sub: Paragraph | None = None  # the sub-heading right above, when it names a row of the current table
    for block in blocks:
        if isinstance(block, Paragraph):
            table = match_heading(block.text)
            sub = None
            if table is not None:
                current = table
                headings.setdefault(table, block)
            elif current is not None and (row := _prose_row(block, current)) is not None:
                found.setdefault(current, []).append(row)
            elif current is not None and _names_row(block.text, current):
                sub = block
            elif is_section_heading(block.text):
                current = None
        elif current is not None:
            tables = found.setdefault(current, [])
            tables.append(_under(block, sub, current, tables))
    return found, headings


def _section_prose(blocks: Sequence[Block]) -> dict[str, list[str]]:
    """Per table: the lines of its section before its first number (a header a converter printed as prose)."""
    out: dict[str, list[str]] = {}
    current: str | None = None
    done: set[str] = set()
    for block in blocks:
        if isinstance(block, Table):
            if current is not None and current not in done and any(_is_value(c) for c in block.cells()):
                done.add(current)
        elif (table := match_heading(block.text)) is not None:
            current = table
        elif current is not None and is_section_heading(block.text) and not _names_row(block.text, current):
            current = None
        elif current is not None and current not in done and "。" not in block.text:
            out.setdefault(current, []).append(block.text)
    return out


_PROSE_ROW = re.compile(r"(?P<label>.*?\D)\s+(?P<values>\d[\d.,]*(?:\s+\d[\d.,]*)*)")
_SUB_HEADING_MAX = 60


def _layouts_of(table: str) -> list[TableLayout]:
    return [table_layout(table, v) for v in VERSIONS[::-1]]


def _names_row(text: str, table: str) -> bool:
    """True for a short line (a sub-heading) that names one row of ``table``."""
    norm = "".join(text.split())
    if len(norm) > _SUB_HEADING_MAX or "。" in norm:
        return False
    return len(candidates_any(text, _layouts_of(table), "rows")) == 1


def _prose_row(para: Paragraph, table: str) -> Table | None:
    """A prose line holding one row of ``table``, its label then its numbers (``行政许可 97``), as a table."""
    m = _PROSE_ROW.fullmatch(para.text.strip()) if len(para.text) <= 2 * _SUB_HEADING_MAX else None
    if m is None or match_any(m["label"], _layouts_of(table), "rows") is None:
        return None
    cells = [(m["label"].strip(), para.where), *((v, para.where) for v in m["values"].split())]
    builder = TableBuilder()
    builder.add_row(cells)
    return builder.build(para.where)


def _under(table: Table, sub: Paragraph | None, code: str, earlier: Sequence[Table]) -> Table:
    """A small table of a section cut into pieces, as one piece of the whole.

    Its first row is dropped when it repeats the first row of an earlier piece (the header printed again).
    Under a sub-heading naming a row: a value row without a label takes the sub-heading as its label when the
    piece has a header row (``### 行政复议`` / ``| 结果维持 | … |`` / ``| 27 | … |``), and a labelled row takes a
    group's sub-heading as the label of its group (``### (三) 不予公开`` / ``| 1. 属于国家秘密 | … |``).
    """
    rows = list(table.rows)
    texts = [c.text for c in rows[0]] if rows else []
    if (
        earlier
        and rows
        and all(_is_text(c) for c in rows[0])
        and any([c.text for c in t.rows[0]] == texts for t in earlier)
    ):
        rows = rows[1:]
    if sub is not None and rows:
        rows = _labelled(rows, sub, code, all(_is_text(c) for c in table.rows[0]))
    if len(rows) == len(table.rows) and all(a is b for a, b in zip(rows, table.rows, strict=True)):
        return table
    return Table(tuple(rows), table.where)


def _labelled(rows: list[Row], sub: Paragraph, code: str, headed: bool) -> list[Row]:
    """The rows of a piece under a sub-heading naming a row: the sub-heading as their label (a headed piece's
    value rows) or as their group's label (when every labelled row is an item of that group)."""
    layouts = _layouts_of(code)
    row_code = candidates_any(sub.text, layouts, "rows")[0]
    children = {n.code for lay in layouts for n in lay.rows if n.parent == row_code}
    label = GridCell(sub.text, 0, 0, sub.where)
    if not children:
        if not headed:
            return rows
        return [(label, *row) if row and not row[0].empty and not _is_text(row[0]) else row for row in rows]
    named = [
        i
        for i, row in enumerate(rows)
        if row and not row[0].empty and _is_text(row[0]) and candidates_any(row[0].text, layouts, "rows")
    ]
    if not named or any(not set(candidates_any(rows[i][0].text, layouts, "rows", row_code)) & children for i in named):
        return rows
    return [(label, *row) if i in named else row for i, row in enumerate(rows)]


def _is_text(cell: GridCell) -> bool:
    return cell.empty or parse_cell(cell.text).status is Status.TEXT


def find_title(blocks: Sequence[Block]) -> tuple[str | None, int | None, str | None]:
    """Agency, report year and the title's place, from the title above the statistical tables.

    A title is one paragraph, or else two short ones in a row (a title broken
    over two lines, as PDF pages print a long centred title). Tables before
    the first table heading (a page's 索引号/发布机构 box) are passed over.
    """
    paragraphs: list[Paragraph] = []
    for block in blocks:
        if isinstance(block, Table):
            continue
        if len(paragraphs) >= _TITLE_SEARCH or match_heading(block.text) is not None:
            break
        paragraphs.append(block)
    texts = [_FIELD.sub("", "".join(para.text.split())) for para in paragraphs]
    candidates = [(i, text) for i, text in enumerate(texts)]
    candidates += [
        (i, texts[i] + texts[i + 1])
        for i in range(len(texts) - 1)
        if "。" not in texts[i] + texts[i + 1] and len(texts[i] + texts[i + 1]) <= _TITLE_MAX
    ]
    for i, text in candidates:
        m = _TITLE.fullmatch(text)
        if not m:
            continue
        year = int(m["year"]) if m["year"].isdigit() else chinese_number(m["year"])
        agency = re.sub(r"(关于|的)$", "", m["agency"]) or _after_year(m["what"])
        if agency is None and i > 0:
            above = texts[i - 1]
            if above and len(above) <= 40 and "。" not in above and not re.search(r"\d", above):
                agency = above
        if agency is not None:
            agency = _unabbreviated(_fuller_agency(agency, paragraphs[i + 1 :]))
        return agency, year, paragraphs[i].where
    return None, None, None


def _after_year(what: str) -> str | None:
    """The agency of a title that starts with its year: ``2024年上海市科委政府信息公开工作年度报告``."""
    agency = what.partition("政府信息公开")[0]
    return agency if _JURISDICTION.match(agency) else None


_ABBREVIATED = {
    "科委": "科学技术委员会",
    "发改委": "发展和改革委员会",
    "卫健委": "卫生健康委员会",
    "教委": "教育委员会",
}
"""Short names of commissions that titles print, and their full names (the same for every jurisdiction)."""


def _unabbreviated(agency: str) -> str:
    """The agency with a short commission name after its jurisdiction written out: 上海市科委 → 上海市科学技术委员会."""
    for short, full in _ABBREVIATED.items():
        if agency.endswith(short) and _JURISDICTION.fullmatch(agency[: -len(short)]):
            return agency[: -len(short)] + full
    return agency


def _fuller_agency(agency: str, paragraphs: Sequence[Paragraph]) -> str:
    """The agency with the jurisdiction above it when the report's opening sentence names it so.

    A title may print "洪泽区人民政府" where the opening sentence, "本报告由淮安市
    洪泽区人民政府办公室…编制", names the same agency under its city: the fuller
    name, the same for every year's report, is the one returned.
    """
    for para in paragraphs:
        m = _COMPILER.search("".join(para.text.split()))
        if m is None:
            continue
        compiler = m["who"]
        at = compiler.find(agency)
        if at > 0 and _JURISDICTION.fullmatch(compiler[:at]):
            return compiler[:at] + agency
        return agency
    return agency


# -- shared row helpers -------------------------------------------------------------------


def _split_header(
    rows: Sequence[Row], vocab: Callable[[str], bool], loose: bool = False
) -> tuple[list[Row], list[Row]]:
    """Leading rows whose every cell is a header label, and the data rows after them.

    ``loose``: any unnumbered text is a header label (a header broken into fragments: ``维持 | 纠正 | 结果``).
    """
    header: list[Row] = []
    for i, row in enumerate(rows):
        texts = [c.text for c in row if not c.empty]
        if not texts or not all(
            parse_cell(t).status is Status.TEXT and not has_numbering(t) and (loose or vocab(t)) for t in texts
        ):
            return header, list(rows[i:])
        header.append(row)
    return header, []


def _header_zone(rows: Sequence[Row], is_row: Callable[[str], bool]) -> tuple[list[Row], list[Row]]:
    """Leading rows without a number or a row label (header rows, their fragments, ``- | -`` placeholder rows
    of an OCR header), and the data rows from the first row with either."""
    for i, row in enumerate(rows):
        first = next((c for c in row if not c.empty), None)
        if first is not None and (has_numbering(first.text) or is_row(first.text) or any(_is_value(c) for c in row)):
            return list(rows[:i]), list(rows[i:])
    return list(rows), []


def _is_value(cell: GridCell) -> bool:
    return not cell.empty and parse_cell(cell.text).status is Status.NUMBER


def _is_subsequence(word: str, text: str) -> bool:
    chars = iter(text)
    return all(ch in chars for ch in word)


def _header_columns(header: Sequence[Row], fragments: Sequence[str], layout: TableLayout) -> tuple[list[str], bool]:
    """The leaf columns the header names in printed order, else the template's order; and whether the header
    (or no header at all) agrees with that order.

    A header broken into fragments (``商业企`` … ``业``) names a column when the column's label is a subsequence
    of the header's text; it is then read in the template's order. ``数据1``…``数据6`` name nothing.
    """
    tree = _tree_columns(header, layout)
    if tree is not None:
        return tree, True
    template = [c.code for c in layout.cell_columns if not c.is_optional]
    texts = [c.text for row in header for c in row if not c.empty]
    if not texts:
        return template, True
    named = {code for t in texts if (code := match_column(t, layout)) is not None}
    joined = "".join(label_key(t).full for t in [*fragments, *texts])
    understood = all(
        code in named or _is_subsequence(label_key(layout.column(code).label).full, joined) for code in template
    )
    return template, understood


def _labels_of(row: Row) -> list[GridCell]:
    """The leading label cells of a row that does not read as label + values: up to its last text cell
    before the first value."""
    labels: list[GridCell] = []
    for cell in row:
        if not cell.empty and parse_cell(cell.text).status is not Status.TEXT:
            break
        labels.append(cell)
    while labels and labels[-1].empty:
        labels.pop()
    return labels


def _values_text(row: Row, labels: Sequence[GridCell]) -> str:
    """The printed values of a row after its labels, space-separated (the raw text of unplaced cells)."""
    return " ".join(" ".join(c.text.split()) for c in row[len(labels) :] if not c.empty)


def _trimmed(row: Row, n: int) -> Row:
    """The row without trailing empty cells when a label and ``n`` values stand right before them.

    A converter pads a row to its (glued) table's width: ``一、本年新收… | 32 | … | 34 | ``. A blank last value
    (a label, a merged position, then values) keeps its cell.
    """
    if len(row) <= n + 1 or not row[-1].empty:
        return row
    end = len(row)
    while end and row[end - 1].empty:
        end -= 1
    if end < n + 1 or row[end - n].empty or row[end - n - 1].empty:
        return row
    if (
        parse_cell(row[end - n].text).status is Status.TEXT
        or parse_cell(row[end - n - 1].text).status is not Status.TEXT
    ):
        return row
    return row[:end]


def _raw_of(
    row: Row, labels: Sequence[GridCell], values: Sequence[GridCell], run: RunRow | None, problem: _Problem | None
) -> str:
    """The printed values of a read row, space-separated: its digit runs, or what follows its labels."""
    if run is not None:
        return run.text
    if problem is not None:
        return _values_text(row, labels)
    return " ".join(c.text for c in values if not c.empty)


def _split_row(
    row: Row, n: int, width: int = 0, is_label: Callable[[str], bool] | None = None
) -> tuple[list[GridCell], list[GridCell], _Problem | None]:
    """A data row's label cells and its last ``n`` value cells, or its labels and the problem.

    ``width`` is the number of cells of the row's table (0: unknown): a row with fewer cells and an empty cell
    among its last ``n`` cannot be aligned (a merged position, a blank value, a cell lost?), so it is a problem.
    So is a row label (``is_label``) among its last ``n`` cells: a value was lost and the row's own label
    would be read as a value of the row above it (a group's subtotal), every value shifted by one.
    """
    printed = len(row)
    row = _trimmed(row, n)
    if len(row) == n and parse_cell(row[0].text).status is not Status.TEXT:
        return (
            [],
            list(row),
            _Problem(
                "no_label",
                row[0].where,
                f"这一行没有行标签，有{n}个数值",
                f"row has no label, {n} values",
            ),
        )
    if len(row) <= n:
        return (
            _labels_of(row),
            [],
            _Problem(
                "short_row",
                row[0].where,
                f"这一行有{len(row)}个单元格，应为行标签加{n}个数值",
                f"row has {len(row)} cells, expected a label and {n} values",
            ),
        )
    labels, values = list(row[:-n]), list(row[-n:])
    extra = next((c for c in labels if parse_cell(c.text).status is Status.NUMBER), None)
    if extra is not None:
        problem = _Problem("long_row", extra.where, f"这一行的数值多于{n}个", f"row has more than {n} values")
        return _labels_of(row), [], problem
    if all(c.empty for c in labels):
        return (
            [],
            values,
            _Problem(
                "no_label",
                row[0].where,
                f"这一行没有行标签，或数值少于{n}个",
                f"row has no label or fewer than {n} values",
            ),
        )
    if is_label and any(parse_cell(c.text).status is Status.TEXT and is_label(c.text) for c in values):
        return (
            _labels_of(row),
            [],
            _Problem(
                "short_row",
                row[0].where,
                f"这一行的数值少于{n}个（行标签落在数值的位置）",
                f"row has fewer than {n} values (a row label sits where a value should be)",
            ),
        )
    if printed < width and any(c.empty for c in values):
        return (
            _labels_of(row),
            [],
            _Problem(
                "short_row",
                row[0].where,
                f"这一行有{printed}个单元格，表格有{width}列，无法确定数值的位置",
                f"row has {printed} cells where its table has {width}: its values cannot be aligned",
            ),
        )
    return labels, values, None


def _split_row_at(row: Row, positions: Sequence[int]) -> tuple[list[GridCell], list[GridCell], _Problem | None]:
    """A data row's label cells and its value cells at the positions of its header's column labels.

    For grids where a value merged across several columns leaves blank
    positions beside it (a block with one value column under a wider header).
    """
    labels, values, rest = list(row[: positions[0]]), [], []
    for start, end in zip(positions, [*positions[1:], len(row)], strict=True):  # a label's columns: to the next
        filled = [c for c in row[start:end] if not c.empty] or [row[start]]  # its value may sit under any of them
        values.append(filled[0])
        rest += filled[1:]
    extra = next((c for c in [*labels, *rest] if parse_cell(c.text).status is Status.NUMBER), None)
    extra = extra or next((c for c in rest if not c.empty), None)
    if extra is not None:
        n = len(positions)
        return (
            _labels_of(row),
            [],
            _Problem("long_row", extra.where, f"这一行的数值多于{n}个", f"row has more than {n} values"),
        )
    if all(c.empty for c in labels):
        return [], values, _Problem("no_label", row[0].where, "这一行没有行标签", "row has no label")
    return labels, values, None


def _row_code(cell: GridCell, layouts: list[TableLayout], group: str | None) -> tuple[str | None, _Problem | None]:
    """The row code a label cell names, or the problem (an unknown or ambiguous label)."""
    code = match_any(cell.text, layouts, "rows", group)
    if code is not None:
        return code, None
    label = " ".join(cell.text.split())
    codes = candidates_any(cell.text, layouts, "rows", group)
    if len(codes) > 1:
        labels = "、".join(dict.fromkeys(f"「{_row_label(layouts, c)}」" for c in codes))
        return None, _Problem(
            "ambiguous_label",
            cell.where,
            f"行标签「{label}」有歧义，可能是{labels}",
            f"ambiguous row label '{label}': could be {', '.join(codes)}",
        )
    return None, _Problem(
        "unknown_label", cell.where, f"无法识别的行标签「{label}」", f"unrecognised row label '{label}'"
    )


def _row_label(layouts: Sequence[TableLayout], code: str) -> str:
    return next(lay.row(code).label for lay in layouts if lay.has_row(code))


def _all_rows(tables: Sequence[Table]) -> list[Row]:
    return [row for table in tables for row in table.rows]


def _place_runs(placed: _Placed, runs: Sequence[RunRow]) -> None:
    """Split the digit runs of the rows whose numbers ran together (:func:`.digits.resolve`) and place the cells.

    Rows the rules cannot split are issues: their cells are marked unplaced.
    """
    if not runs:
        return
    keys = [*placed.cells, *(key for run in runs for key in run.targets)]
    version = detect_version(placed.table, {r for r, _ in keys}, {c for _, c in keys}, placed.ctx.hint)
    layout = table_layout(placed.table, version)
    known = {(r, c): parse_cell(cell.text, layout.money_unit(c)).value for (r, c), cell in placed.cells.items()}

    def failed(error: LoadError, run: RunRow | None) -> None:
        cell = (placed.table, run.targets[0][0]) if run and run.targets else (placed.table,)
        where = error.where or (run.where if run else "")
        zh, en = error.zh or error.reason, error.en or error.reason
        placed.ctx.problem(where, zh, en, "run_split", "marked_unplaced", cell, run.text if run else "")

    for (row, column), found in resolve(layout, runs, known, placed.ctx.path, on_error=failed).items():
        if found.unplaced:
            placed.unplace(row, [column], found.cell.text, found.cell.where)
            continue
        placed.put(row, column, found.cell)
        if found.ambiguous:
            placed.ambiguous.add((row, column))
            options = found.cell.text.partition(" → ")[2]
            placed.ctx.problem(
                found.cell.where,
                f"数字连在一起，按规则可拆为 {options}，无法确定",
                f"digits run together; the rules leave {options}",
                "ambiguous_split",
                "marked_ambiguous",
                (placed.table, row, column),
                found.cell.text,
                refuse=False,
            )


@dataclass
class _Entry:
    """One data row as read: the row code its label names (None until known) and what it holds."""

    code: str | None
    label: GridCell | None
    columns: Sequence[str]  # the columns its values fill, in printed order
    values: Sequence[GridCell] = ()
    run: RunRow | None = None
    problem: _Problem | None = None  # a short or long row, a row without a label
    label_problem: _Problem | None = None  # an unknown or ambiguous label
    raw: str = ""  # its printed values, space-separated
    by_position: bool = False

    @property
    def data(self) -> bool:
        """True when the row carries values (printed or blank), not only labels."""
        return bool(self.raw or self.values or self.run)


def _by_order(entries: Sequence[_Entry], layout: TableLayout) -> None:
    """Give rows with an unknown label the template rows between their known neighbours, when the counts agree.

    The template's row order is evidence: three unknown rows between （一）and （五）, where the template has
    three rows the table has not printed, are those three, in order (the optional printed subtotals counted
    only when the count needs them).
    """
    order = [r.code for r in layout.cell_rows]
    optional = {r.code for r in layout.cell_rows if r.is_optional}
    position = {code: i for i, code in enumerate(order)}
    anchors = [(-1, -1)]
    anchors += [(i, position[e.code]) for i, e in enumerate(entries) if e.code in position]
    anchors.append((len(entries), len(order)))
    used = {e.code for e in entries}
    for (i0, p0), (i1, p1) in pairwise(anchors):
        unknown = [e for e in entries[i0 + 1 : i1] if e.code is None and e.data]
        free = [code for code in order[p0 + 1 : p1] if code not in used] if p1 > p0 else []
        required = [code for code in free if code not in optional]
        fits = required if len(unknown) == len(required) else free
        if unknown and len(unknown) == len(fits):
            for entry, code in zip(unknown, fits, strict=True):
                entry.code, entry.by_position = code, True


def _place_entries(placed: _Placed, entries: Sequence[_Entry], layouts: Sequence[TableLayout]) -> None:
    """Place the rows read, recording an issue for each that cannot be placed as printed."""
    ctx, table = placed.ctx, placed.table
    _by_order(entries, table_layout(table, ctx.hint))
    runs: list[RunRow] = []
    for entry in entries:
        problem, raw = entry.problem, entry.raw
        if entry.code is None:
            problem = problem or entry.label_problem
            if problem is not None and entry.data:
                ctx.problem(problem.where, problem.zh, problem.en, problem.kind, "skipped", (table,), raw)
            continue
        code = entry.code
        if entry.by_position:
            p, label = entry.label_problem or problem, _row_label(layouts, code)
            assert p is not None
            if ctx.strict:  # refused as printed: the label, not the placing
                ctx.fail(p.where, p.zh, p.en)
            ctx.problem(
                p.where,
                f"{p.zh}，按模板的行序放在「{label}」",
                f"{p.en}, placed as {code} by the template's row order",
                "placed_by_position",
                "placed_by_position",
                (table, code),
                raw,
            )
            if problem is not None and problem.kind == "no_label" and len(entry.values) == len(entry.columns):
                problem = None
        if not any(lay.has_row(code) and lay.row(code).is_cell for lay in layouts):
            if raw:  # a heading with printed values (blank cells beside a heading are its merged positions)
                text = entry.label.text if entry.label else code
                ctx.problem(
                    entry.label.where if entry.label else "",
                    f"「{text}」是标题行，不能有数值",
                    f"row '{code}' is a heading, not a data row",
                    "heading_with_values",
                    "skipped",
                    (table, code),
                    raw,
                )
            continue
        if problem is not None:
            placed.unplace_row(problem, code, entry.columns, raw)
        elif entry.run is not None:
            runs.append(entry.run.into([(code, column) for column in entry.columns]))
        else:
            for column, cell in zip(entry.columns, entry.values, strict=True):
                placed.put(code, column, cell)
    _place_runs(placed, runs)


# -- requests ------------------------------------------------------------------------------


def _tree_columns(header: Sequence[Row], layout: TableLayout) -> list[str] | None:
    """Leaf columns in printed order, from header rows of a (flattened) multi-level header.

    Siblings are ordered as first printed; a group not printed itself sits where
    its first printed descendant is. None when the header does not name every
    required column.
    """
    seen: dict[str, int] = {}
    for row in header:
        for cell in row:
            code = None if cell.empty else match_column(cell.text, layout)
            if code is not None:
                seen.setdefault(code, len(seen))
    nodes = {n.code: n for n in layout.columns}

    def chain(code: str) -> list[str]:
        out = [code]
        while (up := nodes[out[-1]].parent or nodes[out[-1]].subtotal_of) is not None:
            out.append(up)
        return out[::-1]

    leaves = [c for c in seen if not nodes[c].group]
    where: dict[str, int] = dict(seen)
    for leaf in leaves:
        for up in chain(leaf)[:-1]:
            if up not in seen:
                where[up] = min(where.get(up, seen[leaf]), seen[leaf])
    ordered = sorted(leaves, key=lambda c: [where[a] for a in chain(c)])
    required = {c.code for c in layout.cell_columns if not c.is_optional}
    return ordered if required <= set(ordered) else None


def _read_requests(tables: Sequence[Table], ctx: _Context) -> _Placed:
    placed = _Placed("requests", ctx)
    layouts = ctx.layouts("requests")
    layout = table_layout("requests", VERSIONS[-1])  # its columns are those of every version
    rows = _all_rows(tables)
    widths = [len(table.rows[0]) for table in tables for _ in table.rows]  # the header row's width

    def is_label(text: str) -> bool:
        return bool(candidates_any(text, layouts, "rows"))

    def is_row(text: str) -> bool:
        return match_column(text, layout) is None and is_label(text)

    header, data = _header_zone(rows, is_row)
    columns, understood = _header_columns(header, ctx.prose.get("requests", ()), layout)
    if not understood:
        where = next(c.where for row in header for c in row if not c.empty)
        ctx.problem(
            where,
            "表头没有写明申请人各列，按模板的列序读取",
            "the header does not name the applicant columns; read in the template's column order",
            "header",
            "template_order",
            (placed.table,),
            " | ".join(c.text for row in header for c in row if not c.empty),
        )
    context: list[GridCell | None] = []  # the label printed at each label position (merged cells: blank)
    entries: list[_Entry] = []
    for row, width in zip(data, widths[len(header) :], strict=True):
        if all(c.empty for c in row):
            continue
        if _repeated_header(row, columns, layout, ctx):
            continue
        run = run_together(row, len(columns), is_label)
        labels, values, problem = (
            (list(run.labels), [], None) if run else _split_row(row, len(columns), width, is_label)
        )
        raw = _raw_of(row, labels, values, run, problem)
        if problem is not None and problem.kind == "no_label":
            entries.append(_Entry(None, None, columns, values, problem=problem, raw=raw))
            continue
        for i, cell in enumerate(labels):
            if not cell.empty:
                del context[i:]
                context.extend([None] * (i - len(context)))
                context.append(cell)
        group: str | None = None
        for cell in context[:-1]:
            group = (match_any(cell.text, layouts, "rows", group) if cell is not None else None) or group
        label = context[-1] if context else None
        code, label_problem = _row_code(label, layouts, group) if label is not None else (None, None)
        entries.append(_Entry(code, label, columns, values, run, problem, label_problem, raw))
    _place_entries(placed, entries, layouts)
    return placed


_HEADER_MIN_WORDS = 4  # a row of this many words and no value, among the data rows, is a header printed again


def _repeated_header(row: Row, columns: Sequence[str], layout: TableLayout, ctx: _Context) -> bool:
    """True for a header row printed again among the data rows (a table cut into pieces): words only.

    Its words need not name the columns (``数据1``…, or row labels printed by mistake); a word that names a
    column at another position than the columns being read is an issue (the columns are kept).
    """
    if not _is_text(row[-1]):
        return False  # (a data row ends with a value: the cheap test first)
    cells = [c for c in row if not c.empty]
    if len(cells) < _HEADER_MIN_WORDS or not _is_text(cells[-1]) or has_numbering(cells[0].text):
        return False
    if not all(_is_text(c) for c in cells):
        return False
    tail = list(row[-len(columns) :]) if len(row) >= len(columns) else []
    moved = [
        c
        for i, c in enumerate(tail)
        if not c.empty
        and (code := match_column(c.text, layout)) is not None
        and not layout.column(code).group
        and code in columns
        and columns.index(code) != i
    ]
    if moved:
        ctx.problem(
            moved[0].where,
            f"表头再次出现，列标签「{moved[0].text}」的位置与前面的表头不同，按前面的列序读取",
            f"a header printed again puts '{moved[0].text}' at another position; the earlier column order is kept",
            "header",
            "template_order",
            ("requests",),
            " | ".join(c.text for c in cells),
        )
    return True


# -- review and litigation -------------------------------------------------------------------


def _read_review(tables: Sequence[Table], ctx: _Context) -> _Placed:
    placed = _Placed("review_litigation", ctx)
    layout = table_layout("review_litigation", ctx.hint)
    parent_labels = {label_key(r.parent_label).full for r in layout.rows if r.parent_label}

    def vocab(text: str) -> bool:
        return bool(match_column(text, layout) or match_row(text, layout) or label_key(text).full in parent_labels)

    header, data = _split_header(_all_rows(tables), vocab, loose=True)
    rows = [r.code for r in layout.cell_rows]
    cols = [c.code for c in layout.cell_columns]
    where = tables[0].where
    printed_rows = list(dict.fromkeys(c for row in header for c in (match_row(x.text, layout) for x in row) if c))
    order = printed_rows if sorted(printed_rows) == sorted(rows) else rows
    leaves = [
        code
        for row in header
        for cell in row
        if not cell.empty and (code := match_column(cell.text, layout)) and not layout.column(code).group
    ]
    chunks = [cols] * len(rows)
    if len(leaves) in (len(cols), len(cols) * len(rows)):
        chunks = [leaves[i : i + len(cols)] for i in range(0, len(leaves), len(cols))] * (
            len(rows) if len(leaves) == len(cols) else 1
        )
        if any(sorted(chunk) != sorted(cols) for chunk in chunks):
            ctx.problem(
                where,
                "表头的列标签不完整或重复",
                "the header's column labels are incomplete or repeated",
                "header",
                "template_order",
                (placed.table,),
            )
            chunks = [cols] * len(rows)
    elif leaves:
        ctx.problem(
            where,
            f"表头有{len(leaves)}个结果列标签，应为{len(cols)}或{len(cols) * len(rows)}个",
            f"header has {len(leaves)} result column labels, expected {len(cols)} or {len(cols) * len(rows)}",
            "header",
            "template_order",
            (placed.table,),
        )
    columns_of = dict(zip(order, chunks, strict=True))

    flat: list[GridCell] = []
    runs: list[RunRow] = []  # rows whose numbers ran together, split once the table is read
    for row in data:
        first = next((c for c in row if not c.empty), None)
        if first is None or match_row(first.text, layout) is None:
            flat.extend(row)  # values only (text in a value cell stays a value)
            continue
        run = run_together(row, len(cols), lambda t: match_row(t, layout) is not None)
        labels, values, problem = (list(run.labels), [], None) if run else _split_row(row, len(cols))
        label = [c for c in labels if not c.empty][-1] if any(not c.empty for c in labels) else first
        code = match_row(label.text, layout)
        if code is None:  # the row's own label is not one of the three groups: its values belong to no cell
            flat.extend(row)
            continue
        if problem is not None:
            placed.unplace_row(problem, code, columns_of[code], _values_text(row, labels))
        elif run:
            runs.append(run.into([(code, column) for column in columns_of[code]]))
        else:
            for column, cell in zip(columns_of[code], values, strict=True):
                placed.put(code, column, cell)
    expected = len(cols) * len(rows)
    flat_run = unlabelled_run(flat, expected) if 0 < len(flat) < expected and not placed.cells and not runs else None
    if flat_run:  # the one row of 15 numbers, run together
        runs.append(flat_run.into([(row, column) for row in order for column in columns_of[row]]))
    elif flat and (placed.cells or placed.unplaced or runs or len(flat) != expected):
        raw = " ".join(" ".join(c.text.split()) for c in flat if not c.empty)
        ctx.problem(
            flat[0].where,
            f"应有{expected}个数值（{len(rows)}组×{len(cols)}列），实际有{len(flat)}个",
            f"expected {expected} values ({len(rows)} groups x {len(cols)} columns), found {len(flat)}",
            "short_row" if len(flat) < expected else "long_row",
            "marked_unplaced",
            (placed.table,),
            raw,
        )
        for row_code in order:
            placed.unplace(row_code, columns_of[row_code], raw, flat[0].where)
    elif flat:
        for i, cell in enumerate(flat):
            row_code = order[i // len(cols)]
            placed.put(row_code, columns_of[row_code][i % len(cols)], cell)
    _place_runs(placed, runs)
    return placed


# -- proactive ------------------------------------------------------------------------------------


def _read_proactive(tables: Sequence[Table], ctx: _Context) -> _Placed:
    placed = _Placed("proactive", ctx)
    layouts = ctx.layouts("proactive")
    hinted = table_layout("proactive", ctx.hint)
    header_word = label_key(layouts[0].header or "").full
    columns: list[str] | None = None
    header: tuple[int, list[int]] = (0, [])  # the header row's width and the positions of its column labels
    entries: list[_Entry] = []
    for row in _all_rows(tables):
        cells = [c for c in row if not c.empty]
        if not cells or (len(cells) == 1 and match_block(cells[0].text, layouts[0])):
            continue
        first_is_word = label_key(cells[0].text).full == header_word
        if first_is_word or all(match_any(c.text, layouts, "columns") for c in cells):
            labelled = cells[1:] if first_is_word else cells
            codes = [match_any(cell.text, layouts, "columns") for cell in labelled]
            unknown = next((cell for cell, code in zip(labelled, codes, strict=True) if code is None), None)
            if unknown is not None:  # the rows under it take their columns from the template
                ctx.problem(
                    unknown.where,
                    f"无法识别的列标签「{unknown.text}」",
                    f"unrecognised column label '{unknown.text}'",
                    "header",
                    "template_order",
                    (placed.table,),
                    unknown.text,
                )
                columns = None
                continue
            columns = [code for code in codes if code is not None]
            header = (len(row), [i for i, c in enumerate(row) if any(c is x for x in labelled)])
            continue
        first = match_any(cells[0].text, layouts, "rows")
        template = list(hinted.row_columns(first)) if first and hinted.has_row(first) else None
        row_columns = columns
        if columns is not None and template and not any(  # a header of another block: the template's columns
            lay.has_row(first) and set(lay.row_columns(first)) & set(columns) for lay in layouts
        ):
            row_columns = template
        row_columns = row_columns or template
        if row_columns is None:  # no header and an unknown label: the row's width is not known
            labels = _labels_of(row)
            label = labels[-1] if labels else cells[0]
            entries.append(
                _Entry(None, label, (), (), None, None, _row_code(label, layouts, None)[1], _values_text(row, labels))
            )
            continue
        run = None
        if row_columns is columns and columns is not None and len(row) == header[0] and len(header[1]) == len(columns):
            labels, values, problem = _split_row_at(row, header[1])
        elif run := run_together(row, len(row_columns), lambda t: bool(candidates_any(t, layouts, "rows"))):
            labels, values, problem = list(run.labels), [], None
        else:
            labels, values, problem = _split_row(row, len(row_columns))
        texts = [c for c in labels if not c.empty]
        label = texts[-1] if texts else None
        code, label_problem = _row_code(label, layouts, None) if label else (None, None)
        raw = _raw_of(row, labels, values, run, problem)
        entries.append(_Entry(code, label, row_columns, values, run, problem, label_problem, raw))
    _place_entries(placed, entries, layouts)
    return placed


_READERS: dict[str, Callable[[Sequence[Table], _Context], _Placed]] = {
    "proactive": _read_proactive,
    "requests": _read_requests,
    "review_litigation": _read_review,
}


# -- checks and the report --------------------------------------------------------------------------


def _table_where(tables: Sequence[Table]) -> str:
    first, last = tables[0].where, tables[-1].where
    m1, m2 = re.fullmatch(r"lines (\d+)-\d+", first), re.fullmatch(r"lines \d+-(\d+)", last)
    if m1 and m2:
        return f"lines {m1[1]}-{m2[1]}"
    return first if first == last else f"{first} … {last}"


def _check_complete(placed: _Placed, layout: TableLayout, where: str) -> None:
    """Every placed cell exists in the layout, and every required cell of the layout is placed.

    Cells of rows a report leaves out are ``omitted``; other missing cells are issues, marked ``unplaced``.
    """
    ctx = placed.ctx
    exists = set(layout.cells)
    for (row, column), cell in list(placed.cells.items()):
        if (row, column) not in exists:
            ctx.problem(
                cell.where,
                f"单元格 {layout.table}.{row}.{column} 不属于{layout.version}年版格式",
                f"cell {layout.table}.{row}.{column} does not exist in the {layout.version} layout",
                "unknown_cell",
                "skipped",
                (layout.table, row, column),
                cell.text,
            )
            del placed.cells[(row, column)]
    for key in [key for key in placed.unplaced if key not in exists]:
        del placed.unplaced[key]
    missing = [cell for cell in layout.required_cells if cell not in placed.cells and cell not in placed.unplaced]
    if not missing:
        return
    if _left_out(missing, placed, layout):
        placed.omitted.update(dict.fromkeys(missing, where))
        return
    _doubt_totals(placed, layout, {r for r, _ in missing})
    by_row: dict[str, list[str]] = {}
    for row, column in missing:
        by_row.setdefault(row, []).append(column)
    zh, en = [], []
    for row, columns in by_row.items():
        whole = len(columns) == sum(1 for r, _ in layout.required_cells if r == row)
        zh.append(layout.row(row).label if whole else "、".join(layout.cell_label(row, c) for c in columns))
        en.append(row if whole else ", ".join(f"{row}.{c}" for c in columns))
    if ctx.strict:
        more = f"等{len(zh)}行" if len(zh) > _MAX_LISTED else ""
        ctx.fail(
            where,
            f"表格「{layout.section}、{layout.label}」不完整，缺少：{'；'.join(zh[:_MAX_LISTED])}{more}",
            f"table {layout.table} is incomplete, missing: {'; '.join(en)}",
        )
    for (row, columns), row_zh, row_en in zip(by_row.items(), zh, en, strict=True):
        ctx.problem(
            where,
            f"表格「{layout.section}、{layout.label}」中没有找到：{row_zh}",
            f"not found in table {layout.table}: {row_en}",
            "missing_cells",
            "marked_unplaced",
            (layout.table, row, columns[0] if len(columns) == 1 else ""),
        )
        placed.unplace(row, columns, "", where)


def _doubt_totals(placed: _Placed, layout: TableLayout, missing_rows: set[str]) -> None:
    """A group's printed total whose item is missing: its values may be the item's (its label lost), so unplaced."""
    for group in dict.fromkeys(layout.row(r).parent for r in missing_rows):
        cells = {key: cell for key, cell in placed.cells.items() if key[0] == group}
        if not cells:
            continue
        first = next(iter(cells.values()))
        raw = " ".join(cell.text for cell in cells.values() if not cell.empty)
        placed.ctx.problem(
            first.where,
            f"「{layout.row(group).label}」印有合计，但其下的项目缺行：这一行的数值可能属于缺少的项目",
            f"the total of {group} is printed but an item under it is missing: its values may be the item's",
            "missing_cells",
            "marked_unplaced",
            (layout.table, group),
            raw,
        )
        for key in cells:
            del placed.cells[key]
        placed.unplace(group, [c for _, c in cells], raw, first.where)


def _left_out(missing: list[tuple[str, str]], placed: _Placed, layout: TableLayout) -> bool:
    """True when the missing cells are whole rows above the table's last printed row.

    Reports drop rows that are all zero; such rows are recorded as omitted. A
    table that stops early (its last rows missing) is truncated, not this; nor
    is a row under a group whose subtotal the table prints (a report printing a
    group's total prints its items: a lost label would turn an item's values
    into that total).
    """
    rows = [r for r, _ in layout.required_cells]
    printed = {r for r, _ in placed.cells} | {r for r, _ in placed.unplaced}
    missing_rows = {r for r, _ in missing}
    whole = all(sum(1 for r in rows if r == row) == sum(1 for r, _ in missing if r == row) for row in missing_rows)
    last = max((rows.index(r) for r in printed if r in rows), default=-1)
    under_total = any(layout.row(r).parent in printed for r in missing_rows)
    return whole and not under_total and all(rows.index(r) < last for r in missing_rows)


def _template_for_year(year: int | None, where: str | None, path: str | None) -> str | None:
    if year is None:
        return None
    try:
        return version_for_year(year)
    except ValueError:
        place = where or ""
        raise LoadError(
            f"{zh_place(place)}：{year}年的报告没有统一格式，不支持2019年以前的报告 / "
            f"{place}: unsupported layout: reports before 2019 ({year}) have no common template",
            path=path,
            where=where,
        ) from None


def _cells_frame(placed: dict[str, _Placed], versions: dict[str, str]) -> pd.DataFrame:
    records = []
    for table, part in placed.items():
        layout = table_layout(table, versions[table])
        for (row, column), cell in part.cells.items():
            parsed = parse_cell(cell.text, layout.money_unit(column))
            value = parsed.value if parsed.value is not None else math.nan
            status = Status.AMBIGUOUS if (row, column) in part.ambiguous else parsed.status
            records.append((table, row, column, value, cell.text, str(status), cell.where))
        records += [(table, r, c, math.nan, "", str(Status.OMITTED), where) for (r, c), where in part.omitted.items()]
        unplaced = str(Status.UNPLACED)
        records += [(table, r, c, math.nan, raw, unplaced, where) for (r, c), (raw, where) in part.unplaced.items()]
    return long_frame(records)


def assemble(
    blocks: Sequence[Block], source: str | None = None, path: str | None = None, strict: bool = False
) -> Report:
    """Build the :class:`Report` of a document's blocks.

    Raises :class:`LoadError` when no statistical table is found. Anything less is an issue of the report
    (``Report.issues``), its cells marked not a number; with ``strict`` the first issue raises instead.
    """
    path = path or source
    found, headings = find_tables(blocks)
    if len(found) < len(TABLES) and (flowed := unflow(blocks)) is not None:
        found_in_flow, headings_in_flow = find_tables(flowed)
        if len(found_in_flow) > len(found):  # tables whose layout the text lost (crawler text, fragments)
            blocks, found, headings = flowed, found_in_flow, headings_in_flow
    if not found:
        n_tables = sum(isinstance(b, Table) for b in blocks)
        zh = f"文中有{n_tables}个表格，但都不在二、三、四节的标题之下" if n_tables else "文中没有表格"
        en = f"none of the {n_tables} tables follows a heading of sections 二, 三 or 四" if n_tables else "no table"
        raise LoadError(f"未找到可识别的统计表（{zh}） / no recognisable table ({en})", path=path)
    agency, year, title_where = find_title(blocks)
    hint = _template_for_year(year, title_where, path)
    ctx = _Context(path, hint or VERSIONS[-1], strict, prose=_section_prose(blocks))
    placed = {table: _READERS[table](tables, ctx) for table, tables in found.items()}
    template = hint
    if template is None:
        proactive = placed.get("proactive")
        cells = proactive.cells if proactive else {}
        template = detect_version("proactive", (r for r, _ in cells), (c for _, c in cells), VERSIONS[-1])
    versions: dict[str, str] = {}
    for table, part in placed.items():
        rows, cols = {r for r, _ in part.cells}, {c for _, c in part.cells}
        versions[table] = detect_version(table, rows, cols, template)
        _check_complete(part, table_layout(table, versions[table]), _table_where(found[table]))
    for table in TABLES:
        if table in placed:
            continue
        layout = table_layout(table, template)
        heading = headings.get(table)
        where = heading.where if heading else ""
        after_zh = f"（标题见{zh_place(where)}，其后没有表格）" if where else ""
        after_en = f" (the heading at {where} is not followed by a table)" if where else ""
        ctx.problem(
            where,
            f"缺少表格「{layout.section}、{layout.label}」{after_zh}",
            f"missing table: {table} ({layout.label}){after_en}",
            "missing_table",
            "left_out",
            (table,),
        )
    return Report(
        cells=_cells_frame(placed, versions),
        template=template,
        agency=agency,
        year=year,
        source=source,
        layouts=versions,
        paragraphs=tuple(b for b in blocks if isinstance(b, Paragraph)),
        issues=issues_frame(ctx.issues),
    )
