"""Seeing results: the HTML tables in the template's layout, the terminal tables, the failure-rate charts."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import lxml.html
import matplotlib
import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from rich.text import Text

import gov_disclosure_stats as gds
from gov_disclosure_stats.cli import main
from gov_disclosure_stats.core.layouts import TABLES
from gov_disclosure_stats.model.synth import (
    consistent_series,
    consistent_wide,
    inject_errors,
    mixed_corpus,
    wide_to_reports,
)
from gov_disclosure_stats.show.display import result_html, to_html
from gov_disclosure_stats.show.plot import failure_rate_table, failure_rates
from gov_disclosure_stats.show.printed import SUBTOTAL, number_text
from gov_disclosure_stats.show.render import QUOTE_WIDTH, display_width, print_validation, rich_tables, shorten_quotes

from .conftest import SAMPLE

matplotlib.use("Agg")

GRANTED = "requests.granted.natural_person"  # 297 in the sample


def edited(old: str, new: str, source: str = "edited.txt") -> gds.Report:
    """The sample with the first tab-indented cell ``old`` changed to ``new``, loaded from memory."""
    text = SAMPLE.read_text("utf-8")
    assert f"\n\t{old}\n" in text
    return gds.loads(text.replace(f"\n\t{old}\n", f"\n\t{new}\n", 1), source=source)


def tables(html: str) -> dict[str, lxml.html.HtmlElement]:
    root = lxml.html.fromstring(f"<div>{html}</div>")
    return {t.get("data-table"): t for t in root.iter("table") if t.get("data-table")}


def span(el: lxml.html.HtmlElement, name: str) -> int:
    return int(el.get(name, "1"))


def occupancy(table: lxml.html.HtmlElement) -> list[list[lxml.html.HtmlElement]]:
    """The grid of a table with its spans laid out; fails on overlapping cells or ragged rows."""
    grid: dict[tuple[int, int], lxml.html.HtmlElement] = {}
    rows = table.xpath("./thead/tr | ./tbody/tr")
    for i, tr in enumerate(rows):
        j = 0
        for cell in tr.xpath("./th | ./td"):
            while (i, j) in grid:
                j += 1
            for di in range(span(cell, "rowspan")):
                for dj in range(span(cell, "colspan")):
                    assert (i + di, j + dj) not in grid, f"cells overlap at {(i + di, j + dj)}"
                    grid[(i + di, j + dj)] = cell
            j += span(cell, "colspan")
    width = max(j for _, j in grid) + 1
    assert sorted(grid) == [(i, j) for i in range(len(rows)) for j in range(width)], "the grid is not rectangular"
    return [[grid[(i, j)] for j in range(width)] for i in range(len(rows))]


def data_codes(table: lxml.html.HtmlElement) -> list[str]:
    return [td.get("data-cell") for td in table.iter("td")]


def layout_codes(report: gds.Report, table: str) -> list[str]:
    """Every cell the report's table has: the layout's rows and columns present in ``report.tables``."""
    layout, frame = report.layout(table), report.tables[table]
    return [f"{table}.{r}.{c}" for r in frame.index for c in layout.row_columns(r) if c in frame.columns]


def check_structure(report: gds.Report, html: str) -> dict[str, lxml.html.HtmlElement]:
    """Every table is a rectangular grid holding every layout cell exactly once."""
    found = tables(html)
    assert sorted(found) == sorted(report.layouts)
    for name, table in found.items():
        occupancy(table)
        codes = data_codes(table)
        assert len(codes) == len(set(codes)), f"{name}: a cell is drawn twice"
        assert sorted(codes) == sorted(layout_codes(report, name))
    return found


def th_texts(tr: lxml.html.HtmlElement) -> list[tuple[str, int, int]]:
    return [(th.text_content(), span(th, "colspan"), span(th, "rowspan")) for th in tr.xpath("./th")]


# -- HTML: layout ---------------------------------------------------------------------------------------


def test_sample_tables_have_the_template_layout() -> None:
    report = gds.load(SAMPLE)
    found = check_structure(report, to_html(report))
    layout = report.layout("requests")
    columns = list(report.tables["requests"].columns)
    orgs = layout.leaves("organisations", "columns")
    head = found["requests"].xpath("./thead/tr")
    assert th_texts(head[0]) == [(layout.note, 3, 3), (layout.column("applicants").label, len(columns), 1)]
    assert th_texts(head[1]) == [
        (layout.column("natural_person").label, 1, 2),
        (layout.column("organisations").label, len(orgs), 1),
        (layout.column("total").label, 1, 2),
    ]
    assert th_texts(head[2]) == [(layout.column(c).label, 1, 1) for c in orgs]
    body = found["requests"].xpath("./tbody/tr")
    grid = occupancy(found["requests"])
    assert len(grid[0]) == 3 + len(columns)
    # 三、本年度办理结果 spans every outcome row; （三）不予公开 spans its eight items
    outcomes = [r for r in report.tables["requests"].index if layout.row(r).parent is not None]
    labels = {th.text_content(): th for th in found["requests"].iter("th")}
    assert span(labels[layout.row("outcomes").label], "rowspan") == len(outcomes)
    assert span(labels[layout.row("withheld").label], "rowspan") == len(layout.leaves("withheld"))
    assert th_texts(body[0]) == [(layout.row("new").label, 3, 1)]
    assert (layout.row("granted").label, 2, 1) in th_texts(body[2])
    # the row of each cell carries its row's label, the column its column's
    for row in grid[len(head) :]:
        for j, cell in enumerate(row):
            if cell.tag == "td":
                _, r, c = cell.get("data-cell").split(".")
                assert row[2].text_content() == layout.row(r).label
                assert grid[len(head) - 1][j].text_content() == layout.column(c).label


def test_review_litigation_is_one_row_under_three_header_levels() -> None:
    report = gds.load(SAMPLE)
    table = tables(to_html(report))["review_litigation"]
    layout = report.layout("review_litigation")
    columns = [c.code for c in layout.cell_columns]
    labels = [layout.column(c).label for c in columns]
    suits = [r for r in layout.cell_rows if r.parent_label]
    head = table.xpath("./thead/tr")
    assert th_texts(head[0]) == [(layout.row("review").label, len(columns), 1), (suits[0].parent_label, 10, 1)]
    assert th_texts(head[1]) == [*((label, 1, 2) for label in labels), *((s.label, len(columns), 1) for s in suits)]
    assert th_texts(head[2]) == [(label, 1, 1) for label in labels * len(suits)]
    row = table.xpath("./tbody/tr")
    assert len(row) == 1
    values = [td.text_content() for td in row[0].iter("td")]
    assert values == ["4", "5", "1", "2", "12", "18", "0", "0", "2", "20", "4", "0", "0", "0", "4"]


def test_proactive_blocks_as_printed() -> None:
    report = gds.load(SAMPLE)
    table = tables(to_html(report))["proactive"]
    layout = report.layout("proactive")
    grid = occupancy(table)
    width = 1 + max(len(layout.row_columns(r.code)) for r in layout.cell_rows)
    assert len(grid[0]) == width
    blocks = [th.text_content() for th in table.xpath(".//th[@class='gds-block']")]
    assert blocks == list(dict.fromkeys(r.block for r in layout.cell_rows))
    fees = table.xpath(".//td[@data-cell='proactive.fees.amount_10k_yuan']")[0]
    assert fees.text_content() == "4934.0578" and span(fees, "colspan") == width - 1


@pytest.mark.parametrize(
    "options",
    [{"version": "2019"}, {"version": "2019", "subtotals": True}, {"version": "2021", "requests_layout": "2019"}],
    ids=["2019", "2019-subtotals", "2021-with-2019-requests"],
)
def test_generated_reports_of_other_layouts(options: dict) -> None:
    for report in wide_to_reports(consistent_wide(2, seed=5, **options)):
        found = check_structure(report, to_html(report))
        layout = report.layout("requests")
        labels = {th.text_content(): th for th in found["requests"].iter("th")}
        if options.get("subtotals"):  # a printed group heads its subtotal row (小计) and its items
            assert span(labels[layout.row("withheld").label], "rowspan") == 1 + len(layout.leaves("withheld"))
            assert SUBTOTAL in labels
            head = found["requests"].xpath("./thead/tr")
            assert th_texts(head[1])[1] == (layout.column("organisations").label, 6, 1)
        if layout.version == "2019":  # （六）其他处理 is one row spanning the two inner label columns
            assert span(labels[layout.row("other_handling").label], "colspan") == 2
        for td in found["requests"].iter("td"):
            assert "gds-hard" not in td.get("class")


# -- HTML: findings, corrections, escaping ----------------------------------------------------------


def classes(td: lxml.html.HtmlElement) -> set[str]:
    return set(td.get("class").split())


def test_failing_cells_are_highlighted_with_messages_on_hover() -> None:
    report = edited("297", "279")
    result = gds.validate(report)
    html = to_html(report)  # validates by itself
    assert html == to_html(report, result) == report._repr_html_()
    cells = {td.get("data-cell"): td for t in tables(html).values() for td in t.iter("td")}
    involved = {c for codes in result.violations["cells"] for c in codes}
    assert {code for code, td in cells.items() if "gds-hard" in classes(td)} == involved
    anchors = {f"{v.table}.{v.row}.{v.column}" for v in result.violations.itertuples()}
    assert {code for code, td in cells.items() if "gds-anchor" in classes(td)} == anchors
    title = cells[GRANTED].get("title")
    for v in result.violations.itertuples():
        assert v.rule_id in title and v.message_zh in title and v.message_en in title
    assert f"（{report.where('requests.granted.total')}）" in cells["requests.granted.total"].get("title")
    quiet = "requests.new.commercial"
    assert cells[quiet].get("title") == f"{quiet}\n数值 / number（{report.where(quiet)}）"
    assert "不通过 FAIL" in html


def test_soft_failures_marks_and_text_cells() -> None:
    text = SAMPLE.read_text("utf-8").replace("\t4\n\t5\n\t1\n\t2\n\t12\n", "\t4\n\t/\n\t\n\t2\n\t未统计\n")
    report = gds.loads(text, source="odd.txt")
    cells = {td.get("data-cell"): td for td in tables(to_html(report))["review_litigation"].iter("td")}
    mark, blank, words = (cells[f"review_litigation.review.{c}"] for c in ("corrected", "other", "total"))
    assert mark.text_content() == "/" and {"gds-muted", "gds-soft"} <= classes(mark)
    assert "不适用标记 / not-applicable mark" in mark.get("title") and "cells.present" in mark.get("title")
    assert blank.text_content() == "" and "空白 / blank" in blank.get("title")
    assert words.text_content() == "未统计" and "文字，不是数值 / text, not a number" in words.get("title")
    assert "gds-hard" not in classes(words) and "gds-soft" in classes(words)


def test_corrections_show_beside_the_current_value() -> None:
    report = edited("297", "279")
    corrections = pd.DataFrame(
        {
            "report_id": [report.report_id, report.report_id, "another.txt"],
            "solution": [1, 2, 1],
            "cell": [GRANTED, "requests.granted.total", GRANTED],
            "current": [279.0, 309.0, 1.0],
            "suggested": [297.0, 291.0, 2.0],
            "reason": ["typo: digits swapped", "the total is wrong", "other report"],
        }
    )
    html = to_html(report, corrections=corrections)
    cells = {td.get("data-cell"): td for td in tables(html)["requests"].iter("td")}
    fixed = cells[GRANTED]
    assert fixed.text_content() == "279 → 297"
    assert fixed.xpath(".//span[@class='gds-suggested']")[0].text_content() == "297"
    assert "gds-corrected" in classes(fixed) and "typo: digits swapped" in fixed.get("title")
    total = cells["requests.granted.total"]  # solution 2 only: in the title, not beside the value
    assert total.text_content() == "309" and "291" in total.get("title")
    assert "other report" not in html
    with pytest.raises(ValueError, match="suggested"):
        to_html(report, corrections=corrections.drop(columns="suggested"))


def test_corrections_from_localize() -> None:
    if not hasattr(gds, "localize"):
        pytest.skip("gds.localize is not part of this version")
    report = edited("297", "279")
    corrections = gds.localize(report)
    cell = tables(to_html(report, corrections=corrections))["requests"].xpath(f".//td[@data-cell='{GRANTED}']")[0]
    assert cell.text_content() == "279 → 297"


def test_a_correction_the_rules_leave_open_shows_a_question_mark() -> None:
    report = edited("297", "279")
    corrections = pd.DataFrame(
        {
            "report_id": [report.report_id],
            "solution": pd.array([1], dtype="Int64"),
            "cell": [GRANTED],
            "current": pd.array([279.0], dtype="Float64"),
            "suggested": pd.array([pd.NA], dtype="Float64"),  # as localize leaves an undetermined cell
            "reason": ["规则不能确定其值 / the rules do not determine it"],
        }
    )
    cell = tables(to_html(report, corrections=corrections))["requests"].xpath(f".//td[@data-cell='{GRANTED}']")[0]
    assert cell.text_content() == "279 → ?"
    assert "279 → ?：规则不能确定其值 / the rules do not determine it" in cell.get("title")
    drawn = rich_tables(report, gds.validate(report), corrections, width=200)
    assert "279 → ?" in {t.plain for t in cell_texts(drawn[1])}
    assert number_text(pd.NA) == "" and number_text(None) == "" and number_text(4934.0578) == "4934.0578"


def test_a_report_localize_cannot_repair_shows_its_note() -> None:
    report = gds.load(SAMPLE)
    rules = ["requests.new.total >= 1000", "requests.new.total <= 10"]  # contradictory: no change repairs both
    result = gds.validate(report, rules=rules)
    corrections = gds.localize(report, rules=rules)
    assert len(corrections) == 1 and pd.isna(corrections["cell"].iloc[0])
    note = corrections["note"].iloc[0]
    html = to_html(report, result, corrections)
    root = lxml.html.fromstring(f"<div>{html}</div>")
    assert root.xpath("//span[@class='gds-unsolved']")[0].text_content() == note
    assert "gds-corrected" not in html and sorted(tables(html)) == sorted(report.layouts)
    drawn = rich_tables(report, result, corrections)
    assert drawn[0].plain == f"更正 corrections: {note}"
    assert [t.title for t in drawn[1:4]] == [f"{lay.section}、{lay.label}" for lay in map(report.layout, TABLES)]


def test_every_text_is_escaped() -> None:
    report = gds.load(SAMPLE)
    cells = report.cells.copy()
    at = cells.index[(cells["row"] == "review") & (cells["column"] == "other")][0]
    cells.loc[at, ["raw", "status"]] = ['<img src=x onerror="alert(1)">&', "text"]
    cells.loc[at, "value"] = math.nan
    odd = gds.Report(cells=cells, template=report.template, agency="<script>alert('x')</script>", year=2022)
    html = to_html(odd)
    root = lxml.html.fromstring(f"<div>{html}</div>")
    assert not root.xpath("//script | //img")
    assert "<script>alert('x')</script>" in root.text_content()
    td = root.xpath("//td[@data-cell='review_litigation.review.other']")[0]
    assert td.text_content() == '<img src=x onerror="alert(1)">&'
    fix = pd.DataFrame(
        {"report_id": [odd.report_id], "solution": [1], "cell": ["review_litigation.review.total"], "current": [12]}
    ).assign(suggested=7, reason='<b class="x">&</b>')
    html = to_html(odd, corrections=fix)
    assert '<b class="x">' not in html and "&lt;b class=&quot;x&quot;&gt;&amp;&lt;/b&gt;" in html
    td = lxml.html.fromstring(html).xpath("//td[@data-cell='review_litigation.review.total']")[0]
    assert '<b class="x">&</b>' in td.get("title")


def test_two_year_rules_mark_the_cells_of_both_years() -> None:
    frame = consistent_series(1, range(2021, 2023), seed=3)
    for column in ("natural_person", "total"):  # the year still adds up: only the carry-over breaks
        frame.loc[1, f"requests.carried_over.{column}"] += 1
        frame.loc[1, f"requests.new.{column}"] -= 1
    first, second = wide_to_reports(frame)
    result = gds.validate([first, second])
    assert set(result.violations["rule_id"]) == {"continuity.carry_over"}
    before = tables(to_html(first, result))["requests"]
    cell = before.xpath(".//td[@data-cell='requests.carried_forward.natural_person']")[0]
    assert "gds-soft" in classes(cell) and second.report_id in cell.get("title")
    after = tables(to_html(second, result))["requests"]
    cell = after.xpath(".//td[@data-cell='requests.carried_over.natural_person']")[0]
    assert {"gds-soft", "gds-anchor"} <= classes(cell) and first.report_id in cell.get("title")


# -- HTML: results ------------------------------------------------------------------------------------


def test_result_display_summary_and_first_violations() -> None:
    frame = mixed_corpus(400, error_rate=0.3)
    result = gds.validate(frame)
    html = result._repr_html_()
    root = lxml.html.fromstring(f"<div>{html}</div>")
    summary = root.xpath("//table[@class='gds-summary']")[0]
    assert [tr.xpath("./td")[0].text_content() for tr in summary.xpath("./tr")[1:]] == list(result.summary()["rule_id"])
    listing = root.xpath("//table[@class='gds-violation-list']")[0]
    assert len(listing.xpath("./tr")) == 1 + 50 < 1 + len(result.violations)
    assert f"first 50 of {len(result.violations)} violations" in html
    assert not tables(html)  # no reports kept in the result: no report tables


def test_result_with_reports_draws_the_failing_ones() -> None:
    frame, _ = inject_errors(consistent_wide(12, seed=9), 0.5, seed=4)
    reports = wide_to_reports(frame)
    result = gds.validate(reports)
    failing = list(result.violations["report_id"].drop_duplicates())
    assert len(failing) > 3
    html = to_html(reports, result, max_reports=3)
    root = lxml.html.fromstring(f"<div>{html}</div>")
    assert [d.get("data-report") for d in root.xpath("//div[@class='gds-report']")] == failing[:3]
    rest = result.violations[~result.violations["report_id"].isin(failing[:3])]
    assert len(root.xpath("//table[@class='gds-violation-list']/tr")) == 1 + len(rest)
    assert html == result_html(result, reports, max_reports=3)


def test_reports_without_checking() -> None:
    reports = [edited("297", "279"), gds.load(SAMPLE)]
    html = to_html(reports, check=False)
    root = lxml.html.fromstring(f"<div>{html}</div>")
    assert [d.get("data-report") for d in root.xpath("//div[@class='gds-report']")] == [r.report_id for r in reports]
    assert "gds-verdict" not in html and "gds-hard" not in html and "gds-summary" not in html
    assert to_html(reports, check=False, max_reports=1).count('class="gds-report"') == 1
    assert "gds-verdict" in to_html(reports)  # checked by default


def test_two_reports_with_one_id_are_both_drawn() -> None:
    first, second = edited("297", "279", source="same.txt"), edited("309", "310", source="same.txt")
    result = gds.validate([first, second])
    assert list(result.reports["report_id"]) == ["same.txt", "same.txt#2"]
    html = to_html([first, second], result)
    root = lxml.html.fromstring(f"<div>{html}</div>")
    drawn = root.xpath("//div[@class='gds-report']")
    assert [d.get("data-report") for d in drawn] == ["same.txt", "same.txt#2"]
    for div, report_id in zip(drawn, ["same.txt", "same.txt#2"], strict=True):
        anchors = {td.get("data-cell") for td in div.iter("td") if "gds-anchor" in classes(td)}
        mine = result.for_report(report_id)
        assert anchors == {f"{v.table}.{v.row}.{v.column}" for v in mine.itertuples()}
    second_cells = {td.get("data-cell"): td for td in drawn[1].iter("td")}
    assert second_cells["requests.granted.total"].text_content().startswith("310")  # the second report's own value
    console = Console(record=True, width=200)
    print_validation(result, [first, second], console)
    out = console.export_text()
    assert out.count("三、收到和处理政府信息公开申请情况") == 2
    assert "same.txt#2  北京市石景山区人民政府 2022年  模板 template 2021: 不通过 FAIL" in out
    assert "310 ✗" in out


def test_passing_report_has_no_highlight() -> None:
    report = gds.load(SAMPLE)
    html = to_html(report)
    assert "通过 PASS" in html and "gds-hard" not in html and "gds-soft" not in html
    assert "gds-verdict" not in to_html(report, check=False)


# -- terminal ------------------------------------------------------------------------------------------


def cell_texts(table) -> list[Text]:
    return [c for col in table.columns for c in col.cells if isinstance(c, Text)]


def test_rich_tables_mark_the_failing_cells() -> None:
    report = edited("297", "279")
    result = gds.validate(report)
    drawn = rich_tables(report, result, width=200)
    requests = drawn[1]
    assert requests.title == "三、收到和处理政府信息公开申请情况"
    texts = {t.plain: t for t in cell_texts(requests)}
    anchor = texts["309 ✗1"]  # the total of （一）予以公开: where requests.row_total is reported
    assert any(str(s.style) == "bold white on red3" for s in anchor.spans)
    assert any(str(s.style) == "red" for s in texts["279"].spans)  # read by both failing rules
    headers = [str(c.header) for c in requests.columns]
    layout = report.layout("requests")
    assert headers[1].splitlines() == [layout.column("applicants").label, "", layout.column("natural_person").label]
    assert headers[2].splitlines()[1:] == [layout.column("organisations").label, layout.column("commercial").label]

    console = Console(record=True, width=150)
    print_validation(result, [report], console)
    out = console.export_text()
    assert "edited.txt  北京市石景山区人民政府 2022年  模板 template 2021: 不通过 FAIL" in out
    for row in report.tables["requests"].index:
        assert layout.row(row).label[:6] in out
    assert "✗1 requests.row_total [hard] requests.granted.total  (第127行 / line 127)" in out
    assert "✗2 requests.outcome_total [hard] requests.total_processed.natural_person" in out
    assert out.rstrip().endswith("空白按0 blank_as_zero=False")


def test_rich_review_table_rows_under_their_heading() -> None:
    report = gds.load(SAMPLE)
    console = Console(record=True, width=120)
    for item in rich_tables(report, gds.validate(report)):
        console.print(item)
    out = console.export_text()
    lines = [line for line in out.splitlines() if line.startswith("│") and ("行政诉讼" in line or "起诉" in line)]
    assert [line.split("│")[1].strip() for line in lines[:3]] == ["行政诉讼", "未经复议直接起诉", "复议后起诉"]
    assert "4934.0578" in out and "第二十条第（八）项" in out


@pytest.mark.parametrize("width", [80, 120])
def test_terminal_tables_fit_the_width(width: int) -> None:
    report = edited("297", "279")
    console = Console(record=True, width=width)
    print_validation(gds.validate(report), [report], console)
    boxes = [line for line in console.export_text().splitlines() if line[:1] in "┏┃┡│└┌├"]
    assert len(boxes) > 60
    assert all(line.rstrip()[-1] in "┓┃┩│┘┐┤" for line in boxes), "a table is cut at the right edge"


def test_long_quoted_sentences_are_cut_short_in_the_terminal(tmp_path: Path, capsys) -> None:
    long = "因政府信息公开工作被申请行政复议12件，其中维持行政行为的4件，纠正行政行为5件，其他结果1件，2件尚未审结。"
    assert display_width(long) > QUOTE_WIDTH
    cut = shorten_quotes(f"正文：「{long}」；标签「行政复议」 / the text: “{long}”, label '行政复议'")
    zh, en = cut.split(" / ")
    for quoted in (zh[zh.index("「") + 1 : zh.index("」")], en[en.index("“") + 1 : en.index("”")]):
        assert quoted.endswith("…") and long.startswith(quoted[:-1])
        assert QUOTE_WIDTH - 2 <= display_width(quoted) <= QUOTE_WIDTH
    assert "「行政复议」" in zh and "'行政复议'" in en  # short quotes stay whole
    assert shorten_quotes(f"「{long}」", width=500) == f"「{long}」"

    path = broken(tmp_path)  # 行政复议 总计 13 in the table, 12 in the prose: a narrative.review warning
    assert main(["validate", str(path)]) == 1
    plain = capsys.readouterr().out
    assert "「因政府信息公开工作被申请行政复议12件，其中维持行政行为的4件，纠正行政行为5件，…」" in plain
    assert "“因政府信息公开工作被申请行政复议12件，其中维持行政行为的4件，纠正行政行为5件，…”" in plain
    assert "2件尚未结审。" not in plain
    console = Console(record=True, width=300)
    report = gds.load(path)
    print_validation(gds.validate(report), [report], console)
    table = console.export_text()
    assert "纠正行政行为5件，…」" in table and "2件尚未结审。" not in table
    full = gds.validate(report).violations["message_zh"]
    assert full.str.contains("2件尚未结审。").any()  # the result keeps the whole sentence


def broken(tmp_path: Path) -> Path:
    text = SAMPLE.read_text("utf-8")
    path = tmp_path / "broken.txt"
    path.write_text(text.replace("\t4\n\t5\n\t1\n\t2\n\t12\n", "\t4\n\t5\n\t1\n\t2\n\t13\n"), "utf-8")
    return path


def test_cli_table_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = broken(tmp_path)
    assert main(["validate", "--format", "table", str(path)]) == 1
    out = capsys.readouterr().out
    assert "四、政府信息公开行政复议、行政诉讼情况" in out and "13 ✗1" in out
    assert "✗1 review_litigation.row_total [hard] review_litigation.review.total" in out
    assert main(["validate", str(path)]) == 1  # not a terminal: the plain text
    plain = capsys.readouterr().out
    assert "┃" not in plain and "  ✗ review_litigation.row_total [hard]" in plain


def test_cli_draws_tables_in_a_terminal(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["validate", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "三、收到和处理政府信息公开申请情况" in out and "通过 PASS" in out
    assert main(["validate", "--format", "text", str(SAMPLE)]) == 0
    assert "三、收到和处理政府信息公开申请情况" not in capsys.readouterr().out


# -- failure rates -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def collection() -> tuple[pd.DataFrame, pd.DataFrame]:
    frame, changes = inject_errors(consistent_series(3, range(2021, 2024), seed=7), 0.8, seed=0)
    rules = {rule for _, rule, _ in expected_failures(frame, changes)}
    assert {"requests.balance", "review_litigation.row_total", "continuity.carry_over"} <= rules  # a varied sample
    return frame, changes


def expected_failures(frame: pd.DataFrame, changes: pd.DataFrame) -> set[tuple[str, str, str]]:
    """(report, rule, instance) that each changed cell breaks, by the template's arithmetic."""
    layout = gds.table_layout("requests", "2021")
    outcome_rows = {*layout.leaves("outcomes"), "total_processed"}
    balance_rows = {"new", "carried_over", "total_processed", "carried_forward"}
    ids = dict(zip(zip(frame["agency"], frame["year"], strict=True), frame["report_id"], strict=True))
    out = set()
    for i, cell in zip(changes["row"], changes["cell"], strict=True):
        table, row, col = cell.split(".")
        report, agency, year = frame.loc[i, ["report_id", "agency", "year"]]
        out.add((report, f"{table}.row_total", row))
        if table != "requests":
            continue
        if row in outcome_rows:
            out.add((report, "requests.outcome_total", col))
        if row in balance_rows:
            out.add((report, "requests.balance", col))
        if row == "carried_over" and (agency, year - 1) in ids:
            out.add((report, "continuity.carry_over", col))
        if row == "carried_forward" and (agency, year + 1) in ids:
            out.add((ids[(agency, year + 1)], "continuity.carry_over", col))
    return out


