"""The PDF reader (pdfplumber): ruled tables as grids of cells, the prose around them as paragraphs.

Tables are found by their ruling lines (``page.find_tables``), with the
page's filled background boxes left out so that shaded prose is not taken
for a table. A merged cell keeps one grid position: where it spans several
rows its other positions come out as empty cells (the row labels of the
requests table rely on that, as in the text format); where it spans columns
of its own row they are left out. A grid position that no ruled cell covers
(a cell whose border is missing, e.g. at the top of a continued table) gets
the text of the characters inside it. A table that ends a page and one that
starts the next page at the same horizontal position are one table, a header
row repeated on the new page dropped. Prose lines outside the tables are
joined into paragraphs (a paragraph ends with a short line; a line indented
or starting with a heading number starts a new one); page numbers in the
margins are dropped.

Every cell's ``where`` names its page and its position in that page's table,
``"page 3, table 2, row 5, column 4"`` (1-based, grid positions as ruled).
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import re
import threading
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.page import Page
from pdfplumber.table import Table as PdfTable
from pdfplumber.utils import extract_text
from pdfplumber.utils.text import chars_to_textmap

from ...core.errors import LoadError
from ...core.labels import label_key
from ...core.layouts import TABLES, VERSIONS, table_layout
from ...core.limits import current, exceeded
from ...model.grid import Block, Paragraph, TableBuilder
from .pdf_streams import check_streams

try:  # PDFium comes with pdfplumber; without it every page is read with pdfminer (slower)
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c
except ImportError:  # pragma: no cover
    pdfium = None  # type: ignore[assignment]
    pdfium_c = None  # type: ignore[assignment]

_PDFIUM_LOCK = threading.Lock()

_MAGIC = b"%PDF"
_EOF_WINDOW = 2048  # %%EOF must be near the end of a complete file
_LINE_MAX = 2.0  # a filled box thinner than this (pt) is a ruling line, a thicker one a background
_ALIGN = 6.0  # pt: two table parts on consecutive pages whose sides are this close are one table
_MARGIN = 0.1  # fraction of the page height at the top and bottom searched for page numbers
_PAGE_NUMBER = re.compile(r"[-–—－‐]?\s*\d{1,4}\s*[-–—－‐]?|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+")
_ANY_DIGIT = re.compile(r"\d")
_HEADING_START = re.compile(r"[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]")
_TABLE_SETTINGS: dict[str, Any] = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}

Cell = tuple[str, str]  # (text, where)
Box = tuple[float, float, float, float]  # x0, top, x1, bottom


def sniff(data: bytes, suffix: str = "") -> bool:
    """A PDF is recognised by its content: it starts with ``%PDF``."""
    return data.lstrip()[:4] == _MAGIC


# -- what one page holds ---------------------------------------------------------------------


@dataclass
class _Line:
    """A line of prose on a page, with its box."""

    text: str
    page: int
    number: int
    x0: float
    x1: float
    top: float
    bottom: float
    left: float = 0.0  # the page's text margins
    right: float = 0.0

    @property
    def size(self) -> float:
        return max(self.bottom - self.top, 1.0)

    @property
    def full(self) -> bool:
        """True when the line reaches the right margin (the paragraph goes on)."""
        return self.x1 >= self.right - self.size

    @property
    def indented(self) -> bool:
        return self.x0 > self.left + 0.8 * self.size


@dataclass
class _PageTable:
    """One ruled table on one page: its box and its rows of ``(text, where)`` cells."""

    page: int
    index: int
    x0: float
    x1: float
    top: float
    rows: list[list[Cell]] = field(default_factory=list)
    lefts: list[list[float]] = field(default_factory=list)  # per row the left side of each of its cells
    starts: list[list[bool]] = field(default_factory=list)  # per row: False for a blank merged down from above

    @property
    def where(self) -> str:
        return f"page {self.page}, table {self.index}"


@dataclass
class _Page:
    number: int
    items: list[_Line | _PageTable]  # in reading order (by top)
    has_text: bool
    has_images: bool


def _is_background(obj: dict[str, Any]) -> bool:
    """A filled, unstroked box that is not a thin line: cell shading or a text background."""
    if obj.get("object_type") != "rect" or obj.get("stroke"):
        return False
    return min(obj["width"], obj["height"]) > _LINE_MAX


def _grid(table: PdfTable) -> tuple[list[float], list[float]]:
    """The column lefts and row tops of a pdfplumber table's grid."""
    xs = sorted({_box(c)[0] for c in table.cells})
    ys = sorted({_box(c)[1] for c in table.cells})
    return xs, ys


