"""The HTML reader: whole government web pages, prose and tables in document order.

The page is walked element by element. Prose (headings, ``p``, text in
``div``s, cells of layout tables…) becomes :class:`Paragraph` blocks, one per
block element or ``<br>``-separated line. Every ``<table>`` that holds no other
table becomes a :class:`Table`: ``colspan``/``rowspan`` are expanded into a
full grid whose merged positions are empty cells, as the plain-text format
prints them. A table that holds other tables is page layout: its cells are read like
the body. Inside a cell, ``<br>``, ``<p>``, ``<span>``, ``<font>``… are joined
(``结果<br>纠正`` is one label, ``<span>2</span><span>0</span>`` the number 20)
and ``&nbsp;`` is blank.

Places: ``"table 3, row 5, column 2"`` (1-based; tables are counted over
every ``<table>`` element of the page, layout tables included) and
``"paragraph 7"``.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree

from ...core.encoding import decode
from ...core.errors import LoadError
from ...core.limits import current, exceeded
from ...model.grid import Block, GridCell, Paragraph, Table, cell_of

_SKIPPED = frozenset({"head", "script", "style", "noscript", "template", "nav", "select", "option", "button"})
_BLOCK = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
_CELLS = frozenset({"td", "th"})
_ROW_GROUPS = frozenset({"thead", "tbody", "tfoot"})
_DIGITS = re.compile(r"\s*(\d+)")
_ANY_DIGIT = re.compile(r"\d")
_MAX_SPAN = 1000  # browsers cap colspan at 1000 and rowspan at 65534; a larger span is a typo

_SNIFF_BYTES = 4096
_STARTS = ("<!doctype html", "<html", "<head", "<body", "<table", "<meta", "<title", "<div", "<h1")
_LEADING = re.compile(r"\s*(?:<!--.*?-->\s*|<\?xml[^>]*\?>\s*)*", re.S)
_MARKUP = re.compile(r"<(?:!doctype\s+html|html|head|body|table|tr|td|th|p|div|span|font|meta|br|h[1-6])\b", re.I)
_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_TABLE_TAGS = re.compile(r"<!--.*?(?:-->|\Z)|<(script|style)\b.*?(?:</\1\s*>|\Z)|<(/?)table\b", re.I | re.S)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


# -- bytes to text ----------------------------------------------------------------------


def declared_charset(data: bytes) -> str | None:
    """The Python codec a page declares (``<meta charset>`` or http-equiv Content-Type), if it is a known one."""
    m = _CHARSET.search(data[: _SNIFF_BYTES * 4])
    if not m:
        return None
    try:
        return codecs.lookup(m[1].decode("ascii").lower()).name
    except (LookupError, UnicodeDecodeError):
        return None


def decode_html(data: bytes, source: str | None = None) -> str:
    """Text of a page: a BOM decides, else valid UTF-8, else the declared charset, else detection.

    Valid UTF-8 comes before the declaration because Chinese sites often declare
    gb2312 over UTF-8 content (and text handed to :func:`loads` arrives as UTF-8);
    GBK content is practically never valid UTF-8. The GB family is read as
    GB18030, its superset.
    """
    if data.startswith(tuple(bom for bom, _ in _BOMS)):
        return decode(data, source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    charset = declared_charset(data)
    if charset in {"gb2312", "gbk", "gb18030", "hz"}:
        charset = "gb18030"
    if charset is not None and charset not in {"utf-8", "ascii"}:
        try:
            return data.decode(charset)
        except UnicodeDecodeError:
            pass  # a wrong declaration: fall back to detection
    return decode(data, source)


# -- cell and prose text ------------------------------------------------------------------


def clean(text: str) -> str:
    """Whitespace runs (``&nbsp;`` and ideographic spaces included) as one space, none at the ends."""
    return " ".join(text.split())


def _tag(element: etree._Element) -> str | None:
    """The lower-case tag name, or None for comments and processing instructions."""
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else None


def cell_text(element: etree._Element) -> str:
    """A cell's text with its markup (``<br>``, ``<p>``, ``<span>``…) joined away."""
    if len(element) == 0:
        return clean(element.text or "")
    return clean(etree.tostring(element, method="text", encoding=str, with_tail=False))


def _span(attribute: str | None, limit: int, to_end: bool = False) -> int:
    """A ``colspan``/``rowspan`` value as a count between 1 and ``limit`` (0 or junk: see HTML rules)."""
    if attribute is None:
        return 1
    m = _DIGITS.match(attribute)
    if not m:
        return 1
    value = int(m[1])
    if value == 0:
        return limit if to_end else 1  # rowspan=0: to the end of the table
    return max(1, min(value, limit, _MAX_SPAN))


# -- the walk -------------------------------------------------------------------------------


