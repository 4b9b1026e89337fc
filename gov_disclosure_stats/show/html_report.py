"""One self-contained HTML page of a scan or a validation: :func:`html_report` (``gds scan/validate --html``).

The page holds a summary (counts, each rule's failure rate), a table of every
report (and of every file that did not load) that sorts by a click on a column
heading and filters by text, verdict and rule, then the tables of the failing
reports drawn by the notebook display (:mod:`.display`) with the failing cells
highlighted and the corrections :func:`~gov_disclosure_stats.localize`
suggests beside them. Everything is inline (styles, one small script, no
fonts, images or links out of the file) and a Content-Security-Policy forbids
the browser from loading anything else; every text is escaped.

For a large scan only the first ``max_tables`` failing reports are drawn in
full (each takes ~45 KB); the others stay rows of the reports table with their
failing rules and suggested corrections.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..analysis.localize import REQUIRED_CORRECTION_COLUMNS
from ..core import __version__
from ..core.errors import GovDisclosureError
from ..model.matrix import unique_ids
from ..model.report import Report
from .display import report_html
from .printed import MARK, number_text, verdict_text

if TYPE_CHECKING:
    from ..core.rules import RuleSet
    from ..model.result import ValidationResult

MAX_TABLES = 100
"""How many failing reports :func:`html_report` draws in full by default (the others are rows of the table)."""
TITLE = "政府信息公开工作年度报告统计表校验 / Disclosure report check"

_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
_CSS = """
:root { color-scheme: light dark; }
body.gds-page { font-family: system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
  margin: 0 auto; padding: 12px 20px 40px 20px; max-width: 1400px; font-size: 14px; line-height: 1.4; }
