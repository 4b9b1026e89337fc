"""The Word (.docx) reader: the official tables with merged cells, built in the test from known values."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from gov_disclosure_stats.core.errors import LoadError
from gov_disclosure_stats.core.layouts import table_layout
from gov_disclosure_stats.loading.loader import load, loads
from gov_disclosure_stats.loading.readers import docx as docx_reader
from gov_disclosure_stats.loading.readers import pick_reader
from gov_disclosure_stats.model.grid import Paragraph, Table
from tests.printed_layout import PROSE, document, docx_bytes, heading

DATA = Path(__file__).parent / "data"
EXPECTED = json.loads((DATA / "2022_beijing-shijingshan_district-government.expected.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def sample() -> bytes:
    return docx_bytes(document(EXPECTED))


@pytest.fixture
def sample_path(tmp_path: Path, sample: bytes) -> Path:
    path = tmp_path / "2022_shijingshan.docx"
    path.write_bytes(sample)
    return path


def load_error(data: bytes, tmp_path: Path, name: str = "report.docx") -> tuple[LoadError, Path]:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(LoadError) as info:
        load(path, strict=True)
    return info.value, path


# -- the official layout ------------------------------------------------------------------------------


def test_docx_loads_to_expected_values(sample_path: Path) -> None:
    report = load(sample_path)
    assert report.to_dict()["tables"] == EXPECTED["tables"]
    assert (report.agency, report.year, report.template) == (EXPECTED["agency"], EXPECTED["year"], "2021")
    assert report.layouts == {"proactive": "2021", "requests": "2021", "review_litigation": "2021"}
    assert report.source == sample_path.name


def test_docx_is_recognised_by_content(sample: bytes) -> None:
    assert pick_reader(sample, "").name == "docx"
    assert loads(sample, source="report").to_dict()["tables"] == EXPECTED["tables"]


def test_cells_keep_their_table_row_and_column(sample_path: Path) -> None:
    cells = load(sample_path).cells.set_index(["table", "row", "column"])
    # table 2 is 三: three header rows, then 一、本年新收… in row 4; values start in grid column 4
    new = cells.loc[("requests", "new", "natural_person")]
    assert (new["raw"], new["status"], new["where"]) == ("504", "number", "table 2, row 4, column 4")
    assert cells.loc[("review_litigation", "suit_after_review", "total"), "where"] == "table 3, row 4, column 15"
    fees = cells.loc[("proactive", "fees", "amount_10k_yuan")]
    assert fees["value"] == pytest.approx(4934.0578) and fees["where"] == "table 1, row 14, column 2"


def test_blocks_keep_prose_in_document_order(sample: bytes) -> None:
    blocks = docx_reader.read(sample, "x.docx")
    kinds = ["T" if isinstance(b, Table) else b.text for b in blocks]
    assert kinds[:7] == [
        EXPECTED["agency"], "2022年政府信息公开工作年度报告", "一、总体情况", PROSE,
        heading("proactive"), "T", heading("requests"),
    ]  # fmt: skip
    assert blocks[0] == Paragraph(EXPECTED["agency"], "paragraph 1")
    assert [b.where for b in blocks if isinstance(b, Table)] == ["table 1", "table 2", "table 3"]


def test_merged_cells_are_expanded_with_empty_positions(sample: bytes) -> None:
    requests = [b for b in docx_reader.read(sample, "x.docx") if isinstance(b, Table)][1]
    layout = table_layout("requests", "2021")
    texts = [[c.text for c in row] for row in requests.rows]
    assert {len(row) for row in texts} == {10}  # a full grid: 3 label columns + 7 value columns
    assert texts[0] == [layout.note, "", "", layout.column("applicants").label] + [""] * 6
    assert texts[1][3:] == ["自然人", "法人或其他组织", "", "", "", "", "总计"]
    assert texts[2][:4] == ["", "", "", ""] and texts[2][9] == ""  # 自然人 / 总计 merged down
    assert texts[3][:3] == [layout.row("new").label, "", ""]  # across the three label columns
    outcome_column = [row[0] for row in texts[5:-1]]  # 三、本年度办理结果 down every outcome row
    assert outcome_column == [layout.row("outcomes").label] + [""] * (len(outcome_column) - 1)
    withheld = texts.index(next(r for r in texts if r[1] == layout.row("withheld").label))
    assert [row[1] for row in texts[withheld + 1 : withheld + 8]] == [""] * 7
    assert [row[2] for row in texts[withheld : withheld + 8]] == [
        layout.row(code).label for code in layout.leaves("withheld")
    ]
    cell = requests.rows[3][3]
    assert (cell.row, cell.col, cell.where) == (3, 3, "table 2, row 4, column 4")


def test_review_header_and_wrapped_labels(sample: bytes) -> None:
    review = [b for b in docx_reader.read(sample, "x.docx") if isinstance(b, Table)][2]
    texts = [[c.text for c in row] for row in review.rows]
    assert texts[0] == ["行政复议", "", "", "", "", "行政诉讼"] + [""] * 9
    assert texts[1][1] == "结果\n纠正" and texts[2][:5] == [""] * 5


def test_layout_table_around_the_report_is_descended(tmp_path: Path) -> None:
    path = tmp_path / "nested.docx"
    path.write_bytes(docx_bytes(document(EXPECTED), nested=True))
    report = load(path)
    assert report.to_dict()["tables"] == EXPECTED["tables"]
    assert (report.agency, report.year) == (EXPECTED["agency"], EXPECTED["year"])
    blocks = docx_reader.read(path.read_bytes(), str(path))
    assert blocks[0].where == "table 1, row 1, column 1, paragraph 2"  # the cell's own empty paragraph is 1
    assert [b.where for b in blocks if isinstance(b, Table)] == ["table 2", "table 3", "table 4"]
    new = report.cells.set_index(["table", "row", "column"]).loc[("requests", "new", "natural_person"), "where"]
    assert new == "table 3, row 4, column 4"


def test_blank_cell_stays_blank(tmp_path: Path) -> None:
    expected = copy.deepcopy(EXPECTED)
    expected["tables"]["requests"]["carried_forward"]["total"] = None
    path = tmp_path / "blank.docx"
    path.write_bytes(docx_bytes(document(expected)))
    report = load(path)
    assert report.to_dict()["tables"] == expected["tables"]
    assert report.status("requests").at["carried_forward", "total"] == "blank"


def test_tracked_changes_read_as_shown(tmp_path: Path, sample: bytes) -> None:
    """A revised value reads as the document shows it: deletions dropped, insertions kept."""
    doc = docx.Document(io.BytesIO(sample))
    cell = doc.tables[1].cell(3, 3)  # 一、本年新收… / 自然人 = 504
    paragraph = cell.paragraphs[0]._p
    for run in paragraph.findall(qn("w:r")):
        paragraph.remove(run)
    paragraph.append(_run("5"))
    deleted = paragraph.makeelement(qn("w:del"), {qn("w:id"): "1", qn("w:author"): "x"})
    deleted.append(_run("9", tag="w:delText"))
    paragraph.append(deleted)
    inserted = paragraph.makeelement(qn("w:ins"), {qn("w:id"): "2", qn("w:author"): "x"})
    inserted.append(_run("04"))
    paragraph.append(inserted)
    out = io.BytesIO()
    doc.save(out)
    report = loads(out.getvalue(), source="revised.docx")
    assert report.to_dict()["tables"] == EXPECTED["tables"]


def _run(text: str, tag: str = "w:t") -> Any:
    run, t = OxmlElement("w:r"), OxmlElement(tag)
    t.text = text
    run.append(t)
    return run


# -- bad input ----------------------------------------------------------------------------------------


def test_docx_without_tables_is_the_no_table_error(tmp_path: Path) -> None:
    parts = [p for p in document(EXPECTED) if isinstance(p, str)]
    error, path = load_error(docx_bytes(parts), tmp_path)
    assert error.path == str(path) and str(path) in str(error)
    assert "文中没有表格" in str(error) and "no table" in str(error)


def test_truncated_docx_names_the_file(tmp_path: Path, sample: bytes) -> None:
    error, path = load_error(sample[: len(sample) // 2], tmp_path, "truncated.docx")
    assert error.path == str(path) and "truncated.docx" in str(error)
    assert "Word" in str(error) and "cannot open" in str(error)


def test_truncated_docx_without_suffix_is_still_a_docx_error(tmp_path: Path, sample: bytes) -> None:
    error, _ = load_error(sample[: len(sample) // 2], tmp_path, "truncated")
    assert "cannot open the Word document" in str(error)


def test_zip_that_is_not_a_word_document(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "not a report")
    error, path = load_error(out.getvalue(), tmp_path, "notes.docx")
    assert error.path == str(path) and "unrecognised file format" in str(error)  # by content, not by name
