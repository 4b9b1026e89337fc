"""MkDocs hook: the Sphinx roles of the docstrings (``:func:`load```) as links in the API reference.

The docstrings are short prose that names other objects with Sphinx roles; mkdocstrings renders
them as ``:func:<code>load</code>``. This turns each into an optional cross-reference to
``gov_disclosure_stats.<name>``: a link where the reference pages document that name, plain code
where they do not.
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:func|class|meth|attr|data|mod|exc|obj):<code>~?([A-Za-z_][\w.]*)</code>")


def _reference(match: re.Match[str]) -> str:
    name = match[1]
    identifier = name if name.startswith("gov_disclosure_stats.") else f"gov_disclosure_stats.{name}"
    short = name.removeprefix("gov_disclosure_stats.")
    return f'<autoref identifier="{identifier}" optional><code>{short}</code></autoref>'


def on_page_content(html: str, **kwargs: Any) -> str:
    """Replace the role markers left in the rendered docstrings of a page."""
    return _ROLE.sub(_reference, html)
