"""The pandera schemas: consistent tables validate, broken ones fail at the right place."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest

from gov_disclosure_stats import synth
from gov_disclosure_stats.core.layouts import TABLES, VERSIONS, table_layout
from gov_disclosure_stats.core.rules import RuleSet
from gov_disclosure_stats.model.report import Report
from gov_disclosure_stats.validation.schemas import failure_table, report_schemas, rule_checks, schema, schemas

DATA = Path(__file__).parent / "data"
CORPUS = Path(__file__).parents[1] / ".." / "shared" / "corpus"


def _reports(version: str = "2021", n: int = 4, **kwargs) -> list[Report]:
    return synth.wide_to_reports(synth.consistent_wide(n, version, seed=7, **kwargs))


def _validate_all(report: Report) -> None:
    for table, frame in report.tables.items():
        schema(table, report.layouts[table]).validate(frame, lazy=True)


def _errors(table: str, version: str, frame: pd.DataFrame) -> pa.errors.SchemaErrors:
    with pytest.raises(pa.errors.SchemaErrors) as info:
        schema(table, version).validate(frame, lazy=True)
    return info.value


def _requests(version: str = "2021") -> pd.DataFrame:
    return _reports(version, n=1)[0].tables["requests"].copy()


# -- the schema itself ----------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_schemas_cover_the_layouts(version: str) -> None:
    found = schemas(version)
    assert set(found) == set(TABLES)
    for table, s in found.items():
        layout = table_layout(table, version)
        assert list(s.columns) == [c.code for c in layout.cell_columns]
        assert s.strict is True
        for code, column in s.columns.items():
            expected = "Float64" if layout.column_type(code) == "money" else "Int64"
            assert str(column.dtype) == expected
            assert column.nullable
            assert column.required == (not layout.column(code).is_optional)
            assert bool(column.checks) == (layout.column_type(code) != "signed")


def test_rule_checks_are_named_by_rule_id() -> None:
    names = [c.name for c in schema("requests", "2021").checks]
    assert names == [
        "requests.row_total",
        "requests.outcome_total",
        "requests.balance",
        "requests.group_subtotal",
        "requests.org_subtotal",
    ]
    assert [c.name for c in schema("review_litigation", "2019").checks] == ["review_litigation.row_total"]
    assert schema("proactive", "2021").checks == []
    assert schema("requests", "2021", rules=False).checks == []
    assert all(c.description for c in schema("requests", "2021").checks)


def test_rule_checks_take_user_rules() -> None:
    checks = rule_checks("requests", "2021", RuleSet(["requests.granted.total <= requests.new.total"]))
    assert [c.name for c in checks] == ["user.1"]
    frame = _requests()
    frame.at["granted", "total"] = frame.at["new", "total"] + 1
    with pytest.raises(pa.errors.SchemaErrors) as info:
        pa.DataFrameSchema(checks=checks).validate(frame, lazy=True)
    cases = info.value.failure_cases
    assert list(zip(cases["check"], cases["index"], cases["failure_case"].map(list), strict=True)) == [
        ("user.1", "granted", ["total"])
    ]


def test_schema_is_cached() -> None:
    assert schema("requests", "2019") is schema("requests", "2019")


# -- consistent tables validate -----------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_consistent_reports_validate(version: str) -> None:
    for report in _reports(version):
        assert set(report.tables) == set(TABLES)
        _validate_all(report)


def test_mixed_request_layout_validates() -> None:
    for report in _reports("2021", requests_layout="2019"):
        assert report.layouts["requests"] == "2019"
        assert "other_handling" in report.tables["requests"].index
        _validate_all(report)


def test_printed_subtotals_validate() -> None:
    for report in _reports("2021", subtotals=True):
        frame = report.tables["requests"]
        assert "org_subtotal" in frame.columns and "withheld" in frame.index
        _validate_all(report)


def test_report_schemas_follow_the_report_layouts() -> None:
    report = _reports("2021", n=1, requests_layout="2019")[0]
    found = report_schemas(report)
    assert found["requests"] is schema("requests", "2019")
    assert found["proactive"] is schema("proactive", "2021")
    for table, s in found.items():
        s.validate(report.tables[table], lazy=True)


def test_corpus_expected_values_validate() -> None:
    data = json.loads((DATA / "2022_beijing-shijingshan_district-government.expected.json").read_text("utf-8"))
    _validate_all(Report.from_dict(data))


# -- failures -------------------------------------------------------------------------------


def test_changed_cell_fails_both_totals_at_the_right_place() -> None:
    frame = _requests()
    frame.at["granted", "natural_person"] += 1
    errors = _errors("requests", "2021", frame)
    cases = errors.failure_cases
    assert set(cases["check"]) == {"requests.row_total", "requests.outcome_total"}
    row_total = cases[cases["check"] == "requests.row_total"].iloc[0]
    assert row_total["index"] == "granted"
    assert list(row_total["failure_case"]) == ["total"]
    outcome = cases[cases["check"] == "requests.outcome_total"].iloc[0]
    assert outcome["index"] == "total_processed"
    assert list(outcome["failure_case"]) == ["natural_person"]

    table = failure_table(errors)
    assert set(zip(table["check"], table["row"], table["column"], strict=True)) == {
        ("requests.row_total", "granted", "total"),
        ("requests.outcome_total", "total_processed", "natural_person"),
    }
    assert table["message_en"].str.len().gt(0).all()
    assert "（一）予以公开" in table.set_index("check").at["requests.row_total", "message_zh"]


def test_balance_fails_at_the_new_row_of_the_column() -> None:
    frame = _requests()
    frame.at["carried_over", "natural_person"] += 1
    frame.at["carried_over", "total"] += 1
    errors = _errors("requests", "2021", frame)
    (case,) = errors.failure_cases.to_dict(orient="records")  # both failing cells of row "new" in one case
    assert (case["check"], case["index"], sorted(case["failure_case"])) == (
        "requests.balance",
        "new",
        ["natural_person", "total"],
    )
    table = failure_table(errors)
    assert set(zip(table["check"], table["row"], table["column"], strict=True)) == {
        ("requests.balance", "new", "natural_person"),
        ("requests.balance", "new", "total"),
    }


def test_broken_subtotal_fails_only_where_printed() -> None:
    report = _reports("2021", n=1, subtotals=True)[0]
    frame = report.tables["requests"].copy()
    frame.at["withheld", "org_subtotal"] += 1
    table = failure_table(_errors("requests", "2021", frame))
    assert set(zip(table["check"], table["row"], table["column"], strict=True)) == {
        ("requests.group_subtotal", "withheld", "org_subtotal"),
        ("requests.org_subtotal", "withheld", "org_subtotal"),
    }


def test_negative_count_fails_ge_zero() -> None:
    frame = _requests()
    frame.at["new", "research"] = -1
    cases = _errors("requests", "2021", frame).failure_cases
    ge = cases[cases["check"] == "greater_than_or_equal_to(0)"]
    assert list(zip(ge["column"], ge["index"], ge["failure_case"], strict=True)) == [("research", "new", -1)]


def test_negative_signed_change_passes() -> None:
    frame = _reports("2019", n=1)[0].tables["proactive"].copy()
    frame.at["licensing", "change"] = -5
    schema("proactive", "2019").validate(frame, lazy=True)


def test_negative_money_fails() -> None:
    frame = _reports("2021", n=1)[0].tables["proactive"].copy()
    frame.at["fees", "amount_10k_yuan"] = -0.5
    cases = _errors("proactive", "2021", frame).failure_cases
    assert set(cases["column"]) == {"amount_10k_yuan"}


def test_unknown_row_code_fails() -> None:
    frame = _requests()
    frame = frame.rename(index={"granted": "granted_typo"})
    cases = _errors("requests", "2021", frame).failure_cases
    index_cases = cases[cases["schema_context"] == "Index"]
    assert list(index_cases["failure_case"]) == ["granted_typo"]
    assert list(index_cases["check"]) == [
        "isin(" + str([r.code for r in table_layout("requests", "2021").cell_rows]) + ")"
    ]


def test_duplicate_row_code_fails() -> None:
    frame = _requests()
    frame = pd.concat([frame, frame.loc[["new"]]])
    cases = _errors("requests", "2021", frame).failure_cases
    assert "field_uniqueness" in set(cases["check"])


def test_unknown_column_fails() -> None:
    frame = _requests()
    frame["guessed"] = pd.array([0] * len(frame), dtype="Int64")
    cases = _errors("requests", "2021", frame).failure_cases
    assert list(cases["failure_case"]) == ["guessed"]
    assert list(cases["check"]) == ["column_in_schema"]


def test_missing_required_column_fails() -> None:
    frame = _requests().drop(columns="total")
    cases = _errors("requests", "2021", frame).failure_cases
    assert "column_in_dataframe" in set(cases["check"])


def test_float_counts_fail_the_dtype() -> None:
    frame = _requests().astype("float64")
    cases = _errors("requests", "2021", frame).failure_cases
    assert set(cases["check"]) == {"dtype('Int64')"}


def test_nan_cell_is_unverifiable_not_failed() -> None:
    frame = _requests()
    frame.at["granted", "natural_person"] = pd.NA
    frame.at["carried_forward", "total"] = pd.NA
    schema("requests", "2021").validate(frame, lazy=True)


def test_nan_cell_does_not_hide_other_failures() -> None:
    frame = _requests()
    frame.at["granted", "natural_person"] = pd.NA
    frame.at["partly_granted", "commercial"] += 2
    table = failure_table(_errors("requests", "2021", frame))
    assert set(zip(table["check"], table["row"], table["column"], strict=True)) == {
        ("requests.row_total", "partly_granted", "total"),
        ("requests.outcome_total", "total_processed", "commercial"),
    }


def test_rules_false_skips_the_rules() -> None:
    frame = _requests()
    frame.at["granted", "natural_person"] += 1
    schema("requests", "2021", rules=False).validate(frame, lazy=True)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not available in this checkout")
def test_hongze_2023_fails_review_litigation_row_total() -> None:
    path = CORPUS / "2023_huaian-hongze_district-government.expected.json"
    report = Report.from_dict(json.loads(path.read_text("utf-8")))
    assert report.layouts["requests"] == "2019"
    for table in ("proactive", "requests"):
        schema(table, report.layouts[table]).validate(report.tables[table], lazy=True)
    errors = _errors("review_litigation", report.layouts["review_litigation"], report.tables["review_litigation"])
    assert set(errors.failure_cases["check"]) == {"review_litigation.row_total"}
    table = failure_table(errors)
    assert set(zip(table["row"], table["column"], strict=True)) == {("review", "total"), ("suit_after_review", "total")}
