"""Spreadsheets and the library's own formats: printed tables in .xlsx/.csv, long, wide and JSON round trips."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from gov_disclosure_stats.core.errors import LoadError
from gov_disclosure_stats.loading.loader import load, loads
from gov_disclosure_stats.loading.readers import pick_reader
from gov_disclosure_stats.model.report import Report
from gov_disclosure_stats.model.synth import consistent_wide, wide_to_reports
from tests.printed_layout import (
    Parts,
    PrintedTable,
    as_text,
    document,
    heading,
    render_sheet,
    workbook_bytes,
    xlsx_bytes,
)

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "2022_beijing-shijingshan_district-government.txt"
EXPECTED = json.loads((DATA / "2022_beijing-shijingshan_district-government.expected.json").read_text("utf-8"))

# -- building files ---------------------------------------------------------------------------------------


def printed_csv(parts: Parts, delimiter: str = ",") -> str:
    """The printed layout as CSV text: a merged range's text in its first position, the others empty."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    for part in parts:
        if isinstance(part, str):
            writer.writerow([part])
            continue
        grid = [[""] * part.cols for _ in range(part.rows)]
        for placed in part.cells:
            grid[placed.r0][placed.c0] = as_text(placed.value)
        writer.writerows(grid)
    return out.getvalue()


def long_csv(report: Report, **kwargs: Any) -> str:
    return report.to_long().to_csv(index=False, **kwargs)


def excel(frame: pd.DataFrame) -> bytes:
    out = io.BytesIO()
    frame.to_excel(out, index=False)
    return out.getvalue()


def load_error(content: str | bytes, source: str) -> LoadError:
    with pytest.raises(LoadError) as info:
        loads(content, source=source, strict=True)
    assert info.value.path == source and source in str(info.value)
    return info.value


# -- reports to round-trip ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> Report:
    return load(SAMPLE)


def _synth(version: str, requests_layout: str | None = None, subtotals: bool = False) -> Report:
    frame = consistent_wide(1, version=version, seed=7, requests_layout=requests_layout, subtotals=subtotals)
    frame["agency"], frame["year"] = "某县人民政府", 2020 if version == "2019" else 2023
    return wide_to_reports(frame)[0]


REPORTS = {
    "sample-2021": lambda: load(SAMPLE),
    "synth-2019": lambda: _synth("2019"),
    "synth-2021-one-row-other-handling-subtotals": lambda: _synth("2021", "2019", subtotals=True),
}


@pytest.fixture(params=list(REPORTS), scope="module")
def report(request: pytest.FixtureRequest) -> Report:
    return REPORTS[request.param]()


def assert_same(loaded: Report, report: Report, cells: bool = True) -> None:
    """The same report: values, metadata, layouts and (``cells``) every cell's raw text, status and place."""
    assert loaded.to_dict()["tables"] == report.to_dict()["tables"]
    assert (loaded.template, loaded.agency, loaded.year, loaded.layouts, loaded.report_id) == (
        report.template, report.agency, report.year, report.layouts, report.report_id,
    )  # fmt: skip
    if cells:
        pd.testing.assert_frame_equal(loaded.cells, report.cells)
    for table in report.tables:
        pd.testing.assert_frame_equal(loaded.status(table), report.status(table).replace("not_applicable", "blank"))


# -- printed tables in a workbook ----------------------------------------------------------------------------


def test_xlsx_printed_layout_loads_to_expected_values(tmp_path: Path) -> None:
    path = tmp_path / "2022_shijingshan.xlsx"
    path.write_bytes(xlsx_bytes(document(EXPECTED)))
    report = load(path)
    assert report.to_dict()["tables"] == EXPECTED["tables"]
    assert (report.agency, report.year, report.template) == (EXPECTED["agency"], EXPECTED["year"], "2021")
    assert report.source == path.name
    cells = report.cells.set_index(["table", "row", "column"])
    # rows 1-5 prose and heading, 6-19 table 二, 20 heading, 21-23 the header of table 三
    assert cells.loc[("requests", "new", "natural_person"), "where"] == "sheet 报告, cell D24"
    assert cells.loc[("requests", "new", "natural_person"), "raw"] == "504"


def test_workbook_is_read_by_content_not_by_name() -> None:
    data = xlsx_bytes(document(EXPECTED))
    assert pick_reader(data, ".docx").name == "xlsx"
    assert loads(data, source="misnamed.docx").to_dict()["tables"] == EXPECTED["tables"]


def test_xlsx_tables_away_from_column_a(tmp_path: Path) -> None:
    report = loads(xlsx_bytes(document(EXPECTED), column=3), source="offset.xlsx")
    assert report.to_dict()["tables"] == EXPECTED["tables"]
    assert report.cells.set_index(["table", "row", "column"]).loc[("requests", "new", "total"), "where"] == (
        "sheet 报告, cell L24"
    )


