"""The ``Report``: one annual report's tables, with every cell's raw text and status."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..core.layouts import TABLES, VERSIONS, TableLayout, table_layout
from ..core.values import MAX_EXACT, Status, format_number
from .grid import Paragraph
from .issues import issues_frame

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
        from ..analysis.localize import apply_corrections

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
        from ..show.display import to_html

        return to_html(self)

    # -- conversions -------------------------------------------------------------

    def to_long(self) -> pd.DataFrame:
        """One row per cell: ``report_id, agency, year, template, table, row, column, value, raw, status, where``."""
        out = self.cells.copy()
        for name, value in zip(META_COLUMNS, (self.report_id, self.agency, self.year, self.template), strict=True):
            out.insert(META_COLUMNS.index(name), name, value)
        return out

    def to_wide(self) -> pd.DataFrame:
        """One row: metadata, per-table layout versions and one column per cell code."""
        return reports_to_wide([self])

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


def reports_to_wide(reports: Iterable[Report]) -> pd.DataFrame:
    """One row per report, one column per cell code (NaN where the cell is not a number)."""
    from .matrix import CellMatrix

    return CellMatrix.from_reports(list(reports)).to_wide()
