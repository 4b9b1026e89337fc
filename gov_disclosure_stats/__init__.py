"""gov_disclosure_stats: the statistical tables of 政府信息公开工作年度报告, loaded and checked.

>>> import gov_disclosure_stats as gds
>>> report = gds.load("examples/2022_beijing-shijingshan_district-government.txt")
>>> gds.validate(report).ok
True
"""

import sys as _sys

from .analysis import comparison, corpus, slips
from .analysis import localize as _localize_module
from .analysis.aggregation import aggregate
from .analysis.comparison import compare, diff
from .analysis.corpus import load_many
from .analysis.localize import localize
from .core import __version__ as __version__
from .core import errors, layouts, limits, values
from .core.errors import DataError, GovDisclosureError, LoadError, RuleError, ValidationFailed
from .core.layouts import TABLES, VERSIONS, TableLayout, table_layout, version_for_year
from .core.limits import DEFAULT_LIMITS, Limits
from .core.rules import Rule, RuleLimits, RuleSet, catalog, rule, rule_limits
from .core.values import Status, parse_cell
from .loading import digits, flow, readers
from .loading.loader import load, loads
from .model import grid, synth, upcalls
from .model.collection import ReportSet
from .model.matrix import CellMatrix, reports_to_wide
from .model.report import Report, reports_to_long
from .model.result import ValidationResult
from .show import render
from .show.display import result_html, to_html
from .show.html_report import html_report
from .show.plot import failure_rate_table, failure_rates
from .validation import narrative, schemas
from .validation.api import validate

# The model's conveniences that need a higher layer (Report._repr_html_, Report.to_wide, ReportSet.validate,
# ValidationResult._repr_html_) call these through model.upcalls: this module imports every layer, so it wires them.
upcalls.provide(report_html=to_html, result_html=result_html, reports_to_wide=reports_to_wide, validate=validate)

# The module paths the documentation names from before the layers (``gov_disclosure_stats.values``,
# ``gov_disclosure_stats.readers`` …) still import: each is the same module object as its new path.
_MOVED = {
    "comparison": comparison,
    "corpus": corpus,
    "digits": digits,
    "errors": errors,
    "flow": flow,
    "grid": grid,
    "layouts": layouts,
    "limits": limits,
    "localize": _localize_module,
    "narrative": narrative,
    "readers": readers,
    "render": render,
    "schemas": schemas,
    "slips": slips,
    "synth": synth,
    "values": values,
}
for _name, _module in list(_MOVED.items()) + [
    (f"readers.{_sub.rsplit('.', 1)[1]}", _mod)
    for _sub, _mod in list(_sys.modules.items())
    if _sub.startswith(f"{readers.__name__}.")
]:
    _sys.modules.setdefault(f"{__name__}.{_name}", _module)
del _name, _module

__all__ = [
    "DEFAULT_LIMITS",
    "TABLES",
    "VERSIONS",
    "CellMatrix",
    "DataError",
    "GovDisclosureError",
    "Limits",
    "LoadError",
    "Report",
    "ReportSet",
    "Rule",
    "RuleError",
    "RuleLimits",
    "RuleSet",
    "Status",
    "TableLayout",
    "ValidationFailed",
    "ValidationResult",
    "aggregate",
    "catalog",
    "compare",
    "diff",
    "failure_rate_table",
    "failure_rates",
    "html_report",
    "load",
    "load_many",
    "loads",
    "localize",
    "narrative",
    "parse_cell",
    "reports_to_long",
    "reports_to_wide",
    "rule",
    "rule_limits",
    "table_layout",
    "to_html",
    "validate",
    "version_for_year",
]
