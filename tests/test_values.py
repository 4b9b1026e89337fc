"""The one cell parser: numbers, notes, units and the marks that are never 0."""

from __future__ import annotations

import pytest

from gov_disclosure_stats.core.values import Status, format_number, parse_cell


@pytest.mark.parametrize(
    ("raw", "unit", "value", "note"),
    [
        ("530", None, 530, None),
        (" 36,627 ", None, 36627, None),
        ("３６６２７", None, 36627, None),
        ("-12", None, -12, None),
        ("4934.0578", "10k_yuan", 4934.0578, None),
        ("22（其中修订16件）", None, 22, "其中修订16件"),
        ("22(其中修订16件)", None, 22, "其中修订16件"),
        ("12件", None, 12, None),
        ("251000元", "yuan", 251000, None),
        ("25.1万元", "yuan", 251000, None),
        ("7730.28万元", "10k_yuan", 7730.28, None),
        ("5000元", "10k_yuan", 0.5, None),
    ],
)
def test_numbers(raw: str, unit: str | None, value: float, note: str | None) -> None:
    cell = parse_cell(raw, unit)
    assert cell.status is Status.NUMBER
    assert cell.value == pytest.approx(value)
    assert cell.note == note
    assert cell.raw == raw


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("", Status.BLANK),
        ("  \u3000", Status.BLANK),
        ("/", Status.NOT_APPLICABLE),
        ("／", Status.NOT_APPLICABLE),
        ("—", Status.NOT_APPLICABLE),
        ("——", Status.NOT_APPLICABLE),
        ("-", Status.NOT_APPLICABLE),
        ("无", Status.NOT_APPLICABLE),
        ("约五百", Status.TEXT),
        ("见附件", Status.TEXT),
        ("100元", Status.TEXT),  # money in a count column is not a count
        ("1 2", Status.NUMBER),  # whitespace inside is dropped: "12"
    ],
)
def test_not_numbers_are_never_zero(raw: str, status: Status) -> None:
    cell = parse_cell(raw)
    assert cell.status is status
    if status is not Status.NUMBER:
        assert cell.value is None


@pytest.mark.parametrize(
    ("value", "printed"),
    [(504.0, "504"), (-3.0, "-3"), (4934.0578, "4934.0578"), (0.00005, "0.00005"), (float("nan"), "")],
)
def test_numbers_print_as_a_report_prints_them(value: float, printed: str) -> None:
    assert format_number(value) == printed
