"""The PDF reader: the two real 洪泽区 reports, generated PDFs for each difficulty, every bad-input path.

Fixtures are drawn here with reportlab (its built-in CID font STSong-Light
prints Chinese that pdfplumber reads back) from the template layout of
:mod:`tests.printed_layout` and known values; no PDF file is committed.
"""

from __future__ import annotations

import copy
import io
import json
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats.core.errors import LoadError, zh_place
from gov_disclosure_stats.core.labels import match_row, node_candidates
from gov_disclosure_stats.core.layouts import table_layout
from gov_disclosure_stats.loading.loader import load, loads
from gov_disclosure_stats.loading.readers import pdf as pdf_reader
from gov_disclosure_stats.loading.readers import pick_reader
from gov_disclosure_stats.model.grid import Paragraph, Table
from tests.printed_layout import PrintedTable, as_text, document

try:  # reportlab (the test extra) draws the PDF fixtures; the corpus tests run without it
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
except ImportError:  # pragma: no cover
    canvas = None
    A4 = (595.2755905511812, 841.8897637795277)

DATA = Path(__file__).parent / "data"
EXPECTED = json.loads((DATA / "2022_beijing-shijingshan_district-government.expected.json").read_text("utf-8"))
CORPUS = Path(__file__).parents[1] / ".." / "shared" / "corpus"
NO_CORPUS = "../shared/corpus is not here (a fresh clone has no shared folder); CI has it"
HONGZE = ("2023_huaian-hongze_district-government", "2024_huaian-hongze_district-government")

FONT = "STSong-Light"
if canvas is not None:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))

WIDTH, HEIGHT = A4
LEFT, RIGHT, TOP, BOTTOM = 70.0, WIDTH - 70.0, 70.0, HEIGHT - 70.0
OPENING = (
    "本报告由北京市石景山区人民政府办公室根据《中华人民共和国政府信息公开条例》和国务院办公厅政府信息公开"
    "办公室印发的年度报告格式要求编制。报告中所列数据统计期限自2022年1月1日起至2022年12月31日止。"
)

SUBHEADING = "（一）主动公开情况。"


# -- drawing a report with reportlab ----------------------------------------------------------------


