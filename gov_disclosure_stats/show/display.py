"""HTML display of reports and validation results (Jupyter's ``_repr_html_`` and :func:`to_html`).

Each table is drawn in the template's own layout (:mod:`.printed`): header
groups, the row hierarchy with spanning labels, Chinese labels. Cells of
failing rules are highlighted (hard red, soft amber) with the rule ids and
messages in the hover title; suggested corrections show beside the current
value ("279 → 297"). Styles are inline and use translucent colours, so the
tables read in light and dark notebook themes alike; every text is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import TYPE_CHECKING

import pandas as pd

from ..core.layouts import TABLES
from ..core.values import Status
from ..model.issues import issue_lines
from ..model.matrix import unique_ids
from ..model.report import Report
from .printed import (
    MARK,
    Box,
    CellNote,
    CellText,
    Sheet,
    anchor_code,
    cell_notes,
    cell_texts,
    number_text,
    sheet,
    unsolved_notes,
    verdict_text,
)

if TYPE_CHECKING:
    from ..model.result import ValidationResult

_BORDER = "border:1px solid rgba(127,127,127,.45);padding:2px 6px;"
STYLE = {
    "wrap": "font-family:inherit;color:inherit;margin:4px 0;",
    "title": "font-weight:600;margin:6px 0 2px 0;",
    "table": "border-collapse:collapse;border:1px solid rgba(127,127,127,.45);margin:2px 0 10px 0;font-size:12px;",
    "caption": "caption-side:top;text-align:left;font-weight:600;padding:4px 0;",
    "corner": _BORDER + "text-align:left;vertical-align:top;font-weight:normal;font-size:11px;opacity:.75;",
    "heading": _BORDER + "text-align:center;vertical-align:middle;font-weight:600;background:rgba(127,127,127,.12);",
    "block": _BORDER + "text-align:left;font-weight:600;background:rgba(127,127,127,.08);",
    "label": _BORDER + "text-align:left;vertical-align:middle;font-weight:normal;",
    "data": _BORDER + "text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap;",
    "hard": "background:rgba(220,38,38,.22);",
    "soft": "background:rgba(245,158,11,.25);",
    "anchor-hard": "font-weight:700;background:rgba(220,38,38,.40);box-shadow:inset 0 0 0 2px rgba(220,38,38,.85);",
    "anchor-soft": "font-weight:700;background:rgba(245,158,11,.42);box-shadow:inset 0 0 0 2px rgba(245,158,11,.9);",
    "muted": "opacity:.55;font-style:italic;",
    "unplaced": "outline:1px dashed rgba(127,127,127,.9);outline-offset:-3px;",
    "current": "text-decoration:line-through;opacity:.7;",
    "suggested": "color:#1f9d55;font-weight:700;",
    "ok": "color:#1f9d55;font-weight:600;",
    "fail": "color:#dc2626;font-weight:600;",
    "small": "font-size:11px;opacity:.8;",
}


def _attrs(**attrs: object) -> str:
    """HTML attributes, escaped; ``None`` and ``1`` spans are left out, ``class_`` is ``class``."""
    out = []
    for name, value in attrs.items():
        if value is None or (name in ("colspan", "rowspan") and value == 1):
            continue
        out.append(f' {name.rstrip("_").replace("_", "-")}="{escape(str(value), quote=True)}"')
    return "".join(out)


# -- one cell -------------------------------------------------------------------------------------------


def _title(code: str, text: CellText | None, note: CellNote | None) -> str:
    """The hover text of a data cell: code, status and place, failing rules, corrections."""
    lines = [code]
    if text is not None:
        lines.append(text.describe() + (f"（{text.where}）" if text.where else ""))
    else:
        lines.append("报告中没有此单元格 / not in the report")
    if note is not None:
        for f in note.findings:
            mark = MARK.get(f.severity, "?")
            other = f"（与 {f.other_report} 比较 / compared with {f.other_report}）" if f.other_report else ""
            lines.append(f"{mark} [{f.number}] {f.rule_id} [{f.severity}]{other}")
            lines.append(f"  {f.message_zh}")
            lines.append(f"  {f.message_en}")
        for c in sorted(note.corrections, key=lambda c: c["solution"]):
            reason = f"：{c['reason']}" if isinstance(c.get("reason"), str) and c["reason"] else ""
            lines.append(
                f"建议更正 suggestion (方案 solution {c['solution']}): "
                f"{number_text(c['current'])} → {number_text(c['suggested']) or '?'}{reason}"
            )
    return "\n".join(lines)


def _data_cell(box: Box, table: str, texts: dict, notes: dict) -> str:
    row, col = box.cell  # type: ignore[misc]
    key = (table, row, col)
    text, note = texts.get(key), notes.get(key)
    classes = ["gds-cell"]
    style = STYLE["data"]
    if text is not None and text.status == Status.UNPLACED:  # the value printed could not be placed: see the issues
        classes.append("gds-unplaced")
        style += STYLE["unplaced"]
        shown = f'<span style="{STYLE["muted"]}">?</span>'
    elif text is None or not text.is_number:
        classes.append("gds-muted")
        shown = f'<span style="{STYLE["muted"]}">{escape(text.text if text else "")}</span>'
    else:
        shown = escape(text.text)
    if note is not None:
        if note.severity:
            classes.append(f"gds-{note.severity}")
            style += STYLE[note.severity]
        anchored = {f.severity for f in note.findings if f.anchor}
        if anchored:  # the cell a violation is reported at
            classes.append("gds-anchor")
            style += STYLE["anchor-hard" if "hard" in anchored else "anchor-soft"]
        fix = note.suggestion
        if fix is not None:
            classes.append("gds-corrected")
            current = number_text(fix["current"]) or (text.text if text else "")
            suggested = number_text(fix["suggested"])  # blank: the rules do not determine the value (see the title)
            shown = (
                f'<span class="gds-current" style="{STYLE["current"]}">{escape(current)}</span> → '
                f'<span class="gds-suggested" style="{STYLE["suggested"] if suggested else STYLE["muted"]}">'
                f"{escape(suggested or '?')}</span>"
            )
    attrs = _attrs(
        class_=" ".join(classes),
        colspan=box.colspan,
        rowspan=box.rowspan,
        data_cell=f"{table}.{row}.{col}",
        title=_title(f"{table}.{row}.{col}", text, note),
        style=style,
    )
    return f"<td{attrs}>{shown}</td>"


def _box(box: Box, table: str, texts: dict, notes: dict) -> str:
    if box.cell is not None:
        return _data_cell(box, table, texts, notes)
    attrs = _attrs(class_=f"gds-{box.kind}", colspan=box.colspan, rowspan=box.rowspan, style=STYLE[box.kind])
    return f"<th{attrs}>{escape(box.text)}</th>"


def sheet_html(layout_sheet: Sheet, texts: dict, notes: dict) -> str:
    """One table: ``<caption>``, the header rows in ``<thead>``, the rest in ``<tbody>``."""
    table = layout_sheet.table
    parts = [
        f'<table class="gds-table" data-table="{escape(table)}" style="{STYLE["table"]}">',
        f'<caption style="{STYLE["caption"]}">{escape(layout_sheet.title)}</caption>',
    ]
    if layout_sheet.head:
        parts.append("<thead>")
        parts += ["<tr>" + "".join(_box(b, table, texts, notes) for b in row) + "</tr>" for row in layout_sheet.head]
        parts.append("</thead>")
    parts.append("<tbody>")
    parts += ["<tr>" + "".join(_box(b, table, texts, notes) for b in row) + "</tr>" for row in layout_sheet.body]
    parts.append("</tbody></table>")
    return "\n".join(parts)


# -- one report -----------------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return f'<span class="gds-verdict" style="{STYLE["ok" if ok else "fail"]}">{verdict_text(ok)}</span>'


def _violation_list(found: pd.DataFrame, report_id: str) -> str:
    """The report's failing rule instances, numbered as in the cells' titles."""
    if not len(found):
        return ""
    items = []
    for number, v in enumerate(found.itertuples(index=False), start=1):
        mark = MARK.get(v.severity, "?")
        where = getattr(v, "where", None)
        place = f" ({where})" if isinstance(where, str) and v.report_id == report_id else ""
        about = "" if v.report_id == report_id else f" — {v.report_id}"
        items.append(
            f'<li class="gds-violation gds-{escape(v.severity)}">{mark} [{number}] <code>{escape(v.rule_id)}</code> '
            f"<code>{escape(anchor_code(v))}</code>{escape(place + about)}<br>"
            f'{escape(v.message_zh)}<br><span style="{STYLE["small"]}">{escape(v.message_en)}</span></li>'
        )
    style = "margin:2px 0 8px 0;padding-left:1.5em;font-size:12px;"
    return f'<ol class="gds-violations" style="{style}">' + "".join(items) + "</ol>"


def report_html(
    report: Report,
    result: ValidationResult | None = None,
    corrections: pd.DataFrame | None = None,
    report_id: str | None = None,
) -> str:
    """One report: a title line (agency, year, template, verdict), its tables, its failing rules.

    ``report_id`` is the report's id in ``result`` and ``corrections`` where it differs from
    ``report.report_id`` (``id#2`` for the second of two reports with one id).
    """
    report_id = str(report.report_id) if report_id is None else report_id
    notes, found = cell_notes(report, result, corrections, report_id)
    texts = cell_texts(report)
    year = "" if report.year is None or pd.isna(report.year) else f" {report.year}年"
    head = f"{report.agency or ''}{year} · 模板 template {report.template} · {report_id}"
    verdict = ""
    if result is not None:
        mine = found[found["report_id"] == report_id] if len(found) else found
        hard = int((mine["severity"] == "hard").sum()) if len(mine) else 0
        soft = len(mine) - hard
        counts = f"硬规则 hard {hard}，警告 soft {soft}"
        verdict = f' · {_verdict(hard == 0)} <span style="{STYLE["small"]}">{counts}</span>'
    for note in unsolved_notes(corrections, report_id):  # localize found no change that repairs the report
        verdict += f' · <span class="gds-unsolved" style="{STYLE["fail"]}">{escape(note)}</span>'
    parts = [
        f'<div class="gds-report" data-report="{escape(report_id)}" style="{STYLE["wrap"]}">',
        f'<div style="{STYLE["title"]}">{escape(head)}{verdict}</div>',
    ]
    parts += [sheet_html(sheet(report, table), texts, notes) for table in TABLES if table in report.layouts]
    parts.append(_violation_list(found, report_id))
    parts.append(_issue_list(report))
    parts.append("</div>")
    return "\n".join(parts)


def _issue_list(report: Report) -> str:
    """The report's load issues (what the loader could not read as printed), one line each."""
    if not len(report.issues):
        return ""
    items = "".join(f'<li class="gds-issue">{escape(line)}</li>' for line in issue_lines(report.issues))
    return f'<ul class="gds-issues" style="{STYLE["small"]}">{items}</ul>'


# -- a validation result ----------------------------------------------------------------------------


def _frame_html(frame: pd.DataFrame, css_class: str, highlight: pd.Series | None = None) -> str:
    """A small DataFrame as an escaped HTML table (no index); ``highlight`` holds a severity (or "") per row."""
    cells = [f'<th style="{STYLE["heading"]}">{escape(str(c))}</th>' for c in frame.columns]
    rows = ["<tr>" + "".join(cells) + "</tr>"]
    for i, record in enumerate(frame.itertuples(index=False)):
        style = STYLE["label"] + (STYLE.get(str(highlight.iloc[i]), "") if highlight is not None else "")
        rows.append(
            "<tr>"
            + "".join(f'<td style="{style}">{"" if pd.isna(v) else escape(str(v))}</td>' for v in record)
            + "</tr>"
        )
    return f'<table class="{css_class}" style="{STYLE["table"]}">' + "".join(rows) + "</table>"


def _summary_line(result: ValidationResult) -> str:
    hard = int((result.violations["severity"] == "hard").sum())
    soft = len(result.violations) - hard
    return (
        f'<div style="{STYLE["title"]}">{_verdict(result.ok)} · {len(result.reports)} 份报告 report(s) · '
        f"硬规则不通过 hard violations {hard} · 警告 warnings {soft} · "
        f"空白按0 blank_as_zero={result.blank_as_zero}</div>"
    )


def result_html(
    result: ValidationResult,
    reports: Iterable[Report] | None = None,
    corrections: pd.DataFrame | None = None,
    max_reports: int = 5,
    max_violations: int = 50,
) -> str:
    """A validation result: the verdict, the per-rule summary, then either the tables of the reports that have
    violations (when ``reports`` are given, at most ``max_reports``) or the first ``max_violations`` violations."""
    summary = result.summary()
    parts = [
        f'<div class="gds-result" style="{STYLE["wrap"]}">',
        _summary_line(result),
        _frame_html(summary, "gds-summary", highlight=summary["severity"].where(summary["failed"] > 0, "")),
    ]
    reports = list(reports) if reports is not None else []
    by_id = dict(zip(unique_ids([str(r.report_id) for r in reports]), reports, strict=True))  # X, X#2 as in result
    failing = [i for i in result.violations["report_id"].drop_duplicates() if i in by_id]
    if failing:
        parts += [report_html(by_id[i], result, corrections, i) for i in failing[:max_reports]]
        if len(failing) > max_reports:
            parts.append(
                f'<div style="{STYLE["small"]}">另有 {len(failing) - max_reports} 份报告有违规，未显示表格 / '
                f"{len(failing) - max_reports} more reports with violations not drawn</div>"
            )
    rest = result.violations[~result.violations["report_id"].isin(failing[:max_reports])]
    if len(rest):
        shown = rest.head(max_violations)
        columns = [c for c in ("report_id", "rule_id", "severity", "where", "message_zh", "message_en") if c in shown]
        columns.insert(3, "cell")
        listing = shown.assign(cell=[anchor_code(v) for v in shown.itertuples(index=False)])
        parts.append(_frame_html(listing[columns], "gds-violation-list"))
        if len(rest) > max_violations:
            parts.append(
                f'<div style="{STYLE["small"]}">前 {max_violations} 条，共 {len(rest)} 条 / '
                f"first {max_violations} of {len(rest)} violations (result.violations)</div>"
            )
    parts.append("</div>")
    return "\n".join(parts)


def to_html(
    report: Report | Iterable[Report],
    result: ValidationResult | None = None,
    corrections: pd.DataFrame | None = None,
    *,
    check: bool = True,
    max_reports: int = 5,
) -> str:
    """HTML of a report in the template's layout, its failing cells highlighted and corrections beside them.

    ``result`` defaults to validating the report with the rule catalog (``check=False``:
    no checking). ``corrections`` is a frame with the columns
    ``report_id, solution, cell, current, suggested`` (and ``reason``, ``note``: what ``localize`` returns):
    the first solution's suggested value shows beside the current one. Given several
    reports, the result's summary and the tables of the (first ``max_reports``) reports
    with violations; with ``check=False`` and no result, the tables of the first ``max_reports`` reports.
    """
    from ..validation.engine import validate

    if isinstance(report, Report):
        if result is None and check:
            result = validate(report)
        return report_html(report, result, corrections)
    reports = list(report)
    if result is None and not check:
        ids = unique_ids([str(r.report_id) for r in reports])
        shown = zip(reports[:max_reports], ids, strict=False)
        parts = [report_html(r, None, corrections, i) for r, i in shown]
        if len(reports) > max_reports:
            parts.append(
                f'<div style="{STYLE["small"]}">另有 {len(reports) - max_reports} 份报告未显示 / '
                f"{len(reports) - max_reports} more reports not drawn</div>"
            )
        return "\n".join(parts)
    if result is None:
        result = validate(reports)
    return result_html(result, reports, corrections, max_reports=max_reports)
