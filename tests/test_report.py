"""The Report model: layouts, the expected.json shape, long and wide formats."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats.core.errors import DataError
from gov_disclosure_stats.core.layouts import TABLES, cell_universe, table_layout, version_for_year
from gov_disclosure_stats.model import report as report_module
from gov_disclosure_stats.model import synth
from gov_disclosure_stats.model.collection import ReportSet
from gov_disclosure_stats.model.report import json_text, long_frame

from .conftest import NO_CORPUS, SAMPLE, corpus_reports


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


# -- the fast views and conversions equal the straightforward ones ------------------------------------------------
#
# The reference functions below are the pandas-by-the-book way the views were first written (pivot, reindex,
# astype, cell-by-cell ``.at``, ``json.dumps``); the Report's own are built from one pivot of its cells.


def reference_frame(report: gds.Report, table: str, what: str) -> pd.DataFrame:
    layout = report.layout(table)
    part = report.cells[report.cells["table"] == table]
    rows = [r.code for r in layout.cell_rows if r.code in set(part["row"]) or not r.is_optional]
    cols = [c.code for c in layout.cell_columns if c.code in set(part["column"]) or not c.is_optional]
    wide = part.pivot(index="row", columns="column", values=what).reindex(index=rows, columns=cols)
    wide.index.name, wide.columns.name = "row", None
    if what != "value":
        return wide.astype("string")

    def dtype(column: str) -> str:
        if layout.column_type(column) == "money":
            return "Float64"
        numbers = pd.to_numeric(wide[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return "Int64" if bool(np.all(np.isnan(numbers) | (numbers == np.rint(numbers)))) else "Float64"

    return wide.astype({c: dtype(c) for c in cols})


def reference_dict(report: gds.Report) -> dict:
    tables = {}
    for table in (t for t in TABLES if t in report.layouts):
        frame = reference_frame(report, table, "value")

        def plain(value: object) -> int | float | None:
            if value is None or pd.isna(value):
                return None
            return float(value) if isinstance(value, float) else int(value)

        tables[table] = {
            row: {
                col: plain(frame.at[row, col]) for col in report.layout(table).row_columns(row) if col in frame.columns
            }
            for row in frame.index
        }
    return {
        "template": report.template,
        "year": report.year,
        "agency": report.agency,
        "source": report.source,
        "tables": tables,
    }


def assert_same_frame(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_index_type=True, check_column_type=True)
    assert got.index.name == want.index.name and got.columns.name == want.columns.name
    assert got.dtypes.tolist() == want.dtypes.tolist()


def assert_views_match_reference(report: gds.Report) -> None:
    """Every view and conversion of ``report`` equals the reference, value types included (3 is not 3.0)."""
    assert list(report.tables) == [t for t in TABLES if t in report.layouts]
    for table in report.tables:
        want = reference_frame(report, table, "value")
        assert_same_frame(report.tables[table], want)
        layout = report.layout(table)
        assert_same_frame(report.labelled(table), want.rename(index=layout.row_label, columns=layout.column_label))
        assert_same_frame(report.status(table), reference_frame(report, table, "status"))
        assert_same_frame(report.raw(table), reference_frame(report, table, "raw"))
    want = reference_dict(report)
    got = report.to_dict()
    assert got == want
    for indent in (None, 0, 1, 2, "\t"):
        assert report.to_json(indent) == json.dumps(want, ensure_ascii=False, indent=indent)
    again = gds.Report.from_dict(json.loads(report.to_json()))
    assert json.dumps(again.to_dict()["tables"]) == json.dumps(got["tables"])


def cell_rows(report: gds.Report) -> list[list]:
    return report.cells.to_numpy(dtype=object).tolist()


def with_cells(report: gds.Report, rows: list[list], **kwargs) -> gds.Report:
    fields = {"template": report.template, "agency": report.agency, "year": report.year, "source": report.source}
    return gds.Report(cells=long_frame([tuple(r) for r in rows]), **{**fields, **kwargs})


def messy_reports() -> dict[str, gds.Report]:
    """Reports with every kind of cell the loaders give, and shapes hand-built frames can take."""
    sample = gds.load(SAMPLE)
    out = {"sample": sample}
    rows = cell_rows(sample)

    def edit(table: str, row: str, column: str, value: float, raw: str, status: str) -> None:
        for cell in rows:
            if cell[:3] == [table, row, column]:
                cell[3:6] = [value, raw, status]
                return
        raise AssertionError((table, row, column))

    edit("requests", "new", "natural_person", np.nan, "", "blank")
    edit("requests", "new", "commercial", np.nan, "见附件", "text")
    edit("requests", "new", "research", np.nan, "/", "not_applicable")
    edit("requests", "granted", "total", np.nan, "713000074 → 713 or 7130", "ambiguous")
    edit("requests", "partly_granted", "total", np.nan, "", "unplaced")
    edit("requests", "carried_over", "total", np.nan, "9" * 30, "out_of_range")
    edit("requests", "withheld_query", "natural_person", 504.5, "504.5", "number")  # a fraction: Float64 column
    edit("proactive", "fees", "amount_10k_yuan", 25.1, "251000元", "number")
    for cell in rows:
        if cell[0] == "review_litigation" and cell[1] == "suit_direct":
            cell[3:6] = [np.nan, "", "omitted"]
    rows = [c for c in rows if not (c[0] == "requests" and c[1] == "not_processed_repeat")]  # a row left out
    rows.append(["requests", "no_such_row", "total", 3.0, "3", "number", "line 1"])  # outside the layout
    rows.append(["requests", "new", "no_such_column", 3.0, "3", "number", "line 1"])
    out["every status"] = with_cells(sample, rows)
    out["no review table"] = with_cells(
        sample, [c for c in cell_rows(sample) if c[0] != "review_litigation"], agency=None, year=None
    )
    out["proactive only, 2019"] = with_cells(
        sample, [["proactive", "regulations", "issued", 1.0, "1", "number", "x"]], template="2019"
    )
    out["a printed subtotal with no column"] = with_cells(
        sample, [*cell_rows(sample), ["requests", "not_processed", "no_such_column", 1.0, "1", "number", "x"]]
    )
    odd_raw = cell_rows(sample)
    odd_raw[0][4], odd_raw[1][4] = 5, np.nan  # raw text as a hand-built frame may hold it: a number, a NaN
    out["raw that is not text"] = with_cells(sample, odd_raw)
    blank_wide = synth.consistent_wide(1, "2019", seed=3, subtotals=True)
    blank_wide.iloc[0, blank_wide.columns.get_loc("requests.new.total")] = np.nan
    out["2019 with subtotals and a blank"] = synth.wide_to_reports(blank_wide)[0]
    return out


@pytest.mark.parametrize("name", list(messy_reports()))
def test_views_equal_the_reference(name: str) -> None:
    assert_views_match_reference(messy_reports()[name])


@pytest.mark.parametrize("storage", ["python", "pyarrow"])
def test_views_equal_the_reference_in_either_string_storage(storage: str) -> None:
    pytest.importorskip("pyarrow") if storage == "pyarrow" else None
    with pd.option_context("mode.string_storage", storage):
        report = messy_reports()["every status"]
        assert report.status("requests").dtypes.iloc[0].storage == storage
        assert_views_match_reference(report)


def test_views_equal_the_reference_through_the_public_constructor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where pandas lacks the internals for building blocks the frames come from ``pd.DataFrame``, the same."""
    monkeypatch.setattr(report_module, "_BLOCK_FRAME", None)
    assert_views_match_reference(messy_reports()["every status"])


