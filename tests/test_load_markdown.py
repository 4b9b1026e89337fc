"""The Markdown reader: the sample report as pipe tables, cell markup, and malformed tables."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats.core.layouts import table_layout
from gov_disclosure_stats.loading.assemble import find_tables
from gov_disclosure_stats.loading.readers import pick_reader
from gov_disclosure_stats.loading.readers.markdown import read_markdown, split_row
from gov_disclosure_stats.loading.readers.markdown import sniff as sniff_markdown
from gov_disclosure_stats.model.grid import Paragraph, Table
from tests.report_pages import EXPECTED, SAMPLE_NAME, heading, printed, report_markdown

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


def test_a_row_short_of_a_cell_is_unplaced_never_shifted() -> None:
    text = report_markdown()
    row = next(line for line in text.splitlines() if line.startswith("| 二、上年结转"))
    broken = text.replace(row, row.replace(" | 0 | 0 |", " | 0 |", 1))
    line = line_of(broken, "| 二、上年结转")
    report = gds.loads(broken, source=NAME)
    assert (report.status("requests").loc["carried_over"] == "unplaced").all()
    issue = report.issues.set_index("row").loc["carried_over"]
    assert (issue["kind"], issue["action"], issue["where"]) == (
        "short_row",
        "marked_unplaced",
        f"line {line}, column 1",
    )
    assert "9" in issue["message_zh"] and "10" in issue["message_zh"]
    new = report.to_dict()["tables"]["requests"]["new"]
    assert new == EXPECTED["tables"]["requests"]["new"]  # the neighbours are read
    error = load_error(broken)
    assert error.path == NAME and error.where == f"line {line}, column 1" and f"第{line}行" in str(error)


def test_a_row_with_a_cell_too_many_is_unplaced() -> None:
    text = report_markdown()
    broken = text.replace("| 行政许可 | 36627 |", "| 行政许可 | 36627 | 1 |")
    report = gds.loads(broken, source=NAME)
    assert report.status("proactive").loc["licensing", "decisions"] == "unplaced"
    assert list(report.issues["kind"]) == ["long_row"]
    assert load_error(broken).where.startswith(f"line {line_of(broken, '| 行政许可')}")


def test_a_delimiter_line_of_another_width_still_makes_a_table() -> None:
    blocks = read_markdown("# 报告\n\n| a | b | c |\n|---|---|\n| 1 | 2 | 3 |\n")
    table = blocks[1]
    assert isinstance(table, Table) and [[c.text for c in row] for row in table.rows] == [
        ["a", "b", "c"],
        ["1", "2", "3"],
    ]


def test_a_line_above_a_delimiter_starts_the_next_table() -> None:
    blocks = read_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 | 5 |\n|---|---|---|\n| 6 | 7 | 8 |\n")
    tables = [[[c.text for c in row] for row in b.rows] for b in blocks if isinstance(b, Table)]
    assert tables == [[["a", "b"], ["1", "2"]], [["3", "4", "5"], ["6", "7", "8"]]]


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


# -- what converters and OCR do to the tables (issue 9, kind 4 and 5) ---------------------------------

REQUESTS = table_layout("requests", "2021")
COLUMNS = [c.code for c in REQUESTS.cell_columns if not c.is_optional]
ROW = {r.code: r for r in REQUESTS.rows}
LEAVES = [c for c in ROW if ROW[c].is_cell and not any(r.parent == c for r in ROW.values())]


def values_of(code: str, table: str = "requests") -> list[str]:
    row = EXPECTED["tables"][table][code]
    columns = COLUMNS if table == "requests" else list(row)
    return [printed(row[c]) for c in columns]


def pipe(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def delimiter(width: int) -> str:
    return "|" + "---|" * width


def requests_section(text: str) -> tuple[str, list[str], str]:
    """The text before the requests table, its lines, and the text after it."""
    start = text.index("| （本列数据")
    end = text.index("\n\n", start)
    return text[:start], text[start:end].splitlines(), text[end:]


def row_line(lines: list[str], code: str) -> int:
    return next(i for i, line in enumerate(lines) if f"| {ROW[code].label} |" in line)


def assert_report(report: gds.Report, kinds: set[str]) -> None:
    assert_expected(report)
    assert set(report.issues["kind"]) == kinds, report.issues.to_string()


def test_glued_tables_trailing_cells_and_labels_in_prose() -> None:
    """A converter's Markdown (2024 上海市科委): rows padded with an empty cell to a wider header, a values row
    whose label went into the prose above it starting a glued table of its own width, a label cut in two lines."""
    before, lines, after = requests_section(report_markdown())
    out = [line + "  |" for line in lines[:4]]  # the header rows and the delimiter one cell wider
    out[1] = delimiter(11)
    first = row_line(lines, "granted")
    out += [line + "  |" for line in lines[4:first]]  # 一、二 padded with a trailing empty cell
    for i in range(first, len(lines)):
        code = next(c for c in LEAVES if f"| {ROW[c].label} |" in lines[i])
        if code in {"partly_granted", "withheld_prohibited", "unavailable_not_held", "unavailable_needs_creation"}:
            label = ROW[code].label
            out += ["", label[: len(label) // 2], label[len(label) // 2 :], "", pipe(values_of(code)), delimiter(7)]
        else:
            out.append(lines[i])
    text = before + "\n".join(out) + after
    report = gds.loads(text, source=NAME)
    assert_report(report, {"placed_by_position"})
    placed = report.issues.set_index("row")
    assert set(placed.index) == {
        "partly_granted",
        "withheld_prohibited",
        "unavailable_not_held",
        "unavailable_needs_creation",
    }
    assert placed.loc["partly_granted", "where"] == f"line {line_of(text, pipe(values_of('partly_granted')))}, column 1"


def test_a_values_row_is_never_shifted_into_a_labelled_neighbour() -> None:
    """A values row the template's order cannot place (two of them where one row is free) is unplaced."""
    before, lines, after = requests_section(report_markdown())
    i = row_line(lines, "withheld_prohibited")
    lines[i] = pipe(values_of("withheld_prohibited")) + "\n" + delimiter(7)
    lines.insert(i + 1, pipe(["1", "0", "0", "0", "0", "0", "1"]))
    report = gds.loads(before + "\n".join(lines) + after, source=NAME)
    assert not (report.status("requests").loc["withheld_prohibited"] == "number").any()
    skipped = report.issues[report.issues["kind"] == "no_label"]
    assert list(skipped["raw"]) == ["4 0 0 0 0 0 4", "1 0 0 0 0 0 1"] and set(skipped["action"]) == {"skipped"}
    tables = report.to_dict()["tables"]["requests"]
    for code in ("withheld_state_secret", "withheld_three_safeties"):
        assert tables[code] == EXPECTED["tables"]["requests"][code]


