"""Rules over two years: carry-over of requests and the stock of documents in force."""

from __future__ import annotations

import gov_disclosure_stats as gds
from gov_disclosure_stats.model.synth import consistent_series

from .conftest import corpus_expected


def test_generated_series_carries_over() -> None:
    frame = consistent_series(20, range(2021, 2025), seed=1)
    result = gds.validate(frame)
    assert result.ok and result.violations.empty
    summary = result.summary().set_index("rule_id")
    assert summary.loc["continuity.carry_over", "items"] == 20 * 3 * 7
    assert summary.loc["continuity.in_force_stock", "items"] == 20 * 3 * 2


def test_known_breaks_are_reported_with_both_reports() -> None:
    frame = consistent_series(5, range(2021, 2024), seed=2)
    at = frame.index[(frame["agency"] == "机关3") & (frame["year"] == 2022)][0]
    for code in ("carried_forward.natural_person", "carried_forward.total", "new.natural_person", "new.total"):
        frame.loc[at, f"requests.{code}"] += 1  # 2022 still balances; 2023 no longer carries it over
    v = gds.validate(frame).violations
    assert v["severity"].eq("soft").all()
    assert v[["report_id", "related_report_id", "rule_id", "column"]].values.tolist() == [
        ["机关3-2023", "机关3-2022", "continuity.carry_over", "natural_person"],
        ["机关3-2023", "机关3-2022", "continuity.carry_over", "total"],
    ]
    assert "上一年度" in v["message_zh"].iloc[0]


def test_renamed_agency_pairs_up_with_a_mapping() -> None:
    frame = consistent_series(2, range(2021, 2023), seed=3)
    frame.loc[frame["year"] == 2021, "agency"] = frame.loc[frame["year"] == 2021, "agency"] + "（旧）"
    plain = gds.validate(frame).summary().set_index("rule_id")
    assert plain.loc["continuity.carry_over", "items"] == 0
    mapping = {"机关0（旧）": "机关0", "机关1（旧）": "机关1"}
    mapped = gds.validate(frame, agency_map=mapping).summary().set_index("rule_id")
    assert mapped.loc["continuity.carry_over", "items"] == 2 * 7


def test_in_force_stock_break() -> None:
    frame = consistent_series(3, range(2021, 2023), seed=4)
    at = frame.index[(frame["agency"] == "机关1") & (frame["year"] == 2022)][0]
    frame.loc[at, "proactive.normative_documents.in_force"] += 2
    v = gds.validate(frame).violations
    assert v[["report_id", "rule_id", "row", "imbalance"]].values.tolist() == [
        ["机关1-2022", "continuity.in_force_stock", "normative_documents", 2]
    ]


def test_hongze_2023_to_2024() -> None:
    reports = [gds.Report.from_dict(corpus_expected(f"{y}_huaian-hongze_district-government")) for y in (2023, 2024)]
    summary = gds.ReportSet(reports).validate().summary().set_index("rule_id")
    assert summary.loc["continuity.carry_over", "passed"] == 7
    assert summary.loc["continuity.in_force_stock", "passed"] == 2
