"""The HTML reader: the sample report rendered as an official page, its real-world variants and bad pages."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats.loading.readers import pick_reader
from gov_disclosure_stats.loading.readers.html import decode_html, read_html
from gov_disclosure_stats.loading.readers.html import sniff as sniff_html
from gov_disclosure_stats.model.grid import Paragraph, Table
from tests.report_pages import (
    EXPECTED,
    SAMPLE_NAME,
    Cell,
    Grid,
    heading,
    page,
    report_body,
    report_page,
    split_under,
)

NAME = f"{SAMPLE_NAME}.html"
VERTICAL = "三、本年度办理结果"


def loads(content: str | bytes, source: str | None = NAME) -> gds.Report:
    return gds.loads(content, source=source)


def assert_expected(report: gds.Report, title: bool = True) -> None:
    assert report.to_dict()["tables"] == EXPECTED["tables"]
    assert report.template == EXPECTED["template"]
    assert report.layouts == {"proactive": "2021", "requests": "2021", "review_litigation": "2021"}
    if title:
        assert (report.agency, report.year) == (EXPECTED["agency"], EXPECTED["year"])


def load_error(content: str | bytes, source: str = NAME) -> gds.LoadError:
    with pytest.raises(gds.LoadError) as info:
        gds.loads(content, source=source, strict=True)
    return info.value


# -- the official layout -----------------------------------------------------------------------------


def test_page_loads_to_expected_values() -> None:
    report = loads(report_page().encode("utf-8"))
    assert_expected(report)
    assert report.source == NAME


def test_page_file_loads_to_expected_values(tmp_path: Path) -> None:
    path = tmp_path / NAME
    path.write_text(report_page(), "utf-8")
    assert_expected(gds.load(path))


def test_page_is_sniffed_without_a_suffix() -> None:
    assert_expected(loads(report_page(), source=None))
    assert pick_reader(report_page().encode()).name == "html"


def test_cells_say_which_table_row_and_column_they_came_from() -> None:
    cells = loads(report_page()).cells.set_index(["table", "row", "column"])
    # table 2 is 三: three header rows, then 一、本年新收… whose label spans the three label columns
    new = cells.loc[("requests", "new", "natural_person")]
    assert (new["raw"], new["status"], new["value"], new["where"]) == (
        "504",
        "number",
        504.0,
        "table 2, row 4, column 4",
    )
    assert cells.loc[("requests", "carried_forward", "total"), "where"] == "table 2, row 28, column 10"
    assert cells.loc[("review_litigation", "suit_after_review", "total"), "where"] == "table 3, row 4, column 15"
    fees = cells.loc[("proactive", "fees", "amount_10k_yuan")]
    assert fees["value"] == pytest.approx(4934.0578) and fees["where"] == "table 1, row 14, column 2"


def test_merged_cells_expand_to_empty_positions() -> None:
    blocks = read_html(report_page())
    tables = [b for b in blocks if isinstance(b, Table)]
    assert [t.where for t in tables] == ["table 1", "table 2", "table 3"]
    requests = [[c.text for c in row] for row in tables[1].rows]
    layout = gds.table_layout("requests", "2021")
    # the note spans 3 columns x 3 rows; 申请人情况 spans the 7 value columns
    assert requests[0] == [layout.note, "", "", "申请人情况", *[""] * 6]
    assert requests[1] == ["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"]
    assert requests[2] == ["", "", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""]
    assert requests[3][:4] == ["一、本年新收政府信息公开申请数量", "", "", "504"]
    assert requests[5][:3] == [VERTICAL, "（一）予以公开", ""]
    assert requests[7][:3] == ["", "（三）不予公开", "1.属于国家秘密"]
    assert requests[8][:3] == ["", "", "2.其他法律行政法规禁止公开"]
    assert all(len(row) == 10 for row in requests)
    review = [[c.text for c in row] for row in tables[2].rows]
    assert review[0] == ["行政复议", "", "", "", "", "行政诉讼", *[""] * 9]
    assert review[2][:6] == ["", "", "", "", "", "结果维持"] and len(review[2]) == 15
    assert review[3] == ["4", "5", "1", "2", "12", "18", "0", "0", "2", "20", "4", "0", "0", "0", "4"]
    proactive = [[c.text for c in row] for row in tables[0].rows]
    assert proactive[4] == ["第二十条第（五）项", "", "", ""]
    assert proactive[5] == ["信息内容", "本年处理决定数量", "", ""]  # label and value span the last 3 columns
    assert proactive[6] == ["行政许可", "36627", "", ""]


def test_prose_comes_out_as_numbered_paragraphs_in_order() -> None:
    blocks = read_html(report_page())
    paragraphs = [b for b in blocks if isinstance(b, Paragraph)]
    assert paragraphs[0] == Paragraph(EXPECTED["agency"], "paragraph 1")  # the title is broken by <br>
    assert paragraphs[1].text == f"{EXPECTED['year']}年政府信息公开工作年度报告"
    texts = [b.text if isinstance(b, Paragraph) else b.where for b in blocks]
    for table, where in zip(
        ("proactive", "requests", "review_litigation"), ("table 1", "table 2", "table 3"), strict=True
    ):
        assert texts[texts.index(heading(table)) + 1] == where
    assert texts[-2:] == ["本机关未收取信息处理费。", "无其他需要报告的事项。"]  # <br> in prose splits
    assert "td { border" not in " ".join(texts)  # <head>, <style> are not prose


# -- what real pages do ----------------------------------------------------------------------------


def split_digits(code: str, text: str) -> str:
    """A number split across tags, one character per <span> (every other one also in a <font>)."""
    return "".join(f"<span>{ch}</span>" if i % 2 else f"<font><span>{ch}</span></font>" for i, ch in enumerate(text))


def test_numbers_split_across_spans() -> None:
    html = report_page(value=split_digits)
    assert "<span>5</span><font><span>0</span></font>" not in html  # the split alternates as written
    assert "<font><span>5</span></font><span>0</span>" in html
    report = loads(html)
    assert_expected(report)
    assert report.cells.set_index(["table", "row", "column"]).loc[("requests", "new", "total"), "raw"] == "530"


def broken_label(text: str) -> str:
    """A label broken by <br> every 4 characters (三、本年度办理结果: one character per line), in <p>/<span>."""
    if text == VERTICAL:
        return "<br>".join(text)
    pieces = [text[i : i + 4] for i in range(0, len(text), 4)]
    return "<p><span>" + "<br>\n".join(pieces) + "</span></p>"


def test_labels_broken_by_br_and_nested_tags() -> None:
    html = report_page(label=broken_label)
    assert "三<br>、<br>本" in html and "2.其他<br>\n法律行政<br>" in html
    assert_expected(loads(html))


def test_nbsp_cells_are_blank_never_zero() -> None:
    blanks = {"requests.new.research", "review_litigation.review.pending", "proactive.regulations.issued"}
    html = report_page(value=lambda code, text: "&nbsp;" if code in blanks else ("&nbsp;" + text + "&nbsp;"))
    report = loads(html)
    cells = report.cells.set_index(["table", "row", "column"])
    for code in blanks:
        cell = cells.loc[tuple(code.split("."))]
        assert cell["status"] == "blank" and math.isnan(cell["value"]) and cell["raw"] == ""
    tables = report.to_dict()["tables"]
    assert tables["requests"]["new"]["research"] is None
    assert tables["requests"]["new"]["natural_person"] == 504  # "&nbsp;504&nbsp;" is the number
    for code in blanks:
        table, row, column = code.split(".")
        tables[table][row][column] = EXPECTED["tables"][table][row][column]
    assert tables == EXPECTED["tables"]


# -- saved government pages: merges that disagree, empty rows, spans inside numbers -------------------------


@pytest.mark.parametrize("half", ["second", "first"])
@pytest.mark.parametrize("filler", ["", "\xa0"])
def test_value_under_one_half_of_a_merged_header(half: str, filler: str) -> None:
    """Header and data rows merge different cells: 自然人 and 结果维持 span two columns, each value one of them."""

    def edit(table: str, grid: Grid) -> Grid:
        if table == "requests":
            return split_under(grid, "自然人", half, filler)
        if table == "review_litigation":
            return split_under(split_under(grid, "结果维持", half, filler), "总计", half, filler)
        return grid

    html = report_page(edit=edit)
    assert '<td colspan=2 rowspan="2">自然人</td>' in html
    report = loads(html)
    assert_expected(report)
    assert report.issues.empty


def test_value_under_the_second_part_of_a_merged_header_in_table_two() -> None:
    """行政许可's value printed one cell wide under the three-column 本年处理决定数量, after an empty cell."""

    def edit(table: str, grid: Grid) -> Grid:
        if table != "proactive":
            return grid
        return [
            [
                x
                for cell in row
                for x in (
                    [Cell(""), Cell(cell.text, code=cell.code), Cell("")] if cell.code and cell.colspan > 1 else [cell]
                )
            ]
            for row in grid
        ]

    report = loads(report_page(edit=edit))
    assert_expected(report)
    assert report.issues.empty