def test_xlsx_one_sheet_per_table(tmp_path: Path) -> None:
    parts = document(EXPECTED)
    tables = [i for i, p in enumerate(parts) if isinstance(p, PrintedTable)]
    book = openpyxl.Workbook()
    first = book.active
    first.title = "主动公开"
    render_sheet(first, parts[: tables[0] + 1])  # title, prose, heading 二 and its table
    render_sheet(book.create_sheet("依申请"), parts[tables[0] + 1 : tables[1] + 1])  # heading cell above
    last = book.create_sheet(heading("review_litigation"))  # no heading cell: the sheet's name is the heading
    end = render_sheet(last, parts[tables[2] : tables[2] + 1])
    render_sheet(last, parts[tables[2] + 1 :], row=end + 1)
    report = loads(workbook_bytes(book), source="sheets.xlsx")
    assert report.to_dict()["tables"] == EXPECTED["tables"]
    assert report.agency == EXPECTED["agency"]


def test_blank_total_column_stays_in_place() -> None:
    expected = copy.deepcopy(EXPECTED)
    for row in expected["tables"]["requests"].values():
        row["total"] = None  # some agencies leave the whole 总计 column blank
    report = loads(xlsx_bytes(document(expected)), source="blank.xlsx")
    assert report.to_dict()["tables"] == expected["tables"]
    assert set(report.status("requests")["total"]) == {"blank"}


def test_formula_without_saved_result_is_text_not_zero() -> None:
    book = openpyxl.Workbook()
    render_sheet(book.active, document(EXPECTED))
    book.active["D24"] = "=SUM(E24:I24)"  # written by a program: no result saved with it
    report = loads(workbook_bytes(book), source="formula.xlsx")
    assert report.status("requests").at["new", "natural_person"] == "text"
    assert report.raw("requests").at["new", "natural_person"] == "=SUM(E24:I24)"
    assert pd.isna(report.tables["requests"].at["new", "natural_person"])