def test_failure_rates_by_year_match_hand_counts(collection) -> None:
    frame, changes = collection
    expected = expected_failures(frame, changes)
    year_of = dict(zip(frame["report_id"], frame["year"], strict=True))
    layout = gds.table_layout("requests", "2021")
    n_rows = len([r for r in layout.cell_rows if not r.is_optional])
    n_cols = len([c for c in layout.cell_columns if not c.is_optional])
    n_review = len(gds.table_layout("review_litigation", "2021").cell_rows)
    instances = {
        "requests.row_total": n_rows,
        "requests.outcome_total": n_cols,
        "requests.balance": n_cols,
        "review_litigation.row_total": n_review,
        "continuity.carry_over": n_cols,
    }
    reports_per_year = frame.groupby("year").size()
    first = frame["year"].min()

    with_outcomes = gds.validate(frame, outcomes=True)
    items = failure_rate_table(with_outcomes, by="year", unit="item").set_index(["year", "rule_id"])
    reports = failure_rate_table(with_outcomes, by="year").set_index(["year", "rule_id"])
    plain = failure_rate_table(gds.validate(frame), by="year").set_index(["year", "rule_id"])
    for year, n in reports_per_year.items():
        for rule, k in instances.items():
            checked_reports = 0 if rule.startswith("continuity") and year == first else n
            failed_items = sum(1 for r, rule_id, _ in expected if rule_id == rule and year_of[r] == year)
            failed_reports = len({r for r, rule_id, _ in expected if rule_id == rule and year_of[r] == year})
            assert tuple(items.loc[(year, rule), ["checked", "failed"]]) == (checked_reports * k, failed_items)
            assert tuple(reports.loc[(year, rule), ["checked", "failed"]]) == (checked_reports, failed_reports)
            assert tuple(plain.loc[(year, rule), ["checked", "failed"]]) == (n, failed_reports)
            if checked_reports:
                assert reports.loc[(year, rule), "rate"] == pytest.approx(failed_reports / checked_reports)
    by_rule = failure_rate_table(with_outcomes).set_index("rule_id")
    for rule, k in instances.items():
        checked = k * (len(frame) - (reports_per_year[first] if rule.startswith("continuity") else 0))
        failed = sum(1 for _, rule_id, _ in expected if rule_id == rule)
        assert tuple(by_rule.loc[rule, ["checked", "failed"]]) == (checked, failed)
    assert math.isnan(by_rule.loc["requests.org_subtotal", "rate"])  # never printed: nothing checked


