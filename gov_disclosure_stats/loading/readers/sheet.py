"""Spreadsheets (.xlsx, .csv): the printed tables, or the library's own long and wide formats.

What a sheet holds is told from its first filled row:

- a header with ``table`` and ``row`` (and ``column``, ``value``, optionally
  ``raw``, ``status``, ``where``, ``report_id``, ``agency``, ``year``,
  ``template``): the long format, one cell per row → a :class:`Report`;
- a header with ``template`` or cell codes (``requests.new.total``): the wide
  format, one report in one row → a :class:`Report`;
- anything else: the tables as printed (headings in cells above them, merged
  cells giving their text to the first position and leaving the others
  empty) → blocks for :func:`~gov_disclosure_stats.assemble.assemble`.

Places are ``"sheet S, cell B7"`` in a workbook and ``"line N"`` in a CSV file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

from ...core.encoding import check_text, decode
from ...core.errors import LoadError
from ...core.labels import is_section_heading, match_heading
from ...core.layouts import TABLES, split_code, table_layout
from ...core.limits import current, exceeded
from ...core.values import STATUS_CODES, Status, format_number, parse_cell
from ...model.grid import Block, Paragraph, Table, TableBuilder
from ...model.matrix import ABSENT, NUMBER, CellMatrix, universe_index
from ...model.report import LAYOUT_COLUMNS, Report
from .docx import check_archive, zip_holds
from .native import (
    MISSING_TEXTS,
    STATUSES,
    NativeCell,
    build_report,
    check_code,
    fail,
    parse_number,
    parse_year,
    pick_template,
)

_WORKBOOK = "xl/workbook.xml"
_DELIMITERS = (",", ";", "\t")
_SNIFF_LINES = 20
LONG_REQUIRED = ("table", "row", "column", "value")
META = ("report_id", "agency", "year", "template")


@dataclass
class Grid:
    """The rows of cell texts of one worksheet or CSV file, and how to name a place in it."""

    rows: list[list[str]]
    sheet: str | None = None  # None: a CSV file
    lines: list[int] = field(default_factory=list)  # CSV: the line each row starts on

    def place(self, r: int, c: int | None = None, name: str | None = None) -> str:
        """``"sheet S, cell B7"`` (workbook) or ``"line 7"`` / ``"line 7, column value"`` (CSV); 0-based input."""
        if self.sheet is not None:
            if c is None:
                return f"sheet {self.sheet}, row {r + 1}"
            return f"sheet {self.sheet}, cell {get_column_letter(c + 1)}{r + 1}"
        line = f"line {self.lines[r] if r < len(self.lines) else r + 1}"
        if c is None:
            return line
        return f"{line}, column {name or c + 1}"

    def record_place(self, r: int, c: int) -> str:
        """Where a cell read from row ``r`` came from: the value's cell in a sheet, the line in a CSV file."""
        return self.place(r, c) if self.sheet is not None else self.place(r)

    def filled(self) -> list[int]:
        """Indices of the rows with any text."""
        return [r for r, row in enumerate(self.rows) if any(t.strip() for t in row)]

    def text(self, r: int, c: int) -> str:
        row = self.rows[r]
        return row[c].strip() if c < len(row) else ""


# -- cell texts ---------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """The text of a worksheet value: numbers as printed (``504``, ``4934.0578``), dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_number(value) if math.isfinite(value) else ""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


# -- what a sheet holds ----------------------------------------------------------------------------


_HEADERS = frozenset({*LONG_REQUIRED, "raw", "status", "where", *META, "source"})


def _header_names(row: list[str]) -> list[str]:
    """Header texts as column names: known names in lower case, ``col`` read as ``column``."""
    names = []
    for text in row:
        name = text.strip().lstrip("\ufeff").strip('"').strip()
        lower = name.lower()
        names.append("column" if lower == "col" else lower if lower in _HEADERS else name)
    return names


