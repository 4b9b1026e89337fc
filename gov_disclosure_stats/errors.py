"""The library's own exceptions."""

from __future__ import annotations


class GovDisclosureError(Exception):
    """Base class of every error this library raises on purpose."""


class LoadError(GovDisclosureError):
    """A file could not be loaded as a complete report.

    ``path`` names the file and ``where`` the place in it (a line, a table
    cell, a page); the message says what was expected.
    """

    def __init__(self, message: str, path: str | None = None, where: str | None = None) -> None:
        self.path = path
        self.where = where
        self.reason = message
        place = ", ".join(p for p in (path, where) if p)
        super().__init__(f"{place}: {message}" if place else message)


class RuleError(GovDisclosureError):
    """A rule statement or rule file that cannot be understood."""


class ValidationFailed(GovDisclosureError):
    """Raised by :meth:`ValidationResult.raise_for_failures` when hard rules fail."""
