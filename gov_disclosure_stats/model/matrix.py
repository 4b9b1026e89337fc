"""Many reports as one matrix: values and statuses over every cell code (the wide format)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from ..core.errors import DataError
from ..core.frames import as_inferred, column_of
from ..core.layouts import TABLES, VERSIONS, cell_universe, table_layout
from ..core.values import MAX_EXACT, READ_AS_ZERO, STATUS_CODES, Status, format_number, parse_cell
from .report import LAYOUT_COLUMNS, META_COLUMNS, Report, long_frame

ABSENT, NUMBER, BLANK = 0, STATUS_CODES[Status.NUMBER], STATUS_CODES[Status.BLANK]
OMITTED, OUT_OF_RANGE = STATUS_CODES[Status.OMITTED], STATUS_CODES[Status.OUT_OF_RANGE]


_ZERO_CODES = sorted(STATUS_CODES[s] for s in READ_AS_ZERO)


def read_as_zero(status: np.ndarray) -> np.ndarray:
    """Where ``blank_as_zero`` reads a cell as 0 (:data:`.values.READ_AS_ZERO`): a blank cell, or a row the
    report left out (never "/", text or a cell split ambiguously from a run of digits)."""
    out = status == _ZERO_CODES[0]
    for code in _ZERO_CODES[1:]:
        out |= status == code
    return out


_STATUS_OF = {str(s): code for s, code in STATUS_CODES.items()}


@cache
def universe_index() -> dict[str, int]:
    """Cell code → column position in the matrix."""
    return {code: i for i, code in enumerate(cell_universe())}


@cache
def _universe_tuples() -> dict[tuple[str, ...], int]:
    """(table, row, column) → column position in the matrix."""
    return {tuple(code.split(".")): i for code, i in universe_index().items()}


@cache
def _universe_keys() -> pd.MultiIndex:
    """The universe as (table, row, column) keys, for vectorized look-ups."""
    return pd.MultiIndex.from_tuples([tuple(code.split(".")) for code in cell_universe()])


@cache
def _optional_columns() -> np.ndarray:
    """Positions of subtotal cells that exist only where a report prints them."""
    positions = set()
    for code, i in universe_index().items():
        table, row, col = code.split(".")
        for version in ("2019", "2021"):
            layout = table_layout(table, version)
            if layout.has_row(row) and layout.has_column(col) and layout.is_optional_cell(row, col):
                positions.add(i)
    return np.array(sorted(positions), dtype=np.intp)


def unique_ids(ids: Sequence[str]) -> list[str]:
    """Report ids made unique within a batch: a repeated id gets ``#2``, ``#3``…"""
    if len(set(ids)) == len(ids):
        return list(ids)
    seen: dict[str, int] = {}
    out = []
    for report_id in ids:
        seen[report_id] = seen.get(report_id, 0) + 1
        out.append(report_id if seen[report_id] == 1 else f"{report_id}#{seen[report_id]}")
    return out


def cell_vector(report: Report) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A report's cells as universe positions, values and status codes (kept on the report once made)."""
    cached = report.__dict__.get("_vector")
    if cached is not None and cached[0] is report.cells:
        return cached[1]
    cells = report.cells
    index = _universe_tuples()
    keys = zip(*(cells[c].to_numpy(dtype=object) for c in ("table", "row", "column")), strict=True)
    pos = np.fromiter((index.get(k, -1) for k in keys), dtype=np.intp, count=len(cells))
    status = np.fromiter((_STATUS_OF[s] for s in cells["status"].to_numpy(dtype=object)), np.int8, len(cells))
    known = pos >= 0
    vector = (pos[known], cells["value"].to_numpy(dtype=float, na_value=np.nan)[known], status[known])
    report.__dict__["_vector"] = (cells, vector)
    return vector


@cache
def layout_mask(table: str, version: str) -> tuple[np.ndarray, np.ndarray]:
    """Universe masks of the cells ``table`` has in ``version``, and of those that are optional subtotals."""
    index = universe_index()
    cells, optional = np.zeros(len(index), dtype=bool), np.zeros(len(index), dtype=bool)
    layout = table_layout(table, version)
    for row, col in layout.cells:
        cells[index[f"{table}.{row}.{col}"]] = True
        optional[index[f"{table}.{row}.{col}"]] = layout.is_optional_cell(row, col)
    return cells, optional