def _is_code(name: str) -> bool:
    return name.count(".") == 2 and name.split(".")[0] in TABLES


def native_kind(row: list[str]) -> str | None:
    """``"long"``, ``"wide"`` or None (the printed layout) from a sheet's first filled row."""
    names = set(_header_names(row))
    if {"table", "row"} <= names:
        return "long"
    if "template" in names or any(_is_code(n) for n in names):
        return "wide"
    return None


# -- the long format ---------------------------------------------------------------------------------


def _single(values: dict[str, list[tuple[str, str]]], name: str, path: str | None) -> str | None:
    """The one value a metadata column holds (raise when rows disagree)."""
    seen = values.get(name, [])
    distinct = list(dict.fromkeys(v for v, _ in seen if v not in MISSING_TEXTS))
    if len(distinct) > 1:
        where = next(w for v, w in seen if v == distinct[1])
        if name == "report_id":
            raise fail(
                path,
                where,
                f"文件中有{len(distinct)}份报告（report_id：{'、'.join(distinct[:3])}…）；"
                "load() 只读一份，多份请用 gds.ReportSet.read(路径)",
                f"the file holds {len(distinct)} reports (report_id {', '.join(distinct[:3])}…); "
                "load() reads one report per file: read several with gds.ReportSet.read(path)",
            )
        raise fail(
            path,
            where,
            f"列「{name}」的值不一致（「{distinct[0]}」与「{distinct[1]}」）；多份报告请用 gds.ReportSet.read(路径)",
            f"column {name!r} changes from {distinct[0]!r} to {distinct[1]!r}: load() reads one report per file, "
            "read several with gds.ReportSet.read(path)",
        )
    return distinct[0] if distinct else None


def read_long(grid: Grid, header_row: int, path: str | None) -> Report:
    """A report from the long format (one cell per row)."""
    names = _header_names(grid.rows[header_row])
    index: dict[str, int] = {}
    for c, name in enumerate(names):
        if name in index and name:
            raise fail(path, grid.place(header_row, c, name), f"列「{name}」重复", f"column {name!r} appears twice")
        index.setdefault(name, c)
    missing = [name for name in LONG_REQUIRED if name not in index]
    if missing:
        raise fail(
            path,
            grid.place(header_row),
            f"长表缺少列「{'、'.join(missing)}」（应有 table, row, column, value 列）",
            f"the long format is missing column {', '.join(repr(m) for m in missing)} "
            "(expected table, row, column, value[, raw, status, where])",
        )
    cells: list[NativeCell] = []
    meta: dict[str, list[tuple[str, str]]] = {}
    for r in grid.filled():
        if r <= header_row:
            continue

        def get(name: str, r: int = r) -> str | None:
            return grid.text(r, index[name]) if name in index else None

        def at(name: str, r: int = r) -> str:
            return grid.place(r, index[name], name)

        table, row, column = (get(name) or "" for name in ("table", "row", "column"))
        for name, text in (("table", table), ("row", row), ("column", column)):
            if not text:
                raise fail(path, at(name), f"「{name}」列为空", f"empty {name!r}")
        check_code(table, row, column, path, at("table"))
        cells.append(_long_cell(table, row, column, get, at, grid.record_place(r, index["value"]), path))
        for name in (*META, "source"):
            if name in index:
                meta.setdefault(name, []).append((get(name) or "", grid.place(r)))
    if not cells:
        raise fail(path, grid.place(header_row), "长表没有数据行", "the long format has no data row")
    year = parse_year(_single(meta, "year", path), path, None)
    template = pick_template(_single(meta, "template", path), year, path, None)
    report_id = _single(meta, "report_id", path)
    return build_report(
        cells,
        template=template,
        path=path,
        agency=_single(meta, "agency", path),
        year=year,
        source=_single(meta, "source", path) or _name(path),
        report_id=report_id,
    )


