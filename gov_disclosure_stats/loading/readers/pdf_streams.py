"""The inflated size of a PDF's streams, measured in pieces before any parser decodes them (inflate bombs).

PDFium and pdfminer inflate a stream whole before they look at it: a 0.4 MB
file whose page content inflates to 200 MB took minutes and gigabytes. Here
every ``stream … endstream`` of the raw file is run through its filters
(Flate, LZW, RunLength, ASCIIHex, ASCII85) piece by piece and dropped, and
the file is refused as soon as one stream passes ``max_stream_bytes`` or all
of them together ``max_inflated_bytes`` (:class:`~gov_disclosure_stats.Limits`).
Images (never decoded by the reader) are not counted; embedded fonts count
towards the total only. An encrypted file's streams are deciphered first
(pdfminer's security handler, empty user password).
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable, Iterable, Iterator

from ...core.limits import current, exceeded, size_text

_CHUNK = 1 << 16
_STREAM = re.compile(rb">>\s*stream(?:\r\n|\n|\r)")
_OBJ = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")
_DICT_WINDOW = 1 << 14  # how far before ``stream`` its dictionary's ``N G obj`` is looked for
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()]+)")
_NAME = re.compile(rb"/([^\s/\[\]<>()]+)")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?:\s+(\d+)\s+R)?")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_FONT = re.compile(rb"/Length[123]\b|/Subtype\s*/(?:Type1C|CIDFontType0C|OpenType)\b")

Decipher = Callable[[int, int, bytes], bytes]


class _TooBig(Exception):
    pass


def check_streams(data: bytes, source: str | None = None) -> None:
    """Refuse (:class:`~gov_disclosure_stats.LoadError`) a PDF with a stream that inflates past the limits."""
    limits = current()
    _scan(data, source, limits.max_stream_bytes, limits.max_inflated_bytes, None)
    if b"/Encrypt" in data:
        decipher = _decipher(data)
        if decipher is not None:
            _scan(data, source, limits.max_stream_bytes, limits.max_inflated_bytes, decipher)


def _scan(data: bytes, source: str | None, per_stream: int, total_cap: int, decipher: Decipher | None) -> None:
    total = 0
    for head, number, generation, raw in _streams(data):
        if _IMAGE.search(head):
            continue
        font = _FONT.search(head) is not None
        cap = total_cap - total if font else min(per_stream, total_cap - total)
        if decipher is not None:
            try:
                raw = decipher(number, generation, raw)
            except Exception:  # a stream the handler cannot decipher: the parser will say so
                continue
        size = _inflated(raw, _filters(head), cap)
        total += size
        if size > cap:
            if not font and size > per_stream:
                raise exceeded(
                    source,
                    "max_stream_bytes",
                    f"PDF对象{number}的数据流解压后超过{size_text(per_stream)}",
                    f"PDF object {number} inflates to more than {size_text(per_stream)}",
                )
            raise exceeded(
                source,
                "max_inflated_bytes",
                f"PDF的数据流解压后共超过{size_text(total_cap)}",
                f"the PDF's streams inflate to more than {size_text(total_cap)} in all",
            )


def _streams(data: bytes) -> Iterator[tuple[bytes, int, int, bytes]]:
    """``(dictionary, object number, generation, raw bytes)`` of each stream in the file."""
    position = 0
    while m := _STREAM.search(data, position):
        start = m.end()
        window = data[max(0, m.start() - _DICT_WINDOW) : m.start() + 2]
        objects = list(_OBJ.finditer(window))
        head = window[objects[-1].end() :] if objects else window
        number, generation = (int(objects[-1][1]), int(objects[-1][2])) if objects else (0, 0)
        end = _end(data, head, start)
        yield head, number, generation, data[start:end]
        position = max(end, start)


def _end(data: bytes, head: bytes, start: int) -> int:
    """Where a stream's data ends: its ``/Length`` (direct or an indirect object), else ``endstream``."""
    m = _LENGTH.search(head)
    length: int | None = None
    if m and m[2] is None:
        length = int(m[1])
    elif m:
        ref = re.search(rb"(?<!\d)%d\s+%d\s+obj\s*(\d+)\s*endobj" % (int(m[1]), int(m[2])), data)
        length = int(ref[1]) if ref else None
    if length is not None and start + length <= len(data):
        return start + length
    found = data.find(b"endstream", start)
    return len(data) if found < 0 else found


