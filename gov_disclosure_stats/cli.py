"""The ``gds`` command: ``gds validate FILE...``, ``gds localize FILE...``, ``gds rules`` and the others below.

Exit status of ``validate``: 0 when every hard rule holds, 1 when one fails,
2 when a file could not be loaded (or the arguments are wrong), 3 when the
command itself failed (an unexpected exception: a bug, reported on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd

from .analysis.comparison import compare, diff
from .analysis.corpus import (
    REPORT_FORMATS,
    LoadInterrupted,
    check_output,
    load_many,
    table_paths,
    write_reports,
    write_tables,
)
from .core.errors import GovDisclosureError
from .core.limits import DEFAULT_LIMITS, DEFAULT_TIMEOUT, Limits
from .core.rules import RuleSet, catalog
from .loading.loader import load
from .model.issues import issue_lines, issues_of
from .model.report import Report
from .model.result import SUMMARY_COLUMNS, VIOLATION_COLUMNS, ValidationResult, fmt
from .show.html_report import check_html_path, html_report
from .show.printed import verdict_text
from .show.render import display_width, footnote, print_validation, report_heading, totals_line, unverifiable_lines
from .validation.api import validate

CRASHED = 3
INTERRUPTED = 130
"""Exit status of ``gds scan`` stopped by Ctrl-C or SIGTERM (after writing what it loaded), as shells use for SIGINT."""
"""Exit status of a command that ended in an unexpected exception (a bug), never 1 (a hard rule failed)."""


_HTML_HELP = "also write one self-contained HTML page of the results / 另存为一个可浏览的 HTML 报告"
_STRICT_HELP = "refuse a report at its first load issue instead of loading what can be placed / 有载入问题即拒绝载入"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gds", description="政府信息公开工作年度报告统计表：载入与校验 / load and check"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="校验报告 / check reports against the template's rules")
    check.add_argument("files", nargs="+", help="report files / 报告文件")
    check.add_argument(
        "--format",
        choices=("table", "text", "json"),
        help="输出格式 output format: table 表格（终端中默认 default in a terminal）, text, json",
    )
    check.add_argument("--blank-as-zero", action="store_true", help="read blank cells as 0 / 空白单元格按0计")
    check.add_argument("--strict", action="store_true", help=_STRICT_HELP)
    _add_limit_options(check, timeout=False)
    check.add_argument("--rules", help="a YAML or JSON rule file used instead of the built-in catalog")
    check.add_argument("--extra-rules", help="a YAML or JSON rule file added to the built-in catalog")
    check.add_argument("--html", type=_html_path, metavar="REPORT.html", help=_HTML_HELP)
    rules = commands.add_parser("rules", help="列出规则 / list the rule catalog")
    rules.add_argument("--format", choices=("text", "yaml", "json"), default="text")
    compare = commands.add_parser("diff", help="比较两份报告 / compare two reports cell by cell and rule by rule")
    compare.add_argument("a", help="the first report (or an earlier version) / 报告甲")
    compare.add_argument("b", help="the second report / 报告乙")
    compare.add_argument("--format", choices=("text", "json", "csv"), default="text")
    compare.add_argument("--all", action="store_true", help="list unchanged cells too / 列出未变化的单元格")
    _add_corpus_commands(commands)
    _add_localize_command(commands)
    return parser


def _add_corpus_commands(commands: argparse._SubParsersAction) -> None:
    """``gds scan`` and ``gds convert``."""
    scan = commands.add_parser(
        "scan", help="扫描文件夹：并行载入、一次校验全部报告 / load and check every report in a folder"
    )
    scan.add_argument("folder", help="a folder (searched recursively), a glob pattern or a file / 文件夹")
    scan.add_argument("--out", help="where to write the results: .csv, .parquet or .xlsx / 结果文件（按扩展名）")
    scan.add_argument("--html", type=_html_path, metavar="REPORT.html", help=_HTML_HELP)
    scan.add_argument("--workers", type=_positive, help="worker processes (default: one per CPU) / 进程数")
    scan.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="load on a Dask cluster, e.g. tcp://10.0.0.5:8786 (needs the dask extra) / 在 Dask 集群上载入",
    )
    scan.add_argument("--blank-as-zero", action="store_true", help="read blank cells as 0 / 空白单元格按0计")
    scan.add_argument("--strict", action="store_true", help=_STRICT_HELP)
    _add_limit_options(scan)
    scan.add_argument("--no-progress", action="store_true", help="no progress bar / 不显示进度条")
    convert = commands.add_parser("convert", help="导出长表或宽表 / export reports in the long or wide format")
    convert.add_argument("files", nargs="+", help="report files (or one folder) / 报告文件")
    convert.add_argument("--to", required=True, choices=("csv", "parquet", "json", "xlsx"), help="output format")
    convert.add_argument("--wide", action="store_true", help="one row per report instead of one per cell / 宽表")
    convert.add_argument("--out", help="output file (default: next to the first input) / 输出文件")
    _add_limit_options(convert)


def _add_limit_options(command: argparse.ArgumentParser, timeout: bool = True) -> None:
    """``--limit NAME=VALUE`` (repeatable; a :class:`Limits` field) and, for many files, ``--timeout``."""
    names = ", ".join(vars(DEFAULT_LIMITS))
    command.add_argument(
        "--limit",
        action="append",
        default=[],
        type=_limit,
        metavar="NAME=VALUE",
        help=f"每个文件的限制 a limit per file (repeatable; K/M/G suffixes): {names}",
    )
    if timeout:
        command.add_argument(
            "--timeout",
            type=_seconds,
            default=DEFAULT_TIMEOUT,
            help=f"每个文件的载入时限（秒，0为不限） seconds per file, 0 for none (default {DEFAULT_TIMEOUT:g})",
        )


_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def _limit(text: str) -> tuple[str, int]:
    name, _, value = text.partition("=")
    name = name.strip().replace("-", "_")
    if name not in vars(DEFAULT_LIMITS):
        known = ", ".join(vars(DEFAULT_LIMITS))
        raise argparse.ArgumentTypeError(f"未知的限制「{name}」 / unknown limit {name!r}; known: {known}")
    number = value.strip().upper().removesuffix("IB").removesuffix("B")
    unit = number[-1:] if number[-1:] in _UNITS else ""
    try:
        count = int(float(number.removesuffix(unit)) * _UNITS[unit]) if unit else int(number)
        Limits(**{name: count})
    except ValueError:
        raise argparse.ArgumentTypeError(f"限制须为正整数 / a limit must be a positive whole number: {text}") from None
    return name, count


def _seconds(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"须为秒数 / must be a number of seconds: {text}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"须为非负秒数 / must be 0 or more seconds: {text}")
    return value or None


def _limits(args: argparse.Namespace) -> Limits | None:
    """The caller's limits from ``--limit`` options (None: the defaults)."""
    return replace(DEFAULT_LIMITS, **dict(args.limit)) if args.limit else None


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1 / 至少为1")
    return value


