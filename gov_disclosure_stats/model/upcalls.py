"""Model methods whose work is done in a higher layer, looked up at call time.

A few conveniences of the model objects need a layer above the model: a notebook draws a
``Report`` or a ``ValidationResult`` with the display (``_repr_html_``), ``Report.to_wide`` builds
a ``CellMatrix``, ``ReportSet.validate`` runs the engine. The model may not import those layers,
so each method calls a function by name from this table, and the package ``__init__`` (the one
module that imports every layer) fills the table with :func:`provide`. Any use of the package
imports ``gov_disclosure_stats`` first, so the table is full whenever a model object exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_PROVIDED: dict[str, Callable[..., Any]] = {}

NAMES = {
    "report_html": "gov_disclosure_stats.show.display.to_html",
    "result_html": "gov_disclosure_stats.show.display.result_html",
    "reports_to_wide": "gov_disclosure_stats.model.matrix.reports_to_wide",
    "validate": "gov_disclosure_stats.validation.api.validate",
}
"""Every name a model method calls, and the function the package provides for it."""


def provide(**functions: Callable[..., Any]) -> None:
    """Fill the table (the package ``__init__`` does, once): ``provide(report_html=to_html, ...)``."""
    unknown = set(functions) - set(NAMES)
    if unknown:
        raise ValueError(f"unknown upcall names: {', '.join(sorted(unknown))}")
    _PROVIDED.update(functions)


def call(name: str, *args: Any, **kwargs: Any) -> Any:
    """Call the function provided for ``name``."""
    try:
        function = _PROVIDED[name]
    except KeyError:
        raise RuntimeError(
            f"{name} is provided by {NAMES[name]}, which was not imported: import gov_disclosure_stats first"
        ) from None
    return function(*args, **kwargs)