class _Walker:
    """Walks a parsed page in document order and collects its blocks."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.paragraphs = 0
        self.tables = 0  # every <table> element met so far, layout tables included
        self.rows_of: dict[int, int] = {}  # table number -> rows read
        self.budget = [current().max_cells]  # grid positions spans may still cover

    def flush(self) -> None:
        """End the current paragraph (if it has any text)."""
        text = clean("".join(self.buffer))
        self.buffer.clear()
        if text:
            self.paragraphs += 1
            self.blocks.append(Paragraph(text, f"paragraph {self.paragraphs}"))

    def walk(self, element: etree._Element) -> None:
        tag = _tag(element)
        if tag is None:
            return
        if tag == "br":
            self.flush()
            return
        if tag == "table":
            self.flush()
            self.table(element)
            return
        block = tag in _BLOCK
        if block:
            self.flush()
        self.buffer.append(element.text or "")
        for child in element:
            self.walk(child)
            self.buffer.append(child.tail or "")
        if block:
            self.flush()

    def table(self, element: etree._Element) -> None:
        self.tables += 1
        number = self.tables
        if next(element.iterdescendants("table"), None) is not None:
            for child in element:  # page layout: read its cells like the body
                self.walk(child)
                self.buffer.append(child.tail or "")
            self.flush()
            return
        rows = []
        for child in element:
            tag = _tag(child)
            if tag == "caption":
                self.walk(child)
            elif tag == "tr":
                rows.append(child)
            elif tag in _ROW_GROUPS:
                rows.extend(r for r in child if _tag(r) == "tr")
        self.flush()
        self.rows_of[number] = len(rows)
        body: list[tuple[GridCell, ...]] = []
        for r, row in enumerate(expand_cells(rows, self.budget)):
            if row:
                i, prefix = len(body), f"table {number}, row {r + 1}, column "
                body.append(tuple([cell_of((text, i, c, prefix + str(at + 1))) for c, (text, at) in enumerate(row)]))
        if body:
            self.blocks.append(Table(tuple(body), f"table {number}"))


def expand(rows: list[etree._Element], budget: list[int] | None = None) -> list[list[str]]:
    """The text grid of a table's ``<tr>`` rows, merged cells expanded (see :func:`expand_cells`)."""
    return [[text for text, _ in row] for row in expand_cells(rows, budget)]


def expand_cells(rows: list[etree._Element], budget: list[int] | None = None) -> list[list[tuple[str, int]]]:
    """The grid of a table's ``<tr>`` rows, merged cells expanded: ``(text, printed column)`` per position.

    A merged range keeps its text at its top-left position; its other positions
    are empty cells. Rows are as long as their last filled or covered position.
    Grid columns that only a merge tells apart from their neighbour are one
    column (:func:`_merge_columns`); rows of nothing but empty cells are dropped
    from a table that has numbers elsewhere. ``budget`` (a one-item list) holds
    the grid positions still allowed; a span that would pass it raises
    :class:`_TooManyCells`.
    """
    grid: list[list[int]] = [[] for _ in rows]  # per position the number of the cell covering it; -1: none yet
    texts: list[str] = []
    top: list[int] = []  # per cell its first row
    left: list[int] = []  # per cell its first column
    spanned: set[int] = set()  # grid columns p whose left side (p - 1 | p) a merged cell spans
    for r, row in enumerate(rows):
        line = grid[r]
        c = 0
        for cell in row:
            if cell.tag not in _CELLS:
                continue
            while c < len(line) and line[c] >= 0:
                c += 1
            number = len(texts)
            texts.append(cell_text(cell))
            top.append(r)
            left.append(c)
            colspan, rowspan = cell.get("colspan"), cell.get("rowspan")
            if colspan is None and rowspan is None:  # most cells: one position
                if c == len(line):
                    line.append(number)
                else:
                    line[c] = number
                c += 1
                continue
            end = c + _span(colspan, _MAX_SPAN)
            down = _span(rowspan, len(rows) - r, to_end=True)
            spanned.update(range(c + 1, end))
            if budget is not None:
                budget[0] -= (end - c) * down
                if budget[0] < 0:
                    raise _TooManyCells
            for covered in grid[r : r + down]:
                if len(covered) < end:
                    covered.extend([-1] * (end - len(covered)))
                covered[c:end] = [number] * (end - c)
            c = end
    grid, at = _merge_columns(grid, texts, spanned) if spanned else (grid, None)
    out = []
    for r, line in enumerate(grid):
        row, before = [], -1
        for i, n in enumerate(line):
            row.append((texts[n], left[n]) if n != before and n >= 0 and top[n] == r else ("", at[i] if at else i))
            before = n
        out.append(row)
    if any(not any(text for text, _ in row) for row in out) and any(_ANY_DIGIT.search(t) for t in texts):
        out = [row if any(text for text, _ in row) else [] for row in out]  # kept empty: rows keep their numbers
    return out


