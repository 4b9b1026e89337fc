"""Recognisers of the common slips behind a wrong cell: transposed digits, split or joined numbers, a
neighbour's value, a copied total, a lost leading digit.

Each is a small pure function of the printed value, the value the rules want (None when they leave it
open) and a few other printed values; it returns :class:`Evidence` or None. :func:`proposals` turns
the same slips round, for a cell the rules leave open: which values would undo a slip.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

SLIPS = ("transposed_digits", "split_or_joined", "neighbour_value", "copied_total", "missing_leading_digit")
"""The recognisers' codes (the ``slip`` column of :func:`gov_disclosure_stats.localize`)."""


@dataclass(frozen=True)
class Evidence:
    """A recognised slip: its code, how strongly it speaks for the change (0–1) and why."""

    slip: str
    strength: float
    zh: str
    en: str


def digits(value: float | None) -> str | None:
    """The digits of a whole, non-negative number (``297.0`` → ``"297"``); None for anything else."""
    if value is None or value != value or value < 0 or not float(value).is_integer():
        return None
    return str(int(value))


def transposed_digits(current: float, suggested: float | None) -> Evidence | None:
    """Two digits swapped: 297 printed as 279."""
    now, want = digits(current), digits(suggested)
    if now is None or want is None or len(now) != len(want) or now == want:
        return None
    diff = [i for i, (a, b) in enumerate(zip(now, want, strict=True)) if a != b]
    if len(diff) != 2 or now[diff[0]] != want[diff[1]] or now[diff[1]] != want[diff[0]]:
        return None
    adjacent = diff[1] == diff[0] + 1
    return Evidence(
        "transposed_digits",
        0.9 if adjacent else 0.6,
        f"疑似{'相邻' if adjacent else ''}两位数字颠倒（{want} 印成 {now}）",
        f"two {'adjacent ' if adjacent else ''}digits look transposed ({want} printed as {now})",
    )


def missing_leading_digit(current: float, suggested: float | None) -> Evidence | None:
    """The first digit lost: 297 printed as 97 (1024 as 24)."""
    now, want = digits(current), digits(suggested)
    if now is None or want is None or len(want) < 2 or int(want[1:]) != int(now) or len(want) <= len(now):
        return None
    return Evidence(
        "missing_leading_digit",
        0.8,
        f"疑似漏掉首位数字（{want} 印成 {now}）",
        f"the leading digit looks lost ({want} printed as {now})",
    )


def split_or_joined(
    current: float,
    suggested: float | None,
    after: float | None = None,
    before: tuple[float, float | None] | None = None,
) -> Evidence | None:
    """A number split or joined by extraction ("20" read as "2", "0"; "2", "0" read as "20").

    ``after`` is the printed value of the next cell in reading order (to the right); ``before`` the
    printed and wanted values of the previous cell, which may have lost its last digits to this one.
    """
    now, want, next_ = digits(current), digits(suggested), digits(after)
    if now is None:
        return None
    if want is not None and next_ is not None:
        if want == now + next_:
            return Evidence(
                "split_or_joined",
                0.85,
                f"疑似 {want} 被拆成「{now}」「{next_}」两格",
                f"{want} looks split into '{now}' and '{next_}'",
            )
        if now == want + next_:
            return Evidence(
                "split_or_joined",
                0.85,
                f"疑似「{want}」与下一格「{next_}」连成了 {now}",
                f"'{want}' and the next cell's '{next_}' look joined into {now}",
            )
    if before is not None:
        prev_now, prev_want = digits(before[0]), digits(before[1])
        if prev_now is not None and prev_want is not None and prev_want == prev_now + now:
            return Evidence(
                "split_or_joined",
                0.85,
                f"「{now}」疑似是前一格 {prev_want} 拆出的尾数",
                f"'{now}' looks like the tail split off the previous cell's {prev_want}",
            )
    if want is not None and len(now) > len(want) and now.startswith(want):
        return Evidence(
            "split_or_joined",
            0.4,
            f"疑似 {want} 后面连上了「{now[len(want) :]}」",
            f"{want} looks joined with the digits '{now[len(want) :]}'",
        )
    if want is not None and len(want) > len(now) and want.startswith(now):
        return Evidence(
            "split_or_joined",
            0.4,
            f"疑似 {want} 丢了尾数「{want[len(now) :]}」",
            f"{want} looks cut short: '{want[len(now) :]}' lost",
        )
    return None


SMALL = 10
"""Values below this coincide by chance too often to say a value was copied (neighbour, total)."""


def neighbour_value(current: float, suggested: float | None, neighbours: Mapping[str, float]) -> Evidence | None:
    """The value of the cell beside or above/below: ``neighbours`` maps a cell's label to its printed value."""
    if not abs(current) >= SMALL or (suggested is not None and suggested == current):
        return None
    for label, value in neighbours.items():
        if value == current:
            strength = 0.5 if suggested is not None else 0.25
            shown = digits(current) or f"{current:g}"
            return Evidence(
                "neighbour_value",
                strength,
                f"与相邻的「{label}」同为 {shown}，疑似填入了相邻格的数",
                f"the same {shown} as the neighbouring '{label}': a neighbour's value looks copied",
            )
    return None


def copied_total(current: float, suggested: float | None, totals: Mapping[str, float]) -> Evidence | None:
    """A total equal to another row's figure in the same column: ``totals`` maps row labels to values."""
    if not abs(current) >= SMALL or (suggested is not None and suggested == current):
        return None
    for label, value in totals.items():
        if value == current:
            shown = digits(current) or f"{current:g}"
            return Evidence(
                "copied_total",
                0.6,
                f"与「{label}」同为 {shown}，疑似抄了另一行的合计",
                f"the same {shown} as '{label}': a total looks copied from another row",
            )
    return None


def proposals(current: float, after: float | None = None) -> Iterator[tuple[float, str]]:
    """Values that would undo a slip on a printed value, strongest slip first, as ``(value, slip)``."""
    now, next_ = digits(current), digits(after)
    if now is None:
        return
    seen = {now}
    for i in range(len(now) - 1):
        swapped = now[:i] + now[i + 1] + now[i] + now[i + 2 :]
        if swapped not in seen and not swapped.startswith("0"):
            seen.add(swapped)
            yield float(swapped), "transposed_digits"
    if next_ is not None and now + next_ not in seen:
        seen.add(now + next_)
        yield float(now + next_), "split_or_joined"
    for lead in "123456789":
        if lead + now not in seen:
            seen.add(lead + now)
            yield float(lead + now), "missing_leading_digit"
