"""diff, compare and aggregate on real and generated reports."""

from __future__ import annotations

import numpy as np
import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats.analysis.comparison import DIFF_COLUMNS, SUMMED_NOTE, movement_summary
from gov_disclosure_stats.model.synth import consistent_series, consistent_wide, wide_to_reports

from .conftest import SAMPLE, corpus_expected


def _hongze(year: int) -> gds.Report:
    return gds.Report.from_dict(corpus_expected(f"{year}_huaian-hongze_district-government"))


def _changed(report: gds.Report, code: str, value: float) -> gds.Report:
    data = report.to_dict()
    table, row, column = code.split(".")
    data["tables"][table][row][column] = value
    return gds.Report.from_dict(data)


def test_same_report_is_all_same() -> None:
    report = gds.load(SAMPLE)
    d = gds.diff(report, report)
    assert list(d.columns) == DIFF_COLUMNS
    assert len(d) == 200 and (d["status"] == "same").all()


def test_one_changed_cell() -> None:
    a = gds.load(SAMPLE)
    b = _changed(a, "requests.granted.natural_person", 279)
    d = gds.diff(a, b)
    changed = d[d["status"] == "changed"]
    assert changed[["table", "row", "column", "a", "b", "delta"]].values.tolist() == [
        ["requests", "granted", "natural_person", 297, 279, -18]
    ]
    assert changed["label_zh"].item() == "（一）予以公开 / 自然人"
    assert changed["rel_change"].item() == pytest.approx(-18 / 297)


def test_missing_and_only_statuses() -> None:
    a = gds.load(SAMPLE)
    b = _changed(a, "requests.new.research", None)
    d = gds.diff(a, b).set_index(["table", "row", "column"])
    assert d.loc[("requests", "new", "research"), "status"] == "missing_in_b"
    assert np.isnan(d.loc[("requests", "new", "research"), "b"])
    assert gds.diff(b, a).set_index(["table", "row", "column"]).loc[("requests", "new", "research"), "status"] == (
        "missing_in_a"
    )


def test_other_handling_bridges_2019_and_2021_layouts() -> None:
    sample = gds.load(SAMPLE)  # 2021 request layout, （六） as three sub-items: 7 + 0 + 10
    hongze = _hongze(2023)  # （六） printed as one row
    d = gds.diff(sample, hongze).set_index(["table", "row", "column"])
    summed = d.loc[("requests", "other_handling", "natural_person")]
    assert (summed["a"], summed["b"], summed["note"]) == (17, 0, SUMMED_NOTE)
    assert d.loc[("requests", "other_other", "natural_person"), "status"] == "only_a"
    assert d.loc[("requests", "granted", "natural_person"), "status"] == "changed"


def test_compare_rule_movement() -> None:
    moves = gds.compare(_hongze(2023), _hongze(2024))
    fixed = moves[moves["movement"] == "fixed"]
    assert fixed[["rule_id", "row"]].values.tolist() == [
        ["review_litigation.row_total", "review"],
        ["review_litigation.row_total", "suit_after_review"],
    ]
    summary = movement_summary(moves)
    assert summary.loc["requests.balance", "still_passing"] == 7
    broken = _changed(_hongze(2024), "requests.new.total", 99)
    newly = gds.compare(_hongze(2024), broken)
    assert set(newly.loc[newly["movement"] == "newly_failing", "rule_id"]) == {
        "requests.row_total",
        "requests.balance",
    }


def test_collection_diff_matches_by_agency_and_year() -> None:
    frame = consistent_series(4, range(2021, 2023), seed=5)
    a = gds.ReportSet(wide_to_reports(frame))
    edited = frame.copy()
    edited.loc[0, "requests.granted.natural_person"] += 5
    b = gds.ReportSet(wide_to_reports(edited.iloc[1:]))  # the first report of a is missing from b...
    b = gds.ReportSet([*b, *wide_to_reports(edited.iloc[[0]].assign(agency="新机关"))])  # ...and one is renamed
    d = gds.diff(a, b)
    assert {"report_a", "report_b", "agency", "year"} <= set(d.columns)
    assert (d.loc[d["report_a"].notna() & d["report_b"].notna(), "status"] == "same").all()
    alone = d[d["row"].isna()]
    assert sorted(alone["status"]) == ["only_a", "only_b"]
    mapped = gds.diff(a, b, agency_map={"新机关": "机关0"})
    changed = mapped[mapped["status"] == "changed"]
    assert changed[["agency", "year", "row", "column", "delta"]].values.tolist() == [
        ["机关0", 2021, "granted", "natural_person", 5]
    ]


def test_aggregate_sums_units_and_diffs_with_a_parent() -> None:
    units = wide_to_reports(consistent_wide(4, "2021", seed=6))
    units += wide_to_reports(consistent_wide(2, "2021", seed=7, requests_layout="2019"))
    total = gds.aggregate(units, agency="某区", year=2022)
    assert total.layouts["requests"] == "2019"
    assert gds.validate(total).ok  # sums of consistent tables are consistent
    expected = sum(u.value("requests.new.total") for u in units)
    assert total.value("requests.new.total") == expected
    parent = _changed(total, "requests.new.total", expected + 3)
    d = gds.diff(total, parent)
    assert d.loc[d["status"] == "changed", ["row", "column", "delta"]].values.tolist() == [["new", "total", 3]]


def test_aggregate_keeps_unknown_cells_unknown() -> None:
    units = wide_to_reports(consistent_wide(3, "2021", seed=8))
    units[1] = _changed(units[1], "requests.new.research", None)
    total = gds.aggregate(units)
    assert total.value("requests.new.research") is None
    assert total.status("requests").loc["new", "research"] == "blank"
    assert gds.aggregate(units, blank_as_zero=True).value("requests.new.research") is not None
