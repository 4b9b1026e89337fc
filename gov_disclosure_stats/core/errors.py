"""The library's own exceptions."""

from __future__ import annotations


class GovDisclosureError(Exception):
    """Base class of every error this library raises on purpose."""


_ZH_PLACE = {
    "page": "第{}页",
    "table": "表{}",
    "row": "第{}行",
    "column": "第{}列",
    "line": "第{}行",
    "lines": "第{}行",
    "paragraph": "第{}段",
    "sheet": "工作表「{}」",
    "cell": "单元格{}",
}


def zh_place(where: str) -> str:
    """A place in Chinese: ``"line 12"`` → ``"第12行"``, ``"page 3, table 2, row 5, column 4"`` →
    ``"第3页表2第5行第4列"``, ``"sheet 表三, cell B7"`` → ``"工作表「表三」单元格B7"``,
    ``"line 5, column value"`` → ``"第5行「value」列"``.

    A place of any other shape (a JSON key path) is returned unchanged.
    """
    spans = []
    for span in where.split(" to "):
        parts = [part.split(" ", 1) for part in span.split(", ")]
        if not all(len(p) == 2 and p[0] in _ZH_PLACE for p in parts):
            return where
        spans.append("".join(_zh_part(name, value) for name, value in parts))
    return "至".join(spans)


def bilingual_place(where: str) -> str:
    """A place in Chinese and English: ``"第12行 / line 12"``; once where the two are the same (a JSON key path)."""
    zh = zh_place(where)
    return where if zh == where else f"{zh} / {where}"


def _zh_part(name: str, value: str) -> str:
    if name == "column" and not value[:1].isdigit():
        return f"「{value}」列"  # a named column of a CSV or sheet
    return _ZH_PLACE[name].format(value)


class LoadError(GovDisclosureError):
    """A file could not be loaded as a complete report.

    ``path`` names the file and ``where`` the place in it (a line, a table
    cell, a page); the message says what was expected.
    """

    def __init__(self, message: str, path: str | None = None, where: str | None = None) -> None:
        self.path = path
        self.where = where
        self.reason = message
        self.zh: str | None = None  # the message in Chinese and in English without the place (``at``)
        self.en: str | None = None
        place = ", ".join(p for p in (path, where) if p)
        super().__init__(f"{place}: {message}" if place else message)

    @classmethod
    def at(cls, path: str | None, where: str | None, zh: str, en: str) -> LoadError:
        """The bilingual error at a place: ``第12行：… / line 12: …`` (to raise); ``zh``/``en`` kept apart too."""
        if where:
            error = cls(f"{zh_place(where)}：{zh} / {where}: {en}", path=path, where=where)
        else:
            error = cls(f"{zh} / {en}", path=path)
        error.zh, error.en = zh, en
        return error


class DataError(GovDisclosureError, ValueError):
    """Data passed in that does not fit the library's model: a wide DataFrame without a ``template``
    column, with an unknown template version, cell code or year (a ``ValueError`` too)."""


class RuleError(GovDisclosureError):
    """A rule statement or rule file that cannot be understood."""


class ValidationFailed(GovDisclosureError):
    """Raised by :meth:`ValidationResult.raise_for_failures` when hard rules fail."""