class Drawer:
    """Draws paragraphs and ruled tables top to bottom, starting a new page when one is full."""

    def __init__(self, encrypt: str | None = None, footer: str = "- {} -", footer_top: float = HEIGHT - 40) -> None:
        if canvas is None:
            pytest.skip("reportlab (pip install -e '.[test]') is needed to draw the PDF fixtures")
        self.buffer = io.BytesIO()
        self.canvas = canvas.Canvas(self.buffer, pagesize=A4, encrypt=encrypt)
        self.page = 1
        self.y = TOP
        self.footer_text, self.footer_top = footer, footer_top

    def new_page(self) -> None:
        self.footer()
        self.canvas.showPage()
        self.page += 1
        self.y = TOP

    def footer(self) -> None:
        self.text(WIDTH / 2 - 10, self.footer_top, self.footer_text.format(self.page), 10)

    def text(self, x: float, top: float, text: str, size: float) -> None:
        """Text whose glyph box starts at ``top`` (measured from the top of the page)."""
        self.canvas.setFont(FONT, size)
        self.canvas.drawString(x, HEIGHT - top - size * 0.88, text)

    def line(self, x0: float, top: float, x1: float, bottom: float) -> None:
        self.canvas.setLineWidth(0.5)
        self.canvas.line(x0, HEIGHT - top, x1, HEIGHT - bottom)

    def paragraph(self, text: str, size: float = 11.0) -> None:
        """A paragraph wrapped at the right margin, its first line indented by two characters."""
        per_line = int((RIGHT - LEFT) / size)
        short = len(text) <= per_line - 2
        lines = [text] if short else [text[: per_line - 2]]
        rest = "" if short else text[per_line - 2 :]
        lines += [rest[i : i + per_line] for i in range(0, len(rest), per_line)]
        for i, line in enumerate(lines):
            if self.y + size * 1.6 > BOTTOM:
                self.new_page()
            self.text(LEFT + (2 * size if i == 0 else 0), self.y, line, size)
            self.y += size * 1.6
        self.y += size * 0.4

    def table(
        self,
        table: PrintedTable,
        widths: Sequence[float],
        size: float = 8.0,
        open_break: bool = True,
        repeat: int = 0,
        break_before: int | None = None,
        split_text: bool = False,
        rule_to: float | None = None,
    ) -> None:
        """A ruled table, each cell's text wrapped in its width; rows that do not fit go to the next page.

        With ``open_break`` the part before a page break has no bottom line
        (only its vertical lines reach the page foot), as WPS prints it;
        ``repeat`` header rows are printed again on each new page, as Word does.
        ``break_before`` starts a new page at that row; with ``split_text`` a merged cell cut by a page break
        prints each line of its text on the page where it falls (``（四）无`` above the break, ``法提供`` below);
        ``rule_to`` draws an open part's vertical lines down to that height (past the page footer).
        """
        xs = [LEFT]
        for w in widths:
            xs.append(xs[-1] + w)
        lines = {id(cell): wrap(as_text(cell.value), xs[cell.c1 + 1] - xs[cell.c0], size) for cell in table.cells}
        heights = [16.0] * table.rows
        for cell in sorted(table.cells, key=lambda c: c.r1 - c.r0):
            need = len(lines[id(cell)]) * (size + 2) + 6
            if need > sum(heights[cell.r0 : cell.r1 + 1]):
                heights[cell.r1] += need - sum(heights[cell.r0 : cell.r1 + 1])
        first = 0
        while first < table.rows:
            if first and repeat:  # the header rows again at the top of the new page
                tops = [self.y]
                for h in heights[:repeat]:
                    tops.append(tops[-1] + h)
                self._draw_part(table, xs, lines, size, 0, repeat - 1, tops, open_bottom=False)
                self.y = tops[-1]
            last, y = first, self.y + heights[first]
            while last + 1 < table.rows and y + heights[last + 1] <= BOTTOM and last + 1 != break_before:
                last += 1
                y += heights[last]
            tops = [self.y]
            for h in heights[first : last + 1]:
                tops.append(tops[-1] + h)
            more = last + 1 < table.rows
            split = heights if split_text else None
            self._draw_part(table, xs, lines, size, first, last, tops, open_break and more, split, rule_to)
            self.y = tops[-1] + 14
            if more:
                self.new_page()
            first = last + 1

    def _draw_part(
        self,
        table: PrintedTable,
        xs: list[float],
        lines: dict[int, list[str]],
        size: float,
        first: int,
        last: int,
        tops: list[float],
        open_bottom: bool,
        split: list[float] | None = None,
        rule_to: float | None = None,
    ) -> None:
        for cell in table.cells:
            r0, r1 = max(cell.r0, first), min(cell.r1, last)
            if r0 > r1:
                continue
            x0, x1 = xs[cell.c0], xs[cell.c1 + 1]
            top, bottom = tops[r0 - first], tops[r1 - first + 1]
            foot = rule_to if rule_to is not None and open_bottom and r1 == last else bottom
            self.line(x0, top, x0, foot)
            self.line(x1, top, x1, foot)
            self.line(x0, top, x1, top)
            if not (open_bottom and r1 == last):
                self.line(x0, bottom, x1, bottom)
            if split is not None and (cell.r0 < first or cell.r1 > last):  # each line on the page it falls on
                text, step = lines[id(cell)], size + 2
                start = (sum(split[cell.r0 : cell.r1 + 1]) - len(text) * step) / 2 + 1  # from the cell's top
                above = sum(split[cell.r0 : r0])  # the cell's height on earlier pages
                y = top + 1  # lines pushed over the break start at the top of the page
                for i, line in enumerate(text):
                    offset = start + i * step  # a line goes to the page where its whole height fits
                    row = cell.r0
                    while row < cell.r1 and offset + step > sum(split[cell.r0 : row + 1]):
                        row += 1
                    if r0 <= row <= r1:
                        y = max(y, top + offset - above)
                        self.text(x0 + 2, y, line, size)
                        y += step
            elif cell.r0 >= first:  # the text on the page where the cell starts
                text = lines[id(cell)]
                y = top + (bottom - top - len(text) * (size + 2)) / 2 + 1
                for line in text:
                    self.text(x0 + 2, y, line, size)
                    y += size + 2

    def finish(self) -> bytes:
        self.footer()
        self.canvas.save()
        return self.buffer.getvalue()


