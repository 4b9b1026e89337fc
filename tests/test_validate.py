"""Validation on real reports, wide frames, missing values and the result object."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats.model.result import VIOLATION_COLUMNS
from gov_disclosure_stats.model.synth import consistent_wide, wide_to_reports

from .conftest import SAMPLE, corpus_expected


def _with(report: gds.Report, code: str, raw: str, status: str, value: float = np.nan) -> gds.Report:
    """A copy of ``report`` whose cell ``code`` holds something else."""
    table, row, column = code.split(".")
    cells = report.cells.copy()
    hit = (cells["table"] == table) & (cells["row"] == row) & (cells["column"] == column)
    assert hit.sum() == 1
    cells.loc[hit, ["value", "raw", "status"]] = [value, raw, status]
    return gds.Report(cells, template=report.template, agency=report.agency, year=report.year, source=report.source)


@pytest.fixture(scope="module")
def sample() -> gds.Report:
    return gds.load(SAMPLE)


def test_sample_passes_every_hard_rule(sample: gds.Report) -> None:
    result = gds.validate(sample)
    assert result.ok
    assert result.violations.empty
    summary = result.summary().set_index("rule_id")
    assert summary.loc["requests.row_total", "items"] == 25
    assert summary.loc["requests.balance", "items"] == 7
    assert summary.loc["review_litigation.row_total", "passed"] == 3
    assert summary["unverifiable"].sum() == 0


def test_hongze_2023_review_totals_are_reported() -> None:
    report = gds.Report.from_dict(corpus_expected("2023_huaian-hongze_district-government"))
    result = gds.validate(report)
    assert not result.ok
    v = result.violations
    assert list(v.columns[: len(VIOLATION_COLUMNS)]) == VIOLATION_COLUMNS
    assert v[["rule_id", "row", "column", "lhs", "rhs", "imbalance"]].values.tolist() == [
        ["review_litigation.row_total", "review", "total", 0, 11, -11],
        ["review_litigation.row_total", "suit_after_review", "total", 0, 5, -5],
    ]
    assert "review_litigation.review.upheld" in v["cells"].iloc[0]
    assert v["where"].tolist() == ["dict", "dict"]  # built from a dict: no page or line
    assert "行政复议" in v["message_zh"].iloc[0] and "11" in v["message_en"].iloc[0]
    assert report.layouts["requests"] == "2019"  # （六）其他处理 printed as one row


def test_hongze_2024_passes() -> None:
    report = gds.Report.from_dict(corpus_expected("2024_huaian-hongze_district-government"))
    assert gds.validate(report).ok


def test_wide_list_and_single_agree(sample: gds.Report) -> None:
    broken = _with(sample, "requests.granted.natural_person", "298", "number", 298.0)
    one = gds.validate(broken).violations
    many = gds.validate([sample, broken]).violations
    wide = gds.validate(gds.reports_to_wide([sample, broken])).violations
    cols = ["rule_id", "row", "column", "lhs", "rhs"]
    assert one[cols].values.tolist() == many[cols].values.tolist() == wide[cols].values.tolist()
    assert set(one["rule_id"]) == {"requests.row_total", "requests.outcome_total"}


def test_text_cell_is_unverifiable_not_zero(sample: gds.Report) -> None:
    report = _with(sample, "requests.new.natural_person", "约五百", "text")
    result = gds.validate(report, blank_as_zero=True)
    assert result.ok
    summary = result.summary().set_index("rule_id")
    assert summary.loc["requests.row_total", "unverifiable"] == 1
    assert summary.loc["requests.balance", "unverifiable"] == 1
    unv = result.unverifiable
    assert set(unv["rule_id"]) == {"requests.row_total", "requests.balance"}
    assert all(m == ("requests.new.natural_person",) for m in unv["missing"])
    present = result.violations[result.violations["rule_id"] == "cells.present"]
    assert present["cells"].tolist() == [("requests.new.natural_person",)]
    assert (present["severity"] == "soft").all()


def test_blank_as_zero_reads_blanks_only(sample: gds.Report) -> None:
    blank = _with(sample, "requests.new.research", "", "blank")
    assert gds.validate(blank).summary().set_index("rule_id").loc["requests.row_total", "unverifiable"] == 1
    as_zero = gds.validate(blank, blank_as_zero=True)
    assert as_zero.summary()["unverifiable"].sum() == 0 and as_zero.ok
    assert as_zero.reports["blank_as_zero"].all()
    present = as_zero.violations.query("rule_id == 'cells.present'")
    assert present["lhs"].isna().all() and "（值" not in present["message_zh"].item()
    slash = _with(sample, "requests.new.research", "/", "not_applicable")
    assert (
        gds.validate(slash, blank_as_zero=True).summary().set_index("rule_id").loc["requests.row_total", "unverifiable"]
        == 1
    )


def test_optional_subtotals_checked_only_when_printed() -> None:
    frame = consistent_wide(20, "2021", seed=4, subtotals=True)
    result = gds.validate(frame)
    summary = result.summary().set_index("rule_id")
    assert result.ok and summary.loc["requests.group_subtotal", "items"] == 20 * 4 * 8
    assert summary.loc["requests.org_subtotal", "items"] == 20 * 29
    frame.loc[3, "requests.withheld.natural_person"] += 1
    v = gds.validate(frame).violations
    assert set(v["rule_id"]) == {"requests.group_subtotal", "requests.row_total"}
    assert (v["report_id"] == frame.loc[3, "report_id"]).all()
    plain = consistent_wide(5, "2021", seed=4)
    assert gds.validate(plain).summary().set_index("rule_id").loc["requests.group_subtotal", "items"] == 0


def test_money_and_signed_cells() -> None:
    frame = consistent_wide(3, "2019", seed=5)
    frame.loc[0, "proactive.licensing.change"] = -7  # signed: fine
    frame.loc[1, "proactive.licensing.decisions"] = -1
    frame.loc[2, "proactive.procurement.amount"] = 1234.56  # money: decimals fine
    frame.loc[2, "proactive.penalty.decisions"] = 3.5
    v = gds.validate(frame).violations
    assert v[["report_id", "rule_id", "row", "column"]].values.tolist() == [
        [frame.loc[1, "report_id"], "cells.non_negative", "licensing", "decisions"],
        [frame.loc[2, "report_id"], "cells.integer", "penalty", "decisions"],
    ]


def test_user_rules_from_strings() -> None:
    frame = consistent_wide(10, "2021", seed=6)
    rule = "requests.granted.total + requests.partly_granted.total <= requests.new.total + requests.carried_over.total"
    result = gds.validate(frame, rules=[*gds.catalog(), rule])
    assert result.summary().set_index("rule_id").loc["user.1", "items"] == 10
    frame.loc[0, "requests.granted.total"] = 10_000
    v = gds.validate(frame, rules=[rule]).violations
    assert v["rule_id"].tolist() == ["user.1"] and v["lhs"].iloc[0] > v["rhs"].iloc[0]


def test_wide_frame_infers_one_row_other_handling() -> None:
    frame = consistent_wide(4, "2021", seed=7, requests_layout="2019").drop(columns="layout.requests")
    result = gds.validate(frame)
    assert result.ok
    assert (result.reports["layout.requests"] == "2019").all()


def test_result_outputs(sample: gds.Report) -> None:
    broken = _with(sample, "review_litigation.review.total", "13", "number", 13.0)
    result = gds.validate([sample, broken])
    data = json.loads(result.to_json())
    assert data["ok"] is False and data["blank_as_zero"] is False
    assert [r["ok"] for r in data["reports"]] == [True, False]
    assert data["violations"][0]["cells"][0] == "review_litigation.review.total"
    assert data["violations"][0]["lhs"] == 13
    with pytest.raises(gds.ValidationFailed, match=r"review_litigation\.row_total"):
        result.raise_for_failures()
    assert gds.validate(sample).raise_for_failures().ok
    assert "FAILED" in repr(result)


def test_consistent_reports_objects_pass() -> None:
    for version in gds.VERSIONS:
        reports = wide_to_reports(consistent_wide(3, version, seed=8, subtotals=True))
        assert gds.validate(reports).ok


def test_bad_input_types() -> None:
    with pytest.raises(TypeError):
        gds.validate([1, 2])
    with pytest.raises(ValueError, match="template"):
        gds.validate(pd.DataFrame({"requests.new.total": [1]}))
    with pytest.raises(ValueError, match="unknown cell codes"):
        gds.validate(pd.DataFrame({"template": ["2021"], "requests.nonsense.total": [1]}))


def test_violations_point_to_the_source(sample: gds.Report) -> None:
    broken = _with(sample, "review_litigation.review.total", "13", "number", 13.0)
    v = gds.validate(broken).violations
    assert v["where"].tolist() == [sample.where("review_litigation.review.total")]
    assert v["where"].iloc[0].startswith("line ")
    assert "where" not in gds.validate(gds.reports_to_wide([broken])).violations


def test_an_empty_collection_validates_to_an_empty_result_with_the_usual_column_types() -> None:
    result = gds.validate([])
    assert result.ok and result.violations.empty and len(result.reports) == 0
    assert result.summary()["items"].sum() == 0
    typed = gds.validate(gds.load(SAMPLE)).reports.dtypes
    assert result.reports.dtypes.equals(typed), "an empty result's columns keep their types (merges on report_id work)"
