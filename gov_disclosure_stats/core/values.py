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
    OUT_OF_RANGE = "out_of_range"  # a number beyond ±2**53, which a float cannot hold exactly: never read as a value


STATUS_CODES: dict[Status, int] = {
    Status.NUMBER: 1,
    Status.BLANK: 2,
    Status.NOT_APPLICABLE: 3,
    Status.TEXT: 4,
    Status.OMITTED: 5,
    Status.AMBIGUOUS: 6,
    Status.UNPLACED: 7,
    Status.OUT_OF_RANGE: 8,
}
"""Small integer codes for status matrices; 0 means the cell is absent."""

READ_AS_ZERO = frozenset({Status.BLANK, Status.OMITTED})
"""The statuses ``blank_as_zero`` reads as 0: a blank cell, a row the report left out (never "/", text or a
cell split ambiguously from a run of digits)."""

MAX_EXACT = 2**53
"""The largest magnitude a cell value may have: every whole number up to it is exact as a float (and as Int64)."""

NA_MARKS = frozenset({"/", "-", "—", "——", "–", "－", "―", "无", "\\"})

_NUMBER = r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
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


_FULL_WIDTH_DIGITS = frozenset("０１２３４５６７８９")


@lru_cache(maxsize=4096)
def is_digit_lookalike(char: str) -> bool:
    """True for a character that reads as a digit but is neither an ASCII nor a full-width one: circled
    (①), superscript (²), other scripts' (٣), mathematical (𝟏) digits, fractions (½)…"""
    if char.isascii() or char in _FULL_WIDTH_DIGITS:
        return False
    return unicodedata.category(char) in ("Nd", "No") or any(c.isdigit() for c in unicodedata.normalize("NFKC", char))


def lookalikes(text: str) -> str:
    """The digit look-alikes in ``text`` (:func:`is_digit_lookalike`), in order."""
    return "" if text.isascii() else "".join(c for c in text if is_digit_lookalike(c))


def normalize_text(text: str) -> str:
    """NFKC (full-width digits and brackets to ASCII) and no surrounding space.

    Digit look-alikes (①, ², ٣…) are kept as they are: NFKC would make ``19①2`` the number 1912.
    """
    if lookalikes(text):
        text = "".join(c if is_digit_lookalike(c) else unicodedata.normalize("NFKC", c) for c in text)
    else:
        text = unicodedata.normalize("NFKC", text)
    return text.replace("\u3000", " ").strip()


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
        odd = lookalikes(text)
        return Cell(raw, Status.TEXT, note=lookalike_note(odd) if odd else None)
    number = match["number"].replace(",", "")
    whole = number.lstrip("+-").split(".")[0].lstrip("0") or "0"
    if len(whole) > len(str(MAX_EXACT)) or int(whole) > MAX_EXACT:  # before float() rounds it into range
        return Cell(raw, Status.OUT_OF_RANGE, unit=match["unit"], note=out_of_range_note(number))
    value = float(number)
    unit = match["unit"]
    scale = _UNITS.get(unit or "")
    if scale is not None and money_unit in _YUAN_PER:
        value = round(value * scale / _YUAN_PER[money_unit], 6)
    elif scale is not None and money_unit is None:
        return Cell(raw, Status.TEXT, unit=unit)  # money in a count column: not a count
    note = match["note"][1:-1] if match["note"] else None
    if not in_range(value):  # 万元 read as 元
        return Cell(raw, Status.OUT_OF_RANGE, unit=unit, note=out_of_range_note(number))
    return Cell(raw, Status.NUMBER, value, unit, note)


def lookalike_note(chars: str) -> str:
    """Why a cell with digit look-alikes is text (for ``Cell.note`` and load issues)."""
    names = ", ".join(f"{c!r} U+{ord(c):04X}" for c in dict.fromkeys(chars))
    return f"含非标准数字字符「{chars}」，不作数字读取 / digit look-alikes {names}: not read as a number"


def out_of_range_note(number: str) -> str:
    """Why a number beyond ±2**53 is not read (for ``Cell.note`` and load issues)."""
    shown = number if len(number) <= 30 else f"{number[:12]}…（{len(number)}位 digits）"
    return (
        f"数值{shown}超出可精确表示的范围（±2^53），不作数字读取 / {shown} is beyond ±2**53, "
        "the range a value is held exactly in: not read as a number"
    )


def in_range(value: float) -> bool:
    """True for a finite value of at most :data:`MAX_EXACT` in magnitude (NaN is not in range)."""
    return abs(value) <= MAX_EXACT


def format_number(value: float) -> str:
    """The raw text of a bare number: ``504.0`` → ``"504"``, ``4934.0578`` → ``"4934.0578"``; NaN → ``""``."""
    value = float(value)
    if value != value:  # NaN
        return ""
    if value.is_integer():
        return str(int(value))
    text = repr(value)
    return text if "e" not in text else f"{value:.10f}".rstrip("0").rstrip(".")  # 0.00005, not 5e-05