def test_item_rates_per_group_need_outcomes(collection) -> None:
    result = gds.validate(collection[0])
    with pytest.raises(ValueError, match="outcomes=True"):
        failure_rate_table(result, by="agency", unit="item")
    with pytest.raises(ValueError, match="by must be one of"):
        failure_rate_table(result, by="month")


def test_bars_equal_the_rate_table(collection) -> None:
    result = gds.validate(collection[0])
    table = failure_rate_table(result)
    ax = failure_rates(result)
    shown = table[table["checked"] > 0].iloc[::-1]
    assert [p.get_width() for p in ax.patches] == pytest.approx(list(shown["rate"]))
    assert [t.get_text() for t in ax.get_yticklabels()] == list(shown["rule_id"])
    top = failure_rates(result, top=2)
    assert sorted(p.get_width() for p in top.patches) == sorted(table["rate"].dropna().nlargest(2))


@pytest.mark.parametrize("by", ["year", "agency", "template"])
def test_heatmap_equals_the_rate_table(collection, by: str, tmp_path: Path) -> None:
    result = gds.validate(collection[0], outcomes=True)
    table = failure_rate_table(result, by=by)
    ax = failure_rates(result, by=by)
    image = ax.images[0].get_array()
    checked = table[table["checked"] > 0]
    rules = list(checked["rule_id"].drop_duplicates())
    groups = sorted(checked[by].unique())
    assert [t.get_text() for t in ax.get_xticklabels()] == rules
    assert [t.get_text() for t in ax.get_yticklabels()] == [str(g) for g in groups]
    rates = checked.set_index([by, "rule_id"])["rate"]
    for i, group in enumerate(groups):
        for j, rule in enumerate(rules):
            if (group, rule) in rates.index:
                assert image[i, j] == pytest.approx(rates[(group, rule)])
            else:
                assert np.ma.is_masked(image[i, j])
    ax.figure.savefig(tmp_path / "rates.png")
    assert (tmp_path / "rates.png").stat().st_size > 0