def wrap(text: str, width: float, size: float) -> list[str]:
    """``text`` broken into lines that fit ``width`` (its own line breaks kept)."""
    per_line = max(1, int((width - 4) / size))
    out: list[str] = []
    for part in text.split("\n"):
        out += [part[i : i + per_line] for i in range(0, len(part), per_line)] or [""]
    return out


WIDTHS = {
    10: [14.0, 100.0, 125.0] + [216.0 / 7] * 7,  # requests: the 三 column one character wide
    4: [155.0, 100.0, 100.0, 100.0],  # proactive
    15: [455.0 / 15] * 15,  # review and litigation
}


def render(
    parts: Sequence[str | PrintedTable],
    encrypt: str | None = None,
    open_break: bool = True,
    repeat: int = 0,
    **options: Any,
) -> bytes:
    """A PDF of the report's parts; a table that does not fit goes on over the page break.

    ``options``: ``footer`` and ``footer_top`` for :class:`Drawer`, ``break_before``, ``split_text`` and
    ``rule_to`` for the requests table (:meth:`Drawer.table`).
    """
    drawer = Drawer(encrypt, **{k: options.pop(k) for k in ("footer", "footer_top") if k in options})
    for part in parts:
        if isinstance(part, PrintedTable):
            more = options if part.cols == 10 else {}
            drawer.table(part, WIDTHS[part.cols], open_break=open_break, repeat=repeat, **more)
        else:
            drawer.paragraph(part)
    return drawer.finish()


def report_parts(expected: dict[str, Any] = EXPECTED) -> list[str | PrintedTable]:
    """The sample report's parts with an opening paragraph long enough to wrap over three lines.

    One more line of prose moves table 三 down so that the page break falls
    inside the group （三）不予公开.
    """
    parts = document(expected)
    return [*parts[:2], OPENING, *parts[2:4], SUBHEADING, *parts[4:]]


def with_label(parts: list[str | PrintedTable], code: str, printed: str) -> list[str | PrintedTable]:
    """The parts with the requests table's label of row ``code`` printed as ``printed``."""
    label = table_layout("requests", "2021").row(code).label
    out = []
    for part in parts:
        if isinstance(part, PrintedTable) and any(c.value == label for c in part.cells):
            part = copy.deepcopy(part)
            part.cells = [replace(c, value=printed) if c.value == label else c for c in part.cells]
        out.append(part)
    return out


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    return render(report_parts())


def load_error(data: bytes, tmp_path: Path, name: str = "report.pdf") -> LoadError:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(LoadError) as info:
        load(path, strict=True)
    assert name in str(info.value)
    return info.value


# -- the real reports --------------------------------------------------------------------------------


def corpus(stem: str) -> tuple[Path, dict[str, Any]]:
    path = CORPUS / f"{stem}.pdf"
    if not path.exists():
        pytest.skip(NO_CORPUS)
    return path, json.loads((CORPUS / f"{stem}.expected.json").read_text("utf-8"))


