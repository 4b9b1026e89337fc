"""Loading a report: pick the reader from the content, read blocks, assemble the :class:`Report`."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from ..core.errors import LoadError
from ..core.limits import Limits, applied, read_file
from ..model.report import Report
from .assemble import assemble
from .readers import pick_reader


def loads(
    content: str | bytes,
    source: str | None = None,
    format: str | None = None,
    *,
    limits: Limits | None = None,
    strict: bool = False,
) -> Report:
    """Load a report from its content (text or bytes); ``source`` names it in the report and in errors.

    ``format`` (``"text"``, …) skips detection; by default the reader is chosen
    from the content itself. ``limits`` (a :class:`Limits`) bounds what the
    file may cost (pages, inflated streams, elements…; default :data:`DEFAULT_LIMITS`).

    A table the loader cannot read whole still loads: each problem is a row of
    ``Report.issues`` and the cells it concerns are not numbers (``unplaced``).
    ``strict=True`` raises :class:`LoadError` at the first problem instead.
    """
    data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    if not data.strip():
        raise LoadError("文件为空 / the file is empty", path=source)
    suffix = Path(source).suffix.lower() if source else ""
    reader = pick_reader(data, suffix, format, source)
    with applied(limits):
        read = reader.read(data, source)
    if isinstance(read, Report):
        return read
    return assemble(read, source=Path(source).name if source else None, path=source, strict=strict)


def load(
    path: str | PathLike[str], format: str | None = None, *, limits: Limits | None = None, strict: bool = False
) -> Report:
    """Load a report file; the reader is chosen from the content (``format`` forces one).

    ``strict=True`` refuses a file at its first problem (:func:`loads`).

    The file is read in pieces up to ``limits.max_bytes``; devices, named pipes
    and folders are refused (:func:`~gov_disclosure_stats.limits.read_file`).
    """
    file = Path(path)
    with applied(limits) as active:
        data = read_file(file, active)
        return loads(data, source=str(file), format=format, strict=strict)
