"""Hostile input files built in memory: PDFs with inflating streams or many pages, zip bombs, huge markup."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Sequence


def pdf_bytes(
    contents: list[bytes], filters: int = 1, extra: Sequence[bytes] = (), mediabox: bytes = b"0 0 595 842"
) -> bytes:
    """A PDF of one page per content stream, each stream deflated ``filters`` times (by hand, with zlib).

    ``extra`` streams are added as unreferenced objects (an object stream bomb,
    say); ``mediabox`` is written as given (a damaged box).
    """
    n = len(contents)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(n)) + b"] /Count %d >>" % n,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, content in enumerate(contents):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [" + mediabox + b"] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(_stream(content, filters))
    objects.extend(_stream(data, filters) for data in extra)
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _stream(content: bytes, filters: int) -> bytes:
    data = content
    for _ in range(filters):
        data = zlib.compress(data, 9)
    names = b" ".join([b"/FlateDecode"] * filters)
    head = b"<< /Length %d /Filter [%s] >>" % (len(data), names) if filters else b"<< /Length %d >>" % len(data)
    return head + b"\nstream\n" + data + b"\nendstream"


def text_page(text: str = "Report 2022") -> bytes:
    """A page content stream showing one line of (ASCII) text."""
    return b"BT /F1 12 Tf 72 720 Td (" + text.encode("ascii") + b") Tj ET"


def inflating_pdf(inflated: int = 200 << 20) -> bytes:
    """A one-page PDF whose content stream inflates to ``inflated`` bytes of drawing operators (~0.2 MB per 200 MB)."""
    unit = b"0 0 m 10 10 l S\n"
    return pdf_bytes([text_page() + b"\n" + unit * (inflated // len(unit))])


def many_pages_pdf(pages: int) -> bytes:
    """A PDF of ``pages`` pages of one line of text each."""
    return pdf_bytes([text_page(f"page {i}") for i in range(pages)])


def zip_bomb(member: str, inflated: int, suffix_members: dict[str, bytes] | None = None) -> bytes:
    """A zip archive whose ``member`` inflates to ``inflated`` bytes of spaces (plus ``suffix_members``)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in (suffix_members or {}).items():
            archive.writestr(name, data)
        with archive.open(member, "w", force_zip64=True) as stream:
            chunk = b" " * (1 << 20)
            for _ in range(inflated // len(chunk)):
                stream.write(chunk)
    return out.getvalue()