def test_synthetic_layouts_equal_the_reference() -> None:
    """2021, 2021 with （六） as one row, 2019 and 2021 with printed subtotals, and their dict round trips."""
    for report in synth.wide_to_reports(synth.mixed_corpus(20)):
        assert_views_match_reference(report)


@pytest.mark.parametrize("path", corpus_reports() or [None], ids=lambda p: getattr(p, "name", "absent"))
def test_corpus_reports_equal_the_reference(path: Path | None) -> None:
    if path is None:
        pytest.skip(NO_CORPUS)
    assert_views_match_reference(gds.load(path))


def test_a_cell_given_twice_is_a_data_error() -> None:
    sample = gds.load(SAMPLE)
    rows = cell_rows(sample)
    twice = with_cells(sample, [*rows, next(r for r in rows if r[0] == "requests")])
    with pytest.raises(DataError, match="more than once"):
        twice.to_dict()


def test_views_follow_new_cells_and_own_their_axes() -> None:
    report = gds.load(SAMPLE)
    first = report.status("requests")
    first.index.name = "changed"
    first.loc["new", "total"] = "text"
    assert report.status("requests").index.name == "row"
    assert report.status("requests").loc["new", "total"] == "number"
    labelled = report.labelled("requests")
    labelled.iloc[0, 0] = 999
    assert report.tables["requests"].iloc[0, 0] != 999
    assert report.tables is report.tables
    report.cells = report.cells[report.cells["table"] != "proactive"].reset_index(drop=True)
    assert report.to_dict()["tables"]["proactive"]["regulations"]["issued"] is None
    assert report.tables["proactive"].isna().all().all()


