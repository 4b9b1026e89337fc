"""The Word (.docx) reader: prose paragraphs and tables, in document order, merged cells expanded.

The body is walked element by element (``w:p`` and ``w:tbl`` interleaved, content
controls and custom-XML wrappers looked through). A table becomes a full grid: a
cell merged across columns (``gridSpan``, legacy ``hMerge``) or down rows
(``vMerge``) keeps its text in the first position and leaves the other
positions empty, as the plain-text format prints merged cells. A table that
holds other tables is page layout, not data: its cells are read like the body
(their paragraphs and their tables in order).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import docx
from lxml import etree

from ...core.errors import LoadError
from ...core.limits import current, exceeded, size_text
from ...model.grid import Block, Paragraph, TableBuilder

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_P, _TBL, _TR, _TC = f"{{{W}}}p", f"{{{W}}}tbl", f"{{{W}}}tr", f"{{{W}}}tc"
_WRAPPERS = frozenset({f"{{{W}}}sdt", f"{{{W}}}sdtContent", f"{{{W}}}customXml", f"{{{W}}}smartTag"})
_SKIPPED = frozenset({f"{{{W}}}del", f"{{{W}}}moveFrom", f"{{{W}}}txbxContent", f"{{{MC}}}Fallback"})
_TEXT = {f"{{{W}}}t": None, f"{{{W}}}tab": "\t", f"{{{W}}}br": "\n", f"{{{W}}}cr": "\n", f"{{{W}}}noBreakHyphen": "-"}
_DOCUMENT = "word/document.xml"
_MAX_COLUMNS = 1000  # a sanity bound on spans (Word itself allows 63 columns)
_XML_BYTES_PER_ELEMENT = 200  # XML beyond max_elements times this is refused before it is parsed


def _val(element: etree._Element | None, default: str | None = None) -> str | None:
    """The ``w:val`` attribute of an element (None when the element is absent)."""
    if element is None:
        return None
    return element.get(f"{{{W}}}val", default)


def _count(element: etree._Element | None) -> int:
    """A whole-number ``w:val`` (a span, a number of skipped grid columns); 0 when absent or unreadable."""
    try:
        return min(_MAX_COLUMNS, max(0, int(_val(element, "0") or 0)))
    except ValueError:
        return 0


def _skipped(tr: etree._Element) -> int:
    """Grid columns a row leaves out before its first cell (``w:gridBefore``)."""
    return _count(tr.find(f"{{{W}}}trPr/{{{W}}}gridBefore"))


def _children(element: etree._Element, tags: frozenset[str]) -> Iterator[etree._Element]:
    """Children with one of ``tags``, looking through content controls and custom-XML wrappers."""
    for child in element:
        if child.tag in tags:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, tags)


def paragraph_text(p: etree._Element) -> str:
    """The visible text of a ``w:p``: runs, hyperlinks, fields and insertions; deletions and text boxes left out."""
    parts: list[str] = []

    def walk(element: etree._Element) -> None:
        for child in element:
            tag = child.tag
            if tag in _SKIPPED or not isinstance(tag, str):
                continue
            if tag in _TEXT:
                fixed = _TEXT[tag]
                parts.append((child.text or "") if fixed is None else fixed)
            else:
                walk(child)

    walk(p)
    return "".join(parts)


def _cell_text(tc: etree._Element) -> str:
    """A cell's text: its paragraphs joined by line breaks, surrounding blank lines dropped."""
    return "\n".join(paragraph_text(p) for p in _children(tc, frozenset({_P}))).strip()


def _has_nested_table(tbl: etree._Element) -> bool:
    return any(
        True
        for tr in _children(tbl, frozenset({_TR}))
        for tc in _children(tr, frozenset({_TC}))
        for _ in _children(tc, frozenset({_TBL}))
    )


