"""The vectorized rule engine: a rule set compiles once per layout into coefficient
matrices, then N reports are checked with a few matrix products."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from .layouts import TABLES, cell_universe, table_layout
from .matrix import ABSENT, BLANK, NUMBER, CellMatrix, universe_index
from .report import LAYOUT_COLUMNS, Report
from .result import VIOLATION_COLUMNS, ValidationResult
from .rules import Instance, Rule, RuleSet, catalog, expand

Signature = tuple[str, ...]  # the layout version of each table, in TABLES order
_OPS = {"==": 0, "<=": 1, ">=": 2, "<": 3, ">": 4}


@dataclass(frozen=True)
class Compiled:
    """The linear instances of a rule set on one layout signature, as dense coefficients
    over the cells they use (``cols``)."""

    instances: tuple[Instance, ...]
    cols: np.ndarray  # universe positions used
    lhs: np.ndarray  # (cols, I)
    rhs: np.ndarray  # (cols, I)
    constant: np.ndarray  # (I,) rhs constant minus lhs constant
    operand: np.ndarray  # (cols, I) 1 where the instance reads the cell
    optional: np.ndarray  # (cols, I) 1 where that cell is a subtotal that may be unprinted
    op: np.ndarray  # (I,)
    tolerance: np.ndarray  # (I,)


@cache
def compile_rules(rules: RuleSet, signature: Signature) -> Compiled:
    """Expand and compile ``rules`` for reports whose tables follow ``signature``."""
    layouts = {t: table_layout(t, v) for t, v in zip(TABLES, signature, strict=True)}
    instances = tuple(i for rule in rules for i in expand(rule, layouts))
    index = universe_index()
    used = sorted({index[c] for inst in instances for c in inst.cells})
    local = {pos: j for j, pos in enumerate(used)}
    shape = (len(used), len(instances))
    lhs, rhs, operand, optional = (np.zeros(shape) for _ in range(4))
    for k, inst in enumerate(instances):
        for code, coef in inst.lhs.coefs.items():
            lhs[local[index[code]], k] += coef
        for code, coef in inst.rhs.coefs.items():
            rhs[local[index[code]], k] += coef
        for code in inst.cells:
            j = local[index[code]]
            operand[j, k] = 1.0
            table, row, col = code.split(".")
            optional[j, k] = float(layouts[table].is_optional_cell(row, col))
    return Compiled(
        instances=instances,
        cols=np.array(used, dtype=np.intp),
        lhs=lhs,
        rhs=rhs,
        constant=np.array([i.rhs.constant - i.lhs.constant for i in instances]),
        operand=operand.astype(np.float32),
        optional=optional.astype(np.float32),
        op=np.array([_OPS[i.op] for i in instances], dtype=np.int8),
        tolerance=np.array([i.rule.tolerance for i in instances]),
    )


@cache
def _cell_checks(signature: Signature) -> dict[str, np.ndarray]:
    """Universe positions the per-cell rules look at, for one layout signature."""
    index = universe_index()
    out: dict[str, list[int]] = {"exists": [], "optional": [], "non_negative": [], "integer": []}
    for table, version in zip(TABLES, signature, strict=True):
        layout = table_layout(table, version)
        for row, col in layout.cells:
            pos = index[f"{table}.{row}.{col}"]
            kind = layout.column_type(col)
            out["exists"].append(pos)
            out["optional"].append(int(layout.is_optional_cell(row, col)))
            if kind != "signed":
                out["non_negative"].append(pos)
            if kind != "money":
                out["integer"].append(pos)
    return {k: np.array(v, dtype=np.intp) for k, v in out.items()}


def _fails(op: np.ndarray, diff: np.ndarray, tol: np.ndarray) -> np.ndarray:
    """Where ``lhs op rhs`` does not hold, ``diff = lhs - rhs``."""
    return np.select(
        [op == 0, op == 1, op == 2, op == 3],
        [np.abs(diff) > tol, diff > tol, diff < -tol, diff >= -tol],
        default=diff <= tol,
    )


class _Collector:
    """Gathers failing instances and per-rule counts from every layout group."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.parts: list[dict[str, object]] = []
        self.unverifiable: list[dict[str, object]] = []
        self.counts: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(3, dtype=np.int64))

    def count(self, rule_id: str, checked: int, failed: int, unverifiable: int) -> None:
        self.counts[rule_id] += (checked, failed, unverifiable)


def validate(
    x: Report | Iterable[Report] | pd.DataFrame | CellMatrix,
    rules: RuleSet | Iterable[Rule | str] | None = None,
    blank_as_zero: bool = False,
) -> ValidationResult:
    """Check one report, many reports or a wide DataFrame against the rule catalog.

    Returns a :class:`ValidationResult`; it never raises for failing rules.
    ``blank_as_zero=True`` reads blank cells (not "/" or text) as 0.
    """
    matrix = _as_matrix(x)
    ruleset = catalog() if rules is None else rules if isinstance(rules, RuleSet) else RuleSet(rules)
    values = matrix.values
    if blank_as_zero:
        values = np.where(matrix.status == BLANK, 0.0, values)
    collector = _Collector(ruleset)
    layout_columns = [LAYOUT_COLUMNS[t] for t in TABLES]
    groups = matrix.meta.groupby(layout_columns, sort=True).indices if len(matrix) else {}
    for signature, rows in groups.items():
        sig = tuple(str(v) for v in signature)
        _check_linear(collector, compile_rules(ruleset, sig), matrix, values, rows)
        _check_cells(collector, ruleset, sig, matrix, values, rows)
    return ValidationResult.build(collector, matrix.meta, blank_as_zero)