def test_json_text_writes_what_json_dumps_writes() -> None:
    data = {
        "text": 'quote " back \\ new\nline \t tab \u2028 中文 \x01',
        "numbers": {"int": -3, "float": 0.1, "big": 2**53, "tiny": 5e-324, "nan": float("nan"), "inf": float("inf")},
        "flags": {"yes": True, "no": False, "none": None},
        "empty": {},
        "nested": {"a": {"b": {"c": {}}}},
    }
    for indent in (None, 0, 1, 4, "  "):
        assert json_text(data, indent) == json.dumps(data, ensure_ascii=False, indent=indent)
    assert json_text({"list": [1]}) is None and json_text({1: 2}) is None and json_text({"x": np.int64(1)}) is None


# -- many reports as one long frame ---------------------------------------------------------------------------


def reference_long(reports: list[gds.Report]) -> pd.DataFrame:
    return pd.concat([r.to_long() for r in reports], ignore_index=True)


def assert_same_long(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_index_type=True, check_column_type=True)
    assert got.dtypes.tolist() == want.dtypes.tolist()


def test_reports_to_long_equals_report_by_report() -> None:
    messy = list(messy_reports().values())
    synthetic = synth.wide_to_reports(synth.mixed_corpus(12))
    empty = gds.Report(cells=long_frame([]), template="2021", agency="空", year=2022)
    cases = [
        synthetic,
        messy,
        [*synthetic[:3], *messy],
        [messy[0]],
        [empty, synthetic[0]],
        [messy[2], empty],  # agency and year None, then set: object columns
    ]
    for reports in cases:
        assert_same_long(gds.reports_to_long(reports), reference_long(reports))
        assert_same_long(ReportSet(reports).to_long(), reference_long(reports))


def test_a_hand_built_frame_goes_report_by_report() -> None:
    sample = gds.load(SAMPLE)
    typed = sample.cells.astype({"table": "str", "row": "str"})  # str columns, not object
    odd = gds.Report(cells=typed, template="2021", agency="甲", year=np.int64(2022))
    reports = [sample, odd]
    assert_same_long(gds.reports_to_long(reports), reference_long(reports))


def test_a_wide_set_converts_to_long_without_reports() -> None:
    frame = synth.mixed_corpus(30)
    frame.loc[3, "requests.new.total"] = np.nan
    frame.loc[4, "year"] = np.nan
    frame["agency"] = frame["agency"].astype(object)
    frame.loc[5, "agency"] = None
    marks = "requests.new.natural_person"
    frame[marks] = frame[marks].astype(object)
    frame.loc[7, marks], frame.loc[8, marks] = "/", "见附件"  # not applicable, text
    frame.loc[9, "proactive.fees.amount_10k_yuan"] = 0.1 + 0.2  # a value whose printed form has many digits
    reports = ReportSet.from_wide(frame)
    got = reports.to_long()
    assert reports._reports is None  # no Report objects were made
    assert_same_long(got, reference_long(ReportSet.from_wide(frame).matrix.to_reports()))
    frame.loc[6, "agency"] = np.nan  # a float among the names: an object column, as pd.concat makes it
    assert_same_long(ReportSet.from_wide(frame).to_long(), reference_long(ReportSet.from_wide(frame).reports))