@dataclass
class CellMatrix:
    """``values`` (N × cells, NaN where not a number) and ``status`` (0 absent, then Status codes)."""

    meta: pd.DataFrame
    values: np.ndarray
    status: np.ndarray

    def __len__(self) -> int:
        return len(self.meta)

    @classmethod
    def from_reports(cls, reports: Sequence[Report]) -> CellMatrix:
        index = universe_index()
        n, c = len(reports), len(index)
        values = np.full((n, c), np.nan)
        status = np.zeros((n, c), dtype=np.int8)
        for i, report in enumerate(reports):
            pos, vals, codes = cell_vector(report)
            values[i, pos], status[i, pos] = vals, codes
        meta = pd.DataFrame(
            {
                "report_id": pd.array(unique_ids([str(r.report_id) for r in reports]), dtype="str"),
                "agency": pd.array([r.agency for r in reports], dtype="str"),
                "year": pd.array([r.year for r in reports], dtype="Int64"),
                "template": pd.array([r.template for r in reports], dtype="str"),
                **{
                    LAYOUT_COLUMNS[t]: pd.array([r.layouts.get(t, r.template) for r in reports], dtype="str")
                    for t in TABLES
                },
            }
        )
        return cls(meta, values, status)

    @classmethod
    def from_wide(cls, frame: pd.DataFrame) -> CellMatrix:
        """Read a wide DataFrame: one row per report, a ``template`` column, one column per cell code.

        NaN reads as a blank cell (an unprinted subtotal for optional subtotal cells).
        Optional ``layout.<table>`` columns give a table's layout version; without
        them a 2021 report whose （六） has a value but no sub-items uses the
        2019 request layout. (:class:`WideCells` reads the same frame block by block.)
        """
        cells = WideCells(frame)
        values, status = (a.T for a in cells.block(np.arange(len(frame)), np.arange(len(universe_index()))))
        meta = cells.meta
        table_of = np.array([code.split(".")[0] for code in cell_universe()])
        for table in TABLES:  # a cell its report's layout lacks is absent, whatever the frame holds there
            versions = meta[LAYOUT_COLUMNS[table]].to_numpy()
            for version in set(versions):
                outside = (table_of == table) & ~layout_mask(table, str(version))[0]
                status[np.ix_(versions == version, outside)] = ABSENT
        return cls(meta, values, status)

    def block(self, rows: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Values and status codes of the cells at universe ``positions`` (rows) of the reports ``rows`` (columns)."""
        return _take(self.values.T, rows, positions), _take(self.status.T, rows, positions)

    def to_wide(self) -> pd.DataFrame:
        """The wide DataFrame: metadata, layout versions and every cell code any report has."""
        keep = np.flatnonzero((self.status != ABSENT).any(axis=0))
        codes = [cell_universe()[i] for i in keep]
        cells = pd.DataFrame(self.values[:, keep], columns=codes)
        return pd.concat([self.meta[META_COLUMNS + list(LAYOUT_COLUMNS.values())], cells], axis=1)

    def to_reports(self) -> list[Report]:
        """One :class:`Report` per row (raw text is the number as printed; no provenance beyond the row)."""
        keys = _universe_keys()
        status_names = np.array(["absent", *(str(s) for s in STATUS_CODES)], dtype=object)
        reports = []
        for i, meta in enumerate(self.meta.to_dict(orient="records")):
            cols = np.flatnonzero(self.status[i] != ABSENT)
            values = self.values[i, cols]
            raw = [format_number(v) for v in values]
            tables, rows, columns = (keys.get_level_values(level)[cols] for level in range(3))
            states = status_names[self.status[i, cols]]
            where = [f"row {i + 1}"] * len(cols)
            cells = long_frame(list(zip(tables, rows, columns, values, raw, states, where, strict=True)))
            year = None if pd.isna(meta["year"]) else int(meta["year"])
            report = Report(cells, template=str(meta["template"]), agency=meta["agency"], year=year)
            report.layouts.update({t: str(meta.get(LAYOUT_COLUMNS[t], meta["template"])) for t in TABLES})
            report.report_id = str(meta["report_id"])
            reports.append(report)
        return reports


class WideCells:
    """The cells of a wide DataFrame, read block by block (cells × reports) as the engine asks for them.

    The frame's numeric cell columns (numpy or Arrow-backed) are read where they are, one view where pandas
    holds them in one block; other columns are read as printed cells once per distinct value
    (:func:`.values.parse_cell`: ``"504"`` a number, ``"/"`` not applicable, ``"abc"`` text, ``""``
    blank). NaN or a missing value is a blank cell, an unprinted subtotal for optional subtotal cells; a
    number beyond ±2**53 (or infinite) is ``out_of_range``, never a value. Nothing the size of the whole
    matrix is made: :meth:`CellMatrix.from_wide` is every block at once.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        if "template" not in frame.columns:
            raise DataError("宽表需要 template 列 / a wide DataFrame needs a 'template' column ('2019' or '2021')")
        index = universe_index()
        known = [c for c in frame.columns if c in index]
        unknown = [str(c) for c in frame.columns if str(c).count(".") == 2 and c not in index]
        if unknown:
            raise DataError(f"未知的单元格代码 / unknown cell codes: {', '.join(unknown[:5])}")
        dtypes = dict(zip(frame.columns, frame.dtypes, strict=True))
        numeric = [c for c in known if is_numeric_dtype(dtypes[c]) and not is_bool_dtype(dtypes[c])]
        self.n = len(frame)
        self._numbers = (  # cells × reports: the transpose of the frame's own block where it holds them in one
            frame[numeric].to_numpy(dtype=float, na_value=np.nan).T if numeric else np.empty((0, self.n))
        )
        self._number_row = np.full(len(index), -1, dtype=np.intp)
        self._number_row[[index[c] for c in numeric]] = np.arange(len(numeric))
        self._parsed = {index[c]: _parsed(frame[c]) for c in known if c not in set(numeric)}
        self._optional = np.zeros(len(index), dtype=bool)
        self._optional[_optional_columns()] = True
        self.meta = self._meta(frame)

    def __len__(self) -> int:
        return self.n

    def block(self, rows: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Values and status codes of the cells at universe ``positions`` (rows) of the reports ``rows`` (columns)."""
        number_row = self._number_row[positions]
        numeric = number_row >= 0
        if numeric.all():
            values = _take(self._numbers, rows, number_row)
        else:
            values = np.full((len(positions), len(rows)), np.nan)
            values[numeric] = _take(self._numbers, rows, number_row[numeric])
        status = np.isnan(values).view(np.int8)  # 1 where blank: made a status code in place
        status *= np.int8(BLANK - NUMBER)
        status += np.int8(NUMBER)
        status[~numeric] = ABSENT
        if (
            values.size
            and not -MAX_EXACT <= np.fmin.reduce(values, axis=None) <= np.fmax.reduce(values, axis=None) <= MAX_EXACT
        ):
            out = np.abs(values) > MAX_EXACT  # a blank is NaN, never beyond
            values[out], status[out] = np.nan, OUT_OF_RANGE
        for i in np.flatnonzero(~numeric):
            parsed = self._parsed.get(positions[i])
            if parsed is not None:
                codes, vals, kinds = parsed
                values[i], status[i] = vals[codes[rows]], kinds[codes[rows]]
        optional = self._optional[positions]
        if optional.any():
            unprinted = status[optional]
            unprinted[unprinted == BLANK] = ABSENT
            status[optional] = unprinted
        return values, status

    def _meta(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Report id (made unique), agency, year, template and the layout of each table, one row per report."""
        template = _versions(frame, "template")
        ids = frame["report_id"].astype(str) if "report_id" in frame else pd.Series(frame.index.astype(str))
        unique = len(ids) and len(pd.unique(ids)) == len(ids)
        versions = {t: _versions(frame, LAYOUT_COLUMNS[t]) if LAYOUT_COLUMNS[t] in frame else template for t in TABLES}
        if LAYOUT_COLUMNS["requests"] not in frame:
            versions["requests"] = _requests_layout(self, template)
        meta = pd.DataFrame(
            {
                "report_id": ids.array if unique else unique_ids(ids.tolist()),
                "agency": as_inferred(frame["agency"]) if "agency" in frame else None,
                "year": _years(frame["year"]) if "year" in frame else pd.array([None] * self.n, dtype="Int64"),
                "template": column_of(*template),
                **{LAYOUT_COLUMNS[t]: column_of(*versions[t]) for t in TABLES},
            }
        )
        return meta


def _take(cells: np.ndarray, rows: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``cells[positions][:, rows]`` of a (cells × reports) array in either memory order, as a fresh C array."""
    if len(rows) and rows[-1] - rows[0] + 1 == len(rows):  # a run of reports: a view first
        return np.take(cells[:, rows[0] : rows[-1] + 1], positions, axis=0)
    return cells[np.ix_(positions, rows)]


def _parsed(column: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A non-numeric cell column: per row a code, per code a value and a status code (the last one blank)."""
    codes, uniques = pd.factorize(column.astype(object), use_na_sentinel=True)
    parsed = [_object_cell(u) for u in uniques]
    values = np.array([v for v, _ in parsed] + [np.nan])
    kinds = np.array([k for _, k in parsed] + [BLANK], dtype=np.int8)
    out = (kinds == NUMBER) & ~(np.abs(values) <= MAX_EXACT)
    values[out], kinds[out] = np.nan, OUT_OF_RANGE
    return codes, values, kinds


_CELL_STATUS = {str(s): code for s, code in STATUS_CODES.items()}


def _object_cell(value: object) -> tuple[float, int]:
    """One cell of a non-numeric wide column: (value, status code)."""
    if isinstance(value, bool | np.bool_):
        return np.nan, _CELL_STATUS[Status.TEXT]
    if isinstance(value, int | np.integer):
        return (float(value), NUMBER) if abs(int(value)) <= MAX_EXACT else (np.nan, OUT_OF_RANGE)
    if isinstance(value, float | np.floating):
        return (np.nan, BLANK) if np.isnan(value) else (float(value), NUMBER)
    cell = parse_cell(str(value))
    return (np.nan if cell.value is None else cell.value), _CELL_STATUS[cell.status]


def _versions(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """A column of template versions as codes into its version names (``2021``, ``2021.0``, 2021 → ``"2021"``);
    DataError for others."""
    codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)  # a few distinct values in many rows
    names = np.array([*(str(u).strip().removesuffix(".0") for u in uniques), "nan"], dtype=object)
    bad = sorted(set(names[np.unique(codes)]) - set(VERSIONS))
    if bad:
        raise DataError(
            f"宽表「{column}」列有未知的格式版本 / unknown template version in column {column!r}: "
            f"{', '.join(repr(b) for b in bad[:5])}; known: {', '.join(VERSIONS)}"
        )
    return names, codes


def _years(column: pd.Series) -> pd.arrays.IntegerArray:
    """The ``year`` column as Int64; a DataError when some year is not a whole number."""
    try:
        return pd.array(column, dtype="Int64")
    except (TypeError, ValueError, OverflowError):
        numbers = pd.to_numeric(column, errors="coerce")
        bad = column[(numbers.isna() & column.notna()) | (numbers % 1 != 0) & numbers.notna()]
        shown = ", ".join(repr(v) for v in bad.head(5).tolist()) or repr(column.head(5).tolist())
        raise DataError(
            f"宽表「year」列应为整数年份 / the 'year' column holds years that are not whole: {shown}"
        ) from None


@cache
def other_handling_cells() -> list[tuple[int, list[int]]]:
    """Per column: the position of the one-row （六）其他处理 cell and of its 2021 sub-items' cells."""
    index = universe_index()
    layout = table_layout("requests", "2021")
    return [
        (
            index[f"requests.other_handling.{col}"],
            [index[f"requests.{row}.{col}"] for row in layout.leaves("other_handling")],
        )
        for col in layout.row_columns("other_handling")
    ]


def sum_other_handling(values: np.ndarray, status: np.ndarray, rows: np.ndarray) -> None:
    """In ``rows``, give the one-row （六）其他处理 cells the sum of the 2021 sub-items (blank when one is
    missing), in place: how reports of the two request layouts line up."""
    for target, parts in other_handling_cells():
        total = values[np.ix_(rows, parts)].sum(axis=1)
        values[rows, target] = total
        status[rows, target] = np.where(np.isnan(total), BLANK, NUMBER)


def _requests_layout(cells: WideCells, template: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The request layout of each report (as :func:`_versions` gives it): the template's, or 2019 where （六）
    is printed as one row and none of its 2021 sub-items is."""
    handling = other_handling_cells()
    single = [target for target, _ in handling]
    sub_items = [p for _, parts in handling for p in parts]
    values, _ = cells.block(np.arange(len(cells)), np.array(single + sub_items, dtype=np.intp))
    printed = ~np.isnan(values)
    one_row = printed[: len(single)].any(axis=0) & ~printed[len(single) :].any(axis=0)
    names, codes = template
    return np.append(names, "2019"), np.where(one_row, len(names), codes)


def reports_to_wide(reports: Iterable[Report]) -> pd.DataFrame:
    """One row per report, one column per cell code (NaN where the cell is not a number)."""
    return CellMatrix.from_reports(list(reports)).to_wide()