@pytest.mark.parametrize("stem", HONGZE)
def test_hongze_pdf_loads_to_expected_values(stem: str) -> None:
    path, expected = corpus(stem)
    started = time.perf_counter()
    report = load(path)
    print(f"{path.name}: loaded in {time.perf_counter() - started:.2f} s")  # a figure, never asserted
    assert report.to_dict()["tables"] == expected["tables"]
    assert (report.year, report.template, report.source) == (expected["year"], expected["template"], path.name)
    assert report.layouts["requests"] == "2019"  # （六）其他处理 printed as one row
    # the 2023 title prints 洪泽区人民政府; the opening sentence names it 淮安市洪泽区人民政府
    assert report.agency == expected["agency"]


def test_hongze_2023_review_totals_fail_where_published_wrong() -> None:
    path, _ = corpus(HONGZE[0])
    result = gds.validate(load(path))
    failing = result.violations[result.violations["rule_id"] == "review_litigation.row_total"]
    assert failing["row"].tolist() == ["review", "suit_after_review"]
    assert set(result.violations["rule_id"]) == {"review_litigation.row_total"}


def test_hongze_2024_table_three_crosses_the_page_break() -> None:
    path, _ = corpus(HONGZE[1])
    report = load(path)
    where = report.cells.set_index(["table", "row", "column"])["where"]
    assert where[("requests", "new", "natural_person")] == "page 3, table 2, row 4, column 4"
    assert where[("requests", "unavailable_needs_creation", "total")] == "page 4, table 1, row 1, column 10"
    assert where[("review_litigation", "suit_after_review", "total")] == "page 4, table 2, row 4, column 15"
    assert gds.validate(report).ok


def test_hongze_2023_garbled_label_is_placed_by_number_and_group() -> None:
    path, _ = corpus(HONGZE[0])
    blocks = pdf_reader.read(path.read_bytes(), str(path))
    labels = [c.text for b in blocks if isinstance(b, Table) for c in b.cells()]
    assert "2.其他法律行政止公开" in labels  # as extracted, 法规禁 lost
    cell = load(path).cells.set_index(["table", "row", "column"]).loc[("requests", "withheld_prohibited", "total")]
    assert cell["where"] == "page 3, table 2, row 9, column 10"


# -- generated PDFs: the difficulties ------------------------------------------------------------------


def test_generated_pdf_loads_to_expected_values(sample_pdf: bytes) -> None:
    assert pick_reader(sample_pdf, "").name == "pdf"
    report = loads(sample_pdf, source="generated.pdf")
    assert report.to_dict()["tables"] == EXPECTED["tables"]
    assert (report.agency, report.year, report.template) == (EXPECTED["agency"], 2022, "2021")
    assert report.layouts["requests"] == "2021"  # （六） with its three sub-rows
    assert gds.validate(report).ok


def test_table_crossing_a_page_break_is_one_table(sample_pdf: bytes) -> None:
    blocks = pdf_reader.read(sample_pdf, "generated.pdf")
    tables = [b for b in blocks if isinstance(b, Table)]
    requests = tables[1]
    assert requests.where.startswith("page 1, table 2 to page 2, table 1")
    texts = [[c.text for c in row] for row in requests.rows]
    assert [len(row) for row in texts[3:5]] == [8, 8]  # a label merged across three columns: printed once
    broke = next(i for i, row in enumerate(requests.rows) if row[0].where.startswith("page 2"))
    assert requests.rows[broke - 1][0].where.startswith("page 1")  # the last row above the open page foot
    assert [c.text for c in requests.rows[broke]][:2] == ["", ""]  # merged down from page 1: blank
    above = [c.text for c in requests.rows[broke - 1]]
    assert above[1] == "" and above[2].startswith("7.")  # the break falls inside （三）不予公开
    assert not any(isinstance(b, Paragraph) and b.text.strip("- 0123456789") == "" for b in blocks)  # page numbers
    pages = {c.where.split(",")[0] for c in requests.cells()}
    assert pages == {"page 1", "page 2"}


