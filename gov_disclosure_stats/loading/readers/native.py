"""The library's own formats (long, wide, JSON) back to a :class:`Report`, with the checks they share.

A file in one of these formats names its cells by code; it is still checked as
a printed table is: every code must exist in the report's layout, no cell may
appear twice, and every template cell must be there. A half-filled report is
never returned.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ...core.errors import LoadError, zh_place
from ...core.layouts import TABLES, VERSIONS, cell_universe, table_layout, version_for_year
from ...core.values import MAX_EXACT, Status, format_number
from ...model.report import Report, detect_version, long_frame

fail = LoadError.at
"""A bilingual :class:`LoadError` at a place in a file (to raise)."""

_MAX_LISTED = 8
MISSING_TEXTS = frozenset({"", "nan", "NaN", "NAN", "<NA>", "None", "null", "NULL", "NA"})
"""How a missing value is written by pandas, Excel or by hand."""


@dataclass(frozen=True)
class NativeCell:
    """One cell of an own-format file: its code parts, value, raw text, status and place.

    ``where`` is the place the report records (a long file keeps its ``where``
    column, the place in the original source); ``at`` is the place in the file
    being read, which error messages name.
    """

    table: str
    row: str
    column: str
    value: float
    raw: str
    status: str
    where: str
    at: str = ""

    @property
    def place(self) -> str:
        return self.at or self.where

    @property
    def code(self) -> str:
        return f"{self.table}.{self.row}.{self.column}"


MIN_YEAR, MAX_YEAR = 1000, 9999
"""The report years a file may state (a year outside them is a LoadError, never an overflow)."""


def parse_number(text: str) -> float | None:
    """A number as pandas, Excel or a person writes it (``"504"``, ``"504.0"``); NaN when missing, None for text.

    A number too large for a float (``"1e400"``, 401 digits) is ``inf``: :func:`build_report` marks it out of range.
    """
    text = text.strip()
    if text in MISSING_TEXTS:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        return None
    return None if math.isnan(value) else value


def parse_year(text: str | int | float | None, path: str | None, where: str | None) -> int | None:
    """A report year from a file (``2022``, ``"2022"``, ``"2022.0"``); None when missing."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    number = parse_number(str(text))
    if number is None or (not math.isnan(number) and not number.is_integer()):
        raise fail(path, where, f"年份「{text}」不是整数", f"year {text!r} is not a whole number")
    if not math.isnan(number) and not MIN_YEAR <= number <= MAX_YEAR:
        raise fail(path, where, f"年份「{str(text)[:20]}」超出范围", f"year {str(text)[:20]!r} is out of range")
    return None if math.isnan(number) else int(number)


def check_code(table: str, row: str, column: str, path: str | None, where: str) -> None:
    """Raise unless ``table.row.column`` is a cell code of some template version."""
    code = f"{table}.{row}.{column}"
    if code not in _universe():
        hint = "" if table in TABLES else f"; tables: {', '.join(TABLES)}"
        raise fail(path, where, f"未知的单元格代码「{code}」", f"unknown cell code {code!r}{hint}")


def _universe() -> frozenset[str]:
    return frozenset(cell_universe())


def pick_template(
    template: str | None, year: int | None, path: str | None, where: str | None, cells: Sequence[NativeCell] = ()
) -> str:
    """The template version a file states, else the one in force for its year, else the one its cells show."""
    if template is not None and template.strip() not in ("", *MISSING_TEXTS):
        text = template.strip().removesuffix(".0")
        if text not in VERSIONS:
            raise fail(
                path,
                where,
                f"未知的格式版本「{template}」（应为{'或'.join(VERSIONS)}）",
                f"unknown template {template!r}; known: {', '.join(VERSIONS)}",
            )
        return text
    if year is not None:
        try:
            return version_for_year(year)
        except ValueError:
            raise fail(
                path,
                where,
                f"{year}年的报告没有统一格式，不支持2019年以前的报告",
                f"unsupported layout: reports before 2019 ({year}) have no common template",
            ) from None
    proactive = [c for c in cells if c.table == "proactive"]
    return detect_version("proactive", (c.row for c in proactive), (c.column for c in proactive), VERSIONS[-1])


def build_report(
    cells: Sequence[NativeCell],
    *,
    template: str,
    path: str | None,
    agency: str | None = None,
    year: int | None = None,
    source: str | None = None,
    report_id: str | None = None,
    layouts: Mapping[str, str] | None = None,
) -> Report:
    """A :class:`Report` of own-format cells, after checking codes, repeats and completeness."""
    cells = [_in_range(c) for c in cells]
    seen: dict[tuple[str, str, str], NativeCell] = {}
    for cell in cells:
        check_code(cell.table, cell.row, cell.column, path, cell.place)
        key = (cell.table, cell.row, cell.column)
        if key in seen:
            raise fail(
                path,
                cell.place,
                f"单元格 {cell.code} 重复出现（另见{zh_place(seen[key].place)}）",
                f"cell {cell.code} appears twice (also at {seen[key].place})",
            )
        seen[key] = cell
    frame = long_frame([(c.table, c.row, c.column, c.value, c.raw, c.status, c.where) for c in cells])
    frame["value"] = frame["value"].astype(float)
    report = Report(
        cells=frame,
        template=template,
        agency=agency,
        year=year,
        source=source,
        layouts=dict(layouts or {}),
        report_id=report_id,
    )
    check_complete(report, list(seen.values()), path)
    return report


def _in_range(cell: NativeCell) -> NativeCell:
    """The cell, or, for a number beyond ±2**53 (or infinite), the same cell ``out_of_range`` without a value."""
    if cell.status != Status.NUMBER or abs(cell.value) <= MAX_EXACT:
        return cell
    raw = cell.raw if cell.raw and cell.raw != format_number(cell.value) else repr(cell.value)
    return replace(cell, value=math.nan, raw=raw, status=str(Status.OUT_OF_RANGE))


def check_complete(report: Report, cells: Sequence[NativeCell], path: str | None) -> None:
    """Raise unless every table is there, every cell exists in its table's layout and no template cell is missing."""
    by_table: dict[str, list[NativeCell]] = {}
    for cell in cells:
        by_table.setdefault(cell.table, []).append(cell)
    absent = [t for t in TABLES if t not in by_table]
    if absent:
        zh = "、".join(f"「{table_layout(t, report.template).label}」" for t in absent)
        raise fail(path, None, f"缺少表格{zh}", f"missing table: {', '.join(absent)}")
    for table in TABLES:
        layout = report.layout(table)
        exists = set(layout.cells)
        for cell in by_table[table]:
            if (cell.row, cell.column) not in exists:
                raise fail(
                    path,
                    cell.place,
                    f"单元格 {cell.code} 不属于{layout.version}年版格式",
                    f"cell {cell.code} does not exist in the {layout.version} layout",
                )
        present = {(c.row, c.column) for c in by_table[table]}
        missing = [f"{table}.{r}.{c}" for r, c in layout.required_cells if (r, c) not in present]
        if missing:
            labels = [layout.cell_label(*code.split(".")[1:]) for code in missing]
            more_zh = f"等{len(missing)}个" if len(missing) > _MAX_LISTED else ""
            more_en = f" and {len(missing) - _MAX_LISTED} more" if len(missing) > _MAX_LISTED else ""
            raise fail(
                path,
                None,
                f"表格「{layout.section}、{layout.label}」不完整，缺少：{'；'.join(labels[:_MAX_LISTED])}{more_zh}",
                f"table {table} is incomplete, missing: {', '.join(missing[:_MAX_LISTED])}{more_en}",
            )


STATUSES = frozenset(str(s) for s in Status)
