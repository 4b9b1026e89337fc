"""Every report of the shared corpus (real published files) loads to its expected values.

A cell may be ``ambiguous`` instead where the corpus README says the table alone cannot settle it (a glued
proactive row such as ``8855698``): then the expected value is among its candidates and an issue names it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import gov_disclosure_stats as gds

from .conftest import NO_CORPUS, assert_matches_expected, corpus_reports

REPORTS = corpus_reports()


@pytest.mark.parametrize("path", REPORTS or [None], ids=lambda p: p.name if p else "no-corpus")
def test_real_report_loads_to_its_expected_values(path: Path | None) -> None:
    if path is None:
        pytest.skip(NO_CORPUS)
    expected = json.loads(path.with_name(path.stem + ".expected.json").read_text("utf-8"))
    report = gds.load(path)
    assert_matches_expected(report, expected)
    assert (report.year, report.template) == (expected["year"], expected["template"])
    if report.agency != expected["agency"]:  # an OCR-misread name: the README accepts what the file itself says
        accepted = any("it is what the file says" in note for note in expected.get("notes", []))
        assert accepted and report.agency in " ".join(p.text for p in report.paragraphs), report.agency
    # what the loader could not settle is listed, never an error of another kind
    assert set(report.issues["kind"]) <= {"ambiguous_split", "placed_by_position"}, report.issues.to_string()