@pytest.mark.parametrize("outcomes", [False, True])
def test_rates_of_an_empty_result(outcomes: bool) -> None:
    result = gds.validate([], outcomes=outcomes)
    rules = list(result.summary()["rule_id"])
    for unit in ("item", "report"):
        table = failure_rate_table(result, unit=unit)
        assert list(table["rule_id"]) == rules and (table["checked"] == 0).all() and table["rate"].isna().all()
    for by in ("year", "agency", "template"):
        table = failure_rate_table(result, by=by)
        assert table.empty and list(table.columns) == [by, "rule_id", "severity", "checked", "failed", "rate"]
        ax = failure_rates(result, by=by)
        assert not ax.images and ax.get_title() == f"Rule failure rates by {by}"
    assert not failure_rates(result).patches


def test_chart_options_are_keywords(collection) -> None:
    result = gds.validate(collection[0])
    with pytest.raises(TypeError):
        failure_rates(result, "rule", None)  # type: ignore[misc]
    with pytest.raises(TypeError):
        failure_rate_table(result, "rule", "item")  # type: ignore[misc]
    assert len(failure_rates(result, "rule", top=3).patches) == 3


def test_missing_matplotlib_is_a_clear_error(collection, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"gov_disclosure_stats\[plot\]"):
        failure_rates(gds.validate(collection[0]))