def test_wrapped_and_vertical_labels(sample_pdf: bytes) -> None:
    requests = [b for b in pdf_reader.read(sample_pdf, "generated.pdf") if isinstance(b, Table)][1]
    texts = [c.text for c in requests.cells()]
    layout = table_layout("requests", "2021")
    partly = next(t for t in texts if t.startswith("（二）部分公开"))
    assert "\n" in partly and partly.replace("\n", "") == layout.row("partly_granted").label  # wrapped
    outcomes = next(t for t in texts if t.startswith("三"))
    assert outcomes.split("\n") == list(layout.row("outcomes").label)  # one character per line
    assert any(t.replace("\n", "") == "社会公益组织" and "\n" in t for t in texts)  # wrapped header


def test_opening_paragraph_is_joined_across_its_lines(sample_pdf: bytes) -> None:
    blocks = pdf_reader.read(sample_pdf, "generated.pdf")
    paragraphs = [b for b in blocks if isinstance(b, Paragraph)]
    assert paragraphs[0] == Paragraph(EXPECTED["agency"], "page 1, line 1")
    assert paragraphs[2].text == OPENING and paragraphs[2].where == "page 1, line 3"
    assert paragraphs[3].text == "一、总体情况"


def test_garbled_label_placed_by_number_and_similarity() -> None:
    parts = with_label(report_parts(), "withheld_prohibited", "2.其他法律行政止公开")
    report = loads(render(parts), source="garbled.pdf")
    assert report.to_dict()["tables"] == EXPECTED["tables"]


def test_ambiguous_garbled_label_is_an_error(tmp_path: Path) -> None:
    garbled = "申请人逾期行政机关不再处理其政府信息公开申请"  # like both 1. and 2. under （六）
    parts = with_label(report_parts(), "other_overdue_correction", garbled)
    error = load_error(render(parts), tmp_path, "ambiguous.pdf")
    message = str(error)
    assert "ambiguous row label" in message and "有歧义" in message
    assert "other_overdue_correction" in message and "other_overdue_fee" in message
    assert error.where is not None and error.where.startswith("page 2, table 1, row")
    assert zh_place(error.where) in message  # 第2页表1第…行第3列
    # by default the row is placed by the template's order (it sits between 3. of （五） and 2. of （六）), and says so
    report = load(tmp_path / "ambiguous.pdf")
    assert report.to_dict()["tables"] == EXPECTED["tables"]
    issue = report.issues.set_index("kind").loc["placed_by_position"]
    placed = (issue["table"], issue["row"], issue["action"])
    assert placed == ("requests", "other_overdue_correction", "placed_by_position")
    assert issue["where"] == error.where and "有歧义" in issue["message_zh"]


def test_fuzzy_matching_stays_within_number_and_group() -> None:
    layout = table_layout("requests", "2021")
    assert match_row("2.其他法律行政止公开", layout, "withheld") == "withheld_prohibited"
    assert match_row("3.其他法律行政止公开", layout, "withheld") is None  # its number names another row
    assert match_row("2.其他法律行政止公开", layout, "unavailable") is None
    ambiguous = "申请人逾期行政机关不再处理其政府信息公开申请"
    assert match_row(ambiguous, layout, "other_handling") is None
    assert node_candidates(ambiguous, layout.rows, "other_handling") == [
        "other_overdue_correction",
        "other_overdue_fee",
    ]
    assert match_row("（一）予以办理", layout) is None


def requests_row(parts: Sequence[str | PrintedTable], code: str) -> int:
    """The grid row of the requests table that prints row ``code``'s label."""
    label = table_layout("requests", "2021").row(code).label
    table = next(p for p in parts if isinstance(p, PrintedTable) and p.cols == 10)
    return next(c.r0 for c in table.cells if c.value == label)


