"""pandera schemas of the report tables, derived from the layouts and the rule catalog.

``schema(table, version)`` validates one ``Report.tables[table]`` frame: the
row codes (index), the column codes, dtypes (Int64 counts, Float64 money),
``>= 0`` except the signed 2019 ``change`` column, and, with ``rules=True``,
the hard linear rules of :func:`~gov_disclosure_stats.rules.catalog` as
dataframe-level checks named by rule id::

    s = schema("requests", report.layouts["requests"])
    s.validate(report.tables["requests"], lazy=True)

How a failing rule shows in ``SchemaErrors.failure_cases``: each rule check
returns a boolean DataFrame aligned to the table, False at the cell the failing
instance is about (``requests.row_total`` → the row's ``total``;
``requests.outcome_total`` → ``total_processed`` of the column;
``requests.balance`` → ``new`` of the column). pandera then reports one
failure case per failing cell: ``check`` = the rule id (the check's ``error``
is the rule id, as pandera reports ``error`` there), ``index`` = the row code
and ``failure_case`` = ``{column: value, ...}`` for the failing cells of that
row (``column`` is pandera's literal ``"failure_case"``). :func:`failure_table`
unpacks that into ``row``, ``column`` and ``value``, one line per failing cell,
with each failing instance's messages. A boolean
Series keyed by instance (``"row=granted"``) was tried and rejected: pandera
keeps failure cases only when the Series index matches the frame's, so it
reports a bare ``False`` with no row or column.

Instances with a missing operand (NaN, or a row/column the frame lacks, such
as an unprinted subtotal) are unverifiable and never fail.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import pandas as pd
import pandera.pandas as pa

from ..core.layouts import TABLES, VERSIONS, TableLayout, table_layout
from ..core.rules import Instance, Rule, RuleSet, catalog, expand

if TYPE_CHECKING:
    from ..model.report import Report

Cell = tuple[str, str]  # (row, column)


@dataclass(frozen=True)
class _Compiled:
    """One instance ready to evaluate on a table frame."""

    lhs: tuple[tuple[Cell, float], ...]
    rhs: tuple[tuple[Cell, float], ...]
    constant: float  # rhs constant minus lhs constant
    op: str
    tolerance: float
    at: Cell  # the cell a failure is reported at

    @property
    def cells(self) -> tuple[Cell, ...]:
        return tuple(dict.fromkeys(c for c, _ in (*self.lhs, *self.rhs)))


def _cell(code: str) -> Cell:
    _, row, column = code.split(".")
    return row, column


def _locate(inst: Instance, cells: tuple[Cell, ...]) -> Cell:
    """The operand cell a failing instance is reported at: its own (row, column) when known."""
    if (inst.row, inst.column) in cells:
        return inst.row, inst.column  # type: ignore[return-value]
    for row, column in cells:
        if row == inst.row or column == inst.column:
            return row, column
    return cells[0]


def _compile(inst: Instance) -> _Compiled:
    lhs = tuple((_cell(code), coef) for code, coef in inst.lhs.coefs.items())
    rhs = tuple((_cell(code), coef) for code, coef in inst.rhs.coefs.items())
    cells = tuple(dict.fromkeys(c for c, _ in (*lhs, *rhs)))
    return _Compiled(
        lhs=lhs,
        rhs=rhs,
        constant=inst.rhs.constant - inst.lhs.constant,
        op=inst.op,
        tolerance=inst.rule.tolerance,
        at=_locate(inst, cells),
    )


def _holds(op: str, diff: float, tol: float) -> bool:
    """Whether ``lhs op rhs`` holds, given ``diff = lhs - rhs`` (same tolerance reading as the engine)."""
    if op == "==":
        return abs(diff) <= tol
    if op == "<=":
        return diff <= tol
    if op == ">=":
        return diff >= -tol
    if op == "<":
        return diff < -tol
    return diff > tol


def _evaluate(df: pd.DataFrame, instances: tuple[_Compiled, ...]) -> pd.DataFrame:
    """A boolean frame aligned to ``df``: False at the cell of each failing instance."""
    out = pd.DataFrame(True, index=df.index, columns=df.columns)
    if not (df.index.is_unique and df.columns.is_unique):
        return out  # the index/column checks report the duplicates
    rows, columns = set(df.index), set(df.columns)
    for inst in instances:
        values: dict[Cell, float] = {}
        for row, column in inst.cells:
            if row not in rows or column not in columns:
                break  # an absent row/column (e.g. an unprinted subtotal): not applicable
            value = df.at[row, column]
            if pd.isna(value):
                break  # a missing operand: unverifiable, not failed
            values[row, column] = float(value)
        else:
            lhs = sum(coef * values[c] for c, coef in inst.lhs)
            rhs = sum(coef * values[c] for c, coef in inst.rhs)
            if not _holds(inst.op, lhs - rhs - inst.constant, inst.tolerance):
                out.at[inst.at] = False
    return out


def _rule_check(rule: Rule, layout: TableLayout) -> pa.Check | None:
    """A dataframe-level check for one linear rule on one table layout (None when it has no instances).

    ``error`` is the rule id too: pandera reports ``error`` (not ``name``) as the
    ``check`` of ``failure_cases``. The statement and message go to ``description``.
    """
    instances = tuple(_compile(i) for i in expand(rule, {layout.table: layout}))
    if not instances:
        return None
    check_fn: Callable[[pd.DataFrame], pd.DataFrame] = lambda df: _evaluate(df, instances)  # noqa: E731
    return pa.Check(
        check_fn,
        name=rule.id,
        error=rule.id,
        title=rule.id,
        description=f"{rule.statement} ({rule.kind}). {_generic(rule.message_en)}".strip(),
        ignore_na=False,  # missing operands are handled by the check itself
    )


def _generic(message: str) -> str:
    """A rule message with its label placeholders left open (``'…'``)."""
    return re.sub(r"\{(row|column|group)_label\}", "…", message)


@cache
def _messages(table: str, version: str) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(rule id, row, column) of where each catalog instance fails → its Chinese and English messages."""
    layout = table_layout(table, version)
    out: dict[tuple[str, str, str], tuple[str, str]] = {}
    for rule in catalog():
        for inst in expand(rule, {table: layout}):
            row, column = _compile(inst).at
            out.setdefault((rule.id, row, column), (inst.message_zh, inst.message_en))
    return out