def test_two_values_under_one_merged_header_are_never_shifted() -> None:
    """A row with a value in both halves of 自然人 keeps the columns apart: rows that no longer fit the header are
    unplaced with an issue; no value is moved to a neighbour's column."""

    def edit(table: str, grid: Grid) -> Grid:
        if table != "requests":
            return grid
        rows = [list(row) for row in split_under(grid, "自然人", "first", "")]
        for row in rows:
            for i, cell in enumerate(row):
                if cell.code == "requests.granted.natural_person":
                    row[i + 1] = Cell("9")
        return rows

    report = loads(report_page(edit=edit))
    cells = report.cells[report.cells["table"] == "requests"].set_index(["row", "column"])
    assert (cells.loc["granted", "status"] != "number").all()
    assert (cells["status"] == "unplaced").any() and (report.issues["table"] == "requests").any()
    expected = EXPECTED["tables"]["requests"]
    numbers = cells[cells["status"] == "number"]
    assert all(value == expected[row][column] for (row, column), value in numbers["value"].items())
    assert_tables_equal(report, ("proactive", "review_litigation"))


def assert_tables_equal(report: gds.Report, tables: tuple[str, ...]) -> None:
    loaded = report.to_dict()["tables"]
    assert {t: loaded[t] for t in tables} == {t: EXPECTED["tables"][t] for t in tables}


