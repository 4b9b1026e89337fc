"""Bytes to text: byte-order marks, UTF-8, GB18030 (covers GBK), then charset-normalizer's guess."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from .errors import LoadError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
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


_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
"""Control characters (category Cc) other than tab, line feed, vertical tab, form feed and carriage return."""


def check_text(text: str, path: str | None) -> str:
    """``text`` without a BOM; LoadError for an empty or binary-looking text."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise LoadError("文件为空 / the file is empty", path=path)
    if "\x00" in text:
        raise _binary(path, f"第{text.count(chr(10), 0, text.index(chr(0))) + 1}行有NUL字符", "NUL character")
    control = len(_CONTROL.findall(text))
    if control > _CONTROL_SHARE * len(text):
        raise _binary(path, f"含{control}个控制字符", f"{control} control characters")
    return text