def _open_sides(table: PdfTable, edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The outline of a table whose ruling lines run past its closed cells, as edges; none if it is closed.

    A table cut by a page break has no bottom (or top) line: pdfplumber then
    drops its last row. The lines that reach beyond the table tell how far it goes.
    """
    x0, top, x1, bottom = table.bbox
    tol = _LINE_MAX * 2
    touching = [
        e
        for e in edges
        if e["x1"] >= x0 - tol and e["x0"] <= x1 + tol and e["bottom"] >= top - tol and e["top"] <= bottom + tol
    ]
    vertical = [e for e in touching if e["orientation"] == "v"]
    horizontal = [e for e in touching if e["orientation"] == "h"]
    new_top = min([top, *(e["top"] for e in vertical)])
    new_bottom = max([bottom, *(e["bottom"] for e in vertical)])
    new_x0 = min([x0, *(e["x0"] for e in horizontal)])
    new_x1 = max([x1, *(e["x1"] for e in horizontal)])
    if max(top - new_top, new_bottom - bottom, x0 - new_x0, new_x1 - x1) <= tol:
        return []

    def edge(ex0: float, etop: float, ex1: float, ebottom: float, orientation: str) -> dict[str, Any]:
        return {
            "object_type": "outline_edge",
            "orientation": orientation,
            "x0": ex0,
            "x1": ex1,
            "top": etop,
            "bottom": ebottom,
            "width": ex1 - ex0,
            "height": ebottom - etop,
        }

    return [
        edge(new_x0, new_top, new_x1, new_top, "h"),
        edge(new_x0, new_bottom, new_x1, new_bottom, "h"),
        edge(new_x0, new_top, new_x0, new_bottom, "v"),
        edge(new_x1, new_top, new_x1, new_bottom, "v"),
    ]


def _table_rows(page: Page, table: PdfTable, number: int, index: int) -> _PageTable:
    """The rows of one ruled table, merged cells handled as described in the module docstring."""
    xs, ys = _grid(table)
    cells = [_box(c) for c in table.cells]
    owner: dict[tuple[int, int], int] = {}  # grid position (row, column) → the cell covering it
    for k, (x0, top, x1, bottom) in enumerate(cells):
        for r in range(ys.index(top), len(ys)):
            if ys[r] >= bottom:
                break
            for c in range(xs.index(x0), len(xs)):
                if xs[c] >= x1:
                    break
                owner.setdefault((r, c), k)
    # every character goes to the cell (or the uncovered grid position) its centre lies in
    buckets: dict[tuple[int, int] | int, list[dict[str, Any]]] = {}
    x_end, y_end = table.bbox[2], table.bbox[3]
    inside = [
        ch
        for ch in page.chars
        if xs[0] <= (ch["x0"] + ch["x1"]) / 2 < x_end and ys[0] <= (ch["top"] + ch["bottom"]) / 2 < y_end
    ]
    for ch in _without_page_numbers(inside, float(page.height)):
        x, y = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        position = (bisect_right(ys, y) - 1, bisect_right(xs, x) - 1)
        buckets.setdefault(owner.get(position, position), []).append(ch)

    def text(key: tuple[int, int] | int) -> str:
        chars = buckets.get(key)
        return extract_text(chars).strip() if chars else ""

    out = _PageTable(number, index, table.bbox[0], table.bbox[2], table.bbox[1])
    for r, y in enumerate(ys):
        row: list[Cell] = []
        lefts: list[float] = []
        starts: list[bool] = []
        for c, x in enumerate(xs):
            where = f"page {number}, table {index}, row {r + 1}, column {c + 1}"
            k = owner.get((r, c))
            if k is None:  # no ruled cell here: the characters inside the grid position
                row.append((text((r, c)), where))
            elif cells[k][:2] == (x, y):
                row.append((text(k), where))
            elif cells[k][0] == x:  # a cell merged down from the row above: blank
                row.append(("", where))
            else:  # the rest of a cell merged across columns, printed once at its left
                continue
            lefts.append(x)
            starts.append(k is None or cells[k][1] == y)
        out.rows.append(row)
        out.lefts.append(lefts)
        out.starts.append(starts)
    return out


def _without_page_numbers(chars: list[dict[str, Any]], height: float) -> list[dict[str, Any]]:
    """A table's characters without a page number printed inside its box (its ruling runs down past the footer).

    A page number is the lowest line of the table's text in the page's bottom margin (or the highest in its
    top margin), alone on that line and nothing but ``- 3 -``, ``第3页``, ``3/10``…
    """
    if not chars:
        return chars
    drop: set[int] = set()
    low = max(chars, key=lambda ch: ch["bottom"])
    high = min(chars, key=lambda ch: ch["top"])
    for edge, in_margin in (
        (low, low["bottom"] > height * (1 - _MARGIN)),
        (high, high["top"] < height * _MARGIN),
    ):
        if not in_margin:
            continue
        middle = (edge["top"] + edge["bottom"]) / 2
        line = sorted((ch for ch in chars if ch["top"] <= middle <= ch["bottom"]), key=lambda ch: ch["x0"])
        size = max(edge["bottom"] - edge["top"], 1.0)
        apart = any(b["x0"] - a["x1"] > 3 * size for a, b in pairwise(line))
        on_line = {id(ch) for ch in line}
        top, bottom = min(ch["top"] for ch in line), max(ch["bottom"] for ch in line)
        clear = all(ch["bottom"] <= top or ch["top"] >= bottom for ch in chars if id(ch) not in on_line)
        if not apart and clear and _PAGE_NUMBER.fullmatch("".join(ch["text"] for ch in line).strip()):
            drop.update(id(ch) for ch in line)
    return [ch for ch in chars if id(ch) not in drop] if drop else chars


def _box(bbox: tuple[float, float, float, float]) -> Box:
    x0, top, x1, bottom = bbox
    return (round(x0, 3), round(top, 3), round(x1, 3), round(bottom, 3))


def _dedupe(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The characters without those printed twice at (almost) the same place (fake bold)."""
    seen: set[tuple[str, int, int]] = set()
    out = []
    for ch in chars:
        x, y = round(ch["x0"]), round(ch["top"])
        if any((ch["text"], x + dx, y + dy) in seen for dx in (-1, 0, 1) for dy in (-1, 0, 1)):
            continue
        seen.add((ch["text"], x, y))
        out.append(ch)
    return out


def _read_page(page: Page, number: int) -> _Page:
    """Tables and prose lines of one page, in reading order."""
    unique = {id(ch) for ch in _dedupe(page.chars)}

    def keep(obj: dict[str, Any]) -> bool:
        if obj["object_type"] == "char":
            return id(obj) in unique
        return not _is_background(obj)

    body = page.filter(keep)
    items: list[_Line | _PageTable] = []
    prose = body
    index = 0
    tables = body.find_tables(_TABLE_SETTINGS)
    outlines = [edge for table in tables for edge in _open_sides(table, body.edges)]
    if outlines:  # close the tables whose ruling runs past their last closed row (a page break)
        settings = {**_TABLE_SETTINGS, "explicit_vertical_lines": outlines, "explicit_horizontal_lines": outlines}
        tables = body.find_tables(settings)
    for found in tables:
        xs, _ = _grid(found)
        if len(xs) < 2:  # a ruled box around text is not a table
            continue
        index += 1
        items.append(_table_rows(body, found, number, index))
        prose = prose.outside_bbox(found.bbox)
    items.extend(_prose_lines(prose.extract_text_lines(return_chars=False), number, float(page.height)))
    items.sort(key=lambda item: item.top)
    return _Page(number, items, bool(page.chars), bool(page.images))


def _prose_lines(found: list[dict[str, Any]], number: int, height: float) -> list[_Line]:
    """Text lines (pdfplumber's ``extract_text_lines``) as :class:`_Line`, page numbers in the margins left out."""
    lines = [
        _Line(line["text"].strip(), number, 0, line["x0"], line["x1"], line["top"], line["bottom"])
        for line in found
        if line["text"].strip()
    ]
    lines = [
        ln
        for ln in lines
        if not (_PAGE_NUMBER.fullmatch(ln.text) and (ln.top < height * _MARGIN or ln.bottom > height * (1 - _MARGIN)))
    ]
    if lines:
        left, right = min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)
        for i, ln in enumerate(lines, start=1):
            ln.number, ln.left, ln.right = i, left, right
    return lines