def empty_row(grid: Grid) -> list[Cell]:
    width = max(sum(c.colspan for c in row) for row in grid)
    return [Cell("\xa0")] * width


@pytest.mark.parametrize("where", ["after_header", "end", "both"])
def test_an_extra_row_of_nbsp_cells(where: str) -> None:
    def edit(table: str, grid: Grid) -> Grid:
        header = {"proactive": 2, "requests": 3, "review_litigation": 3}[table]
        rows = list(grid)
        if where in {"end", "both"}:
            rows.append(empty_row(grid))
        if where in {"after_header", "both"}:
            rows.insert(header, empty_row(grid))
        return rows

    html = report_page(edit=edit)
    assert "<td>&nbsp;</td>" in html or "<td>\xa0</td>" in html
    report = loads(html)
    assert_expected(report)
    assert report.issues.empty


@pytest.mark.parametrize(
    "value",
    [
        lambda code, text: f"<span>&nbsp;</span><span>{text}</span><span>&nbsp;&nbsp;</span>" if text else text,
        lambda code, text: f"<p><span>&nbsp; </span><span>{text}</span></p>" if text else "&nbsp;",
        lambda code, text: "".join(f"<span>{ch}</span>" for ch in text),
        lambda code, text: "\n".join(f"<span style='font-size:12pt'>{ch}</span>" for ch in text),
        lambda code, text: f"<span>{text}</span><span>件</span>" if text and "." not in text else text,
        lambda code, text: f"<span>{text}</span>&nbsp;<span>万元</span>" if "." in text else text,
    ],
    ids=["nbsp_spans", "nbsp_paragraph", "one_span_per_digit", "spans_on_lines", "unit_span", "money_unit_span"],
)
def test_numbers_padded_split_or_with_units_in_spans(value: object) -> None:
    report = loads(report_page(value=value))
    assert_expected(report)
    assert report.issues.empty