def test_header_broken_into_fragments() -> None:
    """The header's words printed as prose lines and cut across a header row (商业企 … 业): the template's order."""
    before, lines, after = requests_section(report_markdown())
    prose = ["申请人情况", "（本列数据的勾稽关系为：第一项加第二项法人或其他组织", "之和，等于第三项加第四项之和）"]
    prose += ["自然人总计", "商业企科研机社会公法律服", "其他", "本年"]
    header = [pipe(["业", "构", "益组织", "务机构", "", "", "", "", "", ""]), delimiter(10)]
    text = before + "\n".join([*prose, *header, *lines[4:]]) + after
    assert_report(gds.loads(text, source=NAME), set())


def test_header_naming_no_columns_reads_the_template_order_with_an_issue() -> None:
    """OCR headers 数据1…数据6: the values are read in the template's column order, and the issue says so."""
    before, lines, after = requests_section(report_markdown())
    header = [pipe(["类别", "", "", *(f"数据{k}" for k in range(1, 7)), "总计"]), delimiter(10)]
    text = before + "\n".join([*header, *lines[4:]]) + after
    report = gds.loads(text, source=NAME)
    assert_report(report, {"header"})
    issue = report.issues.iloc[0]
    assert (issue["action"], issue["where"]) == ("template_order", f"line {line_of(text, '| 类别')}, column 1")
    with pytest.raises(gds.LoadError):
        gds.loads(text, source=NAME, strict=True)
    # a row with a value too many under such a header is not read in any order
    row = next(line for line in lines if "| 一、本年新收" in line)
    longer = text.replace(row, row.replace(" |  |  | ", " |  | 9 | ", 1))
    report = gds.loads(longer, source=NAME)
    assert (report.status("requests").loc["new"] == "unplaced").all()
    assert report.to_dict()["tables"]["requests"]["carried_over"] == EXPECTED["tables"]["requests"]["carried_over"]


def small_tables() -> str:
    """Table 三 and 四 as OCR Markdown prints them (2025 沐阳县): a small table under a sub-heading per row or
    group, column headers 数据1…数据6, a header from （六）2 on with the wrong words, ``(六) 其他``."""
    placeholder = ["| 类别 | " + " | ".join(f"数据{k}" for k in range(1, 7)) + " | 总计 |", delimiter(8)]
    wrong = [pipe(["项目", "本年新收件数", "上年结转件数", "予以公开", "部分公开", "不予公开", "结转下年度", "总计"])]
    out = [
        "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)",
        "### 申请人情况 (自然人)\n| (数据项目) | 数量 |\n|---|---|\n| - | - |",
        "### 申请人情况 (法人或其他组织)\n| 商业企业 | 科研机构 | 社会公益 | 法律服务机构 | 其他 |\n" + delimiter(5),
        "| - | - | - | - | - |",
        "### 申请人情况 (总计)\n| (数据项目) | 数量 |\n|---|---|\n| - | - |",
    ]
    for top in ("new", "carried_over"):
        out.append(f"### {ROW[top].label}\n" + "\n".join([*placeholder, pipe([ROW[top].label[2:], *values_of(top)])]))
    out.append("### 三、本年度办理结果")
    for code in ("granted", "partly_granted"):
        label = ROW[code].label.replace("（", " (").replace("）", ") ").strip()
        out.append(f"### {label}\n" + "\n".join([*placeholder, pipe([label[4:], *values_of(code)])]))
    for group in ("withheld", "unavailable", "not_processed"):
        rows = [pipe([ROW[c].label.replace(".", ". "), *values_of(c)]) for c in ROW if ROW[c].parent == group]
        out.append(
            f"### {ROW[group].label.replace('（', '(').replace('）', ') ')}\n" + "\n".join([*placeholder, *rows])
        )
    other = [c for c in ROW if ROW[c].parent == "other_handling"]
    out.append("### (六) 其他\n" + "\n".join([*placeholder, pipe([ROW[other[0]].label, *values_of(other[0])])]))
    rest = [pipe([ROW[c].label, *values_of(c)]) for c in [*other[1:], "total_processed", "carried_forward"]]
    out.append("\n".join([*wrong, delimiter(8), *rest]))
    out.append(f"## {heading('review_litigation')}")
    review = table_layout("review_litigation", "2021")
    for row in review.cell_rows:
        name = f"{row.parent_label}（{row.label}）" if row.parent_label else row.label
        header = pipe([c.label for c in review.cell_columns])
        out.append(f"### {name}\n{header}\n{delimiter(5)}\n{pipe(values_of(row.code, 'review_litigation'))}")
    return "\n\n".join(out)


