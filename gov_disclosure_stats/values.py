"""Reading one printed cell: its value and what it really held."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """What a cell held in the source."""

    NUMBER = "number"
    BLANK = "blank"
    NOT_APPLICABLE = "not_applicable"  # "/", "-", "—", "无"
    TEXT = "text"  # anything else: kept as text, never read as a number


STATUS_CODES: dict[Status, int] = {
    Status.NUMBER: 1,
    Status.BLANK: 2,
    Status.NOT_APPLICABLE: 3,
    Status.TEXT: 4,
}
"""Small integer codes for status matrices; 0 means the cell is absent."""

NA_MARKS = frozenset({"/", "-", "—", "——", "–", "－", "―", "无", "\\"})

_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_UNITS = ("万元", "元", "件", "条", "个", "项", "次", "份", "人")


@dataclass(frozen=True)
class Cell:
    """A parsed cell: ``value`` is None unless ``status`` is NUMBER."""

    raw: str
    status: Status
    value: float | None = None
    unit: str | None = None


def normalize_text(text: str) -> str:
    """NFKC (full-width digits and brackets to ASCII) and no surrounding space."""
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ").strip()


def parse_cell(raw: str | None) -> Cell:
    """Parse the raw text of a number cell; never turns a blank, a mark or text into 0."""
    raw = "" if raw is None else raw
    text = re.sub(r"\s+", "", normalize_text(raw))
    if not text:
        return Cell(raw, Status.BLANK)
    if text in NA_MARKS or set(text) <= {"-", "—", "/", "－"}:
        return Cell(raw, Status.NOT_APPLICABLE)
    unit = next((u for u in _UNITS if text.endswith(u) and len(text) > len(u)), None)
    number = text[: -len(unit)] if unit else text
    if not _NUMBER.fullmatch(number):
        return Cell(raw, Status.TEXT)
    return Cell(raw, Status.NUMBER, float(number.replace(",", "")), unit)
