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
from typing import NoReturn

import pandas as pd

from .digits import RunRow, resolve, run_together, unlabelled_run
from .errors import LoadError, zh_place
from .grid import Block, GridCell, Paragraph, Table
from .labels import (
    candidates_any,
    chinese_number,
    has_numbering,
    is_note,
    is_section_heading,
    label_key,
    match_any,
    match_block,
    match_column,
    match_heading,
    match_row,
)
from .layouts import TABLES, VERSIONS, TableLayout, table_layout, version_for_year
from .report import Report, detect_version, long_frame
from .values import Status, parse_cell

Row = tuple[GridCell, ...]

_TITLE = re.compile(
    r"(?P<agency>.*?)(?P<year>\d{4}|[〇零一二三四五六七八九]{4})年度?(?P<what>[^。]*?政府信息公开[^。]*?报告)[^。]{0,12}"
)
_COMPILER = re.compile(r"本报告(?:是)?由(?P<who>[^，。,（(《]{2,40}?)(?:根据|依据|按照|依照|编制|制作|负责)")
_JURISDICTION = re.compile(r"(?:[\u4e00-\u9fff]{2,12}?(?:省|自治区|市|自治州|州|盟|地区))+")
_TITLE_SEARCH = 40  # paragraphs before the first table heading searched for the title
_TITLE_MAX = 60  # a title broken over two paragraphs is no longer than this
_MAX_LISTED = 8  # missing rows named (in Chinese) in one message


@dataclass
class _Context:
    """What every table reader needs: the file (for errors) and the template version to try first."""

    path: str | None
    hint: str

    def fail(self, where: str, zh: str, en: str) -> NoReturn:
        """Raise a bilingual :class:`LoadError` at ``where``."""
        raise LoadError.at(self.path, where, zh, en)

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

    def put(self, row: str, column: str, cell: GridCell) -> None:
        prev = self.cells.get((row, column))
        if prev is not None:
            self.ctx.fail(
                cell.where,
                f"单元格 {self.table}.{row}.{column} 重复出现（另见{zh_place(prev.where)}）",
                f"cell {self.table}.{row}.{column} printed twice (also at {prev.where})",
            )
        self.cells[(row, column)] = cell


# -- finding the tables and the title ---------------------------------------------------


def find_tables(blocks: Sequence[Block]) -> tuple[dict[str, list[Table]], dict[str, Paragraph]]:
    """The tables under each section heading, and the headings found (by table code)."""
    found: dict[str, list[Table]] = {}
    headings: dict[str, Paragraph] = {}
    current: str | None = None
    for block in blocks:
        if isinstance(block, Paragraph):
            table = match_heading(block.text)
            if table is not None:
                current = table
                headings.setdefault(table, block)
            elif is_section_heading(block.text):
                current = None
        elif current is not None:
            found.setdefault(current, []).append(block)
    return found, headings


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
    texts = ["".join(para.text.split()) for para in paragraphs]
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
        agency = re.sub(r"(关于|的)$", "", m["agency"]) or None
        if agency is None and i > 0:
            above = texts[i - 1]
            if above and len(above) <= 40 and "。" not in above and not re.search(r"\d", above):
                agency = above
        if agency is not None:
            agency = _fuller_agency(agency, paragraphs[i + 1 :])
        return agency, year, paragraphs[i].where
    return None, None, None


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


def _split_header(rows: Sequence[Row], vocab: Callable[[str], bool]) -> tuple[list[Row], list[Row]]:
    """Leading rows whose every cell is a header label, and the data rows after them."""
    header: list[Row] = []
    for i, row in enumerate(rows):
        texts = [c.text for c in row if not c.empty]
        if not texts or not all(
            parse_cell(t).status is Status.TEXT and not has_numbering(t) and vocab(t) for t in texts
        ):
            return header, list(rows[i:])
        header.append(row)
    return header, []


def _split_row(ctx: _Context, row: Row, n: int) -> tuple[list[GridCell], list[GridCell]]:
    """A data row's label cells and its last ``n`` value cells."""
    if len(row) <= n:
        ctx.fail(
            row[0].where,
            f"这一行有{len(row)}个单元格，应为行标签加{n}个数值",
            f"row has {len(row)} cells, expected a label and {n} values",
        )
    labels, values = list(row[:-n]), list(row[-n:])
    extra = next((c for c in labels if parse_cell(c.text).status is Status.NUMBER), None)
    if extra is not None:
        ctx.fail(extra.where, f"这一行的数值多于{n}个", f"row has more than {n} values")
    if all(c.empty for c in labels):
        ctx.fail(
            row[0].where,
            f"这一行没有行标签，或数值少于{n}个",
            f"row has no label or fewer than {n} values",
        )
    return labels, values