def _merge_columns(
    grid: list[list[int]], texts: list[str], spanned: set[int]
) -> tuple[list[list[int]], list[int] | None]:
    """The grid with neighbouring columns made one where a merged cell spans both and no row prints two
    non-empty cells across them (a header merged over two columns, the values under it one cell beside an
    empty one). Two non-empty cells side by side keep their columns apart: a value is never moved to a
    neighbour's column. Also the grid column each column of the result starts at (None: nothing merged)."""
    width = max(map(len, grid), default=0)
    rows = [line + [-1] * (width - len(line)) for line in grid]
    if all(_apart(rows, texts, p) for p in spanned if p < width):
        return grid, None  # every merge is beside two texts somewhere: nothing to make one
    groups: list[list[int]] = []
    filled: list[int] = []  # per row the non-empty cell of the current group (-1: none)
    for p in range(width):
        column = [line[p] for line in rows]
        here = [n if n >= 0 and texts[n] else -1 for n in column]
        if p in spanned and all(a < 0 or b < 0 or a == b for a, b in zip(filled, here, strict=True)):
            groups[-1].append(p)  # a merged cell spans p - 1 and p, and no row has text in both
            filled = [a if a >= 0 else b for a, b in zip(filled, here, strict=True)]
            continue
        groups.append([p])
        filled = here
    if len(groups) == width:
        return grid, None
    merged = []
    for line in rows:
        row = []
        for group in groups:
            cells = [line[p] for p in group]
            row.append(next((n for n in cells if n >= 0 and texts[n]), cells[0]))
        while row and row[-1] < 0:
            row.pop()
        merged.append(row)
    return merged, [group[0] for group in groups]


def _apart(rows: list[list[int]], texts: list[str], p: int) -> bool:
    """True when some row has two different non-empty cells at grid columns ``p - 1`` and ``p``."""
    for line in rows:
        a, b = line[p - 1], line[p]
        if a != b and a >= 0 and b >= 0 and texts[a] and texts[b]:
            return True
    return False


class _TooManyCells(Exception):
    """Merged cells spanning more grid positions than ``max_cells`` allows."""


# -- truncation -------------------------------------------------------------------------------


def open_table_at_end(text: str) -> int | None:
    """The number of the innermost ``<table>`` still open where the text ends (a truncated page), or None."""
    stack: list[int] = []
    count = 0
    for m in _TABLE_TAGS.finditer(text):
        if m[2] is None:
            continue  # a comment, script or style
        if m[2] == "/":
            if stack:
                stack.pop()
        else:
            count += 1
            stack.append(count)
    return stack[-1] if stack else None


# -- the reader -------------------------------------------------------------------------------


_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True)


def read_html(text: str, source: str | None = None) -> list[Block]:
    """Blocks of an HTML page (given as text).

    A page that ends inside a data table raises :class:`LoadError` (its last
    row may be cut short); one that ends inside a layout table, after the data
    tables, is read: whatever it lost shows as a missing table.
    """
    text = _XML_DECLARATION.sub("", text.removeprefix("\ufeff"), count=1)
    cap = current().max_elements
    if text.count("<") > 2 * cap:  # parsing first would build every element
        raise _too_many_elements(source, cap)
    try:
        root = etree.fromstring(text, parser=_PARSER)  # plain elements: no lxml.html class look-up per node
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return []
    if root is None:
        return []
    etree.strip_elements(root, *_SKIPPED, with_tail=False)
    if sum(1 for _ in root.iter()) > cap:
        raise _too_many_elements(source, cap)
    walker = _Walker()
    try:
        walker.walk(root)
    except _TooManyCells:
        cells = current().max_cells
        zh, en = f"表格合并单元格展开后超过{cells}个位置", f"the tables' merged cells span more than {cells} positions"
        raise exceeded(source, "max_cells", zh, en, f"table {walker.tables}") from None
    except RecursionError:
        raise LoadError("网页元素嵌套过深 / the page nests its elements too deeply", path=source) from None
    walker.flush()
    open_table = open_table_at_end(text)
    if open_table is not None and open_table in walker.rows_of:
        rows = walker.rows_of[open_table]
        line = text.count("\n") + 1
        where = f"table {open_table}, row {rows}" if rows else f"table {open_table}"
        zh_where = f"表{open_table}第{rows}行" if rows else f"表{open_table}"
        raise LoadError(
            f"{zh_where}：文件在第{open_table}个表格中间结束（第{line}行，表格没有结束标记），文件可能不完整 / "
            f"{where}: the file ends inside table {open_table} (line {line}, no </table>): it looks truncated",
            path=source,
            where=where,
        )
    return walker.blocks


def _too_many_elements(source: str | None, cap: int) -> LoadError:
    return exceeded(source, "max_elements", f"网页的元素超过{cap}个", f"the page has more than {cap} elements")


def _head(data: bytes) -> str:
    """The decoded start of the content, for sniffing."""
    head = data[:_SNIFF_BYTES]
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return head.decode(encoding, errors="ignore")
    return head.decode("latin-1")  # markup is ASCII in every encoding we meet


def sniff(data: bytes, suffix: str = "") -> bool:
    """True when the content starts like HTML, or is an ``.htm``/``.html`` file with markup."""
    head = _head(data)
    leading = _LEADING.match(head)
    start = head[leading.end() if leading else 0 :].lower()
    if start.startswith(_STARTS):
        return True
    return suffix in {".htm", ".html", ".xhtml"} and _MARKUP.search(head) is not None


def read(data: bytes, source: str | None = None) -> list[Block]:
    """Decode a page (BOM, UTF-8, its declared charset, else detected) and read its blocks."""
    return read_html(decode_html(data, source), source)
