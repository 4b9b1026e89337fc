"""The vectorized rule engine.

A rule set compiles once per layout signature (the layout version of each
table) into dense coefficient matrices over that layout's cells; reports are
then checked in blocks, each block with one gather, one matrix product for
the linear rules and a few element-wise passes for the per-cell rules.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from . import narrative
from .collection import ReportSet, agency_keys
from .layouts import TABLES, cell_universe, table_layout
from .matrix import ABSENT, NUMBER, CellMatrix, read_as_zero, universe_index
from .report import LAYOUT_COLUMNS, Report
from .result import ValidationResult
from .rules import CELL_CHECKS, PREVIOUS, Instance, Rule, RuleSet, catalog, check_not_empty, expand

Signature = tuple[str, ...]  # the layout version of each table, in TABLES order
_OPS = {"==": 0, "<=": 1, ">=": 2, "<": 3, ">": 4}
CHUNK_ROWS = 1024
"""Reports per block: small enough to stay in cache, large enough for fast matrix products."""


@dataclass(frozen=True)
class Compiled:
    """A rule set on one layout signature. Matrices are (cells of the layout × instances)."""

    cols: np.ndarray  # universe positions of the layout's cells
    optional_cell: np.ndarray  # (cells,) subtotal cells a report may leave unprinted
    non_negative: np.ndarray  # (cells,) cells cells.non_negative looks at
    integer: np.ndarray  # (cells,) cells cells.integer looks at
    instances: tuple[Instance, ...]
    lhs: np.ndarray  # left-hand coefficients
    coef: np.ndarray  # left minus right coefficients
    constant: np.ndarray  # (I,) right constant minus left constant
    operand: np.ndarray  # 1 where the instance reads the cell
    optional: np.ndarray  # (optional cells × I) 1 where the instance reads that optional subtotal
    unconditional: np.ndarray  # (I,) instances that read no optional subtotal
    op: np.ndarray  # (I,) index into _OPS
    tolerance: np.ndarray  # (I,)
    rule_ids: tuple[str, ...]  # distinct rule ids of the instances, in order
    rule_of: np.ndarray  # (I,) index into rule_ids


@cache
def compile_rules(rules: RuleSet, signature: Signature) -> Compiled:
    """Expand and compile ``rules`` for reports whose tables follow ``signature``.

    A signature of six versions compiles the rules over two years: the report's
    cells, then its previous year's (prefixed ``previous.``, at universe
    positions shifted by the universe's size).
    """
    current = [table_layout(t, v) for t, v in zip(TABLES, signature[:3], strict=True)]
    before = [table_layout(t, v) for t, v in zip(TABLES, signature[3:], strict=True)] if len(signature) > 3 else []
    universe = universe_index()
    cells = [("", lay, r, c, universe[f"{lay.table}.{r}.{c}"]) for lay in current for r, c in lay.cells]
    cells += [
        (PREVIOUS, lay, r, c, len(universe) + universe[f"{lay.table}.{r}.{c}"]) for lay in before for r, c in lay.cells
    ]
    cols = np.array([pos for *_, pos in cells], dtype=np.intp)
    local = {f"{prefix}{lay.table}.{r}.{c}": j for j, (prefix, lay, r, c, _) in enumerate(cells)}
    optional_cell = np.array([lay.is_optional_cell(r, c) for _, lay, r, c, _ in cells])
    previous = {lay.table: lay for lay in before} if before else None
    instances = tuple(i for rule in rules for i in expand(rule, {lay.table: lay for lay in current}, previous))
    shape = (len(cells), len(instances))
    lhs, rhs, operand = np.zeros(shape), np.zeros(shape), np.zeros(shape, dtype=np.float32)
    for k, inst in enumerate(instances):
        for code, coef in inst.lhs.coefs.items():
            lhs[local[code], k] += coef
        for code, coef in inst.rhs.coefs.items():
            rhs[local[code], k] += coef
        operand[[local[c] for c in inst.cells], k] = 1.0
    rule_ids = tuple(dict.fromkeys(i.rule.id for i in instances))
    return Compiled(
        cols=cols,
        optional_cell=optional_cell,
        non_negative=np.array([lay.column_type(c) != "signed" for _, lay, r, c, _ in cells]),
        integer=np.array([lay.column_type(c) != "money" for _, lay, r, c, _ in cells]),
        instances=instances,
        lhs=lhs,
        coef=lhs - rhs,
        constant=np.array([i.rhs.constant - i.lhs.constant for i in instances]),
        operand=operand,
        optional=operand[optional_cell],
        unconditional=~operand[optional_cell].any(axis=0),
        op=np.array([_OPS[i.op] for i in instances], dtype=np.int8),
        tolerance=np.array([i.rule.tolerance for i in instances]),
        rule_ids=rule_ids,
        rule_of=np.array([rule_ids.index(i.rule.id) for i in instances], dtype=np.intp),
    )


class _Collector:
    """Failing instances, unverifiable instances and per-rule counts (one per block, merged)."""

    def __init__(self, rules: RuleSet, keep_outcomes: bool = False) -> None:
        self.rules = rules
        self.parts: list[dict[str, object]] = []
        self.unverifiable: list[dict[str, object]] = []
        self.outcomes: list[dict[str, object]] | None = [] if keep_outcomes else None
        self.counts: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(3, dtype=np.int64))

    def count(self, rule_id: str, checked: int, failed: int, unverifiable: int) -> None:
        self.counts[rule_id] += (checked, failed, unverifiable)

    def keep(self, ids: np.ndarray, related: np.ndarray | None, applies, failed, unverifiable, where) -> None:
        """Record the outcome of every applicable instance (``where(k)`` → rule id, table, row, column)."""
        if self.outcomes is None:
            return
        r, k = np.nonzero(applies)
        outcome = np.where(failed[r, k], "failed", np.where(unverifiable[r, k], "unverifiable", "passed"))
        located = [where(i) for i in k]
        self.outcomes.append(
            {
                "report_id": ids[r],
                "related_report_id": None if related is None else related[r],
                **{name: [loc[n] for loc in located] for n, name in enumerate(("rule_id", "table", "row", "column"))},
                "outcome": outcome,
            }
        )

    def merge(self, other: _Collector) -> None:
        self.parts += other.parts
        self.unverifiable += other.unverifiable
        if self.outcomes is not None and other.outcomes is not None:
            self.outcomes += other.outcomes
        for rule_id, counts in other.counts.items():
            self.counts[rule_id] += counts


def validate(
    x: Report | Iterable[Report] | pd.DataFrame | CellMatrix,
    rules: RuleSet | Iterable[Rule | str] | None = None,
    blank_as_zero: bool = False,
    agency_map: Mapping[str, str] | None = None,
    outcomes: bool = False,
    *,
    allow_empty: bool = False,
) -> ValidationResult:
    """Check one report, many reports or a wide DataFrame against the rule catalog.

    Returns a :class:`ValidationResult`; it never raises for failing rules.
    ``rules`` defaults to the built-in :func:`catalog`; strings are read as user
    rules. ``blank_as_zero=True`` reads blank cells and rows a report left out
    (never "/" or text) as 0. Rules over two years (``continuity.*``) run on every pair of reports of one
    agency in consecutive years; ``agency_map`` maps renamed agencies' old names
    to one name so that their reports pair up. ``outcomes=True`` also keeps
    every applicable instance's outcome (passed / failed / unverifiable) in
    ``result.outcomes``. An empty ``rules`` would check nothing: it is a
    :class:`RuleError` unless ``allow_empty=True``.
    A Dask DataFrame in the wide shape is checked partition by partition (:mod:`.cluster`), with the same result.
    """
    if type(x).__module__.startswith("dask."):  # a Dask DataFrame, without importing Dask here
        from .cluster import validate_frame

        return validate_frame(x, rules, blank_as_zero, agency_map, outcomes, allow_empty=allow_empty)
    if agency_map is None:
        agency_map = getattr(x, "agency_map", None)
    matrix, reports = as_matrix(x)
    ruleset = catalog() if rules is None else rules if isinstance(rules, RuleSet) else RuleSet(rules)
    check_not_empty(ruleset, allow_empty)
    ids = matrix.meta["report_id"].to_numpy()
    signatures = matrix.meta[[LAYOUT_COLUMNS[t] for t in TABLES]].astype(str).to_numpy()
    jobs: list[tuple[Signature, np.ndarray, np.ndarray | None]] = []
    for sig, rows in _groups(signatures):
        jobs += [(sig, block, None) for block in _blocks(rows)]
    if any(r.uses_previous for r in ruleset):
        current, before = consecutive_pairs(matrix.meta, agency_map)
        pair_signatures = np.hstack([signatures[current], signatures[before]])
        for sig, rows in _groups(pair_signatures):
            jobs += [(sig, current[block], before[block]) for block in _blocks(rows)]

    def run(job: tuple[Signature, np.ndarray, np.ndarray | None]) -> _Collector:
        sig, block, previous = job
        comp = compile_rules(ruleset, sig)
        values, status = _gather(matrix, block, previous, comp.cols)
        if blank_as_zero:
            np.copyto(values, 0.0, where=read_as_zero(status))
        missing = np.isnan(values)
        collector = _Collector(ruleset, outcomes)
        related = None if previous is None else ids[previous]
        if previous is None:
            _check_cells(collector, comp, sig, ids[block], values, missing, status)
        _check_linear(collector, comp, ids[block], values, missing, status, related)
        return collector

    result = _Collector(ruleset, outcomes)
    if len(jobs) < 2:
        parts: Iterable[_Collector] = map(run, jobs)
    else:  # blocks run on every core; each block's matrix product then keeps to one BLAS thread
        with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(max_workers=usable_cpus()) as pool:
            parts = list(pool.map(run, jobs))
    for part in parts:
        result.merge(part)
    built = ValidationResult.build(result, matrix.meta, blank_as_zero)
    if reports is not None:
        built.violations["where"] = _places(built.violations, ids, reports)
        built = narrative.attach(built, reports, ids, ruleset, blank_as_zero)  # figures stated in the prose
    return built


def usable_cpus() -> int:
    """The CPUs this process may run on (``os.cpu_count()`` where affinity is unknown)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _groups(signatures: np.ndarray) -> Iterator[tuple[Signature, np.ndarray]]:
    """Row indices per distinct signature (a row of layout versions)."""
    if not len(signatures):
        return
    frame = pd.DataFrame(signatures)
    for key, rows in frame.groupby(list(frame.columns), sort=True).indices.items():
        yield tuple(str(v) for v in key), rows


