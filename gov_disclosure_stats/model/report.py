"""The ``Report``: one annual report's tables, with every cell's raw text and status."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from itertools import repeat
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import DataError
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


def _block_frames() -> Callable[[list[Any], pd.Index, pd.Index], pd.DataFrame] | None:
    """pandas' internals for a frame of extension-array columns: one block per column, straight into a block
    manager, without the checks and the grouping by dtype of the public constructor (most of its cost for a
    small table; our columns are built right). None where pandas lacks them or builds another frame with them
    than its public constructor does (tried once, here): the public constructor then."""
    try:
        from pandas._libs.internals import BlockPlacement
        from pandas.core.internals.blocks import ExtensionBlock
        from pandas.core.internals.managers import BlockManager

        from_manager = pd.DataFrame._from_mgr
    except (ImportError, AttributeError):
        return None
    places: list[Any] = []

    def frame(arrays: list[Any], index: pd.Index, columns: pd.Index) -> pd.DataFrame:
        places.extend(BlockPlacement(j) for j in range(len(places), len(arrays)))
        manager = BlockManager(
            tuple(map(ExtensionBlock, arrays, places, repeat(2))), [columns, index], verify_integrity=False
        )
        return from_manager(manager, axes=manager.axes)

    columns = {"n": pd.array([1, None], dtype="Int64"), "s": pd.array(["a", None], dtype="string")}
    try:
        probe = frame(list(columns.values()), pd.Index(["x", "y"]), pd.Index(list(columns)))
        fits = probe.equals(pd.DataFrame(columns, index=["x", "y"]))  # values, dtypes and axes
    except Exception:  # any change in pandas' internals: the public constructor
        return None
    return frame if fits else None


_BLOCK_FRAME = _block_frames()
_INTEGERS = getattr(pd.arrays.IntegerArray, "_simple_new", pd.arrays.IntegerArray)
_FLOATS = getattr(pd.arrays.FloatingArray, "_simple_new", pd.arrays.FloatingArray)
"""Int64 and Float64 arrays from finished values and masks, without the checks of the public constructors."""


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

    def _grids(self) -> dict[str, _Grid]:
        """Every table's cells pivoted once (:class:`_Grid`), kept while ``cells`` and ``layouts`` stay the same."""
        key = (self.template, tuple(self.layouts.items()))
        cached = self.__dict__.get("_grid_cache")
        if cached is not None and cached[0] is self.cells and cached[1] == key:
            return cached[2]
        grids = _pivot(self.cells, {t: self.layout(t) for t in TABLES if t in self.layouts})
        self.__dict__["_grid_cache"] = (self.cells, key, grids)
        return grids

    def _grid(self, table: str) -> _Grid:
        grids = self._grids()
        if table in grids:
            return grids[table]
        return _pivot(self.cells, {table: self.layout(table)})[table]  # a table this report does not have

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Values per table: index = row codes, columns = column codes (Int64, Float64 for money).

        Made once (the same frames each time), and again when ``cells`` is replaced."""
        grids = self._grids()
        cached = self.__dict__.get("_tables")
        if cached is None or cached[0] is not grids:
            cached = (grids, {table: grid.value_frame() for table, grid in grids.items()})
            self.__dict__["_tables"] = cached
        return cached[1]

    def raw(self, table: str) -> pd.DataFrame:
        """The raw text of every cell of ``table``."""
        return self._grid(table).text_frame("raw")

    def status(self, table: str) -> pd.DataFrame:
        """The status (number, blank, not_applicable, text, omitted, ambiguous) of every cell of ``table``."""
        return self._grid(table).text_frame("status")

    def labelled(self, table: str) -> pd.DataFrame:
        """``tables[table]`` with the template's Chinese labels instead of codes (made from the cells, as
        ``tables`` is)."""
        if table not in self.layouts:
            raise KeyError(table)
        return self._grid(table).value_frame(labelled=True)

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
        return {
            "template": self.template,
            "year": self.year,
            "agency": self.agency,
            "source": self.source,
            "tables": {table: grid.plain_rows() for table, grid in self._grids().items()},
        }

    def to_json(self, indent: int | None = 1) -> str:
        """:meth:`to_dict` as JSON text (Chinese kept as is); ``gds.load`` reads it back."""
        grids = self._grids()
        text = _json_format(tuple(grid.shape for grid in grids.values()), indent)
        values: list[Any] = [_json_scalar(v) for v in (self.template, self.year, self.agency, self.source)]
        if text is None or None in values:
            return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)
        for grid in grids.values():
            values += grid.plain[1]
        return text % tuple(values)

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


@dataclass(frozen=True, eq=False)
class _Grid:
    """One table of a report pivoted once: the layout's rows and columns the report has, in template order, and
    per cell its value (NaN unless a number), status and raw text (None where the report has no such cell).

    The frames of :class:`Report` (``tables``, ``status``, ``raw``) and ``to_dict`` are all read from here.
    """

    shape: _Shape
    values: np.ndarray
    status: np.ndarray
    raw: np.ndarray

    @property
    def layout(self) -> TableLayout:
        return self.shape.layout

    @property
    def rows(self) -> tuple[str, ...]:
        return self.shape.rows

    @property
    def columns(self) -> tuple[str, ...]:
        return self.shape.columns

    @cached_property
    def whole(self) -> np.ndarray:
        """Per column: True where it reads as Int64, False for Float64 (money, or a count column holding a
        fraction: 504.5 is shown as printed, never rounded; ``cells.integer`` fails on it)."""
        values = self.values
        whole = (np.isnan(values) | (np.isfinite(values) & (values == np.rint(values)))).all(axis=0)
        return whole & ~self.shape.money

    def value_frame(self, labelled: bool = False) -> pd.DataFrame:
        """The values as Int64 columns (Float64 where not :attr:`whole`); Chinese labels for codes if asked."""
        values = np.ascontiguousarray(self.values.T)  # a row per column: each column one contiguous piece
        missing = np.isnan(values)
        whole = self.whole.tolist()
        counts = np.where(missing, 0, values).astype(np.int64) if any(whole) else None
        amounts = np.where(missing, 0.0, values) if not all(whole) else None
        arrays = [
            _INTEGERS(counts[j], missing[j]) if is_whole else _FLOATS(amounts[j], missing[j])  # type: ignore[index]
            for j, is_whole in enumerate(whole)
        ]
        if labelled:
            return self._frame(arrays, *self.shape.labels)
        return self._frame(arrays)

    def text_frame(self, what: str) -> pd.DataFrame:
        """The ``status`` or ``raw`` text of every cell as string columns (<NA> where the report has no cell)."""
        return self._frame(_string_columns(getattr(self, what)))

    def _frame(
        self, arrays: list[Any], rows: tuple[str, ...] | None = None, columns: tuple[str, ...] | None = None
    ) -> pd.DataFrame:
        index, columns = _axis(rows or self.rows, "row"), _axis(columns or self.columns, None)
        if _BLOCK_FRAME is not None:
            return _BLOCK_FRAME(arrays, index, columns)
        frame = pd.DataFrame(dict(enumerate(arrays)), index=index, copy=False)
        frame.columns = columns
        return frame

    @cached_property
    def plain(self) -> tuple[list[int | float | None], list[int | float | str]]:
        """The values of this table in :meth:`Report.to_dict`, row by row in template order: as Python numbers
        (int in Int64 columns, float in Float64 ones, None where not a number), and as what ``%s`` writes
        into JSON text (the same, with ``null`` for None; ``NaN``/``Infinity`` as ``json`` writes them)."""
        order, column = self.shape.json_order
        flat = self.values.ravel()[order]
        odd = np.isnan(flat)
        if not self.whole.all():
            odd |= ~self.whole[column]
        values: list[Any] = np.where(odd, 0, flat).astype(np.int64).tolist()  # every cell an int, then the others
        texts = values.copy()
        for k in np.flatnonzero(odd).tolist():
            value = float(flat[k])
            if value != value:
                values[k], texts[k] = None, "null"
            else:
                values[k] = value
                texts[k] = value if math.isfinite(value) else json.dumps(value)
        return values, texts

    def plain_rows(self) -> dict[str, dict[str, int | float | None]]:
        """Each row's cells as plain Python numbers (None when not a number), the row's columns in template
        order: a table in :meth:`Report.to_dict`."""
        values = self.plain[0]
        spans = self.shape.row_spans
        # strict=False: the spans fit by construction, and checking them costs a third of the time
        return {row: dict(zip(columns, values[start:stop], strict=False)) for row, columns, start, stop in spans}


def _string_columns(grid: np.ndarray) -> list[Any]:
    """The columns of a grid of text (None where no cell) as ``string`` arrays: the grid converted in one piece,
    then a slice per column. Straight through pyarrow when that is the string storage (a third of the cost:
    pandas checks every value first)."""
    n, count, flat = grid.shape[0], grid.shape[1], grid.ravel(order="F")
    if pd.StringDtype().storage == "pyarrow":
        import pyarrow as pa

        try:
            whole = pa.chunked_array([pa.array(flat, type=pa.large_string(), from_pandas=True)])
        except (pa.ArrowException, TypeError):  # a number among the texts: pandas writes it as text
            pass
        else:
            wrap = _arrow_strings()
            return [wrap(whole.slice(j * n, n)) for j in range(count)]
    text = pd.array(flat, dtype="string")
    return [text[j * n : (j + 1) * n] for j in range(count)]


@cache
def _arrow_strings() -> Callable[[Any], Any]:
    """A ``string`` (pyarrow) array of Arrow text: what pandas itself uses to wrap an Arrow result, without the
    checks of the public constructor (the fallback)."""
    import pyarrow as pa

    empty = pd.arrays.ArrowStringArray(pa.chunked_array([], type=pa.large_string()))
    return getattr(empty, "_from_pyarrow_array", pd.arrays.ArrowStringArray)


def _pivot(cells: pd.DataFrame, layouts: Mapping[str, TableLayout]) -> dict[str, _Grid]:
    """The grids of ``layouts``' tables from long cells: the rows and columns the layout has and the report
    prints (an optional subtotal row or column only where some cell of the table names it).

    One look-up per cell in a map of every (row, column) of the layouts; cells whose table, row or column
    the layouts lack are left out; a cell given twice is a :class:`DataError`.
    """
    tables, rows, columns, values, raw, status = _cell_arrays(cells)
    plan = _plan(tuple((table, layout.version) for table, layout in layouts.items()))
    keys = zip(tables.tolist(), rows.tolist(), columns.tolist(), strict=True)
    position = np.fromiter(map(plan.slot_at.get, keys, repeat(-1)), dtype=np.intp, count=len(values))
    found = position >= 0
    everywhere = bool(found.all())  # every cell in the layouts: no selection to make
    slots = position if everywhere else position[found]
    counts = np.bincount(slots, minlength=plan.size)
    if len(slots) and counts.max() > 1:
        table = plan.table_of[int(np.argmax(counts > 1))]
        raise DataError(
            f"表「{table}」有重复的单元格（同一行同一列出现多次） / table {table!r} holds a cell (row, column) "
            "more than once"
        )
    named_rows, named_columns = np.zeros(plan.n_rows + 1, dtype=bool), np.zeros(plan.n_columns + 1, dtype=bool)
    named_rows[plan.row_of[slots]] = True
    named_columns[plan.column_of[slots]] = True
    for k in [] if everywhere else np.flatnonzero(~found).tolist():
        table = tables[k]  # a cell outside the layouts may still name an optional row or column
        named_rows[plan.row_at.get((table, rows[k]), plan.n_rows)] = True  # n_rows: the spare slot at the end
        named_columns[plan.column_at.get((table, columns[k]), plan.n_columns)] = True
    if not everywhere:
        values, raw, status = values[found], raw[found], status[found]
    grid_values = np.full(plan.size, np.nan)
    grid_status, grid_raw = np.empty(plan.size, dtype=object), np.empty(plan.size, dtype=object)  # None each
    grid_values[slots], grid_status[slots], grid_raw[slots] = values, status, raw
    grids = {}
    for shape, take in _selection(plan, named_rows.tobytes(), named_columns.tobytes()):
        size = (len(shape.rows), len(shape.columns))
        grids[shape.layout.table] = _Grid(
            shape, *(g.take(take).reshape(size) for g in (grid_values, grid_status, grid_raw))
        )
    return grids


def _cell_arrays(cells: pd.DataFrame) -> list[np.ndarray]:
    """The columns ``table, row, column, value, raw, status`` of long cells as numpy arrays: ``value`` as float,
    the others as objects. pandas' own arrays of the columns where they are these (a frame from the loaders):
    no Series per column, no copy of the values."""
    get = getattr(cells, "_get_column_array", None)
    if get is not None and list(cells.columns) == LONG_COLUMNS:
        arrays = [get(k) for k in range(6)]
        if all(type(a) is np.ndarray and a.dtype == (float if k == 3 else object) for k, a in enumerate(arrays)):
            return arrays
    if list(cells.columns) != LONG_COLUMNS:
        cells = cells.reindex(columns=LONG_COLUMNS)
    array = cells.to_numpy(dtype=object)  # one conversion: cheaper than a Series per column
    try:
        values = array[:, 3].astype(float)
    except (TypeError, ValueError):  # <NA> or text in a value column built by hand
        values = pd.to_numeric(cells["value"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return [array[:, 0], array[:, 1], array[:, 2], values, array[:, 4], array[:, 5]]


@lru_cache(maxsize=256)
def _selection(plan: _Plan, named_rows: bytes, named_columns: bytes) -> tuple[tuple[_Shape, np.ndarray], ...]:
    """Per table of ``plan``: the rows and columns a report shows (required, or named by one of its cells:
    ``named_*`` are the bytes of boolean arrays over the plan's rows and columns) and their slots, row-major."""
    named_row, named_column = np.frombuffer(named_rows, dtype=bool), np.frombuffer(named_columns, dtype=bool)
    out = []
    for part in plan.parts:
        rows = np.flatnonzero(part.rows_required | named_row[part.row_span])
        columns = np.flatnonzero(part.columns_required | named_column[part.column_span])
        take = part.span.start + (rows[:, None] * len(part.columns) + columns[None, :]).ravel()
        out.append((_Shape(part.layout, tuple(part.rows[rows].tolist()), tuple(part.columns[columns].tolist())), take))
    return tuple(out)


@dataclass(frozen=True)
class _Part:
    """One table's full rectangle of cell rows × cell columns within a :class:`_Plan`."""

    layout: TableLayout
    span: slice
    row_span: slice
    column_span: slice
    rows: np.ndarray
    columns: np.ndarray
    rows_required: np.ndarray
    columns_required: np.ndarray


@dataclass(frozen=True, eq=False)
class _Plan:
    """Where every (table, row, column) of some layouts goes in one flat vector of slots: each table's cell rows
    × cell columns (optional ones included), row-major, one table after the other."""

    parts: tuple[_Part, ...]
    slot_at: dict[tuple[str, str, str], int]
    row_at: dict[tuple[str, str], int]
    column_at: dict[tuple[str, str], int]
    table_of: tuple[str, ...]
    row_of: np.ndarray
    column_of: np.ndarray

    @property
    def size(self) -> int:
        return len(self.table_of)

    @property
    def n_rows(self) -> int:
        return len(self.row_at)

    @property
    def n_columns(self) -> int:
        return len(self.column_at)


@cache
def _plan(versions: tuple[tuple[str, str], ...]) -> _Plan:
    """The plan of some tables, each in a layout version."""
    parts, slot_at, row_at, column_at = [], {}, {}, {}
    table_of: list[str] = []
    row_of: list[int] = []
    column_of: list[int] = []
    for layout in (table_layout(table, version) for table, version in versions):
        rows, columns = layout.cell_rows, layout.cell_columns
        first_slot, first_row, first_column = len(table_of), len(row_at), len(column_at)
        row_at.update({(layout.table, n.code): first_row + i for i, n in enumerate(rows)})
        column_at.update({(layout.table, n.code): first_column + j for j, n in enumerate(columns)})
        for i, row in enumerate(rows):
            for j, column in enumerate(columns):
                slot_at[(layout.table, row.code, column.code)] = len(table_of)
                table_of.append(layout.table)
                row_of.append(first_row + i)
                column_of.append(first_column + j)
        parts.append(
            _Part(
                layout,
                slice(first_slot, len(table_of)),
                slice(first_row, len(row_at)),
                slice(first_column, len(column_at)),
                np.array([n.code for n in rows], dtype=object),
                np.array([n.code for n in columns], dtype=object),
                np.array([not n.is_optional for n in rows], dtype=bool),
                np.array([not n.is_optional for n in columns], dtype=bool),
            )
        )
    return _Plan(
        tuple(parts),
        slot_at,
        row_at,
        column_at,
        tuple(table_of),
        np.array(row_of, dtype=np.intp),
        np.array(column_of, dtype=np.intp),
    )


@dataclass(frozen=True, eq=False)
class _Shape:
    """The rows and columns of a table as a report shows them, and what the views derive from them alone: made
    once per shape (:func:`_selection`) and shared by the grids of every report of that shape."""

    layout: TableLayout
    rows: tuple[str, ...]
    columns: tuple[str, ...]

    @cached_property
    def places(self) -> tuple[tuple[str, tuple[tuple[str, int], ...]], ...]:
        """Per row: the row's columns (``layout.row_columns``) the shape has, with their positions."""
        at = {code: j for j, code in enumerate(self.columns)}
        return tuple((row, tuple((c, at[c]) for c in self.layout.row_columns(row) if c in at)) for row in self.rows)

    @cached_property
    def money(self) -> np.ndarray:
        """Which columns hold money (Float64 whatever their values)."""
        return np.array([self.layout.column_type(c) == "money" for c in self.columns], dtype=bool)

    @cached_property
    def json_order(self) -> tuple[np.ndarray, np.ndarray]:
        """Flat positions in a grid of the cells :meth:`_Grid.plain_rows` gives, in its order, and their
        columns."""
        width = len(self.columns)
        order = np.array([i * width + j for i, (_, cells) in enumerate(self.places) for _, j in cells], dtype=np.intp)
        return order, order % max(width, 1)

    @cached_property
    def row_spans(self) -> tuple[tuple[str, tuple[str, ...], int, int], ...]:
        """Per row: its column codes in :meth:`_Grid.plain_rows` and where they start and stop in its order."""
        spans, start = [], 0
        for row, cells in self.places:
            spans.append((row, tuple(c for c, _ in cells), start, start + len(cells)))
            start += len(cells)
        return tuple(spans)

    @cached_property
    def labels(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The Chinese labels of the rows and of the columns."""
        layout = self.layout
        return tuple(layout.row_label(c) for c in self.rows), tuple(layout.column_label(c) for c in self.columns)


@lru_cache(maxsize=512)
def _json_format(shapes: tuple[_Shape, ...], indent: int | str | None) -> str | None:
    """The text of ``to_json`` with ``%s`` for each value, for reports whose tables have these shapes: written
    by :func:`json_text` with a mark for each value."""
    tables = {}
    for shape in shapes:
        tables[shape.layout.table] = {row: dict.fromkeys((c for c, _ in cells), _SLOT) for row, cells in shape.places}
    skeleton = {"template": _SLOT, "year": _SLOT, "agency": _SLOT, "source": _SLOT, "tables": tables}
    text = None if isinstance(indent, str) and _MARK in indent else json_text(skeleton, indent)
    return None if text is None else text.replace("%", "%%").replace(_MARK, "%s")


_SLOT = object()  # where a value goes in a skeleton written by json_text
_MARK = "\x00"  # written for it: JSON writes this character escaped, so it cannot come from a key or a value


def _json_scalar(value: Any) -> str | None:
    """The JSON text of a str, int, float, bool or None; None for anything else."""
    parts: list[str] = []
    return parts[0] if type(value) is not dict and _write_json(value, None, 0, parts) else None


def _json_number(value: float) -> str:
    return float.__repr__(value) if math.isfinite(value) else json.dumps(value)


@lru_cache(maxsize=1024)
def _index(codes: tuple[str, ...], name: str | None, storage: str) -> pd.Index:
    return pd.Index(list(codes), name=name)


def _axis(codes: tuple[str, ...], name: str | None) -> pd.Index:
    """An index of codes or labels, made once per distinct tuple and name (and string storage, which pandas'
    option sets); each frame gets its own view of it (naming one frame's index never renames another's)."""
    return _index(codes, name, pd.StringDtype().storage).view()


def json_text(data: Any, indent: int | str | None = 1) -> str | None:
    """``json.dumps(data, ensure_ascii=False, indent=indent)`` for nested dicts of plain scalars, written without
    the pure-Python indenting encoder; None for anything else (the caller then uses ``json.dumps``)."""
    if isinstance(indent, int):
        indent = " " * indent
    if indent is not None and not isinstance(indent, str):
        return None
    parts: list[str] = []
    return "".join(parts) if _write_json(data, indent, 0, parts) else None


def _write_json(value: Any, indent: str | None, level: int, parts: list[str]) -> bool:
    kind = type(value)
    if value is _SLOT:
        parts.append(_MARK)
    elif kind is str:
        parts.append(encode_basestring(value))
    elif value is None:
        parts.append("null")
    elif kind is int:
        parts.append(int.__repr__(value))
    elif kind is float:
        parts.append(_json_number(value))
    elif kind is bool:
        parts.append("true" if value else "false")
    elif kind is not dict:
        return False
    elif not value:
        parts.append("{}")
    else:
        if indent is None:
            opening, separator, closing = "{", ", ", "}"
        else:
            inner = "\n" + indent * (level + 1)
            opening, separator, closing = "{" + inner, "," + inner, "\n" + indent * level + "}"
        parts.append(opening)
        for n, (key, item) in enumerate(value.items()):
            if type(key) is not str:
                return False
            if n:
                parts.append(separator)
            parts.append(encode_basestring(key))
            parts.append(": ")
            if not _write_json(item, indent, level + 1, parts):
                return False
        parts.append(closing)
    return True


def reports_to_long(reports: Iterable[Report]) -> pd.DataFrame:
    """The long format of many reports in one DataFrame: their :meth:`Report.to_long` one after the other
    (index 0…n-1), built in one piece rather than report by report."""
    reports = list(reports)
    if not reports:
        return pd.DataFrame(columns=META_COLUMNS + LONG_COLUMNS)
    meta = {name: [getattr(r, name) for r in reports] for name in META_COLUMNS}
    arrays = []
    for report in reports:
        cells = report.cells
        if (
            cells.columns.dtype != object
            or list(cells.columns) != LONG_COLUMNS
            or cells.dtypes.tolist() != _LONG_DTYPES
        ):
            arrays = None  # a frame built by hand: pandas works out the dtypes report by report
            break
        arrays.append(cells.to_numpy(dtype=object))
    frame = None
    if arrays is not None:
        cells = np.concatenate(arrays) if len(arrays) > 1 else arrays[0]
        columns = {name: cells[:, k] for k, name in enumerate(LONG_COLUMNS)}
        columns["value"] = columns["value"].astype(float)
        frame = long_of(meta, np.array([len(a) for a in arrays]), columns)
    return frame if frame is not None else pd.concat([r.to_long() for r in reports], ignore_index=True)


_LONG_DTYPES = [np.dtype(object)] * 3 + [np.dtype(float)] + [np.dtype(object)] * 3


def long_of(
    meta: Mapping[str, Sequence[Any]], lengths: np.ndarray, cells: Mapping[str, np.ndarray]
) -> pd.DataFrame | None:
    """The long frame of reports whose metadata (``META_COLUMNS``, one value per report) and cell columns (all
    reports' cells one after the other, ``lengths[i]`` of report ``i``) are given: the frame
    :func:`reports_to_long` makes, with the dtypes ``pd.concat`` of the reports' ``to_long`` gives.
    None when some metadata value is not a plain str, int, float or None (the caller then goes report by report).
    """
    take = np.repeat(np.arange(len(lengths)), lengths)
    columns: dict[str, Any] = {}
    for name in META_COLUMNS:
        values = meta[name]
        dtype = _meta_dtype(frozenset(map(type, values)))
        if dtype is None:
            return None
        per_report = np.array(values, dtype=object if dtype == "str" else dtype)
        columns[name] = pd.array(per_report, dtype="str").take(take) if dtype == "str" else per_report[take]
    columns.update(cells)
    for name, column in columns.items():  # object columns stay object (a bare array of text would become str)
        if isinstance(column, np.ndarray) and column.dtype == object:
            columns[name] = pd.Series(column, dtype=object, copy=False)
    frame = pd.DataFrame(columns, copy=False)
    frame.columns = _LONG_META_INDEX.view()
    return frame


_LONG_META_INDEX = pd.Index(META_COLUMNS + LONG_COLUMNS, dtype=object)


def _meta_dtype(kinds: frozenset[type]) -> Any:
    """The dtype of a metadata column of the long frame, from the types of its values: each report's
    ``to_long`` gives a str, int or float scalar its own dtype (None: object); mixed, they concatenate as
    object. None for other types and for int mixed with float."""
    if len(kinds) == 1:
        return {str: "str", int: np.dtype(np.int64), float: np.dtype(float), type(None): np.dtype(object)}.get(
            next(iter(kinds))
        )
    if kinds <= {str, int, float, type(None)} and not {int, float} <= kinds:
        return np.dtype(object)
    return None


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
