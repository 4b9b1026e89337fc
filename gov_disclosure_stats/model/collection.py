"""``ReportSet``: many reports keyed by agency and year, as one long or wide DataFrame."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache, cached_property
from pathlib import Path
from typing import overload

import numpy as np
import pandas as pd

from ..core.encoding import decode
from ..core.errors import LoadError
from ..core.layouts import cell_universe
from ..core.values import STATUS_CODES, format_number
from . import upcalls
from .matrix import ABSENT, CellMatrix
from .report import Report, long_of, reports_to_long


def canonical_agency(name: str | None, agency_map: Mapping[str, str] | None = None) -> str | None:
    """The agency name reports are matched by: whitespace removed, renamed agencies mapped to one name."""
    return agency_keys([name], agency_map)[0]


def agency_keys(names: Iterable[str | None], agency_map: Mapping[str, str] | None = None) -> list[str | None]:
    """:func:`canonical_agency` of many names (each distinct name worked out once)."""
    codes, uniques = pd.factorize(pd.Series(list(names), dtype=object), use_na_sentinel=True)
    mapping = {"".join(k.split()): "".join(v.split()) for k, v in (agency_map or {}).items()}
    keys = []
    for name in uniques:
        key, seen = "".join(str(name).split()), set()
        while key in mapping and key not in seen:  # follow chains of renamings
            seen.add(key)
            key = mapping[key]
        keys.append(key)
    table = np.array([*keys, None], dtype=object)  # the sentinel -1 picks None
    return table[codes].tolist()


class ReportSet(Sequence[Report]):
    """An ordered collection of reports; ``keys`` says which agency and year each one is.

    ``agency_map`` maps old or variant agency names to one name, so that a
    renamed agency's reports line up across years (continuity rules, diffs).
    """

    def __init__(self, reports: Iterable[Report] = (), agency_map: Mapping[str, str] | None = None) -> None:
        self._reports: list[Report] | None = list(reports)
        self.agency_map: dict[str, str] = dict(agency_map or {})

    @classmethod
    def from_wide(cls, frame: pd.DataFrame, agency_map: Mapping[str, str] | None = None) -> ReportSet:
        """A set from a wide DataFrame, kept as a matrix; ``Report`` objects are made only when asked for."""
        reports = cls((), agency_map)
        reports.__dict__["matrix"] = CellMatrix.from_wide(frame)
        reports._reports = None
        return reports

    @property
    def reports(self) -> list[Report]:
        """The reports, in order."""
        if self._reports is None:
            self._reports = self.matrix.to_reports()
        return self._reports

    @overload
    def __getitem__(self, i: int) -> Report: ...
    @overload
    def __getitem__(self, i: slice) -> ReportSet: ...
    def __getitem__(self, i: int | slice) -> Report | ReportSet:
        if isinstance(i, slice):
            return ReportSet(self.reports[i], self.agency_map)
        return self.reports[i]

    def __len__(self) -> int:
        return len(self.matrix) if self._reports is None else len(self._reports)

    def __iter__(self) -> Iterator[Report]:
        return iter(self.reports)

    def __repr__(self) -> str:
        years = sorted(int(y) for y in self.keys["year"].dropna().unique())
        span = f", {years[0]}–{years[-1]}" if years else ""
        agencies = self.keys["agency_key"].nunique()
        return f"<ReportSet: {len(self)} report(s), {agencies} agenc{'y' if agencies == 1 else 'ies'}{span}>"

    @cached_property
    def matrix(self) -> CellMatrix:
        """Values and statuses of every report, for the vectorized engine."""
        return CellMatrix.from_reports(self.reports)

    @property
    def keys(self) -> pd.DataFrame:
        """``report_id, agency, agency_key, year, template`` per report (``agency_key`` after the mapping)."""
        meta = self.matrix.meta[["report_id", "agency", "year", "template"]].copy()
        meta.insert(2, "agency_key", agency_keys(meta["agency"], self.agency_map))
        return meta

    def get(self, agency: str, year: int) -> Report:
        """The report of one agency (any name the mapping knows) and year."""
        key = canonical_agency(agency, self.agency_map)
        keys = self.keys
        hits = keys.index[(keys["agency_key"] == key) & (keys["year"] == year)]
        if len(hits) != 1:
            raise KeyError(f"{len(hits)} reports for {agency} {year}")
        return self.reports[hits[0]]

    def to_long(self) -> pd.DataFrame:
        """One row per cell of every report (a set read from a wide table: straight from its matrix)."""
        if self._reports is None:
            frame = matrix_long(self.matrix)
            if frame is not None:
                return frame
        return reports_to_long(self.reports)

    def to_wide(self) -> pd.DataFrame:
        """One row per report, one column per cell code."""
        return self.matrix.to_wide()

    @classmethod
    def read(cls, path: str | Path, agency_map: Mapping[str, str] | None = None) -> ReportSet:
        """Several reports from one file written by ``gds convert`` (see :func:`read_reports`)."""
        return read_reports(path, agency_map)

    def validate(self, **kwargs):  # -> ValidationResult
        """:func:`gov_disclosure_stats.validate` on the whole set, continuity rules with this set's agency map."""
        kwargs.setdefault("agency_map", self.agency_map)
        return upcalls.call("validate", self, **kwargs)