def _blocks(rows: np.ndarray) -> Iterator[np.ndarray]:
    for start in range(0, len(rows), CHUNK_ROWS):
        yield rows[start : start + CHUNK_ROWS]


def _gather(matrix: CellMatrix, block: np.ndarray, previous: np.ndarray | None, cols: np.ndarray):
    """Values and statuses of some cells for a block of reports (and their previous years), as fresh arrays."""
    if previous is None:
        rows = slice(block[0], block[-1] + 1) if block[-1] - block[0] + 1 == len(block) else block
        return np.take(matrix.values[rows], cols, axis=1), np.take(matrix.status[rows], cols, axis=1)
    values = np.hstack([matrix.values[block], matrix.values[previous]])
    status = np.hstack([matrix.status[block], matrix.status[previous]])
    return np.take(values, cols, axis=1), np.take(status, cols, axis=1)


def consecutive_pairs(meta: pd.DataFrame, agency_map: Mapping[str, str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (report, its previous year's report) of one agency in consecutive years."""
    if len(meta) < 2:
        return np.array([], dtype=np.intp), np.array([], dtype=np.intp)
    keys = pd.DataFrame(
        {
            "agency": agency_keys(meta["agency"], agency_map),
            "year": meta["year"].astype("Int64"),
            "i": np.arange(len(meta)),
        }
    ).dropna()
    previous = keys.assign(year=keys["year"] + 1)
    pairs = keys.merge(previous, on=["agency", "year"], suffixes=("", "_previous"))
    return pairs["i"].to_numpy(dtype=np.intp), pairs["i_previous"].to_numpy(dtype=np.intp)


def as_matrix(x: object, caller: str = "validate") -> tuple[CellMatrix, list[Report] | None]:
    """The matrix of ``x``, and its reports where there are Report objects (for their cells' places)."""
    if isinstance(x, CellMatrix):
        return x, None
    if isinstance(x, ReportSet):
        return x.matrix, x._reports
    if isinstance(x, pd.DataFrame):
        return CellMatrix.from_wide(x), None
    items = [x] if isinstance(x, Report) else list(x) if isinstance(x, Iterable) else None
    if items is None or not all(isinstance(r, Report) for r in items):
        raise TypeError(
            f"{caller}() 接受 Report、Report 列表、ReportSet、宽表 DataFrame 或 CellMatrix / "
            f"{caller}() takes a Report, a list of Reports, a ReportSet, a wide DataFrame or a CellMatrix"
        )
    return CellMatrix.from_reports(items), items


def _places(violations: pd.DataFrame, ids: np.ndarray, reports: list[Report]) -> list[str | None]:
    """Where in its source each violation's first cell was printed (line, table cell, page)."""
    by_id = dict(zip(ids, reports, strict=True))
    out: list[str | None] = []
    for report_id, cells in zip(violations["report_id"], violations["cells"], strict=True):
        report = by_id.get(report_id)
        out.append(report.where(cells[0]) if report is not None else None)
    return out


def _fails(op: np.ndarray, diff: np.ndarray, tol: np.ndarray) -> np.ndarray:
    """Where ``lhs op rhs`` does not hold, with ``diff = lhs - rhs`` (most rules are equalities)."""
    failed = np.abs(diff) > tol
    for code, test in ((1, diff > tol), (2, diff < -tol), (3, diff >= -tol), (4, diff <= tol)):
        k = op == code
        if k.any():
            failed[:, k] = test[:, k]
    return failed


def _check_linear(
    col: _Collector,
    comp: Compiled,
    ids: np.ndarray,
    x: np.ndarray,
    missing: np.ndarray,
    status: np.ndarray,
    related: np.ndarray | None = None,
) -> None:
    """The linear rules of one block; NaNs in ``x`` are zeroed in place."""
    if not comp.instances:
        return
    if missing.any():
        np.copyto(x, 0.0, where=missing)
    diff = x @ comp.coef - comp.constant
    # an instance applies unless it reads an optional subtotal the report did not print
    absent = status[:, comp.optional_cell] == ABSENT
    applies = np.repeat(comp.unconditional[None, :], len(x), axis=0)
    printing = np.flatnonzero(~absent.all(axis=1))
    if len(printing):
        applies[printing] = (absent[printing].astype(np.float32) @ comp.optional) == 0
    # it is unverifiable when an operand it reads has no number
    unverifiable = np.zeros(diff.shape, dtype=bool)
    gaps = missing.copy()
    gaps[:, comp.optional_cell] &= ~absent
    rows = np.flatnonzero(gaps.any(axis=1))
    if len(rows):
        unverifiable[rows] = (gaps[rows].astype(np.float32) @ comp.operand) > 0
    unverifiable &= applies
    checked = applies & ~unverifiable
    failed = checked & _fails(comp.op, diff, comp.tolerance)
    totals = [
        np.bincount(comp.rule_of, m.sum(axis=0), len(comp.rule_ids)).astype(int)
        for m in (checked, failed, unverifiable)
    ]
    for i, rule_id in enumerate(comp.rule_ids):
        col.count(rule_id, totals[0][i], totals[1][i], totals[2][i])
    col.keep(ids, related, applies, failed, unverifiable, lambda i: _located(comp.instances[i]))
    if failed.any():
        r, k = np.nonzero(failed)
        lhs = np.einsum("ij,ji->i", x[r], comp.lhs[:, k]) + np.array([comp.instances[i].lhs.constant for i in k])
        insts = [comp.instances[i] for i in k]
        col.parts.append(
            {
                "report_id": ids[r],
                "rule_id": [i.rule.id for i in insts],
                "severity": [i.rule.kind for i in insts],
                "table": [i.table for i in insts],
                "row": [i.row for i in insts],
                "column": [i.column for i in insts],
                "lhs": lhs,
                "rhs": lhs - diff[r, k],
                "imbalance": diff[r, k],
                "cells": [i.cells for i in insts],
                "message_zh": [i.message_zh for i in insts],
                "message_en": [i.message_en for i in insts],
                "related_report_id": None if related is None else related[r],
            }
        )
    if unverifiable.any():
        r, k = np.nonzero(unverifiable)
        col.unverifiable.append(
            {
                "report_id": ids[r],
                "related_report_id": None if related is None else related[r],
                "rule_id": [comp.instances[i].rule.id for i in k],
                "row": [comp.instances[i].row for i in k],
                "column": [comp.instances[i].column for i in k],
                "missing": [
                    tuple(_code(comp.cols[j]) for j in np.flatnonzero(missing[a] & (comp.operand[:, i] > 0)))
                    for a, i in zip(r, k, strict=True)
                ],
            }
        )


def _check_cells(
    col: _Collector, comp: Compiled, sig: Signature, ids: np.ndarray, x: np.ndarray, missing: np.ndarray, status
) -> None:
    """The per-cell rules (``check:`` in the catalog) of one block."""
    numbers = len(x) - np.count_nonzero(missing, axis=0)
    for rule in (r for r in col.rules if r.check in CELL_CHECKS):
        if rule.check == "present":
            printed = np.where(comp.optional_cell, np.count_nonzero(status != ABSENT, axis=0), len(x))
            checked = int(printed.sum())
            failed = (status != NUMBER) & ((status != ABSENT) | ~comp.optional_cell)
            applies = (status != ABSENT) | ~comp.optional_cell
        elif rule.check == "non_negative":
            checked = int(numbers[comp.non_negative].sum())
            failed = (x < -rule.tolerance) & comp.non_negative
            applies = ~missing & comp.non_negative
        else:
            checked = int(numbers[comp.integer].sum())
            failed = (np.abs(x - np.rint(x)) > rule.tolerance) & comp.integer
            applies = ~missing & comp.integer
        col.count(rule.id, checked, int(np.count_nonzero(failed)), 0)
        col.keep(
            ids, None, applies, failed, np.zeros_like(failed), lambda j, rule=rule: (rule.id, *_split(comp.cols[j]))
        )
        if not failed.any():
            continue
        r, j = np.nonzero(failed)
        value = np.full(len(r), np.nan) if rule.check == "present" else x[r, j]
        expected = {"present": value, "non_negative": np.zeros_like(value)}.get(rule.check, np.rint(value))
        codes = [cell_universe()[p] for p in comp.cols[j]]
        parts = [c.split(".") for c in codes]
        labels = [_cell_label(code, sig) for code in codes]
        col.parts.append(
            {
                "report_id": ids[r],
                "rule_id": rule.id,
                "severity": rule.kind,
                "table": [p[0] for p in parts],
                "row": [p[1] for p in parts],
                "column": [p[2] for p in parts],
                "lhs": value,
                "rhs": expected,
                "imbalance": value - expected,
                "cells": [(c,) for c in codes],
                "message_zh": [rule.message_zh.format(cell_label=lab) for lab in labels],
                "message_en": [rule.message_en.format(cell_label=lab) for lab in labels],
            }
        )


def _located(inst: Instance) -> tuple[str, str, str | None, str | None]:
    return inst.rule.id, inst.table, inst.row, inst.column


def _code(position: int) -> str:
    """The cell code at a compiled position: past the universe, the previous year's cell (``previous.…``)."""
    universe = cell_universe()
    if position < len(universe):
        return universe[position]
    return PREVIOUS + universe[position - len(universe)]


@cache
def _split(position: int) -> tuple[str, ...]:
    return tuple(cell_universe()[position].split("."))


@cache
def _cell_label(code: str, sig: Signature) -> str:
    table, row, col = code.split(".")
    return table_layout(table, sig[TABLES.index(table)]).cell_label(row, col)
