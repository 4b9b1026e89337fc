"""Load issues: what the loader could not read as printed, and what it did instead.

A real report often has one odd row: a label the matcher does not know, a row
with a value too few, a table that stops early. By default the loader places
what it can and records each problem as a :class:`LoadIssue` on
``Report.issues``; the cells it could not read get a status that is not a
number (``unplaced``, ``omitted``, ``ambiguous``), so the rules touching them
are unverifiable. With ``strict=True`` the first problem raises
:class:`~gov_disclosure_stats.errors.LoadError` instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple, Protocol

import pandas as pd

from ..core.errors import bilingual_place

ISSUE_COLUMNS = ["table", "row", "column", "kind", "raw", "where", "action", "message_zh", "message_en"]

KINDS: dict[str, tuple[str, str]] = {
    "unknown_label": ("无法识别的行标签", "a row label matches no row of the template"),
    "ambiguous_label": ("行标签有歧义", "a row label could name several rows"),
    "heading_with_values": ("标题行带有数值", "a heading row carries values"),
    "short_row": ("这一行的数值少于应有的个数", "a row has fewer values than the template row has cells"),
    "long_row": ("这一行的数值多于应有的个数", "a row has more values than the template row has cells"),
    "no_label": ("这一行没有行标签", "a row of values without a label"),
    "duplicate_cell": ("同一单元格出现两次", "a cell printed twice"),
    "header": ("表头无法识别", "a header the loader does not understand"),
    "unknown_cell": ("单元格不属于该版格式", "a cell the layout does not have"),
    "missing_cells": ("表中缺少这些单元格", "cells of the template not found in the table"),
    "missing_table": ("缺少整张表格", "a whole table not found"),
    "run_split": ("连在一起的数字无法按规则拆开", "digits run together that the rules cannot split"),
    "ambiguous_split": ("连在一起的数字按规则有多种拆法", "digits run together that the rules split more than one way"),
    "placed_by_position": ("按模板的行序放置", "a row placed by the template's row order"),
}
"""Every issue kind: what it means, in Chinese and in English (the ``kind`` column of ``Report.issues``)."""

ACTIONS: dict[str, tuple[str, str]] = {
    "skipped": ("跳过", "skipped: its values are in no cell"),
    "marked_unplaced": ("标为无法放置", "the cells it concerns are marked unplaced"),
    "placed_by_position": ("按位置放置", "placed by the template's row order"),
    "kept_first": ("保留第一次出现的值", "the first printed value kept"),
    "template_order": ("按模板的列序读取", "read in the template's column order"),
    "marked_ambiguous": (
        "标为拆法不唯一，列出可能的值",
        "the cell is marked ambiguous, its candidates in its raw text",
    ),
    "left_out": ("表格不计入报告", "the table is left out of the report"),
}
"""Every action the loader takes on an issue (the ``action`` column)."""


class LoadIssue(NamedTuple):
    """One problem the loader met, where, and what it did (a row of ``Report.issues``)."""

    table: str
    row: str
    column: str
    kind: str
    raw: str
    where: str
    action: str
    message_zh: str
    message_en: str


def issues_frame(issues: Sequence[LoadIssue] = ()) -> pd.DataFrame:
    """The issues as a DataFrame with :data:`ISSUE_COLUMNS` (string columns; empty when there are none)."""
    return pd.DataFrame(list(issues), columns=ISSUE_COLUMNS, dtype=object)


class _WithIssues(Protocol):
    """A report as :func:`issues_of` reads it (``Report`` is one; this module sits below it)."""

    issues: pd.DataFrame
    report_id: str | None


def issues_of(reports: Iterable[_WithIssues]) -> pd.DataFrame:
    """The issues of many reports in one DataFrame: ``report_id`` then :data:`ISSUE_COLUMNS`."""
    frames = [r.issues.assign(report_id=r.report_id) for r in reports if len(r.issues)]
    if not frames:
        return issues_frame().assign(report_id=pd.Series(dtype=object))[["report_id", *ISSUE_COLUMNS]]
    return pd.concat(frames, ignore_index=True)[["report_id", *ISSUE_COLUMNS]]


def issue_lines(issues: pd.DataFrame) -> list[str]:
    """One readable line per issue: place, message in Chinese and English, and what the loader did."""
    lines = []
    for issue in issues.itertuples(index=False):
        place = f"{bilingual_place(issue.where)}: " if issue.where else ""
        action_zh, action_en = ACTIONS[issue.action]
        lines.append(f"⚠ {place}{issue.message_zh} / {issue.message_en} → {action_zh} / {action_en}")
    return lines
