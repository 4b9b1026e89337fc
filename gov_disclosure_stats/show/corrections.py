"""What ``gds localize`` shows and writes: :func:`~gov_disclosure_stats.localize.localize`'s corrections
as plain text, as ``rich`` tables, as JSON/CSV records, and the reports with a solution applied.

A report that :func:`localize` returns no row for passes every hard rule (nothing to correct).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..core.errors import bilingual_place
from ..model.report import Report
from ..model.result import fmt
from .printed import verdict_text
from .render import report_heading

if TYPE_CHECKING:
    from rich.console import Console

_SHOWN = ["solution", "cell", "label_zh", "current", "suggested", "slip", "confidence"]
"""The columns of the terminal table (the reasons and notes follow it as lines)."""


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _text(value: Any) -> str:
    return value if isinstance(value, str) and value not in ("nan", "None", "<NA>") else ""


def _meta(report: Report) -> SimpleNamespace:
    return SimpleNamespace(report_id=report.report_id, agency=report.agency, year=report.year, template=report.template)


def change_text(row: Any) -> str:
    """``279 → 297``; ``—`` for a blank cell and ``?`` for a value the rules leave open."""
    suggested = _number(row.suggested)
    return f"{fmt(_number(row.current))} → {'?' if suggested is None else fmt(suggested)}"


def _solutions(mine: pd.DataFrame) -> list[tuple[int, pd.DataFrame]]:
    solved = mine[mine["solution"].notna()]
    return [(int(k), group) for k, group in solved.groupby("solution", sort=True)]


def _note(mine: pd.DataFrame) -> str:
    return next((_text(n) for n in mine["note"] if _text(n)), "")


def _detail_lines(group: pd.DataFrame, head: str, indent: str) -> list[str]:
    """Per changed cell of one solution: its reason and the failing rule instances it takes part in."""
    lines = []
    for row in group.itertuples(index=False):
        where = f" ({bilingual_place(row.where)})" if _text(row.where) else ""
        lines.append(f"{head.format(cell=row.cell, where=where)}{_text(row.reason)}")
        if len(row.rules_repaired):
            lines.append(f"{indent}修复 repairs: {', '.join(row.rules_repaired)}")
    return lines


def corrections_text(reports: Sequence[Report], corrections: pd.DataFrame) -> str:
    """The plain text of ``gds localize``: per report its verdict, then each solution (best first) with its
    cells (code, label, current → suggested, slip, place), reasons and the note; a closing count."""
    lines: list[str] = []
    for report in reports:
        mine = corrections[corrections["report_id"] == report.report_id]
        lines.append(report_heading(_meta(report)) + verdict_text(mine.empty) + _verdict_tail(mine))
        for number, group in _solutions(mine):
            lines.append(f"  改法 solution {number}  置信度 confidence {float(group['confidence'].iat[0]):.2f}")
            for k, row in enumerate(group.itertuples(index=False)):
                slip = f"  [{row.slip}]" if _text(row.slip) else ""
                where = f"  ({bilingual_place(row.where)})" if _text(row.where) else ""
                lines.append(f"    {row.cell}  {_text(row.label_zh)}: {change_text(row)}{slip}{where}")
                lines += _detail_lines(group.iloc[[k]], "        ", "        ")
        if note := _note(mine):
            lines.append(f"  注 note: {note}")
    lines.append(totals_text(reports, corrections))
    return "\n".join(lines)


def _verdict_tail(mine: pd.DataFrame) -> str:
    if mine.empty:
        return " — 无需更正 nothing to correct"
    count = mine["solution"].nunique()
    return f" — {count} 个改法 solution(s)" if count else " — 无改法 no solution"


def totals_text(reports: Sequence[Report], corrections: pd.DataFrame) -> str:
    """The closing line: reports, those failing hard rules (and of them those without a solution), those passing."""
    failing = set(corrections["report_id"])
    unsolved = set(corrections["report_id"]) - set(corrections.loc[corrections["solution"].notna(), "report_id"])
    none = f" ({len(unsolved)} 份无改法 without a solution)" if unsolved else ""
    return (
        f"{len(reports)} 份报告 report(s): {len(failing)} 份不通过 failing{none}, "
        f"{len(reports) - len(failing)} 份通过 passing"
    )


def print_corrections(reports: Sequence[Report], corrections: pd.DataFrame, console: Console | None = None) -> None:
    """What ``gds localize --format table`` prints: per report its verdict, a table of the solutions (the best
    first, in bold; alternatives numbered below it), the reasons per cell and the note."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = console or Console()
    for report in reports:
        mine = corrections[corrections["report_id"] == report.report_id]
        console.print(
            Text.assemble(
                report_heading(_meta(report)),
                (verdict_text(mine.empty), "bold green" if mine.empty else "bold red"),
                _verdict_tail(mine),
            ),
            soft_wrap=True,
        )
        solutions = _solutions(mine)
        if solutions:
            rows = pd.concat([group for _, group in solutions])
            slips = any(_text(x) for x in rows["slip"])
            table = Table(pad_edge=False)
            table.add_column("#", justify="right", no_wrap=True)
            table.add_column("单元格\ncell", no_wrap=True)
            table.add_column("项目\nlabel", overflow="fold")
            table.add_column("更正\nchange", justify="right", no_wrap=True)
            if slips:
                table.add_column("笔误\nslip", overflow="fold")
            table.add_column("置信\nconf", justify="right", no_wrap=True)
            for number, group in solutions:
                if number > 1:
                    table.add_section()
                for k, row in enumerate(group.itertuples(index=False)):
                    texts = [str(number) if k == 0 else "", row.cell, _text(row.label_zh), change_text(row)]
                    texts += [_text(row.slip)] if slips else []
                    texts.append(f"{float(row.confidence):.2f}" if k == 0 else "")
                    table.add_row(*texts, style="bold" if number == 1 else None)
            console.print(table)
            for number, group in solutions:
                for line in _detail_lines(group, f"  {number} {{cell}}{{where}}: ", "      "):
                    console.print(Text(line, style="dim" if number > 1 else ""), soft_wrap=True)
        if note := _note(mine):
            console.print(Text(f"  注 note: {note}", style="yellow"), soft_wrap=True)
    console.print(totals_text(reports, corrections), soft_wrap=True)