def matrix_long(matrix: CellMatrix) -> pd.DataFrame | None:
    """``reports_to_long(matrix.to_reports())`` without making the reports: every present cell in universe
    order, raw text the number as printed, ``where`` the report's row. None when some metadata is not plain."""
    report, position = np.nonzero(matrix.status != ABSENT)
    values = matrix.values[report, position]
    codes, uniques = pd.factorize(values)  # each distinct value formatted once; NaN (code -1) is ""
    raw = np.array([*(format_number(v) for v in uniques), ""], dtype=object)[codes]
    tables, rows, columns = _universe_parts()
    names = np.array(["absent", *(str(s) for s in STATUS_CODES)], dtype=object)
    where = np.array([f"row {i + 1}" for i in range(len(matrix))], dtype=object)
    records = matrix.meta.to_dict(orient="records")
    meta = {
        "report_id": [str(m["report_id"]) for m in records],
        "agency": [m["agency"] for m in records],
        "year": [None if pd.isna(m["year"]) else int(m["year"]) for m in records],
        "template": [str(m["template"]) for m in records],
    }
    cells = {
        "table": tables[position],
        "row": rows[position],
        "column": columns[position],
        "value": values,
        "raw": raw,
        "status": names[matrix.status[report, position]],
        "where": where[report],
    }
    return long_of(meta, np.bincount(report, minlength=len(matrix)), cells)


@cache
def _universe_parts() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Table, row and column of every cell code of the matrix, as object arrays."""
    parts = [code.split(".") for code in cell_universe()]
    return tuple(np.array([p[k] for p in parts], dtype=object) for k in range(3))  # type: ignore[return-value]


def read_reports(path: str | Path, agency_map: Mapping[str, str] | None = None) -> ReportSet:
    """Several reports from one file the library wrote (``gds convert``): a wide table (one row per report),
    a long table (``report_id`` telling the reports apart) as .csv/.parquet/.xlsx, or a JSON list."""
    from .report import LONG_COLUMNS

    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            data = json.loads(decode(path.read_bytes(), str(path)))
            items = data if isinstance(data, list) else [data]
            return ReportSet([Report.from_dict(item) for item in items], agency_map)
        frame = _read_table(path, suffix)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LoadError(f"无法读取多报告文件 / cannot read the reports in the file: {exc}", path=str(path)) from None
    if {"table", "row", "column", "value"} <= set(frame.columns):
        frame = frame.rename(columns={"col": "column"})
        ids = frame["report_id"] if "report_id" in frame else pd.Series("report", index=frame.index)
        reports = []
        for report_id, part in frame.groupby(ids, sort=False):
            first = part.iloc[0]
            cells = part.reindex(columns=LONG_COLUMNS).assign(
                raw=lambda p: p["raw"].fillna("").astype(str),
                status=lambda p: p["status"].fillna(
                    pd.Series(np.where(p["value"].isna(), "blank", "number"), index=p.index)
                ),
            )
            year = first.get("year")
            reports.append(
                Report(
                    cells=cells,
                    template=str(first.get("template", "2021")),
                    agency=first.get("agency"),
                    year=None if year is None or pd.isna(year) else int(year),
                    source=str(path),
                    report_id=str(report_id),
                )
            )
        return ReportSet(reports, agency_map)
    try:
        return ReportSet.from_wide(frame, agency_map)
    except ValueError as exc:
        raise LoadError(str(exc), path=str(path)) from None


def _read_table(path: Path, suffix: str) -> pd.DataFrame:
    if suffix == ".parquet":
        return pd.read_parquet(path)
    if suffix == ".xlsx":
        return pd.read_excel(path)
    text = decode(path.read_bytes(), str(path))
    return pd.read_csv(io.StringIO(text), sep=None, engine="python", dtype={"template": str})
