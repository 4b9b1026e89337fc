"""``render.to_text``: a report printed in the plain-text format loads back to the same report."""

from __future__ import annotations

import pandas as pd
import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats.model.synth import consistent_wide, wide_to_reports
from gov_disclosure_stats.show.render import to_text

from .conftest import SAMPLE


def assert_same(a: gds.Report, b: gds.Report) -> None:
    """Same metadata, layouts, values and cell statuses."""
    assert (a.agency, a.year, a.template, a.layouts) == (b.agency, b.year, b.template, b.layouts)
    assert a.to_dict()["tables"] == b.to_dict()["tables"]
    for table in a.layouts:
        pd.testing.assert_frame_equal(a.status(table), b.status(table))


@pytest.mark.parametrize(
    "options",
    [
        {"version": "2021"},
        {"version": "2019"},
        {"version": "2021", "requests_layout": "2019"},
        {"version": "2021", "subtotals": True},
        {"version": "2019", "subtotals": True},
    ],
    ids=["2021", "2019", "2021-with-2019-requests", "2021-subtotals", "2019-subtotals"],
)
def test_generated_reports_round_trip(options: dict) -> None:
    for report in wide_to_reports(consistent_wide(4, seed=11, **options)):
        assert_same(report, gds.loads(to_text(report), source="generated.txt"))


def test_sample_round_trips_and_reads_like_the_sample() -> None:
    sample = gds.load(SAMPLE)
    text = to_text(sample)
    assert text.startswith("北京市石景山区人民政府2022年政府信息公开工作年度报告\n")
    assert "\t（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\n\t申请人情况\n" in text
    assert "\t行政事业性收费\n\t4934.0578\n" in text
    assert_same(sample, gds.loads(text, source="sample.txt"))


def test_blanks_marks_and_text_keep_their_status() -> None:
    text = SAMPLE.read_text("utf-8").replace("\t4\n\t5\n\t1\n\t2\n\t12\n", "\t4\n\t/\n\t\n\t2\n\t未统计\n")
    report = gds.loads(text, source="odd.txt")
    status = report.status("review_litigation").loc["review"]
    assert list(status[["corrected", "other", "total"]]) == ["not_applicable", "blank", "text"]
    assert_same(report, gds.loads(to_text(report), source="odd.txt"))