class _Walker:
    """Walks a document body and collects its blocks, numbering tables and paragraphs as it goes."""

    def __init__(self, source: str | None = None) -> None:
        self.blocks: list[Block] = []
        self.tables = 0
        self.paragraphs = 0
        self.source = source
        self.cells = 0  # grid positions made so far (merged cells expanded)
        self.max_cells = current().max_cells

    def body(self, element: etree._Element, place: str | None = None) -> None:
        """Read the paragraphs and tables of a body (or of a layout table's cell, at ``place``)."""
        local = 0
        for child in _children(element, frozenset({_P, _TBL})):
            if child.tag == _TBL:
                self.table(child)
                continue
            if place is None:
                self.paragraphs += 1
                where = f"paragraph {self.paragraphs}"
            else:
                local += 1
                where = f"{place}, paragraph {local}"
            text = paragraph_text(child).strip()
            if text:
                self.blocks.append(Paragraph(text, where))

    def table(self, tbl: etree._Element) -> None:
        """Read one table: a grid of cells, or, when it holds tables, its cells' content in order."""
        self.tables += 1
        number = self.tables
        if _has_nested_table(tbl):
            for r, tr in enumerate(_children(tbl, frozenset({_TR})), start=1):
                column = 1 + _skipped(tr)
                for tc in _children(tr, frozenset({_TC})):
                    span, vmerge, hmerge = _merge_marks(tc)
                    if vmerge != "continue" and hmerge != "continue":
                        self.body(tc, f"table {number}, row {r}, column {column}")
                    column += span
            return
        builder = TableBuilder()
        for r, tr in enumerate(_children(tbl, frozenset({_TR})), start=1):
            row = [("", f"table {number}, row {r}, column {c}") for c in range(1, _skipped(tr) + 1)]
            for tc in _children(tr, frozenset({_TC})):
                span, vmerge, hmerge = _merge_marks(tc)
                merged = vmerge == "continue" or hmerge == "continue"
                text = "" if merged else _cell_text(tc)
                self._count(span, f"table {number}, row {r}")
                for i in range(span):
                    column = len(row) + 1
                    row.append((text if i == 0 else "", f"table {number}, row {r}, column {column}"))
            builder.add_row(row)
        if builder.rows:
            self.blocks.append(builder.build(f"table {number}"))


    def _count(self, positions: int, where: str) -> None:
        """Count grid positions; refuse a document past ``max_cells`` (spans of up to 1000 columns add up)."""
        self.cells += positions
        if self.cells > self.max_cells:
            zh, en = f"表格单元格超过{self.max_cells}个", f"the tables hold more than {self.max_cells} cells"
            raise exceeded(self.source, "max_cells", zh, en, where)


def _merge_marks(tc: etree._Element) -> tuple[int, str | None, str | None]:
    """A cell's column span and its vertical and legacy horizontal merge marks (``restart``/``continue``)."""
    pr = tc.find(f"{{{W}}}tcPr")
    if pr is None:
        return 1, None, None
    span = max(1, _count(pr.find(f"{{{W}}}gridSpan")))
    vmerge = _val(pr.find(f"{{{W}}}vMerge"), "continue")
    hmerge = _val(pr.find(f"{{{W}}}hMerge"), "continue")
    return span, vmerge, hmerge


def read_docx(data: bytes, source: str | None = None) -> list[Block]:
    """Blocks of a .docx file: its paragraphs and tables in document order."""
    check_archive(data, source)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # a damaged archive fails in zipfile, zlib, struct or the XML parser
        raise LoadError(
            f"无法打开Word文档（文件损坏或不是.docx） / cannot open the Word document ({type(exc).__name__}: {exc})",
            path=source,
        ) from None
    body = document.element.body
    cap = current().max_elements
    if sum(1 for _ in body.iter()) > cap:
        zh, en = f"文档的XML元素超过{cap}个", f"the document has more than {cap} XML elements"
        raise exceeded(source, "max_elements", zh, en)
    walker = _Walker(source)
    walker.body(body)
    return walker.blocks


def check_archive(data: bytes, source: str | None = None) -> None:
    """Refuse a zip archive (.docx, .xlsx) whose members, as its directory states them, pass the limits.

    Python's zipfile never inflates a member past the size its directory gives,
    so the directory's sizes bound what reading the archive costs. An archive
    whose directory cannot be read is left to the reader (which reports it).
    """
    limits = current()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception:
        return
    if len(members) > limits.max_elements:
        zh, en = f"压缩包的成员超过{limits.max_elements}个", f"the archive has more than {limits.max_elements} members"
        raise exceeded(source, "max_elements", zh, en)
    inflated = sum(m.file_size for m in members)
    if inflated > limits.max_inflated_bytes:
        cap = size_text(limits.max_inflated_bytes)
        zh = f"压缩包解压后为{size_text(inflated)}，超过{cap}"
        en = f"the archive inflates to {size_text(inflated)}, more than {cap}"
        raise exceeded(source, "max_inflated_bytes", zh, en)
    xml = sum(m.file_size for m in members if m.filename.endswith(".xml"))
    if xml > limits.max_elements * _XML_BYTES_PER_ELEMENT:
        cap = size_text(limits.max_elements * _XML_BYTES_PER_ELEMENT)
        zh, en = f"压缩包中的XML解压后超过{cap}", f"the archive's XML inflates to more than {cap}"
        raise exceeded(source, "max_elements", zh, en)


def zip_holds(data: bytes, member: str, suffixes: tuple[str, ...], suffix: str) -> bool:
    """True for a zip archive holding ``member``.

    A damaged archive (its directory unreadable) counts when the member's name
    appears in its bytes or the file has one of ``suffixes``, so that the
    reader, not the text fallback, reports the damage.
    """
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return member in archive.namelist()
    except Exception:
        return member.encode("ascii") in data or suffix in suffixes


def sniff(data: bytes, suffix: str = "") -> bool:
    """A zip archive with ``word/document.xml``."""
    return zip_holds(data, _DOCUMENT, (".docx", ".docm"), suffix)


def read(data: bytes, source: str | None = None) -> list[Block]:
    """Read a .docx file's blocks."""
    return read_docx(data, source)