def test_truncated_xlsx_names_the_file() -> None:
    data = xlsx_bytes(document(EXPECTED))
    error = load_error(data[: len(data) // 2], "broken.xlsx")
    assert "cannot open the workbook" in str(error)


# -- printed tables in a CSV file ------------------------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "delimiter"), [("gbk", ","), ("utf-8-sig", ";"), ("utf-8", "\t")])
def test_printed_layout_csv(encoding: str, delimiter: str) -> None:
    data = printed_csv(document(EXPECTED), delimiter).encode(encoding)
    report = loads(data, source="printed.csv")
    assert report.to_dict()["tables"] == EXPECTED["tables"]
    assert report.cells.set_index(["table", "row", "column"]).loc[("requests", "new", "natural_person"), "where"] == (
        "line 24, column 4"
    )


# -- the library's own formats: round trips -------------------------------------------------------------------


def test_long_csv_round_trip(report: Report, tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text(long_csv(report), "utf-8")
    loaded = load(path)
    assert_same(loaded, report)
    assert loaded.source == "report.csv"


def test_long_csv_found_by_content_in_any_encoding_and_delimiter(sample: Report) -> None:
    for data in (
        long_csv(sample).encode("gbk"),
        long_csv(sample, sep=";").encode("utf-8-sig"),
        long_csv(sample, sep="\t").encode("gb18030"),
    ):
        assert pick_reader(data, "").name == "csv"
        assert_same(loads(data, source="cells"), sample)


def test_wide_csv_round_trip(report: Report, tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    report.to_wide().to_csv(path, index=False)
    loaded = load(path)
    assert_same(loaded, report, cells=False)
    assert pick_reader(path.read_bytes(), "").name == "csv"


def test_long_xlsx_round_trip(report: Report) -> None:
    assert_same(loads(excel(report.to_long()), source="long.xlsx"), report)


def test_wide_xlsx_round_trip(report: Report) -> None:
    loaded = loads(excel(report.to_wide()), source="wide.xlsx")
    assert_same(loaded, report, cells=False)
    assert loaded.cells["where"].str.fullmatch(r"sheet Sheet1, cell [A-Z]+2").all()


def test_json_round_trip(report: Report, tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text(report.to_json(), "utf-8")
    loaded = load(path)
    assert loaded.to_dict() == {**report.to_dict(), "source": report.source or "report.json"}
    assert loaded.layouts == report.layouts
    for table in report.tables:
        pd.testing.assert_frame_equal(loaded.status(table), report.status(table))
    assert loaded.cells.set_index(["table", "row", "column"]).loc[("requests", "new", "total"), "where"] == (
        "tables.requests.new.total"
    )


def test_expected_json_loads_as_the_sample() -> None:
    data = (DATA / "2022_beijing-shijingshan_district-government.expected.json").read_bytes()
    assert pick_reader(data, "").name == "json"
    report = loads(b"\xef\xbb\xbf" + data, source="expected.json")
    assert report.to_dict() == EXPECTED


# -- malformed own-format files --------------------------------------------------------------------------------


def test_long_without_value_column(sample: Report) -> None:
    error = load_error(sample.to_long().drop(columns="value").to_csv(index=False), "cells.csv")
    assert "line 1" in str(error) and "'value'" in str(error) and "value" in error.reason


def test_long_unknown_code_names_the_line(sample: Report) -> None:
    frame = sample.to_long()
    frame.loc[4, "row"] = "granted_twice"
    error = load_error(frame.to_csv(index=False), "cells.csv")
    assert error.where == "line 6, column table"
    assert "proactive.granted_twice.issued" in str(error) or "granted_twice" in str(error)


def test_long_unknown_code_in_a_workbook_names_the_cell(sample: Report) -> None:
    frame = sample.to_long()
    frame.loc[9, "table"] = "proactivity"
    error = load_error(excel(frame), "cells.xlsx")
    assert error.where == "sheet Sheet1, cell E11" and "proactivity" in str(error)


@pytest.mark.parametrize(
    ("column", "text", "message"),
    [
        ("value", "五百", "not a number"),
        ("status", "guessed", "unknown status"),
        ("value", "", "status number but the value is empty"),
    ],
)
def test_long_bad_cell(sample: Report, column: str, text: str, message: str) -> None:
    frame = sample.to_long().astype({"value": object})
    frame.loc[20, column] = text
    error = load_error(frame.to_csv(index=False), "cells.csv")
    assert error.where == f"line 22, column {column}" and message in str(error)


def test_long_repeated_and_missing_cells(sample: Report) -> None:
    frame = sample.to_long()
    error = load_error(pd.concat([frame, frame.iloc[[3]]]).to_csv(index=False), "cells.csv")
    assert "appears twice" in str(error) and error.where == f"line {len(frame) + 2}"
    error = load_error(frame.drop(index=[10, 11]).to_csv(index=False), "cells.csv")
    assert "incomplete" in str(error) and "requests.new.natural_person" in str(error)


def test_long_with_two_reports(sample: Report) -> None:
    other = sample.to_long().assign(report_id="another")
    error = load_error(pd.concat([sample.to_long(), other]).to_csv(index=False), "cells.csv")
    assert "2 reports" in str(error)


def test_wide_with_several_rows(sample: Report) -> None:
    frame = pd.concat([sample.to_wide()] * 3)
    error = load_error(frame.to_csv(index=False), "wide.csv")
    assert "holds 3 rows" in str(error) and "ReportSet.read" in str(error)


def test_wide_unknown_code_and_bad_values(sample: Report) -> None:
    wide = sample.to_wide()
    error = load_error(
        wide.rename(columns={"requests.new.total": "requests.new.grand_total"}).to_csv(index=False), "w.csv"
    )
    assert error.where == "line 1, column requests.new.grand_total"
    error = load_error(
        wide.astype({"requests.new.total": object}).assign(**{"requests.new.total": "x"}).to_csv(index=False), "w.csv"
    )
    assert error.where == "line 2, column requests.new.total" and "not a number" in str(error)
    error = load_error(wide.drop(columns="template").to_csv(index=False), "w.csv")
    assert "'template'" in str(error)
    error = load_error(wide.drop(columns="requests.new.total").to_csv(index=False), "w.csv")
    assert "requests.new.total" in str(error) and "incomplete" in str(error)


@pytest.mark.parametrize(
    ("edit", "where", "message"),
    [
        (lambda d: d["tables"]["requests"]["new"].update(bogus=1), "tables.requests.new.bogus", "unknown cell code"),
        (lambda d: d["tables"]["requests"]["new"].update(total="530"), "tables.requests.new.total", "a number or null"),
        (lambda d: d["tables"].update(requests=[]), "tables.requests", "expected an object"),
        (lambda d: d.update(template="2020"), "template", "unknown template"),
        (lambda d: d.update(year="2022"), "year", "expected int"),
        (lambda d: d["tables"].pop("review_litigation"), None, "missing table"),
    ],
)
def test_json_bad_shape_names_the_key_path(edit: Any, where: str | None, message: str) -> None:
    data = copy.deepcopy(EXPECTED)
    edit(data)
    error = load_error(json.dumps(data, ensure_ascii=False), "report.json")
    assert error.where == where and message in str(error)


def test_malformed_json_names_line_and_column() -> None:
    error = load_error('{"tables": {"requests": }', "report.json")
    assert error.where == "line 1, column 25" and "malformed JSON" in str(error)
