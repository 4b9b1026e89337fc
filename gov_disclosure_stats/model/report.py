"""The ``Report``: one annual report's tables, with every cell's raw text and status."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..core.layouts import TABLES, VERSIONS, TableLayout, table_layout
from ..core.values import MAX_EXACT, READ_AS_ZERO, Status, format_number
from . import upcalls
from .grid import Paragraph
from .issues import issues_frame
from .result import fmt

LONG_COLUMNS = ["table", "row", "column", "value", "raw", "status", "where"]
_LONG_INDEX = pd.Index(LONG_COLUMNS, dtype=object)  # built once: a str-dtype Index per frame costs more than the rows
META_COLUMNS = ["report_id", "agency", "year", "template"]
LAYOUT_COLUMNS = {t: f"layout.{t}" for t in TABLES}


@cache
def _only_in(table: str, version: str, axis: str) -> frozenset[str]:
    """Row or column codes that ``version`` of ``table`` has and the other versions lack."""

    def codes(v: str) -> set[str]:
        layout = table_layout(table, v)
        return {n.code for n in (layout.rows if axis == "rows" else layout.columns) if n.is_cell}

    others = set().union(*(codes(v) for v in VERSIONS if v != version))
    return frozenset(codes(version) - others)


def long_frame(records: Sequence[tuple]) -> pd.DataFrame:
    """The long cell frame from ``(table, row, column, value, raw, status, where)`` tuples.

    Text columns are plain object strings: cheaper to build, pickle and read back than Arrow-backed ones.
    """
    if not records:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "value" else object) for c in LONG_COLUMNS})
    array = np.array(records, dtype=object)
    frame = pd.DataFrame(array, columns=_LONG_INDEX, dtype=object, copy=False)
    frame["value"] = array[:, 3].astype(float)
    return frame


def detect_version(table: str, rows: Iterable[str], columns: Iterable[str], hint: str) -> str:
    """The layout version of one table from the rows and columns it has.

    ``requests`` with （六）其他处理 printed as one row is the 2019 request layout,
    whatever the report's template (the 洪泽区 2023/2024 reports do this).
    """
    rows, columns = set(rows), set(columns)
    for version in reversed(VERSIONS):  # a row or column only one version has names it (newest first)
        if rows & _only_in(table, version, "rows") or columns & _only_in(table, version, "columns"):
            return version
    if table == "requests" and "other_handling" in rows:
        return "2019"  # （六） printed as one row, without the 2021 sub-items
    return hint


@dataclass
class Report:
    """One report: metadata and its cells in long form (one row per printed cell).

    ``cells`` has the columns ``table, row, column, value, raw, status, where``:
    ``value`` is NaN unless ``status`` is ``number``; ``where`` says where the
    cell came from in the source (line, table cell, page).
    """

    cells: pd.DataFrame
    template: str
    agency: str | None = None
    year: int | None = None
    source: str | None = None
    layouts: dict[str, str] = field(default_factory=dict)
    report_id: str | None = None
    paragraphs: tuple[Paragraph, ...] = field(default=(), repr=False)
    """The document's prose and headings in reading order (checked by the ``narrative.*`` rules; not in ``to_dict``)."""
    issues: pd.DataFrame = field(default_factory=issues_frame, repr=False)
    """What the loader could not read as printed and what it did (:mod:`.issues`); empty for a clean load."""

    def __post_init__(self) -> None:
        if self.template not in VERSIONS:
            raise ValueError(f"unknown template {self.template!r}; known: {', '.join(VERSIONS)}")
        if list(self.cells.columns) != LONG_COLUMNS or not isinstance(self.cells.index, pd.RangeIndex):
            self.cells = self.cells.reindex(columns=LONG_COLUMNS).reset_index(drop=True)
        if any(table not in self.layouts for table in TABLES):
            tables = self.cells["table"].to_numpy(dtype=object)
            rows, columns = self.cells["row"].to_numpy(dtype=object), self.cells["column"].to_numpy(dtype=object)
            for table in TABLES:
                part = tables == table
                if table not in self.layouts and part.any():
                    self.layouts[table] = detect_version(table, rows[part], columns[part], self.template)
        if self.report_id is None:
            self.report_id = (
                self.source or "|".join(str(x) for x in (self.agency, self.year) if x is not None) or "report"
            )

    # -- views -----------------------------------------------------------------

    def layout(self, table: str) -> TableLayout:
        """The layout this report's ``table`` follows."""
        return table_layout(table, self.layouts.get(table, self.template))

    def _frame(self, table: str, what: str) -> pd.DataFrame:
        layout = self.layout(table)
        part = self.cells[self.cells["table"] == table]
        rows = [r.code for r in layout.cell_rows if r.code in set(part["row"]) or not r.is_optional]
        cols = [c.code for c in layout.cell_columns if c.code in set(part["column"]) or not c.is_optional]
        wide = part.pivot(index="row", columns="column", values=what).reindex(index=rows, columns=cols)
        wide.index.name, wide.columns.name = "row", None
        if what != "value":
            return wide.astype("string")
        return wide.astype({c: _dtype(layout, c, wide[c]) for c in cols})

    @cached_property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Values per table: index = row codes, columns = column codes (Int64, Float64 for money)."""
        return {t: self._frame(t, "value") for t in TABLES if t in self.layouts}

    def raw(self, table: str) -> pd.DataFrame:
        """The raw text of every cell of ``table``."""
        return self._frame(table, "raw")

    def status(self, table: str) -> pd.DataFrame:
        """The status (number, blank, not_applicable, text, omitted, ambiguous) of every cell of ``table``."""
        return self._frame(table, "status")

    def labelled(self, table: str) -> pd.DataFrame:
        """``tables[table]`` with the template's Chinese labels instead of codes."""
        layout = self.layout(table)
        frame = self.tables[table]
        return frame.rename(index=layout.row_label, columns=layout.column_label)

    def value(self, code: str) -> float | None:
        """The value of one cell by code (``requests.new.total``); None when it is not a number."""
        table, row, col = code.split(".")
        hit = self.cells[(self.cells["table"] == table) & (self.cells["row"] == row) & (self.cells["column"] == col)]
        if hit.empty or pd.isna(hit["value"].iloc[0]):
            return None
        return float(hit["value"].iloc[0])

    def apply(self, corrections: pd.DataFrame, solution: int = 1) -> Report:
        """A new report with one solution of :func:`gov_disclosure_stats.localize`'s corrections applied.

        Changed cells keep their raw text; their ``where`` says they were corrected and from what.
        This report is left as it is.
        """
        return apply_corrections(self, corrections, solution)

    def where(self, code: str) -> str | None:
        """Where a cell (``requests.new.total``) was printed in the source: a line, a table cell, a page."""
        places = self.__dict__.get("_places")
        if places is None or places[0] is not self.cells:
            cells = self.cells
            codes = cells["table"] + "." + cells["row"] + "." + cells["column"]
            places = (cells, dict(zip(codes, cells["where"], strict=True)))
            self.__dict__["_places"] = places
        place = places[1].get(code)
        return None if place is None or pd.isna(place) else str(place)

    def _repr_html_(self) -> str:
        """Jupyter display: the tables in the template's layout, failing cells highlighted (:mod:`.display`)."""
        return upcalls.call("report_html", self)

    # -- conversions -------------------------------------------------------------

    def to_long(self) -> pd.DataFrame:
        """One row per cell: ``report_id, agency, year, template, table, row, column, value, raw, status, where``."""
        out = self.cells.copy()
        for name, value in zip(META_COLUMNS, (self.report_id, self.agency, self.year, self.template), strict=True):
            out.insert(META_COLUMNS.index(name), name, value)
        return out

    def to_wide(self) -> pd.DataFrame:
        """One row: metadata, per-table layout versions and one column per cell code."""
        return upcalls.call("reports_to_wide", [self])

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``corpus/*.expected.json`` (``null`` for a cell that is not a number)."""
        tables: dict[str, Any] = {}
        for table, frame in self.tables.items():
            tables[table] = {
                row: {
                    col: _plain(frame.at[row, col])
                    for col in self.layout(table).row_columns(row)
                    if col in frame.columns
                }
                for row in frame.index
            }
        return {
            "template": self.template,
            "year": self.year,
            "agency": self.agency,
            "source": self.source,
            "tables": tables,
        }

    def to_json(self, indent: int | None = 1) -> str:
        """:meth:`to_dict` as JSON text (Chinese kept as is); ``gds.load`` reads it back."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Report:
        """Build a report from the ``expected.json`` shape; ``null`` cells load as blank."""
        records = []
        for table, rows in data["tables"].items():
            for row, cols in rows.items():
                for col, value in cols.items():
                    status = Status.BLANK if value is None else Status.NUMBER
                    if value is not None and not abs(value) <= MAX_EXACT:  # 10**30, inf: never a value
                        status, value = Status.OUT_OF_RANGE, None
                    raw = "" if value is None else format_number(value)
                    records.append(
                        (table, row, col, np.nan if value is None else float(value), raw, str(status), "dict")
                    )
        cells = long_frame(records)
        year = data.get("year")
        return cls(
            cells=cells,
            template=str(data["template"]),
            agency=data.get("agency"),
            year=int(year) if year is not None else None,
            source=data.get("source"),
        )


def _dtype(layout: TableLayout, column: str, values: pd.Series | None = None) -> str:
    """Float64 for money, Int64 for counts; Float64 too for a count column holding a fraction (504.5 is shown
    as printed, never rounded: ``cells.integer`` fails on it)."""
    if layout.column_type(column) == "money":
        return "Float64"
    numbers = None if values is None else pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    whole = numbers is None or bool(np.all(np.isnan(numbers) | (numbers == np.rint(numbers))))
    return "Int64" if whole else "Float64"


def _plain(value: Any) -> int | float | None:
    if value is None or pd.isna(value):
        return None
    return float(value) if isinstance(value, float) else int(value)


def reports_to_long(reports: Iterable[Report]) -> pd.DataFrame:
    """The long format of many reports in one DataFrame."""
    frames = [r.to_long() for r in reports]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=META_COLUMNS + LONG_COLUMNS)


REQUIRED_CORRECTION_COLUMNS = ("report_id", "solution", "cell", "current", "suggested")
"""The columns a corrections frame needs for :meth:`Report.apply` and for showing corrections on a report."""


# -- applying a solution ------------------------------------------------------------------------

_READ_AS_ZERO = frozenset(str(s) for s in READ_AS_ZERO)
"""The statuses ``blank_as_zero`` reads as 0 (a blank cell, a row left out)."""


def apply_corrections(report: Report, corrections: pd.DataFrame, solution: int = 1) -> Report:
    """A new report with one solution of :func:`localize`'s corrections applied (see :meth:`Report.apply`).

    Every changed cell's ``current`` must be its value in this report (a blank: NA, or 0 as
    ``blank_as_zero`` reads it), so that the corrections of another report with the same ``report_id``
    are refused rather than written into this one.
    """
    missing = [c for c in REQUIRED_CORRECTION_COLUMNS if c not in corrections.columns]
    if missing:
        raise ValueError(f"更正表缺少列 / the corrections lack the columns: {', '.join(missing)}")
    rid = report.report_id
    mine = corrections[corrections["report_id"] == rid]
    if mine.empty:
        ids = corrections["report_id"].astype(str)
        renumbered = sorted(set(ids[ids.str.startswith(f"{rid}#")]))
        if renumbered:
            zh, en = _same_id(rid)
            raise ValueError(
                f"更正表中没有报告 {rid} 的行，只有重复的 id 编号后 {'、'.join(renumbered)} 的：{zh} / "
                f"the corrections have no rows for report {rid}, only for the renumbered {', '.join(renumbered)}: {en}"
            )
        return dataclasses.replace(report, cells=report.cells.copy(), layouts=dict(report.layouts))
    if mine["solution"].isna().all():
        notes = mine["note"].dropna().astype(str) if "note" in mine.columns else pd.Series(dtype=str)
        why = next((n for n in notes if n), "")
        raise ValueError(f"报告 {rid} 没有可应用的改法 / report {rid} has no solution to apply: {why}")
    chosen = mine[mine["solution"] == solution]
    if chosen.empty:
        have = ", ".join(str(s) for s in sorted(mine["solution"].dropna().unique()))
        raise ValueError(
            f"报告 {rid} 没有第 {solution} 个改法（有：{have}） / "
            f"report {rid} has no solution {solution} (it has: {have})"
        )
    open_ = chosen.loc[chosen["suggested"].isna(), "cell"].tolist()
    if open_:
        raise ValueError(
            f"规则不能确定这些单元格的值，请先填写 suggested 或另选改法：{', '.join(open_)} / "
            f"the rules do not determine these cells: fill in 'suggested' or choose another solution: "
            f"{', '.join(open_)}"
        )
    cells = report.cells.copy()
    codes = (cells["table"] + "." + cells["row"] + "." + cells["column"]).to_numpy()
    for row in chosen.itertuples(index=False):
        code = str(row.cell)
        hit = np.flatnonzero(codes == code)
        if not len(hit):
            raise ValueError(
                f"报告 {rid} 没有单元格 {code}：这些更正多半属于另一份报告 / "
                f"report {rid} has no cell {code}: the corrections likely belong to another report"
            )
        k = cells.index[hit[0]]
        old = float(cells.at[k, "value"])
        current = None if pd.isna(row.current) else float(row.current)  # type: ignore[arg-type]
        if not _matches(old, str(cells.at[k, "status"]), current):
            zh, en = _same_id(rid)
            raise ValueError(
                f"报告 {rid} 的 {code} 为 {fmt(old)}，更正表记其原值为 {fmt(current)}：{zh} / "
                f"{code} of report {rid} is {fmt(old)}, "
                f"but the corrections give its current value as {fmt(current)}: {en}"
            )
        new = float(row.suggested)  # type: ignore[arg-type]
        slip = getattr(row, "slip", None)
        how = f" ({slip})" if isinstance(slip, str) and slip else ""
        if np.isnan(old):
            trace = f"已更正：原缺，改为 {fmt(new)} / corrected: not printed → {fmt(new)}{how}"
        else:
            trace = f"已更正：原为 {fmt(old)}，改为 {fmt(new)} / corrected {fmt(old)} → {fmt(new)}{how}"
        place = cells.at[k, "where"]
        cells.at[k, "where"] = f"{place}; {trace}" if isinstance(place, str) and place else trace
        cells.at[k, "value"] = new
        cells.at[k, "status"] = "number"
    return dataclasses.replace(report, cells=cells, layouts=dict(report.layouts))


def _same_id(rid: str | None) -> tuple[str, str]:
    """Why corrections may not fit a report, and what to do, in Chinese and English."""
    return (
        f"这些更正多半属于另一份 report_id 同为 {rid} 的报告（同一机构同一年度载入两次，如初稿与修订稿？）。"
        f"请给各报告不同的 report_id（report.report_id = …）后重新 localize",
        f"they likely belong to another report with the report_id {rid} (one agency and year loaded twice, "
        f"a draft and a revision?); give the reports distinct report_ids (report.report_id = ...) and localize again",
    )


def _matches(old: float, status: str, current: float | None) -> bool:
    """Whether a correction's ``current`` is a cell's value (``old``, NaN unless a number) in this report."""
    if np.isnan(old):
        return current is None or (current == 0 and status in _READ_AS_ZERO)
    return current is not None and abs(current - old) <= 1e-9 * max(1.0, abs(old))
