"""``ValidationResult``: what validation found, as DataFrames and JSON; it never raises by itself."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import numpy as np
import pandas as pd

from ..core.errors import ValidationFailed
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


def _fmt_all(values: pd.Series) -> np.ndarray:
    """``fmt`` over an array, vectorized for the whole numbers that most cells hold."""
    x = values.to_numpy(dtype=float)
    whole = (np.abs(x) <= MAX_EXACT) & (x == np.rint(x))  # int64 holds these exactly
    out = np.where(whole, np.where(whole, x, 0).astype(np.int64).astype(str), "").astype(object)
    for i in np.flatnonzero(~whole):
        out[i] = fmt(x[i])
    return out


def _with_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Append the numbers of both sides to each message."""
    lhs, rhs, imb = (_fmt_all(frame[c]) for c in ("lhs", "rhs", "imbalance"))
    single = (frame["cells"].map(len) == 1).to_numpy()
    no_value = frame["lhs"].isna().to_numpy()
    zh = np.where(
        single, np.where(no_value, "", "（值 " + lhs + "）"), "（左边 " + lhs + "，右边 " + rhs + "，差 " + imb + "）"
    )
    en = np.where(
        single,
        np.where(no_value, "", " (value " + lhs + ")"),
        " (left " + lhs + ", right " + rhs + ", difference " + imb + ")",
    )
    return frame.assign(message_zh=frame["message_zh"] + zh, message_en=frame["message_en"] + en)


class _RuleOutcome(Protocol):
    id: str
    kind: str


class Collected(Protocol):
    """What :meth:`ValidationResult.build` reads from the engine's collector (``engine._Collector``)."""

    rules: Iterable[_RuleOutcome]
    parts: list[dict[str, Any]]
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
            data[name] = [
                x
                for v, n in zip(pieces, lengths, strict=True)
                for x in ([v] * n if v is None or isinstance(v, str) else v)
            ]
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
        violations = _frame(collector.parts, VIOLATION_COLUMNS)
        violations = _with_numbers(violations) if len(violations) else violations
        order = {r.id: i for i, r in enumerate(collector.rules)}
        violations = violations.sort_values(
            ["report_id", "rule_id"], key=lambda s: s.map(order) if s.name == "rule_id" else s, kind="stable"
        ).reset_index(drop=True)
        rows = []
        for rule in collector.rules:
            checked, failed, unverifiable = collector.counts[rule.id]
            rows.append((rule.id, rule.kind, checked + unverifiable, checked - failed, failed, unverifiable))
        summary = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
        unverifiable = _frame(collector.unverifiable, UNVERIFIABLE_COLUMNS)
        hard = violations.loc[violations["severity"] == "hard", "report_id"].unique()
        reports = meta.assign(ok=~meta["report_id"].isin(hard), blank_as_zero=blank_as_zero)
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