def rule_checks(table: str, version: str, rules: RuleSet | None = None) -> list[pa.Check]:
    """One pandera Check per hard linear rule of ``rules`` (default: the catalog) that concerns ``table``."""
    layout = table_layout(table, version)
    ruleset = catalog() if rules is None else rules
    checks = []
    for rule in ruleset:
        if rule.kind != "hard" or rule.check is not None or rule.table != table:
            continue
        check = _rule_check(rule, layout)
        if check is not None:
            checks.append(check)
    return checks


def _column(layout: TableLayout, code: str) -> pa.Column:
    kind = layout.column_type(code)
    return pa.Column(
        "Float64" if kind == "money" else "Int64",
        checks=[] if kind == "signed" else [pa.Check.ge(0)],
        nullable=True,  # blanks are missing, not 0; cells a row lacks are NaN
        required=not layout.column(code).is_optional,
        title=layout.column(code).label,
        description=layout.column(code).label_en or None,
    )


def schema(table: str, version: str, rules: bool = True) -> pa.DataFrameSchema:
    """The pandera schema of ``table`` in layout ``version``, with the catalog's hard linear rules if ``rules``."""
    return _schema(table, version, bool(rules))


@cache
def _schema(table: str, version: str, rules: bool) -> pa.DataFrameSchema:
    layout = table_layout(table, version)
    rows = [n.code for n in layout.cell_rows]
    return pa.DataFrameSchema(
        columns={c.code: _column(layout, c.code) for c in layout.cell_columns},
        index=pa.Index(str, checks=[pa.Check.isin(rows)], unique=True),
        checks=rule_checks(table, version) if rules else None,
        strict=True,
        name=f"{table}@{version}",
        title=layout.label,
        description=layout.label_en,
    )


def schemas(version: str, rules: bool = True) -> dict[str, pa.DataFrameSchema]:
    """The schemas of all three tables of one layout version."""
    return {t: schema(t, version, rules) for t in TABLES}


def report_schemas(report: Report, rules: bool = True) -> dict[str, pa.DataFrameSchema]:
    """The schema of each table a report has, at the layout version that table follows."""
    return {t: schema(t, report.layout(t).version, rules) for t in report.tables}


def failure_table(errors: pa.errors.SchemaErrors) -> pd.DataFrame:
    """``errors.failure_cases`` one failing cell per line: ``check, row, column, value, message_zh, message_en``.

    Rule checks report ``failure_case = {column: value, ...}`` at ``index = row``
    (pandera's ``column`` is then the literal ``"failure_case"``); this unpacks
    them and adds the failing instance's messages. Other failures keep their
    column, index and failure case, with empty messages.
    """
    messages: dict[tuple[str, str, str], tuple[str, str]] = {}
    table, _, version = str(errors.schema.name or "").partition("@")
    if table in TABLES and version in VERSIONS:
        messages = _messages(table, version)
    records = []
    for _, fc in errors.failure_cases.iterrows():
        case = fc["failure_case"]
        # a rule check reports all failing cells of one row as one {column: value} dict
        pairs = case.items() if isinstance(case, Mapping) else [(fc["column"], case)]
        for column, value in pairs:
            zh, en = messages.get((str(fc["check"]), str(fc["index"]), str(column)), ("", ""))
            records.append((fc["schema_context"], fc["check"], fc["index"], column, value, zh, en))
    return pd.DataFrame.from_records(
        records, columns=["schema_context", "check", "row", "column", "value", "message_zh", "message_en"]
    )
