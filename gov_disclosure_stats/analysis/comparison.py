"""Comparing reports: cell by cell (``diff``) and rule by rule (``compare``), for two reports or two collections.

Reports of different layouts compare on the cells they share; where one
prints （六）其他处理 as one row (the 2019 request layout) and the other its
three 2021 sub-items, the sub-items are summed to stand for that row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

import numpy as np
import pandas as pd

from ..core.layouts import TABLES, VERSIONS, cell_universe, table_layout
from ..core.rules import RuleSet
from ..model.collection import ReportSet, agency_keys
from ..model.matrix import (
    ABSENT,
    NUMBER,
    CellMatrix,
    layout_mask,
    other_handling_cells,
    sum_other_handling,
    universe_index,
)
from ..model.report import LAYOUT_COLUMNS, Report
from ..validation.engine import validate

DIFF_COLUMNS = ["table", "row", "column", "label_zh", "a", "b", "delta", "rel_change", "status", "note"]
STATUSES = ["changed", "same", "only_a", "only_b", "missing_in_a", "missing_in_b", "missing_in_both"]
MOVEMENTS = {
    ("failed", "failed"): "still_failing",
    ("passed", "failed"): "newly_failing",
    ("failed", "passed"): "fixed",
    ("passed", "passed"): "still_passing",
}
SUMMED_NOTE = "（六）其他处理 = 1+2+3 / other_handling summed from its 2021 sub-items"


@cache
def _cell_categories() -> dict[str, tuple[np.ndarray, list[str]]]:
    """Per universe position, category codes of its table, row, column and Chinese label."""
    parts: dict[str, list[str]] = {"table": [], "row": [], "column": [], "label_zh": []}
    for code in cell_universe():
        table, row, col = code.split(".")
        layout = next(
            table_layout(table, v)
            for v in reversed(VERSIONS)
            if table_layout(table, v).has_row(row) and col in table_layout(table, v).row_columns(row)
        )
        for name, value in zip(parts, (table, row, col, layout.cell_label(row, col)), strict=True):
            parts[name].append(value)
    out = {}
    for name, values in parts.items():
        codes, categories = pd.factorize(pd.Series(values), sort=False)
        out[name] = (codes.astype(np.int32), list(categories))
    return out


def _categorical(values: np.ndarray) -> pd.Categorical:
    """A categorical of a (long) array of few distinct values, factorized once."""
    codes, categories = pd.factorize(values)
    return pd.Categorical.from_codes(codes, categories)


def _exists(matrix: CellMatrix, rows: np.ndarray) -> np.ndarray:
    """Which cells each report has: in its layouts, and printed where the cell is an optional subtotal."""
    exists = np.zeros((len(rows), len(universe_index())), dtype=bool)
    absent = matrix.status[rows] == ABSENT
    for table in TABLES:
        versions = matrix.meta[LAYOUT_COLUMNS[table]].to_numpy()[rows]
        for version in set(versions):
            cells, optional = layout_mask(table, str(version))
            these = versions == version
            exists[these] |= cells & ~(optional & absent[these])
    return exists


def _bridge_other_handling(values: np.ndarray, status: np.ndarray, exists: np.ndarray, bridged: np.ndarray) -> None:
    """In rows ``bridged`` stand the sum of the three （六） sub-items in for the single （六） row (in place)."""
    sum_other_handling(values, status, bridged)
    for target, parts in other_handling_cells():
        exists[bridged, target] = exists[np.ix_(bridged, parts)].all(axis=1)


def _pair_frame(a: CellMatrix, b: CellMatrix, ia: np.ndarray, ib: np.ndarray, tolerance: float) -> pd.DataFrame:
    """The long diff of report ``ia[k]`` of ``a`` against report ``ib[k]`` of ``b``, for every k."""
    va, vb = a.values[ia].copy(), b.values[ib].copy()
    sa, sb = a.status[ia].copy(), b.status[ib].copy()
    ea, eb = _exists(a, ia), _exists(b, ib)
    la = a.meta[LAYOUT_COLUMNS["requests"]].to_numpy()[ia]
    lb = b.meta[LAYOUT_COLUMNS["requests"]].to_numpy()[ib]
    note = np.zeros(va.shape, dtype=bool)
    one_row_a, one_row_b = (la == "2019") & (lb == "2021"), (la == "2021") & (lb == "2019")
    for values, status, exists, rows in ((vb, sb, eb, one_row_a), (va, sa, ea, one_row_b)):
        if rows.any():
            _bridge_other_handling(values, status, exists, np.flatnonzero(rows))
            note[np.flatnonzero(rows)[:, None], [universe_index()[c] for c in _summed_codes()]] = True
    num_a, num_b = sa == NUMBER, sb == NUMBER
    both = ea & eb
    delta = vb - va
    status = np.select(
        [
            ea & ~eb,
            ~ea & eb,
            both & num_a & num_b & (np.abs(delta) <= tolerance),
            both & num_a & num_b,
            both & ~num_a & num_b,
            both & num_a & ~num_b,
        ],
        [2, 3, 1, 0, 4, 5],
        default=6,
    )
    r, c = np.nonzero(ea | eb)
    a_values, b_values, d = va[r, c], vb[r, c], delta[r, c]
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(a_values != 0, d / np.abs(a_values), np.nan)
    labels = {name: pd.Categorical.from_codes(codes[c], cats) for name, (codes, cats) in _cell_categories().items()}
    frame = pd.DataFrame(
        {
            "pair": r,
            **labels,
            "a": a_values,
            "b": b_values,
            "delta": d,
            "rel_change": rel,
            "status": pd.Categorical.from_codes(status[r, c], STATUSES),
            "note": pd.Categorical.from_codes(note[r, c].astype(np.int8), ["", SUMMED_NOTE]),
        }
    )
    return frame


@cache
def _summed_codes() -> tuple[str, ...]:
    return tuple(f"requests.other_handling.{c}" for c in table_layout("requests", "2021").row_columns("other_handling"))


def diff(
    a: Report | ReportSet | Iterable[Report],
    b: Report | ReportSet | Iterable[Report],
    tolerance: float = 0.0,
    agency_map: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Cell-level comparison: ``table, row, column, label_zh, a, b, delta, rel_change, status, note``.

    ``status`` is one of ``changed, same, only_a, only_b, missing_in_a,
    missing_in_b, missing_in_both`` (a cell only one layout has, or a cell
    without a number on one side). ``delta = b - a``; ``rel_change = delta / |a|``.
    Two collections are matched by agency and year (``agency_map`` maps renamed
    agencies); the result then starts with ``report_a, report_b, agency, year``
    and reports found on one side only are listed with status ``only_a`` / ``only_b``
    and no cells.
    """
    if isinstance(a, Report) and isinstance(b, Report):
        ma, mb = CellMatrix.from_reports([a]), CellMatrix.from_reports([b])
        frame = _pair_frame(ma, mb, np.array([0]), np.array([0]), tolerance)
        return frame[DIFF_COLUMNS].reset_index(drop=True)
    set_a, set_b = _as_set(a, agency_map), _as_set(b, agency_map)
    ka, kb = _keys(set_a.matrix, agency_map), _keys(set_b.matrix, agency_map)
    matched = ka.merge(kb, on=["agency_key", "year"], how="outer", suffixes=("_a", "_b"), indicator=True)
    both = matched[matched["_merge"] == "both"]
    ia, ib = both["i_a"].to_numpy(dtype=np.intp), both["i_b"].to_numpy(dtype=np.intp)
    frame = _pair_frame(set_a.matrix, set_b.matrix, ia, ib, tolerance)
    ids_a = set_a.matrix.meta["report_id"].to_numpy()[ia]
    ids_b = set_b.matrix.meta["report_id"].to_numpy()[ib]
    pair = frame.pop("pair").to_numpy()
    frame.insert(0, "report_a", pd.Categorical.from_codes(pair, _categories(ids_a)))
    frame.insert(1, "report_b", pd.Categorical.from_codes(pair, _categories(ids_b)))
    frame.insert(2, "agency", _categorical(both["agency_key"].to_numpy()[pair]))
    frame.insert(3, "year", both["year"].to_numpy()[pair])
    alone = matched[matched["_merge"] != "both"]
    if len(alone):
        lonely = pd.DataFrame(
            {
                "report_a": [_id(set_a, i) for i in alone["i_a"]],
                "report_b": [_id(set_b, i) for i in alone["i_b"]],
                "agency": alone["agency_key"].to_numpy(),
                "year": alone["year"].to_numpy(),
                "status": np.where(alone["_merge"] == "left_only", "only_a", "only_b"),
            }
        )
        frame = pd.concat([frame.astype({"report_a": object, "report_b": object, "agency": object}), lonely])
    return frame.reset_index(drop=True)


