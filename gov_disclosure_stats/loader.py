"""Loading a report file: decode it, read it into blocks, assemble the :class:`Report`."""

from __future__ import annotations

import codecs
import unicodedata
from os import PathLike
from pathlib import Path

from charset_normalizer import from_bytes

from .assemble import assemble
from .errors import LoadError
from .readers import read_text
from .report import Report

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_NOT_YET = {".pdf", ".doc", ".docx", ".htm", ".html", ".xls", ".xlsx", ".wps", ".odt"}
_CONTROL_SHARE = 0.01  # above this share of control characters a "text" is binary


def _binary(path: str | None, detail_zh: str, detail_en: str) -> LoadError:
    return LoadError(f"不是文本文件（{detail_zh}） / not a text file ({detail_en})", path=path)


def decode(data: bytes, path: str | None = None) -> str:
    """Text of a file's bytes: BOM-marked UTF-8/16/32, else UTF-8, else GB18030, else charset-normalizer's guess."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                zh, en = f"{encoding}解码失败，偏移{exc.start}", f"bad {encoding} at byte {exc.start}"
                raise _binary(path, zh, en) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise _binary(path, f"偏移{nul}处有NUL字节", f"NUL byte at offset {nul}")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    best = from_bytes(data).best()
    if best is None:
        raise _binary(path, "无法识别的字符编码", "undecodable: no known character encoding fits")
    return str(best)


def _check_text(text: str, path: str | None) -> str:
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise LoadError("文件为空 / the file is empty", path=path)
    if "\x00" in text:
        raise _binary(path, f"第{text.count(chr(10), 0, text.index(chr(0))) + 1}行有NUL字符", "NUL character")
    control = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    if control > _CONTROL_SHARE * len(text):
        raise _binary(path, f"含{control}个控制字符", f"{control} control characters")
    return text


def _load(content: str | bytes, source: str | None, path: str | None) -> Report:
    if isinstance(content, bytes | bytearray):
        if not content.strip():
            raise LoadError("文件为空 / the file is empty", path=path)
        content = decode(bytes(content), path)
    text = _check_text(content, path)
    return assemble(read_text(text), source=source, path=path)


def loads(content: str | bytes, source: str | None = None) -> Report:
    """Load a report from its text (or raw bytes, decoded here); ``source`` names it in the report and errors."""
    return _load(content, source, source)


def load(path: str | PathLike[str]) -> Report:
    """Load a report file (plain text for now); the report's ``source`` is the file name."""
    file = Path(path)
    if file.suffix.lower() in _NOT_YET:
        suffix = file.suffix
        zh, en = f"暂不支持{suffix}格式，目前只能读取纯文本", f"{suffix} files are not supported yet (plain text only)"
        raise LoadError(f"{zh} / {en}", path=str(file))
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise LoadError(f"无法读取文件 / cannot read the file: {exc.strerror}", path=str(file)) from None
    return _load(data, file.name, str(file))