@pytest.mark.parametrize(
    "meta",
    [
        '<meta charset="gbk">',
        '<meta http-equiv="Content-Type" content="text/html; charset=GBK">',
        "<meta charset=gb2312>",
    ],
)
def test_gbk_page_with_a_charset_declaration(meta: str, tmp_path: Path) -> None:
    data = page(report_body(), head=meta).encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert_expected(loads(data))
    path = tmp_path / NAME
    path.write_bytes(data)
    assert_expected(gds.load(path))


def test_gb18030_page_without_a_declaration() -> None:
    rare = "𠮷"  # outside GBK: needs GB18030's four-byte codes
    body = report_body(prose=f"（{rare}）")
    data = page(body, head="").encode("gb18030")
    assert b"charset" not in data
    report = loads(data)
    assert_expected(report)
    assert any(rare in b.text for b in read_html(decode_html(data)) if isinstance(b, Paragraph))


def test_a_declared_charset_is_used_when_the_bytes_are_not_utf8() -> None:
    data = '<html><head><meta charset="windows-1252"></head><body><p>café</p></body></html>'.encode("cp1252")
    assert "café" in decode_html(data)
    # the declaration does not win over valid UTF-8 (Chinese sites often declare gb2312 over UTF-8 pages)
    utf8 = page(report_body(), head='<meta charset="gb2312">').encode("utf-8")
    assert_expected(loads(utf8))


def test_utf16_page_with_bom() -> None:
    data = page(report_body(), head='<meta charset="utf-16">').encode("utf-16")
    assert pick_reader(data).name == "html"
    assert_expected(loads(data))


def test_data_tables_nested_in_a_layout_table() -> None:
    body = (
        '<table width="100%"><tr><td><a href="/">首页</a></td><td><a href="/zwgk">政务公开</a></td></tr>'
        f'<tr><td colspan="2"><table><tr><td><div class="content">{report_body()}</div></td></tr></table></td></tr>'
        "<tr><td colspan=2>主办单位：北京市石景山区人民政府办公室</td></tr></table>"
    )
    blocks = read_html(page(body))
    # the two layout tables are tables 1 and 2; the data tables inside are 3, 4 and 5
    assert [b.where for b in blocks if isinstance(b, Table)] == ["table 3", "table 4", "table 5"]
    assert Paragraph("首页", "paragraph 1") in blocks
    report = loads(page(body))
    assert_expected(report)
    where = report.cells.set_index(["table", "row", "column"]).loc[("requests", "new", "natural_person"), "where"]
    assert where == "table 4, row 4, column 4"


def test_page_cut_after_the_report_inside_its_layout_table_still_loads() -> None:
    footer = "<tr><td>主办单位：区政府办公室</td></tr>"
    body = f"<table><tr><td>首页</td></tr><tr><td>{report_body()}</td></tr>{footer}</table>"
    html = page(body)
    assert_expected(loads(html[: html.index("主办单位")]))


METADATA_TABLE = (
    "<table class='xxgk'><tr><td>索引号：</td><td>11N000/2023-00012</td><td>主题分类：</td><td>其他</td></tr>"
    "<tr><td>发布机构：</td><td>区政府办</td><td>发布日期：</td><td>2023-01-31</td></tr></table>"
)


def test_an_unrelated_table_between_the_title_and_the_report() -> None:
    body = report_body().replace("<h2>一、总体情况</h2>", METADATA_TABLE + "<h2>一、总体情况</h2>")
    report = loads(page(body))
    assert_expected(report)
    assert report.cells["where"].str.startswith("table 1").sum() == 0  # the unrelated table is table 1


def test_an_unrelated_table_before_the_report() -> None:
    report = loads(page(METADATA_TABLE + report_body()))
    assert_expected(report, title=False)
    assert (
        report.cells.set_index(["table", "row", "column"])
        .loc[("requests", "new", "total"), "where"]
        .startswith("table 3,")
    )


def test_the_title_is_found_below_an_unrelated_table() -> None:
    report = loads(page(METADATA_TABLE + report_body()))
    assert (report.agency, report.year) == (EXPECTED["agency"], EXPECTED["year"])


