"""Tables that lost their layout (:mod:`gov_disclosure_stats.loading.flow`): the sample report flattened as crawlers and
copied pages flatten real ones, loaded back cell for cell; what the text cannot settle is marked, never guessed."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

import gov_disclosure_stats as gds

from .conftest import SAMPLE, assert_matches_expected, edited

FIRST_TABLE = "二、主动公开政府信息情况"


def flattened(text: str, between_numbers: str) -> str:
    """The sample with everything from the first table on as one line: labels, numbers and prose run together,
    two numbers in a row separated by ``between_numbers`` ("" glues them as crawlers do)."""
    head, rest = text[: text.index(FIRST_TABLE)], text[text.index(FIRST_TABLE) :]
    words = [line.strip() for line in rest.splitlines() if line.strip()]
    out = words[0]
    for before, word in pairwise(words):
        both_numbers = re.fullmatch(r"[\d.]+", before) and re.fullmatch(r"[\d.]+", word)
        out += (between_numbers if both_numbers else "") + word
    return head + out + "\n"


def fragments(text: str, size: int = 2) -> str:
    """The sample with every line cut into pieces of ``size`` characters, one per line, without indentation."""
    lines = []
    for line in text.splitlines():
        word = line.strip()
        if not word:
            continue
        if re.fullmatch(r"[\d.]+", word):
            lines.append(word)  # a number stays whole (its own span)
        else:
            lines += [word[i : i + size] for i in range(0, len(word), size)]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def expected() -> dict:
    return gds.load(SAMPLE).to_dict()


def test_one_line_with_spaced_numbers_loads_exactly(text: str, expected: dict) -> None:
    report = gds.loads(flattened(text, " "), source="flat.txt")
    assert report.to_dict()["tables"] == expected["tables"]
    assert report.issues.empty
    assert (report.agency, report.year) == (expected["agency"], expected["year"])
    # places point into the long line
    assert re.fullmatch(r"line \d+, column \d+", report.where("requests.new.total") or "")


def test_one_line_with_glued_numbers_is_split_by_the_rules(text: str, expected: dict) -> None:
    report = gds.loads(flattened(text, ""), source="glued.txt")
    assert_matches_expected(report, expected)  # every cell right, or ambiguous with the right candidate, and listed
    # the rules settle every request and review cell; the proactive table has no rules to split 7030192 by
    undecided = report.cells[report.cells["status"] != "number"]
    assert set(zip(undecided["table"], undecided["row"], strict=True)) == {("proactive", "normative_documents")}
    assert set(report.issues["kind"]) == {"ambiguous_split"}


def test_fragments_one_per_line_load_exactly(text: str, expected: dict) -> None:
    report = gds.loads(fragments(text), source="fragments.txt")
    assert report.to_dict()["tables"] == expected["tables"]
    assert report.issues.empty


def test_a_dropped_blank_cell_leaves_its_row_unplaced_never_shifted(text: str, expected: dict) -> None:
    """A page that drops an empty cell: the row has a value too few. Its cells are unplaced, its neighbours exact."""
    row = "\t一、本年新收政府信息公开申请数量\n\t504\n\t25\n\t0\n"
    assert text.count(row) == 1
    dropped = fragments(edited(text, row, "\t一、本年新收政府信息公开申请数量\n\t504\n\t25\n"))
    report = gds.loads(dropped, source="dropped.txt")
    status = report.status("requests")
    assert (status.loc["new"] == "unplaced").all()
    tables = report.to_dict()["tables"]
    assert all(v is None for v in tables["requests"]["new"].values())
    for name, rows in expected["tables"].items():
        for code, cells in rows.items():
            if (name, code) != ("requests", "new"):
                assert tables[name][code] == cells, (name, code)
    issue = report.issues.iloc[0]
    assert (issue["table"], issue["row"], issue["action"]) == ("requests", "new", "marked_unplaced")
    assert issue["kind"] == "run_split"  # six numbers: no split of their digits into seven adds up
    assert issue["raw"] == "504 25 0 0 1 530" and "expected 7 values" in issue["message_en"]
    result = gds.validate(report)
    touched = result.unverifiable[result.unverifiable["rule_id"] == "requests.row_total"]
    assert len(touched) >= 1  # the rules over the row are unverifiable, neither passed nor failed
    with pytest.raises(gds.LoadError, match="expected 7 values"):
        gds.loads(dropped, source="dropped.txt", strict=True)


def test_every_issue_kind_and_action_is_documented() -> None:
    from pathlib import Path

    from gov_disclosure_stats.model.issues import ACTIONS, KINDS

    page = (Path(__file__).parents[1] / "docs" / "loading.md").read_text("utf-8")
    assert all(f"| `{name}` |" in page for name in [*KINDS, *ACTIONS])