def requests_table(data: bytes) -> Table:
    return [b for b in pdf_reader.read(data, "cut.pdf") if isinstance(b, Table)][1]


@pytest.mark.parametrize("open_break", [True, False])
def test_merged_label_cut_by_a_page_break(open_break: bool) -> None:
    """（四）无 at the foot of page 1, 法提供 at the head of page 2: one label, its rows placed."""
    parts = with_label(report_parts(), "unavailable", "（四）无\n法提供")
    at = requests_row(parts, "unavailable_needs_creation")
    data = render(parts, open_break=open_break, break_before=at, split_text=True)
    texts = [c.text for c in requests_table(data).cells()]
    assert "（四）无\n法提供" in texts and "法提供" not in texts
    report = loads(data, source="cut.pdf")
    assert report.to_dict()["tables"] == EXPECTED["tables"]
    assert report.issues.empty


@pytest.mark.parametrize(
    "code", ["unavailable_needs_creation", "unavailable_unclear", "not_processed_petition", "not_processed_publication"]
)
def test_vertical_label_cut_by_a_page_break(code: str) -> None:
    """三、本年度办理结果 one character per line, cut in two by the page break (三、 | 本年度办理结果, or … | 果)."""
    parts = report_parts()
    data = render(parts, break_before=requests_row(parts, code), split_text=True)
    vertical = table_layout("requests", "2021").row("outcomes").label
    firsts = [
        row[0][0].replace("\n", "")
        for page in pdf_reader._pages(data, "cut.pdf")
        for item in page.items
        if isinstance(item, pdf_reader._PageTable)
        for row in item.rows
    ]
    pieces = [t for t in firsts if t and t != vertical and (vertical.startswith(t) or vertical.endswith(t))]
    assert len(pieces) == 2 and "".join(pieces) == vertical  # the page break cuts it in two
    texts = [c.text for c in requests_table(data).cells()]
    assert vertical in [t.replace("\n", "") for t in texts]
    report = loads(data, source="cut.pdf")
    assert report.to_dict()["tables"] == EXPECTED["tables"]
    assert report.issues.empty


def split_row(parts: list[str | PrintedTable], code: str, keep: int) -> tuple[list[str | PrintedTable], int]:
    """The parts with the requests row ``code`` broken in two grid rows, as a row allowed to break across pages:
    its values and the first ``keep`` characters of its label in the first, the rest of the label (and empty
    value cells) in the second; cells merged over the row span both. Also the second row's index."""
    label = table_layout("requests", "2021").row(code).label
    out: list[str | PrintedTable] = []
    at = -1
    for part in parts:
        if isinstance(part, PrintedTable) and any(c.value == label for c in part.cells):
            r = next(c.r0 for c in part.cells if c.value == label)
            at = r + 1
            cells = []
            for c in part.cells:
                if c.r0 > r:
                    cells.append(replace(c, r0=c.r0 + 1, r1=c.r1 + 1))
                elif c.r1 > r or c.r0 < r:
                    cells.append(replace(c, r1=c.r1 + 1) if c.r1 >= r else c)
                elif c.value == label:
                    cells += [replace(c, value=label[:keep]), replace(c, r0=at, r1=at, value=label[keep:])]
                else:
                    cells += [c, replace(c, r0=at, r1=at, value=None)]
            part = PrintedTable(part.rows + 1, part.cols, cells)
        out.append(part)
    return out, at


@pytest.mark.parametrize(
    ("code", "keep"), [("partly_granted", 20), ("other_overdue_correction", 15), ("new", 6), ("withheld_internal", 4)]
)
@pytest.mark.parametrize("open_break", [True, False])
def test_row_broken_across_a_page_break(code: str, keep: int, open_break: bool) -> None:
    """A row whose wrapped label goes on at the head of the next page, its values on the first: one row."""
    parts, at = split_row(report_parts(), code, keep)
    data = render(parts, open_break=open_break, break_before=at, split_text=True)
    label = table_layout("requests", "2021").row(code).label
    texts = [c.text.replace("\n", "") for c in requests_table(data).cells()]
    assert label in texts and label[keep:] not in texts
    report = loads(data, source="cut.pdf")
    assert report.to_dict()["tables"] == EXPECTED["tables"]
    assert report.issues.empty