def test_several_tables_and_upper_case_markup() -> None:
    html = page(report_body()).replace("<td", "<TD").replace("</td>", "</TD>").replace("<table", "<TABLE")
    html = html.replace("</table>", "</TABLE>").replace("<!DOCTYPE html>", "")
    assert_expected(loads(html))


def test_thead_tbody_th_and_caption() -> None:
    blocks = read_html(
        "<table><caption>表一</caption><thead><tr><th rowspan=2>项目</th><th>a<br/>b</th></tr></thead>"
        "<tbody><tr><td>1</td></tr><tr><td>x</td><td rowspan=0>2</td></tr></tbody></table>"
    )
    assert blocks[0] == Paragraph("表一", "paragraph 1")
    table = blocks[1]
    assert isinstance(table, Table)
    assert [[c.text for c in row] for row in table.rows] == [["项目", "ab"], ["", "1"], ["x", "2"]]
    assert table.rows[2][1].where == "table 1, row 3, column 2"


# -- bad pages -----------------------------------------------------------------------------------------


def test_truncated_page_names_the_file_and_the_place() -> None:
    html = report_page()
    cut = html.index("4.保护第三方合法权益")  # in the middle of table 三 (table 2)
    error = load_error(html[:cut].encode("utf-8"))
    assert error.path == NAME
    assert error.where is not None and re.fullmatch(r"table 2, row \d+", error.where)
    assert "truncated" in str(error) and "不完整" in str(error)
    assert NAME in str(error)


def test_page_cut_inside_a_number_is_not_read_as_a_smaller_number() -> None:
    html = report_page()
    cut = html.index("45648</td>") + len("456")
    error = load_error(html[:cut])
    assert error.where is not None and error.where.startswith("table 1")


def test_page_without_tables() -> None:
    html = page("<h1>北京市石景山区人民政府2022年政府信息公开工作年度报告</h1><p>一、总体情况</p><p>正文。</p>")
    error = load_error(html)
    assert error.path == NAME
    assert "no table" in str(error) and "没有表格" in str(error)


def test_rows_left_out_are_recorded_as_omitted() -> None:
    dropped = {"not_processed_publication", "not_processed_excessive"}  # all-zero rows in the sample
    report = gds.loads(report_page(drop=dropped), source=NAME)
    status = report.status("requests")
    assert (status.loc[sorted(dropped)] == "omitted").all().all()
    assert report.tables["requests"].loc[sorted(dropped)].isna().all().all()  # never read as 0
    strict = gds.validate(report).summary().set_index("rule_id")
    assert strict.loc["requests.outcome_total", "unverifiable"] == 7
    assert gds.validate(report, blank_as_zero=True).ok


def test_table_missing_its_last_rows_names_them() -> None:
    error = load_error(report_page(drop={"total_processed", "carried_forward"}))
    assert error.path == NAME and error.where == "table 2"
    message = str(error)
    assert "total_processed" in message and "carried_forward" in message
    assert "（七）总计" in message and "四、结转下年度继续办理" in message


def test_empty_page_is_an_error() -> None:
    error = load_error(b"<!DOCTYPE html><html></html>")
    assert error.path == NAME


# -- recognising HTML -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start",
    [
        b"<!DOCTYPE html>",
        b"<!doctype HTML PUBLIC",
        b"\xef\xbb\xbf  \n<html>",
        b"<table><tr>",
        b'<META http-equiv="Content-Type">',
        b"\n\n<body>",
        b"<!-- saved page --><html>",
        b'<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">',
    ],
)
def test_sniff_accepts_html_starts(start: bytes) -> None:
    assert sniff_html(start + b"<p>x</p>", "")


def test_sniff_by_suffix_needs_markup() -> None:
    assert sniff_html("北京市<br>报告<p>正文</p>".encode(), ".html")
    assert not sniff_html("北京市报告 plain text".encode(), ".html")
    assert not sniff_html("北京市<br>报告".encode(), ".txt")
    sample = (Path(__file__).parent / "data" / f"{SAMPLE_NAME}.txt").read_bytes()
    assert not sniff_html(sample, ".txt")
    assert pick_reader(sample, ".txt").name == "text"