def _categories(ids: np.ndarray) -> pd.Index:
    """Report ids as categories in their order (they are unique within a set)."""
    return pd.Index(ids, dtype=object)


def _id(reports: ReportSet, i: float) -> str | None:
    return None if pd.isna(i) else str(reports.matrix.meta["report_id"].iloc[int(i)])


def _as_set(x: Report | ReportSet | Iterable[Report], agency_map: Mapping[str, str] | None) -> ReportSet:
    if isinstance(x, ReportSet):
        return x
    return ReportSet([x] if isinstance(x, Report) else list(x), agency_map)


def _keys(matrix: CellMatrix, agency_map: Mapping[str, str] | None) -> pd.DataFrame:
    keys = pd.DataFrame(
        {
            "agency_key": agency_keys(matrix.meta["agency"], agency_map),
            "year": matrix.meta["year"].astype("Int64"),
            "i": np.arange(len(matrix)),
        }
    )
    duplicated = keys.duplicated(["agency_key", "year"], keep=False)
    if duplicated.any():
        first = keys[duplicated].iloc[0]
        zh, en = "同一机关同一年度有多份报告，无法配对", "several reports of one agency and year"
        raise ValueError(f"{zh} / {en}: {first['agency_key']} {first['year']}")
    return keys


def compare(
    a: Report | ReportSet | Iterable[Report],
    b: Report | ReportSet | Iterable[Report],
    rules: RuleSet | None = None,
    blank_as_zero: bool = False,
) -> pd.DataFrame:
    """How each rule instance's outcome moved from ``a`` to ``b`` (R validate's ``compare()``).

    One row per instance that applies on either side: ``rule_id, table, row,
    column, a, b, movement`` with ``a``/``b`` the outcome (passed, failed,
    unverifiable, or missing where the instance does not exist on that side)
    and ``movement`` one of ``still_failing, newly_failing, fixed,
    still_passing`` or ``changed_verifiability``.
    """
    reports_a, reports_b = _as_set(a, None), _as_set(b, None)
    if len(reports_a) != 1 or len(reports_b) != 1:
        raise ValueError("compare() takes one report on each side / 每边各一份报告")
    key = ["rule_id", "table", "row", "column"]
    sides = []
    for side, reports in (("a", reports_a), ("b", reports_b)):
        outcomes = validate(reports, rules=rules, blank_as_zero=blank_as_zero, outcomes=True).outcomes
        assert outcomes is not None
        sides.append(outcomes[[*key, "outcome"]].rename(columns={"outcome": side}))
    merged = sides[0].merge(sides[1], on=key, how="outer")
    merged[["a", "b"]] = merged[["a", "b"]].fillna("missing")
    merged["movement"] = [
        MOVEMENTS.get((x, y), "changed_verifiability") for x, y in zip(merged["a"], merged["b"], strict=True)
    ]
    return merged


def movement_summary(moves: pd.DataFrame) -> pd.DataFrame:
    """Counts per rule and movement, one column per movement."""
    return moves.pivot_table(index="rule_id", columns="movement", values="a", aggfunc="count", fill_value=0)