def test_a_group_starting_at_the_head_of_a_page_stays_there() -> None:
    """（三）不予公开 opening page 2 under an empty group cell of （二）'s row on page 1 is not moved up: its row has
    numbers, so it is no cut-off rest of a row."""
    parts = report_parts()
    label = table_layout("requests", "2021").row("partly_granted").label
    for part in parts:
        if isinstance(part, PrintedTable) and any(c.value == label for c in part.cells):
            cell = next(c for c in part.cells if c.value == label)
            part.cells = [c for c in part.cells if c is not cell]
            part.cells += [replace(cell, c0=2), replace(cell, c1=1, value=None)]
    data = render(parts, break_before=requests_row(parts, "withheld_state_secret"), split_text=True)
    first = next(row for row in requests_table(data).rows if row[0].where.startswith("page 2"))
    assert [c.text for c in first][1:3] == ["（三）不予公开", "1.属于国家秘密"]
    report = loads(data, source="group.pdf")
    assert report.to_dict()["tables"] == EXPECTED["tables"]


def test_a_label_fragment_that_makes_no_label_is_not_joined() -> None:
    """A cut cell whose two parts do not make a template label stays as printed: an issue, no value moved."""
    parts = with_label(report_parts(), "unavailable", "（四）其他\n情形")
    at = requests_row(parts, "unavailable_needs_creation")
    report = loads(render(parts, break_before=at, split_text=True), source="cut.pdf")
    tables = report.to_dict()["tables"]["requests"]
    expected = EXPECTED["tables"]["requests"]
    cells = report.cells[report.cells["table"] == "requests"]
    for row in cells[cells["status"] == "number"].itertuples():
        assert tables[row.row][row.column] == expected[row.row][row.column]


@pytest.mark.parametrize("footer", ["- {} -", "第 {} 页", "第{}页 共3页", "{}"])
@pytest.mark.parametrize("inside", [True, False])
def test_page_footer_inside_the_table(footer: str, inside: bool) -> None:
    """The page number printed where the table's open ruling runs down past it (inside the table's box)."""
    parts = report_parts()
    rule_to = HEIGHT - 25 if inside else None
    data = render(parts, footer=footer, footer_top=HEIGHT - 45, rule_to=rule_to)
    printed = ["".join(footer.format(n).split()) for n in (1, 2, 3)] if footer != "{}" else []
    texts = ["".join(c.text.split()) for c in requests_table(data).cells()]
    assert not any(f in t for f in printed for t in texts)
    report = loads(data, source="footer.pdf")
    assert report.to_dict()["tables"] == EXPECTED["tables"]
    assert report.issues.empty


def test_closed_page_break_loads_too() -> None:
    report = loads(render(report_parts(), open_break=False), source="closed.pdf")
    assert report.to_dict()["tables"] == EXPECTED["tables"]


def test_header_repeated_on_the_next_page_is_dropped() -> None:
    data = render(report_parts(), open_break=False, repeat=3)
    requests = [b for b in pdf_reader.read(data, "repeat.pdf") if isinstance(b, Table)][1]
    notes = [c for c in requests.cells() if "勾稽关系" in c.text]
    assert [c.where.split(",")[0] for c in notes] == ["page 1"]
    assert loads(data, source="repeat.pdf").to_dict()["tables"] == EXPECTED["tables"]


def test_title_broken_over_two_lines() -> None:
    parts = report_parts()
    title = f"{EXPECTED['agency']}{EXPECTED['year']}年政府信息公开工作年度报告"
    parts[:2] = [title[:20], title[20:]]
    report = loads(render(parts), source="title.pdf")
    assert (report.agency, report.year) == (EXPECTED["agency"], 2022)


