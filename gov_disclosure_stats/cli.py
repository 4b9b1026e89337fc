"""The ``gds`` command: ``gds validate FILE...`` and ``gds rules``.

Exit status of ``validate``: 0 when every hard rule holds, 1 when one fails,
2 when a file could not be loaded (or the arguments are wrong).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

import pandas as pd

from .comparison import compare, diff
from .engine import validate
from .errors import GovDisclosureError
from .loader import load
from .report import Report
from .result import ValidationResult, fmt
from .rules import RuleSet, catalog


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gds", description="政府信息公开工作年度报告统计表：载入与校验 / load and check"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="校验报告 / check reports against the template's rules")
    check.add_argument("files", nargs="+", help="report files / 报告文件")
    check.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    check.add_argument("--blank-as-zero", action="store_true", help="read blank cells as 0 / 空白单元格按0计")
    check.add_argument("--rules", help="a YAML or JSON rule file used instead of the built-in catalog")
    check.add_argument("--extra-rules", help="a YAML or JSON rule file added to the built-in catalog")
    rules = commands.add_parser("rules", help="列出规则 / list the rule catalog")
    rules.add_argument("--format", choices=("text", "yaml", "json"), default="text")
    compare = commands.add_parser("diff", help="比较两份报告 / compare two reports cell by cell and rule by rule")
    compare.add_argument("a", help="the first report (or an earlier version) / 报告甲")
    compare.add_argument("b", help="the second report / 报告乙")
    compare.add_argument("--format", choices=("text", "json", "csv"), default="text")
    compare.add_argument("--all", action="store_true", help="list unchanged cells too / 列出未变化的单元格")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gds`` console command."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "rules":
            return _rules(args.format)
        if args.command == "diff":
            return _diff(args)
        return _validate(args)
    except GovDisclosureError as exc:
        print(f"gds: {exc}", file=sys.stderr)
        return 2


def _diff(args: argparse.Namespace) -> int:
    """Print the cell diff and the rule movements of two reports; exit 1 when they differ."""
    a, b = load(args.a), load(args.b)
    cells = diff(a, b)
    moves = compare(a, b)
    shown = cells if args.all else cells[cells["status"] != "same"]
    if args.format == "csv":
        print(shown.to_csv(index=False), end="")
    elif args.format == "json":
        data = {"a": a.report_id, "b": b.report_id, "cells": _records(shown), "rules": _records(moves)}
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        print(render_diff(a, b, shown, moves))
    return 0 if (cells["status"] == "same").all() else 1


def render_diff(a: Report, b: Report, cells: pd.DataFrame, moves: pd.DataFrame) -> str:
    """The differing cells with labels and both values, then the rule instances whose outcome moved."""
    lines = [
        f"甲 a: {a.report_id}  {a.agency or ''} {a.year or ''}",
        f"乙 b: {b.report_id}  {b.agency or ''} {b.year or ''}",
    ]
    counts = cells["status"].value_counts()
    lines.append("  ".join(f"{status} {n}" for status, n in counts.items() if n))
    for c in cells.itertuples(index=False):
        note = f"  [{c.note}]" if c.note else ""
        lines.append(f"  {c.status:15} {c.table}.{c.row}.{c.column}  {c.label_zh}: {fmt(c.a)} → {fmt(c.b)}{note}")
    moved = moves[~moves["movement"].isin(["still_passing"])]
    for m in moved.itertuples(index=False):
        where = ".".join(str(x) for x in (m.table, m.row, m.column) if isinstance(x, str))
        lines.append(f"  规则 rule {m.movement:22} {m.rule_id}  {where}  ({m.a} → {m.b})")
    return "\n".join(lines)


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def _rules(form: str) -> int:
    rules = catalog()
    if form == "yaml":
        print(rules.to_yaml(), end="")
    elif form == "json":
        print(rules.to_json())
    else:
        for r in rules:
            print(f"{r.id:30} {r.kind:4}  {r.statement}\n{'':36}{r.message_zh} / {r.message_en}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    rules = RuleSet.read(args.rules) if args.rules else catalog()
    if args.extra_rules:
        rules = rules + RuleSet.read(args.extra_rules)
    reports: list[Report] = []
    failures: list[dict[str, str]] = []
    for path in args.files:
        try:
            reports.append(load(path))
        except (GovDisclosureError, OSError) as exc:
            failures.append({"file": path, "error": type(exc).__name__, "message": str(exc)})
    result = validate(reports, rules=rules, blank_as_zero=args.blank_as_zero) if reports else None
    if args.format == "json":
        data = result.to_dict() if result else {"ok": None, "reports": [], "violations": []}
        data["load_failures"] = failures
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        for failure in failures:
            print(f"✗ 无法载入 cannot load: {failure['message']}", file=sys.stderr)
        if result is not None:
            print(render(result, reports))
    if failures:
        return 2
    return 0 if result is None or result.ok else 1


def render(result: ValidationResult, reports: Sequence[Report] = ()) -> str:
    """A readable verdict per report: failing rule instances with labels, codes and both sides."""
    by_id = {r.report_id: r for r in reports}
    summary = result.summary().set_index("rule_id")
    lines: list[str] = []
    for meta in result.reports.itertuples(index=False):
        report = by_id.get(meta.report_id)
        verdict = "通过 PASS" if meta.ok else "不通过 FAIL"
        year = "" if pd.isna(meta.year) else f" {meta.year}年"
        lines.append(f"{meta.report_id}  {meta.agency or ''}{year}  模板 template {meta.template}: {verdict}")
        found = result.for_report(meta.report_id)
        for v in found.itertuples(index=False):
            mark = "✗" if v.severity == "hard" else "!"
            place = _where(report, v.cells[0]) if report else ""
            at = f"{v.table}.{v.row}.{v.column}" if v.row and v.column else v.cells[0]
            lines.append(f"  {mark} {v.rule_id} [{v.severity}] {at}{place}")
            lines.append(f"      {v.message_zh}")
            lines.append(f"      {v.message_en}")
        if result.unverifiable.shape[0]:
            unv = result.unverifiable[result.unverifiable["report_id"] == meta.report_id]
            for rule_id, group in unv.groupby("rule_id", sort=False):
                missing = sorted({c for cells in group["missing"] for c in cells})
                lines.append(f"  ? {rule_id}: {len(group)} 项无法核验 unverifiable (missing: {', '.join(missing[:6])})")
    hard = summary[summary["severity"] == "hard"]
    lines.append(
        f"{len(result.reports)} 份报告 report(s); 硬规则 hard rules: {int(hard['items'].sum())} 项检查 checked, "
        f"{int(hard['failed'].sum())} 项不通过 failed, {int(hard['unverifiable'].sum())} 项无法核验 unverifiable; "
        f"空白按0 blank_as_zero={result.blank_as_zero}"
    )
    return "\n".join(lines)


def _where(report: Report, code: str) -> str:
    table, row, column = code.split(".")
    cells = report.cells
    hit = cells[(cells["table"] == table) & (cells["row"] == row) & (cells["column"] == column)]
    return f"  ({hit['where'].iloc[0]})" if len(hit) and isinstance(hit["where"].iloc[0], str) else ""


if __name__ == "__main__":
    raise SystemExit(main())
