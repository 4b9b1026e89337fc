"""``ReportSet``: many reports keyed by agency and year, as one long or wide DataFrame."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import overload

import pandas as pd

from .matrix import CellMatrix
from .report import Report, reports_to_long


def canonical_agency(name: str | None, agency_map: Mapping[str, str] | None = None) -> str | None:
    """The agency name reports are matched by: whitespace removed, renamed agencies mapped to one name."""
    if name is None or (isinstance(name, float) and pd.isna(name)):
        return None
    key = "".join(str(name).split())
    if agency_map:
        mapping = {"".join(k.split()): "".join(v.split()) for k, v in agency_map.items()}
        seen = set()
        while key in mapping and key not in seen:  # follow chains of renamings
            seen.add(key)
            key = mapping[key]
    return key


class ReportSet(Sequence[Report]):
    """An ordered collection of reports; ``keys`` says which agency and year each one is.

    ``agency_map`` maps old or variant agency names to one name, so that a
    renamed agency's reports line up across years (continuity rules, diffs).
    """

    def __init__(self, reports: Iterable[Report] = (), agency_map: Mapping[str, str] | None = None) -> None:
        self.reports: list[Report] = list(reports)
        self.agency_map: dict[str, str] = dict(agency_map or {})

    @overload
    def __getitem__(self, i: int) -> Report: ...
    @overload
    def __getitem__(self, i: slice) -> ReportSet: ...
    def __getitem__(self, i: int | slice) -> Report | ReportSet:
        if isinstance(i, slice):
            return ReportSet(self.reports[i], self.agency_map)
        return self.reports[i]

    def __len__(self) -> int:
        return len(self.reports)

    def __iter__(self) -> Iterator[Report]:
        return iter(self.reports)

    def __repr__(self) -> str:
        years = sorted({r.year for r in self.reports if r.year is not None})
        span = f", {years[0]}–{years[-1]}" if years else ""
        return f"<ReportSet: {len(self)} reports, {self.keys['agency_key'].nunique()} agencies{span}>"

    @cached_property
    def matrix(self) -> CellMatrix:
        """Values and statuses of every report, for the vectorized engine."""
        return CellMatrix.from_reports(self.reports)

    @property
    def keys(self) -> pd.DataFrame:
        """``report_id, agency, agency_key, year, template`` per report (``agency_key`` after the mapping)."""
        meta = self.matrix.meta[["report_id", "agency", "year", "template"]].copy()
        meta.insert(2, "agency_key", [canonical_agency(a, self.agency_map) for a in meta["agency"]])
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
        """One row per cell of every report."""
        return reports_to_long(self.reports)

    def to_wide(self) -> pd.DataFrame:
        """One row per report, one column per cell code."""
        return self.matrix.to_wide()

    def validate(self, **kwargs):  # -> ValidationResult
        """:func:`gov_disclosure_stats.validate` on the whole set, continuity rules with this set's agency map."""
        from .engine import validate

        kwargs.setdefault("agency_map", self.agency_map)
        return validate(self, **kwargs)
