"""A lost cell never shifts values into its neighbours: every single deletion from the sample's page and text
either is refused, or loads with an issue, or fails a rule — never a silently different number."""

from __future__ import annotations

import re

import pytest

import gov_disclosure_stats as gds

from .conftest import SAMPLE
from .report_pages import report_page


def silently_changed(variant: str | bytes, source: str, original: gds.Report) -> list[tuple[str, str, str]]:
    """Number cells of ``variant`` that differ from ``original`` while the load has no issue and validates."""
    try:
        report = gds.loads(variant, source=source)
    except gds.LoadError:
        return []
    if not report.issues.empty or not gds.validate(report).ok:
        return []
    before = original.cells.set_index(["table", "row", "column"])["value"]
    cells = report.cells[report.cells["status"] == "number"].set_index(["table", "row", "column"])["value"]
    return [key for key, value in cells.items() if key not in before.index or before[key] != value]


def test_no_deleted_html_cell_shifts_a_value() -> None:
    page = report_page()
    original = gds.loads(page.encode(), source="page.html")
    cells = [m.span() for m in re.finditer(r"<td\b.*?</td>", page, re.S)]
    assert len(cells) > 250
    shifted = {page[a:b]: silently_changed((page[:a] + page[b:]).encode(), "page.html", original) for a, b in cells}
    assert not {cell: keys for cell, keys in shifted.items() if keys}


def test_no_deleted_text_line_shifts_a_value() -> None:
    lines = SAMPLE.read_text("utf-8").split("\n")
    original = gds.load(SAMPLE)
    shifted = {
        i + 1: silently_changed("\n".join(lines[:i] + lines[i + 1 :]), "sample.txt", original)
        for i, line in enumerate(lines)
        if line.startswith("\t")
    }
    assert not {line: keys for line, keys in shifted.items() if keys}


@pytest.mark.parametrize("deleted", ["<td>1.属于国家秘密</td>", "<td>0</td>"])
def test_a_lost_cell_under_a_group_is_an_issue_not_a_subtotal(deleted: str) -> None:
    """The first row under （三）不予公开 loses a cell: neither its label nor its values become the group's total."""
    page = report_page()
    row = page.index("<td>1.属于国家秘密</td>")
    at = page.index(deleted, row)
    report = gds.loads((page[:at] + page[at + len(deleted) :]).encode(), source="page.html")
    assert not report.issues.empty
    withheld = report.cells[(report.cells["row"] == "withheld") & (report.cells["status"] == "number")]
    assert withheld.empty
    status = report.status("requests").loc["withheld_state_secret"]
    assert (status == "unplaced").all()


def test_the_notebook_display_marks_unplaced_cells_and_lists_the_issues() -> None:
    text = SAMPLE.read_text("utf-8").replace("\t二、上年结转政府信息公开申请数量\n\t5\n", "\t二、上年结转\n", 1)
    html = gds.loads(text, source="short.txt")._repr_html_()
    assert html.count('class="gds-cell gds-unplaced') == 7  # the seven cells of 二、上年结转
    assert 'class="gds-issue"' in html and "line 110" in html and "marked unplaced" in html
    assert "gds-unplaced" not in gds.load(SAMPLE)._repr_html_()
