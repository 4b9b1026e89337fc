"""``ValidationResult``: what validation found, as DataFrames and JSON; it never raises by itself."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import numpy as np
import pandas as pd

from ..core.errors import ValidationFailed
from ..core.frames import as_inferred, column_of
from ..core.values import MAX_EXACT
from . import upcalls

VIOLATION_COLUMNS = [
    "report_id",
    "rule_id",
    "severity",
    "table",
    "row",
    "column",
    "lhs",
    "rhs",
    "imbalance",
    "cells",
    "message_zh",
    "message_en",
    "related_report_id",
]
"""``related_report_id``: for a rule over two years, the previous year's report."""
SUMMARY_COLUMNS = ["rule_id", "severity", "items", "passed", "failed", "unverifiable"]
UNVERIFIABLE_COLUMNS = ["report_id", "related_report_id", "rule_id", "row", "column", "missing"]
OUTCOME_COLUMNS = ["report_id", "related_report_id", "rule_id", "table", "row", "column", "outcome"]


def fmt(value: float | None) -> str:
    """A number as a reader expects it: ``12`` not ``12.0``, money to 4 places."""
    if value is None or np.isnan(value):
        return "—"
    if not abs(value) <= MAX_EXACT:  # beyond exact whole numbers (or infinite): the float as it is, never wrapped
        return repr(float(value))
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}".rstrip("0")


def _fmt_all(x: np.ndarray) -> list[str]:
    """``fmt`` over an array, fast for the whole numbers that most cells hold."""
    whole = (np.abs(x) <= MAX_EXACT) & (x == np.rint(x))  # int64 holds these exactly
    out = [str(v) for v in np.where(whole, x, 0).astype(np.int64).tolist()]
    for i in np.flatnonzero(~whole):
        out[i] = fmt(x[i])
    return out


TEXT_COLUMNS = ("rule_id", "severity", "table", "row", "column", "cells", "message_zh", "message_en")
"""The columns of a violation that its rule instance (or its cell, for a per-cell rule) fixes."""


def objects(items: Iterable[Any]) -> np.ndarray:
    """A one-dimensional object array of ``items`` (tuples stay elements)."""
    items = list(items)
    return np.fromiter(items, dtype=object, count=len(items))


class Texts:
    """The text columns of the violations that some compiled items give, one entry per item.

    An item is a rule instance, or a cell under a per-cell rule; the engine records a violation
    as the item's index, and the result's columns are built by one look-up per column.
    """

    def __init__(self, **columns: Iterable[Any]) -> None:
        self.columns = {name: objects(columns[name]) for name in TEXT_COLUMNS}
        self.single = np.array([len(cells) == 1 for cells in self.columns["cells"]], dtype=bool)


def _messages(base: np.ndarray, item: np.ndarray, numbers: tuple[Any, ...], zh: bool) -> Any:
    """The messages of the items, with ``numbers`` appended: the rows that get them, whether the item is one
    cell (its value alone), then both sides and the difference as text."""
    numbered, one, lhs, rhs, imbalance = numbers
    if zh:
        texts = [
            f"{b}（值 {left}）" if single else f"{b}（左边 {left}，右边 {right}，差 {d}）"
            for b, single, left, right, d in zip(base[item[numbered]], one, lhs, rhs, imbalance, strict=True)
        ]
    else:
        texts = [
            f"{b} (value {left})" if single else f"{b} (left {left}, right {right}, difference {d})"
            for b, single, left, right, d in zip(base[item[numbered]], one, lhs, rhs, imbalance, strict=True)
        ]
    codes = item.copy()
    codes[numbered] = len(base) + np.arange(len(numbered))
    return column_of(np.concatenate([base, objects(texts)]), codes)