def _as_matrix(x: object) -> CellMatrix:
    if isinstance(x, CellMatrix):
        return x
    if isinstance(x, Report):
        return CellMatrix.from_reports([x])
    if isinstance(x, pd.DataFrame):
        return CellMatrix.from_wide(x)
    items = list(x)  # type: ignore[call-overload]
    if not all(isinstance(r, Report) for r in items):
        raise TypeError("validate() takes a Report, a list of Reports, a wide DataFrame or a CellMatrix")
    return CellMatrix.from_reports(items)


def _check_linear(col: _Collector, comp: Compiled, matrix: CellMatrix, values: np.ndarray, rows: np.ndarray) -> None:
    if not comp.instances:
        return
    x = values[np.ix_(rows, comp.cols)]
    missing = np.isnan(x)
    x0 = np.where(missing, 0.0, x)
    absent = (matrix.status[np.ix_(rows, comp.cols)] == ABSENT).astype(np.float32)
    lhs = x0 @ comp.lhs
    rhs = x0 @ comp.rhs + comp.constant
    applies = (absent @ comp.optional) == 0
    unverifiable = applies & ((missing.astype(np.float32) @ comp.operand) > 0)
    checked = applies & ~unverifiable
    failed = checked & _fails(comp.op, lhs - rhs, comp.tolerance)
    rule_ids = np.array([i.rule.id for i in comp.instances])
    for rule_id in dict.fromkeys(rule_ids):
        k = rule_ids == rule_id
        col.count(rule_id, int(checked[:, k].sum()), int(failed[:, k].sum()), int(unverifiable[:, k].sum()))
    r, k = np.nonzero(failed)
    if len(r):
        col.parts.append(_linear_rows(comp, matrix, rows[r], k, lhs[r, k], rhs[r, k]))
    r, k = np.nonzero(unverifiable)
    if len(r):
        col.unverifiable.append(
            {
                "report_id": matrix.meta["report_id"].to_numpy()[rows[r]],
                "rule_id": rule_ids[k],
                "row": [comp.instances[j].row for j in k],
                "column": [comp.instances[j].column for j in k],
                "missing": [
                    tuple(c for c, m in zip(comp.instances[j].cells, _missing_of(comp, missing[i], j), strict=True) if m)
                    for i, j in zip(r, k, strict=True)
                ],
            }
        )


def _missing_of(comp: Compiled, missing_row: np.ndarray, k: int) -> list[bool]:
    index = universe_index()
    local = {pos: j for j, pos in enumerate(comp.cols)}
    return [bool(missing_row[local[index[c]]]) for c in comp.instances[k].cells]


def _linear_rows(comp: Compiled, matrix: CellMatrix, report_rows, k, lhs, rhs) -> dict[str, object]:
    insts = [comp.instances[j] for j in k]
    return {
        "report_id": matrix.meta["report_id"].to_numpy()[report_rows],
        "rule_id": [i.rule.id for i in insts],
        "severity": [i.rule.kind for i in insts],
        "table": [i.table for i in insts],
        "row": [i.row for i in insts],
        "column": [i.column for i in insts],
        "lhs": lhs,
        "rhs": rhs,
        "imbalance": lhs - rhs,
        "cells": [i.cells for i in insts],
        "message_zh": [i.message_zh for i in insts],
        "message_en": [i.message_en for i in insts],
    }


def _check_cells(col: _Collector, rules: RuleSet, sig: Signature, matrix: CellMatrix, values, rows) -> None:
    positions = _cell_checks(sig)
    universe = cell_universe()
    for rule in (r for r in rules if r.check is not None):
        if rule.check == "present":
            cols = positions["exists"]
            status = matrix.status[np.ix_(rows, cols)]
            printed = (status != ABSENT) | (positions["optional"] == 0)
            checked = printed
            failed = printed & (status != NUMBER)
        else:
            cols = positions[rule.check]
            x = values[np.ix_(rows, cols)]
            checked = ~np.isnan(x)
            if rule.check == "non_negative":
                failed = checked & (x < -rule.tolerance)
            else:
                failed = checked & (np.abs(x - np.round(x)) > rule.tolerance)
        col.count(rule.id, int(checked.sum()), int(failed.sum()), 0)
        r, j = np.nonzero(failed)
        if not len(r):
            continue
        codes = [universe[cols[c]] for c in j]
        value = values[rows[r], cols[j]]
        expected = np.where(rule.check == "integer", np.round(value), 0.0) if rule.check != "present" else value
        labels = [_cell_label(code, sig) for code in codes]
        col.parts.append(
            {
                "report_id": matrix.meta["report_id"].to_numpy()[rows[r]],
                "rule_id": rule.id,
                "severity": rule.kind,
                "table": [c.split(".")[0] for c in codes],
                "row": [c.split(".")[1] for c in codes],
                "column": [c.split(".")[2] for c in codes],
                "lhs": value,
                "rhs": expected,
                "imbalance": value - expected,
                "cells": [(c,) for c in codes],
                "message_zh": [rule.message_zh.format(cell_label=lab) for lab in labels],
                "message_en": [rule.message_en.format(cell_label=lab) for lab in labels],
            }
        )


@cache
def _cell_label(code: str, sig: Signature) -> str:
    table, row, col = code.split(".")
    return table_layout(table, sig[TABLES.index(table)]).cell_label(row, col)


__all__ = ["VIOLATION_COLUMNS", "Compiled", "compile_rules", "validate"]
