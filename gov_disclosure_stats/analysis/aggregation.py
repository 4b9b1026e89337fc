"""Summing the tables of several units (e.g. all departments of a district) into one report.

Compare the sum with a published parent report with ``diff(aggregate(units), parent)``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..core.layouts import TABLES, table_layout
from ..core.values import Status, format_number
from ..model.collection import ReportSet
from ..model.matrix import ABSENT, CellMatrix, read_as_zero, sum_other_handling, universe_index
from ..model.report import LAYOUT_COLUMNS, Report, long_frame


def aggregate(
    reports: Iterable[Report] | ReportSet,
    agency: str | None = None,
    year: int | None = None,
    blank_as_zero: bool = False,
) -> Report:
    """One report whose every cell is the sum of the units' cells.

    A cell that is not a number in some unit is blank in the sum (unknown, not
    a partial sum), unless ``blank_as_zero`` reads blank cells as 0. Optional
    subtotals are summed only where every unit printed them. Units that print
    （六）其他处理 as one row and units with its three sub-items add up in the
    one-row layout.
    """
    units = reports if isinstance(reports, ReportSet) else ReportSet(reports)
    if not len(units):
        raise ValueError("aggregate() needs at least one report / 至少需要一份报告")
    matrix: CellMatrix = units.matrix
    values, status = matrix.values.copy(), matrix.status.copy()
    if blank_as_zero:
        values[read_as_zero(status)] = 0.0
    templates = set(matrix.meta["template"])
    versions = {t: set(matrix.meta[LAYOUT_COLUMNS[t]]) for t in TABLES}
    for table in ("proactive", "review_litigation"):
        if len(versions[table]) > 1:
            raise ValueError(f"units use different {table} layouts {sorted(versions[table])} / 各单位表格版式不同")
    target = {t: v.pop() if len(v) == 1 else "2019" for t, v in versions.items()}  # requests: one-row （六）
    if target["requests"] == "2019" and "2021" in set(matrix.meta[LAYOUT_COLUMNS["requests"]]):
        sum_other_handling(values, status, np.flatnonzero(matrix.meta[LAYOUT_COLUMNS["requests"]].to_numpy() == "2021"))
    index = universe_index()
    records = []
    for table in TABLES:
        layout = table_layout(table, target[table])
        for row, col in layout.cells:
            pos = index[f"{table}.{row}.{col}"]
            if layout.is_optional_cell(row, col) and (status[:, pos] == ABSENT).any():
                continue
            total = values[:, pos].sum()
            known = not np.isnan(total)
            raw = format_number(total)
            state = Status.NUMBER if known else Status.BLANK
            records.append((table, row, col, total, raw, str(state), f"sum of {len(units)} reports"))
    return Report(
        cells=long_frame(records),
        template=sorted(templates)[-1],
        agency=agency,
        year=year if year is not None else _common_year(matrix),
        source=f"aggregate of {len(units)} reports",
        layouts=target,
    )


def _common_year(matrix: CellMatrix) -> int | None:
    years = set(matrix.meta["year"].dropna())
    return int(years.pop()) if len(years) == 1 else None