def _split_row_at(ctx: _Context, row: Row, positions: Sequence[int]) -> tuple[list[GridCell], list[GridCell]]:
    """A data row's label cells and its value cells at the positions of its header's column labels.

    For grids where a value merged across several columns leaves blank
    positions beside it (a block with one value column under a wider header).
    """
    labels, values = list(row[: positions[0]]), [row[i] for i in positions]
    rest = [c for i, c in enumerate(row) if i >= positions[0] and i not in positions]
    extra = next((c for c in [*labels, *rest] if parse_cell(c.text).status is Status.NUMBER), None)
    extra = extra or next((c for c in rest if not c.empty), None)
    if extra is not None:
        ctx.fail(extra.where, f"这一行的数值多于{len(positions)}个", f"row has more than {len(positions)} values")
    if all(c.empty for c in labels):
        ctx.fail(row[0].where, "这一行没有行标签", "row has no label")
    return labels, values


def _match_row_label(ctx: _Context, cell: GridCell, layouts: list[TableLayout], group: str | None) -> str:
    code = match_any(cell.text, layouts, "rows", group)
    if code is None:
        label = " ".join(cell.text.split())
        codes = candidates_any(cell.text, layouts, "rows", group)
        if len(codes) > 1:
            labels = "、".join(dict.fromkeys(f"「{_row_label(layouts, c)}」" for c in codes))
            ctx.fail(
                cell.where,
                f"行标签「{label}」有歧义，可能是{labels}",
                f"ambiguous row label '{label}': could be {', '.join(codes)}",
            )
        ctx.fail(cell.where, f"无法识别的行标签「{label}」", f"unrecognised row label '{label}'")
    return code


def _row_label(layouts: Sequence[TableLayout], code: str) -> str:
    return next(lay.row(code).label for lay in layouts if lay.has_row(code))


def _all_rows(tables: Sequence[Table]) -> list[Row]:
    return [row for table in tables for row in table.rows]


def _place_runs(placed: _Placed, runs: Sequence[RunRow]) -> None:
    """Split the digit runs of the rows whose numbers ran together (:func:`.digits.resolve`) and place the cells."""
    if not runs:
        return
    keys = [*placed.cells, *(key for run in runs for key in run.targets)]
    version = detect_version(placed.table, {r for r, _ in keys}, {c for _, c in keys}, placed.ctx.hint)
    layout = table_layout(placed.table, version)
    known = {(r, c): parse_cell(cell.text, layout.money_unit(c)).value for (r, c), cell in placed.cells.items()}
    for (row, column), found in resolve(layout, runs, known, placed.ctx.path).items():
        placed.put(row, column, found.cell)
        if found.ambiguous:
            placed.ambiguous.add((row, column))


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
    header, data = _split_header(_all_rows(tables), lambda t: match_column(t, layout) is not None or is_note(t, layout))
    columns = _tree_columns(header, layout) or [c.code for c in layout.cell_columns if not c.is_optional]
    context: list[GridCell | None] = []  # the label printed at each label position (merged cells: blank)
    runs: list[RunRow] = []  # rows whose numbers ran together, split once the table is read
    for row in data:
        if all(c.empty for c in row):
            continue
        run = run_together(row, len(columns), lambda t: bool(candidates_any(t, layouts, "rows")))
        labels, values = (list(run.labels), []) if run else _split_row(ctx, row, len(columns))
        for i, cell in enumerate(labels):
            if not cell.empty:
                del context[i:]
                context.extend([None] * (i - len(context)))
                context.append(cell)
        group: str | None = None
        code = ""
        for cell in context:
            if cell is not None:
                code = _match_row_label(ctx, cell, layouts, group)
                group = code
        if not any(lay.has_row(code) and lay.row(code).is_cell for lay in layouts):
            text = context[-1].text if context[-1] else ""
            ctx.fail(row[0].where, f"「{text}」是标题行，不能有数值", f"row '{code}' is a heading, not a data row")
        if run:
            runs.append(run.into([(code, column) for column in columns]))
            continue
        for column, cell in zip(columns, values, strict=True):
            placed.put(code, column, cell)
    _place_runs(placed, runs)
    return placed