def test_a_table_cut_into_small_tables_under_sub_headings() -> None:
    text = report_markdown()
    start, end = text.index("| （本列数据"), text.index("## 五、")
    cut = text[:start] + small_tables() + "\n\n" + text[end:]
    assert "### (三) 不予公开" in cut and "| 1. 属于国家秘密 |" in cut and "### 行政诉讼（复议后起诉）" in cut
    assert_report(gds.loads(cut, source=NAME), set())


def test_a_sub_heading_gives_its_group_to_the_rows_under_it() -> None:
    """``1. 其他`` names a row only under its group's sub-heading (here a made-up wording of 5.要求行政机关…)."""
    text = report_markdown()
    cut = text[: text.index("| （本列数据")] + small_tables() + "\n\n" + text[text.index("## 五、") :]
    blocks = read_markdown(cut)
    found, _ = find_tables(blocks)
    rows = [[c.text for c in row] for t in found["requests"] for row in t.rows]
    assert ["(三) 不予公开", "1. 属于国家秘密", *values_of("withheld_state_secret")] in rows
    assert sum(row[:1] == ["类别"] for row in rows) == 1  # the header printed again is left out


def test_a_row_printed_as_a_prose_line() -> None:
    """A converter prints a one-value block's row as prose (``行政许可 36627``): it is the row."""
    text = report_markdown()
    table = text[text.index("| 第二十条第（五）项") : text.index("| 第二十条第（六）项")]
    text = text.replace(table, "第二十条第（五）项\n\n信息内容本年处理决定数量\n\n行政许可 36627\n\n")
    assert_report(gds.loads(text, source=NAME), set())


def test_title_starting_with_its_year_and_a_commission_short_name() -> None:
    text = report_markdown().replace(
        f"# {EXPECTED['agency']}{EXPECTED['year']}年", f"正文\n\n# {EXPECTED['year']} 年北京市科委"
    )
    report = gds.loads(text, source=NAME)
    assert (report.agency, report.year) == ("北京市科学技术委员会", EXPECTED["year"])


def test_other_handling_printed_short_as_one_row() -> None:
    """``(六) 其他`` as one row (the 2019 leaf, kept by some 2021 reports) is （六）其他处理, not 3.其他."""
    text = report_markdown()
    other = [c for c in ROW if ROW[c].parent == "other_handling"]
    lines = [line for line in text.splitlines() if not any(f"| {ROW[c].label} |" in line for c in other[1:])]
    total = [sum(EXPECTED["tables"]["requests"][c][col] for c in other) for col in COLUMNS]
    first = next(i for i, line in enumerate(lines) if f"| {ROW[other[0]].label} |" in line)
    lines[first] = pipe(["", "(六) 其他", "", *map(str, total)])
    report = gds.loads("\n".join(lines) + "\n", source=NAME)
    assert report.to_dict()["tables"]["requests"]["other_handling"] == dict(zip(COLUMNS, total, strict=True))
    assert report.layouts["requests"] == "2019" or "other_other" not in set(report.cells["row"])
    assert report.issues.empty


def test_a_group_sub_heading_above_rows_of_other_groups_labels_nothing() -> None:
    """A group's sub-heading gives its group only to a piece holding that group's items (a label that fell out
    of a table above the rest of it is not the group of every row below)."""
    text = (
        f"## {heading('requests')}\n\n（三）不予公开\n\n| 1.属于国家秘密 | 0 |\n|---|---|\n"
        "| （四）无法提供 | 1.本机关不掌握相关政府信息 | 5 |\n"
    )
    found, _ = find_tables(read_markdown(text))
    assert [c.text for c in found["requests"][0].rows[0]] == ["1.属于国家秘密", "0"]