def _long_cell(
    table: str,
    row: str,
    column: str,
    get: Callable[[str], str | None],
    at: Callable[[str], str],
    place: str,
    path: str | None,
) -> NativeCell:
    """One long-format row as a cell: value, raw text and status checked against one another.

    ``get`` gives a column's text, None when the file has no such column.
    """
    text = get("value") or ""
    value = parse_number(text)
    if value is None:
        raise fail(path, at("value"), f"数值「{text}」不是数字", f"value {text!r} is not a number")
    raw = get("raw")
    if raw is None:
        raw = "" if math.isnan(value) else format_number(value)
    status = get("status") or ""
    if not status:
        parsed = parse_cell(raw).status
        status = str(Status.NUMBER if not math.isnan(value) else parsed)
    elif status not in STATUSES:
        raise fail(
            path,
            at("status"),
            f"未知的状态「{status}」（应为{'、'.join(sorted(STATUSES))}）",
            f"unknown status {status!r}; known: {', '.join(sorted(STATUSES))}",
        )
    if (status == str(Status.NUMBER)) == math.isnan(value):
        zh = "有数字却没有数值（value为空）" if math.isnan(value) else f"状态为{status}却有数值"
        en = f"status {status} but the value is empty" if math.isnan(value) else f"status {status} with a value"
        raise fail(path, at("value"), zh, en)
    return NativeCell(table, row, column, value, raw, status, get("where") or place, place)


# -- the wide format --------------------------------------------------------------------------------


def read_wide(grid: Grid, header_row: int, path: str | None) -> Report:
    """A report from the wide format (one row, one column per cell code)."""
    names = _header_names(grid.rows[header_row])
    codes: dict[str, int] = {}
    index: dict[str, int] = {}
    universe = universe_index()
    for c, name in enumerate(names):
        if name.count(".") == 2:
            if name not in universe:
                raise fail(
                    path, grid.place(header_row, c, name), f"未知的单元格代码「{name}」", f"unknown cell code {name!r}"
                )
            target = codes
        else:
            target = index
        if name in target and name:
            raise fail(path, grid.place(header_row, c, name), f"列「{name}」重复", f"column {name!r} appears twice")
        target.setdefault(name, c)
    if "template" not in index:
        raise fail(
            path,
            grid.place(header_row),
            "宽表缺少「template」列（格式版本：2019或2021）",
            "the wide format needs a 'template' column ('2019' or '2021')",
        )
    data = [r for r in grid.filled() if r > header_row]
    if len(data) != 1:
        raise fail(
            path,
            None,
            f"宽表应恰有一行数据（一份报告），实际有{len(data)}行；多份报告请用 gds.ReportSet.read(路径) 读取",
            f"the wide format holds {len(data)} rows; load() reads exactly one report (one row) per file — "
            "read several with gds.ReportSet.read(path)",
        )
    r = data[0]
    values: dict[str, float] = {}
    for code, c in codes.items():
        number = parse_number(grid.text(r, c))
        if number is None:
            raise fail(
                path, grid.place(r, c, code), f"「{grid.text(r, c)}」不是数字", f"{grid.text(r, c)!r} is not a number"
            )
        values[code] = number
    year = parse_year(grid.text(r, index["year"]) if "year" in index else None, path, None)
    template = pick_template(grid.text(r, index["template"]), year, path, grid.place(r, index["template"], "template"))
    frame = pd.DataFrame({"template": [template], **{k: [v] for k, v in values.items()}})
    for table in TABLES:
        column = LAYOUT_COLUMNS[table]
        if column in index and grid.text(r, index[column]) not in MISSING_TEXTS:
            frame[column] = pick_template(grid.text(r, index[column]), None, path, grid.place(r, index[column], column))
    matrix = CellMatrix.from_wide(frame)
    layouts = {t: str(matrix.meta[LAYOUT_COLUMNS[t]].iloc[0]) for t in TABLES}
    exists = {t: set(table_layout(t, layouts[t]).cells) for t in TABLES}
    cells: list[NativeCell] = []
    for code, pos in universe.items():
        status = int(matrix.status[0, pos])
        if status == ABSENT:
            continue
        table, row, column = split_code(code)
        place = grid.record_place(r, codes[code]) if grid.sheet is not None else grid.place(r, codes[code], code)
        value = float(matrix.values[0, pos])
        if (row, column) not in exists[table]:
            if math.isnan(value):
                continue  # a cell of the other version, empty: not part of this report
            raise fail(
                path,
                place,
                f"单元格 {code} 不属于{layouts[table]}年版格式",
                f"cell {code} does not exist in the {layouts[table]} layout",
            )
        number, huge = status == NUMBER, status == STATUS_CODES[Status.OUT_OF_RANGE]
        raw = format_number(value) if number else grid.text(r, codes[code]) if huge else ""
        state = Status.NUMBER if number else Status.OUT_OF_RANGE if huge else Status.BLANK
        cells.append(NativeCell(table, row, column, value, raw, str(state), place))
    text = {name: grid.text(r, c) for name, c in index.items()}
    return build_report(
        cells,
        template=template,
        path=path,
        agency=_missing_none(text.get("agency")),
        year=year,
        source=_missing_none(text.get("source")) or _name(path),
        report_id=_missing_none(text.get("report_id")),
        layouts=layouts,
    )