# -- opening the file --------------------------------------------------------------------------


def _fail(source: str | None, zh: str, en: str, where: str | None = None) -> LoadError:
    return LoadError(f"{zh} / {en}", path=source, where=where)


def _unreadable(exc: BaseException, source: str | None, where: str | None = None) -> LoadError:
    """The LoadError for an exception raised while pdfminer parses the file."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    if isinstance(inner, PDFPasswordIncorrect | PDFEncryptionError):
        return _fail(
            source,
            "PDF文件已加密，无法打开（需要密码）",
            f"the PDF is encrypted and cannot be opened without its password ({type(inner).__name__})",
        )
    detail = f"{type(inner).__name__}: {inner}" if str(inner) else type(inner).__name__
    if where:
        en = f"the PDF is corrupt and this page cannot be read ({detail})"
        return LoadError.at(source, where, "PDF文件已损坏，无法读取此页", en)
    return _fail(source, "PDF文件已损坏，无法读取", f"the PDF is corrupt and cannot be read ({detail})")


def _check_pages(count: int, source: str | None) -> None:
    """Refuse a PDF of more pages than ``max_pdf_pages``."""
    cap = current().max_pdf_pages
    if count > cap:
        zh, en = f"PDF有{count}页，超过{cap}页", f"the PDF has {count} pages, more than {cap}"
        raise exceeded(source, "max_pdf_pages", zh, en)


def _check_weight(page: Any, number: int, source: str | None) -> None:
    """Refuse a page drawn with more pieces (path segments, characters, objects) than ``max_page_objects``.

    pdfplumber keeps a dict of some kilobytes per piece, so a page of a million
    short lines (a few MB of content) would take gigabytes; PDFium counts them in C.
    """
    cap = current().max_page_objects
    count = pdfium_c.FPDFPage_CountObjects(page.raw)
    if count <= cap:
        for i in range(count):
            obj = pdfium_c.FPDFPage_GetObject(page.raw, i)
            if pdfium_c.FPDFPageObj_GetType(obj) == pdfium_c.FPDF_PAGEOBJ_PATH:
                count += max(0, pdfium_c.FPDFPath_CountSegments(obj) - 1)
                if count > cap:
                    break
    if count <= cap:
        textpage = page.get_textpage()
        count += textpage.count_chars()
        textpage.close()
    if count > cap:
        raise _too_heavy(number, source)


def _too_heavy(number: int, source: str | None) -> LoadError:
    cap = current().max_page_objects
    zh, en = f"本页的图形和文字超过{cap}个", f"the page draws more than {cap} pieces (lines, characters, objects)"
    return exceeded(source, "max_page_objects", zh, en, f"page {number}")


def _prescan(data: bytes, source: str | None = None) -> list[_Page | None] | None:
    """With PDFium (fast): each page without ruling lines read as prose, None for a page with a table.

    None for the whole file when PDFium is not installed or cannot open it:
    pdfplumber then reads every page (and reports what is wrong with the file).
    """
    if pdfium is None:
        return None
    with _PDFIUM_LOCK:  # PDFium is not thread-safe
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            return None
        try:
            _check_pages(len(doc), source)
            return [_prescan_page(doc[i], i + 1, source) for i in range(len(doc))]
        except pdfium.PdfiumError:
            return None
        finally:
            doc.close()


def _prescan_page(page: Any, number: int, source: str | None = None) -> _Page | None:
    """A page without ruling lines as prose lines, or None when it has ruling lines (a table: pdfplumber reads it)."""
    _check_weight(page, number, source)
    ruling, images = 0, False
    for obj in page.get_objects():
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            images = True
        elif obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
            left, bottom, right, top = obj.get_bounds()
            thin, long = min(right - left, top - bottom), max(right - left, top - bottom)
            fill, stroke = ctypes.c_int(), ctypes.c_int()
            pdfium_c.FPDFPath_GetDrawMode(obj.raw, ctypes.byref(fill), ctypes.byref(stroke))
            if (thin <= _LINE_MAX and long >= 2 * _LINE_MAX) or (stroke.value and long >= 2 * _LINE_MAX):
                ruling += 1
    if ruling >= 2:
        return None
    height = page.get_height()
    textpage = page.get_textpage()
    chars = []
    for i in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(textpage.raw, i)
        if not code or pdfium_c.FPDFText_IsGenerated(textpage.raw, i) or chr(code).isspace():
            continue
        left, bottom, right, top = textpage.get_charbox(i, loose=True)
        chars.append(
            {
                "text": chr(code),
                "x0": left,
                "x1": right,
                "top": height - top,
                "bottom": height - bottom,
                "doctop": height - top,
                "width": right - left,
                "height": top - bottom,
                "upright": True,
            }
        )
    lines = chars_to_textmap(_dedupe(chars)).extract_text_lines(strip=True, return_chars=False) if chars else []
    return _Page(number, list(_prose_lines(lines, number, height)), bool(chars), images)


def _pages(data: bytes, source: str | None) -> Iterator[_Page]:
    """Each page read, every failure of the PDF parser turned into a :class:`LoadError`.

    Pages without ruling lines are read with PDFium when it is there (some ten
    times faster than pdfminer, the same text lines); pages with tables, and
    every page without PDFium, with pdfplumber.
    """
    if not sniff(data):
        raise _fail(source, "不是PDF文件（文件头不是%PDF）", "not a PDF file (it does not start with %PDF)")
    if b"%%EOF" not in data.rstrip(b"\x00\r\n\t\x0c ")[-_EOF_WINDOW:]:
        raise _fail(
            source,
            "PDF文件不完整（可能被截断）：文件末尾没有%%EOF标记",
            "the PDF is incomplete (truncated?): no %%EOF marker at its end",
        )
    check_streams(data, source)
    prescanned = _prescan(data, source)
    if prescanned is not None and all(page is not None for page in prescanned):
        yield from (page for page in prescanned if page is not None)
        return
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many kinds on a damaged file
        raise _unreadable(exc, source) from None
    try:
        yield from _plumbed(pdf, prescanned, source)
    finally:
        with contextlib.suppress(Exception):  # closing walks the pages again: a damaged box would fail here too
            pdf.close()


def _plumbed(pdf: Any, prescanned: list[_Page | None] | None, source: str | None) -> Iterator[_Page]:
    """The pages pdfplumber reads (those PDFium has not), each failure a :class:`LoadError` naming the page."""
    try:
        pages = list(pdf.pages)
    except Exception as exc:  # a damaged page box or page tree: the page being built when it failed
        raise _unreadable(exc, source, f"page {len(getattr(pdf, '_pages', ())) + 1}") from None
    if not pages:
        raise _fail(source, "PDF文件没有页面", "the PDF has no pages")
    _check_pages(len(pages), source)
    for number, page in enumerate(pages, start=1):
        done = prescanned[number - 1] if prescanned and number <= len(prescanned) else None
        if done is not None:
            yield done
            continue
        try:
            _ = page.chars, page.edges, page.images  # parse the page here, where failures are caught
            if prescanned is None and len(page.chars) + len(page.edges) > current().max_page_objects:
                raise _too_heavy(number, source)
            read = _read_page(page, number)
        except LoadError:
            raise
        except Exception as exc:  # a damaged box or object fails in pdfplumber (ValueError, IndexError…)
            raise _unreadable(exc, source, f"page {number}") from None
        yield read


# -- pages → blocks ----------------------------------------------------------------------------


def _join(text: str, more: str) -> str:
    """Two wrapped lines of one paragraph: Chinese text wraps anywhere, even inside a number, so no space."""
    return text + more


def _continues(previous: _Line, line: _Line) -> bool:
    """True when ``line`` goes on with the paragraph that ``previous`` is part of."""
    return previous.full and not line.indented and not _HEADING_START.match(line.text)


def _same_table(previous: _PageTable, table: _PageTable) -> bool:
    return abs(previous.x0 - table.x0) <= _ALIGN and abs(previous.x1 - table.x1) <= _ALIGN


def _strip_repeated_header(first: _PageTable, more: _PageTable) -> list[list[Cell]]:
    """The continued part's rows without a header repeated from the table's first page."""
    rows = more.rows
    n = 0
    while n < len(rows) and n < len(first.rows) - 1 and [t for t, _ in rows[n]] == [t for t, _ in first.rows[n]]:
        n += 1
    return rows[n:] if n and any(t for t, _ in rows[0]) else rows


@cache
def _template_labels() -> frozenset[tuple[int | None, str]]:
    """The matching keys of every row and column label of the official layouts."""
    keys = set()
    for table in TABLES:
        for version in VERSIONS:
            layout = table_layout(table, version)
            for node in (*layout.rows, *layout.columns):
                for label in (node.label, *node.aliases):
                    key = label_key(label)
                    keys.add((key.number, key.full))
    return frozenset(keys)


def _is_label(text: str) -> bool:
    key = label_key(text)
    return (key.number, key.full) in _template_labels()


def _join_cut_cells(above: _PageTable, rows: list[list[Cell]], lefts: list[list[float]]) -> bool:
    """Give a cell cut by a page break the text printed at the head of the next page (``法提供``, or the whole
    label of a merged cell whose part above the break is empty).

    A cell of the continued part's first row goes on the cell above it on the previous page (the nearest cell
    at the same left side) when the two texts together are a label of the template and the upper text alone is
    not, or when the upper cell is an empty cell of the last row, the lower text a label and its row without
    numbers (the rest of a row the break cut). Text with a digit is never moved, nor text that makes no label.
    True when the first row is left empty by it.
    """
    if not rows or not above.rows:
        return False
    first, last = rows[0], len(above.rows) - 1
    printed = any(text for text, _ in first)
    numbers = any(_ANY_DIGIT.search(text) for text, _ in first)
    for j, ((text, where), x) in enumerate(zip(first, lefts[0], strict=True)):
        if not text or _ANY_DIGIT.search(text):
            continue
        for r in range(last, -1, -1):
            k = next((k for k, left in enumerate(above.lefts[r]) if abs(left - x) <= _ALIGN), None)
            if k is None:
                break  # a cell merged across this column: nothing above continues here
            upper, place = above.rows[r][k]
            if upper:
                if _is_label(f"{upper}{text}") and not _is_label(upper):
                    above.rows[r][k] = (f"{upper}\n{text}", place)
                    first[j] = ("", where)
                break
            if above.starts[r][k]:  # the cut cell's top, empty on this page
                if r == last and not numbers and _is_label(text):
                    above.rows[r][k] = (text, place)
                    first[j] = ("", where)
                break
    return printed and not any(text for text, _ in first)


def _blocks(pages: list[_Page]) -> list[Block]:
    blocks: list[Block] = []
    parts: list[_PageTable] = []  # the parts of the table being built
    lines: list[_Line] = []  # the lines of the paragraph being built

    def end_paragraph() -> None:
        if lines:
            text = ""
            for ln in lines:
                text = _join(text, ln.text)
            blocks.append(Paragraph(text, f"page {lines[0].page}, line {lines[0].number}"))
            lines.clear()

    def end_table() -> None:
        if parts:
            builder = TableBuilder()
            kept = [part.rows if i == 0 else _strip_repeated_header(parts[0], part) for i, part in enumerate(parts)]
            for i in range(1, len(parts)):
                if _join_cut_cells(parts[i - 1], kept[i], parts[i].lefts[len(parts[i].rows) - len(kept[i]) :]):
                    kept[i] = kept[i][1:]  # the rest of a row cut by the page break: all of it joined above
            for rows in kept:  # rows joined in place: added once every seam is done
                for row in rows:
                    builder.add_row(row)
            where = parts[0].where if len(parts) == 1 else f"{parts[0].where} to {parts[-1].where}"
            blocks.append(builder.build(where))
            parts.clear()

    for page in pages:
        for position, item in enumerate(page.items):
            if isinstance(item, _PageTable):
                end_paragraph()
                if parts and position == 0 and parts[-1].page == page.number - 1 and _same_table(parts[-1], item):
                    parts.append(item)  # continued from the foot of the previous page
                else:
                    end_table()
                    parts.append(item)
                continue
            end_table()
            if lines and not _continues(lines[-1], item):
                end_paragraph()
            lines.append(item)
    end_paragraph()
    end_table()
    return blocks


def read(data: bytes, source: str | None = None) -> list[Block]:
    """Blocks of a PDF report: prose paragraphs and ruled tables, every cell with its page and position."""
    pages = list(_pages(data, source))
    if not any(page.has_text for page in pages):
        where = "page 1" if len(pages) == 1 else f"pages 1-{len(pages)}"
        zh_where = "第1页" if len(pages) == 1 else f"全部{len(pages)}页"
        kind = "（只有图像，可能是扫描件）" if any(p.has_images for p in pages) else "（可能是扫描件）"
        raise _fail(
            source,
            f"不是文字版PDF：{zh_where}没有文字层{kind}",
            f"not a text PDF: {where} {'has' if len(pages) == 1 else 'have'} no text layer (scanned?)",
            where,
        )
    return _blocks(pages)
