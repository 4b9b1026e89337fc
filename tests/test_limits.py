"""Limits on one input file: bytes read, special files, PDF pages and inflated streams, elements (issue 13)."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import docx
import openpyxl
import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats.cli import main
from gov_disclosure_stats.core.limits import Limits, current, read_file
from gov_disclosure_stats.loading.readers import pdf as pdf_reader
from gov_disclosure_stats.loading.readers.pdf_streams import check_streams

from .conftest import CORPUS, NO_CORPUS, SAMPLE
from .hostile_files import inflating_pdf, many_pages_pdf, pdf_bytes, text_page, zip_bomb

# -- bytes read, special files --------------------------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_dev_zero_is_refused_as_a_device() -> None:
    with pytest.raises(gds.LoadError, match="not a regular file") as info:
        gds.load("/dev/zero")
    assert info.value.path == "/dev/zero"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            gds.load(fifo)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(10)
    assert outcome, "loading a named pipe blocked"
    assert isinstance(outcome[0], gds.LoadError)
    assert "named pipe" in str(outcome[0]) and "命名管道" in str(outcome[0])
    assert outcome[0].path == str(fifo)


def test_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(gds.LoadError, match="a folder"):
        gds.load(tmp_path)


def test_file_past_max_bytes_is_refused(tmp_path: Path) -> None:
    size = SAMPLE.stat().st_size
    with pytest.raises(gds.LoadError, match="max_bytes") as info:
        gds.load(SAMPLE, limits=Limits(max_bytes=size - 1))
    assert info.value.path == str(SAMPLE)
    assert gds.load(SAMPLE, limits=Limits(max_bytes=size)).agency


def test_read_file_stops_at_the_cap(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 5000)
    with pytest.raises(gds.LoadError, match="larger than 4 KiB"):
        read_file(big, Limits(max_bytes=4096))
    assert read_file(big, Limits(max_bytes=5000)) == b"x" * 5000


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_cli_validate_dev_zero_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", "text", "/dev/zero"]) == 2
    assert "not a regular file" in capsys.readouterr().err


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        Limits(max_bytes=0)
    with pytest.raises(ValueError, match="max_pdf_pages"):
        Limits(max_pdf_pages=2.5)  # type: ignore[arg-type]


def test_limits_in_force_only_while_loading() -> None:
    small = Limits(max_elements=10)
    seen: list[Limits] = []
    with gds.limits.applied(small):
        seen.append(current())
    assert seen == [small]
    assert current() == gds.DEFAULT_LIMITS



# -- PDF: pages, inflated streams, page weight, damaged boxes -------------------------------------------------------

_RULED = b"\n72 700 m 300 700 l S 72 600 m 300 600 l S 72 600 m 72 700 l S 300 600 m 300 700 l S"


def test_pdf_stream_inflating_past_the_limit_is_refused_at_once() -> None:
    data = inflating_pdf(20 << 20)  # 20 MiB of drawing from some 20 KB
    assert len(data) < 100_000
    with pytest.raises(gds.LoadError, match="max_stream_bytes") as info:
        gds.loads(data, "bomb.pdf")
    assert info.value.path == "bomb.pdf"
    assert "PDF对象5" in str(info.value) and "16 MiB" in str(info.value)


def test_pdf_stream_limit_is_settable() -> None:
    with pytest.raises(gds.LoadError, match="more than 512 KiB"):
        gds.loads(inflating_pdf(1 << 20), "bomb.pdf", limits=Limits(max_stream_bytes=512 << 10))


def test_pdf_stream_deflated_twice_is_measured_through_both_filters() -> None:
    data = pdf_bytes([text_page() + b" " * (64 << 20)], filters=2)
    assert len(data) < 5000
    with pytest.raises(gds.LoadError, match="max_stream_bytes"):
        gds.loads(data, "bomb.pdf")


def test_pdf_streams_in_all_past_the_total_are_refused() -> None:
    data = pdf_bytes([text_page() + b" " * (3 << 20) for _ in range(4)])
    with pytest.raises(gds.LoadError, match="max_inflated_bytes"):
        gds.loads(data, "bomb.pdf", limits=Limits(max_inflated_bytes=10 << 20))


def test_pdf_page_of_a_million_lines_is_refused_by_its_weight() -> None:
    with pytest.raises(gds.LoadError, match="max_page_objects") as info:
        gds.loads(inflating_pdf(4 << 20), "heavy.pdf")
    assert info.value.where == "page 1"


def test_pdf_page_weight_without_pdfium(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_reader, "pdfium", None)
    with pytest.raises(gds.LoadError, match="max_page_objects"):
        gds.loads(inflating_pdf(64 << 10), "heavy.pdf", limits=Limits(max_page_objects=1000))


@pytest.mark.parametrize("pdfium", [True, False])
def test_pdf_with_too_many_pages_is_refused(monkeypatch: pytest.MonkeyPatch, pdfium: bool) -> None:
    if not pdfium:
        monkeypatch.setattr(pdf_reader, "pdfium", None)
    with pytest.raises(gds.LoadError, match="the PDF has 6 pages, more than 5") as info:
        gds.loads(many_pages_pdf(6), "long.pdf", limits=Limits(max_pdf_pages=5))
    assert "PDF有6页，超过5页" in str(info.value)


@pytest.mark.parametrize("box", [b"0 0 595", b"a b c d", b"0 0 1e400 5", b"/x 0 0 0"])
def test_pdf_with_a_damaged_box_names_the_file_and_page(box: bytes) -> None:
    data = pdf_bytes([text_page() + _RULED], mediabox=box)
    with pytest.raises(gds.LoadError, match="corrupt") as info:
        gds.loads(data, "damaged.pdf")
    assert info.value.path == "damaged.pdf"
    assert info.value.where == "page 1"
    assert "第1页" in str(info.value)


def test_real_pdfs_pass_the_stream_check() -> None:
    for path in sorted(CORPUS.glob("*.pdf")) or [pytest.skip(NO_CORPUS)]:
        check_streams(path.read_bytes(), str(path))


# -- HTML, Word and Excel: elements, cells, zip bombs ----------------------------------------------------------------


def test_html_with_too_many_elements_is_refused_before_parsing() -> None:
    page = "<html><body><table>" + "<tr><td>1</td></tr>" * 5000 + "</table></body></html>"
    with pytest.raises(gds.LoadError, match="max_elements") as info:
        gds.loads(page, "big.html", limits=Limits(max_elements=1000))
    assert "网页的元素超过1000个" in str(info.value)


def test_html_merged_cells_spanning_past_max_cells_are_refused() -> None:
    row = '<tr><td colspan="1000" rowspan="1000">x</td></tr>'
    page = "<html><body><table>" + row * 1000 + "</table></body></html>"  # a trillion positions at most
    with pytest.raises(gds.LoadError, match="max_cells") as info:
        gds.loads(page, "spans.html")
    assert info.value.where == "table 1"


def test_docx_zip_bomb_is_refused_from_its_directory() -> None:
    data = zip_bomb("word/document.xml", 300 << 20, {"[Content_Types].xml": b"<Types/>"})
    assert len(data) < 1 << 20
    with pytest.raises(gds.LoadError, match="max_inflated_bytes") as info:
        gds.loads(data, "bomb.docx")
    assert info.value.path == "bomb.docx"


def test_xlsx_zip_bomb_is_refused_from_its_directory() -> None:
    data = zip_bomb("xl/workbook.xml", 8 << 20, {"[Content_Types].xml": b"<Types/>"})
    with pytest.raises(gds.LoadError, match="max_inflated_bytes"):
        gds.loads(data, "bomb.xlsx", limits=Limits(max_inflated_bytes=4 << 20))


def test_docx_with_too_many_cells_is_refused(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=30, cols=30)
    table.cell(0, 0).text = "1"
    out = io.BytesIO()
    document.save(out)
    with pytest.raises(gds.LoadError, match="max_cells") as info:
        gds.loads(out.getvalue(), "cells.docx", limits=Limits(max_cells=500))
    assert info.value.where and info.value.where.startswith("table 1, row ")


def test_docx_with_too_many_elements_is_refused() -> None:
    document = docx.Document()
    for i in range(300):
        document.add_paragraph(f"paragraph {i}")
    out = io.BytesIO()
    document.save(out)
    with pytest.raises(gds.LoadError, match="max_elements"):
        gds.loads(out.getvalue(), "long.docx", limits=Limits(max_elements=500))


def test_xlsx_with_one_far_cell_is_refused_without_filling_the_sheet() -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = "二、主动公开政府信息情况"
    book.active["XFD1048576"] = 1
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(gds.LoadError, match="max_cells") as info:
        gds.loads(out.getvalue(), "far.xlsx")
    assert "cells" in str(info.value) and "单元格" in str(info.value)


def test_the_default_limits_are_documented() -> None:
    docs = (Path(__file__).parents[1] / "docs" / "loading.md").read_text("utf-8")
    for name in vars(gds.DEFAULT_LIMITS):
        assert name in docs, name
    assert gds.limits.DEFAULT_TIMEOUT == 60.0
