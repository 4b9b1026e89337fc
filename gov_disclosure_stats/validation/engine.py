"""The vectorized rule engine.

A rule set compiles once per layout signature (the layout version of each
table) into sparse coefficient matrices over that layout's cells (a rule
touches a few cells); reports are then checked in blocks held cells × reports,
each block with one gather, a few sparse products for the linear rules and a
few element-wise passes for the per-cell rules. A violation is recorded as its
report and its compiled item; the result's text columns are looked up per
item (:class:`.result.Texts`), never formatted one violation at a time.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from ..core.layouts import TABLES, TableLayout, cell_universe, table_layout
from ..core.rules import CELL_CHECKS, PREVIOUS, Instance, Rule, RuleSet, catalog, check_not_empty, expand
from ..model.collection import ReportSet, agency_keys
from ..model.matrix import ABSENT, NUMBER, CellMatrix, WideCells, read_as_zero, universe_index
from ..model.report import LAYOUT_COLUMNS, Report
from ..model.result import Texts, ValidationResult, objects
from . import narrative

Signature = tuple[str, ...]  # the layout version of each table, in TABLES order
_OPS = {"==": 0, "<=": 1, ">=": 2, "<": 3, ">": 4}
CHUNK_ROWS = 1024
"""Reports per block: small enough to stay in cache, large enough for few Python steps per report."""


@dataclass(frozen=True)
class Compiled:
    """A rule set on one layout signature. Matrices are (cells of the layout × instances); blocks of reports
    are multiplied by their sparse transposes (:attr:`products`)."""

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

    @cached_property
    def products(self) -> dict[str, sparse.csr_array]:
        """The matrices the engine multiplies blocks (cells × reports) by, as sparse (instances × cells)."""
        return {
            "coef": sparse.csr_array(self.coef.T),
            "lhs": sparse.csr_array(self.lhs.T),
            "operand": sparse.csr_array(self.operand.T),
            "optional": sparse.csr_array(self.optional.T[self.conditional]),
        }

    @cached_property
    def conditional(self) -> np.ndarray:
        """The instances that read an optional subtotal (they apply where the report printed it)."""
        return np.flatnonzero(~self.unconditional)

    @cached_property
    def lhs_constant(self) -> np.ndarray:
        """(I,) the constant of each instance's left side."""
        return np.array([i.lhs.constant for i in self.instances], dtype=float)

    @cached_property
    def texts(self) -> Texts:
        """The text columns of each instance's violations."""
        return Texts(
            rule_id=[i.rule.id for i in self.instances],
            severity=[i.rule.kind for i in self.instances],
            table=[i.table for i in self.instances],
            row=[i.row for i in self.instances],
            column=[i.column for i in self.instances],
            cells=[i.cells for i in self.instances],
            message_zh=[i.message_zh for i in self.instances],
            message_en=[i.message_en for i in self.instances],
        )


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
    cells = [("", lay, r, c, universe[code]) for code, (lay, r, c) in _layout_cells(signature[:3]).items()]
    if before:
        shift = len(universe)
        cells += [
            (PREVIOUS, lay, r, c, shift + universe[code]) for code, (lay, r, c) in _layout_cells(signature[3:]).items()
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
    """Failing items, unverifiable instances and per-rule counts (one per block, merged)."""

    def __init__(self, rules: RuleSet, keep_outcomes: bool = False) -> None:
        self.rules = rules
        self.parts: list[dict[str, Any]] = []
        self.unverifiable: list[dict[str, object]] = []
        self.outcomes: list[dict[str, object]] | None = [] if keep_outcomes else None
        self.counts: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(3, dtype=np.int64))

    def count(self, rule_id: str, checked: int, failed: int, unverifiable: int) -> None:
        self.counts[rule_id] += (checked, failed, unverifiable)

    def fail(self, rows, related, texts: Texts, item, lhs, rhs, imbalance) -> None:
        """Record failing items: ``rows`` (reports' rows in the matrix), ``item`` (into ``texts``), both sides."""
        self.parts.append(
            {
                "rows": rows,
                "related": related,
                "texts": texts,
                "item": item,
                "lhs": lhs,
                "rhs": rhs,
                "imbalance": imbalance,
            }
        )

    def keep(self, ids: np.ndarray, related: np.ndarray | None, texts: Texts, applies, failed, unverifiable) -> None:
        """Record the outcome of every applicable item (blocks are items × reports)."""
        if self.outcomes is None:
            return
        r, k = np.nonzero(applies.T)  # report by report
        outcome = np.where(failed[k, r], "failed", np.where(unverifiable[k, r], "unverifiable", "passed"))
        self.outcomes.append(
            {
                "report_id": ids[r],
                "related_report_id": None if related is None else related[r],
                **{name: texts.columns[name][k] for name in ("rule_id", "table", "row", "column")},
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
    """:func:`~gov_disclosure_stats.validate` of what is in memory (a Dask DataFrame: :mod:`.dask_frames`)."""
    if agency_map is None:
        agency_map = getattr(x, "agency_map", None)
    cells, reports = _cells_of(x)
    ruleset = catalog() if rules is None else rules if isinstance(rules, RuleSet) else RuleSet(rules)
    check_not_empty(ruleset, allow_empty)
    ids = cells.meta["report_id"].to_numpy()
    code, signatures = _signatures(cells.meta)
    jobs: list[tuple[Signature, np.ndarray, np.ndarray | None]] = []
    for sig, rows in _groups(code, signatures):
        jobs += [(sig, block, None) for block in _blocks(rows)]
    if any(r.uses_previous for r in ruleset):
        current, before = consecutive_pairs(cells.meta, agency_map)
        pairs = [a + b for a in signatures for b in signatures]
        for sig, rows in _groups(code[current] * len(signatures) + code[before], pairs):
            jobs += [(sig, current[block], before[block]) for block in _blocks(rows)]

    def run(job: tuple[Signature, np.ndarray, np.ndarray | None]) -> _Collector:
        sig, block, previous = job
        comp = compile_rules(ruleset, sig)
        values, status = _gather(cells, block, previous, comp.cols)
        if blank_as_zero:
            np.copyto(values, 0.0, where=read_as_zero(status))
        missing = np.isnan(values)
        collector = _Collector(ruleset, outcomes)
        if previous is None:
            _check_cells(collector, comp, sig, ids, block, values, missing, status)
        _check_linear(collector, comp, ids, block, values, missing, status, previous)
        return collector

    result = _Collector(ruleset, outcomes)
    if len(jobs) < 2:
        parts: Iterable[_Collector] = map(run, jobs)
    else:  # blocks run on every core (numpy and scipy let go of the interpreter lock in their loops)
        with ThreadPoolExecutor(max_workers=usable_cpus()) as pool:
            parts = list(pool.map(run, jobs))
    for part in parts:
        result.merge(part)
    built = ValidationResult.build(result, cells.meta, blank_as_zero)
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


def _signatures(meta: pd.DataFrame) -> tuple[np.ndarray, list[Signature]]:
    """Per report, the index of its signature (the layout version of each table) among the distinct ones."""
    columns = meta[[LAYOUT_COLUMNS[t] for t in TABLES]].astype(str)
    codes, names = zip(*(pd.factorize(columns[c]) for c in columns.columns), strict=True)
    shape = tuple(max(len(n), 1) for n in names)
    key = np.ravel_multi_index(codes, shape)
    distinct = np.flatnonzero(np.bincount(key, minlength=np.prod(shape)))
    signatures = [tuple(str(names[t][i]) for t, i in enumerate(np.unravel_index(d, shape))) for d in distinct]
    rank = np.zeros(np.prod(shape), dtype=np.intp)
    rank[distinct] = np.arange(len(distinct))
    return rank[key], signatures


def _groups(code: np.ndarray, signatures: list[Signature]) -> Iterator[tuple[Signature, np.ndarray]]:
    """Row indices per signature (``code`` indexes ``signatures``), signatures in sorted order."""
    for g in sorted(range(len(signatures)), key=signatures.__getitem__):
        rows = np.flatnonzero(code == g)
        if len(rows):
            yield signatures[g], rows


def _blocks(rows: np.ndarray) -> Iterator[np.ndarray]:
    for start in range(0, len(rows), CHUNK_ROWS):
        yield rows[start : start + CHUNK_ROWS]


def _gather(cells: CellMatrix | WideCells, block: np.ndarray, previous: np.ndarray | None, cols: np.ndarray):
    """Values and statuses of some cells (rows) for a block of reports (columns; past the universe, the cells
    of their previous years), as fresh C-ordered arrays."""
    if previous is None:
        return cells.block(block, cols)
    size = len(universe_index())
    here = cols < size
    values = np.empty((len(cols), len(block)))
    status = np.empty(values.shape, dtype=np.int8)
    values[here], status[here] = cells.block(block, cols[here])
    values[~here], status[~here] = cells.block(previous, cols[~here] - size)
    return values, status


def consecutive_pairs(meta: pd.DataFrame, agency_map: Mapping[str, str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (report, its previous year's report) of one agency in consecutive years."""
    none = np.array([], dtype=np.intp), np.array([], dtype=np.intp)
    if len(meta) < 2:
        return none
    year = meta["year"].astype("Int64").array
    # only a report with a report of the year before or after can pair: agency keys are worked out for those
    known, number = ~year.isna(), year.to_numpy(dtype=np.int64, na_value=0)
    years = np.unique(number[known])
    rows = np.flatnonzero(known & (np.isin(number, years + 1) | np.isin(number, years - 1)))
    if not len(rows):
        return none
    keys = pd.DataFrame(
        {"agency": agency_keys(meta["agency"].to_numpy(dtype=object)[rows], agency_map), "year": year[rows], "i": rows}
    ).dropna()
    previous = keys.assign(year=keys["year"] + 1)
    pairs = keys.merge(previous, on=["agency", "year"], suffixes=("", "_previous"))
    return pairs["i"].to_numpy(dtype=np.intp), pairs["i_previous"].to_numpy(dtype=np.intp)


def _cells_of(x: object) -> tuple[CellMatrix | WideCells, list[Report] | None]:
    """What validate reads: a wide DataFrame block by block as it goes, anything else as :func:`as_matrix`."""
    if isinstance(x, pd.DataFrame):
        return WideCells(x), None
    return as_matrix(x)


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
    """Where ``lhs op rhs`` does not hold, with ``diff = lhs - rhs`` (instances × reports; most are equalities)."""
    tol = tol[:, None]
    failed = np.abs(diff) > tol
    for code in (1, 2, 3, 4):
        k = np.flatnonzero(op == code)
        if len(k):
            d, t = diff[k], tol[k]
            failed[k] = (d > t, d < -t, d >= -t, d <= t)[code - 1]
    return failed


def _check_linear(
    col: _Collector,
    comp: Compiled,
    ids: np.ndarray,
    block: np.ndarray,
    x: np.ndarray,
    missing: np.ndarray,
    status: np.ndarray,
    previous: np.ndarray | None = None,
) -> None:
    """The linear rules of one block (cells × reports); NaNs in ``x`` are zeroed in place."""
    if not comp.instances:
        return
    if missing.any():
        np.copyto(x, 0.0, where=missing)
    products = comp.products
    diff = products["coef"] @ x
    diff -= comp.constant[:, None]
    # an instance applies unless it reads an optional subtotal the report did not print
    absent = status[comp.optional_cell] == ABSENT
    applies = np.ones(diff.shape, dtype=bool)
    applies[comp.conditional] = (products["optional"] @ absent.astype(np.float32)) == 0
    applying = np.full(len(comp.instances), x.shape[1])
    applying[comp.conditional] = np.count_nonzero(applies[comp.conditional], axis=1)
    # it is unverifiable when an operand it reads has no number
    unverifiable = np.zeros(diff.shape, dtype=bool)
    gaps = missing.copy()
    gaps[comp.optional_cell] &= ~absent
    reports = np.flatnonzero(gaps.any(axis=0))
    if len(reports):
        unverifiable[:, reports] = (products["operand"] @ gaps[:, reports].astype(np.float32)) > 0
        unverifiable &= applies
    failed = _fails(comp.op, diff, comp.tolerance)
    failed &= applies
    if len(reports):
        failed &= ~unverifiable
    r, k = _report_by_report(failed)
    unverified = np.count_nonzero(unverifiable, axis=1) if len(reports) else np.zeros(len(diff), dtype=np.intp)
    per_instance = (applying - unverified, np.bincount(k, minlength=len(diff)), unverified)
    checked, failures, unverified = (np.bincount(comp.rule_of, n, len(comp.rule_ids)).astype(int) for n in per_instance)
    for i, rule_id in enumerate(comp.rule_ids):
        col.count(rule_id, checked[i], failures[i], unverified[i])
    related = None if previous is None else ids[previous]
    col.keep(ids[block], related, comp.texts, applies, failed, unverifiable)
    if len(r):
        lhs = (products["lhs"] @ x)[k, r] + comp.lhs_constant[k]
        col.fail(block[r], None if previous is None else previous[r], comp.texts, k, lhs, lhs - diff[k, r], diff[k, r])
    if len(reports) and unverifiable.any():
        r, k = _report_by_report(unverifiable)
        col.unverifiable.append(
            {
                "report_id": ids[block[r]],
                "related_report_id": None if related is None else related[r],
                "rule_id": comp.texts.columns["rule_id"][k],
                "row": comp.texts.columns["row"][k],
                "column": comp.texts.columns["column"][k],
                "missing": objects(
                    tuple(_code(comp.cols[j]) for j in np.flatnonzero(missing[:, a] & (comp.operand[:, i] > 0)))
                    for a, i in zip(r, k, strict=True)
                ),
            }
        )


def _check_cells(
    col: _Collector,
    comp: Compiled,
    sig: Signature,
    ids: np.ndarray,
    block: np.ndarray,
    x: np.ndarray,
    missing: np.ndarray,
    status: np.ndarray,
) -> None:
    """The per-cell rules (``check:`` in the catalog) of one block (cells × reports)."""
    blank = np.count_nonzero(missing)

    def numbers(cells: np.ndarray) -> int:
        """How many of these cells (a mask) hold a number, over the block's reports."""
        return int(cells.sum()) * x.shape[1] - blank + np.count_nonzero(missing[~cells])

    optional = comp.optional_cell
    for rule in (r for r in col.rules if r.check in CELL_CHECKS):
        if rule.check == "present":
            printed = status[optional] != ABSENT
            checked = int(printed.sum()) + x.shape[1] * int((~optional).sum())
            failed = status != NUMBER
            failed[optional] &= printed
        elif rule.check == "non_negative":
            checked = numbers(comp.non_negative)
            failed = x < -rule.tolerance
            failed[~comp.non_negative] = False
        else:
            checked = numbers(comp.integer)
            fraction = np.rint(x)
            np.subtract(x, fraction, out=fraction)
            failed = np.abs(fraction, out=fraction) > rule.tolerance
            failed[~comp.integer] = False
        col.count(rule.id, checked, int(np.count_nonzero(failed)), 0)
        texts = _cell_texts(rule, sig)
        if col.outcomes is not None:
            applies = {
                "present": (status != ABSENT) | ~optional[:, None],
                "non_negative": ~missing & comp.non_negative[:, None],
            }.get(rule.check, ~missing & comp.integer[:, None])
            col.keep(ids[block], None, texts, applies, failed, np.zeros_like(failed))
        if not failed.any():
            continue
        r, j = _report_by_report(failed)
        value = np.full(len(r), np.nan) if rule.check == "present" else x[j, r]
        expected = {"present": value, "non_negative": np.zeros_like(value)}.get(rule.check, np.rint(value))
        col.fail(block[r], None, texts, j, value, expected, value - expected)


def _report_by_report(found: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (report, item) pairs where ``found`` (items × reports) holds, report by report as results list them."""
    reports = np.flatnonzero(found.any(axis=0))
    r, k = np.nonzero(found[:, reports].T)
    return reports[r], k


@cache
def _layout_cells(sig: Signature) -> dict[str, tuple[TableLayout, str, str]]:
    """The cells of one year's layouts (code → layout, row, column), in the order rules compile them."""
    layouts = [table_layout(t, v) for t, v in zip(TABLES, sig, strict=True)]
    return {f"{lay.table}.{r}.{c}": (lay, r, c) for lay in layouts for r, c in lay.cells}


@cache
def _cell_texts(rule: Rule, sig: Signature) -> Texts:
    """The text columns of the violations of a per-cell rule, per compiled cell of the layouts ``sig``."""
    cells = _layout_cells(sig)
    labels = [lay.cell_label(r, c) for lay, r, c in cells.values()]
    return Texts(
        rule_id=[rule.id] * len(cells),
        severity=[rule.kind] * len(cells),
        table=[lay.table for lay, _, _ in cells.values()],
        row=[r for _, r, _ in cells.values()],
        column=[c for _, _, c in cells.values()],
        cells=[(code,) for code in cells],
        message_zh=[rule.message_zh.format(cell_label=label) for label in labels],
        message_en=[rule.message_en.format(cell_label=label) for label in labels],
    )


def _code(position: int) -> str:
    """The cell code at a compiled position: past the universe, the previous year's cell (``previous.…``)."""
    universe = cell_universe()
    if position < len(universe):
        return universe[position]
    return PREVIOUS + universe[position - len(universe)]