def _violations(parts: list[dict[str, Any]], ids: Any, order: dict[str, int]) -> tuple[pd.DataFrame, np.ndarray]:
    """The violations frame of the engine's parts, sorted by report id then rule (the engine's order within
    one report and rule), and the row of each violation's report."""
    if not parts:
        return pd.DataFrame(columns=VIOLATION_COLUMNS), np.array([], dtype=np.intp)
    tables = list(dict.fromkeys(p["texts"] for p in parts))
    starts = dict(zip(tables, np.cumsum([0, *(len(t.single) for t in tables)]), strict=False))
    item = np.concatenate([p["item"] + starts[p["texts"]] for p in parts])
    texts = {name: np.concatenate([t.columns[name] for t in tables]) for name in TEXT_COLUMNS}
    rows = np.concatenate([p["rows"] for p in parts])
    related = np.concatenate([np.full(len(p["rows"]), -1) if p["related"] is None else p["related"] for p in parts])
    lhs, rhs, imbalance = (np.concatenate([p[name] for p in parts]) for name in ("lhs", "rhs", "imbalance"))
    # report ids in the order pandas sorts them (missing last), then the rules in their set's order
    used = np.flatnonzero(np.bincount(rows, minlength=len(ids)))
    id_codes, _ = pd.factorize(pd.Series(ids[used]), sort=True)
    rank = np.zeros(len(ids), dtype=np.int64)
    rank[used] = np.where(id_codes < 0, len(used), id_codes)
    rule_of = np.array([order[r] for r in texts["rule_id"]], dtype=np.int64)
    sort = np.argsort(rank[rows] * len(order) + rule_of[item], kind="stable")  # the engine's order within a pair
    item, rows, related, lhs, rhs, imbalance = (a[sort] for a in (item, rows, related, lhs, rhs, imbalance))
    single = np.concatenate([t.single for t in tables])[item]
    numbered = np.flatnonzero(~single | ~np.isnan(lhs))  # one cell without a value gets no numbers
    numbers = (numbered, single[numbered], *(_fmt_all(a[numbered]) for a in (lhs, rhs, imbalance)))
    data: dict[str, Any] = {
        "report_id": column_of(ids, rows),
        **{name: column_of(texts[name], item) for name in TEXT_COLUMNS[:6]},
        "lhs": lhs,
        "rhs": rhs,
        "imbalance": imbalance,
        "message_zh": _messages(texts["message_zh"], item, numbers, zh=True),
        "message_en": _messages(texts["message_en"], item, numbers, zh=False),
        "related_report_id": column_of(ids, related),
    }
    return pd.DataFrame(data, columns=VIOLATION_COLUMNS), rows


class _RuleOutcome(Protocol):
    id: str
    kind: str


class Collected(Protocol):
    """What :meth:`ValidationResult.build` reads from the engine's collector (``engine._Collector``)."""

    rules: Iterable[_RuleOutcome]
    parts: list[Any]
    unverifiable: list[dict[str, Any]]
    outcomes: list[dict[str, Any]] | None
    counts: Mapping[str, Any]


