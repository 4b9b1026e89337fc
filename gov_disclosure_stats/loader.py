"""Loading a report: pick the reader from the content, read blocks, assemble the :class:`Report`."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from .assemble import assemble
from .errors import LoadError
from .readers import pick_reader
from .report import Report


def loads(content: str | bytes, source: str | None = None, format: str | None = None) -> Report:
    """Load a report from its content (text or bytes); ``source`` names it in the report and in errors.

    ``format`` (``"text"``, …) skips detection; by default the reader is chosen
    from the content itself.
    """
    data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    if not data.strip():
        raise LoadError("文件为空 / the file is empty", path=source)
    suffix = Path(source).suffix.lower() if source else ""
    reader = pick_reader(data, suffix, format, source)
    read = reader.read(data, source)
    if isinstance(read, Report):
        return read
    return assemble(read, source=Path(source).name if source else None, path=source)


def load(path: str | PathLike[str], format: str | None = None) -> Report:
    """Load a report file; the reader is chosen from the content (``format`` forces one)."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise LoadError(f"无法读取文件 / cannot read the file: {exc.strerror}", path=str(file)) from None
    return loads(data, source=str(file), format=format)
