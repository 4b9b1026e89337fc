"""The plain-text loader: the sample report, encodings, layout variants and every bad-input path."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from gov_disclosure_stats.core.errors import LoadError
from gov_disclosure_stats.core.labels import (
    label_key,
    match_column,
    match_heading,
    match_row,
    normalize,
    split_numbering,
)
from gov_disclosure_stats.core.layouts import table_layout
from gov_disclosure_stats.loading.loader import load, loads
from gov_disclosure_stats.loading.readers import read_text
from gov_disclosure_stats.model.grid import Paragraph, Table

from .conftest import SAMPLE, SAMPLE_EXPECTED, edited

NAME = SAMPLE.name
EXPECTED = json.loads(SAMPLE_EXPECTED.read_text("utf-8"))
CORPUS = Path(__file__).parents[1] / ".." / "shared" / "corpus"

REVIEW_HEADING = "\n政府信息公开行政复议、行政诉讼情况\n"
SECTION_FIVE = "五、存在的问题及改进措施"


def cut(text: str, start: str, end: str) -> str:
    """The sample without the part from ``start`` up to (not including) ``end``."""
    i = text.index(start)
    return text[:i] + text[text.index(end, i) :]


def load_error(content: str | bytes, source: str = NAME) -> LoadError:
    with pytest.raises(LoadError) as info:
        loads(content, source=source, strict=True)
    return info.value


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


# -- the sample report ----------------------------------------------------------------------------


def test_sample_loads_to_expected_values() -> None:
    report = load(SAMPLE)
    data = report.to_dict()
    assert data["tables"] == EXPECTED["tables"]
    assert (report.agency, report.year, report.template) == (EXPECTED["agency"], EXPECTED["year"], "2021")
    assert report.source == EXPECTED["source"]
    assert report.layouts == {"proactive": "2021", "requests": "2021", "review_litigation": "2021"}


def test_sample_cells_keep_raw_text_status_and_line() -> None:
    cells = load(SAMPLE).cells.set_index(["table", "row", "column"])
    new = cells.loc[("requests", "new", "natural_person")]
    assert (new["raw"], new["status"], new["where"], new["value"]) == ("504", "number", "line 102", 504.0)
    fees = cells.loc[("proactive", "fees", "amount_10k_yuan")]
    assert fees["value"] == pytest.approx(4934.0578) and fees["where"] == "line 77"
    assert cells.loc[("review_litigation", "suit_after_review", "total"), "where"] == "line 422"


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-16", "utf-16-be", "utf-8-sig"])
def test_sample_in_other_encodings_loads_the_same(text: str, tmp_path: Path, encoding: str) -> None:
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path = tmp_path / NAME
    path.write_bytes(data)
    assert load(path).to_dict() == load(SAMPLE).to_dict()
    assert loads(data, source=NAME).to_dict()["tables"] == EXPECTED["tables"]


def test_windows_line_endings(text: str) -> None:
    assert loads(text.replace("\n", "\r\n"), source=NAME).to_dict()["tables"] == EXPECTED["tables"]


# -- layout variants ---------------------------------------------------------------------------------


def test_one_line_title(text: str) -> None:
    variant = edited(text, "北京市石景山区人民政府\n\n2022年政府信息公开", "北京市石景山区人民政府2022年度政府信息公开")
    report = loads(variant, source=NAME)
    assert (report.agency, report.year, report.template) == ("北京市石景山区人民政府", 2022, "2021")


def test_review_heading_variants(text: str) -> None:
    for heading in ("四、因政府信息公开工作被申请行政复议、提起行政诉讼情况", "五、政府信息公开行政复议、行政诉讼情况"):
        variant = edited(text, REVIEW_HEADING, f"\n{heading}\n")
        assert loads(variant, source=NAME).to_dict()["tables"] == EXPECTED["tables"]


def test_other_handling_as_one_row_is_the_2019_request_layout(text: str) -> None:
    one_row = "\t\n\t（六）其他处理\n" + "".join(f"\t{v}\n" for v in (17, 0, 0, 0, 0, 0, 17)) + "\n"
    variant = cut(text, "\t\n\t（六）其他处理\n", "\t\n\t（七）总计")
    variant = edited(variant, "\t\n\t（七）总计", one_row + "\t\n\t（七）总计")
    report = loads(variant, source=NAME)
    assert report.layouts["requests"] == "2019"
    assert report.template == "2021" and report.layouts["proactive"] == "2021"
    requests = report.to_dict()["tables"]["requests"]
    assert requests["other_handling"]["natural_person"] == 17 and requests["other_handling"]["total"] == 17
    assert not {"other_overdue_correction", "other_overdue_fee", "other_other"} & set(requests)


def test_group_subtotal_row_loads_under_the_group_code(text: str) -> None:
    subtotal = "\t\n\t（三）不予公开\n" + "".join(f"\t{v}\n" for v in (22, 1, 0, 0, 0, 0, 23)) + "\n"
    variant = edited(text, "\t\n\t（三）不予公开\n", subtotal + "\t\n\t（三）不予公开\n")
    requests = loads(variant, source=NAME).to_dict()["tables"]["requests"]
    assert requests["withheld"] == {
        "natural_person": 22, "commercial": 1, "research": 0, "social_welfare": 0,
        "legal_services": 0, "other_org": 0, "total": 23,
    }  # fmt: skip
    assert requests["withheld_state_secret"] == EXPECTED["tables"]["requests"]["withheld_state_secret"]


def test_org_subtotal_column(text: str) -> None:
    start, end = text.index("三、收到和处理"), text.index(REVIEW_HEADING)

    def add_subtotal(m: re.Match[str]) -> str:
        values = [int(v) for v in re.findall(r"\t(\d+)\n", m[0])]
        return "".join(f"\t{v}\n" for v in values[:6]) + f"\t{sum(values[1:6])}\n\t{values[6]}\n"

    section = re.sub(r"(?:\t\d+\n){7}", add_subtotal, text[start:end])
    section = section.replace("\t其他\n\t\n", "\t其他\n\t小计\n\t\n")
    report = loads(text[:start] + section + text[end:], source=NAME)
    requests = report.to_dict()["tables"]["requests"]
    assert requests["new"]["org_subtotal"] == 26 and requests["new"]["total"] == 530
    assert requests["total_processed"]["org_subtotal"] == 27


def test_review_printed_as_three_labelled_rows(text: str) -> None:
    rows = "".join(
        f"\t{label}\n" + "".join(f"\t{v}\n" for v in values) + "\n"
        for label, values in (
            ("行政复议", (4, 5, 1, 2, 12)),
            ("行政诉讼·未经复议直接起诉", (18, 0, 0, 2, 20)),
            ("复议后起诉", (4, 0, 0, 0, 4)),
        )
    )
    header = "\t\n" + "".join(f"\t{c}\n" for c in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")) + "\n"
    variant = cut(text, REVIEW_HEADING, SECTION_FIVE)
    variant = edited(variant, SECTION_FIVE, f"{REVIEW_HEADING}\n{header}{rows}\n{SECTION_FIVE}")
    assert loads(variant, source=NAME).to_dict()["tables"] == EXPECTED["tables"]


def test_2019_proactive_table(text: str) -> None:
    def block(item: str, columns: tuple[str, ...], *rows: tuple[str, ...]) -> str:
        head = f"\t第二十条第（{item}）项\n\n\t信息内容\n" + "".join(f"\t{c}\n" for c in columns) + "\n"
        return head + "".join("".join(f"\t{c}\n" for c in row) + "\n" for row in rows)

    counts = ("上一年项目数量", "本年增/减", "处理决定数量")
    table = (
        block(
            "一",
            ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
            ("规章", "0", "0", "3"),
            ("规范性文件", "5", "5", "40"),
        )
        + block("五", counts, ("行政许可", "120", "-3", "3600"), ("其他对外管理服务事项", "10", "0", "/"))
        + block("六", counts, ("行政处罚", "20", "1", "4000"), ("行政强制", "4", "0", "60"))
        + block("八", counts[:2], ("行政事业性收费", "6", "－1"))
        + block("九", ("采购项目数量", "采购总金额"), ("政府集中采购", "12", "251000元"))
    )
    variant = cut(text, "\t第二十条第（一）项", "\n三、收到和处理")
    variant = edited(variant, "二、主动公开政府信息情况\n", f"二、主动公开政府信息情况\n\n{table}\n")
    variant = edited(variant, "2022年政府信息公开工作年度报告", "2020年政府信息公开工作年度报告")
    report = loads(variant, source=NAME)
    assert (report.year, report.template, report.layouts["proactive"]) == (2020, "2019", "2019")
    assert report.layouts["requests"] == "2021"  # its （六） sub-rows: detected per table
    proactive = report.to_dict()["tables"]["proactive"]
    assert proactive["licensing"] == {"prior_items": 120, "change": -3, "decisions": 3600}
    assert proactive["other_services"]["decisions"] is None
    assert proactive["fees"] == {"prior_items": 6, "change": -1}
    assert proactive["procurement"] == {"items": 12, "amount": 251000.0}


# -- what a cell held -----------------------------------------------------------------------------------


def test_text_slash_and_blank_cells_keep_their_status(text: str) -> None:
    variant = edited(text, "\t504\n", "\t约五百\n")
    variant = edited(variant, "\t530\n", "\t/\n")
    variant = edited(variant, "\t规章\n\t0\n", "\t规章\n\t\n")
    report = loads(variant, source=NAME)
    cells = report.cells.set_index(["table", "row", "column"])
    text_cell = cells.loc[("requests", "new", "natural_person")]
    assert text_cell["status"] == "text" and math.isnan(text_cell["value"]) and text_cell["raw"] == "约五百"
    assert cells.loc[("requests", "new", "total"), "status"] == "not_applicable"
    assert math.isnan(cells.loc[("requests", "new", "total"), "value"])
    assert cells.loc[("proactive", "regulations", "issued"), "status"] == "blank"
    assert math.isnan(cells.loc[("proactive", "regulations", "issued"), "value"])
    tables = report.to_dict()["tables"]
    assert tables["requests"]["new"]["natural_person"] is None  # never turned into 0
    assert tables["proactive"]["regulations"]["issued"] is None


# -- bad input ----------------------------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    for content in (b"", b"  \n\n\t\n"):
        path = tmp_path / "empty.txt"
        path.write_bytes(content)
        with pytest.raises(LoadError, match="empty") as info:
            load(path)
        assert "empty.txt" in str(info.value) and "文件为空" in str(info.value)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"GIF89a\x01\x00\x01\x00" + bytes(range(256)))
    with pytest.raises(LoadError, match="NUL") as info:
        load(path)
    assert "image.txt" in str(info.value)
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(LoadError, match="unrecognised file format"):
        load(path)
    assert "not a text file" in str(load_error(bytes(range(1, 256)) * 8, "noise.bin"))


def test_unrecognised_binary_format(tmp_path: Path) -> None:
    path = tmp_path / "report.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    with pytest.raises(LoadError, match="unrecognised file format") as info:
        load(path)
    assert "report.doc" in str(info.value)


def test_no_table(text: str) -> None:
    prose = text[: text.index("二、主动公开政府信息情况")]
    error = load_error(prose)
    assert NAME in str(error) and "no recognisable table" in str(error)


def test_truncated_requests_table(text: str) -> None:
    variant = cut(text, "\t\n\t\n\t6.属于四类过程性信息", REVIEW_HEADING)
    error = load_error(variant)
    message = str(error)
    assert NAME in message and "withheld_process" in message and "6.属于四类过程性信息" in message
    assert "carried_forward" in message and "第82-" in message and "lines 82-" in message
    ends_there = text[: text.index("\t\n\t\n\t6.属于四类过程性信息")]  # the file itself stops mid-table
    assert "requests is incomplete" in str(load_error(ends_there))


def test_unknown_row_label(text: str) -> None:
    line = line_of(text, "\t（一）予以公开")
    error = load_error(edited(text, "\t（一）予以公开", "\t（一）予以办理"))
    message = str(error)
    assert NAME in message and f"第{line}行" in message and f"line {line}" in message
    assert "（一）予以办理" in message and error.where == f"line {line}"


def test_too_few_values_in_a_row(text: str) -> None:
    line = line_of(text, "\t二、上年结转")
    error = load_error(
        edited(text, "\t二、上年结转政府信息公开申请数量\n\t5\n", "\t二、上年结转政府信息公开申请数量\n")
    )
    assert f"line {line}" in str(error)


def test_missing_review_table(text: str) -> None:
    error = load_error(cut(text, REVIEW_HEADING, SECTION_FIVE))
    assert NAME in str(error) and "review_litigation" in str(error) and "缺少表格" in str(error)
    heading_only = cut(text, "\t行政复议\n\t行政诉讼", SECTION_FIVE)
    error = load_error(heading_only)
    assert "review_litigation" in str(error) and f"line {line_of(text, REVIEW_HEADING[1:])}" in str(error)


def test_review_table_with_missing_values(text: str) -> None:
    error = load_error(edited(text, "\t0\n\t4\n\n\n五、", "\t0\n\n\n五、"))
    assert "expected 15 values" in str(error) and NAME in str(error)


def test_report_before_2019_is_unsupported(text: str) -> None:
    error = load_error(edited(text, "2022年政府信息公开工作年度报告", "2018年政府信息公开工作年度报告"))
    assert "unsupported layout" in str(error) and "line 3" in str(error)


# -- the text reader ---------------------------------------------------------------------------------------------


def test_text_reader_blocks() -> None:
    blocks = read_text("标题\n\n\t结果\n纠正\n\t\n\t12\n\n\t4\n五、后文\n")
    assert blocks[0] == Paragraph("标题", "line 1")
    table = blocks[1]
    assert isinstance(table, Table) and table.where == "lines 3-8"
    assert [[c.text for c in row] for row in table.rows] == [["结果纠正", "", "12"], ["4"]]
    assert [c.where for c in table.rows[0]] == ["line 3", "line 5", "line 6"]
    assert (table.rows[0][2].row, table.rows[0][2].col) == (0, 2)
    assert blocks[2] == Paragraph("五、后文", "line 9")  # a number cell is never continued


# -- the label normalizer and matcher -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "number", "rest"),
    [
        ("（一）予以公开", 1, "予以公开"),
        ("(一)予以公开", 1, "予以公开"),
        ("一、予以公开", 1, "予以公开"),
        ("（十二）其他", 12, "其他"),
        ("1、属于国家秘密", 1, "属于国家秘密"),
        ("1.属于国家秘密", 1, "属于国家秘密"),
        ("1．属于国家秘密", 1, "属于国家秘密"),
        ("（1）属于国家秘密", 1, "属于国家秘密"),
        ("１.属于国家秘密", 1, "属于国家秘密"),
        ("规章", None, "规章"),
    ],
)
def test_numbering_variants(printed: str, number: int | None, rest: str) -> None:
    assert split_numbering(normalize(printed)) == (number, rest)


def test_normalize_whitespace_width_and_quotes() -> None:
    assert normalize(" 本年收费金额（单位：万元）\u3000") == "本年收费金额(单位:万元)"
    keys = {label_key(s).full for s in ("3.危及“三安全一稳定”", '3.危及"三安全一稳定"', "3、危及「三安全 一稳定」")}
    assert keys == {"危及三安全一稳定"}


@pytest.mark.parametrize(
    ("printed", "group", "code"),
    [
        ("（一）予以公开", None, "granted"),
        ("一、予以公开", None, "granted"),
        ("（二）部分公开", None, "partly_granted"),
        ("（二）部分公开（区分处理的,只计这一情形,不计其他情形）", None, "partly_granted"),
        ("2.其他法律、行政法规禁止公开", "withheld", "withheld_prohibited"),
        ("3．危及「三安全一稳定」", "withheld", "withheld_three_safeties"),
        ("（七）总 计", None, "total_processed"),
        ("3.其他", "other_handling", "other_other"),
        ("（六）其他处理", None, "other_handling"),
        ("四、结转下年度继续办理", None, "carried_forward"),
        ("三、本年度办理结果", None, "outcomes"),
        ("（一）予以办理", None, None),
    ],
)
def test_match_request_rows(printed: str, group: str | None, code: str | None) -> None:
    assert match_row(printed, table_layout("requests", "2021"), group) == code


def test_group_context_disambiguates_numbered_sub_items() -> None:
    from gov_disclosure_stats.core.labels import match_node
    from gov_disclosure_stats.core.layouts import Node

    nodes = (
        Node("a", "（一）甲", group=True),
        Node("a_other", "1.其他", parent="a"),
        Node("b", "（二）乙", group=True),
        Node("b_other", "1.其他", parent="b"),
        Node("b_more", "2.其他", parent="b"),
    )
    assert match_node("1.其他", nodes) is None  # ambiguous without its group
    assert match_node("1、其他", nodes, group="a") == "a_other"
    assert match_node("(1)其他", nodes, group="b") == "b_other"
    assert match_node("2.其他", nodes, group="b") == "b_more"


def test_match_columns() -> None:
    requests = table_layout("requests", "2021")
    assert [match_column(s, requests) for s in ("自然人", "商业企业", "其他", "小计", "合计", "总计")] == [
        "natural_person", "commercial", "other_org", "org_subtotal", "org_subtotal", "total",
    ]  # fmt: skip
    proactive19, proactive21 = table_layout("proactive", "2019"), table_layout("proactive", "2021")
    assert match_column("本年收费金额（单位:万元）", proactive21) == "amount_10k_yuan"
    assert match_column("本年收费金额(万元)", proactive21) == "amount_10k_yuan"
    assert match_column("本年新制作数量", proactive19) == "made" and match_column("本年新制作数量", proactive21) is None
    assert match_row("规范性文件", proactive21) == "normative_documents"
    review = table_layout("review_litigation", "2021")
    assert match_column("其他\n结果", review) == "other" and match_row("未经复议直接起诉", review) == "suit_direct"


@pytest.mark.parametrize(
    ("heading", "table"),
    [
        ("二、主动公开政府信息情况", "proactive"),
        ("三、收到和处理政府信息公开申请情况", "requests"),
        ("三、收到和处理政府信息公开申请的情况", "requests"),
        ("四、政府信息公开行政复议、行政诉讼情况", "review_litigation"),
        ("政府信息公开行政复议、行政诉讼情况", "review_litigation"),
        ("四、因政府信息公开工作被申请行政复议、提起行政诉讼情况", "review_litigation"),
        ("五、政府信息公开行政复议、行政诉讼情况", "review_litigation"),
        ("(二)主动公开情况", None),
        ("（三）依申请公开情况", None),
        ("一、总体情况", None),
        ("2022年，全区共受理依申请530件。因政府信息公开工作被申请行政复议12件。", None),
    ],
)
def test_match_heading(heading: str, table: str | None) -> None:
    assert match_heading(heading) == table


def test_a_row_left_out_is_recorded_as_omitted(text: str) -> None:
    start = text.index("\t\n\t\n\t3.要求提供公开出版物")
    end = text.index("\t\n\t\n\t4.无正当理由大量反复申请")
    report = loads(text[:start] + text[end:], source=NAME)  # the all-zero row dropped
    status = report.status("requests").loc["not_processed_publication"]
    assert (status == "omitted").all()
    assert report.tables["requests"].loc["not_processed_publication"].isna().all()
    cell = report.cells.query("row == 'not_processed_publication'").iloc[0]
    assert cell["raw"] == "" and cell["where"].startswith("line")


@pytest.mark.parametrize("year", [2019, 2020, 2021, 2024])
def test_a_report_in_the_2021_layout_loads_exactly_whatever_its_year(year: int) -> None:
    """A 2019/2020 report printed in the newer layout: the headers' columns win over the year's hint."""
    from gov_disclosure_stats.model.synth import consistent_series, wide_to_reports
    from gov_disclosure_stats.show.render import to_text

    (printed,) = wide_to_reports(consistent_series(1, range(year, year + 1)))
    report = loads(to_text(printed))
    assert report.issues.empty
    assert report.to_dict()["tables"] == printed.to_dict()["tables"]
