"""Limits on what one input file may cost: bytes read, PDF pages and inflated streams, elements, table cells.

>>> import gov_disclosure_stats as gds
>>> gds.load("report.pdf", limits=gds.Limits(max_pdf_pages=50))     # doctest: +SKIP

Every reader asks :func:`current` for the limits in force; :func:`gov_disclosure_stats.load`,
:func:`~gov_disclosure_stats.loads` and :func:`~gov_disclosure_stats.load_many` put the
caller's limits in force (:func:`applied`) while they read. A file past a limit is refused
with a :class:`~gov_disclosure_stats.LoadError` that names the limit and how to raise it.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from .errors import LoadError

MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """What one input file may cost; every field can be raised (or lowered) by the caller.

    ``max_bytes``: bytes read from one file (the file is read in pieces and
    refused as soon as it passes this). ``max_pdf_pages``: pages of a PDF.
    ``max_page_objects``: pieces drawn on one PDF page (path segments,
    characters, images; the PDF reader keeps some kilobytes per piece).
    ``max_stream_bytes``: the inflated size of any one compressed PDF stream
    (page content, fonts, object streams; images, which the reader never
    decodes, are not counted). ``max_inflated_bytes``: the inflated size of all
    of a PDF's streams together, or of all the members of a .docx/.xlsx
    archive (as its directory states them). ``max_elements``: HTML or Word XML
    elements. ``max_cells``: grid positions of all of a file's tables (merged
    cells expanded).
    """

    max_bytes: int = 100 * MiB
    max_pdf_pages: int = 500
    max_page_objects: int = 50_000
    max_stream_bytes: int = 16 * MiB
    max_inflated_bytes: int = 256 * MiB
    max_elements: int = 500_000
    max_cells: int = 1_000_000

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"限制 {name} 须为正整数 / limit {name} must be a positive whole number: {value!r}")


DEFAULT_LIMITS = Limits()
"""The limits in force unless a caller gives others."""

DEFAULT_TIMEOUT = 60.0
"""Seconds one file may take in :func:`~gov_disclosure_stats.load_many` / ``gds scan`` (``timeout=``)."""

_current: ContextVar[Limits] = ContextVar("gds_limits", default=DEFAULT_LIMITS)


def current() -> Limits:
    """The limits in force (the caller's inside :func:`applied`, else :data:`DEFAULT_LIMITS`)."""
    return _current.get()


@contextlib.contextmanager
def applied(limits: Limits | None) -> Iterator[Limits]:
    """Put ``limits`` in force for the readers inside the ``with`` block (None: keep those in force)."""
    if limits is None:
        yield current()
        return
    token = _current.set(limits)
    try:
        yield limits
    finally:
        _current.reset(token)


def exceeded(path: str | None, name: str, zh: str, en: str, where: str | None = None) -> LoadError:
    """The LoadError of a file past the limit ``name``: what was too large, and how to allow more (to raise)."""
    hint_zh = f"可用 Limits({name}=…) 放宽"
    hint_en = f"raise it with Limits({name}=...)"
    return LoadError.at(path, where, f"{zh}（{hint_zh}）", f"{en} ({hint_en})")


def size_text(n: int) -> str:
    """A byte count for messages: ``"100 MiB"``, ``"512 KiB"``, ``"37 bytes"``."""
    if n >= MiB:
        return f"{n / MiB:.4g} MiB"
    if n >= 1024:
        return f"{n / 1024:.4g} KiB"
    return f"{n} bytes"


_CHUNK = 1 << 20


def read_file(path: str | os.PathLike[str], limits: Limits | None = None) -> bytes:
    """The bytes of a regular file, read in pieces and refused past ``limits.max_bytes``.

    Devices (``/dev/zero``), named pipes, sockets and folders are refused with a
    :class:`LoadError` naming the file, without waiting for a writer or reading on.
    """
    cap = (limits or current()).max_bytes
    name = os.fspath(path)
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise LoadError(f"无法读取文件 / cannot read the file: {exc.strerror}", path=name) from None
    kind = os.fstat(fd).st_mode
    if not stat.S_ISREG(kind):
        os.close(fd)
        what_zh, what_en = _special(kind)
        raise LoadError(f"不是普通文件（{what_zh}），不予读取 / not a regular file ({what_en}): refused", path=name)
    with os.fdopen(fd, "rb", buffering=0) as file:
        parts: list[bytes] = []
        size = 0
        while chunk := file.read(min(_CHUNK, cap + 1 - size)):
            parts.append(chunk)
            size += len(chunk)
            if size > cap:
                raise exceeded(
                    name,
                    "max_bytes",
                    f"文件超过{size_text(cap)}，未读完即停止",
                    f"the file is larger than {size_text(cap)}; reading stopped",
                )
    return b"".join(parts)


def _special(mode: int) -> tuple[str, str]:
    if stat.S_ISDIR(mode):
        return "文件夹", "a folder"
    if stat.S_ISFIFO(mode):
        return "命名管道", "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件", "a device"
    if stat.S_ISSOCK(mode):
        return "套接字", "a socket"
    return "特殊文件", "a special file"
