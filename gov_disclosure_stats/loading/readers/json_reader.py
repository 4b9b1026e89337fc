"""The library's own JSON: the ``expected.json`` shape (``Report.to_dict``) back to a :class:`Report`.

``{"template": "2021", "year": 2022, "agency": …, "source": …, "tables":
{table: {row: {column: number or null}}}}``. Every key is checked before the
report is built; an error names the key path (``tables.requests.new.total``).
A cell's ``where`` is its key path.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ...core.encoding import check_text, decode
from ...core.values import MAX_EXACT, Status, format_number
from ...model.report import Report
from .native import MAX_YEAR, MIN_YEAR, NativeCell, build_report, check_code, fail, pick_template

_TOP_KEYS = frozenset({"template", "year", "agency", "source", "tables", "report_id"})


def _object(value: Any, key: str, path: str | None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise fail(
            path,
            key,
            f"应为对象（{{…}}），实际为{type(value).__name__}",
            f"expected an object ({{…}}), found {type(value).__name__}",
        )
    return value


def _optional(data: dict[str, Any], key: str, kind: type, path: str | None) -> Any:
    value = data.get(key)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise fail(
            path,
            key,
            f"应为{kind.__name__}或null，实际为{type(value).__name__}",
            f"expected {kind.__name__} or null, found {type(value).__name__} {value!r}",
        )
    return value


def report_from_json(data: Any, path: str | None = None) -> Report:
    """A report from parsed JSON of the ``expected.json`` shape; :class:`LoadError` names the bad key path."""
    top = _object(data, "$", path)
    unknown = sorted(set(top) - _TOP_KEYS)
    if unknown:
        raise fail(
            path,
            unknown[0],
            f"未知的键「{unknown[0]}」（可用：{'、'.join(sorted(_TOP_KEYS))}）",
            f"unknown key {unknown[0]!r}; known: {', '.join(sorted(_TOP_KEYS))}",
        )
    if "tables" not in top:
        raise fail(path, "tables", "缺少「tables」", "missing key 'tables'")
    year = _optional(top, "year", int, path)
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise fail(path, "year", f"年份{str(year)[:20]}超出范围", f"year {str(year)[:20]} is out of range")
    template = _optional(top, "template", str, path)
    agency = _optional(top, "agency", str, path)
    source = _optional(top, "source", str, path)
    report_id = _optional(top, "report_id", str, path)
    cells: list[NativeCell] = []
    for table, rows in _object(top["tables"], "tables", path).items():
        for row, columns in _object(rows, f"tables.{table}", path).items():
            for column, value in _object(columns, f"tables.{table}.{row}", path).items():
                key = f"tables.{table}.{row}.{column}"
                check_code(table, row, column, path, key)
                cells.append(_cell(table, row, column, value, key, path))
    return build_report(
        cells,
        template=pick_template(template, year, path, "template" if template is not None else "year", cells),
        path=path,
        agency=agency,
        year=year,
        source=source or (Path(path).name if path else None),
        report_id=report_id,
    )


def _cell(table: str, row: str, column: str, value: Any, key: str, path: str | None) -> NativeCell:
    if value is None:
        return NativeCell(table, row, column, math.nan, "", str(Status.BLANK), key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        shown = json.dumps(value, ensure_ascii=False)[:80]
        raise fail(path, key, f"应为数字或null，实际为{shown}", f"expected a number or null, found {shown}")
    if not abs(value) <= MAX_EXACT:  # 10**30, 1e400 (read as inf): refused per cell, never a value
        raw = repr(value) if isinstance(value, float) else f"{str(value)[:40]}…" if value > 10**40 else str(value)
        return NativeCell(table, row, column, math.nan, raw, str(Status.OUT_OF_RANGE), key)
    return NativeCell(table, row, column, float(value), format_number(value), str(Status.NUMBER), key)


def sniff(data: bytes, suffix: str = "") -> bool:
    """Content that starts with ``{`` and has a ``"tables"`` key."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") and b'"tables"' in data


def read(data: bytes, source: str | None = None) -> Report:
    """Read the library's own JSON."""
    text = check_text(decode(data, source), source)
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(
            source, f"line {exc.lineno}, column {exc.colno}", f"JSON格式错误：{exc.msg}", f"malformed JSON: {exc.msg}"
        ) from None
    except RecursionError:
        raise fail(source, None, "JSON嵌套过深", "the JSON nests too deeply") from None
    except ValueError as exc:  # an integer of more than 4300 digits
        raise fail(source, None, f"JSON无法读取：{exc}", f"cannot read the JSON: {exc}") from None
    return report_from_json(parsed, source)