# -- for machines ----------------------------------------------------------------------------------


def correction_records(corrections: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a corrections frame as JSON-ready dicts (``null`` for missing values, lists of rule ids)."""
    records = []
    for row in corrections.to_dict("records"):
        out: dict[str, Any] = {}
        for key, value in row.items():
            if key == "rules_repaired":
                out[key] = list(value) if isinstance(value, tuple | list) else []
            elif isinstance(value, str):
                out[key] = _text(value) if key != "report_id" else value
            elif value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
                out[key] = None
            elif key == "solution":
                out[key] = int(value)
            elif key in ("determined", "ambiguous"):
                out[key] = bool(value)
            else:
                out[key] = float(value)
        records.append(out)
    return records


def corrections_csv(corrections: pd.DataFrame) -> str:
    """The corrections as CSV, one row per changed cell; ``rules_repaired`` joined with spaces."""
    frame = pd.DataFrame(correction_records(corrections), columns=list(corrections.columns))
    frame["rules_repaired"] = frame["rules_repaired"].map(" ".join)
    frame["solution"] = frame["solution"].astype("Int64")
    return frame.to_csv(index=False)


def corrections_json(
    reports: Sequence[Report],
    corrections: pd.DataFrame,
    failures: list[dict[str, str]],
    written: list[dict[str, Any]] | None = None,
    refused: list[dict[str, str]] | None = None,
) -> str:
    """What ``gds localize --format json`` prints: ``ok``, ``reports``, ``corrections`` (the rows of
    :func:`localize`), ``load_failures``, and what ``--apply`` wrote (``written``) or refused (``not_written``)."""
    failing = set(corrections["report_id"])
    data = {
        "ok": not failing,
        "reports": [
            {
                "report_id": r.report_id,
                "agency": r.agency,
                "year": r.year,
                "template": r.template,
                "ok": r.report_id not in failing,
            }
            for r in reports
        ],
        "corrections": correction_records(corrections),
        "load_failures": failures,
        "written": written or [],
        "not_written": refused or [],
    }
    return json.dumps(data, ensure_ascii=False, indent=1)


# -- writing the corrected reports ------------------------------------------------------------------


def output_paths(reports: Sequence[Report], out: Path, many: bool) -> dict[str, Path]:
    """Where each corrected report goes: ``out`` itself for one input file (a ``.json`` file; inside it when it
    is a folder), else ``out/<report id less its extension>.json``, a repeated name numbered ``-2``, ``-3``…"""
    if not many and not out.is_dir():
        return {str(r.report_id): out for r in reports}
    paths: dict[str, Path] = {}
    taken: set[str] = set()
    for report in reports:
        stem = Path(str(report.report_id).split("#")[0]).stem or "report"
        name, n = stem, 1
        while name.lower() in taken:
            n += 1
            name = f"{stem}-{n}"
        taken.add(name.lower())
        paths[str(report.report_id)] = out / f"{name}.json"
    return paths


def write_corrected(
    reports: Sequence[Report], corrections: pd.DataFrame, paths: dict[str, Path], solution: int = 1
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Write each report, with solution ``solution`` applied where it fails, as the library's JSON.

    Returns what was written (``report_id``, ``file``, ``corrected`` cells) and what was not (``report_id``,
    ``message``: no solution, no solution of that number, a value the rules leave open).
    """
    written: list[dict[str, Any]] = []
    refused: list[dict[str, str]] = []
    for report in reports:
        rid = str(report.report_id)
        mine = corrections[corrections["report_id"] == rid]
        try:
            fixed = report.apply(corrections, solution=solution) if len(mine) else report
        except ValueError as exc:
            refused.append({"report_id": rid, "message": str(exc)})
            continue
        path = paths[rid]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(fixed.to_json() + "\n", encoding="utf-8")
        changed = mine.loc[mine["solution"] == solution, "cell"].tolist() if len(mine) else []
        written.append({"report_id": rid, "file": str(path), "corrected": changed})
    return written, refused