def _missing_none(text: str | None) -> str | None:
    return None if text is None or text in MISSING_TEXTS else text


def _name(path: str | None) -> str | None:
    return Path(path).name if path else None


# -- the printed layout -------------------------------------------------------------------------------


def _is_prose(text: str, in_table: bool) -> bool:
    """A lone text cell is prose or a heading, unless it sits inside a table (a label whose values are blank)."""
    if parse_cell(text).status is not Status.TEXT:
        return False
    return not in_table or match_heading(text) is not None or is_section_heading(text) or "。" in text


def layout_blocks(grid: Grid) -> list[Block]:
    """Paragraphs and tables of a sheet holding the printed layout.

    A row with one text cell is a paragraph (outside a table, or a heading);
    a blank row ends a table; a table keeps the columns its rows use, so a
    blank last column (an unfilled 总计) stays in place.
    """
    blocks: list[Block] = []
    if grid.sheet is not None and match_heading(grid.sheet) is not None:
        blocks.append(Paragraph(grid.sheet, f"sheet {grid.sheet}"))
    current: list[int] = []

    def end() -> None:
        if current:
            blocks.append(_table(grid, current))
        current.clear()

    for r, row in enumerate(grid.rows):
        filled = [(c, t.strip()) for c, t in enumerate(row) if t.strip()]
        if not filled:
            end()
        elif len(filled) == 1 and _is_prose(filled[0][1], bool(current)):
            end()
            blocks.append(Paragraph(filled[0][1], grid.place(r, filled[0][0])))
        else:
            current.append(r)
    end()
    return blocks


def _table(grid: Grid, rows: list[int]) -> Table:
    used = [c for r in rows for c, t in enumerate(grid.rows[r]) if t.strip()]
    first, last = min(used), max(used)
    builder = TableBuilder()
    for r in rows:
        builder.add_row([(grid.text(r, c), grid.place(r, c)) for c in range(first, last + 1)])
    if grid.sheet is not None:
        span = f"{get_column_letter(first + 1)}{rows[0] + 1}:{get_column_letter(last + 1)}{rows[-1] + 1}"
        return builder.build(f"sheet {grid.sheet}, {span}")
    return builder.build(f"lines {grid.lines[rows[0]]}-{grid.lines[rows[-1]]}")


# -- one grid or workbook to blocks or a report -------------------------------------------------------


def read_grids(grids: list[Grid], path: str | None) -> list[Block] | Report:
    """The report a spreadsheet holds: own formats from its first filled sheet, else the printed tables."""
    for grid in grids:
        filled = grid.filled()
        if not filled:
            continue
        kind = native_kind(grid.rows[filled[0]])
        if kind == "long":
            return read_long(grid, filled[0], path)
        if kind == "wide":
            return read_wide(grid, filled[0], path)
        break
    return [block for grid in grids for block in layout_blocks(grid)]


