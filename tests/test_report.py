"""The Report model: layouts, the expected.json shape, long and wide formats."""

from __future__ import annotations

import pandas as pd

import gov_disclosure_stats as gds
from gov_disclosure_stats.core.layouts import cell_universe, table_layout, version_for_year

from .conftest import SAMPLE


def test_layouts_are_data() -> None:
    req = table_layout("requests", "2021")
    assert len(req.required_cells) == 25 * 7
    assert req.leaves("applicants", "columns") == (
        "natural_person",
        "commercial",
        "research",
        "social_welfare",
        "legal_services",
        "other_org",
    )
    assert table_layout("proactive", "2021").row_columns("fees") == ("amount_10k_yuan",)
    assert table_layout("proactive", "2019").column_type("change") == "signed"
    assert version_for_year(2020) == "2019" and version_for_year(2025) == "2021"
    assert len(cell_universe()) == len(set(cell_universe()))


def test_dict_round_trip(sample_expected: dict) -> None:
    report = gds.Report.from_dict(sample_expected)
    again = gds.Report.from_dict(report.to_dict())
    assert again.to_dict()["tables"] == sample_expected["tables"]
    assert report.to_dict()["tables"] == sample_expected["tables"]
    assert report.tables["requests"].dtypes.unique().tolist() == [pd.Int64Dtype()]
    assert report.tables["proactive"]["amount_10k_yuan"].dtype == pd.Float64Dtype()


def test_loaded_sample_equals_expected(sample_expected: dict) -> None:
    report = gds.load(SAMPLE)
    assert report.to_dict()["tables"] == sample_expected["tables"]
    assert (report.agency, report.year, report.template) == ("北京市石景山区人民政府", 2022, "2021")


def test_long_and_wide_formats(sample_expected: dict) -> None:
    report = gds.load(SAMPLE)
    long = report.to_long()
    assert {"report_id", "agency", "year", "template", "table", "row", "column", "value", "raw", "status"} <= set(long)
    assert len(long) == 200
    hit = long[(long["row"] == "new") & (long["column"] == "total")]
    assert hit["value"].item() == 530 and hit["raw"].item() == "530"
    wide = report.to_wide()
    assert wide.shape[0] == 1 and wide["requests.new.total"].item() == 530
    assert wide["template"].item() == "2021" and wide["layout.requests"].item() == "2021"
    both = gds.reports_to_long([report, gds.Report.from_dict(sample_expected)])
    assert len(both) == 400


def test_labelled_and_status_views() -> None:
    report = gds.load(SAMPLE)
    labelled = report.labelled("review_litigation")
    assert labelled.loc["行政诉讼·复议后起诉", "总计"] == 4
    assert report.status("requests").loc["new", "total"] == "number"
    assert report.raw("proactive").loc["fees", "amount_10k_yuan"] == "4934.0578"
    assert report.value("requests.carried_forward.total") == 11