def test_prose_pages_read_alike_with_and_without_pdfium(monkeypatch: pytest.MonkeyPatch) -> None:
    closing = "针对存在问题，下一步将切实抓好以下工作：一是扎实推进依申请公开工作，全面梳理和优化工作流程。" * 6
    data = render([*report_parts(), *[closing] * 8])
    prescanned = pdf_reader._prescan(data)
    assert prescanned is not None and prescanned[-1] is not None  # the last page, prose only, read by PDFium
    with_pdfium = pdf_reader.read(data, "prose.pdf")
    monkeypatch.setattr(pdf_reader, "pdfium", None)
    assert pdf_reader.read(data, "prose.pdf") == with_pdfium
    assert [b.text for b in with_pdfium if isinstance(b, Paragraph)][-8:] == [closing] * 8


def test_zh_place_of_pdf_places() -> None:
    assert zh_place("page 3, table 2, row 5, column 4") == "第3页表2第5行第4列"
    assert zh_place("page 1, line 3") == "第1页第3行"
    assert zh_place("page 3, table 2 to page 4, table 1") == "第3页表2至第4页表1"
    assert zh_place("table 2, row 3, column 4") == "表2第3行第4列"  # Word and HTML places too
    assert zh_place("sheet 表三, cell B7") == "工作表「表三」单元格B7"
    assert zh_place("dict") == "dict"  # a place of another shape is unchanged
    assert zh_place("lines 3-9") == "第3-9行"


# -- bad input ---------------------------------------------------------------------------------------------


def test_scanned_pdf_without_text_layer(tmp_path: Path) -> None:
    from PIL import Image

    drawer = Drawer()
    drawer.canvas.rect(LEFT, 200, 300, 400, fill=1)
    drawer.canvas.drawInlineImage(Image.new("L", (40, 40), 128), LEFT, 100, 100, 100)
    drawer.canvas.save()
    error = load_error(drawer.buffer.getvalue(), tmp_path, "scanned.pdf")
    assert "不是文字版PDF" in str(error) and "no text layer" in str(error) and "scanned" in str(error)
    assert error.where == "page 1" and "只有图像" in str(error)


def test_encrypted_pdf(tmp_path: Path) -> None:
    data = render(report_parts()[:4], encrypt="secret")
    assert pick_reader(data, "").name == "pdf"
    error = load_error(data, tmp_path, "locked.pdf")
    assert "encrypted" in str(error) and "已加密" in str(error)


def test_truncated_pdf(tmp_path: Path, sample_pdf: bytes) -> None:
    error = load_error(sample_pdf[: len(sample_pdf) // 2], tmp_path, "half.pdf")
    assert "truncated" in str(error) and "不完整" in str(error)


def test_corrupt_pdf(tmp_path: Path) -> None:
    error = load_error(b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n", tmp_path, "broken.pdf")
    assert "corrupt" in str(error) and "已损坏" in str(error)
    assert error.__cause__ is None and error.__suppress_context__  # no raw pdfminer exception attached


def test_pdf_without_the_tables(tmp_path: Path) -> None:
    data = render(report_parts()[:4])
    error = load_error(data, tmp_path, "prose.pdf")
    assert "no recognisable table" in str(error)


def test_not_a_pdf_read_as_pdf() -> None:
    with pytest.raises(LoadError, match="not a PDF file") as info:
        loads(b"hello", source="hello.txt", format="pdf")
    assert "hello.txt" in str(info.value)


def test_sniff() -> None:
    assert pdf_reader.sniff(b"%PDF-1.4\n...", "")
    assert pdf_reader.sniff(b"\n %PDF-1.4\n...", ".bin")
    assert not pdf_reader.sniff(b"PK\x03\x04", ".pdf")