# -- review and litigation -------------------------------------------------------------------


def _read_review(tables: Sequence[Table], ctx: _Context) -> _Placed:
    placed = _Placed("review_litigation", ctx)
    layout = table_layout("review_litigation", ctx.hint)
    parent_labels = {label_key(r.parent_label).full for r in layout.rows if r.parent_label}

    def vocab(text: str) -> bool:
        return bool(match_column(text, layout) or match_row(text, layout) or label_key(text).full in parent_labels)

    header, data = _split_header(_all_rows(tables), vocab)
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
    if not leaves:
        chunks = [cols] * len(rows)
    elif len(leaves) in (len(cols), len(cols) * len(rows)):
        chunks = [leaves[i : i + len(cols)] for i in range(0, len(leaves), len(cols))] * (
            len(rows) if len(leaves) == len(cols) else 1
        )
    else:
        ctx.fail(
            where,
            f"表头有{len(leaves)}个结果列标签，应为{len(cols)}或{len(cols) * len(rows)}个",
            f"header has {len(leaves)} result column labels, expected {len(cols)} or {len(cols) * len(rows)}",
        )
    for chunk in chunks:
        if sorted(chunk) != sorted(cols):
            ctx.fail(where, "表头的列标签不完整或重复", "the header's column labels are incomplete or repeated")
    columns_of = dict(zip(order, chunks, strict=True))

    flat: list[GridCell] = []
    runs: list[RunRow] = []  # rows whose numbers ran together, split once the table is read
    for row in data:
        first = next((c for c in row if not c.empty), None)
        if first is None or match_row(first.text, layout) is None:
            flat.extend(row)  # values only (text in a value cell stays a value)
            continue
        run = run_together(row, len(cols), lambda t: match_row(t, layout) is not None)
        labels, values = (list(run.labels), []) if run else _split_row(ctx, row, len(cols))
        code = _match_row_label(ctx, [c for c in labels if not c.empty][-1], [layout], None)
        if run:
            runs.append(run.into([(code, column) for column in columns_of[code]]))
            continue
        for column, cell in zip(columns_of[code], values, strict=True):
            placed.put(code, column, cell)
    expected = len(cols) * len(rows)
    flat_run = unlabelled_run(flat, expected) if 0 < len(flat) < expected and not placed.cells and not runs else None
    if flat_run:  # the one row of 15 numbers, run together
        runs.append(flat_run.into([(row, column) for row in order for column in columns_of[row]]))
    elif flat:
        if placed.cells or runs or len(flat) != expected:
            ctx.fail(
                flat[0].where,
                f"应有{expected}个数值（{len(rows)}组×{len(cols)}列），实际有{len(flat)}个",
                f"expected {expected} values ({len(rows)} groups x {len(cols)} columns), found {len(flat)}",
            )
        for i, cell in enumerate(flat):
            row_code = order[i // len(cols)]
            placed.put(row_code, columns_of[row_code][i % len(cols)], cell)
    _place_runs(placed, runs)
    return placed


# -- proactive ------------------------------------------------------------------------------------


def _read_proactive(tables: Sequence[Table], ctx: _Context) -> _Placed:
    placed = _Placed("proactive", ctx)
    layouts = ctx.layouts("proactive")
    header_word = label_key(layouts[0].header or "").full
    columns: list[str] | None = None
    header: tuple[int, list[int]] = (0, [])  # the header row's width and the positions of its column labels
    for row in _all_rows(tables):
        cells = [c for c in row if not c.empty]
        if not cells or (len(cells) == 1 and match_block(cells[0].text, layouts[0])):
            continue
        first_is_word = label_key(cells[0].text).full == header_word
        if first_is_word or all(match_any(c.text, layouts, "columns") for c in cells):
            columns = []
            for cell in cells[1:] if first_is_word else cells:
                code = match_any(cell.text, layouts, "columns")
                if code is None:
                    ctx.fail(cell.where, f"无法识别的列标签「{cell.text}」", f"unrecognised column label '{cell.text}'")
                columns.append(code)
            labelled = cells[1:] if first_is_word else cells
            header = (len(row), [i for i, c in enumerate(row) if any(c is x for x in labelled)])
            continue
        if columns is None:
            code = _match_row_label(ctx, cells[0], layouts, None)
            row_columns = list(table_layout("proactive", ctx.hint).row_columns(code))
        else:
            row_columns = columns
        if columns is not None and len(row) == header[0] and len(header[1]) == len(columns):
            labels, values = _split_row_at(ctx, row, header[1])
        else:
            labels, values = _split_row(ctx, row, len(row_columns))
        code = _match_row_label(ctx, [c for c in labels if not c.empty][-1], layouts, None)
        for column, cell in zip(row_columns, values, strict=True):
            placed.put(code, column, cell)
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
    """Every placed cell exists in the layout, and every required cell of the layout is placed."""
    ctx = placed.ctx
    exists = set(layout.cells)
    for (row, column), cell in placed.cells.items():
        if (row, column) not in exists:
            ctx.fail(
                cell.where,
                f"单元格 {layout.table}.{row}.{column} 不属于{layout.version}年版格式",
                f"cell {layout.table}.{row}.{column} does not exist in the {layout.version} layout",
            )
    missing = [cell for cell in layout.required_cells if cell not in placed.cells]
    if not missing:
        return
    if _left_out(missing, placed, layout):
        placed.omitted.update(dict.fromkeys(missing, where))
        return
    by_row: dict[str, list[str]] = {}
    for row, column in missing:
        by_row.setdefault(row, []).append(column)
    zh, en = [], []
    for row, columns in by_row.items():
        whole = len(columns) == sum(1 for r, _ in layout.required_cells if r == row)
        zh.append(layout.row(row).label if whole else "、".join(layout.cell_label(row, c) for c in columns))
        en.append(row if whole else ", ".join(f"{row}.{c}" for c in columns))
    more = f"等{len(zh)}行" if len(zh) > _MAX_LISTED else ""
    ctx.fail(
        where,
        f"表格「{layout.section}、{layout.label}」不完整，缺少：{'；'.join(zh[:_MAX_LISTED])}{more}",
        f"table {layout.table} is incomplete, missing: {'; '.join(en)}",
    )


def _left_out(missing: list[tuple[str, str]], placed: _Placed, layout: TableLayout) -> bool:
    """True when the missing cells are whole rows above the table's last printed row.

    Reports drop rows that are all zero; such rows are recorded as omitted. A
    table that stops early (its last rows missing) is truncated, not this.
    """
    rows = [r for r, _ in layout.required_cells]
    printed = {r for r, _ in placed.cells}
    missing_rows = {r for r, _ in missing}
    whole = all(sum(1 for r in rows if r == row) == sum(1 for r, _ in missing if r == row) for row in missing_rows)
    last = max((rows.index(r) for r in printed if r in rows), default=-1)
    return whole and all(rows.index(r) < last for r in missing_rows)


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
    return long_frame(records)


def assemble(blocks: Sequence[Block], source: str | None = None, path: str | None = None) -> Report:
    """Build the :class:`Report` of a document's blocks; raise :class:`LoadError` unless every table is complete."""
    path = path or source
    found, headings = find_tables(blocks)
    if not found:
        n_tables = sum(isinstance(b, Table) for b in blocks)
        zh = f"文中有{n_tables}个表格，但都不在二、三、四节的标题之下" if n_tables else "文中没有表格"
        en = f"none of the {n_tables} tables follows a heading of sections 二, 三 or 四" if n_tables else "no table"
        raise LoadError(f"未找到可识别的统计表（{zh}） / no recognisable table ({en})", path=path)
    agency, year, title_where = find_title(blocks)
    hint = _template_for_year(year, title_where, path)
    ctx = _Context(path, hint or VERSIONS[-1])
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
    missing = [t for t in TABLES if t not in placed]
    if missing:
        layouts = [table_layout(t, template) for t in missing]
        heading = next((headings[t] for t in missing if t in headings), None)
        where = heading.where if heading else None
        zh = "、".join(f"「{lay.section}、{lay.label}」" for lay in layouts)
        en = ", ".join(f"{lay.table} ({lay.label})" for lay in layouts)
        after_zh = f"（标题见{zh_place(where)}，其后没有表格）" if where else ""
        after_en = f" (the heading at {where} is not followed by a table)" if where else ""
        raise LoadError(f"缺少表格{zh}{after_zh} / missing table: {en}{after_en}", path=path, where=where)
    return Report(
        cells=_cells_frame(placed, versions),
        template=template,
        agency=agency,
        year=year,
        source=source,
        layouts=versions,
        paragraphs=tuple(b for b in blocks if isinstance(b, Paragraph)),
    )
