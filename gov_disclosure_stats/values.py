"""Reading one printed cell: its value and what it really held.

One parser for every reader: full-width digits, thousands separators, a
number with a note ("22（其中修订16件）"), units ("251000元", "1.2万元"),
signed values, and the not-applicable marks. A blank, a mark or text is
never turned into 0.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache


class Status(StrEnum):
    """What a cell held in the source."""

    NUMBER = "number"
    BLANK = "blank"
    NOT_APPLICABLE = "not_applicable"  # "/", "-", "—", "无"
    TEXT = "text"  # anything else: kept as text, never read as a number
    OMITTED = "omitted"  # the report left the whole row out (often an all-zero row)
    AMBIGUOUS = "ambiguous"  # split from a run of digits, and the rules allow more than one value (digits.py)
    UNPLACED = "unplaced"  # the loader could not place the printed value here (an issue of the report says why)


STATUS_CODES: dict[Status, int] = {
    Status.NUMBER: 1,
    Status.BLANK: 2,
    Status.NOT_APPLICABLE: 3,
    Status.TEXT: 4,
    Status.OMITTED: 5,
    Status.AMBIGUOUS: 6,
    Status.UNPLACED: 7,
}
"""Small integer codes for status matrices; 0 means the cell is absent."""

NA_MARKS = frozenset({"/", "-", "—", "——", "–", "－", "―", "无", "\\"})

_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_UNITS = {"万元": 10_000.0, "元": 1.0, "件": None, "条": None, "个": None, "项": None, "次": None, "份": None}
_UNIT = "|".join(sorted(_UNITS, key=len, reverse=True))
_CELL = re.compile(rf"(?P<number>{_NUMBER})(?P<unit>{_UNIT})?(?P<note>[(（\[【].*[)）\]】])?")
_YUAN_PER = {"yuan": 1.0, "10k_yuan": 10_000.0}


@dataclass(frozen=True)
class Cell:
    """A parsed cell: ``value`` is None unless ``status`` is NUMBER.

    ``unit`` is the unit printed in the cell (``"元"``, ``"万元"``, ``"件"``…),
    ``note`` a bracketed remark after the number ("（其中修订16件）").
    """

    raw: str
    status: Status
    value: float | None = None
    unit: str | None = None
    note: str | None = None


def normalize_text(text: str) -> str:
    """NFKC (full-width digits and brackets to ASCII) and no surrounding space."""
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ").strip()


@lru_cache(maxsize=65536)
def parse_cell(raw: str | None, money_unit: str | None = None) -> Cell:
    """Parse the raw text of a number cell.

    ``money_unit`` is the unit of the column (``"yuan"`` or ``"10k_yuan"``): a
    cell printed in 元 or 万元 is converted to it, its raw text kept beside.
    """
    raw = "" if raw is None else raw
    text = re.sub(r"\s+", "", normalize_text(raw))
    if not text:
        return Cell(raw, Status.BLANK)
    if text in NA_MARKS or set(text) <= {"-", "—", "/", "－"}:
        return Cell(raw, Status.NOT_APPLICABLE)
    match = _CELL.fullmatch(text)
    if match is None:
        return Cell(raw, Status.TEXT)
    value = float(match["number"].replace(",", ""))
    unit = match["unit"]
    scale = _UNITS.get(unit or "")
    if scale is not None and money_unit in _YUAN_PER:
        value = round(value * scale / _YUAN_PER[money_unit], 6)
    elif scale is not None and money_unit is None:
        return Cell(raw, Status.TEXT, unit=unit)  # money in a count column: not a count
    note = match["note"][1:-1] if match["note"] else None
    return Cell(raw, Status.NUMBER, value, unit, note)


def format_number(value: float) -> str:
    """The raw text of a bare number: ``504.0`` → ``"504"``, ``4934.0578`` → ``"4934.0578"``; NaN → ``""``."""
    value = float(value)
    if value != value:  # NaN
        return ""
    if value.is_integer():
        return str(int(value))
    text = repr(value)
    return text if "e" not in text else f"{value:.10f}".rstrip("0").rstrip(".")  # 0.00005, not 5e-05