def workbook_grids(data: bytes, path: str | None) -> list[Grid]:
    """Every worksheet as a grid of texts (formulas by their saved results; merged ranges: top-left only)."""
    check_archive(data, path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except Exception as exc:  # a damaged archive fails in zipfile, zlib or the XML parser
        raise LoadError(
            f"无法打开Excel工作簿（文件损坏或不是.xlsx） / cannot open the workbook ({type(exc).__name__}: {exc})",
            path=path,
        ) from None
    saved: Any = None
    grids = []
    cells, cap = 0, current().max_cells
    for sheet in book.worksheets:
        cells += sheet.max_row * sheet.max_column  # one far cell (XFD1048576) would make billions of empty ones
        if cells > cap:
            zh, en = f"工作表的单元格超过{cap}个", f"the sheets span more than {cap} cells"
            raise exceeded(path, "max_cells", zh, en, f"sheet {sheet.title}")
        rows: list[list[str]] = []
        for row in sheet.iter_rows():
            texts = []
            for cell in row:
                value = cell.value
                if cell.data_type == "f":
                    if saved is None:
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            saved = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
                    result = saved[sheet.title].cell(cell.row, cell.column).value
                    value = result if result is not None else str(getattr(value, "text", value))
                texts.append(cell_text(value))
            rows.append(texts)
        grids.append(Grid(rows, sheet.title))
    return grids


def csv_grid(data: bytes, path: str | None) -> Grid:
    """A CSV file as a grid: its encoding and delimiter (comma, semicolon or tab) detected."""
    text = check_text(decode(data, path), path)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, lines = [], []
    start = 1
    try:
        for row in reader:
            rows.append(row)
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise fail(path, f"line {reader.line_num}", f"CSV格式错误：{exc}", f"malformed CSV: {exc}") from None
    return Grid(rows, None, lines)


def _delimiter(text: str) -> str:
    head = [line for line in text.splitlines() if line.strip()][:_SNIFF_LINES]
    counts = {d: sum(_unquoted(line).count(d) for line in head) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _unquoted(line: str) -> str:
    return "".join(part for i, part in enumerate(line.split('"')) if i % 2 == 0)


# -- the registry's entry points -----------------------------------------------------------------------


def sniff_xlsx(data: bytes, suffix: str = "") -> bool:
    """A zip archive with ``xl/workbook.xml``."""
    return zip_holds(data, _WORKBOOK, (".xlsx", ".xlsm"), suffix)


def read_xlsx(data: bytes, source: str | None = None) -> list[Block] | Report:
    """Read a workbook: the printed tables, or the long or wide format."""
    return read_grids(workbook_grids(data, source), source)


def _first_line(data: bytes) -> str:
    head = data[:4096]
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            lines = head[len(bom) :].decode(encoding, errors="ignore").splitlines()
            return lines[0] if lines else ""
    lines = head.decode("utf-8", errors="ignore").lstrip("\ufeff").splitlines()
    return lines[0] if lines else ""


def sniff_csv(data: bytes, suffix: str = "") -> bool:
    """A ``.csv``/``.tsv`` file, or text whose first line is a long- or wide-format header."""
    if data.lstrip().startswith((b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return False
    if suffix in (".csv", ".tsv"):
        return True
    line = _first_line(data).strip()
    if not any(d in line for d in _DELIMITERS):
        return False
    fields = next(csv.reader([line], delimiter=max(_DELIMITERS, key=line.count)), [])
    return native_kind(fields) is not None


def read_csv(data: bytes, source: str | None = None) -> list[Block] | Report:
    """Read a CSV file: the long or wide format, or the printed tables."""
    return read_grids([csv_grid(data, source)], source)