.gds-page h1 { font-size: 20px; margin: 8px 0 4px 0; }
.gds-page h2 { font-size: 17px; margin: 22px 0 6px 0; border-bottom: 1px solid rgba(127,127,127,.4); }
.gds-page h3 { font-size: 15px; margin: 18px 0 2px 0; }
.gds-page .gds-note { font-size: 12px; opacity: .8; }
.gds-counts { display: flex; flex-wrap: wrap; gap: 8px; margin: 6px 0 10px 0; }
.gds-count { border: 1px solid rgba(127,127,127,.45); border-radius: 6px; padding: 4px 10px; min-width: 90px; }
.gds-count b { display: block; font-size: 20px; font-variant-numeric: tabular-nums; }
.gds-count.gds-bad b { color: #dc2626; } .gds-count.gds-good b { color: #1f9d55; }
.gds-page table.gds-list { border-collapse: collapse; font-size: 12px; margin: 4px 0 10px 0; }
.gds-list th, .gds-list td { border: 1px solid rgba(127,127,127,.45); padding: 2px 6px; text-align: left;
  vertical-align: top; }
.gds-list thead th { background: rgba(127,127,127,.15); position: sticky; top: 0; }
.gds-list td.gds-n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.gds-list tbody tr:nth-child(even) { background: rgba(127,127,127,.06); }
.gds-list th button { all: unset; cursor: pointer; display: block; }
.gds-list th[aria-sort="ascending"] button::after { content: " ▲"; }
.gds-list th[aria-sort="descending"] button::after { content: " ▼"; }
.gds-bar { display: inline-block; height: 8px; background: #dc2626; vertical-align: middle; margin-right: 4px; }
.gds-bar.gds-soft { background: #f0a020; }
.gds-pass { color: #1f9d55; font-weight: 600; } .gds-fail { color: #dc2626; font-weight: 600; }
.gds-notloaded { color: #dc2626; font-style: italic; }
.gds-rule-link { cursor: pointer; color: inherit; text-decoration: underline dotted; }
.gds-filters { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin: 4px 0; font-size: 13px; }
.gds-filters input[type=search] { min-width: 260px; }
.gds-failing-report { border-top: 1px dashed rgba(127,127,127,.45); margin-top: 14px; }
.gds-fixes { white-space: nowrap; }
"""
_SCRIPT = """
(() => {
  "use strict";
  const table = document.getElementById("gds-reports");
  if (!table) return;
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  const order = new Map(rows.map((row, i) => [row, i]));
  const text = new Map(rows.map((row) => [row, row.textContent.toLowerCase()]));
  const query = document.getElementById("gds-filter-text");
  const verdict = document.getElementById("gds-filter-verdict");
  const rule = document.getElementById("gds-filter-rule");
  const shown = document.getElementById("gds-shown");
  const heads = Array.from(table.tHead.rows[0].cells);
  const collator = new Intl.Collator("zh-Hans-CN", { numeric: true });

  function filter() {
    const q = query.value.trim().toLowerCase();
    const v = verdict.value;
    const r = rule.value;
    let count = 0;
    for (const row of rows) {
      const keep = (!q || text.get(row).includes(q))
        && (!v || row.dataset.verdict.split(" ").includes(v))
        && (!r || row.dataset.rules.split(" ").includes(r));
      row.hidden = !keep;
      if (keep) count += 1;
    }
    shown.textContent = String(count);
    table.dataset.shown = String(count);
  }

  function key(row, i) {
    const cell = row.cells[i];
    return cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
  }

  function number(value) {
    const n = parseFloat(value);
    return Number.isNaN(n) ? -Infinity : n;
  }

  function sort(i, descending) {
    const numeric = heads[i].dataset.type === "number";
    const sorted = rows.slice().sort((a, b) => {
      const d = numeric ? number(key(a, i)) - number(key(b, i)) : collator.compare(key(a, i), key(b, i));
      return (descending ? -d : d) || order.get(a) - order.get(b);
    });
    const fragment = document.createDocumentFragment();
    for (const row of sorted) fragment.appendChild(row);
    body.appendChild(fragment);
    heads.forEach((h, j) => h.setAttribute("aria-sort", j === i ? (descending ? "descending" : "ascending") : "none"));
    table.dataset.sort = heads[i].dataset.key + (descending ? ":desc" : ":asc");
  }

  heads.forEach((h, i) => {
    h.querySelector("button").addEventListener("click", () => sort(i, h.getAttribute("aria-sort") === "ascending"));
  });
  for (const control of [query, verdict, rule]) control.addEventListener("input", filter);
  for (const link of document.querySelectorAll("[data-rule-link]")) {
    link.addEventListener("click", () => { rule.value = link.dataset.ruleLink; filter(); });
  }
  const params = new URLSearchParams(window.location.search);
  if (params.has("q")) query.value = params.get("q");
  if (params.has("verdict")) verdict.value = params.get("verdict");
  if (params.has("rule")) rule.value = params.get("rule");
  if (params.has("sort")) {
    const [name, direction] = params.get("sort").split(":");
    const i = heads.findIndex((h) => h.dataset.key === name);
    if (i >= 0) sort(i, direction === "desc");
  }
  filter();
  table.dataset.gdsReady = "1";
})();
"""

VERDICTS = {
    "fail": "不通过 FAIL",
    "pass": "通过 PASS",
    "warn": "有警告 soft warnings",
    "issues": "有载入问题 load issues",
    "fixes": "有建议更正 corrections",
    "notloaded": "载入失败 not loaded",
}
"""The verdict filter's choices: a row carries each that applies (``data-verdict``)."""

# (key, heading, numeric)
_COLUMNS = [
    ("n", "#", True),
    ("report", "报告 report", False),
    ("agency", "机关 agency", False),
    ("year", "年度 year", True),
    ("template", "模板 template", False),
    ("verdict", "结论 verdict", False),
    ("hard", "硬规则 hard", True),
    ("soft", "警告 soft", True),
    ("issues", "载入问题 load issues", True),
    ("rules", "不通过的规则 failing rules", False),
    ("fixes", "建议更正 suggested corrections", False),
]


def html_report(
    reports: Iterable[Report],
    result: ValidationResult | None = None,
    failures: pd.DataFrame | None = None,
    corrections: pd.DataFrame | None = None,
    *,
    suggest: bool = True,
    rules: RuleSet | None = None,
    max_tables: int | None = MAX_TABLES,
    title: str = TITLE,
    path: str | os.PathLike[str] | None = None,
) -> str:
    """One self-contained HTML page: summary, a sortable/filterable table of reports, the failing reports' tables.

    ``result`` defaults to validating ``reports`` (with ``rules``, default the catalog); given, it must be
    the result of validating these reports. ``failures`` is the frame of files that did not load
    (``load_many``'s second value: ``file, error_type, message``), listed as rows of the reports table.
    ``corrections`` defaults to :func:`~gov_disclosure_stats.localize` of the failing reports (with the
    result's ``blank_as_zero`` and ``rules``; ``suggest=False``: none). At most ``max_tables`` failing
    reports are drawn in full (``None``: all). With ``path`` the page is also written there (UTF-8).
    """
    from ..validation.engine import validate

    reports = list(reports)
    if result is None:
        result = validate(reports, rules=rules)
    if max_tables is not None and max_tables < 0:
        raise ValueError("max_tables 不能为负 / max_tables must be 0 or more")
    ids = unique_ids([str(r.report_id) for r in reports])  # X, X#2: as validate names them
    by_id = dict(zip(ids, reports, strict=True))
    meta = result.reports
    failing = [i for i in meta.loc[~meta["ok"].astype(bool), "report_id"] if i in by_id]
    if corrections is None and suggest and failing:
        corrections = _localize([by_id[i] for i in failing], failing, result.blank_as_zero, rules)
    drawn = failing if max_tables is None else failing[:max_tables]
    if corrections is not None:
        _check_corrections(corrections)
    shown = None if corrections is None else corrections[corrections["report_id"].isin(drawn)]
    by_report = {} if shown is None else {str(k): g for k, g in shown.groupby("report_id", sort=False)}
    anchors = {report_id: f"report-{n}" for n, report_id in enumerate(drawn, start=1)}
    styles: dict[str, str] = {}
    sections = [_failing_section(by_id[i], result, by_report.get(i), i, anchors[i], styles) for i in drawn]
    failures = failures if failures is not None else pd.DataFrame(columns=["file", "error_type", "message"])
    body = [
        f"<header><h1>{escape(title)}</h1>",
        f'<p class="gds-note">gov_disclosure_stats {escape(__version__)} · '
        f"空白按0 blank_as_zero={result.blank_as_zero}</p></header>",
        _summary(result, failures, by_id),
        _reports_table(result, failures, by_id, corrections, anchors),
        '<section id="failing"><h2>不通过的报告 Failing reports</h2>',
        _failing_intro(len(failing), len(drawn)),
        *sections,
        "</section>",
    ]
    css = _CSS + "".join(f".gds-page .{name} {{ {style} }}\n" for style, name in styles.items())
    page = "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="zh-Hans">',
            '<head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="gov_disclosure_stats {escape(__version__)}">',
            f"<title>{escape(title)}</title>",
            f"<style>{css}</style>",
            "</head>",
            '<body class="gds-page">',
            *body,
            f"<script>{_SCRIPT}</script>",
            "</body></html>",
            "",
        ]
    )
    if path is not None:
        Path(path).write_text(page, encoding="utf-8")
    return page


def check_html_path(path: str | os.PathLike[str]) -> Path:
    """``path`` for an HTML page (``.html`` / ``.htm``, in a folder that exists); ValueError before any work."""
    out = Path(path)
    if out.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"HTML 报告的扩展名应为 .html / the HTML report's extension should be .html: {out}")
    if not out.parent.is_dir():
        raise ValueError(f"文件夹不存在 / no such folder for the HTML report: {out.parent}")
    return out


def _check_corrections(corrections: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED_CORRECTION_COLUMNS if c not in corrections.columns]
    if missing:
        raise ValueError(
            f"更正表缺少列：{', '.join(missing)} / the corrections frame lacks the columns: {', '.join(missing)}"
        )


def _localize(reports: list[Report], ids: list[str], blank_as_zero: bool, rules: RuleSet | None) -> pd.DataFrame | None:
    """``localize`` of the failing reports, their ids renamed to the result's (``X#2``); None when it cannot."""
    from ..analysis.localize import localize

    try:
        found = localize(reports, rules=rules, blank_as_zero=blank_as_zero)
    except GovDisclosureError:  # e.g. rules without a hard rule: the page shows no corrections
        return None
    names = dict(zip(unique_ids([str(r.report_id) for r in reports]), ids, strict=True))
    return found.assign(report_id=found["report_id"].map(names).fillna(found["report_id"]))


# -- summary -----------------------------------------------------------------------------------------


def _count(key: str, label: str, n: int, tone: str = "") -> str:
    tone = f" gds-{tone}" if tone and n else ""
    return f'<div class="gds-count{tone}" data-count="{key}" data-n="{n}"><b>{n:,}</b>{escape(label)}</div>'


def _summary(result: ValidationResult, failures: pd.DataFrame, by_id: dict[str, Report]) -> str:
    ok = result.reports["ok"].astype(bool)
    soft = result.violations.loc[result.violations["severity"] == "soft", "report_id"].nunique()
    with_issues = sum(1 for r in by_id.values() if len(r.issues))
    counts = [
        _count("files", "文件 files", len(ok) + len(failures)),
        _count("loaded", "载入 loaded", len(ok)),
        _count("passing", "通过 passing", int(ok.sum()), "good"),
        _count("failing", "不通过 failing", int((~ok).sum()), "bad"),
        _count("warnings", "有警告 with soft warnings", soft),
        _count("issues", "有载入问题 with load issues", with_issues),
        _count("notloaded", "载入失败 failed to load", len(failures), "bad"),
    ]
    return "\n".join(
        [
            '<section id="summary"><h2>概况 Summary</h2>',
            '<div class="gds-counts">' + "".join(counts) + "</div>",
            _rates(result),
            "</section>",
        ]
    )


def _rates(result: ValidationResult) -> str:
    """Per rule: items, passed, failed, unverifiable, failure rate (failed / checked), reports failing it."""
    summary = result.summary()
    reports = result.violations.groupby("rule_id")["report_id"].nunique()
    head = ["规则 rule", "severity", "项数 items", "通过 passed", "不通过 failed", "无法核验 unverifiable"]
    head += ["失败率 failure rate", "报告数 reports failing"]
    rows = []
    for r in summary.itertuples(index=False):
        checked = r.passed + r.failed
        rate = r.failed / checked if checked else None
        bar = f'<span class="gds-bar gds-{escape(r.severity)}" style="width:{(rate or 0) * 100:.1f}px"></span>'
        shown = "—" if rate is None else f"{bar}{rate:.1%}"
        rule = escape(r.rule_id)
        if r.failed:  # a click filters the reports table to the reports failing this rule
            rule = f'<a class="gds-rule-link" href="#reports" data-rule-link="{rule}">{rule}</a>'
        numbers = (r.items, r.passed, r.failed, r.unverifiable)
        rows.append(
            f'<tr class="gds-rule-{escape(r.severity)}"><td>{MARK.get(r.severity, "")} {rule}</td>'
            f"<td>{escape(r.severity)}</td>"
            + "".join(f'<td class="gds-n">{n:,}</td>' for n in numbers)
            + f'<td class="gds-n">{shown}</td><td class="gds-n">{int(reports.get(r.rule_id, 0)):,}</td></tr>'
        )
    heading = "".join(f"<th>{escape(h)}</th>" for h in head)
    return (
        '<table class="gds-list gds-rates"><thead><tr>'
        + heading
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


# -- the reports table -------------------------------------------------------------------------------


def _cell(text: str, sort: object = None, numeric: bool = False, raw: bool = False) -> str:
    attrs = ' class="gds-n"' if numeric else ""
    if sort is not None:
        attrs += f' data-sort="{escape(str(sort), quote=True)}"'
    return f"<td{attrs}>{text if raw else escape(text)}</td>"


def _fix_texts(corrections: pd.DataFrame | None) -> dict[str, str]:
    """Per report: the first solution's cells (``cell current → suggested``) and how many other solutions
    there are, or the note of a report ``localize`` could not repair (plain Python: one pass over the rows)."""
    if corrections is None:
        return {}
    rows: dict[str, list[dict]] = {}
    for record in corrections.to_dict(orient="records"):
        rows.setdefault(str(record["report_id"]), []).append(record)
    out = {}
    for report_id, mine in rows.items():
        placed = [r for r in mine if isinstance(r["cell"], str)]
        if not placed:
            notes = [r["note"] for r in mine if isinstance(r.get("note"), str)]
            out[report_id] = escape(next(iter(notes), ""))
            continue
        best = min(r["solution"] for r in placed)
        lines = [
            f"{escape(r['cell'])} {escape(number_text(r['current']))} → {escape(number_text(r['suggested']) or '?')}"
            for r in placed
            if r["solution"] == best
        ]
        others = len({r["solution"] for r in placed}) - 1
        if others:
            lines.append(f'<span class="gds-note">另有 {others} 种方案 / {others} more solution(s)</span>')
        out[report_id] = "<br>".join(lines)
    return out


def _reports_table(
    result: ValidationResult,
    failures: pd.DataFrame,
    by_id: dict[str, Report],
    corrections: pd.DataFrame | None,
    anchors: dict[str, str],
) -> str:
    v = result.violations
    severities = v.groupby(["report_id", "severity"]).size().to_dict()
    fix_texts = _fix_texts(corrections)
    per_rule = v.groupby(["report_id", "rule_id"], sort=False).agg(
        severity=("severity", "first"), n=("rule_id", "size")
    )
    rules_of: dict[str, list[tuple[str, str, int]]] = {}
    for (report_id, rule_id), severity, count in zip(per_rule.index, per_rule["severity"], per_rule["n"], strict=True):
        rules_of.setdefault(str(report_id), []).append((str(rule_id), str(severity), int(count)))
    rows = []
    n = 0
    for meta in result.reports.itertuples(index=False):
        n += 1
        report_id = str(meta.report_id)
        report = by_id.get(report_id)
        hard = int(severities.get((report_id, "hard"), 0))
        soft = int(severities.get((report_id, "soft"), 0))
        issues = len(report.issues) if report is not None else 0
        fixes = fix_texts.get(report_id, "")
        tags = ["pass" if meta.ok else "fail"] + ["warn"] * bool(soft) + ["issues"] * bool(issues)
        tags += ["fixes"] * bool(fixes)
        mine = rules_of.get(report_id, [])
        name = escape(report_id)
        if report_id in anchors:
            name = f'<a href="#{anchors[report_id]}">{name}</a>'
        year = None if meta.year is None or pd.isna(meta.year) else int(meta.year)
        verdict = f'<span class="gds-{"pass" if meta.ok else "fail"}">{verdict_text(bool(meta.ok))}</span>'
        listed = "<br>".join(f"{MARK.get(s, '?')} {escape(r)}" + (f" ×{k}" if k > 1 else "") for r, s, k in mine)
        cells = [
            _cell(str(n), n, True),
            _cell(name, report_id, raw=True),
            _cell(str(meta.agency) if isinstance(meta.agency, str) else ""),
            _cell("" if year is None else str(year), "" if year is None else year, True),
            _cell(str(meta.template) if isinstance(meta.template, str) else ""),
            _cell(verdict, int(bool(meta.ok)), raw=True),
            _cell(f"{hard:,}", hard, True),
            _cell(f"{soft:,}", soft, True),
            _cell(f"{issues:,}", issues, True),
            _cell(listed, raw=True),
            f'<td class="gds-fixes">{fixes}</td>',
        ]
        rules = " ".join(dict.fromkeys(r for r, _, _ in mine))
        rows.append(
            f'<tr data-report="{escape(report_id)}" data-verdict="{" ".join(tags)}" data-rules="{escape(rules)}">'
            + "".join(cells)
            + "</tr>"
        )
    for failure in failures.itertuples(index=False):
        n += 1
        message = f"{failure.error_type}: {failure.message}"
        cells = [
            _cell(str(n), n, True),
            _cell(str(failure.file), str(failure.file)),
            _cell(""),
            _cell("", "", True),
            _cell(""),
            _cell('<span class="gds-notloaded">载入失败 NOT LOADED</span>', -1, raw=True),
            *(_cell("", "", True) for _ in range(3)),
            _cell(message),
            "<td></td>",
        ]
        rows.append(
            f'<tr data-report="{escape(str(failure.file))}" data-verdict="notloaded" data-rules="">'
            + "".join(cells)
            + "</tr>"
        )
    heads = "".join(
        f'<th data-key="{key}" data-type="{"number" if numeric else "text"}" aria-sort="none">'
        f'<button type="button">{escape(label)}</button></th>'
        for key, label, numeric in _COLUMNS
    )
    failed_rules = result.summary()
    failed_rules = failed_rules.loc[failed_rules["failed"] > 0, "rule_id"]
    verdicts = "".join(f'<option value="{k}">{escape(label)}</option>' for k, label in VERDICTS.items())
    rule_options = "".join(f'<option value="{escape(r)}">{escape(r)}</option>' for r in failed_rules)
    everything = '<option value="">全部 all</option>'
    filters = (
        '<div class="gds-filters">'
        '<label>筛选 filter <input type="search" id="gds-filter-text" '
        'placeholder="机关、文件、规则… agency, file, rule…"></label>'
        f'<label>结论 verdict <select id="gds-filter-verdict">{everything}{verdicts}</select></label>'
        f'<label>规则 rule <select id="gds-filter-rule">{everything}{rule_options}</select></label>'
        f'<span>显示 shown <b id="gds-shown">{n:,}</b> / {n:,}</span>'
        "</div>"
    )
    note = (
        '<p class="gds-note">点击列标题排序；链接指向下方绘制的表格 / click a heading to sort; '
        "a linked report has its tables drawn below. "
        "?q=…&amp;verdict=fail&amp;rule=…&amp;sort=hard:desc in the address preset the filters.</p>"
    )
    return (
        '<section id="reports"><h2>报告 Reports</h2>'
        + filters
        + note
        + f'<table class="gds-list" id="gds-reports" data-reports="{n}"><thead><tr>{heads}</tr></thead><tbody>'
        + "\n".join(rows)
        + "</tbody></table></section>"
    )


# -- the failing reports' tables ------------------------------------------------------------------------


def _failing_intro(failing: int, drawn: int) -> str:
    if not failing:
        return '<p class="gds-note">没有不通过的报告 / no report fails a hard rule.</p>'
    text = (
        f"{failing:,} 份报告不通过硬规则，下面绘制其中 {drawn:,} 份的表格 / "
        f"{failing:,} report(s) fail a hard rule; the tables of {drawn:,} are drawn below"
    )
    if drawn < failing:
        text += (
            f"（其余 {failing - drawn:,} 份见上表，或用 gds validate FILE --html 单独查看 / "
            f"the other {failing - drawn:,}: see their rows above, or gds validate FILE --html）"
        )
    legend = "红色 hard、琥珀色 soft：不通过的规则所读的单元格；带框：报告违规之处；“279 → 297”：建议更正"
    legend += " / red hard, amber soft: cells a failing rule reads; framed: where it is reported; 279 → 297: suggested"
    return f'<p class="gds-note">{escape(text)}<br>{escape(legend)}</p>'


def _failing_section(
    report: Report,
    result: ValidationResult,
    corrections: pd.DataFrame | None,
    report_id: str,
    anchor: str,
    styles: dict[str, str],
) -> str:
    drawn = _hoist_styles(report_html(report, result, corrections, report_id), styles)
    return (
        f'<section class="gds-failing-report" id="{anchor}"><h3>{escape(report_id)}</h3>'
        f'{drawn}<a class="gds-note" href="#reports">↑ 报告列表 reports</a></section>'
    )


_TAG = re.compile(r"<([a-z][a-z0-9]*)(\s[^<>]*)?>")
_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')
_CLASS_ATTR = re.compile(r'\sclass="([^"]*)"')


def _hoist_styles(fragment: str, styles: dict[str, str]) -> str:
    """The display's inline ``style`` attributes as classes (``gs0``…, one per distinct style; ``styles`` collects
    them for the page's stylesheet): the same look at about half the size. The display escapes every attribute
    value and text, so a ``<``, ``>`` or ``"`` in its output always belongs to the markup."""

    def restyle(tag: re.Match[str]) -> str:
        attrs = tag[2] or ""
        style = _STYLE_ATTR.search(attrs)
        if style is None:
            return tag[0]
        name = styles.setdefault(style[1], f"gs{len(styles)}")
        attrs = attrs[: style.start()] + attrs[style.end() :]
        known = _CLASS_ATTR.search(attrs)
        if known is None:
            return f'<{tag[1]} class="{name}"{attrs}>'
        return f'<{tag[1]}{attrs[: known.start()]} class="{known[1]} {name}"{attrs[known.end() :]}>'

    return _TAG.sub(restyle, fragment)