def _frame(parts: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """One DataFrame from column-wise parts (a scalar stands for a whole part's column)."""
    if not parts:
        return pd.DataFrame(columns=columns)
    data = {}
    for name in columns:
        lengths = [len(p["report_id"]) for p in parts]
        pieces = [p.get(name) for p in parts]
        if all(isinstance(v, np.ndarray) and v.dtype.kind == "f" for v in pieces):
            data[name] = np.concatenate(pieces)
        else:
            data[name] = np.concatenate(
                [
                    objects([v] * n) if v is None or isinstance(v, str) else v
                    for v, n in zip(pieces, lengths, strict=True)
                ]
            )
    return pd.DataFrame(data, columns=columns)


class ValidationResult:
    """The outcome of :func:`validate`.

    ``violations`` has one row per failing rule instance; ``unverifiable`` one
    row per instance that could not be checked (a missing operand);
    ``reports`` one row per report with its ``ok`` verdict; ``outcomes``
    (with ``validate(..., outcomes=True)``) one row per applicable instance.
    """

    def __init__(
        self,
        violations: pd.DataFrame,
        summary: pd.DataFrame,
        unverifiable: pd.DataFrame,
        reports: pd.DataFrame,
        blank_as_zero: bool,
        outcomes: pd.DataFrame | None = None,
    ) -> None:
        self.violations = violations
        self.outcomes = outcomes
        self.unverifiable = unverifiable
        self.reports = reports
        self.blank_as_zero = blank_as_zero
        self._summary = summary

    @classmethod
    def build(cls, collector: Collected, meta: pd.DataFrame, blank_as_zero: bool) -> ValidationResult:
        ids = as_inferred(meta["report_id"])
        order = {r.id: i for i, r in enumerate(collector.rules)}
        violations, rows = _violations(collector.parts, ids, order)
        rows_list = []
        for rule in collector.rules:
            checked, failed, unverifiable = collector.counts[rule.id]
            rows_list.append((rule.id, rule.kind, checked + unverifiable, checked - failed, failed, unverifiable))
        summary = pd.DataFrame(rows_list, columns=SUMMARY_COLUMNS)
        unverifiable = _frame(collector.unverifiable, UNVERIFIABLE_COLUMNS)
        codes, _ = pd.factorize(meta["report_id"])  # a report id repeated in a matrix fails as a whole
        hard = rows[(violations["severity"] == "hard").to_numpy()] if len(rows) else rows
        reports = meta.assign(ok=~np.isin(codes, codes[hard]), blank_as_zero=blank_as_zero)
        outcomes = None if collector.outcomes is None else _frame(collector.outcomes, OUTCOME_COLUMNS)
        return cls(violations, summary, unverifiable, reports, blank_as_zero, outcomes)

    @property
    def ok(self) -> bool:
        """True when no hard rule fails in any report (soft warnings do not count)."""
        return not bool((self.violations["severity"] == "hard").any())

    def summary(self) -> pd.DataFrame:
        """Per rule: ``items`` (instances that apply), ``passed``, ``failed``, ``unverifiable``."""
        return self._summary.copy()

    def for_report(self, report_id: str) -> pd.DataFrame:
        """The violations of one report."""
        return self.violations[self.violations["report_id"] == report_id]

    def to_dict(self) -> dict[str, Any]:
        """Plain data: verdict, reading of blanks, reports, summary, violations, unverifiable."""
        violations = self.violations.assign(cells=self.violations["cells"].map(list))
        unverifiable = self.unverifiable.assign(missing=self.unverifiable["missing"].map(list))
        return {
            "ok": self.ok,
            "blank_as_zero": self.blank_as_zero,
            "reports": _records(self.reports),
            "summary": _records(self._summary),
            "violations": _records(violations),
            "unverifiable": _records(unverifiable),
        }

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def raise_for_failures(self) -> ValidationResult:
        """Raise :class:`ValidationFailed` when a hard rule fails; return self otherwise."""
        if not self.ok:
            hard = self.violations[self.violations["severity"] == "hard"]
            lines = [f"{r.report_id}: {r.rule_id}: {r.message_zh} / {r.message_en}" for r in hard.head(20).itertuples()]
            more = f"\n… {len(hard) - 20} more" if len(hard) > 20 else ""
            raise ValidationFailed(
                f"{len(hard)} hard rule failures / 硬规则不通过 {len(hard)} 处:\n" + "\n".join(lines) + more
            )
        return self

    def _repr_html_(self) -> str:
        """Jupyter display: the verdict, the per-rule summary and the first violations (:mod:`.display`)."""
        return upcalls.call("result_html", self)

    def __repr__(self) -> str:
        verdict = "ok" if self.ok else "FAILED"
        n_hard = int((self.violations["severity"] == "hard").sum())
        return (
            f"<ValidationResult {verdict}: {len(self.reports)} report(s), {n_hard} hard violation(s), "
            f"{len(self.violations) - n_hard} warning(s), blank_as_zero={self.blank_as_zero}>"
        )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = frame.astype(object).where(frame.notna(), None)
    return [{k: _plain(v) for k, v in row.items()} for row in out.to_dict(orient="records")]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