def _filters(head: bytes) -> list[bytes]:
    m = _FILTER.search(head)
    return _NAME.findall(m[1]) if m else []


def _inflated(raw: bytes, filters: list[bytes], cap: int) -> int:
    """The bytes the filter chain makes of ``raw``, counted up to ``cap + 1`` (then it stops)."""
    pieces: Iterable[bytes] = [raw]
    for name in filters:
        stage = _STAGES.get(name)
        if stage is None:  # an image codec or an unknown filter: nothing a parser inflates here
            break
        pieces = _capped(stage(pieces), cap)
    size = 0
    try:
        for piece in pieces:
            size += len(piece)
    except _TooBig:
        return cap + 1
    except Exception:  # damaged data: what came out before counts
        return size
    return min(size, cap + 1)


def _capped(pieces: Iterable[bytes], cap: int) -> Iterator[bytes]:
    size = 0
    for piece in pieces:
        size += len(piece)
        if size > cap:
            raise _TooBig
        yield piece


def _flate(pieces: Iterable[bytes]) -> Iterator[bytes]:
    inflater = zlib.decompressobj()
    try:
        for piece in pieces:
            chunk = piece
            while chunk and not inflater.eof:
                out = inflater.decompress(chunk, _CHUNK)
                chunk = inflater.unconsumed_tail
                yield out
            if inflater.eof:
                return
        yield inflater.flush()
    except zlib.error:
        return  # pdfminer keeps what inflated before the damage, as counted


def _lzw(pieces: Iterable[bytes]) -> Iterator[bytes]:
    from pdfminer.lzw import LZWDecoder

    yield from LZWDecoder(io.BytesIO(b"".join(pieces))).run()


def _run_length(pieces: Iterable[bytes]) -> Iterator[bytes]:
    data = b"".join(pieces)
    i = 0
    while i < len(data):
        n = data[i]
        if n == 128:
            return
        if n < 128:
            yield data[i + 1 : i + n + 2]
            i += n + 2
        else:
            yield data[i + 1 : i + 2] * (257 - n)
            i += 2


def _ascii(decode: Callable[[bytes], bytes]) -> Callable[[Iterable[bytes]], Iterator[bytes]]:
    def stage(pieces: Iterable[bytes]) -> Iterator[bytes]:
        yield decode(b"".join(pieces))  # never larger than its input

    return stage


def _hex(data: bytes) -> bytes:
    from pdfminer.ascii85 import asciihexdecode

    return asciihexdecode(data)


def _a85(data: bytes) -> bytes:
    from pdfminer.ascii85 import ascii85decode

    return ascii85decode(data)


_STAGES: dict[bytes, Callable[[Iterable[bytes]], Iterator[bytes]]] = {
    b"FlateDecode": _flate,
    b"Fl": _flate,
    b"LZWDecode": _lzw,
    b"LZW": _lzw,
    b"RunLengthDecode": _run_length,
    b"RL": _run_length,
    b"ASCIIHexDecode": _ascii(_hex),
    b"AHx": _ascii(_hex),
    b"ASCII85Decode": _ascii(_a85),
    b"A85": _ascii(_a85),
}


def _decipher(data: bytes) -> Decipher | None:
    """The security handler's stream decipher of an encrypted PDF (empty user password), or None."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser

    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
    except Exception:  # a damaged or password-protected file: the reader reports it
        return None
    decipher = document.decipher
    if decipher is None:
        return None
    return lambda number, generation, raw: decipher(number, generation, raw, {})

