"""The Markdown reader: the sample report as pipe tables, cell markup, and malformed tables."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats.grid import Paragraph, Table
from gov_disclosure_stats.readers import pick_reader
from gov_disclosure_stats.readers.markdown import read_markdown, split_row
from gov_disclosure_stats.readers.markdown import sniff as sniff_markdown
from tests.report_pages import EXPECTED, SAMPLE_NAME, heading, report_markdown

NAME = f"{SAMPLE_NAME}.md"


def assert_expected(report: gds.Report) -> None:
    assert report.to_dict()["tables"] == EXPECTED["tables"]
    assert (report.agency, report.year, report.template) == (EXPECTED["agency"], EXPECTED["year"], "2021")


def load_error(content: str | bytes, source: str = NAME) -> gds.LoadError:
    with pytest.raises(gds.LoadError) as info:
        gds.loads(content, source=source, strict=True)
    return info.value


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_markdown_report_loads_to_expected_values(tmp_path: Path) -> None:
    text = report_markdown()
    assert_expected(gds.loads(text, source=NAME))
    path = tmp_path / NAME
    path.write_text(text, "utf-8")
    assert_expected(gds.load(path))


def test_table_two_as_one_table_with_blank_positions() -> None:
    text = report_markdown(one_proactive_table=True)
    assert "| 行政许可 | 36627 |  |  |" in text  # the merged value leaves blank positions beside it
    assert_expected(gds.loads(text, source=NAME))


def test_markdown_is_sniffed_by_its_delimiter_lines() -> None:
    text = report_markdown()
    assert pick_reader(text.encode()).name == "markdown"
    assert_expected(gds.loads(text))  # no name, no suffix
    assert_expected(gds.loads(text.encode("gb18030"), source="report"))


def test_cells_and_headings_keep_their_lines() -> None:
    text = report_markdown()
    blocks = read_markdown(text)
    assert Paragraph(heading("requests"), f"line {line_of(text, '## ' + heading('requests'))}") in blocks
    cells = gds.loads(text, source=NAME).cells.set_index(["table", "row", "column"])
    line = line_of(text, "| 一、本年新收")
    assert cells.loc[("requests", "new", "natural_person"), "where"] == f"line {line}, column 4"
    tables = [b for b in blocks if isinstance(b, Table)]
    first = line_of(text, "| （本列数据")
    assert tables[4].where == f"lines {first}-{line_of(text, '| 四、结转')}"


def test_cell_markup_br_entities_emphasis_and_escaped_pipes() -> None:
    blocks = read_markdown(
        "## **标题**\n\n| 项目 | 结果<br>纠正 | 其他<br/>结果 |\n|:---|---:|:-:|\n| a \\| b | &nbsp; | **20** |\n后文\n"
    )
    assert blocks[0] == Paragraph("标题", "line 1")
    table = blocks[1]
    assert isinstance(table, Table)
    assert [[c.text for c in row] for row in table.rows] == [["项目", "结果纠正", "其他结果"], ["a | b", "", "20"]]
    assert table.rows[1][2].where == "line 5, column 3"
    assert blocks[2] == Paragraph("后文", "line 6")


def test_nbsp_and_empty_cells_are_blank_never_zero() -> None:
    text = report_markdown()
    row = next(line for line in text.splitlines() if line.startswith("| 一、本年新收"))
    cells = row.split(" | ")
    cells[5] = "&nbsp;"  # research
    cells[-1] = " |"  # total, left empty
    report = gds.loads(text.replace(row, " | ".join(cells)), source=NAME)
    new = report.to_dict()["tables"]["requests"]["new"]
    assert new["research"] is None and new["total"] is None
    frame = report.cells.set_index(["table", "row", "column"])
    for column in ("research", "total"):
        cell = frame.loc[("requests", "new", column)]
        assert cell["status"] == "blank" and math.isnan(cell["value"])


def test_tables_without_outer_pipes() -> None:
    def bare(line: str) -> str:  # outer pipes are optional where the first and last cells are not empty
        cells = split_row(line)
        if not line.startswith("| ") or "---" in line or not cells[0].strip() or not cells[-1].strip():
            return line
        return line.removeprefix("| ").removesuffix(" |")

    text = "\n".join(bare(line) for line in report_markdown().splitlines())
    assert "\n一、本年新收政府信息公开申请数量 |" in text
    assert_expected(gds.loads(text, source=NAME))


def test_row_with_the_wrong_number_of_cells_names_the_line() -> None:
    text = report_markdown()
    row = next(line for line in text.splitlines() if line.startswith("| 二、上年结转"))
    broken = text.replace(row, row.replace(" | 0 | 0 |", " | 0 |", 1))
    error = load_error(broken)
    line = line_of(broken, "| 二、上年结转")
    assert error.path == NAME and error.where == f"line {line}"
    assert f"第{line}行" in str(error) and "9" in str(error) and "10" in str(error)


def test_row_with_too_many_cells_names_the_line() -> None:
    text = report_markdown()
    broken = text.replace("| 行政许可 | 36627 |", "| 行政许可 | 36627 | 1 |")
    error = load_error(broken)
    assert error.where == f"line {line_of(broken, '| 行政许可')}"


def test_delimiter_line_with_the_wrong_number_of_cells() -> None:
    error = load_error("# 报告\n\n| a | b | c |\n|---|---|\n| 1 | 2 | 3 |\n")
    assert error.where == "line 4" and error.path == NAME


def test_a_left_out_row_is_omitted_and_a_cut_table_is_named() -> None:
    text = report_markdown()
    row = next(line for line in text.splitlines() if "2.重复申请" in line)
    report = gds.loads(text.replace(row + "\n", ""), source=NAME)
    assert (report.status("requests").loc["not_processed_repeat"] == "omitted").all()
    last = next(line for line in text.splitlines() if "四、结转下年度继续办理" in line)
    error = load_error(text.replace(last + "\n", ""))
    assert "carried_forward" in str(error) and "四、结转下年度继续办理" in str(error)


def test_split_row() -> None:
    assert split_row("| a | b |") == [" a ", " b "]
    assert split_row("a | b") == ["a ", " b"]
    assert split_row("| a | | c |") == [" a ", " ", " c "]


@pytest.mark.parametrize(
    ("data", "suffix", "expected"),
    [
        (b"# title\n\nprose only\n", ".md", True),
        (b"# title\n\nprose only\n", ".markdown", True),
        (b"| a | b |\n|---|---|\n| 1 | 2 |\n", "", True),
        (b"a | b\n:--|--:\n", "", True),
        ("| a |\n| --- |\n".encode("utf-16"), "", True),
        (b"# title\n\n---\n\nprose\n", "", False),
        (b"plain text | with a pipe\n", "", False),
    ],
)
def test_sniff(data: bytes, suffix: str, expected: bool) -> None:
    assert sniff_markdown(data, suffix) is expected


def test_the_text_sample_is_not_markdown() -> None:
    sample = (Path(__file__).parent / "data" / f"{SAMPLE_NAME}.txt").read_bytes()
    assert not sniff_markdown(sample, ".txt")