def _html_path(text: str) -> Path:
    try:
        return check_html_path(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gds`` console command."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "rules":
            return _rules(args.format)
        if args.command == "diff":
            return _diff(args)
        if args.command == "scan":
            return _scan(args)
        if args.command == "convert":
            return _convert(args)
        if args.command == "localize":
            return _localize(args)
        return _validate(args)
    except GovDisclosureError as exc:
        print(f"gds: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug of the library: never the exit status of a failing rule
        traceback.print_exc(file=sys.stderr)
        print(
            f"gds: 内部错误（程序缺陷，请报告）/ internal error (a bug, please report it): {type(exc).__name__}: {exc}",
            file=sys.stderr,
        )
        return CRASHED


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
        print(render_diff(a, b, cells, moves, show_all=args.all))
    return 0 if (cells["status"] == "same").all() else 1


def render_diff(a: Report, b: Report, cells: pd.DataFrame, moves: pd.DataFrame, show_all: bool = False) -> str:
    """Counts per status, the differing cells (all with ``show_all``) with labels and both values,
    then the rule instances whose outcome moved."""
    lines = [
        f"甲 a: {a.report_id}  {a.agency or ''} {a.year or ''}",
        f"乙 b: {b.report_id}  {b.agency or ''} {b.year or ''}",
    ]
    counts = cells["status"].value_counts()
    lines.append("  ".join(f"{status} {n}" for status, n in counts.items() if n))
    for c in (cells if show_all else cells[cells["status"] != "same"]).itertuples(index=False):
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
        width = max((len(r.id) for r in rules), default=0)  # the longest id (narrative ones are long)
        for r in rules:
            print(f"{r.id:{width}}  {r.kind:4}  {r.statement}\n{'':{width + 8}}{r.message_zh} / {r.message_en}")
    return 0


def _rule_set(args: argparse.Namespace) -> RuleSet:
    """The rule set ``--rules`` and ``--extra-rules`` name (the catalog by default)."""
    rules = RuleSet.read(args.rules) if args.rules else catalog()
    return rules + RuleSet.read(args.extra_rules) if args.extra_rules else rules


def _load_files(args: argparse.Namespace) -> tuple[list[Report], list[dict[str, str]]]:
    """The reports of ``args.files`` that load, and a failures row for each that does not."""
    reports: list[Report] = []
    failures: list[dict[str, str]] = []
    for path in args.files:
        try:
            reports.append(load(path, strict=args.strict, limits=_limits(args)))
        except (GovDisclosureError, OSError) as exc:
            failures.append({"file": path, "error": type(exc).__name__, "message": str(exc)})
    return reports, failures


def _validate(args: argparse.Namespace) -> int:
    rules = _rule_set(args)
    reports, failures = _load_files(args)
    result = validate(reports, rules=rules, blank_as_zero=args.blank_as_zero) if reports else None
    if args.format == "json":
        data = result.to_dict() if result else {"ok": None, "reports": [], "violations": []}
        data["load_failures"] = failures
        data["load_issues"] = _records(issues_of(reports))
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        for failure in failures:
            print(f"✗ 无法载入 cannot load: {failure['message']}", file=sys.stderr)
        if result is not None and (args.format or ("table" if sys.stdout.isatty() else "text")) == "table":
            print_validation(result, reports)
        elif result is not None:
            print(render(result))
        for report in reports:
            if len(report.issues):
                print(f"\n{report.report_id}: {len(report.issues)} 个载入问题 load issue(s)")
                print("\n".join(issue_lines(report.issues)))
    if args.html:  # the loaded reports, their verdicts and the files that did not load, as one page
        unloaded = pd.DataFrame(failures, columns=["file", "error", "message"]).rename(columns={"error": "error_type"})
        title = f"gds validate · {len(args.files)} 个文件 file(s)"
        html_report(reports, result, unloaded, rules=rules, title=title, path=args.html)
        print(f"写入 written: {args.html}", file=sys.stderr)
    if failures:
        return 2
    return 0 if result is None or result.ok else 1


def render(result: ValidationResult) -> str:
    """A readable verdict per report: failing rule instances with labels, codes, both sides and places."""
    lines: list[str] = []
    for meta in result.reports.itertuples(index=False):
        lines.append(report_heading(meta) + verdict_text(meta.ok))
        lines += [
            "".join(footnote(v, meta.report_id)) for v in result.for_report(meta.report_id).itertuples(index=False)
        ]
        lines += unverifiable_lines(result, meta.report_id)
    lines.append(totals_line(result))
    return "\n".join(lines)


def _scan(args: argparse.Namespace) -> int:
    """Load a folder in parallel, validate it in one pass, write the results; exit 2 / 1 / 0."""
    if not args.out and not args.html:
        print("gds: 请用 --out 和/或 --html 指定输出 / give --out, --html or both", file=sys.stderr)
        return 2
    try:
        if args.out:
            check_output(args.out)
    except (ValueError, ImportError) as exc:
        print(f"gds: {exc}", file=sys.stderr)
        return 2
    names = ["violations", "failures", "reports", "summary", "issues"]
    outputs = table_paths(args.out, names) if args.out else {}
    outputs |= {"html": args.html} if args.html else {}  # a page inside the folder is no report to load
    interrupted = ""
    try:
        reports, failures = load_many(
            args.folder,
            workers=args.workers,
            progress=not args.no_progress,
            exclude=set(outputs.values()),
            strict=args.strict,
            limits=_limits(args),
            timeout=args.timeout,
            client=args.scheduler,
        )
    except (FileNotFoundError, ConnectionError, ImportError) as exc:  # ImportError: --scheduler without dask
        print(f"gds: {exc}", file=sys.stderr)
        return 2
    except LoadInterrupted as stop:  # Ctrl-C / SIGTERM: the workers are gone; write what was loaded
        reports, failures = stop.reports, stop.failures
        interrupted = str(stop)
    if not len(reports) and not len(failures):
        print(f"gds: 未找到报告文件 / no report files found: {args.folder}", file=sys.stderr)
        return 2
    issues = issues_of(reports)
    try:
        result = validate(reports, blank_as_zero=args.blank_as_zero)
    except Exception:  # write what was loaded before reporting the crash (main: exit 3)
        unchecked = {"violations": pd.DataFrame(columns=VIOLATION_COLUMNS), "failures": failures}
        unchecked |= {"reports": reports.keys, "summary": pd.DataFrame(columns=SUMMARY_COLUMNS), "issues": issues}
        written = write_tables(unchecked, args.out) if args.out else []
        print("写入（未校验）written (not validated): " + ", ".join(str(p) for p in written), file=sys.stderr)
        raise
    counts = issues["report_id"].value_counts()
    frames = {
        "violations": result.violations,
        "failures": failures,
        "reports": result.reports.assign(issues=result.reports["report_id"].map(counts).fillna(0).astype(int)),
        "summary": result.summary(),
        "issues": issues,
    }
    written = write_tables(frames, args.out) if args.out else []
    if args.html:
        html_report(reports, result, failures, title=f"gds scan {args.folder}", path=args.html)
        written.append(args.html)
    print(render_scan(result, failures, issues))
    print("写入 written: " + ", ".join(str(p) for p in written))
    if interrupted:
        print(f"gds: {interrupted}", file=sys.stderr)
        return INTERRUPTED
    if len(failures):
        return 2
    return 0 if result.ok else 1


def render_scan(result: ValidationResult, failures: pd.DataFrame, issues: pd.DataFrame | None = None) -> str:
    """The scan's counts (loaded, with load issues, failed to load, passing, failing), then items per rule."""
    ok = result.reports["ok"]
    issues = issues_of([]) if issues is None else issues
    counts = [
        ("载入 loaded", len(result.reports)),
        ("有载入问题 with load issues", issues["report_id"].nunique()),
        ("载入失败 failed to load", len(failures)),
        ("通过 passing", int(ok.sum())),
        ("不通过 failing", int((~ok).sum())),
    ]
    lines = [_pad(label, 26) + f"{n:>10,}" for label, n in counts]
    if len(failures):
        kinds = failures["error_type"].value_counts()
        lines.append("  " + ", ".join(f"{kind} {n:,}" for kind, n in kinds.items()))
    head = ["项数 items", "通过 passed", "不通过 failed", "无法核验 unverifiable"]
    widths = [max(12, display_width(h) + 2) for h in head]
    summary = result.summary()
    first = max([30, *(len(r) + 2 for r in summary["rule_id"])])  # narrative.requests_carried_forward is long
    lines += [
        "",
        _pad("规则 rule", first)
        + _pad("severity", 10)
        + "".join(_pad(h, w, right=True) for h, w in zip(head, widths, strict=True)),
    ]
    for r in summary.itertuples(index=False):
        numbers = (r.items, r.passed, r.failed, r.unverifiable)
        lines.append(
            _pad(r.rule_id, first)
            + _pad(r.severity, 10)
            + "".join(_pad(f"{n:,}", w, right=True) for n, w in zip(numbers, widths, strict=True))
        )
    lines.append(f"空白按0 blank_as_zero={result.blank_as_zero}")
    return "\n".join(lines)


def _pad(text: str, width: int, right: bool = False) -> str:
    space = " " * max(width - display_width(text), 1 if not right else 0)
    return space + text if right else text + space


def _convert(args: argparse.Namespace) -> int:
    """Export the long format (or the wide one, or expected.json) of the loaded reports to one file."""
    first = Path(args.files[0])
    out = Path(args.out) if args.out else first.with_suffix(f".{args.to}")
    try:
        check_output(out, REPORT_FORMATS)
        if out.suffix.lower() != f".{args.to}":
            raise ValueError(f"输出文件扩展名应为 .{args.to} / the output file's extension should be .{args.to}: {out}")
        if args.wide and args.to == "json":
            raise ValueError("JSON 输出是 expected.json 的形式，不能与 --wide 同用 / --wide does not apply to JSON")
        if any(out.resolve() == Path(f).resolve() for f in args.files):
            raise ValueError(f"输出会覆盖输入文件，请用 --out 指定 / the output would overwrite an input: {out}")
        source = args.files[0] if len(args.files) == 1 else args.files
        reports, failures = load_many(
            source,
            progress=len(args.files) > 1 and sys.stderr.isatty(),
            limits=_limits(args),
            timeout=args.timeout,
        )
    except (ValueError, ImportError, FileNotFoundError) as exc:
        print(f"gds: {exc}", file=sys.stderr)
        return 2
    for failure in failures.itertuples(index=False):
        print(f"✗ 无法载入 cannot load {failure.file}: {failure.message}", file=sys.stderr)
    if len(reports):
        written = write_reports(reports, out, wide=args.wide)
        print(f"{len(reports)} 份报告 report(s) → {written}")
    return 2 if len(failures) or not len(reports) else 0


# -- gds localize ---------------------------------------------------------------------------------------


def _add_localize_command(commands: argparse._SubParsersAction) -> None:
    """``gds localize FILE... [--format table|text|json|csv] [--apply OUT] [--solution K]``."""
    fix = commands.add_parser(
        "localize", help="定位错误单元格并给出更正 / which cells to change so that every hard rule holds, and to what"
    )
    fix.add_argument("files", nargs="+", help="report files / 报告文件")
    fix.add_argument(
        "--format",
        choices=("table", "text", "json", "csv"),
        help="输出格式 output format: table 表格（终端中默认 default in a terminal）, text, json, csv",
    )
    fix.add_argument(
        "--apply",
        metavar="OUT",
        help="write the corrected reports as JSON: one input to the file OUT, several into the folder OUT",
    )
    fix.add_argument("--solution", type=_positive, default=1, help="the solution --apply applies (default 1, the best)")
    fix.add_argument("--max-solutions", type=_positive, default=10, help="solutions listed per report (default 10)")
    fix.add_argument("--blank-as-zero", action="store_true", help="read blank cells as 0 / 空白单元格按0计")
    fix.add_argument("--strict", action="store_true", help=_STRICT_HELP)
    _add_limit_options(fix, timeout=False)
    fix.add_argument("--rules", help="a YAML or JSON rule file used instead of the built-in catalog")
    fix.add_argument("--extra-rules", help="a YAML or JSON rule file added to the built-in catalog")


def _localize(args: argparse.Namespace) -> int:
    """Print the corrections of each report failing hard rules (and with ``--apply`` write the corrected
    reports); exit 2 when a file could not be loaded, else 1 when a report fails a hard rule, else 0."""
    from .analysis.localize import localize
    from .model.matrix import unique_ids
    from .show import corrections as show

    out = Path(args.apply) if args.apply else None
    many = len(args.files) > 1
    if out is not None:
        if not many and not out.is_dir() and out.suffix.lower() != ".json":
            print(f"gds: --apply 的输出应为 .json 文件 / --apply writes a .json file: {out}", file=sys.stderr)
            return 2
        if many and out.exists() and not out.is_dir():
            print(f"gds: 多个输入时 --apply 应为文件夹 / several files need a folder: {out}", file=sys.stderr)
            return 2
    rules = _rule_set(args)
    reports, failures = _load_files(args)
    for report, rid in zip(reports, unique_ids([str(r.report_id) for r in reports]), strict=True):
        report.report_id = rid  # two files of one name: X and X#2 each get their own corrections
    corrections = localize(
        reports, rules=rules, blank_as_zero=args.blank_as_zero, max_solutions=args.max_solutions, allow_empty=True
    )
    written: list[dict] = []
    refused: list[dict[str, str]] = []
    if out is not None and reports:
        paths = show.output_paths(reports, out, many)
        inputs = {Path(f).resolve() for f in args.files}
        clash = [str(p) for p in paths.values() if p.resolve() in inputs]
        if clash:
            print(f"gds: --apply 会覆盖输入文件 / --apply would overwrite {', '.join(clash)}", file=sys.stderr)
            return 2
        written, refused = show.write_corrected(reports, corrections, paths, args.solution)
    form = args.format or ("table" if sys.stdout.isatty() else "text")
    if form == "json":
        print(show.corrections_json(reports, corrections, failures, written, refused))
    else:
        for failure in failures:
            print(f"✗ 无法载入 cannot load: {failure['message']}", file=sys.stderr)
        if form == "csv":
            print(show.corrections_csv(corrections), end="")
        elif form == "table":
            show.print_corrections(reports, corrections)
        else:
            print(show.corrections_text(reports, corrections))
        for item in refused:
            print(f"✗ 未写出 not written: {item['message']}", file=sys.stderr)
        for item in written:
            print(f"写入 written: {item['file']}", file=sys.stderr if form == "csv" else sys.stdout)
    if failures:
        return 2
    return 1 if len(corrections) else 0


if __name__ == "__main__":
    raise SystemExit(main())
